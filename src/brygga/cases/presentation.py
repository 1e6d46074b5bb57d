"""What the case page and the worklist show: deadlines, the timeline, payloads in words."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import Expression, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from brygga.core.calendar import DayKind
from brygga.directory.models import Unit

from . import payloads as p
from .deadlines import CaseTimes, Deadline, DeadlinePolicy, DeadlineStatus, compute_deadlines
from .models import Case, CaseEvent, Destination, NoticeRecipient
from .models import CaseEventType as E
from .rules import TRANSITIONS


def deadline_policy() -> DeadlinePolicy:
    configured = settings.DEADLINES
    return DeadlinePolicy(
        admission_notice_hours=int(configured["admission_notice_hours"]),
        sip_call_days=int(configured["sip_call_days"]),
        sip_call_day_kind=DayKind(configured["sip_call_day_kind"]),
        expected_date_notice_hours=int(configured["expected_date_notice_hours"]),
    )


def case_times(case: Case, expected_date_events: Iterable[CaseEvent] = ()) -> CaseTimes:
    changes = tuple(
        (
            dt.datetime.fromisoformat(event.payload["decided_at"]),
            event.effective_at,  # when it was sent: the original time if back-registered
        )
        for event in expected_date_events
        if event.retracted_at is None and event.payload.get("decided_at")
    )
    return CaseTimes(
        admitted_at=case.admitted_at,
        assessed_at=case.assessed_at,
        admission_notice_sent_at=case.admission_notice_at,
        ready_at=case.ready_at,
        sip_needed=case.sip_needed,
        sip_called_at=case.sip_called_at,
        fast_vardkontakt_appointed_at=case.fast_vardkontakt_at,
        discharged_at=case.discharged_at,
        planning_information_sent_at=case.planning_information_at,
        expected_date_changes=changes,
    )


def expected_date_events(cases: Q | Expression) -> dict[int, list[CaseEvent]]:
    """The changed-expected-date notices (deadline D5) of the cases ``cases`` selects (a
    condition on CaseEvent), by case, oldest first: one query for any number of cases."""
    found: dict[int, list[CaseEvent]] = {}
    for event in CaseEvent.objects.filter(cases, type=E.EXPECTED_DATE_CHANGED).order_by(
        "recorded_at", "pk"
    ):
        found.setdefault(event.case_id, []).append(event)
    return found


def case_deadlines(
    case: Case,
    expected_date_events: Iterable[CaseEvent] = (),
    *,
    now: dt.datetime,
    policy: DeadlinePolicy | None = None,
) -> list[Deadline]:
    """The deadlines that apply to the case; pass `policy` when computing many at once."""
    if case.kind != "stay":
        return []
    deadlines = compute_deadlines(
        case_times(case, expected_date_events), policy or deadline_policy(), now=now
    )
    return [d for d in deadlines if d.status != DeadlineStatus.NOT_APPLICABLE]


URGENT = frozenset({DeadlineStatus.DUE_TODAY, DeadlineStatus.OVERDUE})


def days_waited(case: Case, *, now: dt.datetime) -> int | None:
    """Whole days since the utskrivningsklar notice, for a patient still in hospital."""
    if case.ready_at is None or case.discharged_at is not None:
        return None
    return (timezone.localdate(now) - timezone.localdate(case.ready_at)).days


# --- Payloads in words -----------------------------------------------------------------------

LABELS: dict[str, Any] = {
    "expected_discharge_on": _("Beräknat utskrivningsdatum"),
    "previous": _("Tidigare beräknat datum"),
    "decided_at": _("Bedömningen gjordes"),
    "living_situation": _("Boende och hemsituation"),
    "current_support": _("Nuvarande insatser"),
    "functional_status": _("Funktionsförmåga"),
    "aids": _("Hjälpmedel"),
    "needs_after_discharge": _("Behov efter utskrivning"),
    "ward_contact": _("Kontaktperson på avdelningen"),
    "name": _("Namn"),
    "title": _("Titel"),
    "phone": _("Telefon"),
    "doctor": _("Ansvarig läkare"),
    "sip_needed": _("SIP behövs"),
    "reason": _("Orsak"),
    "meeting_at": _("Mötets tid"),
    "mode": _("Mötesform"),
    "place": _("Plats"),
    "participants": _("Deltagare"),
    "patient_participates": _("Patienten deltar"),
    "next_of_kin_participates": _("Närstående deltar"),
    "consent_given": _("Samtycke till SIP"),
    "consent_note": _("Om samtycket"),
    "held_at": _("Mötet hölls"),
    "plan_summary": _("Planen"),
    "follow_up_on": _("Uppföljning"),
    "summary": _("Sammanfattning"),
    "discharged_at": _("Utskrivningstid"),
    "destination": _("Utskriven till"),
    "correct_municipality_code": _("Rätt kommun (kod)"),
    "correct_district": _("Stadsdel"),
    "to_unit_name": _("Ny vårdenhet"),
    "from_unit_name": _("Tidigare enhet"),
    "starts_at": _("Permissionen börjar"),
    "expected_return_at": _("Beräknad återkomst"),
    "ended_at": _("Kom tillbaka"),
}
CHOICES: dict[str, dict[str, Any]] = {
    "mode": dict(p.MeetingMode.choices),
    "destination": dict(Destination.choices),
    "reason": dict(p.RejectionReason.choices),
}
HIDDEN = frozenset({"to_unit_id", "from_unit_id", "order_id"})


def _format(key: str, value: Any) -> str:
    if value is None or value == "" or value == []:
        return "–"
    if isinstance(value, bool):
        return str(_("Ja") if value else _("Nej"))
    if isinstance(value, list):
        return "\n".join(str(v) for v in value)
    if key in CHOICES:
        return str(CHOICES[key].get(value, value))
    if isinstance(value, str) and len(value) >= 16 and value[10:11] == "T":
        moment = dt.datetime.fromisoformat(value)
        return f"{timezone.localtime(moment):%Y-%m-%d %H:%M}"
    return str(value)


def payload_rows(event: CaseEvent) -> list[tuple[str, str]]:
    return [
        (str(LABELS.get(key, key)), _format(key, value))
        for key, value in event.payload.items()
        if key not in HIDDEN and value not in (None, "", [])
    ]


@dataclass(frozen=True)
class TimelineEntry:
    event: CaseEvent
    rows: list[tuple[str, str]]
    recipients: list[NoticeRecipient]
    mine_to_acknowledge: bool
    retractable: bool


def timeline(case: Case, acting_unit: Unit | None) -> list[TimelineEntry]:
    events = (
        CaseEvent.objects.filter(case=case)
        .select_related("author_unit", "retracted_by")
        .prefetch_related("recipients__unit", "recipients__acknowledged_by")
        .order_by("recorded_at", "pk")
    )
    entries = []
    for event in events:
        recipients = list(event.recipients.all())
        transition = TRANSITIONS.get(E(event.type))
        entries.append(
            TimelineEntry(
                event=event,
                rows=payload_rows(event),
                recipients=recipients,
                mine_to_acknowledge=any(
                    r.unit_id == getattr(acting_unit, "pk", None) and r.acknowledged_at is None
                    for r in recipients
                ),
                retractable=bool(
                    transition
                    and transition.retractable
                    and event.retracted_at is None
                    and acting_unit is not None
                    and event.author_unit_id == acting_unit.pk
                    and case.is_open
                ),
            )
        )
    return entries
