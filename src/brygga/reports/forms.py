"""The filters of the statistics pages: period (a month or a range), care kind, grouping."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from brygga.cases.models import CareKind
from brygga.core.forms import AccessibleFormMixin

from .queries import Grouping, Month, Period

MAX_MONTHS = 24


class MonthInput(forms.TextInput):
    """A native month picker; browsers without one get a text box that takes ÅÅÅÅ-MM."""

    input_type = "month"


class MonthField(forms.Field):
    widget = MonthInput

    def to_python(self, value: Any) -> Month | None:
        text = str(value or "").strip()
        if not text:
            return None
        try:
            return Month.parse(text)
        except ValueError:
            raise forms.ValidationError(
                _("Skriv månaden som ÅÅÅÅ-MM, till exempel 2025-03."), code="invalid"
            ) from None

    def prepare_value(self, value: Any) -> Any:
        return value.iso if isinstance(value, Month) else value


class ReportFilterForm(AccessibleFormMixin, forms.Form):
    fran = MonthField(
        label=_("Från och med månad"),
        help_text=_("ÅÅÅÅ-MM. Vårdtillfällen som avslutades (skrevs ut) under perioden räknas."),
        error_messages={"required": _("Ange första månaden.")},
    )
    till = MonthField(
        label=_("Till och med månad"),
        help_text=_("ÅÅÅÅ-MM. Samma som från-månaden för en enda månad."),
        error_messages={"required": _("Ange sista månaden.")},
    )
    vardform = forms.ChoiceField(
        label=_("Vårdform"),
        choices=CareKind.choices,
        help_text=_("Somatisk och psykiatrisk vård redovisas var för sig."),
    )
    gruppering = forms.ChoiceField(label=_("Redovisa per"), choices=Grouping.CHOICES)

    def __init__(self, data: Any = None, *, today: dt.date, **kwargs: Any) -> None:
        self.today = today
        current = Month.of(today)
        defaults = {
            "fran": current.minus(11).iso,
            "till": current.iso,
            "vardform": CareKind.SOMATIC,
            "gruppering": Grouping.MUNICIPALITY,
        }
        # Every filter has a default, so the page shows figures on the first visit.
        merged = defaults | {k: v for k, v in (data or {}).items() if k in defaults}
        super().__init__(merged, **kwargs)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        first, last = cleaned.get("fran"), cleaned.get("till")
        if first is None or last is None:
            return cleaned
        current = Month.of(self.today)
        if first > current:
            self.add_error("fran", _("Månaden har inte börjat än."))
        if last > current:
            self.add_error("till", _("Månaden har inte börjat än."))
        if last < first:
            self.add_error("till", _("Till-månaden ligger före från-månaden."))
        elif len(Period(first, last).months) > MAX_MONTHS:
            self.add_error("till", _("Välj högst %(n)s månader åt gången.") % {"n": MAX_MONTHS})
        return cleaned

    @property
    def period(self) -> Period:
        return Period(self.cleaned_data["fran"], self.cleaned_data["till"])

    @property
    def care_kind(self) -> str:
        return str(self.cleaned_data["vardform"])

    @property
    def grouping(self) -> str:
        return str(self.cleaned_data["gruppering"])

    @property
    def grouping_label(self) -> str:
        return str(Grouping.LABELS[self.grouping])

    @property
    def care_kind_label(self) -> str:
        return str(CareKind(self.care_kind).label)
