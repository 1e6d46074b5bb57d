"""The one place that decides who sees and handles which orders.

- A manager orders for the unit they act for, and sees that unit's orders and access.
- Central administration decides unit orders and may register any access order; its
  queue is the orders of providers without their own EK administrator.
- An EK administrator registers the access orders of the organisation they manage
  (`brygga.directory.access.managed_organisation`).

Pages turn away roles that have no business here with 403; an order outside the actor's
reach is answered with 404, exactly like one that does not exist.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from brygga.core.actor import Actor
from brygga.directory import access as directory_access
from brygga.directory.models import Commission, Role, Unit, UnitStatus

from .models import AccessOrder, UnitOrder


def is_manager(actor: Actor) -> bool:
    return actor.has_role(Role.MANAGER) and actor.unit is not None


def is_central(actor: Actor) -> bool:
    return actor.has_role(Role.CENTRAL_ADMIN)


def is_registrar(actor: Actor) -> bool:
    """EK administrators and central administration handle access orders."""
    return actor.has_role(Role.EK_ADMIN, Role.CENTRAL_ADMIN)


def require_manager(actor: Actor) -> None:
    if not is_manager(actor):
        raise PermissionDenied


def require_unit_order_user(actor: Actor) -> None:
    if not (is_manager(actor) or is_central(actor)):
        raise PermissionDenied


def require_registrar(actor: Actor) -> None:
    if not is_registrar(actor):
        raise PermissionDenied


def require_access_order_user(actor: Actor) -> None:
    if not (is_manager(actor) or is_registrar(actor)):
        raise PermissionDenied


# Unit orders.


def visible_unit_orders(actor: Actor) -> QuerySet[UnitOrder]:
    if is_central(actor):
        return UnitOrder.objects.all()
    if is_manager(actor):
        return UnitOrder.objects.filter(ordering_unit=actor.unit)
    return UnitOrder.objects.none()


def access_unit_order(actor: Actor, pk: int) -> UnitOrder:
    order = (
        visible_unit_orders(actor)
        .select_related("ordered_by", "ordering_unit", "organisation", "decided_by")
        .filter(pk=pk)
        .first()
    )
    if order is None:
        raise Http404
    return order


def may_decide_unit_order(actor: Actor) -> bool:
    return is_central(actor)


def may_cancel_unit_order(actor: Actor, order: UnitOrder) -> bool:
    return is_manager(actor) and order.ordering_unit_id == actor.unit.pk and order.is_open  # type: ignore[union-attr]


def merge_candidates(actor: Actor) -> QuerySet[Unit]:
    """Units the manager's unit may be merged with: active, same organisation, same care type."""
    unit = actor.unit
    if unit is None:
        return Unit.objects.none()
    return (
        Unit.objects.filter(
            organisation_id=unit.organisation_id,
            care_type=unit.care_type,
            status=UnitStatus.ACTIVE,
        )
        .exclude(care_type="")
        .exclude(pk=unit.pk)
        .order_by("name")
    )


# Access orders.


def registrable_organisation_filter(actor: Actor) -> dict[str, object] | None:
    """The filter of the orders the actor registers, or None if they register none."""
    if is_central(actor):
        return {}
    organisation = directory_access.managed_organisation(actor)
    if organisation is None:
        return None
    return {"organisation": organisation}


def visible_access_orders(actor: Actor) -> QuerySet[AccessOrder]:
    if is_registrar(actor):
        scope = registrable_organisation_filter(actor)
        if scope is None:
            return AccessOrder.objects.none()
        return AccessOrder.objects.filter(**scope)
    if is_manager(actor):
        return AccessOrder.objects.filter(ordering_unit=actor.unit)
    return AccessOrder.objects.none()


def access_order_queue(actor: Actor, *, everything: bool = False) -> QuerySet[AccessOrder]:
    """Orders waiting for the actor to register them.

    Central administration's own queue is the providers without an EK administrator;
    ``everything`` widens it to every organisation (to help out or follow up).
    """
    orders = visible_access_orders(actor).filter(status="submitted")
    if is_central(actor) and not everything:
        orders = orders.filter(organisation__has_own_ek_admin=False)
    return orders


def access_access_order(actor: Actor, pk: int) -> AccessOrder:
    order = (
        visible_access_orders(actor)
        .select_related(
            "ordered_by",
            "ordering_unit",
            "organisation",
            "decided_by",
            "person",
            "commission",
            "commission__person",
        )
        .filter(pk=pk)
        .first()
    )
    if order is None:
        raise Http404
    return order


def may_register(actor: Actor, order: AccessOrder) -> bool:
    if not order.is_open or not is_registrar(actor):
        return False
    scope = registrable_organisation_filter(actor)
    if scope is None:
        return False
    return "organisation" not in scope or scope["organisation"] == order.organisation


def may_cancel_access_order(actor: Actor, order: AccessOrder) -> bool:
    return is_manager(actor) and order.ordering_unit_id == actor.unit.pk and order.is_open  # type: ignore[union-attr]


def unit_commissions(actor: Actor) -> QuerySet[Commission]:
    """The access review: every commission at the manager's unit."""
    if not is_manager(actor):
        return Commission.objects.none()
    return Commission.objects.filter(unit=actor.unit).select_related("person")


def access_unit_commission(actor: Actor, pk: int) -> Commission:
    commission = unit_commissions(actor).filter(pk=pk).first()
    if commission is None:
        raise Http404
    return commission
