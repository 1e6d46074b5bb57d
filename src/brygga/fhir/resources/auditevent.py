"""AuditEvent: a patient's access log (loggutdrag), one AuditEvent per access-log row.

Read only with the scope system/AuditEvent.read, only for patients the client's unit can
see, and only by searching with ?patient= (a log is always about one patient). Reading it
is itself logged (ACCESS_LOG_VIEWED), as in the browser.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest

from brygga.audit.events import PATIENT_READ_EVENTS, AuditEventType
from brygga.audit.log import record
from brygga.audit.models import AuditEntry
from brygga.patients.access import visible_patients

from .. import systems
from ..api import ClientRequest
from ..errors import ApiError
from ..models import SCOPE_ACCESS_LOG
from .base import ResourceType, date_lookup, parse_reference_id
from .common import coding, instant, prune

DICOM = "http://dicom.nema.org/resources/ontology/DCM"
CREATING = {AuditEventType.CASE_OPENED, AuditEventType.PATIENT_REGISTERED}


def _action(code: int) -> str:
    if code in PATIENT_READ_EVENTS or code == AuditEventType.ACCESS_LOG_VIEWED:
        return "R"
    if code in CREATING:
        return "C"
    return "U"


def to_fhir(entry: AuditEntry) -> dict[str, Any]:
    is_person = not entry.actor_label.startswith(("client:", "system:"))
    who = (
        {"identifier": {"system": systems.HSA_ID, "value": entry.actor_label}}
        if is_person
        else {
            "identifier": {
                "system": f"{systems.BRYGGA_CANONICAL}/actor",
                "value": entry.actor_label,
            }
        }
    )
    agents: list[dict[str, Any]] = [
        {
            "type": {"text": entry.actor_role_label} if entry.actor_role else None,
            "who": who | ({"display": entry.actor_name} if entry.actor_name else {}),
            "requestor": True,
            "network": {"address": entry.client_address, "type": "2"}
            if entry.client_address
            else None,
        }
    ]
    if entry.actor_unit_hsa_id:
        agents.append(
            {
                "who": {
                    "identifier": {"system": systems.HSA_ID, "value": entry.actor_unit_hsa_id},
                    "display": entry.actor_unit_name,
                },
                "requestor": False,
            }
        )
    what = (entry.details or {}).get("what", "")
    return prune(
        {
            "resourceType": "AuditEvent",
            "id": str(entry.pk),
            "type": coding(DICOM, "110110", "Patient Record"),
            "subtype": [
                coding(
                    systems.AUDIT_EVENT_TYPE, str(entry.event_type), entry.get_event_type_display()
                )
            ],
            "action": _action(entry.event_type),
            "recorded": instant(entry.occurred_at),
            "outcome": "0",
            "agent": agents,
            "source": {
                "site": entry.channel,
                "observer": {"display": "Brygga"},
            },
            "entity": [
                {
                    "what": {"reference": f"Patient/{entry.patient_id}"},
                    "description": what,
                    "detail": [{"type": "request-id", "valueString": entry.request_id}]
                    if entry.request_id
                    else [],
                }
            ],
        }
    )


class AuditEventResource(ResourceType):
    name = "AuditEvent"
    search_params = {"patient": "reference", "date": "date"}
    read_scope = SCOPE_ACCESS_LOG

    def visible(self, client: ClientRequest) -> QuerySet[AuditEntry]:
        patients = visible_patients(client.actor).values("pk")
        # Oldest first: the log only grows at its end, so paging by offset stays stable
        # while reading it appends new rows.
        return AuditEntry.objects.filter(patient__in=patients).order_by("occurred_at", "pk")

    def search(self, client: ClientRequest, request: HttpRequest) -> QuerySet[Any]:
        if "patient" not in request.GET:
            raise ApiError(400, "bad-search", "required", {"param": "patient"})
        return super().search(client, request)

    def filter(self, rows: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        if name == "patient":
            patient_id = parse_reference_id(value, "Patient")
            if patient_id is None:
                raise ApiError(400, "bad-search", "invalid", {"param": name})
            return rows.filter(patient_id=int(patient_id))
        if name == "date":
            return rows.filter(**date_lookup("occurred_at", value))
        return super().filter(rows, name, value)

    def to_fhir(self, row: Any) -> dict[str, Any]:
        return to_fhir(row)

    def log_read(self, client: ClientRequest, rows: list[Any], *, search: bool) -> None:
        patient_ids = sorted({row.patient_id for row in rows})
        from brygga.patients.models import Patient

        for patient in Patient.objects.filter(pk__in=patient_ids):
            record(
                client.actor,
                AuditEventType.ACCESS_LOG_VIEWED,
                patient=patient,
                details={"what": "FHIR AuditEvent"},
            )
        if not patient_ids:
            record(
                client.actor, AuditEventType.API_DIRECTORY_READ, details={"what": "FHIR AuditEvent"}
            )
