"""The access log is append-only and tamper-evident."""

from __future__ import annotations

from itertools import pairwise

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction

from brygga.audit import append_only
from brygga.audit.chain import GENESIS
from brygga.audit.events import AuditEventType
from brygga.audit.log import Draft, append, record
from brygga.audit.models import AuditEntry
from brygga.core.actor import Actor

pytestmark = pytest.mark.django_db(transaction=True)


def _entries(n: int) -> list[AuditEntry]:
    drafts = [Draft(AuditEventType.PATIENT_SEARCHED, details={"i": i}) for i in range(n)]
    return append(Actor.system("test"), drafts)


def _tamper(sql: str, params: list[str | int]) -> None:
    """What someone with the database owner's rights could do: lift the triggers, edit."""
    with connection.cursor() as cursor:
        for statement in append_only.disable(connection.vendor):
            cursor.execute(statement)
        cursor.execute(sql, params)
        for statement in append_only.enable(connection.vendor):
            cursor.execute(statement)


def test_appended_rows_form_an_unbroken_chain(capsys: pytest.CaptureFixture[str]) -> None:
    rows = _entries(5)
    assert [r.seq for r in rows] == [1, 2, 3, 4, 5]
    assert rows[0].prev_hash == GENESIS
    assert all(b.prev_hash == a.entry_hash for a, b in pairwise(rows))
    call_command("verify_audit_chain")
    assert "Loggkedjan är hel: 5 poster" in capsys.readouterr().out


def test_the_database_refuses_updates_and_on_postgresql_deletes() -> None:
    entry = record(Actor.system("test"), AuditEventType.PATIENT_SEARCHED)
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEntry.objects.filter(pk=entry.pk).update(actor_label="someone-else")
    if connection.vendor == "postgresql":
        with pytest.raises(DatabaseError), transaction.atomic():
            AuditEntry.objects.filter(pk=entry.pk).delete()
    assert AuditEntry.objects.get(pk=entry.pk).actor_label == "system:test"


def test_verification_names_the_first_edited_row() -> None:
    victim = _entries(4)[2]
    _tamper("UPDATE audit_auditentry SET actor_label = %s WHERE id = %s", ["intruder", victim.pk])
    with pytest.raises(CommandError, match=rf"post {victim.pk} .*innehållet är ändrat"):
        call_command("verify_audit_chain")


def test_verification_notices_a_deleted_row() -> None:
    rows = _entries(4)
    _tamper("DELETE FROM audit_auditentry WHERE id = %s", [rows[1].pk])
    with pytest.raises(CommandError, match=rf"post {rows[2].pk} .*seq 2 saknas"):
        call_command("verify_audit_chain")


def test_a_rewritten_chain_without_the_key_does_not_verify() -> None:
    """Recomputing hashes with plain SHA-256 (no HMAC key) is caught."""
    import hashlib

    row = _entries(1)[0]
    forged = hashlib.sha256(b"forged").hexdigest()
    _tamper("UPDATE audit_auditentry SET entry_hash = %s WHERE id = %s", [forged, row.pk])
    with pytest.raises(CommandError, match=rf"post {row.pk} "):
        call_command("verify_audit_chain")


def test_concurrent_writers_on_one_chain_never_fork_it(settings: object) -> None:
    """Two writers racing for the same chain: the loser retries; seqs stay unique."""
    from django.test.utils import override_settings

    with override_settings(AUDIT_CHAIN_COUNT=1):
        first = _entries(3)
        second = _entries(3)
    seqs = [r.seq for r in first + second]
    assert seqs == [1, 2, 3, 4, 5, 6]
    call_command("verify_audit_chain")


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="SQLite runs one writer at a time by design"
)
def test_parallel_writers_on_one_chain_all_succeed_and_the_chain_holds() -> None:
    """Four threads, each with its own connection, append to one chain at once."""
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connections
    from django.test.utils import override_settings

    def write(n: int) -> int:
        try:
            for i in range(n):
                with transaction.atomic():
                    record(
                        Actor.system("parallel"), AuditEventType.PATIENT_SEARCHED, details={"i": i}
                    )
            return n
        finally:
            connections.close_all()

    with override_settings(AUDIT_CHAIN_COUNT=1), ThreadPoolExecutor(4) as pool:
        written = sum(pool.map(write, [25] * 4))
    assert written == 100
    assert AuditEntry.objects.filter(chain=0).count() == 100
    call_command("verify_audit_chain")
