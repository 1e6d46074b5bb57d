"""Write every unit's contingency list (beredskapslista) now.

Meant to run regularly (BRYGGA_CONTINGENCY_INTERVAL_MINUTES, default 60) from the scheduler
described in docs/operations.md, so each unit always has a recent list to print.
"""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone

from brygga.core.actor import Actor
from brygga.reserve.actions import write_contingency_lists


class Command(BaseCommand):
    help = "Skriver en beredskapslista per enhet med enhetens öppna ärenden."

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        units, cases = write_contingency_lists(
            actor=Actor.system("contingency_lists"),
            now=timezone.now(),
            today=timezone.localdate(),
            progress=lambda line: self.stdout.write(line),
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"Beredskapslistor skrivna för {units} enheter med {cases} öppna ärenden "
                f"på {time.monotonic() - started:.1f} s."
            )
        )
