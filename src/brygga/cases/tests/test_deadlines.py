"""The LUS deadlines D1–D5: hand-worked examples on the real Swedish calendar, and properties.

No database: the rules are pure functions of the case's times, the policy and `now`.
Times are written in Swedish local time and handed over in UTC, as they are stored.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, time, timedelta
from typing import Any

import pytest
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from brygga.cases.deadlines import (
    STOCKHOLM,
    CaseTimes,
    Deadline,
    DeadlineId,
    DeadlinePolicy,
    DeadlineStatus,
    compliance,
    compute_deadlines,
    local_date,
)
from brygga.core.calendar import DayKind, is_working_day

MET = DeadlineStatus.MET
MISSED = DeadlineStatus.MISSED
DUE = DeadlineStatus.DUE
DUE_TODAY = DeadlineStatus.DUE_TODAY
OVERDUE = DeadlineStatus.OVERDUE
NOT_APPLICABLE = DeadlineStatus.NOT_APPLICABLE

LAW = DeadlinePolicy()
WORKING_DAYS = DeadlinePolicy(sip_call_day_kind=DayKind.WORKING)
WORKING_DAYS_EVES_OFF = DeadlinePolicy(sip_call_day_kind=DayKind.WORKING, eves_are_holidays=True)


@pytest.fixture(autouse=True)
def swedish() -> Iterator[None]:
    with translation.override("sv"):
        yield


def at(year: int, month: int, day: int, hour: int = 0, minute: int = 0, fold: int = 0) -> datetime:
    """A Swedish wall-clock time, as the UTC datetime the database would hold."""
    local = datetime(year, month, day, hour, minute, tzinfo=STOCKHOLM, fold=fold)
    return local.astimezone(UTC)


def end_of(year: int, month: int, day: int) -> datetime:
    return datetime(year, month, day, 23, 59, 59, 999999, tzinfo=STOCKHOLM).astimezone(UTC)


def case(**fields: Any) -> CaseTimes:
    fields.setdefault("admitted_at", at(2026, 11, 16, 8, 0))
    return CaseTimes(**fields)


def deadline(
    deadline_id: DeadlineId, times: CaseTimes, *, now: datetime, policy: DeadlinePolicy = LAW
) -> Deadline:
    found = {d.id: d for d in compute_deadlines(times, policy, now=now)}
    return found[deadline_id]


# --- The shape --------------------------------------------------------------------------------


def test_every_rule_is_reported_in_order_even_when_it_does_not_apply() -> None:
    deadlines = compute_deadlines(case(), LAW, now=at(2026, 11, 16, 9, 0))
    assert [d.id for d in deadlines] == ["D1", "D2", "D3", "D4", "D5"]
    assert [d.status for d in deadlines] == [DUE, NOT_APPLICABLE, DUE, DUE, NOT_APPLICABLE]
    assert [d.label for d in deadlines] == [
        "Inskrivningsmeddelande inom 24 timmar",
        "Kallelse till SIP inom 3 kalenderdagar",
        "Fast vårdkontakt utsedd före utskrivning",
        "Information överförd senast utskrivningsdagen",
        "Ändrat beräknat utskrivningsdatum meddelat inom 24 timmar",
    ]


def test_labels_follow_the_policy() -> None:
    policy = DeadlinePolicy(
        admission_notice_hours=1,
        sip_call_days=5,
        sip_call_day_kind=DayKind.WORKING,
        expected_date_notice_hours=4,
    )
    labels = [d.label for d in compute_deadlines(case(), policy, now=at(2026, 11, 16, 9, 0))]
    assert labels[0] == "Inskrivningsmeddelande inom 1 timme"
    assert labels[1] == "Kallelse till SIP inom 5 arbetsdagar"
    assert labels[4] == "Ändrat beräknat utskrivningsdatum meddelat inom 4 timmar"


def test_the_policy_refuses_negative_numbers_and_accepts_the_stored_day_kind() -> None:
    with pytest.raises(ValueError, match="sip_call_days"):
        DeadlinePolicy(sip_call_days=-1)
    assert DeadlinePolicy(sip_call_day_kind="working").sip_call_day_kind is DayKind.WORKING  # type: ignore[arg-type]


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError, match="admitted_at"):
        CaseTimes(admitted_at=datetime(2026, 11, 16, 8, 0))
    with pytest.raises(ValueError, match="expected_date_changes"):
        case(expected_date_changes=((datetime(2026, 11, 16, 8, 0), None),))
    with pytest.raises(ValueError, match="now"):
        compute_deadlines(case(), LAW, now=datetime(2026, 11, 16, 9, 0))


def test_compliance_for_reporting() -> None:
    def with_status(status: DeadlineStatus) -> Deadline:
        return Deadline(DeadlineId.D1, "x", None, None, status)

    assert compliance(with_status(MET)) is True
    assert compliance(with_status(MISSED)) is False
    assert compliance(with_status(OVERDUE)) is False
    assert compliance(with_status(DUE)) is None
    assert compliance(with_status(DUE_TODAY)) is None
    assert compliance(with_status(NOT_APPLICABLE)) is None


# --- D1 inskrivningsmeddelande ----------------------------------------------------------------

# Admitted Friday 2026-12-18 at 22:00: the notice is due Saturday 2026-12-19 at 22:00.
FRIDAY_NIGHT = case(admitted_at=at(2026, 12, 18, 22, 0))


@pytest.mark.parametrize(
    ("now", "status", "text"),
    [
        (at(2026, 12, 18, 23, 0), DUE, "Ska vara klar senast 2026-12-19 22:00"),
        (at(2026, 12, 19, 0, 0), DUE_TODAY, "Ska vara klar i dag senast 22:00"),
        (at(2026, 12, 19, 22, 0), DUE_TODAY, "Ska vara klar i dag senast 22:00"),
        (at(2026, 12, 19, 22, 1), OVERDUE, "Försenad sedan 2026-12-19 22:00"),
        (at(2026, 12, 21, 8, 0), OVERDUE, "Försenad sedan 2026-12-19 22:00"),
    ],
)
def test_d1_open(now: datetime, status: DeadlineStatus, text: str) -> None:
    d1 = deadline(DeadlineId.D1, FRIDAY_NIGHT, now=now)
    assert d1.due_at == at(2026, 12, 19, 22, 0)
    assert (d1.status, d1.text) == (status, text)


@pytest.mark.parametrize(
    ("sent_at", "status", "text"),
    [
        (at(2026, 12, 19, 21, 59), MET, "Klar 2026-12-19 21:59"),
        (at(2026, 12, 19, 22, 0), MET, "Klar 2026-12-19 22:00"),
        (
            at(2026, 12, 20, 8, 0),
            MISSED,
            "Missad: klar 2026-12-20 08:00, skulle vara klar senast 2026-12-19 22:00",
        ),
    ],
)
def test_d1_done(sent_at: datetime, status: DeadlineStatus, text: str) -> None:
    times = replace(FRIDAY_NIGHT, admission_notice_sent_at=sent_at)
    d1 = deadline(DeadlineId.D1, times, now=at(2026, 12, 22, 12, 0))
    assert (d1.done_at, d1.status, d1.text) == (sent_at, status, text)


def test_d1_runs_from_a_later_assessment() -> None:
    times = case(admitted_at=at(2026, 11, 16, 8, 0), assessed_at=at(2026, 11, 18, 14, 0))
    d1 = deadline(DeadlineId.D1, times, now=at(2026, 11, 18, 15, 0))
    assert d1.due_at == at(2026, 11, 19, 14, 0)
    assert d1.status == DUE


def test_d1_ignores_an_assessment_before_admission() -> None:
    times = case(admitted_at=at(2026, 11, 16, 8, 0), assessed_at=at(2026, 11, 15, 20, 0))
    assert deadline(DeadlineId.D1, times, now=at(2026, 11, 16, 9)).due_at == at(2026, 11, 17, 8)


def test_d1_is_missed_when_the_patient_leaves_without_a_notice() -> None:
    times = replace(FRIDAY_NIGHT, discharged_at=at(2026, 12, 19, 12, 0))
    d1 = deadline(DeadlineId.D1, times, now=at(2026, 12, 19, 13, 0))
    assert d1.status == MISSED
    assert d1.text == "Missad: skulle vara klar senast 2026-12-19 22:00"
    assert compliance(d1) is False


def test_d1_counts_elapsed_hours_when_summer_time_ends() -> None:
    # Saturday 2026-10-24 10:00 CEST; the clocks go back at 03:00 on Sunday 2026-10-25,
    # so 24 hours later the wall clock shows 09:00 CET.
    times = case(admitted_at=at(2026, 10, 24, 10, 0))
    d1 = deadline(DeadlineId.D1, times, now=at(2026, 10, 25, 8, 0))
    assert d1.due_at == at(2026, 10, 25, 9, 0)
    assert d1.due_at == datetime(2026, 10, 25, 8, 0, tzinfo=UTC)
    assert d1.text == "Ska vara klar i dag senast 09:00"


def test_d1_counts_elapsed_hours_when_summer_time_begins() -> None:
    # Saturday 2027-03-27 10:00 CET; the clocks go forward at 02:00 on Sunday 2027-03-28,
    # so 24 hours later the wall clock shows 11:00 CEST.
    times = case(admitted_at=at(2027, 3, 27, 10, 0))
    d1 = deadline(DeadlineId.D1, times, now=at(2027, 3, 27, 12, 0))
    assert d1.due_at == at(2027, 3, 28, 11, 0)
    assert d1.text == "Ska vara klar senast 2027-03-28 11:00"


def test_d1_from_the_repeated_hour_of_the_autumn_night() -> None:
    # 02:30 happens twice on 2026-10-25: first in CEST (00:30 UTC), then in CET (01:30 UTC).
    first = deadline(DeadlineId.D1, case(admitted_at=at(2026, 10, 25, 2, 30)), now=at(2026, 10, 25))
    second = deadline(
        DeadlineId.D1, case(admitted_at=at(2026, 10, 25, 2, 30, fold=1)), now=at(2026, 10, 25)
    )
    assert first.due_at == datetime(2026, 10, 26, 0, 30, tzinfo=UTC)  # 01:30 CET
    assert second.due_at == datetime(2026, 10, 26, 1, 30, tzinfo=UTC)  # 02:30 CET


def test_d1_across_the_year_boundary() -> None:
    times = case(admitted_at=at(2026, 12, 31, 16, 0))
    d1 = deadline(DeadlineId.D1, times, now=at(2026, 12, 31, 17, 0))
    assert d1.due_at == at(2027, 1, 1, 16, 0)
    assert d1.text == "Ska vara klar senast 2027-01-01 16:00"


# --- D2 kallelse till SIP ---------------------------------------------------------------------

# Utskrivningsklar Wednesday 2026-12-23 at 11:00, support needed from region and municipality.
BEFORE_CHRISTMAS = case(
    admitted_at=at(2026, 12, 20, 9, 0), ready_at=at(2026, 12, 23, 11, 0), sip_needed=True
)


def test_d2_does_not_apply_without_a_need_for_sip_or_before_the_patient_is_ready() -> None:
    now = at(2026, 12, 23, 12, 0)
    no_sip = deadline(DeadlineId.D2, replace(BEFORE_CHRISTMAS, sip_needed=False), now=now)
    not_ready = deadline(DeadlineId.D2, replace(BEFORE_CHRISTMAS, ready_at=None), now=now)
    for d2 in (no_sip, not_ready):
        assert (d2.status, d2.due_at, d2.text) == (NOT_APPLICABLE, None, "Gäller inte")
        assert compliance(d2) is None


def test_d2_in_calendar_days_is_72_hours_after_the_notice() -> None:
    d2 = deadline(DeadlineId.D2, BEFORE_CHRISTMAS, now=at(2026, 12, 24, 9, 0))
    assert d2.due_at == at(2026, 12, 26, 11, 0)  # Saturday, annandag jul: no matter
    assert d2.text == "Ska vara klar senast 2026-12-26 11:00"


def test_d2_in_working_days_by_law_christmas_eve_is_a_working_day() -> None:
    # Thu 24 julafton (1), Fri 25 juldagen, Sat 26 annandag jul, Sun 27, Mon 28 (2),
    # Tue 29 (3): due at the end of Tuesday 2026-12-29.
    d2 = deadline(DeadlineId.D2, BEFORE_CHRISTMAS, now=at(2026, 12, 28, 9, 0), policy=WORKING_DAYS)
    assert d2.label == "Kallelse till SIP inom 3 arbetsdagar"
    assert d2.due_at == end_of(2026, 12, 29)
    assert d2.due_at.astimezone(STOCKHOLM).time() == time(23, 59, 59, 999999)
    assert d2.status == DUE
    assert d2.text == "Ska vara klar senast 2026-12-29"


def test_d2_in_working_days_by_the_historic_rule_christmas_eve_is_off() -> None:
    # Thu 24 julafton off, Fri 25, Sat 26, Sun 27 off, Mon 28 (1), Tue 29 (2), Wed 30 (3).
    d2 = deadline(
        DeadlineId.D2, BEFORE_CHRISTMAS, now=at(2026, 12, 28, 9), policy=WORKING_DAYS_EVES_OFF
    )
    assert d2.due_at == end_of(2026, 12, 30)


@pytest.mark.parametrize(
    ("now", "status", "text"),
    [
        (at(2026, 12, 29, 0, 0), DUE_TODAY, "Ska vara klar i dag"),
        (at(2026, 12, 29, 23, 59), DUE_TODAY, "Ska vara klar i dag"),
        (at(2026, 12, 30, 0, 0), OVERDUE, "Försenad: skulle vara klar senast 2026-12-29"),
    ],
)
def test_d2_in_working_days_is_open_until_the_day_is_over(
    now: datetime, status: DeadlineStatus, text: str
) -> None:
    d2 = deadline(DeadlineId.D2, BEFORE_CHRISTMAS, now=now, policy=WORKING_DAYS)
    assert (d2.status, d2.text) == (status, text)


def test_d2_met_late_on_the_last_day_and_missed_just_after_it() -> None:
    in_time = replace(BEFORE_CHRISTMAS, sip_called_at=at(2026, 12, 29, 23, 30))
    late = replace(BEFORE_CHRISTMAS, sip_called_at=at(2026, 12, 30, 0, 5))
    now = at(2027, 1, 8, 12, 0)
    assert deadline(DeadlineId.D2, in_time, now=now, policy=WORKING_DAYS).status == MET
    missed = deadline(DeadlineId.D2, late, now=now, policy=WORKING_DAYS)
    assert missed.status == MISSED
    assert missed.text == "Missad: klar 2026-12-30 00:05, skulle vara klar senast 2026-12-29"


def test_d2_working_days_do_not_count_the_notice_day_however_early() -> None:
    # Utskrivningsklar Monday 2026-11-23 at 07:00: Tue (1), Wed (2), Thu (3).
    times = case(ready_at=at(2026, 11, 23, 7, 0), sip_needed=True)
    d2 = deadline(DeadlineId.D2, times, now=at(2026, 11, 23, 8), policy=WORKING_DAYS)
    assert d2.due_at == end_of(2026, 11, 26)


def test_d2_the_notice_day_is_the_swedish_day_not_the_utc_day() -> None:
    # Monday 2026-11-23 00:30 in Stockholm is still Sunday 23:30 in UTC. Counting from the
    # Swedish day (Monday): Tue (1), Wed (2), Thu (3). From the UTC day it would be Wednesday.
    times = case(ready_at=at(2026, 11, 23, 0, 30), sip_needed=True)
    assert times.ready_at is not None and times.ready_at.date().isoweekday() == 7
    d2 = deadline(DeadlineId.D2, times, now=at(2026, 11, 23, 8), policy=WORKING_DAYS)
    assert d2.due_at == end_of(2026, 11, 26)


def test_d2_across_the_year_boundary() -> None:
    times = replace(BEFORE_CHRISTMAS, ready_at=at(2026, 12, 30, 10, 0))
    now = at(2026, 12, 30, 11, 0)
    # Thu 31 nyårsafton (1), Fri 1 nyårsdagen, Sat, Sun, Mon 4 (2), Tue 5 (3).
    assert deadline(DeadlineId.D2, times, now=now, policy=WORKING_DAYS).due_at == end_of(2027, 1, 5)
    # Eves off: Mon 4 (1), Tue 5 (2), Wed 6 trettondedag jul, Thu 7 (3).
    eves_off = deadline(DeadlineId.D2, times, now=now, policy=WORKING_DAYS_EVES_OFF)
    assert eves_off.due_at == end_of(2027, 1, 7)
    # Calendar days: Saturday 2027-01-02 10:00.
    assert deadline(DeadlineId.D2, times, now=now).due_at == at(2027, 1, 2, 10, 0)


def test_d2_when_summer_time_begins_at_easter_2027() -> None:
    # Utskrivningsklar Thursday 2027-03-25 12:00 CET.
    times = case(ready_at=at(2027, 3, 25, 12, 0), sip_needed=True)
    now = at(2027, 3, 25, 13, 0)
    # Calendar days: 72 elapsed hours; the clock skips an hour, so 13:00 CEST on Sunday.
    calendar_days = deadline(DeadlineId.D2, times, now=now)
    assert calendar_days.due_at == at(2027, 3, 28, 13, 0)
    # Working days: Fri 26 långfredagen, Sat, Sun 28 påskdagen, Mon 29 annandag påsk,
    # Tue 30 (1), Wed 31 (2), Thu 1 April (3); the end of that day is in summer time.
    working = deadline(DeadlineId.D2, times, now=now, policy=WORKING_DAYS)
    assert working.due_at == end_of(2027, 4, 1)
    assert working.due_at == datetime(2027, 4, 1, 21, 59, 59, 999999, tzinfo=UTC)


def test_d2_when_summer_time_ends_in_october_2026() -> None:
    # Utskrivningsklar Friday 2026-10-23 15:00 CEST.
    times = case(ready_at=at(2026, 10, 23, 15, 0), sip_needed=True)
    now = at(2026, 10, 23, 16, 0)
    # 72 elapsed hours: the clock goes back an hour, so 14:00 CET on Monday.
    assert deadline(DeadlineId.D2, times, now=now).due_at == at(2026, 10, 26, 14, 0)
    # Mon 26 (1), Tue 27 (2), Wed 28 (3), ending at 23:59:59.999999 CET = 22:59:59.999999 UTC.
    working = deadline(DeadlineId.D2, times, now=now, policy=WORKING_DAYS)
    assert working.due_at == datetime(2026, 10, 28, 22, 59, 59, 999999, tzinfo=UTC)


def test_d2_a_call_made_before_the_notice_counts_as_in_time() -> None:
    times = replace(BEFORE_CHRISTMAS, sip_called_at=at(2026, 12, 22, 9, 0))
    assert deadline(DeadlineId.D2, times, now=at(2026, 12, 23, 12, 0)).status == MET


def test_d2_stays_open_after_discharge_while_it_can_still_be_met_then_overdue() -> None:
    times = replace(BEFORE_CHRISTMAS, discharged_at=at(2026, 12, 23, 15, 0))
    assert deadline(DeadlineId.D2, times, now=at(2026, 12, 24, 9, 0)).status == DUE
    overdue = deadline(DeadlineId.D2, times, now=at(2026, 12, 27, 9, 0))
    assert overdue.status == OVERDUE
    assert overdue.text == "Försenad sedan 2026-12-26 11:00"


# --- D3 fast vårdkontakt ----------------------------------------------------------------------


def test_d3_before_discharge() -> None:
    now = at(2026, 11, 18, 9, 0)
    open_d3 = deadline(DeadlineId.D3, case(), now=now)
    assert (open_d3.status, open_d3.due_at) == (DUE, None)
    assert open_d3.text == "Ska vara klar före utskrivning"
    appointed = case(fast_vardkontakt_appointed_at=at(2026, 11, 17, 10, 15))
    met = deadline(DeadlineId.D3, appointed, now=now)
    assert (met.status, met.text) == (MET, "Klar 2026-11-17 10:15")


def test_d3_after_discharge() -> None:
    discharged = at(2026, 11, 20, 14, 0)
    now = at(2026, 11, 21, 9, 0)
    for appointed_at, status in [
        (at(2026, 11, 19, 10, 0), MET),
        (discharged, MET),
        (at(2026, 11, 20, 14, 1), MISSED),
        (None, MISSED),
    ]:
        times = case(discharged_at=discharged, fast_vardkontakt_appointed_at=appointed_at)
        d3 = deadline(DeadlineId.D3, times, now=now)
        assert (d3.due_at, d3.status) == (discharged, status)
    never = deadline(DeadlineId.D3, case(discharged_at=discharged), now=now)
    assert never.text == "Missad: skulle vara klar senast 2026-11-20 14:00"


# --- D4 information no later than the day of discharge ----------------------------------------

DISCHARGED_FRIDAY = case(discharged_at=at(2026, 11, 20, 10, 0))


def test_d4_before_discharge() -> None:
    now = at(2026, 11, 18, 9, 0)
    d4 = deadline(DeadlineId.D4, case(), now=now)
    assert (d4.status, d4.due_at, d4.text) == (DUE, None, "Ska vara klar senast utskrivningsdagen")
    sent = case(planning_information_sent_at=at(2026, 11, 17, 16, 0))
    assert deadline(DeadlineId.D4, sent, now=now).status == MET


@pytest.mark.parametrize(
    ("sent_at", "status"),
    [
        (at(2026, 11, 19, 9, 0), MET),
        (at(2026, 11, 20, 23, 59), MET),
        (at(2026, 11, 21, 0, 1), MISSED),
    ],
)
def test_d4_is_measured_against_the_end_of_the_discharge_day(
    sent_at: datetime, status: DeadlineStatus
) -> None:
    times = replace(DISCHARGED_FRIDAY, planning_information_sent_at=sent_at)
    d4 = deadline(DeadlineId.D4, times, now=at(2026, 11, 23, 9, 0))
    assert d4.due_at == end_of(2026, 11, 20)
    assert d4.status == status


def test_d4_not_sent() -> None:
    due_today = deadline(DeadlineId.D4, DISCHARGED_FRIDAY, now=at(2026, 11, 20, 15, 0))
    assert (due_today.status, due_today.text) == (DUE_TODAY, "Ska vara klar i dag")
    overdue = deadline(DeadlineId.D4, DISCHARGED_FRIDAY, now=at(2026, 11, 21, 8, 0))
    assert overdue.status == OVERDUE
    assert overdue.text == "Försenad: skulle vara klar senast 2026-11-20"


def test_d4_the_discharge_day_is_the_swedish_day() -> None:
    # Discharged 00:30 on Saturday 2026-11-21 in Stockholm, which is Friday 23:30 UTC.
    times = case(discharged_at=at(2026, 11, 21, 0, 30))
    d4 = deadline(DeadlineId.D4, times, now=at(2026, 11, 21, 9, 0))
    assert d4.due_at == end_of(2026, 11, 21)


def test_d4_on_the_long_autumn_day_and_the_short_spring_day() -> None:
    autumn = case(discharged_at=at(2026, 10, 25, 9, 0))  # 25 hours long
    spring = case(discharged_at=at(2027, 3, 28, 9, 0))  # 23 hours long
    d4_autumn = deadline(DeadlineId.D4, autumn, now=at(2026, 10, 25, 10))
    d4_spring = deadline(DeadlineId.D4, spring, now=at(2027, 3, 28, 10))
    assert d4_autumn.due_at == datetime(2026, 10, 25, 22, 59, 59, 999999, tzinfo=UTC)
    assert d4_spring.due_at == datetime(2027, 3, 28, 21, 59, 59, 999999, tzinfo=UTC)
    sent_late_evening = replace(autumn, planning_information_sent_at=at(2026, 10, 25, 23, 30))
    assert deadline(DeadlineId.D4, sent_late_evening, now=at(2026, 10, 26)).status == MET


def test_d4_across_the_year_boundary() -> None:
    times = case(
        discharged_at=at(2026, 12, 31, 15, 0), planning_information_sent_at=at(2027, 1, 1, 0, 0)
    )
    d4 = deadline(DeadlineId.D4, times, now=at(2027, 1, 2))
    assert d4.due_at == end_of(2026, 12, 31)
    assert d4.status == MISSED


# --- D5 changed expected date -----------------------------------------------------------------

CHANGED = at(2026, 11, 18, 10, 0)  # due 2026-11-19 10:00


def test_d5_does_not_apply_without_changes() -> None:
    assert deadline(DeadlineId.D5, case(), now=CHANGED).status == NOT_APPLICABLE


@pytest.mark.parametrize(
    ("notified_at", "now", "status", "text"),
    [
        (at(2026, 11, 18, 10, 20), at(2026, 11, 20), MET, "Klar 2026-11-18 10:20"),
        (
            at(2026, 11, 19, 10, 1),
            at(2026, 11, 20),
            MISSED,
            "Missad: klar 2026-11-19 10:01, skulle vara klar senast 2026-11-19 10:00",
        ),
        (None, at(2026, 11, 18, 11), DUE, "Ska vara klar senast 2026-11-19 10:00"),
        (None, at(2026, 11, 19, 8), DUE_TODAY, "Ska vara klar i dag senast 10:00"),
        (None, at(2026, 11, 19, 11), OVERDUE, "Försenad sedan 2026-11-19 10:00"),
    ],
)
def test_d5_one_change(
    notified_at: datetime | None, now: datetime, status: DeadlineStatus, text: str
) -> None:
    d5 = deadline(DeadlineId.D5, case(expected_date_changes=((CHANGED, notified_at),)), now=now)
    assert d5.due_at == at(2026, 11, 19, 10, 0)
    assert (d5.status, d5.text) == (status, text)


def test_d5_an_unsent_change_is_missed_once_the_patient_has_left() -> None:
    times = case(expected_date_changes=((CHANGED, None),), discharged_at=at(2026, 11, 18, 15))
    assert deadline(DeadlineId.D5, times, now=at(2026, 11, 18, 16)).status == MISSED


def test_d5_reports_the_worst_change() -> None:
    late = (at(2026, 11, 17, 9, 0), at(2026, 11, 18, 12, 0))  # due 11-18 09:00: missed
    pending = (at(2026, 11, 19, 9, 0), None)  # due 11-20 09:00
    on_time = (at(2026, 11, 16, 9, 0), at(2026, 11, 16, 9, 30))
    times = case(expected_date_changes=(pending, late, on_time))
    missed = deadline(DeadlineId.D5, times, now=at(2026, 11, 19, 10, 0))
    assert (missed.status, missed.due_at) == (MISSED, at(2026, 11, 18, 9, 0))
    # Once the pending one is late as well, the open one is what the worklist must show.
    overdue = deadline(DeadlineId.D5, times, now=at(2026, 11, 20, 10, 0))
    assert (overdue.status, overdue.due_at) == (OVERDUE, at(2026, 11, 20, 9, 0))
    assert compliance(overdue) is False


def test_d5_a_notice_about_a_later_change_also_tells_the_earlier_one() -> None:
    # The ward changes the date at 10:00 and again at 10:30, then sends one notice at 10:35.
    times = case(
        expected_date_changes=(
            (at(2026, 11, 18, 10, 0), None),
            (at(2026, 11, 18, 10, 30), at(2026, 11, 18, 10, 35)),
        )
    )
    d5 = deadline(DeadlineId.D5, times, now=at(2026, 11, 20))
    assert (d5.status, d5.done_at) == (MET, at(2026, 11, 18, 10, 35))


def test_d5_hours_are_configurable() -> None:
    policy = DeadlinePolicy(expected_date_notice_hours=4)
    times = case(expected_date_changes=((CHANGED, at(2026, 11, 18, 14, 30)),))
    d5 = deadline(DeadlineId.D5, times, now=at(2026, 11, 20), policy=policy)
    assert (d5.due_at, d5.status) == (at(2026, 11, 18, 14, 0), MISSED)


def test_d5_lists_are_accepted_and_kept_as_tuples() -> None:
    times = CaseTimes(admitted_at=CHANGED, expected_date_changes=[[CHANGED, None]])  # type: ignore[arg-type]
    assert times.expected_date_changes == ((CHANGED, None),)
    hash(times)


# --- Properties -------------------------------------------------------------------------------

moments = st.datetimes(
    min_value=datetime(2025, 1, 1), max_value=datetime(2028, 12, 31), timezones=st.just(UTC)
)
optional_moments = st.none() | moments
policies = st.builds(
    DeadlinePolicy,
    admission_notice_hours=st.integers(0, 96),
    sip_call_days=st.integers(0, 10),
    sip_call_day_kind=st.sampled_from(list(DayKind)),
    expected_date_notice_hours=st.integers(0, 96),
    eves_are_holidays=st.booleans(),
)
case_times = st.builds(
    CaseTimes,
    admitted_at=moments,
    assessed_at=optional_moments,
    admission_notice_sent_at=optional_moments,
    ready_at=optional_moments,
    sip_needed=st.booleans(),
    sip_called_at=optional_moments,
    fast_vardkontakt_appointed_at=optional_moments,
    discharged_at=optional_moments,
    planning_information_sent_at=optional_moments,
    expected_date_changes=st.lists(st.tuples(moments, optional_moments), max_size=4).map(tuple),
)
OPEN_ORDER = {DUE: 0, DUE_TODAY: 1, OVERDUE: 2}


def start_of(d: Deadline, times: CaseTimes) -> list[datetime]:
    """The moments a deadline's due time may not come before."""
    if d.id == DeadlineId.D1:
        return [times.admitted_at] + ([times.assessed_at] if times.assessed_at else [])
    if d.id == DeadlineId.D2:
        return [times.ready_at] if times.ready_at else []
    if d.id in (DeadlineId.D3, DeadlineId.D4):
        return [times.discharged_at] if times.discharged_at else []
    return [min(changed for changed, _ in times.expected_date_changes)]


@given(case_times, policies, moments)
def test_due_times_are_never_before_their_start(
    times: CaseTimes, policy: DeadlinePolicy, now: datetime
) -> None:
    for d in compute_deadlines(times, policy, now=now):
        if d.due_at is not None:
            assert all(d.due_at >= start for start in start_of(d, times)), d


@given(case_times, policies, moments)
def test_met_exactly_when_done_by_the_due_time(
    times: CaseTimes, policy: DeadlinePolicy, now: datetime
) -> None:
    for d in compute_deadlines(times, policy, now=now):
        if d.status == MET:
            assert d.done_at is not None
        if d.done_at is not None and d.due_at is not None:
            assert (d.status == MET) == (d.done_at <= d.due_at), d
        if d.done_at is not None and d.status != NOT_APPLICABLE:
            assert d.status in (MET, MISSED)


@given(case_times, policies, moments, st.timedeltas(timedelta(0), timedelta(days=30)))
def test_moving_now_forward_never_makes_a_deadline_less_urgent(
    times: CaseTimes, policy: DeadlinePolicy, now: datetime, step: timedelta
) -> None:
    before = compute_deadlines(times, policy, now=now)
    after = compute_deadlines(times, policy, now=now + step)
    for earlier, later in zip(before, after, strict=True):
        assert earlier.id == later.id
        if earlier.status in OPEN_ORDER and later.status in OPEN_ORDER:
            assert OPEN_ORDER[later.status] >= OPEN_ORDER[earlier.status]
        elif earlier.id != DeadlineId.D5:
            # Done, missed or not applicable does not depend on the clock.
            assert earlier == later
        if earlier.status == OVERDUE:
            assert later.status == OVERDUE


@given(case_times, policies, moments)
def test_open_statuses_agree_with_the_clock(
    times: CaseTimes, policy: DeadlinePolicy, now: datetime
) -> None:
    for d in compute_deadlines(times, policy, now=now):
        if d.status == OVERDUE:
            assert d.due_at is not None and now > d.due_at
        if d.status == DUE_TODAY:
            assert d.due_at is not None and now <= d.due_at
            assert local_date(now) == local_date(d.due_at)
        if d.status == DUE and d.due_at is not None:
            assert local_date(now) < local_date(d.due_at)


@given(case_times, policies, moments)
def test_working_day_sip_calls_are_due_at_the_end_of_a_working_day(
    times: CaseTimes, policy: DeadlinePolicy, now: datetime
) -> None:
    d2 = compute_deadlines(times, policy, now=now)[1]
    if d2.due_at is not None and policy.sip_call_day_kind == DayKind.WORKING:
        local = d2.due_at.astimezone(STOCKHOLM)
        assert local.time() == time.max
        if policy.sip_call_days > 0:
            assert is_working_day(local.date(), eves_are_holidays=policy.eves_are_holidays)


@given(case_times, policies, moments)
def test_every_status_has_words(times: CaseTimes, policy: DeadlinePolicy, now: datetime) -> None:
    for d in compute_deadlines(times, policy, now=now):
        assert d.text and "None" not in d.text and "%(" not in d.text
        assert (compliance(d) is True) == (d.status == MET)
