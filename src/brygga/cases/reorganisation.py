"""Cases at a reorganisation: which cases are open at a unit, and moving them to a successor.

When central administration carries out a merge or split (brygga.administration), the open
cases where the old unit is a party move to the successor unit: the successor becomes a
party in the same role, the old unit stops being an active party (it keeps read access to
what it took part in), notices the old unit had not yet acknowledged are sent on to the
successor, and the case's timeline gets one "moved at reorganisation" event saying from
where to where. Nothing in the history is changed or removed.

A unit may be removed only when it has no open cases (DOMAIN.md §6), so the same module
answers which cases are open at a unit.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from brygga.audit.events import AuditEventType
from brygga.audit.log import record
from brygga.core.actor import Actor
from brygga.directory.models import Role, Unit

from . import payloads as p
from .models import OPEN_STATES, Case, CaseEvent, CaseParty, NoticeRecipient
from .models import CaseEventType as E

REORGANISED = "reorganised"  # CaseParty.left_reason of the old unit


class ReorganisationError(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def open_cases_at(unit: Unit) -> QuerySet[Case]:
    """Open cases where the unit is an active party, oldest admission first."""
    current = CaseParty.objects.filter(unit=unit, active=True).values("case_id")
    return Case.objects.filter(pk__in=current, state__in=OPEN_STATES).order_by("admitted_at", "pk")


def move_open_cases(
    *,
    actor: Actor,
    from_unit: Unit,
    to_unit: Unit,
    order_id: int | None = None,
    now: dt.datetime | None = None,
) -> list[Case]:
    """Move every open case of ``from_unit`` to ``to_unit``. Central administration only.

    Runs inside the caller's transaction (a reorganisation is all or nothing) and returns
    the cases moved.
    """
    now = now or timezone.now()
    if not actor.has_role(Role.CENTRAL_ADMIN) and actor.person is not None:
        raise ReorganisationError(
            _("Bara central förvaltning kan flytta ärenden vid omorganisation.")
        )
    if from_unit.pk == to_unit.pk:
        raise ReorganisationError(_("Ärendena kan inte flyttas till samma enhet."))
    if not to_unit.care_type:
        raise ReorganisationError(
            _("%(unit)s saknar vårdtyp för Brygga och kan inte ta över ärenden.")
            % {"unit": to_unit.name}
        )
    moved: list[Case] = []
    with transaction.atomic():
        case_ids = list(open_cases_at(from_unit).values_list("pk", flat=True))
        for case in (
            Case.objects.select_for_update()
            .select_related("patient")
            .filter(pk__in=case_ids)
            .order_by("pk")
        ):
            _move_one(actor, case, from_unit, to_unit, order_id=order_id, now=now)
            moved.append(case)
    return moved


def _timeline_text(from_unit: Unit, to_unit: Unit) -> str:
    # Stored text is read by every party: written in the system's language, not the actor's.
    with translation.override(settings.LANGUAGE_CODE):
        return _("Ärendet flyttades från %(from)s till %(to)s (omorganisation).") % {
            "from": from_unit.name,
            "to": to_unit.name,
        }


def _move_one(
    actor: Actor,
    case: Case,
    from_unit: Unit,
    to_unit: Unit,
    *,
    order_id: int | None,
    now: dt.datetime,
) -> None:
    roles = list(
        CaseParty.objects.filter(case=case, unit=from_unit, active=True).values_list(
            "role", flat=True
        )
    )
    CaseParty.objects.filter(case=case, unit=from_unit, active=True).update(
        active=False, left_at=now, left_reason=REORGANISED
    )
    for role in roles:
        party, created = CaseParty.objects.get_or_create(
            case=case, unit=to_unit, role=role, defaults={"joined_at": now}
        )
        if not created and not party.active:
            CaseParty.objects.filter(pk=party.pk).update(active=True, left_at=None, left_reason="")
    # What the old unit had still to read and acknowledge, the successor now has.
    pending = NoticeRecipient.objects.filter(
        event__case=case, unit=from_unit, acknowledged_at__isnull=True
    ).values_list("event_id", flat=True)
    NoticeRecipient.objects.bulk_create(
        [NoticeRecipient(event_id=event_id, unit=to_unit) for event_id in pending],
        ignore_conflicts=True,
    )
    payload = p.UnitReorganised(
        from_unit_id=from_unit.pk,
        from_unit_name=from_unit.name,
        to_unit_id=to_unit.pk,
        to_unit_name=to_unit.name,
        order_id=order_id,
    )
    event = CaseEvent.objects.create(
        case=case,
        type=E.UNIT_REORGANISED,
        recorded_at=now,
        effective_at=now,
        author=actor.person,
        author_unit=actor.unit,
        author_name=actor.person.full_name if actor.person else actor.label,
        payload=payload.as_json(),
        text=_timeline_text(from_unit, to_unit),
    )
    Case.objects.filter(pk=case.pk).update(last_event_at=now)
    record(
        actor,
        AuditEventType.CASE_REORGANISED,
        patient=case.patient,
        obj=case,
        details={
            "event": event.type,
            "event_id": event.pk,
            "from_unit": from_unit.hsa_id,
            "to_unit": to_unit.hsa_id,
            "order_id": order_id,
        },
    )
