"""Background tasks of the reserve routine."""

from __future__ import annotations

from django.utils import timezone
from django_tasks import task

from brygga.core.actor import Actor

from . import actions


@task()
def write_contingency_lists() -> list[int]:
    units, cases = actions.write_contingency_lists(
        actor=Actor.system("contingency_lists"), now=timezone.now(), today=timezone.localdate()
    )
    return [units, cases]
