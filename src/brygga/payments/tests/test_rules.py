"""The payment rules: hand-worked examples from the law and the agreements, and properties."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, time, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from brygga.payments.presets import (
    AVERAGE_MODEL,
    HISTORIC_WORKING_DAYS,
    STATUTORY_DEFAULT,
    STOCKHOLM_2020,
)
from brygga.payments.rules import (
    STOCKHOLM,
    AgreementTerms,
    AmountInfo,
    AverageStay,
    Precondition,
    StayFacts,
    Transfer,
    WithdrawnPeriod,
    average_model,
    compute_payment,
)

# The amounts seeded by the migration (DOMAIN.md §4); 2021 and later are deliberately absent.
SEEDED = {
    2019: AmountInfo(Decimal(7800)),
    2020: AmountInfo(Decimal(8200), confirmed=False),
    2022: AmountInfo(Decimal(9300)),
}
# For examples and properties that are about days, not about which years are known.
EVERY_YEAR = {year: AmountInfo(Decimal(1000)) for year in range(2018, 2032)}


def at(text: str) -> datetime:
    """Swedish local time 'YYYY-MM-DD HH:MM' as an aware datetime."""
    return datetime.strptime(text, "%Y-%m-%d %H:%M").replace(tzinfo=STOCKHOLM)


def stay(
    ready: str,
    discharged: str | None = None,
    *,
    care_kind: str = "somatic",
    admitted: str | None = None,
    **changes: object,
) -> StayFacts:
    ready_at = at(ready)
    admitted_at = at(admitted) if admitted else ready_at - timedelta(days=7)
    facts = StayFacts(
        case_id=1,
        care_kind=care_kind,
        admitted_at=admitted_at,
        admission_notice_at=admitted_at + timedelta(hours=2),
        ready_at=ready_at,
        ready_notice_reached_municipality=True,
        discharged_at=at(discharged) if discharged else None,
    )
    return replace(facts, **changes)  # type: ignore[arg-type]


def days(*isodates: str) -> tuple[date, ...]:
    return tuple(date.fromisoformat(d) for d in isodates)


NOW = at("2030-01-01 12:00")


# --- Hand-worked examples ------------------------------------------------------------------

# (name, terms, facts, amounts, expected payable days, expected amount or None)
EXAMPLES = [
    (
        "law: notice Monday 15:00, discharged Thursday — day 3 is the discharge day, free",
        STATUTORY_DEFAULT,
        stay("2022-03-07 15:00", "2022-03-10 10:00"),
        SEEDED,
        (),
        Decimal(0),
    ),
    (
        "law: three calendar days pass (Mon, Tue, Wed); Thursday and Friday are paid",
        STATUTORY_DEFAULT,
        stay("2022-03-07 15:00", "2022-03-12 09:00"),
        SEEDED,
        days("2022-03-10", "2022-03-11"),
        Decimal(18600),
    ),
    (
        "Stockholm 2020 somatic: notice 11:59 makes Monday day 0; paid from Thursday",
        STOCKHOLM_2020,
        stay("2022-03-07 11:59", "2022-03-11 14:00"),
        SEEDED,
        days("2022-03-10"),
        Decimal(9300),
    ),
    (
        "Stockholm 2020 somatic: notice 12:00 makes Tuesday day 0; paid from Friday",
        STOCKHOLM_2020,
        stay("2022-03-07 12:00", "2022-03-11 14:00"),
        SEEDED,
        (),
        Decimal(0),
    ),
    (
        "Stockholm 2020 psychiatry: five calendar days, paid from day 5",
        STOCKHOLM_2020,
        stay("2022-03-07 09:00", "2022-03-15 10:00", care_kind="psychiatric"),
        SEEDED,
        days("2022-03-12", "2022-03-13", "2022-03-14"),
        Decimal(27900),
    ),
    (
        "historic rule: five working days without eves and holidays over Christmas 2021",
        HISTORIC_WORKING_DAYS,
        # Thu 23 Dec day 0; Fri 24 eve, Mon 27 (1), Tue 28 (2), Wed 29 (3), Thu 30 (4),
        # Fri 31 eve, Sat 1 Jan holiday, Mon 3 (5): paid from Mon 3 Jan 2022.
        stay("2021-12-23 10:00", "2022-01-07 10:00"),
        SEEDED,
        days("2022-01-03", "2022-01-04", "2022-01-05", "2022-01-06"),
        Decimal(37200),
    ),
    (
        "year boundary: each day at its own year's amount (2019 and the unconfirmed 2020)",
        STOCKHOLM_2020,
        stay("2019-12-28 08:00", "2020-01-02 10:00"),
        SEEDED,
        days("2019-12-31", "2020-01-01"),
        Decimal(7800 + 8200),
    ),
    (
        "year boundary into a year without an amount: the total is unknown, never guessed",
        STOCKHOLM_2020,
        stay("2021-12-27 09:00", "2022-01-03 12:00"),
        SEEDED,
        days("2021-12-30", "2021-12-31", "2022-01-01", "2022-01-02"),
        None,
    ),
    (
        "återtagande: only the notice after the withdrawal starts the clock",
        STOCKHOLM_2020,
        stay(
            "2022-03-10 11:00",
            "2022-03-15 10:00",
            withdrawn=(WithdrawnPeriod(at("2022-03-01 09:00"), at("2022-03-06 22:00")),),
        ),
        SEEDED,
        days("2022-03-13", "2022-03-14"),
        Decimal(18600),
    ),
    (
        "transfer to another ward: the stay goes on, no new grace period",
        STOCKHOLM_2020,
        stay(
            "2022-03-07 10:00",
            "2022-03-12 10:00",
            transfers=(Transfer(at("2022-03-09 13:00"), "Avdelning 71"),),
        ),
        SEEDED,
        days("2022-03-10", "2022-03-11"),
        Decimal(18600),
    ),
    (
        "own agreed amount (e.g. Region Dalarna 12 000 kr) instead of the national one",
        replace(STATUTORY_DEFAULT, own_daily_amount=Decimal(12000)),
        stay("2023-05-02 10:00", "2023-05-07 10:00"),
        {},
        days("2023-05-05", "2023-05-06"),
        Decimal(24000),
    ),
]


@pytest.mark.parametrize(
    ("name", "terms", "facts", "amounts", "expected_days", "expected_amount"),
    EXAMPLES,
    ids=[example[0] for example in EXAMPLES],
)
def test_hand_worked_example(
    name: str,
    terms: AgreementTerms,
    facts: StayFacts,
    amounts: dict[int, AmountInfo],
    expected_days: tuple[date, ...],
    expected_amount: Decimal | None,
) -> None:
    result = compute_payment(facts, terms, amounts, now=NOW)
    assert result.payable_days == expected_days
    assert result.amount == expected_amount
    assert result.failed == ()


def test_a_missing_year_is_reported_and_the_known_year_still_priced() -> None:
    result = compute_payment(
        stay("2021-12-27 09:00", "2022-01-03 12:00"), STOCKHOLM_2020, SEEDED, now=NOW
    )
    assert result.missing_years == (2021,)
    by_year = {sub.year: sub for sub in result.subtotals}
    assert by_year[2021].amount is None and by_year[2021].days == 2
    assert by_year[2022].amount == Decimal(18600)


def test_an_unconfirmed_year_is_priced_and_flagged() -> None:
    result = compute_payment(
        stay("2020-03-02 08:00", "2020-03-07 08:00"), STOCKHOLM_2020, SEEDED, now=NOW
    )
    assert result.amount == Decimal(2 * 8200)
    assert result.unconfirmed_years == (2020,)


def test_reasons_name_the_cut_off_the_grace_period_and_the_withdrawn_period() -> None:
    facts = stay(
        "2022-03-10 13:30",
        "2022-03-16 10:00",
        withdrawn=(WithdrawnPeriod(at("2022-03-01 09:00"), at("2022-03-06 22:00")),),
    )
    text = " ".join(compute_payment(facts, STOCKHOLM_2020, SEEDED, now=NOW).reasons)
    assert "Region Stockholm 2020" in text
    assert "efter brytpunkten 12:00: dag 0 är 2022-03-11" in text
    assert "3 kalenderdagars karens: betalningsansvar från 2022-03-14" in text
    assert "återtogs 2022-03-06 22:00: perioden debiteras inte" in text
    assert "utskrivningsdagen debiteras inte" in text


# --- Preconditions -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "failed", "words"),
    [
        ({"admission_notice_at": None}, Precondition.ADMISSION_NOTICE, "Inget inskrivnings"),
        (
            {"admitted_at": at("2022-03-01 08:00"), "admission_notice_at": at("2022-03-02 14:00")},
            Precondition.ADMISSION_NOTICE,
            "30 timmar",
        ),
        ({"ready_notice_reached_municipality": False}, Precondition.READY_NOTICE, "nått kommunen"),
        ({"sip_needed": True}, Precondition.SIP_CALL, "kallelse till SIP"),
        (
            {"support_refused_at": at("2022-03-08 10:00")},
            Precondition.NO_REFUSAL,
            "avböjt kommunens stöd (2022-03-08 10:00)",
        ),
        (
            {"discharged_at": None, "cancelled_at": at("2022-03-14 10:00")},
            Precondition.NOT_CANCELLED,
            "avbröts",
        ),
    ],
)
def test_a_failed_precondition_makes_the_stay_free_and_says_which(
    changes: dict[str, object], failed: Precondition, words: str
) -> None:
    facts = replace(stay("2022-03-07 10:00", "2022-03-15 10:00"), **changes)  # type: ignore[arg-type]
    result = compute_payment(facts, STOCKHOLM_2020, SEEDED, now=NOW)
    assert failed in result.failed
    assert any(words in text for text in result.failed_text)
    assert result.payable_days == () and result.amount == 0
    assert result.withheld_days > 0


def test_admission_notice_in_time_is_measured_from_a_later_assessment() -> None:
    facts = replace(
        stay("2022-03-07 10:00", "2022-03-15 10:00"),
        admitted_at=at("2022-03-01 08:00"),
        assessed_at=at("2022-03-02 08:00"),
        admission_notice_at=at("2022-03-02 20:00"),
    )
    assert compute_payment(facts, STOCKHOLM_2020, SEEDED, now=NOW).failed == ()


def test_the_law_only_asks_that_an_admission_notice_was_sent_not_when() -> None:
    facts = replace(
        stay("2022-03-07 10:00", "2022-03-15 10:00"),
        admitted_at=at("2022-03-01 08:00"),
        admission_notice_at=at("2022-03-04 08:00"),
    )
    assert compute_payment(facts, STATUTORY_DEFAULT, SEEDED, now=NOW).failed == ()


def test_a_precondition_switched_off_by_the_agreement_is_not_checked() -> None:
    terms = replace(STOCKHOLM_2020, require_sip_call=False)
    facts = replace(stay("2022-03-07 10:00", "2022-03-15 10:00"), sip_needed=True)
    assert compute_payment(facts, terms, SEEDED, now=NOW).failed == ()


# --- Windows (months) and stays still going on ----------------------------------------------


def test_a_stay_still_going_on_is_paid_through_yesterday() -> None:
    facts = stay("2022-03-02 09:00")
    result = compute_payment(facts, STOCKHOLM_2020, SEEDED, now=at("2022-03-20 08:00"))
    assert result.payable_days[0] == date(2022, 3, 5)
    assert result.payable_days[-1] == date(2022, 3, 19)
    assert result.days == 15


def test_a_month_window_charges_only_that_months_days() -> None:
    facts = stay("2022-02-24 09:00", "2022-03-04 09:00")
    feb = compute_payment(
        facts, STOCKHOLM_2020, SEEDED, now=NOW, window=(date(2022, 2, 1), date(2022, 3, 1))
    )
    march = compute_payment(
        facts, STOCKHOLM_2020, SEEDED, now=NOW, window=(date(2022, 3, 1), date(2022, 4, 1))
    )
    assert feb.payable_days == days("2022-02-27", "2022-02-28")
    assert march.payable_days == days("2022-03-01", "2022-03-02", "2022-03-03")


# --- The average model ----------------------------------------------------------------------


def test_average_model_charges_the_excess_over_the_level() -> None:
    # Four stays with 0, 2, 5 and 7 days: 14 days, average 3.5 over level 3 → 14 − 3 × 4 = 2.
    result = average_model(
        [AverageStay(i, d) for i, d in enumerate([0, 2, 5, 7])],
        level=Decimal(3),
        year=2022,
        amounts=SEEDED,
    )
    assert (result.stays, result.total_days, result.average) == (4, 14, Decimal("3.50"))
    assert result.payable_days == Decimal(2)
    assert result.amount == Decimal(18600)


def test_average_model_below_the_level_costs_nothing() -> None:
    result = average_model(
        [AverageStay(i, d) for i, d in enumerate([1, 2, 3])],
        level=Decimal(3),
        year=2021,
        amounts=SEEDED,
    )
    assert result.payable_days == 0 and result.amount == 0
    assert result.missing_years == ()  # nothing to price, so 2021's gap does not matter


def test_average_model_stay_counts_days_from_day_zero_to_discharge() -> None:
    facts = stay("2022-03-07 13:00", "2022-03-11 10:00")  # after 12:00: day 0 is Tuesday
    window = (date(2022, 3, 1), date(2022, 4, 1))
    result = compute_payment(facts, AVERAGE_MODEL, SEEDED, now=NOW, window=window)
    assert result.days_as_ready == 3 and result.payable_days == ()
    same_day = stay("2022-03-07 09:00", "2022-03-07 15:00")
    assert (
        compute_payment(same_day, AVERAGE_MODEL, SEEDED, now=NOW, window=window).days_as_ready == 0
    )


# --- Properties -----------------------------------------------------------------------------

BASE = datetime(2021, 1, 1, tzinfo=STOCKHOLM)
moments = st.integers(min_value=0, max_value=60 * 24 * 800).map(
    lambda minutes: BASE + timedelta(minutes=minutes)
)
terms_strategy = st.sampled_from([STATUTORY_DEFAULT, STOCKHOLM_2020, HISTORIC_WORKING_DAYS])
care_kinds = st.sampled_from(["somatic", "psychiatric"])


@st.composite
def stays(draw: st.DrawFn) -> StayFacts:
    admitted = draw(moments)
    # Withdrawn periods, then the notice in force, then perhaps a discharge.
    cursor = admitted
    withdrawn = []
    for _ in range(draw(st.integers(0, 3))):
        notified = cursor + timedelta(minutes=draw(st.integers(0, 60 * 24 * 10)))
        taken_back = notified + timedelta(minutes=draw(st.integers(1, 60 * 24 * 10)))
        withdrawn.append(WithdrawnPeriod(notified, taken_back))
        cursor = taken_back
    ready = cursor + timedelta(minutes=draw(st.integers(1, 60 * 24 * 10)))
    discharged = draw(
        st.none() | st.integers(0, 60 * 24 * 60).map(lambda m: ready + timedelta(minutes=m))
    )
    return StayFacts(
        case_id=1,
        care_kind=draw(care_kinds),
        admitted_at=admitted,
        admission_notice_at=admitted + timedelta(hours=1),
        ready_at=ready,
        ready_notice_reached_municipality=True,
        withdrawn=tuple(withdrawn),
        discharged_at=discharged,
    )


NOW_AFTER_ALL = BASE + timedelta(days=1000)


@settings(max_examples=300, deadline=None)
@given(stays(), terms_strategy)
def test_days_and_amounts_are_never_negative(facts: StayFacts, terms: AgreementTerms) -> None:
    result = compute_payment(facts, terms, EVERY_YEAR, now=NOW_AFTER_ALL)
    assert result.days >= 0
    assert result.amount is not None and result.amount >= 0
    assert result.amount == sum(sub.amount or 0 for sub in result.subtotals)


@settings(max_examples=300, deadline=None)
@given(stays(), terms_strategy, st.integers(1, 60 * 24 * 30))
def test_a_later_discharge_never_gives_fewer_days(
    facts: StayFacts, terms: AgreementTerms, later_by: int
) -> None:
    assert facts.ready_at is not None
    discharged = facts.discharged_at or facts.ready_at
    earlier = replace(facts, discharged_at=discharged)
    later = replace(facts, discharged_at=discharged + timedelta(minutes=later_by))
    a = compute_payment(earlier, terms, EVERY_YEAR, now=NOW_AFTER_ALL)
    b = compute_payment(later, terms, EVERY_YEAR, now=NOW_AFTER_ALL)
    assert b.days >= a.days
    assert set(a.payable_days) <= set(b.payable_days)


@settings(max_examples=300, deadline=None)
@given(stays(), terms_strategy)
def test_withdrawn_periods_are_never_charged(facts: StayFacts, terms: AgreementTerms) -> None:
    assert facts.ready_at is not None
    result = compute_payment(facts, terms, EVERY_YEAR, now=NOW_AFTER_ALL)
    notice_day = facts.ready_at.astimezone(STOCKHOLM).date()
    for period in facts.withdrawn:
        withdrawn_day = period.withdrawn_at.astimezone(STOCKHOLM).date()
        # Every charged day lies after the withdrawal, in the period of the notice in force.
        assert all(day >= notice_day and day >= withdrawn_day for day in result.payable_days)
    # The same stay without its withdrawn periods is charged exactly the same.
    plain = compute_payment(replace(facts, withdrawn=()), terms, EVERY_YEAR, now=NOW_AFTER_ALL)
    assert plain.payable_days == result.payable_days


@settings(max_examples=200, deadline=None)
@given(stays(), terms_strategy)
def test_months_add_up_to_the_whole_stay(facts: StayFacts, terms: AgreementTerms) -> None:
    whole = compute_payment(facts, terms, EVERY_YEAR, now=NOW_AFTER_ALL)
    by_month: list[date] = []
    month = date(2021, 1, 1)
    while month < date(2024, 1, 1):
        following = (month + timedelta(days=32)).replace(day=1)
        part = compute_payment(
            facts, terms, EVERY_YEAR, now=NOW_AFTER_ALL, window=(month, following)
        )
        assert all(month <= day < following for day in part.payable_days)
        by_month += part.payable_days
        month = following
    assert tuple(by_month) == whole.payable_days


@settings(max_examples=200, deadline=None)
@given(stays(), st.sampled_from([None, time(12, 0), time(8, 0)]))
def test_a_cut_off_never_charges_more_than_no_cut_off(
    facts: StayFacts, cutoff: time | None
) -> None:
    without = compute_payment(facts, STATUTORY_DEFAULT, EVERY_YEAR, now=NOW_AFTER_ALL)
    with_cutoff = compute_payment(
        facts, replace(STATUTORY_DEFAULT, day_zero_cutoff=cutoff), EVERY_YEAR, now=NOW_AFTER_ALL
    )
    assert with_cutoff.days <= without.days
