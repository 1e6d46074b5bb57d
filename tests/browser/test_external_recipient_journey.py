"""A patient registered outside the region, whose municipality is not in Brygga: the ward
adds the municipality as an external recipient, prints the admission notice as a faxable
PDF with the recipient's numbers, and records when and how it was sent."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from brygga.audit.events import AuditEventType
from brygga.audit.models import AuditEntry
from brygga.cases.models import Case
from brygga.reserve.models import ExternalDispatch
from brygga.testing import assert_accessible_pdf, pdf_text

from .test_discharge_journey import act, local, log_in, open_case

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_notice_to_a_municipality_outside_brygga_is_faxed_and_recorded(
    page: Any, demo: Any, check_a11y: Any
) -> None:
    log_in(page, "Anna Lindqvist")
    open_case(page, check_a11y, municipality_code="0380")  # Uppsala: not in the directory
    page.get_by_text("Ingen kommun tar emot ärendet i Brygga").wait_for()
    page.get_by_role("link", name="Lägg till extern mottagare").click()
    check_a11y(page)
    page.locator("form.form button[type=submit]").click()  # nothing filled in
    page.get_by_role("heading", name="Något behöver rättas innan det kan sparas").wait_for()
    check_a11y(page)
    page.get_by_label("Mottagare").fill("Socialtjänsten Uppsala kommun, äldremottagningen")
    page.get_by_label("Faxnummer").fill("018-727 00 01")
    page.get_by_label("Telefon").fill("018-727 00 00")
    page.locator("form.form button[type=submit]").click()
    page.get_by_role("heading", name="Externa mottagare (utanför Brygga)").wait_for()
    check_a11y(page)

    act(
        page,
        check_a11y,
        "Skicka inskrivningsmeddelande",
        {"Beräknat utskrivningsdatum": "2030-01-10"},
    )
    page.get_by_text("Inte skickat").wait_for()
    with page.expect_download() as download:
        page.get_by_role("link", name="Faxblankett: Inskrivningsmeddelande (PDF)").click()
    content = Path(download.value.path()).read_bytes()
    assert_accessible_pdf(content)
    text = " ".join(pdf_text(content).split())
    assert "Inskrivningsmeddelande" in text
    assert "Socialtjänsten Uppsala kommun" in text and "018-727 00 01" in text
    assert "Greta Testsson" in text and "2030-01-10" in text

    page.get_by_role("link", name="Registrera att Inskrivningsmeddelande är skickat").click()
    check_a11y(page)
    page.get_by_label("När skickades det?").fill(local(-1))
    page.get_by_label("Anteckning").fill("Bekräftat per telefon av mottagningen.")
    page.locator("form.form button[type=submit]").click()
    page.get_by_text("Det är registrerat att meddelandet är skickat.").wait_for()
    page.get_by_text("av Anna Lindqvist").first.wait_for()
    check_a11y(page)

    case = Case.objects.get(patient__identity_number="194006149803")
    dispatch = ExternalDispatch.objects.get(recipient__case=case)
    assert dispatch.method == "fax" and dispatch.sent_by_name == "Anna Lindqvist"
    assert case.admission_notice_at is not None  # D1 is measured as for any recipient
    assert AuditEntry.objects.filter(
        event_type=AuditEventType.EXTERNAL_DISPATCH_RECORDED, patient=case.patient
    ).exists()
