"""The reserve routine's forms: the published blank set, and forms filled in from a case
with the recipient's fax and phone from the directory — tagged PDFs with the right text."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from brygga.audit.events import AuditEventType
from brygga.audit.models import AuditEntry
from brygga.cases.models import Case, CaseEvent, CaseParty
from brygga.cases.models import CaseEventType as E
from brygga.reserve.blank_set import BLANK_SET_DIR, blank_pdf, index_html
from brygga.reserve.paper import FORMS
from brygga.testing import assert_accessible_pdf, commission_of, pdf_text


def words(content: bytes) -> str:
    return " ".join(pdf_text(content).split())


@pytest.mark.parametrize("slug", sorted(FORMS))
def test_the_published_blank_form_is_current_and_accessible(slug: str) -> None:
    published = (BLANK_SET_DIR / f"{slug}.pdf").read_bytes()
    assert_accessible_pdf(published)
    # Regenerate with `manage.py build_blank_forms` when this fails after a form change.
    assert words(published) == words(blank_pdf(slug))
    text = words(published)
    assert str(FORMS[slug].title) in text
    for field in FORMS[slug].fields:
        assert " ".join(str(field.label).split()) in text
    assert "Fax:" in text and "efterregistreras" in text


def test_the_published_index_lists_every_form() -> None:
    index = (BLANK_SET_DIR / "index.html").read_text(encoding="utf-8")
    assert index == index_html()
    for slug in FORMS:
        assert f'href="{slug}.pdf"' in index
        assert (Path(BLANK_SET_DIR) / f"{slug}.pdf").exists()


@pytest.mark.django_db
def test_a_filled_in_sip_call_goes_to_the_chosen_recipients_fax(
    demo: Any, login_as: Callable[..., Client]
) -> None:
    ward = commission_of(demo.person("anna")).unit
    event = (
        CaseEvent.objects.filter(
            type=E.SIP_CALLED, retracted_at__isnull=True, case__parties__unit=ward
        )
        .select_related("case__patient")
        .first()
    )
    assert event is not None, "the demo has a SIP call in a case of G61"
    case: Case = event.case
    party = (
        CaseParty.objects.filter(case=case, active=True)
        .exclude(unit=ward)
        .select_related("unit")
        .first()
    )
    assert party is not None
    anna = login_as("anna")
    page = anna.get(reverse("reserve:case_forms", args=[case.pk]))
    assert page.status_code == 200 and party.unit.name in page.content.decode()

    url = reverse("reserve:case_form_pdf", args=[case.pk, "kallelse-till-sip"])
    response = anna.get(url, {"mottagare": f"enhet-{party.unit_id}"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert_accessible_pdf(response.content)
    text = words(response.content)
    assert case.patient.full_name in text
    assert case.patient.identity.display() in text
    assert " ".join(event.payload["place"].split()) in text
    assert party.unit.name in text and ward.name in text
    if party.unit.fax:
        assert party.unit.fax in text
    assert AuditEntry.objects.filter(
        event_type=AuditEventType.FORM_PRINTED, patient=case.patient
    ).exists()

    # A recipient that is not a party, or an unknown form, is not found.
    assert anna.get(url, {"mottagare": "enhet-999999"}).status_code == 404
    missing = reverse("reserve:case_form_pdf", args=[case.pk, "okand"])
    assert anna.get(missing, {"mottagare": f"enhet-{party.unit_id}"}).status_code == 404


def test_in_a_training_environment_every_form_says_so(settings: Any) -> None:
    settings.ENVIRONMENT = "training"
    assert "UTBILDNINGSMILJÖ – inte för riktiga patienter" in words(blank_pdf("utskrivningsklar"))
    settings.ENVIRONMENT = "demo"
    assert "UTBILDNINGSMILJÖ" not in words(blank_pdf("utskrivningsklar"))
