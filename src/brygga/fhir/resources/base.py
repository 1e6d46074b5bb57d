"""What every resource type offers: visible rows, search, mapping and the access log."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, ClassVar

from django.db.models import QuerySet
from django.http import HttpRequest

from brygga.audit.events import AuditEventType
from brygga.audit.log import log_patient_read, record
from brygga.patients.models import Patient

from ..api import ClientRequest
from ..errors import ApiError


class ResourceType:
    name: ClassVar[str]
    # search parameter -> FHIR search parameter type (for the CapabilityStatement)
    search_params: ClassVar[dict[str, str]] = {}
    creatable: ClassVar[bool] = False
    updatable: ClassVar[bool] = False
    read_scope: ClassVar[str] = "system/*.read"

    def visible(self, client: ClientRequest) -> QuerySet[Any]:
        raise NotImplementedError

    def get(self, client: ClientRequest, resource_id: str) -> Any:
        if not resource_id.isdigit():
            raise ApiError(404, "not-found", "not-found")
        row = self.visible(client).filter(pk=int(resource_id)).first()
        if row is None:
            raise ApiError(404, "not-found", "not-found")
        return row

    def search(self, client: ClientRequest, request: HttpRequest) -> QuerySet[Any]:
        rows = self.visible(client)
        for key, value in request.GET.dict().items():
            if key in {"_count", "_offset", "_format"}:
                continue
            name = key.split(":", 1)[0]
            if name == "_id":
                ids = [v for v in value.split(",") if v.isdigit()]
                rows = rows.filter(pk__in=ids)
                continue
            if name not in self.search_params:
                raise ApiError(400, "bad-search", "not-supported", {"param": key})
            rows = self.filter(rows, name, value)
        return rows

    def filter(self, rows: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        raise ApiError(400, "bad-search", "not-supported", {"param": name})

    def to_fhir(self, row: Any) -> dict[str, Any]:
        raise NotImplementedError

    def version(self, row: Any) -> str:
        return "1"

    def patients_of(self, rows: Iterable[Any]) -> list[Patient]:
        """The patients whose data the rows show (for the access log)."""
        return []

    def log_read(self, client: ClientRequest, rows: list[Any], *, search: bool) -> None:
        patients = list({p.pk: p for p in self.patients_of(rows)}.values())
        what = f"FHIR {self.name}" + (" (sökning)" if search else "")
        if patients:
            event = AuditEventType.PATIENT_LISTED if search else AuditEventType.CASE_VIEWED
            log_patient_read(client.actor, event, patients, what=what)
        elif not search or rows:
            record(client.actor, AuditEventType.API_DIRECTORY_READ, details={"what": what})


def parse_reference_id(value: str, resource_type: str) -> str | None:
    """'Patient/12' or '12' -> '12'; anything else None."""
    value = value.strip()
    if value.startswith(f"{resource_type}/"):
        value = value[len(resource_type) + 1 :]
    return value if value.isdigit() else None


def token(value: str) -> tuple[str | None, str]:
    """A token search value: 'system|code' or 'code'."""
    if "|" in value:
        system, code = value.split("|", 1)
        return system, code
    return None, value


def date_lookup(field: str, value: str) -> dict[str, Any]:
    """A date search (`ge2026-01-01`, `lt2026-02-01T12:00:00Z`, `2026-01-05`) as ORM lookups."""
    import datetime as dt

    prefixes = {"ge": "gte", "gt": "gt", "le": "lte", "lt": "lt", "eq": ""}
    prefix = value[:2] if value[:2] in prefixes else "eq"
    raw = value[2:] if value[:2] in prefixes else value
    try:
        if "T" in raw:
            moment = dt.datetime.fromisoformat(raw.replace("Z", "+00:00"))
            if moment.tzinfo is None:
                raise ValueError("a time needs a zone")
            lookup = prefixes[prefix]
            return {f"{field}__{lookup}" if lookup else field: moment}
        day = dt.date.fromisoformat(raw)
    except ValueError as error:
        raise ApiError(400, "bad-search", "invalid", {"param": field}) from error
    lookup = prefixes[prefix]
    return {f"{field}__date__{lookup}" if lookup else f"{field}__date": day}
