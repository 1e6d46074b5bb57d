"""The demo region: valid identifiers, complete coverage, and the personas as documented."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from brygga.audit.events import AuditEventType
from brygga.audit.models import AuditEntry
from brygga.cases.models import OPEN_STATES, Case, CaseParty, CaseState, PartyRole
from brygga.demo.world import (
    MUNICIPALITIES,
    PERSONAS,
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


def test_every_state_has_a_case_and_times_are_consistent(world: DemoWorld) -> None:
    now = timezone.now()
    assert set(Case.objects.values_list("state", flat=True)) == set(CaseState.values)
    for case in Case.objects.all():
        steps = [case.admitted_at, case.ready_at, case.discharged_at, case.closed_at]
        present = [t for t in steps if t is not None]
        assert present == sorted(present) and present[-1] <= now
        assert case.expected_discharge_on is not None
        assert (case.ready_at is not None) == (
            case.state in (CaseState.READY, CaseState.DISCHARGED, CaseState.CLOSED)
        )
        assert (case.discharged_at is not None) == (
            case.state in (CaseState.DISCHARGED, CaseState.CLOSED)
        )
        assert (case.closed_at is not None) == (
            case.state in (CaseState.CLOSED, CaseState.CANCELLED)
        )
    psychiatric = Case.objects.filter(care_kind="psychiatric")
    assert psychiatric.filter(compulsory_care=True).exists()
    assert psychiatric.filter(compulsory_care=False).exists()


def test_every_case_has_its_parties(world: DemoWorld) -> None:
    for case in Case.objects.select_related("patient"):
        active = list(case.parties.filter(active=True).select_related("unit"))
        inpatient = [p for p in active if p.role == PartyRole.INPATIENT]
        assert len(inpatient) == 1 and inpatient[0].unit.care_type in INPATIENT_CARE_TYPES
        units = {p.unit_id for p in active}
        if case.patient.listed_unit_id:
            assert case.patient.listed_unit_id in units
        if case.patient.municipality_code:
            municipal = [p for p in active if p.role == PartyRole.MUNICIPALITY]
            assert len(municipal) == 1
            assert municipal[0].unit.municipality_code == case.patient.municipality_code
            assert municipal[0].unit.district == case.patient.district
        for party in case.parties.all():
            assert party.joined_at >= case.admitted_at
            assert party.active == (party.left_at is None)
    former = CaseParty.objects.filter(active=False, role=PartyRole.MUNICIPALITY)
    assert former.exists()


def test_annas_ward_has_every_open_state_and_shared_cases(world: DemoWorld) -> None:
    ward = world.unit("ks_solna_g61")
    cases = Case.objects.filter(parties__unit=ward, parties__active=True)
    assert set(cases.values_list("state", flat=True)) >= OPEN_STATES
    for partner in ("vc_solna", "soc_solna"):
        shared = cases.filter(parties__unit=world.unit(partner), parties__active=True)
        assert shared.distinct().count() >= 2
    assert cases.exclude(patient__municipality_code="0184").exists()
    assert cases.filter(patient__protected_identity=True).exists()
    assert Case.objects.exclude(parties__unit=ward).exists()


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
