"""The reserve routine's paper forms: one per notice, blank or filled in from a case.

A form is described as data (sections of labelled fields, each reading its value from the
case, the notice's payload or the parties) and rendered by one template into a tagged
PDF/UA document. The same description gives the blank set that is published as static
files, so staff can print and fax a form while Brygga cannot be reached.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from brygga.cases.models import CareKind, Case, CaseEvent, Destination
from brygga.cases.models import CaseEventType as E
from brygga.cases.payloads import MeetingMode
from brygga.cases.presentation import payload_rows
from brygga.directory.models import Unit

Reader = Callable[[Case | None, dict[str, Any]], str]


@dataclass(frozen=True)
class Contact:
    """Who a form is from or to, with the numbers the reserve routine needs."""

    name: str
    phone: str = ""
    fax: str = ""

    @classmethod
    def of(cls, unit: Unit) -> Contact:
        return cls(unit.name, unit.phone, unit.fax)


@dataclass(frozen=True)
class FieldSpec:
    label: Any
    read: Reader | None = None  # None: always filled in by hand
    lines: int = 1  # the height of the box on a blank form


@dataclass(frozen=True)
class FormSpec:
    slug: str
    title: Any
    event_type: E
    purpose: Any
    fields: tuple[FieldSpec, ...]


@dataclass(frozen=True)
class FilledField:
    label: str
    value: str
    lines: int


@dataclass(frozen=True)
class PaperForm:
    spec: FormSpec
    sender: Contact | None
    recipient: Contact | None
    patient: list[FilledField]
    notice: list[FilledField]
    free_text: str
    blank: bool
    printed_at: dt.datetime | None = None


# --- Reading values -------------------------------------------------------------------------


def _local(value: dt.datetime | str | None) -> str:
    if not value:
        return ""
    moment = dt.datetime.fromisoformat(value) if isinstance(value, str) else value
    return f"{timezone.localtime(moment):%Y-%m-%d %H:%M}"


def _day(value: dt.date | str | None) -> str:
    if not value:
        return ""
    return value if isinstance(value, str) else f"{value:%Y-%m-%d}"


def _yes_no(value: Any) -> str:
    return str(_("Ja")) if value else str(_("Nej"))


def payload(key: str, formatter: Callable[[Any], str] = str) -> Reader:
    def read(case: Case | None, data: dict[str, Any]) -> str:
        value = data.get(key)
        if value in (None, "", []):
            return ""
        return formatter(value)

    return read


def from_case(getter: Callable[[Case], str]) -> Reader:
    def read(case: Case | None, data: dict[str, Any]) -> str:
        return getter(case) if case is not None else ""

    return read


def _care(case: Case) -> str:
    kind = str(CareKind(case.care_kind).label)
    return f"{kind}, {_('vård enligt LPT/LRV')}" if case.compulsory_care else kind


def _lines(value: Any) -> str:
    return "\n".join(value) if isinstance(value, list) else str(value)


def _mode(value: str) -> str:
    return str(MeetingMode(value).label) if value in MeetingMode.values else value


def _destination(value: str) -> str:
    return str(Destination(value).label) if value in Destination.values else value


# --- The five forms -------------------------------------------------------------------------

FORMS: dict[str, FormSpec] = {
    spec.slug: spec
    for spec in (
        FormSpec(
            "inskrivningsmeddelande",
            _("Inskrivningsmeddelande"),
            E.ADMISSION_NOTICE,
            _(
                "Skickas inom 24 timmar från inskrivningen (eller från läkarens senare "
                "bedömning) när patienten kan behöva insatser efter utskrivningen."
            ),
            (
                FieldSpec(_("Inskrivningstid"), from_case(lambda c: _local(c.admitted_at))),
                FieldSpec(_("Vårdform"), from_case(_care)),
                FieldSpec(
                    _("Läkarens bedömning att patienten kan behöva insatser (tid)"),
                    from_case(lambda c: _local(c.assessed_at)),
                ),
                FieldSpec(_("Beräknat utskrivningsdatum"), payload("expected_discharge_on", _day)),
            ),
        ),
        FormSpec(
            "planeringsunderlag",
            _("Planeringsunderlag (information från slutenvården)"),
            E.PLANNING_INFORMATION,
            _("Underlag för mottagarnas planering inför utskrivningen."),
            (
                FieldSpec(_("Boende och hemsituation"), payload("living_situation"), 3),
                FieldSpec(_("Nuvarande insatser"), payload("current_support"), 3),
                FieldSpec(_("Funktionsförmåga"), payload("functional_status"), 3),
                FieldSpec(_("Hjälpmedel"), payload("aids"), 2),
                FieldSpec(_("Behov efter utskrivning"), payload("needs_after_discharge"), 3),
                FieldSpec(_("Kontaktperson på avdelningen"), payload("ward_contact")),
            ),
        ),
        FormSpec(
            "utskrivningsklar",
            _("Underrättelse om utskrivningsklar patient"),
            E.READY,
            _(
                "Skickas så snart den behandlande läkaren bedömt att patienten är "
                "utskrivningsklar. Tidpunkten då underrättelsen skickas startar kommunens "
                "betalningsansvar."
            ),
            (
                FieldSpec(_("Ansvarig läkare"), payload("doctor")),
                FieldSpec(_("Läkarens bedömning (tid)"), payload("decided_at", _local)),
                FieldSpec(
                    _("Patienten behöver insatser från både region och kommun (SIP ska kallas)"),
                    payload("sip_needed", _yes_no),
                ),
            ),
        ),
        FormSpec(
            "kallelse-till-sip",
            _("Kallelse till SIP (samordnad individuell plan)"),
            E.SIP_CALLED,
            _(
                "Den fasta vårdkontakten kallar till SIP inom tre dagar från underrättelsen "
                "om utskrivningsklar patient. SIP kräver patientens samtycke."
            ),
            (
                FieldSpec(_("Mötets tid"), payload("meeting_at", _local)),
                FieldSpec(_("Mötesform"), payload("mode", _mode)),
                FieldSpec(_("Plats eller länk/telefonnummer"), payload("place"), 2),
                FieldSpec(_("Deltagare"), payload("participants", _lines), 4),
                FieldSpec(_("Patienten deltar"), payload("patient_participates", _yes_no)),
                FieldSpec(
                    _("Närstående deltar (patienten motsätter sig inte)"),
                    payload("next_of_kin_participates", _yes_no),
                ),
                FieldSpec(_("Patienten har samtyckt till SIP"), payload("consent_given", _yes_no)),
                FieldSpec(_("Om samtycket"), payload("consent_note"), 2),
            ),
        ),
        FormSpec(
            "utskrivningsmeddelande",
            _("Utskrivningsmeddelande"),
            E.DISCHARGE_NOTICE,
            _(
                "Skickas när patienten lämnar sjukhuset. Information som mottagarna behöver "
                "ska överföras senast samma dag."
            ),
            (
                FieldSpec(_("Utskrivningstid"), payload("discharged_at", _local)),
                FieldSpec(_("Patienten skrivs ut till"), payload("destination", _destination)),
            ),
        ),
    )
}


def _patient_fields(case: Case | None) -> list[FilledField]:
    patient = case.patient if case is not None else None
    address = ""
    if patient is not None:
        address = (
            str(_("Skyddade personuppgifter – adressen lämnas inte ut"))
            if patient.protected_identity
            else ", ".join(patient.address_lines)
        )
    return [
        FilledField(str(_("Namn")), patient.full_name if patient else "", 1),
        FilledField(
            str(_("Personnummer, samordningsnummer eller reservnummer")),
            patient.identity.display() if patient else "",
            1,
        ),
        FilledField(str(_("Folkbokföringsadress")), address, 2),
        FilledField(
            str(_("Folkbokföringskommun (kod)")), patient.municipality_code if patient else "", 1
        ),
    ]


def blank_form(slug: str) -> PaperForm:
    spec = FORMS[slug]
    return PaperForm(
        spec=spec,
        sender=None,
        recipient=None,
        patient=_patient_fields(None),
        notice=[FilledField(str(f.label), "", f.lines) for f in spec.fields],
        free_text="",
        blank=True,
    )


def filled_form(
    slug: str,
    *,
    case: Case,
    event: CaseEvent | None,
    sender: Contact,
    recipient: Contact,
    now: dt.datetime,
) -> PaperForm:
    """The form filled in from the case and its latest notice of this kind, if any."""
    spec = FORMS[slug]
    data = dict(event.payload) if event is not None else {}
    return PaperForm(
        spec=spec,
        sender=sender,
        recipient=recipient,
        patient=_patient_fields(case),
        notice=[
            FilledField(str(f.label), f.read(case, data) if f.read else "", f.lines)
            for f in spec.fields
        ],
        free_text=event.text if event is not None else "",
        blank=False,
        printed_at=now,
    )


def notice_form(
    *,
    case: Case,
    event: CaseEvent,
    sender: Contact,
    recipient: Contact,
    now: dt.datetime,
) -> PaperForm:
    """Any notice of a case as a fax document: the paper form of its kind if there is one,
    otherwise the notice's content as Brygga shows it on the case page."""
    for slug, spec in FORMS.items():
        if spec.event_type == event.type:
            return filled_form(
                slug, case=case, event=event, sender=sender, recipient=recipient, now=now
            )
    label = E(event.type).label
    spec = FormSpec(
        slug=str(event.type), title=label, event_type=E(event.type), purpose="", fields=()
    )
    return PaperForm(
        spec=spec,
        sender=sender,
        recipient=recipient,
        patient=_patient_fields(case),
        notice=[FilledField(str(k), str(v), 1) for k, v in payload_rows(event)],
        free_text=event.text,
        blank=False,
        printed_at=now,
    )
