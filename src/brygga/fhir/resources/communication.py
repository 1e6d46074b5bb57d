"""Communication: the general messages (meddelanden) of a case, to all its other parties."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import QuerySet

from brygga.cases.access import visible_cases
from brygga.cases.models import CaseEvent, CaseEventType, CaseKind
from brygga.patients.models import Patient

from ..api import ClientRequest
from ..errors import ApiError
from .base import ResourceType, date_lookup, parse_reference_id
from .common import instant, patient_reference, prune, unit_reference


def to_fhir(event: CaseEvent) -> dict[str, Any]:
    retracted = event.retracted_at is not None
    recipients = list(event.recipients.all())
    resource: dict[str, Any] = {
        "resourceType": "Communication",
        "id": str(event.pk),
        "meta": {
            "versionId": "2" if retracted else "1",
            "lastUpdated": instant(event.retracted_at or event.recorded_at),
        },
        # A retracted (makulerat) message was sent in error; it stays readable as such.
        "status": "entered-in-error" if retracted else "completed",
        "statusReason": {"text": event.retraction_reason} if retracted else None,
        "subject": patient_reference(event.case.patient),
        "encounter": {"reference": f"Encounter/{event.case_id}"}
        if event.case.kind == CaseKind.STAY
        else None,
        "about": [{"reference": f"CarePlan/{event.case_id}"}]
        if event.case.kind == CaseKind.SIP
        else None,
        "sent": instant(event.effective_at),
        "received": instant(
            min((r.acknowledged_at for r in recipients if r.acknowledged_at), default=None)
        ),
        "sender": unit_reference(event.author_unit)
        if event.author_unit is not None
        else {"display": event.author_name},
        "recipient": [unit_reference(r.unit) for r in recipients],
        "payload": [{"contentString": event.text}] if event.text else None,
    }
    return prune(resource)


class CommunicationType(ResourceType):
    name = "Communication"
    search_params = {
        "encounter": "reference",
        "patient": "reference",
        "subject": "reference",
        "_lastUpdated": "date",
    }
    creatable = True

    def visible(self, client: ClientRequest) -> QuerySet[CaseEvent]:
        cases = visible_cases(client.actor).values("pk")
        return (
            CaseEvent.objects.filter(case__in=cases, type=CaseEventType.MESSAGE)
            .select_related("case__patient", "author_unit")
            .prefetch_related("recipients__unit")
            .order_by("pk")
        )

    def filter(self, rows: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        if name == "encounter":
            case_id = parse_reference_id(value, "Encounter")
            if case_id is None:
                raise ApiError(400, "bad-search", "invalid", {"param": name})
            return rows.filter(case_id=int(case_id))
        if name in {"patient", "subject"}:
            patient_id = parse_reference_id(value, "Patient")
            if patient_id is None:
                raise ApiError(400, "bad-search", "invalid", {"param": name})
            return rows.filter(case__patient_id=int(patient_id))
        if name == "_lastUpdated":
            return rows.filter(**date_lookup("recorded_at", value))
        return super().filter(rows, name, value)

    def to_fhir(self, row: Any) -> dict[str, Any]:
        return to_fhir(row)

    def version(self, row: Any) -> str:
        return "2" if row.retracted_at else "1"

    def patients_of(self, rows: Iterable[Any]) -> list[Patient]:
        return [event.case.patient for event in rows]
