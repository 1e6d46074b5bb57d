from datetime import date

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from brygga.patients.identity import InvalidIdentityNumber, PatientIdentity, parse_identity


class IdentitySearchForm(forms.Form):
    identity = forms.CharField(
        label=_("Patientens identitetsnummer"),
        help_text=_("Personnummer, samordningsnummer eller reservnummer, t.ex. 19121212-1212."),
        max_length=20,
        error_messages={"required": _("Skriv patientens identitetsnummer.")},
    )

    def clean_identity(self) -> PatientIdentity:
        today: date = timezone.localdate()
        try:
            return parse_identity(self.cleaned_data["identity"], today=today)
        except InvalidIdentityNumber as error:
            raise forms.ValidationError(error.message) from error
