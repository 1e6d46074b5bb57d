"""Fuzzing the FHIR API with schemathesis against its own OpenAPI description.

Every operation of /fhir/openapi.json gets generated requests (valid and invalid per the
schema: odd search values, garbage bodies, random ids, stray headers) sent in-process to
Django's WSGI application, with a valid token of a ward's EHR, with no token and with a
made-up one. Whatever comes in, Brygga must never answer 5xx, must answer only what the
description promises, and must explain every refusal in an OperationOutcome whose text is
Swedish and readable (the English one rides along as a translation).

The demo region and the EHR's token are committed once for the module; each test runs in
a transaction that is rolled back, so cases the fuzzer manages to open disappear again.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.test import Client, RequestFactory
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from brygga.core.actor import Actor
from brygga.fhir import systems
from brygga.fhir.actions import register_api_client
from brygga.fhir.api import UNIT_HEADER
from brygga.fhir.models import ALL_SCOPES
from brygga.fhir.openapi import openapi_document
from brygga.testing import commission_of, empty_database, fuzz_settings

pytestmark = pytest.mark.django_db

EXAMPLES = 30  # per operation; derandomized, so CI sees the same requests every run
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
# Words that give away a raw exception or an untranslated framework text.
RAW = ("Traceback", "Exception", "object has no attribute", " object at 0x", "_fhir", "<html")


def _operations() -> list[tuple[str, str]]:
    """(path, method) of every documented operation, from the description itself."""
    document = openapi_document(RequestFactory().get("/fhir/openapi.json", HTTP_HOST="localhost"))
    return [
        (path, method.upper())
        for path, item in document["paths"].items()
        for method in item
        if method in {"get", "post", "put"}
    ]


OPERATIONS = _operations()


@dataclass
class Api:
    schema: Any
    token: str
    ids: dict[str, list[str]]


@pytest.fixture(scope="module")
def api(django_db_setup: None, django_db_blocker: Any) -> Iterator[Api]:
    """The demo region, a ward EHR with every scope and its token, committed once."""
    from brygga.demo.world import load_demo_region

    with django_db_blocker.unblock():
        demo = load_demo_region(today=timezone.localdate(), now=timezone.now())
        unit = commission_of(demo.person("anna")).unit
        client, secret = register_api_client(
            actor=Actor.system("fuzz"), name="Fuzz EHR", units=[unit], scopes=tuple(ALL_SCOPES)
        )
        http = Client(HTTP_HOST="localhost")
        answer = http.post(
            "/fhir/auth/token",
            {"grant_type": "client_credentials"},
            HTTP_AUTHORIZATION=_basic(client.client_id, secret),
        )
        assert answer.status_code == 200, answer.content
        token = answer.json()["access_token"]
        schema = schemathesis.openapi.from_wsgi("/fhir/openapi.json", get_wsgi_application())
        # Real ids of each type the EHR can see, so reads reach real rows as well as 404s.
        ids: dict[str, list[str]] = {}
        for path, method in OPERATIONS:
            name = path.strip("/")
            if method == "GET" and "/" not in name and name[:1].isupper():
                found = http.get(
                    f"/fhir/{name}", {"_count": 3}, HTTP_AUTHORIZATION=f"Bearer {token}"
                )
                entries = found.json().get("entry", []) if found.status_code == 200 else []
                ids[name] = [e["resource"]["id"] for e in entries]
    yield Api(schema=schema, token=token, ids=ids)
    with django_db_blocker.unblock():
        empty_database()


def _basic(client_id: str, secret: str) -> str:
    import base64

    return "Basic " + base64.b64encode(f"{client_id}:{secret}".encode()).decode()


@pytest.fixture(autouse=True)
def same_connection() -> Iterator[None]:
    """Requests go through Django's real WSGI handler in this thread; keep it from closing
    the test's database connection at the end of each request (as Django's test client
    does), so every request sees, and stays inside, the test's transaction."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def assert_clear_refusal(response: Any, path: str) -> None:
    """A 4xx carries a readable reason: an OperationOutcome in Swedish with its English
    translation for the FHIR endpoints, an OAuth error for the token endpoint."""
    if not 400 <= response.status_code < 500:
        return
    body = json.loads(response.content)
    if path == "/auth/token":
        assert body.get("error"), body
        return
    assert response.headers["content-type"][0].startswith("application/fhir+json")
    assert body["resourceType"] == "OperationOutcome", body
    issue = body["issue"][0]
    text = issue["details"]["text"]
    assert len(text) >= 10 and not any(raw in text for raw in RAW), text
    assert issue["details"]["coding"][0]["system"] == systems.ERROR_CODE
    translation = issue["details"]["_text"]["extension"][0]["extension"]
    assert {"url": "lang", "valueCode": "en"} in translation, "the main text is not Swedish"


PUBLIC = {"/metadata", "/.well-known/smart-configuration", "/openapi.json", "/auth/token"}
AUTH = st.sampled_from(["valid", "valid", "valid", "none", "invalid"])


@pytest.mark.parametrize(("path", "method"), OPERATIONS, ids=[f"{m} {p}" for p, m in OPERATIONS])
def test_fhir_api_never_fails_and_explains_every_refusal(path: str, method: str, api: Api) -> None:
    operation = api.schema[path][method]
    strategies = [operation.as_strategy(GenerationMode.POSITIVE)]
    if path not in PUBLIC or method == "POST":
        strategies.append(operation.as_strategy(GenerationMode.NEGATIVE))
    name = path.split("/")[1]
    known = api.ids.get(name, [])

    @fuzz_settings(EXAMPLES)
    @given(
        case=st.one_of(strategies),
        auth=AUTH,
        real_id=st.sampled_from([None, *known]),
        keep_unit=st.booleans(),
    )
    def fuzz(case: Any, auth: str, real_id: str | None, keep_unit: bool) -> None:
        if real_id is not None and "id" in (case.path_parameters or {}):
            case.path_parameters["id"] = real_id
        headers = case.headers if case.headers is not None else {}
        # The token is ours to choose: valid, made up, or none at all.
        headers.pop("Authorization", None)
        headers.update(
            {
                "valid": {"Authorization": f"Bearer {api.token}"},
                "invalid": {"Authorization": "Bearer made-up-token"},
                "none": {},
            }[auth]
        )
        if not keep_unit:
            # A made-up unit is always refused (403); without one the EHR acts for its unit.
            headers.pop(UNIT_HEADER, None)
        case.headers = headers
        response = case.call()
        case.validate_response(response, checks=CHECKS)
        assert_clear_refusal(response, path)
        if auth != "valid" and path not in PUBLIC:
            assert response.status_code == 401

    fuzz()
