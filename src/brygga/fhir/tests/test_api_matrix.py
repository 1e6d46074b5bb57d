"""Every FHIR endpoint, every kind of caller: the answer each one gets, and zero leaks.

The API's counterpart of tests/test_permission_matrix.py. An endpoint (a resource type's
read, search, create or update, or one of the public endpoints) that is added without a row
fails `test_every_fhir_endpoint_is_in_the_matrix`, which compares the rows with the
CapabilityStatement and the URL configuration. Callers:
  no_token         – no Authorization header
  malformed        – "Bearer" with something that was never issued
  expired          – a token whose lifetime has passed
  revoked          – a token that was revoked
  disabled_client  – a token issued before its client was switched off
  session          – Anna's browser session cookie and no token (the API ignores sessions)
  unit_ended       – a client bound only to a unit whose validity has ended
  read_only        – a client of Anna's ward with system/*.read only
  foreign_unit     – a client of a ward that takes no part in the subject case
  own_unit         – the EHR of Anna's ward, with every scope
Unlike test_auth.py (real HTTP to a live server) this uses Django's test client, so the
whole matrix runs against one committed demo region in a few seconds.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone
from oauth2_provider.models import AccessToken

from brygga.audit.models import AuditEntry
from brygga.cases.models import Case, CaseEvent
from brygga.core.actor import Actor
from brygga.directory.models import Unit
from brygga.fhir import systems
from brygga.fhir.actions import register_api_client
from brygga.fhir.api import ClientRequest
from brygga.fhir.models import ALL_SCOPES, SCOPE_READ, ApiClient
from brygga.fhir.resources.registry import RESOURCE_TYPES
from brygga.patients.models import Patient
from brygga.testing import commission_of, empty_database, log_in

from .conftest import other_ward, subject_case

pytestmark = pytest.mark.django_db

CREDENTIALS = (
    "no_token",
    "malformed",
    "expired",
    "revoked",
    "disabled_client",
    "session",
    "unit_ended",
    "read_only",
    "foreign_unit",
    "own_unit",
)
REJECTED = ("no_token", "malformed", "expired", "revoked", "disabled_client", "session")
# Callers that must not learn anything about the subject patient or case.
OUTSIDERS = (*REJECTED, "unit_ended", "foreign_unit")
FOUND = "found"  # a search answered with the subject among the matches
EMPTY = "empty"  # a search answered with an empty searchset


def row(own: int | str, **overrides: int | str) -> dict[str, int | str]:
    """What each caller gets: 401 without a usable token, 403 for a client without a usable
    unit, and for a foreign unit the answer for something that does not exist."""
    answers: dict[str, int | str] = dict.fromkeys(REJECTED, 401)
    not_found = EMPTY if own == FOUND else 404
    answers |= {"unit_ended": 403, "read_only": own, "foreign_unit": not_found, "own_unit": own}
    answers.update(overrides)
    return answers


PUBLIC: dict[str, int | str] = dict.fromkeys(CREDENTIALS, 200)
READ_ONLY_WRITE = {"read_only": 403}


@dataclass(frozen=True)
class Endpoint:
    method: str
    path: str  # formatted with the subjects: {pid}, {case}, ...
    expected: dict[str, int | str]
    body: str = ""  # a subjects key for the JSON body of a write


# (endpoint name) -> Endpoint. Names are "<Type>.<interaction>" as in the CapabilityStatement.
MATRIX: dict[str, Endpoint] = {
    "metadata": Endpoint("GET", "metadata", PUBLIC),
    "smart_configuration": Endpoint("GET", ".well-known/smart-configuration", PUBLIC),
    "openapi": Endpoint("GET", "openapi.json", PUBLIC),
    # The token endpoint authenticates the client itself (HTTP Basic): a bearer token, a
    # session or nothing is no client credential; a switched-off client gets no token.
    "token": Endpoint(
        "POST",
        "auth/token",
        {
            **dict.fromkeys(CREDENTIALS, 200),
            "no_token": 401,
            "malformed": 401,
            "session": 401,
            "disabled_client": 400,
        },
    ),
    "unknown_type.search-type": Endpoint(
        "GET", "Observation", row(404, foreign_unit=404, unit_ended=403)
    ),
    "Patient.read": Endpoint("GET", "Patient/{pid}", row(200)),
    "Patient.search-type": Endpoint("GET", "Patient?identifier={pnr_token}", row(FOUND)),
    "Encounter.read": Endpoint("GET", "Encounter/{case}", row(200)),
    "Encounter.search-type": Endpoint("GET", "Encounter?patient=Patient/{pid}", row(FOUND)),
    # An Encounter without status and class: every caller allowed to write is told what is
    # wrong (test_write_journey.py opens real stays).
    "Encounter.create": Endpoint(
        "POST", "Encounter", row(400, foreign_unit=400, **READ_ONLY_WRITE), body="encounter"
    ),
    # Without If-Match: the own ward is asked for the version; another ward is told there is
    # no such stay.
    "Encounter.update": Endpoint(
        "PUT", "Encounter/{case}", row(428, **READ_ONLY_WRITE), body="encounter_update"
    ),
    "Task.read": Endpoint("GET", "Task/{task}", row(200)),
    "Task.search-type": Endpoint("GET", "Task?encounter=Encounter/{case}", row(FOUND)),
    # A second admission notice for the subject stay: the own ward is refused by the LUS
    # rules (422); another ward does not find the stay.
    "Task.create": Endpoint("POST", "Task", row(422, **READ_ONLY_WRITE), body="task_body"),
    "Communication.read": Endpoint("GET", "Communication/{message}", row(200)),
    "Communication.search-type": Endpoint(
        "GET", "Communication?encounter=Encounter/{case}", row(FOUND)
    ),
    "Communication.create": Endpoint(
        "POST", "Communication", row(201, **READ_ONLY_WRITE), body="communication"
    ),
    "CarePlan.read": Endpoint("GET", "CarePlan/{careplan}", row(200)),
    "CarePlan.search-type": Endpoint(
        "GET", "CarePlan?patient=Patient/{careplan_patient}", row(FOUND)
    ),
    # The directory (EK) is shared by the region's parties: every usable client reads it.
    "Organization.read": Endpoint("GET", "Organization/{unit}", row(200, foreign_unit=200)),
    "Organization.search-type": Endpoint(
        "GET", "Organization?identifier={unit_hsa}", row(FOUND, foreign_unit=FOUND)
    ),
    # Staff are listed per unit: another ward does not see Anna's commission.
    "PractitionerRole.read": Endpoint("GET", "PractitionerRole/{commission}", row(200)),
    "PractitionerRole.search-type": Endpoint(
        "GET", "PractitionerRole?practitioner.identifier={anna_hsa}", row(FOUND)
    ),
    # The access log needs its own scope.
    "AuditEvent.read": Endpoint("GET", "AuditEvent/{audit}", row(200, read_only=403)),
    "AuditEvent.search-type": Endpoint(
        "GET", "AuditEvent?patient=Patient/{pid}", row(FOUND, read_only=403)
    ),
}


@pytest.fixture(scope="module")
def demo(django_db_setup: None, django_db_blocker: Any) -> Iterator[Any]:
    """The demo region, loaded once for the module (as in tests/test_permission_matrix.py)."""
    from brygga.demo.world import load_demo_region

    with django_db_blocker.unblock():
        world = load_demo_region(today=timezone.localdate(), now=timezone.now())
    yield world
    with django_db_blocker.unblock():
        empty_database()


@dataclass
class Caller:
    headers: dict[str, str]  # sent with every API request
    token_auth: dict[str, str]  # sent to the token endpoint
    client: Client


def _client(name: str, units: list[Unit], scopes: tuple[str, ...]) -> tuple[ApiClient, str]:
    return register_api_client(actor=Actor.system("test"), name=name, units=units, scopes=scopes)


def _basic(api_client: ApiClient, secret: str) -> dict[str, str]:
    pair = f"{api_client.client_id}:{secret}".encode()
    return {"Authorization": "Basic " + base64.b64encode(pair).decode()}


def _token(basic: dict[str, str]) -> str:
    response = Client().post(
        "/fhir/auth/token",
        urlencode({"grant_type": "client_credentials"}),
        content_type="application/x-www-form-urlencoded",
        headers=basic,
    )
    assert response.status_code == 200, response.content
    return str(response.json()["access_token"])


def make_caller(credential: str, demo: Any, case: Case) -> Caller:
    anna = demo.person("anna")
    own = commission_of(anna).unit
    if credential in {"no_token", "session"}:
        client = (
            log_in(Client(), anna, commission_of(anna)) if credential == "session" else Client()
        )
        return Caller({}, {}, client)
    if credential == "malformed":
        return Caller(
            {"Authorization": "Bearer aldrig-utfärdad"}, {"Authorization": "Basic x"}, Client()
        )
    units = {"foreign_unit": [other_ward(demo, case)]}.get(credential, [own])
    if credential == "unit_ended":
        ended = Unit.objects.create(
            hsa_id="SE2321000016-ENDED",
            name="Nedlagd avdelning",
            organisation=own.organisation,
            care_type=own.care_type,
            valid_from=dt.date(2018, 1, 1),
            valid_to=timezone.localdate() - dt.timedelta(days=1),
        )
        units = [ended]
    scopes = (SCOPE_READ,) if credential == "read_only" else tuple(ALL_SCOPES)
    api_client, secret = _client(f"Matris {credential}", units, scopes)
    basic = _basic(api_client, secret)
    token = _token(basic)
    if credential == "expired":
        AccessToken.objects.filter(token=token).update(
            expires=timezone.now() - dt.timedelta(seconds=1)
        )
    elif credential == "revoked":
        AccessToken.objects.get(token=token).revoke()
    elif credential == "disabled_client":
        ApiClient.objects.filter(pk=api_client.pk).update(active=False)
    return Caller({"Authorization": f"Bearer {token}"}, basic, Client())


def subjects(demo: Any, case: Case) -> dict[str, Any]:
    anna = demo.person("anna")
    commission = commission_of(anna)
    own = commission.unit
    foreign = other_ward(demo, case)
    task = case.events.exclude(type__in=["message", "case_opened"]).order_by("pk").first()
    message = case.events.filter(type="message").order_by("pk").first()
    audit = AuditEntry.objects.filter(patient=case.patient).order_by("pk").first()
    own_actor = Actor.for_client("matris", "Matris", own)
    probe = ClientRequest(client=ApiClient(), scopes=frozenset(), actor=own_actor)
    careplan = (
        RESOURCE_TYPES["CarePlan"]
        .visible(probe)
        .exclude(parties__unit=foreign)
        .exclude(patient__cases__parties__unit=foreign)
        .first()
    )
    assert task and message and audit and careplan, "the demo region lacks a subject"
    return {
        "pid": case.patient_id,
        "pnr_token": f"{systems.PERSONNUMMER}|{case.patient.identity_number}",
        "case": case.pk,
        "task": task.pk,
        "message": message.pk,
        "careplan": careplan.pk,
        "careplan_patient": careplan.patient_id,
        "unit": own.pk,
        "unit_hsa": own.hsa_id,
        "commission": commission.pk,
        "anna_hsa": anna.hsa_id,
        "audit": audit.pk,
        "encounter": {"resourceType": "Encounter"},
        "encounter_update": {"resourceType": "Encounter", "id": str(case.pk)},
        "task_body": {
            "resourceType": "Task",
            "status": "requested",
            "intent": "order",
            "code": {"coding": [{"system": systems.EVENT_TYPE, "code": "admission_notice"}]},
            "focus": {"reference": f"Encounter/{case.pk}"},
        },
        "communication": {
            "resourceType": "Communication",
            "status": "completed",
            "encounter": {"reference": f"Encounter/{case.pk}"},
            "payload": [{"contentString": "Matrisens meddelande"}],
        },
    }


def secrets_of(patients: list[Patient], cases: list[Case]) -> list[str]:
    """What must never reach an outsider: identity numbers, names, references."""
    found = []
    for patient in patients:
        number = patient.identity_number
        found += [number, f"{number[:8]}-{number[8:]}", f"Patient/{patient.pk}"]
        found.append(patient.family_name)
    found += [f"Encounter/{case.pk}" for case in cases]
    found += [f"CarePlan/{case.pk}" for case in cases]
    return found


def classify(response: Any) -> int | str:
    if response.status_code == 200 and response.get("Content-Type", "").startswith(
        "application/fhir+json"
    ):
        body = response.json()
        if body.get("resourceType") == "Bundle":
            return FOUND if body["total"] else EMPTY
    return int(response.status_code)


def without_echo(response: Any) -> str:
    """The body without the searchset's links, which repeat the caller's own query."""
    text = response.content.decode()
    if response.get("Content-Type", "").startswith(("application/fhir+json", "application/json")):
        body = json.loads(text or "null")
        if isinstance(body, dict):
            body.pop("link", None)
        return json.dumps(body, ensure_ascii=False)
    return text


def call(caller: Caller, endpoint: Endpoint, values: dict[str, Any]) -> Any:
    path = "/fhir/" + endpoint.path.format(**values)
    if endpoint.path == "auth/token":
        return caller.client.post(
            path,
            urlencode({"grant_type": "client_credentials"}),
            content_type="application/x-www-form-urlencoded",
            headers=caller.token_auth,
        )
    headers = {"Accept": "application/fhir+json", **caller.headers}
    if endpoint.method == "GET":
        return caller.client.get(path, headers=headers)
    return caller.client.generic(
        endpoint.method,
        path,
        json.dumps(values[endpoint.body]),
        content_type="application/fhir+json",
        headers=headers,
    )


def test_every_fhir_endpoint_is_in_the_matrix(client: Client) -> None:
    statement = client.get("/fhir/metadata").json()
    offered = {
        f"{resource['type']}.{interaction['code']}"
        for resource in statement["rest"][0]["resource"]
        for interaction in resource["interaction"]
    }
    assert {r["type"] for r in statement["rest"][0]["resource"]} == set(RESOURCE_TYPES)
    fhir_urls = {
        str(pattern.name)
        for resolver in get_resolver().url_patterns
        if isinstance(resolver, URLResolver) and resolver.namespace == "fhir"
        for pattern in resolver.url_patterns
        if isinstance(pattern, URLPattern)
    }
    # The two generic URLs serve the resource types; the others are rows of their own.
    endpoints = offered | (fhir_urls - {"type", "instance"})
    missing = endpoints - set(MATRIX)
    assert not missing, f"FHIR endpoints without a row in the API matrix: {sorted(missing)}"


@pytest.mark.parametrize("credential", CREDENTIALS)
def test_api_matrix(credential: str, demo: Any) -> None:
    case = subject_case(demo)
    values = subjects(demo, case)
    caller = make_caller(credential, demo, case)
    careplan = Case.objects.get(pk=values["careplan"])
    hidden = secrets_of([case.patient, careplan.patient], [case, careplan])
    events_before = CaseEvent.objects.count()
    answers, leaks = {}, []
    for name, endpoint in MATRIX.items():
        response = call(caller, endpoint, values)
        answers[name] = classify(response)
        if name not in {"metadata", "smart_configuration", "openapi", "token"}:
            assert response["Content-Type"].startswith("application/fhir+json"), name
            assert response["Cache-Control"] == "no-store", name
        if credential in OUTSIDERS:
            body = without_echo(response)
            leaks += [f"{name}: {secret}" for secret in hidden if secret in body]
    expected = {name: endpoint.expected[credential] for name, endpoint in MATRIX.items()}
    assert answers == expected
    assert not leaks, f"{credential} learnt about the subject: {leaks}"
    if credential != "own_unit":
        assert CaseEvent.objects.count() == events_before


def test_the_own_unit_sees_what_the_outsiders_must_not(demo: Any) -> None:
    """The leak check looks for things that are really there for a caller who may see them."""
    case = subject_case(demo)
    values = subjects(demo, case)
    caller = make_caller("own_unit", demo, case)
    for name in ("Patient.read", "Patient.search-type", "Encounter.search-type"):
        body = without_echo(call(caller, MATRIX[name], values))
        assert case.patient.identity_number in body or f"Patient/{case.patient_id}" in body, name
    assert case.patient.family_name in without_echo(call(caller, MATRIX["Patient.read"], values))
    assert f"Encounter/{case.pk}" in without_echo(call(caller, MATRIX["Task.read"], values))


def test_a_session_is_no_credential_for_writes_either(demo: Any) -> None:
    """The API is CSRF-exempt because it takes bearer tokens only: a logged-in browser
    (whose cookies a foreign site could make it send) can neither write nor get a token."""
    case = subject_case(demo)
    values = subjects(demo, case)
    anna = demo.person("anna")
    browser = log_in(Client(enforce_csrf_checks=True), anna, commission_of(anna))
    events_before = CaseEvent.objects.count()
    posted = browser.post(
        "/fhir/Communication", values["communication"], content_type="application/fhir+json"
    )
    assert posted.status_code == 401
    assert posted.json()["issue"][0]["code"] == "login"
    token = browser.post("/fhir/auth/token", {"grant_type": "client_credentials"})
    assert token.status_code == 401 and token.json()["error"] == "invalid_client"
    assert CaseEvent.objects.count() == events_before
