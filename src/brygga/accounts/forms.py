from django import forms
from django.utils.translation import gettext_lazy as _

from brygga.directory.models import Commission, Person


class DemoLoginForm(forms.Form):
    person = forms.ModelChoiceField(
        queryset=Person.objects.filter(is_active=True),
        label=_("Demoperson"),
        error_messages={"invalid_choice": _("Personen finns inte eller är inte aktiv.")},
    )


class CommissionChoiceForm(forms.Form):
    commission = forms.ModelChoiceField(
        queryset=Commission.objects.none(),
        label=_("Uppdrag"),
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Välj det uppdrag du ska arbeta i."),
            "invalid_choice": _("Uppdraget gäller inte. Välj ett av uppdragen i listan."),
        },
    )

    def __init__(self, *args: object, commissions: list[Commission], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        field = self.fields["commission"]
        field.queryset = Commission.objects.filter(pk__in=[c.pk for c in commissions])  # type: ignore[attr-defined]
        field.label_from_instance = lambda c: (  # type: ignore[attr-defined]
            f"{c.unit.name} – {c.get_role_display()}"
        )
