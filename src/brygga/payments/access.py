"""Who may see and do what with agreements, amounts and the invoicing basis.

- Agreements and amounts: central administration and the region's invoicing role.
- The invoicing basis: the region's invoicing role (Role.INVOICING at a unit of the region)
  sees every municipality and resolves disputes. A municipality sees its own basis only:
  users and managers at its social-services units, and an invoicing commission at one of
  its own units. Everyone else is turned away (403); a case or dispute outside the actor's
  municipality is answered as if it did not exist (404).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404

from brygga.core.actor import Actor
from brygga.directory.models import CareType, OrganisationKind, Role

from .models import Agreement, Dispute

ALL_MUNICIPALITIES = None


def is_region_invoicing(actor: Actor) -> bool:
    organisation = actor.organisation
    return (
        actor.has_role(Role.INVOICING)
        and organisation is not None
        and organisation.kind == OrganisationKind.REGION
    )


def may_manage_agreements(actor: Actor) -> bool:
    return actor.has_role(Role.CENTRAL_ADMIN) or is_region_invoicing(actor)


def require_agreement_admin(actor: Actor) -> None:
    if not may_manage_agreements(actor):
        raise PermissionDenied


def own_municipality(actor: Actor) -> str | None:
    """The municipality code a municipal actor may see the basis of, or None."""
    unit = actor.unit
    organisation = actor.organisation
    if unit is None or organisation is None or organisation.kind != OrganisationKind.MUNICIPALITY:
        return None
    if actor.has_role(Role.USER, Role.MANAGER) and unit.care_type == CareType.SOCIAL_SERVICES:
        return organisation.municipality_code or unit.municipality_code or None
    if actor.has_role(Role.INVOICING):
        return organisation.municipality_code or unit.municipality_code or None
    return None


def may_see_basis(actor: Actor) -> bool:
    return is_region_invoicing(actor) or own_municipality(actor) is not None


def basis_scope(actor: Actor) -> str | None:
    """ALL_MUNICIPALITIES (None) for the region's invoicing role, else the own code (or 403)."""
    if is_region_invoicing(actor):
        return ALL_MUNICIPALITIES
    code = own_municipality(actor)
    if code is None:
        raise PermissionDenied
    return code


def require_municipality(actor: Actor, code: str) -> None:
    """404 unless the actor may see this municipality's basis."""
    scope = basis_scope(actor)
    if scope is not ALL_MUNICIPALITIES and scope != code:
        raise Http404


def may_dispute(actor: Actor) -> bool:
    return own_municipality(actor) is not None


def access_dispute(actor: Actor, dispute_id: int) -> Dispute:
    scope = basis_scope(actor)
    disputes = Dispute.objects.select_related("case__patient")
    if scope is not ALL_MUNICIPALITIES:
        disputes = disputes.filter(municipality_code=scope)
    dispute = disputes.filter(pk=dispute_id).first()
    if dispute is None:
        raise Http404
    return dispute


def access_agreement(actor: Actor, agreement_id: int) -> Agreement:
    require_agreement_admin(actor)
    agreement = Agreement.objects.filter(pk=agreement_id).first()
    if agreement is None:
        raise Http404
    return agreement
