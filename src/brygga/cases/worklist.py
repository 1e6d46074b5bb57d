"""The acting unit's worklist: its open cases, filterable by state and sortable."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count

from brygga.core.actor import Actor

from .access import active_cases
from .models import OPEN_STATES, Case, CaseState

SORTS = {
    "inskriven": "admitted_at",
    "-inskriven": "-admitted_at",
    "namn": "patient__family_name",
    "-namn": "-patient__family_name",
    "utskrivning": "expected_discharge_on",
    "-utskrivning": "-expected_discharge_on",
}
DEFAULT_SORT = "-inskriven"


@dataclass(frozen=True)
class Worklist:
    cases: list[Case]
    counts: dict[str, int]
    state: str
    sort: str

    @classmethod
    def for_actor(cls, actor: Actor, *, state: str = "", sort: str = "") -> Worklist:
        open_cases = active_cases(actor).filter(state__in=OPEN_STATES)
        counts = {
            row["state"]: row["n"]
            for row in open_cases.order_by().values("state").annotate(n=Count("pk"))
        }
        if state not in CaseState.values or state not in OPEN_STATES:
            state = ""
        if sort not in SORTS:
            sort = DEFAULT_SORT
        selected = open_cases.filter(state=state) if state else open_cases
        cases = list(selected.select_related("patient").order_by(SORTS[sort], "pk")[:500])
        return cls(cases=cases, counts=counts, state=state, sort=sort)

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def state_filters(self) -> list[tuple[str, object, int]]:
        return [
            (value, label, self.counts.get(value, 0))
            for value, label in CaseState.choices
            if value in OPEN_STATES
        ]
