"""Sync the directory from the region's HSA/EK over LDAP (docs/directory-sync.md).

manage.py sync_directory               # changes since the last run (incremental)
manage.py sync_directory --full        # everything; what has gone from LDAP ends
manage.py sync_directory --full --dry-run              # print the diff, write nothing
manage.py sync_directory --full --allow-mass-removal   # past the removal guard
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from brygga.core.actor import Actor
from brygga.directory_sync.actions import SyncAlreadyRunning, SyncMode, run_sync
from brygga.directory_sync.engine import describe
from brygga.directory_sync.models import MessageLevel, RunStatus


class Command(BaseCommand):
    help = "Synkroniserar katalogen (enheter, personer, medarbetaruppdrag) från HSA/EK via LDAP."

    def add_arguments(self, parser: CommandParser) -> None:
        mode = parser.add_mutually_exclusive_group()
        mode.add_argument(
            "--full",
            action="store_const",
            const=SyncMode.FULL,
            dest="mode",
            help="Läs hela katalogen; det som försvunnit avslutas eller inaktiveras.",
        )
        mode.add_argument(
            "--incremental",
            action="store_const",
            const=SyncMode.INCREMENTAL,
            dest="mode",
            help="Läs bara det som ändrats sedan förra körningen (standard).",
        )
        parser.add_argument(
            "--allow-mass-removal",
            action="store_true",
            help=(
                "Genomför en fullständig synkronisering även om mer än "
                "BRYGGA_LDAP_MAX_REMOVAL_PERCENT av raderna har försvunnit ur katalogen."
            ),
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Skriv ut ändringarna utan att spara något.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        dry_run = options["dry_run"]
        try:
            result = run_sync(
                actor=Actor.system("sync_directory"),
                mode=options["mode"] or SyncMode.INCREMENTAL,
                now=timezone.now(),
                dry_run=dry_run,
                allow_mass_removal=options["allow_mass_removal"],
                progress=lambda line: self.stdout.write(line),
            )
        except SyncAlreadyRunning as busy:
            raise CommandError(busy.message) from busy
        if result.plan is not None and dry_run:
            for change in result.plan.changes:
                self.stdout.write(describe(change))
        if result.plan is not None:
            for message in result.plan.messages:
                level = MessageLevel(message.level).label
                line = f"{level}: {message.hsa_id or message.dn}: {message.text}"
                self.stdout.write(
                    self.style.WARNING(line) if message.level != MessageLevel.INFO else line
                )
        if result.status == RunStatus.FAILED:
            raise CommandError(result.summary())
        self.stdout.write(self.style.SUCCESS(result.summary()))
