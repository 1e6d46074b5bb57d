"""What Task and Communication share: both show a case's events (notices and messages)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import QuerySet

from brygga.cases.access import visible_cases
from brygga.cases.models import CaseEvent, CaseKind
from brygga.patients.models import Patient

from ..api import ClientRequest
from ..errors import ApiError
from .base import ResourceType, parse_reference_id
from .common import meta, unit_reference


def version(event: CaseEvent) -> str:
    """A retracted (makulerad) event is the second version of its resource."""
    return "2" if event.retracted_at else "1"


def event_meta(event: CaseEvent) -> dict[str, Any]:
    return meta(version(event), event.retracted_at or event.recorded_at)


def encounter_reference(event: CaseEvent) -> dict[str, Any] | None:
    """The Encounter of an event in a stay; a SIP outside a stay has none."""
    if event.case.kind != CaseKind.STAY:
        return None
    return {"reference": f"Encounter/{event.case_id}"}


def author_reference(event: CaseEvent) -> dict[str, Any]:
    """The unit that recorded the event, or the author's name if no unit did."""
    if event.author_unit is not None:
        return unit_reference(event.author_unit)
    return {"display": event.author_name}


class CaseEventResource(ResourceType):
    """A resource read from the events of the cases the client may see."""

    def events(self, client: ClientRequest) -> QuerySet[CaseEvent]:
        cases = visible_cases(client.actor).values("pk")
        return (
            CaseEvent.objects.filter(case__in=cases)
            .select_related("case__patient", "author_unit")
            .prefetch_related("recipients__unit")
            .order_by("pk")
        )

    def filter(self, rows: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        if name in {"patient", "subject"}:
            patient_id = parse_reference_id(value, "Patient")
            if patient_id is None:
                raise ApiError(400, "bad-search", "invalid", {"param": name})
            return rows.filter(case__patient_id=int(patient_id))
        return super().filter(rows, name, value)

    def version(self, row: Any) -> str:
        return version(row)

    def patients_of(self, rows: Iterable[Any]) -> list[Patient]:
        return [event.case.patient for event in rows]
