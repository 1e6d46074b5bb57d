"""Organization: the directory's units (enheter, HSA-id) and organisations (vårdgivare and
huvudmän, organisationsnummer). A unit's id is its number; an organisation's is "org-N"."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from brygga.directory.models import Organisation, Unit

from .. import systems
from ..api import ClientRequest
from ..errors import ApiError
from .base import ResourceType, token
from .common import coding, prune

ORG_PREFIX = "org-"


def unit_to_fhir(unit: Unit) -> dict[str, Any]:
    telecom = [
        {"system": "phone", "value": unit.phone, "use": "work"} if unit.phone else None,
        {"system": "fax", "value": unit.fax, "use": "work"} if unit.fax else None,
        {"system": "email", "value": unit.functional_mailbox, "use": "work"}
        if unit.functional_mailbox
        else None,
    ]
    parent = (
        {"reference": f"Organization/{unit.parent_id}", "display": unit.parent.name}
        if unit.parent is not None
        else {
            "reference": f"Organization/{ORG_PREFIX}{unit.organisation_id}",
            "display": unit.organisation.name,
        }
    )
    return prune(
        {
            "resourceType": "Organization",
            "id": str(unit.pk),
            "extension": [{"url": systems.EXT_MUNICIPALITY, "valueCode": unit.municipality_code}]
            if unit.municipality_code
            else [],
            "identifier": [{"system": systems.HSA_ID, "value": unit.hsa_id}],
            "active": unit.is_usable(timezone.localdate()),
            "type": [
                {
                    "coding": [
                        coding(systems.CARE_TYPE, unit.care_type, unit.get_care_type_display())
                    ],
                    "text": str(unit.get_care_type_display()),
                }
            ]
            if unit.care_type
            else [],
            "name": unit.name,
            "telecom": [t for t in telecom if t],
            "address": [{"district": unit.district}] if unit.district else [],
            "partOf": parent,
        }
    )


def organisation_to_fhir(organisation: Organisation) -> dict[str, Any]:
    return prune(
        {
            "resourceType": "Organization",
            "id": f"{ORG_PREFIX}{organisation.pk}",
            "identifier": [
                {"system": systems.ORGANISATION_NUMBER, "value": organisation.org_number}
            ],
            "active": True,
            "type": [{"text": str(organisation.get_kind_display())}],
            "name": organisation.name,
        }
    )


class OrganizationType(ResourceType):
    """Units are searched; organisations are read by id (the units' partOf)."""

    name = "Organization"
    search_params = {"identifier": "token", "name": "string", "type": "token", "active": "token"}

    def visible(self, client: ClientRequest) -> QuerySet[Unit]:
        # The directory is shared across the region's parties (EK): every unit is visible.
        return Unit.objects.select_related("organisation", "parent").order_by("pk")

    def get(self, client: ClientRequest, resource_id: str) -> Any:
        if resource_id.startswith(ORG_PREFIX) and resource_id[len(ORG_PREFIX) :].isdigit():
            organisation = Organisation.objects.filter(
                pk=int(resource_id[len(ORG_PREFIX) :])
            ).first()
            if organisation is None:
                raise ApiError(404, "not-found", "not-found")
            return organisation
        return super().get(client, resource_id)

    def filter(self, rows: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        if name == "identifier":
            system, code = token(value)
            if system and system != systems.HSA_ID:
                return rows.none()
            return rows.filter(hsa_id=code)
        if name == "name":
            return rows.filter(name__icontains=value)
        if name == "type":
            return rows.filter(care_type=token(value)[1])
        if name == "active":
            usable = Unit.objects.usable(timezone.localdate()).values("pk")
            return rows.filter(pk__in=usable) if value == "true" else rows.exclude(pk__in=usable)
        return super().filter(rows, name, value)

    def to_fhir(self, row: Any) -> dict[str, Any]:
        if isinstance(row, Organisation):
            return organisation_to_fhir(row)
        return unit_to_fhir(row)
