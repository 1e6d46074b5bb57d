"""The acting commission kept in the session, and the session's own clock."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.contrib.auth import login, logout
from django.http import HttpRequest
from django.utils import timezone

from brygga.audit.events import AuditEventType
from brygga.audit.log import record
from brygga.core.actor import Actor
from brygga.directory.actions import mark_commission_used
from brygga.directory.models import Commission, Person

COMMISSION_KEY = "brygga_commission_id"
AUTH_AT_KEY = "brygga_auth_at"
LAST_SEEN_KEY = "brygga_last_seen"
METHOD_KEY = "brygga_login_method"  # "demo", "oidc", "siths": decides how logout ends


def valid_commissions(person: Person) -> list[Commission]:
    today = timezone.localdate()
    return list(
        Commission.objects.valid(today)
        .filter(person=person)
        .select_related("unit", "unit__organisation")
        .order_by("unit__name", "role")
    )


def start_session(
    request: HttpRequest,
    person: Person,
    *,
    method: str,
    details: Mapping[str, Any] | None = None,
) -> None:
    """Log the person in (a new session key: no fixation) and write the LOGIN row."""
    login(request, person, backend="brygga.accounts.authentication.DirectoryBackend")
    now = timezone.now().timestamp()
    request.session[AUTH_AT_KEY] = now
    request.session[LAST_SEEN_KEY] = now
    request.session[METHOD_KEY] = method
    record(
        Actor(person=person, commission=None),
        AuditEventType.LOGIN,
        details={"method": method, **(details or {})},
    )


def choose_commission(request: HttpRequest, person: Person, commission: Commission) -> None:
    request.session[COMMISSION_KEY] = commission.pk
    mark_commission_used(commission=commission, now=timezone.now())
    record(Actor(person=person, commission=commission), AuditEventType.COMMISSION_CHOSEN)


def end_session(request: HttpRequest, *, event: AuditEventType = AuditEventType.LOGOUT) -> None:
    actor = getattr(request, "actor", None)
    if actor is None and request.user.is_authenticated:
        actor = Actor(person=request.user, commission=None)  # type: ignore[arg-type]
    if actor is not None:
        record(actor, event)
    logout(request)
