"""What a unit's contingency list (beredskapslista) holds, and the document made from it.

The list is what a ward, vårdcentral or social-services unit needs on paper when Brygga
cannot be reached: each open case's patient, state, deadlines and the other parties with
their phone and fax numbers, so the reserve routine (fax and phone) can be followed.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone

from brygga.cases.access import open_cases_of_unit_for_system
from brygga.cases.deadlines import Deadline, DeadlineStatus
from brygga.cases.models import Case, CaseParty
from brygga.cases.presentation import case_deadlines, days_waited, expected_date_events
from brygga.core.actor import Actor
from brygga.directory.models import Unit

OPEN_DEADLINES = frozenset({DeadlineStatus.DUE, DeadlineStatus.DUE_TODAY, DeadlineStatus.OVERDUE})


@dataclass(frozen=True)
class ListedParty:
    name: str
    phone: str
    fax: str


@dataclass(frozen=True)
class ListedCase:
    case: Case
    deadlines: list[Deadline]
    days_waited: int | None
    others: list[ListedParty]


@dataclass(frozen=True)
class Snapshot:
    unit: Unit
    generated_at: dt.datetime
    cases: list[ListedCase]

    @property
    def patient_ids(self) -> list[int]:
        return sorted({listed.case.patient_id for listed in self.cases})


def take_snapshot(actor: Actor, unit: Unit, *, now: dt.datetime) -> Snapshot:
    """The unit's open cases as of now, ordered by admission, in a fixed number of queries."""
    cases = list(
        open_cases_of_unit_for_system(actor, unit.pk)
        .select_related("patient")
        .order_by("admitted_at", "pk")
    )
    pks = [case.pk for case in cases]
    others: dict[int, list[ListedParty]] = defaultdict(list)
    for party in (
        CaseParty.objects.filter(case__in=pks, active=True)
        .exclude(unit=unit)
        .select_related("unit")
        .order_by("role", "unit__name")
    ):
        others[party.case_id].append(ListedParty(party.unit.name, party.unit.phone, party.unit.fax))
    date_events = expected_date_events(Q(case__in=pks))
    listed = [
        ListedCase(
            case=case,
            deadlines=[
                d
                for d in case_deadlines(case, date_events.get(case.pk, []), now=now)
                if d.status in OPEN_DEADLINES
            ],
            days_waited=days_waited(case, now=now),
            others=others[case.pk],
        )
        for case in cases
    ]
    return Snapshot(unit=unit, generated_at=now, cases=listed)


def render_document(snapshot: Snapshot) -> str:
    """The printable document as HTML (its own print styles, no external resources); the
    PDF is made from it."""
    return render_to_string(
        "reserve/contingency_document.html",
        {"snapshot": snapshot, "generated_local": timezone.localtime(snapshot.generated_at)},
    )
