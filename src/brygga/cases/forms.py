"""One form per notice: the structured content a receiving user needs, plus free text.

Every event form carries the case version the user saw (optimistic locking) and an
idempotency key (a double-clicked submit records one notice). `to_payload()` builds the
typed payload the action expects.
"""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from brygga.core.forms import AccessibleFormMixin, DateInput, LocalDateTimeField
from brygga.directory.models import INPATIENT_CARE_TYPES, Unit

from . import payloads as p
from .models import CareKind, Destination
from .models import CaseEventType as E

TEXT_LABEL = _("Fritext")


class EventForm(AccessibleFormMixin, forms.Form):
    event_type: E
    title = _("Händelse")
    submit_label = _("Skicka")

    version = forms.IntegerField(widget=forms.HiddenInput)
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=64)
    text = forms.CharField(
        label=TEXT_LABEL, required=False, widget=forms.Textarea(attrs={"rows": 4}), max_length=5000
    )

    def __init__(
        self,
        *args: Any,
        actor_unit: Unit | None = None,
        back_registration: bool = False,
        **kwargs: Any,
    ) -> None:
        self.actor_unit = actor_unit
        self.back_registration = back_registration
        initial = kwargs.setdefault("initial", {})
        initial.setdefault("idempotency_key", uuid.uuid4().hex)
        super().__init__(*args, **kwargs)
        if back_registration:
            # Efterregistrering: the notice went on paper during an outage; its original
            # time is what deadlines and payment are computed from.
            self.fields["original_at"] = LocalDateTimeField(
                label=_("När skickades det på papper eller fax?"),
                help_text=_(
                    "Den ursprungliga tidpunkten enligt pappersblanketten. Tidsfrister och "
                    "betalningsansvar räknas från den."
                ),
            )
        # The original time first, the free text last, the structured fields between.
        names = [name for name in self.fields if name not in ("original_at", "text")]
        if back_registration:
            names.insert(0, "original_at")
        self.order_fields([*names, "text"])

    def to_payload(self) -> p.Payload:
        return p.Empty()


class AdmissionNoticeForm(EventForm):
    event_type = E.ADMISSION_NOTICE
    title = _("Skicka inskrivningsmeddelande")
    expected_discharge_on = forms.DateField(
        label=_("Beräknat utskrivningsdatum"),
        required=False,
        widget=DateInput,
        help_text=_("Lämna tomt om det inte går att bedöma ännu."),
    )

    def to_payload(self) -> p.Payload:
        return p.AdmissionNotice(self.cleaned_data["expected_discharge_on"])


class ExpectedDateForm(EventForm):
    event_type = E.EXPECTED_DATE_CHANGED
    title = _("Ändra beräknat utskrivningsdatum")
    expected_discharge_on = forms.DateField(
        label=_("Nytt beräknat utskrivningsdatum"),
        widget=DateInput,
        error_messages={"required": _("Fyll i det nya datumet.")},
    )
    decided_at = LocalDateTimeField(
        label=_("När ändrades bedömningen?"),
        help_text=_("Meddelandet ska skickas så snart som möjligt efter ändringen."),
    )

    def __init__(self, *args: Any, previous: Any = None, **kwargs: Any) -> None:
        self.previous = previous
        kwargs.setdefault("initial", {}).setdefault("decided_at", timezone.localtime())
        super().__init__(*args, **kwargs)

    def to_payload(self) -> p.Payload:
        return p.ExpectedDateChanged(
            self.cleaned_data["expected_discharge_on"],
            self.previous,
            self.cleaned_data["decided_at"],
        )


class PlanningInformationForm(EventForm):
    event_type = E.PLANNING_INFORMATION
    title = _("Skicka planeringsunderlag")
    living_situation = forms.CharField(
        label=_("Boende och hemsituation"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    current_support = forms.CharField(
        label=_("Nuvarande insatser"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    functional_status = forms.CharField(
        label=_("Funktionsförmåga"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    aids = forms.CharField(
        label=_("Hjälpmedel"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    needs_after_discharge = forms.CharField(
        label=_("Behov efter utskrivning"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    ward_contact = forms.CharField(
        label=_("Kontaktperson på avdelningen"), required=False, max_length=200
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        fields = (
            "living_situation",
            "current_support",
            "functional_status",
            "aids",
            "needs_after_discharge",
        )
        if not any(data.get(name) for name in fields) and not data.get("text"):
            raise forms.ValidationError(_("Fyll i minst ett av fälten i planeringsunderlaget."))
        return data

    def to_payload(self) -> p.Payload:
        d = self.cleaned_data
        return p.PlanningInformation(
            d["living_situation"],
            d["current_support"],
            d["functional_status"],
            d["aids"],
            d["needs_after_discharge"],
            d["ward_contact"],
        )


class MessageForm(EventForm):
    event_type = E.MESSAGE
    title = _("Skicka meddelande")
    text = forms.CharField(
        label=_("Meddelande"),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=5000,
        error_messages={"required": _("Skriv meddelandet.")},
    )


class FastVardkontaktForm(EventForm):
    event_type = E.FAST_VARDKONTAKT
    title = _("Utse fast vårdkontakt")
    name = forms.CharField(
        label=_("Namn"),
        max_length=200,
        error_messages={"required": _("Skriv den fasta vårdkontaktens namn.")},
    )
    contact_title = forms.CharField(label=_("Titel eller funktion"), required=False, max_length=100)
    phone = forms.CharField(label=_("Telefon"), required=False, max_length=40)

    def to_payload(self) -> p.Payload:
        d = self.cleaned_data
        return p.FastVardkontakt(d["name"], d["contact_title"], d["phone"])


class ReadyForm(EventForm):
    event_type = E.READY
    title = _("Meddela utskrivningsklar")
    submit_label = _("Skicka meddelande om utskrivningsklar")
    doctor = forms.CharField(
        label=_("Ansvarig läkare"),
        max_length=200,
        error_messages={
            "required": _("Skriv vilken läkare som bedömt patienten utskrivningsklar.")
        },
    )
    decided_at = LocalDateTimeField(
        label=_("Läkarens bedömning"),
        help_text=_("När läkaren bedömde att patienten inte längre behöver sluten vård."),
    )
    sip_needed = forms.BooleanField(
        label=_("Patienten behöver insatser från både region och kommun (SIP ska kallas)"),
        required=False,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {}).setdefault("decided_at", timezone.localtime())
        super().__init__(*args, **kwargs)

    def clean_decided_at(self) -> Any:
        value = self.cleaned_data["decided_at"]
        if value > timezone.now():
            raise forms.ValidationError(_("Bedömningen kan inte ligga i framtiden."))
        return value

    def to_payload(self) -> p.Payload:
        d = self.cleaned_data
        return p.Ready(d["doctor"], d["decided_at"], d["sip_needed"])


class ReadyWithdrawnForm(EventForm):
    event_type = E.READY_WITHDRAWN
    title = _("Återta utskrivningsklar")
    submit_label = _("Återta")
    reason = forms.CharField(
        label=_("Varför är patienten inte längre utskrivningsklar?"),
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Skriv orsaken till återtagandet.")},
    )

    def to_payload(self) -> p.Payload:
        return p.ReadyWithdrawn(self.cleaned_data["reason"])


class SipCalledForm(EventForm):
    event_type = E.SIP_CALLED
    title = _("Kalla till SIP")
    meeting_at = LocalDateTimeField(label=_("Mötets tid"))
    mode = forms.ChoiceField(
        label=_("Mötesform"),
        choices=p.MeetingMode.choices,
        widget=forms.RadioSelect,
        initial=p.MeetingMode.IN_PERSON,
    )
    place = forms.CharField(
        label=_("Plats eller länk/telefonnummer"),
        max_length=300,
        error_messages={"required": _("Skriv var mötet hålls, eller hur man ansluter.")},
    )
    participants = forms.CharField(
        label=_("Deltagare"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("En deltagare per rad: namn och enhet eller relation."),
        error_messages={"required": _("Skriv vilka som kallas.")},
    )
    patient_participates = forms.BooleanField(
        label=_("Patienten deltar"), required=False, initial=True
    )
    next_of_kin_participates = forms.BooleanField(
        label=_("Närstående deltar (patienten motsätter sig inte)"), required=False
    )
    consent_given = forms.BooleanField(
        label=_("Patienten har samtyckt till SIP"),
        error_messages={
            "required": _("SIP kräver patientens samtycke. Registrera samtycket innan du kallar.")
        },
    )
    consent_note = forms.CharField(
        label=_("Hur samtycket lämnades"),
        required=False,
        max_length=300,
        help_text=_("T.ex. muntligt till sjuksköterska, eller genom legal företrädare."),
    )

    def to_payload(self) -> p.Payload:
        d = self.cleaned_data
        lines = [line.strip() for line in d["participants"].splitlines() if line.strip()]
        return p.SipCalled(
            d["meeting_at"],
            d["mode"],
            d["place"],
            lines,
            d["patient_participates"],
            d["next_of_kin_participates"],
            d["consent_given"],
            d["consent_note"],
        )


class SipHeldForm(EventForm):
    event_type = E.SIP_HELD
    title = _("Registrera hållet SIP-möte")
    held_at = LocalDateTimeField(label=_("När hölls mötet?"))
    plan_summary = forms.CharField(
        label=_("Planen i sammandrag: vem gör vad"),
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"required": _("Skriv en sammanfattning av planen.")},
    )
    follow_up_on = forms.DateField(label=_("Uppföljning"), required=False, widget=DateInput)

    def to_payload(self) -> p.Payload:
        d = self.cleaned_data
        return p.SipHeld(d["held_at"], d["plan_summary"], d["follow_up_on"])


class SipFollowedUpForm(EventForm):
    event_type = E.SIP_FOLLOWED_UP
    title = _("Registrera uppföljning av SIP")
    summary = forms.CharField(
        label=_("Uppföljningen i sammandrag"),
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": _("Skriv vad uppföljningen visade.")},
    )

    def to_payload(self) -> p.Payload:
        return p.SipFollowedUp(self.cleaned_data["summary"])


class DischargeNoticeForm(EventForm):
    event_type = E.DISCHARGE_NOTICE
    title = _("Skicka utskrivningsmeddelande")
    discharged_at = LocalDateTimeField(label=_("Utskrivningstid"))
    destination = forms.ChoiceField(
        label=_("Patienten skrivs ut till"),
        choices=Destination.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Välj vart patienten skrivs ut.")},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {}).setdefault("discharged_at", timezone.localtime())
        super().__init__(*args, **kwargs)

    def to_payload(self) -> p.Payload:
        d = self.cleaned_data
        return p.DischargeNotice(d["discharged_at"], d["destination"])


class RejectForm(EventForm):
    event_type = E.REJECTED
    title = _("Avvisa ärendet")
    submit_label = _("Avvisa och skicka till rätt kommun")
    reason = forms.ChoiceField(
        label=_("Orsak"), choices=p.RejectionReason.choices, widget=forms.RadioSelect
    )
    correct_municipality_code = forms.RegexField(
        label=_("Rätt kommun (kommunkod)"),
        regex=r"^\d{4}$",
        max_length=4,
        help_text=_("Fyra siffror, t.ex. 0184 för Solna."),
        error_messages={
            "invalid": _("Kommunkoden har fyra siffror."),
            "required": _("Skriv kommunkoden för den kommun där patienten är folkbokförd."),
        },
    )
    correct_district = forms.CharField(label=_("Stadsdel"), required=False, max_length=100)

    def to_payload(self) -> p.Payload:
        d = self.cleaned_data
        return p.Rejected(d["reason"], d["correct_municipality_code"], d["correct_district"])


class TransferForm(EventForm):
    event_type = E.TRANSFERRED
    title = _("Flytta patienten till annan vårdenhet")
    to_unit = forms.ModelChoiceField(
        label=_("Ny vårdenhet"),
        queryset=Unit.objects.none(),
        error_messages={"required": _("Välj den enhet patienten flyttas till.")},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        units = Unit.objects.usable(timezone.localdate()).filter(care_type__in=INPATIENT_CARE_TYPES)
        if self.actor_unit is not None:
            units = units.exclude(pk=self.actor_unit.pk)
        self.fields["to_unit"].queryset = units.order_by("name")  # type: ignore[attr-defined]

    def to_payload(self) -> p.Payload:
        unit = self.cleaned_data["to_unit"]
        return p.Transferred(unit.pk, unit.name)


class LeaveStartedForm(EventForm):
    event_type = E.LEAVE_STARTED
    title = _("Registrera permission")
    starts_at = LocalDateTimeField(label=_("Permissionen börjar"))
    expected_return_at = LocalDateTimeField(label=_("Beräknad återkomst"), required=False)

    def to_payload(self) -> p.Payload:
        d = self.cleaned_data
        return p.LeaveStarted(d["starts_at"], d["expected_return_at"])


class LeaveEndedForm(EventForm):
    event_type = E.LEAVE_ENDED
    title = _("Avsluta permission")
    ended_at = LocalDateTimeField(label=_("Patienten kom tillbaka"))

    def to_payload(self) -> p.Payload:
        return p.LeaveEnded(self.cleaned_data["ended_at"])


class CancelForm(EventForm):
    event_type = E.CANCELLED
    title = _("Avbryt ärendet")
    submit_label = _("Avbryt ärendet")
    reason = forms.CharField(
        label=_("Orsak till avbrottet"),
        max_length=500,
        help_text=_(
            "T.ex. inget behov av stöd efter utskrivning, patienten avled, "
            "flyttade till annan region."
        ),
        error_messages={"required": _("Skriv orsaken till avbrottet.")},
    )

    def to_payload(self) -> p.Payload:
        return p.Cancelled(self.cleaned_data["reason"])


class CloseForm(EventForm):
    event_type = E.CLOSED
    title = _("Avsluta ärendet")
    submit_label = _("Avsluta ärendet")


EVENT_FORMS: dict[E, type[EventForm]] = {
    form.event_type: form
    for form in (
        AdmissionNoticeForm,
        ExpectedDateForm,
        PlanningInformationForm,
        MessageForm,
        FastVardkontaktForm,
        ReadyForm,
        ReadyWithdrawnForm,
        SipCalledForm,
        SipHeldForm,
        SipFollowedUpForm,
        DischargeNoticeForm,
        RejectForm,
        TransferForm,
        LeaveStartedForm,
        LeaveEndedForm,
        CancelForm,
        CloseForm,
    )
}
# URL slugs in Swedish, one per event type.
EVENT_SLUGS: dict[E, str] = {
    E.ADMISSION_NOTICE: "inskrivningsmeddelande",
    E.EXPECTED_DATE_CHANGED: "andrat-utskrivningsdatum",
    E.PLANNING_INFORMATION: "planeringsunderlag",
    E.MESSAGE: "meddelande",
    E.FAST_VARDKONTAKT: "fast-vardkontakt",
    E.READY: "utskrivningsklar",
    E.READY_WITHDRAWN: "atertagande",
    E.SIP_CALLED: "kallelse-sip",
    E.SIP_HELD: "sip-hallet",
    E.SIP_FOLLOWED_UP: "sip-uppfoljning",
    E.DISCHARGE_NOTICE: "utskrivningsmeddelande",
    E.REJECTED: "avvisning",
    E.TRANSFERRED: "flytt",
    E.LEAVE_STARTED: "permission",
    E.LEAVE_ENDED: "permission-slut",
    E.CANCELLED: "avbrott",
    E.CLOSED: "avsluta",
}
EVENT_BY_SLUG = {slug: event for event, slug in EVENT_SLUGS.items()}


class RetractForm(AccessibleFormMixin, forms.Form):
    reason = forms.CharField(
        label=_("Varför makuleras meddelandet?"),
        max_length=500,
        error_messages={"required": _("Skriv varför meddelandet makuleras.")},
    )


class OpenCaseForm(AccessibleFormMixin, forms.Form):
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=64)
    care_kind = forms.ChoiceField(
        label=_("Vårdform"),
        choices=CareKind.choices,
        widget=forms.RadioSelect,
        initial=CareKind.SOMATIC,
    )
    compulsory_care = forms.BooleanField(label=_("Vård enligt LPT eller LRV"), required=False)
    admitted_at = LocalDateTimeField(label=_("Inskrivningstid"))
    assessed_at = LocalDateTimeField(
        label=_("Läkarens bedömning att patienten kan behöva stöd efter utskrivning"),
        required=False,
        help_text=_(
            "Fyll i om behovet upptäcktes senare än vid inskrivningen: "
            "då räknas 24 timmar från bedömningen."
        ),
    )
    recipients = forms.ModelMultipleChoiceField(
        label=_("Mottagare"),
        queryset=Unit.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_(
            "Föreslagna utifrån patientens folkbokföringskommun och listning. Ändra vid behov."
        ),
    )
    other_recipient = forms.ModelChoiceField(
        label=_("Lägg till annan mottagare"), queryset=Unit.objects.none(), required=False
    )

    def __init__(
        self, *args: Any, proposed: list[Unit], sip_only: bool = False, **kwargs: Any
    ) -> None:
        initial = kwargs.setdefault("initial", {})
        initial.setdefault("idempotency_key", uuid.uuid4().hex)
        initial.setdefault("admitted_at", timezone.localtime())
        initial.setdefault("recipients", [u.pk for u in proposed])
        super().__init__(*args, **kwargs)
        receivers = (
            Unit.objects.usable(timezone.localdate())
            .exclude(care_type__in=INPATIENT_CARE_TYPES)
            .exclude(care_type="administration")
        )
        self.fields["recipients"].queryset = receivers.filter(pk__in=[u.pk for u in proposed])  # type: ignore[attr-defined]
        self.fields["other_recipient"].queryset = receivers.order_by("name")  # type: ignore[attr-defined]
        if sip_only:  # a SIP outside a hospital stay has no admission
            for name in ("care_kind", "compulsory_care", "admitted_at", "assessed_at"):
                del self.fields[name]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        admitted, assessed = data.get("admitted_at"), data.get("assessed_at")
        if admitted and admitted > timezone.now():
            self.add_error("admitted_at", _("Inskrivningstiden kan inte ligga i framtiden."))
        if admitted and assessed and not admitted <= assessed <= timezone.now():
            self.add_error("assessed_at", _("Bedömningen ska ligga mellan inskrivningen och nu."))
        units = list(data.get("recipients") or [])
        if data.get("other_recipient") and data["other_recipient"] not in units:
            units.append(data["other_recipient"])
        if not units:
            raise forms.ValidationError(
                _("Välj minst en mottagare: kommunen och/eller vårdcentralen.")
            )
        data["all_recipients"] = units
        return data
