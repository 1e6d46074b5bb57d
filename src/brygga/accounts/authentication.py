"""Authentication is a pluggable step that yields an identity; the directory says who that is.

An identity provider (SITHS card, OIDC, the demo login) produces an IdentityAssertion with
an HSA-id (SITHS) or a personnummer (e-legitimation). `DirectoryBackend` finds the person.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.auth.backends import BaseBackend
from django.http import HttpRequest

from brygga.directory.models import Person


@dataclass(frozen=True)
class IdentityAssertion:
    method: str  # "demo", "siths", "oidc", ...
    hsa_id: str = ""
    personnummer: str = ""

    def __post_init__(self) -> None:
        if not (self.hsa_id or self.personnummer):
            raise ValueError("An identity assertion needs an HSA-id or a personnummer")


def find_person(assertion: IdentityAssertion) -> Person | None:
    people = Person.objects.filter(is_active=True)
    if assertion.hsa_id:
        return people.filter(hsa_id=assertion.hsa_id).first()
    return people.filter(personnummer=assertion.personnummer).first()


class DirectoryBackend(BaseBackend):
    def authenticate(  # type: ignore[override]
        self, request: HttpRequest | None, assertion: IdentityAssertion | None = None, **kwargs: Any
    ) -> Person | None:
        if assertion is None:
            return None
        return find_person(assertion)

    def get_user(self, user_id: int) -> Person | None:
        return Person.objects.filter(pk=user_id, is_active=True).first()
