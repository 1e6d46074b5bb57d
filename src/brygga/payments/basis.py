"""The monthly invoicing basis (faktureringsunderlag) per municipality.

`compute_basis(month, municipality_code, now=...)` gathers the stays that can have payable
days in the month, asks the pure rules for each one under the agreement that governs it,
and groups the rows per municipality with totals, average-model summaries, disputes and
errors (a year without an amount). Reads only; the caller decides who may see it and logs
what is shown.

What a row is: under the grace-days model, a stay with days charged in the month, or one
that would have had some but for a failed precondition (shown at 0 kr with the reason);
stays discharged within the grace period are only counted. Under the average model, every
stay discharged in the month, with its days as utskrivningsklar.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from brygga.directory.models import Organisation, OrganisationKind
from brygga.patients.models import Patient

from .facts import StayRecord, candidate_cases, month_bounds, stay_records
from .models import Dispute, DisputeStatus
from .rules import (
    AgreementTerms,
    AverageResult,
    AverageStay,
    Model,
    PaymentResult,
    average_model,
    compute_payment,
    day_zero,
)
from .terms import AgreementBook


@dataclass
class BasisRow:
    record: StayRecord
    result: PaymentResult
    terms: AgreementTerms
    dispute: Dispute | None = None
    patient: Patient | None = None

    @property
    def case_id(self) -> int:
        return self.record.case_id

    @property
    def is_average(self) -> bool:
        return self.result.model == Model.AVERAGE

    @property
    def credited(self) -> bool:
        """The region accepted the municipality's dispute: the row is not charged."""
        return self.dispute is not None and self.dispute.status == DisputeStatus.ACCEPTED

    @property
    def charged_days(self) -> int:
        return 0 if self.credited else self.result.days

    @property
    def charged_amount(self) -> Decimal | None:
        if self.credited or self.is_average:
            return Decimal(0)
        return self.result.amount

    @property
    def first_day(self) -> dt.date | None:
        return self.result.payable_days[0] if self.result.payable_days else None

    @property
    def last_day(self) -> dt.date | None:
        return self.result.payable_days[-1] if self.result.payable_days else None


@dataclass
class AverageGroup:
    title: str
    care_kind: str
    result: AverageResult
    case_ids: list[int]


@dataclass
class MunicipalityBasis:
    code: str
    name: str
    month: dt.date
    rows: list[BasisRow] = field(default_factory=list)
    averages: list[AverageGroup] = field(default_factory=list)
    within_grace: int = 0  # stays with no payable days in the month (not listed)

    @property
    def days(self) -> int:
        return sum(row.charged_days for row in self.rows)

    @property
    def average_days(self) -> Decimal:
        return sum((group.result.payable_days for group in self.averages), Decimal(0))

    @property
    def amount(self) -> Decimal | None:
        """The month's total, or None while a year's amount is missing."""
        total = Decimal(0)
        for part in [row.charged_amount for row in self.rows] + [
            group.result.amount for group in self.averages
        ]:
            if part is None:
                return None
            total += part
        return total

    @property
    def missing_years(self) -> list[int]:
        years = {y for row in self.rows if not row.credited for y in row.result.missing_years}
        years |= {y for group in self.averages for y in group.result.missing_years}
        return sorted(years)

    @property
    def unconfirmed_years(self) -> list[int]:
        years = {y for row in self.rows if not row.credited for y in row.result.unconfirmed_years}
        years |= {y for group in self.averages for y in group.result.unconfirmed_years}
        return sorted(years)

    @property
    def charged_rows(self) -> int:
        return sum(1 for row in self.rows if row.charged_days)

    @property
    def open_disputes(self) -> int:
        return sum(1 for row in self.rows if row.dispute is not None and row.dispute.is_open)


def municipality_names() -> dict[str, str]:
    return dict(
        Organisation.objects.filter(kind=OrganisationKind.MUNICIPALITY)
        .exclude(municipality_code="")
        .values_list("municipality_code", "name")
    )


def compute_basis(
    month: dt.date,
    municipality_code: str | None = None,
    *,
    now: dt.datetime,
    book: AgreementBook | None = None,
    with_patients: bool = True,
    only_case: int | None = None,
) -> dict[str, MunicipalityBasis]:
    """The basis of `month` for one municipality (or all, with None), keyed by code."""
    book = book or AgreementBook.load()
    first, following = month_bounds(month)
    window = (first, following)
    names = municipality_names()
    bases: dict[str, MunicipalityBasis] = {}
    if municipality_code is not None:
        bases[municipality_code] = MunicipalityBasis(
            municipality_code, names.get(municipality_code, municipality_code), first
        )
    cases = candidate_cases(first, following, municipality_code)
    if only_case is not None:
        cases = cases.filter(pk=only_case)
    records = stay_records(cases)
    pools: dict[tuple[str, str, str], list[tuple[BasisRow, AgreementTerms]]] = defaultdict(list)
    for record in records:
        code = record.municipality_code
        if municipality_code is not None and code != municipality_code:
            continue
        basis = bases.get(code)
        if basis is None:
            basis = bases[code] = MunicipalityBasis(code, names.get(code, code), first)
        facts = record.facts
        assert facts.ready_at is not None
        zero = day_zero(facts.ready_at, None)
        terms = book.terms_for(code, zero)
        # Sift without the Swedish texts; explain only the rows that are shown.
        result = compute_payment(facts, terms, book.amounts, now=now, window=window, explain=False)
        if result.model == Model.AVERAGE:
            shown = result.days_as_ready is not None  # else counted in the discharge month
        else:
            shown = bool(result.days or result.withheld_days)
            basis.within_grace += 0 if shown else 1
        if not shown:
            continue
        result = compute_payment(facts, terms, book.amounts, now=now, window=window)
        row = BasisRow(record, result, terms)
        basis.rows.append(row)
        if result.model == Model.AVERAGE and not result.failed:
            pools[(code, str(terms.agreement_id), facts.care_kind)].append((row, terms))
    for (code, _agreement, care_kind), members in sorted(pools.items()):
        terms = members[0][1]
        care = terms.for_care_kind(care_kind)
        assert care.average_level is not None
        summary = average_model(
            [AverageStay(row.case_id, row.result.days_as_ready or 0) for row, _t in members],
            level=care.average_level,
            year=first.year,
            amounts=book.amounts,
            own_daily_amount=terms.own_daily_amount,
        )
        bases[code].averages.append(
            AverageGroup(terms.title, care_kind, summary, [row.case_id for row, _t in members])
        )
    _attach_disputes(bases, first)
    if with_patients:
        _attach_patients(bases)
    for basis in bases.values():
        basis.rows.sort(
            key=lambda row: (row.patient.family_name if row.patient else "", row.case_id)
        )
    return dict(sorted(bases.items()))


def _attach_disputes(bases: dict[str, MunicipalityBasis], month: dt.date) -> None:
    rows = {row.case_id: row for basis in bases.values() for row in basis.rows}
    if not rows:
        return
    disputes = Dispute.objects.filter(month=month, municipality_code__in=list(bases))
    for dispute in disputes:
        row = rows.get(dispute.case_id)
        if row is not None:
            row.dispute = dispute


def _attach_patients(bases: dict[str, MunicipalityBasis]) -> None:
    rows = [row for basis in bases.values() for row in basis.rows]
    patients = Patient.objects.in_bulk([row.record.patient_id for row in rows])
    for row in rows:
        row.patient = patients.get(row.record.patient_id)


def basis_row(
    case_id: int, month: dt.date, municipality_code: str, *, now: dt.datetime
) -> BasisRow | None:
    """One case's row in a municipality's basis of a month, or None if it has none."""
    basis = compute_basis(month, municipality_code, now=now, only_case=case_id)
    rows = basis[municipality_code].rows
    return rows[0] if rows else None
