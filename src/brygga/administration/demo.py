"""Demo orders: one of each queue has something waiting, written through the actions;
and recent use of the commissions at the personas' units, for the managers' access review.

- Ingela, manager at Vårdcentral Solna Centrum, has ordered a new vårdcentral (waits for
  central administration, Eva).
- Lars, manager at ward G61, has ordered access for a new nurse (waits for Region
  Stockholm's EK administrator, Sofia).
- Tore, manager at Husläkarna i Roslagen (a provider without its own EK administrator),
  has ordered access for a new district nurse (waits for central administration, Eva).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from brygga.core.actor import Actor
from brygga.demo.world import DemoWorld, make_test_personnummer
from brygga.directory.actions import mark_commission_used
from brygga.directory.models import CareType, Person, Role
from brygga.patients.models import Patient

from . import actions
from .models import AccessOrder, UnitOrder


def _manager(world: DemoWorld, name: str) -> Actor:
    commission = world.commissions_of(name, Role.MANAGER)[0]
    return Actor(person=world.person(name), commission=commission)


def _free_personnummer(born: dt.date, *, female: bool) -> str:
    """A test personnummer no demo person or patient has."""
    taken = set(Person.objects.exclude(personnummer=None).values_list("personnummer", flat=True))
    taken |= set(Patient.objects.values_list("identity_number", flat=True))
    for number in range(980 if female else 981, 1000, 2):
        candidate = make_test_personnummer(born, number)
        if candidate not in taken:
            return candidate
    raise ValueError(f"No free test personnummer on {born}")  # pragma: no cover


def _recent_use(world: DemoWorld, *, now: dt.datetime) -> None:
    """Give the access review something to show: when staff at the personas' units last
    chose their commission. The newest member of each unit has never logged in."""
    for unit_key in ("ks_solna_g61", "vc_solna", "vc_norrtalje"):
        commissions = sorted(world.commissions_at(unit_key), key=lambda c: c.pk)
        for index, commission in enumerate(commissions[:-1]):
            if commission.valid_to is not None and commission.valid_to < now.date():
                used = dt.datetime.combine(commission.valid_to, dt.time(15, 10), tzinfo=dt.UTC)
            else:
                used = now - dt.timedelta(hours=3 + 29 * index)
            mark_commission_used(commission=commission, now=used)


def load(world: DemoWorld, *, today: dt.date, now: dt.datetime) -> None:
    _recent_use(world, now=now)
    actions.submit_new_unit_order(
        actor=_manager(world, "ingela"),
        name="Vårdcentral Solna Arenastaden",
        hsa_id="SE2321000016-E0708",
        care_type=CareType.PRIMARY_CARE,
        start_on=today + dt.timedelta(days=30),
        municipality_code="0184",
        phone="08-465 004 40",
        functional_mailbox="vc.arenastaden@example.se",
        comment="Ny mottagning i Arenastaden. Listning öppnar samma dag.",
        attested=True,
        now=now - dt.timedelta(hours=20),
    )
    actions.submit_access_grant(
        actor=_manager(world, "lars"),
        given_name="Sanna",
        family_name="Öhrn",
        personnummer=_free_personnummer(dt.date(1994, 9, 29), female=True),
        title="Sjuksköterska",
        email="sanna.ohrn@example.se",
        role=Role.USER,
        valid_from=today,
        comment="Nyanställd, börjar på avdelningen i dag.",
        attested=True,
        now=now - dt.timedelta(hours=3),
    )
    actions.submit_access_grant(
        actor=_manager(world, "tore"),
        given_name="Jonna",
        family_name="Berglöf",
        personnummer=_free_personnummer(dt.date(1987, 1, 30), female=True),
        title="Distriktssköterska",
        role=Role.USER,
        valid_from=today,
        valid_to=today + dt.timedelta(days=180),
        comment="Vikariat under sex månader.",
        attested=True,
        now=now - dt.timedelta(hours=5),
    )


def matrix_subjects(world: DemoWorld) -> dict[str, list[Any]]:
    """URL arguments for the permission matrix: the demo's own orders and a commission."""
    lars_unit = world.commissions_of("lars", Role.MANAGER)[0].unit_id
    unit_order = UnitOrder.objects.get(ordered_by=world.person("ingela"))
    access_order = AccessOrder.objects.get(ordering_unit_id=lars_unit)
    anna = world.commissions_of("anna")[0]
    return {
        "unit_order_kind": ["ny-enhet"],
        "unit_order": [unit_order.pk],
        "access_order": [access_order.pk],
        "unit_commission": [anna.pk],
    }
