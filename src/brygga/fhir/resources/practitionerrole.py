"""PractitionerRole: the commissions (medarbetaruppdrag) at the unit the client acts for.

The person is referred to by HSA-id (there is no Practitioner endpoint); a client sees only
its own unit's commissions, as a manager does in the access review.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from brygga.directory.models import Commission

from .. import systems
from ..api import ClientRequest
from .base import ResourceType, token
from .common import coding, date, prune, unit_reference


def to_fhir(commission: Commission) -> dict[str, Any]:
    person = commission.person
    return prune(
        {
            "resourceType": "PractitionerRole",
            "id": str(commission.pk),
            "active": commission.is_valid(timezone.localdate()),
            "period": {"start": date(commission.valid_from), "end": date(commission.valid_to)},
            "practitioner": {
                "identifier": {"system": systems.HSA_ID, "value": person.hsa_id},
                "display": person.full_name,
            },
            "organization": unit_reference(commission.unit),
            "code": [
                {
                    "coding": [
                        coding(systems.ROLE, commission.role, commission.get_role_display())
                    ],
                    "text": commission.purpose,
                }
            ],
        }
    )


class PractitionerRoleType(ResourceType):
    name = "PractitionerRole"
    search_params = {"practitioner.identifier": "token", "active": "token", "role": "token"}

    def visible(self, client: ClientRequest) -> QuerySet[Commission]:
        unit = client.actor.unit
        return Commission.objects.filter(unit=unit).select_related("person", "unit").order_by("pk")

    def filter(self, rows: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        if name == "practitioner.identifier":
            return rows.filter(person__hsa_id=token(value)[1])
        if name == "role":
            return rows.filter(role=token(value)[1])
        if name == "active":
            valid = Commission.objects.valid(timezone.localdate()).values("pk")
            return rows.filter(pk__in=valid) if value == "true" else rows.exclude(pk__in=valid)
        return super().filter(rows, name, value)

    def to_fhir(self, row: Any) -> dict[str, Any]:
        return to_fhir(row)
