"""Loggutdrag: an authorised user lists who accessed a patient's data and exports it."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from brygga.audit.events import AuditEventType
from brygga.audit.models import AuditEntry
from brygga.cases.models import Case

pytestmark = pytest.mark.django_db


def annas_case(demo: Any) -> Case:
    anna_unit = demo.person("anna").commissions.first().unit
    case = Case.objects.filter(parties__unit=anna_unit).select_related("patient").first()
    assert case is not None
    return case


def test_a_manager_sees_who_looked_at_a_patient_and_exports_it(login_as: Any, demo: Any) -> None:
    case = annas_case(demo)
    login_as("anna").get(reverse("cases:detail", args=[case.pk]))
    manager = login_as("lars")
    found = manager.get(reverse("audit:search"), {"identity": case.patient.identity.display()})
    assert found.context["patient"] == case.patient
    page = manager.get(reverse("audit:extract", args=[case.patient.pk]))
    body = page.content.decode()
    assert "Anna Lindqvist" in body and "Visade ärende" in body
    export = manager.get(reverse("audit:extract", args=[case.patient.pk]), {"format": "csv"})
    assert export["Content-Type"].startswith("text/csv")
    lines = export.content.decode().splitlines()
    assert lines[0].startswith("Tidpunkt;Händelse")
    assert any("Anna Lindqvist" in line and ";Användare;" in line for line in lines[1:])
    logged = AuditEntry.objects.filter(patient=case.patient, actor_person=demo.person("lars"))
    types = set(logged.values_list("event_type", flat=True))
    assert {AuditEventType.ACCESS_LOG_VIEWED, AuditEventType.ACCESS_LOG_EXPORTED} <= types
    assert AuditEventType.PATIENT_SEARCHED in types


def test_a_care_user_may_not_extract_logs(login_as: Any, demo: Any) -> None:
    case = annas_case(demo)
    client = login_as("anna")
    assert client.get(reverse("audit:search")).status_code == 403
    assert client.get(reverse("audit:extract", args=[case.patient.pk])).status_code == 403


def test_a_bad_identity_number_gets_a_swedish_message(login_as: Any) -> None:
    response = login_as("lars").get(reverse("audit:search"), {"identity": "19121212-1213"})
    assert "Kontrollsiffran" in response.content.decode()


def test_a_patient_outside_the_managers_cases_is_not_found_and_the_search_is_logged(
    login_as: Any, demo: Any
) -> None:
    lars_unit = demo.person("lars").commissions.first().unit
    other = Case.objects.exclude(parties__unit=lars_unit).select_related("patient").first()
    assert other is not None
    client = login_as("lars")
    response = client.get(reverse("audit:search"), {"identity": other.patient.identity_number})
    assert response.context["patient"] is None
    assert "Ingen patient" in response.content.decode()
    assert client.get(reverse("audit:extract", args=[other.patient.pk])).status_code == 404
    assert AuditEntry.objects.filter(
        event_type=AuditEventType.PATIENT_SEARCHED, actor_person=demo.person("lars"), patient=None
    ).exists()


def test_central_administration_can_extract_for_any_patient(login_as: Any, demo: Any) -> None:
    case = annas_case(demo)
    client = login_as("eva")
    assert client.get(reverse("audit:extract", args=[case.patient.pk])).status_code == 200
