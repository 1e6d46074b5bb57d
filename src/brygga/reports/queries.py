"""The follow-up figures computed in the database: one grouped query per page.

`follow_up(...)` runs one SQL query over the discharged stays of a period and returns a
count per group and month; every total on the page and in the CSV is a sum of those cells
in Python (a few thousand numbers at most). The counting rules are the pure functions in
`counting.py` (days as utskrivningsklar) and `brygga.cases.deadlines` (D1, D2), written
again here as SQL expressions; the tests check the two against each other.

Day arithmetic in SQL: `TruncDate(..., tzinfo=Europe/Stockholm)` gives the Swedish calendar
day on SQLite and PostgreSQL alike, and `DayDiff` subtracts two such days as an integer.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Hashable, Iterator
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from django.db import connection, transaction
from django.db.models import (
    Case,
    Count,
    DateTimeField,
    ExpressionWrapper,
    F,
    FilteredRelation,
    Func,
    IntegerField,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, ExtractMonth, ExtractYear, Greatest, TruncDate
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from brygga.cases.deadlines import DeadlinePolicy
from brygga.cases.models import CareKind, CaseParty, PartyRole
from brygga.core.calendar import DayKind, add_days
from brygga.directory.models import Organisation, OrganisationKind, Unit

from .access import Scope, stays_in_scope
from .counting import STOCKHOLM, Indicators, suppress

__all__ = [
    "Counts",
    "FollowUp",
    "Grouping",
    "Month",
    "Period",
    "follow_up",
]


# --- Periods -------------------------------------------------------------------------------------


@dataclass(frozen=True, order=True)
class Month:
    year: int
    month: int

    def __post_init__(self) -> None:
        if not 1 <= self.month <= 12:
            raise ValueError(f"month {self.month}")

    @classmethod
    def of(cls, day: dt.date) -> Month:
        return cls(day.year, day.month)

    @classmethod
    def parse(cls, text: str) -> Month:
        """'2025-03' -> Month(2025, 3); ValueError otherwise."""
        year, month = text.strip().split("-")
        if len(year) != 4 or len(month) != 2:
            raise ValueError(text)
        return cls(int(year), int(month))

    def next(self) -> Month:
        return Month(self.year + self.month // 12, self.month % 12 + 1)

    def minus(self, months: int) -> Month:
        index = self.year * 12 + self.month - 1 - months
        return Month(index // 12, index % 12 + 1)

    @property
    def first_day(self) -> dt.date:
        return dt.date(self.year, self.month, 1)

    @property
    def starts_at(self) -> dt.datetime:
        """Midnight on the first, Swedish time."""
        return dt.datetime.combine(self.first_day, dt.time(), tzinfo=STOCKHOLM)

    @property
    def iso(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def label(self) -> str:
        """'mars 2025'."""
        return f"{MONTH_NAMES[self.month - 1]} {self.year}"

    @property
    def short_label(self) -> str:
        """'mar 2025' (chart axes)."""
        return f"{MONTH_NAMES[self.month - 1][:3]} {self.year}"

    def __str__(self) -> str:
        return self.iso


MONTH_NAMES = (
    "januari", "februari", "mars", "april", "maj", "juni",
    "juli", "augusti", "september", "oktober", "november", "december",
)  # fmt: skip


@dataclass(frozen=True)
class Period:
    first: Month
    last: Month

    def __post_init__(self) -> None:
        if self.last < self.first:
            raise ValueError("the period ends before it starts")

    @property
    def months(self) -> list[Month]:
        months, month = [], self.first
        while month <= self.last:
            months.append(month)
            month = month.next()
        return months

    @property
    def starts_at(self) -> dt.datetime:
        return self.first.starts_at

    @property
    def ends_at(self) -> dt.datetime:
        """Exclusive: midnight after the last day."""
        return self.last.next().starts_at

    @property
    def label(self) -> str:
        if self.first == self.last:
            return self.first.label
        return f"{self.first.label} – {self.last.label}"


# --- Grouping ------------------------------------------------------------------------------------


class Grouping:
    MUNICIPALITY = "kommun"
    HOSPITAL = "sjukhus"
    UNIT = "enhet"

    CHOICES = (
        (MUNICIPALITY, gettext_lazy("Kommun")),
        (HOSPITAL, gettext_lazy("Sjukhus")),
        (UNIT, gettext_lazy("Enhet (avdelning)")),
    )
    LABELS = dict(CHOICES)


class DayDiff(Func):
    """The number of days from one date expression to another (later − earlier), an integer.

    PostgreSQL (and standard SQL) subtracts dates to an integer; SQLite needs julianday().
    """

    output_field = IntegerField()
    arity = 2
    template = "(%(expressions)s)"
    arg_joiner = " - "

    def as_sqlite(self, compiler: Any, connection: Any, **extra_context: Any) -> Any:
        return self.as_sql(
            compiler,
            connection,
            template="CAST(julianday(%(expressions)s) AS INTEGER)",
            arg_joiner=") - julianday(",
            **extra_context,
        )


def _local_day(name: str) -> TruncDate:
    return TruncDate(name, tzinfo=STOCKHOLM)


# --- The counts ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Counts:
    """What one cell of the tables counts (a group and month, or a sum of such cells)."""

    discharged: int = 0
    ready_stays: int = 0
    ready_days: int = 0
    d1_met: int = 0
    d1_measured: int = 0
    d2_met: int = 0
    d2_measured: int = 0

    def __add__(self, other: Counts) -> Counts:
        return Counts(
            self.discharged + other.discharged,
            self.ready_stays + other.ready_stays,
            self.ready_days + other.ready_days,
            self.d1_met + other.d1_met,
            self.d1_measured + other.d1_measured,
            self.d2_met + other.d2_met,
            self.d2_measured + other.d2_measured,
        )

    @property
    def indicators(self) -> Indicators:
        return Indicators(self.discharged, self.ready_stays, self.ready_days)

    @property
    def mean_days(self) -> float | None:
        return self.indicators.mean_days

    @property
    def d1_rate(self) -> float | None:
        return self.d1_met / self.d1_measured if self.d1_measured else None

    @property
    def d2_rate(self) -> float | None:
        return self.d2_met / self.d2_measured if self.d2_measured else None

    @property
    def indicator_base(self) -> int:
        """The smallest non-zero number of stays a figure in the indicator table rests on."""
        return min((n for n in (self.discharged, self.ready_stays) if n > 0), default=0)


GroupKey = Hashable  # a unit id, (parent id, organisation id), a municipality code or None


@dataclass
class FollowUp:
    """The counts of one query: per (group, month), with labels and the hidden cells."""

    period: Period
    care_kind: str
    grouping: str
    scope: Scope
    cells: dict[tuple[GroupKey, Month], Counts]
    labels: dict[GroupKey, tuple[str, str]]  # (name, identifier)
    min_count: int
    today: dt.date
    _hidden: dict[str, set[tuple[Any, Any]]] = field(default_factory=dict)

    # Sums, each computed once in one pass over the cells.

    @cached_property
    def _totals(self) -> tuple[dict[GroupKey, Counts], dict[Month, Counts], Counts]:
        by_group: dict[GroupKey, Counts] = {}
        by_month: dict[Month, Counts] = {}
        total = Counts()
        for (g, m), counts in self.cells.items():
            by_group[g] = by_group.get(g, Counts()) + counts
            by_month[m] = by_month.get(m, Counts()) + counts
            total += counts
        return by_group, by_month, total

    def group_total(self, key: GroupKey) -> Counts:
        return self._totals[0].get(key, Counts())

    def month_total(self, month: Month) -> Counts:
        return self._totals[1].get(month, Counts())

    @property
    def total(self) -> Counts:
        return self._totals[2]

    @cached_property
    def groups(self) -> list[GroupKey]:
        """The groups with any stay, by name (unknown last)."""
        keys = {g for g, _m in self.cells}
        return sorted(keys, key=lambda k: (k is None, self.label(k).casefold()))

    @cached_property
    def months(self) -> list[Month]:
        return self.period.months

    def is_current(self, month: Month) -> bool:
        return month == Month.of(self.today)

    def label(self, key: GroupKey) -> str:
        return self.labels[key][0] if key in self.labels else str(UNKNOWN[self.grouping])

    def identifier(self, key: GroupKey) -> str:
        return self.labels[key][1] if key in self.labels else ""

    # Suppression: measure is "indicators", "d1" or "d2"; tables: "groups", "months", "cells".

    def hidden(self, measure: str, table: str) -> set[tuple[Any, Any]]:
        name = f"{measure}:{table}"
        if name not in self._hidden:
            self._hidden[name] = suppress(self._base(measure, table), min_count=self.min_count)
        return self._hidden[name]

    def _base(self, measure: str, table: str) -> dict[tuple[Any, Any], int]:
        def base(counts: Counts) -> int:
            if measure == "indicators":
                return counts.indicator_base
            return counts.d1_measured if measure == "d1" else counts.d2_measured

        if table == "groups":
            return {(g, None): base(self.group_total(g)) for g in self.groups}
        if table == "months":
            return {(m, None): base(self.month_total(m)) for m in self.months}
        return {
            (g, m): base(self.cells.get((g, m), Counts())) for g in self.groups for m in self.months
        }

    def is_hidden(self, measure: str, table: str, row: Any, column: Any = None) -> bool:
        return (row, column) in self.hidden(measure, table)

    def iter_cells(self) -> Iterator[tuple[GroupKey, Month, Counts]]:
        for g in self.groups:
            for m in self.months:
                yield g, m, self.cells.get((g, m), Counts())


UNKNOWN = {
    Grouping.MUNICIPALITY: gettext_lazy("Ingen kommun i ärendet"),
    Grouping.HOSPITAL: gettext_lazy("Okänt sjukhus"),
    Grouping.UNIT: gettext_lazy("Okänd enhet"),
}


def _base_queryset(scope: Scope, period: Period, care_kind: str) -> QuerySet[Any]:
    return stays_in_scope(scope).filter(
        care_kind=care_kind,
        discharged_at__gte=period.starts_at,
        discharged_at__lt=period.ends_at,
    )


def _group_fields(queryset: QuerySet[Any], grouping: str) -> tuple[QuerySet[Any], list[str]]:
    """Annotate the group key's fields. The ward is the inpatient party at discharge (a
    transfer moves the case; exactly one inpatient party is active at a time)."""
    if grouping == Grouping.MUNICIPALITY:
        # A case may have more than one municipal party (social services and home health
        # care, or several districts); they belong to one municipality. Take the first
        # party's unit here (an index lookup) and its municipality code in `_group_key`.
        unit = (
            CaseParty.objects.filter(case=OuterRef("pk"), role=PartyRole.MUNICIPALITY, active=True)
            .order_by("unit_id")
            .values("unit_id")[:1]
        )
        return queryset.annotate(g_municipal_unit=Subquery(unit)), ["g_municipal_unit"]
    queryset = queryset.annotate(
        ward=FilteredRelation(
            "parties", condition=Q(parties__role=PartyRole.INPATIENT, parties__active=True)
        )
    )
    if grouping == Grouping.HOSPITAL:
        return queryset.annotate(
            g_parent=F("ward__unit__parent_id"), g_org=F("ward__unit__organisation_id")
        ), ["g_parent", "g_org"]
    return queryset.annotate(g_unit=F("ward__unit_id")), ["g_unit"]


def _group_key(grouping: str, row: dict[str, Any], codes: dict[int, str]) -> GroupKey:
    if grouping == Grouping.MUNICIPALITY:
        return codes.get(row["g_municipal_unit"]) or None
    if grouping == Grouping.HOSPITAL:
        if row["g_parent"] is None and row["g_org"] is None:
            return None
        # The hospital is the ward's parent unit (the site); a ward without one is
        # counted under its organisation.
        return ("unit", row["g_parent"]) if row["g_parent"] else ("org", row["g_org"])
    return row["g_unit"]


def _labels(grouping: str, keys: set[GroupKey]) -> dict[GroupKey, tuple[str, str]]:
    """Each group's (name, identifier): municipality code, HSA-id or organisation number."""
    keys = {k for k in keys if k is not None}
    if grouping == Grouping.MUNICIPALITY:
        names = dict(
            Organisation.objects.filter(
                kind=OrganisationKind.MUNICIPALITY, municipality_code__in=keys
            ).values_list("municipality_code", "name")
        )
        return {
            code: (names.get(str(code)) or _("Kommunkod %(code)s") % {"code": code}, str(code))
            for code in keys
        }
    if grouping == Grouping.HOSPITAL:
        pairs: set[tuple[str, int]] = keys  # type: ignore[assignment]
        units = Unit.objects.in_bulk([pk for kind, pk in pairs if kind == "unit"])
        orgs = Organisation.objects.in_bulk([pk for kind, pk in pairs if kind == "org"])
        return {
            (kind, pk): (
                (units[pk].name, units[pk].hsa_id)
                if kind == "unit"
                else (orgs[pk].name, orgs[pk].org_number)
            )
            for kind, pk in pairs
        }
    wards = Unit.objects.in_bulk(list(keys))
    return {pk: (wards[pk].name, wards[pk].hsa_id) for pk in wards}


def _d2_conditions(
    queryset: QuerySet[Any], policy: DeadlinePolicy, now: dt.datetime
) -> tuple[QuerySet[Any], Q, Q]:
    """(queryset, met, measured) for D2 as `brygga.cases.deadlines` decides it: a kallelse by
    the due time is met, one after it is missed, none is missed once the due time has passed
    and left out while it has not."""
    applicable = Q(sip_needed=True, ready_at__isnull=False)
    if policy.sip_call_day_kind == DayKind.CALENDAR:
        queryset = queryset.annotate(
            d2_due=ExpressionWrapper(
                F("ready_at") + Value(dt.timedelta(days=policy.sip_call_days)),
                output_field=DateTimeField(),
            )
        )
        met = applicable & Q(sip_called_at__lte=F("d2_due"))
        missed = applicable & (
            Q(sip_called_at__gt=F("d2_due")) | Q(sip_called_at__isnull=True, d2_due__lt=now)
        )
        return queryset, met, met | missed
    # Working days: due at the end of the N-th working day after the notice's day. How many
    # calendar days that is depends only on the notice's day, so the days in question are
    # sorted by that offset (a handful of IN lists) and whole days are compared.
    first = queryset.filter(applicable).aggregate(first=Min(_local_day("ready_at")))["first"]
    by_offset: dict[int, list[dt.date]] = {}
    if first is not None:
        if isinstance(first, dt.datetime):  # pragma: no cover - backend differences
            first = first.date()
        last = max(first, now.astimezone(STOCKHOLM).date())
        day = first
        while day <= last:
            due = add_days(
                day,
                policy.sip_call_days,
                DayKind.WORKING,
                eves_are_holidays=policy.eves_are_holidays,
            )
            by_offset.setdefault((due - day).days, []).append(day)
            day += dt.timedelta(days=1)
    offset = Case(
        *(When(d2_ready_day__in=days, then=Value(k)) for k, days in sorted(by_offset.items())),
        default=Value(policy.sip_call_days),
        output_field=IntegerField(),
    )
    today = now.astimezone(STOCKHOLM).date()
    queryset = queryset.annotate(
        d2_ready_day=_local_day("ready_at"),
        d2_offset=offset,
        d2_called_after=DayDiff(_local_day("sip_called_at"), F("d2_ready_day")),
        d2_waited=DayDiff(Value(today), F("d2_ready_day")),
    )
    met = applicable & Q(d2_called_after__lte=F("d2_offset"))
    missed = applicable & (
        Q(d2_called_after__gt=F("d2_offset"))
        | Q(sip_called_at__isnull=True, d2_waited__gt=F("d2_offset"))
    )
    return queryset, met, met | missed


def follow_up(
    *,
    scope: Scope,
    period: Period,
    care_kind: str,
    grouping: str,
    policy: DeadlinePolicy,
    now: dt.datetime,
    min_count: int,
) -> FollowUp:
    """The counts per group and month of the stays discharged in the period (one query,
    two with D2 in working days, plus one for the group names)."""
    if care_kind not in CareKind.values:
        raise ValueError(care_kind)
    if grouping not in Grouping.LABELS:
        raise ValueError(grouping)
    queryset = _base_queryset(scope, period, care_kind)
    queryset, group_fields = _group_fields(queryset, grouping)
    d1_start = Greatest("admitted_at", Coalesce("assessed_at", "admitted_at"))
    queryset = queryset.annotate(
        days=DayDiff(_local_day("discharged_at"), _local_day("ready_at")),
        d1_due=ExpressionWrapper(
            d1_start + Value(dt.timedelta(hours=policy.admission_notice_hours)),
            output_field=DateTimeField(),
        ),
        y=ExtractYear("discharged_at", tzinfo=STOCKHOLM),
        m=ExtractMonth("discharged_at", tzinfo=STOCKHOLM),
    )
    queryset, d2_met, d2_measured = _d2_conditions(queryset, policy, now)
    ready = Q(days__gte=1)
    query = (
        queryset.order_by()
        .values(*group_fields, "y", "m")
        .annotate(
            n_discharged=Count("pk"),
            n_ready=Count("pk", filter=ready),
            n_days=Sum("days", filter=ready),
            n_d1_met=Count("pk", filter=Q(admission_notice_at__lte=F("d1_due"))),
            n_d2_met=Count("pk", filter=d2_met),
            n_d2_measured=Count("pk", filter=d2_measured),
        )
    )
    if connection.vendor == "postgresql":
        with transaction.atomic():
            # The planner's cost estimate of a year's stays passes PostgreSQL's JIT
            # threshold, and compiling costs more (~200 ms) than it saves here.
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL jit = off")
            rows = list(query)
    else:
        rows = list(query)
    codes: dict[int, str] = {}
    if grouping == Grouping.MUNICIPALITY:
        codes = dict(
            Unit.objects.filter(pk__in={r["g_municipal_unit"] for r in rows}).values_list(
                "pk", "municipality_code"
            )
        )
    cells: dict[tuple[GroupKey, Month], Counts] = {}
    for row in rows:
        key = (_group_key(grouping, row, codes), Month(int(row["y"]), int(row["m"])))
        counts = Counts(
            discharged=row["n_discharged"],
            ready_stays=row["n_ready"],
            ready_days=row["n_days"] or 0,
            d1_met=row["n_d1_met"],
            d1_measured=row["n_discharged"],  # D1 is decided for every discharged stay
            d2_met=row["n_d2_met"],
            d2_measured=row["n_d2_measured"],
        )
        cells[key] = cells.get(key, Counts()) + counts
    return FollowUp(
        period=period,
        care_kind=care_kind,
        grouping=grouping,
        scope=scope,
        cells=cells,
        labels=_labels(grouping, {g for g, _m in cells}),
        min_count=min_count,
        today=now.astimezone(STOCKHOLM).date(),
    )
