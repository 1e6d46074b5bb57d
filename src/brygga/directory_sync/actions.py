"""The directory sync's writer: one run from LDAP into the directory tables.

`run_sync` reads the directory server, builds the plan (engine.py) and writes it in one
transaction: the directory rows in bulk, one access-log row per changed row (with its values
before and after, exactly as the EK administration's own actions log them, so each row's
history page shows sync changes too), the mapping rows, and the run's report. A run either
commits whole or not at all; a failed run leaves its `SyncRun` marked failed with the reason.

This is the second writer of directory rows besides ``brygga.directory.actions``: the EK
administration's actions change one row at a time, re-checking the acting administrator's
rights; the sync writes many rows at once on behalf of the region's HSA directory, which is
the master of what it holds. Both apply the same rules (brygga.directory.rules) and leave the
same trace in the access log.
"""

from __future__ import annotations

import datetime as dt
import gc
import logging
from collections.abc import Callable, Iterable, Sequence
from contextlib import nullcontext
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import connection, connections, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from brygga.audit import log as audit_log
from brygga.audit.events import AuditEventType
from brygga.audit.log import Draft, record
from brygga.core.actor import Actor
from brygga.directory.models import Commission, Organisation, Person, Unit

from .engine import Action, Plan, build_plan
from .ldapclient import (
    LdapConfig,
    LdapUnavailable,
    generalized_time,
    parse_generalized_time,
    read_entries,
)
from .models import (
    EntryKind,
    MessageLevel,
    RunStatus,
    SyncedEntry,
    SyncMessage,
    SyncMode,
    SyncRun,
)

logger = logging.getLogger(__name__)

__all__ = ["MassRemovalRefused", "SyncAlreadyRunning", "SyncMode", "SyncResult", "run_sync"]

BATCH = 2000  # rows per INSERT/UPDATE statement
AUDIT_BATCH = 5000  # access-log rows per append
STALE_AFTER = dt.timedelta(hours=6)  # a "running" run older than this died
MASS_REMOVAL_FLOOR = 50  # removals always allowed up to this many, whatever the share
LOCK_KEY = 0x4B53  # advisory lock ("KS") serialising the start of runs on PostgreSQL

MODELS: dict[str, type[models.Model]] = {
    EntryKind.ORGANISATION: Organisation,
    EntryKind.UNIT: Unit,
    EntryKind.PERSON: Person,
    EntryKind.COMMISSION: Commission,
}
UPDATE_FIELDS = {
    EntryKind.ORGANISATION: ["name", "municipality_code"],
    EntryKind.UNIT: [
        "name",
        "organisation",
        "parent",
        "care_type",
        "municipality_code",
        "phone",
        "fax",
        "functional_mailbox",
        "status",
        "valid_from",
        "valid_to",
    ],
    EntryKind.PERSON: ["given_name", "family_name", "title", "email", "personnummer", "is_active"],
    EntryKind.COMMISSION: ["unit", "purpose", "valid_from", "valid_to"],
}
EVENTS: dict[tuple[str, bool], AuditEventType] = {
    (EntryKind.ORGANISATION, True): AuditEventType.ORGANISATION_CREATED,
    (EntryKind.ORGANISATION, False): AuditEventType.ORGANISATION_UPDATED,
    (EntryKind.UNIT, True): AuditEventType.UNIT_CREATED,
    (EntryKind.UNIT, False): AuditEventType.UNIT_UPDATED,
    (EntryKind.PERSON, True): AuditEventType.PERSON_CREATED,
    (EntryKind.PERSON, False): AuditEventType.PERSON_UPDATED,
    (EntryKind.COMMISSION, True): AuditEventType.COMMISSION_CREATED,
    (EntryKind.COMMISSION, False): AuditEventType.COMMISSION_UPDATED,
}


class MassRemovalRefused(Exception):
    """A full sync found so much gone from LDAP that it is more likely a fault (an empty
    base DN, an access rule hiding entries) than a reorganisation: nothing is applied."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def check_removals(plan: Plan, *, allowed: bool) -> None:
    fraction = settings.LDAP_MAX_REMOVAL_PERCENT / 100
    limit = max(fraction * plan.in_use, MASS_REMOVAL_FLOOR)
    if plan.gone > limit and not allowed:
        raise MassRemovalRefused(
            _(
                "%(gone)s av %(in_use)s synkroniserade rader finns inte längre i katalogen "
                "(gränsen är %(percent)s %%). Det ser mer ut som ett fel i katalogen eller i "
                "inställningarna (bas-DN, behörigheter) än som en omorganisation, så inget "
                "ändrades. Kontrollera katalogen; är borttagningarna riktiga, kör "
                "manage.py sync_directory --full --allow-mass-removal."
            )
            % {
                "gone": plan.gone,
                "in_use": plan.in_use,
                "percent": settings.LDAP_MAX_REMOVAL_PERCENT,
            }
        )


class SyncAlreadyRunning(Exception):
    def __init__(self, run: SyncRun) -> None:
        self.run = run
        self.message = _(
            "En katalogsynkronisering pågår redan (startad %(started)s). Vänta tills den är klar."
        ) % {"started": timezone.localtime(run.started_at).strftime("%Y-%m-%d %H:%M")}
        super().__init__(self.message)


@dataclass
class SyncResult:
    mode: str
    dry_run: bool
    status: str
    plan: Plan | None = None
    run: SyncRun | None = None
    failure: str = ""
    seconds: float = 0.0

    def summary(self) -> str:
        """The one line a command prints at the end."""
        mode = str(SyncMode(self.mode).label).lower()
        if self.status == RunStatus.FAILED:
            return _("Katalogsynkronisering (%(mode)s) misslyckades: %(failure)s") % {
                "mode": mode,
                "failure": self.failure,
            }
        plan = self.plan
        assert plan is not None
        text = _(
            "%(what)s (%(mode)s): %(read)s poster lästa, %(created)s skapade, %(updated)s "
            "ändrade, %(ended)s avslutade/inaktiverade, %(skipped)s överhoppade, "
            "%(conflicts)s konflikter på %(seconds).1f s."
        ) % {
            "what": _("Provkörning, inget sparat")
            if self.dry_run
            else _("Katalogen synkroniserad"),
            "mode": mode,
            "read": plan.entries_read,
            "created": plan.created,
            "updated": plan.updated,
            "ended": plan.ended,
            "skipped": plan.skipped,
            "conflicts": plan.conflicts,
            "seconds": self.seconds,
        }
        return text


Progress = Callable[[str], None]


def _quiet(_line: str) -> None:
    pass


def _start_run(*, actor: Actor, mode: str, now: dt.datetime, server: str) -> SyncRun:
    """Register a run; refuse if another one is going on (a run left "running" for hours
    died with its process and is marked failed)."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])
        running = SyncRun.objects.select_for_update().filter(status=RunStatus.RUNNING)
        for run in running:
            if now - run.started_at < STALE_AFTER:
                raise SyncAlreadyRunning(run)
            run.status = RunStatus.FAILED
            run.failure = _("Körningen avbröts utan att avslutas (processen stoppades).")
            run.finished_at = now
            run.save(update_fields=["status", "failure", "finished_at"])
        return SyncRun.objects.create(
            mode=mode, started_at=now, started_by=actor.label, server=server
        )


def incremental_start(overlap_seconds: int | None = None) -> str:
    """Where an incremental sync starts reading: the newest change the last successful run
    saw, less a margin for changes made while it was reading ("" if no run succeeded)."""
    last = (
        SyncRun.objects.filter(status=RunStatus.SUCCEEDED)
        .exclude(high_water_mark="")
        .order_by("-started_at", "-pk")
        .first()
    )
    if last is None:
        return ""
    overlap = (
        settings.LDAP_INCREMENTAL_OVERLAP_SECONDS if overlap_seconds is None else overlap_seconds
    )
    moment = parse_generalized_time(last.high_water_mark) - dt.timedelta(seconds=overlap)
    return generalized_time(moment)


def run_sync(
    *,
    actor: Actor,
    mode: str,
    now: dt.datetime,
    dry_run: bool = False,
    config: LdapConfig | None = None,
    progress: Progress | None = None,
    allow_mass_removal: bool = False,
) -> SyncResult:
    """Sync the directory from LDAP. A dry run builds the same plan and writes nothing.

    Raises SyncAlreadyRunning if another run is going on. A directory server that cannot be
    read is not raised: the result (and its SyncRun) is marked failed with the reason.
    """
    import time

    started = time.perf_counter()
    say = progress or _quiet
    config = config or LdapConfig.from_settings()
    today = timezone.localdate(now)
    since = ""
    if mode == SyncMode.INCREMENTAL:
        since = incremental_start()
        if not since:
            say(_("Ingen tidigare lyckad synkronisering: gör en fullständig."))
            mode = SyncMode.FULL
    run = None if dry_run else _start_run(actor=actor, mode=mode, now=now, server=config.url)
    result = SyncResult(mode=mode, dry_run=dry_run, status=RunStatus.RUNNING, run=run)
    gc_was_enabled = gc.isenabled()
    # A full sync holds a million small objects: Python's cycle collector would walk them
    # all, again and again, while they are made (a third of the run's time). The sync makes
    # no reference cycles worth collecting; the collector is back on when it ends.
    gc.disable()
    try:
        say(
            _("Läser katalogen %(url)s%(since)s …")
            % {
                "url": config.url,
                "since": _(" (ändrat sedan %(t)s)") % {"t": since} if since else "",
            }
        )
        entries = list(
            read_entries(
                config,
                since=since,
                on_page=lambda read: (
                    say(_("  %(n)s poster lästa") % {"n": read})
                    if read and read % 50_000 < config.page_size
                    else None
                ),
            )
        )
        say(
            _("%(n)s poster lästa på %(s).1f s; jämför med katalogen …")
            % {
                "n": len(entries),
                "s": time.perf_counter() - started,
            }
        )
        plan = build_plan(entries, mode=mode, today=today, now=now)
        result.plan = plan
        check_removals(plan, allowed=allow_mass_removal or dry_run)
        if dry_run:
            result.status = RunStatus.SUCCEEDED
            result.seconds = time.perf_counter() - started
            return result
        say(
            _("%(n)s ändringar att spara (%(s).1f s) …")
            % {"n": len(plan.changes), "s": time.perf_counter() - started}
        )
        assert run is not None
        apply_plan(plan, actor=actor, run=run, progress=say)
        result.status = RunStatus.SUCCEEDED
    except (LdapUnavailable, MassRemovalRefused) as error:
        result.status = RunStatus.FAILED
        result.failure = error.message
        if run is not None:
            _fail(run, actor=actor, failure=error.message, now=timezone.now())
    except Exception as error:
        if run is not None:
            _fail(run, actor=actor, failure=f"{type(error).__name__}: {error}", now=timezone.now())
        raise
    finally:
        if gc_was_enabled:
            gc.enable()
    result.seconds = time.perf_counter() - started
    return result


def _fail(run: SyncRun, *, actor: Actor, failure: str, now: dt.datetime) -> None:
    logger.error("directory sync %s failed: %s", run.pk, failure)
    with transaction.atomic():
        run.status = RunStatus.FAILED
        run.failure = failure
        run.errors += 1
        run.finished_at = now
        run.save(update_fields=["status", "failure", "errors", "finished_at"])
        record(
            actor,
            AuditEventType.DIRECTORY_SYNC_FAILED,
            obj=run,
            details={"mode": run.mode, "failure": failure},
        )


COPY_FROM = 200  # rows from which PostgreSQL gets them through COPY


def _copy(table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """Write rows with PostgreSQL's COPY, inside the caller's transaction."""
    quote = connection.ops.quote_name
    sql = f"COPY {quote(table)} ({', '.join(quote(c) for c in columns)}) FROM STDIN"
    with connection.cursor() as cursor:
        debug_sql = getattr(cursor, "debug_sql", None)  # set when queries are captured
        logged = debug_sql(sql) if debug_sql is not None else nullcontext()
        with logged, connection.wrap_database_errors, cursor.cursor.copy(sql) as copy:
            for row in rows:
                copy.write_row(row)


def _bulk_create(model: type[models.Model], objects: list[Any]) -> None:
    """Insert new rows and give each object its id.

    On PostgreSQL many rows go in with COPY, their ids drawn from the table's sequence
    first: a full sync of a region inserts some 260 000 rows, and COPY takes a fraction of
    the time of INSERT statements. The rows, constraints and triggers are the same.
    """
    if not objects:
        return
    if connection.vendor != "postgresql" or len(objects) < COPY_FROM:
        model._default_manager.bulk_create(objects, batch_size=BATCH)
        return
    meta = model._meta
    fields = list(meta.concrete_fields)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [meta.db_table, meta.pk.column, len(objects)],
        )
        ids = [row[0] for row in cursor.fetchall()]
    for obj, pk in zip(objects, ids, strict=True):
        # What bulk_create does too: a link to an object saved earlier in this run gets
        # that object's id.
        obj._prepare_related_fields_for_save(operation_name="bulk_create")
        obj.pk = pk
    # The connection itself, not django.db.connection's per-access proxy: a million values.
    real = connections[connection.alias]
    prepare = [(f.attname, f.get_db_prep_save) for f in fields]
    _copy(
        meta.db_table,
        [f.column for f in fields],
        ([save(getattr(obj, name), real) for name, save in prepare] for obj in objects),
    )
    for obj in objects:
        obj._state.adding = False
        obj._state.db = connection.alias


def _bulk_update(model: type[models.Model], objects: list[Any], fields: list[str]) -> None:
    if objects:
        model._default_manager.bulk_update(objects, fields, batch_size=BATCH)


def _write_rows(plan: Plan) -> None:
    """Organisations, units (parents first), persons, commissions: the order of their keys."""
    by_kind: dict[str, tuple[list[Any], list[Any]]] = {k: ([], []) for k in MODELS}
    for change in plan.changes:
        creates, updates = by_kind[change.kind]
        (creates if change.action == Action.CREATED else updates).append(change.obj)

    creates, updates = by_kind[EntryKind.ORGANISATION]
    _bulk_create(Organisation, creates)
    _bulk_update(Organisation, updates, UPDATE_FIELDS[EntryKind.ORGANISATION])

    creates, updates = by_kind[EntryKind.UNIT]
    pending: list[Unit] = creates
    while pending:
        ready = [u for u in pending if u.parent is None or u.parent.pk is not None]
        if not ready:  # pragma: no cover - a cycle cannot come out of a tree
            raise RuntimeError("units refer to each other in a cycle")
        _bulk_create(Unit, ready)
        pending = [u for u in pending if u.pk is None]
    _bulk_update(Unit, updates, UPDATE_FIELDS[EntryKind.UNIT])

    # Updates first: a person leaving (a new HSA-id) lets go of the personnummer that the
    # new record takes.
    creates, updates = by_kind[EntryKind.PERSON]
    _bulk_update(Person, updates, UPDATE_FIELDS[EntryKind.PERSON])
    _bulk_create(Person, creates)

    creates, updates = by_kind[EntryKind.COMMISSION]
    _bulk_create(Commission, creates)
    _bulk_update(Commission, updates, UPDATE_FIELDS[EntryKind.COMMISSION])


def _drafts(plan: Plan, run: SyncRun) -> list[Draft]:
    drafts = []
    for change in plan.changes:
        obj = change.obj
        drafts.append(
            Draft(
                event_type=EVENTS[(change.kind, change.action == Action.CREATED)],
                object_type=obj._meta.label_lower,
                object_id=str(obj.pk),
                details={
                    "before": change.before,
                    "after": change.after,
                    "changed": change.changed_fields,
                    "source": "ldap",
                    "sync_run": run.pk,
                    "dn": change.dn,
                },
            )
        )
    return drafts


MAPPING_COLUMNS = (
    "kind",
    "key",
    "entry_hsa_id",
    "dn",
    "entry_uuid",
    "object_id",
    "modify_timestamp",
    "removed_at",
    "last_run_id",
)


def _write_mappings(plan: Plan, run: SyncRun) -> None:
    new: list[SyncedEntry] = []
    changed: list[SyncedEntry] = []
    if connection.vendor == "postgresql":
        # New mapping rows (all of them in a first sync) as plain values, without models.
        fresh = [row for row in plan.mappings if row.entry is None]
        _copy(
            SyncedEntry._meta.db_table,
            MAPPING_COLUMNS,
            (
                (
                    row.kind,
                    row.key,
                    row.entry_hsa_id,
                    row.dn,
                    row.entry_uuid,
                    row.obj.pk,
                    row.modify_timestamp,
                    plan.now if row.removed else None,
                    run.pk,
                )
                for row in fresh
            ),
        )
    for row in plan.mappings:
        if row.entry is None and connection.vendor == "postgresql":
            continue
        entry = row.entry or SyncedEntry(kind=row.kind, key=row.key)
        entry.entry_hsa_id = row.entry_hsa_id
        entry.dn = row.dn
        entry.entry_uuid = row.entry_uuid
        entry.modify_timestamp = row.modify_timestamp
        entry.object_id = row.obj.pk
        if not row.removed:
            entry.removed_at = None
        elif entry.removed_at is None:
            entry.removed_at = plan.now
        entry.last_run = run
        (changed if entry.pk else new).append(entry)
    _bulk_create(SyncedEntry, new)
    _bulk_update(
        SyncedEntry,
        changed,
        [
            "entry_hsa_id",
            "dn",
            "entry_uuid",
            "modify_timestamp",
            "object_id",
            "removed_at",
            "last_run",
        ],
    )


def _log_changes(actor: Actor, drafts: Sequence[Draft]) -> None:
    """One access-log row per changed directory row, through the log's COPY path on
    PostgreSQL: the same rows and hash chain as ``append``, four times faster, which a full
    sync of a region (260 000 rows) needs to stay within its two minutes. Measured in
    docs/directory-sync.md."""
    audit_log.append_many(actor, drafts)


def apply_plan(plan: Plan, *, actor: Actor, run: SyncRun, progress: Progress = _quiet) -> None:
    """Write a plan: all of it in one transaction, or nothing."""
    with transaction.atomic():
        _write_rows(plan)
        progress(_("  katalogens rader sparade"))
        drafts = _drafts(plan, run)
        for start in range(0, len(drafts), AUDIT_BATCH):
            _log_changes(actor, drafts[start : start + AUDIT_BATCH])
        progress(_("  %(n)s rader i behandlingsloggen") % {"n": len(drafts)})
        _write_mappings(plan, run)
        SyncMessage.objects.bulk_create(
            [
                SyncMessage(
                    run=run,
                    level=m.level,
                    kind=m.kind,
                    hsa_id=m.hsa_id[:100],
                    dn=m.dn[:1000],
                    text=m.text,
                )
                for m in plan.messages
            ],
            batch_size=BATCH,
        )
        run.status = RunStatus.SUCCEEDED
        run.finished_at = timezone.now()
        run.entries_read = plan.entries_read
        run.created = plan.created
        run.updated = plan.updated
        run.ended = plan.ended
        run.skipped = plan.skipped
        run.conflicts = plan.conflicts
        run.errors = sum(1 for m in plan.messages if m.level == MessageLevel.ERROR)
        run.high_water_mark = max(plan.high_water_mark, _previous_mark())
        run.save()
        record(
            actor,
            AuditEventType.DIRECTORY_SYNC_RUN,
            obj=run,
            details={
                "mode": run.mode,
                "entries_read": run.entries_read,
                "created": run.created,
                "updated": run.updated,
                "ended": run.ended,
                "skipped": run.skipped,
                "conflicts": run.conflicts,
            },
        )


def _previous_mark() -> str:
    """An incremental run that read nothing keeps the mark where it was."""
    last = (
        SyncRun.objects.filter(status=RunStatus.SUCCEEDED)
        .exclude(high_water_mark="")
        .order_by("-started_at", "-pk")
        .first()
    )
    return last.high_water_mark if last else ""
