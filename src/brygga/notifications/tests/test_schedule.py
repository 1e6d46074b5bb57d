"""The schedule of background work resolves to real tasks and triggers."""

from __future__ import annotations

import pytest
from django.conf import settings

from brygga.notifications.scheduling import jobs_from


def test_every_scheduled_job_names_a_task_and_a_trigger() -> None:
    jobs = jobs_from(settings.SCHEDULE)
    assert {job.name for job in jobs} >= {
        "deliver_emails",
        "deadline_reminders",
        "contingency_lists",
    }
    for job in jobs:
        assert callable(job.enqueue)


@pytest.mark.parametrize(
    "entry",
    [
        {"task": "brygga.notifications.tasks.deliver_emails"},
        {"task": "brygga.notifications.tasks.deliver_emails", "minutes": 1, "cron": "* * * * *"},
        {"task": "brygga.notifications.tasks.deliver_emails", "minutes": 0},
    ],
)
def test_a_wrong_entry_is_refused(entry: dict[str, object]) -> None:
    with pytest.raises(ValueError, match="schedule 'x'"):
        jobs_from({"x": entry})
