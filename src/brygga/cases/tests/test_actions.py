"""The case actions (actions.py) against the database, in the small world of conftest.py.

The actions are the only writers: each one checks the rules, writes the event, updates the
case, notifies the other parties and appends one audit row, all in one transaction. A refused
action raises and changes nothing at all.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from django.db.models import F
from django.forms.models import model_to_dict
from django.utils import timezone, translation
from time_machine import TimeMachineFixture

from brygga.audit.events import AuditEventType
from brygga.audit.models import AuditEntry
from brygga.cases import payloads as p
from brygga.cases.actions import (
    Conflict,
    NotAllowed,
    acknowledge,
    acknowledge_all,
    declare_ready_for_discharge,
    open_case,
    open_sip_case,
    record_event,
    retract,
    send_admission_notice,
    send_discharge_notice,
    withdraw_ready_for_discharge,
)
from brygga.cases.models import (
    CareKind,
    Case,
    CaseEvent,
    CaseKind,
    CaseParty,
    CaseState,
    Destination,
    NoticeRecipient,
    PartyRole,
)
from brygga.cases.models import CaseEventType as E
from brygga.cases.routing import propose_recipients, social_services_units
from brygga.core.actor import Actor
from brygga.directory.models import CareType, Unit
from brygga.patients.identity import IdentityKind
from brygga.patients.models import Patient

from .conftest import STOCKHOLM, SUNDBYBERG, OpenStay, World

pytestmark = pytest.mark.django_db

UTC = dt.UTC
T0 = dt.datetime(2025, 3, 10, 8, 0, tzinfo=UTC)  # a Monday morning
HOUR = dt.timedelta(hours=1)
DAY = dt.timedelta(days=1)


@pytest.fixture(autouse=True)
def swedish() -> Iterator[None]:
    with translation.override("sv"):
        yield


# --- Helpers --------------------------------------------------------------------------------


def rows() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (Case, CaseParty, CaseEvent, NoticeRecipient, AuditEntry)
    }


def snapshot(case: Case) -> dict[str, Any]:
    fresh = Case.objects.get(pk=case.pk)
    return {
        "case": model_to_dict(fresh),
        "parties": list(CaseParty.objects.filter(case=case).order_by("pk").values()),
        "events": list(CaseEvent.objects.filter(case=case).order_by("pk").values()),
        "recipients": list(
            NoticeRecipient.objects.filter(event__case=case).order_by("pk").values()
        ),
    }


@contextmanager
def nothing_changes(case: Case) -> Iterator[None]:
    """The block must leave every row (and the case's state and version) exactly as it was."""
    counts, before = rows(), snapshot(case)
    yield
    assert rows() == counts
    assert snapshot(case) == before


def units_of(event: CaseEvent) -> set[Unit]:
    return {r.unit for r in event.recipients.select_related("unit")}


def party(case: Case, unit: Unit) -> CaseParty:
    return CaseParty.objects.get(case=case, unit=unit)


def active_units(case: Case) -> set[Unit]:
    return {cp.unit for cp in CaseParty.objects.filter(case=case, active=True)}


def audit_of(case: Case) -> list[AuditEntry]:
    return list(
        AuditEntry.objects.filter(object_type="cases.case", object_id=str(case.pk)).order_by("pk")
    )


def record(
    world: World,
    name: str,
    case: Case,
    event_type: E,
    payload: p.Payload | None = None,
    **kwargs: Any,
) -> CaseEvent:
    return record_event(
        actor=world.actor(name),
        case=case,
        event_type=event_type,
        payload=payload if payload is not None else p.Empty(),
        **kwargs,
    )


def ready_payload(now: dt.datetime, *, sip_needed: bool = False) -> p.Ready:
    return p.Ready(doctor="Dr Lund", decided_at=now - HOUR, sip_needed=sip_needed)


def sip_called_payload(now: dt.datetime) -> p.SipCalled:
    return p.SipCalled(
        meeting_at=now + DAY,
        mode=p.MeetingMode.VIDEO,
        place="Videolänk via vårdcentralen",
        participants=["Vera Vik (vårdcentralen)", "Maja Malm (socialtjänsten)", "Dottern"],
        patient_participates=True,
        next_of_kin_participates=True,
        consent_given=True,
        consent_note="Muntligt samtycke till SIP och att dottern deltar.",
    )


@pytest.fixture
def planning(world: World, open_stay: OpenStay) -> Case:
    """A stay where the admission notice has been sent (state PLANNING)."""
    case = open_stay()
    send_admission_notice(actor=world.actor("nina"), case=case, expected_discharge_on=None)
    assert case.state == CaseState.PLANNING
    return case


# --- The whole stay -------------------------------------------------------------------------


def test_the_whole_stay_from_admission_to_closing(
    world: World, open_stay: OpenStay, time_machine: TimeMachineFixture
) -> None:
    nina, maja, vera = world.actor("nina"), world.actor("maja"), world.actor("vera")
    time_machine.move_to(T0, tick=False)

    case = open_stay(admitted_at=T0 - 3 * HOUR)
    assert (case.kind, case.state, case.version) == (CaseKind.STAY, CaseState.ADMITTED, 1)
    assert case.admitted_at == T0 - 3 * HOUR
    assert {(cp.unit, cp.role, cp.active) for cp in case.parties.all()} == {
        (world.ward, PartyRole.INPATIENT, True),
        (world.solna_social, PartyRole.MUNICIPALITY, True),
        (world.vardcentral, PartyRole.PRIMARY_CARE, True),
    }
    opened = case.events.get()
    assert opened.type == E.CASE_OPENED and opened.author == nina.person

    time_machine.shift(HOUR)
    admission = send_admission_notice(
        actor=nina,
        case=case,
        expected_discharge_on=dt.date(2025, 3, 17),
        text="Inskriven efter fall i hemmet.",
        expected_version=1,
    )
    assert case.state == CaseState.PLANNING and case.version == 2
    assert case.admission_notice_at == T0 + HOUR
    assert case.expected_discharge_on == dt.date(2025, 3, 17)
    assert admission.payload == {"expected_discharge_on": "2025-03-17"}
    assert admission.author_unit == world.ward and admission.author_name == "Nina Nilsson"
    assert units_of(admission) == {world.solna_social, world.vardcentral}

    time_machine.shift(HOUR)
    planning = record(
        world,
        "nina",
        case,
        E.PLANNING_INFORMATION,
        p.PlanningInformation(
            living_situation="Bor ensam i lägenhet, hiss finns.",
            functional_status="Går med rollator.",
            needs_after_discharge="Hjälp med dusch och inköp.",
        ),
    )
    assert case.planning_information_at == T0 + 2 * HOUR
    assert units_of(planning) == {world.solna_social, world.vardcentral}

    time_machine.shift(HOUR)
    message = record(world, "maja", case, E.MESSAGE, text="  Vi har startat planeringen.  ")
    assert message.text == "Vi har startat planeringen."
    assert units_of(message) == {world.ward, world.vardcentral}
    assert case.version == 2  # a message does not change the state

    # Each recipient acknowledges (kvitterar) what it has read; the author cannot.
    time_machine.shift(HOUR)
    with nothing_changes(case), pytest.raises(NotAllowed):
        acknowledge(actor=nina, event=admission)
    for notice in (admission, planning):
        receipt = acknowledge(actor=maja, event=notice)
        assert receipt.acknowledged_at == T0 + 4 * HOUR and receipt.acknowledged_by == maja.person
    assert acknowledge_all(actor=vera, case=case) == 3
    assert acknowledge_all(actor=vera, case=case) == 0  # nothing left, nothing logged
    acknowledge(actor=nina, event=message)
    assert acknowledge(actor=nina, event=message).acknowledged_at == T0 + 4 * HOUR
    assert not NoticeRecipient.objects.filter(
        event__case=case, acknowledged_at__isnull=True
    ).exists()

    time_machine.shift(HOUR)
    record(
        world,
        "vera",
        case,
        E.FAST_VARDKONTAKT,
        p.FastVardkontakt(name="Vera Vik", title="distriktsläkare", phone="08-123 456 78"),
    )
    assert case.fast_vardkontakt == "Vera Vik, distriktsläkare, 08-123 456 78"
    assert case.fast_vardkontakt_at == T0 + 5 * HOUR

    time_machine.shift(DAY)
    ready_time = T0 + DAY + 5 * HOUR
    declare_ready_for_discharge(
        actor=nina,
        case=case,
        doctor="Dr Lund",
        decided_at=ready_time - 2 * HOUR,
        sip_needed=True,
        expected_version=2,
    )
    assert case.state == CaseState.READY and case.version == 3
    # The notice's own time starts the payment clock, not the doctor's decision.
    assert case.ready_at == ready_time
    assert case.sip_needed is True and case.sip_called_at is None

    time_machine.shift(2 * HOUR)
    called = record(world, "vera", case, E.SIP_CALLED, sip_called_payload(ready_time + 2 * HOUR))
    assert case.sip_called_at == ready_time + 2 * HOUR
    assert called.payload["mode"] == "video"
    assert called.payload["meeting_at"] == (ready_time + 2 * HOUR + DAY).isoformat()
    assert called.payload["consent_given"] is True
    assert len(called.payload["participants"]) == 3
    assert units_of(called) == {world.ward, world.solna_social}

    time_machine.shift(DAY)
    record(
        world,
        "maja",
        case,
        E.SIP_HELD,
        p.SipHeld(
            held_at=timezone.now(),
            plan_summary="Hemtjänst tre gånger om dagen, trygghetslarm.",
            follow_up_on=dt.date(2025, 3, 25),
        ),
    )
    assert case.state == CaseState.READY and case.version == 3

    time_machine.shift(HOUR)
    discharged_at = timezone.now() - dt.timedelta(minutes=15)
    discharge = send_discharge_notice(
        actor=nina,
        case=case,
        discharged_at=discharged_at,
        destination=Destination.HOME,
        expected_version=3,
    )
    assert case.state == CaseState.DISCHARGED and case.version == 4
    assert case.discharged_at == discharged_at and case.destination == Destination.HOME
    assert case.is_open
    assert units_of(discharge) == {world.solna_social, world.vardcentral}

    time_machine.shift(DAY)
    record(world, "nina", case, E.CLOSED, expected_version=4)
    assert case.state == CaseState.CLOSED and case.version == 5
    assert case.closed_at == timezone.now() and not case.is_open
    assert case.last_event_at == timezone.now()
    with nothing_changes(case), pytest.raises(NotAllowed):
        record(world, "maja", case, E.MESSAGE, text="En sak till")

    assert list(case.events.values_list("type", flat=True)) == [
        E.CASE_OPENED,
        E.ADMISSION_NOTICE,
        E.PLANNING_INFORMATION,
        E.MESSAGE,
        E.FAST_VARDKONTAKT,
        E.READY,
        E.SIP_CALLED,
        E.SIP_HELD,
        E.DISCHARGE_NOTICE,
        E.CLOSED,
    ]
    # The author's own unit is never a recipient of its own notice.
    assert not NoticeRecipient.objects.filter(
        event__case=case, unit=F("event__author_unit")
    ).exists()

    # One audit row per action, each naming the patient and the case.
    entries = audit_of(case)
    assert [e.details["event"] for e in entries] == [
        "case_opened",
        "admission_notice",
        "planning_information",
        "message",
        "admission_notice",  # Maja's two acknowledgements
        "planning_information",
        "acknowledged",  # Vera's acknowledge_all
        "message",  # Nina's acknowledgement
        "fast_vardkontakt",
        "ready",
        "sip_called",
        "sip_held",
        "discharge_notice",
        "closed",
    ]
    assert entries[0].event_type == AuditEventType.CASE_OPENED
    assert {e.event_type for e in entries[1:]} == {AuditEventType.CASE_CHANGED}
    assert {e.patient_id for e in entries} == {world.patient.pk}
    assert AuditEntry.objects.filter(patient=world.patient).count() == len(entries)
    assert [e.actor_unit_hsa_id for e in entries[:4]] == [
        world.ward.hsa_id,
        world.ward.hsa_id,
        world.ward.hsa_id,
        world.solna_social.hsa_id,
    ]


def test_every_recorded_event_writes_exactly_one_audit_row(world: World, planning: Case) -> None:
    before = AuditEntry.objects.count()
    event = record(world, "vera", planning, E.MESSAGE, text="Hej")
    assert AuditEntry.objects.count() == before + 1
    entry = AuditEntry.objects.latest("pk")
    assert entry.patient_id == world.patient.pk
    assert entry.details == {"event": "message", "event_id": event.pk}
    vera = world.actor("vera").person
    assert vera is not None and entry.actor_person_id == vera.pk
    assert entry.actor_unit_hsa_id == world.vardcentral.hsa_id


# --- Refusals change nothing ----------------------------------------------------------------

REFUSALS: dict[str, tuple[str, E, bool, str]] = {
    # id: (who, what, send the admission notice first?, part of the reason)
    "wrong party: the vårdcentral declares ready": ("vera", E.READY, True, "inte av din enhet"),
    "wrong party: the municipality discharges": ("maja", E.DISCHARGE_NOTICE, True, "inte av"),
    "wrong party: the ward appoints fast vårdkontakt": (
        "nina",
        E.FAST_VARDKONTAKT,
        True,
        "inte av din enhet",
    ),
    "wrong state: ready before the admission notice": ("nina", E.READY, False, "status"),
    "wrong state: admission notice twice": ("nina", E.ADMISSION_NOTICE, True, "status"),
    "wrong state: leave ends that never started": ("nina", E.LEAVE_ENDED, True, "permission"),
    "non-care role: EK administrator at the ward": ("eva", E.MESSAGE, True, "behörighet"),
    "non-party unit: another ward": ("berit", E.DISCHARGE_NOTICE, True, "inte part"),
    "non-party unit: another vårdcentral": ("sune", E.MESSAGE, True, "inte part"),
    "non-party unit: another municipality rejects": ("sam", E.REJECTED, True, "inte part"),
    "not recorded directly: case opened": ("nina", E.CASE_OPENED, True, "direkt"),
}


def payload_for(world: World, event_type: E, now: dt.datetime) -> p.Payload:
    return {
        E.READY: ready_payload(now),
        E.DISCHARGE_NOTICE: p.DischargeNotice(now - HOUR, Destination.HOME),
        E.FAST_VARDKONTAKT: p.FastVardkontakt(name="Nina Nilsson"),
        E.ADMISSION_NOTICE: p.AdmissionNotice(None),
        E.LEAVE_ENDED: p.LeaveEnded(now),
        E.REJECTED: p.Rejected(p.RejectionReason.NOT_RESIDENT, SUNDBYBERG),
    }.get(event_type, p.Empty())


@pytest.mark.parametrize("scenario", list(REFUSALS))
def test_a_refused_event_changes_nothing(world: World, open_stay: OpenStay, scenario: str) -> None:
    who, event_type, admitted, reason_part = REFUSALS[scenario]
    case = open_stay()
    if admitted:
        send_admission_notice(actor=world.actor("nina"), case=case, expected_discharge_on=None)
    payload = payload_for(world, event_type, timezone.now())
    with nothing_changes(case), pytest.raises(NotAllowed) as refused:
        record(world, who, case, event_type, payload, expected_version=case.version)
    assert reason_part in refused.value.message


def test_a_payload_of_the_wrong_type_is_a_programming_error(world: World, planning: Case) -> None:
    with nothing_changes(planning), pytest.raises(TypeError):
        record(world, "nina", planning, E.READY, p.Empty())


def test_a_non_party_cannot_acknowledge_and_a_system_actor_cannot_act(
    world: World, planning: Case
) -> None:
    notice = planning.events.get(type=E.ADMISSION_NOTICE)
    with nothing_changes(planning), pytest.raises(NotAllowed):
        acknowledge(actor=world.actor("sune"), event=notice)
    with nothing_changes(planning), pytest.raises(NotAllowed):
        acknowledge(actor=world.actor("eva"), event=notice)
    with nothing_changes(planning), pytest.raises(NotAllowed):
        acknowledge_all(actor=world.actor("eva"), case=planning)
    with nothing_changes(planning), pytest.raises(NotAllowed):
        record_event(
            actor=Actor.system("nightly"), case=planning, event_type=E.MESSAGE, payload=p.Empty()
        )
    assert acknowledge_all(actor=world.actor("sune"), case=planning) == 0


# --- Optimistic locking ---------------------------------------------------------------------


def test_the_second_of_two_state_changes_from_the_same_version_conflicts(
    world: World, planning: Case
) -> None:
    version = planning.version
    seen_by_nina = Case.objects.get(pk=planning.pk)
    seen_by_otto = Case.objects.get(pk=planning.pk)

    declare_ready_for_discharge(
        actor=world.actor("nina"),
        case=seen_by_nina,
        doctor="Dr Lund",
        decided_at=timezone.now(),
        sip_needed=False,
        expected_version=version,
    )
    assert seen_by_nina.state == CaseState.READY and seen_by_nina.version == version + 1

    with nothing_changes(planning), pytest.raises(Conflict) as conflict:
        send_discharge_notice(
            actor=world.actor("otto"),
            case=seen_by_otto,
            discharged_at=timezone.now() - HOUR,
            destination=Destination.HOME,
            expected_version=version,
        )
    assert "Någon annan har ändrat ärendet" in conflict.value.message
    with nothing_changes(planning), pytest.raises(Conflict):
        record(
            world,
            "otto",
            seen_by_otto,
            E.LEAVE_STARTED,
            p.LeaveStarted(timezone.now()),
            expected_version=version,
        )

    # Messages and other events that leave the state alone never conflict.
    record(world, "otto", seen_by_otto, E.MESSAGE, text="Sett", expected_version=version)
    record(
        world,
        "vera",
        seen_by_otto,
        E.FAST_VARDKONTAKT,
        p.FastVardkontakt(name="Vera Vik"),
        expected_version=version,
    )
    # Otto reads the news and tries again with the version he now sees.
    seen_by_otto.refresh_from_db()
    send_discharge_notice(
        actor=world.actor("otto"),
        case=seen_by_otto,
        discharged_at=timezone.now() - HOUR,
        destination=Destination.HOME,
        expected_version=seen_by_otto.version,
    )
    assert Case.objects.get(pk=planning.pk).state == CaseState.DISCHARGED


def test_without_an_expected_version_there_is_no_check(world: World, planning: Case) -> None:
    stale = Case.objects.get(pk=planning.pk)
    record(world, "nina", planning, E.LEAVE_STARTED, p.LeaveStarted(timezone.now()))
    record(world, "otto", stale, E.LEAVE_ENDED, p.LeaveEnded(timezone.now()))
    assert stale.version == planning.version + 1  # refreshed by the action


# --- Idempotency ----------------------------------------------------------------------------


def test_the_same_key_twice_records_one_message(world: World, planning: Case) -> None:
    first = record(world, "maja", planning, E.MESSAGE, text="Hej", idempotency_key="k-1")
    counts = rows()
    again = record(world, "maja", planning, E.MESSAGE, text="Hej", idempotency_key="k-1")
    assert again.pk == first.pk
    assert rows() == counts
    assert planning.events.filter(idempotency_key="k-1").count() == 1


def test_a_double_submitted_state_change_returns_the_first_event(
    world: World, planning: Case
) -> None:
    version = planning.version
    first = declare_ready_for_discharge(
        actor=world.actor("nina"),
        case=planning,
        doctor="Dr Lund",
        decided_at=timezone.now(),
        sip_needed=False,
        expected_version=version,
        idempotency_key="ready-1",
    )
    with nothing_changes(planning):
        # Neither "already ready" nor "version changed": the double click simply succeeds.
        again = declare_ready_for_discharge(
            actor=world.actor("nina"),
            case=planning,
            doctor="Dr Lund",
            decided_at=timezone.now(),
            sip_needed=False,
            expected_version=version,
            idempotency_key="ready-1",
        )
    assert again.pk == first.pk
    assert Case.objects.get(pk=planning.pk).version == version + 1


def test_opening_twice_with_the_same_key_returns_the_same_case(
    world: World, time_machine: TimeMachineFixture
) -> None:
    time_machine.move_to(T0, tick=False)
    arguments: dict[str, Any] = {
        "actor": world.actor("nina"),
        "patient": world.patient,
        "care_kind": CareKind.SOMATIC,
        "compulsory_care": False,
        "admitted_at": T0 - HOUR,
        "assessed_at": None,
        "recipients": [world.solna_social, world.vardcentral],
        "idempotency_key": "open-1",
    }
    first = open_case(**arguments)
    counts = rows()
    again = open_case(**arguments)
    assert again.pk == first.pk
    assert rows() == counts


def test_a_reused_opening_key_never_returns_another_patients_case(world: World) -> None:
    other = Patient.objects.create(
        identity_number="198112189876",
        identity_kind=IdentityKind.PERSONNUMMER,
        given_name="Test",
        family_name="Testsson",
        municipality_code="0184",
    )
    arguments: dict[str, Any] = {
        "actor": world.actor("nina"),
        "care_kind": CareKind.SOMATIC,
        "compulsory_care": False,
        "admitted_at": timezone.now() - HOUR,
        "assessed_at": None,
        "recipients": [world.solna_social],
        "idempotency_key": "open-1",
    }
    open_case(patient=world.patient, **arguments)
    try:
        second = open_case(patient=other, **arguments)
    except NotAllowed:
        return  # refusing the reused key is a correct answer too
    assert second.patient_id == other.pk


def test_opening_a_sip_case_twice_with_the_same_key_returns_the_same_case(world: World) -> None:
    arguments: dict[str, Any] = {
        "actor": world.actor("vera"),
        "patient": world.patient,
        "recipients": [world.solna_social],
        "idempotency_key": "sip-1",
    }
    first = open_sip_case(**arguments)
    counts = rows()
    assert open_sip_case(**arguments).pk == first.pk
    assert rows() == counts


# --- Återtagande ----------------------------------------------------------------------------


def test_withdrawing_ready_clears_the_clock_and_a_new_notice_restarts_it(
    world: World, open_stay: OpenStay, time_machine: TimeMachineFixture
) -> None:
    time_machine.move_to(T0, tick=False)
    planning = open_stay(admitted_at=T0 - DAY)
    send_admission_notice(actor=world.actor("nina"), case=planning, expected_discharge_on=None)
    nina = world.actor("nina")
    time_machine.shift(DAY)
    declare_ready_for_discharge(
        actor=nina, case=planning, doctor="Dr Lund", decided_at=T0, sip_needed=True
    )
    assert planning.ready_at == T0 + DAY
    record(world, "vera", planning, E.SIP_CALLED, sip_called_payload(T0 + DAY))
    assert planning.sip_called_at == T0 + DAY

    time_machine.shift(3 * HOUR)
    version = planning.version
    withdrawn = withdraw_ready_for_discharge(
        actor=nina, case=planning, reason="Feber, nya prover.", expected_version=version
    )
    assert withdrawn.payload == {"reason": "Feber, nya prover."}
    assert planning.state == CaseState.PLANNING and planning.ready_at is None
    assert planning.version == version + 1
    assert units_of(withdrawn) == {world.solna_social, world.vardcentral}

    time_machine.shift(2 * DAY)
    declare_ready_for_discharge(
        actor=nina, case=planning, doctor="Dr Lund", decided_at=T0 + 3 * DAY, sip_needed=True
    )
    assert planning.state == CaseState.READY
    assert planning.ready_at == T0 + 3 * DAY + 3 * HOUR
    # The patient was already called to a SIP: that call still counts for D2.
    assert planning.sip_called_at == T0 + DAY


# --- Makulering -----------------------------------------------------------------------------


def test_retracting_a_message_keeps_it_in_the_timeline(world: World, planning: Case) -> None:
    message = record(world, "maja", planning, E.MESSAGE, text="Fel patient, förlåt")
    with nothing_changes(planning), pytest.raises(NotAllowed) as not_author:
        retract(actor=world.actor("nina"), event=message, reason="Inte vår")
    assert "Bara den enhet" in not_author.value.message
    with nothing_changes(planning), pytest.raises(NotAllowed) as no_reason:
        retract(actor=world.actor("maja"), event=message, reason="   ")
    assert "varför" in no_reason.value.message

    audit_rows = AuditEntry.objects.count()
    retracted = retract(actor=world.actor("maja"), event=message, reason=" Skickat i fel ärende ")
    assert AuditEntry.objects.count() == audit_rows + 1
    assert retracted.retracted_at is not None and retracted.is_retracted
    assert retracted.retracted_by == world.actor("maja").person
    assert retracted.retraction_reason == "Skickat i fel ärende"
    assert planning.events.filter(pk=message.pk, retracted_at__isnull=False).exists()
    assert message.text == "Fel patient, förlåt"  # the text stays, marked as retracted

    with nothing_changes(planning), pytest.raises(NotAllowed) as twice:
        retract(actor=world.actor("maja"), event=message, reason="Igen")
    assert "redan" in twice.value.message


def test_any_user_of_the_authors_unit_may_retract(world: World, planning: Case) -> None:
    info = record(world, "nina", planning, E.PLANNING_INFORMATION, p.PlanningInformation())
    assert Case.objects.get(pk=planning.pk).planning_information_at == info.effective_at
    retract(actor=world.actor("otto"), event=info, reason="Fel underlag")
    assert Case.objects.get(pk=planning.pk).planning_information_at is None


@pytest.mark.parametrize("event_type", [E.ADMISSION_NOTICE, E.CASE_OPENED, E.READY])
def test_only_retractable_types_can_be_retracted(
    world: World, planning: Case, event_type: E
) -> None:
    if event_type == E.READY:
        record(world, "nina", planning, E.READY, ready_payload(timezone.now()))
    event = planning.events.get(type=event_type)
    with nothing_changes(planning), pytest.raises(NotAllowed) as refused:
        retract(actor=world.actor("nina"), event=event, reason="Fel")
    assert "kan inte makuleras" in refused.value.message


def test_nothing_is_retracted_in_a_closed_case(world: World, planning: Case) -> None:
    message = record(world, "nina", planning, E.MESSAGE, text="Hej")
    record(world, "nina", planning, E.CANCELLED, p.Cancelled("Behov saknas"))
    with nothing_changes(planning), pytest.raises(NotAllowed) as refused:
        retract(actor=world.actor("nina"), event=message, reason="Fel")
    assert "stängt" in refused.value.message


def test_retracting_the_fast_vardkontakt_clears_it_or_restores_the_previous_one(
    world: World, planning: Case
) -> None:
    first = record(
        world, "vera", planning, E.FAST_VARDKONTAKT, p.FastVardkontakt("Vera Vik", "läkare")
    )
    second = record(world, "vera", planning, E.FAST_VARDKONTAKT, p.FastVardkontakt("Ulla Ek"))
    assert planning.fast_vardkontakt == "Ulla Ek"
    retract(actor=world.actor("vera"), event=second, reason="Fel person")
    planning.refresh_from_db()
    assert planning.fast_vardkontakt == "Vera Vik, läkare"
    assert planning.fast_vardkontakt_at == first.effective_at
    retract(actor=world.actor("vera"), event=first, reason="Ingen utsedd ännu")
    planning.refresh_from_db()
    assert planning.fast_vardkontakt == "" and planning.fast_vardkontakt_at is None


def test_retracting_a_date_change_restores_the_previous_date(
    world: World, open_stay: OpenStay
) -> None:
    case = open_stay()
    send_admission_notice(
        actor=world.actor("nina"), case=case, expected_discharge_on=dt.date(2025, 5, 1)
    )
    change = record(
        world,
        "nina",
        case,
        E.EXPECTED_DATE_CHANGED,
        p.ExpectedDateChanged(dt.date(2025, 5, 9), dt.date(2025, 5, 1), timezone.now()),
    )
    assert case.expected_discharge_on == dt.date(2025, 5, 9)
    retract(actor=world.actor("nina"), event=change, reason="Fel datum")
    case.refresh_from_db()
    assert case.expected_discharge_on == dt.date(2025, 5, 1)


def test_retracting_a_sip_call_after_ready_falls_back_to_the_next_call(
    world: World, planning: Case
) -> None:
    record(world, "nina", planning, E.READY, ready_payload(timezone.now(), sip_needed=True))
    first = record(world, "vera", planning, E.SIP_CALLED, sip_called_payload(timezone.now()))
    second = record(world, "maja", planning, E.SIP_CALLED, sip_called_payload(timezone.now()))
    assert planning.sip_called_at == first.effective_at
    retract(actor=world.actor("vera"), event=first, reason="Fel tid")
    planning.refresh_from_db()
    assert planning.sip_called_at == second.effective_at
    retract(actor=world.actor("maja"), event=second, reason="Fel tid")
    planning.refresh_from_db()
    assert planning.sip_called_at is None


def test_retracting_the_only_date_change_leaves_no_expected_date(
    world: World, planning: Case
) -> None:
    change = record(
        world,
        "nina",
        planning,
        E.EXPECTED_DATE_CHANGED,
        p.ExpectedDateChanged(dt.date(2025, 5, 9), None, timezone.now()),
    )
    assert planning.expected_discharge_on == dt.date(2025, 5, 9)
    retract(actor=world.actor("nina"), event=change, reason="Fel ärende")
    planning.refresh_from_db()
    assert planning.expected_discharge_on is None


def test_retracting_the_only_sip_call_in_a_sip_case_clears_it(world: World) -> None:
    case = open_sip_case(
        actor=world.actor("vera"), patient=world.patient, recipients=[world.solna_social]
    )
    call = record(world, "vera", case, E.SIP_CALLED, sip_called_payload(timezone.now()))
    assert case.sip_called_at is not None
    retract(actor=world.actor("vera"), event=call, reason="Kallelsen gick till fel patient")
    case.refresh_from_db()
    assert case.sip_called_at is None
    with pytest.raises(NotAllowed):
        record(world, "maja", case, E.SIP_HELD, p.SipHeld(timezone.now(), "Plan"))


# --- Avvisning ------------------------------------------------------------------------------


@pytest.fixture
def sent_to_sundbyberg(world: World, open_stay: OpenStay) -> Case:
    """The ward sent the case to the wrong municipality (the patient lives in Solna)."""
    case = open_stay(recipients=[world.sundbyberg_social, world.vardcentral])
    send_admission_notice(
        actor=world.actor("nina"), case=case, expected_discharge_on=dt.date(2025, 5, 1)
    )
    record(world, "nina", case, E.PLANNING_INFORMATION, p.PlanningInformation(aids="Rollator"))
    record(world, "vera", case, E.MESSAGE, text="Vårdcentralen har fått ärendet")
    acknowledge_all(actor=world.actor("vera"), case=case)
    acknowledge_all(actor=world.actor("sam"), case=case)
    return case


def test_rejection_moves_the_case_to_the_patients_municipality(
    world: World, sent_to_sundbyberg: Case, time_machine: TimeMachineFixture
) -> None:
    case = sent_to_sundbyberg
    time_machine.move_to(timezone.now() + HOUR, tick=False)
    now = timezone.now()
    version = case.version
    rejection = record(
        world,
        "sam",
        case,
        E.REJECTED,
        p.Rejected(p.RejectionReason.NOT_RESIDENT, correct_municipality_code="0184"),
        text="Patienten är folkbokförd i Solna.",
        expected_version=version,
    )
    assert case.state == CaseState.PLANNING and case.version == version + 1
    assert rejection.payload["correct_municipality_code"] == "0184"

    sundbyberg = party(case, world.sundbyberg_social)
    assert (sundbyberg.active, sundbyberg.left_reason, sundbyberg.left_at) == (
        False,
        "rejected",
        now,
    )
    solna = party(case, world.solna_social)
    assert (solna.active, solna.role, solna.joined_at) == (True, PartyRole.MUNICIPALITY, now)
    assert active_units(case) == {world.ward, world.vardcentral, world.solna_social}

    # The rejection goes to the others; the new municipality gets the history, unread.
    assert units_of(rejection) == {world.ward, world.vardcentral}
    forwarded = NoticeRecipient.objects.filter(unit=world.solna_social, event__case=case)
    assert sorted(forwarded.values_list("event__type", flat=True)) == sorted(
        [E.ADMISSION_NOTICE, E.PLANNING_INFORMATION, E.MESSAGE]
    )
    assert not forwarded.filter(acknowledged_at__isnull=False).exists()
    assert acknowledge_all(actor=world.actor("maja"), case=case) == 3

    # From now on Solna takes part and Sundbyberg does not.
    with nothing_changes(case), pytest.raises(NotAllowed) as gone:
        record(world, "sam", case, E.MESSAGE, text="Hallå?")
    assert "inte part" in gone.value.message
    ready = record(world, "nina", case, E.READY, ready_payload(now))
    assert units_of(ready) == {world.solna_social, world.vardcentral}


def test_rejection_to_an_unknown_municipality_changes_nothing(
    world: World, sent_to_sundbyberg: Case
) -> None:
    case = sent_to_sundbyberg
    with nothing_changes(case), pytest.raises(NotAllowed) as refused:
        record(
            world,
            "sam",
            case,
            E.REJECTED,
            p.Rejected(p.RejectionReason.NOT_RESIDENT, correct_municipality_code="9999"),
            expected_version=case.version,
        )
    assert "9999" in refused.value.message
    assert party(case, world.sundbyberg_social).active


def test_a_municipality_cannot_reject_to_itself(world: World, sent_to_sundbyberg: Case) -> None:
    case = sent_to_sundbyberg
    with nothing_changes(case), pytest.raises(NotAllowed):
        record(
            world,
            "sam",
            case,
            E.REJECTED,
            p.Rejected(p.RejectionReason.NOT_RESIDENT, correct_municipality_code=SUNDBYBERG),
        )


def test_rejection_to_a_municipality_with_districts_picks_the_district(
    world: World, sent_to_sundbyberg: Case
) -> None:
    case = sent_to_sundbyberg
    record(
        world,
        "sam",
        case,
        E.REJECTED,
        p.Rejected(p.RejectionReason.NOT_RESIDENT, STOCKHOLM, correct_district="Södermalm"),
    )
    assert active_units(case) == {world.ward, world.vardcentral, world.sodermalm_social}
    assert not CaseParty.objects.filter(case=case, unit=world.norrmalm_social).exists()


def test_rejection_without_the_district_of_a_municipality_with_districts_is_refused(
    world: World, sent_to_sundbyberg: Case
) -> None:
    # Stockholm has only district units and no central one: the user must name the district.
    case = sent_to_sundbyberg
    with nothing_changes(case), pytest.raises(NotAllowed):
        record(
            world,
            "sam",
            case,
            E.REJECTED,
            p.Rejected(p.RejectionReason.NOT_RESIDENT, STOCKHOLM),
        )


def test_a_district_unit_rejects_to_the_right_district(world: World, open_stay: OpenStay) -> None:
    case = open_stay(recipients=[world.norrmalm_social])
    send_admission_notice(actor=world.actor("nina"), case=case, expected_discharge_on=None)
    record(
        world,
        "nora",
        case,
        E.REJECTED,
        p.Rejected(p.RejectionReason.WRONG_DISTRICT, STOCKHOLM, correct_district="Södermalm"),
    )
    assert active_units(case) == {world.ward, world.sodermalm_social}
    assert party(case, world.norrmalm_social).left_reason == "rejected"


# --- Routing --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("municipality", "district", "expected"),
    [
        ("0184", "", ["solna_social", "vardcentral"]),
        ("0183", "", ["sundbyberg_social", "vardcentral"]),
        (STOCKHOLM, "Södermalm", ["sodermalm_social", "vardcentral"]),
        (STOCKHOLM, "Norrmalm", ["norrmalm_social", "vardcentral"]),
        (STOCKHOLM, "Okänd", ["vardcentral"]),  # no central unit: the user must choose
        ("", "", ["vardcentral"]),
    ],
)
def test_recipients_follow_the_patients_municipality_and_district(
    world: World, municipality: str, district: str, expected: list[str]
) -> None:
    patient = world.patient
    patient.municipality_code, patient.district = municipality, district
    patient.save()
    proposed = propose_recipients(patient, on=dt.date(2025, 3, 10))
    assert proposed == [getattr(world, name) for name in expected]


def test_a_central_unit_takes_patients_with_an_unknown_district(world: World) -> None:
    central = Unit.objects.create(
        hsa_id="SE2120000142-CENT",
        name="Stockholms stad, central mottagning",
        organisation=world.stockholm,
        care_type=CareType.SOCIAL_SERVICES,
        municipality_code=STOCKHOLM,
    )
    on = dt.date(2025, 3, 10)
    assert social_services_units(STOCKHOLM, "Okänd", on=on) == [central]
    assert social_services_units(STOCKHOLM, "Södermalm", on=on) == [world.sodermalm_social]


def test_a_stay_opened_with_the_proposed_recipients_reaches_the_district(
    world: World, open_stay: OpenStay
) -> None:
    world.patient.municipality_code, world.patient.district = STOCKHOLM, "Södermalm"
    world.patient.save()
    case = open_stay(recipients=propose_recipients(world.patient, on=timezone.localdate()))
    notice = send_admission_notice(actor=world.actor("nina"), case=case, expected_discharge_on=None)
    assert units_of(notice) == {world.sodermalm_social, world.vardcentral}


# --- Transfer, leave, cancel ----------------------------------------------------------------


def test_the_case_follows_the_patient_to_another_ward(world: World, planning: Case) -> None:
    version = planning.version
    transfer = record(
        world,
        "nina",
        planning,
        E.TRANSFERRED,
        p.Transferred(to_unit_id=world.other_ward.pk, to_unit_name=world.other_ward.name),
        expected_version=version,
    )
    assert planning.state == CaseState.PLANNING and planning.version == version + 1
    old = party(planning, world.ward)
    assert (old.active, old.left_reason, old.role) == (False, "transferred", PartyRole.INPATIENT)
    new = party(planning, world.other_ward)
    assert (new.active, new.role) == (True, PartyRole.INPATIENT)
    assert units_of(transfer) == {world.solna_social, world.vardcentral}
    # The new ward has the history to read; the old one can no longer act.
    assert NoticeRecipient.objects.filter(
        unit=world.other_ward, event__type=E.ADMISSION_NOTICE, event__case=planning
    ).exists()
    with nothing_changes(planning), pytest.raises(NotAllowed) as gone:
        record(world, "nina", planning, E.READY, ready_payload(timezone.now()))
    assert "inte part" in gone.value.message
    ready = record(world, "berit", planning, E.READY, ready_payload(timezone.now()))
    assert units_of(ready) == {world.solna_social, world.vardcentral}


@pytest.mark.parametrize("target", ["ward", "vardcentral"])
def test_a_transfer_goes_to_another_inpatient_unit(
    world: World, planning: Case, target: str
) -> None:
    unit: Unit = getattr(world, target)
    with nothing_changes(planning), pytest.raises(NotAllowed):
        record(world, "nina", planning, E.TRANSFERRED, p.Transferred(unit.pk, unit.name))


def test_a_ward_the_patient_returns_to_is_not_sent_its_own_notices(
    world: World, planning: Case
) -> None:
    record(
        world,
        "nina",
        planning,
        E.TRANSFERRED,
        p.Transferred(world.other_ward.pk, world.other_ward.name),
    )
    record(world, "berit", planning, E.TRANSFERRED, p.Transferred(world.ward.pk, world.ward.name))
    assert party(planning, world.ward).active
    assert not NoticeRecipient.objects.filter(
        event__case=planning, unit=F("event__author_unit")
    ).exists()


def test_leave_starts_and_ends(world: World, planning: Case) -> None:
    version = planning.version
    start = record(
        world,
        "nina",
        planning,
        E.LEAVE_STARTED,
        p.LeaveStarted(timezone.now(), expected_return_at=timezone.now() + DAY),
        expected_version=version,
    )
    assert planning.on_leave and planning.version == version + 1
    assert planning.state == CaseState.PLANNING
    assert units_of(start) == {world.solna_social, world.vardcentral}
    with nothing_changes(planning), pytest.raises(NotAllowed) as twice:
        record(world, "otto", planning, E.LEAVE_STARTED, p.LeaveStarted(timezone.now()))
    assert "redan på permission" in twice.value.message
    record(world, "otto", planning, E.LEAVE_ENDED, p.LeaveEnded(timezone.now()))
    assert not planning.on_leave and planning.version == version + 2
    with nothing_changes(planning), pytest.raises(NotAllowed):
        record(world, "otto", planning, E.LEAVE_ENDED, p.LeaveEnded(timezone.now()))


def test_discharge_from_leave_ends_the_leave(world: World, planning: Case) -> None:
    record(world, "nina", planning, E.LEAVE_STARTED, p.LeaveStarted(timezone.now()))
    send_discharge_notice(
        actor=world.actor("nina"),
        case=planning,
        discharged_at=timezone.now() - HOUR,
        destination=Destination.SHORT_TERM,
    )
    assert planning.state == CaseState.DISCHARGED and not planning.on_leave
    assert planning.destination == Destination.SHORT_TERM


def test_cancelling_a_stay_with_a_reason(world: World, planning: Case) -> None:
    with nothing_changes(planning), pytest.raises(NotAllowed):
        record(world, "vera", planning, E.CANCELLED, p.Cancelled("Inte vår sak"))
    cancel = record(
        world,
        "nina",
        planning,
        E.CANCELLED,
        p.Cancelled("Patienten behöver inget stöd efter utskrivningen."),
        expected_version=planning.version,
    )
    assert planning.state == CaseState.CANCELLED and not planning.is_open
    assert planning.cancel_reason == "Patienten behöver inget stöd efter utskrivningen."
    assert planning.closed_at == cancel.recorded_at
    assert units_of(cancel) == {world.solna_social, world.vardcentral}
    for name, event_type in [("maja", E.MESSAGE), ("nina", E.CLOSED), ("nina", E.CANCELLED)]:
        payload = p.Cancelled("igen") if event_type == E.CANCELLED else p.Empty()
        with nothing_changes(planning), pytest.raises(NotAllowed):
            record(world, name, planning, event_type, payload)


# --- SIP outside a hospital stay ------------------------------------------------------------


def test_a_sip_case_opened_by_primary_care(world: World) -> None:
    vera, maja = world.actor("vera"), world.actor("maja")
    case = open_sip_case(
        actor=vera,
        patient=world.patient,
        recipients=[world.solna_social, world.vardcentral],  # its own unit is left out
        text="Behov av samordning av hemsjukvård och hemtjänst.",
    )
    assert (case.kind, case.state, case.sip_needed) == (CaseKind.SIP, CaseState.SIP_ONGOING, True)
    assert {(cp.unit, cp.role) for cp in case.parties.all()} == {
        (world.vardcentral, PartyRole.PRIMARY_CARE),
        (world.solna_social, PartyRole.MUNICIPALITY),
    }
    opening = case.events.get()
    assert opening.type == E.CASE_OPENED
    assert opening.text == "Behov av samordning av hemsjukvård och hemtjänst."
    assert units_of(opening) == {world.solna_social}
    assert acknowledge(actor=maja, event=opening).acknowledged_by == maja.person
    entry = audit_of(case)[0]
    assert entry.event_type == AuditEventType.CASE_OPENED
    assert entry.patient_id == world.patient.pk

    # Events that belong to a stay do not belong here.
    with nothing_changes(case), pytest.raises(NotAllowed) as stay_only:
        record(world, "maja", case, E.REJECTED, p.Rejected("not_resident", SUNDBYBERG))
    assert "typen av ärende" in stay_only.value.message
    with nothing_changes(case), pytest.raises(NotAllowed):
        record(world, "maja", case, E.SIP_HELD, p.SipHeld(timezone.now(), "Plan"))

    call = record(world, "vera", case, E.SIP_CALLED, sip_called_payload(timezone.now()))
    assert case.sip_called_at == call.effective_at
    assert units_of(call) == {world.solna_social}
    held = record(world, "maja", case, E.SIP_HELD, p.SipHeld(timezone.now(), "Hemtjänst"))
    assert units_of(held) == {world.vardcentral}
    record(world, "vera", case, E.SIP_FOLLOWED_UP, p.SipFollowedUp("Fungerar bra"))
    assert case.state == CaseState.SIP_ONGOING
    record(world, "maja", case, E.CLOSED, expected_version=case.version)
    assert case.state == CaseState.CLOSED and case.closed_at is not None
    assert len(audit_of(case)) == 6  # opened, acknowledged, called, held, followed up, closed


def test_only_the_outpatient_side_opens_a_sip_case(world: World) -> None:
    counts = rows()
    with pytest.raises(NotAllowed):
        open_sip_case(actor=world.actor("nina"), patient=world.patient, recipients=[])
    with pytest.raises(NotAllowed):
        open_sip_case(actor=world.actor("eva"), patient=world.patient, recipients=[])
    assert rows() == counts


def test_a_sip_case_opened_by_the_municipality(world: World) -> None:
    case = open_sip_case(
        actor=world.actor("maja"), patient=world.patient, recipients=[world.vardcentral]
    )
    assert party(case, world.solna_social).role == PartyRole.MUNICIPALITY
    record(world, "vera", case, E.FAST_VARDKONTAKT, p.FastVardkontakt("Vera Vik"))
    assert case.fast_vardkontakt == "Vera Vik"
    record(world, "maja", case, E.CANCELLED, p.Cancelled("Patienten flyttade"))
    assert case.state == CaseState.CANCELLED


# --- Opening a stay -------------------------------------------------------------------------


def test_a_second_open_stay_for_the_same_patient_is_refused(
    world: World, planning: Case, open_stay: OpenStay
) -> None:
    counts = rows()
    with pytest.raises(NotAllowed) as refused:
        open_stay()
    assert "redan ett öppet ärende" in refused.value.message
    with pytest.raises(NotAllowed):
        open_case(
            actor=world.actor("per"),
            patient=world.patient,
            care_kind=CareKind.PSYCHIATRIC,
            compulsory_care=True,
            admitted_at=timezone.now(),
            assessed_at=None,
            recipients=[],
        )
    assert rows() == counts
    # Once the first stay is over a new one may start.
    record(world, "nina", planning, E.CANCELLED, p.Cancelled("Flyttad till annan region"))
    assert open_stay().pk != planning.pk


def test_a_sip_case_does_not_block_a_stay(world: World, open_stay: OpenStay) -> None:
    open_sip_case(actor=world.actor("vera"), patient=world.patient, recipients=[])
    assert open_stay().state == CaseState.ADMITTED


@pytest.mark.parametrize(
    ("who", "recipients", "admitted", "assessed", "reason_part"),
    [
        ("vera", [], -HOUR, None, "slutenvårdsenhet"),
        ("eva", [], -HOUR, None, "behörighet"),
        ("nina", ["ward"], -HOUR, None, "mottagare"),
        ("nina", ["other_ward"], -HOUR, None, "mottagare"),
        ("nina", [], HOUR, None, "framtiden"),
        ("nina", [], -HOUR, -2 * HOUR, "Bedömningen"),
        ("nina", [], -HOUR, HOUR, "Bedömningen"),
    ],
)
def test_opening_a_stay_is_refused_with_a_reason(
    world: World,
    who: str,
    recipients: list[str],
    admitted: dt.timedelta,
    assessed: dt.timedelta | None,
    reason_part: str,
) -> None:
    now = timezone.now()
    counts = rows()
    with pytest.raises(NotAllowed) as refused:
        open_case(
            actor=world.actor(who),
            patient=world.patient,
            care_kind=CareKind.SOMATIC,
            compulsory_care=False,
            admitted_at=now + admitted,
            assessed_at=now + assessed if assessed is not None else None,
            recipients=[getattr(world, name) for name in recipients],
            now=now,
        )
    assert reason_part in refused.value.message
    assert rows() == counts


def test_a_recipient_that_does_not_use_brygga_is_refused(world: World) -> None:
    closed = Unit.objects.create(
        hsa_id="SE2120000183-OLD1",
        name="Solna gamla socialkontor",
        organisation=world.solna,
        care_type=CareType.SOCIAL_SERVICES,
        municipality_code="0184",
        valid_to=dt.date(2020, 12, 31),
    )
    counts = rows()
    with pytest.raises(NotAllowed) as refused:
        open_case(
            actor=world.actor("nina"),
            patient=world.patient,
            care_kind=CareKind.SOMATIC,
            compulsory_care=False,
            admitted_at=timezone.now() - HOUR,
            assessed_at=None,
            recipients=[world.vardcentral, closed],
        )
    assert "använder inte Brygga" in refused.value.message
    assert rows() == counts


def test_unit_validity_is_judged_on_the_swedish_date(world: World) -> None:
    # 00:30 on 2 June in Stockholm is still 1 June in UTC.
    now = dt.datetime(2025, 6, 1, 22, 30, tzinfo=UTC)
    new_unit = Unit.objects.create(
        hsa_id="SE2120000183-NY01",
        name="Solna nya socialkontor",
        organisation=world.solna,
        care_type=CareType.SOCIAL_SERVICES,
        municipality_code="0184",
        valid_from=dt.date(2025, 6, 2),
    )
    case = open_case(
        actor=world.actor("nina"),
        patient=world.patient,
        care_kind=CareKind.SOMATIC,
        compulsory_care=False,
        admitted_at=now - HOUR,
        assessed_at=None,
        recipients=[new_unit],
        now=now,
    )
    assert party(case, new_unit).active


# --- Discharge ------------------------------------------------------------------------------


@pytest.mark.parametrize("when", ["future", "before admission"])
def test_a_discharge_time_outside_the_stay_is_refused(
    world: World, planning: Case, when: str
) -> None:
    discharged_at = (
        timezone.now() + HOUR if when == "future" else planning.admitted_at - dt.timedelta(1)
    )
    with nothing_changes(planning), pytest.raises(NotAllowed) as refused:
        send_discharge_notice(
            actor=world.actor("nina"),
            case=planning,
            discharged_at=discharged_at,
            destination=Destination.HOME,
        )
    assert "Utskrivningstiden" in refused.value.message
    assert planning.state == CaseState.PLANNING


def test_an_unknown_destination_is_refused_before_anything_is_written() -> None:
    with pytest.raises(ValueError, match="unknown destination"):
        p.DischargeNotice(T0, "moon")
