"""The reset: empty the training database and load today's scenario, all or nothing."""

from __future__ import annotations

import datetime as dt
from io import StringIO
from typing import Any

import pytest
from django.contrib.sessions.models import Session
from django.core.management import CommandError, call_command
from django.db import DatabaseError
from django.utils import timezone

from brygga.audit.events import AuditEventType
from brygga.audit.models import AuditEntry
from brygga.cases import actions as case_actions
from brygga.cases.models import Case, CaseState
from brygga.core.actor import Actor
from brygga.demo.world import REGION_ORG_NUMBER
from brygga.directory.models import Commission, Organisation, Person, Role
from brygga.patients.identity import IdentityKind, PatientIdentity, accepted_in_training
from brygga.patients.models import Patient
from brygga.training import actions
from brygga.training.actions import (
    NotTrainingEnvironment,
    ResetFailed,
    reset_training_environment,
)
from brygga.training.models import Exercise
from brygga.training.scenario import trainees

from .conftest import trainee

pytestmark = pytest.mark.django_db


def test_the_command_refuses_outside_a_training_environment(demo: Any, settings: Any) -> None:
    settings.ENVIRONMENT = "demo"
    cases = Case.objects.count()
    with pytest.raises(CommandError, match="bara i en utbildningsmiljö"):
        call_command("training_reset")
    with pytest.raises(NotTrainingEnvironment):
        reset_training_environment(
            actor=Actor.system("test"), today=timezone.localdate(), now=timezone.now()
        )
    assert Case.objects.count() == cases
    assert not Exercise.objects.exists()


def test_the_command_loads_the_scenario_and_prints_progress_and_a_summary(
    training_mode: None,
) -> None:
    out = StringIO()
    call_command("training_reset", "--trainees", "4", stdout=out)
    lines = out.getvalue().strip().splitlines()
    assert lines[0] == "Tömmer utbildningsdatabasen …"
    assert lines[-1].startswith("Utbildningsmiljön återställd på ")
    assert "4 kursdeltagare med 32 övningar" in lines[-1]
    assert len(trainees()) == 4
    assert Organisation.objects.filter(org_number=REGION_ORG_NUMBER).count() == 1


def test_the_command_refuses_an_impossible_number_of_trainees(training_mode: None) -> None:
    with pytest.raises(CommandError, match="--trainees"):
        call_command("training_reset", "--trainees", "0")


def test_the_scenario_has_cases_in_every_state_and_each_trainee_own_patients(
    scenario: Any,
) -> None:
    states = set(Case.objects.values_list("state", flat=True))
    assert states >= {
        CaseState.ADMITTED,
        CaseState.PLANNING,
        CaseState.READY,
        CaseState.DISCHARGED,
        CaseState.SIP_ONGOING,
        CaseState.CLOSED,
        CaseState.CANCELLED,
    }
    patients_by_trainee = []
    for number in (1, 2, 3):
        person = trainee(number)
        roles = set(
            Commission.objects.filter(person=person).values_list("unit__care_type", flat=True)
        )
        assert roles == {"inpatient_somatic", "primary_care", "social_services"}
        exercises = Exercise.objects.filter(trainee=person)
        assert exercises.count() == 8
        patients_by_trainee.append({e.patient_identity for e in exercises})
    # Nobody shares a patient, and every new number is a test number.
    assert not patients_by_trainee[0] & patients_by_trainee[1]
    assert not patients_by_trainee[1] & patients_by_trainee[2]
    for patient in Patient.objects.filter(identity_number__in=set().union(*patients_by_trainee)):
        assert accepted_in_training(
            PatientIdentity(patient.identity_number, IdentityKind(patient.identity_kind))
        )


def test_the_trainees_patients_start_where_their_exercises_need_them(scenario: Any) -> None:
    exercises = {e.kind: e for e in Exercise.objects.filter(trainee=trainee(1))}

    def case_of(kind: str) -> Case:
        return Case.objects.get(patient__identity_number=exercises[kind].patient_identity)

    assert case_of("admission_notice").state == CaseState.ADMITTED
    assert case_of("ready").state == CaseState.PLANNING
    assert case_of("discharge").state == CaseState.READY
    assert case_of("discharge").sip_needed and case_of("discharge").sip_called_at is None
    # The patient to register is not in Brygga yet.
    assert not Patient.objects.filter(
        identity_number=exercises["register_and_open"].patient_identity
    ).exists()


def test_a_second_reset_wipes_what_trainees_did_and_starts_over(
    scenario: Any, settings: Any
) -> None:
    person = trainee(1)
    exercise = Exercise.objects.get(trainee=person, kind="admission_notice")
    case = Case.objects.get(patient__identity_number=exercise.patient_identity)
    commission = Commission.objects.get(person=person, unit=exercise.unit)
    case_actions.send_admission_notice(
        actor=Actor(person=person, commission=commission),
        case=case,
        expected_discharge_on=timezone.localdate() + dt.timedelta(days=3),
    )
    counts = (Person.objects.count(), Patient.objects.count(), Case.objects.count())
    Session.objects.create(
        session_key="x" * 32, session_data="", expire_date=timezone.now() + dt.timedelta(hours=1)
    )

    reset_training_environment(
        actor=Actor.system("test"), trainees=3, today=timezone.localdate(), now=timezone.now()
    )

    assert (Person.objects.count(), Patient.objects.count(), Case.objects.count()) == counts
    again = Exercise.objects.get(trainee=trainee(1), kind="admission_notice")
    assert Case.objects.get(patient__identity_number=again.patient_identity).state == (
        CaseState.ADMITTED
    )
    assert not Session.objects.exists()  # everyone is logged out
    # The fresh access log starts with the reset itself and the scenario's own rows.
    resets = AuditEntry.objects.filter(event_type=AuditEventType.TRAINING_RESET)
    assert resets.count() == 1
    call_command("verify_audit_chain", stdout=StringIO())


def test_a_failed_reset_changes_nothing_and_is_logged(
    scenario: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: Any, **kwargs: Any) -> None:
        raise DatabaseError("permission denied for table audit_auditentry")

    monkeypatch.setattr(actions, "load_trainees", broken)
    cases = set(Case.objects.values_list("pk", "state"))
    with pytest.raises(ResetFailed, match="ångrades"):
        reset_training_environment(
            actor=Actor.system("test"), trainees=3, today=timezone.localdate(), now=timezone.now()
        )
    assert set(Case.objects.values_list("pk", "state")) == cases
    assert len(trainees()) == 3
    assert Exercise.objects.count() == 24
    assert AuditEntry.objects.filter(event_type=AuditEventType.TRAINING_RESET_FAILED).exists()


def test_the_course_leader_is_a_training_administrator(scenario: Any) -> None:
    from .conftest import course_leader

    assert Commission.objects.filter(person=course_leader(), role=Role.CENTRAL_ADMIN).exists()


def test_every_migration_that_writes_rows_is_known_to_the_reset() -> None:
    """A new data migration must say whether the reset runs it again (reference data) or not
    (schema objects such as triggers): add it to RESEED_MIGRATIONS or SCHEMA_ONLY_MIGRATIONS
    in brygga/training/actions.py."""
    from django.db import connection
    from django.db.migrations.loader import MigrationLoader
    from django.db.migrations.operations import RunPython, RunSQL

    known = set(actions.RESEED_MIGRATIONS) | set(actions.SCHEMA_ONLY_MIGRATIONS)
    writing = {
        key
        for key, migration in MigrationLoader(connection).graph.nodes.items()
        if key[0] in _brygga_apps()
        and any(isinstance(op, RunPython | RunSQL) for op in migration.operations)
    }
    assert writing <= known, f"tell the training reset about: {sorted(writing - known)}"


def _brygga_apps() -> set[str]:
    from django.apps import apps

    return {config.label for config in apps.get_app_configs() if config.name.startswith("brygga.")}


def test_reference_data_from_migrations_is_there_after_a_reset(scenario: Any) -> None:
    from brygga.payments.models import DailyAmount

    assert DailyAmount.objects.filter(year=2022, updated_by_name="Brygga (installation)").exists()


# Outside a test transaction: the worker closes the connection after its task.
@pytest.mark.django_db(transaction=True)
def test_the_nightly_reset_runs_through_the_background_worker(training_mode: None) -> None:
    from brygga.notifications.scheduling import jobs_from
    from brygga.training.tasks import reset_training

    [job] = jobs_from(
        {"training_reset": {"task": "brygga.training.tasks.reset_training", "cron": "30 3 * * *"}}
    )
    assert job.enqueue == reset_training.enqueue
    result = reset_training.enqueue()
    call_command("db_worker", batch=True, startup_delay=False, verbosity=0)
    result.refresh()
    assert result.status == "SUCCESSFUL", result.errors
    assert str(result.return_value).startswith("Utbildningsmiljön återställd")
    assert AuditEntry.objects.filter(event_type=AuditEventType.TRAINING_RESET).count() == 1
    assert Case.objects.filter(state=CaseState.READY).exists()
