"""The tests act as an EHR: real HTTP to the live server, a real token by client credentials.

`ehr` is the ward EHR of Anna's unit (G61 at Karolinska in the demo region); `other_ehr`
the EHR of a ward that takes no part in the subject case.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
import requests

from brygga.cases.models import Case
from brygga.core.actor import Actor
from brygga.directory.models import Commission, Unit
from brygga.fhir.actions import register_api_client
from brygga.fhir.models import ALL_SCOPES, ApiClient
from brygga.testing import commission_of

TIMEOUT = 30


@dataclass
class Ehr:
    """An EHR talking to Brygga over HTTP."""

    base: str
    client: ApiClient
    secret: str
    unit: Unit
    access_token: str = ""

    def fetch_token(self, scope: str | None = None) -> requests.Response:
        data = {"grant_type": "client_credentials"} | ({"scope": scope} if scope else {})
        return requests.post(
            f"{self.base}/fhir/auth/token",
            data=data,
            auth=(self.client.client_id, self.secret),
            timeout=TIMEOUT,
        )

    def token(self, scope: str | None = None) -> str:
        response = self.fetch_token(scope)
        assert response.status_code == 200, response.text
        self.access_token = response.json()["access_token"]
        return self.access_token

    def request(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        headers: dict[str, str] | None = None,
        token: str | None = None,
        **kwargs: Any,
    ) -> requests.Response:
        bearer = token if token is not None else (self.access_token or self.token())
        all_headers = {"Accept": "application/fhir+json"}
        if bearer:
            all_headers["Authorization"] = f"Bearer {bearer}"
        if json is not None:
            all_headers["Content-Type"] = "application/fhir+json"
        all_headers |= headers or {}
        return requests.request(
            method,
            f"{self.base}/fhir/{path.lstrip('/')}",
            json=json,
            headers=all_headers,
            timeout=TIMEOUT,
            **kwargs,
        )

    def get(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, resource: dict[str, Any], **kwargs: Any) -> requests.Response:
        return self.request("POST", path, json=resource, **kwargs)

    def put(self, path: str, resource: dict[str, Any], **kwargs: Any) -> requests.Response:
        return self.request("PUT", path, json=resource, **kwargs)


def make_ehr(
    base: str, name: str, units: list[Unit], scopes: tuple[str, ...] = tuple(ALL_SCOPES)
) -> Ehr:
    client, secret = register_api_client(
        actor=Actor.system("test"), name=name, units=units, scopes=scopes
    )
    return Ehr(base=base, client=client, secret=secret, unit=units[0])


def subject_case(demo: Any) -> Case:
    """An open case of Anna's ward where Karin's social services is a party too."""
    anna_unit = commission_of(demo.person("anna")).unit
    karin_unit = commission_of(demo.person("karin")).unit
    case = (
        Case.objects.filter(parties__unit=anna_unit, parties__active=True, kind="stay")
        .filter(parties__unit=karin_unit)
        .filter(state__in=["planning", "ready"])
        .first()
    )
    assert case is not None
    return case


def other_ward(demo: Any, case: Case) -> Unit:
    anna_unit = commission_of(demo.person("anna")).unit
    other = (
        Commission.objects.filter(role="user", unit__care_type="inpatient_somatic")
        .exclude(unit__case_parties__case=case)
        .exclude(unit=anna_unit)
        .select_related("unit")
        .first()
    )
    assert other is not None
    return other.unit


@pytest.fixture
def ehr(demo: Any, live_server: Any) -> Ehr:
    unit = commission_of(demo.person("anna")).unit
    return make_ehr(live_server.url, "TakeCare G61", [unit])


@pytest.fixture
def other_ehr(demo: Any, live_server: Any) -> Ehr:
    return make_ehr(
        live_server.url, "TakeCare annan avdelning", [other_ward(demo, subject_case(demo))]
    )
