"""Authentication is a pluggable step that yields an identity; the directory says who that is.

An identity provider (SITHS card through the proxy, OpenID Connect, the demo login) produces
an IdentityAssertion with an HSA-id (SITHS) or a personnummer (e-legitimation).
`identify` finds the person in the directory, or says why not; `DirectoryBackend` is the
same lookup as a Django authentication backend.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.backends import BaseBackend
from django.http import HttpRequest

from brygga.directory.identifiers import InvalidIdentifier, validate_hsa_id
from brygga.directory.models import Person

# Refusal reasons (the access log's `details["reason"]`, and which explanation is shown).
UNKNOWN_PERSON = "unknown_person"
IDENTITY_MISMATCH = "identity_mismatch"

_PERSONNUMMER = re.compile(r"(?:19|20)[0-9]{6}[-+]?[0-9]{4}")


def normalise_hsa_id(value: object) -> str:
    """An HSA-id as the directory stores it, or "" if the value is not an HSA-id."""
    if not isinstance(value, str):
        return ""
    try:
        return validate_hsa_id(value)
    except InvalidIdentifier:
        return ""


def normalise_personnummer(value: object) -> str:
    """A 12-digit personnummer without separator, or "" if the value is not one.

    Identity providers send `personalIdentityNumber` as 12 digits; a separator is tolerated.
    """
    if not isinstance(value, str) or not _PERSONNUMMER.fullmatch(value.strip()):
        return ""
    return re.sub(r"[-+]", "", value.strip())


@dataclass(frozen=True)
class IdentityAssertion:
    method: str  # "demo", "siths", "oidc", ...
    hsa_id: str = ""
    personnummer: str = ""
    # As the identity provider asserted them; the directory's names are the ones shown.
    given_name: str = ""
    family_name: str = ""

    def __post_init__(self) -> None:
        if not (self.hsa_id or self.personnummer):
            raise ValueError("An identity assertion needs an HSA-id or a personnummer")

    def log_details(self) -> dict[str, str]:
        """What the access log keeps of a refused assertion: enough for support to find the
        person, without a whole personnummer (the birth date part only)."""
        details = {"method": self.method}
        if self.hsa_id:
            details["hsa_id"] = self.hsa_id
        if self.personnummer:
            details["personnummer"] = f"{self.personnummer[:8]}-****"
        if self.given_name or self.family_name:
            details["name"] = f"{self.given_name} {self.family_name}".strip()
        return details


@dataclass(frozen=True)
class Identification:
    person: Person | None
    refusal: str = ""  # UNKNOWN_PERSON or IDENTITY_MISMATCH when person is None


def identify(assertion: IdentityAssertion) -> Identification:
    """The active directory person the assertion names.

    An HSA-id (SITHS, or an identity provider that knows the person's HSA-id) decides; a
    personnummer alone (e-legitimation) is looked up as the directory's personnummer. When
    both are asserted they must belong to the same person.
    """
    people = Person.objects.filter(is_active=True)
    if assertion.hsa_id:
        person = people.filter(hsa_id=assertion.hsa_id).first()
        if person is None:
            return Identification(None, UNKNOWN_PERSON)
        if assertion.personnummer and person.personnummer not in (None, "", assertion.personnummer):
            return Identification(None, IDENTITY_MISMATCH)
        return Identification(person)
    person = people.filter(personnummer=assertion.personnummer).first()
    return Identification(person, "" if person else UNKNOWN_PERSON)


def find_person(assertion: IdentityAssertion) -> Person | None:
    return identify(assertion).person


class DirectoryBackend(BaseBackend):
    def authenticate(  # type: ignore[override]
        self, request: HttpRequest | None, assertion: IdentityAssertion | None = None, **kwargs: Any
    ) -> Person | None:
        if assertion is None:
            return None
        return find_person(assertion)

    def get_user(self, user_id: int) -> Person | None:
        return Person.objects.filter(pk=user_id, is_active=True).first()
