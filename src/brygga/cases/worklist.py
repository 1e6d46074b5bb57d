"""The acting unit's worklist: new notices, patients waiting as utskrivningsklara, deadlines
due today or overdue, and the open cases by state — sortable and filterable.

The number of queries does not depend on the number of rows: cases, their patients, the
unacknowledged notices and the expected-date events are each fetched in one query.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.core.paginator import Page, Paginator
from django.db.models import Count, Exists, OuterRef, Q
from django.urls import reverse
from django.utils.http import urlencode

from brygga.core.actor import Actor
from brygga.patients.models import Patient

from .access import active_cases
from .deadlines import Deadline
from .models import OPEN_STATES, Case, CaseEvent, CaseKind, CaseState, NoticeRecipient
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
MAX_ROWS = 100  # unacknowledged notices shown at most
MAX_LIST = 50  # patients waiting, and urgent cases, shown at most (the filters show all)
PAGE_SIZE = 50


STATE_LABELS = dict(CaseState.choices)

# Cases that may have a deadline due today or overdue: D1 not sent, D2 not called though
# needed, D4 not transferred at discharge. (D3 and D5 are never "due today" on an open case.)
MAY_BE_URGENT = Q(kind=CaseKind.STAY) & (
    Q(admission_notice_at__isnull=True)
    | Q(sip_needed=True, ready_at__isnull=False, sip_called_at__isnull=True)
    | Q(discharged_at__isnull=False, planning_information_at__isnull=True)
)
WAITING = Q(ready_at__isnull=False, discharged_at__isnull=True)


@dataclass
class Row:
    case: Case
    deadlines: list[Deadline]
    days_waited: int | None
    url: str
    unacknowledged: int = 0

    @property
    def urgent(self) -> list[Deadline]:
        return [d for d in self.deadlines if d.status in URGENT]

    @property
    def state_label(self) -> str:
        return str(STATE_LABELS[self.case.state])


@dataclass
class Worklist:
    rows: list[Row]
    notices: list[NoticeRecipient]
    counts: dict[str, int]
    state: str
    sort: str
    view: str
    page: Page[Case]
    ready: list[Row] = field(default_factory=list)
    urgent: list[tuple[Row, Deadline]] = field(default_factory=list)
    list_limit: int = MAX_LIST

    @classmethod
    def for_actor(
        cls,
        actor: Actor,
        *,
        state: str = "",
        sort: str = "",
        view: str = "",
        page: str | int = 1,
        now: dt.datetime,
    ) -> Worklist:
        open_cases = active_cases(actor).filter(state__in=OPEN_STATES)
        counts = {
            row["state"]: row["n"]
            for row in open_cases.order_by().values("state").annotate(n=Count("pk"))
        }
        state = state if state in OPEN_STATES else ""
        sort = sort if sort in SORTS else DEFAULT_SORT
        view = view if view in VIEWS else ""
        unread = NoticeRecipient.objects.filter(
            unit=actor.unit, acknowledged_at__isnull=True, event__case__state__in=OPEN_STATES
        )
        selected = open_cases.filter(state=state) if state else open_cases
        if view == "okvitterade":
            selected = selected.filter(Exists(unread.filter(event__case=OuterRef("pk"))))
        elif view == "frister":
            selected = selected.filter(MAY_BE_URGENT)
        elif view == "klara":
            selected = selected.filter(WAITING)
        ordered = selected.select_related("patient").order_by(*SORTS[sort], "pk")
        paginator = Paginator(ordered, PAGE_SIZE)
        shown = paginator.get_page(page)
        urgent_cases = list(
            open_cases.filter(MAY_BE_URGENT)
            .select_related("patient")
            .order_by("admitted_at")[:MAX_LIST]
        )
        ready_cases = list(
            open_cases.filter(WAITING).select_related("patient").order_by("ready_at")[:MAX_LIST]
        )
        notices = list(
            unread.select_related("event__case__patient", "event__author_unit").order_by(
                "-event__recorded_at"
            )[:MAX_ROWS]
        )
        pending: dict[int, int] = defaultdict(int)
        for notice in notices:
            pending[notice.event.case_id] += 1

        by_pk = {c.pk: c for c in [*shown.object_list, *urgent_cases, *ready_cases]}
        date_events: dict[int, list[CaseEvent]] = defaultdict(list)
        for event in CaseEvent.objects.filter(
            case__in=list(by_pk), type=E.EXPECTED_DATE_CHANGED
        ).order_by("recorded_at"):
            date_events[event.case_id].append(event)
        prefix = reverse("cases:worklist")
        rows = {
            pk: Row(
                case=case,
                deadlines=case_deadlines(case, date_events[pk], now=now),
                days_waited=days_waited(case, now=now),
                url=f"{prefix}{pk}/",
                unacknowledged=pending[pk],
            )
            for pk, case in by_pk.items()
        }
        table = [rows[c.pk] for c in shown.object_list]
        if view == "frister":
            table = [r for r in table if r.urgent]
        return cls(
            rows=table,
            notices=notices,
            counts=counts,
            state=state,
            sort=sort,
            view=view,
            page=shown,
            ready=[rows[c.pk] for c in ready_cases],
            urgent=[(rows[c.pk], d) for c in urgent_cases for d in rows[c.pk].urgent],
        )

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def cases(self) -> list[Case]:
        return [row.case for row in self.rows]

    def query(self, **changes: str | int) -> str:
        """The query string for a link that changes one of the filters, keeping the rest."""
        params = {"status": self.state, "sortera": self.sort, "visa": self.view} | changes
        return urlencode({k: v for k, v in params.items() if v})

    def patients(self) -> list[Patient]:
        """Every patient whose data the page shows, once each (for the access log)."""
        seen: dict[int, Patient] = {}
        for row in [*self.rows, *self.ready, *(r for r, _ in self.urgent)]:
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
