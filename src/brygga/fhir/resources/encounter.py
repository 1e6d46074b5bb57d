"""Encounter: the inpatient stay (vårdtillfälle) a case follows — a case of kind "stay".

status follows the case state; period is admission to discharge; serviceProvider is the
ward (the active inpatient party); meta.versionId is the case version (the ETag).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import Q, QuerySet

from brygga.cases.access import visible_cases
from brygga.cases.models import Case, CaseKind, CaseState, PartyRole
from brygga.patients.models import Patient

from .. import systems
from ..api import ClientRequest
from ..errors import ApiError
from .base import ResourceType, date_lookup, parse_reference_id, token
from .common import coding, date, instant, meta, patient_reference, prune, unit_reference

STATUS = {
    CaseState.ADMITTED: "in-progress",
    CaseState.PLANNING: "in-progress",
    CaseState.READY: "in-progress",
    CaseState.DISCHARGED: "finished",
    CaseState.CLOSED: "finished",
    CaseState.CANCELLED: "cancelled",
}
STATES_OF_STATUS: dict[str, Q] = {
    "in-progress": Q(state__in=[CaseState.ADMITTED, CaseState.PLANNING, CaseState.READY])
    & Q(on_leave=False),
    "onleave": Q(on_leave=True)
    & Q(state__in=[CaseState.ADMITTED, CaseState.PLANNING, CaseState.READY]),
    "finished": Q(state__in=[CaseState.DISCHARGED, CaseState.CLOSED]),
    "cancelled": Q(state=CaseState.CANCELLED),
}


def status_of(case: Case) -> str:
    if case.on_leave and case.state in {CaseState.ADMITTED, CaseState.PLANNING, CaseState.READY}:
        return "onleave"
    return STATUS.get(CaseState(case.state), "unknown")


def ward_of(case: Case) -> Any:
    parties = [p for p in case.parties.all() if p.role == PartyRole.INPATIENT]
    active = [p for p in parties if p.active]
    chosen = active or parties
    return chosen[0].unit if chosen else None


def to_fhir(case: Case) -> dict[str, Any]:
    ward = ward_of(case)
    extensions: list[dict[str, Any] | None] = [
        {
            "url": systems.EXT_CARE_KIND,
            "valueCoding": coding(systems.CARE_TYPE, case.care_kind, case.get_care_kind_display()),
        }
        if case.care_kind
        else None,
        {"url": systems.EXT_COMPULSORY, "valueBoolean": case.compulsory_care},
        {"url": systems.EXT_ASSESSED, "valueDateTime": instant(case.assessed_at)}
        if case.assessed_at
        else None,
        {
            "url": systems.EXT_EXPECTED_DISCHARGE,
            "valueDate": date(case.expected_discharge_on),
        }
        if case.expected_discharge_on
        else None,
    ]
    resource: dict[str, Any] = {
        "resourceType": "Encounter",
        "id": str(case.pk),
        "meta": meta(case.version, case.last_event_at or case.created_at),
        "extension": [e for e in extensions if e],
        "identifier": [
            {"system": ident.system, "value": ident.value} for ident in case.fhir_identifiers.all()
        ],
        "status": status_of(case),
        "class": coding(systems.ACT_CODE, "IMP", "inpatient encounter"),
        "type": [
            {
                "coding": [
                    coding(systems.CASE_STATE, case.state, case.get_state_display()),
                ],
                "text": str(case.get_state_display()),
            }
        ],
        "subject": patient_reference(case.patient),
        "period": {"start": instant(case.admitted_at), "end": instant(case.discharged_at)},
        "serviceProvider": unit_reference(ward) if ward is not None else None,
    }
    if case.destination:
        resource["hospitalization"] = {
            "dischargeDisposition": {
                "coding": [
                    coding(
                        f"{systems.BRYGGA_CANONICAL}/CodeSystem/destination",
                        case.destination,
                        case.get_destination_display(),
                    )
                ],
                "text": str(case.get_destination_display()),
            }
        }
    return prune(resource)


class EncounterType(ResourceType):
    name = "Encounter"
    search_params = {
        "patient": "reference",
        "subject": "reference",
        "status": "token",
        "identifier": "token",
        "_lastUpdated": "date",
    }
    creatable = True

    def visible(self, client: ClientRequest) -> QuerySet[Case]:
        return (
            visible_cases(client.actor)
            .filter(kind=CaseKind.STAY)
            .select_related("patient")
            .prefetch_related("parties__unit", "fhir_identifiers")
            .order_by("pk")
        )

    def filter(self, rows: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        if name in {"patient", "subject"}:
            patient_id = parse_reference_id(value, "Patient")
            if patient_id is None:
                raise ApiError(400, "bad-search", "invalid", {"param": name})
            return rows.filter(patient_id=int(patient_id))
        if name == "status":
            wanted = Q()
            for status in value.split(","):
                if status not in STATES_OF_STATUS:
                    return rows.none() if not wanted else rows.filter(wanted)
                wanted |= STATES_OF_STATUS[status]
            return rows.filter(wanted)
        if name == "identifier":
            system, code = token(value)
            lookup = {"fhir_identifiers__value": code}
            if system:
                lookup["fhir_identifiers__system"] = system
            return rows.filter(**lookup).distinct()
        if name == "_lastUpdated":
            return rows.filter(**date_lookup("last_event_at", value))
        return super().filter(rows, name, value)

    def to_fhir(self, row: Any) -> dict[str, Any]:
        return to_fhir(row)

    def version(self, row: Any) -> str:
        return str(row.version)

    def patients_of(self, rows: Iterable[Any]) -> list[Patient]:
        return [case.patient for case in rows]
