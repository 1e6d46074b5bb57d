"""A small named LUS world for the case tests (independent of the demo loader).

Region Stockholm runs two somatic wards (Avdelning 12 at Karolinska, where Nina and Otto
work, and Avdelning 34 at Södersjukhuset, Berit), a psychiatric ward (Per) and two
vårdcentraler (Solna, Vera; Sundbyberg, Sune). Three municipalities have social-services
units: Solna 0184 (Maja), Sundbyberg 0183 (Sam) and Stockholm 0180, which has districts
(Norrmalm, Nora; Södermalm, Sofia). Eva is an EK administrator whose commission is at
Avdelning 12: a unit that is a party, but a role that does not work in cases.

The patient Tolvan Tolvansson (191212121212) is registered in Solna and listed at
Vårdcentralen Solna.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.utils import timezone

from brygga.cases.actions import open_case
from brygga.cases.models import CareKind, Case
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
from brygga.patients.identity import IdentityKind
from brygga.patients.models import Patient

START = dt.date(2018, 1, 1)

SOLNA = "0184"
SUNDBYBERG = "0183"
STOCKHOLM = "0180"


@dataclass
class World:
    region: Organisation
    solna: Organisation
    sundbyberg: Organisation
    stockholm: Organisation
    ward: Unit
    other_ward: Unit
    psych_ward: Unit
    vardcentral: Unit
    other_vardcentral: Unit
    solna_social: Unit
    sundbyberg_social: Unit
    norrmalm_social: Unit
    sodermalm_social: Unit
    patient: Patient
    actors: dict[str, Actor]

    def actor(self, name: str) -> Actor:
        return self.actors[name]


def _unit(
    hsa_id: str,
    name: str,
    organisation: Organisation,
    care_type: str,
    *,
    municipality_code: str = "",
    district: str = "",
) -> Unit:
    return Unit.objects.create(
        hsa_id=hsa_id,
        name=name,
        organisation=organisation,
        care_type=care_type,
        municipality_code=municipality_code,
        district=district,
        valid_from=START,
    )


def _actor(hsa_id: str, given: str, family: str, unit: Unit, role: str = Role.USER) -> Actor:
    person = Person(hsa_id=hsa_id, given_name=given, family_name=family)
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
        name="Solna stad",
        org_number="2120000183",
        kind=OrganisationKind.MUNICIPALITY,
        municipality_code=SOLNA,
    )
    sundbyberg = Organisation.objects.create(
        name="Sundbybergs stad",
        org_number="2120000175",
        kind=OrganisationKind.MUNICIPALITY,
        municipality_code=SUNDBYBERG,
    )
    stockholm = Organisation.objects.create(
        name="Stockholms stad",
        org_number="2120000142",
        kind=OrganisationKind.MUNICIPALITY,
        municipality_code=STOCKHOLM,
    )
    ward = _unit(
        "SE2321000016-AVD12", "Avdelning 12 Karolinska", region, CareType.INPATIENT_SOMATIC
    )
    other_ward = _unit(
        "SE2321000016-AVD34", "Avdelning 34 Södersjukhuset", region, CareType.INPATIENT_SOMATIC
    )
    psych_ward = _unit(
        "SE2321000016-PSY1", "Psykiatriavdelning 1", region, CareType.INPATIENT_PSYCHIATRIC
    )
    vardcentral = _unit("SE2321000016-VCS1", "Vårdcentralen Solna", region, CareType.PRIMARY_CARE)
    other_vardcentral = _unit(
        "SE2321000016-VCB1", "Vårdcentralen Sundbyberg", region, CareType.PRIMARY_CARE
    )
    solna_social = _unit(
        "SE2120000183-SOC1",
        "Solna socialtjänst",
        solna,
        CareType.SOCIAL_SERVICES,
        municipality_code=SOLNA,
    )
    sundbyberg_social = _unit(
        "SE2120000175-SOC1",
        "Sundbyberg socialtjänst",
        sundbyberg,
        CareType.SOCIAL_SERVICES,
        municipality_code=SUNDBYBERG,
    )
    norrmalm_social = _unit(
        "SE2120000142-NORR",
        "Norrmalms stadsdelsförvaltning",
        stockholm,
        CareType.SOCIAL_SERVICES,
        municipality_code=STOCKHOLM,
        district="Norrmalm",
    )
    sodermalm_social = _unit(
        "SE2120000142-SODR",
        "Södermalms stadsdelsförvaltning",
        stockholm,
        CareType.SOCIAL_SERVICES,
        municipality_code=STOCKHOLM,
        district="Södermalm",
    )
    patient = Patient.objects.create(
        identity_number="191212121212",
        identity_kind=IdentityKind.PERSONNUMMER,
        given_name="Tolvan",
        family_name="Tolvansson",
        street_address="Storgatan 1",
        postal_code="17165",
        city="Solna",
        municipality_code=SOLNA,
        listed_unit=vardcentral,
    )
    actors = {
        "nina": _actor("SE2321000016-SSK1", "Nina", "Nilsson", ward),
        "otto": _actor("SE2321000016-SSK2", "Otto", "Olsson", ward),
        "berit": _actor("SE2321000016-SSK3", "Berit", "Berg", other_ward),
        "per": _actor("SE2321000016-SSK4", "Per", "Persson", psych_ward),
        "vera": _actor("SE2321000016-LAK1", "Vera", "Vik", vardcentral),
        "sune": _actor("SE2321000016-LAK2", "Sune", "Sund", other_vardcentral),
        "maja": _actor("SE2120000183-BIS1", "Maja", "Malm", solna_social),
        "sam": _actor("SE2120000175-BIS1", "Sam", "Sten", sundbyberg_social),
        "nora": _actor("SE2120000142-BIS1", "Nora", "Norr", norrmalm_social),
        "sofia": _actor("SE2120000142-BIS2", "Sofia", "Söder", sodermalm_social),
        "eva": _actor("SE2321000016-EKA1", "Eva", "Ekström", ward, Role.EK_ADMIN),
    }
    return World(
        region=region,
        solna=solna,
        sundbyberg=sundbyberg,
        stockholm=stockholm,
        ward=ward,
        other_ward=other_ward,
        psych_ward=psych_ward,
        vardcentral=vardcentral,
        other_vardcentral=other_vardcentral,
        solna_social=solna_social,
        sundbyberg_social=sundbyberg_social,
        norrmalm_social=norrmalm_social,
        sodermalm_social=sodermalm_social,
        patient=patient,
        actors=actors,
    )


OpenStay = Callable[..., Case]


@pytest.fixture
def open_stay(world: World) -> OpenStay:
    """Nina's ward opens a stay for the patient, to Solna and the listed vårdcentral."""

    def _open(
        *,
        recipients: list[Unit] | None = None,
        admitted_at: dt.datetime | None = None,
        now: dt.datetime | None = None,
    ) -> Case:
        now = now or timezone.now()
        return open_case(
            actor=world.actor("nina"),
            patient=world.patient,
            care_kind=CareKind.SOMATIC,
            compulsory_care=False,
            admitted_at=admitted_at or now - dt.timedelta(days=2),
            assessed_at=None,
            recipients=(
                [world.solna_social, world.vardcentral] if recipients is None else recipients
            ),
            now=now,
        )

    return _open
