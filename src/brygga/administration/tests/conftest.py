"""Actors from the demo region for the order tests."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone

from brygga.core.actor import Actor
from brygga.directory.models import Commission, Role
from brygga.testing import commission_of

ActorOf = Callable[..., Actor]


@pytest.fixture
def actor_of(demo: Any) -> ActorOf:
    """actor_of("ingela") -> the persona acting for their (first matching) commission."""

    def _actor(name: str, role: str | None = None, unit: str | None = None) -> Actor:
        person = demo.person(name)
        return Actor(person=person, commission=commission_of(person, role, unit))

    return _actor


@pytest.fixture
def manager_at(demo: Any) -> Callable[[str], Actor]:
    """A manager commission (for Ingela) at any demo unit, e.g. one without open cases."""

    def _manager(unit_key: str) -> Actor:
        person = demo.person("ingela")
        commission = Commission.objects.create(
            person=person,
            unit=demo.unit(unit_key),
            role=Role.MANAGER,
            valid_from=timezone.localdate() - dt.timedelta(days=30),
        )
        return Actor(person=person, commission=commission)

    return _manager
