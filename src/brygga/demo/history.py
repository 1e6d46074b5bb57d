"""A year of finished stays for the demo region, so follow-up and invoicing show figures.

The demo's own cases show every state as of today; statistics and the monthly invoicing
basis need volume behind them: a few hundred stays that ended over the past year, spread
over the wards and municipalities, with days as utskrivningsklar drawn from a skewed
distribution. They are recorded through the case actions like everything else, each step
at its own past time, and use Skatteverket's test personnummer only.

Loaded by ``manage.py load_demo`` (not by the test fixture, which needs no history).
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable

from brygga.cases import payloads as p
from brygga.cases.actions import acknowledge_all, open_case, record_event
from brygga.cases.models import CareKind, Destination
from brygga.cases.models import CaseEventType as E
from brygga.core.actor import Actor
from brygga.directory.models import CareType, Role, Unit
from brygga.patients.actions import register_patient
from brygga.patients.identity import parse_identity
from brygga.patients.models import Patient

from .world import DemoWorld, make_test_personnummer

STAYS = 360
SEED = 2017612  # the law's number: the same history every time
GIVEN = ("Astrid", "Bertil", "Dagny", "Einar", "Gunnel", "Holger", "Inga", "Sven", "Ulla", "Åke")
FAMILY = ("Andersson", "Berglund", "Ekström", "Holm", "Lund", "Nyberg", "Sjöberg", "Wikström")
DESTINATIONS = (
    (Destination.HOME, 6),
    (Destination.SPECIAL_HOUSING, 2),
    (Destination.SHORT_TERM, 2),
    (Destination.DECEASED, 1),
)


def _actor_for(world: DemoWorld, unit: Unit) -> Actor:
    commission = next(
        c
        for c in world.commissions
        if c.unit_id == unit.pk and c.role == Role.USER and c.valid_to is None
    )
    return Actor(person=commission.person, commission=commission)


def _days_ready(rng: random.Random, psychiatric: bool) -> int:
    """Most patients leave within a day or two; a long tail waits for a place."""
    days = int(rng.expovariate(1 / (4.5 if psychiatric else 2.2)))
    return min(days, 40)


def load_history(
    world: DemoWorld,
    *,
    today: dt.date,
    now: dt.datetime,
    stays: int = STAYS,
    progress: Callable[[str], None] | None = None,
) -> int:
    rng = random.Random(SEED)
    wards = [
        u
        for u in world.units.values()
        if u.care_type in (CareType.INPATIENT_SOMATIC, CareType.INPATIENT_PSYCHIATRIC)
        and any(c.unit_id == u.pk and c.role == Role.USER for c in world.commissions)
    ]
    social = [
        u
        for u in world.units.values()
        if u.care_type == CareType.SOCIAL_SERVICES
        and any(c.unit_id == u.pk and c.role == Role.USER for c in world.commissions)
    ]
    primary = [u for u in world.units.values() if u.care_type == CareType.PRIMARY_CARE]
    taken = set(Patient.objects.values_list("identity_number", flat=True))
    written = 0
    for number in range(stays):
        ward = wards[number % len(wards)]
        municipality = rng.choice(social)
        psychiatric = ward.care_type == CareType.INPATIENT_PSYCHIATRIC
        while True:
            born = dt.date(rng.randint(1925, 1955), rng.randint(1, 12), rng.randint(1, 28))
            identity = make_test_personnummer(born, rng.randint(980, 999))
            if identity not in taken:
                taken.add(identity)
                break
        admitted = now - dt.timedelta(days=rng.randint(12, 370), hours=rng.randint(0, 23))
        ready_after = dt.timedelta(days=rng.randint(1, 12 if psychiatric else 8), hours=3)
        ready = admitted + ready_after
        waited = _days_ready(rng, psychiatric)
        discharged = ready + dt.timedelta(days=waited, hours=rng.randint(1, 6))
        if discharged >= now - dt.timedelta(days=2):
            continue
        actor = _actor_for(world, ward)
        patient = register_patient(
            actor=actor,
            identity=parse_identity(identity, today=today),
            given_name=rng.choice(GIVEN),
            family_name=rng.choice(FAMILY),
            street_address=f"Historikvägen {number + 1}",
            postal_code="11120",
            city="Stockholm",
            municipality_code=municipality.municipality_code,
            district=municipality.district,
            listed_unit=rng.choice(primary) if primary else None,
        )
        case = open_case(
            actor=actor,
            patient=patient,
            care_kind=CareKind.PSYCHIATRIC if psychiatric else CareKind.SOMATIC,
            compulsory_care=psychiatric and rng.random() < 0.3,
            admitted_at=admitted,
            assessed_at=None,
            recipients=[municipality],
            now=admitted + dt.timedelta(hours=1),
        )
        notice_at = admitted + dt.timedelta(hours=rng.choice((2, 5, 20, 30)))
        record_event(
            actor=actor,
            case=case,
            event_type=E.ADMISSION_NOTICE,
            payload=p.AdmissionNotice((ready + dt.timedelta(days=1)).date()),
            now=notice_at,
        )
        reader = _actor_for(world, municipality)
        acknowledge_all(actor=reader, case=case, now=notice_at + dt.timedelta(hours=3))
        record_event(
            actor=actor,
            case=case,
            event_type=E.READY,
            payload=p.Ready(
                doctor="Överläkare i demoregionen",
                decided_at=ready - dt.timedelta(hours=1),
                sip_needed=False,
            ),
            now=ready,
        )
        destination = rng.choices(
            [d for d, _ in DESTINATIONS], weights=[w for _, w in DESTINATIONS]
        )[0]
        record_event(
            actor=actor,
            case=case,
            event_type=E.DISCHARGE_NOTICE,
            payload=p.DischargeNotice(discharged_at=discharged, destination=destination),
            now=discharged,
        )
        acknowledge_all(actor=reader, case=case, now=discharged + dt.timedelta(hours=2))
        record_event(
            actor=actor,
            case=case,
            event_type=E.CLOSED,
            payload=p.Empty(),
            now=discharged + dt.timedelta(days=1),
        )
        written += 1
        if progress is not None and written % 100 == 0:
            progress(f"{written} avslutade vårdtillfällen …")
    return written
