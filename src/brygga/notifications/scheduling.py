"""The schedule of background work (settings.SCHEDULE) as APScheduler jobs.

The scheduler only enqueues: each job puts its task on the database queue, where a worker
(`manage.py db_worker`) runs it. Run one scheduler per installation; the tasks are
idempotent, so a double enqueue after a restart does no harm.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from django.utils.module_loading import import_string

STOCKHOLM = ZoneInfo("Europe/Stockholm")


@dataclass(frozen=True)
class Job:
    name: str
    trigger: BaseTrigger
    enqueue: Callable[[], Any]


def jobs_from(schedule: Mapping[str, Mapping[str, Any]]) -> list[Job]:
    """Every entry must name an importable task and exactly one of `minutes` or `cron`."""
    jobs = []
    for name, entry in schedule.items():
        task = import_string(entry["task"])
        if ("minutes" in entry) == ("cron" in entry):
            raise ValueError(f"schedule {name!r}: give either 'minutes' or 'cron'")
        trigger: BaseTrigger
        if "minutes" in entry:
            minutes = int(entry["minutes"])
            if minutes < 1:
                raise ValueError(f"schedule {name!r}: the interval must be at least a minute")
            trigger = IntervalTrigger(minutes=minutes, timezone=STOCKHOLM)
        else:
            trigger = CronTrigger.from_crontab(entry["cron"], timezone=STOCKHOLM)
        jobs.append(Job(name=name, trigger=trigger, enqueue=task.enqueue))
    return jobs
