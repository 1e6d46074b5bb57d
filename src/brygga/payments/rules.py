"""The municipality's payment responsibility as pure functions (DOMAIN.md §4).

`compute_payment(facts, terms, amounts, now=..., window=...)` takes one stay's facts
(`StayFacts`, built from the case's events by `facts.py`), the terms of the agreement that
governs it (`AgreementTerms`), the amounts per day per year, and returns the payable days
and the amount with its reasons in Swedish. `average_model(...)` charges a municipality's
month under the average model. Nothing here reads the clock or the database.

How a stay is counted, and the choices made where the sources leave room:

- **Day 0** is the Swedish calendar day of the utskrivningsklar notice in force. With a
  cut-off time (Region Stockholm 2020: 12:00) a notice sent at or after the cut-off makes
  the *next* day day 0.
- **Grace days** ``N``: day 0 and the days after it up to the N-th day of the agreement's
  kind are free; payment starts on ``add_days(day 0, N, kind)``. With calendar days that
  is day N (the law's default, 3: day 0, 1 and 2 pass, day 3 is paid; Stockholm
  psychiatry, 5: day 5 is paid). With working days it is the N-th working day after day 0
  (the historic rule: somatic 5, psychiatry 30). Once payment has started every calendar
  day is paid, weekends included.
- **The discharge day is not paid**, as the national follow-up counts days "from the
  notice to the discharge" (discharged on day 0: 0 days). A stay still going on is paid
  through yesterday: today is not over yet.
- **Återtagande**: a withdrawn notice starts nothing. Only the notice in force (the one
  after the last withdrawal) starts the clock, so no day of a withdrawn period is paid.
- **Transfer** to another inpatient unit continues the stay: the clock does not restart.
- **Cancelled case** (*avbrott*): no discharge to the municipality's support, nothing paid.
- **Preconditions** (each one switched on or off by the agreement): an admission notice
  was sent (optionally within N hours of admission or of the later assessment), the
  utskrivningsklar notice reached the municipality, a kallelse till SIP was sent when a
  SIP was needed, and the patient has not refused the municipality's support. A failed
  precondition makes the whole stay free; each failed one is named.
- **Pricing**: each paid day at its own year's amount (a stay over New Year is priced in
  two parts), or at the agreement's own amount. A year without an amount makes the total
  unknown (None) and is reported; it is never guessed.
- **Average model** (see `average_model`): per municipality and month, over the stays
  discharged in the month whose preconditions hold, ``days_i`` = days from day 0 to the
  discharge day (0 for a discharge on day 0). With ``n`` stays and level ``L`` the
  municipality pays ``max(0, Σ days_i − L × n)`` days (the average's excess over the level
  times the number of stays), priced at the amount of the month's year.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from zoneinfo import ZoneInfo

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from brygga.core.calendar import DayKind, add_days

__all__ = [
    "STOCKHOLM",
    "AgreementTerms",
    "AmountInfo",
    "AverageResult",
    "AverageStay",
    "CareKindTerms",
    "PaymentResult",
    "Precondition",
    "StayFacts",
    "Transfer",
    "WithdrawnPeriod",
    "YearSubtotal",
    "average_model",
    "compute_payment",
    "day_zero",
    "first_payable_day",
]

STOCKHOLM = ZoneInfo("Europe/Stockholm")
ORE = Decimal("0.01")


class Model(StrEnum):
    GRACE_DAYS = "grace_days"
    AVERAGE = "average"


class Precondition(StrEnum):
    ADMISSION_NOTICE = "admission_notice"
    READY_NOTICE = "ready_notice"
    SIP_CALL = "sip_call"
    NO_REFUSAL = "no_refusal"
    NOT_CANCELLED = "not_cancelled"


# --- Inputs ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class WithdrawnPeriod:
    notified_at: datetime
    withdrawn_at: datetime


@dataclass(frozen=True)
class Transfer:
    at: datetime
    to_unit_name: str


@dataclass(frozen=True)
class StayFacts:
    """What the payment rules need to know about one inpatient stay (all datetimes aware)."""

    case_id: int
    care_kind: str  # "somatic" or "psychiatric"
    admitted_at: datetime
    compulsory_care: bool = False
    assessed_at: datetime | None = None
    admission_notice_at: datetime | None = None
    # The utskrivningsklar notice in force (after the last withdrawal), or None.
    ready_at: datetime | None = None
    ready_notice_reached_municipality: bool = False
    withdrawn: tuple[WithdrawnPeriod, ...] = ()
    sip_needed: bool = False
    sip_called_at: datetime | None = None
    support_refused_at: datetime | None = None
    discharged_at: datetime | None = None
    cancelled_at: datetime | None = None
    transfers: tuple[Transfer, ...] = ()

    def __post_init__(self) -> None:
        for name in (
            "admitted_at",
            "assessed_at",
            "admission_notice_at",
            "ready_at",
            "sip_called_at",
            "support_refused_at",
            "discharged_at",
            "cancelled_at",
        ):
            value = getattr(self, name)
            if value is not None:
                _require_aware(name, value)
        object.__setattr__(self, "withdrawn", tuple(self.withdrawn))
        object.__setattr__(self, "transfers", tuple(self.transfers))


@dataclass(frozen=True)
class CareKindTerms:
    model: Model
    grace_days: int
    average_level: Decimal | None = None


@dataclass(frozen=True)
class AgreementTerms:
    """The terms of one agreement version (or a preset), independent of the database."""

    title: str
    somatic: CareKindTerms
    psychiatric: CareKindTerms
    day_kind: DayKind = DayKind.CALENDAR
    eves_are_holidays: bool = False
    day_zero_cutoff: time | None = None
    require_admission_notice: bool = True
    admission_notice_hours: int | None = None
    require_ready_notice: bool = True
    require_sip_call: bool = True
    require_no_refusal: bool = True
    own_daily_amount: Decimal | None = None
    agreement_id: int | None = None  # the database row, None for the statutory fallback

    def __post_init__(self) -> None:
        object.__setattr__(self, "day_kind", DayKind(self.day_kind))
        for terms in (self.somatic, self.psychiatric):
            if terms.grace_days < 0:
                raise ValueError("grace days must not be negative")
            if terms.model == Model.AVERAGE and terms.average_level is None:
                raise ValueError("the average model needs a level")

    def for_care_kind(self, care_kind: str) -> CareKindTerms:
        return self.psychiatric if care_kind == "psychiatric" else self.somatic


@dataclass(frozen=True)
class AmountInfo:
    amount: Decimal
    confirmed: bool = True


# --- Results -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class YearSubtotal:
    year: int
    days: int
    amount_per_day: Decimal | None  # None: no amount entered for the year
    confirmed: bool
    amount: Decimal | None


@dataclass(frozen=True)
class PaymentResult:
    case_id: int
    model: Model
    day_zero: date | None
    first_payable_day: date | None
    # The days charged (within the window), in order. Empty under the average model.
    payable_days: tuple[date, ...]
    subtotals: tuple[YearSubtotal, ...]
    amount: Decimal | None  # None if a year's amount is missing
    failed: tuple[Precondition, ...]
    failed_text: tuple[str, ...]  # Swedish, one per failed precondition
    reasons: tuple[str, ...]  # Swedish: how the figure came about
    # Average model: days from day 0 to discharge, for stays discharged within the window.
    days_as_ready: int | None = None
    missing_years: tuple[int, ...] = ()
    unconfirmed_years: tuple[int, ...] = ()
    # Days that would have been charged had every precondition held.
    withheld_days: int = 0
    # The reasons that are out of the ordinary (återtagande, transfers), for short listings.
    remarks: tuple[str, ...] = ()

    @property
    def days(self) -> int:
        return len(self.payable_days)

    @property
    def is_payable(self) -> bool:
        return not self.failed and bool(self.payable_days)

    @property
    def has_error(self) -> bool:
        return bool(self.missing_years)


# --- The rules ---------------------------------------------------------------------------------


class _Notes(list[str]):
    """The Swedish reasons, made only when asked for (`explain`)."""

    def __init__(self, on: bool) -> None:
        super().__init__()
        self.on = on

    def add(self, make: Callable[[], str]) -> None:
        if self.on:
            self.append(make())


def day_zero(ready_at: datetime, cutoff: time | None) -> date:
    """Day 0: the notice's Swedish day, or the next day if sent at or after the cut-off."""
    local = ready_at.astimezone(STOCKHOLM)
    if cutoff is not None and local.time() >= cutoff:
        return local.date() + timedelta(days=1)
    return local.date()


def first_payable_day(zero: date, grace_days: int, terms: AgreementTerms) -> date:
    return add_days(zero, grace_days, terms.day_kind, eves_are_holidays=terms.eves_are_holidays)


def compute_payment(
    facts: StayFacts,
    terms: AgreementTerms,
    amounts: Mapping[int, AmountInfo],
    *,
    now: datetime,
    window: tuple[date, date] | None = None,
    explain: bool = True,
) -> PaymentResult:
    """Payable days and amount of one stay; `window` = [first day, day after last) to charge.

    Under the average model the result carries `days_as_ready` (for a stay discharged
    within the window) and no payable days: the charge is per municipality and month.
    With ``explain=False`` the Swedish texts (reasons, failed preconditions, remarks) are
    left empty: the figures are the same, and a whole region's month is much cheaper to
    sift before explaining the rows that are shown.
    """
    _require_aware("now", now)
    care = terms.for_care_kind(facts.care_kind)
    model = Model(care.model)
    reasons = _Notes(explain)
    reasons.add(lambda: _agreement_reason(terms, facts, care))
    remarks = tuple(_withdrawn_reasons(facts) + _transfer_reasons(facts)) if explain else ()
    reasons.extend(remarks)
    failed = _failed_preconditions(facts, terms)
    failed_text = tuple(_FAILED_TEXT[item](facts, terms) for item in failed) if explain else ()

    empty = PaymentResult(
        case_id=facts.case_id,
        model=model,
        day_zero=None,
        first_payable_day=None,
        payable_days=(),
        subtotals=(),
        amount=Decimal(0),
        failed=failed,
        failed_text=failed_text,
        reasons=tuple(reasons),
        remarks=remarks,
    )
    if facts.ready_at is None:
        reasons.add(lambda: _("Inget meddelande om utskrivningsklar gäller."))
        return _replace(empty, reasons=tuple(reasons))

    zero = day_zero(facts.ready_at, terms.day_zero_cutoff)
    ready_at = facts.ready_at
    reasons.add(lambda: _day_zero_reason(ready_at, zero, terms))
    end = _end_of_stay(facts, now)  # exclusive
    if facts.discharged_at is not None:
        reasons.add(
            lambda: (
                _("Utskriven %(when)s; utskrivningsdagen debiteras inte.")
                % {"when": _format_time(facts.discharged_at)}
            )
        )
    elif facts.cancelled_at is None:
        reasons.add(
            lambda: (
                _("Patienten är kvar; dagar till och med i går (%(day)s) räknas.")
                % {"day": (end - timedelta(days=1)).isoformat()}
            )
        )

    if model == Model.AVERAGE:
        return _average_stay(facts, empty, zero, end, window, reasons)

    first = first_payable_day(zero, care.grace_days, terms)
    reasons.add(lambda: _grace_reason(care.grace_days, terms, first))
    start = first
    stop = end
    if window is not None:
        start, stop = max(start, window[0]), min(stop, window[1])
    all_days = tuple(start + timedelta(days=i) for i in range(max(0, (stop - start).days)))
    if failed:
        reasons.add(
            lambda: (
                ngettext(
                    "%(count)d dag hade annars debiterats, men ett villkor för betalningsansvar "
                    "är inte uppfyllt.",
                    "%(count)d dagar hade annars debiterats, men ett villkor för "
                    "betalningsansvar är inte uppfyllt.",
                    len(all_days),
                )
                % {"count": len(all_days)}
            )
        )
        return _replace(
            empty,
            day_zero=zero,
            first_payable_day=first,
            reasons=tuple(reasons),
            withheld_days=len(all_days),
        )
    subtotals, total, missing, unconfirmed = _price(all_days, terms, amounts)
    if not all_days and end <= first:
        reasons.add(lambda: _("Utskriven innan betalningsansvaret började."))
    return PaymentResult(
        case_id=facts.case_id,
        model=model,
        day_zero=zero,
        first_payable_day=first,
        payable_days=all_days,
        subtotals=subtotals,
        amount=total,
        failed=(),
        failed_text=(),
        reasons=tuple(reasons),
        remarks=remarks,
        missing_years=missing,
        unconfirmed_years=unconfirmed,
    )


@dataclass(frozen=True)
class AverageStay:
    case_id: int
    days_as_ready: int


@dataclass(frozen=True)
class AverageResult:
    stays: int
    total_days: int
    average: Decimal  # rounded to two decimals for display
    level: Decimal
    payable_days: Decimal
    amount_per_day: Decimal | None
    amount: Decimal | None
    reasons: tuple[str, ...]
    missing_years: tuple[int, ...] = ()
    unconfirmed_years: tuple[int, ...] = ()


def average_model(
    stays: list[AverageStay],
    *,
    level: Decimal,
    year: int,
    amounts: Mapping[int, AmountInfo],
    own_daily_amount: Decimal | None = None,
) -> AverageResult:
    """One municipality's month under the average model (formula in the module docstring)."""
    count = len(stays)
    total = sum(stay.days_as_ready for stay in stays)
    average = (Decimal(total) / count).quantize(ORE, ROUND_HALF_UP) if count else Decimal(0)
    payable = max(Decimal(0), Decimal(total) - level * count)
    per_day, confirmed, missing = _amount_for(year, own_daily_amount, amounts)
    amount = (payable * per_day).quantize(ORE, ROUND_HALF_UP) if per_day is not None else None
    reasons = [
        _(
            "Genomsnittsmodellen: %(count)d utskrivna patienter, sammanlagt %(total)d dagar "
            "som utskrivningsklara, i genomsnitt %(average)s dagar; avtalad nivå %(level)s dagar."
        )
        % {"count": count, "total": total, "average": average, "level": level},
    ]
    if payable > 0:
        reasons.append(
            _(
                "Kommunen betalar för överskottet: %(total)d − %(level)s × %(count)d = "
                "%(payable)s dagar."
            )
            % {"total": total, "level": level, "count": count, "payable": payable}
        )
    else:
        reasons.append(_("Genomsnittet överstiger inte nivån: inget betalningsansvar."))
    return AverageResult(
        stays=count,
        total_days=total,
        average=average,
        level=level,
        payable_days=payable,
        amount_per_day=per_day,
        amount=amount if payable > 0 else Decimal(0),
        reasons=tuple(reasons),
        missing_years=missing if payable > 0 else (),
        unconfirmed_years=(year,) if payable > 0 and per_day is not None and not confirmed else (),
    )


# --- Helpers -----------------------------------------------------------------------------------


def _average_stay(
    facts: StayFacts,
    empty: PaymentResult,
    zero: date,
    end: date,
    window: tuple[date, date] | None,
    reasons: _Notes,
) -> PaymentResult:
    discharged_in_window = facts.discharged_at is not None and (
        window is None or window[0] <= _local_date(facts.discharged_at) < window[1]
    )
    days = max(0, (end - zero).days) if discharged_in_window else None
    if days is not None:
        counted = days
        reasons.add(
            lambda: (
                ngettext(
                    "%(days)d dag som utskrivningsklar räknas in i kommunens genomsnitt.",
                    "%(days)d dagar som utskrivningsklar räknas in i kommunens genomsnitt.",
                    counted,
                )
                % {"days": counted}
            )
        )
    else:
        reasons.add(lambda: _("Räknas in i genomsnittet den månad patienten skrivs ut."))
    if empty.failed and days is not None:
        reasons.add(lambda: _("Räknas inte in i genomsnittet: ett villkor är inte uppfyllt."))
    return _replace(empty, day_zero=zero, reasons=tuple(reasons), days_as_ready=days)


def _end_of_stay(facts: StayFacts, now: datetime) -> date:
    """The first day not counted: the discharge (or cancellation) day, else today."""
    if facts.discharged_at is not None:
        return _local_date(facts.discharged_at)
    if facts.cancelled_at is not None:
        return _local_date(facts.cancelled_at)
    return _local_date(now)


def _failed_preconditions(facts: StayFacts, terms: AgreementTerms) -> tuple[Precondition, ...]:
    failed: list[Precondition] = []
    if facts.cancelled_at is not None and facts.discharged_at is None:
        failed.append(Precondition.NOT_CANCELLED)
    if terms.require_admission_notice:
        sent = facts.admission_notice_at
        if sent is None:
            failed.append(Precondition.ADMISSION_NOTICE)
        elif terms.admission_notice_hours is not None:
            due = _admission_start(facts) + timedelta(hours=terms.admission_notice_hours)
            if sent > due:
                failed.append(Precondition.ADMISSION_NOTICE)
    if (
        terms.require_ready_notice
        and facts.ready_at is not None
        and not facts.ready_notice_reached_municipality
    ):
        failed.append(Precondition.READY_NOTICE)
    if terms.require_sip_call and facts.sip_needed and facts.sip_called_at is None:
        failed.append(Precondition.SIP_CALL)
    if terms.require_no_refusal and facts.support_refused_at is not None:
        failed.append(Precondition.NO_REFUSAL)
    return tuple(failed)


def _admission_start(facts: StayFacts) -> datetime:
    if facts.assessed_at is not None and facts.assessed_at > facts.admitted_at:
        return facts.assessed_at
    return facts.admitted_at


def _failed_admission(facts: StayFacts, terms: AgreementTerms) -> str:
    if facts.admission_notice_at is None:
        return _("Inget inskrivningsmeddelande skickades.")
    hours = (facts.admission_notice_at - _admission_start(facts)).total_seconds() / 3600
    return _(
        "Inskrivningsmeddelandet skickades för sent: %(hours)s timmar efter inskrivning "
        "eller bedömning; överenskommelsen kräver inom %(limit)d timmar."
    ) % {"hours": f"{hours:.0f}", "limit": terms.admission_notice_hours or 0}


_FAILED_TEXT = {
    Precondition.ADMISSION_NOTICE: _failed_admission,
    Precondition.READY_NOTICE: lambda facts, terms: _(
        "Meddelandet om utskrivningsklar har inte nått kommunen."
    ),
    Precondition.SIP_CALL: lambda facts, terms: _(
        "SIP behövdes men ingen kallelse till SIP skickades."
    ),
    Precondition.NO_REFUSAL: lambda facts, terms: (
        _("Patienten har avböjt kommunens stöd (%(when)s).")
        % {"when": _format_time(facts.support_refused_at)}
    ),
    Precondition.NOT_CANCELLED: lambda facts, terms: (
        _("Ärendet avbröts (%(when)s); ingen utskrivning till kommunens insatser.")
        % {"when": _format_time(facts.cancelled_at)}
    ),
}


def _price(
    days: tuple[date, ...], terms: AgreementTerms, amounts: Mapping[int, AmountInfo]
) -> tuple[tuple[YearSubtotal, ...], Decimal | None, tuple[int, ...], tuple[int, ...]]:
    by_year: dict[int, int] = {}
    for day in days:
        by_year[day.year] = by_year.get(day.year, 0) + 1
    subtotals = []
    missing: list[int] = []
    unconfirmed: list[int] = []
    total: Decimal | None = Decimal(0)
    for year, count in sorted(by_year.items()):
        per_day, confirmed, year_missing = _amount_for(year, terms.own_daily_amount, amounts)
        missing += year_missing
        if per_day is not None and not confirmed:
            unconfirmed.append(year)
        amount = (per_day * count).quantize(ORE) if per_day is not None else None
        subtotals.append(YearSubtotal(year, count, per_day, confirmed, amount))
        total = None if total is None or amount is None else total + amount
    return tuple(subtotals), total, tuple(missing), tuple(unconfirmed)


def _amount_for(
    year: int, own: Decimal | None, amounts: Mapping[int, AmountInfo]
) -> tuple[Decimal | None, bool, tuple[int, ...]]:
    if own is not None:
        return own, True, ()
    info = amounts.get(year)
    if info is None:
        return None, False, (year,)
    return info.amount, info.confirmed, ()


def _agreement_reason(terms: AgreementTerms, facts: StayFacts, care: CareKindTerms) -> str:
    kind = _("psykiatrisk vård") if facts.care_kind == "psychiatric" else _("somatisk vård")
    if facts.compulsory_care:
        kind = _("psykiatrisk tvångsvård (LPT/LRV)")
    return _("Överenskommelse: %(title)s, villkoren för %(kind)s.") % {
        "title": terms.title,
        "kind": kind,
    }


def _day_zero_reason(ready_at: datetime, zero: date, terms: AgreementTerms) -> str:
    when = _format_time(ready_at)
    if zero != _local_date(ready_at) and terms.day_zero_cutoff is not None:
        return _("Utskrivningsklar %(when)s, efter brytpunkten %(cutoff)s: dag 0 är %(zero)s.") % {
            "when": when,
            "cutoff": terms.day_zero_cutoff.strftime("%H:%M"),
            "zero": zero,
        }
    return _("Utskrivningsklar %(when)s: dag 0 är %(zero)s.") % {"when": when, "zero": zero}


def _grace_reason(grace_days: int, terms: AgreementTerms, first: date) -> str:
    if terms.day_kind == DayKind.WORKING:
        text = ngettext(
            "%(days)d arbetsdags karens: betalningsansvar från %(first)s.",
            "%(days)d arbetsdagars karens: betalningsansvar från %(first)s.",
            grace_days,
        )
    else:
        text = ngettext(
            "%(days)d kalenderdags karens: betalningsansvar från %(first)s.",
            "%(days)d kalenderdagars karens: betalningsansvar från %(first)s.",
            grace_days,
        )
    return text % {"days": grace_days, "first": first}


def _withdrawn_reasons(facts: StayFacts) -> list[str]:
    return [
        _(
            "Utskrivningsklar %(notified)s återtogs %(withdrawn)s: perioden debiteras inte "
            "och klockan startar om vid nästa meddelande."
        )
        % {
            "notified": _format_time(period.notified_at),
            "withdrawn": _format_time(period.withdrawn_at),
        }
        for period in facts.withdrawn
    ]


def _transfer_reasons(facts: StayFacts) -> list[str]:
    return [
        _("Flyttad till %(unit)s %(when)s; vårdtillfället fortsätter utan ny karens.")
        % {"unit": transfer.to_unit_name, "when": _format_time(transfer.at)}
        for transfer in facts.transfers
    ]


def _replace(result: PaymentResult, **changes: object) -> PaymentResult:
    return replace(result, **changes)  # type: ignore[arg-type]


def _local_date(moment: datetime) -> date:
    return moment.astimezone(STOCKHOLM).date()


def _format_time(moment: datetime | None) -> str:
    if moment is None:
        return ""
    return f"{moment.astimezone(STOCKHOLM):%Y-%m-%d %H:%M}"


def _require_aware(name: str, moment: datetime) -> None:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{name} must be an aware datetime, got {moment!r}")
