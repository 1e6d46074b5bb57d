"""The LUS deadlines D1–D5 (DOMAIN.md §3) as data plus pure functions.

`compute_deadlines(times, policy, now=...)` takes the case's event times, the configured
rules and the current time, and returns one `Deadline` per rule with its due time, when it
was done, and its status. Nothing here reads the clock or the database.

Times are aware datetimes (stored in UTC); "a day" always means a day in Swedish local
time (Europe/Stockholm), so the day boundaries move with summer time. Durations given in
hours are elapsed hours: 24 hours from 10:00 on the Saturday before summer time ends is
09:00 local time on the Sunday.

The choices made where the law leaves room (each is a field of `DeadlinePolicy`, so an
agreement can change it):

- **D1**, inskrivningsmeddelande: `admission_notice_hours` (24) from admission, or from the
  later assessment that support may be needed when that comes after admission.
- **D2**, kallelse till SIP: `sip_call_days` (3) of `sip_call_day_kind`. Calendar days:
  due ``ready_at + days × 24 h`` (elapsed). Working days: due at the *end* (the last
  instant, 23:59:59.999999 local) of the N-th working day after the day of the
  utskrivningsklar notice; the notice day itself is not counted, whatever time it was
  sent, because working-day rules speak of whole days. Saturdays, Sundays and Swedish
  public holidays are never working days; midsummer, Christmas and New Year's eves only
  with `eves_are_holidays` (the historic rule; see `brygga.core.calendar`).
- **D5**, nytt beräknat utskrivningsdatum: the law says "as soon as possible"; measured as
  `expected_date_notice_hours` (24) from the change. A notice about a later change also
  counts for an earlier one, since it carries the newest date.

Status, in the same way for every rule:

- done by the due time: MET; done after it: MISSED;
- not done, and the case has moved past the point where it could still be done in a way
  that matters: MISSED. D1, D3 and D5 close at discharge (a notice that planning has
  started or a new expected date is pointless once the patient has left; the fast
  vårdkontakt had to be appointed *before*). D2 and D4 stay open after their due time
  (OVERDUE) even after discharge: a SIP and the information transfer still serve the
  patient, so the worklist keeps asking for them;
- otherwise OVERDUE if the due time has passed, DUE_TODAY if it falls later today (local),
  DUE if later than today or not fixed yet (D3, D4 before discharge);
- NOT_APPLICABLE when the rule does not apply to the case (D2 without a need for SIP or
  before the utskrivningsklar notice, D5 without changes).

Moving `now` forward only ever moves an open deadline from DUE to DUE_TODAY to OVERDUE.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from functools import lru_cache
from zoneinfo import ZoneInfo

from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from brygga.core.calendar import DayKind, add_days

__all__ = [
    "STOCKHOLM",
    "CaseTimes",
    "Deadline",
    "DeadlineId",
    "DeadlinePolicy",
    "DeadlineStatus",
    "compliance",
    "compute_deadlines",
    "local_date",
]

STOCKHOLM = ZoneInfo("Europe/Stockholm")


class DeadlineId(StrEnum):
    D1 = "D1"  # inskrivningsmeddelande
    D2 = "D2"  # kallelse till SIP
    D3 = "D3"  # fast vårdkontakt
    D4 = "D4"  # information överförd
    D5 = "D5"  # ändrat beräknat utskrivningsdatum


class DeadlineStatus(StrEnum):
    MET = "met"
    MISSED = "missed"
    DUE = "due"
    DUE_TODAY = "due_today"
    OVERDUE = "overdue"
    NOT_APPLICABLE = "not_applicable"


@dataclass(frozen=True)
class DeadlinePolicy:
    """The configured deadline rules, as data (defaults: the law as read in DOMAIN.md)."""

    admission_notice_hours: int = 24  # D1
    sip_call_days: int = 3  # D2
    sip_call_day_kind: DayKind = DayKind.CALENDAR  # D2: sources disagree (configurable)
    expected_date_notice_hours: int = 24  # D5: "as soon as possible", made measurable
    eves_are_holidays: bool = False  # D2 in working days: are the three eves days off?

    def __post_init__(self) -> None:
        for name in ("admission_notice_hours", "sip_call_days", "expected_date_notice_hours"):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} must not be negative")
        # Accept the stored string ("working") as well as the enum member.
        object.__setattr__(self, "sip_call_day_kind", DayKind(self.sip_call_day_kind))


@dataclass(frozen=True)
class CaseTimes:
    """The event times the rules need; all aware datetimes, all optional but admission."""

    admitted_at: datetime
    # A later assessment that support may be needed (D1 then runs from here).
    assessed_at: datetime | None = None
    admission_notice_sent_at: datetime | None = None
    # The latest utskrivningsklar notice that is not withdrawn (None if withdrawn).
    ready_at: datetime | None = None
    # Support is needed from both region and municipality, so a SIP is required.
    sip_needed: bool = False
    # The first kallelse till SIP after ready_at.
    sip_called_at: datetime | None = None
    fast_vardkontakt_appointed_at: datetime | None = None
    discharged_at: datetime | None = None
    # The latest information transfer from the inpatient unit (D4).
    planning_information_sent_at: datetime | None = None
    # (when the ward changed its estimate, when the notice about it was sent or None).
    expected_date_changes: tuple[tuple[datetime, datetime | None], ...] = field(
        default_factory=tuple
    )

    def __post_init__(self) -> None:
        _require_aware("admitted_at", self.admitted_at)
        for name in (
            "assessed_at",
            "admission_notice_sent_at",
            "ready_at",
            "sip_called_at",
            "fast_vardkontakt_appointed_at",
            "discharged_at",
            "planning_information_sent_at",
        ):
            value = getattr(self, name)
            if value is not None:
                _require_aware(name, value)
        # Accept lists too, but keep tuples so the value stays hashable.
        changes = tuple(
            (changed_at, notified_at) for changed_at, notified_at in self.expected_date_changes
        )
        for changed_at, notified_at in changes:
            _require_aware("expected_date_changes", changed_at)
            if notified_at is not None:
                _require_aware("expected_date_changes", notified_at)
        object.__setattr__(self, "expected_date_changes", changes)


@dataclass(frozen=True)
class Deadline:
    id: DeadlineId
    label: str  # Swedish (the active language), e.g. "Inskrivningsmeddelande inom 24 timmar"
    due_at: datetime | None  # UTC; None when there is no fixed time yet
    done_at: datetime | None
    status: DeadlineStatus

    @property
    def text(self) -> str:
        """The status in words, with its time: shown next to the colour, never instead."""
        status, due, done = self.status, self.due_at, self.done_at
        if status == DeadlineStatus.NOT_APPLICABLE:
            return _("Gäller inte")
        if status == DeadlineStatus.MET and done is not None:
            return _("Klar %(done)s") % {"done": _format_time(done)}
        if status == DeadlineStatus.MISSED:
            if done is not None and due is not None:
                return _("Missad: klar %(done)s, skulle vara klar senast %(due)s") % {
                    "done": _format_time(done),
                    "due": _format_due(due),
                }
            if due is not None:
                return _("Missad: skulle vara klar senast %(due)s") % {"due": _format_due(due)}
            return _("Missad")
        if status == DeadlineStatus.OVERDUE and due is not None:
            if _is_end_of_day(due):
                return _("Försenad: skulle vara klar senast %(day)s") % {"day": _format_due(due)}
            return _("Försenad sedan %(due)s") % {"due": _format_time(due)}
        if status == DeadlineStatus.DUE_TODAY and due is not None:
            if _is_end_of_day(due):
                return _("Ska vara klar i dag")
            return _("Ska vara klar i dag senast %(time)s") % {
                "time": f"{due.astimezone(STOCKHOLM):%H:%M}"
            }
        if due is not None:
            return _("Ska vara klar senast %(due)s") % {"due": _format_due(due)}
        if self.id == DeadlineId.D4:
            return _("Ska vara klar senast utskrivningsdagen")
        return _("Ska vara klar före utskrivning")


def compute_deadlines(times: CaseTimes, policy: DeadlinePolicy, *, now: datetime) -> list[Deadline]:
    """D1–D5 for one case as of `now`, in that order (NOT_APPLICABLE ones included)."""
    _require_aware("now", now)
    labels = _labels(policy, get_language())
    return [
        _admission_notice(times, policy, now, labels),
        _sip_call(times, policy, now, labels),
        _fast_vardkontakt(times, now, labels),
        _information_transfer(times, now, labels),
        _expected_date_notice(times, policy, now, labels),
    ]


def compliance(deadline: Deadline) -> bool | None:
    """For reporting: True if met, False if missed or overdue, None while open or n/a."""
    if deadline.status == DeadlineStatus.MET:
        return True
    if deadline.status in (DeadlineStatus.MISSED, DeadlineStatus.OVERDUE):
        return False
    return None


def local_date(moment: datetime) -> date:
    """The Swedish calendar day of an aware datetime."""
    return moment.astimezone(STOCKHOLM).date()


# --- The rules -------------------------------------------------------------------------------


@lru_cache(maxsize=32)
def _labels(policy: DeadlinePolicy, language: str | None) -> dict[DeadlineId, str]:
    """The five labels in the active language (`language` only keys the cache): a worklist
    computes them for every row, and looking up translations is most of that work."""
    hours = policy.admission_notice_hours
    days, kind = policy.sip_call_days, policy.sip_call_day_kind
    if kind == DayKind.WORKING:
        sip = ngettext(
            "Kallelse till SIP inom %(days)d arbetsdag",
            "Kallelse till SIP inom %(days)d arbetsdagar",
            days,
        )
    else:
        sip = ngettext(
            "Kallelse till SIP inom %(days)d kalenderdag",
            "Kallelse till SIP inom %(days)d kalenderdagar",
            days,
        )
    notice_hours = policy.expected_date_notice_hours
    return {
        DeadlineId.D1: ngettext(
            "Inskrivningsmeddelande inom %(hours)d timme",
            "Inskrivningsmeddelande inom %(hours)d timmar",
            hours,
        )
        % {"hours": hours},
        DeadlineId.D2: sip % {"days": days},
        DeadlineId.D3: _("Fast vårdkontakt utsedd före utskrivning"),
        DeadlineId.D4: _("Information överförd senast utskrivningsdagen"),
        DeadlineId.D5: ngettext(
            "Ändrat beräknat utskrivningsdatum meddelat inom %(hours)d timme",
            "Ändrat beräknat utskrivningsdatum meddelat inom %(hours)d timmar",
            notice_hours,
        )
        % {"hours": notice_hours},
    }


def _admission_notice(
    times: CaseTimes, policy: DeadlinePolicy, now: datetime, labels: dict[DeadlineId, str]
) -> Deadline:
    start = times.admitted_at
    if times.assessed_at is not None and times.assessed_at > start:
        start = times.assessed_at
    due = _utc(start) + timedelta(hours=policy.admission_notice_hours)
    done = times.admission_notice_sent_at
    return Deadline(
        id=DeadlineId.D1,
        label=labels[DeadlineId.D1],
        due_at=due,
        done_at=done,
        status=_status(due, done, now=now, closed=times.discharged_at is not None),
    )


def _sip_call(
    times: CaseTimes, policy: DeadlinePolicy, now: datetime, labels: dict[DeadlineId, str]
) -> Deadline:
    days, kind = policy.sip_call_days, policy.sip_call_day_kind
    label = labels[DeadlineId.D2]
    if not times.sip_needed or times.ready_at is None:
        return _not_applicable(DeadlineId.D2, label)
    if kind == DayKind.WORKING:
        last_day = add_days(
            local_date(times.ready_at), days, kind, eves_are_holidays=policy.eves_are_holidays
        )
        due = _end_of_day(last_day)
    else:
        due = _utc(times.ready_at) + timedelta(days=days)
    done = times.sip_called_at
    return Deadline(
        id=DeadlineId.D2,
        label=label,
        due_at=due,
        done_at=done,
        status=_status(due, done, now=now, closed=False),
    )


def _fast_vardkontakt(times: CaseTimes, now: datetime, labels: dict[DeadlineId, str]) -> Deadline:
    due = _utc(times.discharged_at) if times.discharged_at is not None else None
    done = times.fast_vardkontakt_appointed_at
    return Deadline(
        id=DeadlineId.D3,
        label=labels[DeadlineId.D3],
        due_at=due,
        done_at=done,
        status=_status(due, done, now=now, closed=due is not None),
    )


def _information_transfer(
    times: CaseTimes, now: datetime, labels: dict[DeadlineId, str]
) -> Deadline:
    discharged_at = times.discharged_at
    due = _end_of_day(local_date(discharged_at)) if discharged_at is not None else None
    done = times.planning_information_sent_at
    return Deadline(
        id=DeadlineId.D4,
        label=labels[DeadlineId.D4],
        due_at=due,
        done_at=done,
        status=_status(due, done, now=now, closed=False),
    )


def _expected_date_notice(
    times: CaseTimes, policy: DeadlinePolicy, now: datetime, labels: dict[DeadlineId, str]
) -> Deadline:
    hours = policy.expected_date_notice_hours
    label = labels[DeadlineId.D5]
    changes = sorted(times.expected_date_changes, key=lambda change: change[0])
    if not changes:
        return _not_applicable(DeadlineId.D5, label)
    closed = times.discharged_at is not None
    candidates = []
    for index, (changed_at, _notified_at) in enumerate(changes):
        due = _utc(changed_at) + timedelta(hours=hours)
        # The first notice about this change or any later one tells the newest date.
        done = _earliest(notified for _changed, notified in changes[index:])
        candidates.append(
            Deadline(
                id=DeadlineId.D5,
                label=label,
                due_at=due,
                done_at=done,
                status=_status(due, done, now=now, closed=closed),
            )
        )
    return max(candidates, key=_badness)


# --- Helpers ---------------------------------------------------------------------------------

# Which of several statuses is worse (reported for D5, where each change is measured).
_SEVERITY = {
    DeadlineStatus.NOT_APPLICABLE: 0,
    DeadlineStatus.MET: 1,
    DeadlineStatus.DUE: 2,
    DeadlineStatus.DUE_TODAY: 3,
    DeadlineStatus.MISSED: 4,
    DeadlineStatus.OVERDUE: 5,  # still open and late: the one a worklist must show
}


def _badness(deadline: Deadline) -> tuple[int, float]:
    # Among equally bad ones, the earliest due time.
    due = deadline.due_at.timestamp() if deadline.due_at is not None else 0.0
    return _SEVERITY[deadline.status], -due


def _status(
    due: datetime | None, done: datetime | None, *, now: datetime, closed: bool
) -> DeadlineStatus:
    """`closed`: the case has moved past the point where doing it late still matters."""
    if done is not None:
        return DeadlineStatus.MET if due is None or done <= due else DeadlineStatus.MISSED
    if closed:
        return DeadlineStatus.MISSED
    if due is None:
        return DeadlineStatus.DUE
    if now > due:
        return DeadlineStatus.OVERDUE
    if local_date(now) == local_date(due):
        return DeadlineStatus.DUE_TODAY
    return DeadlineStatus.DUE


def _not_applicable(deadline_id: DeadlineId, label: str) -> Deadline:
    return Deadline(
        id=deadline_id,
        label=label,
        due_at=None,
        done_at=None,
        status=DeadlineStatus.NOT_APPLICABLE,
    )


def _earliest(moments: Iterable[datetime | None]) -> datetime | None:
    present = [moment for moment in moments if moment is not None]
    return min(present) if present else None


def _end_of_day(day: date) -> datetime:
    """The last instant of a Swedish calendar day, in UTC."""
    return datetime.combine(day, time.max, tzinfo=STOCKHOLM).astimezone(UTC)


def _is_end_of_day(moment: datetime) -> bool:
    return moment.astimezone(STOCKHOLM).time() == time.max


def _utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC)


def _format_time(moment: datetime) -> str:
    return f"{moment.astimezone(STOCKHOLM):%Y-%m-%d %H:%M}"


def _format_due(due: datetime) -> str:
    """A due time at the end of a day is shown as the day only."""
    local = due.astimezone(STOCKHOLM)
    return f"{local:%Y-%m-%d}" if _is_end_of_day(due) else f"{local:%Y-%m-%d %H:%M}"


def _require_aware(name: str, moment: datetime) -> None:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{name} must be an aware datetime, got {moment!r}")
