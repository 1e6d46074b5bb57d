from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from brygga.core.forms import AccessibleFormMixin
from brygga.directory.models import OUTPATIENT_CARE_TYPES, Unit

from .environment import only_test_identities
from .identity import (
    InvalidIdentityNumber,
    PatientIdentity,
    parse_identity,
    require_test_identity,
)
from .models import Patient


class IdentityForm(AccessibleFormMixin, forms.Form):
    identitet = forms.CharField(
        label=_("Patientens identitetsnummer"),
        max_length=20,
        help_text=_("Personnummer, samordningsnummer eller reservnummer, t.ex. 19121212-1212."),
        error_messages={"required": _("Skriv patientens identitetsnummer.")},
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )

    def clean_identitet(self) -> PatientIdentity:
        try:
            identity = parse_identity(self.cleaned_data["identitet"], today=timezone.localdate())
            if (
                only_test_identities()
                and not Patient.objects.filter(identity_number=identity.value).exists()
            ):
                # Training: a number that is not in the scenario already must be a test
                # number, said before the user types the rest of the patient's details.
                require_test_identity(identity)
        except InvalidIdentityNumber as error:
            raise forms.ValidationError(error.message) from error
        return identity


class PatientForm(AccessibleFormMixin, forms.Form):
    given_name = forms.CharField(
        label=_("Förnamn"),
        max_length=100,
        error_messages={"required": _("Skriv patientens förnamn.")},
    )
    family_name = forms.CharField(
        label=_("Efternamn"),
        max_length=100,
        error_messages={"required": _("Skriv patientens efternamn.")},
    )
    street_address = forms.CharField(label=_("Gatuadress"), max_length=200, required=False)
    postal_code = forms.RegexField(
        label=_("Postnummer"),
        regex=r"^\d{3} ?\d{2}$",
        required=False,
        error_messages={"invalid": _("Postnumret har fem siffror, t.ex. 171 64.")},
    )
    city = forms.CharField(label=_("Postort"), max_length=100, required=False)
    municipality_code = forms.RegexField(
        label=_("Folkbokföringskommun (kommunkod)"),
        regex=r"^\d{4}$",
        required=False,
        help_text=_("Fyra siffror, t.ex. 0184 för Solna. Styr vilken kommun som får ärendet."),
        error_messages={"invalid": _("Kommunkoden har fyra siffror.")},
    )
    district = forms.CharField(
        label=_("Stadsdel"),
        max_length=100,
        required=False,
        help_text=_("För kommuner med stadsdelar, t.ex. Södermalm."),
    )
    listed_unit = forms.ModelChoiceField(
        label=_("Listad vid"),
        queryset=Unit.objects.none(),
        required=False,
        empty_label=_("Inte listad / okänt"),
    )
    protected_identity = forms.BooleanField(
        label=_("Skyddade personuppgifter"),
        required=False,
        help_text=_("Adressen visas då aldrig och skickas inte till mottagarna."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["listed_unit"].queryset = (  # type: ignore[attr-defined]
            Unit.objects.usable(timezone.localdate())
            .filter(care_type__in=OUTPATIENT_CARE_TYPES)
            .order_by("name")
        )
