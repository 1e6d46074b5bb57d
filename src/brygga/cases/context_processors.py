"""Counts shown in the navigation on every page."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from brygga.core.actor import Actor

from .access import CARE_ROLES
from .models import OPEN_STATES, NoticeRecipient


def navigation_counts(request: HttpRequest) -> dict[str, Any]:
    actor: Actor | None = getattr(request, "actor", None)
    if actor is None or actor.unit is None or not actor.has_role(*CARE_ROLES):
        return {}
    return {
        "unacknowledged_count": NoticeRecipient.objects.filter(
            unit=actor.unit, acknowledged_at__isnull=True, event__case__state__in=OPEN_STATES
        ).count()
    }
