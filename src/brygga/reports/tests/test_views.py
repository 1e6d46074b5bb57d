"""The statistics pages and the CSV export as the demo region's people see them."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from brygga.audit.events import AuditEventType
from brygga.audit.models import AuditEntry
from brygga.reports.queries import Month

pytestmark = pytest.mark.django_db

Login = Callable[..., Client]


def test_central_administration_sees_the_region_with_charts_and_tables(login_as: Login) -> None:
    response = login_as("eva").get("/uppfoljning/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Uppföljning: dagar som utskrivningsklar" in html
    assert "Hela regionen" in html
    # Each chart is an SVG image with a title and a text alternative, beside a data table.
    assert html.count('<svg class="chart__svg"') == 2
    assert html.count('role="img"') == 2
    assert html.count("<desc id=") == 2
    assert html.count("<table") == 2
    # The counting rule is on the page.
    assert "i hela kalenderdagar" in html
    assert "Utskriven samma dag är 0 dagar" in html
    # No inline styles or scripts (the CSP forbids them).
    assert "style=" not in html
    assert "<script" not in html


def test_small_numbers_are_hidden_and_the_page_says_why(login_as: Login) -> None:
    # The demo region has only a handful of discharged stays: each group has fewer than 5.
    html = login_as("eva").get("/uppfoljning/?gruppering=enhet").content.decode()
    assert "färre än 5" in html
    assert "små tal kan peka ut enskilda patienter" in html


def test_filters_change_the_figures(login_as: Login) -> None:
    client = login_as("lars")
    month = Month.of(timezone.localdate())
    url = (
        f"/uppfoljning/tidsfrister/?fran={month.iso}&till={month.iso}"
        "&vardform=psychiatric&gruppering=sjukhus"
    )
    html = client.get(url).content.decode()
    assert f"Psykiatrisk vård, {month.label}" in html
    assert "Tidsfrister per sjukhus" in html
    assert 'value="psychiatric" selected' in html
    # The other page keeps the filters.
    assert f"/uppfoljning/?fran={month.iso}&amp;till={month.iso}&amp;vardform=psychiatric" in html


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("fran=2025-13", "Skriv månaden som ÅÅÅÅ-MM"),
        ("fran=2025-05&till=2025-03", "Till-månaden ligger före från-månaden."),
        ("fran=2020-01&till=2025-01", "Välj högst 24 månader åt gången."),
        ("till=2999-01", "Månaden har inte börjat än."),
    ],
)
def test_bad_filters_get_a_clear_message_and_no_figures(
    login_as: Login, query: str, message: str
) -> None:
    html = login_as("eva").get(f"/uppfoljning/?{query}").content.decode()
    assert message in html
    assert 'class="error-summary"' in html
    assert "<svg" not in html


def test_csv_is_for_swedish_excel_and_logged(login_as: Login, demo: Any) -> None:
    client = login_as("eva")
    before = AuditEntry.objects.filter(event_type=AuditEventType.STATISTICS_EXPORTED).count()
    response = client.get("/uppfoljning/utskrivningsklara.csv?gruppering=kommun")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment;" in response["Content-Disposition"]
    body = response.content.decode("utf-8")
    assert body.startswith("\ufeff")  # Excel reads UTF-8 (å, ä, ö) with the byte-order mark
    assert "\r\n" in body
    rows = list(csv.reader(io.StringIO(body.lstrip("\ufeff")), delimiter=";"))
    assert rows[0] == [
        "Månad",
        "Vårdform",
        "Redovisas per",
        "Grupp",
        "Kod eller HSA-id",
        "Avslutade vårdtillfällen",
        "Utskrivningsklara minst en dag (antal)",
        "Summa dagar som utskrivningsklar",
        "Medelantal dagar som utskrivningsklar",
        "Anmärkning",
    ]
    assert all(len(row) == len(rows[0]) for row in rows)
    assert rows[-1][:4] == ["Hela perioden", "Somatisk vård", "Kommun", "Alla"]
    # Small numbers are hidden in the CSV as on the page.
    hidden = [row for row in rows if row[-1].startswith("Färre än 5")]
    assert hidden and all(row[5:9] == ["", "", "", ""] for row in hidden)
    entry = AuditEntry.objects.filter(event_type=AuditEventType.STATISTICS_EXPORTED).latest("pk")
    assert AuditEntry.objects.filter(event_type=AuditEventType.STATISTICS_EXPORTED).count() == (
        before + 1
    )
    assert entry.actor_label == demo.person("eva").hsa_id
    assert entry.details["what"] == "utskrivningsklara"
    assert entry.details["scope"] == "Hela regionen"
    assert entry.patient_id is None  # aggregates: no patient's data


def test_deadline_csv_has_one_row_per_deadline(login_as: Login) -> None:
    body = login_as("eva").get("/uppfoljning/tidsfrister.csv").content.decode("utf-8")
    rows = list(csv.reader(io.StringIO(body.lstrip("\ufeff")), delimiter=";"))
    assert rows[0][5:] == [
        "Tidsfrist",
        "Mätta vårdtillfällen",
        "I tid (antal)",
        "I tid (andel, %)",
        "Anmärkning",
    ]
    assert {row[5] for row in rows[1:]} == {"D1", "D2"}


def test_csv_with_bad_filters_shows_the_page_instead(login_as: Login) -> None:
    response = login_as("eva").get("/uppfoljning/utskrivningsklara.csv?fran=nej")
    assert response.status_code == 400
    assert "Skriv månaden som ÅÅÅÅ-MM" in response.content.decode()


def test_navigation_shows_follow_up_to_those_who_may_see_it(login_as: Login) -> None:
    link = 'href="/uppfoljning/"'
    assert link in login_as("eva").get("/uppfoljning/").content.decode()
    assert link in login_as("lars").get("/uppfoljning/").content.decode()
    assert link in login_as("olle").get("/uppfoljning/").content.decode()
    assert link not in login_as("anna").get("/arenden/").content.decode()
    assert login_as("anna").get("/uppfoljning/").status_code == 403
    assert login_as("karin").get("/uppfoljning/").status_code == 403
