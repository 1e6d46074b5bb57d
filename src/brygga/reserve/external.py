"""Reading a case's external recipients and what has been sent to them (for the case page)."""

from __future__ import annotations

from dataclasses import dataclass

from brygga.cases.models import Case, CaseEvent, PartyRole
from brygga.cases.models import CaseEventType as E
from brygga.cases.rules import TRANSITIONS
from brygga.directory.models import Unit

from .models import ExternalDispatch, ExternalRecipient


@dataclass(frozen=True)
class NoticeStatus:
    event: CaseEvent
    dispatch: ExternalDispatch | None
    mine: bool  # the acting unit sent the notice, so it sends it on and records that


@dataclass(frozen=True)
class RecipientStatus:
    recipient: ExternalRecipient
    notices: list[NoticeStatus]

    @property
    def unsent(self) -> int:
        return sum(1 for n in self.notices if n.dispatch is None)


def is_notice(event: CaseEvent) -> bool:
    transition = TRANSITIONS.get(E(event.type))
    return bool(transition and transition.notice)


def external_status(case: Case, acting_unit: Unit | None) -> list[RecipientStatus]:
    recipients = list(ExternalRecipient.objects.filter(case=case))
    if not recipients:
        return []
    events = [
        e
        for e in CaseEvent.objects.filter(case=case, retracted_at__isnull=True)
        .select_related("author_unit")
        .order_by("recorded_at", "pk")
        if is_notice(e)
    ]
    sent = {
        (d.recipient_id, d.event_id): d
        for d in ExternalDispatch.objects.filter(recipient__case=case)
    }
    unit_pk = getattr(acting_unit, "pk", None)
    return [
        RecipientStatus(
            recipient=r,
            notices=[
                NoticeStatus(e, sent.get((r.pk, e.pk)), e.author_unit_id == unit_pk) for e in events
            ],
        )
        for r in recipients
    ]


def lacks_municipality(case: Case) -> bool:
    """A stay with no municipality among its parties and no external recipient either."""
    return (
        case.kind == "stay"
        and not case.parties.filter(role=PartyRole.MUNICIPALITY, active=True).exists()
        and not ExternalRecipient.objects.filter(case=case).exists()
    )
