"""The only writers of agreements, amounts, disputes and refusals.

Keyword-only arguments, the acting user passed in, one transaction, the audit row in the
same transaction. A refused action raises `NotAllowed` with a Swedish message and changes
nothing.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from brygga.audit.events import AuditEventType
from brygga.audit.log import log_change, record
from brygga.cases.models import Case, CaseKind, CaseParty, PartyRole
from brygga.core.actor import Actor
from brygga.core.calendar import DayKind

from . import access
from .basis import basis_row
from .models import Agreement, DailyAmount, Dispute, DisputeStatus, PaymentModel, SupportRefusal


class NotAllowed(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _name(actor: Actor) -> str:
    return actor.person.full_name if actor.person else actor.label


# --- Agreements and amounts ----------------------------------------------------------------


@dataclass(frozen=True)
class AgreementDraft:
    """The terms of a new agreement version, as the form or a preset gives them."""

    code: str
    title: str
    municipality_code: str
    valid_from: dt.date
    valid_to: dt.date | None
    day_kind: str
    eves_are_holidays: bool
    day_zero_cutoff: dt.time | None
    somatic_model: str
    somatic_grace_days: int
    somatic_average_level: Decimal | None
    psychiatric_model: str
    psychiatric_grace_days: int
    psychiatric_average_level: Decimal | None
    require_admission_notice: bool
    admission_notice_hours: int | None
    require_ready_notice: bool
    require_sip_call: bool
    require_no_refusal: bool
    own_daily_amount: Decimal | None = None
    source: str = ""


def _check_draft(draft: AgreementDraft) -> None:
    if not re.fullmatch(r"[a-z0-9-]{1,50}", draft.code):
        raise NotAllowed(_("Koden får bara innehålla små bokstäver a–z, siffror och bindestreck."))
    if draft.municipality_code and not re.fullmatch(r"\d{4}", draft.municipality_code):
        raise NotAllowed(_("Kommunkoden består av fyra siffror, t.ex. 0184."))
    if draft.valid_to is not None and draft.valid_to < draft.valid_from:
        raise NotAllowed(_("Slutdatum kan inte ligga före startdatum."))
    if draft.day_kind not in DayKind.values:
        raise NotAllowed(_("Välj kalenderdagar eller arbetsdagar."))
    for model, level, label in (
        (draft.somatic_model, draft.somatic_average_level, _("somatisk vård")),
        (draft.psychiatric_model, draft.psychiatric_average_level, _("psykiatrisk vård")),
    ):
        if model not in PaymentModel.values:
            raise NotAllowed(_("Okänd betalningsmodell."))
        if model == PaymentModel.AVERAGE and level is None:
            raise NotAllowed(
                _("Genomsnittsmodellen för %(kind)s behöver en avtalad nivå i dagar.")
                % {"kind": label}
            )


def _agreement_values(agreement: Agreement) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name in AgreementDraft.__dataclass_fields__:
        value = getattr(agreement, name)
        values[name] = str(value) if isinstance(value, Decimal | dt.date | dt.time) else value
    values["version"] = agreement.version
    return values


@transaction.atomic
def create_agreement(
    *, actor: Actor, draft: AgreementDraft, now: dt.datetime | None = None
) -> Agreement:
    """A new agreement, or a new version of one with the same code. Rows are never changed."""
    now = now or timezone.now()
    if not access.may_manage_agreements(actor):
        raise NotAllowed(_("Ditt uppdrag ger inte behörighet att hantera överenskommelser."))
    _check_draft(draft)
    # Serialise versions of the same code; the unique constraint is the last safeguard.
    list(Agreement.objects.select_for_update().filter(code=draft.code).values_list("pk"))
    latest = Agreement.objects.filter(code=draft.code).aggregate(Max("version"))["version__max"]
    agreement = Agreement.objects.create(
        **{name: getattr(draft, name) for name in AgreementDraft.__dataclass_fields__},
        version=(latest or 0) + 1,
        created_at=now,
        created_by=actor.person,
        created_by_name=_name(actor),
    )
    log_change(
        actor,
        AuditEventType.AGREEMENT_CREATED,
        agreement,
        before=None,
        after=_agreement_values(agreement),
    )
    return agreement


@transaction.atomic
def set_daily_amount(
    *,
    actor: Actor,
    year: int,
    amount: Decimal,
    confirmed: bool,
    source: str = "",
    now: dt.datetime | None = None,
) -> DailyAmount:
    """Enter or correct the amount per day for a year."""
    now = now or timezone.now()
    if not access.may_manage_agreements(actor):
        raise NotAllowed(_("Ditt uppdrag ger inte behörighet att ange belopp."))
    if not 2018 <= year <= 2100:
        raise NotAllowed(_("Ange ett år från 2018 till 2100."))
    if amount <= 0:
        raise NotAllowed(_("Beloppet måste vara större än noll."))
    existing = DailyAmount.objects.select_for_update().filter(year=year).first()
    before = (
        {
            "amount": str(existing.amount),
            "confirmed": existing.confirmed,
            "source": existing.source,
        }
        if existing
        else None
    )
    row, _created = DailyAmount.objects.update_or_create(
        year=year,
        defaults={
            "amount": amount,
            "confirmed": confirmed,
            "source": source.strip(),
            "updated_at": now,
            "updated_by_name": _name(actor),
        },
    )
    log_change(
        actor,
        AuditEventType.DAILY_AMOUNT_SET,
        row,
        before=before,
        after={"amount": str(row.amount), "confirmed": confirmed, "source": row.source},
    )
    return row


# --- Disputes ------------------------------------------------------------------------------


@transaction.atomic
def open_dispute(
    *,
    actor: Actor,
    case: Case,
    month: dt.date,
    comment: str,
    now: dt.datetime | None = None,
) -> Dispute:
    """The municipality disputes one case's row in its basis of a month."""
    now = now or timezone.now()
    code = access.own_municipality(actor)
    if code is None:
        raise NotAllowed(_("Bara kommunen kan bestrida en rad i sitt faktureringsunderlag."))
    if not comment.strip():
        raise NotAllowed(_("Skriv varför raden bestrids."))
    month = month.replace(day=1)
    row = basis_row(case.pk, month, code, now=now)
    if row is None:
        raise NotAllowed(_("Ärendet finns inte i kommunens faktureringsunderlag för månaden."))
    existing = Dispute.objects.select_for_update().filter(case=case, month=month).first()
    if existing is not None:
        if existing.is_open:
            raise NotAllowed(_("Raden är redan bestriden och väntar på regionens beslut."))
        raise NotAllowed(_("Bestridandet av raden är redan avgjort."))
    dispute = Dispute.objects.create(
        case=case,
        month=month,
        municipality_code=code,
        comment=comment.strip(),
        opened_at=now,
        opened_by=actor.person,
        opened_by_name=_name(actor),
        opened_by_unit_name=actor.unit.name if actor.unit else "",
    )
    record(
        actor,
        AuditEventType.DISPUTE_OPENED,
        patient=case.patient,
        obj=dispute,
        details={"month": f"{month:%Y-%m}", "municipality": code, "case": case.pk},
    )
    return dispute


@transaction.atomic
def resolve_dispute(
    *,
    actor: Actor,
    dispute: Dispute,
    accepted: bool,
    resolution: str,
    now: dt.datetime | None = None,
) -> Dispute:
    """The region's invoicing role accepts (the row is not charged) or rejects a dispute."""
    now = now or timezone.now()
    if not access.is_region_invoicing(actor):
        raise NotAllowed(_("Bara regionens fakturering kan avgöra bestridanden."))
    if not resolution.strip():
        raise NotAllowed(_("Skriv regionens motivering till kommunen."))
    locked = (
        Dispute.objects.select_for_update(of=("self",))
        .select_related("case__patient")
        .get(pk=dispute.pk)
    )
    if not locked.is_open:
        raise NotAllowed(_("Bestridandet är redan avgjort."))
    locked.status = DisputeStatus.ACCEPTED if accepted else DisputeStatus.REJECTED
    locked.resolution = resolution.strip()
    locked.resolved_at = now
    locked.resolved_by = actor.person
    locked.resolved_by_name = _name(actor)
    locked.save()
    record(
        actor,
        AuditEventType.DISPUTE_RESOLVED,
        patient=locked.case.patient,
        obj=locked,
        details={"status": locked.status, "month": f"{locked.month:%Y-%m}"},
    )
    dispute.refresh_from_db()
    return locked


# --- Refusal of support --------------------------------------------------------------------


@transaction.atomic
def record_support_refusal(
    *,
    actor: Actor,
    case: Case,
    refused_at: dt.datetime,
    note: str,
    now: dt.datetime | None = None,
) -> SupportRefusal:
    """A party of the stay records that the patient refused the municipality's support."""
    now = now or timezone.now()
    if actor.unit is None or case.kind != CaseKind.STAY:
        raise NotAllowed(_("Det går bara att registrera för ett vårdtillfälle."))
    is_party = CaseParty.objects.filter(
        case=case,
        unit=actor.unit,
        active=True,
        role__in=[PartyRole.MUNICIPALITY, PartyRole.INPATIENT],
    ).exists()
    if not is_party:
        raise NotAllowed(_("Bara slutenvården eller kommunen i ärendet kan registrera detta."))
    if not note.strip():
        raise NotAllowed(_("Skriv hur patienten avböjde och vem som tog emot beskedet."))
    if refused_at > now or refused_at < case.admitted_at:
        raise NotAllowed(_("Tidpunkten måste ligga mellan inskrivningen och nu."))
    refusal = SupportRefusal.objects.create(
        case=case,
        refused_at=refused_at,
        note=note.strip(),
        recorded_at=now,
        recorded_by=actor.person,
        recorded_by_name=_name(actor),
        recorded_by_unit_name=actor.unit.name,
    )
    record(
        actor,
        AuditEventType.SUPPORT_REFUSAL_RECORDED,
        patient=case.patient,
        obj=refusal,
        details={"case": case.pk},
    )
    return refusal
