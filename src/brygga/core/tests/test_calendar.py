"""Swedish calendar arithmetic: hand-worked examples from the real calendar, and properties."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import holidays
import pytest
from hypothesis import given
from hypothesis import strategies as st

from brygga.core import calendar
from brygga.core.calendar import DayKind, add_days, days_between, holidays_in_year, is_working_day

WORKING = DayKind.WORKING
CALENDAR = DayKind.CALENDAR


# --- What the package gives us, pinned down --------------------------------------------------


def test_the_public_holidays_of_2026_are_the_thirteen_in_law_without_sundays_or_eves() -> None:
    assert dict(holidays_in_year(2026)) == {
        date(2026, 1, 1): "Nyårsdagen",
        date(2026, 1, 6): "Trettondedag jul",
        date(2026, 4, 3): "Långfredagen",
        date(2026, 4, 5): "Påskdagen",
        date(2026, 4, 6): "Annandag påsk",
        date(2026, 5, 1): "Första maj",
        date(2026, 5, 14): "Kristi himmelsfärdsdag",
        date(2026, 5, 24): "Pingstdagen",
        date(2026, 6, 6): "Nationaldagen",
        date(2026, 6, 20): "Midsommardagen",
        date(2026, 10, 31): "Alla helgons dag",
        date(2026, 12, 25): "Juldagen",
        date(2026, 12, 26): "Annandag jul",
    }


def test_with_eves_the_three_eves_are_added() -> None:
    extra = set(holidays_in_year(2026, eves_are_holidays=True)) - set(holidays_in_year(2026))
    assert extra == {date(2026, 6, 19), date(2026, 12, 24), date(2026, 12, 31)}


def test_the_package_leaves_sundays_out_unless_asked() -> None:
    # Swedish law makes every Sunday a public holiday; the package lists Sundays only with
    # include_sundays=True. We rely on weekdays for weekends, so either way is correct, but
    # an ordinary Sunday must not show up as a named holiday in our lists.
    ordinary_sunday = date(2026, 11, 22)
    assert ordinary_sunday not in holidays.Sweden(years=2026)
    assert ordinary_sunday in holidays.Sweden(years=2026, include_sundays=True)
    assert ordinary_sunday not in holidays_in_year(2026)
    assert not is_working_day(ordinary_sunday)


def test_years_the_package_does_not_know_are_refused_not_treated_as_holiday_free() -> None:
    assert calendar.FIRST_SUPPORTED_YEAR == 1953
    assert calendar.LAST_SUPPORTED_YEAR == 2100
    with pytest.raises(ValueError, match="2101"):
        is_working_day(date(2101, 1, 3))  # a Monday
    with pytest.raises(ValueError):
        add_days(date(2100, 12, 30), 5, WORKING)
    # Calendar days need no holidays.
    assert add_days(date(2100, 12, 30), 5, CALENDAR) == date(2101, 1, 4)


def test_holiday_lookups_are_cached_per_year(monkeypatch: pytest.MonkeyPatch) -> None:
    built: list[object] = []
    real_sweden = holidays.Sweden

    def counting_sweden(*args: Any, **kwargs: Any) -> holidays.HolidayBase:
        built.append(kwargs.get("years"))
        return real_sweden(*args, **kwargs)

    calendar.holidays_in_year.cache_clear()
    calendar._weekday_holidays.cache_clear()
    calendar._weekday_holiday_set.cache_clear()
    monkeypatch.setattr(calendar.holidays, "Sweden", counting_sweden)
    for _ in range(100):
        is_working_day(date(2031, 5, 29))
        days_between(date(2031, 1, 1), date(2031, 12, 31), WORKING)
    assert built == [2031]


# --- Working days, by hand --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "working", "working_with_eves"),
    [
        (date(2026, 12, 23), True, True),  # Wednesday
        (date(2026, 12, 24), True, False),  # julafton, Thursday: not a public holiday in law
        (date(2026, 12, 25), False, False),  # juldagen
        (date(2026, 12, 26), False, False),  # annandag jul, and a Saturday
        (date(2026, 12, 27), False, False),  # Sunday
        (date(2026, 12, 31), True, False),  # nyårsafton
        (date(2027, 1, 1), False, False),  # nyårsdagen
        (date(2027, 1, 6), False, False),  # trettondedag jul, Wednesday
        (date(2026, 6, 19), True, False),  # midsommarafton, Friday
        (date(2026, 5, 14), False, False),  # Kristi himmelsfärdsdag, Thursday
        (date(2027, 3, 26), False, False),  # långfredagen
        (date(2027, 3, 29), False, False),  # annandag påsk
        (date(2027, 6, 7), True, True),  # the Monday after nationaldagen (not a holiday)
    ],
)
def test_is_working_day(day: date, working: bool, working_with_eves: bool) -> None:
    assert is_working_day(day) is working
    assert is_working_day(day, eves_are_holidays=True) is working_with_eves


def test_three_working_days_from_the_day_before_christmas_eve() -> None:
    # Wed 2026-12-23. By law (eves are working days): Thu 24 (1), Fri 25 juldagen,
    # Sat 26, Sun 27, Mon 28 (2), Tue 29 (3).
    assert add_days(date(2026, 12, 23), 3, WORKING) == date(2026, 12, 29)
    # The historic rule (eves off): Mon 28 (1), Tue 29 (2), Wed 30 (3).
    assert add_days(date(2026, 12, 23), 3, WORKING, eves_are_holidays=True) == date(2026, 12, 30)
    # Calendar days: simply Sat 26.
    assert add_days(date(2026, 12, 23), 3, CALENDAR) == date(2026, 12, 26)


def test_working_days_across_the_year_boundary() -> None:
    # Wed 2026-12-30: Thu 31 (1), Fri 1 nyårsdagen, Mon 4 (2), Tue 5 (3).
    assert add_days(date(2026, 12, 30), 3, WORKING) == date(2027, 1, 5)
    # Eves off: Mon 4 (1), Tue 5 (2), Wed 6 trettondedag jul, Thu 7 (3).
    assert add_days(date(2026, 12, 30), 3, WORKING, eves_are_holidays=True) == date(2027, 1, 7)
    # Sun 2026-12-20 to Sun 2027-01-10: Dec 21 22 23 24 28 29 30 31, Jan 4 5 7 8.
    start, end = date(2026, 12, 20), date(2027, 1, 10)
    assert days_between(start, end, WORKING) == 12
    assert days_between(start, end, WORKING, eves_are_holidays=True) == 10
    assert days_between(start, end, CALENDAR) == 21


def test_easter_2027_falls_on_the_summer_time_weekend() -> None:
    # Thu 2027-03-25: Fri 26 långfredagen, Sat, Sun 28 påskdagen, Mon 29 annandag påsk,
    # so the first working day after is Tue 30.
    assert add_days(date(2027, 3, 25), 1, WORKING) == date(2027, 3, 30)
    assert add_days(date(2027, 3, 25), 3, WORKING) == date(2027, 4, 1)


def test_the_start_day_is_not_counted_even_if_it_is_a_holiday() -> None:
    assert add_days(date(2026, 12, 25), 1, WORKING) == date(2026, 12, 28)
    assert add_days(date(2026, 12, 26), 0, WORKING) == date(2026, 12, 26)
    assert days_between(date(2026, 12, 25), date(2026, 12, 28), WORKING) == 1


def test_days_between_is_zero_when_end_is_not_after_start() -> None:
    assert days_between(date(2026, 12, 29), date(2026, 12, 29), WORKING) == 0
    assert days_between(date(2026, 12, 29), date(2026, 12, 1), WORKING) == 0
    assert days_between(date(2026, 12, 29), date(2026, 12, 1), CALENDAR) == 0


def test_negative_days_count_backwards() -> None:
    assert add_days(date(2026, 12, 28), -1, WORKING) == date(2026, 12, 24)
    assert add_days(date(2026, 12, 28), -1, WORKING, eves_are_holidays=True) == date(2026, 12, 23)
    assert add_days(date(2026, 12, 28), -3, CALENDAR) == date(2026, 12, 25)


def test_the_kind_may_be_given_as_its_stored_value() -> None:
    assert add_days(date(2026, 12, 23), 3, DayKind("working")) == date(2026, 12, 29)


# --- Properties -------------------------------------------------------------------------------

dates = st.dates(min_value=date(1953, 1, 1), max_value=date(2099, 6, 30))
# Room to count up to 80 working days backwards without leaving the supported years.
later_dates = st.dates(min_value=date(1954, 1, 1), max_value=date(2099, 6, 30))
counts = st.integers(min_value=0, max_value=80)
kinds = st.sampled_from(list(DayKind))
eves = st.booleans()


def naive_add_working_days(start: date, days: int, eves_are_holidays: bool) -> date:
    day = start
    while days > 0:
        day += timedelta(days=1)
        if is_working_day(day, eves_are_holidays=eves_are_holidays):
            days -= 1
    return day


def naive_working_days_between(start: date, end: date, eves_are_holidays: bool) -> int:
    return sum(
        is_working_day(start + timedelta(days=offset), eves_are_holidays=eves_are_holidays)
        for offset in range(1, (end - start).days + 1)
    )


@given(dates, counts, eves)
def test_add_working_days_agrees_with_counting_one_day_at_a_time(
    start: date, days: int, eves_are_holidays: bool
) -> None:
    assert add_days(start, days, WORKING, eves_are_holidays=eves_are_holidays) == (
        naive_add_working_days(start, days, eves_are_holidays)
    )


@given(dates, st.integers(min_value=0, max_value=400), eves)
def test_days_between_agrees_with_counting_one_day_at_a_time(
    start: date, span: int, eves_are_holidays: bool
) -> None:
    end = start + timedelta(days=span)
    assert days_between(start, end, WORKING, eves_are_holidays=eves_are_holidays) == (
        naive_working_days_between(start, end, eves_are_holidays)
    )


@given(dates, counts, kinds, eves)
def test_add_days_is_never_before_its_start(
    start: date, days: int, kind: DayKind, eves_are_holidays: bool
) -> None:
    assert add_days(start, days, kind, eves_are_holidays=eves_are_holidays) >= start


@given(later_dates, st.integers(min_value=1, max_value=80), eves)
def test_working_day_arithmetic_lands_on_a_working_day(
    start: date, days: int, eves_are_holidays: bool
) -> None:
    result = add_days(start, days, WORKING, eves_are_holidays=eves_are_holidays)
    assert is_working_day(result, eves_are_holidays=eves_are_holidays)
    back = add_days(start, -days, WORKING, eves_are_holidays=eves_are_holidays)
    assert is_working_day(back, eves_are_holidays=eves_are_holidays)


@given(dates, counts, kinds, eves)
def test_one_more_day_is_strictly_later(
    start: date, days: int, kind: DayKind, eves_are_holidays: bool
) -> None:
    assert add_days(start, days + 1, kind, eves_are_holidays=eves_are_holidays) > add_days(
        start, days, kind, eves_are_holidays=eves_are_holidays
    )


@given(dates, counts, kinds, eves)
def test_days_between_undoes_add_days(
    start: date, days: int, kind: DayKind, eves_are_holidays: bool
) -> None:
    end = add_days(start, days, kind, eves_are_holidays=eves_are_holidays)
    assert days_between(start, end, kind, eves_are_holidays=eves_are_holidays) == days


@given(later_dates, st.integers(min_value=1, max_value=80), eves)
def test_counting_back_from_a_working_day_and_forward_again_returns_to_it(
    start: date, days: int, eves_are_holidays: bool
) -> None:
    working = add_days(start, 1, WORKING, eves_are_holidays=eves_are_holidays)
    back = add_days(working, -days, WORKING, eves_are_holidays=eves_are_holidays)
    assert add_days(back, days, WORKING, eves_are_holidays=eves_are_holidays) == working


@given(dates, st.integers(0, 200), st.integers(0, 200), kinds, eves)
def test_days_between_adds_up_over_consecutive_spans(
    start: date, first: int, second: int, kind: DayKind, eves_are_holidays: bool
) -> None:
    middle = start + timedelta(days=first)
    end = middle + timedelta(days=second)
    whole = days_between(start, end, kind, eves_are_holidays=eves_are_holidays)
    parts = days_between(start, middle, kind, eves_are_holidays=eves_are_holidays) + days_between(
        middle, end, kind, eves_are_holidays=eves_are_holidays
    )
    assert whole == parts


@given(dates)
def test_eves_only_ever_remove_working_days(start: date) -> None:
    if is_working_day(start, eves_are_holidays=True):
        assert is_working_day(start)
