"""The monthly basis built from real case events (recorded through the case actions) in 2022.

A small world: Region Stockholm with one ward, Solna's social services, and stays in
February–March 2022 under the Region Stockholm 2020 agreement (12:00 cut-off, somatic
grace 3 days). 2022's amount (9 300 kr) is seeded by the migration; 2021 has none.

- A: ready Thu 24 Feb 09:00 (day 0 the 24th, paid from Sun 27th), discharged Fri 4 Mar.
- B: ready 1 Mar, withdrawn 5 Mar, ready again Thu 10 Mar 13:00 (after the cut-off: day 0
  the 11th, paid from Mon 14th), discharged Wed 16 Mar.
- C: admission notice 50 hours after admission (24 required), ready 1 Mar, discharged 8 Mar.
- D: ready Sun 20 Mar 09:00, discharged Tue 22 Mar: within the grace period.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import pytest

from brygga.cases import payloads as p
from brygga.cases.actions import open_case, record_event
from brygga.cases.models import CareKind, Case
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
from brygga.payments import actions
from brygga.payments.basis import BasisRow, MunicipalityBasis, compute_basis
from brygga.payments.facts import candidate_cases, month_bounds, stay_records
from brygga.payments.presets import AVERAGE_MODEL, STOCKHOLM_2020
from brygga.payments.rules import STOCKHOLM, AgreementTerms
from brygga.payments.terms import AgreementBook, governing

pytestmark = pytest.mark.django_db

SOLNA = "0184"
START = dt.date(2018, 1, 1)
NOW = dt.datetime(2022, 6, 1, 12, 0, tzinfo=STOCKHOLM)
FEBRUARY, MARCH = dt.date(2022, 2, 1), dt.date(2022, 3, 1)


def at(text: str) -> dt.datetime:
    return dt.datetime.strptime(text, "%Y-%m-%d %H:%M").replace(tzinfo=STOCKHOLM)


@dataclass
class World:
    ward: Actor
    admin: Actor
    social: Unit
    patients: list[Patient]


def _actor(hsa_id: str, unit: Unit, role: str) -> Actor:
    person = Person(hsa_id=hsa_id, given_name="Test", family_name=hsa_id[-4:])
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
    ward = Unit.objects.create(
        hsa_id="SE2321000016-AVD12",
        name="Avdelning 12",
        organisation=region,
        care_type=CareType.INPATIENT_SOMATIC,
        valid_from=START,
    )
    admin = Unit.objects.create(
        hsa_id="SE2321000016-ADM1",
        name="Förvaltningen",
        organisation=region,
        care_type=CareType.ADMINISTRATION,
        valid_from=START,
    )
    social = Unit.objects.create(
        hsa_id="SE2120000183-SOC1",
        name="Solna socialtjänst",
        organisation=solna,
        care_type=CareType.SOCIAL_SERVICES,
        municipality_code=SOLNA,
        valid_from=START,
    )
    patients = [
        Patient.objects.create(
            identity_number=make_test_personnummer(dt.date(1940, 1, 1 + i), 980 + i),
            identity_kind=IdentityKind.PERSONNUMMER,
            given_name=name,
            family_name="Testsson",
            municipality_code=SOLNA,
        )
        for i, name in enumerate(["Alva", "Bo", "Cilla", "Dag", "Eja"])
    ]
    return World(
        ward=_actor("SE2321000016-P0001", ward, Role.USER),
        admin=_actor("SE2321000016-P0002", admin, Role.CENTRAL_ADMIN),
        social=social,
        patients=patients,
    )


def stay(
    world: World,
    patient: Patient,
    *,
    admitted: str,
    notice: str,
    ready: list[str],
    withdrawn: list[str] = (),  # type: ignore[assignment]
    discharged: str | None = None,
) -> Case:
    ward = world.ward
    case = open_case(
        actor=ward,
        patient=patient,
        care_kind=CareKind.SOMATIC,
        compulsory_care=False,
        admitted_at=at(admitted),
        assessed_at=None,
        recipients=[world.social],
        now=at(admitted),
    )

    def event(event_type: E, payload: p.Payload, when: str) -> None:
        record_event(actor=ward, case=case, event_type=event_type, payload=payload, now=at(when))

    event(E.ADMISSION_NOTICE, p.AdmissionNotice(None), notice)
    for index, moment in enumerate(ready):
        event(E.READY, p.Ready("Dr Test", at(moment), False), moment)
        if index < len(withdrawn):
            event(E.READY_WITHDRAWN, p.ReadyWithdrawn("Ny feber"), withdrawn[index])
    if discharged:
        event(E.DISCHARGE_NOTICE, p.DischargeNotice(at(discharged), "home"), discharged)
    return case


def agreement(world: World, terms: AgreementTerms, *, code: str, municipality: str = "") -> None:
    from brygga.payments.demo import _draft

    draft = _draft(terms, code=code, valid_from=dt.date(2020, 1, 1), valid_to=None, source="")
    draft = actions.AgreementDraft(**{**draft.__dict__, "municipality_code": municipality})
    actions.create_agreement(actor=world.admin, draft=draft, now=NOW)


@pytest.fixture
def stays(world: World) -> dict[str, Case]:
    a, b, c, d, _e = world.patients
    agreement(world, STOCKHOLM_2020, code="rs-2020")
    return {
        "A": stay(
            world,
            a,
            admitted="2022-02-20 08:00",
            notice="2022-02-20 10:00",
            ready=["2022-02-24 09:00"],
            discharged="2022-03-04 09:00",
        ),
        "B": stay(
            world,
            b,
            admitted="2022-02-27 08:00",
            notice="2022-02-27 09:00",
            ready=["2022-03-01 09:00", "2022-03-10 13:00"],
            withdrawn=["2022-03-05 20:00"],
            discharged="2022-03-16 10:00",
        ),
        "C": stay(
            world,
            c,
            admitted="2022-02-25 08:00",
            notice="2022-02-27 10:00",
            ready=["2022-03-01 09:00"],
            discharged="2022-03-08 10:00",
        ),
        "D": stay(
            world,
            d,
            admitted="2022-03-15 08:00",
            notice="2022-03-15 09:00",
            ready=["2022-03-20 09:00"],
            discharged="2022-03-22 10:00",
        ),
    }


def rows_by_name(basis: MunicipalityBasis) -> dict[str, BasisRow]:
    return {row.patient.given_name: row for row in basis.rows if row.patient is not None}


def test_facts_come_from_the_events(world: World, stays: dict[str, Case]) -> None:
    first, following = month_bounds(MARCH)
    records = {r.case_id: r for r in stay_records(candidate_cases(first, following, SOLNA))}
    b = records[stays["B"].pk].facts
    assert b.ready_at == at("2022-03-10 13:00")
    assert [(w.notified_at, w.withdrawn_at) for w in b.withdrawn] == [
        (at("2022-03-01 09:00"), at("2022-03-05 20:00"))
    ]
    assert b.ready_notice_reached_municipality
    assert records[stays["B"].pk].municipality_code == SOLNA


def test_a_month_of_grace_day_stays(world: World, stays: dict[str, Case]) -> None:
    march = compute_basis(MARCH, SOLNA, now=NOW)[SOLNA]
    rows = rows_by_name(march)
    assert set(rows) == {"Alva", "Bo", "Cilla"}
    alva, bo, cilla = rows["Alva"], rows["Bo"], rows["Cilla"]
    assert [d.day for d in alva.result.payable_days] == [1, 2, 3]
    assert [d.day for d in bo.result.payable_days] == [14, 15]
    assert cilla.result.payable_days == () and cilla.result.withheld_days == 4
    assert "50 timmar" in cilla.result.failed_text[0]
    assert march.within_grace == 1  # Dag, discharged within the grace period
    assert march.days == 5 and march.amount == Decimal(5 * 9300)
    february = compute_basis(FEBRUARY, SOLNA, now=NOW)[SOLNA]
    assert [d.day for d in rows_by_name(february)["Alva"].result.payable_days] == [27, 28]


def test_a_municipalitys_own_average_model_agreement_wins(
    world: World, stays: dict[str, Case]
) -> None:
    agreement(world, AVERAGE_MODEL, code="solna-snitt", municipality=SOLNA)
    march = compute_basis(MARCH, SOLNA, now=NOW)[SOLNA]
    # Discharged in March with the preconditions met: Alva 8 days (day 0 24 Feb → 4 Mar),
    # Bo 5 (day 0 11 Mar → 16 Mar), Dag 2 (day 0 20 Mar → 22 Mar). Cilla's late admission
    # notice keeps her out of the average.
    (group,) = march.averages
    assert group.result.stays == 3 and group.result.total_days == 8 + 5 + 2
    assert group.result.payable_days == Decimal(15 - 3 * 3)
    assert march.amount == Decimal(6 * 9300)
    assert rows_by_name(march)["Cilla"].result.failed


def test_a_year_without_an_amount_leaves_the_month_unpriced(world: World) -> None:
    agreement(world, STOCKHOLM_2020, code="rs-2020")
    stay(
        world,
        world.patients[4],
        admitted="2021-12-20 08:00",
        notice="2021-12-20 09:00",
        ready=["2021-12-27 09:00"],
        discharged="2022-01-03 12:00",
    )
    december = compute_basis(dt.date(2021, 12, 1), SOLNA, now=NOW)[SOLNA]
    assert december.days == 2 and december.amount is None and december.missing_years == [2021]
    january = compute_basis(dt.date(2022, 1, 1), SOLNA, now=NOW)[SOLNA]
    assert january.days == 2 and january.amount == Decimal(2 * 9300)


def test_which_agreement_governs() -> None:
    from brygga.payments.models import Agreement

    def row(pk: int, code: str, version: int, start: str, muni: str = "") -> Agreement:
        return Agreement(
            pk=pk,
            code=code,
            version=version,
            municipality_code=muni,
            valid_from=dt.date.fromisoformat(start),
            valid_to=None,
        )

    region_v1 = row(1, "rs", 1, "2020-01-01")
    region_v2 = row(2, "rs", 2, "2020-01-01")
    region_later = row(3, "rs-2024", 1, "2024-01-01")
    solna_own = row(4, "solna", 1, "2021-01-01", SOLNA)
    rows = [region_v1, region_v2, region_later, solna_own]
    assert governing(rows, "0183", dt.date(2022, 5, 1)) == region_v2
    assert governing(rows, "0183", dt.date(2024, 5, 1)) == region_later
    assert governing(rows, SOLNA, dt.date(2024, 5, 1)) == solna_own
    assert governing(rows, SOLNA, dt.date(2020, 5, 1)) == region_v2
    assert governing(rows, SOLNA, dt.date(2019, 5, 1)) is None


def test_without_any_agreement_the_law_applies(world: World) -> None:
    book = AgreementBook.load()
    assert book.terms_for(SOLNA, dt.date(2022, 1, 1)).title.startswith("Lagens huvudregel")
