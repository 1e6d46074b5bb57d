"""Patient: the patient record, identified by personnummer, samordningsnummer or reservnummer.

A protected identity (skyddade personuppgifter) is marked restricted (v3 Confidentiality R)
and its address is never sent, not even the municipality.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import QuerySet

from brygga.audit.log import log_search
from brygga.patients.access import visible_patients
from brygga.patients.models import Patient

from .. import systems
from ..api import ClientRequest
from ..errors import ApiError
from .base import ResourceType, token
from .common import coding, date, instant, prune, unit_reference


def to_fhir(patient: Patient) -> dict[str, Any]:
    identity = patient.identity
    resource: dict[str, Any] = {
        "resourceType": "Patient",
        "id": str(patient.pk),
        "meta": {"lastUpdated": instant(patient.updated_at)},
        "identifier": [{"system": identity.fhir_system, "value": patient.identity_number}],
        "name": [
            {
                "use": "official",
                "text": patient.full_name,
                "family": patient.family_name,
                "given": patient.given_name.split(),
            }
        ],
        "birthDate": date(identity.birth_date()),
    }
    if patient.protected_identity:
        resource["meta"]["security"] = [
            coding(systems.CONFIDENTIALITY, "R", "restricted"),
        ]
    else:
        resource["address"] = [
            {
                "use": "home",
                "type": "physical",
                "line": [patient.street_address],
                "postalCode": patient.postal_code,
                "city": patient.city,
                "district": patient.district,
                "extension": [
                    {"url": systems.EXT_MUNICIPALITY, "valueCode": patient.municipality_code}
                ]
                if patient.municipality_code
                else [],
            }
        ]
    if patient.listed_unit is not None:
        resource["generalPractitioner"] = [unit_reference(patient.listed_unit)]
    return prune(resource)


class PatientType(ResourceType):
    name = "Patient"
    search_params = {"identifier": "token"}

    def visible(self, client: ClientRequest) -> QuerySet[Patient]:
        return visible_patients(client.actor).select_related("listed_unit").order_by("pk")

    def filter(self, rows: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        system, code = token(value)
        if system and system not in systems.PATIENT_SYSTEMS:
            return rows.none()
        code = code.replace("-", "").replace("+", "")
        if not code:
            raise ApiError(400, "bad-search", "invalid", {"param": name})
        return rows.filter(identity_number=code)

    def to_fhir(self, row: Any) -> dict[str, Any]:
        return to_fhir(row)

    def patients_of(self, rows: Iterable[Any]) -> list[Patient]:
        return list(rows)

    def log_read(self, client: ClientRequest, rows: list[Any], *, search: bool) -> None:
        if search:
            # Like a search in the browser: logged even when it finds no one.
            log_search(client.actor, query_kind="FHIR Patient (sökning)", hits=rows)
        else:
            super().log_read(client, rows, search=False)
