"""Contingency lists: every unit gets a printable snapshot of its open cases; only the unit's
own users can fetch it, and each fetch is in the access log with every patient on it."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from brygga.audit.events import AuditEventType
from brygga.audit.models import AuditEntry
from brygga.cases.models import OPEN_STATES, Case, CaseParty
from brygga.core.actor import Actor
from brygga.reserve.actions import KEEP_PER_UNIT, write_contingency_list
from brygga.reserve.models import ContingencyList
from brygga.testing import assert_accessible_pdf, commission_of, pdf_text

pytestmark = pytest.mark.django_db


def open_cases_of(unit: Any) -> list[Case]:
    return list(
        Case.objects.filter(
            state__in=OPEN_STATES, parties__unit=unit, parties__active=True
        ).select_related("patient")
    )


def test_the_command_writes_one_list_per_unit_with_its_open_cases(demo: Any) -> None:
    output = io.StringIO()
    call_command("write_contingency_lists", stdout=output)
    assert "Beredskapslistor skrivna för" in output.getvalue()
    ward = commission_of(demo.person("anna")).unit
    written = ContingencyList.objects.get(unit=ward)
    cases = open_cases_of(ward)
    assert written.case_count == len(cases) > 0
    assert_accessible_pdf(bytes(written.document))
    document = " ".join(pdf_text(bytes(written.document)).split())
    assert f"Beredskapslista – {ward.name}" in document
    for case in cases:
        assert case.patient.full_name in document
        assert case.patient.identity.display() in document
    # The other parties' phone and fax, for the reserve routine.
    other = CaseParty.objects.filter(case=cases[0], active=True).exclude(unit=ward).first()
    assert other is not None and other.unit.name in document
    if other.unit.fax:
        assert other.unit.fax in document
    # Administration units have no list; every care unit does.
    assert not ContingencyList.objects.filter(unit__care_type="administration").exists()
    assert AuditEntry.objects.filter(event_type=AuditEventType.CONTINGENCY_LISTS_WRITTEN).exists()


def test_only_the_newest_lists_are_kept(demo: Any) -> None:
    ward = commission_of(demo.person("anna")).unit
    system = Actor.system("test")
    start = timezone.now()
    for minutes in range(KEEP_PER_UNIT + 2):
        write_contingency_list(actor=system, unit=ward, now=start + dt.timedelta(minutes=minutes))
    kept = ContingencyList.objects.filter(unit=ward)
    assert kept.count() == KEEP_PER_UNIT
    assert kept.first().generated_at == start + dt.timedelta(minutes=KEEP_PER_UNIT + 1)  # type: ignore[union-attr]


def test_a_person_cannot_read_cases_as_the_system(demo: Any) -> None:
    from brygga.cases.access import open_cases_of_unit_for_system

    anna = commission_of(demo.person("anna"))
    with pytest.raises(PermissionError):
        open_cases_of_unit_for_system(Actor(demo.person("anna"), anna), anna.unit_id)


def test_a_download_is_logged_for_every_patient_and_only_the_unit_gets_it(
    demo: Any, login_as: Callable[..., Client]
) -> None:
    ward = commission_of(demo.person("anna")).unit
    written = write_contingency_list(actor=Actor.system("test"), unit=ward, now=timezone.now())
    anna = login_as("anna")
    page = anna.get(reverse("reserve:contingency_lists"))
    assert page.status_code == 200
    url = reverse("reserve:contingency_download", args=[written.pk])
    assert url in page.content.decode()

    response = anna.get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["Content-Type"] == "application/pdf"
    listed = set(
        AuditEntry.objects.filter(
            event_type=AuditEventType.PATIENT_LISTED, object_id=str(written.pk)
        ).values_list("patient_id", flat=True)
    )
    assert listed == set(written.patient_ids)
    assert AuditEntry.objects.filter(
        event_type=AuditEventType.CONTINGENCY_LIST_DOWNLOADED, actor_person=demo.person("anna")
    ).exists()

    # Karin works at a social-services unit: another unit's list does not exist for her.
    assert login_as("karin").get(url).status_code == 404
