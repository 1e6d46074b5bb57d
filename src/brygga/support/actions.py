"""The only writers of support rows.

Every function takes keyword arguments, the acting person (`actor`) and the time (`now`),
re-checks the actor's right, validates, and writes the row and its audit entry in one
transaction: a refused or failed save changes nothing. Refusals are `SupportPermissionError`
(the actor may not do this) or Django's `ValidationError` (the values break a rule), with
Swedish messages and, where they concern one field, that field's name.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from brygga.audit.events import AuditEventType
from brygga.audit.log import log_change
from brygga.core.actor import Actor

from . import access
from .models import (
    ElearningLink,
    NewsItem,
    Suggestion,
    SuggestionStatus,
    SuggestionUpdate,
    SupportContact,
)

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

    from brygga.directory.models import Organisation, Unit


class SupportPermissionError(PermissionDenied):
    """The actor may not make this change. ``field`` names the field it concerns, if one."""

    def __init__(self, message: StrOrPromise, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field

    def __str__(self) -> str:
        return str(self.message)


def _check_fields(changes: Mapping[str, Any], allowed: frozenset[str]) -> None:
    unknown = set(changes) - allowed
    if unknown:
        raise TypeError(f"Unknown or unchangeable fields: {', '.join(sorted(unknown))}")


def _iso(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _person_name(actor: Actor) -> str:
    return actor.person.full_name if actor.person is not None else actor.label


# --- Support contacts ---------------------------------------------------------------------

CONTACT_FIELDS = frozenset(
    {"organisation", "unit", "name", "description", "phone", "email", "hours", "order"}
)


def contact_snapshot(contact: SupportContact) -> dict[str, Any]:
    return {
        "organisation": contact.organisation.org_number,
        "unit": contact.unit.hsa_id if contact.unit is not None else None,
        "name": contact.name,
        "description": contact.description,
        "phone": contact.phone,
        "email": contact.email,
        "hours": contact.hours,
        "order": contact.order,
    }


def _check_contact(actor: Actor, contact: SupportContact) -> None:
    if not access.contact_organisations(actor).filter(pk=contact.organisation_id).exists():
        raise SupportPermissionError(
            _("Du kan bara lägga in supportkontakter för en organisation som du administrerar."),
            field="organisation",
        )
    if contact.unit is not None and contact.unit.organisation_id != contact.organisation_id:
        raise ValidationError({"unit": _("Enheten måste höra till samma organisation.")})
    contact.name = contact.name.strip()
    contact.phone = contact.phone.strip()
    contact.email = contact.email.strip()
    if not contact.phone and not contact.email:
        raise ValidationError(
            {"phone": _("Fyll i telefon eller e-post, så att användarna kan nå kontakten.")}
        )
    contact.full_clean()


def _require_contact_keeper(actor: Actor) -> None:
    if not access.may_keep_contacts(actor):
        raise SupportPermissionError(
            _("Bara EK-administratörer och central förvaltning kan ändra supportkontakter.")
        )


def _contact_for_change(actor: Actor, contact: SupportContact) -> SupportContact:
    current = (
        access.manageable_contacts(actor)
        .select_for_update(of=("self",))
        .select_related("organisation", "unit")
        .filter(pk=contact.pk)
        .first()
    )
    if current is None:
        raise SupportPermissionError(_("Du har inte behörighet att ändra den här kontakten."))
    return current


def create_support_contact(
    *,
    actor: Actor,
    organisation: Organisation,
    name: str,
    unit: Unit | None = None,
    description: str = "",
    phone: str = "",
    email: str = "",
    hours: str = "",
    order: int = 100,
) -> SupportContact:
    _require_contact_keeper(actor)
    with transaction.atomic():
        contact = SupportContact(
            organisation=organisation,
            unit=unit,
            name=name,
            description=description,
            phone=phone,
            email=email,
            hours=hours,
            order=order,
        )
        _check_contact(actor, contact)
        contact.save()
        log_change(
            actor,
            AuditEventType.SUPPORT_CONTACT_CREATED,
            contact,
            before=None,
            after=contact_snapshot(contact),
        )
        return contact


def update_support_contact(
    *, actor: Actor, contact: SupportContact, **changes: Any
) -> SupportContact:
    _check_fields(changes, CONTACT_FIELDS)
    _require_contact_keeper(actor)
    with transaction.atomic():
        current = _contact_for_change(actor, contact)
        before = contact_snapshot(current)
        for field, value in changes.items():
            setattr(current, field, value)
        _check_contact(actor, current)
        after = contact_snapshot(current)
        if after != before:
            current.save()
            log_change(
                actor,
                AuditEventType.SUPPORT_CONTACT_UPDATED,
                current,
                before=before,
                after=after,
            )
        return current


def delete_support_contact(*, actor: Actor, contact: SupportContact) -> None:
    _require_contact_keeper(actor)
    with transaction.atomic():
        current = _contact_for_change(actor, contact)
        before = contact_snapshot(current)
        # The audit row keeps the id and the values; the row itself goes.
        log_change(
            actor,
            AuditEventType.SUPPORT_CONTACT_DELETED,
            current,
            before=before,
            after={},
        )
        current.delete()


# --- E-learning links ---------------------------------------------------------------------

ELEARNING_FIELDS = frozenset({"audience", "title", "url", "description", "order"})


def elearning_snapshot(link: ElearningLink) -> dict[str, Any]:
    return {
        "audience": link.audience,
        "title": link.title,
        "url": link.url,
        "description": link.description,
        "order": link.order,
    }


def _require_central(actor: Actor, message: StrOrPromise) -> None:
    if not access.is_central_admin(actor):
        raise SupportPermissionError(message)


ELEARNING_REFUSAL = _("Bara central förvaltning kan ändra länkarna till e-utbildningar.")


def create_elearning_link(
    *,
    actor: Actor,
    audience: str,
    title: str,
    url: str,
    description: str = "",
    order: int = 100,
) -> ElearningLink:
    _require_central(actor, ELEARNING_REFUSAL)
    with transaction.atomic():
        link = ElearningLink(
            audience=audience,
            title=title.strip(),
            url=url.strip(),
            description=description,
            order=order,
        )
        link.full_clean()
        link.save()
        log_change(
            actor,
            AuditEventType.ELEARNING_LINK_CREATED,
            link,
            before=None,
            after=elearning_snapshot(link),
        )
        return link


def update_elearning_link(*, actor: Actor, link: ElearningLink, **changes: Any) -> ElearningLink:
    _check_fields(changes, ELEARNING_FIELDS)
    _require_central(actor, ELEARNING_REFUSAL)
    with transaction.atomic():
        current = ElearningLink.objects.select_for_update().get(pk=link.pk)
        before = elearning_snapshot(current)
        for field, value in changes.items():
            setattr(current, field, value.strip() if isinstance(value, str) else value)
        current.full_clean()
        after = elearning_snapshot(current)
        if after != before:
            current.save()
            log_change(
                actor, AuditEventType.ELEARNING_LINK_UPDATED, current, before=before, after=after
            )
        return current


def delete_elearning_link(*, actor: Actor, link: ElearningLink) -> None:
    _require_central(actor, ELEARNING_REFUSAL)
    with transaction.atomic():
        current = ElearningLink.objects.select_for_update().get(pk=link.pk)
        log_change(
            actor,
            AuditEventType.ELEARNING_LINK_DELETED,
            current,
            before=elearning_snapshot(current),
            after={},
        )
        current.delete()


# --- Change suggestions -------------------------------------------------------------------


def suggestion_snapshot(suggestion: Suggestion) -> dict[str, Any]:
    return {
        "area": suggestion.area,
        "title": suggestion.title,
        "status": suggestion.status,
        "reply": suggestion.reply,
    }


def submit_suggestion(
    *,
    actor: Actor,
    area: str,
    title: str,
    description: str,
    benefit: str = "",
    now: dt.datetime,
) -> Suggestion:
    """Anyone acting for a unit may suggest a change; it starts as received."""
    if actor.person is None or actor.unit is None:
        raise SupportPermissionError(_("Logga in och välj uppdrag för att lämna ett förslag."))
    with transaction.atomic():
        suggestion = Suggestion(
            submitted_by=actor.person,
            submitter_name=actor.person.full_name,
            submitter_unit=actor.unit,
            submitter_unit_name=actor.unit.name,
            submitter_role=actor.role,
            area=area,
            title=title.strip(),
            description=description.strip(),
            benefit=benefit.strip(),
            submitted_at=now,
            status=SuggestionStatus.RECEIVED,
            status_changed_at=now,
        )
        suggestion.full_clean(exclude=["submitted_by", "submitter_unit"])
        suggestion.save()
        SuggestionUpdate.objects.create(
            suggestion=suggestion,
            at=now,
            by=actor.person,
            by_name=actor.person.full_name,
            from_status="",
            to_status=SuggestionStatus.RECEIVED,
        )
        log_change(
            actor,
            AuditEventType.SUGGESTION_SUBMITTED,
            suggestion,
            before=None,
            after=suggestion_snapshot(suggestion),
        )
        return suggestion


def answer_suggestion(
    *,
    actor: Actor,
    suggestion: Suggestion,
    status: str,
    reply: str = "",
    now: dt.datetime,
) -> Suggestion:
    """Central administration sets the status and/or replies; the submitter sees it."""
    _require_central(actor, _("Bara central förvaltning kan handlägga förändringsförslag."))
    assert actor.person is not None
    reply = reply.strip()
    if status not in SuggestionStatus.values:
        raise ValidationError({"status": _("Välj en status.")})
    with transaction.atomic():
        current = Suggestion.objects.select_for_update().get(pk=suggestion.pk)
        before = suggestion_snapshot(current)
        if status == current.status and not reply:
            raise ValidationError(
                _("Ändra status eller skriv ett svar till den som lämnade förslaget.")
            )
        if status == SuggestionStatus.REJECTED and not reply:
            raise ValidationError(
                {"reply": _("Skriv varför förslaget avslås, så att förslagsställaren får veta.")}
            )
        SuggestionUpdate.objects.create(
            suggestion=current,
            at=now,
            by=actor.person,
            by_name=actor.person.full_name,
            from_status=current.status,
            to_status=status,
            reply=reply,
        )
        if status != current.status:
            current.status = status
            current.status_changed_at = now
        if reply:
            current.reply = reply
            current.replied_at = now
        current.updated_for_submitter_at = now
        current.save()
        log_change(
            actor,
            AuditEventType.SUGGESTION_ANSWERED,
            current,
            before=before,
            after=suggestion_snapshot(current),
        )
        return current


def mark_suggestion_seen(*, actor: Actor, suggestion: Suggestion, now: dt.datetime) -> None:
    """The submitter has looked at their suggestion: its new answer is no longer new.

    Reading state, not a change to the suggestion, so it is not in the access log.
    """
    if not access.is_submitter(actor, suggestion) or not suggestion.has_unseen_update:
        return
    Suggestion.objects.filter(pk=suggestion.pk).update(seen_by_submitter_at=now)
    suggestion.seen_by_submitter_at = now


# --- Operational news ---------------------------------------------------------------------

NEWS_FIELDS = frozenset(
    {"kind", "title", "body", "starts_at", "ends_at", "publish_from", "publish_until"}
)
NEWS_REFUSAL = _("Bara central förvaltning kan lägga in driftinformation.")


def news_snapshot(news: NewsItem) -> dict[str, Any]:
    return {
        "kind": news.kind,
        "title": news.title,
        "body": news.body,
        "starts_at": _iso(news.starts_at),
        "ends_at": _iso(news.ends_at),
        "publish_from": _iso(news.publish_from),
        "publish_until": _iso(news.publish_until),
    }


def _check_news(news: NewsItem, *, now: dt.datetime, until_changed: bool) -> None:
    errors: dict[str, Any] = {}
    if news.publish_until <= news.publish_from:
        errors["publish_until"] = _("”Visas till” måste vara senare än ”visas från”.")
    elif until_changed and news.publish_until <= now:
        errors["publish_until"] = _(
            "”Visas till” har redan passerats, så meddelandet skulle aldrig visas. "
            "Välj en tid i framtiden."
        )
    if news.starts_at and news.ends_at and news.ends_at < news.starts_at:
        errors["ends_at"] = _("Sluttiden kan inte ligga före starttiden.")
    if errors:
        raise ValidationError(errors)
    news.full_clean()


def publish_news(
    *,
    actor: Actor,
    kind: str,
    title: str,
    body: str,
    publish_from: dt.datetime,
    publish_until: dt.datetime,
    starts_at: dt.datetime | None = None,
    ends_at: dt.datetime | None = None,
    now: dt.datetime,
) -> NewsItem:
    _require_central(actor, NEWS_REFUSAL)
    with transaction.atomic():
        news = NewsItem(
            kind=kind,
            title=title.strip(),
            body=body.strip(),
            starts_at=starts_at,
            ends_at=ends_at,
            publish_from=publish_from,
            publish_until=publish_until,
            created_at=now,
            created_by_name=_person_name(actor),
            updated_at=now,
        )
        _check_news(news, now=now, until_changed=True)
        news.save()
        log_change(
            actor, AuditEventType.NEWS_PUBLISHED, news, before=None, after=news_snapshot(news)
        )
        return news


def update_news(*, actor: Actor, news: NewsItem, now: dt.datetime, **changes: Any) -> NewsItem:
    _check_fields(changes, NEWS_FIELDS)
    _require_central(actor, NEWS_REFUSAL)
    with transaction.atomic():
        current = NewsItem.objects.select_for_update().get(pk=news.pk)
        before = news_snapshot(current)
        for field, value in changes.items():
            setattr(current, field, value.strip() if isinstance(value, str) else value)
        after = news_snapshot(current)
        _check_news(
            current, now=now, until_changed=after["publish_until"] != before["publish_until"]
        )
        if after != before:
            current.updated_at = now
            current.save()
            log_change(actor, AuditEventType.NEWS_UPDATED, current, before=before, after=after)
        return current


def end_news(*, actor: Actor, news: NewsItem, now: dt.datetime) -> NewsItem:
    """Stop showing a notice now (e.g. the disturbance is over). Kept in the archive."""
    _require_central(actor, NEWS_REFUSAL)
    with transaction.atomic():
        current = NewsItem.objects.select_for_update().get(pk=news.pk)
        if current.publish_until <= now:
            return current  # Already ended: nothing to do.
        before = news_snapshot(current)
        current.publish_until = now
        if current.publish_from >= now:
            # Never shown: keep the period valid (until after from) and in the past.
            current.publish_from = now - dt.timedelta(seconds=1)
        current.updated_at = now
        current.save()
        log_change(
            actor,
            AuditEventType.NEWS_ENDED,
            current,
            before=before,
            after=news_snapshot(current),
        )
        return current
