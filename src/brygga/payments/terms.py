"""From agreement rows to the rules' terms: which agreement governs a stay, and the amounts.

Loaded once per computation (`AgreementBook.load()`), then asked per stay without further
queries, so a month's basis for the whole region costs the same two queries here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from .models import Agreement, DailyAmount
from .presets import STATUTORY_DEFAULT
from .rules import AgreementTerms, AmountInfo, CareKindTerms, Model


def terms_of(agreement: Agreement) -> AgreementTerms:
    return AgreementTerms(
        title=agreement.title,
        somatic=CareKindTerms(
            Model(agreement.somatic_model),
            agreement.somatic_grace_days,
            agreement.somatic_average_level,
        ),
        psychiatric=CareKindTerms(
            Model(agreement.psychiatric_model),
            agreement.psychiatric_grace_days,
            agreement.psychiatric_average_level,
        ),
        day_kind=agreement.day_kind,  # type: ignore[arg-type]
        eves_are_holidays=agreement.eves_are_holidays,
        day_zero_cutoff=agreement.day_zero_cutoff,
        require_admission_notice=agreement.require_admission_notice,
        admission_notice_hours=agreement.admission_notice_hours,
        require_ready_notice=agreement.require_ready_notice,
        require_sip_call=agreement.require_sip_call,
        require_no_refusal=agreement.require_no_refusal,
        own_daily_amount=agreement.own_daily_amount,
        agreement_id=agreement.pk,
    )


def _covers(agreement: Agreement, day: dt.date) -> bool:
    return agreement.valid_from <= day and (agreement.valid_to is None or day <= agreement.valid_to)


def governing(
    agreements: Iterable[Agreement], municipality_code: str, day: dt.date
) -> Agreement | None:
    """The agreement in force for a municipality on a day: own before region-wide, then the
    latest start, then the highest version."""
    candidates = [
        a for a in agreements if a.municipality_code in ("", municipality_code) and _covers(a, day)
    ]
    if not candidates:
        return None
    return max(
        candidates,
        key=lambda a: (a.municipality_code == municipality_code, a.valid_from, a.version, a.pk),
    )


@dataclass
class AgreementBook:
    agreements: list[Agreement]
    amounts: dict[int, AmountInfo]

    @classmethod
    def load(cls) -> AgreementBook:
        return cls(
            agreements=list(Agreement.objects.all()),
            amounts={
                row.year: AmountInfo(row.amount, row.confirmed) for row in DailyAmount.objects.all()
            },
        )

    def __post_init__(self) -> None:
        self._terms: dict[int, AgreementTerms] = {}
        self._cache: dict[tuple[str, dt.date], AgreementTerms] = {}

    def terms_for(self, municipality_code: str, day: dt.date) -> AgreementTerms:
        """The terms governing a stay whose clock started on `day` (the statutory default
        if no agreement covers it)."""
        key = (municipality_code, day)
        cached = self._cache.get(key)
        if cached is not None:
            return cached
        agreement = governing(self.agreements, municipality_code, day)
        if agreement is None:
            terms = STATUTORY_DEFAULT
        else:
            terms = self._terms.get(agreement.pk) or terms_of(agreement)
            self._terms[agreement.pk] = terms
        self._cache[key] = terms
        return terms
