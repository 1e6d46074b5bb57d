"""Who may read the directory sync's run reports: central administration only.

The reports name persons and units of every organisation, so they are for the central
administration, which manages the whole directory, and not for local EK administrators.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from brygga.core.actor import Actor
from brygga.directory.models import Role

from .models import SyncRun


def may_view_runs(actor: Actor) -> bool:
    return actor.has_role(Role.CENTRAL_ADMIN)


def require_run_viewer(actor: Actor) -> None:
    if not may_view_runs(actor):
        raise PermissionDenied


def access_run(actor: Actor, run_id: int) -> SyncRun:
    require_run_viewer(actor)
    return get_object_or_404(SyncRun, pk=run_id)
