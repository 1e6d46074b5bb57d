"""How far trainees have come: each exercise with its status, computed from case events.

The only reader of exercises. Two queries gather the facts about the trainees' own actions in
their exercise patients' cases (events they recorded, notices they acknowledged); the pure
rule ``exercises.completed_at`` decides each exercise.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from brygga.audit.events import AuditEventType
from brygga.audit.models import AuditEntry
from brygga.cases.models import Case, CaseEvent, NoticeRecipient
from brygga.directory.models import Person
from brygga.patients.identity import IdentityKind, PatientIdentity

from .exercises import ACKNOWLEDGED, EXERCISE_BY_KIND, ExerciseSpec, Fact, completed_at
from .models import Exercise


@dataclass(frozen=True)
class ExerciseStatus:
    exercise: Exercise
    spec: ExerciseSpec
    title: str
    instructions: str
    done_at: dt.datetime | None
    case_id: int | None  # the patient's newest case, if there is one

    @property
    def done(self) -> bool:
        return self.done_at is not None


def _display(identity: str) -> str:
    if identity.isdigit() and len(identity) == 12 and not identity.startswith("99"):
        return PatientIdentity(identity, IdentityKind.PERSONNUMMER).display()
    return identity


def statuses_for(trainees: Sequence[Person]) -> dict[int, list[ExerciseStatus]]:
    """Every exercise of the given trainees, in order, keyed by the trainee's id."""
    exercises = list(Exercise.objects.filter(trainee__in=list(trainees)).select_related("unit"))
    identities = {exercise.patient_identity for exercise in exercises}
    people = [trainee.pk for trainee in trainees]
    facts: dict[str, list[Fact]] = defaultdict(list)
    events = CaseEvent.objects.filter(
        case__patient__identity_number__in=identities, author__in=people
    ).values_list(
        "case__patient__identity_number", "type", "author_id", "author_unit_id", "recorded_at",
        "retracted_at",
    )  # fmt: skip
    for identity, event_type, person, unit, at, retracted in events:
        facts[identity].append(Fact(event_type, person, unit, at, retracted is not None))
    acknowledgements = NoticeRecipient.objects.filter(
        event__case__patient__identity_number__in=identities, acknowledged_by__in=people
    ).values_list("event__case__patient__identity_number", "acknowledged_by_id", "unit_id",
                  "acknowledged_at")  # fmt: skip
    for identity, person, unit, acknowledged_at in acknowledgements:
        if acknowledged_at is not None:
            facts[identity].append(Fact(ACKNOWLEDGED, person, unit, acknowledged_at))
    newest_case = dict(
        Case.objects.filter(patient__identity_number__in=identities)
        .order_by("admitted_at", "pk")
        .values_list("patient__identity_number", "pk")
    )
    result: dict[int, list[ExerciseStatus]] = {pk: [] for pk in people}
    for exercise in exercises:
        spec = EXERCISE_BY_KIND[exercise.kind]
        params = {
            "patient": exercise.patient_name,
            "identity": _display(exercise.patient_identity),
            **exercise.details,
        }
        result[exercise.trainee_id].append(
            ExerciseStatus(
                exercise=exercise,
                spec=spec,
                title=spec.render_title(params),
                instructions=spec.render_instructions(params),
                done_at=completed_at(
                    spec,
                    facts[exercise.patient_identity],
                    trainee_id=exercise.trainee_id,
                    unit_id=exercise.unit_id,
                    started_at=exercise.assigned_at,
                ),
                case_id=newest_case.get(exercise.patient_identity),
            )
        )
    return result


@dataclass(frozen=True)
class LastReset:
    at: dt.datetime
    by: str
    trainees: int
    cases: int


def last_reset() -> LastReset | None:
    """The newest reset in the access log (the nightly timer or a training administrator)."""
    entry = (
        AuditEntry.objects.filter(event_type=AuditEventType.TRAINING_RESET)
        .order_by("-occurred_at", "-pk")
        .first()
    )
    if entry is None:
        return None
    details = entry.details or {}
    return LastReset(
        at=entry.occurred_at,
        by=str(details.get("requested_by_name") or ""),  # empty: the nightly command
        trainees=int(details.get("trainees", 0)),
        cases=int(details.get("cases", 0)),
    )
