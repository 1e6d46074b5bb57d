"""Order forms. They check input early and kindly; the actions have the last word."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from brygga.core.forms import AccessibleFormMixin, DateInput
from brygga.directory import rules as directory_rules
from brygga.directory.models import CareType, Role, Unit

from .actions import GRANT_ATTESTATION, REVOKE_ATTESTATION, UNIT_ATTESTATION, NewUnit
from .models import ORDERABLE_CARE_TYPES

DATE_ERRORS = {"invalid": _("Skriv datumet som ÅÅÅÅ-MM-DD.")}


def _attested(statement: Any) -> forms.BooleanField:
    return forms.BooleanField(
        label=statement,
        required=True,
        help_text=_("Ditt namn, ditt HSA-id och tidpunkten sparas med beställningen."),
        error_messages={
            "required": _("Kryssa i intygandet. Beställningen gäller bara om chefen intygar den.")
        },
    )


UNIT_NAME = _("Enhetens namn")
HSA_ID = _("HSA-id")


def _name_field(label: Any = UNIT_NAME, *, required: bool = True) -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=200,
        required=required,
        error_messages={"required": _("Skriv enhetens namn.")},
    )


def _hsa_field(*, required: bool = True, label: Any = HSA_ID) -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=64,
        required=required,
        help_text=_("Enhetens HSA-id enligt EK, t.ex. SE2321000016-E0799."),
        error_messages={"required": _("Skriv enhetens HSA-id.")},
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )


def _comment_field(label: Any) -> forms.CharField:
    """The orderer's optional free text to whoever handles the order."""
    return forms.CharField(label=label, required=False, widget=forms.Textarea(attrs={"rows": 3}))


def _note_field() -> forms.CharField:
    """The handler's optional comment, which the orderer sees on the order."""
    return forms.CharField(
        label=_("Kommentar till beställaren"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


def _clean_hsa(value: str) -> str:
    return directory_rules.clean_hsa_id(value, field=None) if value.strip() else ""


class _Form(AccessibleFormMixin, forms.Form):
    pass


class _PeriodForm(_Form):
    """A form with valid_from and valid_to: the access may not end before it starts."""

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        try:
            directory_rules.check_period(data.get("valid_from"), data.get("valid_to"), field=None)
        except forms.ValidationError as error:
            self.add_error("valid_to", error)
        return data


class NewUnitOrderForm(_Form):
    name = _name_field()
    hsa_id = _hsa_field()
    care_type = forms.ChoiceField(
        label=_("Vårdtyp i Brygga"),
        choices=[(c.value, c.label) for c in ORDERABLE_CARE_TYPES],
        initial=CareType.PRIMARY_CARE,
        widget=forms.RadioSelect,
        error_messages={"required": _("Välj vårdtyp för enheten.")},
    )
    start_on = forms.DateField(
        label=_("Önskat startdatum"),
        widget=DateInput(),
        help_text=_("Från det datumet kan enheten ta emot ärenden och ha medarbetaruppdrag."),
        error_messages={"required": _("Skriv önskat startdatum."), **DATE_ERRORS},
    )
    municipality_code = forms.CharField(
        label=_("Kommunkod"),
        max_length=4,
        required=False,
        help_text=_("Fyra siffror, t.ex. 0184 för Solna."),
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )
    district = forms.CharField(label=_("Stadsdel eller distrikt"), max_length=100, required=False)
    phone = forms.CharField(
        label=_("Telefon"),
        max_length=40,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel"}),
    )
    fax = forms.CharField(
        label=_("Fax"), max_length=40, required=False, widget=forms.TextInput(attrs={"type": "tel"})
    )
    functional_mailbox = forms.EmailField(
        label=_("Funktionsbrevlåda"),
        required=False,
        error_messages={"invalid": _("Skriv en giltig e-postadress.")},
    )
    comment = _comment_field(_("Övrigt till central förvaltning"))
    attested = _attested(UNIT_ATTESTATION)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.initial.setdefault("start_on", timezone.localdate())
        self._wire_aria()

    def clean_hsa_id(self) -> str:
        return _clean_hsa(self.cleaned_data["hsa_id"])

    def clean_municipality_code(self) -> str:
        code = self.cleaned_data["municipality_code"].strip()
        if code and not (len(code) == 4 and code.isdigit()):
            raise forms.ValidationError(_("Kommunkoden är fyra siffror."))
        return code

    def action_kwargs(self) -> dict[str, Any]:
        return dict(self.cleaned_data)


class RenameOrderForm(_Form):
    new_name = _name_field(_("Nytt namn"))
    comment = _comment_field(_("Övrigt till central förvaltning"))
    attested = _attested(UNIT_ATTESTATION)

    def action_kwargs(self) -> dict[str, Any]:
        return dict(self.cleaned_data)


class UnitChoices(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name} ({obj.hsa_id})"


INTO_OWN, INTO_NEW = "own", "new"


class MergeOrderForm(_Form):
    others = UnitChoices(
        label=_("Enheter som slås samman med din enhet"),
        queryset=Unit.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": _("Välj minst en enhet att slå samman med."),
            "invalid_choice": _("Välj enheter i din organisation med samma vårdtyp."),
        },
    )
    into = forms.ChoiceField(
        label=_("Efter sammanslagningen"),
        choices=[],
        widget=forms.RadioSelect,
        initial=INTO_OWN,
        error_messages={"required": _("Välj vilken enhet som finns kvar.")},
    )
    new_name = _name_field(_("Den nya enhetens namn"), required=False)
    new_hsa_id = _hsa_field(required=False, label=_("Den nya enhetens HSA-id"))
    move_commissions = forms.BooleanField(
        label=_("Medarbetarnas behörigheter flyttas till enheten som finns kvar"),
        required=False,
        initial=True,
    )
    comment = _comment_field(_("Övrigt till central förvaltning"))
    attested = _attested(UNIT_ATTESTATION)

    def __init__(
        self, *args: Any, candidates: QuerySet[Unit], own_unit: Unit, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["others"].queryset = candidates  # type: ignore[attr-defined]
        self.fields["into"].choices = [  # type: ignore[attr-defined]
            (
                INTO_OWN,
                _("%(unit)s finns kvar och tar över de andra enheternas ärenden")
                % {"unit": own_unit.name},
            ),
            (INTO_NEW, _("Alla enheterna blir en ny enhet (fyll i namn och HSA-id nedan)")),
        ]
        self._wire_aria()

    def clean_new_hsa_id(self) -> str:
        return _clean_hsa(self.cleaned_data["new_hsa_id"])

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("into") == INTO_NEW:
            if not data.get("new_name", "").strip():
                self.add_error("new_name", _("Skriv den nya enhetens namn."))
            if not data.get("new_hsa_id") and "new_hsa_id" not in self.errors:
                self.add_error("new_hsa_id", _("Skriv den nya enhetens HSA-id."))
        return data

    def action_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        into_new = (
            NewUnit(data["new_name"], data["new_hsa_id"], takes_over_cases=True)
            if data["into"] == INTO_NEW
            else None
        )
        return {
            "others": list(data["others"]),
            "into_new": into_new,
            "move_commissions": data["move_commissions"],
            "comment": data["comment"],
            "attested": data["attested"],
        }


SPLIT_PARTS = 3


class SplitOrderForm(_Form):
    takes_over = forms.ChoiceField(
        label=_("Enheten som tar över pågående ärenden"),
        choices=[(str(n), _("Ny enhet %(n)s") % {"n": n}) for n in range(1, SPLIT_PARTS + 1)],
        initial="1",
        widget=forms.RadioSelect,
        help_text=_("Pågående ärenden flyttas dit med hela sin historik."),
        error_messages={"required": _("Välj vilken ny enhet som tar över ärendena.")},
    )
    move_commissions = forms.BooleanField(
        label=_("Medarbetarnas behörigheter flyttas till enheten som tar över ärendena"),
        required=False,
        initial=True,
    )
    comment = _comment_field(_("Övrigt till central förvaltning"))
    attested = _attested(UNIT_ATTESTATION)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        fields: dict[str, forms.Field] = {}
        for n in range(1, SPLIT_PARTS + 1):
            required = n <= 2
            label = _("Ny enhet %(n)s, namn") % {"n": n}
            hsa_label = _("Ny enhet %(n)s, HSA-id") % {"n": n}
            fields[f"name_{n}"] = _name_field(
                label if required else _("Ny enhet %(n)s, namn (om delningen ger tre)") % {"n": n},
                required=required,
            )
            fields[f"hsa_id_{n}"] = _hsa_field(required=required, label=hsa_label)
        self.fields = {**fields, **self.fields}
        self._wire_aria()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for n in range(1, SPLIT_PARTS + 1):
            hsa = data.get(f"hsa_id_{n}", "")
            if hsa:
                try:
                    data[f"hsa_id_{n}"] = _clean_hsa(hsa)
                except forms.ValidationError as error:
                    self.add_error(f"hsa_id_{n}", error)
            name, hsa = data.get(f"name_{n}", ""), data.get(f"hsa_id_{n}", "")
            if n > 2 and bool(name) != bool(hsa):
                self.add_error(
                    f"name_{n}" if not name else f"hsa_id_{n}",
                    _("Fyll i både namn och HSA-id, eller inget av dem."),
                )
        chosen = data.get("takes_over")
        if chosen and not data.get(f"name_{chosen}"):
            self.add_error("takes_over", _("Välj en av de nya enheter som du har fyllt i."))
        return data

    def action_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        units = [
            NewUnit(
                data[f"name_{n}"],
                data[f"hsa_id_{n}"],
                takes_over_cases=data["takes_over"] == str(n),
            )
            for n in range(1, SPLIT_PARTS + 1)
            if data.get(f"name_{n}")
        ]
        return {
            "new_units": units,
            "move_commissions": data["move_commissions"],
            "comment": data["comment"],
            "attested": data["attested"],
        }


class RemovalOrderForm(_Form):
    comment = forms.CharField(
        label=_("Varför ska enheten tas bort?"),
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Skriv varför enheten ska tas bort.")},
    )
    attested = _attested(UNIT_ATTESTATION)

    def action_kwargs(self) -> dict[str, Any]:
        return dict(self.cleaned_data)


class ReasonForm(_Form):
    reason = forms.CharField(
        label=_("Orsak"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Beställaren ser orsaken."),
        error_messages={"required": _("Skriv varför beställningen avslås.")},
    )


class NoteForm(_Form):
    note = _note_field()


# Access.


class AccessGrantForm(_PeriodForm):
    given_name = forms.CharField(
        label=_("Förnamn"), max_length=100, error_messages={"required": _("Skriv förnamnet.")}
    )
    family_name = forms.CharField(
        label=_("Efternamn"), max_length=100, error_messages={"required": _("Skriv efternamnet.")}
    )
    personnummer = forms.CharField(
        label=_("Personnummer"),
        max_length=20,
        help_text=_("ÅÅÅÅMMDD-NNNN. Används vid inloggning med e-legitimation."),
        error_messages={"required": _("Skriv personnumret.")},
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "numeric"}),
    )
    hsa_id = forms.CharField(
        label=_("HSA-id"),
        max_length=64,
        required=False,
        help_text=_("Om personen redan har ett. Annars utfärdar EK-administratören det."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    title = forms.CharField(label=_("Titel"), max_length=100, required=False)
    email = forms.EmailField(
        label=_("E-post"),
        required=False,
        error_messages={"invalid": _("Skriv en giltig e-postadress.")},
    )
    role = forms.ChoiceField(
        label=_("Roll"),
        choices=[(Role.USER.value, Role.USER.label), (Role.MANAGER.value, Role.MANAGER.label)],
        initial=Role.USER,
        widget=forms.RadioSelect,
        error_messages={"required": _("Välj roll.")},
    )
    valid_from = forms.DateField(
        label=_("Från och med"),
        widget=DateInput(),
        error_messages={
            "required": _("Skriv från vilket datum behörigheten ska gälla."),
            **DATE_ERRORS,
        },
    )
    valid_to = forms.DateField(
        label=_("Till och med"),
        required=False,
        widget=DateInput(),
        help_text=_(
            "För tidsbegränsad behörighet, t.ex. ett vikariat. Lämna tomt för tills vidare."
        ),
        error_messages=DATE_ERRORS,
    )
    comment = _comment_field(_("Övrigt till EK-administratören"))
    attested = _attested(GRANT_ATTESTATION)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.initial.setdefault("valid_from", timezone.localdate())
        self._wire_aria()

    def clean_personnummer(self) -> str:
        return (
            directory_rules.clean_personnummer(
                self.cleaned_data["personnummer"], today=timezone.localdate(), field=None
            )
            or ""
        )

    def clean_hsa_id(self) -> str:
        return _clean_hsa(self.cleaned_data["hsa_id"])

    def action_kwargs(self) -> dict[str, Any]:
        return dict(self.cleaned_data)


class AccessRevokeForm(_Form):
    last_day = forms.DateField(
        label=_("Sista dag med behörighet"),
        widget=DateInput(),
        help_text=_("Registreras beställningen efter den dagen avslutas behörigheten direkt."),
        error_messages={"required": _("Skriv sista dagen med behörighet."), **DATE_ERRORS},
    )
    comment = _comment_field(_("Övrigt till EK-administratören"))
    attested = _attested(REVOKE_ATTESTATION)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.initial.setdefault("last_day", timezone.localdate())
        self._wire_aria()

    def action_kwargs(self) -> dict[str, Any]:
        return dict(self.cleaned_data)


class RegisterGrantForm(_PeriodForm):
    hsa_id = forms.CharField(
        label=_("HSA-id"),
        max_length=64,
        required=False,
        help_text=_("Personens HSA-id i katalogen. För en ny person: det HSA-id du utfärdar."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    valid_from = forms.DateField(
        label=_("Giltigt från"),
        widget=DateInput(),
        error_messages={"required": _("Skriv från vilket datum uppdraget gäller."), **DATE_ERRORS},
    )
    valid_to = forms.DateField(
        label=_("Giltigt till"),
        required=False,
        widget=DateInput(),
        help_text=_("Lämna tomt om behörigheten gäller tills vidare."),
        error_messages=DATE_ERRORS,
    )
    note = _note_field()

    def __init__(self, *args: Any, person_known: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if person_known:
            del self.fields["hsa_id"]
        self._wire_aria()

    def clean_hsa_id(self) -> str:
        return _clean_hsa(self.cleaned_data["hsa_id"])


def default_start(order_start: dt.date | None) -> dt.date:
    today = timezone.localdate()
    return max(order_start or today, today)
