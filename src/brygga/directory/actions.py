"""The only writers of directory rows (EK administration).

Every function takes keyword arguments and the acting administrator, re-checks the
actor's right, applies the rules, and writes the row and its audit entry (with the values
before and after) in one transaction: a refused or failed save changes nothing. The
instance passed in is not modified; the saved row is returned.

Refusals are `DirectoryPermissionError` (the actor may not do this here) or Django's
`ValidationError` (the values break a rule), both with Swedish messages and, where they
concern one field, that field's name.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from brygga.audit.events import AuditEventType
from brygga.audit.log import log_change
from brygga.cases.reorganisation import open_cases_at
from brygga.core.actor import Actor

from . import access, rules
from .models import (
    Commission,
    Organisation,
    Person,
    Role,
    Unit,
    UnitStatus,
)

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

M = TypeVar("M", bound=models.Model)

DEFAULT_UNIT_VALID_FROM = dt.date(2018, 1, 1)
DEFAULT_PURPOSE = "Vård och behandling"


class UnitHasOpenCases(ValidationError):
    """A unit with open cases cannot be removed. ``cases`` lists them (no patient data)."""

    def __init__(self, unit: Unit, cases: list[Any]) -> None:
        numbers = ", ".join(str(case.pk) for case in cases[:20])
        more = len(cases) - 20
        message = _(
            "%(unit)s har %(count)s öppna ärenden och kan inte tas bort förrän de är avslutade "
            "eller flyttade: ärende %(numbers)s%(more)s."
        ) % {
            "unit": unit.name,
            "count": len(cases),
            "numbers": numbers,
            "more": _(" och %(n)s till") % {"n": more} if more > 0 else "",
        }
        super().__init__({"status": [message]})
        self.unit = unit
        self.cases = cases


class DirectoryPermissionError(PermissionDenied):
    """The actor may not make this change. ``field`` names the field it concerns, if one."""

    def __init__(self, message: StrOrPromise, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field

    def __str__(self) -> str:
        return str(self.message)


# Snapshots: the JSON-serialisable values the audit row keeps before and after a change.
# Links are kept as the identifiers people know (organisation number, HSA-id).


def _iso(value: dt.date | None) -> str | None:
    return value.isoformat() if value is not None else None


def organisation_snapshot(organisation: Organisation) -> dict[str, Any]:
    return {
        "name": organisation.name,
        "org_number": organisation.org_number,
        "kind": organisation.kind,
        "municipality_code": organisation.municipality_code,
        "has_own_ek_admin": organisation.has_own_ek_admin,
    }


def unit_snapshot(unit: Unit) -> dict[str, Any]:
    return {
        "hsa_id": unit.hsa_id,
        "name": unit.name,
        "organisation": unit.organisation.org_number,
        "parent": unit.parent.hsa_id if unit.parent is not None else None,
        "care_type": unit.care_type,
        "municipality_code": unit.municipality_code,
        "district": unit.district,
        "phone": unit.phone,
        "fax": unit.fax,
        "functional_mailbox": unit.functional_mailbox,
        "status": unit.status,
        "valid_from": _iso(unit.valid_from),
        "valid_to": _iso(unit.valid_to),
    }


def person_snapshot(person: Person) -> dict[str, Any]:
    return {
        "hsa_id": person.hsa_id,
        "given_name": person.given_name,
        "family_name": person.family_name,
        "title": person.title,
        "email": person.email,
        "personnummer": person.personnummer,
        "is_active": person.is_active,
    }


def commission_snapshot(commission: Commission) -> dict[str, Any]:
    return {
        "person": commission.person.hsa_id,
        "unit": commission.unit.hsa_id,
        "role": commission.role,
        "purpose": commission.purpose,
        "valid_from": _iso(commission.valid_from),
        "valid_to": _iso(commission.valid_to),
    }


ORGANISATION_FIELDS = frozenset(
    {"name", "org_number", "kind", "municipality_code", "has_own_ek_admin"}
)
UNIT_FIELDS = frozenset(
    {
        "hsa_id",
        "name",
        "organisation",
        "parent",
        "care_type",
        "municipality_code",
        "district",
        "phone",
        "fax",
        "functional_mailbox",
        "status",
        "valid_from",
        "valid_to",
    }
)
PERSON_FIELDS = frozenset(
    {"hsa_id", "given_name", "family_name", "title", "email", "personnummer", "is_active"}
)
# The person of a commission is fixed: a commission is that person's.
COMMISSION_FIELDS = frozenset({"unit", "role", "purpose", "valid_from", "valid_to"})


# Plumbing shared by the actions.


def _require_admin(actor: Actor) -> None:
    if not access.may_use_directory(actor):
        raise DirectoryPermissionError(_("Du har inte behörighet att administrera katalogen."))


def _check_fields(changes: Mapping[str, Any], allowed: frozenset[str]) -> None:
    unknown = set(changes) - allowed
    if unknown:
        raise TypeError(f"Unknown or unchangeable fields: {', '.join(sorted(unknown))}")


def _save_new(
    actor: Actor,
    obj: M,
    *,
    event: AuditEventType,
    snapshot: Callable[[M], dict[str, Any]],
    exclude: list[str] | None = None,
) -> M:
    obj.full_clean(exclude=exclude)
    obj.save()
    log_change(actor, event, obj, before=None, after=snapshot(obj))
    return obj


def _save_changed(
    actor: Actor,
    obj: M,
    *,
    before: dict[str, Any],
    event: AuditEventType,
    snapshot: Callable[[M], dict[str, Any]],
    exclude: list[str] | None = None,
) -> M:
    obj.full_clean(exclude=exclude)
    after = snapshot(obj)
    if after == before:
        return obj  # Nothing changed: nothing to save or log.
    obj.save()
    log_change(actor, event, obj, before=before, after=after)
    return obj


# Organisations.


def create_organisation(
    *,
    actor: Actor,
    name: str,
    org_number: str,
    kind: str,
    municipality_code: str = "",
    has_own_ek_admin: bool = True,
) -> Organisation:
    """Register a huvudman or vårdgivare. Central administration only."""
    _require_admin(actor)
    if not access.may_create_organisation(actor):
        raise DirectoryPermissionError(
            _("Bara central förvaltning kan lägga upp nya organisationer.")
        )
    with transaction.atomic():
        organisation = Organisation(
            name=name,
            org_number=rules.clean_org_number(org_number),
            kind=kind,
            municipality_code=municipality_code,
            has_own_ek_admin=has_own_ek_admin,
        )
        return _save_new(
            actor,
            organisation,
            event=AuditEventType.ORGANISATION_CREATED,
            snapshot=organisation_snapshot,
        )


def update_organisation(
    *, actor: Actor, organisation: Organisation, **changes: Any
) -> Organisation:
    """Change an organisation. An EK administrator may not change its number or kind, nor
    whether it has its own EK administration."""
    _check_fields(changes, ORGANISATION_FIELDS)
    _require_admin(actor)
    with transaction.atomic():
        if not access.may_manage_organisation(actor, organisation):
            raise DirectoryPermissionError(
                _("Du har inte behörighet att ändra den här organisationen.")
            )
        current = Organisation.objects.select_for_update().get(pk=organisation.pk)
        before = organisation_snapshot(current)
        if "org_number" in changes:
            changes["org_number"] = rules.clean_org_number(changes["org_number"])
        if not access.may_change_organisation_identity(actor):
            for field in ("org_number", "kind", "has_own_ek_admin"):
                if field in changes and changes[field] != before[field]:
                    raise DirectoryPermissionError(
                        _(
                            "Bara central förvaltning kan ändra organisationsnummer, typ och "
                            "om organisationen har egen EK-administratör."
                        ),
                        field=field,
                    )
        for field, value in changes.items():
            setattr(current, field, value)
        return _save_changed(
            actor,
            current,
            before=before,
            event=AuditEventType.ORGANISATION_UPDATED,
            snapshot=organisation_snapshot,
        )


# Units.


def _check_unit(actor: Actor, unit: Unit) -> None:
    """The unit's organisation and parent are within the actor's reach and consistent."""
    if not access.may_manage_organisation(actor, unit.organisation):
        raise DirectoryPermissionError(
            _("Du kan bara lägga enheter i en organisation som du administrerar."),
            field="organisation",
        )
    rules.check_period(unit.valid_from, unit.valid_to)
    parent = unit.parent
    if parent is None:
        return
    if not access.may_manage_unit(actor, parent):
        raise DirectoryPermissionError(
            _("Du kan bara välja en överordnad enhet som du administrerar."), field="parent"
        )
    if parent.organisation_id != unit.organisation_id:
        raise ValidationError(
            {"parent": _("Den överordnade enheten måste höra till samma organisation.")}
        )
    if unit.pk is not None:
        # Walk up from the parent as stored, not as the caller's instances say.
        ancestor_id: int | None = parent.pk
        seen: set[int] = set()
        while ancestor_id is not None and ancestor_id not in seen:
            if ancestor_id == unit.pk:
                raise ValidationError(
                    {
                        "parent": _(
                            "En enhet kan inte vara överordnad sig själv eller någon av "
                            "sina egna underenheter."
                        )
                    }
                )
            seen.add(ancestor_id)
            ancestor_id = (
                Unit.objects.filter(pk=ancestor_id).values_list("parent_id", flat=True).first()
            )


def create_unit(
    *,
    actor: Actor,
    hsa_id: str,
    name: str,
    organisation: Organisation,
    parent: Unit | None = None,
    care_type: str = "",
    municipality_code: str = "",
    district: str = "",
    phone: str = "",
    fax: str = "",
    functional_mailbox: str = "",
    status: str = UnitStatus.ACTIVE,
    valid_from: dt.date | None = None,
    valid_to: dt.date | None = None,
) -> Unit:
    _require_admin(actor)
    with transaction.atomic():
        unit = Unit(
            hsa_id=rules.clean_hsa_id(hsa_id),
            name=name,
            organisation=organisation,
            parent=parent,
            care_type=care_type or "",
            municipality_code=municipality_code,
            district=district,
            phone=phone,
            fax=fax,
            functional_mailbox=functional_mailbox,
            status=status,
            valid_from=valid_from or DEFAULT_UNIT_VALID_FROM,
            valid_to=valid_to,
        )
        _check_unit(actor, unit)
        return _save_new(actor, unit, event=AuditEventType.UNIT_CREATED, snapshot=unit_snapshot)


def update_unit(*, actor: Actor, unit: Unit, **changes: Any) -> Unit:
    _check_fields(changes, UNIT_FIELDS)
    _require_admin(actor)
    with transaction.atomic():
        if not access.may_manage_unit(actor, unit):
            raise DirectoryPermissionError(_("Du har inte behörighet att ändra den här enheten."))
        current = Unit.objects.select_for_update().select_related("organisation").get(pk=unit.pk)
        before = unit_snapshot(current)
        if "hsa_id" in changes:
            changes["hsa_id"] = rules.clean_hsa_id(changes["hsa_id"])
        if "care_type" in changes:
            changes["care_type"] = changes["care_type"] or ""
        if "valid_from" in changes and changes["valid_from"] is None:
            changes["valid_from"] = current.valid_from
        old_organisation_id = current.organisation_id
        for field, value in changes.items():
            setattr(current, field, value)
        _check_unit(actor, current)
        if before["status"] == UnitStatus.ACTIVE and current.status != UnitStatus.ACTIVE:
            _refuse_open_cases(current)
        if current.organisation_id != old_organisation_id and current.children.exists():
            raise ValidationError(
                {
                    "organisation": _(
                        "Enheten har underenheter och kan inte flyttas till en annan "
                        "organisation. Flytta underenheterna först."
                    )
                }
            )
        return _save_changed(
            actor, current, before=before, event=AuditEventType.UNIT_UPDATED, snapshot=unit_snapshot
        )


def _refuse_open_cases(unit: Unit) -> None:
    """A unit is removed only after all its cases are closed (DOMAIN.md §6)."""
    cases = list(open_cases_at(unit))
    if cases:
        raise UnitHasOpenCases(unit, cases)


def deactivate_unit(*, actor: Actor, unit: Unit, today: dt.date | None = None) -> Unit:
    """Remove a unit from use: inactive from today, its commissions ended, its rows kept.

    Refused with `UnitHasOpenCases` while the unit is an active party to an open case.
    """
    _require_admin(actor)
    today = today or timezone.localdate()
    with transaction.atomic():
        if not access.may_manage_unit(actor, unit):
            raise DirectoryPermissionError(_("Du har inte behörighet att ändra den här enheten."))
        current = Unit.objects.select_for_update().select_related("organisation").get(pk=unit.pk)
        if current.status == UnitStatus.INACTIVE:
            raise ValidationError({"status": _("Enheten är redan inaktiv.")})
        _refuse_open_cases(current)
        for commission in Commission.objects.filter(unit=current).select_related("person", "unit"):
            if rules.commission_state(commission, today) != "ended":
                end_commission(actor=actor, commission=commission, today=today)
        last_day = max(current.valid_from, today - dt.timedelta(days=1))
        valid_to = min(current.valid_to, last_day) if current.valid_to else last_day
        return update_unit(actor=actor, unit=current, status=UnitStatus.INACTIVE, valid_to=valid_to)


def mark_commission_used(*, commission: Commission, now: dt.datetime) -> None:
    """Note that the person chose the commission to act for (one cheap UPDATE, no audit row:
    the choice itself is in the access log as COMMISSION_CHOSEN)."""
    Commission.objects.filter(pk=commission.pk).update(last_used_at=now)


# Persons.

PERSON_CLEAN_EXCLUDE = ["password", "last_login"]


def _check_person(actor: Actor, person: Person) -> None:
    organisation = access.managed_organisation(actor)
    if access.is_central_admin(actor):
        return
    if organisation is None:
        raise DirectoryPermissionError(_("Du har inte behörighet att administrera personer."))
    prefix = access.hsa_prefix(organisation)
    if not person.hsa_id.startswith(prefix):
        raise DirectoryPermissionError(
            _(
                "Du kan bara administrera personer vars HSA-id är utfärdat under din "
                "organisations organisationsnummer (HSA-id som börjar med %(prefix)s)."
            )
            % {"prefix": prefix},
            field="hsa_id",
        )


def create_person(
    *,
    actor: Actor,
    hsa_id: str,
    given_name: str,
    family_name: str,
    title: str = "",
    email: str = "",
    personnummer: str | None = None,
    is_active: bool = True,
    today: dt.date | None = None,
) -> Person:
    _require_admin(actor)
    today = today or timezone.localdate()
    with transaction.atomic():
        person = Person(
            hsa_id=rules.clean_hsa_id(hsa_id),
            given_name=given_name,
            family_name=family_name,
            title=title,
            email=email,
            personnummer=rules.clean_personnummer(personnummer, today=today),
            is_active=is_active,
        )
        # Persons log in through an identity provider, never with a password.
        person.set_unusable_password()
        _check_person(actor, person)
        return _save_new(
            actor,
            person,
            event=AuditEventType.PERSON_CREATED,
            snapshot=person_snapshot,
            exclude=PERSON_CLEAN_EXCLUDE,
        )


def update_person(
    *, actor: Actor, person: Person, today: dt.date | None = None, **changes: Any
) -> Person:
    _check_fields(changes, PERSON_FIELDS)
    _require_admin(actor)
    today = today or timezone.localdate()
    with transaction.atomic():
        if not access.may_manage_person(actor, person):
            raise DirectoryPermissionError(_("Du har inte behörighet att ändra den här personen."))
        current = Person.objects.select_for_update().get(pk=person.pk)
        before = person_snapshot(current)
        if "hsa_id" in changes:
            changes["hsa_id"] = rules.clean_hsa_id(changes["hsa_id"])
        if "personnummer" in changes:
            changes["personnummer"] = rules.clean_personnummer(changes["personnummer"], today=today)
        for field, value in changes.items():
            setattr(current, field, value)
        _check_person(actor, current)
        if actor.person is not None and current.pk == actor.person.pk and not current.is_active:
            raise ValidationError({"is_active": _("Du kan inte inaktivera dig själv.")})
        return _save_changed(
            actor,
            current,
            before=before,
            event=AuditEventType.PERSON_UPDATED,
            snapshot=person_snapshot,
            exclude=PERSON_CLEAN_EXCLUDE,
        )


# Commissions.


def _check_commission(actor: Actor, commission: Commission, *, unit_changed: bool) -> None:
    if not access.may_manage_unit(actor, commission.unit):
        raise DirectoryPermissionError(
            _("Du kan bara lägga uppdrag på enheter i en organisation som du administrerar."),
            field="unit",
        )
    if commission.role in Role and commission.role not in access.grantable_roles(actor):
        raise DirectoryPermissionError(
            _("Bara central förvaltning kan ge rollen %(role)s.")
            % {"role": Role(commission.role).label},
            field="role",
        )
    rules.check_period(commission.valid_from, commission.valid_to)
    if unit_changed and not commission.unit.care_type:
        raise ValidationError({"unit": rules.NO_CARE_TYPE_MESSAGE})


def create_commission(
    *,
    actor: Actor,
    person: Person,
    unit: Unit,
    valid_from: dt.date,
    valid_to: dt.date | None = None,
    role: str = Role.USER,
    purpose: str = DEFAULT_PURPOSE,
) -> Commission:
    _require_admin(actor)
    with transaction.atomic():
        if not access.may_manage_person(actor, person):
            raise DirectoryPermissionError(
                _("Du kan bara ge uppdrag till personer som du administrerar."), field="person"
            )
        commission = Commission(
            person=person,
            unit=unit,
            role=role,
            purpose=purpose or DEFAULT_PURPOSE,
            valid_from=valid_from,
            valid_to=valid_to,
        )
        _check_commission(actor, commission, unit_changed=True)
        return _save_new(
            actor,
            commission,
            event=AuditEventType.COMMISSION_CREATED,
            snapshot=commission_snapshot,
        )


def _current_commission(actor: Actor, commission: Commission) -> Commission:
    if not access.may_manage_commission(actor, commission):
        raise DirectoryPermissionError(_("Du har inte behörighet att ändra det här uppdraget."))
    return (
        Commission.objects.select_for_update()
        .select_related("person", "unit")
        .get(pk=commission.pk)
    )


def _refuse_own_commission(actor: Actor, commission: Commission, message: StrOrPromise) -> None:
    # An administrator must not lock themselves out halfway through their own session.
    if actor.commission is not None and commission.pk == actor.commission.pk:
        raise DirectoryPermissionError(message)


def update_commission(*, actor: Actor, commission: Commission, **changes: Any) -> Commission:
    _check_fields(changes, COMMISSION_FIELDS)
    _require_admin(actor)
    with transaction.atomic():
        current = _current_commission(actor, commission)
        _refuse_own_commission(
            actor,
            current,
            _(
                "Du kan inte ändra det uppdrag som du själv arbetar i just nu. "
                "Be en annan administratör om hjälp."
            ),
        )
        before = commission_snapshot(current)
        old_unit_id = current.unit_id
        if "purpose" in changes:
            changes["purpose"] = changes["purpose"] or DEFAULT_PURPOSE
        for field, value in changes.items():
            setattr(current, field, value)
        _check_commission(actor, current, unit_changed=current.unit_id != old_unit_id)
        return _save_changed(
            actor,
            current,
            before=before,
            event=AuditEventType.COMMISSION_UPDATED,
            snapshot=commission_snapshot,
        )


def end_commission(
    *, actor: Actor, commission: Commission, today: dt.date | None = None
) -> Commission:
    """End a commission now: from today the person can no longer act with it."""
    _require_admin(actor)
    today = today or timezone.localdate()
    with transaction.atomic():
        current = _current_commission(actor, commission)
        _refuse_own_commission(
            actor, current, _("Du kan inte avsluta det uppdrag som du själv arbetar i just nu.")
        )
        if rules.commission_state(current, today) == "ended":
            raise ValidationError(_("Uppdraget är redan avslutat."), code="already_ended")
        before = commission_snapshot(current)
        current.valid_from, current.valid_to = rules.end_dates(current, today)
        return _save_changed(
            actor,
            current,
            before=before,
            event=AuditEventType.COMMISSION_UPDATED,
            snapshot=commission_snapshot,
        )
