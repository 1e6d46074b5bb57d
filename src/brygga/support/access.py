"""Who may see and keep which support rows. The only readers of suggestions and contacts.

- Support contacts are kept by the EK administrators of their organisation (only if it has
  its own EK administration, as for the directory) and by central administration for all.
  Every user sees the contacts of the organisation they act for: those for the whole
  organisation and those for their unit or a unit above it.
- A change suggestion is seen by the person who wrote it and by central administration,
  which triages it. Anyone else gets 404, the same answer as for one that does not exist.
- E-learning links and operational news are kept by central administration. Everyone sees
  them (the news also before logging in).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Case, F, IntegerField, Q, QuerySet, Value, When
from django.http import Http404

from brygga.core.actor import Actor
from brygga.directory import access as directory_access
from brygga.directory.models import Organisation, Role, Unit

from .models import Suggestion, SupportContact


def is_central_admin(actor: Actor | None) -> bool:
    return actor is not None and actor.has_role(Role.CENTRAL_ADMIN)


def require_central_admin(actor: Actor) -> None:
    if not is_central_admin(actor):
        raise PermissionDenied


# --- Support contacts ---------------------------------------------------------------------


def contact_organisations(actor: Actor) -> QuerySet[Organisation]:
    """Organisations whose support contacts the actor keeps."""
    if not actor.has_role(Role.EK_ADMIN, Role.CENTRAL_ADMIN):
        return Organisation.objects.none()
    return directory_access.manageable_organisations(actor)


def may_keep_contacts(actor: Actor) -> bool:
    return is_central_admin(actor) or directory_access.managed_organisation(actor) is not None


def require_contact_keeper(actor: Actor) -> None:
    if not may_keep_contacts(actor):
        raise PermissionDenied


def manageable_contacts(actor: Actor) -> QuerySet[SupportContact]:
    return SupportContact.objects.filter(organisation__in=contact_organisations(actor))


def access_contact(actor: Actor, pk: int) -> SupportContact:
    contact = (
        manageable_contacts(actor).select_related("organisation", "unit").filter(pk=pk).first()
    )
    if contact is None:
        raise Http404
    return contact


def unit_and_ancestor_ids(unit: Unit) -> list[int]:
    """The unit and every unit above it, nearest first."""
    ids: list[int] = []
    current_id: int | None = unit.pk
    while current_id is not None and current_id not in ids:
        ids.append(current_id)
        current_id = Unit.objects.filter(pk=current_id).values_list("parent_id", flat=True).first()
    return ids


def contacts_for(actor: Actor) -> QuerySet[SupportContact]:
    """The support contacts the actor's users turn to, those nearest their unit first."""
    unit = actor.unit
    if unit is None:
        return SupportContact.objects.none()
    ancestors = unit_and_ancestor_ids(unit)
    # The unit's own contacts first, then those of the units above it, the whole
    # organisation's last (the same order on every database).
    nearness = Case(
        *(
            When(unit_id=unit_id, then=Value(position))
            for position, unit_id in enumerate(ancestors)
        ),
        default=Value(len(ancestors)),
        output_field=IntegerField(),
    )
    return (
        SupportContact.objects.filter(organisation_id=unit.organisation_id)
        .filter(Q(unit__isnull=True) | Q(unit_id__in=ancestors))
        .select_related("unit")
        .annotate(nearness=nearness)
        .order_by("nearness", "order", "name")
    )


# --- Suggestions --------------------------------------------------------------------------


def own_suggestions(actor: Actor) -> QuerySet[Suggestion]:
    if actor.person is None:
        return Suggestion.objects.none()
    return Suggestion.objects.filter(submitted_by=actor.person)


def visible_suggestions(actor: Actor) -> QuerySet[Suggestion]:
    if is_central_admin(actor):
        return Suggestion.objects.all()
    return own_suggestions(actor)


def access_suggestion(actor: Actor, pk: int) -> Suggestion:
    suggestion = visible_suggestions(actor).filter(pk=pk).first()
    if suggestion is None:
        raise Http404
    return suggestion


def is_submitter(actor: Actor, suggestion: Suggestion) -> bool:
    return actor.person is not None and suggestion.submitted_by_id == actor.person.pk


def unseen_suggestion_count(actor: Actor) -> int:
    """The actor's suggestions with an answer or a new status they have not looked at."""
    return (
        own_suggestions(actor)
        .filter(updated_for_submitter_at__isnull=False)
        .filter(
            Q(seen_by_submitter_at__isnull=True)
            | Q(seen_by_submitter_at__lt=F("updated_for_submitter_at"))
        )
        .count()
    )
