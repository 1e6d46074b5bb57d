"""The directory sync as scheduled background work (settings.DIRECTORY_SYNC_SCHEDULE).

The scheduler enqueues these; the database worker (`manage.py db_worker`) runs them. A run
that finds another one going on does nothing: the next scheduled run catches up.
"""

from __future__ import annotations

import logging

from django.utils import timezone
from django_tasks import task

from brygga.core.actor import Actor

from .actions import SyncAlreadyRunning, SyncMode, run_sync

logger = logging.getLogger(__name__)


def _sync(mode: str) -> str:
    try:
        result = run_sync(
            actor=Actor.system("directory_sync"),
            mode=mode,
            now=timezone.now(),
            progress=logger.info,
        )
    except SyncAlreadyRunning as busy:
        logger.warning("%s", busy.message)
        return busy.message
    summary = result.summary()
    logger.info("%s", summary)
    return summary


@task()
def sync_directory_incremental() -> str:
    return _sync(SyncMode.INCREMENTAL)


@task()
def sync_directory_full() -> str:
    return _sync(SyncMode.FULL)
