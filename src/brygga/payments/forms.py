"""Forms for agreements, amounts, the basis's month and municipality, and disputes.

The forms never save: views pass the cleaned data to the actions, which re-check the
actor's right and the rules.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from brygga.core.calendar import DayKind
from brygga.core.forms import AccessibleFormMixin, DateInput, LocalDateTimeField

from .actions import AgreementDraft
from .models import PaymentModel
from .rules import AgreementTerms

MONTH_RE = re.compile(r"^(\d{4})-(\d{2})$")


def parse_month(value: str | None, *, default: dt.date) -> dt.date:
    """'2026-11' -> 2026-11-01; anything else -> the default month."""
    match = MONTH_RE.match(value or "")
    if match:
        year, month = int(match.group(1)), int(match.group(2))
        if 2018 <= year <= 2100 and 1 <= month <= 12:
            return dt.date(year, month, 1)
    return default.replace(day=1)


def recent_months(today: dt.date, count: int = 24) -> list[dt.date]:
    months = []
    month = today.replace(day=1)
    for _i in range(count):
        months.append(month)
        month = (month - dt.timedelta(days=1)).replace(day=1)
    return months


class AgreementForm(AccessibleFormMixin, forms.Form):
    title = forms.CharField(
        label=_("Namn"), max_length=200, error_messages={"required": _("Skriv ett namn.")}
    )
    code = forms.SlugField(
        label=_("Kod"),
        max_length=50,
        help_text=_(
            "Samma kod som en befintlig överenskommelse ger en ny version av den. "
            "Små bokstäver, siffror och bindestreck, t.ex. rs-2020."
        ),
        error_messages={
            "required": _("Skriv en kod."),
            "invalid": _("Bara små bokstäver a–z, siffror och bindestreck."),
        },
    )
    municipality_code = forms.CharField(
        label=_("Kommunkod"),
        max_length=4,
        required=False,
        help_text=_("Fyra siffror, t.ex. 0184. Tomt: gäller alla kommuner i regionen."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    valid_from = forms.DateField(
        label=_("Gäller från"),
        widget=DateInput(),
        error_messages={"required": _("Ange från vilket datum överenskommelsen gäller.")},
    )
    valid_to = forms.DateField(label=_("Gäller till och med"), widget=DateInput(), required=False)
    day_kind = forms.ChoiceField(
        label=_("Typ av dagar för karenstiden"),
        choices=DayKind.choices,
        widget=forms.RadioSelect,
    )
    eves_are_holidays = forms.BooleanField(
        label=_("Midsommar-, jul- och nyårsafton räknas som helgdagar (arbetsdagar)"),
        required=False,
    )
    day_zero_cutoff = forms.TimeField(
        label=_("Brytpunkt för dag 0"),
        required=False,
        help_text=_(
            "Meddelande före denna tid: samma dag är dag 0, annars nästa dag. "
            "Tomt: dagen för meddelandet är alltid dag 0."
        ),
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )
    somatic_model = forms.ChoiceField(
        label=_("Modell, somatisk vård"), choices=PaymentModel.choices, widget=forms.RadioSelect
    )
    somatic_grace_days = forms.IntegerField(
        label=_("Karensdagar, somatisk vård"),
        min_value=0,
        max_value=365,
        help_text=_("Dag 0 och dagarna fram till denna dag är avgiftsfria. Lagen: 3."),
    )
    somatic_average_level = forms.DecimalField(
        label=_("Nivå för genomsnittsmodellen, somatisk vård (dagar)"),
        required=False,
        min_value=Decimal(0),
        max_digits=5,
        decimal_places=2,
    )
    psychiatric_model = forms.ChoiceField(
        label=_("Modell, psykiatrisk vård"), choices=PaymentModel.choices, widget=forms.RadioSelect
    )
    psychiatric_grace_days = forms.IntegerField(
        label=_("Karensdagar, psykiatrisk vård"), min_value=0, max_value=365
    )
    psychiatric_average_level = forms.DecimalField(
        label=_("Nivå för genomsnittsmodellen, psykiatrisk vård (dagar)"),
        required=False,
        min_value=Decimal(0),
        max_digits=5,
        decimal_places=2,
    )
    require_admission_notice = forms.BooleanField(
        label=_("Villkor: inskrivningsmeddelande skickat"), required=False
    )
    admission_notice_hours = forms.IntegerField(
        label=_("Villkor: inskrivningsmeddelande inom (timmar)"),
        required=False,
        min_value=1,
        max_value=720,
        help_text=_("Tomt: det räcker att meddelandet skickades."),
    )
    require_ready_notice = forms.BooleanField(
        label=_("Villkor: meddelandet om utskrivningsklar har nått kommunen"), required=False
    )
    require_sip_call = forms.BooleanField(
        label=_("Villkor: kallelse till SIP skickad när SIP behövs"), required=False
    )
    require_no_refusal = forms.BooleanField(
        label=_("Villkor: patienten har inte avböjt kommunens stöd"), required=False
    )
    own_daily_amount = forms.DecimalField(
        label=_("Eget avtalat belopp per dag (kr)"),
        required=False,
        min_value=Decimal(0),
        max_digits=9,
        decimal_places=2,
        help_text=_("Tomt: Socialstyrelsens belopp för respektive år."),
    )
    source = forms.CharField(
        label=_("Källa och anteckningar"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("T.ex. överenskommelsens diarienummer och beslutsdatum."),
    )

    def clean_municipality_code(self) -> str:
        code = self.cleaned_data["municipality_code"].strip()
        if code and not re.fullmatch(r"\d{4}", code):
            raise forms.ValidationError(_("Kommunkoden består av fyra siffror, t.ex. 0184."))
        return code

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        valid_from, valid_to = data.get("valid_from"), data.get("valid_to")
        if valid_from and valid_to and valid_to < valid_from:
            self.add_error("valid_to", _("Slutdatum kan inte ligga före startdatum."))
        for kind in ("somatic", "psychiatric"):
            if data.get(f"{kind}_model") == PaymentModel.AVERAGE and (
                data.get(f"{kind}_average_level") is None
            ):
                self.add_error(
                    f"{kind}_average_level",
                    _("Genomsnittsmodellen behöver en avtalad nivå i dagar."),
                )
        return data

    def to_draft(self) -> AgreementDraft:
        d = self.cleaned_data
        return AgreementDraft(**{name: d[name] for name in AgreementDraft.__dataclass_fields__})


def initial_from_terms(terms: AgreementTerms, *, code: str, today: dt.date) -> dict[str, Any]:
    return {
        "title": terms.title,
        "code": code,
        "valid_from": today.replace(month=1, day=1),
        "day_kind": terms.day_kind,
        "eves_are_holidays": terms.eves_are_holidays,
        "day_zero_cutoff": terms.day_zero_cutoff,
        "somatic_model": terms.somatic.model,
        "somatic_grace_days": terms.somatic.grace_days,
        "somatic_average_level": terms.somatic.average_level,
        "psychiatric_model": terms.psychiatric.model,
        "psychiatric_grace_days": terms.psychiatric.grace_days,
        "psychiatric_average_level": terms.psychiatric.average_level,
        "require_admission_notice": terms.require_admission_notice,
        "admission_notice_hours": terms.admission_notice_hours,
        "require_ready_notice": terms.require_ready_notice,
        "require_sip_call": terms.require_sip_call,
        "require_no_refusal": terms.require_no_refusal,
        "own_daily_amount": terms.own_daily_amount,
    }


class KronorField(forms.DecimalField):
    """Kronor as Swedes write them: '9 300', '9300,50' or '9300.50'."""

    def to_python(self, value: Any) -> Decimal | None:  # type: ignore[override]
        if isinstance(value, str):
            value = value.replace("\u00a0", "").replace(" ", "").replace(",", ".")
            value = value.removesuffix("kr")
        return super().to_python(value)


class DailyAmountForm(AccessibleFormMixin, forms.Form):
    year = forms.IntegerField(
        label=_("År"),
        min_value=2018,
        max_value=2100,
        error_messages={"required": _("Ange året.")},
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    amount = KronorField(
        label=_("Belopp per dag (kr)"),
        min_value=Decimal(1),
        max_digits=9,
        decimal_places=2,
        error_messages={
            "required": _("Ange beloppet i kronor."),
            "invalid": _("Skriv beloppet i kronor, t.ex. 9 300."),
        },
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )
    confirmed = forms.BooleanField(
        label=_("Beloppet är kontrollerat mot Socialstyrelsens beslut"), required=False
    )
    source = forms.CharField(
        label=_("Källa"),
        max_length=300,
        required=False,
        help_text=_("T.ex. Socialstyrelsens beslut med datum."),
    )


class DisputeForm(AccessibleFormMixin, forms.Form):
    comment = forms.CharField(
        label=_("Varför bestrider kommunen raden?"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
        error_messages={"required": _("Skriv varför raden bestrids.")},
        help_text=_("Regionens fakturering läser kommentaren och svarar med ett beslut."),
    )


class ResolveForm(AccessibleFormMixin, forms.Form):
    decision = forms.ChoiceField(
        label=_("Beslut"),
        choices=[
            ("accept", _("Godta bestridandet: raden debiteras inte")),
            ("reject", _("Avslå bestridandet: raden debiteras")),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": _("Välj godta eller avslå.")},
    )
    resolution = forms.CharField(
        label=_("Motivering till kommunen"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
        error_messages={"required": _("Skriv en motivering till kommunen.")},
    )


class SupportRefusalForm(AccessibleFormMixin, forms.Form):
    refused_at = LocalDateTimeField(label=_("När avböjde patienten?"))
    note = forms.CharField(
        label=_("Anteckning"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text=_(
            "Hur patienten (eller ställföreträdaren) avböjde, och vem som tog emot beskedet."
        ),
        error_messages={"required": _("Skriv en anteckning.")},
    )
