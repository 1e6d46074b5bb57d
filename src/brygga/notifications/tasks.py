"""Background tasks run by the database-backed worker (`manage.py db_worker`)."""

from __future__ import annotations

from django.utils import timezone
from django_tasks import task

from .actions import deliver_due, queue_deadline_reminders


@task()
def deliver_emails() -> list[int]:
    sent, failed = deliver_due(now=timezone.now())
    return [sent, failed]


@task()
def send_deadline_reminders() -> int:
    return queue_deadline_reminders(now=timezone.now())
