"""Benchmark data: a historic access log for a generated region-year, with valid chains.

bench/region_world.py writes the cases but not the access-log rows their year would have
left. This writes them, from the events already in the database, as the views and actions
would have (see src/brygga/audit/log.py and cases/actions.py):

- the author of each event looked at the patient (the case page, or the patient on "open
  case" for the first event) and the action logged the change (CASE_OPENED / CASE_CHANGED
  with the event's type and id);
- at each unit the event was sent to, a member of its staff opened the case page some
  minutes to hours later, and in half the cases the patient was listed on that unit's
  worklist first.

About 4–5 rows per event: ~4.5 million at region size (990 000 events). The rows go in with
COPY (`brygga.audit.log._copy`, the writer the views use), hashed with the audit app's own
`chain.Hasher` under `AUDIT_CHAIN_KEY`, appended to the tail of each of the
`AUDIT_CHAIN_COUNT` chains under the chains' advisory locks, in batches of one transaction
each, so `manage.py verify_audit_chain` passes afterwards.

Limitation: the rows are appended after whatever the chains already hold, so their
sequence numbers come after rows written today although their times lie in the past
(within the history itself, sequence follows time, except at batch boundaries where reads
of the next hours spill over). The extract orders by time, as it always does.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/brygga_bench_region \\
        .venv/bin/python bench/access_history.py          # once; refuses a second history
    ... bench/access_history.py --verify                   # and run verify_audit_chain after
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import sys
import time
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "brygga.settings")
MARKER = "bench_access_history"  # the system actor of the row that records the history
BATCH_ROWS = 200_000  # rows per transaction


def say(message: str) -> None:
    print(message, flush=True)


def history_marker() -> Any:
    """The row that says a history was written (its details: rows, seconds), or None."""
    from brygga.audit.events import AuditEventType
    from brygga.audit.models import AuditEntry

    return (
        AuditEntry.objects.filter(
            actor_label=f"system:{MARKER}", event_type=AuditEventType.ORGANISATION_CREATED
        )
        .order_by("-pk")
        .first()
    )


def _staff() -> tuple[dict[tuple[int, int], dict[str, Any]], dict[int, list[dict[str, Any]]]]:
    """Each commission's actor values (as the log writes them), by (person, unit) and the
    care staff of each unit."""
    from brygga.audit.log import _actor_values
    from brygga.core.actor import Actor
    from brygga.directory.models import Commission, Role

    by_person_unit: dict[tuple[int, int], dict[str, Any]] = {}
    by_unit: dict[int, list[dict[str, Any]]] = {}
    for commission in Commission.objects.select_related("person", "unit").order_by("pk"):
        values = _actor_values(Actor(person=commission.person, commission=commission))
        by_person_unit.setdefault((commission.person_id, commission.unit_id), values)
        if commission.role in (Role.USER, Role.MANAGER):
            by_unit.setdefault(commission.unit_id, []).append(values)
    return by_person_unit, by_unit


def _events(batch: int = 20_000) -> Iterator[tuple[Any, ...]]:
    """(event id, type, case id, patient id, recorded_at, author, author unit, recipient
    units) in time order, from a server-side cursor on a connection of its own (the writer
    commits between batches)."""
    from django.db import connection
    from psycopg import sql

    from brygga.cases.models import Case, CaseEvent, NoticeRecipient

    event, case, recipient = (
        sql.Identifier(m._meta.db_table) for m in (CaseEvent, Case, NoticeRecipient)
    )
    query = sql.SQL(
        "SELECT e.id, e.type, e.case_id, c.patient_id, e.recorded_at, e.author_id,"
        " e.author_unit_id, COALESCE((SELECT array_agg(r.unit_id ORDER BY r.id)"
        " FROM {recipient} r WHERE r.event_id = e.id), '{{}}')"
        " FROM {event} e JOIN {case} c ON c.id = e.case_id ORDER BY e.recorded_at, e.id"
    ).format(event=event, case=case, recipient=recipient)
    reader = connection.get_new_connection(connection.get_connection_params())
    try:
        with reader.transaction(), reader.cursor(name="bench_access_history") as cursor:
            cursor.itersize = batch
            cursor.execute(query)
            yield from cursor
    finally:
        reader.close()


def _reads(
    events: Iterator[tuple[Any, ...]],
    staff: tuple[dict[tuple[int, int], dict[str, Any]], dict[int, list[dict[str, Any]]]],
    rng: random.Random,
    now: dt.datetime,
) -> Iterator[tuple[dt.datetime, dict[str, Any]]]:
    """The access-log rows each event would have left, as (time, values without chain)."""
    from brygga.audit.events import AuditEventType as A
    from brygga.cases.models import CaseEventType

    by_person_unit, by_unit = staff
    latest = now - dt.timedelta(seconds=1)
    minute = dt.timedelta(minutes=1)

    def request(actor: dict[str, Any], unit_id: int) -> dict[str, Any]:
        return actor | {
            "request_id": f"{rng.getrandbits(128):032x}",
            "client_address": f"10.{unit_id // 250 % 250}.{unit_id % 250}.{rng.randint(2, 250)}",
            "channel": "web",
        }

    for event_id, kind, case_id, patient_id, recorded_at, author_id, unit_id, units in events:
        common = {"patient_id": patient_id, "object_type": "cases.case", "object_id": str(case_id)}
        author = by_person_unit.get((author_id, unit_id))
        if author is not None:
            opened = kind == CaseEventType.CASE_OPENED
            looked = recorded_at - rng.uniform(0.3, 15) * minute
            yield (
                looked,
                request(author, unit_id)
                | common
                | (
                    {
                        "event_type": int(A.PATIENT_VIEWED),
                        "object_type": "",
                        "object_id": "",
                        "details": {"what": "öppna ärende"},
                    }
                    if opened
                    else {"event_type": int(A.CASE_VIEWED), "details": {"what": "ärende"}}
                ),
            )
            yield (
                recorded_at,
                request(author, unit_id)
                | common
                | {
                    "event_type": int(A.CASE_OPENED if opened else A.CASE_CHANGED),
                    "details": {"event": kind, "event_id": event_id},
                },
            )
        for unit in units:
            people = by_unit.get(unit)
            if not people:
                continue
            reader = rng.choice(people)
            seen = min(latest, recorded_at + rng.uniform(1, 240) * minute)
            if rng.random() < 0.5:
                yield (
                    seen,
                    request(reader, unit)
                    | {
                        "event_type": int(A.PATIENT_LISTED),
                        "patient_id": patient_id,
                        "object_type": "",
                        "object_id": "",
                        "details": {"what": "arbetslista"},
                    },
                )
                seen = min(latest, seen + rng.uniform(0.1, 2) * minute)
            yield (
                seen,
                request(reader, unit)
                | common
                | {"event_type": int(A.CASE_VIEWED), "details": {"what": "ärende"}},
            )


# Seconds spent hashing and in COPY and commit, for the progress lines.
SPENT = {"hashing": 0.0, "copy": 0.0}


def _append_batch(rows: list[tuple[dt.datetime, dict[str, Any]]], rng: random.Random) -> None:
    """Hash and COPY one batch in one transaction, at the chains' tails, under their locks."""
    from django.conf import settings
    from django.db import connection, transaction

    from brygga.audit import chain as chain_rules
    from brygga.audit.log import LOCK_NAMESPACE, _copy, chain_key
    from brygga.audit.models import AuditEntry

    count = settings.AUDIT_CHAIN_COUNT
    hasher = chain_rules.Hasher(chain_key())
    rows.sort(key=lambda row: row[0])
    started = time.perf_counter()
    with transaction.atomic():
        tails: dict[int, tuple[int, str]] = {}
        with connection.cursor() as cursor:
            for chain in range(count):
                cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [LOCK_NAMESPACE, chain])
        for chain in range(count):
            last = (
                AuditEntry.objects.filter(chain=chain)
                .order_by("-seq")
                .values_list("seq", "entry_hash")
                .first()
            )
            tails[chain] = last if last else (0, chain_rules.GENESIS)
        written = []
        for occurred_at, values in rows:
            chain = rng.randrange(count)
            seq, prev = tails[chain]
            values |= {"chain": chain, "seq": seq + 1, "occurred_at": occurred_at}
            digest = hasher(prev, values)
            values["prev_hash"], values["entry_hash"] = prev, digest
            tails[chain] = (seq + 1, digest)
            written.append(values)
        hashed = time.perf_counter()
        SPENT["hashing"] += hashed - started
        _copy(written)
    SPENT["copy"] += time.perf_counter() - hashed


def write_history(
    *, seed: int = 2025, progress: Callable[[str], None] = say, batch_rows: int = BATCH_ROWS
) -> dict[str, Any]:
    """Write the history (once: refuses when the marker row is there). Returns its figures."""
    from django.db import connection
    from django.utils import timezone
    from psycopg import sql

    from brygga.audit.events import AuditEventType
    from brygga.audit.log import record
    from brygga.audit.models import AuditEntry
    from brygga.core.actor import Actor
    from brygga.directory.models import Organisation, Person
    from brygga.patients.models import Patient

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import region_world

    if connection.vendor != "postgresql":
        raise SystemExit("bench/access_history.py needs PostgreSQL (COPY)")
    if history_marker() is not None:
        raise SystemExit("this database has a historic access log already")
    started = time.monotonic()
    rng = random.Random(seed)
    now = timezone.now()
    staff = _staff()
    total = events = 0
    # As bench/region_world.py loads: as a superuser, skip the foreign-key triggers while
    # writing (the keys come from the rows read) and check them afterwards.
    with connection.cursor() as cursor:
        replica = region_world._try_replica_mode(cursor.cursor)
    pending: list[tuple[dt.datetime, dict[str, Any]]] = []

    def counted(source: Iterator[tuple[Any, ...]]) -> Iterator[tuple[Any, ...]]:
        nonlocal events
        for row in source:
            events += 1
            yield row

    table = connection.ops.quote_name(AuditEntry._meta.db_table)
    try:
        for row in _reads(counted(_events()), staff, rng, now):
            pending.append(row)
            if len(pending) >= batch_rows:
                _append_batch(pending, rng)
                total += len(pending)
                pending = []
                progress(
                    f"  access history: {total:,} rows from {events:,} events "
                    f"({time.monotonic() - started:.0f} s: hashing {SPENT['hashing']:.0f}, "
                    f"COPY and commit {SPENT['copy']:.0f})".replace(",", " ")
                )
        if pending:
            _append_batch(pending, rng)
            total += len(pending)
    finally:
        if replica:
            with connection.cursor() as cursor:
                cursor.execute("SET session_replication_role = origin")
    with connection.cursor() as cursor:
        if replica:
            orphans = sql.SQL(
                "SELECT count(*) FROM {table} a WHERE a.{column} IS NOT NULL AND NOT EXISTS"
                " (SELECT 1 FROM {target} x WHERE x.id = a.{column})"
            )
            for column, target in (("patient_id", Patient), ("actor_person_id", Person)):
                cursor.cursor.execute(
                    orphans.format(
                        table=sql.Identifier(AuditEntry._meta.db_table),
                        column=sql.Identifier(column),
                        target=sql.Identifier(target._meta.db_table),
                    )
                )
                if cursor.cursor.fetchone()[0]:
                    raise SystemExit(f"access history: {column} points at missing rows")
        cursor.execute(f"ANALYZE {table}")
    seconds = time.monotonic() - started
    details = {
        "rows": total,
        "events": events,
        "seconds": round(seconds, 1),
        "written_at": now.isoformat(),
    }
    region = Organisation.objects.order_by("pk").first()
    record(Actor.system(MARKER), AuditEventType.ORGANISATION_CREATED, obj=region, details=details)
    progress(
        f"access history: {total:,} rows for {events:,} events in {seconds:.0f} s "
        f"({total / max(seconds, 1e-9):,.0f} rows/s)".replace(",", " ")
    )
    return details


def setup_django(without_database: str) -> None:
    """Set Django up on the database in DATABASE_URL and say which it is; without one, exit
    with the message ``without_database``."""
    if "DATABASE_URL" not in os.environ:
        raise SystemExit(without_database)
    warnings.filterwarnings("ignore", message="No directory at", category=UserWarning)
    import django

    django.setup()
    from django.db import connection

    say(f"database: {connection.settings_dict['NAME']} on {connection.settings_dict['HOST']}")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seed", type=int, default=2025)
    parser.add_argument("--verify", action="store_true", help="run verify_audit_chain after")
    args = parser.parse_args()
    setup_django("set DATABASE_URL to the generated region-year's database")
    from django.core.management import call_command

    write_history(seed=args.seed)
    if args.verify:
        started = time.monotonic()
        call_command("verify_audit_chain")
        say(f"verified in {time.monotonic() - started:.0f} s")


if __name__ == "__main__":
    main()
