"""The only writers of cases, parties, events and acknowledgements.

Every action: keyword-only arguments, the acting user passed in, one transaction that
locks the case row, checks the state machine (`rules.py`), writes the event, updates the
case, notifies the other parties and appends the audit row together. A refused action
raises `NotAllowed` or `Conflict` with a Swedish message and changes nothing.

Double submits: each form carries an idempotency key; a second submit with the same key
returns the event the first one created. Concurrent users: state-changing events carry
the case version the user saw; if someone changed the case since, `Conflict` is raised
and the user's input is shown again, not lost.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from brygga.audit.events import AuditEventType
from brygga.audit.log import record
from brygga.core.actor import Actor
from brygga.directory.models import Role, Unit
from brygga.notifications.actions import note_new_notices
from brygga.patients.models import Patient

from . import payloads as p
from .models import (
    OPEN_STATES,
    Case,
    CaseEvent,
    CaseKind,
    CaseParty,
    CaseState,
    NoticeRecipient,
    PartyRole,
)
from .models import CaseEventType as E
from .routing import party_role_for, social_services_units
from .rules import TRANSITIONS, CaseFacts, check_allowed

CARE_ROLES = (Role.USER, Role.MANAGER)


class CaseActionError(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotAllowed(CaseActionError):
    """The state machine, the party rules or the directory say no."""


class Conflict(CaseActionError):
    """Someone else changed the case since the user loaded it."""


def facts_of(case: Case) -> CaseFacts:
    return CaseFacts(
        kind=CaseKind(case.kind),
        state=CaseState(case.state),
        on_leave=case.on_leave,
        sip_called=case.sip_called_at is not None,
    )


def party_role_of(case: Case, unit: Unit | None) -> PartyRole | None:
    if unit is None:
        return None
    role = (
        CaseParty.objects.filter(case=case, unit=unit, active=True)
        .values_list("role", flat=True)
        .first()
    )
    return PartyRole(role) if role else None


def _require_care_actor(actor: Actor) -> Unit:
    if actor.unit is None or not actor.has_role(*CARE_ROLES):
        raise NotAllowed(_("Ditt uppdrag ger inte behörighet att arbeta i ärenden."))
    return actor.unit


def _audit(actor: Actor, case: Case, event: CaseEvent, audit_type: AuditEventType) -> None:
    record(
        actor,
        audit_type,
        patient=case.patient,
        obj=case,
        details={"event": event.type, "event_id": event.pk}
        | ({"back_registered": True} if event.back_registered else {}),
    )


def _notify(event: CaseEvent, units: Iterable[Unit]) -> None:
    units = list(units)
    NoticeRecipient.objects.bulk_create(
        [NoticeRecipient(event=event, unit=unit) for unit in units], ignore_conflicts=True
    )
    # The units' functional mailboxes hear of it (no patient data), committed with the notice.
    note_new_notices(units=units, now=event.recorded_at)


def _other_active_units(case: Case, except_unit: Unit | None) -> list[Unit]:
    parties = CaseParty.objects.filter(case=case, active=True).select_related("unit")
    return [party.unit for party in parties if party.unit != except_unit]


def _new_event(
    case: Case,
    actor: Actor,
    event_type: E,
    payload: p.Payload,
    *,
    text: str,
    now: dt.datetime,
    effective_at: dt.datetime | None,
    idempotency_key: str,
    back_registered: bool = False,
) -> CaseEvent:
    return CaseEvent.objects.create(
        case=case,
        type=event_type,
        recorded_at=now,
        effective_at=effective_at or now,
        author=actor.person,
        author_unit=actor.unit,
        author_name=actor.person.full_name if actor.person else actor.label,
        payload=payload.as_json(),
        text=text.strip(),
        idempotency_key=idempotency_key,
        back_registered=back_registered,
    )


def check_back_registration_time(
    case: Case, original_at: dt.datetime | None, *, now: dt.datetime
) -> str | None:
    """Why an original time cannot be used for back-registration, or None if it can."""
    if original_at is None:
        return _("Fyll i när meddelandet ursprungligen skickades.")
    if original_at > now:
        return _("Den ursprungliga tidpunkten kan inte ligga i framtiden.")
    if original_at < case.admitted_at:
        return _("Den ursprungliga tidpunkten kan inte ligga före inskrivningen %(when)s.") % {
            "when": timezone.localtime(case.admitted_at).strftime("%Y-%m-%d %H:%M")
        }
    return None


# --- Opening cases ------------------------------------------------------------------------


def _attach_parties(case: Case, recipients: Iterable[Unit], *, now: dt.datetime) -> None:
    for unit in recipients:
        role = party_role_for(unit)
        if role is None or role == PartyRole.INPATIENT:
            raise NotAllowed(_("%(unit)s kan inte vara mottagare i ärendet.") % {"unit": unit.name})
        if not unit.is_usable(timezone.localdate(now)):
            raise NotAllowed(_("%(unit)s använder inte Brygga.") % {"unit": unit.name})
        CaseParty.objects.get_or_create(
            case=case, unit=unit, role=role, defaults={"joined_at": now}
        )


def _existing_by_key(actor: Actor, patient: Patient, idempotency_key: str) -> Case | None:
    """The case a previous submit of the same form opened, for the same patient only."""
    if not idempotency_key:
        return None
    event = (
        CaseEvent.objects.filter(
            type=E.CASE_OPENED, idempotency_key=idempotency_key, author=actor.person
        )
        .select_related("case")
        .first()
    )
    if event is None:
        return None
    if event.case.patient_id != patient.pk:
        raise NotAllowed(
            _("Formuläret har redan använts för en annan patient. Börja om med ett nytt ärende.")
        )
    return event.case


@transaction.atomic
def open_case(
    *,
    actor: Actor,
    patient: Patient,
    care_kind: str,
    compulsory_care: bool,
    admitted_at: dt.datetime,
    assessed_at: dt.datetime | None,
    recipients: list[Unit],
    idempotency_key: str = "",
    now: dt.datetime | None = None,
) -> Case:
    """An inpatient unit opens a case for a stay; the recipients become parties."""
    now = now or timezone.now()
    unit = _require_care_actor(actor)
    if not unit.is_inpatient:
        raise NotAllowed(_("Bara en slutenvårdsenhet kan öppna ett ärende för ett vårdtillfälle."))
    Patient.objects.select_for_update().filter(pk=patient.pk).first()  # one opening at a time
    existing = _existing_by_key(actor, patient, idempotency_key)
    if existing is not None:
        return existing
    if Case.objects.filter(patient=patient, kind=CaseKind.STAY, state__in=OPEN_STATES).exists():
        raise NotAllowed(_("Patienten har redan ett öppet ärende för ett vårdtillfälle."))
    if admitted_at > now:
        raise NotAllowed(_("Inskrivningstiden ligger i framtiden."))
    if assessed_at is not None and not admitted_at <= assessed_at <= now:
        raise NotAllowed(_("Bedömningen måste ligga mellan inskrivningen och nu."))
    case = Case.objects.create(
        kind=CaseKind.STAY,
        patient=patient,
        state=CaseState.ADMITTED,
        care_kind=care_kind,
        compulsory_care=compulsory_care,
        admitted_at=admitted_at,
        assessed_at=assessed_at,
        last_event_at=now,
    )
    CaseParty.objects.create(case=case, unit=unit, role=PartyRole.INPATIENT, joined_at=now)
    _attach_parties(case, recipients, now=now)
    event = _new_event(
        case,
        actor,
        E.CASE_OPENED,
        p.Empty(),
        text="",
        now=now,
        effective_at=None,
        idempotency_key=idempotency_key,
    )
    _audit(actor, case, event, AuditEventType.CASE_OPENED)
    return case


@transaction.atomic
def open_sip_case(
    *,
    actor: Actor,
    patient: Patient,
    recipients: list[Unit],
    text: str = "",
    idempotency_key: str = "",
    now: dt.datetime | None = None,
) -> Case:
    """Primary care or the municipality starts a SIP outside a hospital stay."""
    now = now or timezone.now()
    unit = _require_care_actor(actor)
    role = party_role_for(unit)
    if role not in {PartyRole.PRIMARY_CARE, PartyRole.MUNICIPALITY}:
        raise NotAllowed(_("SIP utanför sjukhusvistelse startas av öppenvården eller kommunen."))
    Patient.objects.select_for_update().filter(pk=patient.pk).first()
    existing = _existing_by_key(actor, patient, idempotency_key)
    if existing is not None:
        return existing
    case = Case.objects.create(
        kind=CaseKind.SIP,
        patient=patient,
        state=CaseState.SIP_ONGOING,
        care_kind="",
        admitted_at=now,
        sip_needed=True,
        last_event_at=now,
    )
    CaseParty.objects.create(case=case, unit=unit, role=role, joined_at=now)
    _attach_parties(case, [u for u in recipients if u != unit], now=now)
    event = _new_event(
        case,
        actor,
        E.CASE_OPENED,
        p.Empty(),
        text=text,
        now=now,
        effective_at=None,
        idempotency_key=idempotency_key,
    )
    _notify(event, _other_active_units(case, unit))
    _audit(actor, case, event, AuditEventType.CASE_OPENED)
    return case


# --- Recording events ---------------------------------------------------------------------

Apply = Callable[[Case, CaseEvent, p.Payload, Actor, dt.datetime], None]


def _apply_admission(
    case: Case, event: CaseEvent, payload: p.Payload, actor: Actor, now: dt.datetime
) -> None:
    assert isinstance(payload, p.AdmissionNotice)
    case.admission_notice_at = event.effective_at
    case.expected_discharge_on = payload.expected_discharge_on


def _apply_expected_date(
    case: Case, event: CaseEvent, payload: p.Payload, actor: Actor, now: dt.datetime
) -> None:
    assert isinstance(payload, p.ExpectedDateChanged)
    case.expected_discharge_on = payload.expected_discharge_on


def _apply_planning(
    case: Case, event: CaseEvent, payload: p.Payload, actor: Actor, now: dt.datetime
) -> None:
    # D4 asks whether information was transferred by the discharge day: the first
    # transfer answers it; later additions do not make it late.
    case.planning_information_at = case.planning_information_at or event.effective_at


def _apply_fast_vardkontakt(
    case: Case, event: CaseEvent, payload: p.Payload, actor: Actor, now: dt.datetime
) -> None:
    assert isinstance(payload, p.FastVardkontakt)
    case.fast_vardkontakt = ", ".join(
        part for part in (payload.name, payload.title, payload.phone) if part
    )
    case.fast_vardkontakt_at = event.effective_at


def _apply_ready(
    case: Case, event: CaseEvent, payload: p.Payload, actor: Actor, now: dt.datetime
) -> None:
    assert isinstance(payload, p.Ready)
    # The notice's own time starts the payment clock (DOMAIN.md §2.5), not the decision.
    case.ready_at = event.effective_at
    case.sip_needed = payload.sip_needed


def _apply_ready_withdrawn(
    case: Case, event: CaseEvent, payload: p.Payload, actor: Actor, now: dt.datetime
) -> None:
    case.ready_at = None


def _apply_sip_called(
    case: Case, event: CaseEvent, payload: p.Payload, actor: Actor, now: dt.datetime
) -> None:
    case.sip_needed = True
    case.sip_called_at = case.sip_called_at or event.effective_at


def _apply_discharge(
    case: Case, event: CaseEvent, payload: p.Payload, actor: Actor, now: dt.datetime
) -> None:
    assert isinstance(payload, p.DischargeNotice)
    if payload.discharged_at > now:
        raise NotAllowed(_("Utskrivningstiden ligger i framtiden."))
    if payload.discharged_at < case.admitted_at:
        raise NotAllowed(_("Utskrivningstiden ligger före inskrivningen."))
    case.discharged_at = payload.discharged_at
    case.destination = payload.destination
    case.on_leave = False


def _leave_party(case: Case, unit: Unit | None, *, reason: str, now: dt.datetime) -> None:
    CaseParty.objects.filter(case=case, unit=unit, active=True).update(
        active=False, left_at=now, left_reason=reason
    )


def _join_party(case: Case, unit: Unit, role: PartyRole, *, now: dt.datetime) -> None:
    party, created = CaseParty.objects.get_or_create(
        case=case, unit=unit, role=role, defaults={"joined_at": now}
    )
    if not created and not party.active:
        CaseParty.objects.filter(pk=party.pk).update(active=True, left_at=None, left_reason="")


def _forward_history(case: Case, unit: Unit) -> None:
    """A new party receives the notices sent so far, to read and acknowledge."""
    notices = (
        CaseEvent.objects.filter(case=case, retracted_at__isnull=True)
        .exclude(type__in=[E.CASE_OPENED, E.REJECTED, E.TRANSFERRED, E.UNIT_REORGANISED])
        .exclude(author_unit=unit)
    )
    NoticeRecipient.objects.bulk_create(
        [NoticeRecipient(event=notice, unit=unit) for notice in notices], ignore_conflicts=True
    )


def _apply_rejected(
    case: Case, event: CaseEvent, payload: p.Payload, actor: Actor, now: dt.datetime
) -> None:
    assert isinstance(payload, p.Rejected)
    if (
        actor.unit is not None
        and payload.correct_municipality_code == actor.unit.municipality_code
        and not payload.correct_district
    ):
        raise NotAllowed(_("Ange den kommun där patienten är folkbokförd, inte er egen."))
    targets = [
        unit
        for unit in social_services_units(
            payload.correct_municipality_code, payload.correct_district, on=timezone.localdate(now)
        )
        if unit != actor.unit
    ]
    if not targets:
        raise NotAllowed(
            _(
                "Det finns ingen socialtjänstenhet för kommunkod %(code)s i katalogen. "
                "Kontrollera koden."
            )
            % {"code": payload.correct_municipality_code}
        )
    _leave_party(case, actor.unit, reason="rejected", now=now)
    for unit in targets:
        _join_party(case, unit, PartyRole.MUNICIPALITY, now=now)
        _forward_history(case, unit)


def _apply_transferred(
    case: Case, event: CaseEvent, payload: p.Payload, actor: Actor, now: dt.datetime
) -> None:
    assert isinstance(payload, p.Transferred)
    target = Unit.objects.filter(pk=payload.to_unit_id).first()
    if target is None or not target.is_inpatient or not target.is_usable(timezone.localdate(now)):
        raise NotAllowed(_("Välj en slutenvårdsenhet som använder Brygga."))
    if target == actor.unit:
        raise NotAllowed(_("Patienten vårdas redan på den enheten."))
    _leave_party(case, actor.unit, reason="transferred", now=now)
    _join_party(case, target, PartyRole.INPATIENT, now=now)
    _forward_history(case, target)


def _apply_leave_started(
    case: Case, event: CaseEvent, payload: p.Payload, actor: Actor, now: dt.datetime
) -> None:
    case.on_leave = True


def _apply_leave_ended(
    case: Case, event: CaseEvent, payload: p.Payload, actor: Actor, now: dt.datetime
) -> None:
    case.on_leave = False


def _apply_cancelled(
    case: Case, event: CaseEvent, payload: p.Payload, actor: Actor, now: dt.datetime
) -> None:
    assert isinstance(payload, p.Cancelled)
    case.cancel_reason = payload.reason
    case.closed_at = now


def _apply_closed(
    case: Case, event: CaseEvent, payload: p.Payload, actor: Actor, now: dt.datetime
) -> None:
    case.closed_at = now


def _no_change(
    case: Case, event: CaseEvent, payload: p.Payload, actor: Actor, now: dt.datetime
) -> None:
    return None


APPLY: dict[E, Apply] = {
    E.ADMISSION_NOTICE: _apply_admission,
    E.EXPECTED_DATE_CHANGED: _apply_expected_date,
    E.PLANNING_INFORMATION: _apply_planning,
    E.MESSAGE: _no_change,
    E.FAST_VARDKONTAKT: _apply_fast_vardkontakt,
    E.READY: _apply_ready,
    E.READY_WITHDRAWN: _apply_ready_withdrawn,
    E.SIP_CALLED: _apply_sip_called,
    E.SIP_HELD: _no_change,
    E.SIP_FOLLOWED_UP: _no_change,
    E.DISCHARGE_NOTICE: _apply_discharge,
    E.REJECTED: _apply_rejected,
    E.TRANSFERRED: _apply_transferred,
    E.LEAVE_STARTED: _apply_leave_started,
    E.LEAVE_ENDED: _apply_leave_ended,
    E.CANCELLED: _apply_cancelled,
    E.CLOSED: _apply_closed,
}


@transaction.atomic
def record_event(
    *,
    actor: Actor,
    case: Case,
    event_type: E,
    payload: p.Payload,
    text: str = "",
    expected_version: int | None = None,
    idempotency_key: str = "",
    effective_at: dt.datetime | None = None,
    back_registered: bool = False,
    now: dt.datetime | None = None,
) -> CaseEvent:
    """Record one notice or event in a case. The named actions below all come here.

    A back-registered event (efterregistrering) was handled on paper during an outage:
    ``effective_at`` is its original time, from which deadlines and payment are computed.
    """
    now = now or timezone.now()
    unit = _require_care_actor(actor)
    if not isinstance(payload, p.PAYLOAD_TYPES[event_type]):
        raise TypeError(f"{event_type} needs a {p.PAYLOAD_TYPES[event_type].__name__} payload")
    locked = Case.objects.select_for_update().select_related("patient").get(pk=case.pk)
    if idempotency_key:
        existing = CaseEvent.objects.filter(case=locked, idempotency_key=idempotency_key).first()
        if existing is not None:
            return existing
    reason = check_allowed(event_type, facts_of(locked), party_role_of(locked, unit))
    if reason is None and back_registered:
        reason = check_back_registration_time(locked, effective_at, now=now)
    if reason is not None:
        raise NotAllowed(reason)
    transition = TRANSITIONS[event_type]
    if (
        transition.changes_state
        and expected_version is not None
        and expected_version != locked.version
    ):
        raise Conflict(
            _(
                "Någon annan har ändrat ärendet sedan du öppnade det. Läs de nya händelserna "
                "och skicka igen – det du skrev finns kvar i formuläret."
            )
        )
    recipients = _other_active_units(locked, unit) if transition.notice else []
    event = _new_event(
        locked,
        actor,
        event_type,
        payload,
        text=text,
        now=now,
        effective_at=effective_at,
        idempotency_key=idempotency_key,
        back_registered=back_registered,
    )
    APPLY[event_type](locked, event, payload, actor, now)
    if transition.next_state is not None:
        locked.state = transition.next_state
    if transition.changes_state:
        locked.version += 1
    locked.last_event_at = now
    locked.save()
    _notify(event, recipients)
    _audit(actor, locked, event, AuditEventType.CASE_CHANGED)
    case.refresh_from_db()
    return event


@transaction.atomic
def acknowledge(
    *, actor: Actor, event: CaseEvent, now: dt.datetime | None = None
) -> NoticeRecipient:
    """The acting unit acknowledges (kvitterar) that it has read a notice. Idempotent."""
    now = now or timezone.now()
    unit = _require_care_actor(actor)
    recipient = (
        NoticeRecipient.objects.select_for_update()
        .filter(event=event, unit=unit)
        .select_related("event__case__patient")
        .first()
    )
    if recipient is None:
        raise NotAllowed(_("Meddelandet är inte skickat till din enhet."))
    if recipient.acknowledged_at is None:
        recipient.acknowledged_at = now
        recipient.acknowledged_by = actor.person
        recipient.save(update_fields=["acknowledged_at", "acknowledged_by"])
        _audit(actor, recipient.event.case, recipient.event, AuditEventType.CASE_CHANGED)
    return recipient


@transaction.atomic
def acknowledge_all(*, actor: Actor, case: Case, now: dt.datetime | None = None) -> int:
    """Acknowledge every unacknowledged notice to the acting unit in one case."""
    now = now or timezone.now()
    unit = _require_care_actor(actor)
    pending = NoticeRecipient.objects.filter(
        event__case=case, unit=unit, acknowledged_at__isnull=True
    )
    count = pending.update(acknowledged_at=now, acknowledged_by=actor.person)
    if count:
        record(
            actor,
            AuditEventType.CASE_CHANGED,
            patient=case.patient,
            obj=case,
            details={"event": "acknowledged", "count": count},
        )
    return count


def _recompute_derived(case: Case) -> None:
    """After a retraction: the case's derived fields follow the events still in force."""
    live = CaseEvent.objects.filter(case=case, retracted_at__isnull=True).order_by(
        "recorded_at", "pk"
    )
    admission = live.filter(type=E.ADMISSION_NOTICE).last()
    dates = [e for e in live if e.type == E.EXPECTED_DATE_CHANGED]
    if dates:
        case.expected_discharge_on = dt.date.fromisoformat(
            dates[-1].payload["expected_discharge_on"]
        )
    elif admission is not None and admission.payload.get("expected_discharge_on"):
        case.expected_discharge_on = dt.date.fromisoformat(
            admission.payload["expected_discharge_on"]
        )
    else:
        case.expected_discharge_on = None
    planning = live.filter(type=E.PLANNING_INFORMATION).first()
    case.planning_information_at = planning.effective_at if planning else None
    contact = live.filter(type=E.FAST_VARDKONTAKT).last()
    if contact is None:
        case.fast_vardkontakt, case.fast_vardkontakt_at = "", None
    else:
        data = contact.payload
        case.fast_vardkontakt = ", ".join(
            data.get(k, "") for k in ("name", "title", "phone") if data.get(k)
        )
        case.fast_vardkontakt_at = contact.effective_at
    # A kallelse sent before the utskrivningsklar notice still counts (D2 is met by it).
    called = live.filter(type=E.SIP_CALLED).first()
    case.sip_called_at = called.effective_at if called else None


@transaction.atomic
def retract(
    *, actor: Actor, event: CaseEvent, reason: str, now: dt.datetime | None = None
) -> CaseEvent:
    """Makulering: the author's unit voids its own message; it stays visible as retracted."""
    now = now or timezone.now()
    unit = _require_care_actor(actor)
    locked = CaseEvent.objects.select_for_update().select_related("case__patient").get(pk=event.pk)
    case = Case.objects.select_for_update().get(pk=locked.case_id)
    transition = TRANSITIONS.get(E(locked.type))
    if transition is None or not transition.retractable:
        raise NotAllowed(_("Den här typen av händelse kan inte makuleras."))
    if locked.author_unit_id != unit.pk:
        raise NotAllowed(_("Bara den enhet som skickade meddelandet kan makulera det."))
    if locked.retracted_at is not None:
        raise NotAllowed(_("Meddelandet är redan makulerat."))
    if not case.is_open:
        raise NotAllowed(_("Ärendet är stängt och kan inte ändras."))
    if not reason.strip():
        raise NotAllowed(_("Skriv varför meddelandet makuleras."))
    locked.retracted_at = now
    locked.retracted_by = actor.person
    locked.retraction_reason = reason.strip()
    locked.save(update_fields=["retracted_at", "retracted_by", "retraction_reason"])
    _recompute_derived(case)
    case.last_event_at = now
    case.save()
    _audit(actor, case, locked, AuditEventType.CASE_CHANGED)
    return locked


# --- Named actions: the words of the process, each one call of record_event ----------------


def send_admission_notice(
    *,
    actor: Actor,
    case: Case,
    expected_discharge_on: dt.date | None,
    text: str = "",
    expected_version: int | None = None,
    idempotency_key: str = "",
) -> CaseEvent:
    return record_event(
        actor=actor,
        case=case,
        event_type=E.ADMISSION_NOTICE,
        payload=p.AdmissionNotice(expected_discharge_on),
        text=text,
        expected_version=expected_version,
        idempotency_key=idempotency_key,
    )


def declare_ready_for_discharge(
    *,
    actor: Actor,
    case: Case,
    doctor: str,
    decided_at: dt.datetime,
    sip_needed: bool,
    text: str = "",
    expected_version: int | None = None,
    idempotency_key: str = "",
) -> CaseEvent:
    return record_event(
        actor=actor,
        case=case,
        event_type=E.READY,
        payload=p.Ready(doctor, decided_at, sip_needed),
        text=text,
        expected_version=expected_version,
        idempotency_key=idempotency_key,
    )


def withdraw_ready_for_discharge(
    *,
    actor: Actor,
    case: Case,
    reason: str,
    expected_version: int | None = None,
    idempotency_key: str = "",
) -> CaseEvent:
    return record_event(
        actor=actor,
        case=case,
        event_type=E.READY_WITHDRAWN,
        payload=p.ReadyWithdrawn(reason),
        expected_version=expected_version,
        idempotency_key=idempotency_key,
    )


def send_discharge_notice(
    *,
    actor: Actor,
    case: Case,
    discharged_at: dt.datetime,
    destination: str,
    text: str = "",
    expected_version: int | None = None,
    idempotency_key: str = "",
) -> CaseEvent:
    return record_event(
        actor=actor,
        case=case,
        event_type=E.DISCHARGE_NOTICE,
        payload=p.DischargeNotice(discharged_at, destination),
        text=text,
        expected_version=expected_version,
        idempotency_key=idempotency_key,
    )
