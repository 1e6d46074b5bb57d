"""The counting rules by hand and by property: days as utskrivningsklar, the indicators and
the hiding of small numbers."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from brygga.reports.counting import Indicators, days_ready, rate, suppress

STOCKHOLM = ZoneInfo("Europe/Stockholm")
UTC = dt.UTC


def local(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=STOCKHOLM)


# --- Days as utskrivningsklar, worked by hand -----------------------------------------------


@pytest.mark.parametrize(
    ("ready", "discharged", "days"),
    [
        # Discharged the same day: 0 days, whatever the hours.
        ("2025-03-05 08:00", "2025-03-05 21:00", 0),
        # Monday 15:00 to Tuesday 10:00: one calendar day, though only 19 hours.
        ("2025-03-03 15:00", "2025-03-04 10:00", 1),
        # Late notice, early discharge: midnight passed once.
        ("2025-03-03 23:50", "2025-03-04 00:10", 1),
        # Monday 08:00 to Thursday 20:00: three days.
        ("2025-03-03 08:00", "2025-03-06 20:00", 3),
        # Across the start of summer time (30 March 2025, a 23-hour day): still whole days.
        ("2025-03-29 22:00", "2025-03-31 09:00", 2),
        # Across the end of summer time (26 October 2025, a 25-hour day).
        ("2025-10-25 23:30", "2025-10-26 23:30", 1),
        # Across New Year.
        ("2025-12-30 12:00", "2026-01-02 12:00", 3),
        # A discharge time entered before the notice: never negative.
        ("2025-03-05 12:00", "2025-03-03 12:00", 0),
    ],
)
def test_days_ready_by_hand(ready: str, discharged: str, days: int) -> None:
    assert days_ready(local(ready), local(discharged)) == days


def test_days_are_counted_in_swedish_time_not_utc() -> None:
    # 23:30 UTC on 1 January is 00:30 on 2 January in Stockholm: the notice day is the 2nd.
    ready = dt.datetime(2025, 1, 1, 23, 30, tzinfo=UTC)
    discharged = dt.datetime(2025, 1, 2, 22, 0, tzinfo=UTC)  # 23:00 on the 2nd in Stockholm
    assert days_ready(ready, discharged) == 0
    # In UTC that would be one day.
    assert (discharged.date() - ready.date()).days == 1


def test_no_valid_notice_or_no_discharge_gives_no_days() -> None:
    assert days_ready(None, local("2025-03-05 12:00")) is None
    assert days_ready(local("2025-03-05 12:00"), None) is None


def test_naive_times_are_refused() -> None:
    with pytest.raises(ValueError):
        days_ready(dt.datetime(2025, 3, 5, 12, 0), local("2025-03-06 12:00"))


def test_indicators_by_hand() -> None:
    """Five discharged stays: 0, 1, 3 days, one never utskrivningsklar, one 4 days."""
    stays = [
        (local("2025-03-05 08:00"), local("2025-03-05 18:00")),  # 0 days: not counted
        (local("2025-03-03 15:00"), local("2025-03-04 10:00")),  # 1
        (local("2025-03-03 08:00"), local("2025-03-06 20:00")),  # 3
        (None, local("2025-03-10 12:00")),  # never utskrivningsklar
        (local("2025-03-10 09:00"), local("2025-03-14 09:00")),  # 4
        (local("2025-03-10 09:00"), None),  # not discharged: not a stay that ended
    ]
    indicators = Indicators.of(stays)
    assert indicators == Indicators(discharged=5, ready_stays=3, ready_days=8)
    assert indicators.mean_days == pytest.approx(8 / 3)
    assert Indicators().mean_days is None


def test_rate() -> None:
    assert rate(9, 10) == 0.9
    assert rate(0, 0) is None
    with pytest.raises(ValueError):
        rate(3, 2)


# --- Days as utskrivningsklar, by property ---------------------------------------------------

moments = st.datetimes(
    min_value=dt.datetime(2019, 1, 1), max_value=dt.datetime(2030, 12, 31), timezones=st.just(UTC)
)


@given(moments, moments)
def test_days_are_the_difference_of_local_dates_and_never_negative(
    a: dt.datetime, b: dt.datetime
) -> None:
    days = days_ready(a, b)
    assert days is not None and days >= 0
    expected = (b.astimezone(STOCKHOLM).date() - a.astimezone(STOCKHOLM).date()).days
    assert days == max(0, expected)


@given(moments, moments, moments)
def test_days_add_up_over_a_stay_split_in_two(
    a: dt.datetime, b: dt.datetime, c: dt.datetime
) -> None:
    first, middle, last = sorted([a, b, c])
    assert days_ready(first, last) == (days_ready(first, middle) or 0) + (
        days_ready(middle, last) or 0
    )


@given(moments, st.integers(min_value=0, max_value=400))
def test_a_stay_of_n_whole_local_days_counts_n(start: dt.datetime, n: int) -> None:
    local_start = start.astimezone(STOCKHOLM)
    later_day = local_start.date() + dt.timedelta(days=n)
    end = dt.datetime.combine(later_day, dt.time(12, 0), tzinfo=STOCKHOLM)
    assert days_ready(start, end) == n


@given(st.lists(st.tuples(st.one_of(st.none(), moments), moments), max_size=30))
def test_indicators_sum_over_any_split(stays: list[tuple[dt.datetime | None, dt.datetime]]) -> None:
    half = len(stays) // 2
    whole = Indicators.of(stays)
    assert Indicators.of(stays[:half]) + Indicators.of(stays[half:]) == whole
    assert whole.ready_stays <= whole.discharged == len(stays)
    assert whole.ready_days >= whole.ready_stays
    if whole.mean_days is not None:
        assert whole.mean_days >= 1


# --- Hiding small numbers ----------------------------------------------------------------------


def test_small_cells_are_hidden_and_one_more_so_the_total_does_not_give_them_away() -> None:
    # A column of municipalities with a total: Sundbyberg's 3 is hidden; on its own it could
    # be worked out from the total, so the next smallest (Lidingö, 7) is hidden too.
    counts = {
        ("Solna", None): 40,
        ("Sundbyberg", None): 3,
        ("Lidingö", None): 7,
        ("Täby", None): 12,
    }
    assert suppress(counts, min_count=5) == {("Sundbyberg", None), ("Lidingö", None)}


def test_two_small_cells_need_no_more() -> None:
    counts = {("a", None): 40, ("b", None): 3, ("c", None): 2, ("d", None): 12}
    assert suppress(counts, min_count=5) == {("b", None), ("c", None)}


def test_zero_is_not_hidden_and_not_a_candidate() -> None:
    counts = {("a", None): 0, ("b", None): 3, ("c", None): 10}
    assert suppress(counts, min_count=5) == {("b", None), ("c", None)}


def test_nothing_small_nothing_hidden() -> None:
    assert suppress({("a", None): 5, ("b", None): 50}, min_count=5) == set()
    assert suppress({("a", None): 1}, min_count=0) == set()


def test_hiding_in_a_table_of_groups_and_months() -> None:
    counts = {
        ("Solna", "jan"): 20, ("Solna", "feb"): 2, ("Solna", "mar"): 30,
        ("Täby", "jan"): 15, ("Täby", "feb"): 18, ("Täby", "mar"): 25,
    }  # fmt: skip
    hidden = suppress(counts, min_count=5)
    assert ("Solna", "feb") in hidden
    # February's column and Solna's row each get a second hidden cell.
    assert sum(1 for key in hidden if key[1] == "feb") >= 2
    assert sum(1 for key in hidden if key[0] == "Solna") >= 2


grids = st.dictionaries(
    st.tuples(st.integers(0, 5), st.integers(0, 5)), st.integers(0, 30), max_size=36
)


@given(grids, st.integers(min_value=1, max_value=10))
def test_no_line_is_left_with_a_single_hidden_cell_that_its_total_would_reveal(
    counts: dict[tuple[int, int], int], min_count: int
) -> None:
    hidden = suppress(counts, min_count=min_count)  # type: ignore[arg-type]
    assert {k for k, n in counts.items() if 0 < n < min_count} <= hidden
    assert all(counts[k] > 0 for k in hidden)  # type: ignore[index]
    for axis in (0, 1):
        for line in {key[axis] for key in counts}:
            keys = [k for k in counts if k[axis] == line]
            hidden_here = [k for k in keys if k in hidden]
            shown_non_zero = [k for k in keys if k not in hidden and counts[k] > 0]
            assert len(hidden_here) != 1 or not shown_non_zero
