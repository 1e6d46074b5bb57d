"""The counting rules of the follow-up figures, as pure functions (no database, no clock).

The SQL in `queries.py` computes the same figures in the database for a whole region-year at
once; the tests check it against these functions, case by case and in total.

**Days as utskrivningsklar** (``days_ready``), the rule shown on the statistics page:

- counted from the *last valid* utskrivningsklar notice — after an återtagande the clock
  starts again from the new notice (the case keeps only that one; a withdrawn notice with
  no new one means the patient was not utskrivningsklar when discharged: no days, and the
  stay is not among those counted);
- to the discharge (the time in the utskrivningsmeddelande);
- in whole **calendar days in Swedish local time**: the day of discharge minus the day of
  the notice. Discharged the same day: 0 days; notice on Monday at 15:00 and discharge on
  Tuesday at 10:00: 1 day. Times are compared as Europe/Stockholm dates, so summer time
  never adds or removes a day. This is how the worklist counts days waited and how the
  payment agreements count days (the notice day is day 0);
- never negative (a discharge time entered before the notice counts as 0 days).

**The national indicators** (DOMAIN.md §5) over the stays that *ended* (were discharged)
in the month: the number of stays where the patient was utskrivningsklar one day or more,
the sum of their days, and the mean (sum / number). Stays with 0 days are not among them,
but are counted as discharged stays.

**Deadline compliance** over the same discharged stays: D1 (inskrivningsmeddelande in
time) is decided for every one of them; D2 (kallelse till SIP in time) for those where a
SIP was needed and the patient was utskrivningsklar, and counts as missed only once its due
time has passed without a kallelse (an open deadline is left out). The rules themselves are
`brygga.cases.deadlines`; `compliance` there maps a deadline to met / not met / open.

**Small numbers** (`suppress`): a cell (a group in a period, or a group and a month) based
on fewer than `min_count` stays shows "färre än N" instead of the figures, because a small
count together with what a reader already knows can point out a patient. If a line of a
table (all groups of a month, or all months of a group, whose total is shown) would then
have exactly one hidden cell, the smallest other non-zero cell of that line is hidden too,
so that no hidden figure can be worked out from the total.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

__all__ = [
    "STOCKHOLM",
    "Indicators",
    "days_ready",
    "rate",
    "suppress",
]

STOCKHOLM = ZoneInfo("Europe/Stockholm")


def days_ready(ready_at: dt.datetime | None, discharged_at: dt.datetime | None) -> int | None:
    """Whole calendar days (Stockholm) from the last valid utskrivningsklar notice to discharge.

    None when the stay has no valid notice at discharge or is not discharged.
    """
    if ready_at is None or discharged_at is None:
        return None
    for name, moment in (("ready_at", ready_at), ("discharged_at", discharged_at)):
        if moment.tzinfo is None or moment.utcoffset() is None:
            raise ValueError(f"{name} must be an aware datetime, got {moment!r}")
    days = (discharged_at.astimezone(STOCKHOLM).date() - ready_at.astimezone(STOCKHOLM).date()).days
    return max(0, days)


@dataclass(frozen=True)
class Indicators:
    """The national figures for one cell: a group, a month or a whole period."""

    discharged: int = 0  # stays that ended (discharged) in the period
    ready_stays: int = 0  # of those, utskrivningsklar one day or more
    ready_days: int = 0  # their days as utskrivningsklar, summed

    @property
    def mean_days(self) -> float | None:
        return self.ready_days / self.ready_stays if self.ready_stays else None

    @classmethod
    def of(cls, stays: Iterable[tuple[dt.datetime | None, dt.datetime | None]]) -> Indicators:
        """From (ready_at, discharged_at) pairs of discharged stays: the reference the SQL
        aggregates are tested against."""
        discharged = ready_stays = ready_days = 0
        for ready_at, discharged_at in stays:
            if discharged_at is None:
                continue
            discharged += 1
            days = days_ready(ready_at, discharged_at)
            if days is not None and days >= 1:
                ready_stays += 1
                ready_days += days
        return cls(discharged, ready_stays, ready_days)

    def __add__(self, other: Indicators) -> Indicators:
        return Indicators(
            self.discharged + other.discharged,
            self.ready_stays + other.ready_stays,
            self.ready_days + other.ready_days,
        )


def rate(met: int, measured: int) -> float | None:
    """Share met, 0–1; None when nothing was measured."""
    if measured < 0 or not 0 <= met <= measured:
        raise ValueError(f"met {met} of {measured}?")
    return met / measured if measured else None


def suppress(counts: Mapping[tuple[Any, Any], int], *, min_count: int) -> set[tuple[Any, Any]]:
    """The cells to hide in a table of counts keyed (row, column).

    Primary: 0 < count < min_count. Secondary, repeated until nothing changes: in any row or
    column with exactly one hidden cell, also hide its smallest other non-zero cell (ties by
    key order), so that the hidden one cannot be worked out from the row's or column's total.
    A one-dimensional table is a single column: key its cells (row, None).
    """
    if min_count < 1:
        return set()
    hidden = {key for key, count in counts.items() if 0 < count < min_count}
    lines: dict[tuple[int, Any], list[tuple[Any, Any]]] = {}
    for key in counts:
        lines.setdefault((0, key[0]), []).append(key)
        lines.setdefault((1, key[1]), []).append(key)
    changed = bool(hidden)
    while changed:
        changed = False
        for keys in lines.values():
            if sum(1 for key in keys if key in hidden) != 1:
                continue
            candidates = [key for key in keys if key not in hidden and counts[key] > 0]
            if not candidates:
                continue
            smallest = min(candidates, key=lambda key: (counts[key], repr(key)))
            hidden.add(smallest)
            changed = True
    return hidden
