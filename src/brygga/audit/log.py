"""Appending to the access log. The only writer of AuditEntry rows.

Call it inside the action's transaction: the log row commits with the change it records,
or not at all. Reads are logged from views through `log_patient_read`.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Mapping, Sequence
from contextlib import nullcontext
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import IntegrityError, connection, models, transaction
from django.utils import timezone

from brygga.core.actor import Actor
from brygga.core.context import current_context

from . import chain as chain_rules
from .events import PATIENT_READ_EVENTS, AuditEventType
from .models import AuditEntry

if TYPE_CHECKING:
    from brygga.patients.models import Patient

logger = logging.getLogger(__name__)
MAX_ATTEMPTS = 20
LOCK_NAMESPACE = 0x4272  # advisory-lock namespace for the access-log chains ("Br")


@dataclass(frozen=True)
class Draft:
    event_type: AuditEventType
    patient_id: int | None = None
    object_type: str = ""
    object_id: str = ""
    details: Mapping[str, Any] = field(default_factory=dict)


def _claim_chain(preferred: int, count: int) -> int:
    """Lock one chain until the transaction ends, preferring this worker's own.

    On PostgreSQL a transaction-scoped advisory lock per chain lets writers on different
    chains run in parallel and makes writers on the same chain wait their turn instead of
    failing. A busy chain is skipped for a free one. SQLite runs one writer at a time, so no
    lock is needed there. The (chain, seq) unique constraint stays as the last safeguard.
    """
    if connection.vendor != "postgresql":
        return preferred
    with connection.cursor() as cursor:
        for offset in range(count):
            chain = (preferred + offset) % count
            cursor.execute("SELECT pg_try_advisory_xact_lock(%s, %s)", [LOCK_NAMESPACE, chain])
            if cursor.fetchone()[0]:
                return chain
        cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [LOCK_NAMESPACE, preferred])
    return preferred


def chain_key() -> bytes:
    return str(settings.AUDIT_CHAIN_KEY).encode()


def _actor_values(actor: Actor) -> dict[str, Any]:
    unit = actor.unit
    return {
        "actor_person_id": actor.person.pk if actor.person else None,
        "actor_label": actor.label,
        "actor_name": actor.person.full_name if actor.person else "",
        "actor_unit_hsa_id": unit.hsa_id if unit else "",
        "actor_unit_name": unit.name if unit else "",
        "actor_role": actor.role,
    }


# The columns a row is written with, in the order of the COPY below.
COLUMNS = ("prev_hash", "entry_hash", *chain_rules.HASHED_FIELDS)


def append(actor: Actor, drafts: Sequence[Draft]) -> list[AuditEntry]:
    """Append drafts, in order, to this worker's chain; return the saved rows."""
    return _append(actor, drafts, returning=True)


def append_many(actor: Actor, drafts: Sequence[Draft]) -> None:
    """Append many rows at once without reading them back (COPY on PostgreSQL): for bulk
    work such as the directory sync, where each changed row still gets its own entry."""
    _append(actor, drafts, returning=False)


def _append(actor: Actor, drafts: Sequence[Draft], *, returning: bool) -> list[AuditEntry]:
    """Append drafts, in order, to this worker's chain; retry if another writer won a race.

    With `returning=False` (reads logged from views: one row per patient shown) nothing is
    built but the rows' values, and on PostgreSQL they go in with one COPY instead of an
    INSERT through the ORM — the same rows, the same hashes, at a third of the cost.
    """
    if not drafts:
        return []
    context = current_context()
    common = _actor_values(actor) | {
        "request_id": context.request_id,
        "client_address": context.client_address,
        "channel": context.channel,
    }
    hasher = chain_rules.Hasher(chain_key())
    count = settings.AUDIT_CHAIN_COUNT
    preferred = chain_rules.chain_for_this_worker(count)
    for attempt in range(MAX_ATTEMPTS):
        try:
            with transaction.atomic():
                chain = _claim_chain(preferred, count)
                last = (
                    AuditEntry.objects.filter(chain=chain)
                    .order_by("-seq")
                    .values_list("seq", "entry_hash")
                    .first()
                )
                seq, prev = last if last else (0, chain_rules.GENESIS)
                now = timezone.now()
                rows = []
                for draft in drafts:
                    seq += 1
                    values = common | {
                        "chain": chain,
                        "seq": seq,
                        "occurred_at": now,
                        "event_type": int(draft.event_type),
                        "patient_id": draft.patient_id,
                        "object_type": draft.object_type,
                        "object_id": draft.object_id,
                        "details": dict(draft.details),
                    }
                    digest = hasher(prev, values)
                    values["prev_hash"], values["entry_hash"] = prev, digest
                    rows.append(values)
                    prev = digest
                if returning or connection.vendor != "postgresql":
                    return AuditEntry.objects.bulk_create([AuditEntry(**v) for v in rows])
                _copy(rows)
                return []
        except IntegrityError:
            # Only without chain locks (a database other than PostgreSQL and SQLite):
            # another writer took this sequence number first; try the next chain.
            logger.warning("audit chain %s raced (attempt %s)", preferred, attempt + 1)
            preferred = (preferred + 1) % count
    raise RuntimeError("Could not append to the access log")


def _copy(rows: Sequence[Mapping[str, Any]]) -> None:
    """Write rows with PostgreSQL's COPY, inside the caller's transaction.

    The append-only triggers and the constraints apply as to any INSERT. The statement is
    logged like any other query when queries are being captured (DEBUG, tests, benchmarks).
    """
    table = connection.ops.quote_name(AuditEntry._meta.db_table)
    sql = f"COPY {table} ({', '.join(COLUMNS)}) FROM STDIN"
    with connection.cursor() as cursor:
        debug_sql = getattr(cursor, "debug_sql", None)  # set on CursorDebugWrapper only
        logged = debug_sql(sql) if debug_sql is not None else nullcontext()
        with logged, connection.wrap_database_errors, cursor.cursor.copy(sql) as copy:
            for row in rows:
                copy.write_row(
                    [json.dumps(row[name]) if name == "details" else row[name] for name in COLUMNS]
                )


def record(
    actor: Actor,
    event_type: AuditEventType,
    *,
    patient: Patient | None = None,
    obj: models.Model | None = None,
    details: Mapping[str, Any] | None = None,
) -> AuditEntry:
    draft = Draft(
        event_type=event_type,
        patient_id=patient.pk if patient is not None else None,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        details=details or {},
    )
    return append(actor, [draft])[0]


def log_patient_read(
    actor: Actor,
    event_type: AuditEventType,
    patients: Iterable[Patient],
    *,
    what: str,
    obj: models.Model | None = None,
) -> None:
    """One row per patient whose data was shown: a page, each row of a list, a search hit."""
    if event_type not in PATIENT_READ_EVENTS:
        raise ValueError(f"{event_type!r} is not a patient read event")
    drafts = [
        Draft(
            event_type=event_type,
            patient_id=patient.pk,
            object_type=obj._meta.label_lower if obj is not None else "",
            object_id=str(obj.pk) if obj is not None else "",
            details={"what": what},
        )
        for patient in patients
    ]
    append_many(actor, drafts)


def log_change(
    actor: Actor,
    event_type: AuditEventType,
    obj: models.Model,
    *,
    before: Mapping[str, Any] | None,
    after: Mapping[str, Any],
    patient: Patient | None = None,
) -> AuditEntry:
    """A change to a protected or directory row, with its values before and after."""
    changed = sorted(k for k in after if before is None or before.get(k) != after.get(k))
    return record(
        actor,
        event_type,
        patient=patient,
        obj=obj,
        details={
            "before": dict(before) if before else None,
            "after": dict(after),
            "changed": changed,
        },
    )


def log_search(actor: Actor, *, query_kind: str, hits: Iterable[Patient]) -> None:
    """A search by identity number: logged even when it finds nothing."""
    hit_list = list(hits)
    if hit_list:
        log_patient_read(actor, AuditEventType.PATIENT_SEARCHED, hit_list, what=query_kind)
    else:
        record(actor, AuditEventType.PATIENT_SEARCHED, details={"what": query_kind, "hits": 0})
