"""The process through the web, as the three parties use it (Django test client)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from brygga.audit.events import AuditEventType
from brygga.audit.models import AuditEntry
from brygga.cases.models import Case, CaseEvent, CaseState, NoticeRecipient
from brygga.core.actor import Actor
from brygga.patients.actions import register_patient
from brygga.patients.identity import parse_identity
from brygga.patients.models import Patient

pytestmark = pytest.mark.django_db

NEW_PATIENT = "19400614-9803"  # a test personnummer (birth number 980)


def form_key(client: Client, url: str) -> dict[str, str]:
    """Open a form and return its hidden version and idempotency key."""
    body = client.get(url).content.decode()
    key = re.search(r'name="idempotency_key" value="(\w+)"', body)
    version = re.search(r'name="version" value="(\d+)"', body)
    assert key, f"no form at {url}"
    data = {"idempotency_key": key.group(1)}
    if version:
        data["version"] = version.group(1)
    return data


def local(minutes_ago: int = 0) -> str:
    moment = timezone.localtime() - dt.timedelta(minutes=minutes_ago)
    return moment.strftime("%Y-%m-%dT%H:%M")


def open_new_case(client: Client, demo: Any) -> Case:
    url = reverse("cases:open")
    lookup = client.get(url, {"identitet": NEW_PATIENT})
    assert "Registrera patienten" in lookup.content.decode()
    registered = client.post(
        url,
        {
            "identitet": NEW_PATIENT,
            "given_name": "Greta",
            "family_name": "Testsson",
            "street_address": "Testgatan 1",
            "postal_code": "171 64",
            "city": "Solna",
            "municipality_code": "0184",
            "listed_unit": demo.unit("vc_solna").pk,
        },
    )
    assert registered.status_code == 302
    # The recipients are proposed from the patient's municipality and listing.
    proposal = client.get(registered["Location"])
    proposed = {unit.pk for unit in proposal.context["case_form"].fields["recipients"].queryset}
    assert proposed == {demo.unit("soc_solna").pk, demo.unit("vc_solna").pk}
    data = form_key(client, registered["Location"])
    response = client.post(
        url,
        {
            **data,
            "identitet": NEW_PATIENT,
            "care_kind": "somatic",
            "admitted_at": local(60),
            "recipients": sorted(proposed),
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    return Case.objects.get(patient__identity_number="194006149803")


def test_the_whole_stay_through_the_web(login_as: Any, demo: Any) -> None:
    anna, maria, karin = login_as("anna"), login_as("maria"), login_as("karin")
    case = open_new_case(anna, demo)
    detail = reverse("cases:detail", args=[case.pk])

    def send(client: Client, slug: str, **fields: str) -> Any:
        url = reverse("cases:event", args=[case.pk, slug])
        return client.post(url, {**form_key(client, url), **fields})

    assert (
        send(anna, "inskrivningsmeddelande", expected_discharge_on="2030-01-10").status_code == 302
    )
    # The recipients see it as new and unacknowledged, with a count in the navigation.
    page = karin.get(reverse("cases:worklist"))
    assert "Greta Testsson" in page.content.decode()
    assert page.context["unacknowledged_count"] >= 1
    karin.post(reverse("cases:acknowledge", args=[case.pk]))
    assert not NoticeRecipient.objects.filter(
        event__case=case, unit=demo.unit("soc_solna"), acknowledged_at__isnull=True
    ).exists()

    assert (
        send(
            anna,
            "planeringsunderlag",
            living_situation="Bor ensam",
            needs_after_discharge="Hemtjänst",
        ).status_code
        == 302
    )
    assert send(karin, "meddelande", text="Vi planerar hemtjänst.").status_code == 302
    assert (
        send(
            maria, "fast-vardkontakt", name="Maria Svensson", contact_title="Distriktssköterska"
        ).status_code
        == 302
    )
    assert (
        send(
            anna, "utskrivningsklar", doctor="Dr Ek", decided_at=local(5), sip_needed="on"
        ).status_code
        == 302
    )
    case.refresh_from_db()
    assert case.state == CaseState.READY and case.ready_at is not None
    assert (
        send(
            maria,
            "kallelse-sip",
            meeting_at=local(-60 * 24),
            mode="video",
            place="Teams",
            participants="Greta Testsson\nKarin Nilsson",
            consent_given="on",
        ).status_code
        == 302
    )
    assert (
        send(
            maria, "sip-hallet", held_at=local(1), plan_summary="Hemtjänst två gånger dagligen."
        ).status_code
        == 302
    )
    assert (
        send(anna, "utskrivningsmeddelande", discharged_at=local(0), destination="home").status_code
        == 302
    )
    info = anna.get(reverse("cases:patient_information", args=[case.pk])).content.decode()
    assert "Maria Svensson" in info and "Hemtjänst två gånger dagligen." in info
    assert send(anna, "avsluta").status_code == 302
    case.refresh_from_db()
    assert case.state == CaseState.CLOSED
    timeline = anna.get(detail).content.decode()
    for label in (
        "Inskrivningsmeddelande",
        "Planeringsunderlag",
        "Utskrivningsklar",
        "Kallelse till SIP",
        "Utskrivningsmeddelande",
    ):
        assert label in timeline
    assert (
        AuditEntry.objects.filter(
            patient=case.patient, event_type=AuditEventType.CASE_CHANGED
        ).count()
        >= 9
    )


def test_a_party_is_offered_exactly_its_actions_and_told_why_not(login_as: Any, demo: Any) -> None:
    anna, karin = login_as("anna"), login_as("karin")
    case = open_new_case(anna, demo)
    anna_page = anna.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert reverse("cases:event", args=[case.pk, "inskrivningsmeddelande"]) in anna_page
    karin_page = karin.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert reverse("cases:event", args=[case.pk, "utskrivningsklar"]) not in karin_page
    refused = karin.get(reverse("cases:event", args=[case.pk, "utskrivningsklar"]))
    assert refused.status_code == 409
    assert "registreras av slutenvård" in refused.content.decode()
    posted = karin.post(reverse("cases:event", args=[case.pk, "utskrivningsklar"]), {"doctor": "x"})
    assert posted.status_code == 409
    case.refresh_from_db()
    assert case.state == CaseState.ADMITTED


def test_a_double_click_records_one_notice(login_as: Any, demo: Any) -> None:
    anna = login_as("anna")
    case = open_new_case(anna, demo)
    url = reverse("cases:event", args=[case.pk, "inskrivningsmeddelande"])
    data = {**form_key(anna, url), "expected_discharge_on": "2030-01-10"}
    first, second = anna.post(url, data), anna.post(url, data)
    assert first.status_code == second.status_code == 302
    assert CaseEvent.objects.filter(case=case, type="admission_notice").count() == 1


def test_a_damaged_form_key_is_explained_and_records_nothing(login_as: Any, demo: Any) -> None:
    anna = login_as("anna")
    case = open_new_case(anna, demo)
    url = reverse("cases:event", args=[case.pk, "inskrivningsmeddelande"])
    data = {**form_key(anna, url), "expected_discharge_on": "2030-01-10"}
    for key in ("\x00", "x" * 65):
        response = anna.post(url, {**data, "idempotency_key": key})
        assert response.status_code == 200
        body = response.content.decode()
        assert "Formulärets dolda uppgifter kom inte fram oförändrade" in body
        assert "Idempotency" not in body
    assert not CaseEvent.objects.filter(case=case, type="admission_notice").exists()


def test_two_users_at_once_never_lose_each_others_work(login_as: Any, demo: Any) -> None:
    anna, other = login_as("anna"), login_as("lars")
    case = open_new_case(anna, demo)
    url = reverse("cases:event", args=[case.pk, "inskrivningsmeddelande"])
    mine, theirs = form_key(anna, url), form_key(other, url)
    assert other.post(url, {**theirs, "expected_discharge_on": "2030-01-10"}).status_code == 302
    # Anna's form was loaded before Lars's change; a state change on it is refused…
    transfer_url = reverse("cases:event", args=[case.pk, "avbrott"])
    stale = {**form_key(anna, transfer_url), "version": mine["version"], "reason": "Mitt skäl"}
    response = anna.post(transfer_url, stale)
    assert response.status_code == 409
    body = response.content.decode()
    assert "Någon annan har ändrat ärendet" in body
    assert "Mitt skäl" in body  # …and what she wrote is still in the form
    case.refresh_from_db()
    assert case.state == CaseState.PLANNING


def test_makulering_keeps_the_message_visible_as_retracted(login_as: Any, demo: Any) -> None:
    anna, karin = login_as("anna"), login_as("karin")
    case = open_new_case(anna, demo)
    url = reverse("cases:event", args=[case.pk, "meddelande"])
    karin.post(url, {**form_key(karin, url), "text": "Fel patient, förlåt."})
    event = CaseEvent.objects.get(case=case, type="message")
    retract_url = reverse("cases:retract", args=[case.pk, event.pk])
    assert anna.post(retract_url, {"reason": "inte min"}).status_code == 200  # not hers
    assert karin.post(retract_url, {"reason": ""}).status_code == 200
    assert karin.post(retract_url, {"reason": "Skrivet i fel ärende"}).status_code == 302
    page = anna.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert "Makulerat" in page and "Skrivet i fel ärende" in page and "Fel patient, förlåt." in page


def test_a_bad_identity_number_is_explained(login_as: Any) -> None:
    response = login_as("anna").get(reverse("cases:open"), {"identitet": "19121212-1213"})
    assert "Kontrollsiffran" in response.content.decode()
    assert not Patient.objects.filter(identity_number="191212121213").exists()


def test_the_open_case_form_keeps_everything_when_something_is_wrong(login_as: Any) -> None:
    anna = login_as("anna")
    url = reverse("cases:open")
    response = anna.post(url, {"identitet": NEW_PATIENT, "given_name": "Greta", "postal_code": "1"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "Skriv patientens efternamn." in body and "Postnumret har fem siffror" in body
    assert 'value="Greta"' in body
    assert not Patient.objects.filter(identity_number="194006149803").exists()


def test_a_case_in_the_future_is_refused_and_the_form_kept(login_as: Any) -> None:
    anna = login_as("anna")
    patient = register_patient(
        actor=Actor.system("test"),
        identity=parse_identity(NEW_PATIENT, today=timezone.localdate()),
        given_name="Greta",
        family_name="Testsson",
        municipality_code="0184",
    )
    url = reverse("cases:open")
    data = form_key(anna, f"{url}?identitet={patient.identity_number}")
    response = anna.post(
        url,
        {
            **data,
            "identitet": patient.identity_number,
            "care_kind": "psychiatric",
            "admitted_at": local(-600),
        },
    )
    body = response.content.decode()
    assert "Inskrivningstiden kan inte ligga i framtiden." in body
    assert re.search(r'value="psychiatric"[^>]*checked', body)
    assert not Case.objects.filter(patient=patient).exists()


def test_municipal_and_primary_care_users_start_a_sip_outside_a_stay(
    login_as: Any, demo: Any
) -> None:
    maria = login_as("maria")
    assert maria.get(reverse("cases:open")).status_code == 403
    url = reverse("cases:open_sip")
    patient = Patient.objects.filter(municipality_code="0184").first()
    assert patient is not None
    data = form_key(maria, f"{url}?identitet={patient.identity_number}")
    response = maria.post(
        url,
        {
            **data,
            "identitet": patient.identity_number,
            "other_recipient": demo.unit("soc_solna").pk,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    case = Case.objects.filter(patient=patient, kind="sip").latest("pk")
    assert case.state == CaseState.SIP_ONGOING
