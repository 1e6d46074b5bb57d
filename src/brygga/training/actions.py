"""Resetting the training environment: the only writer of the training app.

``reset_training_environment`` empties the whole training database and loads the scenario
for today in one transaction: the demo region (``brygga.demo.world.load_demo_region``, cases
in every state relative to ``now``) and the trainees' own material (``scenario``). If
anything fails, the transaction is rolled back and yesterday's data stays as it was.

Everything goes, not only the cases: the access log (append-only row by row, but in a
training database it records only made-up patients, and its rows point at patients that no
longer exist), sessions (everyone is logged out: person ids are reused by the new data) and
the directory. On PostgreSQL the tables are emptied with TRUNCATE, which the access log's
row triggers do not stop; the database role needs the TRUNCATE privilege (docs/training.md).
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

from django.contrib.contenttypes.models import ContentType
from django.core.management.color import no_style
from django.core.management.sql import emit_post_migrate_signal
from django.db import DatabaseError, connection, transaction
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.operations import RunPython
from django.utils.translation import gettext as _
from django_tasks_db.models import DBTaskResult

from brygga.audit.events import AuditEventType
from brygga.audit.log import record
from brygga.cases.models import Case, CaseEvent
from brygga.core.actor import Actor
from brygga.demo.world import load_demo_region
from brygga.directory.models import Person, Unit
from brygga.patients.models import Patient

from .access import is_training
from .scenario import DEFAULT_TRAINEES, MAX_TRAINEES, load_trainees

logger = logging.getLogger(__name__)
SYSTEM = Actor.system("training_reset")

__all__ = [
    "DEFAULT_TRAINEES",
    "MAX_TRAINEES",
    "NotTrainingEnvironment",
    "ResetFailed",
    "ResetSummary",
    "reset_training_environment",
]


class NotTrainingEnvironment(RuntimeError):
    """The reset was asked for outside a training environment; nothing was changed."""


class ResetFailed(RuntimeError):
    """The reset failed and was rolled back; ``message`` says why, in Swedish."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class ResetSummary:
    counts: dict[str, int]
    trainees: int
    exercises: int
    seconds: float

    def line(self) -> str:
        c = self.counts
        return _(
            "Utbildningsmiljön återställd på %(seconds)s s: %(units)s enheter, %(persons)s "
            "personer, %(patients)s patienter, %(cases)s ärenden med %(events)s händelser, "
            "%(trainees)s kursdeltagare med %(exercises)s övningar."
        ) % {
            "seconds": f"{self.seconds:.1f}".replace(".", ","),
            "units": c["units"],
            "persons": c["persons"],
            "patients": c["patients"],
            "cases": c["cases"],
            "events": c["events"],
            "trainees": self.trainees,
            "exercises": self.exercises,
        }


def _requested_by(actor: Actor) -> dict[str, str]:
    # Kept as text: the requester's own row is emptied with everything else.
    person = actor.person
    return {
        "requested_by": actor.label,
        "requested_by_name": person.full_name if person else "",
    }


# Migrations that write rows (RunPython/RunSQL) fall in two kinds. A data seed (reference data
# such as Socialstyrelsen's amounts per day) is emptied with everything else and run again
# after the flush, so the training database starts as a fresh installation. A schema
# migration (triggers, functions) survives a flush and must not run twice.
# tests/test_reset.py fails for a new migration that is in neither list.
RESEED_MIGRATIONS: tuple[tuple[str, str], ...] = (("payments", "0002_daily_amounts"),)
SCHEMA_ONLY_MIGRATIONS: tuple[tuple[str, str], ...] = (("audit", "0002_append_only"),)


KEEP_TABLES = frozenset({DBTaskResult._meta.db_table})


@dataclass(frozen=True)
class _SeedEditor:
    """What a data seed gets as its schema editor: the connection, no DDL (we are inside a
    transaction, where SQLite cannot open a real schema editor)."""

    connection: Any


def reseed_reference_data() -> None:
    """Run the data-seed migrations again (after a flush emptied their rows)."""
    loader = MigrationLoader(connection)
    for key in RESEED_MIGRATIONS:
        migration = loader.graph.nodes[key]
        apps = loader.project_state(key, at_end=False).apps
        for operation in migration.operations:
            if not isinstance(operation, RunPython):
                raise TypeError(f"{key}: only RunPython data seeds can be run again")
            operation.code(apps, cast(BaseDatabaseSchemaEditor, _SeedEditor(connection)))


def _empty_database() -> None:
    """Every table Django manages, as ``manage.py flush`` empties them, with ids from 1; then
    the content types, permissions and reference data a fresh installation has."""
    tables = [
        table
        for table in connection.introspection.django_table_names(
            only_existing=True, include_views=False
        )
        # The background-task queue survives: the nightly reset itself runs as a task.
        if table not in KEEP_TABLES
    ]
    statements = connection.ops.sql_flush(no_style(), tables, reset_sequences=True)
    if connection.vendor == "postgresql":
        # TRUNCATE refuses tables with deferred foreign-key checks still pending in this
        # transaction (rows written earlier in it): run those checks now.
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    connection.ops.execute_sql_flush(statements)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    ContentType.objects.clear_cache()
    emit_post_migrate_signal(verbosity=0, interactive=False, db=connection.alias)
    reseed_reference_data()


def reset_training_environment(
    *,
    actor: Actor,
    trainees: int = DEFAULT_TRAINEES,
    today: dt.date,
    now: dt.datetime,
    progress: Callable[[str], None] | None = None,
) -> ResetSummary:
    """Empty the training database and load today's scenario, all or nothing.

    Raises NotTrainingEnvironment outside a training environment, ValueError for a number of
    trainees outside 1-MAX_TRAINEES, and ResetFailed (after a rollback) if the database
    refuses.
    """
    if not is_training():
        raise NotTrainingEnvironment(
            _("Återställning går bara i en utbildningsmiljö (BRYGGA_ENVIRONMENT=training).")
        )
    if not 1 <= trainees <= MAX_TRAINEES:
        raise ValueError(
            _("Antalet kursdeltagare ska vara mellan 1 och %(max)s.") % {"max": MAX_TRAINEES}
        )

    def report(message: str) -> None:
        if progress is not None:
            progress(message)

    started = time.monotonic()
    try:
        with transaction.atomic():
            report(_("Tömmer utbildningsdatabasen …"))
            _empty_database()
            world = load_demo_region(today=today, now=now, progress=report)
            report(_("Kursdeltagare, deras patienter och övningar …"))
            material = load_trainees(world, count=trainees, today=today, now=now)
            counts = {
                "units": Unit.objects.count(),
                "persons": Person.objects.count(),
                "patients": Patient.objects.count(),
                "cases": Case.objects.count(),
                "events": CaseEvent.objects.count(),
            }
            record(
                SYSTEM,
                AuditEventType.TRAINING_RESET,
                details=_requested_by(actor)
                | {"today": today.isoformat(), "trainees": trainees, **counts},
            )
    except DatabaseError as error:
        logger.exception("training reset failed")
        try:
            record(
                SYSTEM,
                AuditEventType.TRAINING_RESET_FAILED,
                details=_requested_by(actor) | {"error": str(error)[:500]},
            )
        except DatabaseError:  # pragma: no cover - the database is gone altogether
            logger.exception("could not log the failed training reset")
        raise ResetFailed(
            _(
                "Återställningen misslyckades och ångrades; utbildningsmiljön är som förut. "
                "Databasen svarade: %(error)s. Se docs/training.md (databasrollen behöver "
                "rätt att tömma tabellerna)."
            )
            % {"error": str(error)[:300]}
        ) from error
    return ResetSummary(
        counts=counts,
        trainees=material.trainees,
        exercises=material.exercises,
        seconds=time.monotonic() - started,
    )
