"""Orders in real Chromium: a unit ordered and approved, access ordered through to the new
person's first login, and a removal refused because of open cases. axe on every page."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from brygga.administration.models import AccessOrder, OrderStatus, UnitOrder
from brygga.cases.reorganisation import open_cases_at
from brygga.demo.world import make_test_personnummer
from brygga.directory.models import Commission, Person, Unit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page: Any, name: str) -> None:
    page.goto("/konto/logga-in/")
    page.get_by_role("button", name=f"Logga in som {name}").click()
    page.get_by_role("heading", level=1).wait_for()


def log_out(page: Any) -> None:
    page.get_by_role("button", name="Logga ut").click()
    page.get_by_role("heading", name="Du är utloggad").wait_for()


def nav(page: Any, name: str) -> None:
    page.get_by_role("navigation", name="Huvudmeny").get_by_role("link", name=name).click()
    page.get_by_role("heading", level=1).wait_for()


def test_manager_orders_a_unit_and_central_administration_approves_it(
    page: Any, demo: Any, check_a11y: Any
) -> None:
    log_in(page, "Ingela Rask")
    nav(page, "Beställningar")
    check_a11y(page)
    page.get_by_role("link", name="Beställ ny enhet").click()
    page.get_by_role("heading", name="Beställ: Ny enhet").wait_for()
    check_a11y(page)

    page.get_by_label("Enhetens namn").fill("Vårdcentral Bergshamra")
    page.get_by_label("HSA-id").fill("SE2321000016-E0777")
    page.get_by_label("Primärvård/husläkarmottagning").check()
    page.get_by_label("Önskat startdatum").fill(timezone.localdate().isoformat())
    page.get_by_label("Kommunkod").fill("0184")
    page.get_by_label("Telefon").fill("08-465 004 41")
    # Forgetting the attestation is caught, with the error summary linking to the box.
    page.get_by_role("button", name="Skicka beställningen").click()
    summary = page.get_by_role("alert")
    summary.wait_for()
    assert "intygandet" in summary.inner_text()
    check_a11y(page)
    page.get_by_label("Jag intygar som ansvarig chef").check()
    page.get_by_role("button", name="Skicka beställningen").click()
    page.get_by_role("heading", name="Historik").wait_for()
    assert "Beställningen har skickats till central förvaltning." in page.content()
    check_a11y(page)
    order = UnitOrder.objects.get(proposed_units__hsa_id="SE2321000016-E0777")
    assert order.status == OrderStatus.SUBMITTED
    log_out(page)

    log_in(page, "Eva Sandberg")
    nav(page, "Enhetsbeställningar")
    check_a11y(page)
    page.get_by_role("link", name=f"Ny enhet nr {order.pk}").click()
    page.get_by_role("heading", name=f"Ny enhet nr {order.pk}").wait_for()
    check_a11y(page)
    page.get_by_role("link", name="Godkänn och genomför").click()
    page.get_by_role("heading", name="Det här händer när du godkänner").wait_for()
    check_a11y(page)
    page.get_by_role("button", name="Godkänn och genomför").click()
    page.get_by_role("heading", name="Historik").wait_for()
    assert "Godkänd och genomförd" in page.content()
    check_a11y(page)

    unit = Unit.objects.get(hsa_id="SE2321000016-E0777")
    assert unit.name == "Vårdcentral Bergshamra" and unit.care_type == "primary_care"
    assert unit.is_usable(timezone.localdate())
    # Central administration finds the new unit in the directory, active.
    page.goto(f"/katalog/enheter/{unit.pk}/")
    page.get_by_role("heading", name="Vårdcentral Bergshamra").wait_for()
    assert "Aktiv" in page.locator(".summary").inner_text()
    check_a11y(page)


def test_access_ordered_registered_and_the_new_person_logs_in(
    page: Any, demo: Any, check_a11y: Any
) -> None:
    number = make_test_personnummer(dt.date(1993, 4, 30), 982)
    log_in(page, "Lars Berg")
    nav(page, "Behörigheter")
    check_a11y(page)
    page.get_by_role("link", name="Beställ behörighet", exact=True).click()
    page.get_by_role("heading", name="Beställ behörighet till Brygga").wait_for()
    check_a11y(page)
    page.get_by_label("Förnamn").fill("Moa")
    page.get_by_label("Efternamn").fill("Sundell")
    page.get_by_label("Personnummer").fill(f"{number[:8]}-{number[8:]}")
    page.get_by_label("Titel").fill("Sjuksköterska")
    page.get_by_label("Användare").check()
    page.get_by_label("Från och med").fill(timezone.localdate().isoformat())
    page.get_by_label("Jag intygar som ansvarig chef").check()
    page.get_by_role("button", name="Skicka beställningen").click()
    page.get_by_role("heading", name="Historik").wait_for()
    check_a11y(page)
    order = AccessOrder.objects.get(personnummer=number)
    log_out(page)

    log_in(page, "Sofia Ek")
    nav(page, "Behörighetsbeställningar")
    check_a11y(page)
    page.get_by_role("link", name=f"Beställning nr {order.pk}").click()
    page.get_by_role("link", name="Registrera", exact=True).click()
    page.get_by_role(
        "heading", name=f"Registrera beställning av behörighet nr {order.pk}"
    ).wait_for()
    check_a11y(page)
    page.get_by_label("HSA-id").fill("SE2321000016-P9200")
    page.get_by_role("button", name="Registrera", exact=True).click()
    page.get_by_role("heading", name="Historik").wait_for()
    assert "Moa Sundell har behörighet från" in page.content()
    check_a11y(page)
    moa = Person.objects.get(hsa_id="SE2321000016-P9200")
    commission = Commission.objects.get(person=moa)
    log_out(page)

    # Moa logs in with the demo login and works for the ward at once.
    page.goto("/konto/logga-in/")
    page.get_by_label("Demoperson").select_option(value=str(moa.pk))
    page.get_by_role("button", name="Logga in", exact=True).click()
    heading = page.get_by_role("heading", level=1)
    assert heading.inner_text() == f"Arbetslista – {commission.unit.name}"
    check_a11y(page)
    log_out(page)

    # Her manager's review shows her access and that it has been used.
    log_in(page, "Lars Berg")
    nav(page, "Behörigheter")
    people = page.get_by_role("table", name="Medarbetaruppdrag på enheten")
    row = people.get_by_role("row").filter(has_text="Moa Sundell")
    assert "Aldrig" not in row.inner_text()
    assert timezone.localdate().isoformat() in row.inner_text()
    check_a11y(page)


def test_removal_of_a_unit_with_open_cases_is_refused_and_lists_them(
    page: Any, demo: Any, check_a11y: Any
) -> None:
    cases = list(open_cases_at(demo.unit("vc_solna")))
    assert cases
    log_in(page, "Ingela Rask")
    nav(page, "Beställningar")
    page.get_by_role("link", name="Beställ borttagning").click()
    page.get_by_role("heading", name="Beställ: Borttagning").wait_for()
    check_a11y(page)
    page.get_by_label("Varför ska enheten tas bort?").fill("Mottagningen stänger.")
    page.get_by_label("Jag intygar som ansvarig chef").check()
    page.get_by_role("button", name="Skicka beställningen").click()
    page.get_by_role("alert").wait_for()
    assert "kan inte tas bort" in page.get_by_role("alert").inner_text()
    listing = page.get_by_role("table").filter(has_text="Ärende")
    for case in cases:
        assert listing.get_by_role("link", name=f"Ärende {case.pk}", exact=True).count() == 1
    check_a11y(page)
    assert not UnitOrder.objects.filter(kind="removal").exists()
    # From the list, the manager opens a case to finish it.
    listing.get_by_role("link", name=f"Ärende {cases[0].pk}", exact=True).click()
    page.get_by_role("heading", name="Parter").wait_for()


def test_a_merge_moves_the_open_cases_and_the_timeline_says_so(
    page: Any, demo: Any, check_a11y: Any
) -> None:
    sundbyberg = demo.unit("vc_sundbyberg")
    moved = list(open_cases_at(sundbyberg))
    assert moved
    log_in(page, "Ingela Rask")
    nav(page, "Beställningar")
    page.get_by_role("link", name="Beställ delning").click()
    page.get_by_role("heading", name="Beställ: Delning").wait_for()
    check_a11y(page)
    page.goto("/administration/enheter/")
    page.get_by_role("link", name="Beställ sammanslagning").click()
    page.get_by_role("heading", name="Beställ: Sammanslagning").wait_for()
    check_a11y(page)
    page.get_by_label("Vårdcentral Sundbyberg").check()
    page.get_by_label("Vårdcentral Solna Centrum finns kvar").check()
    page.get_by_label("Jag intygar som ansvarig chef").check()
    page.get_by_role("button", name="Skicka beställningen").click()
    page.get_by_role("heading", name="Historik").wait_for()
    order = UnitOrder.objects.get(kind="merge")
    log_out(page)

    log_in(page, "Eva Sandberg")
    page.goto(f"/administration/enheter/{order.pk}/godkann/")
    page.get_by_role("heading", name="Det här händer när du godkänner").wait_for()
    assert "flyttas till enheten som tar över" in page.content()
    check_a11y(page)
    page.get_by_role("button", name="Godkänn och genomför").click()
    page.get_by_role("heading", name="Historik").wait_for()
    log_out(page)

    log_in(page, "Ingela Rask")
    page.goto(f"/arenden/{moved[0].pk}/")
    page.get_by_role("heading", name="Parter").wait_for()
    assert (
        "Ärendet flyttades från Vårdcentral Sundbyberg till Vårdcentral Solna Centrum "
        "(omorganisation)." in page.content()
    )
    check_a11y(page)
