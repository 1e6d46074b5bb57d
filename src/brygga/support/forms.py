"""Forms for the support pages. They parse input; the actions decide what is allowed."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from brygga.core.actor import Actor
from brygga.core.forms import AccessibleFormMixin, LocalDateTimeField
from brygga.directory.models import Unit

from . import access
from .models import (
    ElearningLink,
    NewsItem,
    NewsKind,
    SuggestionArea,
    SuggestionStatus,
    SupportContact,
)


class OptionalOrderMixin:
    """The display order is optional on the form: left empty, it sorts after the others."""

    def clean_order(self) -> int:
        value = self.cleaned_data.get("order")  # type: ignore[attr-defined]
        return 100 if value is None else int(value)


def _optional_order(form: forms.BaseForm) -> None:
    field = form.fields["order"]
    field.required = False
    field.error_messages["invalid"] = _("Skriv ett heltal.")


class SupportContactForm(OptionalOrderMixin, AccessibleFormMixin, forms.ModelForm):
    class Meta:
        model = SupportContact
        fields = ["organisation", "unit", "name", "description", "phone", "email", "hours", "order"]

    def __init__(self, *args: Any, actor: Actor, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        organisations = access.contact_organisations(actor)
        self.fields["organisation"].queryset = organisations  # type: ignore[attr-defined]
        self.fields["organisation"].error_messages["required"] = _("Välj organisation.")
        if organisations.count() == 1:
            self.fields["organisation"].initial = organisations.get().pk
        self.fields["unit"].queryset = (  # type: ignore[attr-defined]
            Unit.objects.filter(organisation__in=organisations)
            .select_related("organisation")
            .order_by("name")
        )
        _optional_order(self)
        self.fields["name"].error_messages["required"] = _("Skriv kontaktens namn.")
        self.fields["email"].error_messages["invalid"] = _(
            "Skriv e-postadressen som namn@exempel.se."
        )


class ElearningLinkForm(OptionalOrderMixin, AccessibleFormMixin, forms.ModelForm):
    url = forms.URLField(label=_("Adress"), max_length=500, assume_scheme="https")

    class Meta:
        model = ElearningLink
        fields = ["audience", "title", "url", "description", "order"]
        widgets = {"audience": forms.RadioSelect}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _optional_order(self)
        self.fields["title"].error_messages["required"] = _("Skriv kursens namn.")
        self.fields["url"].error_messages |= {
            "required": _("Skriv adressen till kursen."),
            "invalid": _("Skriv hela adressen, som börjar med https://."),
        }
        self.fields["url"].help_text = _(
            "Hela adressen, t.ex. https://lartorget.exempel.se/kurs/123. Adresser under "
            "example.se visas som exempel, inte som riktiga länkar."
        )


class SuggestionForm(AccessibleFormMixin, forms.Form):
    area = forms.ChoiceField(
        label=_("Vilken del av Brygga gäller förslaget?"),
        choices=SuggestionArea.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Välj vilken del av Brygga förslaget gäller.")},
    )
    title = forms.CharField(
        label=_("Rubrik"),
        max_length=200,
        help_text=_("En mening som sammanfattar förslaget."),
        error_messages={"required": _("Skriv en rubrik.")},
    )
    description = forms.CharField(
        label=_("Beskriv förslaget"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_(
            "Vad vill du ändra, och i vilken situation uppstår behovet? Skriv inga "
            "patientuppgifter (namn, personnummer) i förslaget."
        ),
        error_messages={"required": _("Beskriv förslaget.")},
    )
    benefit = forms.CharField(
        label=_("Vilken nytta gör ändringen?"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("T.ex. sparad tid, färre fel, säkrare för patienten."),
    )


class AnswerSuggestionForm(AccessibleFormMixin, forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        choices=SuggestionStatus.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Välj en status.")},
    )
    reply = forms.CharField(
        label=_("Svar till förslagsställaren"),
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_(
            "Visas för den som lämnade förslaget. Krävs när förslaget avslås: berätta varför."
        ),
    )


class NewsForm(AccessibleFormMixin, forms.ModelForm):
    publish_from = LocalDateTimeField(
        label=_("Visas från"),
        help_text=_("Meddelandet syns på startsidorna och inloggningssidan från den här tiden."),
    )
    publish_until = LocalDateTimeField(
        label=_("Visas till"),
        help_text=_("Meddelandet försvinner från startsidorna vid den här tiden."),
    )
    starts_at = LocalDateTimeField(
        label=_("Störningen eller underhållet börjar"),
        required=False,
        help_text=_("Lämna tomt för information som inte gäller en viss tid."),
    )
    ends_at = LocalDateTimeField(
        label=_("Störningen eller underhållet slutar"),
        required=False,
        help_text=_("Lämna tomt om det inte är känt ännu."),
    )

    class Meta:
        model = NewsItem
        fields = ["kind", "title", "body", "starts_at", "ends_at", "publish_from", "publish_until"]
        widgets = {
            "kind": forms.RadioSelect,
            "body": forms.Textarea(attrs={"rows": 5}),
        }
        help_texts = {
            "body": _(
                "Vad händer, vad påverkas och vad användarna ska göra. Syns även före "
                "inloggning: skriv inga patientuppgifter."
            )
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk is None:
            now = timezone.localtime().replace(second=0, microsecond=0)
            self.initial.setdefault("publish_from", now)
            self.initial.setdefault("publish_until", now + dt.timedelta(days=7))
        self.fields["kind"].error_messages["required"] = _("Välj typ av meddelande.")
        self.fields["kind"].choices = NewsKind.choices  # type: ignore[attr-defined]
        self.fields["title"].error_messages["required"] = _("Skriv en rubrik.")
        self.fields["body"].error_messages["required"] = _("Skriv texten.")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, until = data.get("publish_from"), data.get("publish_until")
        if start and until and until <= start:
            self.add_error("publish_until", _("”Visas till” måste vara senare än ”visas från”."))
        begins, ends = data.get("starts_at"), data.get("ends_at")
        if begins and ends and ends < begins:
            self.add_error("ends_at", _("Sluttiden kan inte ligga före starttiden."))
        return data
