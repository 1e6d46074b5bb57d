"""The invoicing basis in the browser: the municipality checks its month and disputes a
row; the region's invoicing role sees the dispute and resolves it. axe-core on every page."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from brygga.payments.models import Dispute, DisputeStatus

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page: Any, name: str) -> None:
    page.goto("/konto/logga-in/")
    page.get_by_role("button", name=f"Logga in som {name}").click()
    page.get_by_role("heading", level=1).wait_for()


def log_out(page: Any) -> None:
    page.get_by_role("button", name="Logga ut").click()
    page.get_by_role("heading", name="Du är utloggad").wait_for()


def test_municipality_disputes_a_row_and_invoicing_resolves_it(
    page: Any, demo: Any, check_a11y: Any
) -> None:
    month = f"{timezone.localdate() - dt.timedelta(days=1):%Y-%m}"

    # Karin, Solna social services: the basis of her own municipality.
    log_in(page, "Karin Nilsson")
    page.get_by_role("link", name="Faktureringsunderlag").first.click()
    page.get_by_role("heading", name=f"Faktureringsunderlag Solna stad, {month}").wait_for()
    check_a11y(page)
    table = page.get_by_role("table", name="Ärenden med betalningsansvar i månaden")
    row = table.get_by_role("row").filter(has_text="Jonas Falk")
    assert "9 300,00 kr" in row.inner_text().replace("\u00a0", " ")
    row.get_by_role("link", name="Jonas Falk").click()
    page.get_by_role("heading", name="Betalningsansvar för Jonas Falk").wait_for()
    check_a11y(page)
    assert page.get_by_text("5 kalenderdagars karens").is_visible()

    # A dispute without a comment is refused with a message tied to the field.
    page.get_by_role("button", name="Bestrid raden").click()
    page.get_by_role("alert").filter(has_text="Skriv varför raden bestrids").first.wait_for()
    check_a11y(page)
    page.get_by_label("Varför bestrider kommunen raden?").fill(
        "Patienten tackade nej till korttidsboende den 21:e; se vår journal."
    )
    page.get_by_role("button", name="Bestrid raden").click()
    page.get_by_text("Raden är bestriden").wait_for()
    check_a11y(page)
    assert page.get_by_text("Bestriden, väntar på beslut").first.is_visible()
    log_out(page)

    # Olle, the region's invoicing: the overview, the open dispute, the decision.
    log_in(page, "Olle Strand")
    page.get_by_role("link", name="Faktureringsunderlag").first.click()
    page.get_by_role("heading", name=f"Faktureringsunderlag {month}, alla kommuner").wait_for()
    check_a11y(page)
    page.get_by_role("link", name="Bestridanden").first.click()
    page.get_by_role("heading", name="Bestridanden").wait_for()
    check_a11y(page)
    page.get_by_role("link", name="Jonas Falk").click()
    page.get_by_role("heading", name="Betalningsansvar för Jonas Falk").wait_for()
    check_a11y(page)
    page.get_by_label("Godta bestridandet: raden debiteras inte").check()
    page.get_by_label("Motivering till kommunen").fill(
        "Avböjandet är dokumenterat; raden krediteras."
    )
    page.get_by_role("button", name="Spara beslutet").click()
    page.get_by_text("Bestridandet är avgjort").wait_for()
    check_a11y(page)
    dispute = Dispute.objects.get()
    assert dispute.status == DisputeStatus.ACCEPTED
    assert dispute.resolved_by_name == "Olle Strand"
    log_out(page)

    # Karin sees the decision and the row no longer charged.
    log_in(page, "Karin Nilsson")
    page.goto(f"/betalningsansvar/?manad={month}")
    row = (
        page.get_by_role("table", name="Ärenden med betalningsansvar i månaden")
        .get_by_role("row")
        .filter(has_text="Jonas Falk")
    )
    assert "Bestridandet godtaget" in row.inner_text()
    assert "0,00 kr" in row.inner_text().replace("\u00a0", " ")
    check_a11y(page)
