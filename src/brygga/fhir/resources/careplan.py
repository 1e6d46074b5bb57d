"""CarePlan: the SIP (samordnad individuell plan) of a case — called, held, followed up.

One CarePlan per case that has a SIP (a stay where a kallelse was sent, or a SIP outside a
hospital stay); its id is the case id. The meeting is the plan's activity.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db.models import Q, QuerySet

from brygga.cases.access import visible_cases
from brygga.cases.models import Case, CaseEventType, CaseKind, CaseState
from brygga.patients.models import Patient

from .. import systems
from ..api import ClientRequest
from ..errors import ApiError
from .base import ResourceType, parse_reference_id
from .common import coding, instant, patient_reference, prune, unit_reference

SIP_EVENTS = (CaseEventType.SIP_CALLED, CaseEventType.SIP_HELD, CaseEventType.SIP_FOLLOWED_UP)


def _live(case: Case, event_type: str) -> list[Any]:
    return [e for e in case.events.all() if e.type == event_type and e.retracted_at is None]


def _moment(value: Any) -> str | None:
    if not value:
        return None
    return instant(dt.datetime.fromisoformat(str(value)))


def status_of(case: Case) -> str:
    if _live(case, CaseEventType.SIP_FOLLOWED_UP) or case.state == CaseState.CLOSED:
        return "completed"
    if case.state == CaseState.CANCELLED:
        return "revoked"
    return "active"


def to_fhir(case: Case) -> dict[str, Any]:
    called = _live(case, CaseEventType.SIP_CALLED)
    held = _live(case, CaseEventType.SIP_HELD)
    followed = _live(case, CaseEventType.SIP_FOLLOWED_UP)
    last_call = called[-1] if called else None
    last_held = held[-1] if held else None
    meeting = (last_call.payload if last_call else {}) or {}
    author = last_call.author_unit if last_call else None
    events = called + held + followed
    updated = max((e.recorded_at for e in events), default=case.last_event_at or case.created_at)
    activity_status = "completed" if last_held else ("scheduled" if last_call else "not-started")
    resource: dict[str, Any] = {
        "resourceType": "CarePlan",
        "id": str(case.pk),
        "meta": {"versionId": str(len(events) or 1), "lastUpdated": instant(updated)},
        "status": status_of(case),
        "intent": "plan",
        "category": [{"coding": [coding(systems.PLAN_TYPE, "SIP", "Samordnad individuell plan")]}],
        "title": "SIP",
        "description": (last_held.payload.get("plan_summary") if last_held else "") or None,
        "subject": patient_reference(case.patient),
        "encounter": {"reference": f"Encounter/{case.pk}"} if case.kind == CaseKind.STAY else None,
        "created": instant(last_call.effective_at if last_call else case.created_at),
        "author": unit_reference(author) if author is not None else None,
        "contributor": [unit_reference(p.unit) for p in case.parties.all() if p.active],
        "activity": [
            {
                "detail": {
                    "kind": "Appointment",
                    "code": {"text": "SIP-möte"},
                    "status": activity_status,
                    "scheduledPeriod": {"start": _moment(meeting.get("meeting_at"))},
                    "location": {"display": meeting["place"]} if meeting.get("place") else None,
                    "description": ", ".join(meeting.get("participants") or []) or None,
                }
            }
        ]
        if last_call
        else None,
        "note": [
            {"text": e.payload.get("summary", "")} for e in followed if e.payload.get("summary")
        ],
    }
    return prune(resource)


class CarePlanType(ResourceType):
    name = "CarePlan"
    search_params = {
        "patient": "reference",
        "subject": "reference",
        "encounter": "reference",
        "status": "token",
    }

    def visible(self, client: ClientRequest) -> QuerySet[Case]:
        return (
            visible_cases(client.actor)
            .filter(Q(kind=CaseKind.SIP) | Q(sip_called_at__isnull=False))
            .select_related("patient")
            .prefetch_related("parties__unit", "events__author_unit")
            .order_by("pk")
        )

    def filter(self, rows: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        if name in {"patient", "subject"}:
            patient_id = parse_reference_id(value, "Patient")
            if patient_id is None:
                raise ApiError(400, "bad-search", "invalid", {"param": name})
            return rows.filter(patient_id=int(patient_id))
        if name == "encounter":
            case_id = parse_reference_id(value, "Encounter")
            if case_id is None:
                raise ApiError(400, "bad-search", "invalid", {"param": name})
            return rows.filter(pk=int(case_id), kind=CaseKind.STAY)
        if name == "status":
            ids = [case.pk for case in rows if status_of(case) in value.split(",")]
            return rows.filter(pk__in=ids)
        return super().filter(rows, name, value)

    def to_fhir(self, row: Any) -> dict[str, Any]:
        return to_fhir(row)

    def patients_of(self, rows: Iterable[Any]) -> list[Patient]:
        return [case.patient for case in rows]
