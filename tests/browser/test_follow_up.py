"""Follow-up in the browser: central administration opens the statistics, changes the
grouping and the care kind, moves to the deadlines and downloads the CSV. axe-core runs on
every page."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_statistics_filter_and_csv(page: Any, demo: Any, check_a11y: Any) -> None:
    page.goto("/konto/logga-in/")
    page.get_by_role("button", name="Logga in som Eva Sandberg").click()
    page.get_by_role("heading", level=1).wait_for()

    page.get_by_role("navigation", name="Huvudmeny").get_by_role("link", name="Uppföljning").click()
    page.get_by_role("heading", name="Uppföljning: dagar som utskrivningsklar").wait_for()
    assert page.get_by_role("img", name="Medelantal dagar som utskrivningsklar per kommun").count()
    assert page.get_by_role("table", name="Dagar som utskrivningsklar per kommun").is_visible()
    check_a11y(page)

    # Per ward, psychiatric care.
    page.get_by_label("Redovisa per").select_option(label="Enhet (avdelning)")
    page.get_by_label("Vårdform").select_option(label="Psykiatrisk vård")
    page.get_by_role("button", name="Visa").click()
    page.get_by_role("table", name="Dagar som utskrivningsklar per enhet (avdelning)").wait_for()
    assert "gruppering=enhet" in page.url and "vardform=psychiatric" in page.url
    assert page.get_by_role("heading", name="Psykiatrisk vård", exact=False).is_visible()
    check_a11y(page)

    # The deadlines keep the filters.
    page.get_by_role("link", name="Tidsfrister (D1 och D2)").click()
    page.get_by_role("heading", name="Uppföljning: tidsfrister").wait_for()
    assert page.get_by_label("Redovisa per").input_value() == "enhet"
    check_a11y(page)

    # A bad month: a clear message, linked to the field.
    page.get_by_label("Från och med månad").evaluate("el => { el.type = 'text'; }")
    page.get_by_label("Från och med månad").fill("2025-13")
    page.get_by_role("button", name="Visa").click()
    summary = page.get_by_role("alert")
    summary.wait_for()
    assert "Skriv månaden som ÅÅÅÅ-MM" in summary.inner_text()
    check_a11y(page)
    summary.get_by_role("link").click()
    assert page.evaluate("document.activeElement.id") == "id_fran"
    this_month = timezone.localdate().strftime("%Y-%m")
    page.get_by_label("Från och med månad").fill(this_month)
    page.get_by_role("button", name="Visa").click()
    page.get_by_role("table", name="Tidsfrister per månad", exact=False).wait_for()

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Ladda ned CSV (för Excel)").click()
    download = download_info.value
    assert download.suggested_filename.startswith("uppfoljning-tidsfrister-psychiatric-enhet-")
    with open(download.path(), encoding="utf-8-sig") as handle:
        header = handle.readline().strip()
    assert header.startswith("Månad;Vårdform;Redovisas per;Grupp;Kod eller HSA-id;Tidsfrist;")
