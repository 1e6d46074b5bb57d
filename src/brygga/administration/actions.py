"""The only writers of orders: submit, approve or register, reject, cancel.

Every action takes keyword arguments and the acting person, re-checks their right, and in
one transaction writes the order, its history step and the audit row. Approving a unit
order and registering an access order change the directory through the directory's own
actions (which audit their changes) and move open cases through
`brygga.cases.reorganisation`: all of it commits together, or nothing does.

Refusals are `OrderPermissionError` (the actor may not do this) or Django's
`ValidationError` with Swedish messages keyed by the field they concern.
`directory.actions.UnitHasOpenCases` (a ValidationError) lists the open cases that stop
a unit from being removed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from brygga.audit.events import AuditEventType
from brygga.audit.log import record
from brygga.cases.reorganisation import move_open_cases, open_cases_at
from brygga.core.actor import Actor
from brygga.directory import actions as directory
from brygga.directory import rules as directory_rules
from brygga.directory.access import hsa_prefix
from brygga.directory.models import Commission, Person, Role, Unit, UnitStatus

from . import access
from .models import (
    ORDERABLE_CARE_TYPES,
    AccessOrder,
    AccessOrderKind,
    OrderStatus,
    OrderStep,
    ProposedUnit,
    StepKind,
    UnitOrder,
    UnitOrderKind,
)

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

# What the manager attests by ticking the box; stored with the order as they saw it.
UNIT_ATTESTATION = _(
    "Jag intygar som ansvarig chef att uppgifterna stämmer och att förändringen är beslutad "
    "i verksamheten."
)
GRANT_ATTESTATION = _(
    "Jag intygar som ansvarig chef att personen arbetar på enheten, behöver behörigheten i "
    "sitt arbete med samverkan vid utskrivning och har fått utbildning i Brygga."
)
REVOKE_ATTESTATION = _(
    "Jag intygar som ansvarig chef att personen inte längre ska ha behörighet till Brygga "
    "på enheten efter den sista dagen som anges."
)
GRANTABLE_ROLES = (Role.USER, Role.MANAGER)


class OrderPermissionError(PermissionDenied):
    def __init__(self, message: StrOrPromise) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return str(self.message)


@dataclass(frozen=True)
class NewUnit:
    """A unit a merge or split order asks for: name and HSA-id (the rest is inherited)."""

    name: str
    hsa_id: str
    takes_over_cases: bool = False


# Plumbing.


def _statement(text: StrOrPromise) -> str:
    with translation.override(settings.LANGUAGE_CODE):
        return str(text)


def _require_attested(attested: bool) -> None:
    if not attested:
        raise ValidationError(
            {"attested": _("Kryssa i intygandet. Beställningen gäller bara om chefen intygar den.")}
        )


def _require_manager(actor: Actor) -> Unit:
    if not access.is_manager(actor) or actor.person is None:
        raise OrderPermissionError(_("Bara en chef som arbetar för enheten kan beställa."))
    assert actor.unit is not None
    return actor.unit


def _step(
    actor: Actor,
    kind: StepKind,
    *,
    now: dt.datetime,
    unit_order: UnitOrder | None = None,
    access_order: AccessOrder | None = None,
    note: str = "",
) -> OrderStep:
    return OrderStep.objects.create(
        unit_order=unit_order,
        access_order=access_order,
        kind=kind,
        at=now,
        person=actor.person,
        person_name=actor.person.full_name if actor.person else actor.label,
        unit_name=actor.unit.name if actor.unit else "",
        role=actor.role,
        note=note,
    )


def _audit(
    actor: Actor, event: AuditEventType, order: UnitOrder | AccessOrder, **details: Any
) -> None:
    record(actor, event, obj=order, details={"kind": order.kind, **details})


def _decide(
    actor: Actor,
    order: UnitOrder | AccessOrder,
    status: OrderStatus,
    step: StepKind,
    *,
    note: str,
    now: dt.datetime,
    changed: tuple[str, ...] = (),
) -> None:
    """Close a locked order: who decided, when and why, also on its history (plus ``changed``)."""
    order.status = status
    order.decided_by = actor.person
    order.decided_at = now
    order.decision_note = note
    order.save(update_fields=["status", "decided_by", "decided_at", "decision_note", *changed])
    if isinstance(order, UnitOrder):
        _step(actor, step, now=now, unit_order=order, note=note)
    else:
        _step(actor, step, now=now, access_order=order, note=note)


def _clean_hsa_id(text: str, *, field: str, organisation_prefix: str) -> str:
    hsa_id = directory_rules.clean_hsa_id(text, field=field)
    if not hsa_id.startswith(organisation_prefix):
        raise ValidationError(
            {
                field: _("HSA-id för enheter i din organisation börjar med %(prefix)s.")
                % {"prefix": organisation_prefix}
            }
        )
    if Unit.objects.filter(hsa_id=hsa_id).exists():
        raise ValidationError(
            {field: _("Det finns redan en enhet med HSA-id %(id)s.") % {"id": hsa_id}}
        )
    if ProposedUnit.objects.filter(hsa_id=hsa_id, order__status=OrderStatus.SUBMITTED).exists():
        raise ValidationError(
            {field: _("HSA-id %(id)s finns redan i en inskickad beställning.") % {"id": hsa_id}}
        )
    return hsa_id


def _clean_name(text: str, *, field: str) -> str:
    name = " ".join((text or "").split())
    if not name:
        raise ValidationError({field: _("Skriv enhetens namn.")})
    return name


def _refuse_pending_for(unit: Unit) -> None:
    pending = (
        UnitOrder.objects.filter(status=OrderStatus.SUBMITTED, units=unit)
        .values_list("pk", flat=True)
        .first()
    )
    if pending is not None:
        raise ValidationError(
            _(
                "Det finns redan en inskickad beställning för %(unit)s (nummer %(number)s). "
                "Vänta på beslutet eller återkalla den först."
            )
            % {"unit": unit.name, "number": pending}
        )


# Unit orders: submitting.


def _new_unit_order(
    actor: Actor,
    kind: UnitOrderKind,
    *,
    units: Sequence[Unit],
    comment: str,
    now: dt.datetime,
    **fields: Any,
) -> UnitOrder:
    unit = actor.unit
    assert unit is not None and actor.person is not None
    order = UnitOrder.objects.create(
        kind=kind,
        ordered_by=actor.person,
        ordering_unit=unit,
        organisation=unit.organisation,
        ordered_at=now,
        attestation=_statement(UNIT_ATTESTATION),
        comment=comment.strip(),
        **fields,
    )
    if units:
        order.units.set(units)
    return order


def _submitted(actor: Actor, order: UnitOrder, now: dt.datetime) -> UnitOrder:
    _step(actor, StepKind.SUBMITTED, now=now, unit_order=order)
    _audit(
        actor,
        AuditEventType.UNIT_ORDER_SUBMITTED,
        order,
        units=[u.hsa_id for u in order.units.all()],
        proposed=[p.hsa_id for p in order.proposed_units.all()],
    )
    return order


def submit_new_unit_order(
    *,
    actor: Actor,
    name: str,
    hsa_id: str,
    care_type: str,
    start_on: dt.date,
    attested: bool,
    municipality_code: str = "",
    district: str = "",
    phone: str = "",
    fax: str = "",
    functional_mailbox: str = "",
    comment: str = "",
    now: dt.datetime | None = None,
) -> UnitOrder:
    """A manager orders a new primary-care unit in their organisation."""
    now = now or timezone.now()
    unit = _require_manager(actor)
    _require_attested(attested)
    if care_type not in ORDERABLE_CARE_TYPES:
        raise ValidationError({"care_type": _("Välj vårdtyp för enheten.")})
    if start_on < timezone.localdate(now):
        raise ValidationError({"start_on": _("Startdatumet kan inte ligga före i dag.")})
    with transaction.atomic():
        proposed = ProposedUnit(
            name=_clean_name(name, field="name"),
            hsa_id=_clean_hsa_id(
                hsa_id, field="hsa_id", organisation_prefix=hsa_prefix(unit.organisation)
            ),
            care_type=care_type,
            municipality_code=municipality_code,
            district=district,
            phone=phone,
            fax=fax,
            functional_mailbox=functional_mailbox,
            takes_over_cases=False,
        )
        proposed.full_clean(exclude=["order"])
        order = _new_unit_order(
            actor, UnitOrderKind.NEW, units=[], comment=comment, now=now, start_on=start_on
        )
        proposed.order = order
        proposed.save()
        return _submitted(actor, order, now)


def submit_rename_order(
    *,
    actor: Actor,
    new_name: str,
    attested: bool,
    comment: str = "",
    now: dt.datetime | None = None,
) -> UnitOrder:
    """The manager's unit gets a new name; it keeps its HSA-id, cases and commissions."""
    now = now or timezone.now()
    unit = _require_manager(actor)
    _require_attested(attested)
    name = _clean_name(new_name, field="new_name")
    if name == unit.name:
        raise ValidationError({"new_name": _("Det nya namnet är samma som det nuvarande.")})
    with transaction.atomic():
        _refuse_pending_for(unit)
        order = _new_unit_order(
            actor, UnitOrderKind.RENAME, units=[unit], comment=comment, now=now, new_name=name
        )
        return _submitted(actor, order, now)


def submit_merge_order(
    *,
    actor: Actor,
    others: Sequence[Unit],
    attested: bool,
    into_new: NewUnit | None = None,
    move_commissions: bool = True,
    comment: str = "",
    now: dt.datetime | None = None,
) -> UnitOrder:
    """The manager's unit and ``others`` become one: the manager's unit, or a new unit."""
    now = now or timezone.now()
    unit = _require_manager(actor)
    _require_attested(attested)
    allowed = set(access.merge_candidates(actor).values_list("pk", flat=True))
    if not others:
        raise ValidationError({"others": _("Välj minst en enhet att slå samman med.")})
    if any(other.pk not in allowed for other in others):
        raise ValidationError(
            {"others": _("Välj enheter i samma organisation och med samma vårdtyp som din enhet.")}
        )
    units = [unit, *others]
    with transaction.atomic():
        for each in units:
            _refuse_pending_for(each)
        proposed = None
        if into_new is not None:
            proposed = ProposedUnit(
                name=_clean_name(into_new.name, field="new_name"),
                hsa_id=_clean_hsa_id(
                    into_new.hsa_id,
                    field="new_hsa_id",
                    organisation_prefix=hsa_prefix(unit.organisation),
                ),
                takes_over_cases=True,
            )
        order = _new_unit_order(
            actor,
            UnitOrderKind.MERGE,
            units=units,
            comment=comment,
            now=now,
            continuing_unit=None if into_new is not None else unit,
            move_commissions=move_commissions,
        )
        if proposed is not None:
            proposed.order = order
            proposed.save()
        return _submitted(actor, order, now)


def submit_split_order(
    *,
    actor: Actor,
    new_units: Sequence[NewUnit],
    attested: bool,
    move_commissions: bool = True,
    comment: str = "",
    now: dt.datetime | None = None,
) -> UnitOrder:
    """The manager's unit is divided into two or more new units; one takes over its cases."""
    now = now or timezone.now()
    unit = _require_manager(actor)
    _require_attested(attested)
    if len(new_units) < 2:
        raise ValidationError({"name_2": _("En delning ger minst två nya enheter.")})
    if sum(1 for new in new_units if new.takes_over_cases) != 1:
        raise ValidationError({"takes_over": _("Välj vilken ny enhet som tar över ärendena.")})
    prefix = hsa_prefix(unit.organisation)
    with transaction.atomic():
        _refuse_pending_for(unit)
        proposed = []
        seen: set[str] = set()
        for position, new in enumerate(new_units, start=1):
            hsa_id = _clean_hsa_id(
                new.hsa_id, field=f"hsa_id_{position}", organisation_prefix=prefix
            )
            if hsa_id in seen:
                raise ValidationError(
                    {f"hsa_id_{position}": _("Två nya enheter kan inte ha samma HSA-id.")}
                )
            seen.add(hsa_id)
            proposed.append(
                ProposedUnit(
                    position=position,
                    name=_clean_name(new.name, field=f"name_{position}"),
                    hsa_id=hsa_id,
                    takes_over_cases=new.takes_over_cases,
                )
            )
        order = _new_unit_order(
            actor,
            UnitOrderKind.SPLIT,
            units=[unit],
            comment=comment,
            now=now,
            move_commissions=move_commissions,
        )
        for item in proposed:
            item.order = order
        ProposedUnit.objects.bulk_create(proposed)
        return _submitted(actor, order, now)


def submit_removal_order(
    *, actor: Actor, attested: bool, comment: str, now: dt.datetime | None = None
) -> UnitOrder:
    """The manager asks for their unit to be removed. Refused while it has open cases."""
    now = now or timezone.now()
    unit = _require_manager(actor)
    _require_attested(attested)
    if not comment.strip():
        raise ValidationError({"comment": _("Skriv varför enheten ska tas bort.")})
    cases = list(open_cases_at(unit))
    if cases:
        raise directory.UnitHasOpenCases(unit, cases)
    with transaction.atomic():
        _refuse_pending_for(unit)
        order = _new_unit_order(
            actor, UnitOrderKind.REMOVAL, units=[unit], comment=comment, now=now
        )
        return _submitted(actor, order, now)


# Unit orders: deciding.


def _locked_open_unit_order(order: UnitOrder) -> UnitOrder:
    locked = (
        UnitOrder.objects.select_for_update(of=("self",))
        .select_related("organisation", "ordering_unit")
        .get(pk=order.pk)
    )
    if not locked.is_open:
        raise ValidationError(
            _("Beställningen är redan %(status)s.")
            % {"status": locked.get_status_display().lower()}
        )
    return locked


def _require_central(actor: Actor) -> None:
    if not access.may_decide_unit_order(actor):
        raise OrderPermissionError(_("Bara central förvaltning beslutar om enhetsbeställningar."))


def _create_proposed(
    actor: Actor, proposed: ProposedUnit, *, like: Unit | None, order: UnitOrder, today: dt.date
) -> Unit:
    """Register a proposed unit, inheriting care type and place from ``like`` if given."""
    unit = directory.create_unit(
        actor=actor,
        hsa_id=proposed.hsa_id,
        name=proposed.name,
        organisation=order.organisation,
        parent=like.parent if like is not None else None,
        care_type=proposed.care_type or (like.care_type if like is not None else ""),
        municipality_code=proposed.municipality_code
        or (like.municipality_code if like is not None else ""),
        district=proposed.district or (like.district if like is not None else ""),
        phone=proposed.phone,
        fax=proposed.fax,
        functional_mailbox=proposed.functional_mailbox,
        status=UnitStatus.ACTIVE,
        valid_from=max(order.start_on or today, today) if like is None else today,
    )
    ProposedUnit.objects.filter(pk=proposed.pk).update(created_unit=unit)
    return unit


def _move_commissions(actor: Actor, source: Unit, target: Unit, *, today: dt.date) -> int:
    """Give the source unit's staff the same commissions at the target (from today)."""
    moved = 0
    for commission in Commission.objects.filter(unit=source).select_related("person"):
        if directory_rules.commission_state(commission, today) == "ended":
            continue
        if actor.commission is not None and commission.pk == actor.commission.pk:
            continue
        already = Commission.objects.filter(
            person=commission.person, unit=target, role=commission.role
        )
        if any(directory_rules.commission_state(c, today) != "ended" for c in already):
            continue
        directory.create_commission(
            actor=actor,
            person=commission.person,
            unit=target,
            role=commission.role,
            purpose=commission.purpose,
            valid_from=max(commission.valid_from, today),
            valid_to=commission.valid_to,
        )
        moved += 1
    return moved


def _retire(
    actor: Actor, order: UnitOrder, source: Unit, target: Unit, *, now: dt.datetime
) -> dict[str, Any]:
    today = timezone.localdate(now)
    cases = move_open_cases(
        actor=actor, from_unit=source, to_unit=target, order_id=order.pk, now=now
    )
    commissions = (
        _move_commissions(actor, source, target, today=today) if order.move_commissions else 0
    )
    directory.deactivate_unit(actor=actor, unit=source, today=today)
    return {
        "from": source.hsa_id,
        "to": target.hsa_id,
        "cases": len(cases),
        "commissions": commissions,
    }


def approve_unit_order(
    *, actor: Actor, order: UnitOrder, note: str = "", now: dt.datetime | None = None
) -> UnitOrder:
    """Central administration approves and carries out the order, all or nothing."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    _require_central(actor)
    with transaction.atomic():
        locked = _locked_open_unit_order(order)
        units = list(locked.units.select_related("organisation", "parent").order_by("pk"))
        proposed = list(locked.proposed_units.order_by("position"))
        outcome: dict[str, Any] = {}
        if locked.kind == UnitOrderKind.NEW:
            outcome["created"] = [
                _create_proposed(actor, proposed[0], like=None, order=locked, today=today).hsa_id
            ]
        elif locked.kind == UnitOrderKind.RENAME:
            directory.update_unit(actor=actor, unit=units[0], name=locked.new_name)
            outcome["renamed"] = units[0].hsa_id
        elif locked.kind == UnitOrderKind.MERGE:
            if locked.continuing_unit_id is not None:
                target = Unit.objects.get(pk=locked.continuing_unit_id)
            else:
                target = _create_proposed(
                    actor, proposed[0], like=units[0], order=locked, today=today
                )
                outcome["created"] = [target.hsa_id]
            if target.status != UnitStatus.ACTIVE:
                raise ValidationError(_("%(unit)s är inte längre aktiv.") % {"unit": target.name})
            outcome["moved"] = [
                _retire(actor, locked, source, target, now=now)
                for source in units
                if source.pk != target.pk
            ]
        elif locked.kind == UnitOrderKind.SPLIT:
            source = units[0]
            created = [
                (item, _create_proposed(actor, item, like=source, order=locked, today=today))
                for item in proposed
            ]
            outcome["created"] = [unit.hsa_id for _item, unit in created]
            target = next(unit for item, unit in created if item.takes_over_cases)
            outcome["moved"] = [_retire(actor, locked, source, target, now=now)]
        elif locked.kind == UnitOrderKind.REMOVAL:
            directory.deactivate_unit(actor=actor, unit=units[0], today=today)
            outcome["removed"] = units[0].hsa_id
        _decide(actor, locked, OrderStatus.APPROVED, StepKind.APPROVED, note=note.strip(), now=now)
        _audit(actor, AuditEventType.UNIT_ORDER_APPROVED, locked, **outcome)
        return locked


def reject_unit_order(
    *, actor: Actor, order: UnitOrder, reason: str, now: dt.datetime | None = None
) -> UnitOrder:
    now = now or timezone.now()
    _require_central(actor)
    if not reason.strip():
        raise ValidationError({"reason": _("Skriv varför beställningen avslås.")})
    with transaction.atomic():
        locked = _locked_open_unit_order(order)
        _decide(
            actor, locked, OrderStatus.REJECTED, StepKind.REJECTED, note=reason.strip(), now=now
        )
        _audit(actor, AuditEventType.UNIT_ORDER_REJECTED, locked, reason=reason.strip())
        return locked


def cancel_unit_order(
    *, actor: Actor, order: UnitOrder, now: dt.datetime | None = None
) -> UnitOrder:
    """A manager at the ordering unit withdraws an order not yet decided."""
    now = now or timezone.now()
    _require_manager(actor)
    with transaction.atomic():
        locked = _locked_open_unit_order(order)
        if not access.may_cancel_unit_order(actor, locked):
            raise OrderPermissionError(_("Bara en chef på den beställande enheten kan återkalla."))
        locked.status = OrderStatus.CANCELLED
        locked.save(update_fields=["status"])
        _step(actor, StepKind.CANCELLED, now=now, unit_order=locked)
        _audit(actor, AuditEventType.UNIT_ORDER_CANCELLED, locked)
        return locked


# Access orders.


def _find_person(*, hsa_id: str, personnummer: str) -> Person | None:
    by_hsa = Person.objects.filter(hsa_id=hsa_id).first() if hsa_id else None
    by_number = Person.objects.filter(personnummer=personnummer).first() if personnummer else None
    if by_hsa is not None and by_number is not None and by_hsa.pk != by_number.pk:
        raise ValidationError(
            {"hsa_id": _("HSA-id och personnummer hör till två olika personer i katalogen.")}
        )
    return by_hsa or by_number


def _has_access(person: Person, unit: Unit, role: str, today: dt.date) -> bool:
    return any(
        directory_rules.commission_state(c, today) != "ended"
        for c in Commission.objects.filter(person=person, unit=unit, role=role)
    )


def submit_access_grant(
    *,
    actor: Actor,
    given_name: str,
    family_name: str,
    personnummer: str,
    attested: bool,
    valid_from: dt.date,
    valid_to: dt.date | None = None,
    role: str = Role.USER,
    hsa_id: str = "",
    title: str = "",
    email: str = "",
    comment: str = "",
    now: dt.datetime | None = None,
) -> AccessOrder:
    """A manager orders access to Brygga at their unit for a member of staff."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    unit = _require_manager(actor)
    assert actor.person is not None
    _require_attested(attested)
    if role not in GRANTABLE_ROLES:
        raise ValidationError({"role": _("Välj användare eller chef.")})
    given, family = " ".join(given_name.split()), " ".join(family_name.split())
    if not given:
        raise ValidationError({"given_name": _("Skriv förnamnet.")})
    if not family:
        raise ValidationError({"family_name": _("Skriv efternamnet.")})
    number = directory_rules.clean_personnummer(personnummer, today=today) or ""
    if not number:
        raise ValidationError({"personnummer": _("Skriv personnumret.")})
    cleaned_hsa = directory_rules.clean_hsa_id(hsa_id) if hsa_id.strip() else ""
    if valid_from < today:
        raise ValidationError({"valid_from": _("Behörigheten kan inte börja före i dag.")})
    directory_rules.check_period(valid_from, valid_to)
    with transaction.atomic():
        person = _find_person(hsa_id=cleaned_hsa, personnummer=number)
        if person is not None:
            if actor.person is not None and person.pk == actor.person.pk:
                raise OrderPermissionError(
                    _("Du kan inte beställa behörighet åt dig själv. Be din chef om det.")
                )
            if _has_access(person, unit, role, today):
                raise ValidationError(
                    _("%(person)s har redan behörighet som %(role)s på enheten.")
                    % {"person": person.full_name, "role": str(Role(role).label).lower()}
                )
        pending = AccessOrder.objects.filter(
            kind=AccessOrderKind.GRANT,
            status=OrderStatus.SUBMITTED,
            ordering_unit=unit,
            personnummer=number,
        ).first()
        if pending is not None:
            raise ValidationError(
                _("Det finns redan en inskickad beställning för personen (nummer %(number)s).")
                % {"number": pending.pk}
            )
        order = AccessOrder.objects.create(
            kind=AccessOrderKind.GRANT,
            ordered_by=actor.person,
            ordering_unit=unit,
            organisation=unit.organisation,
            ordered_at=now,
            attestation=_statement(GRANT_ATTESTATION),
            comment=comment.strip(),
            person=person,
            given_name=given,
            family_name=family,
            personnummer=number,
            hsa_id=cleaned_hsa or (person.hsa_id if person else ""),
            title=title.strip(),
            email=email.strip(),
            role=role,
            valid_from=valid_from,
            valid_to=valid_to,
        )
        _step(actor, StepKind.SUBMITTED, now=now, access_order=order)
        _audit(
            actor,
            AuditEventType.ACCESS_ORDER_SUBMITTED,
            order,
            unit=unit.hsa_id,
            person=order.hsa_id or None,
            role=role,
            valid_from=valid_from.isoformat(),
            valid_to=valid_to.isoformat() if valid_to else None,
        )
        return order


def submit_access_revoke(
    *,
    actor: Actor,
    commission: Commission,
    last_day: dt.date,
    attested: bool,
    comment: str = "",
    now: dt.datetime | None = None,
) -> AccessOrder:
    """A manager orders a commission at their unit to end after ``last_day``."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    unit = _require_manager(actor)
    assert actor.person is not None
    _require_attested(attested)
    if commission.unit_id != unit.pk:
        raise OrderPermissionError(_("Du kan bara avbeställa behörighet på din egen enhet."))
    if actor.person is not None and commission.person_id == actor.person.pk:
        raise OrderPermissionError(
            _("Du kan inte avbeställa din egen behörighet. Be din chef eller EK-administratören.")
        )
    if directory_rules.commission_state(commission, today) == "ended":
        raise ValidationError(_("Behörigheten är redan avslutad."))
    if last_day < today:
        raise ValidationError({"last_day": _("Sista dagen kan inte ligga före i dag.")})
    with transaction.atomic():
        pending = AccessOrder.objects.filter(
            kind=AccessOrderKind.REVOKE, status=OrderStatus.SUBMITTED, commission=commission
        ).first()
        if pending is not None:
            raise ValidationError(
                _("Behörigheten är redan avbeställd (beställning nummer %(number)s).")
                % {"number": pending.pk}
            )
        person = commission.person
        order = AccessOrder.objects.create(
            kind=AccessOrderKind.REVOKE,
            ordered_by=actor.person,
            ordering_unit=unit,
            organisation=unit.organisation,
            ordered_at=now,
            attestation=_statement(REVOKE_ATTESTATION),
            comment=comment.strip(),
            person=person,
            given_name=person.given_name,
            family_name=person.family_name,
            personnummer=person.personnummer or "",
            hsa_id=person.hsa_id,
            role=commission.role,
            valid_to=last_day,
            commission=commission,
        )
        _step(actor, StepKind.SUBMITTED, now=now, access_order=order)
        _audit(
            actor,
            AuditEventType.ACCESS_ORDER_SUBMITTED,
            order,
            unit=unit.hsa_id,
            person=person.hsa_id,
            commission=commission.pk,
            last_day=last_day.isoformat(),
        )
        return order


def _locked_open_access_order(order: AccessOrder) -> AccessOrder:
    locked = (
        AccessOrder.objects.select_for_update(of=("self",))
        .select_related("organisation", "ordering_unit", "person", "commission")
        .get(pk=order.pk)
    )
    if not locked.is_open:
        raise ValidationError(
            _("Beställningen är redan %(status)s.")
            % {"status": locked.get_status_display().lower()}
        )
    return locked


def register_access_order(
    *,
    actor: Actor,
    order: AccessOrder,
    hsa_id: str = "",
    valid_from: dt.date | None = None,
    valid_to: dt.date | None = None,
    note: str = "",
    now: dt.datetime | None = None,
) -> AccessOrder:
    """The EK administrator (or central administration) registers the order in the directory.

    A grant registers the person if they are new and gives them a commission at the
    ordering unit; a revoke ends the commission after its last day (at once if that day
    has passed).
    """
    now = now or timezone.now()
    today = timezone.localdate(now)
    with transaction.atomic():
        locked = _locked_open_access_order(order)
        if not access.may_register(actor, locked):
            raise OrderPermissionError(
                _("Beställningen registreras av organisationens EK-administratör.")
            )
        details: dict[str, Any] = {}
        if locked.kind == AccessOrderKind.GRANT:
            start = valid_from or max(locked.valid_from or today, today)
            end = valid_to if valid_from is not None else locked.valid_to
            person = locked.person or _find_person(
                hsa_id=directory_rules.clean_hsa_id(hsa_id) if hsa_id.strip() else locked.hsa_id,
                personnummer=locked.personnummer,
            )
            if person is None:
                if not (hsa_id.strip() or locked.hsa_id):
                    raise ValidationError({"hsa_id": _("Skriv personens HSA-id.")})
                person = directory.create_person(
                    actor=actor,
                    hsa_id=hsa_id.strip() or locked.hsa_id,
                    given_name=locked.given_name,
                    family_name=locked.family_name,
                    title=locked.title,
                    email=locked.email,
                    personnummer=locked.personnummer,
                    today=today,
                )
                details["person_created"] = True
            commission = directory.create_commission(
                actor=actor,
                person=person,
                unit=locked.ordering_unit,
                role=locked.role,
                valid_from=start,
                valid_to=end,
            )
            locked.person = person
            locked.hsa_id = person.hsa_id
            locked.commission = commission
            details |= {"person": person.hsa_id, "commission": commission.pk}
        else:
            ending = locked.commission
            assert ending is not None and locked.valid_to is not None
            state = directory_rules.commission_state(ending, today)
            if state == "ended":
                details["already_ended"] = True
            elif locked.valid_to < today:
                directory.end_commission(actor=actor, commission=ending, today=today)
            else:
                last_day = (
                    min(ending.valid_to, locked.valid_to) if ending.valid_to else locked.valid_to
                )
                if ending.valid_from > last_day:
                    directory.end_commission(actor=actor, commission=ending, today=today)
                else:
                    directory.update_commission(actor=actor, commission=ending, valid_to=last_day)
            details["commission"] = ending.pk
        _decide(
            actor,
            locked,
            OrderStatus.REGISTERED,
            StepKind.REGISTERED,
            note=note.strip(),
            now=now,
            changed=("person", "hsa_id", "commission"),
        )
        _audit(actor, AuditEventType.ACCESS_ORDER_REGISTERED, locked, **details)
        return locked


def reject_access_order(
    *, actor: Actor, order: AccessOrder, reason: str, now: dt.datetime | None = None
) -> AccessOrder:
    now = now or timezone.now()
    if not reason.strip():
        raise ValidationError({"reason": _("Skriv varför beställningen avslås.")})
    with transaction.atomic():
        locked = _locked_open_access_order(order)
        if not access.may_register(actor, locked):
            raise OrderPermissionError(
                _("Beställningen handläggs av organisationens EK-administratör.")
            )
        _decide(
            actor, locked, OrderStatus.REJECTED, StepKind.REJECTED, note=reason.strip(), now=now
        )
        _audit(actor, AuditEventType.ACCESS_ORDER_REJECTED, locked, reason=reason.strip())
        return locked


def cancel_access_order(
    *, actor: Actor, order: AccessOrder, now: dt.datetime | None = None
) -> AccessOrder:
    now = now or timezone.now()
    _require_manager(actor)
    with transaction.atomic():
        locked = _locked_open_access_order(order)
        if not access.may_cancel_access_order(actor, locked):
            raise OrderPermissionError(_("Bara en chef på den beställande enheten kan återkalla."))
        locked.status = OrderStatus.CANCELLED
        locked.save(update_fields=["status"])
        _step(actor, StepKind.CANCELLED, now=now, access_order=locked)
        _audit(actor, AuditEventType.ACCESS_ORDER_CANCELLED, locked)
        return locked
