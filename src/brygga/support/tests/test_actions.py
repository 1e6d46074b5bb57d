"""The support actions: who may do what, what is refused, and what the audit log keeps."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from brygga.audit.events import AuditEventType
from brygga.audit.models import AuditEntry
from brygga.core.actor import Actor
from brygga.directory.models import Role
from brygga.support import access, actions
from brygga.support.models import (
    NewsItem,
    NewsKind,
    Suggestion,
    SuggestionStatus,
    SupportContact,
    is_example_url,
)
from brygga.testing import commission_of

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2025, 3, 10, 9, 0, tzinfo=dt.UTC)


def actor(demo: Any, name: str, role: str | None = None) -> Actor:
    person = demo.person(name)
    return Actor(person=person, commission=commission_of(person, role))


def audit_rows(event: AuditEventType) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(event_type=event).order_by("pk"))


# --- Support contacts ---------------------------------------------------------------------


def test_ek_admin_keeps_contacts_of_own_organisation_only(demo: Any) -> None:
    per = actor(demo, "per", Role.EK_ADMIN)  # Solna stad
    region = demo.organisation("region")
    with pytest.raises(actions.SupportPermissionError) as refusal:
        actions.create_support_contact(
            actor=per, organisation=region, name="Fel organisation", phone="08-465 004 99"
        )
    assert refusal.value.field == "organisation"
    assert not SupportContact.objects.filter(name="Fel organisation").exists()

    contact = actions.create_support_contact(
        actor=per, organisation=demo.organisation("solna"), name="Solna stöd", email="a@example.se"
    )
    row = audit_rows(AuditEventType.SUPPORT_CONTACT_CREATED)[-1]
    assert row.object_id == str(contact.pk)
    assert row.details["after"]["name"] == "Solna stöd"
    assert row.actor_person_id == demo.person("per").pk


def test_a_user_may_not_keep_contacts(demo: Any) -> None:
    with pytest.raises(actions.SupportPermissionError):
        actions.create_support_contact(
            actor=actor(demo, "anna"),
            organisation=demo.organisation("region"),
            name="X",
            phone="1",
        )


def test_contact_needs_phone_or_email_and_a_unit_of_its_organisation(demo: Any) -> None:
    eva = actor(demo, "eva")
    solna = demo.organisation("solna")
    with pytest.raises(ValidationError) as missing:
        actions.create_support_contact(actor=eva, organisation=solna, name="Ingen kontaktväg")
    assert "phone" in missing.value.error_dict
    with pytest.raises(ValidationError) as wrong_unit:
        actions.create_support_contact(
            actor=eva, organisation=solna, unit=demo.unit("ks_solna"), name="X", phone="1"
        )
    assert "unit" in wrong_unit.value.error_dict
    assert not SupportContact.objects.filter(organisation=solna, name="X").exists()


def test_update_logs_before_and_after_and_skips_no_change(demo: Any) -> None:
    sofia = actor(demo, "sofia", Role.EK_ADMIN)
    contact = SupportContact.objects.get(name="Verksamhetsstöd Karolinska Solna")
    before = len(audit_rows(AuditEventType.SUPPORT_CONTACT_UPDATED))
    actions.update_support_contact(actor=sofia, contact=contact, phone=contact.phone)
    assert len(audit_rows(AuditEventType.SUPPORT_CONTACT_UPDATED)) == before
    actions.update_support_contact(actor=sofia, contact=contact, phone="08-465 004 55")
    row = audit_rows(AuditEventType.SUPPORT_CONTACT_UPDATED)[-1]
    assert row.details["changed"] == ["phone"]
    assert row.details["before"]["phone"] == "08-465 004 10"


def test_foreign_ek_admin_cannot_change_or_delete_a_contact(demo: Any) -> None:
    per = actor(demo, "per", Role.EK_ADMIN)
    contact = SupportContact.objects.get(name="Verksamhetsstöd Karolinska Solna")
    with pytest.raises(actions.SupportPermissionError):
        actions.update_support_contact(actor=per, contact=contact, name="Kapad")
    with pytest.raises(actions.SupportPermissionError):
        actions.delete_support_contact(actor=per, contact=contact)
    contact.refresh_from_db()
    assert contact.name == "Verksamhetsstöd Karolinska Solna"


def test_delete_keeps_the_values_in_the_audit_log(demo: Any) -> None:
    contact = SupportContact.objects.get(name="Verksamhetsstöd Södersjukhuset")
    actions.delete_support_contact(actor=actor(demo, "sofia", Role.EK_ADMIN), contact=contact)
    assert not SupportContact.objects.filter(pk=contact.pk).exists()
    row = audit_rows(AuditEventType.SUPPORT_CONTACT_DELETED)[-1]
    assert row.details["before"]["name"] == "Verksamhetsstöd Södersjukhuset"


def test_users_see_their_organisations_contacts_nearest_unit_first(demo: Any) -> None:
    anna = actor(demo, "anna")  # G61, under Karolinska Solna
    names = [c.name for c in access.contacts_for(anna)]
    assert names == ["Verksamhetsstöd Karolinska Solna", "Brygga användarstöd, Region Stockholm"]
    karin = actor(demo, "karin")
    assert [c.name for c in access.contacts_for(karin)] == [
        "Systemförvaltning Omvårdnadsförvaltningen, Solna stad"
    ]
    maria = actor(demo, "maria")  # vårdcentral: region-wide contact only
    assert [c.name for c in access.contacts_for(maria)] == ["Brygga användarstöd, Region Stockholm"]


# --- E-learning links ---------------------------------------------------------------------


def test_only_central_administration_keeps_elearning_links(demo: Any) -> None:
    with pytest.raises(actions.SupportPermissionError):
        actions.create_elearning_link(
            actor=actor(demo, "sofia", Role.EK_ADMIN),
            audience="all",
            title="Kurs",
            url="https://lartorget.example.se/x",
        )
    link = actions.create_elearning_link(
        actor=actor(demo, "eva"), audience="inpatient", title="Kurs", url="https://kurs.se/a"
    )
    assert not link.is_example
    assert audit_rows(AuditEventType.ELEARNING_LINK_CREATED)[-1].object_id == str(link.pk)


@pytest.mark.parametrize(
    ("url", "example"),
    [
        ("https://lartorget.example.se/kurs", True),
        ("https://example.se/", True),
        ("https://www.example.com/x", True),
        ("https://kurser.example/", True),
        ("https://lartorget.sll.se/kurs", False),
        ("https://notexample.se/", False),
        ("https://example.se.evil.test/", False),
    ],
)
def test_example_addresses_are_recognised(url: str, example: bool) -> None:
    assert is_example_url(url) is example


@given(st.from_regex(r"[a-z]{1,10}", fullmatch=True))
def test_any_subdomain_of_example_se_is_an_example(label: str) -> None:
    assert is_example_url(f"https://{label}.example.se/kurs")


# --- Suggestions --------------------------------------------------------------------------


def submit(demo: Any, name: str = "anna", **overrides: Any) -> Suggestion:
    values: dict[str, Any] = {
        "area": "worklist",
        "title": "  Visa fler rader  ",
        "description": "Tabellen visar för få rader på stora skärmar.",
        "now": NOW,
    }
    return actions.submit_suggestion(actor=actor(demo, name), **values | overrides)


def test_a_suggestion_starts_received_with_its_writer_and_unit(demo: Any) -> None:
    suggestion = submit(demo)
    assert suggestion.status == SuggestionStatus.RECEIVED
    assert suggestion.title == "Visa fler rader"
    assert suggestion.submitter_unit_name == "Karolinska Solna, Geriatrisk avdelning G61"
    assert [u.to_status for u in suggestion.updates.all()] == ["received"]
    assert not suggestion.has_unseen_update
    assert audit_rows(AuditEventType.SUGGESTION_SUBMITTED)[-1].object_id == str(suggestion.pk)


def test_an_invalid_suggestion_saves_nothing(demo: Any) -> None:
    count = Suggestion.objects.count()
    with pytest.raises(ValidationError):
        submit(demo, area="no-such-area")
    assert Suggestion.objects.count() == count


def test_central_administration_answers_and_the_writer_sees_it_once(demo: Any) -> None:
    suggestion = submit(demo)
    anna = actor(demo, "anna")
    baseline = access.unseen_suggestion_count(anna)  # the demo's answered suggestion
    later = NOW + dt.timedelta(days=1)
    actions.answer_suggestion(
        actor=actor(demo, "eva"),
        suggestion=suggestion,
        status=SuggestionStatus.PLANNED,
        reply="Planeras till hösten.",
        now=later,
    )
    suggestion.refresh_from_db()
    assert suggestion.status == SuggestionStatus.PLANNED
    assert suggestion.reply == "Planeras till hösten."
    assert suggestion.status_changed_at == later
    assert access.unseen_suggestion_count(anna) == baseline + 1
    history = list(suggestion.updates.values_list("from_status", "to_status", "reply"))
    assert history == [("", "received", ""), ("received", "planned", "Planeras till hösten.")]
    row = audit_rows(AuditEventType.SUGGESTION_ANSWERED)[-1]
    assert row.details["before"]["status"] == "received"
    assert row.details["after"]["status"] == "planned"

    # Central administration looking does not count as the writer having seen it.
    actions.mark_suggestion_seen(actor=actor(demo, "eva"), suggestion=suggestion, now=later)
    assert access.unseen_suggestion_count(anna) == baseline + 1
    actions.mark_suggestion_seen(actor=anna, suggestion=suggestion, now=later)
    assert access.unseen_suggestion_count(anna) == baseline


def test_a_reply_without_a_status_change_is_kept_too(demo: Any) -> None:
    suggestion = submit(demo)
    eva = actor(demo, "eva")
    actions.answer_suggestion(
        actor=eva, suggestion=suggestion, status="received", reply="Vi återkommer.", now=NOW
    )
    suggestion.refresh_from_db()
    assert suggestion.status == "received" and suggestion.reply == "Vi återkommer."
    with pytest.raises(ValidationError):
        actions.answer_suggestion(actor=eva, suggestion=suggestion, status="received", now=NOW)


def test_rejecting_needs_a_reason(demo: Any) -> None:
    suggestion = submit(demo)
    with pytest.raises(ValidationError) as refusal:
        actions.answer_suggestion(
            actor=actor(demo, "eva"), suggestion=suggestion, status="rejected", now=NOW
        )
    assert "reply" in refusal.value.error_dict
    suggestion.refresh_from_db()
    assert suggestion.status == "received"
    assert suggestion.updates.count() == 1


@pytest.mark.parametrize("name", ["anna", "sofia", "lars"])
def test_only_central_administration_answers(demo: Any, name: str) -> None:
    suggestion = submit(demo, "maria")
    with pytest.raises(actions.SupportPermissionError):
        actions.answer_suggestion(
            actor=actor(demo, name), suggestion=suggestion, status="done", reply="Klart", now=NOW
        )


def test_suggestions_are_seen_by_their_writer_and_central_administration(demo: Any) -> None:
    suggestion = submit(demo, "anna")
    assert access.access_suggestion(actor(demo, "anna"), suggestion.pk) == suggestion
    assert access.access_suggestion(actor(demo, "eva"), suggestion.pk) == suggestion
    for name in ("lars", "maria", "sofia"):
        with pytest.raises(Exception) as refused:
            access.access_suggestion(actor(demo, name), suggestion.pk)
        assert refused.type.__name__ == "Http404"


# --- Operational news ---------------------------------------------------------------------


def publish(demo: Any, **overrides: Any) -> NewsItem:
    values: dict[str, Any] = {
        "kind": NewsKind.DISTURBANCE,
        "title": "Störning",
        "body": "Brygga är långsam.",
        "publish_from": NOW,
        "publish_until": NOW + dt.timedelta(hours=4),
        "now": NOW,
    }
    return actions.publish_news(actor=actor(demo, "eva"), **values | overrides)


def test_news_is_published_from_its_start_until_it_expires(demo: Any) -> None:
    item = publish(demo)
    published = NewsItem.objects.published
    assert item not in published(NOW - dt.timedelta(seconds=1))
    assert item in published(NOW)
    assert item in published(NOW + dt.timedelta(hours=3, minutes=59))
    assert item not in published(NOW + dt.timedelta(hours=4))
    assert audit_rows(AuditEventType.NEWS_PUBLISHED)[-1].object_id == str(item.pk)


def test_news_period_is_checked(demo: Any) -> None:
    with pytest.raises(ValidationError) as backwards:
        publish(demo, publish_until=NOW - dt.timedelta(hours=1), publish_from=NOW)
    assert "publish_until" in backwards.value.error_dict
    with pytest.raises(ValidationError) as past:
        publish(
            demo,
            publish_from=NOW - dt.timedelta(days=2),
            publish_until=NOW - dt.timedelta(days=1),
        )
    assert "publish_until" in past.value.error_dict
    with pytest.raises(ValidationError) as event:
        publish(demo, starts_at=NOW, ends_at=NOW - dt.timedelta(minutes=1))
    assert "ends_at" in event.value.error_dict
    assert not NewsItem.objects.filter(title="Störning").exists()


def test_only_central_administration_publishes(demo: Any) -> None:
    with pytest.raises(actions.SupportPermissionError):
        actions.publish_news(
            actor=actor(demo, "sofia", Role.EK_ADMIN),
            kind="information",
            title="X",
            body="Y",
            publish_from=NOW,
            publish_until=NOW + dt.timedelta(days=1),
            now=NOW,
        )


def test_ending_news_stops_it_now_and_keeps_it(demo: Any) -> None:
    item = publish(demo)
    later = NOW + dt.timedelta(hours=1)
    actions.end_news(actor=actor(demo, "eva"), news=item, now=later)
    item.refresh_from_db()
    assert item.publish_until == later
    assert item not in NewsItem.objects.published(later)
    assert item in NewsItem.objects.expired(later)
    assert audit_rows(AuditEventType.NEWS_ENDED)[-1].details["changed"] == ["publish_until"]
    # Ending it again changes nothing.
    actions.end_news(actor=actor(demo, "eva"), news=item, now=later + dt.timedelta(hours=1))
    item.refresh_from_db()
    assert item.publish_until == later


def test_ending_scheduled_news_means_it_is_never_shown(demo: Any) -> None:
    item = publish(
        demo, publish_from=NOW + dt.timedelta(days=1), publish_until=NOW + dt.timedelta(days=2)
    )
    actions.end_news(actor=actor(demo, "eva"), news=item, now=NOW)
    item.refresh_from_db()
    assert item.publish_until == NOW and item.publish_from < NOW
    assert item not in NewsItem.objects.published(NOW)
    assert item not in NewsItem.objects.published(NOW + dt.timedelta(days=1, hours=1))


def test_editing_an_ended_notice_keeps_its_past_period(demo: Any) -> None:
    item = publish(demo)
    later = NOW + dt.timedelta(days=1)
    actions.end_news(actor=actor(demo, "eva"), news=item, now=NOW + dt.timedelta(hours=1))
    # Fixing a typo in the archive is fine; the period stays in the past.
    actions.update_news(actor=actor(demo, "eva"), news=item, title="Störning i Brygga", now=later)
    item.refresh_from_db()
    assert item.title == "Störning i Brygga"
    assert audit_rows(AuditEventType.NEWS_UPDATED)[-1].details["changed"] == ["title"]


def test_demo_loads_current_and_earlier_news(demo: Any) -> None:
    now = timezone.now()
    current = NewsItem.objects.published(now)
    assert {n.kind for n in current} == {NewsKind.PLANNED_MAINTENANCE, NewsKind.INFORMATION}
    assert NewsItem.objects.expired(now).filter(kind=NewsKind.DISTURBANCE).exists()
