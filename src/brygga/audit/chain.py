"""Hashing and verification of the access log's chains. Pure functions over row values."""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import threading
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

GENESIS = "0" * 64

# The fields a row's HMAC covers, in a fixed order.
HASHED_FIELDS = (
    "chain",
    "seq",
    "occurred_at",
    "event_type",
    "actor_person_id",
    "actor_label",
    "actor_name",
    "actor_unit_hsa_id",
    "actor_unit_name",
    "actor_role",
    "patient_id",
    "object_type",
    "object_id",
    "request_id",
    "client_address",
    "channel",
    "details",
)


def _canonical(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return value


def _payload(prev_hash: str, values: Mapping[str, Any]) -> bytes:
    return json.dumps(
        [prev_hash, [_canonical(values[name]) for name in HASHED_FIELDS]],
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
    ).encode()


def entry_hash(key: bytes, prev_hash: str, values: Mapping[str, Any]) -> str:
    return hmac.new(key, _payload(prev_hash, values), hashlib.sha256).hexdigest()


class Hasher:
    """`entry_hash` for many rows under one key: the keyed HMAC state is set up once and
    copied for each row (a worklist view appends a row per patient shown)."""

    def __init__(self, key: bytes) -> None:
        self._keyed = hmac.new(key, digestmod=hashlib.sha256)

    def __call__(self, prev_hash: str, values: Mapping[str, Any]) -> str:
        mac = self._keyed.copy()
        mac.update(_payload(prev_hash, values))
        return mac.hexdigest()


def chain_for_this_worker(chain_count: int) -> int:
    """Each process (and thread) appends to its own chain, so writers rarely meet."""
    return (os.getpid() * 7919 + threading.get_ident()) % chain_count


@dataclass(frozen=True)
class Break:
    entry_id: int
    chain: int
    seq: int
    reason: str


def verify_chain(key: bytes, rows: Iterable[Mapping[str, Any]]) -> Iterator[Break]:
    """Yield every break in rows of ONE chain, given in seq order.

    A row breaks the chain when its sequence number skips (a deleted row), when its
    prev_hash is not the previous row's hash (a removed or reordered row), or when its
    content no longer matches its own hash (an edited row).
    """
    expected_seq = 1
    prev = GENESIS
    hasher = Hasher(key)
    for row in rows:
        if row["seq"] != expected_seq:
            yield Break(row["id"], row["chain"], row["seq"], f"seq {expected_seq} saknas")
        elif row["prev_hash"] != prev:
            yield Break(
                row["id"], row["chain"], row["seq"], "länken till föregående post är bruten"
            )
        elif hasher(row["prev_hash"], row) != row["entry_hash"]:
            yield Break(row["id"], row["chain"], row["seq"], "innehållet är ändrat")
        expected_seq = row["seq"] + 1
        prev = row["entry_hash"]
