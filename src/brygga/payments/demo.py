"""Demo rows for payment responsibility: agreements and amounts, written through the actions.

The demo region runs on the Region Stockholm 2020 agreement (the historic working-day rule
is kept as an ended agreement, to show versions and validity). The demo's stays fall in
recent years, for which no amount is confirmed here; the demo enters 2022's confirmed
amount for them, marked as made up and not confirmed, so that the basis shows figures.
A real installation never gets these: an administrator enters each year's amount.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict
from typing import TYPE_CHECKING

from brygga.core.actor import Actor
from brygga.directory.models import Commission, Role

from . import actions
from .models import DailyAmount
from .presets import HISTORIC_WORKING_DAYS, STOCKHOLM_2020
from .reference import seed_daily_amounts
from .rules import AgreementTerms

if TYPE_CHECKING:
    from brygga.demo.world import DemoWorld

DEMO_AMOUNT_SOURCE = "Demo: påhittat belopp (samma som 2022), inte Socialstyrelsens beslut för året"


def _actor(world: DemoWorld, name: str, role: str) -> Actor:
    pk = world.commissions_of(name, role)[0].pk
    commission = Commission.objects.select_related("person", "unit__organisation").get(pk=pk)
    return Actor(person=commission.person, commission=commission)


def _draft(
    terms: AgreementTerms,
    *,
    code: str,
    valid_from: dt.date,
    valid_to: dt.date | None,
    source: str,
) -> actions.AgreementDraft:
    somatic, psychiatric = asdict(terms.somatic), asdict(terms.psychiatric)
    return actions.AgreementDraft(
        code=code,
        title=terms.title,
        municipality_code="",
        valid_from=valid_from,
        valid_to=valid_to,
        day_kind=terms.day_kind,
        eves_are_holidays=terms.eves_are_holidays,
        day_zero_cutoff=terms.day_zero_cutoff,
        somatic_model=somatic["model"],
        somatic_grace_days=somatic["grace_days"],
        somatic_average_level=somatic["average_level"],
        psychiatric_model=psychiatric["model"],
        psychiatric_grace_days=psychiatric["grace_days"],
        psychiatric_average_level=psychiatric["average_level"],
        require_admission_notice=terms.require_admission_notice,
        admission_notice_hours=terms.admission_notice_hours,
        require_ready_notice=terms.require_ready_notice,
        require_sip_call=terms.require_sip_call,
        require_no_refusal=terms.require_no_refusal,
        source=source,
    )


def load(world: DemoWorld, *, today: dt.date, now: dt.datetime) -> None:
    eva = _actor(world, "eva", Role.CENTRAL_ADMIN)
    actions.create_agreement(
        actor=eva,
        draft=_draft(
            HISTORIC_WORKING_DAYS,
            code="historisk",
            valid_from=dt.date(2010, 1, 1),
            valid_to=dt.date(2017, 12, 31),
            source="Regeln före lag (2017:612): arbetsdagar, somatik 5 och psykiatri 30.",
        ),
        now=now,
    )
    actions.create_agreement(
        actor=eva,
        draft=_draft(
            STOCKHOLM_2020,
            code="rs-2020",
            valid_from=dt.date(2020, 1, 1),
            valid_to=None,
            source="Demo: överenskommelse mellan Region Stockholm och länets kommuner, 2020.",
        ),
        now=now,
    )
    # The reference amounts are seeded by a migration; a test database emptied after the
    # migrations (transactional tests) gets them back here.
    seed_daily_amounts(DailyAmount)
    nine_three = DailyAmount.objects.get(year=2022).amount
    # The demo history (demo/history.py) reaches a year back.
    for year in range((today - dt.timedelta(days=400)).year, today.year + 1):
        if not DailyAmount.objects.filter(year=year).exists():
            actions.set_daily_amount(
                actor=eva,
                year=year,
                amount=nine_three,
                confirmed=False,
                source=DEMO_AMOUNT_SOURCE,
                now=now,
            )


def matrix_subjects(world: DemoWorld) -> dict[str, list[object]]:
    """URL arguments for the permission matrix (tests/test_permission_matrix.py)."""
    from .models import Agreement

    return {
        # Jonas (Solna, utskrivningsklar since six days ago) has a row in Solna's basis.
        "payments_case": [world.case("jonas").pk],
        "payments_export": ["csv"],
        "payments_agreement": [Agreement.objects.get(code="rs-2020").pk],
        "payments_dispute": [1],  # resolving is POST only: refused before any lookup
    }
