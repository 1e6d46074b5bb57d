"""Builds the payment rules' `StayFacts` from cases and their events, many cases at a time.

A handful of queries whatever the number of cases (cases, their events of interest, the
recipients of the utskrivningsklar notices, the municipal parties, refusals), so a month's
basis for the whole region stays cheap. Reads only; the caller decides who may see what.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet

from brygga.cases.models import Case, CaseEvent, CaseKind, CaseParty, NoticeRecipient, PartyRole
from brygga.cases.models import CaseEventType as E
from brygga.directory.models import MUNICIPAL_CARE_TYPES, CareType
from brygga.reserve.models import ExternalDispatch

from .models import SupportRefusal
from .rules import STOCKHOLM, StayFacts, Transfer, WithdrawnPeriod


@dataclass(frozen=True)
class StayRecord:
    """A stay's facts plus what the basis shows about it (never passed to the rules)."""

    facts: StayFacts
    case_id: int
    patient_id: int
    municipality_code: str
    state: str


def month_bounds(month: dt.date) -> tuple[dt.date, dt.date]:
    """The first day of the month and the first day of the next one."""
    first = month.replace(day=1)
    following = (first + dt.timedelta(days=32)).replace(day=1)
    return first, following


def local_midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=STOCKHOLM).astimezone(dt.UTC)


def candidate_cases(
    first: dt.date, following: dt.date, municipality_code: str | None = None
) -> QuerySet[Case]:
    """Stays with an utskrivningsklar notice in force before the window ends that had not
    ended before it began: the only ones that can have payable days in the window."""
    start, end = local_midnight(first), local_midnight(following)
    cases = Case.objects.filter(
        kind=CaseKind.STAY, ready_at__isnull=False, ready_at__lt=end
    ).filter(
        Q(discharged_at__isnull=True) | Q(discharged_at__gte=start),
        Q(closed_at__isnull=True) | Q(closed_at__gte=start) | Q(discharged_at__isnull=False),
    )
    if municipality_code is not None:
        # A superset, cheap to find: the municipality is a party, or the patient lives
        # there. `stay_records` decides which municipality pays; callers filter on that.
        parties = CaseParty.objects.filter(
            active=True,
            role=PartyRole.MUNICIPALITY,
            unit__municipality_code=municipality_code,
        ).values("case_id")
        cases = cases.filter(Q(pk__in=parties) | Q(patient__municipality_code=municipality_code))
    return cases


_CASE_FIELDS = (
    "pk",
    "patient_id",
    "patient__municipality_code",
    "state",
    "care_kind",
    "compulsory_care",
    "admitted_at",
    "assessed_at",
    "admission_notice_at",
    "ready_at",
    "sip_needed",
    "sip_called_at",
    "discharged_at",
    "closed_at",
)


def stay_records(cases: QuerySet[Case]) -> list[StayRecord]:
    rows = list(cases.values(*_CASE_FIELDS))
    if not rows:
        return []
    ids = cases.values("pk")
    events: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for found in (
        CaseEvent.objects.filter(
            case_id__in=ids,
            retracted_at__isnull=True,
            type__in=[E.READY, E.READY_WITHDRAWN, E.TRANSFERRED, E.CANCELLED],
        )
        .order_by("effective_at", "pk")
        .values("pk", "case_id", "type", "effective_at", "payload")
    ):
        events[found["case_id"]].append(dict(found))

    # The municipality that pays: its social services' party first, else any municipal one.
    social: dict[int, str] = {}
    other: dict[int, str] = {}
    for party in (
        CaseParty.objects.filter(case_id__in=ids, active=True, role=PartyRole.MUNICIPALITY)
        .order_by("pk")
        .values("case_id", "unit__municipality_code", "unit__care_type")
    ):
        target = social if party["unit__care_type"] == CareType.SOCIAL_SERVICES else other
        target.setdefault(party["case_id"], party["unit__municipality_code"])
    municipality = other | social

    in_force: dict[int, int] = {}  # case -> the READY event in force
    withdrawn: dict[int, list[WithdrawnPeriod]] = defaultdict(list)
    transfers: dict[int, list[Transfer]] = defaultdict(list)
    cancelled: dict[int, dt.datetime] = {}
    for case_id, case_events in events.items():
        ready: dict[str, Any] | None = None
        for event in case_events:
            if event["type"] == E.READY:
                ready = event
            elif event["type"] == E.READY_WITHDRAWN and ready is not None:
                withdrawn[case_id].append(
                    WithdrawnPeriod(ready["effective_at"], event["effective_at"])
                )
                ready = None
            elif event["type"] == E.TRANSFERRED:
                transfers[case_id].append(
                    Transfer(event["effective_at"], event["payload"].get("to_unit_name", ""))
                )
            elif event["type"] == E.CANCELLED:
                cancelled[case_id] = event["effective_at"]
        if ready is not None:
            in_force[case_id] = ready["pk"]

    reached: dict[int, set[str]] = defaultdict(set)  # READY event -> municipality codes
    for recipient in NoticeRecipient.objects.filter(
        event_id__in=list(in_force.values()), unit__care_type__in=list(MUNICIPAL_CARE_TYPES)
    ).values("event_id", "unit__municipality_code"):
        reached[recipient["event_id"]].add(recipient["unit__municipality_code"])
    # A municipality outside Brygga's directory is reached when the notice was sent to it
    # on paper (the reserve routine's external recipients, docs/reserve.md).
    for dispatch in ExternalDispatch.objects.filter(event_id__in=list(in_force.values())).values(
        "event_id", "recipient__municipality_code"
    ):
        reached[dispatch["event_id"]].add(dispatch["recipient__municipality_code"])

    refused: dict[int, dt.datetime] = {}
    for refusal in SupportRefusal.objects.filter(case_id__in=ids).values("case_id", "refused_at"):
        refused.setdefault(refusal["case_id"], refusal["refused_at"])

    records = []
    for row in rows:
        case_id = row["pk"]
        code = municipality.get(case_id) or row["patient__municipality_code"]
        ready_event = in_force.get(case_id)
        facts = StayFacts(
            case_id=case_id,
            care_kind=row["care_kind"],
            compulsory_care=row["compulsory_care"],
            admitted_at=row["admitted_at"],
            assessed_at=row["assessed_at"],
            admission_notice_at=row["admission_notice_at"],
            ready_at=row["ready_at"],
            ready_notice_reached_municipality=ready_event is not None
            and code in reached.get(ready_event, set()),
            withdrawn=tuple(withdrawn.get(case_id, ())),
            sip_needed=row["sip_needed"],
            sip_called_at=row["sip_called_at"],
            support_refused_at=refused.get(case_id),
            discharged_at=row["discharged_at"],
            cancelled_at=cancelled.get(case_id) if row["discharged_at"] is None else None,
            transfers=tuple(transfers.get(case_id, ())),
        )
        records.append(
            StayRecord(
                facts=facts,
                case_id=case_id,
                patient_id=row["patient_id"],
                municipality_code=code,
                state=row["state"],
            )
        )
    return records
