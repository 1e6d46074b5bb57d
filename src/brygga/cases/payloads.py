"""The structured content of each notice, one small typed constructor per event type.

Payloads are stored as JSON on CaseEvent. Building one through its dataclass checks it in
code; `as_json` turns dates and times into ISO strings.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from .models import CaseEventType as E
from .models import Destination


class MeetingMode(models.TextChoices):
    IN_PERSON = "in_person", _("Fysiskt möte")
    VIDEO = "video", _("Videomöte")
    PHONE = "phone", _("Telefonmöte")


class RejectionReason(models.TextChoices):
    NOT_RESIDENT = "not_resident", _("Patienten är inte folkbokförd i kommunen")
    WRONG_DISTRICT = "wrong_district", _("Patienten hör till en annan stadsdel")


def _jsonable(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return value


@dataclass(frozen=True)
class Payload:
    def as_json(self) -> dict[str, Any]:
        return {key: _jsonable(value) for key, value in asdict(self).items()}


@dataclass(frozen=True)
class Empty(Payload):
    pass


@dataclass(frozen=True)
class AdmissionNotice(Payload):
    expected_discharge_on: dt.date | None


@dataclass(frozen=True)
class ExpectedDateChanged(Payload):
    expected_discharge_on: dt.date
    previous: dt.date | None
    decided_at: dt.datetime


@dataclass(frozen=True)
class PlanningInformation(Payload):
    living_situation: str = ""
    current_support: str = ""
    functional_status: str = ""
    aids: str = ""
    needs_after_discharge: str = ""
    ward_contact: str = ""


@dataclass(frozen=True)
class FastVardkontakt(Payload):
    name: str
    title: str = ""
    phone: str = ""


@dataclass(frozen=True)
class Ready(Payload):
    doctor: str
    decided_at: dt.datetime
    sip_needed: bool = False


def _require_text(value: str, what: str) -> None:
    if not value.strip():
        raise ValueError(f"{what} must not be empty")


@dataclass(frozen=True)
class ReadyWithdrawn(Payload):
    reason: str

    def __post_init__(self) -> None:
        _require_text(self.reason, "reason")


@dataclass(frozen=True)
class SipCalled(Payload):
    meeting_at: dt.datetime
    mode: str
    place: str
    participants: list[str] = field(default_factory=list)
    patient_participates: bool = True
    next_of_kin_participates: bool = False
    consent_given: bool = False
    consent_note: str = ""


@dataclass(frozen=True)
class SipHeld(Payload):
    held_at: dt.datetime
    plan_summary: str
    follow_up_on: dt.date | None = None


@dataclass(frozen=True)
class SipFollowedUp(Payload):
    summary: str


@dataclass(frozen=True)
class DischargeNotice(Payload):
    discharged_at: dt.datetime
    destination: str

    def __post_init__(self) -> None:
        if self.destination not in Destination.values:
            raise ValueError(f"unknown destination {self.destination!r}")


@dataclass(frozen=True)
class Rejected(Payload):
    reason: str
    correct_municipality_code: str
    correct_district: str = ""


@dataclass(frozen=True)
class Transferred(Payload):
    to_unit_id: int
    to_unit_name: str


@dataclass(frozen=True)
class LeaveStarted(Payload):
    starts_at: dt.datetime
    expected_return_at: dt.datetime | None = None


@dataclass(frozen=True)
class LeaveEnded(Payload):
    ended_at: dt.datetime


@dataclass(frozen=True)
class Cancelled(Payload):
    reason: str

    def __post_init__(self) -> None:
        _require_text(self.reason, "reason")


@dataclass(frozen=True)
class UnitReorganised(Payload):
    from_unit_id: int
    from_unit_name: str
    to_unit_id: int
    to_unit_name: str
    order_id: int | None = None


PAYLOAD_TYPES: dict[E, type[Payload]] = {
    E.CASE_OPENED: Empty,
    E.ADMISSION_NOTICE: AdmissionNotice,
    E.EXPECTED_DATE_CHANGED: ExpectedDateChanged,
    E.PLANNING_INFORMATION: PlanningInformation,
    E.MESSAGE: Empty,
    E.FAST_VARDKONTAKT: FastVardkontakt,
    E.READY: Ready,
    E.READY_WITHDRAWN: ReadyWithdrawn,
    E.SIP_CALLED: SipCalled,
    E.SIP_HELD: SipHeld,
    E.SIP_FOLLOWED_UP: SipFollowedUp,
    E.DISCHARGE_NOTICE: DischargeNotice,
    E.REJECTED: Rejected,
    E.TRANSFERRED: Transferred,
    E.LEAVE_STARTED: LeaveStarted,
    E.LEAVE_ENDED: LeaveEnded,
    E.CANCELLED: Cancelled,
    E.CLOSED: Empty,
    E.UNIT_REORGANISED: UnitReorganised,
}
