"""Support in the browser: a change suggestion's round trip, operational news shown until it
expires, and help reached from a case step. axe-core runs on every page visited."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.utils import timezone
from time_machine import TimeMachineFixture

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page: Any, name: str) -> None:
    page.goto("/konto/logga-in/")
    page.get_by_role("button", name=f"Logga in som {name}").click()
    page.get_by_role("heading", level=1).wait_for()


def log_out(page: Any) -> None:
    page.get_by_role("button", name="Logga ut").click()
    page.get_by_role("heading", name="Du är utloggad").wait_for()


def support_link(page: Any) -> Any:
    return page.get_by_role("navigation", name="Huvudmeny").get_by_role(
        "link", name=re.compile(r"^Stöd och hjälp")
    )


def test_a_suggestion_goes_to_central_administration_and_back(
    page: Any, demo: Any, check_a11y: Any
) -> None:
    log_in(page, "Maria Svensson")
    support_link(page).click()
    page.get_by_role("heading", name="Support och hjälp").wait_for()
    check_a11y(page)
    page.get_by_role("link", name="Lämna ett förslag").click()
    page.get_by_role("button", name="Skicka förslaget").click()  # empty: errors, not saved
    page.get_by_role("heading", name="Något behöver rättas innan det kan sparas").wait_for()
    check_a11y(page)
    page.get_by_label("SIP och fast vårdkontakt").check()
    page.get_by_label("Rubrik").fill("Påminnelse inför SIP-uppföljning")
    page.get_by_label("Beskriv förslaget").fill(
        "Visa i arbetslistan när en SIP ska följas upp inom en vecka."
    )
    page.get_by_role("button", name="Skicka förslaget").click()
    page.get_by_role("heading", name="Påminnelse inför SIP-uppföljning").wait_for()
    assert "Mottaget" in page.locator(".summary").inner_text()
    check_a11y(page)
    log_out(page)

    log_in(page, "Eva Sandberg")
    support_link(page).click()
    page.get_by_role("link", name="Handlägg förändringsförslag").click()
    check_a11y(page)
    page.get_by_role("link", name="Påminnelse inför SIP-uppföljning").click()
    page.get_by_label("Planerat").check()
    page.get_by_label("Svar till förslagsställaren").fill(
        "Bra förslag. Vi planerar det till nästa version."
    )
    page.get_by_role("button", name="Spara och meddela förslagsställaren").click()
    page.get_by_text("Svaret är sparat").wait_for()
    check_a11y(page)
    log_out(page)

    log_in(page, "Maria Svensson")
    # The navigation tells her there is news on her suggestions before she looks.
    assert "nya svar på dina förslag" in (support_link(page).text_content() or "")
    support_link(page).click()
    page.get_by_role("navigation", name="Stöd och hjälp").get_by_role(
        "link", name="Mina förslag"
    ).click()
    row = page.get_by_role("row", name=re.compile("Påminnelse inför SIP-uppföljning"))
    assert "Planerat" in row.inner_text() and "Nytt svar" in row.inner_text()
    check_a11y(page)
    row.get_by_role("link", name="Påminnelse inför SIP-uppföljning").click()
    reply = page.get_by_role("region", name="Svar från central förvaltning")
    assert "Vi planerar det till nästa version." in reply.inner_text()
    assert "Planerat" in page.locator(".summary").inner_text()
    check_a11y(page)
    page.go_back()
    page.reload()
    row = page.get_by_role("row", name=re.compile("Påminnelse inför SIP-uppföljning"))
    assert "Nytt svar" not in row.inner_text()


def test_news_is_shown_on_login_and_start_pages_until_it_expires(
    page: Any, demo: Any, check_a11y: Any, time_machine: TimeMachineFixture
) -> None:
    log_in(page, "Eva Sandberg")
    page.goto("/stod/driftinformation/ny/")
    check_a11y(page)
    now = timezone.localtime()
    page.get_by_label("Driftstörning").check()
    page.get_by_label("Rubrik").fill("Inloggning med e-legitimation fungerar inte")
    page.get_by_label("Text", exact=True).fill("Logga in med eTjänstekort tills vidare.")
    page.get_by_label("Visas från").fill(now.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label("Visas till").fill((now + dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"))
    page.get_by_role("button", name="Spara").click()
    page.get_by_role("heading", name="Hantera driftinformation").wait_for()
    check_a11y(page)
    log_out(page)

    banner = page.get_by_role("region", name="Driftinformation")
    page.goto("/konto/logga-in/")
    assert "Inloggning med e-legitimation fungerar inte" in banner.inner_text()
    check_a11y(page)
    page.get_by_role("button", name="Logga in som Anna Lindqvist").click()
    page.get_by_role("heading", name=re.compile("^Arbetslista")).wait_for()
    assert "Inloggning med e-legitimation fungerar inte" in banner.inner_text()
    check_a11y(page)
    log_out(page)

    # An hour and a bit later the notice has expired: gone from the login page, kept in the
    # archive of earlier news.
    time_machine.move_to(timezone.now() + dt.timedelta(hours=1, minutes=5), tick=True)
    page.goto("/konto/logga-in/")
    page.get_by_role("heading", name="Logga in i Brygga").wait_for()
    assert "Inloggning med e-legitimation fungerar inte" not in page.content()
    page.goto("/stod/driftinformation/")
    earlier = page.get_by_role("region", name="Tidigare")
    assert "Inloggning med e-legitimation fungerar inte" in earlier.inner_text()
    check_a11y(page)


def test_help_is_reachable_from_a_case_step(page: Any, demo: Any, check_a11y: Any) -> None:
    log_in(page, "Anna Lindqvist")
    page.get_by_role("region", name="Öppna ärenden").locator("tbody tr").first.get_by_role(
        "link"
    ).first.click()
    page.get_by_role("heading", name="Parter").wait_for()
    assert page.get_by_role("link", name=re.compile("^Hjälp om ärendets steg")).count() == 1
    page.get_by_role("link", name="Skicka meddelande", exact=True).click()
    page.get_by_role("heading", name="Skicka meddelande").wait_for()
    check_a11y(page)
    with page.context.expect_page() as opened:
        page.get_by_role("link", name=re.compile("^Hjälp om detta steg")).click()
    help_page = opened.value
    help_page.get_by_role("heading", name="Meddelanden i ärendet", level=1).wait_for()
    assert "Skicka meddelande" in help_page.locator(".help-body").inner_text()
    check_a11y(help_page)
    # The form stays as it was in the first tab.
    assert page.get_by_role("button", name="Skicka").count() == 1
    help_page.get_by_role("navigation", name="Du är här").get_by_role("link", name="Hjälp").click()
    help_page.get_by_role("heading", name="Hjälp för Brygga").wait_for()
    check_a11y(help_page)
    help_page.close()


def test_administrators_keep_contacts_and_elearning_links(
    page: Any, demo: Any, check_a11y: Any
) -> None:
    log_in(page, "Per Holm")
    support_link(page).click()
    page.get_by_role("link", name="Hantera supportkontakter").click()
    page.get_by_role("heading", name="Supportkontakter").wait_for()
    check_a11y(page)
    page.get_by_role("link", name="Ny kontakt").click()
    page.get_by_label("Namn", exact=True).fill("Kvällsstöd Solna")
    page.get_by_role("button", name="Spara").click()  # no phone or e-mail: refused
    page.get_by_text("Fyll i telefon eller e-post").first.wait_for()
    check_a11y(page)
    page.get_by_label("Telefon").fill("08-465 004 21")
    page.get_by_role("button", name="Spara").click()
    page.get_by_role("link", name="Kvällsstöd Solna", exact=True).wait_for()
    page.get_by_role("link", name="Ta bort Kvällsstöd Solna").click()
    check_a11y(page)
    page.get_by_role("button", name="Ta bort").click()
    page.get_by_text("Kontakten är borttagen.").wait_for()
    log_out(page)

    log_in(page, "Eva Sandberg")
    page.goto("/stod/e-utbildningar/")
    check_a11y(page)
    page.get_by_role("link", name="Ny länk").click()
    page.get_by_label("Kommun").check()
    page.get_by_label("Kursens namn").fill("SIP i praktiken")
    page.get_by_label("Adress").fill("https://kurser.region.test/sip")
    page.get_by_role("button", name="Spara").click()
    page.get_by_role("link", name="SIP i praktiken", exact=True).wait_for()
    page.goto("/stod/hjalp/")
    assert page.get_by_role("link", name="SIP i praktiken").get_attribute("href") == (
        "https://kurser.region.test/sip"
    )
    # The demo's placeholder courses are marked, not linked.
    assert page.get_by_role("link", name="Brygga för kommunen").count() == 0
    check_a11y(page)
