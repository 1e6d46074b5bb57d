"""Counts shown in the navigation on every page."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.functional import lazy

from brygga.core.actor import Actor

from .access import CARE_ROLES
from .models import OPEN_STATES, NoticeRecipient


def unacknowledged_count(actor: Actor) -> int:
    """Notices to the actor's unit, in open cases, that no one there has acknowledged."""
    return NoticeRecipient.objects.filter(
        unit=actor.unit, acknowledged_at__isnull=True, event__case__state__in=OPEN_STATES
    ).count()


def navigation_counts(request: HttpRequest) -> dict[str, Any]:
    """The count is counted only when a template shows it, and at most once per request.

    A view that knows the count already (the worklist) puts `unacknowledged_count` in its
    own context, which takes precedence, so the query is not run at all.
    """
    actor: Actor | None = getattr(request, "actor", None)
    if actor is None or actor.unit is None or not actor.has_role(*CARE_ROLES):
        return {}
    counted: list[int] = []

    def count() -> int:
        if not counted:
            counted.append(unacknowledged_count(actor))
        return counted[0]

    return {"unacknowledged_count": lazy(count, int)()}
