"""Small building blocks shared by the resource mappings."""

from __future__ import annotations

import datetime as dt
from typing import Any

from brygga.directory.models import Unit
from brygga.patients.models import Patient

from .. import systems


def instant(moment: dt.datetime | None) -> str | None:
    """An aware datetime as a FHIR instant/dateTime in UTC."""
    if moment is None:
        return None
    return moment.astimezone(dt.UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def date(day: dt.date | None) -> str | None:
    return day.isoformat() if day is not None else None


def prune(value: Any) -> Any:
    """Drop None, empty strings, lists and dicts: FHIR forbids empty elements."""
    if isinstance(value, dict):
        pruned = {k: prune(v) for k, v in value.items()}
        return {k: v for k, v in pruned.items() if v not in (None, "", [], {})}
    if isinstance(value, list):
        items = [prune(v) for v in value]
        return [v for v in items if v not in (None, "", [], {})]
    return value


def patient_reference(patient: Patient) -> dict[str, Any]:
    return {
        "reference": f"Patient/{patient.pk}",
        "identifier": {
            "system": patient.identity.fhir_system,
            "value": patient.identity_number,
        },
        "display": patient.full_name,
    }


def unit_reference(unit: Unit) -> dict[str, Any]:
    return {
        "reference": f"Organization/{unit.pk}",
        "identifier": {"system": systems.HSA_ID, "value": unit.hsa_id},
        "display": unit.name,
    }


def coding(system: str, code: str, display: str = "") -> dict[str, Any]:
    return prune({"system": system, "code": code, "display": display})


def meta(version: int | str, last_updated: dt.datetime | None) -> dict[str, Any]:
    return prune({"versionId": str(version), "lastUpdated": instant(last_updated)})
