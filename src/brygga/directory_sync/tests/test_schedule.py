"""The sync as scheduled work: the schedule's entries and a run through the worker."""

from __future__ import annotations

import pytest
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from django.conf import settings
from django.core.management import call_command

from brygga.directory.models import Unit
from brygga.directory_sync.models import RunStatus, SyncRun
from brygga.directory_sync.tasks import sync_directory_full, sync_directory_incremental
from brygga.directory_sync.testserver import TestSlapd
from brygga.notifications.scheduling import jobs_from


def test_the_schedule_has_an_incremental_and_a_nightly_full_sync() -> None:
    jobs = {job.name: job for job in jobs_from(settings.DIRECTORY_SYNC_SCHEDULE)}

    incremental = jobs["directory_sync_incremental"]
    assert isinstance(incremental.trigger, IntervalTrigger)
    assert incremental.trigger.interval.total_seconds() == 15 * 60
    assert incremental.enqueue == sync_directory_incremental.enqueue
    full = jobs["directory_sync_full"]
    assert isinstance(full.trigger, CronTrigger)
    assert full.enqueue == sync_directory_full.enqueue
    # Without a directory server configured, nothing is scheduled.
    assert not settings.LDAP_URL
    assert "directory_sync_full" not in settings.SCHEDULE


# Outside a test transaction: the worker closes the connection after its task.
@pytest.mark.django_db(transaction=True)
def test_the_scheduled_sync_runs_through_the_background_worker(slapd: TestSlapd) -> None:
    result = sync_directory_incremental.enqueue()  # no run before: it makes a full one
    call_command("db_worker", batch=True, startup_delay=False, verbosity=0)
    result.refresh()

    assert result.status == "SUCCESSFUL", result.errors
    assert str(result.return_value).startswith("Katalogen synkroniserad (fullständig)")
    run = SyncRun.objects.get()
    assert (run.status, run.started_by) == (RunStatus.SUCCEEDED, "system:directory_sync")
    assert Unit.objects.count() == 5

    again = sync_directory_incremental.enqueue()
    call_command("db_worker", batch=True, startup_delay=False, verbosity=0)
    again.refresh()
    assert str(again.return_value).startswith("Katalogen synkroniserad (ändringar)")
