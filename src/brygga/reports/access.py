"""Who may see the follow-up figures, and of which cases. The only place that decides it.

The figures are aggregates and hold no patient data, but they are management information,
and a small count can point out a patient (see `counting.suppress`). So:

- **central administration** (Role.CENTRAL_ADMIN) sees the whole region;
- **managers and invoicing** (Role.MANAGER, Role.INVOICING) of the *region* (an organisation
  of kind REGION) see the whole region: the region runs the inpatient care and pays for
  follow-up across all municipalities;
- **managers and invoicing of a municipality or a private care provider** see the stays
  where one of their organisation's units is a current party: a municipality its own
  residents' stays, wherever they were treated; a private primary-care provider its listed
  patients' stays;
- everybody else — users in the worklists (Role.USER), EK administrators — gets 403: the
  unit's manager follows up, the staff work in the worklist.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, QuerySet
from django.utils.translation import gettext as _

from brygga.cases.models import Case, CaseKind, CaseParty
from brygga.core.actor import Actor
from brygga.directory.models import OrganisationKind, Role

REGION_ROLES = (Role.CENTRAL_ADMIN,)
FOLLOW_UP_ROLES = (Role.CENTRAL_ADMIN, Role.MANAGER, Role.INVOICING)


@dataclass(frozen=True)
class Scope:
    """The cases an actor's figures are computed over."""

    organisation_id: int | None  # None: the whole region
    label: str  # Swedish, shown on the page and in the CSV

    @property
    def is_region(self) -> bool:
        return self.organisation_id is None


def may_follow_up(actor: Actor) -> bool:
    return actor.has_role(*FOLLOW_UP_ROLES)


def report_scope(actor: Actor) -> Scope:
    """The actor's scope, or PermissionDenied (403) for roles that do not follow up."""
    if not may_follow_up(actor) or actor.organisation is None:
        raise PermissionDenied
    organisation = actor.organisation
    if actor.has_role(*REGION_ROLES) or organisation.kind == OrganisationKind.REGION:
        return Scope(organisation_id=None, label=_("Hela regionen"))
    return Scope(
        organisation_id=organisation.pk,
        label=_("Vårdtillfällen där %(organisation)s är part") % {"organisation": organisation},
    )


def stays_in_scope(scope: Scope) -> QuerySet[Case]:
    """Inpatient stays (not SIP cases) the scope covers."""
    stays = Case.objects.filter(kind=CaseKind.STAY)
    if scope.organisation_id is None:
        return stays
    party = CaseParty.objects.filter(
        case=OuterRef("pk"), active=True, unit__organisation_id=scope.organisation_id
    )
    return stays.filter(Exists(party))
