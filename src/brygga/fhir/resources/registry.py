"""The resource types the API serves, by FHIR name."""

from __future__ import annotations

from .auditevent import AuditEventResource
from .base import ResourceType
from .careplan import CarePlanType
from .communication import CommunicationType
from .encounter import EncounterType
from .organization import OrganizationType
from .patient import PatientType
from .practitionerrole import PractitionerRoleType
from .task import TaskType

RESOURCE_TYPES: dict[str, ResourceType] = {
    t.name: t
    for t in (
        PatientType(),
        EncounterType(),
        TaskType(),
        CommunicationType(),
        CarePlanType(),
        OrganizationType(),
        PractitionerRoleType(),
        AuditEventResource(),
    )
}
