"""The nightly training reset as a background task (scheduled only in a training
environment; see settings.SCHEDULE and docs/training.md)."""

from __future__ import annotations

from django.utils import timezone
from django_tasks import task

from brygga.core.actor import Actor

from .actions import reset_training_environment


@task()
def reset_training() -> str:
    summary = reset_training_environment(
        actor=Actor.system("training_reset"), today=timezone.localdate(), now=timezone.now()
    )
    return summary.line()
