"""Demo login -> choose commission -> worklist -> case -> log out, in real Chromium."""

from __future__ import annotations

import re
from typing import Any

import pytest

from brygga.audit.events import AuditEventType
from brygga.audit.models import AuditEntry

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page: Any, name: str) -> None:
    page.goto("/konto/logga-in/")
    page.get_by_role("button", name=f"Logga in som {name}").click()


def test_nurse_with_two_wards_chooses_works_and_logs_out(
    page: Any, demo: Any, check_a11y: Any
) -> None:
    page.goto("/")
    assert "/konto/logga-in/" in page.url
    check_a11y(page)

    log_in(page, "Erik Johansson")
    page.get_by_role("heading", name="Välj uppdrag").wait_for()
    check_a11y(page)
    options = page.get_by_role("radio")
    assert options.count() == 2
    second_unit = page.locator("fieldset label").nth(1).inner_text().split(" – ")[0]
    options.nth(1).check()
    page.get_by_role("button", name="Fortsätt").click()

    heading = page.get_by_role("heading", level=1)
    assert heading.inner_text() == f"Arbetslista – {second_unit}"
    assert second_unit in page.locator(".site-header").inner_text()
    check_a11y(page)

    rows = page.locator("table tbody tr")
    assert rows.count() > 0
    rows.first.get_by_role("link").click()
    page.get_by_role("heading", name="Parter").wait_for()
    check_a11y(page)
    erik = demo.person("erik")
    assert AuditEntry.objects.filter(
        actor_person=erik, event_type=AuditEventType.CASE_VIEWED
    ).exists()

    page.get_by_role("link", name="Byt uppdrag").click()
    page.get_by_role("heading", name="Välj uppdrag").wait_for()
    page.get_by_role("radio").nth(0).check()
    page.get_by_role("button", name="Fortsätt").click()
    assert second_unit not in page.get_by_role("heading", level=1).inner_text()

    page.get_by_role("button", name="Logga ut").click()
    page.get_by_role("heading", name="Du är utloggad").wait_for()
    check_a11y(page)
    page.goto("/arenden/")
    assert "/konto/logga-in/" in page.url


def test_ward_nurse_lands_on_her_worklist_and_filters_it(
    page: Any, demo: Any, check_a11y: Any
) -> None:
    log_in(page, "Anna Lindqvist")
    page.get_by_role("heading", name="Arbetslista", exact=False).wait_for()
    page.get_by_role("navigation", name="Filtrera på status").get_by_role(
        "link", name=re.compile(r"^Utskrivningsklar \d+$")
    ).click()
    statuses = (
        page.get_by_role("region", name="Öppna ärenden")
        .locator("tbody tr td:nth-child(3) .tag")
        .all_inner_texts()
    )
    assert statuses and set(statuses) == {"Utskrivningsklar"}
    check_a11y(page)


def test_person_without_commission_is_told_why(page: Any, demo: Any, check_a11y: Any) -> None:
    log_in(page, "Gustav Lund")
    page.get_by_role("heading", name="Du har inget giltigt uppdrag i Brygga").wait_for()
    check_a11y(page)
