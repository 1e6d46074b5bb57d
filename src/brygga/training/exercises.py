"""The exercises per role, as data, and the pure rule that says when one is done.

An exercise is done when the trainee, acting for the exercise's unit, did the right thing
in a case of the exercise's patient after the exercise started (the last reset). The rule
looks only at facts about the trainee's own actions (``Fact``), passed in; it reads no
database and no clock, so it is tested with plain values.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _

from brygga.cases.models import CaseEventType as E
from brygga.cases.models import PartyRole

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


class ExerciseKind(StrEnum):
    REGISTER_AND_OPEN = "register_and_open"
    ADMISSION_NOTICE = "admission_notice"
    READY = "ready"
    DISCHARGE = "discharge"
    FAST_VARDKONTAKT = "fast_vardkontakt"
    SIP_CALLED = "sip_called"
    ACKNOWLEDGE = "acknowledge"
    MESSAGE = "message"


ACKNOWLEDGED = "acknowledged"  # the fact type of an acknowledgement (kvittens)


@dataclass(frozen=True)
class Fact:
    """One thing that happened in a case of an exercise's patient.

    ``type`` is a case event type, or ``ACKNOWLEDGED`` when a unit acknowledged a notice.
    """

    type: str
    person_id: int | None
    unit_id: int | None
    at: dt.datetime
    retracted: bool = False


@dataclass(frozen=True)
class ExerciseSpec:
    kind: ExerciseKind
    role: PartyRole  # the kind of unit the trainee acts for
    title: StrOrPromise  # with %(patient)s
    instructions: StrOrPromise  # with %(patient)s, %(identity)s and the exercise's details
    done_by: frozenset[str]  # the fact types that complete it

    def render_title(self, params: Mapping[str, object]) -> str:
        return str(self.title) % params

    def render_instructions(self, params: Mapping[str, object]) -> str:
        return str(self.instructions) % params


def completed_at(
    spec: ExerciseSpec,
    facts: Iterable[Fact],
    *,
    trainee_id: int,
    unit_id: int,
    started_at: dt.datetime,
) -> dt.datetime | None:
    """When the exercise was first done, or None.

    Done: the trainee, acting for the exercise's unit, recorded one of ``spec.done_by`` at or
    after ``started_at``, and has not retracted (makulerat) it since. Someone else's action,
    an action for another unit or one from before the exercise started does not count.
    """
    moments = [
        fact.at
        for fact in facts
        if fact.type in spec.done_by
        and fact.person_id == trainee_id
        and fact.unit_id == unit_id
        and fact.at >= started_at
        and not fact.retracted
    ]
    return min(moments, default=None)


_WARD, _PRIMARY, _MUNICIPALITY = PartyRole.INPATIENT, PartyRole.PRIMARY_CARE, PartyRole.MUNICIPALITY

EXERCISES: tuple[ExerciseSpec, ...] = (
    ExerciseSpec(
        ExerciseKind.REGISTER_AND_OPEN,
        _WARD,
        _("Registrera %(patient)s och öppna ett ärende"),
        _(
            "%(patient)s (%(identity)s) skrevs in på avdelningen i dag och läkaren bedömer att "
            "patienten behöver stöd efter utskrivningen. Patienten finns inte i Brygga än. "
            "Välj Nytt ärende, sök på identitetsnumret och registrera patienten: %(address)s, "
            "folkbokförd i %(municipality)s (kommunkod %(municipality_code)s), listad vid "
            "%(listed)s. Öppna sedan ärendet med dagens inskrivningstid."
        ),
        frozenset({E.CASE_OPENED}),
    ),
    ExerciseSpec(
        ExerciseKind.ADMISSION_NOTICE,
        _WARD,
        _("Skicka inskrivningsmeddelande för %(patient)s"),
        _(
            "%(patient)s skrevs in för några timmar sedan och ärendet är öppnat, men inget "
            "inskrivningsmeddelande har skickats. Skicka det med ett beräknat "
            "utskrivningsdatum, så att vårdcentralen och kommunen kan börja planera."
        ),
        frozenset({E.ADMISSION_NOTICE}),
    ),
    ExerciseSpec(
        ExerciseKind.READY,
        _WARD,
        _("Meddela att %(patient)s är utskrivningsklar"),
        _(
            "Läkaren har i dag bedömt att %(patient)s är utskrivningsklar. Skicka meddelandet "
            "om utskrivningsklar med läkarens namn och tidpunkten för bedömningen."
        ),
        frozenset({E.READY}),
    ),
    ExerciseSpec(
        ExerciseKind.DISCHARGE,
        _WARD,
        _("Skicka utskrivningsmeddelande för %(patient)s"),
        _(
            "%(patient)s har skrivits ut i dag och åkt hem. Skicka utskrivningsmeddelandet med "
            "tidpunkten för utskrivningen och vart patienten skrevs ut."
        ),
        frozenset({E.DISCHARGE_NOTICE}),
    ),
    ExerciseSpec(
        ExerciseKind.FAST_VARDKONTAKT,
        _PRIMARY,
        _("Utse fast vårdkontakt för %(patient)s"),
        _(
            "Vårdcentralen har fått inskrivningsmeddelandet för %(patient)s. Utse en fast "
            "vårdkontakt i primärvården (dig själv) och ange telefonnummer."
        ),
        frozenset({E.FAST_VARDKONTAKT}),
    ),
    ExerciseSpec(
        ExerciseKind.SIP_CALLED,
        _PRIMARY,
        _("Kalla till SIP-möte för %(patient)s"),
        _(
            "%(patient)s är utskrivningsklar och behöver insatser från både region och kommun. "
            "Kalla till ett SIP-möte: tid, form, plats och deltagare."
        ),
        frozenset({E.SIP_CALLED}),
    ),
    ExerciseSpec(
        ExerciseKind.ACKNOWLEDGE,
        _MUNICIPALITY,
        _("Kvittera meddelandena för %(patient)s"),
        _(
            "Socialtjänsten har fått inskrivningsmeddelande och planeringsunderlag för "
            "%(patient)s som ingen har kvitterat. Läs dem i ärendet och kvittera."
        ),
        frozenset({ACKNOWLEDGED}),
    ),
    ExerciseSpec(
        ExerciseKind.MESSAGE,
        _MUNICIPALITY,
        _("Skicka ett meddelande till avdelningen om %(patient)s"),
        _(
            "Hemtjänsten kan börja i morgon förmiddag. Skicka ett meddelande i ärendet för "
            "%(patient)s och fråga avdelningen vilken tid patienten beräknas komma hem."
        ),
        frozenset({E.MESSAGE}),
    ),
)
EXERCISE_BY_KIND: dict[str, ExerciseSpec] = {spec.kind: spec for spec in EXERCISES}
