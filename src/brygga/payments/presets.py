"""Known sets of terms (DOMAIN.md §4), offered as starting points for a new agreement.

`STATUTORY_DEFAULT` also governs every stay that no agreement covers. The average model's
levels are not confirmed anywhere we could check: the preset's level is a parameter that
the administrator must set from the agreement itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time
from decimal import Decimal
from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _

from brygga.core.calendar import DayKind

from .rules import AgreementTerms, CareKindTerms, Model

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


@dataclass(frozen=True)
class Preset:
    key: str
    label: StrOrPromise
    description: StrOrPromise
    code: str
    terms: AgreementTerms


STATUTORY_DEFAULT = AgreementTerms(
    title="Lagens huvudregel (ingen överenskommelse)",
    somatic=CareKindTerms(Model.GRACE_DAYS, 3),
    psychiatric=CareKindTerms(Model.GRACE_DAYS, 3),
    day_kind=DayKind.CALENDAR,
    day_zero_cutoff=None,
    require_admission_notice=True,
    admission_notice_hours=None,
    require_ready_notice=True,
    require_sip_call=True,
    require_no_refusal=True,
)

STOCKHOLM_2020 = AgreementTerms(
    title="Region Stockholm 2020",
    somatic=CareKindTerms(Model.GRACE_DAYS, 3),
    psychiatric=CareKindTerms(Model.GRACE_DAYS, 5),
    day_kind=DayKind.CALENDAR,
    day_zero_cutoff=time(12, 0),
    require_admission_notice=True,
    admission_notice_hours=24,
)

AVERAGE_MODEL = AgreementTerms(
    title="Genomsnittsmodell (somatisk vård)",
    somatic=CareKindTerms(Model.AVERAGE, 0, Decimal("3.00")),
    psychiatric=CareKindTerms(Model.GRACE_DAYS, 5),
    day_kind=DayKind.CALENDAR,
    day_zero_cutoff=time(12, 0),
    require_admission_notice=True,
    admission_notice_hours=24,
)

HISTORIC_WORKING_DAYS = AgreementTerms(
    title="Före 2018: arbetsdagar",
    somatic=CareKindTerms(Model.GRACE_DAYS, 5),
    psychiatric=CareKindTerms(Model.GRACE_DAYS, 30),
    day_kind=DayKind.WORKING,
    eves_are_holidays=True,
    day_zero_cutoff=None,
    require_admission_notice=True,
    admission_notice_hours=None,
)

PRESETS: tuple[Preset, ...] = (
    Preset(
        "lagen",
        _("Lagens huvudregel"),
        _("Tre kalenderdagar efter meddelandet om utskrivningsklar (lag 2017:612)."),
        "lagen",
        STATUTORY_DEFAULT,
    ),
    Preset(
        "stockholm-2020",
        _("Region Stockholm 2020"),
        _(
            "Dag 0 är dagen för meddelandet om det skickas före kl. 12, annars nästa dag. "
            "Somatisk vård: betalning när dag 0, 1 och 2 har passerat. Psykiatrisk vård: "
            "efter fem kalenderdagar."
        ),
        "rs-2020",
        STOCKHOLM_2020,
    ),
    Preset(
        "genomsnitt",
        _("Genomsnittsmodellen"),
        _(
            "Somatisk vård per kommun och månad: kommunen betalar för de dagar som "
            "genomsnittet överstiger den avtalade nivån. Nivån måste anges."
        ),
        "genomsnitt",
        AVERAGE_MODEL,
    ),
    Preset(
        "historisk",
        _("Historisk regel (före 2018)"),
        _(
            "Arbetsdagar utan lördagar, söndagar, helgdagar och midsommar-, jul- och "
            "nyårsafton. Somatisk vård 5 arbetsdagar, psykiatrisk vård 30."
        ),
        "historisk",
        HISTORIC_WORKING_DAYS,
    ),
)
PRESET_BY_KEY = {preset.key: preset for preset in PRESETS}
