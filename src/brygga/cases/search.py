"""Search by identity number from the worklist: a patient's cases that the unit may see.

Reads through `visible_cases` only (open and closed cases the unit is or was a party to).
A number that matches no visible case gets the same answer whether or not the patient
exists elsewhere in Brygga.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django import forms
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from brygga.core.actor import Actor
from brygga.core.forms import AccessibleFormMixin
from brygga.patients.identity import InvalidIdentityNumber, PatientIdentity, parse_identity
from brygga.patients.models import Patient

from .access import visible_cases
from .models import Case, CaseKind, CaseState

PARAMETER = "identitet"
STATE_LABELS = dict(CaseState.choices)


class PatientSearchForm(AccessibleFormMixin, forms.Form):
    identitet = forms.CharField(
        label=_("Sök patient (personnummer, samordningsnummer eller reservnummer)"),
        max_length=20,
        help_text=_("Till exempel 19121212-1212. Sökningen loggas."),
        error_messages={"required": _("Skriv patientens identitetsnummer.")},
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "text"}),
    )

    def clean_identitet(self) -> PatientIdentity:
        try:
            return parse_identity(self.cleaned_data["identitet"], today=timezone.localdate())
        except InvalidIdentityNumber as error:
            raise forms.ValidationError(error.message) from error


def _day(moment: dt.datetime | None) -> str:
    return timezone.localtime(moment).date().isoformat() if moment is not None else "–"


@dataclass(frozen=True)
class Hit:
    """One of the patient's cases as the search result lists it."""

    case: Case
    url: str
    kind: str
    state: str
    is_open: bool
    admitted: str
    closed: str


@dataclass(frozen=True)
class SearchResult:
    identity: PatientIdentity
    patient: Patient | None  # None when no case of the patient is visible to the unit
    hits: list[Hit]


def search_cases(actor: Actor, identity: PatientIdentity) -> SearchResult:
    """The patient's cases that the actor's unit may see, newest first (one query)."""
    cases = list(
        visible_cases(actor)
        .filter(patient__identity_number=identity.value)
        .select_related("patient")
        .order_by("-admitted_at", "-pk")
    )
    kinds = {value: str(label) for value, label in CaseKind.choices}
    hits = [
        Hit(
            case=case,
            url=reverse("cases:detail", args=[case.pk]),
            kind=kinds[case.kind],
            state=str(STATE_LABELS.get(case.state, case.state)),
            is_open=case.is_open,
            admitted=_day(case.admitted_at),
            closed=_day(case.closed_at) if not case.is_open else "",
        )
        for case in cases
    ]
    return SearchResult(identity, cases[0].patient if cases else None, hits)
