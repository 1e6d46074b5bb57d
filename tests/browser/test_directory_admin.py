"""An EK administrator registers a person and a commission; the person can then log in."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from brygga.directory.models import Commission, Person

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_ek_admin_adds_a_person_and_a_commission_that_works(
    page: Any, demo: Any, check_a11y: Any
) -> None:
    page.goto("/konto/logga-in/")
    page.get_by_role("button", name="Logga in som Per Holm").click()
    page.get_by_role("heading", level=1).wait_for()
    assert "/katalog/" in page.url
    check_a11y(page)

    page.get_by_role("navigation", name="Katalogen").get_by_role("link", name="Personer").click()
    check_a11y(page)
    page.get_by_role("link", name="Ny person").click()
    check_a11y(page)

    # A mistake first: an HSA-id under another organisation's number.
    page.get_by_label("HSA-id").fill("SE2321000016-NY01")
    page.get_by_label("Förnamn").fill("Stina")
    page.get_by_label("Efternamn").fill("Backlund")
    page.get_by_label("Titel").fill("Biståndshandläggare")
    page.get_by_label("Personnummer").fill("19800101-9820")
    page.get_by_role("button", name="Spara").click()
    summary = page.get_by_role("alert")
    summary.wait_for()
    assert "HSA-id" in summary.inner_text()
    check_a11y(page)
    assert not Person.objects.filter(family_name="Backlund").exists()

    # The error summary links to the field.
    summary.get_by_role("link").first.click()
    assert page.evaluate("document.activeElement.id") == "id_hsa_id"
    page.get_by_label("HSA-id").fill("SE2199001849-NY01")
    page.get_by_role("button", name="Spara").click()
    page.get_by_role("heading", name="Stina Backlund").wait_for()
    check_a11y(page)
    stina = Person.objects.get(hsa_id="SE2199001849-NY01")
    assert stina.personnummer == "198001019820"

    page.get_by_role("link", name="Nytt uppdrag för personen").click()
    check_a11y(page)
    unit_select = page.get_by_label("Enhet", exact=True)
    solna = unit_select.locator("option", has_text="Solna stad, Socialtjänsten").first
    unit_select.select_option(value=solna.get_attribute("value"))
    page.get_by_label("Roll").select_option(label="Användare")
    page.get_by_label("Giltigt från").fill(timezone.localdate().isoformat())
    page.get_by_role("button", name="Spara").click()
    page.get_by_role("heading", level=2, name="Ändringshistorik").wait_for()
    check_a11y(page)
    commission = Commission.objects.get(person=stina)
    assert commission.is_valid(timezone.localdate())
    assert "Skapade medarbetaruppdrag" in page.content()

    page.get_by_role("button", name="Logga ut").click()
    page.goto("/konto/logga-in/")
    page.get_by_label("Demoperson").select_option(value=str(stina.pk))
    page.get_by_role("button", name="Logga in", exact=True).click()
    heading = page.get_by_role("heading", level=1).inner_text()
    assert heading == f"Arbetslista – {commission.unit.name}"
    check_a11y(page)
