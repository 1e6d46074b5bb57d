"""A system client acts like a care user of its unit, and only of that unit."""

from __future__ import annotations

from typing import Any

import pytest

from brygga.cases.access import open_cases_of_unit_for_system, visible_cases
from brygga.core.actor import Actor
from brygga.testing import commission_of

pytestmark = pytest.mark.django_db


def test_a_client_sees_its_units_cases_like_a_user_of_the_unit(demo: Any) -> None:
    anna = commission_of(demo.person("anna"))
    client = Actor.for_client("takecare-g61", "TakeCare G61", anna.unit)
    assert client.label == "client:takecare-g61"
    assert client.unit == anna.unit and client.has_role("user") and not client.has_role("manager")
    as_anna = Actor(person=demo.person("anna"), commission=anna)
    assert set(visible_cases(client)) == set(visible_cases(as_anna))


def test_a_client_without_a_unit_sees_nothing_and_is_not_the_system(demo: Any) -> None:
    anna = commission_of(demo.person("anna"))
    client = Actor.for_client("takecare-g61", "TakeCare G61", None)
    assert client.role == "" and not visible_cases(client).exists()
    with pytest.raises(PermissionError):
        open_cases_of_unit_for_system(
            Actor.for_client("takecare-g61", "TakeCare G61", anna.unit), anna.unit.pk
        )
