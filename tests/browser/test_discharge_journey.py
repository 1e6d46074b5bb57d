"""The whole LUS process in the browser with three users: ward nurse, the primary-care
fast vårdkontakt and the municipal handläggare — plus återtagande, avvisning, makulering.
axe-core runs on every page visited."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.utils import timezone

from brygga.cases.models import Case, CaseState
from brygga.directory.models import Commission

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PATIENT = "19400614-9803"


def log_in(page: Any, name: str) -> None:
    page.goto("/konto/logga-in/")
    page.get_by_role("button", name=f"Logga in som {name}").click()
    page.get_by_role("heading", level=1).wait_for()


def log_in_person(page: Any, person_pk: int) -> None:
    page.goto("/konto/logga-in/")
    page.get_by_label("Demoperson").select_option(value=str(person_pk))
    page.get_by_role("button", name="Logga in", exact=True).click()
    page.get_by_role("heading", level=1).wait_for()


def log_out(page: Any) -> None:
    page.get_by_role("button", name="Logga ut").click()
    page.get_by_role("heading", name="Du är utloggad").wait_for()


def local(minutes_from_now: int = 0) -> str:
    moment = timezone.localtime() + dt.timedelta(minutes=minutes_from_now)
    return moment.strftime("%Y-%m-%dT%H:%M")


def open_case(
    page: Any, check_a11y: Any, *, municipality_code: str, identity: str = PATIENT
) -> None:
    page.get_by_role("link", name="Nytt ärende").click()
    check_a11y(page)
    page.get_by_label("Patientens identitetsnummer").fill(identity)
    page.get_by_role("button", name="Sök patient").click()
    page.get_by_role("heading", name="Registrera patienten").wait_for()
    check_a11y(page)
    page.get_by_label("Förnamn").fill("Greta")
    page.get_by_label("Efternamn").fill("Testsson")
    page.get_by_label("Gatuadress").fill("Testgatan 1")
    page.get_by_label("Postnummer").fill("171 64")
    page.get_by_label("Postort").fill("Solna")
    page.get_by_label("Folkbokföringskommun (kommunkod)").fill(municipality_code)
    page.get_by_label("Listad vid").select_option(label="Vårdcentral Solna Centrum")
    page.get_by_role("button", name="Registrera och fortsätt").click()
    page.get_by_role("heading", name="Vårdtillfället").wait_for()
    check_a11y(page)
    page.get_by_label("Inskrivningstid").fill(local(-120))
    page.get_by_role("button", name="Öppna ärendet").click()
    page.get_by_role("heading", name="Greta Testsson").wait_for()
    check_a11y(page)


def act(page: Any, check_a11y: Any, action: str, fill: dict[str, str]) -> None:
    """On the case page: choose an action, fill its form, send it."""
    page.get_by_role("link", name=action, exact=True).click()
    page.get_by_role("heading", level=1).wait_for()
    check_a11y(page)
    for label, value in fill.items():
        field = page.get_by_label(label)
        if value == "check":
            field.check()
        else:
            field.fill(value)
    page.locator("form.form button[type=submit]").click()
    page.get_by_role("heading", name="Händelser").wait_for()


def test_from_admission_to_closing_with_three_parties(
    page: Any, demo: Any, check_a11y: Any
) -> None:
    log_in(page, "Anna Lindqvist")
    open_case(page, check_a11y, municipality_code="0184")
    act(
        page,
        check_a11y,
        "Skicka inskrivningsmeddelande",
        {"Beräknat utskrivningsdatum": "2030-01-10"},
    )
    act(
        page,
        check_a11y,
        "Skicka planeringsunderlag",
        {
            "Boende och hemsituation": "Bor ensam i lägenhet, hiss finns.",
            "Behov efter utskrivning": "Hemtjänst morgon och kväll.",
        },
    )
    case_url = page.url
    log_out(page)

    log_in(page, "Karin Nilsson")
    nav_link = page.get_by_role("link", name="Arbetslista").inner_text()
    assert re.match(r"Arbetslista \d+\s+okvitterade", nav_link), nav_link
    check_a11y(page)
    page.get_by_role("link", name="Greta Testsson").first.click()
    page.get_by_role("button", name="Kvittera 2 meddelanden").click()
    check_a11y(page)
    act(
        page,
        check_a11y,
        "Skicka meddelande",
        {"Meddelande": "Vi har beviljat hemtjänst från utskrivningsdagen."},
    )
    log_out(page)

    log_in(page, "Maria Svensson")
    page.goto(case_url)
    act(
        page,
        check_a11y,
        "Utse fast vårdkontakt",
        {"Namn": "Maria Svensson", "Titel eller funktion": "Distriktssköterska"},
    )
    log_out(page)

    log_in(page, "Anna Lindqvist")
    page.goto(case_url)
    act(
        page,
        check_a11y,
        "Meddela utskrivningsklar",
        {
            "Ansvarig läkare": "Dr Ek",
            "Patienten behöver insatser från både region och kommun (SIP ska kallas)": "check",
        },
    )
    # Återtagande: the patient got worse; the clock stops, then a new notice starts it again.
    act(
        page,
        check_a11y,
        "Återta utskrivningsklar",
        {"Varför är patienten inte längre utskrivningsklar?": "Feber på kvällen."},
    )
    assert "Planering pågår" in page.locator(".patient-header").inner_text()
    act(
        page,
        check_a11y,
        "Meddela utskrivningsklar",
        {
            "Ansvarig läkare": "Dr Ek",
            "Patienten behöver insatser från både region och kommun (SIP ska kallas)": "check",
        },
    )
    assert "Utskrivningsklar" in page.locator(".patient-header").inner_text()
    log_out(page)

    log_in(page, "Maria Svensson")
    page.goto(case_url)
    page.get_by_role("link", name="Kalla till SIP", exact=True).click()
    check_a11y(page)
    page.get_by_label("Mötets tid").fill(local(24 * 60))
    page.get_by_label("Videomöte").check()
    page.get_by_label("Plats eller länk/telefonnummer").fill("Videolänk skickas per sms")
    page.get_by_label("Deltagare").fill("Greta Testsson\nKarin Nilsson, Solna stad\nDotter")
    page.get_by_label("Närstående deltar (patienten motsätter sig inte)").check()
    page.get_by_label("Patienten har samtyckt till SIP").check()
    page.locator("form.form button[type=submit]").click()
    page.get_by_role("heading", name="Händelser").wait_for()
    act(
        page,
        check_a11y,
        "Registrera hållet SIP-möte",
        {
            "När hölls mötet?": local(-5),
            "Planen i sammandrag: vem gör vad": "Hemtjänst två gånger dagligen.",
        },
    )
    log_out(page)

    log_in(page, "Anna Lindqvist")
    page.goto(case_url)
    page.get_by_role("link", name="Skicka utskrivningsmeddelande", exact=True).click()
    check_a11y(page)
    page.get_by_label("Hemmet").check()
    page.locator("form.form button[type=submit]").click()
    page.get_by_role("heading", name="Händelser").wait_for()
    page.get_by_role("link", name="Information till patienten").click()
    page.get_by_role("heading", name="Information inför utskrivning").wait_for()
    info = page.locator("article").inner_text()
    assert "Maria Svensson" in info and "Hemtjänst två gånger dagligen" in info
    check_a11y(page)
    page.go_back()
    act(page, check_a11y, "Avsluta ärendet", {})
    case = Case.objects.get(patient__identity_number="194006149803")
    assert case.state == CaseState.CLOSED
    assert case.fast_vardkontakt.startswith("Maria Svensson")


def test_avvisning_routes_the_case_and_makulering_keeps_it_visible(
    page: Any, demo: Any, check_a11y: Any
) -> None:
    # The ward opens the case with the wrong municipality: Sundbyberg instead of Solna.
    log_in(page, "Anna Lindqvist")
    open_case(page, check_a11y, municipality_code="0183")
    act(page, check_a11y, "Skicka inskrivningsmeddelande", {})
    act(
        page, check_a11y, "Skicka meddelande", {"Meddelande": "Skickat till fel mottagare, bortse."}
    )
    page.get_by_role("link", name="Makulera Meddelande").click()
    check_a11y(page)
    page.get_by_label("Varför makuleras meddelandet?").fill("Skrivet i fel ärende")
    page.get_by_role("button", name="Makulera").click()
    entry = page.locator(".timeline__entry--retracted")
    assert "Skrivet i fel ärende" in entry.inner_text()
    assert "Skickat till fel mottagare, bortse." in entry.inner_text()
    case_url = page.url
    log_out(page)

    sundbyberg = (
        Commission.objects.filter(
            unit__municipality_code="0183", unit__care_type="social_services", role="user"
        )
        .select_related("person")
        .first()
    )
    assert sundbyberg is not None
    log_in_person(page, sundbyberg.person.pk)
    page.goto(case_url)
    page.get_by_role("link", name="Avvisa ärendet", exact=True).click()
    check_a11y(page)
    page.get_by_label("Patienten är inte folkbokförd i kommunen").check()
    page.get_by_label("Rätt kommun (kommunkod)").fill("0184")
    page.locator("form.form button[type=submit]").click()
    page.get_by_role("heading", name="Händelser").wait_for()
    assert "Din enhet är inte längre part" in page.content()
    check_a11y(page)
    log_out(page)

    log_in(page, "Karin Nilsson")
    notices = page.get_by_role("region", name="Nya och okvitterade meddelanden")
    assert "Greta Testsson" in notices.inner_text()
    page.goto(case_url)
    assert (
        "avvisade ärendet"
        in page.locator("section", has=page.get_by_role("heading", name="Parter")).inner_text()
    )
    check_a11y(page)
