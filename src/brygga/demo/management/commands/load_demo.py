"""manage.py load_demo: load the fictional demo region (see brygga.demo.world)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, transaction
from django.utils import timezone

from brygga.demo.history import load_history
from brygga.demo.world import PERSONA_DESCRIPTIONS, DemoAlreadyLoaded, load_demo_region

RESET_ENVIRONMENTS = frozenset({"demo", "training", "test"})


class Command(BaseCommand):
    help = (
        "Laddar demoregionen: organisationer, enheter, personer, patienter och ärenden "
        "med händelser och kvittenser."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--reset",
            action="store_true",
            help="Börja om från en tom databas (stöds inte ännu: förklarar hur det görs).",
        )
        parser.add_argument(
            "--utan-historik",
            action="store_true",
            dest="no_history",
            help="Hoppa över årets avslutade vårdtillfällen (för uppföljning och fakturering).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["reset"]:
            raise CommandError(self._reset_refusal())
        verbosity = options["verbosity"]

        def progress(message: str) -> None:
            if verbosity > 0:
                self.stdout.write(message)

        try:
            world = load_demo_region(
                today=timezone.localdate(), now=timezone.now(), progress=progress
            )
        except DemoAlreadyLoaded:
            self.stdout.write("Demoregionen finns redan i databasen – inget att göra.")
            return
        history = 0
        if not options["no_history"]:
            progress("Ett års avslutade vårdtillfällen …")
            with transaction.atomic():
                history = load_history(
                    world, today=timezone.localdate(), now=timezone.now(), progress=progress
                )
        if verbosity > 1:
            for name, description in PERSONA_DESCRIPTIONS.items():
                self.stdout.write(f"  {name}: {world.person(name).full_name} – {description}")
        counts = world.counts()
        self.stdout.write(
            self.style.SUCCESS(
                f"Demoregionen laddad: {counts['organisations']} organisationer, "
                f"{counts['units']} enheter, {counts['persons']} personer, "
                f"{counts['commissions']} uppdrag, {counts['patients']} patienter, "
                f"{counts['cases']} ärenden med {counts['events']} händelser"
                f" och {history} avslutade vårdtillfällen från det senaste året."
            )
        )

    def _reset_refusal(self) -> str:
        if settings.ENVIRONMENT not in RESET_ENVIRONMENTS:
            return (
                f"--reset är inte tillåtet i miljön {settings.ENVIRONMENT!r}; det går bara i "
                "en demo-, utbildnings- eller testmiljö."
            )
        # The access log is append-only (database triggers refuse DELETE), so demo rows
        # cannot be removed one by one: start over with an empty database instead.
        if connection.vendor == "sqlite":
            how = (
                f"radera databasfilen {connection.settings_dict['NAME']} (och dess -wal- och "
                "-shm-filer)"
            )
        else:
            name = connection.settings_dict["NAME"]
            how = f"ta bort och skapa om databasen (dropdb {name} && createdb {name})"
        return (
            "--reset stöds inte: åtkomstloggen går inte att radera. Börja om så här: "
            f"{how}, kör sedan manage.py migrate och manage.py load_demo."
        )
