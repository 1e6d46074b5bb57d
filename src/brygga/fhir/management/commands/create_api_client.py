"""Register a system client (an EHR) for the FHIR API and print its credentials once."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from brygga.core.actor import Actor
from brygga.directory.models import Unit
from brygga.fhir.actions import register_api_client
from brygga.fhir.models import ALL_SCOPES, SCOPE_READ, SCOPE_WRITE


class Command(BaseCommand):
    help = "Registrera en API-klient (journalsystem) för FHIR-API:t och skriv ut dess hemlighet."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name", help="Klientens namn, t.ex. 'TakeCare Karolinska'")
        parser.add_argument(
            "--unit", action="append", required=True, help="HSA-id för en enhet (upprepa)"
        )
        parser.add_argument(
            "--scope",
            action="append",
            choices=sorted(ALL_SCOPES),
            help=f"Behörighet (upprepa); standard {SCOPE_READ} och {SCOPE_WRITE}",
        )
        parser.add_argument("--client-id", default="", help="Eget klient-id (annars slumpat)")

    def handle(self, *args: Any, **options: Any) -> None:
        units = list(Unit.objects.filter(hsa_id__in=options["unit"]))
        missing = set(options["unit"]) - {u.hsa_id for u in units}
        if missing:
            raise CommandError(f"Okända HSA-id: {', '.join(sorted(missing))}")
        scopes = tuple(options["scope"] or (SCOPE_READ, SCOPE_WRITE))
        client, secret = register_api_client(
            actor=Actor.system("create_api_client"),
            name=options["name"],
            units=units,
            scopes=scopes,
            client_id=options["client_id"],
        )
        self.stdout.write(f"client_id:     {client.client_id}")
        self.stdout.write(f"client_secret: {secret}")
        self.stdout.write(
            self.style.SUCCESS(
                f"Registrerade {client.name} för {len(units)} enhet(er) med {' '.join(scopes)}. "
                "Hemligheten visas bara nu."
            )
        )
