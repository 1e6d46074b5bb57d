"""Reads logged in bulk (a worklist logs one row per patient shown): the fast path writes the
same rows, with the same hashes, as the ORM path, and the chain still verifies."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from hypothesis import given
from hypothesis import strategies as st

from brygga.audit.chain import GENESIS, HASHED_FIELDS, Hasher, entry_hash, verify_chain
from brygga.audit.events import AuditEventType
from brygga.audit.log import chain_key, log_patient_read, record
from brygga.audit.models import AuditEntry
from brygga.core.actor import Actor
from brygga.patients.models import Patient

texts = st.text(max_size=40)
values = st.fixed_dictionaries(
    {
        "chain": st.integers(0, 63),
        "seq": st.integers(1, 10**12),
        "occurred_at": st.datetimes(min_value=dt.datetime(2000, 1, 1), timezones=st.just(dt.UTC)),
        "event_type": st.integers(0, 32767),
        "actor_person_id": st.none() | st.integers(1, 10**9),
        "actor_label": texts,
        "actor_name": texts,
        "actor_unit_hsa_id": texts,
        "actor_unit_name": texts,
        "actor_role": texts,
        "patient_id": st.none() | st.integers(1, 10**9),
        "object_type": texts,
        "object_id": texts,
        "request_id": texts,
        "client_address": texts,
        "channel": texts,
        "details": st.dictionaries(texts, st.none() | st.integers() | texts, max_size=4),
    }
)


@given(key=st.binary(min_size=1, max_size=64), prev=st.text(max_size=64), row=values)
def test_the_reusable_hasher_gives_the_same_hmac_as_entry_hash(
    key: bytes, prev: str, row: dict[str, Any]
) -> None:
    assert set(row) == set(HASHED_FIELDS)
    hasher = Hasher(key)
    assert hasher(prev, row) == entry_hash(key, prev, row)
    # Reusing it for the next row starts from the key again, not from the previous row.
    assert hasher(prev, row) == entry_hash(key, prev, row)


@pytest.mark.django_db(transaction=True)
def test_a_bulk_read_is_one_unbroken_run_of_rows_that_verifies(
    capsys: pytest.CaptureFixture[str],
) -> None:
    patients = [
        Patient.objects.create(
            identity_number=f"19121212{1000 + n}",
            identity_kind="personnummer",
            given_name="Tolvan",
            family_name=f"Tolvansson {n}",
        )
        for n in range(30)
    ]
    actor = Actor.system("test")
    before = record(actor, AuditEventType.PATIENT_SEARCHED)
    with CaptureQueriesContext(connection) as captured, transaction.atomic():
        log_patient_read(actor, AuditEventType.PATIENT_LISTED, patients, what="arbetslista")
    if connection.vendor == "postgresql":
        # One COPY, logged like any statement, instead of an INSERT through the ORM.
        assert [q["sql"][:4] for q in captured.captured_queries].count("COPY") == 1
    rows = list(AuditEntry.objects.filter(pk__gt=before.pk).order_by("seq"))
    assert [r.patient_id for r in rows] == [p.pk for p in patients]
    assert {r.event_type for r in rows} == {AuditEventType.PATIENT_LISTED}
    assert {r.chain for r in rows} == {before.chain}
    assert [r.seq for r in rows] == list(range(before.seq + 1, before.seq + 31))
    assert rows[0].prev_hash == before.entry_hash
    assert all(r.details == {"what": "arbetslista"} for r in rows)
    assert all(r.actor_label == "system:test" for r in rows)
    chain = (
        AuditEntry.objects.filter(chain=before.chain)
        .order_by("seq")
        .values("id", "prev_hash", "entry_hash", *HASHED_FIELDS)
    )
    assert list(verify_chain(chain_key(), chain)) == []
    assert chain[0]["prev_hash"] == GENESIS
    call_command("verify_audit_chain")
    assert "Loggkedjan är hel" in capsys.readouterr().out
