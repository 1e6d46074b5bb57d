"""Per-trainee material on top of the demo region: accounts, patients, cases and exercises.

Each trainee ("Kursdeltagare 1" … "Kursdeltagare N") gets a commission at a ward, a
vårdcentral and the social services of one municipality (a *training site*; trainees are
spread over three sites), and patients of their own, so that trainees in one classroom never
work in each other's cases:

- patient A: admitted a few hours ago, the case opened by a colleague, no admission notice;
- patient B: planning in progress; the social services have not acknowledged the notices;
- patient C: utskrivningsklar since yesterday, SIP needed, not yet called;
- patient D: not in Brygga yet; the trainee registers them (a test personnummer).

Everything is written through the actions (directory, patients, cases) with ``now`` set in
the past, exactly as the demo region is, so timelines, notices and the access log are
consistent. The exercises (``exercises.EXERCISES``) start at ``now``.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterator
from dataclasses import dataclass

from django.db.models import Q

from brygga.cases import actions as case_actions
from brygga.cases import payloads as p
from brygga.cases.models import CareKind, Case
from brygga.cases.models import CaseEventType as E
from brygga.cases.routing import propose_recipients
from brygga.core.actor import Actor
from brygga.demo.world import (
    MUNICIPALITIES,
    PLANNING_EXAMPLES,
    REGION_ORG_NUMBER,
    DemoWorld,
    make_test_personnummer,
)
from brygga.directory import actions as directory_actions
from brygga.directory.models import Commission, Person, Role, Unit
from brygga.patients.actions import register_patient
from brygga.patients.identity import IdentityKind, PatientIdentity
from brygga.patients.models import Patient

from .exercises import ExerciseKind
from .models import Exercise

DEFAULT_TRAINEES = 12
MAX_TRAINEES = 60
TRAINEE_GIVEN_NAME = "Kursdeltagare"
TRAINEE_TITLE = "Kursdeltagare"
COURSE_LEADER_HSA_ID = f"SE{REGION_ORG_NUMBER}-K0000"


def trainee_hsa_id(number: int) -> str:
    return f"SE{REGION_ORG_NUMBER}-K{number:04d}"


def trainees() -> list[Person]:
    """The trainee accounts of the current scenario, in number order."""
    people = Person.objects.filter(trainee_filter())
    return sorted(people, key=lambda person: person.hsa_id)


def trainee_filter() -> Q:
    return Q(hsa_id__startswith=f"SE{REGION_ORG_NUMBER}-K", title=TRAINEE_TITLE)


@dataclass(frozen=True)
class TrainingSite:
    ward: str  # unit keys in the demo region
    primary_care: str
    municipality: str  # municipality key; its social services unit is soc_<key>
    city: str
    postal_code: str
    streets: tuple[str, ...]

    @property
    def social_services(self) -> str:
        return f"soc_{self.municipality}"


SITES: tuple[TrainingSite, ...] = (
    TrainingSite("ks_solna_i73", "vc_sundbyberg", "sundbyberg", "Sundbyberg", "172 66",
                 ("Landsvägen", "Sturegatan", "Järnvägsgatan", "Vegagatan")),
    TrainingSite("ks_huddinge_o41", "vc_flemingsberg", "huddinge", "Huddinge", "141 47",
                 ("Sjödalsvägen", "Kommunalvägen", "Storängsvägen", "Häradsvägen")),
    TrainingSite("ds_16", "vc_taby", "taby", "Täby", "183 30",
                 ("Bergtorpsvägen", "Attundavägen", "Viggbyvägen", "Näsbyvägen")),
)  # fmt: skip
_MUNICIPALITY = {key: (code, name) for code, key, name in MUNICIPALITIES}

_FEMALE = (
    "Agda", "Berit", "Dagny", "Ester", "Gunvor", "Hjördis", "Ingeborg", "Karin", "Lilly",
    "Märta", "Ruth", "Signe", "Svea", "Viola", "Ann-Marie", "Britt",
)  # fmt: skip
_MALE = (
    "Allan", "Bengt-Åke", "Curt", "Egon", "Folke", "Gösta", "Helge", "Ingvar", "Josef",
    "Kurt", "Lennart", "Nils-Erik", "Rune", "Sixten", "Torsten", "Valter",
)  # fmt: skip
_FAMILY = (
    "Lundmark", "Ekholm", "Rosén", "Wester", "Borg", "Hägg", "Sandin", "Almqvist", "Ljung",
    "Kvist", "Dahl", "Norén", "Grahn", "Ek", "Strömberg", "Berglöf", "Hellgren", "Tornberg",
    "Mård", "Frisk",
)  # fmt: skip


class _Numbers:
    """Test personnummer that nobody in the database has yet."""

    def __init__(self) -> None:
        self.taken = set(Patient.objects.values_list("identity_number", flat=True))
        self.taken |= {
            number
            for number in Person.objects.values_list("personnummer", flat=True)
            if number is not None
        }

    def take(self, born: dt.date, *, female: bool) -> str:
        for number in range(980 if female else 981, 1000, 2):
            candidate = make_test_personnummer(born, number)
            if candidate not in self.taken:
                self.taken.add(candidate)
                return candidate
        raise ValueError(f"No test birth number left for {born}")  # pragma: no cover


@dataclass
class _PatientPlan:
    given_name: str
    family_name: str
    identity: str
    street: str


class _Names:
    def __init__(self) -> None:
        self.used = {
            (given, family)
            for given, family in Patient.objects.values_list("given_name", "family_name")
        }
        self.counter = itertools.count()

    def next(self, *, female: bool) -> tuple[str, str]:
        for index in self.counter:
            pool = _FEMALE if female else _MALE
            name = (pool[(index * 5) % len(pool)], _FAMILY[(index * 7 + 3) % len(_FAMILY)])
            if name not in self.used:
                self.used.add(name)
                return name
        raise AssertionError("unreachable")  # pragma: no cover


def _user_at(world: DemoWorld, unit_key: str) -> Actor:
    """A colleague of the trainee: the unit's first user in the demo region."""
    unit = world.unit(unit_key)
    commission = (
        Commission.objects.filter(unit=unit, role=Role.USER, valid_to__isnull=True)
        .exclude(person__title=TRAINEE_TITLE)
        .select_related("person", "unit")
        .order_by("pk")
        .first()
    )
    assert commission is not None, f"the demo region has no user at {unit_key}"
    return Actor(person=commission.person, commission=commission)


@dataclass(frozen=True)
class TraineeMaterial:
    trainees: int
    patients: int
    cases: int
    exercises: int


def load_trainees(
    world: DemoWorld, *, count: int, today: dt.date, now: dt.datetime
) -> TraineeMaterial:
    """Write ``count`` trainees with their patients, cases and exercises (see the module)."""
    if not 1 <= count <= MAX_TRAINEES:
        raise ValueError(f"between 1 and {MAX_TRAINEES} trainees")
    central = world.commissions_of("eva", Role.CENTRAL_ADMIN)[0]
    admin = Actor(person=central.person, commission=central)
    numbers, names = _Numbers(), _Names()
    _course_leader(admin, world, numbers, today=today)
    patients = cases = exercises = 0
    for number in range(1, count + 1):
        site = SITES[(number - 1) % len(SITES)]
        trainee = _trainee(admin, world, site, number, numbers, today=today)
        plans = list(_plan_patients(site, number, numbers, names))
        made = _write_cases(world, site, plans[:3], now=now, today=today)
        patients += len(made)
        cases += len(made)
        exercises += _write_exercises(world, site, trainee, plans, now=now)
    return TraineeMaterial(trainees=count, patients=patients, cases=cases, exercises=exercises)


def _course_leader(admin: Actor, world: DemoWorld, numbers: _Numbers, *, today: dt.date) -> Person:
    """The training administrator: central administration, so may reset the environment."""
    person = directory_actions.create_person(
        actor=admin,
        hsa_id=COURSE_LEADER_HSA_ID,
        given_name="Kursledare",
        family_name="Brygga",
        title="Kursledare",
        email="kursledare@example.se",
        personnummer=numbers.take(dt.date(1980, 5, 5), female=True),
        today=today,
    )
    directory_actions.create_commission(
        actor=admin,
        person=person,
        unit=world.unit("central_admin"),
        role=Role.CENTRAL_ADMIN,
        valid_from=today,
        purpose="Administration",
    )
    return person


def _trainee(
    admin: Actor,
    world: DemoWorld,
    site: TrainingSite,
    number: int,
    numbers: _Numbers,
    *,
    today: dt.date,
) -> Person:
    born = dt.date(1985 + number % 15, 1 + number % 12, 1 + number % 28)
    person = directory_actions.create_person(
        actor=admin,
        hsa_id=trainee_hsa_id(number),
        given_name=TRAINEE_GIVEN_NAME,
        family_name=str(number),
        title=TRAINEE_TITLE,
        email=f"kursdeltagare.{number}@example.se",
        personnummer=numbers.take(born, female=number % 2 == 0),
        today=today,
    )
    for key in (site.ward, site.primary_care, site.social_services):
        directory_actions.create_commission(
            actor=admin, person=person, unit=world.unit(key), role=Role.USER, valid_from=today
        )
    return person


def _plan_patients(
    site: TrainingSite, number: int, numbers: _Numbers, names: _Names
) -> Iterator[_PatientPlan]:
    for slot in range(4):
        female = (number + slot) % 2 == 0
        given, family = names.next(female=female)
        born = dt.date(1930 + (number * 3 + slot * 5) % 20, 1 + (number + slot * 4) % 12,
                       1 + (number * 7 + slot) % 28)  # fmt: skip
        street = f"{site.streets[slot]} {number * 2 + slot + 1}"
        yield _PatientPlan(given, family, numbers.take(born, female=female), street)


def _register(world: DemoWorld, site: TrainingSite, plan: _PatientPlan) -> Patient:
    code, _name = _MUNICIPALITY[site.municipality]
    return register_patient(
        actor=Actor.system("training_reset"),
        identity=PatientIdentity(plan.identity, IdentityKind.PERSONNUMMER),
        given_name=plan.given_name,
        family_name=plan.family_name,
        street_address=plan.street,
        postal_code=site.postal_code,
        city=site.city,
        municipality_code=code,
        listed_unit=world.unit(site.primary_care),
    )


_DOCTOR = "Vilma Rask, överläkare"  # fictional


def _hours(hours: float) -> dt.timedelta:
    return dt.timedelta(hours=hours)


def _write_cases(
    world: DemoWorld,
    site: TrainingSite,
    plans: list[_PatientPlan],
    *,
    now: dt.datetime,
    today: dt.date,
) -> list[Case]:
    ward = _user_at(world, site.ward)
    primary = _user_at(world, site.primary_care)
    social = _user_at(world, site.social_services)
    now = now.replace(second=0, microsecond=0)
    made = []
    for slot, plan in enumerate(plans):
        patient = _register(world, site, plan)
        admitted = now - _hours((3, 74, 150)[slot])
        case = case_actions.open_case(
            actor=ward,
            patient=patient,
            care_kind=CareKind.SOMATIC,
            compulsory_care=False,
            admitted_at=admitted,
            assessed_at=admitted + _hours(1),
            recipients=propose_recipients(patient, on=today),
            now=admitted + _hours(1.5),
        )
        made.append(case)
        if slot == 0:  # A: the admission notice is the trainee's exercise
            continue
        notice_at = admitted + _hours(3)
        case_actions.record_event(
            actor=ward,
            case=case,
            event_type=E.ADMISSION_NOTICE,
            payload=p.AdmissionNotice(today + dt.timedelta(days=2 if slot == 1 else 0)),
            text="Inlagd efter fall i hemmet. Bedöms behöva stöd efter utskrivningen.",
            now=notice_at,
        )
        case_actions.record_event(
            actor=ward,
            case=case,
            event_type=E.PLANNING_INFORMATION,
            payload=PLANNING_EXAMPLES[slot % len(PLANNING_EXAMPLES)],
            now=notice_at + _hours(24),
        )
        case_actions.acknowledge_all(actor=primary, case=case, now=notice_at + _hours(26))
        if slot == 1:  # B: the social services have not read the notices yet
            continue
        case_actions.acknowledge_all(actor=social, case=case, now=notice_at + _hours(27))
        decided = now - _hours(22)
        case_actions.record_event(
            actor=ward,
            case=case,
            event_type=E.READY,
            payload=p.Ready(
                doctor=_DOCTOR,
                decided_at=decided,
                sip_needed=True,
            ),
            now=decided + _hours(1),
        )
        case_actions.acknowledge_all(actor=social, case=case, now=decided + _hours(3))
        case_actions.acknowledge_all(actor=primary, case=case, now=decided + _hours(4))
    return made


def _write_exercises(
    world: DemoWorld,
    site: TrainingSite,
    trainee: Person,
    plans: list[_PatientPlan],
    *,
    now: dt.datetime,
) -> int:
    a, b, c, d = plans
    code, municipality = _MUNICIPALITY[site.municipality]
    ward, primary = world.unit(site.ward), world.unit(site.primary_care)
    social = world.unit(site.social_services)
    register_details = {
        "address": f"{d.street}, {site.postal_code} {site.city}",
        "municipality": municipality,
        "municipality_code": code,
        "listed": primary.name,
    }
    assignments: list[tuple[ExerciseKind, Unit, _PatientPlan, dict[str, str]]] = [
        (ExerciseKind.REGISTER_AND_OPEN, ward, d, register_details),
        (ExerciseKind.ADMISSION_NOTICE, ward, a, {}),
        (ExerciseKind.READY, ward, b, {}),
        (ExerciseKind.DISCHARGE, ward, c, {}),
        (ExerciseKind.FAST_VARDKONTAKT, primary, b, {}),
        (ExerciseKind.SIP_CALLED, primary, c, {}),
        (ExerciseKind.ACKNOWLEDGE, social, b, {}),
        (ExerciseKind.MESSAGE, social, c, {}),
    ]
    Exercise.objects.bulk_create(
        Exercise(
            trainee=trainee,
            kind=kind,
            position=position,
            unit=unit,
            patient_identity=plan.identity,
            patient_name=f"{plan.given_name} {plan.family_name}",
            details=details,
            assigned_at=now,
        )
        for position, (kind, unit, plan, details) in enumerate(assignments, start=1)
    )
    return len(assignments)
