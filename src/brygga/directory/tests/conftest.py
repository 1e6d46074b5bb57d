"""A small named directory world for the EK administration tests.

Region Stockholm (org A) has its own EK administrator, Eva. Privatläkarna AB (org B) is a
private provider without one, so central administration (Cecilia) manages it. Nils is a
nurse at a ward in org A with an ordinary user commission; Pia is a doctor at org B.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.test import Client

from brygga.accounts.session import AUTH_AT_KEY, COMMISSION_KEY, LAST_SEEN_KEY
from brygga.core.actor import Actor
from brygga.directory.models import (
    CareType,
    Commission,
    Organisation,
    OrganisationKind,
    Person,
    Role,
    Unit,
)

START = dt.date(2020, 1, 1)


@dataclass
class World:
    region: Organisation
    private: Organisation
    ek_unit: Unit
    central_unit: Unit
    ward: Unit
    administration: Unit
    clinic: Unit
    eva: Person
    cecilia: Person
    nils: Person
    pia: Person
    ek_admin: Commission
    central_admin: Commission
    nurse: Commission
    doctor: Commission


def _unit(hsa_id: str, name: str, organisation: Organisation, care_type: str = "") -> Unit:
    return Unit.objects.create(
        hsa_id=hsa_id, name=name, organisation=organisation, care_type=care_type
    )


def _person(hsa_id: str, given: str, family: str, personnummer: str | None = None) -> Person:
    person = Person(hsa_id=hsa_id, given_name=given, family_name=family, personnummer=personnummer)
    person.set_unusable_password()
    person.save()
    return person


def _commission(person: Person, unit: Unit, role: str) -> Commission:
    return Commission.objects.create(person=person, unit=unit, role=role, valid_from=START)


@pytest.fixture
def world(db: None) -> World:
    region = Organisation.objects.create(
        name="Region Stockholm", org_number="2321000016", kind=OrganisationKind.REGION
    )
    private = Organisation.objects.create(
        name="Privatläkarna AB",
        org_number="5561234567",
        kind=OrganisationKind.PRIVATE,
        has_own_ek_admin=False,
    )
    ek_unit = _unit("SE2321000016-EK01", "EK-administrationen", region, CareType.ADMINISTRATION)
    central_unit = _unit(
        "SE2321000016-CENT", "Central förvaltning Brygga", region, CareType.ADMINISTRATION
    )
    ward = _unit(
        "SE2321000016-AVD12", "Avdelning 12 Karolinska", region, CareType.INPATIENT_SOMATIC
    )
    administration = _unit("SE2321000016-FORV", "Hälso- och sjukvårdsförvaltningen", region)
    clinic = _unit(
        "SE5561234567-HLM1", "Husläkarmottagningen Privat", private, CareType.PRIMARY_CARE
    )
    eva = _person("SE2321000016-EKA1", "Eva", "Ekström")
    cecilia = _person("SE2321000016-CEN1", "Cecilia", "Centralsson")
    nils = _person("SE2321000016-SSK1", "Nils", "Nilsson", personnummer="198001019986")
    pia = _person("SE5561234567-LAK1", "Pia", "Privat")
    return World(
        region=region,
        private=private,
        ek_unit=ek_unit,
        central_unit=central_unit,
        ward=ward,
        administration=administration,
        clinic=clinic,
        eva=eva,
        cecilia=cecilia,
        nils=nils,
        pia=pia,
        ek_admin=_commission(eva, ek_unit, Role.EK_ADMIN),
        central_admin=_commission(cecilia, central_unit, Role.CENTRAL_ADMIN),
        nurse=_commission(nils, ward, Role.USER),
        doctor=_commission(pia, clinic, Role.USER),
    )


@pytest.fixture
def ek_actor(world: World) -> Actor:
    return Actor(person=world.eva, commission=world.ek_admin)


@pytest.fixture
def central_actor(world: World) -> Actor:
    return Actor(person=world.cecilia, commission=world.central_admin)


LoginAs = Callable[[Commission], Client]


@pytest.fixture
def login_as(client: Client) -> LoginAs:
    """Log the test client in as the commission's person, acting for that commission."""

    def login(commission: Commission) -> Client:
        client.force_login(commission.person)
        session = client.session
        session[COMMISSION_KEY] = commission.pk
        session[AUTH_AT_KEY] = session[LAST_SEEN_KEY] = time.time()
        session.save()
        return client

    return login
