"""No fax for patient kinds: patients with a samordningsnummer or a reservnummer (either
format) go through the normal process in Brygga, from admission to discharge, with the
municipality receiving and acknowledging the notices."""

from __future__ import annotations

from typing import Any

import pytest

from brygga.cases.models import Case, CaseState
from brygga.patients.identity import IdentityKind

from .test_discharge_journey import act, log_in, log_out, open_case

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize(
    ("typed", "stored", "kind"),
    [
        ("19400674-9800", "194006749800", IdentityKind.SAMORDNINGSNUMMER),
        ("992024007775", "992024007775", IdentityKind.RESERVNUMMER_SLL),
        ("KF490301AB1X", "KF490301AB1X", IdentityKind.RESERVNUMMER_NATIONAL),
    ],
)
def test_a_patient_without_a_personnummer_needs_no_fax(
    page: Any, demo: Any, check_a11y: Any, typed: str, stored: str, kind: str
) -> None:
    log_in(page, "Anna Lindqvist")
    open_case(page, check_a11y, municipality_code="0184", identity=typed)
    header = page.locator(".patient-header").inner_text()
    assert stored in header.replace("-", "") or typed in header
    act(page, check_a11y, "Skicka inskrivningsmeddelande", {})
    case_url = page.url
    log_out(page)

    log_in(page, "Karin Nilsson")
    page.goto(case_url)
    page.get_by_role("button", name="Kvittera Inskrivningsmeddelande").click()
    page.get_by_text("Meddelandet är kvitterat.").wait_for()
    check_a11y(page)
    log_out(page)

    log_in(page, "Anna Lindqvist")
    page.goto(case_url)
    act(page, check_a11y, "Meddela utskrivningsklar", {"Ansvarig läkare": "Dr Ek"})
    page.get_by_role("link", name="Skicka utskrivningsmeddelande", exact=True).click()
    page.get_by_label("Hemmet").check()
    page.locator("form.form button[type=submit]").click()
    page.get_by_role("heading", name="Händelser").wait_for()
    check_a11y(page)

    case = Case.objects.get(patient__identity_number=stored)
    assert case.patient.identity_kind == kind
    assert case.state == CaseState.DISCHARGED
    assert case.admission_notice_at is not None and case.ready_at is not None
