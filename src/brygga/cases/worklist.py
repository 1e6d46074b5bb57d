"""The acting unit's worklist: new notices, patients waiting as utskrivningsklara, deadlines
due today or overdue, and the open cases by state — sortable and filterable.

The number of queries does not depend on the number of rows, and only the first one joins
the unit's party rows (which grow with every case the unit ever had) with the cases:

1. the unit's open cases, a few columns each: the counts per state, the filters, the page
   count and the candidates for the urgent and waiting lists all come from it;
2. the cases with notices to the unit that no one has acknowledged, counted per case
   (the navigation shows the total too);
3. the page of the table, as primary keys, sorted by the database (names in its collation);
4. the cases shown anywhere on the page, by primary key, with their patients;
5. the newest unacknowledged notices;
6. the expected-date events (deadline D5) of the cases whose deadlines are shown.

Deadlines are computed only for rows that show them (the table and the urgent list).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from django.core.paginator import Page, Paginator
from django.db import connection, models
from django.db.models import BooleanField, Count, F, Q, When
from django.db.models import Case as SqlCase
from django.db.models.expressions import RawSQL
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from brygga.core.actor import Actor
from brygga.patients.models import Patient

from .access import active_cases
from .deadlines import Deadline, DeadlinePolicy
from .models import (
    OPEN_STATES,
    Case,
    CaseEvent,
    CaseEventType,
    CaseKind,
    CaseState,
    NoticeRecipient,
)
from .presentation import (
    URGENT,
    case_deadlines,
    days_waited,
    deadline_policy,
    expected_date_events,
)

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
MAX_ROWS = 50  # unacknowledged notices shown at most (the filter shows every such case)
MAX_LIST = 50  # patients waiting, and urgent cases, shown at most (the filters show all)
PAGE_SIZE = 50


STATE_LABELS = dict(CaseState.choices)
EVENT_LABELS = dict(CaseEventType.choices)

# Cases that may have a deadline due today or overdue: D1 not sent, D2 not called though
# needed, D4 not transferred at discharge. (D3 and D5 are never "due today" on an open case.)
MAY_BE_URGENT = Q(kind=CaseKind.STAY) & (
    Q(admission_notice_at__isnull=True)
    | Q(sip_needed=True, ready_at__isnull=False, sip_called_at__isnull=True)
    | Q(discharged_at__isnull=False, planning_information_at__isnull=True)
)
WAITING = Q(ready_at__isnull=False, discharged_at__isnull=True)


@dataclass(frozen=True)
class OpenCase:
    """One of the unit's open cases, with only what the counts and the filters need."""

    pk: int
    state: str
    patient_id: int
    urgent_since: dt.datetime | None  # admitted_at if the case may be urgent
    waiting_since: dt.datetime | None  # ready_at if the patient waits as utskrivningsklar


class _CountedPaginator(Paginator):  # type: ignore[type-arg]
    """A paginator told its count (known from the unit's open cases) instead of asking."""

    def __init__(self, object_list: Any, per_page: int, *, count: int) -> None:
        super().__init__(object_list, per_page)
        self._known_count = count

    @cached_property
    def count(self) -> int:
        return self._known_count


def _among(model: type[models.Model], column: str, values: Collection[int]) -> Q | RawSQL:
    """`column IN values`, on PostgreSQL as one array parameter (`= ANY(%s)`).

    A busy unit's page passes hundreds of ids; as one parameter the statement stays short
    and psycopg does not parse and quote each of them on every request.
    """
    if connection.vendor != "postgresql":
        return Q(**{f"{column}__in": values})
    field = model._meta.get_field(column)
    if not isinstance(field, models.Field) or not field.column:
        raise ValueError(f"{column} is not a column of {model.__name__}")
    name = field.column
    quote = connection.ops.quote_name
    # Only quoted identifiers from the model go into the text; the values are a parameter.
    return RawSQL(  # noqa: S611
        f"{quote(model._meta.db_table)}.{quote(name)} = ANY(%s)",
        (list(values),),
        output_field=BooleanField(),
    )


def _minute(moment: dt.datetime) -> str:
    """As the template filter date:"Y-m-d H:i" shows it (local time), at a fraction of the cost:
    a busy unit's page shows a couple of hundred times."""
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


@dataclass
class Row:
    """A case as a row of the table or an item of the urgent and waiting lists. What the
    template shows is computed here, once, in plain Python."""

    case: Case
    url: str
    now: dt.datetime
    policy: DeadlinePolicy
    expected_date_events: Sequence[CaseEvent] = ()
    unacknowledged: int = 0

    @cached_property
    def deadlines(self) -> list[Deadline]:
        return case_deadlines(
            self.case, self.expected_date_events, now=self.now, policy=self.policy
        )

    @cached_property
    def urgent(self) -> list[Deadline]:
        return [d for d in self.deadlines if d.status in URGENT]

    @cached_property
    def days_waited(self) -> int | None:
        return days_waited(self.case, now=self.now)

    @property
    def state_label(self) -> str:
        return str(STATE_LABELS[self.case.state])

    @cached_property
    def name(self) -> str:
        return self.case.patient.full_name

    @cached_property
    def identity(self) -> str:
        return self.case.patient.identity.display()

    @cached_property
    def admitted(self) -> str:
        return _minute(self.case.admitted_at)

    @cached_property
    def expected_discharge(self) -> str:
        day = self.case.expected_discharge_on
        return day.isoformat() if day is not None else "–"

    @cached_property
    def ready_since(self) -> str:
        return _minute(self.case.ready_at) if self.case.ready_at is not None else ""


@dataclass(frozen=True)
class NoticeRow:
    """An unacknowledged notice, as the worklist lists it."""

    notice: NoticeRecipient
    sent: str
    label: str
    url: str
    name: str
    identity: str
    author: str
    retracted: bool

    @classmethod
    def of(cls, notice: NoticeRecipient, *, prefix: str, labels: dict[str, str]) -> NoticeRow:
        event = notice.event
        patient = event.case.patient
        if event.type not in labels:
            labels[event.type] = str(EVENT_LABELS.get(event.type, event.type))
        return cls(
            notice=notice,
            sent=_minute(event.recorded_at),
            label=labels[event.type],
            url=f"{prefix}{event.case_id}/",
            name=patient.full_name,
            identity=patient.identity.display(),
            author=event.author_unit.name if event.author_unit is not None else "",
            retracted=event.retracted_at is not None,
        )


@dataclass
class Worklist:
    rows: list[Row]
    notices: list[NoticeRow]
    counts: dict[str, int]
    state: str
    sort: str
    view: str
    page: Page[int]  # the primary keys of the table's cases
    ready: list[Row] = field(default_factory=list)
    urgent: list[tuple[Row, Deadline]] = field(default_factory=list)
    list_limit: int = MAX_LIST
    # Exact totals (the lists above are capped).
    unacknowledged_total: int = 0
    cases_with_unacknowledged: int = 0
    waiting_total: int = 0
    urgent_capped: bool = False  # more cases may have urgent deadlines than the list shows

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
        state = state if state in OPEN_STATES else ""
        sort = sort if sort in SORTS else DEFAULT_SORT
        view = view if view in VIEWS else ""

        # 1. The unit's open cases: the only query that joins the unit's party rows.
        open_cases = [
            OpenCase(*values)
            for values in active_cases(actor)
            .filter(state__in=OPEN_STATES)
            .order_by()
            .annotate(
                urgent_since=SqlCase(When(MAY_BE_URGENT, then=F("admitted_at"))),
                waiting_since=SqlCase(When(WAITING, then=F("ready_at"))),
            )
            .values_list("pk", "state", "patient_id", "urgent_since", "waiting_since")
        ]
        counts = dict(Counter(c.state for c in open_cases))
        urgent_candidates = sorted(
            (c for c in open_cases if c.urgent_since is not None),
            key=lambda c: (c.urgent_since, c.pk),
        )
        waiting = sorted(
            (c for c in open_cases if c.waiting_since is not None),
            key=lambda c: (c.waiting_since, c.pk),
        )

        # 2. Unacknowledged notices to the unit, counted per case.
        unread = NoticeRecipient.objects.filter(
            unit=actor.unit, acknowledged_at__isnull=True, event__case__state__in=OPEN_STATES
        )
        pending: dict[int, int] = dict(
            unread.order_by()
            .values_list("event__case_id")
            .annotate(n=Count("pk"))
            .values_list("event__case_id", "n")
        )

        selected = [c for c in open_cases if not state or c.state == state]
        if view == "okvitterade":
            selected = [c for c in selected if c.pk in pending]
        elif view == "frister":
            selected = [c for c in selected if c.urgent_since is not None]
        elif view == "klara":
            selected = [c for c in selected if c.waiting_since is not None]

        # 3. The page of the table, sorted by the database. (The patients' ids let the
        # planner look up just these patients when sorting by name.)
        ordered = Case.objects.filter(_among(Case, "id", [c.pk for c in selected]))
        if sort.lstrip("-") == "namn":
            ordered = ordered.filter(_among(Case, "patient", {c.patient_id for c in selected}))
        shown = _CountedPaginator(
            ordered.order_by(*SORTS[sort], "pk").values_list("pk", flat=True),
            PAGE_SIZE,
            count=len(selected),
        ).get_page(page)
        page_ids = list(shown.object_list)
        urgent_ids = [c.pk for c in urgent_candidates[:MAX_LIST]]
        ready_ids = [c.pk for c in waiting[:MAX_LIST]]

        # 4. Every case the page shows, with its patient.
        wanted = {*page_ids, *urgent_ids, *ready_ids}
        by_pk = (
            {
                c.pk: c
                for c in Case.objects.filter(_among(Case, "id", wanted)).select_related("patient")
            }
            if wanted
            else {}
        )
        # (A case deleted since the first query is left out rather than failing the page.)
        page_ids, urgent_ids, ready_ids = (
            [pk for pk in ids if pk in by_pk] for ids in (page_ids, urgent_ids, ready_ids)
        )

        # 5. The newest unacknowledged notices.
        prefix = reverse("cases:worklist")
        labels: dict[str, str] = {}
        notices = [
            NoticeRow.of(notice, prefix=prefix, labels=labels)
            for notice in unread.select_related(
                "event__case__patient", "event__author_unit"
            ).order_by("-event__recorded_at", "-pk")[:MAX_ROWS]
        ]

        # 6. Expected-date events (deadline D5) of the cases whose deadlines are shown.
        with_deadlines = {pk for pk in [*page_ids, *urgent_ids] if by_pk[pk].kind == CaseKind.STAY}
        date_events: dict[int, list[CaseEvent]] = {}
        if with_deadlines:
            date_events = expected_date_events(_among(CaseEvent, "case", with_deadlines))

        policy = deadline_policy()
        rows: dict[int, Row] = {}

        def row(pk: int) -> Row:
            if pk not in rows:
                rows[pk] = Row(
                    case=by_pk[pk],
                    url=f"{prefix}{pk}/",
                    now=now,
                    policy=policy,
                    expected_date_events=date_events.get(pk, ()),
                    unacknowledged=pending.get(pk, 0),
                )
            return rows[pk]

        table = [row(pk) for pk in page_ids]
        if view == "frister":
            table = [r for r in table if r.urgent]
        urgent_rows = [row(pk) for pk in urgent_ids]
        return cls(
            rows=table,
            notices=notices,
            counts=counts,
            state=state,
            sort=sort,
            view=view,
            page=shown,
            ready=[row(pk) for pk in ready_ids],
            urgent=[(r, d) for r in urgent_rows for d in r.urgent],
            unacknowledged_total=sum(pending.values()),
            cases_with_unacknowledged=len(pending),
            waiting_total=len(waiting),
            urgent_capped=len(urgent_candidates) > MAX_LIST,
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
        for item in self.notices:
            case = item.notice.event.case
            seen.setdefault(case.patient_id, case.patient)
        return list(seen.values())

    def state_filters(self) -> list[tuple[str, object, int]]:
        return [
            (value, label, self.counts.get(value, 0))
            for value, label in CaseState.choices
            if value in OPEN_STATES
        ]
