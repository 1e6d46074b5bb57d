"""The LUS state machine (rules.py) as data: pure tests, no database.

Three layers: the whole matrix of event × state × party role × kind × facts agrees with the
TRANSITIONS table; hand-written expectations for the rules the law and the process care
about most; and a property test that no sequence of events, however silly, escapes the
set of states or reopens a closed or cancelled case.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from brygga.cases.actions import APPLY
from brygga.cases.models import CaseEventType as E
from brygga.cases.models import CaseKind
from brygga.cases.models import CaseState as S
from brygga.cases.models import PartyRole as P
from brygga.cases.payloads import PAYLOAD_TYPES
from brygga.cases.rules import TRANSITIONS, CaseFacts, allowed_events, check_allowed

ROLES: list[P | None] = [P.INPATIENT, P.PRIMARY_CARE, P.MUNICIPALITY, None]
OUTPATIENT = [P.PRIMARY_CARE, P.MUNICIPALITY]
TERMINAL = frozenset({S.CLOSED, S.CANCELLED})
SIP_RELEVANT = frozenset(
    {E.MESSAGE, E.FAST_VARDKONTAKT, E.SIP_CALLED, E.SIP_HELD, E.SIP_FOLLOWED_UP}
    | {E.CANCELLED, E.CLOSED}
)


@pytest.fixture(autouse=True)
def swedish() -> Iterator[None]:
    with translation.override("sv"):
        yield


def all_facts() -> list[CaseFacts]:
    return [
        CaseFacts(kind=kind, state=state, on_leave=on_leave, sip_called=sip_called)
        for kind, state, on_leave, sip_called in itertools.product(
            CaseKind, S, [False, True], [False, True]
        )
    ]


def table_says_allowed(event: E, facts: CaseFacts, role: P | None) -> bool:
    """The oracle: read straight from the TRANSITIONS table and the documented extras."""
    transition = TRANSITIONS.get(event)
    if transition is None or role is None:
        return False
    parties = transition.parties
    if event in {E.CANCELLED, E.CLOSED}:
        # Stays are cancelled/closed by the inpatient unit, SIP cases by the outpatient side.
        parties = (
            frozenset({P.INPATIENT})
            if facts.kind == CaseKind.STAY
            else frozenset({P.PRIMARY_CARE, P.MUNICIPALITY})
        )
    if facts.kind not in transition.kinds or role not in parties:
        return False
    if facts.state not in transition.states:
        return False
    if event == E.LEAVE_STARTED and facts.on_leave:
        return False
    if event == E.LEAVE_ENDED and not facts.on_leave:
        return False
    return not (event == E.SIP_HELD and not facts.sip_called)


def facts(
    state: S,
    *,
    kind: CaseKind = CaseKind.STAY,
    on_leave: bool = False,
    sip_called: bool = False,
) -> CaseFacts:
    return CaseFacts(kind=kind, state=state, on_leave=on_leave, sip_called=sip_called)


def assert_refused(reason: str | None) -> str:
    assert isinstance(reason, str)
    assert reason.strip()
    return reason


# --- The whole matrix agrees with the table ---------------------------------------------


@pytest.mark.parametrize("event", list(E))
def test_check_allowed_agrees_with_the_table_for_every_combination(event: E) -> None:
    for case_facts, role in itertools.product(all_facts(), ROLES):
        reason = check_allowed(event, case_facts, role)
        if table_says_allowed(event, case_facts, role):
            assert reason is None, (event, case_facts, role, reason)
        else:
            assert isinstance(reason, str) and reason.strip(), (event, case_facts, role)


def test_allowed_events_is_exactly_the_allowed_ones() -> None:
    for case_facts, role in itertools.product(all_facts(), ROLES):
        expected = [e for e in TRANSITIONS if table_says_allowed(e, case_facts, role)]
        assert allowed_events(case_facts, role) == expected
        assert all(check_allowed(e, case_facts, role) is None for e in expected)


def test_the_table_is_consistent_with_payloads_and_actions() -> None:
    # Opening a case and moving it at a reorganisation are not recorded by a party.
    assert set(TRANSITIONS) == set(E) - {E.CASE_OPENED, E.UNIT_REORGANISED}
    assert set(PAYLOAD_TYPES) == set(E)
    assert set(APPLY) == set(TRANSITIONS)
    for event, transition in TRANSITIONS.items():
        assert transition.parties and transition.states and transition.kinds, event
        # A transition that moves the case must take part in the optimistic lock.
        if transition.next_state is not None:
            assert transition.changes_state, event
        # Nothing is ever recorded in a closed or cancelled case.
        assert not transition.states & TERMINAL, event


# --- Hand-written expectations --------------------------------------------------------------


@pytest.mark.parametrize("event", [E.ADMISSION_NOTICE, E.READY, E.DISCHARGE_NOTICE])
@pytest.mark.parametrize("role", [P.PRIMARY_CARE, P.MUNICIPALITY])
def test_only_the_inpatient_unit_sends_admission_ready_and_discharge(event: E, role: P) -> None:
    state = S.ADMITTED if event == E.ADMISSION_NOTICE else S.PLANNING
    assert check_allowed(event, facts(state), P.INPATIENT) is None
    reason = assert_refused(check_allowed(event, facts(state), role))
    assert "slutenvård" in reason
    assert "inte av din enhet" in reason


def test_admission_notice_only_once_at_the_start() -> None:
    assert check_allowed(E.ADMISSION_NOTICE, facts(S.ADMITTED), P.INPATIENT) is None
    for state in set(S) - {S.ADMITTED}:
        reason = assert_refused(check_allowed(E.ADMISSION_NOTICE, facts(state), P.INPATIENT))
        assert "status" in reason


def test_ready_only_from_planning_and_withdrawn_only_when_ready() -> None:
    assert check_allowed(E.READY, facts(S.PLANNING), P.INPATIENT) is None
    assert_refused(check_allowed(E.READY, facts(S.ADMITTED), P.INPATIENT))
    assert_refused(check_allowed(E.READY, facts(S.READY), P.INPATIENT))
    assert check_allowed(E.READY_WITHDRAWN, facts(S.READY), P.INPATIENT) is None
    assert_refused(check_allowed(E.READY_WITHDRAWN, facts(S.PLANNING), P.INPATIENT))


def test_discharge_only_after_the_admission_notice_and_only_once() -> None:
    assert check_allowed(E.DISCHARGE_NOTICE, facts(S.PLANNING), P.INPATIENT) is None
    assert check_allowed(E.DISCHARGE_NOTICE, facts(S.READY), P.INPATIENT) is None
    assert_refused(check_allowed(E.DISCHARGE_NOTICE, facts(S.ADMITTED), P.INPATIENT))
    assert_refused(check_allowed(E.DISCHARGE_NOTICE, facts(S.DISCHARGED), P.INPATIENT))


@pytest.mark.parametrize("state", [S.PLANNING, S.READY])
def test_only_primary_care_appoints_fast_vardkontakt(state: S) -> None:
    assert check_allowed(E.FAST_VARDKONTAKT, facts(state), P.PRIMARY_CARE) is None
    for role in (P.INPATIENT, P.MUNICIPALITY):
        reason = assert_refused(check_allowed(E.FAST_VARDKONTAKT, facts(state), role))
        assert "öppenvård" in reason


def test_fast_vardkontakt_is_appointed_before_discharge() -> None:
    for state in (S.ADMITTED, S.DISCHARGED):
        assert_refused(check_allowed(E.FAST_VARDKONTAKT, facts(state), P.PRIMARY_CARE))


@pytest.mark.parametrize("state", [S.ADMITTED, S.PLANNING, S.READY])
def test_the_municipality_may_reject_before_discharge(state: S) -> None:
    assert check_allowed(E.REJECTED, facts(state), P.MUNICIPALITY) is None
    assert_refused(check_allowed(E.REJECTED, facts(state), P.INPATIENT))
    assert_refused(check_allowed(E.REJECTED, facts(state), P.PRIMARY_CARE))


def test_the_municipality_cannot_reject_after_discharge() -> None:
    assert_refused(check_allowed(E.REJECTED, facts(S.DISCHARGED), P.MUNICIPALITY))


@pytest.mark.parametrize("state", sorted(TERMINAL))
@pytest.mark.parametrize("kind", list(CaseKind))
def test_nobody_records_anything_in_a_closed_or_cancelled_case(state: S, kind: CaseKind) -> None:
    for event, role in itertools.product(E, ROLES):
        for on_leave, sip_called in itertools.product([False, True], [False, True]):
            case_facts = facts(state, kind=kind, on_leave=on_leave, sip_called=sip_called)
            assert_refused(check_allowed(event, case_facts, role))
            assert allowed_events(case_facts, role) == []


@pytest.mark.parametrize("event", sorted(TRANSITIONS))
@pytest.mark.parametrize("kind", list(CaseKind))
def test_a_non_party_is_told_it_is_not_a_party(event: E, kind: CaseKind) -> None:
    for state in S:
        reason = assert_refused(check_allowed(event, facts(state, kind=kind), None))
        assert "inte part" in reason


def test_an_event_that_is_not_recorded_directly_is_refused_with_a_reason() -> None:
    for role in ROLES:
        reason = assert_refused(check_allowed(E.CASE_OPENED, facts(S.ADMITTED), role))
        assert "direkt" in reason


@pytest.mark.parametrize("state", [S.PLANNING, S.READY])
def test_leave_cannot_start_twice_or_end_without_starting(state: S) -> None:
    assert check_allowed(E.LEAVE_STARTED, facts(state), P.INPATIENT) is None
    reason = assert_refused(
        check_allowed(E.LEAVE_STARTED, facts(state, on_leave=True), P.INPATIENT)
    )
    assert "redan på permission" in reason
    assert check_allowed(E.LEAVE_ENDED, facts(state, on_leave=True), P.INPATIENT) is None
    reason = assert_refused(check_allowed(E.LEAVE_ENDED, facts(state), P.INPATIENT))
    assert "inte på permission" in reason


def test_sip_meeting_needs_a_call_first() -> None:
    assert_refused(check_allowed(E.SIP_HELD, facts(S.READY), P.PRIMARY_CARE))
    assert check_allowed(E.SIP_HELD, facts(S.READY, sip_called=True), P.PRIMARY_CARE) is None
    assert check_allowed(E.SIP_CALLED, facts(S.READY), P.MUNICIPALITY) is None
    assert_refused(check_allowed(E.SIP_CALLED, facts(S.READY), P.INPATIENT))


def test_a_stay_is_cancelled_and_closed_by_the_inpatient_unit() -> None:
    for state in (S.ADMITTED, S.PLANNING, S.READY):
        assert check_allowed(E.CANCELLED, facts(state), P.INPATIENT) is None
        assert_refused(check_allowed(E.CANCELLED, facts(state), P.PRIMARY_CARE))
        assert_refused(check_allowed(E.CANCELLED, facts(state), P.MUNICIPALITY))
        assert_refused(check_allowed(E.CLOSED, facts(state), P.INPATIENT))
    assert check_allowed(E.CLOSED, facts(S.DISCHARGED), P.INPATIENT) is None
    assert_refused(check_allowed(E.CLOSED, facts(S.DISCHARGED), P.MUNICIPALITY))
    assert_refused(check_allowed(E.CANCELLED, facts(S.DISCHARGED), P.INPATIENT))


def test_a_sip_case_is_cancelled_and_closed_by_the_outpatient_side() -> None:
    sip = facts(S.SIP_ONGOING, kind=CaseKind.SIP)
    for role in (P.PRIMARY_CARE, P.MUNICIPALITY):
        assert check_allowed(E.CANCELLED, sip, role) is None
        assert check_allowed(E.CLOSED, sip, role) is None
    assert_refused(check_allowed(E.CANCELLED, sip, P.INPATIENT))
    assert_refused(check_allowed(E.CLOSED, sip, P.INPATIENT))


def test_messages_from_every_party_in_every_open_state() -> None:
    for state, role in itertools.product(
        [S.ADMITTED, S.PLANNING, S.READY, S.DISCHARGED], [P.INPATIENT, *OUTPATIENT]
    ):
        assert check_allowed(E.MESSAGE, facts(state), role) is None


def test_allowed_events_for_the_ward_during_planning() -> None:
    assert allowed_events(facts(S.PLANNING), P.INPATIENT) == [
        E.EXPECTED_DATE_CHANGED,
        E.PLANNING_INFORMATION,
        E.MESSAGE,
        E.READY,
        E.DISCHARGE_NOTICE,
        E.TRANSFERRED,
        E.LEAVE_STARTED,
        E.CANCELLED,
    ]
    assert allowed_events(facts(S.READY, on_leave=True), P.INPATIENT) == [
        E.EXPECTED_DATE_CHANGED,
        E.PLANNING_INFORMATION,
        E.MESSAGE,
        E.READY_WITHDRAWN,
        E.DISCHARGE_NOTICE,
        E.TRANSFERRED,
        E.LEAVE_ENDED,
        E.CANCELLED,
    ]


def test_allowed_events_for_the_outpatient_side() -> None:
    assert allowed_events(facts(S.ADMITTED), P.MUNICIPALITY) == [E.MESSAGE, E.REJECTED]
    assert allowed_events(facts(S.READY), P.PRIMARY_CARE) == [
        E.MESSAGE,
        E.FAST_VARDKONTAKT,
        E.SIP_CALLED,
    ]
    assert allowed_events(facts(S.DISCHARGED, sip_called=True), P.MUNICIPALITY) == [
        E.MESSAGE,
        E.SIP_CALLED,
        E.SIP_HELD,
        E.SIP_FOLLOWED_UP,
    ]
    assert allowed_events(facts(S.ADMITTED), None) == []


def test_sip_cases_only_allow_sip_relevant_events() -> None:
    for state, role, on_leave, sip_called in itertools.product(
        S, ROLES, [False, True], [False, True]
    ):
        case_facts = facts(state, kind=CaseKind.SIP, on_leave=on_leave, sip_called=sip_called)
        assert set(allowed_events(case_facts, role)) <= SIP_RELEVANT
    everything = allowed_events(
        facts(S.SIP_ONGOING, kind=CaseKind.SIP, sip_called=True), P.PRIMARY_CARE
    )
    assert set(everything) == SIP_RELEVANT
    for event in set(TRANSITIONS) - SIP_RELEVANT:
        reason = check_allowed(event, facts(S.SIP_ONGOING, kind=CaseKind.SIP), P.MUNICIPALITY)
        assert "typen av ärende" in assert_refused(reason)


# --- Property: a tiny simulator driven by the table ---------------------------------------


@dataclass
class Sim:
    kind: CaseKind
    state: S
    on_leave: bool = False
    sip_called: bool = False
    version: int = 1

    def facts(self) -> CaseFacts:
        return CaseFacts(self.kind, self.state, self.on_leave, self.sip_called)

    def apply(self, event: E, role: P | None) -> bool:
        if check_allowed(event, self.facts(), role) is not None:
            return False
        transition = TRANSITIONS[event]
        if transition.next_state is not None:
            self.state = transition.next_state
        if transition.changes_state:
            self.version += 1
        if event == E.LEAVE_STARTED:
            self.on_leave = True
        elif event in {E.LEAVE_ENDED, E.DISCHARGE_NOTICE}:
            self.on_leave = False
        elif event == E.SIP_CALLED:
            self.sip_called = True
        elif event == E.READY:
            self.sip_called = False
        return True


steps = st.lists(st.tuples(st.sampled_from(list(E)), st.sampled_from(ROLES)), max_size=60)


@given(kind=st.sampled_from(list(CaseKind)), sequence=steps)
def test_no_sequence_of_events_escapes_the_states_or_reopens_a_case(
    kind: CaseKind, sequence: list[tuple[E, P | None]]
) -> None:
    start = S.ADMITTED if kind == CaseKind.STAY else S.SIP_ONGOING
    sim = Sim(kind=kind, state=start)
    reachable = (
        {S.ADMITTED, S.PLANNING, S.READY, S.DISCHARGED} | TERMINAL
        if kind == CaseKind.STAY
        else {S.SIP_ONGOING} | TERMINAL
    )
    for event, role in sequence:
        before = sim.state
        version = sim.version
        applied = sim.apply(event, role)
        assert sim.state in set(S)
        assert sim.state in reachable
        assert sim.version >= version
        if before in TERMINAL:
            assert not applied
            assert sim.state == before
        if not applied:
            assert sim.state == before and sim.version == version
        if sim.on_leave:
            assert sim.state in {S.PLANNING, S.READY}


@given(sequence=steps)
def test_a_stay_never_returns_to_admitted_and_leaves_discharge_only_to_close(
    sequence: list[tuple[E, P | None]],
) -> None:
    sim = Sim(kind=CaseKind.STAY, state=S.ADMITTED)
    seen: list[S] = [sim.state]
    for event, role in sequence:
        sim.apply(event, role)
        seen.append(sim.state)
    for earlier, later in itertools.pairwise(seen):
        if earlier != S.ADMITTED:
            assert later != S.ADMITTED
        if earlier == S.DISCHARGED:
            assert later in {S.DISCHARGED, S.CLOSED}
