"""Reference data a fresh installation has: the amounts per day that DOMAIN.md §4 gives.

Only 2019 and 2022 are confirmed. Every other year is left for an administrator to enter
from Socialstyrelsen's decision: a missing year is reported as an error, never guessed.
Used by migration 0002 (with the migration's frozen model) and by the demo loader, which
puts the rows back when a test database was emptied after the migrations ran.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

AMOUNTS = (
    (2019, Decimal("7800"), True, "Socialstyrelsen, belopp för 2019"),
    (2020, Decimal("8200"), False, "Troligen Socialstyrelsens belopp för 2020 – ska bekräftas"),
    (2022, Decimal("9300"), True, "Socialstyrelsen, belopp för 2022"),
)
INSTALLED_BY = "Brygga (installation)"


def seed_daily_amounts(daily_amount_model: Any) -> None:
    """Create the reference amounts that are missing; an administrator's row is kept."""
    now = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    for year, amount, confirmed, source in AMOUNTS:
        daily_amount_model.objects.get_or_create(
            year=year,
            defaults={
                "amount": amount,
                "confirmed": confirmed,
                "source": source,
                "updated_at": now,
                "updated_by_name": INSTALLED_BY,
            },
        )
