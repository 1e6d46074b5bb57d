"""The support pages as users meet them: help from the case screens, the news banner, the
suggestion round trip, and the administrators' forms with their Swedish errors."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from brygga.cases.forms import EVENT_SLUGS
from brygga.cases.models import Case
from brygga.support import help
from brygga.support.models import NewsItem, Suggestion, SuggestionStatus, SupportContact
from brygga.testing import commission_of

pytestmark = pytest.mark.django_db


def text(response: Any) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


# --- Help ---------------------------------------------------------------------------------


def test_every_case_event_form_has_a_help_page() -> None:
    missing = [slug for slug in EVENT_SLUGS.values() if help.topic_for_event(slug) is None]
    assert not missing


@pytest.mark.parametrize("topic", help.TOPICS, ids=lambda t: t.slug)
def test_every_help_page_renders_before_login(client: Client, topic: help.HelpTopic) -> None:
    response = client.get(reverse("support:help_topic", args=[topic.slug]))
    assert response.status_code == 200
    body = text(response)
    assert f"<h1>{topic.title}</h1>" in body
    # Real guidance: each page explains what to do, at some length.
    article = body.split('<div class="help-body" lang="sv">')[1].split("</article>")[0]
    assert len(re.sub(r"<[^>]+>", "", article)) > 700


def test_unknown_help_page_is_404(client: Client) -> None:
    assert client.get(reverse("support:help_topic", args=["finns-inte"])).status_code == 404


def test_help_index_lists_every_topic_and_the_deadlines(client: Client, demo: Any) -> None:
    body = text(client.get(reverse("support:help_index")))
    for topic in help.TOPICS:
        assert reverse("support:help_topic", args=[topic.slug]) in body
    assert "Inskrivningsmeddelande inom 24 timmar" in body
    assert "Kallelse till SIP inom 3 kalenderdagar" in body


def test_help_follows_the_configured_deadlines(client: Client, settings: Any) -> None:
    settings.DEADLINES = settings.DEADLINES | {"sip_call_day_kind": "working", "sip_call_days": 2}
    body = text(client.get(reverse("support:help_topic", args=["kallelse-sip"])))
    assert "Kallelse till SIP inom 2 arbetsdagar" in body
    assert "Brygga räknar arbetsdagar" in body


def test_help_index_marks_example_elearning_addresses(client: Client, demo: Any) -> None:
    body = text(client.get(reverse("support:help_index")))
    assert "Brygga för slutenvården" in body
    # A placeholder address is never presented as a real link.
    assert 'href="https://lartorget.example.se' not in body
    assert "är en platshållare" in body


def test_event_form_links_to_the_help_for_its_step(login_as: Any, demo: Any) -> None:
    anna = login_as("anna")
    case = Case.objects.filter(
        parties__unit=commission_of(demo.person("anna")).unit, state="planning"
    ).first()
    assert case is not None
    body = text(anna.get(reverse("cases:event", args=[case.pk, "utskrivningsklar"])))
    assert reverse("support:help_topic", args=["utskrivningsklar"]) in body
    assert "Hjälp om detta steg: Utskrivningsklar" in body
    page = text(anna.get(reverse("cases:detail", args=[case.pk])))
    assert "Hjälp om ärendets steg: Planeringsunderlag" in page


def test_help_shows_the_users_own_support_contacts(login_as: Any) -> None:
    body = text(login_as("karin").get(reverse("support:help_topic", args=["avvisning"])))
    assert "Systemförvaltning Omvårdnadsförvaltningen, Solna stad" in body
    assert "Verksamhetsstöd Karolinska Solna" not in body


# --- Support page -------------------------------------------------------------------------


def test_support_page_shows_contacts_for_the_users_unit(login_as: Any) -> None:
    body = text(login_as("anna").get(reverse("support:index")))
    assert "Verksamhetsstöd Karolinska Solna" in body
    assert "Brygga användarstöd, Region Stockholm" in body
    assert "Verksamhetsstöd Södersjukhuset" not in body
    assert "Hantera supportkontakter" not in body


def test_ek_admin_adds_a_contact_and_its_users_see_it(login_as: Any, demo: Any) -> None:
    per = login_as("per", role="ek_admin")
    url = reverse("support:contact_create")
    refused = per.post(url, {"organisation": demo.organisation("solna").pk, "name": "Ny"})
    assert refused.status_code == 200
    assert "Fyll i telefon eller e-post" in text(refused)
    assert not SupportContact.objects.filter(name="Ny").exists()
    response = per.post(
        url,
        {
            "organisation": demo.organisation("solna").pk,
            "name": "Kvällsstöd Solna",
            "phone": "08-465 004 21",
            "order": 200,
        },
    )
    assert response.status_code == 302
    assert "Kvällsstöd Solna" in text(login_as("karin").get(reverse("support:index")))
    # Another organisation's form does not offer Region Stockholm.
    form = text(per.get(url))
    assert "Region Stockholm" not in form


# --- News banner --------------------------------------------------------------------------


def test_news_banner_on_start_pages_and_login_but_not_on_work_pages(
    client: Client, login_as: Any, demo: Any
) -> None:
    title = "Planerat underhåll på söndag kväll"
    assert title in text(client.get(reverse("accounts:login")))
    anna = login_as("anna")
    assert title in text(anna.get(reverse("cases:worklist")))
    case = Case.objects.filter(parties__unit=commission_of(demo.person("anna")).unit).first()
    assert case is not None
    assert title not in text(anna.get(reverse("cases:detail", args=[case.pk])))
    assert title in text(login_as("sofia").get(reverse("directory:index")))


def test_expired_and_scheduled_news_are_not_in_the_banner(client: Client, demo: Any) -> None:
    now = timezone.now()
    NewsItem.objects.create(
        kind="information",
        title="Kommer i morgon",
        body="x",
        publish_from=now + dt.timedelta(days=1),
        publish_until=now + dt.timedelta(days=2),
        created_at=now,
        updated_at=now,
    )
    body = text(client.get(reverse("accounts:login")))
    assert "Kommer i morgon" not in body
    assert "Störning: meddelanden fördröjda" not in body  # the demo's ended disturbance
    archive = text(client.get(reverse("support:news_list")))
    assert "Störning: meddelanden fördröjda" in archive
    assert "Kommer i morgon" not in archive


def test_hiding_a_notice_lasts_the_session(login_as: Any, demo: Any) -> None:
    anna = login_as("anna")
    item = NewsItem.objects.get(title="Planerat underhåll på söndag kväll")
    worklist = reverse("cases:worklist")
    response = anna.post(reverse("support:news_dismiss", args=[item.pk]), {"next": worklist})
    assert response.status_code == 302 and response["Location"] == worklist
    body = text(anna.get(worklist))
    assert item.title not in body
    assert "Nya hjälpsidor för varje steg" in body
    # Still on the news page, and for a new session.
    assert item.title in text(anna.get(reverse("support:news_list")))
    assert item.title in text(login_as("anna").get(worklist))


def test_dismiss_refuses_foreign_redirects(login_as: Any, demo: Any) -> None:
    item = NewsItem.objects.get(title="Planerat underhåll på söndag kväll")
    response = login_as("anna").post(
        reverse("support:news_dismiss", args=[item.pk]), {"next": "https://evil.example.com/"}
    )
    assert response["Location"] == reverse("home")


def test_central_admin_publishes_with_swedish_errors(login_as: Any) -> None:
    eva = login_as("eva")
    url = reverse("support:news_create")
    now = timezone.localtime()
    data = {
        "kind": "disturbance",
        "title": "Inloggningen fungerar inte",
        "body": "Vi felsöker.",
        "publish_from": now.strftime("%Y-%m-%dT%H:%M"),
        "publish_until": (now - dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
    }
    refused = eva.post(url, data)
    assert refused.status_code == 200
    assert "”Visas till” måste vara senare än ”visas från”." in text(refused)
    assert not NewsItem.objects.filter(title="Inloggningen fungerar inte").exists()
    data["publish_until"] = (now + dt.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M")
    assert eva.post(url, data).status_code == 302
    login_page = text(Client().get(reverse("accounts:login")))
    assert "Inloggningen fungerar inte" in login_page
    # Disturbances come first.
    assert login_page.index("Inloggningen fungerar inte") < login_page.index(
        "Planerat underhåll på söndag kväll"
    )
    item = NewsItem.objects.get(title="Inloggningen fungerar inte")
    assert eva.post(reverse("support:news_end", args=[item.pk])).status_code == 302
    assert "Inloggningen fungerar inte" not in text(Client().get(reverse("accounts:login")))


# --- Suggestions --------------------------------------------------------------------------


def test_suggestion_round_trip(login_as: Any, demo: Any) -> None:
    maria = login_as("maria")
    refused = maria.post(reverse("support:suggestion_create"), {"area": "sip", "title": ""})
    body = text(refused)
    assert "Skriv en rubrik." in body and "Beskriv förslaget." in body
    response = maria.post(
        reverse("support:suggestion_create"),
        {
            "area": "sip",
            "title": "Påminnelse om SIP-uppföljning",
            "description": "En påminnelse i arbetslistan när uppföljningsdatumet närmar sig.",
        },
    )
    suggestion = Suggestion.objects.get(title="Påminnelse om SIP-uppföljning")
    assert response["Location"] == reverse("support:suggestion_detail", args=[suggestion.pk])

    eva = login_as("eva")
    triage = text(eva.get(reverse("support:suggestion_triage"), {"status": "received"}))
    assert "Påminnelse om SIP-uppföljning" in triage
    detail_url = reverse("support:suggestion_detail", args=[suggestion.pk])
    refused = eva.post(detail_url, {"status": "rejected", "reply": ""})
    assert "Skriv varför förslaget avslås" in text(refused)
    eva.post(detail_url, {"status": "under_review", "reply": "Vi tittar på det i vår."})
    suggestion.refresh_from_db()
    assert suggestion.status == SuggestionStatus.UNDER_REVIEW

    maria = login_as("maria")
    nav = text(maria.get(reverse("support:suggestion_list")))
    assert "Nytt svar" in nav
    unseen = [s for s in Suggestion.objects.filter(submitted_by=demo.person("maria"))]
    expected = sum(1 for s in unseen if s.has_unseen_update)
    assert expected == 2  # this answer and the demo's rejected suggestion
    assert f'Stöd och hjälp <span class="count">{expected}<' in nav
    detail = text(maria.get(detail_url))
    assert "Under utredning" in detail and "Vi tittar på det i vår." in detail
    assert "Central förvaltning har uppdaterat ditt förslag." in detail
    after = text(maria.get(reverse("support:suggestion_list")))
    row = after.split("Påminnelse om SIP-uppföljning</a>")[1].split("</tr>")[0]
    assert "Nytt svar" not in row
    assert f'Stöd och hjälp <span class="count">{expected - 1}<' in after
    # Maria may read but not answer her own suggestion.
    assert maria.post(detail_url, {"status": "done"}).status_code == 403


def test_others_cannot_see_a_suggestion(login_as: Any, demo: Any) -> None:
    suggestion = Suggestion.objects.filter(submitted_by=demo.person("karin")).get()
    url = reverse("support:suggestion_detail", args=[suggestion.pk])
    assert login_as("anna").get(url).status_code == 404
    assert login_as("per", role="ek_admin").get(url).status_code == 404
    assert login_as("karin").get(url).status_code == 200
