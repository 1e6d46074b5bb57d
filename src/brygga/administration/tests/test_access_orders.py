"""Personal access: the manager orders and attests, the EK administrator (or central
administration for providers without one) registers, and the commission starts or ends."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from brygga.administration import access, actions
from brygga.administration.actions import OrderPermissionError
from brygga.administration.models import AccessOrder, AccessOrderKind, OrderStatus, StepKind
from brygga.audit.events import AuditEventType
from brygga.audit.models import AuditEntry
from brygga.demo.world import make_test_personnummer
from brygga.directory.models import Commission, Person, Role
from brygga.directory.rules import commission_state

from .conftest import ActorOf

pytestmark = pytest.mark.django_db

NEW_NURSE = make_test_personnummer(dt.date(1991, 2, 28), 982)


def grant(actor: Any, **overrides: Any) -> AccessOrder:
    values: dict[str, Any] = {
        "given_name": "Tilda",
        "family_name": "Ekholm",
        "personnummer": NEW_NURSE,
        "title": "Sjuksköterska",
        "valid_from": timezone.localdate(),
        "attested": True,
    }
    return actions.submit_access_grant(actor=actor, **(values | overrides))


def audit_types(order: AccessOrder) -> list[int]:
    return list(
        AuditEntry.objects.filter(
            object_type="administration.accessorder", object_id=str(order.pk)
        ).values_list("event_type", flat=True)
    )


def test_order_registered_by_the_ek_admin_gives_a_working_commission(actor_of: ActorOf) -> None:
    lars, sofia = actor_of("lars"), actor_of("sofia")
    order = grant(lars, comment="Nyanställd")
    assert order.status == OrderStatus.SUBMITTED and order.person is None
    assert order in access.access_order_queue(sofia)
    # Solna stad's EK administrator neither sees nor registers the region's orders.
    per = actor_of("per")
    assert order not in access.visible_access_orders(per)
    with pytest.raises(OrderPermissionError):
        actions.register_access_order(actor=per, order=order, hsa_id="SE2199001849-X1")

    with pytest.raises(ValidationError) as missing:
        actions.register_access_order(actor=sofia, order=order)
    assert "hsa_id" in missing.value.error_dict
    registered = actions.register_access_order(
        actor=sofia, order=order, hsa_id="SE2321000016-P9001"
    )
    person = Person.objects.get(hsa_id="SE2321000016-P9001")
    assert person.personnummer == NEW_NURSE and person.full_name == "Tilda Ekholm"
    commission = registered.commission
    assert commission is not None and commission.person == person
    assert commission.unit == lars.unit and commission.role == Role.USER
    assert commission.is_valid(timezone.localdate())
    assert registered.status == OrderStatus.REGISTERED and registered.decided_by == sofia.person
    assert [s.kind for s in registered.steps.all()] == [StepKind.SUBMITTED, StepKind.REGISTERED]
    assert audit_types(order) == [
        AuditEventType.ACCESS_ORDER_SUBMITTED,
        AuditEventType.ACCESS_ORDER_REGISTERED,
    ]
    assert AuditEntry.objects.filter(
        event_type=AuditEventType.COMMISSION_CREATED, object_id=str(commission.pk)
    ).exists()


def test_time_limited_access_ends_on_its_last_day(actor_of: ActorOf) -> None:
    today = timezone.localdate()
    order = grant(actor_of("lars"), valid_to=today + dt.timedelta(days=90))
    actions.register_access_order(actor=actor_of("sofia"), order=order, hsa_id="SE2321000016-P9001")
    order.refresh_from_db()
    commission = order.commission
    assert commission is not None
    assert commission.valid_to == today + dt.timedelta(days=90)
    assert not commission.is_valid(today + dt.timedelta(days=91))


def test_a_person_already_in_the_directory_is_reused(actor_of: ActorOf, demo: Any) -> None:
    maria = demo.person("maria")
    order = grant(
        actor_of("lars"),
        given_name="Maria",
        family_name="Svensson",
        personnummer=maria.personnummer,
    )
    assert order.person == maria
    actions.register_access_order(actor=actor_of("sofia"), order=order)
    assert Commission.objects.filter(person=maria, unit=actor_of("lars").unit).exists()
    assert Person.objects.filter(personnummer=maria.personnummer).count() == 1


def test_provider_without_ek_admin_goes_to_central_administration(actor_of: ActorOf) -> None:
    tore, eva, sofia = actor_of("tore"), actor_of("eva"), actor_of("sofia")
    order = grant(tore)
    assert order in access.access_order_queue(eva)
    assert order not in access.visible_access_orders(sofia)
    # Region orders are not in central administration's own queue, but it may help out.
    region_order = grant(
        actor_of("lars"), personnummer=make_test_personnummer(dt.date(1990, 5, 5), 984)
    )
    assert region_order not in access.access_order_queue(eva)
    assert region_order in access.access_order_queue(eva, everything=True)
    actions.register_access_order(actor=eva, order=order, hsa_id="SE5569900227-P9001")
    order.refresh_from_db()
    assert order.commission is not None and order.commission.unit == tore.unit


def test_ordering_is_for_managers_attested_and_sensible(actor_of: ActorOf, demo: Any) -> None:
    with pytest.raises(OrderPermissionError):
        grant(actor_of("anna"))
    with pytest.raises(OrderPermissionError):
        grant(actor_of("sofia"))
    with pytest.raises(ValidationError) as unattested:
        grant(actor_of("lars"), attested=False)
    assert "attested" in unattested.value.error_dict
    with pytest.raises(ValidationError) as past:
        grant(actor_of("lars"), valid_from=timezone.localdate() - dt.timedelta(days=1))
    assert "valid_from" in past.value.error_dict
    with pytest.raises(ValidationError):
        grant(actor_of("lars"), personnummer="19121212-1213")  # wrong check digit
    anna = demo.person("anna")
    with pytest.raises(ValidationError, match="har redan behörighet"):
        grant(actor_of("lars"), personnummer=anna.personnummer)
    with pytest.raises(OrderPermissionError):
        grant(actor_of("lars"), personnummer=demo.person("lars").personnummer)
    grant(actor_of("lars"))
    with pytest.raises(ValidationError, match="redan en inskickad beställning"):
        grant(actor_of("lars"))
    assert AccessOrder.objects.filter(personnummer=NEW_NURSE).count() == 1


def test_revoke_ends_the_commission_after_the_last_day(actor_of: ActorOf, demo: Any) -> None:
    lars, sofia = actor_of("lars"), actor_of("sofia")
    today = timezone.localdate()
    anna_commission = Commission.objects.get(person=demo.person("anna"))
    order = actions.submit_access_revoke(
        actor=lars, commission=anna_commission, last_day=today + dt.timedelta(days=7), attested=True
    )
    assert order.kind == AccessOrderKind.REVOKE and order.person == demo.person("anna")
    with pytest.raises(ValidationError, match="redan avbeställd"):
        actions.submit_access_revoke(
            actor=lars, commission=anna_commission, last_day=today, attested=True
        )
    actions.register_access_order(actor=sofia, order=order)
    anna_commission.refresh_from_db()
    assert anna_commission.valid_to == today + dt.timedelta(days=7)
    assert anna_commission.is_valid(today)


def test_revoke_registered_after_the_last_day_ends_at_once(actor_of: ActorOf, demo: Any) -> None:
    today = timezone.localdate()
    commission = Commission.objects.get(person=demo.person("anna"))
    order = actions.submit_access_revoke(
        actor=actor_of("lars"),
        commission=commission,
        last_day=today - dt.timedelta(days=3),
        attested=True,
        now=timezone.now() - dt.timedelta(days=3),
    )
    actions.register_access_order(actor=actor_of("sofia"), order=order)
    commission.refresh_from_db()
    assert commission_state(commission, today) == "ended"


def test_revoke_only_at_the_managers_unit_and_not_ones_own(actor_of: ActorOf, demo: Any) -> None:
    lars = actor_of("lars")
    today = timezone.localdate()
    maria = Commission.objects.get(person=demo.person("maria"))
    with pytest.raises(OrderPermissionError):
        actions.submit_access_revoke(actor=lars, commission=maria, last_day=today, attested=True)
    assert lars.commission is not None
    with pytest.raises(OrderPermissionError):
        actions.submit_access_revoke(
            actor=lars, commission=lars.commission, last_day=today, attested=True
        )


def test_reject_and_cancel(actor_of: ActorOf) -> None:
    lars, sofia = actor_of("lars"), actor_of("sofia")
    order = grant(lars)
    with pytest.raises(ValidationError):
        actions.reject_access_order(actor=sofia, order=order, reason="")
    actions.reject_access_order(actor=sofia, order=order, reason="Personen saknar SITHS-kort.")
    order.refresh_from_db()
    assert order.status == OrderStatus.REJECTED
    with pytest.raises(ValidationError):
        actions.register_access_order(actor=sofia, order=order, hsa_id="SE2321000016-P9001")
    again = grant(lars)
    with pytest.raises(OrderPermissionError):
        actions.cancel_access_order(actor=actor_of("ingela"), order=again)
    actions.cancel_access_order(actor=lars, order=again)
    again.refresh_from_db()
    assert again.status == OrderStatus.CANCELLED
    assert audit_types(again)[-1] == AuditEventType.ACCESS_ORDER_CANCELLED
    assert not Commission.objects.filter(person__personnummer=NEW_NURSE).exists()
