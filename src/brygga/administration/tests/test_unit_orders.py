"""Unit orders: a manager orders and attests, central administration approves and the
directory (and open cases) change in one go, or a refusal changes nothing."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from brygga.administration import actions
from brygga.administration.actions import NewUnit, OrderPermissionError
from brygga.administration.models import OrderStatus, StepKind, UnitOrder, UnitOrderKind
from brygga.audit.events import AuditEventType
from brygga.audit.models import AuditEntry
from brygga.cases.models import CaseEvent, CaseEventType, CaseParty, NoticeRecipient
from brygga.cases.reorganisation import open_cases_at
from brygga.core.actor import Actor
from brygga.directory.actions import UnitHasOpenCases
from brygga.directory.models import CareType, Commission, Role, Unit, UnitStatus
from brygga.directory.rules import commission_state

from .conftest import ActorOf

pytestmark = pytest.mark.django_db


def new_unit_order(actor: Actor, **overrides: Any) -> UnitOrder:
    values: dict[str, Any] = {
        "name": "Vårdcentral Solna Strand",
        "hsa_id": "SE2321000016-E0799",
        "care_type": CareType.PRIMARY_CARE,
        "start_on": timezone.localdate(),
        "municipality_code": "0184",
        "attested": True,
    }
    return actions.submit_new_unit_order(actor=actor, **(values | overrides))


def audit_types(order: UnitOrder) -> list[int]:
    return list(
        AuditEntry.objects.filter(
            object_type="administration.unitorder", object_id=str(order.pk)
        ).values_list("event_type", flat=True)
    )


def test_a_new_unit_is_ordered_attested_approved_and_usable(actor_of: ActorOf) -> None:
    ingela, eva = actor_of("ingela"), actor_of("eva")
    order = new_unit_order(ingela, comment="Öppnar i maj.")
    assert order.status == OrderStatus.SUBMITTED
    assert order.ordered_by == ingela.person and order.ordering_unit == ingela.unit
    assert "intygar" in order.attestation
    assert not Unit.objects.filter(hsa_id="SE2321000016-E0799").exists()

    approved = actions.approve_unit_order(actor=eva, order=order, note="Klart.")
    unit = Unit.objects.get(hsa_id="SE2321000016-E0799")
    assert approved.status == OrderStatus.APPROVED and approved.decided_by == eva.person
    assert unit.care_type == CareType.PRIMARY_CARE
    assert unit.organisation == ingela.organisation
    assert unit.is_usable(timezone.localdate())
    assert [s.kind for s in order.steps.all()] == [StepKind.SUBMITTED, StepKind.APPROVED]
    assert audit_types(order) == [
        AuditEventType.UNIT_ORDER_SUBMITTED,
        AuditEventType.UNIT_ORDER_APPROVED,
    ]
    # The directory's own audit row records the new unit, by central administration.
    created = AuditEntry.objects.get(event_type=AuditEventType.UNIT_CREATED, object_id=str(unit.pk))
    assert created.actor_person_id == eva.person.pk  # type: ignore[union-attr]


def test_a_later_start_date_makes_the_unit_usable_from_that_day(actor_of: ActorOf) -> None:
    start = timezone.localdate() + dt.timedelta(days=14)
    order = new_unit_order(actor_of("ingela"), start_on=start)
    actions.approve_unit_order(actor=actor_of("eva"), order=order)
    unit = Unit.objects.get(hsa_id="SE2321000016-E0799")
    assert unit.valid_from == start
    assert not unit.is_usable(timezone.localdate()) and unit.is_usable(start)


def test_the_order_is_refused_without_attestation_and_nothing_is_saved(actor_of: ActorOf) -> None:
    before = UnitOrder.objects.count()
    with pytest.raises(ValidationError) as refusal:
        new_unit_order(actor_of("ingela"), attested=False)
    assert "attested" in refusal.value.error_dict
    assert UnitOrder.objects.count() == before


@pytest.mark.parametrize(
    ("hsa_id", "message"),
    [
        ("SE5569900227-E0799", "börjar med SE2321000016-"),  # another organisation's number
        ("SE2321000016-E0701", "finns redan en enhet"),  # Vårdcentral Solna Centrum
        ("SE2321000016-E0708", "inskickad beställning"),  # the demo's pending order
        ("SE232100001-X", "HSA-id"),
    ],
)
def test_bad_hsa_ids_are_refused_with_a_reason(
    actor_of: ActorOf, hsa_id: str, message: str
) -> None:
    with pytest.raises(ValidationError) as refusal:
        new_unit_order(actor_of("ingela"), hsa_id=hsa_id)
    assert message in " ".join(refusal.value.message_dict["hsa_id"])


def test_only_managers_order_and_only_central_administration_decides(actor_of: ActorOf) -> None:
    for name in ("anna", "sofia", "eva"):
        with pytest.raises(OrderPermissionError):
            new_unit_order(actor_of(name))
    order = new_unit_order(actor_of("ingela"))
    for name in ("ingela", "sofia", "lars"):
        with pytest.raises(OrderPermissionError):
            actions.approve_unit_order(actor=actor_of(name), order=order)
        with pytest.raises(OrderPermissionError):
            actions.reject_unit_order(actor=actor_of(name), order=order, reason="Nej")
    order.refresh_from_db()
    assert order.status == OrderStatus.SUBMITTED


def test_rejection_needs_a_reason_and_is_final(actor_of: ActorOf) -> None:
    order = new_unit_order(actor_of("ingela"))
    eva = actor_of("eva")
    with pytest.raises(ValidationError):
        actions.reject_unit_order(actor=eva, order=order, reason="  ")
    actions.reject_unit_order(actor=eva, order=order, reason="HSA-id saknas i HSA.")
    order.refresh_from_db()
    assert order.status == OrderStatus.REJECTED
    assert order.decision_note == "HSA-id saknas i HSA."
    with pytest.raises(ValidationError):
        actions.approve_unit_order(actor=eva, order=order)
    assert not Unit.objects.filter(hsa_id="SE2321000016-E0799").exists()


def test_the_manager_cancels_an_undecided_order_another_unit_cannot(
    actor_of: ActorOf, manager_at: Callable[[str], Actor]
) -> None:
    order = new_unit_order(actor_of("ingela"))
    with pytest.raises(OrderPermissionError):
        actions.cancel_unit_order(actor=actor_of("lars"), order=order)
    actions.cancel_unit_order(actor=actor_of("ingela"), order=order)
    order.refresh_from_db()
    assert order.status == OrderStatus.CANCELLED
    assert AuditEventType.UNIT_ORDER_CANCELLED in audit_types(order)


def test_a_rename_keeps_the_unit_its_cases_and_commissions(actor_of: ActorOf, demo: Any) -> None:
    unit = demo.unit("vc_solna")
    cases = set(open_cases_at(unit).values_list("pk", flat=True))
    order = actions.submit_rename_order(
        actor=actor_of("ingela"), new_name="Vårdcentral Solna", attested=True
    )
    with pytest.raises(ValidationError, match="redan en inskickad beställning"):
        actions.submit_rename_order(actor=actor_of("ingela"), new_name="Solna VC", attested=True)
    actions.approve_unit_order(actor=actor_of("eva"), order=order)
    unit.refresh_from_db()
    assert unit.name == "Vårdcentral Solna" and unit.hsa_id == "SE2321000016-E0701"
    assert set(open_cases_at(unit).values_list("pk", flat=True)) == cases


def test_a_merge_moves_open_cases_with_history_and_retires_the_other_unit(
    actor_of: ActorOf, demo: Any
) -> None:
    solna, sundbyberg = demo.unit("vc_solna"), demo.unit("vc_sundbyberg")
    moving = list(open_cases_at(sundbyberg))
    assert moving
    events_before = {case.pk: case.events.count() for case in moving}
    pending = set(
        NoticeRecipient.objects.filter(
            unit=sundbyberg, acknowledged_at__isnull=True, event__case__in=moving
        ).values_list("event_id", flat=True)
    )
    staff = list(Commission.objects.valid(timezone.localdate()).filter(unit=sundbyberg))
    order = actions.submit_merge_order(actor=actor_of("ingela"), others=[sundbyberg], attested=True)
    assert order.continuing_unit == solna

    actions.approve_unit_order(actor=actor_of("eva"), order=order)

    sundbyberg.refresh_from_db()
    assert sundbyberg.status == UnitStatus.INACTIVE
    assert not open_cases_at(sundbyberg).exists()
    for case in moving:
        case.refresh_from_db()
        assert case.is_open
        assert CaseParty.objects.filter(case=case, unit=solna, active=True).exists()
        old = CaseParty.objects.get(case=case, unit=sundbyberg)
        assert not old.active and old.left_reason == "reorganised"
        # History intact: every earlier event is still there, plus one saying what happened.
        assert case.events.count() == events_before[case.pk] + 1
        moved = case.events.get(type=CaseEventType.UNIT_REORGANISED)
        assert moved.text == (
            "Ärendet flyttades från Vårdcentral Sundbyberg till Vårdcentral Solna Centrum "
            "(omorganisation)."
        )
        assert moved.author == actor_of("eva").person
        entry = AuditEntry.objects.get(
            event_type=AuditEventType.CASE_REORGANISED, object_id=str(case.pk)
        )
        assert entry.patient_id == case.patient_id
    # What Sundbyberg had not acknowledged now waits for Solna.
    assert pending <= set(
        NoticeRecipient.objects.filter(unit=solna, acknowledged_at__isnull=True).values_list(
            "event_id", flat=True
        )
    )
    # Staff follow to the continuing unit; their old commissions end.
    for commission in staff:
        commission.refresh_from_db()
        assert commission_state(commission, timezone.localdate()) == "ended"
        assert (
            Commission.objects.valid(timezone.localdate())
            .filter(person=commission.person, unit=solna, role=commission.role)
            .exists()
        )


def test_a_merge_into_a_new_unit(actor_of: ActorOf, demo: Any) -> None:
    solna, sundbyberg = demo.unit("vc_solna"), demo.unit("vc_sundbyberg")
    total = open_cases_at(solna).count() + open_cases_at(sundbyberg).count()
    order = actions.submit_merge_order(
        actor=actor_of("ingela"),
        others=[sundbyberg],
        into_new=NewUnit("Vårdcentral Solna-Sundbyberg", "SE2321000016-E0790", True),
        move_commissions=False,
        attested=True,
    )
    actions.approve_unit_order(actor=actor_of("eva"), order=order)
    merged = Unit.objects.get(hsa_id="SE2321000016-E0790")
    assert merged.care_type == CareType.PRIMARY_CARE and merged.municipality_code == "0184"
    assert open_cases_at(merged).count() == total
    solna.refresh_from_db()
    assert solna.status == UnitStatus.INACTIVE
    assert not Commission.objects.filter(unit=merged).exists()


def test_a_merge_only_with_units_of_the_same_organisation_and_care_type(
    actor_of: ActorOf, demo: Any
) -> None:
    for other in ("vc_kungsholmen", "ks_solna_g61"):
        with pytest.raises(ValidationError):
            actions.submit_merge_order(
                actor=actor_of("ingela"), others=[demo.unit(other)], attested=True
            )


def test_a_split_creates_the_new_units_and_one_takes_over_the_cases(
    actor_of: ActorOf, demo: Any
) -> None:
    solna = demo.unit("vc_solna")
    cases = set(open_cases_at(solna).values_list("pk", flat=True))
    order = actions.submit_split_order(
        actor=actor_of("ingela"),
        new_units=[
            NewUnit("Vårdcentral Solna Norra", "SE2321000016-E0791"),
            NewUnit("Vårdcentral Solna Södra", "SE2321000016-E0792", takes_over_cases=True),
        ],
        attested=True,
    )
    assert order.kind == UnitOrderKind.SPLIT
    actions.approve_unit_order(actor=actor_of("eva"), order=order)
    north = Unit.objects.get(hsa_id="SE2321000016-E0791")
    south = Unit.objects.get(hsa_id="SE2321000016-E0792")
    assert set(open_cases_at(south).values_list("pk", flat=True)) == cases
    assert not open_cases_at(north).exists()
    # Maria (fast vårdkontakt) now acts for the unit that has her patients.
    maria = demo.person("maria")
    assert Commission.objects.valid(timezone.localdate()).filter(person=maria, unit=south).exists()
    solna.refresh_from_db()
    assert solna.status == UnitStatus.INACTIVE
    assert [p.created_unit for p in order.proposed_units.all()] == [north, south]


def test_a_split_needs_two_units_and_exactly_one_taking_over(actor_of: ActorOf) -> None:
    with pytest.raises(ValidationError):
        actions.submit_split_order(
            actor=actor_of("ingela"),
            new_units=[NewUnit("A", "SE2321000016-E0791", True)],
            attested=True,
        )
    with pytest.raises(ValidationError):
        actions.submit_split_order(
            actor=actor_of("ingela"),
            new_units=[NewUnit("A", "SE2321000016-E0791"), NewUnit("B", "SE2321000016-E0792")],
            attested=True,
        )


def test_removal_is_refused_while_the_unit_has_open_cases_and_lists_them(
    actor_of: ActorOf, demo: Any
) -> None:
    solna = demo.unit("vc_solna")
    expected = list(open_cases_at(solna).values_list("pk", flat=True))
    with pytest.raises(UnitHasOpenCases) as refusal:
        actions.submit_removal_order(actor=actor_of("ingela"), attested=True, comment="Stänger")
    assert [case.pk for case in refusal.value.cases] == expected
    assert str(expected[0]) in " ".join(refusal.value.messages)
    assert not UnitOrder.objects.filter(kind=UnitOrderKind.REMOVAL).exists()


def test_removal_once_allowed_deactivates_and_keeps_history(
    actor_of: ActorOf, manager_at: Callable[[str], Actor], demo: Any
) -> None:
    unit = demo.unit("hsl_huddinge")
    assert not open_cases_at(unit).exists()
    parties_before = CaseParty.objects.filter(unit=unit).count()
    manager = manager_at("hsl_huddinge")
    order = actions.submit_removal_order(
        actor=manager, attested=True, comment="Verksamheten flyttar."
    )
    actions.approve_unit_order(actor=actor_of("eva"), order=order)
    unit.refresh_from_db()
    assert unit.status == UnitStatus.INACTIVE and not unit.is_usable(timezone.localdate())
    assert Unit.objects.filter(pk=unit.pk).exists()
    assert CaseParty.objects.filter(unit=unit).count() == parties_before
    today = timezone.localdate()
    assert all(commission_state(c, today) == "ended" for c in Commission.objects.filter(unit=unit))


def test_removal_approval_rechecks_cases_opened_since_the_order(
    actor_of: ActorOf, manager_at: Callable[[str], Actor], demo: Any
) -> None:
    unit = demo.unit("hsl_huddinge")
    order = actions.submit_removal_order(
        actor=manager_at("hsl_huddinge"), attested=True, comment="Stänger."
    )
    case = open_cases_at(demo.unit("vc_solna")).first()
    assert case is not None
    CaseParty.objects.create(case=case, unit=unit, role="municipality", joined_at=timezone.now())
    with pytest.raises(UnitHasOpenCases) as refusal:
        actions.approve_unit_order(actor=actor_of("eva"), order=order)
    assert [c.pk for c in refusal.value.cases] == [case.pk]
    order.refresh_from_db()
    unit.refresh_from_db()
    assert order.status == OrderStatus.SUBMITTED and unit.status == UnitStatus.ACTIVE


def test_a_failed_approval_changes_nothing(actor_of: ActorOf, demo: Any) -> None:
    """A split whose new HSA-id was taken meanwhile: no unit, no moved case, no audit row."""
    solna = demo.unit("vc_solna")
    order = actions.submit_split_order(
        actor=actor_of("ingela"),
        new_units=[
            NewUnit("Vårdcentral Solna Norra", "SE2321000016-E0791", True),
            NewUnit("Vårdcentral Solna Södra", "SE2321000016-E0792"),
        ],
        attested=True,
    )
    Unit.objects.create(
        hsa_id="SE2321000016-E0792", name="Upptagen", organisation=solna.organisation
    )
    events = CaseEvent.objects.count()
    entries = AuditEntry.objects.count()
    with pytest.raises(ValidationError):
        actions.approve_unit_order(actor=actor_of("eva"), order=order)
    assert not Unit.objects.filter(hsa_id="SE2321000016-E0791").exists()
    assert CaseEvent.objects.count() == events and AuditEntry.objects.count() == entries
    solna.refresh_from_db()
    assert solna.status == UnitStatus.ACTIVE
    order.refresh_from_db()
    assert order.status == OrderStatus.SUBMITTED


def test_the_directory_refuses_to_deactivate_a_unit_with_open_cases(
    actor_of: ActorOf, demo: Any
) -> None:
    from brygga.directory import actions as directory

    unit = demo.unit("vc_solna")
    with pytest.raises(UnitHasOpenCases):
        directory.update_unit(actor=actor_of("sofia"), unit=unit, status=UnitStatus.INACTIVE)
    unit.refresh_from_db()
    assert unit.status == UnitStatus.ACTIVE
    assert Role.MANAGER  # the manager's own orders are tested above
