"""Who acts: a person acting for one commission (unit and role), a system client (an EHR
acting for one unit through the FHIR API), or the system itself."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from brygga.directory.models import Commission, Organisation, Person, Unit

# A system client acts like a care user of its unit: it may see and record in the unit's
# cases, nothing administrative. The value is brygga.directory.models.Role.USER (not
# imported: the directory imports this module).
CLIENT_ROLE = "user"


@dataclass(frozen=True)
class SystemClient:
    """An OAuth 2.0 client (for example a ward's EHR) and the unit it acts for now."""

    client_id: str
    name: str
    unit: Unit | None


@dataclass(frozen=True)
class Actor:
    person: Person | None
    commission: Commission | None
    system_name: str = ""
    client: SystemClient | None = None

    @classmethod
    def system(cls, name: str) -> Actor:
        """For management commands and background work, which act for no unit."""
        return cls(person=None, commission=None, system_name=name)

    @classmethod
    def for_client(cls, client_id: str, name: str, unit: Unit | None) -> Actor:
        """A system client (EHR) acting for one of the units it is registered for."""
        return cls(person=None, commission=None, client=SystemClient(client_id, name, unit))

    @property
    def unit(self) -> Unit | None:
        if self.commission is not None:
            return self.commission.unit
        return self.client.unit if self.client is not None else None

    @property
    def organisation(self) -> Organisation | None:
        unit = self.unit
        return unit.organisation if unit is not None else None

    @property
    def role(self) -> str:
        if self.commission is not None:
            return self.commission.role
        if self.client is not None and self.client.unit is not None:
            return CLIENT_ROLE
        return ""

    def has_role(self, *roles: str) -> bool:
        role = self.role
        return bool(role) and role in roles

    @property
    def label(self) -> str:
        if self.person is not None:
            return self.person.hsa_id
        if self.client is not None:
            return f"client:{self.client.client_id}"
        return f"system:{self.system_name}"
