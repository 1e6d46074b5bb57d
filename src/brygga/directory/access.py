"""The one place that decides which directory rows an administrator may see and manage.

Only EK administrators and central administration use the directory pages. Central
administration manages everything. An EK administrator manages their own organisation
(the organisation of the unit their commission is at), and only if that organisation has
its own EK administration: private providers without one send their forms to central
administration (DOMAIN.md §6). Within the organisation they manage its units, the persons
whose HSA-id is issued under its organisation number, and the commissions at its units.

What an EK administrator may not manage they may not see either: `access_*` raises
Http404 for rows outside their reach, the same answer as for rows that do not exist.
Persons holding a central administration commission, and such commissions themselves, are
managed by central administration only, so that no local administrator can grant, change
or take away the rights that reach every organisation.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, QuerySet
from django.http import Http404

from brygga.core.actor import Actor

from .models import Commission, Organisation, Person, Role, Unit

DIRECTORY_ROLES = (Role.EK_ADMIN, Role.CENTRAL_ADMIN)


def may_use_directory(actor: Actor) -> bool:
    return actor.has_role(*DIRECTORY_ROLES)


def require_directory_admin(actor: Actor) -> None:
    """Turn away everyone but EK administrators and central administration (403)."""
    if not may_use_directory(actor):
        raise PermissionDenied


def is_central_admin(actor: Actor) -> bool:
    return actor.has_role(Role.CENTRAL_ADMIN)


def managed_organisation(actor: Actor) -> Organisation | None:
    """The one organisation an EK administrator manages, or None (also for central admins)."""
    if not actor.has_role(Role.EK_ADMIN):
        return None
    organisation = actor.organisation
    if organisation is None or not organisation.has_own_ek_admin:
        return None
    return organisation


def hsa_prefix(organisation: Organisation) -> str:
    """HSA-ids issued under an organisation start with this."""
    return f"SE{organisation.org_number}-"


def may_create_organisation(actor: Actor) -> bool:
    return is_central_admin(actor)


def may_change_organisation_identity(actor: Actor) -> bool:
    """Organisation number, kind and whether it has its own EK administration."""
    return is_central_admin(actor)


def grantable_roles(actor: Actor) -> list[Role]:
    """Roles the actor may put on a commission."""
    if is_central_admin(actor):
        return list(Role)
    if managed_organisation(actor) is None:
        return []
    return [role for role in Role if role != Role.CENTRAL_ADMIN]


def manageable_organisations(actor: Actor) -> QuerySet[Organisation]:
    if is_central_admin(actor):
        return Organisation.objects.all()
    organisation = managed_organisation(actor)
    if organisation is None:
        return Organisation.objects.none()
    return Organisation.objects.filter(pk=organisation.pk)


def manageable_units(actor: Actor) -> QuerySet[Unit]:
    if is_central_admin(actor):
        return Unit.objects.all()
    organisation = managed_organisation(actor)
    if organisation is None:
        return Unit.objects.none()
    return Unit.objects.filter(organisation=organisation)


def _central_admin_commissions() -> QuerySet[Commission]:
    return Commission.objects.filter(person=OuterRef("pk"), role=Role.CENTRAL_ADMIN)


def manageable_persons(actor: Actor) -> QuerySet[Person]:
    if is_central_admin(actor):
        return Person.objects.all()
    organisation = managed_organisation(actor)
    if organisation is None:
        return Person.objects.none()
    return Person.objects.filter(hsa_id__startswith=hsa_prefix(organisation)).exclude(
        Exists(_central_admin_commissions())
    )


def manageable_commissions(actor: Actor) -> QuerySet[Commission]:
    if is_central_admin(actor):
        return Commission.objects.all()
    organisation = managed_organisation(actor)
    if organisation is None:
        return Commission.objects.none()
    return Commission.objects.filter(unit__organisation=organisation).exclude(
        role=Role.CENTRAL_ADMIN
    )


def access_organisation(actor: Actor, pk: int) -> Organisation:
    organisation = manageable_organisations(actor).filter(pk=pk).first()
    if organisation is None:
        raise Http404
    return organisation


def access_unit(actor: Actor, pk: int) -> Unit:
    unit = manageable_units(actor).select_related("organisation", "parent").filter(pk=pk).first()
    if unit is None:
        raise Http404
    return unit


def access_person(actor: Actor, pk: int) -> Person:
    person = manageable_persons(actor).filter(pk=pk).first()
    if person is None:
        raise Http404
    return person


def access_commission(actor: Actor, pk: int) -> Commission:
    commission = (
        manageable_commissions(actor)
        .select_related("person", "unit", "unit__organisation")
        .filter(pk=pk)
        .first()
    )
    if commission is None:
        raise Http404
    return commission


def manageable_person_ids(actor: Actor, person_ids: Iterable[int]) -> set[int]:
    """Which of these persons the actor may open (to decide where to link)."""
    return set(
        manageable_persons(actor).filter(pk__in=list(person_ids)).values_list("pk", flat=True)
    )


def may_manage_organisation(actor: Actor, organisation: Organisation) -> bool:
    return manageable_organisations(actor).filter(pk=organisation.pk).exists()


def may_manage_unit(actor: Actor, unit: Unit) -> bool:
    return manageable_units(actor).filter(pk=unit.pk).exists()


def may_manage_person(actor: Actor, person: Person) -> bool:
    return manageable_persons(actor).filter(pk=person.pk).exists()


def may_manage_commission(actor: Actor, commission: Commission) -> bool:
    return manageable_commissions(actor).filter(pk=commission.pk).exists()
