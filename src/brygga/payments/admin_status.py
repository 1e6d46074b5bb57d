"""What the administrator must know about amounts: years that need one and have none.

A year "needs" an amount when a stay was utskrivningsklar in it (a notice in force that
year, up to discharge or today) under terms without an agreed amount of their own. Such a
year without a row makes every basis that reaches it show an error instead of a total.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Max, Min

from brygga.cases.models import Case, CaseKind

from .models import Agreement, DailyAmount


@dataclass(frozen=True)
class AmountStatus:
    missing: list[int]  # years with utskrivningsklara stays and no amount: an error
    unconfirmed: list[int]  # years whose amount is entered but not confirmed


def years_with_ready_stays(today: dt.date) -> set[int]:
    stays = Case.objects.filter(kind=CaseKind.STAY, ready_at__isnull=False)
    span = stays.aggregate(first=Min("ready_at"), last=Max("discharged_at"))
    if span["first"] is None:
        return set()
    first_year = span["first"].year
    last_year = today.year if stays.filter(discharged_at__isnull=True).exists() else None
    if last_year is None:
        last_year = span["last"].year if span["last"] is not None else today.year
    return set(range(first_year, last_year + 1))


def amount_status(*, today: dt.date) -> AmountStatus:
    known = dict(DailyAmount.objects.values_list("year", "confirmed"))
    needed = years_with_ready_stays(today)
    # Years fully covered by agreements with their own amount need no national amount.
    own = Agreement.objects.filter(own_daily_amount__isnull=False, municipality_code="")
    covered = {
        year
        for year in needed
        if any(
            a.valid_from <= dt.date(year, 1, 1)
            and (a.valid_to is None or a.valid_to >= dt.date(year, 12, 31))
            for a in own
        )
    }
    return AmountStatus(
        missing=sorted(needed - covered - set(known)),
        unconfirmed=sorted(year for year, confirmed in known.items() if not confirmed),
    )
