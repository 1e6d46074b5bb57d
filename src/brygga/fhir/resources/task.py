"""Task: each notice or event in a case (inskrivningsmeddelande, utskrivningsklar, …).

code is the event type; status is completed, or cancelled when the notice was retracted
(makulerad); focus is the Encounter (or the CarePlan of a SIP outside a stay); for is the
Patient; requester is the sending unit; restriction.recipient lists the units it was sent
to, businessStatus how many of them have acknowledged it; input is the notice's content.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import typing
from typing import Any

from django.db.models import Q, QuerySet

from brygga.cases import payloads as p
from brygga.cases.models import CaseEvent, CaseEventType, CaseKind
from brygga.cases.rules import TRANSITIONS

from .. import systems
from ..api import ClientRequest
from ..errors import ApiError
from .base import date_lookup, parse_reference_id, token
from .case_event import CaseEventResource, author_reference, encounter_reference, event_meta
from .common import coding, instant, patient_reference, prune, unit_reference

# Shown as Communication (messages) or not notices at all.
NOT_TASKS = (CaseEventType.MESSAGE, CaseEventType.CASE_OPENED)
# Events an EHR may send as a Task: those a party records, minus those that need Brygga's
# internal ids (avvisning, flytt) and messages (Communication).
POSTABLE = frozenset(TRANSITIONS) - {
    CaseEventType.MESSAGE,
    CaseEventType.REJECTED,
    CaseEventType.TRANSFERRED,
}


def _input_value(value: Any) -> dict[str, Any] | None:
    if isinstance(value, bool):
        return {"valueBoolean": value}
    if isinstance(value, int):
        return {"valueInteger": value}
    if isinstance(value, str) and value:
        if len(value) == 10 and value[4] == "-" and value[7] == "-":
            return {"valueDate": value}
        if "T" in value[:11]:
            try:
                moment = dt.datetime.fromisoformat(value)
            except ValueError:
                return {"valueString": value}
            return {"valueDateTime": instant(moment) if moment.tzinfo else value}
        return {"valueString": value}
    return None


def inputs(payload: dict[str, Any]) -> list[dict[str, Any]]:
    rows = []
    for key, value in payload.items():
        values = value if isinstance(value, list) else [value]
        for item in values:
            typed = _input_value(item)
            if typed is not None:
                rows.append(
                    {"type": {"coding": [coding(systems.TASK_INPUT, key)], "text": key}} | typed
                )
    return rows


def focus_of(event: CaseEvent) -> dict[str, Any]:
    if event.case.kind == CaseKind.SIP:
        return {"reference": f"CarePlan/{event.case_id}"}
    return {"reference": f"Encounter/{event.case_id}"}


def to_fhir(event: CaseEvent) -> dict[str, Any]:
    recipients = list(event.recipients.all())
    acknowledged = [r for r in recipients if r.acknowledged_at is not None]
    retracted = event.retracted_at is not None
    resource: dict[str, Any] = {
        "resourceType": "Task",
        "id": str(event.pk),
        "meta": event_meta(event),
        "status": "cancelled" if retracted else "completed",
        "statusReason": {"text": event.retraction_reason} if retracted else None,
        "businessStatus": {
            "text": f"{len(acknowledged)} av {len(recipients)} mottagare har kvitterat"
        }
        if recipients
        else None,
        "intent": "order",
        "code": {
            "coding": [coding(systems.EVENT_TYPE, event.type, event.get_type_display())],
            "text": str(event.get_type_display()),
        },
        "focus": focus_of(event),
        "for": patient_reference(event.case.patient),
        "encounter": encounter_reference(event),
        "executionPeriod": {"start": instant(event.effective_at)},
        "authoredOn": instant(event.recorded_at),
        "lastModified": instant(event.retracted_at or event.recorded_at),
        "requester": author_reference(event),
        "owner": unit_reference(recipients[0].unit) if len(recipients) == 1 else None,
        "note": [{"text": event.text}] if event.text else None,
        "restriction": {"recipient": [unit_reference(r.unit) for r in recipients]}
        if recipients
        else None,
        "input": inputs(event.payload),
        "output": [
            {
                "type": {"text": "kvitterad"},
                "valueReference": unit_reference(r.unit),
            }
            for r in acknowledged
        ],
    }
    return prune(resource)


class TaskType(CaseEventResource):
    name = "Task"
    search_params = {
        "encounter": "reference",
        "focus": "reference",
        "patient": "reference",
        "subject": "reference",
        "code": "token",
        "status": "token",
        "_lastUpdated": "date",
    }
    creatable = True

    def visible(self, client: ClientRequest) -> QuerySet[CaseEvent]:
        return self.events(client).exclude(type__in=NOT_TASKS)

    def filter(self, rows: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        if name in {"encounter", "focus"}:
            kind = "Encounter" if name == "encounter" or value.startswith("Encounter/") else ""
            case_id = parse_reference_id(value, kind or "CarePlan")
            if case_id is None:
                raise ApiError(400, "bad-search", "invalid", {"param": name})
            return rows.filter(case_id=int(case_id))
        if name == "code":
            codes = [token(v)[1] for v in value.split(",")]
            return rows.filter(type__in=codes)
        if name == "status":
            wanted = set(value.split(","))
            condition = Q(pk__in=[])
            if "completed" in wanted:
                condition |= Q(retracted_at__isnull=True)
            if "cancelled" in wanted:
                condition |= Q(retracted_at__isnull=False)
            return rows.filter(condition)
        if name == "_lastUpdated":
            return rows.filter(
                Q(**date_lookup("recorded_at", value)) | Q(**date_lookup("retracted_at", value))
            )
        return super().filter(rows, name, value)

    def to_fhir(self, row: Any) -> dict[str, Any]:
        return to_fhir(row)


# --- Reading a posted Task into a payload ------------------------------------------------


def _convert(value: Any, annotation: Any, name: str) -> Any:
    origin = typing.get_origin(annotation)
    args = [a for a in typing.get_args(annotation) if a is not type(None)]
    if origin is not None and type(None) in typing.get_args(annotation):
        return _convert(value, args[0], name)
    if annotation is dt.datetime:
        moment = dt.datetime.fromisoformat(str(value).replace("Z", "+00:00"))
        if moment.tzinfo is None:
            raise ValueError(f"{name} needs a time zone")
        return moment
    if annotation is dt.date:
        return dt.date.fromisoformat(str(value))
    if annotation is bool:
        if not isinstance(value, bool):
            raise ValueError(f"{name} must be a boolean")
        return value
    if annotation is int:
        return int(value)
    return str(value)


def payload_from_inputs(event_type: CaseEventType, task: dict[str, Any]) -> p.Payload:
    """The typed payload of the event type, from Task.input (type.coding.code = field name).

    Raises ApiError 422 naming the field that is missing or has the wrong type."""
    cls = p.PAYLOAD_TYPES[event_type]
    hints = typing.get_type_hints(cls)
    given: dict[str, list[Any]] = {}
    for item in task.get("input") or []:
        codes = [c.get("code") for c in (item.get("type") or {}).get("coding") or []]
        key = next((c for c in codes if c), None) or (item.get("type") or {}).get("text")
        values = [v for k, v in item.items() if k.startswith("value")]
        if key and values:
            given.setdefault(key, []).append(values[0])
    kwargs: dict[str, Any] = {}
    for field in dataclasses.fields(cls):
        annotation = hints[field.name]
        if field.name not in given:
            no_default = (
                field.default is dataclasses.MISSING
                and field.default_factory is dataclasses.MISSING
            )
            optional = type(None) in typing.get_args(annotation)
            if no_default and not optional:
                raise _input_error(
                    f"Task.input {field.name} saknas.", f"Task.input {field.name} is missing."
                )
            if no_default:
                kwargs[field.name] = None
            continue
        values = given[field.name]
        try:
            if typing.get_origin(annotation) is list:
                kwargs[field.name] = [str(v) for v in values]
            else:
                kwargs[field.name] = _convert(values[0], annotation, field.name)
        except (ValueError, TypeError) as error:
            raise _input_error(
                f"Task.input {field.name} har fel format ({error}).",
                f"Task.input {field.name} is malformed ({error}).",
            ) from error
    try:
        return cls(**kwargs)
    except (ValueError, TypeError) as error:
        raise _input_error(f"Ogiltigt innehåll: {error}", f"Invalid content: {error}") from error


def _input_error(sv: str, en: str) -> ApiError:
    return ApiError(422, "invalid-input", "invalid", {"sv": sv, "en": en})


def event_type_of(task: dict[str, Any]) -> CaseEventType:
    for item in (task.get("code") or {}).get("coding") or []:
        if item.get("system") == systems.EVENT_TYPE and item.get("code") in CaseEventType.values:
            event_type = CaseEventType(item["code"])
            if event_type in POSTABLE:
                return event_type
    codes = ", ".join(sorted(POSTABLE))
    raise _input_error(
        f"Task.code ska vara en av händelsetyperna i {systems.EVENT_TYPE}: {codes}.",
        f"Task.code must be one of the event types in {systems.EVENT_TYPE}: {codes}.",
    )
