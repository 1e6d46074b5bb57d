"""The one place that decides which cases an actor may see."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, QuerySet
from django.http import Http404

from brygga.core.actor import Actor
from brygga.directory.models import Role

from .models import OPEN_STATES, Case, CaseEvent, CaseParty

# Roles that take part in care; administrative roles see no cases.
CARE_ROLES = (Role.USER, Role.MANAGER)


def visible_cases(actor: Actor) -> QuerySet[Case]:
    """Cases where the actor's unit is or was a party, for an actor in a care role."""
    if actor.unit is None or not actor.has_role(*CARE_ROLES):
        return Case.objects.none()
    party = CaseParty.objects.filter(case=OuterRef("pk"), unit=actor.unit)
    return Case.objects.filter(Exists(party))


def active_cases(actor: Actor) -> QuerySet[Case]:
    """Cases where the actor's unit is a party now (the worklist)."""
    if actor.unit is None or not actor.has_role(*CARE_ROLES):
        return Case.objects.none()
    # Driven from the unit's current parties (a partial index), so the cost follows the
    # unit's own cases, not all open cases in the region.
    current = CaseParty.objects.filter(unit=actor.unit, active=True).values("case_id")
    return Case.objects.filter(pk__in=current)


def access_case(actor: Actor, case_id: int) -> Case:
    """The case, or 404 — the same answer for 'does not exist' and 'not yours'."""
    case = visible_cases(actor).select_related("patient").filter(pk=case_id).first()
    if case is None:
        raise Http404
    return case


def access_event(case: Case, event_id: int) -> CaseEvent:
    """An event of a case the actor already has access to, or 404."""
    event = CaseEvent.objects.filter(case=case, pk=event_id).first()
    if event is None:
        raise Http404
    return event


def open_cases_of_unit_for_system(actor: Actor, unit_id: int) -> QuerySet[Case]:
    """The open cases a unit is a party to, for background work acting for no one (the
    contingency lists). Refused to a person: people see cases through visible_cases."""
    if actor.person is not None or actor.client is not None:
        raise PermissionError("only the system reads cases for a unit it does not act for")
    current = CaseParty.objects.filter(unit_id=unit_id, active=True).values("case_id")
    return Case.objects.filter(pk__in=current, state__in=OPEN_STATES)
