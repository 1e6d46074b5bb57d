"""Swedish calendar arithmetic: working days, public holidays, counting days.

Pure functions of dates; no clock, no database. The holidays come from the maintained
`holidays` package (`holidays.Sweden`), looked up once per year and kept in memory,
because deadline and payment rules call these functions in loops over many cases.

What counts as a non-working day, explicitly:

- **Saturdays and Sundays**, always, by weekday. Swedish law (lag 1989:253 om allmänna
  helgdagar) makes every Sunday a public holiday; the `holidays` package leaves Sundays out
  unless asked (`include_sundays=False` is its default, and we pass it explicitly), so
  weekends are handled here by weekday and the package supplies only the named days.
- **Public holidays** (*allmänna helgdagar*, the package's PUBLIC category): nyårsdagen,
  trettondedag jul, långfredagen, påskdagen, annandag påsk, första maj, Kristi
  himmelsfärdsdag, pingstdagen, nationaldagen, midsommardagen, alla helgons dag, juldagen,
  annandag jul.
- **Eves** (midsommarafton, julafton, nyårsafton) are *not* public holidays in law but are
  treated like Sundays in labour law and were non-working days in the historic (pre-2018)
  payment rule. They count as non-working only with ``eves_are_holidays=True`` (the
  package's DE_FACTO category).

The package knows Swedish holidays for the years 1953–2100 only and returns nothing
outside them; rather than silently treating such years as holiday-free, working-day
arithmetic there raises ``ValueError``. Calendar-day arithmetic works for any date.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Mapping
from datetime import date, timedelta
from functools import lru_cache
from types import MappingProxyType

import holidays
from django.db import models
from django.utils.translation import gettext_lazy as _

__all__ = [
    "FIRST_SUPPORTED_YEAR",
    "LAST_SUPPORTED_YEAR",
    "DayKind",
    "add_days",
    "days_between",
    "holidays_in_year",
    "is_working_day",
]

FIRST_SUPPORTED_YEAR: int = holidays.Sweden.start_year
LAST_SUPPORTED_YEAR: int = holidays.Sweden.end_year

_SATURDAY = 5  # date.weekday(): Monday 0 … Sunday 6


class DayKind(models.TextChoices):
    CALENDAR = "calendar", _("Kalenderdagar")
    WORKING = "working", _("Arbetsdagar")


@lru_cache(maxsize=512)
def holidays_in_year(year: int, *, eves_are_holidays: bool = False) -> Mapping[date, str]:
    """The Swedish public holidays of a year (plus the three eves if asked), with names.

    Sundays are not listed (see the module docstring): weekends are non-working by weekday.
    """
    if not FIRST_SUPPORTED_YEAR <= year <= LAST_SUPPORTED_YEAR:
        raise ValueError(
            f"Swedish holidays are known for {FIRST_SUPPORTED_YEAR}–{LAST_SUPPORTED_YEAR} "
            f"only, not for {year}"
        )
    categories = (holidays.PUBLIC, holidays.DE_FACTO) if eves_are_holidays else (holidays.PUBLIC,)
    calendar = holidays.Sweden(
        years=year, categories=categories, include_sundays=False, language="sv"
    )
    return MappingProxyType(dict(sorted(calendar.items())))


@lru_cache(maxsize=512)
def _weekday_holidays(year: int, eves_are_holidays: bool) -> tuple[date, ...]:
    """The non-working days of a year that fall on Monday–Friday, sorted (for bisect)."""
    return tuple(
        day
        for day in holidays_in_year(year, eves_are_holidays=eves_are_holidays)
        if day.weekday() < _SATURDAY
    )


@lru_cache(maxsize=512)
def _weekday_holiday_set(year: int, eves_are_holidays: bool) -> frozenset[date]:
    return frozenset(_weekday_holidays(year, eves_are_holidays))


def is_working_day(day: date, *, eves_are_holidays: bool = False) -> bool:
    """Monday–Friday and not a Swedish public holiday (nor, if asked, one of the three eves)."""
    if day.weekday() >= _SATURDAY:
        return False
    return day not in _weekday_holiday_set(day.year, eves_are_holidays)


def _weekdays_through(day: date) -> int:
    """How many Mondays–Fridays there are from 0001-01-01 (a Monday) through `day`."""
    weeks, rest = divmod(day.toordinal(), 7)
    return weeks * 5 + min(rest, 5)


def _nth_weekday(count: int) -> date:
    """The inverse of `_weekdays_through`: the day on which the count-th weekday falls."""
    weeks, rest = divmod(count, 7 - 2)
    return date.fromordinal(weeks * 7 + rest if rest else weeks * 7 - 2)


def _weekday_holidays_between(start: date, end: date, eves_are_holidays: bool) -> int:
    """How many weekday holidays d there are with start < d <= end."""
    total = 0
    for year in range(start.year, end.year + 1):
        days = _weekday_holidays(year, eves_are_holidays)
        total += bisect_right(days, end) - bisect_right(days, start)
    return total


def days_between(start: date, end: date, kind: DayKind, *, eves_are_holidays: bool = False) -> int:
    """How many days d of the given kind there are with start < d <= end (0 if end <= start).

    With CALENDAR this is simply ``(end - start).days``; ``eves_are_holidays`` only matters
    for WORKING days.
    """
    if end <= start:
        return 0
    if kind == DayKind.CALENDAR:
        return (end - start).days
    weekdays = _weekdays_through(end) - _weekdays_through(start)
    return weekdays - _weekday_holidays_between(start, end, eves_are_holidays)


def add_days(start: date, days: int, kind: DayKind, *, eves_are_holidays: bool = False) -> date:
    """The day `days` days of the given kind after `start`; `start` itself is not counted.

    CALENDAR: ``start + days``. WORKING: the `days`-th working day after `start` (so the
    result is always a working day when ``days > 0``, whatever `start` is); ``days == 0``
    gives `start` itself; a negative number counts backwards to the `-days`-th working day
    before `start`.
    """
    if kind == DayKind.CALENDAR:
        return start + timedelta(days=days)
    if days < 0:
        return _subtract_working_days(start, -days, eves_are_holidays)
    # Jump straight to the day that is `remaining` weekdays ahead; if holidays were among
    # the weekdays jumped over, jump again for the ones still missing. Every working day
    # is a weekday, so a jump never overshoots, and it always lands on a weekday.
    day, remaining = start, days
    while remaining > 0:
        target = _nth_weekday(_weekdays_through(day) + remaining)
        remaining -= days_between(day, target, kind, eves_are_holidays=eves_are_holidays)
        day = target
    return day


def _subtract_working_days(start: date, days: int, eves_are_holidays: bool) -> date:
    day, remaining = start, days
    while remaining > 0:
        day -= timedelta(days=1)
        if is_working_day(day, eves_are_holidays=eves_are_holidays):
            remaining -= 1
    return day
