"""The LUS state machine as data: which party may record which event in which state.

Pure: no database. `check_allowed` answers with a Swedish reason when something is not
allowed, so the user learns why and nothing changes.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from .models import CaseEventType as E
from .models import CaseKind
from .models import CaseState as S
from .models import PartyRole as P

STAY_OPEN = frozenset({S.ADMITTED, S.PLANNING, S.READY, S.DISCHARGED})
BEFORE_DISCHARGE = frozenset({S.ADMITTED, S.PLANNING, S.READY})
ANY_PARTY = frozenset({P.INPATIENT, P.PRIMARY_CARE, P.MUNICIPALITY})
OUTPATIENT_PARTIES = frozenset({P.PRIMARY_CARE, P.MUNICIPALITY})


@dataclass(frozen=True)
class Transition:
    parties: frozenset[P]
    states: frozenset[S]
    next_state: S | None = None  # None: the state stays
    changes_state: bool = False  # needs the optimistic-lock version check
    kinds: frozenset[CaseKind] = frozenset({CaseKind.STAY})
    retractable: bool = False  # may be made void (makulerad) by its author's unit
    notice: bool = True  # sent to the other parties, who acknowledge it


TRANSITIONS: dict[E, Transition] = {
    E.ADMISSION_NOTICE: Transition(
        frozenset({P.INPATIENT}), frozenset({S.ADMITTED}), S.PLANNING, changes_state=True
    ),
    E.EXPECTED_DATE_CHANGED: Transition(
        frozenset({P.INPATIENT}), frozenset({S.PLANNING, S.READY}), retractable=True
    ),
    E.PLANNING_INFORMATION: Transition(
        frozenset({P.INPATIENT}), frozenset({S.PLANNING, S.READY, S.DISCHARGED}), retractable=True
    ),
    E.MESSAGE: Transition(
        ANY_PARTY,
        STAY_OPEN | {S.SIP_ONGOING},
        kinds=frozenset({CaseKind.STAY, CaseKind.SIP}),
        retractable=True,
    ),
    E.FAST_VARDKONTAKT: Transition(
        frozenset({P.PRIMARY_CARE}),
        frozenset({S.PLANNING, S.READY, S.SIP_ONGOING}),
        kinds=frozenset({CaseKind.STAY, CaseKind.SIP}),
        retractable=True,
    ),
    E.READY: Transition(
        frozenset({P.INPATIENT}), frozenset({S.PLANNING}), S.READY, changes_state=True
    ),
    E.READY_WITHDRAWN: Transition(
        frozenset({P.INPATIENT}), frozenset({S.READY}), S.PLANNING, changes_state=True
    ),
    E.SIP_CALLED: Transition(
        OUTPATIENT_PARTIES,
        frozenset({S.PLANNING, S.READY, S.DISCHARGED, S.SIP_ONGOING}),
        kinds=frozenset({CaseKind.STAY, CaseKind.SIP}),
        retractable=True,
    ),
    E.SIP_HELD: Transition(
        OUTPATIENT_PARTIES,
        frozenset({S.PLANNING, S.READY, S.DISCHARGED, S.SIP_ONGOING}),
        kinds=frozenset({CaseKind.STAY, CaseKind.SIP}),
    ),
    E.SIP_FOLLOWED_UP: Transition(
        OUTPATIENT_PARTIES,
        frozenset({S.DISCHARGED, S.SIP_ONGOING}),
        kinds=frozenset({CaseKind.STAY, CaseKind.SIP}),
    ),
    E.DISCHARGE_NOTICE: Transition(
        frozenset({P.INPATIENT}),
        frozenset({S.PLANNING, S.READY}),
        S.DISCHARGED,
        changes_state=True,
    ),
    E.REJECTED: Transition(
        frozenset({P.MUNICIPALITY}), BEFORE_DISCHARGE, changes_state=True, notice=True
    ),
    E.TRANSFERRED: Transition(frozenset({P.INPATIENT}), BEFORE_DISCHARGE, changes_state=True),
    E.LEAVE_STARTED: Transition(
        frozenset({P.INPATIENT}), frozenset({S.PLANNING, S.READY}), changes_state=True
    ),
    E.LEAVE_ENDED: Transition(
        frozenset({P.INPATIENT}), frozenset({S.PLANNING, S.READY}), changes_state=True
    ),
    E.CANCELLED: Transition(
        frozenset({P.INPATIENT}) | OUTPATIENT_PARTIES,
        BEFORE_DISCHARGE | {S.SIP_ONGOING},
        S.CANCELLED,
        changes_state=True,
        kinds=frozenset({CaseKind.STAY, CaseKind.SIP}),
    ),
    E.CLOSED: Transition(
        frozenset({P.INPATIENT}) | OUTPATIENT_PARTIES,
        frozenset({S.DISCHARGED, S.SIP_ONGOING}),
        S.CLOSED,
        changes_state=True,
        kinds=frozenset({CaseKind.STAY, CaseKind.SIP}),
    ),
}

# Who may cancel or close: in a stay the inpatient unit; in a SIP case the outpatient parties.
STAY_ONLY_INPATIENT = frozenset({E.CANCELLED, E.CLOSED})


@dataclass(frozen=True)
class CaseFacts:
    """What the rules need to know about a case, taken from the row."""

    kind: CaseKind
    state: S
    on_leave: bool = False
    sip_called: bool = False


def check_allowed(event: E, facts: CaseFacts, party_role: P | None) -> str | None:
    """None when allowed; otherwise the Swedish reason why not."""
    transition = TRANSITIONS.get(event)
    if transition is None:
        return str(_("Den här händelsen kan inte registreras direkt."))
    if party_role is None:
        return str(_("Din enhet är inte part i ärendet och kan inte registrera något i det."))
    if facts.kind not in transition.kinds:
        return str(_("Händelsen hör inte till den här typen av ärende."))
    parties = transition.parties
    if event in STAY_ONLY_INPATIENT:
        parties = frozenset({P.INPATIENT}) if facts.kind == CaseKind.STAY else OUTPATIENT_PARTIES
    if party_role not in parties:
        return str(
            _("%(event)s registreras av %(parties)s, inte av din enhet.")
            % {
                "event": E(event).label,
                "parties": ", ".join(str(P(p).label).lower() for p in sorted(parties)),
            }
        )
    if facts.state not in transition.states:
        return str(
            _("%(event)s kan inte registreras när ärendet har status %(state)s.")
            % {"event": E(event).label, "state": str(S(facts.state).label).lower()}
        )
    if event == E.LEAVE_STARTED and facts.on_leave:
        return str(_("Patienten är redan på permission."))
    if event == E.LEAVE_ENDED and not facts.on_leave:
        return str(_("Patienten är inte på permission."))
    if event in {E.SIP_HELD} and not facts.sip_called:
        return str(_("Det finns ingen kallelse till SIP att registrera mötet för."))
    return None


def allowed_events(facts: CaseFacts, party_role: P | None) -> list[E]:
    """Exactly the events the acting unit may record now (the case page offers these)."""
    return [event for event in TRANSITIONS if check_allowed(event, facts, party_role) is None]
