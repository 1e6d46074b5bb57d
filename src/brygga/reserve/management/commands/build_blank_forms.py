"""Regenerate the blank forms published under static/brygga/blanketter/."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from brygga.reserve.blank_set import write_blank_set


class Command(BaseCommand):
    help = "Skapar de tomma blanketterna för reservrutinen som statiska filer."

    def handle(self, *args: Any, **options: Any) -> None:
        written = write_blank_set()
        for path in written:
            self.stdout.write(str(path))
        self.stdout.write(self.style.SUCCESS(f"{len(written)} filer skrivna."))
