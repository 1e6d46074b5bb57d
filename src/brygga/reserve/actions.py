"""The reserve routine's writers: contingency lists, external recipients and what was sent
to them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from brygga.audit.events import AuditEventType
from brygga.audit.log import log_change, record
from brygga.cases.access import CARE_ROLES
from brygga.cases.actions import NotAllowed, party_role_of
from brygga.cases.models import Case, CaseEvent
from brygga.core.actor import Actor
from brygga.core.pdf import html_to_pdf
from brygga.directory.models import Unit, UnitStatus

from .contingency import render_document, take_snapshot
from .models import ContingencyList, DispatchMethod, ExternalDispatch, ExternalRecipient

KEEP_PER_UNIT = 3  # the newest few; older snapshots only hold stale patient data


def units_with_lists(today: dt.date) -> Iterable[Unit]:
    """Every active unit that works in Brygga's cases (not administration)."""
    return (
        Unit.objects.filter(status=UnitStatus.ACTIVE, valid_from__lte=today)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=today))
        .exclude(care_type__in=["", "administration"])
        .order_by("pk")
    )


def write_contingency_list(*, actor: Actor, unit: Unit, now: dt.datetime) -> ContingencyList:
    """Write one unit's snapshot and drop its oldest beyond KEEP_PER_UNIT, in one transaction."""
    snapshot = take_snapshot(actor, unit, now=now)
    document = html_to_pdf(render_document(snapshot))
    with transaction.atomic():
        written = ContingencyList.objects.create(
            unit=unit,
            generated_at=now,
            case_count=len(snapshot.cases),
            patient_ids=snapshot.patient_ids,
            document=document,
            content_type="application/pdf",
            filename=f"beredskapslista-{unit.hsa_id}-{now:%Y%m%d-%H%M}.pdf",
        )
        stale = ContingencyList.objects.filter(unit=unit).values_list("pk", flat=True)[
            KEEP_PER_UNIT:
        ]
        ContingencyList.objects.filter(pk__in=list(stale)).delete()
    return written


def write_contingency_lists(
    *,
    actor: Actor,
    now: dt.datetime,
    today: dt.date,
    progress: Callable[[str], None] | None = None,
) -> tuple[int, int]:
    """Every unit's list; returns (units, cases listed). One audit row for the whole run."""
    units = cases = 0
    for unit in units_with_lists(today):
        written = write_contingency_list(actor=actor, unit=unit, now=now)
        units += 1
        cases += written.case_count
        if progress is not None and units % 50 == 0:
            progress(f"{units} enheter …")
    record(
        actor,
        AuditEventType.CONTINGENCY_LISTS_WRITTEN,
        details={"units": units, "cases": cases},
    )
    return units, cases


# --- External recipients (outside Brygga's directory) ----------------------------------------


def _require_open_party(actor: Actor, case: Case) -> Unit:
    if actor.unit is None or not actor.has_role(*CARE_ROLES):
        raise NotAllowed(_("Bara den som arbetar i en vårdande roll kan göra detta."))
    if party_role_of(case, actor.unit) is None:
        raise NotAllowed(_("Din enhet är inte part i ärendet."))
    if not case.is_open:
        raise NotAllowed(_("Ärendet är avslutat."))
    return actor.unit


@transaction.atomic
def add_external_recipient(
    *,
    actor: Actor,
    case: Case,
    name: str,
    fax: str,
    phone: str = "",
    address: str = "",
    municipality_code: str = "",
    now: dt.datetime,
) -> ExternalRecipient:
    """Mark the case as having a recipient outside Brygga, with its contact details."""
    unit = _require_open_party(actor, case)
    if not name.strip() or not fax.strip():
        raise NotAllowed(_("Fyll i mottagarens namn och faxnummer."))
    recipient = ExternalRecipient.objects.create(
        case=case,
        name=name.strip(),
        fax=fax.strip(),
        phone=phone.strip(),
        address=address.strip(),
        municipality_code=municipality_code.strip(),
        added_at=now,
        added_by=actor.person,
        added_by_unit=unit,
    )
    log_change(
        actor,
        AuditEventType.EXTERNAL_RECIPIENT_ADDED,
        recipient,
        before=None,
        after={
            "case": case.pk,
            "name": recipient.name,
            "fax": recipient.fax,
            "phone": recipient.phone,
            "municipality_code": recipient.municipality_code,
        },
        patient=case.patient,
    )
    return recipient


@transaction.atomic
def record_external_dispatch(
    *,
    actor: Actor,
    recipient: ExternalRecipient,
    event: CaseEvent,
    sent_at: dt.datetime,
    method: str,
    note: str = "",
    now: dt.datetime,
) -> ExternalDispatch:
    """Record that the acting unit sent its notice to the external recipient."""
    case = recipient.case
    unit = _require_open_party(actor, case)
    if event.case_id != case.pk:
        raise NotAllowed(_("Meddelandet hör inte till ärendet."))
    if event.author_unit_id != unit.pk:
        raise NotAllowed(
            _("Bara den enhet som skickade meddelandet registrerar hur det skickades.")
        )
    if event.retracted_at is not None:
        raise NotAllowed(_("Meddelandet är makulerat."))
    if method not in DispatchMethod.values:
        raise NotAllowed(_("Välj hur meddelandet skickades."))
    if sent_at > now:
        raise NotAllowed(_("Tidpunkten kan inte ligga i framtiden."))
    if sent_at < case.admitted_at:
        raise NotAllowed(_("Tidpunkten kan inte ligga före inskrivningen."))
    if ExternalDispatch.objects.filter(recipient=recipient, event=event).exists():
        raise NotAllowed(_("Det är redan registrerat att meddelandet skickats till mottagaren."))
    dispatch = ExternalDispatch.objects.create(
        recipient=recipient,
        event=event,
        sent_at=sent_at,
        method=method,
        note=note.strip(),
        sent_by=actor.person,
        sent_by_name=actor.person.full_name if actor.person else actor.label,
        sent_by_unit=unit,
        recorded_at=now,
    )
    record(
        actor,
        AuditEventType.EXTERNAL_DISPATCH_RECORDED,
        patient=case.patient,
        obj=dispatch,
        details={
            "case": case.pk,
            "event": event.pk,
            "recipient": recipient.name,
            "method": method,
            "sent_at": sent_at.isoformat(),
        },
    )
    return dispatch
