"""Who acts: a person acting for one commission (unit and role), or the system itself."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from brygga.directory.models import Commission, Organisation, Person, Unit


@dataclass(frozen=True)
class Actor:
    person: Person | None
    commission: Commission | None
    system_name: str = ""

    @classmethod
    def system(cls, name: str) -> Actor:
        """For management commands and background work, which act for no unit."""
        return cls(person=None, commission=None, system_name=name)

    @property
    def unit(self) -> Unit | None:
        return self.commission.unit if self.commission else None

    @property
    def organisation(self) -> Organisation | None:
        return self.commission.unit.organisation if self.commission else None

    @property
    def role(self) -> str:
        return self.commission.role if self.commission else ""

    def has_role(self, *roles: str) -> bool:
        return self.commission is not None and self.commission.role in roles

    @property
    def label(self) -> str:
        if self.person is None:
            return f"system:{self.system_name}"
        return self.person.hsa_id
