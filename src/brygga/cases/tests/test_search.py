"""Search by identity number from the worklist: the patient's cases the unit may see."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from brygga.audit.events import AuditEventType
from brygga.audit.models import AuditEntry
from brygga.cases import payloads as p
from brygga.cases.actions import open_case, record_event
from brygga.cases.models import CareKind, Case
from brygga.cases.models import CaseEventType as E
from brygga.core.checks import luhn_check_digit
from brygga.patients.identity import IdentityKind
from brygga.patients.models import Patient
from brygga.testing import log_in

from .conftest import OpenStay, World

pytestmark = pytest.mark.django_db

SEARCH = "cases:search"


def client_of(world: World, name: str) -> Client:
    actor = world.actor(name)
    assert actor.person is not None
    return log_in(Client(), actor.person, actor.commission)


def search(client: Client, typed: str) -> str:
    response = client.get(reverse(SEARCH), {"identitet": typed})
    assert response.status_code == 200
    return response.content.decode()


def patient_with(world: World, number: str, kind: str) -> Patient:
    return Patient.objects.create(
        identity_number=number,
        identity_kind=kind,
        given_name="Sigrid",
        family_name="Sökbar",
        municipality_code="0184",
        listed_unit=world.vardcentral,
    )


def stay_for(world: World, patient: Patient, *, days_ago: int = 2) -> Case:
    now = timezone.now()
    return open_case(
        actor=world.actor("nina"),
        patient=patient,
        care_kind=CareKind.SOMATIC,
        compulsory_care=False,
        admitted_at=now - dt.timedelta(days=days_ago),
        assessed_at=None,
        recipients=[world.solna_social],
        now=now,
    )


SAMORDNING = f"121272987{luhn_check_digit('121272987')}"  # born 1912-12-12, day + 60
RESERVE_SLL = f"992019{12345}{luhn_check_digit('1912345')}"


@pytest.mark.parametrize(
    ("stored", "kind", "typed"),
    [
        ("191212121212", IdentityKind.PERSONNUMMER, "191212121212"),
        ("191212121212", IdentityKind.PERSONNUMMER, "19121212-1212"),
        ("191212121212", IdentityKind.PERSONNUMMER, "121212+1212"),
        ("191212121212", IdentityKind.PERSONNUMMER, " 19121212-1212 "),
        (f"19{SAMORDNING}", IdentityKind.SAMORDNINGSNUMMER, f"19{SAMORDNING[:6]}-{SAMORDNING[6:]}"),
        (f"19{SAMORDNING}", IdentityKind.SAMORDNINGSNUMMER, f"{SAMORDNING[:6]}+{SAMORDNING[6:]}"),
        (RESERVE_SLL, IdentityKind.RESERVNUMMER_SLL, RESERVE_SLL),
        ("AB1912120012", IdentityKind.RESERVNUMMER_NATIONAL, "ab1912120012"),
    ],
)
def test_finds_the_units_case_by_each_kind_of_number(
    world: World, stored: str, kind: str, typed: str
) -> None:
    patient = (
        world.patient
        if stored == world.patient.identity_number
        else patient_with(world, stored, kind)
    )
    case = stay_for(world, patient)
    body = search(client_of(world, "nina"), typed)
    assert reverse("cases:detail", args=[case.pk]) in body
    assert patient.full_name in body
    assert 'role="status"' in body


def test_lists_open_and_closed_cases_newest_first(world: World, open_stay: OpenStay) -> None:
    older = open_stay(admitted_at=timezone.now() - dt.timedelta(days=30))
    record_event(
        actor=world.actor("nina"),
        case=older,
        event_type=E.CANCELLED,
        payload=p.Cancelled("Fel patient"),
    )
    newer = open_stay()
    response = client_of(world, "nina").get(reverse(SEARCH), {"identitet": "19121212-1212"})
    hits = response.context["result"].hits
    assert [hit.case.pk for hit in hits] == [newer.pk, older.pk]
    assert [hit.is_open for hit in hits] == [True, False]


def test_a_foreign_units_case_is_not_shown_nor_whether_the_patient_exists(
    world: World, open_stay: OpenStay
) -> None:
    case = open_stay()
    berit = client_of(world, "berit")  # another ward, not a party to the case
    existing = search(berit, "19121212-1212")
    assert reverse("cases:detail", args=[case.pk]) not in existing
    assert world.patient.family_name not in existing
    assert "Inga ärenden för 19121212-1212 som din enhet har del i." in existing
    # A number that belongs to no patient at all gets the same answer.
    unknown = "19400614-9803"
    assert not Patient.objects.filter(identity_number="194006149803").exists()
    nobody = search(berit, unknown)
    assert "Inga ärenden för 19400614-9803 som din enhet har del i." in nobody


def test_an_invalid_number_gets_the_parsers_message_and_no_search(world: World) -> None:
    client = client_of(world, "nina")
    before = AuditEntry.objects.filter(event_type=AuditEventType.PATIENT_SEARCHED).count()
    checksum = search(client, "19121212-1213")
    assert "Kontrollsiffran stämmer inte" in checksum
    assert 'aria-invalid="true"' in checksum
    assert "Fel längd" in search(client, "191212")
    assert "Skriv patientens identitetsnummer." in search(client, "")
    after = AuditEntry.objects.filter(event_type=AuditEventType.PATIENT_SEARCHED).count()
    assert after == before


def test_every_search_is_logged_with_the_patient_shown(world: World, open_stay: OpenStay) -> None:
    open_stay()
    client = client_of(world, "nina")
    hit = client.get(reverse(SEARCH), {"identitet": "191212121212"}, REMOTE_ADDR="10.1.2.3")
    rows = AuditEntry.objects.filter(
        event_type=AuditEventType.PATIENT_SEARCHED, request_id=hit["X-Request-ID"]
    )
    assert [(r.patient_id, r.details["what"]) for r in rows] == [
        (world.patient.pk, "sök i arbetslistan")
    ]
    row = rows.get()
    assert row.actor_unit_hsa_id == world.ward.hsa_id
    assert row.client_address == "10.1.2.3"
    # A search that shows no one is logged too, without a patient.
    miss = client_of(world, "berit").get(reverse(SEARCH), {"identitet": "191212121212"})
    missed = AuditEntry.objects.get(
        event_type=AuditEventType.PATIENT_SEARCHED, request_id=miss["X-Request-ID"]
    )
    assert missed.patient_id is None and missed.details["hits"] == 0


def test_the_worklist_offers_the_search_and_administrators_get_no_search(world: World) -> None:
    worklist = client_of(world, "nina").get(reverse("cases:worklist")).content.decode()
    assert "Sök patient (personnummer, samordningsnummer eller reservnummer)" in worklist
    assert f'action="{reverse(SEARCH)}"' in worklist
    assert (
        client_of(world, "eva").get(reverse(SEARCH), {"identitet": "191212121212"}).status_code
        == 403
    )
