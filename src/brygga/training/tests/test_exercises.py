"""The pure rule that decides when an exercise is done (``exercises.completed_at``)."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from brygga.cases.models import CaseEventType as E
from brygga.cases.models import PartyRole
from brygga.training.exercises import (
    ACKNOWLEDGED,
    EXERCISE_BY_KIND,
    EXERCISES,
    ExerciseKind,
    Fact,
    completed_at,
)

TRAINEE, OTHER = 7, 8
WARD, MUNICIPALITY = 100, 200
START = dt.datetime(2026, 3, 2, 7, 0, tzinfo=dt.UTC)
NOTICE = EXERCISE_BY_KIND[ExerciseKind.ADMISSION_NOTICE]


def at(minutes: int) -> dt.datetime:
    return START + dt.timedelta(minutes=minutes)


def done(*facts: Fact, spec: object = NOTICE, unit: int = WARD) -> dt.datetime | None:
    return completed_at(
        spec,  # type: ignore[arg-type]
        facts,
        trainee_id=TRAINEE,
        unit_id=unit,
        started_at=START,
    )


def test_the_admission_notice_sent_by_the_trainee_after_the_start_completes_it() -> None:
    assert done(Fact(E.ADMISSION_NOTICE, TRAINEE, WARD, at(12))) == at(12)


def test_nothing_done_yet() -> None:
    assert done() is None
    assert done(Fact(E.CASE_OPENED, OTHER, WARD, at(-90))) is None


def test_a_colleagues_notice_does_not_count() -> None:
    assert done(Fact(E.ADMISSION_NOTICE, OTHER, WARD, at(12))) is None


def test_a_notice_from_before_the_exercise_started_does_not_count() -> None:
    # E.g. sent before last night's reset, or by the scenario itself.
    assert done(Fact(E.ADMISSION_NOTICE, TRAINEE, WARD, at(-1))) is None
    assert done(Fact(E.ADMISSION_NOTICE, TRAINEE, WARD, at(0))) == at(0)


def test_acting_for_another_unit_does_not_count() -> None:
    assert done(Fact(E.ADMISSION_NOTICE, TRAINEE, MUNICIPALITY, at(12))) is None


def test_another_kind_of_event_does_not_count() -> None:
    assert done(Fact(E.MESSAGE, TRAINEE, WARD, at(12))) is None


def test_a_retracted_message_does_not_count_but_a_new_one_does() -> None:
    message = EXERCISE_BY_KIND[ExerciseKind.MESSAGE]
    retracted = Fact(E.MESSAGE, TRAINEE, MUNICIPALITY, at(5), retracted=True)
    assert done(retracted, spec=message, unit=MUNICIPALITY) is None
    again = Fact(E.MESSAGE, TRAINEE, MUNICIPALITY, at(9))
    assert done(retracted, again, spec=message, unit=MUNICIPALITY) == at(9)


def test_acknowledging_is_an_exercise_too() -> None:
    spec = EXERCISE_BY_KIND[ExerciseKind.ACKNOWLEDGE]
    assert done(Fact(ACKNOWLEDGED, TRAINEE, MUNICIPALITY, at(3)), spec=spec, unit=MUNICIPALITY)


def test_every_role_has_exercises_and_every_text_renders() -> None:
    assert {spec.role for spec in EXERCISES} == set(PartyRole)
    params = {
        "patient": "Agda Lundmark",
        "identity": "19400614-9803",
        "address": "Landsvägen 2, 172 66 Sundbyberg",
        "municipality": "Sundbybergs stad",
        "municipality_code": "0183",
        "listed": "Vårdcentral Sundbyberg",
    }
    for spec in EXERCISES:
        assert "Agda Lundmark" in spec.render_title(params)
        assert spec.render_instructions(params)


fact = st.builds(
    Fact,
    type=st.sampled_from([E.ADMISSION_NOTICE, E.MESSAGE, E.READY, ACKNOWLEDGED]),
    person_id=st.sampled_from([TRAINEE, OTHER, None]),
    unit_id=st.sampled_from([WARD, MUNICIPALITY, None]),
    at=st.integers(-600, 600).map(at),
    retracted=st.booleans(),
)


@given(st.lists(fact, max_size=12))
def test_done_exactly_when_a_qualifying_fact_exists_and_then_at_the_earliest(
    facts: list[Fact],
) -> None:
    qualifying = [
        f.at
        for f in facts
        if f.type == E.ADMISSION_NOTICE
        and f.person_id == TRAINEE
        and f.unit_id == WARD
        and f.at >= START
        and not f.retracted
    ]
    result = done(*facts)
    assert result == (min(qualifying) if qualifying else None)
    # Facts about other people never change the answer.
    assert done(*[f for f in facts if f.person_id == TRAINEE]) == result
