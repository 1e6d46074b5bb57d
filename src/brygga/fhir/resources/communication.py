"""Communication: the general messages (meddelanden) of a case, to all its other parties."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from brygga.cases.models import CaseEvent, CaseEventType, CaseKind

from ..api import ClientRequest
from ..errors import ApiError
from .base import date_lookup, parse_reference_id
from .case_event import CaseEventResource, author_reference, encounter_reference, event_meta
from .common import instant, patient_reference, prune, unit_reference


def to_fhir(event: CaseEvent) -> dict[str, Any]:
    retracted = event.retracted_at is not None
    recipients = list(event.recipients.all())
    resource: dict[str, Any] = {
        "resourceType": "Communication",
        "id": str(event.pk),
        "meta": event_meta(event),
        # A retracted (makulerat) message was sent in error; it stays readable as such.
        "status": "entered-in-error" if retracted else "completed",
        "statusReason": {"text": event.retraction_reason} if retracted else None,
        "subject": patient_reference(event.case.patient),
        "encounter": encounter_reference(event),
        "about": [{"reference": f"CarePlan/{event.case_id}"}]
        if event.case.kind == CaseKind.SIP
        else None,
        "sent": instant(event.effective_at),
        "received": instant(
            min((r.acknowledged_at for r in recipients if r.acknowledged_at), default=None)
        ),
        "sender": author_reference(event),
        "recipient": [unit_reference(r.unit) for r in recipients],
        "payload": [{"contentString": event.text}] if event.text else None,
    }
    return prune(resource)


class CommunicationType(CaseEventResource):
    name = "Communication"
    search_params = {
        "encounter": "reference",
        "patient": "reference",
        "subject": "reference",
        "_lastUpdated": "date",
    }
    creatable = True

    def visible(self, client: ClientRequest) -> QuerySet[CaseEvent]:
        return self.events(client).filter(type=CaseEventType.MESSAGE)

    def filter(self, rows: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        if name == "encounter":
            case_id = parse_reference_id(value, "Encounter")
            if case_id is None:
                raise ApiError(400, "bad-search", "invalid", {"param": name})
            return rows.filter(case_id=int(case_id))
        if name == "_lastUpdated":
            return rows.filter(**date_lookup("recorded_at", value))
        return super().filter(rows, name, value)

    def to_fhir(self, row: Any) -> dict[str, Any]:
        return to_fhir(row)
