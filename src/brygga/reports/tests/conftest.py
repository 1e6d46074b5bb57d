"""A small named world for the follow-up tests, built through the case actions.

Region Stockholm runs Karolinska Solna (site) with Avdelning 12 and Avdelning 14, and a
psychiatric ward; Södersjukhuset's Avdelning 34 has no site unit above it (it is counted
under its organisation). Solna 0184 and Sundbyberg 0183 have social-services units; Solna
also home health care (hemsjukvård), a second municipal party in some cases. Managers:
Mona at Solna social services (her municipality only), Rita in the region (everything).

`stay(...)` records one inpatient stay event by event with the actions, each at its own
time, for a new patient — as the users would have.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import pytest

from brygga.cases import payloads as p
from brygga.cases.actions import open_case, record_event
from brygga.cases.models import CareKind, Case, Destination
from brygga.cases.models import CaseEventType as E
from brygga.core.actor import Actor
from brygga.demo.world import make_test_personnummer
from brygga.directory.models import (
    CareType,
    Commission,
    Organisation,
    OrganisationKind,
    Person,
    Role,
    Unit,
)
from brygga.patients.identity import IdentityKind
from brygga.patients.models import Patient

STOCKHOLM = ZoneInfo("Europe/Stockholm")
START = dt.date(2018, 1, 1)


def local(text: str) -> dt.datetime:
    """'2025-03-05 15:00' Swedish time, aware."""
    return dt.datetime.fromisoformat(text).replace(tzinfo=STOCKHOLM)


@dataclass
class World:
    region: Organisation
    solna: Organisation
    sundbyberg: Organisation
    site: Unit
    ward: Unit
    ward14: Unit
    sos34: Unit
    psych: Unit
    vardcentral: Unit
    solna_social: Unit
    solna_hsl: Unit
    sundbyberg_social: Unit
    actors: dict[str, Actor]

    def actor(self, name: str) -> Actor:
        return self.actors[name]


def _unit(
    hsa: str,
    name: str,
    org: Organisation,
    care_type: str,
    code: str = "",
    parent: Unit | None = None,
) -> Unit:
    return Unit.objects.create(
        hsa_id=hsa,
        name=name,
        organisation=org,
        care_type=care_type,
        municipality_code=code,
        parent=parent,
        valid_from=START,
    )


def _actor(hsa: str, name: str, unit: Unit, role: str = Role.USER) -> Actor:
    given, family = name.split()
    person = Person(hsa_id=hsa, given_name=given, family_name=family)
    person.set_unusable_password()
    person.save()
    commission = Commission.objects.create(person=person, unit=unit, role=role, valid_from=START)
    return Actor(person=person, commission=commission)


@pytest.fixture
def world(db: None) -> World:
    region = Organisation.objects.create(
        name="Region Stockholm", org_number="2321000016", kind=OrganisationKind.REGION
    )
    solna = Organisation.objects.create(
        name="Solna stad", org_number="2120000183", kind=OrganisationKind.MUNICIPALITY,
        municipality_code="0184",
    )  # fmt: skip
    sundbyberg = Organisation.objects.create(
        name="Sundbybergs stad", org_number="2120000175", kind=OrganisationKind.MUNICIPALITY,
        municipality_code="0183",
    )  # fmt: skip
    site = _unit("SE2321000016-KS00", "Karolinska Solna", region, "")
    ward = _unit(
        "SE2321000016-AV12", "Avdelning 12", region, CareType.INPATIENT_SOMATIC, parent=site
    )
    ward14 = _unit(
        "SE2321000016-AV14", "Avdelning 14", region, CareType.INPATIENT_SOMATIC, parent=site
    )
    sos34 = _unit(
        "SE2321000016-AV34", "Avdelning 34 Södersjukhuset", region, CareType.INPATIENT_SOMATIC
    )
    psych = _unit(
        "SE2321000016-PSY1", "Psykiatriavdelning 1", region, CareType.INPATIENT_PSYCHIATRIC
    )
    admin = _unit(
        "SE2321000016-ADM1", "Hälso- och sjukvårdsförvaltningen", region, CareType.ADMINISTRATION
    )
    vardcentral = _unit("SE2321000016-VC01", "Vårdcentralen Solna", region, CareType.PRIMARY_CARE)
    solna_social = _unit(
        "SE2120000183-SOC1", "Solna socialtjänst", solna, CareType.SOCIAL_SERVICES, "0184"
    )
    solna_hsl = _unit(
        "SE2120000183-HSL1", "Solna hemsjukvård", solna, CareType.MUNICIPAL_HEALTH_CARE, "0184"
    )
    sundbyberg_social = _unit(
        "SE2120000175-SOC1", "Sundbyberg socialtjänst", sundbyberg, CareType.SOCIAL_SERVICES, "0183"
    )  # fmt: skip
    actors = {
        "nina": _actor("SE2321000016-SSK1", "Nina Nilsson", ward),
        "otto": _actor("SE2321000016-SSK2", "Otto Olsson", ward14),
        "berit": _actor("SE2321000016-SSK3", "Berit Berg", sos34),
        "per": _actor("SE2321000016-SSK4", "Per Persson", psych),
        "vera": _actor("SE2321000016-LAK1", "Vera Vik", vardcentral),
        "maja": _actor("SE2120000183-BIS1", "Maja Malm", solna_social),
        "sam": _actor("SE2120000175-BIS1", "Sam Sten", sundbyberg_social),
        "mona": _actor("SE2120000183-CHF1", "Mona Mark", solna_social, Role.MANAGER),
        "rita": _actor("SE2321000016-CHF1", "Rita Ros", ward, Role.MANAGER),
        "ivar": _actor("SE2321000016-FAK1", "Ivar Isaksson", admin, Role.INVOICING),
        "cecilia": _actor("SE2321000016-CEN1", "Cecilia Centrum", admin, Role.CENTRAL_ADMIN),
        "ebba": _actor("SE2321000016-EKA1", "Ebba Ek", admin, Role.EK_ADMIN),
    }
    return World(
        region, solna, sundbyberg, site, ward, ward14, sos34, psych, vardcentral,
        solna_social, solna_hsl, sundbyberg_social, actors,
    )  # fmt: skip


_serials = itertools.count()


def _patient(code: str) -> Patient:
    number = next(_serials)
    born = dt.date(1930, 1, 1) + dt.timedelta(days=number % 3000)
    return Patient.objects.create(
        identity_number=make_test_personnummer(born, 980 + number % 20),
        identity_kind=IdentityKind.PERSONNUMMER,
        given_name="Test",
        family_name=f"Patient {number}",
        municipality_code=code,
    )


Stay = Callable[..., Case]


@pytest.fixture
def stay(world: World) -> Stay:
    """One stay through the actions. Times are Swedish local 'YYYY-MM-DD HH:MM' strings.

    ward: the opening ward's actor ("nina", "otto", "berit", "per"); municipality: the
    social-services unit's actor ("maja", "sam") or "" for none; notice_after: hours from
    admission to the inskrivningsmeddelande (None: never sent); ready: the notices, each a
    time or ("withdrawn", time); sip_called: when the vårdcentral sent the kallelse;
    transfer_to: (actor, time) moving the patient to another ward; discharged: the time.
    """
    units = {"maja": world.solna_social, "sam": world.sundbyberg_social}

    def _stay(
        *,
        ward: str = "nina",
        municipality: str = "maja",
        with_home_health_care: bool = False,
        admitted: str,
        notice_after: float | None = 2,
        ready: tuple[str | tuple[str, str], ...] = (),
        sip_needed: bool = False,
        sip_called: str | None = None,
        transfer_to: tuple[str, str] | None = None,
        discharged: str | None = None,
    ) -> Case:
        ward_actor = world.actor(ward)
        recipients = [world.vardcentral]
        if municipality:
            recipients.append(units[municipality])
        if with_home_health_care:
            recipients.append(world.solna_hsl)
        admitted_at = local(admitted)
        unit = ward_actor.unit
        assert unit is not None
        case = open_case(
            actor=ward_actor,
            patient=_patient(units[municipality].municipality_code if municipality else ""),
            care_kind=(
                CareKind.PSYCHIATRIC
                if unit.care_type == CareType.INPATIENT_PSYCHIATRIC
                else CareKind.SOMATIC
            ),
            compulsory_care=False,
            admitted_at=admitted_at,
            assessed_at=None,
            recipients=recipients,
            now=admitted_at + dt.timedelta(minutes=30),
        )
        # (when, event, payload, by): by None is the ward the patient is on at that time.
        steps: list[tuple[dt.datetime, E, p.Payload, Actor | None]] = []
        if notice_after is not None:
            notice_at = admitted_at + dt.timedelta(hours=notice_after)
            steps.append((notice_at, E.ADMISSION_NOTICE, p.AdmissionNotice(None), None))
        for item in ready:
            if isinstance(item, tuple):
                steps.append(
                    (local(item[1]), E.READY_WITHDRAWN, p.ReadyWithdrawn("Ny feber"), None)
                )
            else:
                at = local(item)
                ready_payload = p.Ready("Doktor Test", at - dt.timedelta(minutes=30), sip_needed)
                steps.append((at, E.READY, ready_payload, None))
        if sip_called is not None:
            at = local(sip_called)
            sip = p.SipCalled(meeting_at=at + dt.timedelta(days=2), mode="video", place="Video")
            steps.append((at, E.SIP_CALLED, sip, world.actor("vera")))
        target_actor = world.actor(transfer_to[0]) if transfer_to is not None else None
        if transfer_to is not None and target_actor is not None:
            target = target_actor.unit
            assert target is not None
            moved = p.Transferred(to_unit_id=target.pk, to_unit_name=target.name)
            steps.append((local(transfer_to[1]), E.TRANSFERRED, moved, None))
        if discharged is not None:
            at = local(discharged)
            notice = p.DischargeNotice(discharged_at=at, destination=Destination.HOME)
            steps.append((at, E.DISCHARGE_NOTICE, notice, None))
        acting = ward_actor
        for at, event, payload, by in sorted(steps, key=lambda step: step[0]):
            record_event(actor=by or acting, case=case, event_type=event, payload=payload, now=at)
            if event == E.TRANSFERRED and target_actor is not None:
                acting = target_actor
        case.refresh_from_db()
        return case

    return _stay
