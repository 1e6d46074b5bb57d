"""The acting unit's worklist: new notices, patients waiting as utskrivningsklara, deadlines
due today or overdue, and the open cases by state — sortable and filterable.

The number of queries does not depend on the number of rows: cases, their patients, the
unacknowledged notices and the expected-date events are each fetched in one query.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count

from brygga.core.actor import Actor
from brygga.patients.models import Patient

from .access import active_cases
from .deadlines import Deadline
from .models import OPEN_STATES, Case, CaseEvent, CaseState, NoticeRecipient
from .models import CaseEventType as E
from .presentation import URGENT, case_deadlines, days_waited

SORTS = {
    "inskriven": ("admitted_at",),
    "-inskriven": ("-admitted_at",),
    "namn": ("patient__family_name", "patient__given_name"),
    "-namn": ("-patient__family_name", "-patient__given_name"),
    "utskrivning": ("expected_discharge_on",),
    "-utskrivning": ("-expected_discharge_on",),
    "klar": ("ready_at",),
    "-klar": ("-ready_at",),
    "senast": ("-last_event_at",),
}
DEFAULT_SORT = "-inskriven"
VIEWS = {"okvitterade", "frister", "klara"}
MAX_ROWS = 500


@dataclass
class Row:
    case: Case
    deadlines: list[Deadline]
    days_waited: int | None
    unacknowledged: int = 0

    @property
    def urgent(self) -> list[Deadline]:
        return [d for d in self.deadlines if d.status in URGENT]


@dataclass
class Worklist:
    rows: list[Row]
    notices: list[NoticeRecipient]
    counts: dict[str, int]
    state: str
    sort: str
    view: str
    truncated: bool = False
    ready: list[Row] = field(default_factory=list)
    urgent: list[tuple[Row, Deadline]] = field(default_factory=list)

    @classmethod
    def for_actor(
        cls, actor: Actor, *, state: str = "", sort: str = "", view: str = "", now: dt.datetime
    ) -> Worklist:
        open_cases = active_cases(actor).filter(state__in=OPEN_STATES)
        counts = {
            row["state"]: row["n"]
            for row in open_cases.order_by().values("state").annotate(n=Count("pk"))
        }
        state = state if state in OPEN_STATES else ""
        sort = sort if sort in SORTS else DEFAULT_SORT
        view = view if view in VIEWS else ""
        selected = open_cases.filter(state=state) if state else open_cases
        cases = list(
            selected.select_related("patient").order_by(*SORTS[sort], "pk")[: MAX_ROWS + 1]
        )
        truncated = len(cases) > MAX_ROWS
        cases = cases[:MAX_ROWS]

        date_events: dict[int, list[CaseEvent]] = defaultdict(list)
        for event in CaseEvent.objects.filter(
            case__in=[c.pk for c in cases], type=E.EXPECTED_DATE_CHANGED
        ).order_by("recorded_at"):
            date_events[event.case_id].append(event)

        notices = list(
            NoticeRecipient.objects.filter(
                unit=actor.unit, acknowledged_at__isnull=True, event__case__state__in=OPEN_STATES
            )
            .select_related("event__case__patient", "event__author_unit")
            .order_by("-event__recorded_at")[:MAX_ROWS]
        )
        pending: dict[int, int] = defaultdict(int)
        for notice in notices:
            pending[notice.event.case_id] += 1

        rows = [
            Row(
                case=case,
                deadlines=case_deadlines(case, date_events[case.pk], now=now),
                days_waited=days_waited(case, now=now),
                unacknowledged=pending[case.pk],
            )
            for case in cases
        ]
        worklist = cls(
            rows=rows,
            notices=notices,
            counts=counts,
            state=state,
            sort=sort,
            view=view,
            truncated=truncated,
        )
        worklist.ready = sorted(
            (r for r in rows if r.days_waited is not None), key=lambda r: -(r.days_waited or 0)
        )
        worklist.urgent = [(r, d) for r in rows for d in r.urgent]
        if view == "okvitterade":
            worklist.rows = [r for r in rows if r.unacknowledged]
        elif view == "frister":
            worklist.rows = [r for r in rows if r.urgent]
        elif view == "klara":
            worklist.rows = worklist.ready
        return worklist

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def cases(self) -> list[Case]:
        return [row.case for row in self.rows]

    def patients(self) -> list[Patient]:
        """Every patient whose data the page shows, once each (for the access log)."""
        seen: dict[int, Patient] = {}
        for row in self.rows:
            seen.setdefault(row.case.patient_id, row.case.patient)
        for notice in self.notices:
            seen.setdefault(notice.event.case.patient_id, notice.event.case.patient)
        return list(seen.values())

    def state_filters(self) -> list[tuple[str, object, int]]:
        return [
            (value, label, self.counts.get(value, 0))
            for value, label in CaseState.choices
            if value in OPEN_STATES
        ]
