"""Enqueue the scheduled background work (settings.SCHEDULE) at its times, until stopped."""

from __future__ import annotations

from typing import Any

from apscheduler.schedulers.blocking import BlockingScheduler
from django.conf import settings
from django.core.management.base import BaseCommand

from brygga.notifications.scheduling import STOCKHOLM, jobs_from


class Command(BaseCommand):
    help = "Lägger schemalagt bakgrundsarbete i kön (e-post, påminnelser, beredskapslistor)."

    def handle(self, *args: Any, **options: Any) -> None:
        scheduler = BlockingScheduler(timezone=STOCKHOLM)
        for job in jobs_from(settings.SCHEDULE):
            scheduler.add_job(job.enqueue, job.trigger, id=job.name, name=job.name, coalesce=True)
            self.stdout.write(f"{job.name}: {job.trigger}")
        self.stdout.write(self.style.SUCCESS("Schemaläggaren är igång (Ctrl+C avslutar)."))
        try:
            scheduler.start()
        except (KeyboardInterrupt, SystemExit):
            self.stdout.write("Schemaläggaren avslutad.")
