"""manage.py training_reset: empty the training database and load today's scenario.

Meant to run every night from a cron job or a systemd timer (docs/training.md). Refuses to
run unless BRYGGA_ENVIRONMENT=training. Prints its progress and a one-line summary; exits
with a non-zero status if it fails, leaving yesterday's data untouched.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from brygga.core.actor import Actor
from brygga.training.actions import (
    DEFAULT_TRAINEES,
    MAX_TRAINEES,
    NotTrainingEnvironment,
    ResetFailed,
    reset_training_environment,
)


class Command(BaseCommand):
    help = (
        "Återställer utbildningsmiljön: tömmer databasen och laddar övningsregionen med "
        "ärenden i alla lägen räknat från i dag, kursdeltagare, deras patienter och övningar. "
        "Körs bara när BRYGGA_ENVIRONMENT=training; tänkt att köras varje natt."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--trainees",
            type=int,
            default=DEFAULT_TRAINEES,
            help=f"Antal kursdeltagare med egna konton (1–{MAX_TRAINEES}, "
            f"standard {DEFAULT_TRAINEES}).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        verbosity = options["verbosity"]
        trainees = options["trainees"]
        if settings.ENVIRONMENT != "training":
            raise CommandError(
                f"training_reset körs bara i en utbildningsmiljö (BRYGGA_ENVIRONMENT=training); "
                f"den här miljön är {settings.ENVIRONMENT!r}. Inget har ändrats."
            )
        if not 1 <= trainees <= MAX_TRAINEES:
            raise CommandError(f"--trainees ska vara mellan 1 och {MAX_TRAINEES}.")

        def progress(message: str) -> None:
            if verbosity > 0:
                self.stdout.write(message)

        try:
            summary = reset_training_environment(
                actor=Actor.system("training_reset"),
                trainees=trainees,
                today=timezone.localdate(),
                now=timezone.now(),
                progress=progress,
            )
        except (NotTrainingEnvironment, ResetFailed) as error:
            raise CommandError(str(error)) from error
        self.stdout.write(self.style.SUCCESS(summary.line()))
