"""Checking resources against the FHIR R4 (4.0.1) models of fhirclient (SMART Health IT).

Incoming resources are parsed strictly: a wrong type, a missing required element or an
element R4 does not have is refused with the library's description. Outgoing resources go
through the same models, so a mapping mistake fails loudly in the tests, never silently
at an EHR.
"""

from __future__ import annotations

import re
from typing import Any

from fhirclient.models.fhirabstractbase import FHIRValidationError
from fhirclient.models.fhirelementfactory import FHIRElementFactory

from .errors import ApiError

MAX_DETAILS = 600


# fhirclient names the element by its Python object ("<fhirclient.models.task.Task object
# at 0x7f…>"): an EHR's user needs the FHIR type, not a memory address.
_MODEL_REPR = re.compile(r"<fhirclient\.models\.[\w.]+\.(\w+) object at 0x[0-9a-fA-F]+>")
_KEYWORD_NAME = re.compile(r"\b([a-z]+)_fhir\b")


def _describe(error: Exception) -> str:
    text = _MODEL_REPR.sub(r"\1", str(error))
    # …and element names that are Python keywords by their Python name (class_fhir).
    text = _KEYWORD_NAME.sub(r"\1", text)
    text = " ".join(text.split())
    return text if len(text) <= MAX_DETAILS else text[: MAX_DETAILS - 1] + "…"


def parse(data: Any, expected_type: str) -> Any:
    """The posted resource as an R4 model, or ApiError 400 saying what is wrong."""
    if not isinstance(data, dict) or data.get("resourceType") != expected_type:
        raise ApiError(
            400,
            "invalid-resource",
            "structure",
            {"details": f"resourceType must be {expected_type}"},
        )
    try:
        return FHIRElementFactory.instantiate(expected_type, data)
    except (FHIRValidationError, ValueError, TypeError) as error:
        raise ApiError(
            400, "invalid-resource", "structure", {"details": _describe(error)}
        ) from error


def checked(resource: dict[str, Any]) -> dict[str, Any]:
    """The resource unchanged, after the R4 models accepted it (raises ValueError if not)."""
    try:
        FHIRElementFactory.instantiate(resource["resourceType"], resource)
    except FHIRValidationError as error:
        raise ValueError(f"Brygga built an invalid {resource['resourceType']}: {error}") from error
    return resource
