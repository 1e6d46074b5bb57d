"""The directory actions: rights re-checked, rules kept, row and audit row written together."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from brygga.audit.events import AuditEventType
from brygga.audit.models import AuditEntry
from brygga.core.actor import Actor
from brygga.directory import actions
from brygga.directory.actions import DirectoryPermissionError
from brygga.directory.models import (
    CareType,
    Commission,
    Organisation,
    OrganisationKind,
    Person,
    Role,
    Unit,
)

from .conftest import World

pytestmark = pytest.mark.django_db

TODAY = dt.date(2025, 3, 10)


def entries_for(obj: object) -> list[AuditEntry]:
    return list(
        AuditEntry.objects.filter(
            object_type=obj._meta.label_lower,  # type: ignore[attr-defined]
            object_id=str(obj.pk),  # type: ignore[attr-defined]
        ).order_by("pk")
    )


def audit_count() -> int:
    return AuditEntry.objects.count()


# Organisations.


def test_central_admin_creates_organisation_with_audit(central_actor: Actor) -> None:
    organisation = actions.create_organisation(
        actor=central_actor,
        name="Vårdbolaget AB",
        org_number=" 556000-0001 ",
        kind=OrganisationKind.PRIVATE,
        has_own_ek_admin=False,
    )
    assert organisation.org_number == "5560000001"
    [entry] = entries_for(organisation)
    assert entry.event_type == AuditEventType.ORGANISATION_CREATED
    assert entry.details["before"] is None
    assert entry.details["after"]["org_number"] == "5560000001"
    assert entry.details["after"]["has_own_ek_admin"] is False
    assert entry.actor_label == "SE2321000016-CEN1"


def test_ek_admin_cannot_create_organisation(ek_actor: Actor) -> None:
    with pytest.raises(DirectoryPermissionError):
        actions.create_organisation(
            actor=ek_actor, name="X", org_number="5560000001", kind=OrganisationKind.PRIVATE
        )
    assert not Organisation.objects.filter(org_number="5560000001").exists()


def test_invalid_org_number_saves_nothing(central_actor: Actor) -> None:
    before = audit_count()
    with pytest.raises(ValidationError) as caught:
        actions.create_organisation(
            actor=central_actor, name="X", org_number="5560000002", kind=OrganisationKind.PRIVATE
        )
    assert "kontrollsiffra" in str(caught.value.message_dict["org_number"])
    assert audit_count() == before


def test_ek_admin_renames_own_organisation_but_not_its_number(
    world: World, ek_actor: Actor
) -> None:
    renamed = actions.update_organisation(
        actor=ek_actor, organisation=world.region, name="Region Stockholm (SLSO)"
    )
    assert renamed.name == "Region Stockholm (SLSO)"
    [entry] = entries_for(world.region)
    assert entry.details["before"]["name"] == "Region Stockholm"
    assert entry.details["after"]["name"] == "Region Stockholm (SLSO)"
    assert entry.details["changed"] == ["name"]
    with pytest.raises(DirectoryPermissionError):
        actions.update_organisation(
            actor=ek_actor, organisation=world.region, org_number="2120001868"
        )
    with pytest.raises(DirectoryPermissionError):
        actions.update_organisation(actor=ek_actor, organisation=world.region, kind="municipality")
    world.region.refresh_from_db()
    assert world.region.org_number == "2321000016"
    assert world.region.kind == OrganisationKind.REGION


def test_ek_admin_cannot_touch_other_organisation(world: World, ek_actor: Actor) -> None:
    with pytest.raises(DirectoryPermissionError):
        actions.update_organisation(actor=ek_actor, organisation=world.private, name="Kapat")
    world.private.refresh_from_db()
    assert world.private.name == "Privatläkarna AB"


def test_unchanged_update_writes_nothing(world: World, central_actor: Actor) -> None:
    before = audit_count()
    actions.update_organisation(
        actor=central_actor, organisation=world.region, name="Region Stockholm"
    )
    assert audit_count() == before


def test_update_rejects_unknown_fields(world: World, central_actor: Actor) -> None:
    with pytest.raises(TypeError):
        actions.update_organisation(actor=central_actor, organisation=world.region, pk=5)


# Units.


def test_ek_admin_creates_and_updates_unit_with_audit(world: World, ek_actor: Actor) -> None:
    unit = actions.create_unit(
        actor=ek_actor,
        hsa_id="se2321000016-avd14",
        name="Avdelning 14",
        organisation=world.region,
        parent=world.administration,
        care_type=CareType.INPATIENT_PSYCHIATRIC,
        valid_from=dt.date(2024, 1, 1),
    )
    assert unit.hsa_id == "SE2321000016-AVD14"
    updated = actions.update_unit(
        actor=ek_actor, unit=unit, name="Avdelning 14 Huddinge", valid_to=dt.date(2030, 1, 1)
    )
    assert updated.name == "Avdelning 14 Huddinge"
    created, changed = entries_for(unit)
    assert created.event_type == AuditEventType.UNIT_CREATED
    assert created.details["after"]["parent"] == "SE2321000016-FORV"
    assert created.details["after"]["organisation"] == "2321000016"
    assert created.details["after"]["valid_from"] == "2024-01-01"
    assert changed.event_type == AuditEventType.UNIT_UPDATED
    assert changed.details["before"]["name"] == "Avdelning 14"
    assert changed.details["after"]["valid_to"] == "2030-01-01"
    assert changed.details["changed"] == ["name", "valid_to"]


def test_ek_admin_cannot_put_unit_in_other_organisation(world: World, ek_actor: Actor) -> None:
    before = audit_count()
    with pytest.raises(DirectoryPermissionError) as caught:
        actions.update_unit(actor=ek_actor, unit=world.ward, organisation=world.private)
    assert caught.value.field == "organisation"
    with pytest.raises(DirectoryPermissionError):
        actions.create_unit(
            actor=ek_actor, hsa_id="SE5561234567-NY1", name="Ny", organisation=world.private
        )
    world.ward.refresh_from_db()
    assert world.ward.organisation == world.region
    assert not Unit.objects.filter(hsa_id="SE5561234567-NY1").exists()
    assert audit_count() == before


def test_unit_parent_must_be_in_same_organisation(world: World, central_actor: Actor) -> None:
    with pytest.raises(ValidationError) as caught:
        actions.update_unit(actor=central_actor, unit=world.ward, parent=world.clinic)
    assert "parent" in caught.value.message_dict


def test_unit_cannot_be_its_own_ancestor(world: World, central_actor: Actor) -> None:
    actions.update_unit(actor=central_actor, unit=world.ward, parent=world.administration)
    with pytest.raises(ValidationError) as caught:
        actions.update_unit(actor=central_actor, unit=world.administration, parent=world.ward)
    assert "parent" in caught.value.message_dict
    world.administration.refresh_from_db()
    assert world.administration.parent is None


def test_unit_period_and_hsa_id_are_checked(world: World, central_actor: Actor) -> None:
    with pytest.raises(ValidationError) as caught:
        actions.update_unit(
            actor=central_actor,
            unit=world.ward,
            valid_from=dt.date(2024, 1, 1),
            valid_to=dt.date(2023, 1, 1),
        )
    assert caught.value.message_dict["valid_to"] == ["Slutdatumet kan inte vara före startdatumet."]
    with pytest.raises(ValidationError) as caught:
        actions.update_unit(actor=central_actor, unit=world.ward, hsa_id="SE2321000016")
    assert caught.value.message_dict["hsa_id"] == [
        "HSA-id ska ha ett bindestreck efter organisationsnumret."
    ]
    world.ward.refresh_from_db()
    assert world.ward.hsa_id == "SE2321000016-AVD12"


def test_central_admin_manages_private_provider(world: World, central_actor: Actor) -> None:
    unit = actions.create_unit(
        actor=central_actor,
        hsa_id="SE5561234567-BVC1",
        name="BVC Privat",
        organisation=world.private,
        care_type=CareType.PRIMARY_CARE,
    )
    person = actions.create_person(
        actor=central_actor, hsa_id="SE5561234567-SSK2", given_name="Sara", family_name="Sköt"
    )
    commission = actions.create_commission(
        actor=central_actor, person=person, unit=unit, valid_from=TODAY
    )
    assert commission.unit.organisation == world.private
    assert len(entries_for(unit)) == len(entries_for(person)) == len(entries_for(commission)) == 1


# Persons.


def test_ek_admin_creates_person_under_own_org_number(world: World, ek_actor: Actor) -> None:
    person = actions.create_person(
        actor=ek_actor,
        hsa_id="SE2321000016-ssk9",
        given_name="Siv",
        family_name="Sjuksköterska",
        personnummer="19900202-9982",
        today=TODAY,
    )
    assert person.hsa_id == "SE2321000016-SSK9"
    assert person.personnummer == "199002029982"
    assert not person.has_usable_password()
    [entry] = entries_for(person)
    assert entry.event_type == AuditEventType.PERSON_CREATED
    assert entry.details["after"]["personnummer"] == "199002029982"


def test_ek_admin_cannot_create_person_of_other_organisation(world: World, ek_actor: Actor) -> None:
    with pytest.raises(DirectoryPermissionError) as caught:
        actions.create_person(
            actor=ek_actor, hsa_id="SE5561234567-X1", given_name="A", family_name="B"
        )
    assert caught.value.field == "hsa_id"
    assert "SE2321000016-" in str(caught.value)
    assert not Person.objects.filter(hsa_id="SE5561234567-X1").exists()


def test_ek_admin_cannot_move_person_to_other_org_number(world: World, ek_actor: Actor) -> None:
    with pytest.raises(DirectoryPermissionError):
        actions.update_person(actor=ek_actor, person=world.nils, hsa_id="SE5561234567-SSK1")
    world.nils.refresh_from_db()
    assert world.nils.hsa_id == "SE2321000016-SSK1"


def test_ek_admin_cannot_change_central_admin_person(world: World, ek_actor: Actor) -> None:
    with pytest.raises(DirectoryPermissionError):
        actions.update_person(actor=ek_actor, person=world.cecilia, is_active=False)
    world.cecilia.refresh_from_db()
    assert world.cecilia.is_active


@pytest.mark.parametrize(
    ("personnummer", "message"),
    [
        ("19121212-1213", "Kontrollsiffran stämmer inte"),
        ("19800161-9983", "Skriv ett personnummer."),  # a samordningsnummer
        ("abc", "Identitetsnumret"),
    ],
)
def test_invalid_personnummer_saves_nothing(
    world: World, ek_actor: Actor, personnummer: str, message: str
) -> None:
    before = audit_count()
    with pytest.raises(ValidationError) as caught:
        actions.update_person(
            actor=ek_actor, person=world.nils, personnummer=personnummer, today=TODAY
        )
    assert "personnummer" in caught.value.message_dict
    assert audit_count() == before
    world.nils.refresh_from_db()
    assert world.nils.personnummer == "198001019986"


def test_duplicate_hsa_id_is_refused(world: World, ek_actor: Actor) -> None:
    with pytest.raises(ValidationError) as caught:
        actions.create_person(
            actor=ek_actor, hsa_id="SE2321000016-SSK1", given_name="Dubbel", family_name="Gång"
        )
    assert "hsa_id" in caught.value.message_dict


def test_admin_cannot_deactivate_self(world: World, ek_actor: Actor) -> None:
    with pytest.raises(ValidationError):
        actions.update_person(actor=ek_actor, person=world.eva, is_active=False)


# Commissions.


def test_ek_admin_creates_commission_with_audit(world: World, ek_actor: Actor) -> None:
    commission = actions.create_commission(
        actor=ek_actor, person=world.nils, unit=world.ek_unit, role=Role.MANAGER, valid_from=TODAY
    )
    [entry] = entries_for(commission)
    assert entry.event_type == AuditEventType.COMMISSION_CREATED
    assert entry.details["after"] == {
        "person": "SE2321000016-SSK1",
        "unit": "SE2321000016-EK01",
        "role": "manager",
        "purpose": "Vård och behandling",
        "valid_from": "2025-03-10",
        "valid_to": None,
    }


def test_ek_admin_cannot_put_commission_in_other_organisation(
    world: World, ek_actor: Actor
) -> None:
    with pytest.raises(DirectoryPermissionError) as caught:
        actions.update_commission(actor=ek_actor, commission=world.nurse, unit=world.clinic)
    assert caught.value.field == "unit"
    with pytest.raises(DirectoryPermissionError):
        actions.create_commission(
            actor=ek_actor, person=world.nils, unit=world.clinic, valid_from=TODAY
        )
    world.nurse.refresh_from_db()
    assert world.nurse.unit == world.ward
    assert not Commission.objects.filter(unit=world.clinic, person=world.nils).exists()


def test_ek_admin_cannot_grant_central_admin(world: World, ek_actor: Actor) -> None:
    with pytest.raises(DirectoryPermissionError) as caught:
        actions.update_commission(actor=ek_actor, commission=world.nurse, role=Role.CENTRAL_ADMIN)
    assert caught.value.field == "role"
    world.nurse.refresh_from_db()
    assert world.nurse.role == Role.USER


def test_ek_admin_cannot_give_commission_to_foreign_person(world: World, ek_actor: Actor) -> None:
    with pytest.raises(DirectoryPermissionError) as caught:
        actions.create_commission(
            actor=ek_actor, person=world.pia, unit=world.ward, valid_from=TODAY
        )
    assert caught.value.field == "person"


def test_commission_needs_unit_with_care_type(world: World, ek_actor: Actor) -> None:
    before = audit_count()
    with pytest.raises(ValidationError) as caught:
        actions.create_commission(
            actor=ek_actor, person=world.nils, unit=world.administration, valid_from=TODAY
        )
    assert caught.value.message_dict["unit"] == [
        "Enheten saknar vårdtyp för Brygga och kan inte ha uppdrag."
    ]
    with pytest.raises(ValidationError):
        actions.update_commission(actor=ek_actor, commission=world.nurse, unit=world.administration)
    assert audit_count() == before


def test_commission_period_is_checked(world: World, ek_actor: Actor) -> None:
    with pytest.raises(ValidationError) as caught:
        actions.update_commission(
            actor=ek_actor, commission=world.nurse, valid_to=dt.date(2019, 12, 31)
        )
    assert caught.value.message_dict["valid_to"] == ["Slutdatumet kan inte vara före startdatumet."]
    world.nurse.refresh_from_db()
    assert world.nurse.valid_to is None


def test_commission_person_cannot_be_changed(world: World, central_actor: Actor) -> None:
    with pytest.raises(TypeError):
        actions.update_commission(actor=central_actor, commission=world.nurse, person=world.pia)


def test_end_commission(world: World, ek_actor: Actor) -> None:
    assert world.nurse in Commission.objects.valid(TODAY)
    ended = actions.end_commission(actor=ek_actor, commission=world.nurse, today=TODAY)
    assert ended.valid_to == dt.date(2025, 3, 9)
    assert world.nurse not in Commission.objects.valid(TODAY)
    [entry] = entries_for(world.nurse)
    assert entry.event_type == AuditEventType.COMMISSION_UPDATED
    assert entry.details["before"]["valid_to"] is None
    assert entry.details["after"]["valid_to"] == "2025-03-09"
    with pytest.raises(ValidationError):
        actions.end_commission(actor=ek_actor, commission=world.nurse, today=TODAY)


def test_end_commission_that_had_not_started(world: World, ek_actor: Actor) -> None:
    commission = actions.create_commission(
        actor=ek_actor, person=world.nils, unit=world.ek_unit, valid_from=dt.date(2025, 6, 1)
    )
    ended = actions.end_commission(actor=ek_actor, commission=commission, today=TODAY)
    assert ended.valid_from == ended.valid_to == dt.date(2025, 3, 9)
    assert ended not in Commission.objects.valid(TODAY)
    assert ended not in Commission.objects.valid(dt.date(2025, 7, 1))


def test_cannot_end_own_current_commission(world: World, ek_actor: Actor) -> None:
    with pytest.raises(DirectoryPermissionError):
        actions.end_commission(actor=ek_actor, commission=world.ek_admin, today=TODAY)
    world.ek_admin.refresh_from_db()
    assert world.ek_admin.valid_to is None


def test_cannot_change_own_current_commission(world: World, ek_actor: Actor) -> None:
    with pytest.raises(DirectoryPermissionError):
        actions.update_commission(
            actor=ek_actor, commission=world.ek_admin, valid_to=dt.date(2020, 6, 1)
        )
    world.ek_admin.refresh_from_db()
    assert world.ek_admin.valid_to is None


def test_ek_admin_cannot_end_other_organisations_commission(world: World, ek_actor: Actor) -> None:
    with pytest.raises(DirectoryPermissionError):
        actions.end_commission(actor=ek_actor, commission=world.doctor, today=TODAY)
    with pytest.raises(DirectoryPermissionError):
        actions.end_commission(actor=ek_actor, commission=world.central_admin, today=TODAY)


def test_plain_user_cannot_write(world: World) -> None:
    actor = Actor(person=world.nils, commission=world.nurse)
    with pytest.raises(DirectoryPermissionError):
        actions.update_unit(actor=actor, unit=world.ward, name="Kapad")
    with pytest.raises(DirectoryPermissionError):
        actions.create_person(
            actor=actor, hsa_id="SE2321000016-X9", given_name="A", family_name="B"
        )
    world.ward.refresh_from_db()
    assert world.ward.name == "Avdelning 12 Karolinska"
