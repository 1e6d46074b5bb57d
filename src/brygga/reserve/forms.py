"""Forms of the reserve routine: an external recipient, and how a notice was sent to it."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from brygga.core.forms import AccessibleFormMixin, LocalDateTimeField

from .models import DispatchMethod


class ExternalRecipientForm(AccessibleFormMixin, forms.Form):
    name = forms.CharField(
        label=_("Mottagare"),
        max_length=200,
        help_text=_("T.ex. ”Socialtjänsten, Uppsala kommun, mottagningsenheten för äldre”."),
        error_messages={"required": _("Fyll i vem som tar emot meddelandena.")},
    )
    fax = forms.CharField(
        label=_("Faxnummer"),
        max_length=40,
        error_messages={"required": _("Fyll i mottagarens faxnummer.")},
    )
    phone = forms.CharField(
        label=_("Telefon"),
        max_length=40,
        required=False,
        help_text=_("Ring och bekräfta att faxet kommit fram."),
    )
    address = forms.CharField(
        label=_("Postadress"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    municipality_code = forms.RegexField(
        label=_("Kommunkod"),
        regex=r"^\d{4}$",
        required=False,
        max_length=4,
        error_messages={"invalid": _("Kommunkoden har fyra siffror, t.ex. 0380.")},
    )


class DispatchForm(AccessibleFormMixin, forms.Form):
    sent_at = LocalDateTimeField(label=_("När skickades det?"))
    method = forms.ChoiceField(
        label=_("Hur skickades det?"),
        choices=DispatchMethod.choices,
        widget=forms.RadioSelect,
        initial=DispatchMethod.FAX,
        error_messages={"required": _("Välj hur meddelandet skickades.")},
    )
    note = forms.CharField(
        label=_("Anteckning"),
        max_length=500,
        required=False,
        help_text=_("T.ex. vem som bekräftade att faxet kommit fram."),
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        kwargs.setdefault("initial", {"sent_at": timezone.localtime(), "method": "fax"})
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
