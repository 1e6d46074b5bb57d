from __future__ import annotations

from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from brygga.core.forms import AccessibleFormMixin

from .scenario import DEFAULT_TRAINEES, MAX_TRAINEES


class ResetForm(AccessibleFormMixin, forms.Form):
    trainees = forms.IntegerField(
        label=_("Antal kursdeltagare"),
        min_value=1,
        max_value=MAX_TRAINEES,
        initial=DEFAULT_TRAINEES,
        help_text=format_lazy(
            _("Varje kursdeltagare får ett eget konto med egna patienter och övningar (högst {})."),
            MAX_TRAINEES,
        ),
        error_messages={
            "required": _("Ange hur många kursdeltagare som ska få konton."),
            "invalid": _("Ange antalet kursdeltagare med siffror."),
            "min_value": _("Det behövs minst en kursdeltagare."),
            "max_value": _("Högst %(limit_value)s kursdeltagare."),
        },
    )
    confirm = forms.BooleanField(
        label=_(
            "Jag förstår att allt som gjorts i utbildningsmiljön raderas och att alla som är "
            "inloggade loggas ut"
        ),
        error_messages={
            "required": _("Bekräfta att allt i utbildningsmiljön ska raderas."),
        },
    )
