from collections.abc import Iterator
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from brygga.audit.chain import HASHED_FIELDS, Break, verify_chain
from brygga.audit.log import chain_key
from brygga.audit.models import AuditEntry

FIELDS = ("id", "prev_hash", "entry_hash", *HASHED_FIELDS)


class Command(BaseCommand):
    help = "Verifierar åtkomstloggens hashkedjor och namnger den första brutna posten."

    def handle(self, *args: Any, **options: Any) -> None:
        key = chain_key()
        chains = sorted(set(AuditEntry.objects.order_by().values_list("chain", flat=True)))
        total = 0
        breaks: list[Break] = []

        def counted(rows: Iterator[dict[str, Any]]) -> Iterator[dict[str, Any]]:
            nonlocal total
            for row in rows:
                total += 1
                yield row

        for chain in chains:
            rows = AuditEntry.objects.filter(chain=chain).order_by("seq").values(*FIELDS)
            chain_breaks = list(verify_chain(key, counted(rows.iterator(chunk_size=5000))))
            breaks.extend(chain_breaks[:1])
            if options["verbosity"] > 1:
                self.stdout.write(f"Kedja {chain}: {len(chain_breaks)} brott")
        if breaks:
            first = min(breaks, key=lambda b: b.entry_id)
            raise CommandError(
                f"Loggkedjan är bruten: post {first.entry_id} (kedja {first.chain}, "
                f"nummer {first.seq}): {first.reason}. Påverkade kedjor: {len(breaks)}."
            )
        self.stdout.write(f"Loggkedjan är hel: {total} poster i {len(chains)} kedjor verifierade.")
