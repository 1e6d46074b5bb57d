"""The EK administration pages: forms, errors, history, lists, and the commission ending."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from brygga.audit.events import AuditEventType
from brygga.audit.models import AuditEntry
from brygga.directory.models import (
    CareType,
    Commission,
    Organisation,
    Person,
    Role,
    Unit,
    UnitStatus,
)

from .conftest import LoginAs, World
from .test_access import all_urls

pytestmark = pytest.mark.django_db


def unit_data(unit: Unit, **changes: Any) -> dict[str, Any]:
    data = {
        "hsa_id": unit.hsa_id,
        "name": unit.name,
        "organisation": unit.organisation_id,
        "parent": unit.parent_id or "",
        "care_type": unit.care_type,
        "status": unit.status,
        "valid_from": unit.valid_from.isoformat(),
        "valid_to": unit.valid_to.isoformat() if unit.valid_to else "",
        "municipality_code": unit.municipality_code,
        "district": unit.district,
        "phone": unit.phone,
        "fax": unit.fax,
        "functional_mailbox": unit.functional_mailbox,
    }
    return data | changes


def person_data(**changes: Any) -> dict[str, Any]:
    data = {
        "hsa_id": "SE2321000016-LAK7",
        "given_name": "Lars",
        "family_name": "Läkare",
        "title": "Överläkare",
        "email": "lars@example.org",
        "personnummer": "",
        "is_active": "on",
    }
    return data | changes


def commission_data(commission: Commission, **changes: Any) -> dict[str, Any]:
    data = {
        "unit": commission.unit_id,
        "role": commission.role,
        "purpose": commission.purpose,
        "valid_from": commission.valid_from.isoformat(),
        "valid_to": commission.valid_to.isoformat() if commission.valid_to else "",
    }
    return data | changes


def text(response: Any) -> str:
    return str(response.content.decode())


# Units.


def test_ek_admin_creates_unit_and_sees_history(world: World, login_as: LoginAs) -> None:
    client = login_as(world.ek_admin)
    response = client.post(
        reverse("directory:unit_create"),
        {
            "hsa_id": " se2321000016-avd 20 ",
            "name": "Avdelning 20",
            "organisation": world.region.pk,
            "parent": world.administration.pk,
            "care_type": CareType.INPATIENT_SOMATIC,
            "status": UnitStatus.ACTIVE,
            "valid_from": "2025-01-01",
        },
    )
    unit = Unit.objects.get(name="Avdelning 20")
    assert response.status_code == 302
    assert response["Location"] == reverse("directory:unit_detail", args=[unit.pk])
    assert unit.hsa_id == "SE2321000016-AVD20"
    [entry] = AuditEntry.objects.filter(object_type="directory.unit", object_id=str(unit.pk))
    assert entry.event_type == AuditEventType.UNIT_CREATED
    assert entry.actor_label == world.eva.hsa_id
    page = text(client.get(response["Location"]))
    assert "Ändringshistorik" in page
    assert "Skapade enhet" in page
    assert "Eva Ekström" in page
    assert "SE2321000016-AVD20" in page


def test_ek_admin_edits_unit_and_history_shows_before_and_after(
    world: World, login_as: LoginAs
) -> None:
    client = login_as(world.ek_admin)
    url = reverse("directory:unit_update", args=[world.ward.pk])
    assert 'type="date"' in text(client.get(url))
    response = client.post(url, unit_data(world.ward, name="Avdelning 12 Solna", phone="08-123"))
    assert response.status_code == 302
    world.ward.refresh_from_db()
    assert world.ward.name == "Avdelning 12 Solna"
    [entry] = AuditEntry.objects.filter(object_type="directory.unit", object_id=str(world.ward.pk))
    assert entry.details["before"]["name"] == "Avdelning 12 Karolinska"
    assert entry.details["after"]["name"] == "Avdelning 12 Solna"
    assert entry.details["changed"] == ["name", "phone"]
    page = text(client.get(reverse("directory:unit_detail", args=[world.ward.pk])))
    history = page[page.index("Ändringshistorik") :]
    assert "Ändrade enhet" in history
    assert '<th scope="col">Före</th>' in history
    assert '<th scope="col">Efter</th>' in history
    assert "Avdelning 12 Karolinska" in history
    assert "Avdelning 12 Solna" in history
    assert "08-123" in history


def test_ek_admin_cannot_move_unit_to_other_organisation(world: World, login_as: LoginAs) -> None:
    client = login_as(world.ek_admin)
    before = AuditEntry.objects.count()
    response = client.post(
        reverse("directory:unit_update", args=[world.ward.pk]),
        unit_data(world.ward, organisation=world.private.pk, name="Flyttad"),
    )
    assert response.status_code == 200
    assert "Välj en organisation som du administrerar." in text(response)
    assert 'href="#id_organisation"' in text(response)
    world.ward.refresh_from_db()
    assert world.ward.organisation == world.region
    assert world.ward.name == "Avdelning 12 Karolinska"
    assert AuditEntry.objects.count() == before


def test_ek_admin_form_offers_only_own_choices(world: World, login_as: LoginAs) -> None:
    client = login_as(world.ek_admin)
    page = text(client.get(reverse("directory:unit_create")))
    assert "Region Stockholm" in page
    assert "Privatläkarna AB" not in page
    page = text(client.get(reverse("directory:commission_create")))
    assert "Husläkarmottagningen Privat" not in page
    assert "Privat, Pia" not in page
    assert "Centralsson" not in page
    assert 'value="central_admin"' not in page


def test_invalid_hsa_id_for_unit(world: World, login_as: LoginAs) -> None:
    client = login_as(world.ek_admin)
    response = client.post(
        reverse("directory:unit_update", args=[world.ward.pk]),
        unit_data(world.ward, hsa_id="SE2321000016-AVD-12"),
    )
    assert response.status_code == 200
    assert "bara innehålla bokstäverna A-Z" in text(response)
    assert 'aria-invalid="true"' in text(response)
    world.ward.refresh_from_db()
    assert world.ward.hsa_id == "SE2321000016-AVD12"


def test_unit_period_error_on_form(world: World, login_as: LoginAs) -> None:
    client = login_as(world.ek_admin)
    response = client.post(
        reverse("directory:unit_update", args=[world.ward.pk]),
        unit_data(world.ward, valid_to="2017-01-01"),
    )
    assert "Slutdatumet kan inte vara före startdatumet." in text(response)
    world.ward.refresh_from_db()
    assert world.ward.valid_to is None


def test_unit_detail_lists_children_and_commissions(world: World, login_as: LoginAs) -> None:
    world.ward.parent = world.administration
    world.ward.save()
    client = login_as(world.ek_admin)
    page = text(client.get(reverse("directory:unit_detail", args=[world.administration.pk])))
    assert "Avdelning 12 Karolinska" in page
    page = text(client.get(reverse("directory:unit_detail", args=[world.ward.pk])))
    assert "Nils Nilsson" in page
    assert "Gällande" in page


# Organisations.


def test_central_admin_creates_organisation(world: World, login_as: LoginAs) -> None:
    client = login_as(world.central_admin)
    response = client.post(
        reverse("directory:organisation_create"),
        {"name": "Hemtjänst AB", "org_number": "556000-0001", "kind": "private"},
    )
    organisation = Organisation.objects.get(name="Hemtjänst AB")
    assert response.status_code == 302
    assert organisation.org_number == "5560000001"
    assert organisation.has_own_ek_admin is False  # an unticked checkbox
    page = text(client.get(reverse("directory:organisation_detail", args=[organisation.pk])))
    assert "Skapade organisation" in page


def test_invalid_org_number_gives_swedish_message(world: World, login_as: LoginAs) -> None:
    client = login_as(world.central_admin)
    response = client.post(
        reverse("directory:organisation_create"),
        {"name": "Fel AB", "org_number": "556000-0002", "kind": "private"},
    )
    assert response.status_code == 200
    assert "Organisationsnumrets kontrollsiffra stämmer inte" in text(response)
    assert not Organisation.objects.filter(name="Fel AB").exists()


def test_ek_admin_edits_own_organisation_without_number(world: World, login_as: LoginAs) -> None:
    client = login_as(world.ek_admin)
    url = reverse("directory:organisation_update", args=[world.region.pk])
    page = text(client.get(url))
    assert 'name="org_number"' not in page
    assert 'name="kind"' not in page
    response = client.post(
        url, {"name": "Region Stockholm HSF", "org_number": "5560000001", "kind": "private"}
    )
    assert response.status_code == 302
    world.region.refresh_from_db()
    assert world.region.name == "Region Stockholm HSF"
    assert world.region.org_number == "2321000016"
    assert world.region.kind == "region"


def test_central_admin_manages_private_provider_pages(world: World, login_as: LoginAs) -> None:
    client = login_as(world.central_admin)
    response = client.post(
        reverse("directory:unit_update", args=[world.clinic.pk]),
        unit_data(world.clinic, name="Husläkarmottagningen Privat Söder"),
    )
    assert response.status_code == 302
    world.clinic.refresh_from_db()
    assert world.clinic.name == "Husläkarmottagningen Privat Söder"


# Persons.


def test_ek_admin_creates_person(world: World, login_as: LoginAs) -> None:
    client = login_as(world.ek_admin)
    response = client.post(
        reverse("directory:person_create"), person_data(personnummer="19900202-9982")
    )
    assert response.status_code == 302
    person = Person.objects.get(hsa_id="SE2321000016-LAK7")
    assert person.personnummer == "199002029982"
    assert AuditEntry.objects.filter(
        object_type="directory.person",
        object_id=str(person.pk),
        event_type=AuditEventType.PERSON_CREATED,
    ).exists()


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"hsa_id": "XX2321000016-LAK7"}, "HSA-id ska börja med SE."),
        ({"hsa_id": "SE2321000017-LAK7"}, "har fel kontrollsiffra"),
        ({"hsa_id": "SE5561234567-LAK7"}, "HSA-id som börjar med SE2321000016-"),
        ({"personnummer": "19121212-1213"}, "Kontrollsiffran stämmer inte"),
        ({"personnummer": "19800161-9983"}, "Skriv ett personnummer."),
        ({"personnummer": "19121212121"}, "Fel längd"),
    ],
)
def test_invalid_person_input_saves_nothing(
    world: World, login_as: LoginAs, changes: dict[str, str], message: str
) -> None:
    client = login_as(world.ek_admin)
    before = AuditEntry.objects.count()
    response = client.post(reverse("directory:person_create"), person_data(**changes))
    assert response.status_code == 200
    assert message in text(response)
    assert "Något behöver rättas innan det kan sparas" in text(response)
    assert not Person.objects.filter(given_name="Lars").exists()
    assert AuditEntry.objects.count() == before


def test_person_detail_lists_commissions(world: World, login_as: LoginAs) -> None:
    client = login_as(world.ek_admin)
    page = text(client.get(reverse("directory:person_detail", args=[world.nils.pk])))
    assert "Avdelning 12 Karolinska" in page
    assert "19800101-9986" in page


def test_ek_admin_edits_person(world: World, login_as: LoginAs) -> None:
    client = login_as(world.ek_admin)
    data = person_data(
        hsa_id=world.nils.hsa_id, given_name="Nils", family_name="Nilsson", title="Sjuksköterska"
    )
    data["personnummer"] = "198001019986"
    response = client.post(reverse("directory:person_update", args=[world.nils.pk]), data)
    assert response.status_code == 302
    page = text(client.get(reverse("directory:person_detail", args=[world.nils.pk])))
    assert "Ändrade person" in page
    assert "Sjuksköterska" in page


# Commissions.


def test_ek_admin_creates_commission(world: World, login_as: LoginAs) -> None:
    client = login_as(world.ek_admin)
    url = reverse("directory:commission_create") + f"?person={world.nils.pk}"
    assert "selected" in text(client.get(url))
    response = client.post(
        reverse("directory:commission_create"),
        {
            "person": world.nils.pk,
            "unit": world.ek_unit.pk,
            "role": Role.MANAGER,
            "purpose": "Vård och behandling",
            "valid_from": "2025-01-01",
        },
    )
    assert response.status_code == 302
    commission = Commission.objects.get(person=world.nils, unit=world.ek_unit)
    assert AuditEntry.objects.filter(
        object_type="directory.commission", object_id=str(commission.pk)
    ).exists()


def test_commission_at_unit_without_care_type_is_refused(world: World, login_as: LoginAs) -> None:
    client = login_as(world.ek_admin)
    response = client.post(
        reverse("directory:commission_create"),
        {
            "person": world.nils.pk,
            "unit": world.administration.pk,
            "role": Role.USER,
            "purpose": "Vård och behandling",
            "valid_from": "2025-01-01",
        },
    )
    assert response.status_code == 200
    assert "Enheten saknar vårdtyp för Brygga och kan inte ha uppdrag." in text(response)
    assert 'href="#id_unit"' in text(response)
    assert not Commission.objects.filter(unit=world.administration).exists()


def test_ek_admin_cannot_move_commission_to_other_organisation(
    world: World, login_as: LoginAs
) -> None:
    client = login_as(world.ek_admin)
    response = client.post(
        reverse("directory:commission_update", args=[world.nurse.pk]),
        commission_data(world.nurse, unit=world.clinic.pk),
    )
    assert response.status_code == 200
    assert "Välj en enhet i en organisation som du administrerar." in text(response)
    world.nurse.refresh_from_db()
    assert world.nurse.unit == world.ward


def test_ek_admin_cannot_grant_central_admin_by_form(world: World, login_as: LoginAs) -> None:
    client = login_as(world.ek_admin)
    response = client.post(
        reverse("directory:commission_update", args=[world.nurse.pk]),
        commission_data(world.nurse, role=Role.CENTRAL_ADMIN),
    )
    assert response.status_code == 200
    world.nurse.refresh_from_db()
    assert world.nurse.role == Role.USER


def test_commission_period_error_on_form(world: World, login_as: LoginAs) -> None:
    client = login_as(world.ek_admin)
    response = client.post(
        reverse("directory:commission_update", args=[world.nurse.pk]),
        commission_data(world.nurse, valid_to="2019-01-01"),
    )
    assert response.status_code == 200
    assert "Slutdatumet kan inte vara före startdatumet." in text(response)
    world.nurse.refresh_from_db()
    assert world.nurse.valid_to is None


def test_end_commission_stops_the_person_acting(world: World, login_as: LoginAs) -> None:
    admin = login_as(world.ek_admin)
    url = reverse("directory:commission_end", args=[world.nurse.pk])
    confirm = text(admin.get(url))
    assert "<form" in confirm and 'method="post"' in confirm
    assert "Avbryt" in confirm
    response = admin.post(url)
    assert response.status_code == 302
    today = timezone.localdate()
    world.nurse.refresh_from_db()
    assert world.nurse.valid_to == today - dt.timedelta(days=1)
    assert world.nurse not in Commission.objects.valid(today)
    page = text(admin.get(reverse("directory:commission_detail", args=[world.nurse.pk])))
    assert "Avslutat" in page
    assert "Ändrade medarbetaruppdrag" in page
    assert reverse("directory:commission_end", args=[world.nurse.pk]) not in page
    # Ending it again is refused with a message, not an error page.
    again = admin.post(url)
    assert again.status_code == 200
    assert "Uppdraget är redan avslutat." in text(again)
    assert not Commission.objects.get(pk=world.nurse.pk).is_valid(today)


def test_ended_commission_sends_its_person_to_choose_another(
    world: World, login_as: LoginAs
) -> None:
    nurse = login_as(world.nurse)
    before = nurse.get(reverse("home"))
    assert before.get("Location") != reverse("accounts:choose_commission")
    Commission.objects.filter(pk=world.nurse.pk).update(
        valid_to=timezone.localdate() - dt.timedelta(days=1)
    )
    response = nurse.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:choose_commission")


def test_cannot_end_own_commission_by_form(world: World, login_as: LoginAs) -> None:
    client = login_as(world.ek_admin)
    response = client.post(reverse("directory:commission_end", args=[world.ek_admin.pk]))
    assert response.status_code == 200
    assert "Du kan inte avsluta det uppdrag som du själv arbetar i just nu." in text(response)
    world.ek_admin.refresh_from_db()
    assert world.ek_admin.valid_to is None


# Lists.


def test_unit_list_search_filters_and_pages(world: World, login_as: LoginAs) -> None:
    Unit.objects.bulk_create(
        Unit(
            hsa_id=f"SE2321000016-VC{number:03d}",
            name=f"Vårdcentral {number:03d}",
            organisation=world.region,
            care_type=CareType.PRIMARY_CARE,
        )
        for number in range(60)
    )
    client = login_as(world.ek_admin)
    url = reverse("directory:unit_list")
    first = text(client.get(url, {"care_type": CareType.PRIMARY_CARE}))
    assert "Visar 1–50 av 60." in first
    assert "Avdelning 12" not in first
    assert "sida=2" in first
    second = text(client.get(url, {"care_type": CareType.PRIMARY_CARE.value, "sida": "2"}))
    assert "Visar 51–60 av 60." in second
    assert "Vårdcentral 059" in second
    found = text(client.get(url, {"q": "avd12"}))
    assert "Avdelning 12 Karolinska" in found
    assert "Visar 1–1 av 1." in found
    none = text(client.get(url, {"care_type": "none"}))
    assert "Hälso- och sjukvårdsförvaltningen" in none
    assert "Avdelning 12" not in none
    inactive = text(client.get(url, {"status": UnitStatus.INACTIVE}))
    assert "Inga träffar." in inactive


def test_person_and_commission_lists_search(world: World, login_as: LoginAs) -> None:
    client = login_as(world.central_admin)
    persons = text(client.get(reverse("directory:person_list"), {"q": "pia"}))
    assert "Privat, Pia" in persons
    assert "Nilsson" not in persons
    commissions = text(client.get(reverse("directory:commission_list"), {"role": Role.EK_ADMIN}))
    assert "Eva Ekström" in commissions
    assert "Nils Nilsson" not in commissions


# Markup: accessible by construction, nothing the strict CSP would block.


def test_pages_are_accessible_by_construction(world: World, login_as: LoginAs) -> None:
    client = login_as(world.central_admin)
    for url in all_urls(world):
        page = text(client.get(url))
        assert page.count("<h1") == 1, url
        assert "<script" not in page, url
        assert "style=" not in page, url
        assert "<th>" not in page, url
        for table in re.findall(r"<table.*?</table>", page, flags=re.S):
            assert "<caption" in table, url
        if '<form method="post" class="form"' in page:
            assert "Avbryt" in page, url
        for input_id in re.findall(r'<(?:input|select|textarea)[^>]*\bid="([^"]+)"', page):
            assert f'for="{input_id}"' in page, (url, input_id)
