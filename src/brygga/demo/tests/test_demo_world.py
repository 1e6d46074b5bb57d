"""The demo region: valid identifiers, complete coverage, the personas as documented, and
cases whose rows agree with the timeline the actions recorded."""

from __future__ import annotations

import datetime as dt
import functools
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db.models import F
from django.utils import timezone

from brygga.audit.events import AuditEventType
from brygga.audit.models import AuditEntry
from brygga.cases.deadlines import DeadlineId, DeadlineStatus
from brygga.cases.models import (
    Case,
    CaseEvent,
    CaseKind,
    CaseParty,
    CaseState,
    NoticeRecipient,
    PartyRole,
)
from brygga.cases.models import CaseEventType as E
from brygga.cases.presentation import case_deadlines, days_waited
from brygga.cases.rules import TRANSITIONS
from brygga.cases.worklist import Worklist
from brygga.core.actor import Actor
from brygga.demo.world import (
    CASES,
    MUNICIPALITIES,
    PERSONAS,
    SIP_CASES,
    STOCKHOLM,
    DemoAlreadyLoaded,
    DemoNotLoaded,
    DemoWorld,
    demo_world,
    load_demo_region,
)
from brygga.directory.identifiers import normalise_org_number, validate_hsa_id
from brygga.directory.models import (
    INPATIENT_CARE_TYPES,
    CareType,
    Commission,
    Organisation,
    OrganisationKind,
    Person,
    Role,
    Unit,
)
from brygga.patients.identity import IdentityKind, parse_identity
from brygga.patients.models import Patient

pytestmark = pytest.mark.django_db

SCB_CODES = {
    "0114", "0115", "0117", "0120", "0123", "0125", "0126", "0127", "0128", "0136", "0138",
    "0139", "0140", "0160", "0162", "0163", "0180", "0181", "0182", "0183", "0184", "0186",
    "0187", "0188", "0191", "0192",
}  # fmt: skip


@pytest.fixture
def today() -> dt.date:
    return timezone.localdate()


@pytest.fixture
def world(today: dt.date) -> DemoWorld:
    return load_demo_region(today=today, now=timezone.now())


def valid_commissions(name: str, world: DemoWorld, today: dt.date) -> set[tuple[str, str]]:
    return {
        (c.unit.name, c.role)
        for c in Commission.objects.valid(today)
        .filter(person=world.person(name))
        .select_related("unit")
    }


def test_every_org_number_and_hsa_id_is_valid(world: DemoWorld) -> None:
    for org in Organisation.objects.all():
        assert normalise_org_number(org.org_number) == org.org_number
    unit_ids = Unit.objects.values_list("hsa_id", flat=True)
    person_ids = Person.objects.values_list("hsa_id", flat=True)
    for hsa_id in [*unit_ids, *person_ids]:
        assert validate_hsa_id(hsa_id) == hsa_id
    # Units and people sit under their own organisation's number.
    for unit in Unit.objects.select_related("organisation"):
        assert unit.hsa_id.startswith(f"SE{unit.organisation.org_number}-")
    for commission in Commission.objects.select_related("person", "unit__organisation"):
        org_number = commission.person.hsa_id[2:12]
        assert Organisation.objects.filter(org_number=org_number).exists()
    assert Organisation.objects.get(org_number="2321000016").kind == OrganisationKind.REGION


def test_contact_details_are_fictional(world: DemoWorld) -> None:
    for unit in Unit.objects.all():
        assert unit.phone.startswith("08-465 004 ") and unit.fax.startswith("08-465 004 ")
        assert unit.functional_mailbox.endswith("@example.se")
    assert all(
        email.endswith("@example.se") for email in Person.objects.values_list("email", flat=True)
    )


def test_all_26_municipalities_each_with_a_usable_social_services_unit(
    world: DemoWorld, today: dt.date
) -> None:
    municipalities = Organisation.objects.filter(kind=OrganisationKind.MUNICIPALITY)
    assert set(municipalities.values_list("municipality_code", flat=True)) == SCB_CODES
    assert {code for code, _key, _name in MUNICIPALITIES} == SCB_CODES
    usable = Unit.objects.usable(today).filter(care_type=CareType.SOCIAL_SERVICES)
    for municipality in municipalities:
        units = usable.filter(
            organisation=municipality, municipality_code=municipality.municipality_code
        )
        assert units.exists(), municipality
    districts = set(usable.filter(municipality_code="0180").values_list("district", flat=True))
    assert {"Södermalm", "Kungsholmen", "Norrmalm", "Hässelby-Vällingby", "Farsta"} <= districts


def test_every_care_unit_has_a_user_with_a_valid_commission(
    world: DemoWorld, today: dt.date
) -> None:
    care_types = {
        *INPATIENT_CARE_TYPES,
        CareType.PRIMARY_CARE,
        CareType.OUTPATIENT_PSYCHIATRY,
        CareType.SOCIAL_SERVICES,
        CareType.MUNICIPAL_HEALTH_CARE,
    }
    staffed = set(
        Commission.objects.valid(today).filter(role=Role.USER).values_list("unit", flat=True)
    )
    for unit in Unit.objects.usable(today).filter(care_type__in=care_types):
        assert unit.pk in staffed, unit
    primary_care = Unit.objects.usable(today).filter(care_type=CareType.PRIMARY_CARE)
    assert primary_care.count() >= 10
    assert primary_care.filter(organisation__kind=OrganisationKind.PRIVATE).exists()
    without_ek_admin = world.organisation("roslagen")
    assert not without_ek_admin.has_own_ek_admin
    assert without_ek_admin.units.filter(care_type=CareType.PRIMARY_CARE).exists()


def test_every_patient_identity_parses_with_its_kind(world: DemoWorld, today: dt.date) -> None:
    for patient in Patient.objects.all():
        parsed = parse_identity(patient.identity_number, today=today)
        assert parsed.value == patient.identity_number
        assert parsed.kind == patient.identity_kind
        if parsed.is_person_number:
            assert parsed.is_official_test_number(), patient
    kinds = set(Patient.objects.values_list("identity_kind", flat=True))
    assert kinds == set(IdentityKind.values)
    assert Patient.objects.filter(identity_kind=IdentityKind.SAMORDNINGSNUMMER).count() >= 2
    assert Patient.objects.filter(identity_kind=IdentityKind.RESERVNUMMER_SLL).count() >= 2
    for person in Person.objects.all():
        assert person.personnummer
        staff_identity = parse_identity(person.personnummer, today=today)
        assert staff_identity.kind == IdentityKind.PERSONNUMMER
        assert staff_identity.is_official_test_number()


def test_one_protected_patient_whose_row_still_has_an_address(world: DemoWorld) -> None:
    protected = Patient.objects.get(protected_identity=True)
    assert protected.street_address and protected.postal_code
    assert protected.address_lines == []


def test_most_patients_are_listed_and_resident_in_the_county(world: DemoWorld) -> None:
    patients = Patient.objects.all()
    assert patients.count() >= 40
    assert patients.filter(listed_unit__care_type=CareType.PRIMARY_CARE).count() > 30
    for patient in patients.exclude(municipality_code=""):
        assert patient.municipality_code in SCB_CODES
        assert bool(patient.district) == (patient.municipality_code == "0180")


def test_every_state_has_a_case_and_the_case_rows_agree_with_their_times(
    world: DemoWorld,
) -> None:
    now = timezone.now()
    assert set(Case.objects.values_list("state", flat=True)) == set(CaseState.values)
    for case in Case.objects.filter(kind=CaseKind.STAY):
        steps = [case.admitted_at, case.ready_at, case.discharged_at, case.closed_at]
        present = [t for t in steps if t is not None]
        assert present == sorted(present) and present[-1] <= now, case.patient
        noticed = case.state != CaseState.ADMITTED
        assert (case.admission_notice_at is not None) == noticed, case.patient
        assert (case.expected_discharge_on is not None) == noticed, case.patient
        assert (case.ready_at is not None) == (
            case.state in (CaseState.READY, CaseState.DISCHARGED, CaseState.CLOSED)
        )
        assert (case.discharged_at is not None) == (
            case.state in (CaseState.DISCHARGED, CaseState.CLOSED)
        )
        assert (case.closed_at is not None) == (
            case.state in (CaseState.CLOSED, CaseState.CANCELLED)
        )
        assert bool(case.cancel_reason) == (case.state == CaseState.CANCELLED)
    sip_cases = Case.objects.filter(kind=CaseKind.SIP)
    assert set(sip_cases.values_list("state", flat=True)) == {CaseState.SIP_ONGOING}
    psychiatric = Case.objects.filter(care_kind="psychiatric")
    assert psychiatric.filter(compulsory_care=True).exists()
    assert psychiatric.filter(compulsory_care=False).exists()


def last_of(events: list[CaseEvent], event_type: str) -> CaseEvent | None:
    return next((e for e in reversed(events) if e.type == event_type), None)


def assert_cases_agree_with_their_events(now: dt.datetime) -> None:
    """Replays every case's events through the state machine and checks the case row."""
    for case in Case.objects.select_related("patient"):
        events = list(case.events.order_by("recorded_at", "pk"))
        live = [e for e in events if e.retracted_at is None]
        label = f"{case.patient.full_name} ({case.state})"
        assert events[0].type == E.CASE_OPENED, label
        assert [e.type for e in events].count(E.CASE_OPENED) == 1, label
        state = CaseState.ADMITTED if case.kind == CaseKind.STAY else CaseState.SIP_ONGOING
        changes = 0
        for event in events[1:]:
            transition = TRANSITIONS[E(event.type)]
            assert state in transition.states, f"{label}: {event.type} in {state}"
            if event.retracted_at is not None:
                assert transition.retractable and event.retraction_reason, label
            if transition.next_state is not None:
                state = transition.next_state
            changes += transition.changes_state
        assert state == case.state, label
        assert case.version == 1 + changes, label
        moments = [e.retracted_at or e.recorded_at for e in events]
        assert case.last_event_at == max(moments), label
        for event in events:
            assert case.admitted_at <= event.recorded_at <= now, label
            assert event.effective_at <= event.recorded_at, label
            for recipient in event.recipients.all():
                if recipient.acknowledged_at is not None:
                    assert event.recorded_at <= recipient.acknowledged_at <= now, label
                    assert recipient.acknowledged_by is not None, label
        last = functools.partial(last_of, live)
        admission = last(E.ADMISSION_NOTICE)
        assert case.admission_notice_at == (admission.effective_at if admission else None)
        ready, withdrawn = last(E.READY), last(E.READY_WITHDRAWN)
        if case.state == CaseState.READY:
            assert ready is not None, label
            assert withdrawn is None or withdrawn.recorded_at < ready.recorded_at, label
            assert case.ready_at == ready.effective_at, label
        discharge = last(E.DISCHARGE_NOTICE)
        if case.state in (CaseState.DISCHARGED, CaseState.CLOSED) and case.kind == CaseKind.STAY:
            assert discharge is not None and discharge.payload["destination"], label
            assert case.discharged_at == dt.datetime.fromisoformat(
                discharge.payload["discharged_at"]
            )
            assert case.destination == discharge.payload["destination"], label
        else:
            assert discharge is None, label
        if case.state == CaseState.CANCELLED:
            cancelled = last(E.CANCELLED)
            assert cancelled is not None, label
            assert cancelled.payload["reason"] == case.cancel_reason, label
        leaves = [e.type for e in live if e.type in (E.LEAVE_STARTED, E.LEAVE_ENDED)]
        assert case.on_leave == (bool(leaves) and leaves[-1] == E.LEAVE_STARTED), label
        if case.sip_called_at is not None:
            assert last(E.SIP_CALLED) is not None, label
        if last(E.SIP_HELD) is not None:
            assert last(E.SIP_CALLED) is not None, label
        contact = last(E.FAST_VARDKONTAKT)
        assert case.fast_vardkontakt_at == (contact.effective_at if contact else None), label


def test_every_cases_state_agrees_with_its_events(world: DemoWorld) -> None:
    assert_cases_agree_with_their_events(timezone.now())
    assert world.events == CaseEvent.objects.count() > 4 * Case.objects.count()


@pytest.mark.parametrize(
    "local_now",
    [
        dt.datetime(2026, 3, 30, 0, 20),  # just after midnight, the day after summer time began
        dt.datetime(2026, 6, 8, 7, 45),  # a Monday morning before the offices open
        dt.datetime(2026, 10, 25, 12, 0),  # a Sunday noon, the day summer time ended
    ],
)
def test_the_world_loads_consistently_at_any_time_of_day(local_now: dt.datetime) -> None:
    now = local_now.replace(tzinfo=STOCKHOLM)
    world = load_demo_region(today=now.date(), now=now)
    assert set(Case.objects.values_list("state", flat=True)) == set(CaseState.values)
    assert_cases_agree_with_their_events(now)
    assert world.counts()["cases"] == len(CASES) + len(SIP_CASES)


def test_notices_are_mostly_acknowledged_but_the_personas_have_new_ones(
    world: DemoWorld,
) -> None:
    recipients = NoticeRecipient.objects.all()
    unread = recipients.filter(acknowledged_at__isnull=True)
    assert unread.count() * 5 < recipients.count()
    for name in ("anna", "maria", "karin"):
        commission = world.commissions_of(name)[0]
        actor = Actor(person=commission.person, commission=commission)
        worklist = Worklist.for_actor(actor, now=timezone.now())
        assert worklist.notices, f"{name} has no new notices"
    # Units acknowledge as their own users, never as somebody else's.
    staff = set(Commission.objects.values_list("person_id", "unit_id"))
    read = recipients.exclude(acknowledged_by=None)
    assert set(read.values_list("acknowledged_by_id", "unit_id")) <= staff


def test_the_special_events_are_there(world: DemoWorld) -> None:
    retracted = CaseEvent.objects.exclude(retracted_at=None)
    assert retracted.exists() and all(e.retraction_reason for e in retracted)
    rejected = CaseEvent.objects.get(type=E.REJECTED)
    assert rejected.author_unit == world.unit("soc_sundbyberg")
    assert rejected.payload["correct_municipality_code"] == "0184"
    rolf = rejected.case
    assert rolf.parties.get(unit=world.unit("soc_sundbyberg")).left_reason == "rejected"
    assert rolf.parties.get(unit=world.unit("soc_solna")).active
    # The right municipality received the notices sent before it joined.
    assert NoticeRecipient.objects.filter(
        event__case=rolf, event__type=E.ADMISSION_NOTICE, unit=world.unit("soc_solna")
    ).exists()
    transferred = CaseEvent.objects.get(type=E.TRANSFERRED)
    moved = transferred.case
    assert moved.parties.get(unit=transferred.author_unit).left_reason == "transferred"
    assert moved.parties.get(unit_id=transferred.payload["to_unit_id"]).active
    assert Case.objects.filter(on_leave=True).exists()
    assert CaseEvent.objects.filter(type=E.READY_WITHDRAWN).exists()
    assert CaseEvent.objects.filter(type=E.EXPECTED_DATE_CHANGED).exists()
    assert CaseEvent.objects.filter(type=E.SIP_HELD).exists()
    assert CaseEvent.objects.exclude(effective_at=F("recorded_at")).exists()  # faxed notice


def test_two_sip_cases_one_with_a_sip_held(world: DemoWorld) -> None:
    sip_cases = Case.objects.filter(kind=CaseKind.SIP)
    starters = {case.events.get(type=E.CASE_OPENED).author_unit_id for case in sip_cases}
    assert starters == {world.unit("vc_solna").pk, world.unit("soc_solna").pk}
    held = CaseEvent.objects.filter(case__in=sip_cases, type=E.SIP_HELD)
    assert held.count() == 1 and held.get().payload["plan_summary"]
    assert not sip_cases.filter(parties__role=PartyRole.INPATIENT).exists()


def test_the_deadlines_show_met_missed_and_overdue(world: DemoWorld) -> None:
    now = timezone.now()
    statuses: dict[str, set[tuple[str, str]]] = {}
    for case in Case.objects.filter(kind=CaseKind.STAY).select_related("patient"):
        dates = case.events.filter(type=E.EXPECTED_DATE_CHANGED)
        for deadline in case_deadlines(case, dates, now=now):
            statuses.setdefault(deadline.id, set()).add((case.patient.given_name, deadline.status))
    d1 = statuses[DeadlineId.D1]
    assert len({name for name, status in d1 if status == DeadlineStatus.MISSED}) >= 2
    assert ("Kjell", DeadlineStatus.OVERDUE) in d1
    assert DeadlineStatus.MET in {status for _name, status in d1}
    assert ("Sven", DeadlineStatus.OVERDUE) in statuses[DeadlineId.D2]
    assert any(status == DeadlineStatus.MET for _name, status in statuses[DeadlineId.D2])
    assert ("Arne", DeadlineStatus.MISSED) in statuses[DeadlineId.D5]


def test_every_case_has_its_parties(world: DemoWorld) -> None:
    for case in Case.objects.select_related("patient"):
        active = list(case.parties.filter(active=True).select_related("unit"))
        inpatient = [p for p in active if p.role == PartyRole.INPATIENT]
        if case.kind == CaseKind.STAY:
            assert len(inpatient) == 1 and inpatient[0].unit.care_type in INPATIENT_CARE_TYPES
        else:
            assert not inpatient
        units = {p.unit_id for p in active}
        if case.patient.listed_unit_id:
            assert case.patient.listed_unit_id in units
        if case.patient.municipality_code:
            social = [p for p in active if p.unit.care_type == CareType.SOCIAL_SERVICES]
            assert len(social) == 1, case.patient
            assert social[0].unit.municipality_code == case.patient.municipality_code
            assert social[0].unit.district == case.patient.district
        for party in case.parties.all():
            assert party.joined_at >= case.admitted_at
            assert party.active == (party.left_at is None) == (party.left_reason == "")
    former = CaseParty.objects.filter(active=False)
    assert set(former.values_list("left_reason", flat=True)) == {"rejected", "transferred"}
    assert former.filter(role=PartyRole.MUNICIPALITY).exists()


def test_every_case_was_written_through_the_actions(world: DemoWorld) -> None:
    """Each case has its opening in the access log, by a user of the unit that opened it."""
    for case in Case.objects.all():
        opened = case.events.select_related("author_unit").get(type=E.CASE_OPENED)
        assert opened.author_unit is not None
        entry = AuditEntry.objects.get(
            event_type=AuditEventType.CASE_OPENED, object_id=str(case.pk)
        )
        assert entry.patient_id == case.patient_id
        assert entry.actor_person_id == opened.author_id
        assert entry.actor_unit_hsa_id == opened.author_unit.hsa_id
    changes = AuditEntry.objects.filter(event_type=AuditEventType.CASE_CHANGED)
    assert changes.count() >= CaseEvent.objects.exclude(type=E.CASE_OPENED).count()


def test_annas_ward_has_every_state_of_a_stay_and_shared_cases(world: DemoWorld) -> None:
    ward = world.unit("ks_solna_g61")
    cases = Case.objects.filter(parties__unit=ward, parties__active=True)
    assert set(cases.values_list("state", flat=True)) == set(CaseState.values) - {
        CaseState.SIP_ONGOING
    }
    for partner in ("vc_solna", "soc_solna"):
        shared = cases.filter(parties__unit=world.unit(partner), parties__active=True)
        assert shared.distinct().count() >= 2
    assert cases.exclude(patient__municipality_code="0184").exists()
    assert cases.filter(patient__protected_identity=True).exists()
    assert Case.objects.exclude(parties__unit=ward).exists()
    # Utskrivningsklara waiting several days, declared both before and after noon.
    ready = cases.filter(state=CaseState.READY)
    now = timezone.now()
    waited = [days_waited(case, now=now) or 0 for case in ready]
    assert len(waited) >= 3 and max(waited) >= 3
    hours = {timezone.localtime(case.ready_at).hour for case in ready if case.ready_at}
    assert min(hours) < 12 <= max(hours)


def test_the_personas_have_the_documented_commissions(world: DemoWorld, today: dt.date) -> None:
    for name, hsa_id in PERSONAS.items():
        assert world.person(name).hsa_id == hsa_id
    g61 = "Karolinska Solna, Geriatrisk avdelning G61"
    assert valid_commissions("anna", world, today) == {(g61, Role.USER)}
    erik = valid_commissions("erik", world, today)
    assert len(erik) == 2 and {role for _unit, role in erik} == {Role.USER}
    assert valid_commissions("maria", world, today) == {("Vårdcentral Solna Centrum", Role.USER)}
    assert valid_commissions("karin", world, today) == {
        ("Solna stad, Socialtjänsten – biståndshandläggning", Role.USER)
    }
    assert valid_commissions("lars", world, today) == {(g61, Role.MANAGER)}
    assert {role for _u, role in valid_commissions("sofia", world, today)} == {Role.EK_ADMIN}
    assert world.commissions_of("sofia")[0].unit.organisation == world.organisation("region")
    assert {role for _u, role in valid_commissions("per", world, today)} == {Role.EK_ADMIN}
    assert world.commissions_of("per")[0].unit.organisation == world.organisation("solna")
    assert {role for _u, role in valid_commissions("eva", world, today)} == {Role.CENTRAL_ADMIN}
    assert {role for _u, role in valid_commissions("olle", world, today)} == {Role.INVOICING}
    assert valid_commissions("gustav", world, today) == set()
    gustav = Commission.objects.get(person=world.person("gustav"))
    assert gustav.unit == world.unit("ks_solna_g61")
    assert gustav.valid_to is not None and gustav.valid_to < today.replace(day=1)
    nils = valid_commissions("nils", world, today)
    assert {role for _u, role in nils} == {Role.USER, Role.EK_ADMIN} and (g61, Role.USER) in nils
    # The tests elsewhere rely on these exact numbers of commissions.
    assert len(world.commissions_of("anna")) == len(world.commissions_of("lars")) == 1
    assert len(world.commissions_of("erik")) == 2


def test_loading_twice_raises_and_one_audit_entry_is_written(
    world: DemoWorld, today: dt.date
) -> None:
    with pytest.raises(DemoAlreadyLoaded):
        load_demo_region(today=today, now=timezone.now())
    entry = AuditEntry.objects.get(event_type=AuditEventType.ORGANISATION_CREATED)
    assert entry.actor_label == "system:load_demo"
    assert entry.details == {"what": "demoregion", **world.counts()}


def test_demo_world_rebuilds_the_same_handles(world: DemoWorld) -> None:
    rebuilt = demo_world()
    assert rebuilt.counts() == world.counts()
    assert {k: v.pk for k, v in rebuilt.units.items()} == {k: v.pk for k, v in world.units.items()}
    assert {k: v.pk for k, v in rebuilt.persons.items()} == {
        k: v.pk for k, v in world.persons.items()
    }
    assert [c.pk for c in rebuilt.cases] == [c.pk for c in world.cases]
    assert rebuilt.case("astrid").patient == world.patient("astrid")


def test_demo_world_without_a_loaded_region_says_so() -> None:
    with pytest.raises(DemoNotLoaded):
        demo_world()


def test_the_command_loads_once_and_then_only_says_so() -> None:
    out = StringIO()
    call_command("load_demo", stdout=out)
    assert out.getvalue().strip().splitlines()[-1].startswith("Demoregionen laddad: 29 organis")
    again = StringIO()
    call_command("load_demo", stdout=again)
    assert again.getvalue().strip() == "Demoregionen finns redan i databasen – inget att göra."
    assert Organisation.objects.filter(org_number="2321000016").count() == 1


@pytest.mark.parametrize("environment", ["test", "production"])
def test_reset_is_refused_with_an_explanation(environment: str, settings: object) -> None:
    settings.ENVIRONMENT = environment  # type: ignore[attr-defined]
    with pytest.raises(CommandError) as error:
        call_command("load_demo", "--reset")
    if environment == "production":
        assert "inte tillåtet" in str(error.value)
    else:
        assert "åtkomstloggen" in str(error.value) and "migrate" in str(error.value)
