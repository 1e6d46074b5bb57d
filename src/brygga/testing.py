"""Helpers the tests share: logging in as someone with a chosen commission."""

from __future__ import annotations

import time

import pytest
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
