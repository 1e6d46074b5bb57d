"""Helpers the tests share: logging in as someone with a chosen commission; reading PDFs;
emptying the database after a module-wide fixture; the fuzzing tests' Hypothesis settings."""

from __future__ import annotations

import io
import socket
import time
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from brygga.accounts.session import AUTH_AT_KEY, COMMISSION_KEY, LAST_SEEN_KEY
from brygga.directory.models import Commission, Person


def commission_of(
    person: Person, role: str | None = None, unit_name: str | None = None
) -> Commission:
    commissions = Commission.objects.valid(timezone.localdate()).filter(person=person)
    if role:
        commissions = commissions.filter(role=role)
    if unit_name:
        commissions = commissions.filter(unit__name__icontains=unit_name)
    return commissions.select_related("unit").order_by("pk").first() or pytest.fail(
        f"{person} has no valid commission (role={role}, unit={unit_name})"
    )


def log_in(client: Client, person: Person, commission: Commission | None) -> Client:
    """Logs in as the identity provider would, with the given commission chosen."""
    client.force_login(person, backend="brygga.accounts.authentication.DirectoryBackend")
    session = client.session
    session[AUTH_AT_KEY] = session[LAST_SEEN_KEY] = time.time()
    if commission is not None:
        session[COMMISSION_KEY] = commission.pk
    session.save()
    return client


def pdf_text(content: bytes) -> str:
    """The text of every page of a PDF, as a reader would extract it."""
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(content))
    return "\n".join(page.extract_text() or "" for page in reader.pages)


def assert_accessible_pdf(content: bytes, *, lang: str = "sv") -> None:
    """A tagged PDF (structure tree, marked content) that states its language and title and
    declares PDF/UA-1 in its metadata, as screen readers and PDF/UA checkers need."""
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(content))
    root: Any = reader.trailer["/Root"]
    assert "/StructTreeRoot" in root, "the PDF has no structure tree (not tagged)"
    assert root["/MarkInfo"]["/Marked"], "the PDF is not marked as tagged"
    assert str(root["/Lang"]).lower().startswith(lang), f"document language {root.get('/Lang')}"
    assert reader.metadata is not None and reader.metadata.title, "the PDF has no title"
    metadata = root["/Metadata"].get_object().get_data().decode("utf-8", "replace")
    assert "pdfuaid:part" in metadata and "1" in metadata, "no PDF/UA identification"


def free_port() -> int:
    """A TCP port on loopback that nothing listens on now, for a counterpart a test starts."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def empty_database() -> None:
    """Empty every table as ``manage.py flush`` does, then put back the reference data a fresh
    installation has (rows seeded by migrations, such as the amounts per day), so tests that
    run afterwards find the database as migrated."""
    from brygga.training.actions import reseed_reference_data

    call_command("flush", interactive=False, verbosity=0)
    reseed_reference_data()


def fuzz_settings(examples: int) -> Any:
    """Hypothesis settings of the fuzzing tests: the same input on every run (derandomized,
    no example database), no time limit per example, every example generated afresh."""
    from hypothesis import HealthCheck, Phase, settings

    return settings(
        max_examples=examples,
        deadline=None,
        derandomize=True,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
