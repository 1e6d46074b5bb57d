"""Tokens and units: no token, expired token, wrong unit's client, valid — over real HTTP."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import requests
from django.utils import timezone
from oauth2_provider.models import AccessToken

from brygga.audit.models import AuditEntry
from brygga.fhir.models import SCOPE_READ

from .conftest import TIMEOUT, Ehr, make_ehr, other_ward, subject_case

pytestmark = pytest.mark.django_db(transaction=True)

CREDENTIALS = ("no_token", "expired", "wrong_unit", "valid")


def _paths(case: Any) -> list[str]:
    first_task = case.events.exclude(type__in=["message", "case_opened"]).order_by("pk").first()
    return [
        f"Patient/{case.patient_id}",
        f"Encounter/{case.pk}",
        f"Task/{first_task.pk}",
        f"Task?encounter=Encounter/{case.pk}",
        f"Encounter?patient=Patient/{case.patient_id}",
    ]


@pytest.mark.parametrize("credential", CREDENTIALS)
def test_token_matrix(credential: str, ehr: Ehr, demo: Any, live_server: Any) -> None:
    case = subject_case(demo)
    caller, token = ehr, None
    if credential == "no_token":
        token = ""
    elif credential == "expired":
        token = ehr.token()
        AccessToken.objects.filter(token=token).update(
            expires=timezone.now() - dt.timedelta(seconds=1)
        )
    elif credential == "wrong_unit":
        caller = make_ehr(live_server.url, "Annan avdelning", [other_ward(demo, case)])
    answers = []
    for path in _paths(case):
        response = caller.get(path, token=token)
        assert response.headers["Content-Type"].startswith("application/fhir+json")
        assert response.headers["Cache-Control"] == "no-store"
        body = response.json()
        if "?" in path and response.status_code == 200:
            # A search by another unit finds nothing rather than being refused.
            answers.append(200 if body["total"] else "empty")
        else:
            answers.append(response.status_code)
    expected = {
        "no_token": [401] * 5,
        "expired": [401] * 5,
        "wrong_unit": [404, 404, 404, "empty", "empty"],
        "valid": [200] * 5,
    }[credential]
    assert answers == expected
    if credential in {"no_token", "expired"}:
        response = caller.get(f"Encounter/{case.pk}", token=token)
        assert response.headers["WWW-Authenticate"].startswith('Bearer realm="brygga"')
        assert response.json()["issue"][0]["code"] == "login"


def test_token_endpoint_refuses_wrong_secret_other_grants_and_unregistered_scopes(
    ehr: Ehr, live_server: Any
) -> None:
    url = f"{live_server.url}/fhir/auth/token"
    wrong = requests.post(
        url,
        data={"grant_type": "client_credentials"},
        auth=(ehr.client.client_id, "not-the-secret"),
        timeout=TIMEOUT,
    )
    assert wrong.status_code == 401 and wrong.json()["error"] == "invalid_client"
    password = requests.post(
        url,
        data={"grant_type": "password", "username": "x", "password": "y"},
        auth=(ehr.client.client_id, ehr.secret),
        timeout=TIMEOUT,
    )
    assert password.status_code in {400, 401} and "error" in password.json()
    read_only = make_ehr(live_server.url, "Läsande klient", [ehr.unit], scopes=(SCOPE_READ,))
    assert read_only.fetch_token("system/*.write").json()["error"] == "invalid_scope"
    granted = read_only.fetch_token().json()
    assert granted["scope"] == SCOPE_READ and granted["token_type"] == "Bearer"
    assert granted["expires_in"] <= 600
    issued = AuditEntry.objects.filter(
        event_type=903, actor_label=f"client:{read_only.client.client_id}"
    )
    assert issued.count() == 1


def test_scopes_and_units_limit_what_a_client_does(ehr: Ehr, demo: Any, live_server: Any) -> None:
    case = subject_case(demo)
    read_only = make_ehr(live_server.url, "Läsande klient", [ehr.unit], scopes=(SCOPE_READ,))
    refused = read_only.post(
        "Communication", {"resourceType": "Communication", "status": "completed"}
    )
    assert refused.status_code == 403
    assert "system/*.write" in refused.json()["issue"][0]["details"]["text"]
    no_log = read_only.get(f"AuditEvent?patient={case.patient_id}")
    assert no_log.status_code == 403

    # A client registered for two units must say which it acts for, and only for those.
    two = make_ehr(live_server.url, "Två avdelningar", [ehr.unit, other_ward(demo, case)])
    assert two.get(f"Encounter/{case.pk}").status_code == 400
    chosen = two.get(f"Encounter/{case.pk}", headers={"X-Brygga-Unit": ehr.unit.hsa_id})
    assert chosen.status_code == 200
    stranger = two.get(f"Encounter/{case.pk}", headers={"X-Brygga-Unit": "SE2321000016-XXXX"})
    assert stranger.status_code == 403
    assert AuditEntry.objects.filter(
        event_type=904, actor_label=f"client:{two.client.client_id}"
    ).exists()


def test_reads_are_in_the_patients_access_log_readable_as_audit_event(ehr: Ehr, demo: Any) -> None:
    case = subject_case(demo)
    assert ehr.get(f"Encounter/{case.pk}").status_code == 200
    searched = ehr.get(
        f"Patient?identifier=http://electronichealth.se/identifier/personnummer|{case.patient.identity_number}"
    )
    assert [e["resource"]["id"] for e in searched.json()["entry"]] == [str(case.patient_id)]
    page = ehr.get(f"AuditEvent?patient=Patient/{case.patient_id}&_count=5")
    assert page.status_code == 200
    bundle = page.json()
    assert bundle["total"] > 5 and any(link["relation"] == "next" for link in bundle["link"])
    first = {e["resource"]["id"] for e in bundle["entry"]}
    next_url = next(link["url"] for link in bundle["link"] if link["relation"] == "next")
    following = requests.get(
        next_url, headers={"Authorization": f"Bearer {ehr.access_token}"}, timeout=TIMEOUT
    ).json()
    assert len(following["entry"]) == 5
    assert first.isdisjoint({e["resource"]["id"] for e in following["entry"]})
    whole = ehr.get(f"AuditEvent?patient=Patient/{case.patient_id}&_count=200").json()
    rows = [e["resource"] for e in whole["entry"]]
    mine = [
        r
        for r in rows
        if r["agent"][0]["who"]["identifier"]["value"] == f"client:{ehr.client.client_id}"
    ]
    search_row = next(
        r for r in mine if r["entity"][0].get("description") == "FHIR Patient (sökning)"
    )
    assert search_row["action"] == "R" and search_row["source"]["site"] == "api"
    assert search_row["agent"][1]["who"]["identifier"]["value"] == ehr.unit.hsa_id
    assert any(r["entity"][0].get("description") == "FHIR Encounter" for r in mine)
    # Reading the log is itself logged, as a loggutdrag in the browser is.
    assert AuditEntry.objects.filter(
        event_type=210, patient=case.patient, actor_label=f"client:{ehr.client.client_id}"
    ).exists()


def test_metadata_is_public_and_describes_the_api(live_server: Any) -> None:
    response = requests.get(f"{live_server.url}/fhir/metadata", timeout=TIMEOUT)
    assert response.status_code == 200
    statement = response.json()
    assert statement["resourceType"] == "CapabilityStatement"
    assert statement["fhirVersion"] == "4.0.1"
    types = {r["type"]: r for r in statement["rest"][0]["resource"]}
    assert set(types) == {
        "Patient",
        "Encounter",
        "Task",
        "Communication",
        "CarePlan",
        "Organization",
        "PractitionerRole",
        "AuditEvent",
    }
    assert {"code": "create"} in types["Encounter"]["interaction"]
    assert types["Encounter"]["conditionalCreate"] is True
    security = statement["rest"][0]["security"]["extension"][0]["extension"][0]
    assert security["valueUri"].endswith("/fhir/auth/token")
    smart = requests.get(
        f"{live_server.url}/fhir/.well-known/smart-configuration", timeout=TIMEOUT
    ).json()
    assert smart["grant_types_supported"] == ["client_credentials"]
