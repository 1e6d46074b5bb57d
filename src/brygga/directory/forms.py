"""Forms for EK administration: input checks and choices limited to what the actor manages.

The forms never save: views pass the cleaned data to the actions, which re-check the
actor's right and the rules.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from brygga.core.actor import Actor
from brygga.core.forms import AccessibleFormMixin, DateInput

from . import access, rules
from .models import (
    CareType,
    Commission,
    Organisation,
    OrganisationKind,
    Person,
    Role,
    Unit,
    UnitStatus,
)


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name} ({obj.hsa_id})"


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.family_name}, {obj.given_name} ({obj.hsa_id})"


class OrganisationChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name} ({obj.org_number})"


HSA_ID_HELP = _(
    "SE, organisationsnummer, bindestreck och bokstäver/siffror, t.ex. SE2321000016-ABC1."
)


def _hsa_id_field(help_text: Any = HSA_ID_HELP) -> forms.CharField:
    # Longer than the stored 31 characters so that the HSA-id check, not a bare length
    # check, says what is wrong.
    return forms.CharField(
        label=_("HSA-id"),
        max_length=64,
        help_text=help_text,
        error_messages={"required": _("Skriv HSA-id.")},
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )


def _period_error(form: forms.BaseForm, cleaned_data: dict[str, Any]) -> None:
    try:
        rules.check_period(cleaned_data.get("valid_from"), cleaned_data.get("valid_to"), field=None)
    except forms.ValidationError as error:
        form.add_error("valid_to", error)


class OrganisationForm(AccessibleFormMixin, forms.ModelForm):
    org_number = forms.CharField(
        label=_("Organisationsnummer"),
        max_length=20,
        help_text=_("10 siffror, t.ex. 232100-0016."),
        error_messages={"required": _("Skriv organisationsnumret.")},
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )

    class Meta:
        model = Organisation
        fields = ["name", "org_number", "kind", "municipality_code", "has_own_ek_admin"]
        labels = {
            "name": _("Namn"),
            "kind": _("Typ"),
            "municipality_code": _("Kommunkod"),
            "has_own_ek_admin": _("Organisationen har egen EK-administratör"),
        }
        help_texts = {
            "municipality_code": _("Fyra siffror, t.ex. 0180 för Stockholm."),
            "has_own_ek_admin": _(
                "Organisationer utan egen EK-administratör administreras av central förvaltning."
            ),
        }
        error_messages = {
            "name": {"required": _("Skriv organisationens namn.")},
            "kind": {"required": _("Välj typ av organisation.")},
        }

    def __init__(self, *args: Any, actor: Actor, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not access.may_change_organisation_identity(actor):
            for name in ("org_number", "kind", "has_own_ek_admin"):
                del self.fields[name]
        self._wire_aria()

    def clean_org_number(self) -> str:
        return rules.clean_org_number(self.cleaned_data["org_number"], field=None)


class UnitForm(AccessibleFormMixin, forms.ModelForm):
    hsa_id = _hsa_id_field()

    class Meta:
        model = Unit
        fields = [
            "hsa_id",
            "name",
            "organisation",
            "parent",
            "care_type",
            "status",
            "valid_from",
            "valid_to",
            "municipality_code",
            "district",
            "phone",
            "fax",
            "functional_mailbox",
        ]
        field_classes = {"organisation": OrganisationChoiceField, "parent": UnitChoiceField}
        widgets = {
            "valid_from": DateInput(),
            "valid_to": DateInput(),
            "phone": forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
            "fax": forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
        }
        labels = {
            "name": _("Namn"),
            "organisation": _("Organisation"),
            "parent": _("Överordnad enhet"),
            "care_type": _("Vårdtyp i Brygga"),
            "status": _("Status"),
            "valid_from": _("Giltig från"),
            "valid_to": _("Giltig till"),
            "municipality_code": _("Kommunkod"),
            "district": _("Stadsdel eller distrikt"),
            "phone": _("Telefon"),
            "fax": _("Fax"),
            "functional_mailbox": _("Funktionsbrevlåda"),
        }
        help_texts = {
            "parent": _("Måste höra till samma organisation."),
            "care_type": _(
                "Enheter utan vårdtyp, t.ex. en förvaltning, kan inte använda Brygga "
                "och kan inte ha uppdrag."
            ),
            "valid_to": _("Lämna tomt om enheten gäller tills vidare."),
            "functional_mailbox": _("E-postadress som enheten läser gemensamt."),
        }
        error_messages = {
            "name": {"required": _("Skriv enhetens namn.")},
            "status": {"required": _("Välj status.")},
            "organisation": {
                "required": _("Välj organisation."),
                "invalid_choice": _("Välj en organisation som du administrerar."),
            },
            "parent": {"invalid_choice": _("Välj en enhet som du administrerar.")},
            "valid_from": {
                "required": _("Skriv från vilket datum enheten gäller."),
                "invalid": _("Skriv datumet som ÅÅÅÅ-MM-DD."),
            },
            "valid_to": {"invalid": _("Skriv datumet som ÅÅÅÅ-MM-DD.")},
            "functional_mailbox": {"invalid": _("Skriv en giltig e-postadress.")},
        }

    def __init__(self, *args: Any, actor: Actor, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        organisations = access.manageable_organisations(actor)
        self.fields["organisation"].queryset = organisations  # type: ignore[attr-defined]
        self.fields["organisation"].empty_label = _("Välj organisation")  # type: ignore[attr-defined]
        organisation = access.managed_organisation(actor)
        if organisation is not None and not self.instance.pk:
            self.initial.setdefault("organisation", organisation.pk)
        parents = access.manageable_units(actor)
        if self.instance.pk:
            parents = parents.exclude(pk=self.instance.pk)
        self.fields["parent"].queryset = parents  # type: ignore[attr-defined]
        self.fields["parent"].empty_label = _("Ingen överordnad enhet")  # type: ignore[attr-defined]
        self.fields["care_type"].choices = [  # type: ignore[attr-defined]
            ("", _("Ingen vårdtyp (använder inte Brygga)")),
            *CareType.choices,
        ]
        self._wire_aria()

    def clean_hsa_id(self) -> str:
        return rules.clean_hsa_id(self.cleaned_data["hsa_id"], field=None)

    def clean(self) -> dict[str, Any]:
        cleaned_data = super().clean() or {}
        _period_error(self, cleaned_data)
        return cleaned_data


class PersonForm(AccessibleFormMixin, forms.ModelForm):
    hsa_id = _hsa_id_field()
    personnummer = forms.CharField(
        label=_("Personnummer"),
        max_length=20,
        required=False,
        help_text=_(
            "Används vid inloggning med e-legitimation. ÅÅÅÅMMDD-NNNN, t.ex. 19121212-1212."
        ),
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "numeric"}),
    )

    class Meta:
        model = Person
        fields = [
            "hsa_id",
            "given_name",
            "family_name",
            "title",
            "email",
            "personnummer",
            "is_active",
        ]
        labels = {
            "given_name": _("Förnamn"),
            "family_name": _("Efternamn"),
            "title": _("Titel"),
            "email": _("E-post"),
            "is_active": _("Personen är aktiv"),
        }
        help_texts = {
            "is_active": _("En inaktiv person kan inte logga in, oavsett uppdrag."),
        }
        error_messages = {
            "given_name": {"required": _("Skriv förnamn.")},
            "family_name": {"required": _("Skriv efternamn.")},
            "email": {"invalid": _("Skriv en giltig e-postadress.")},
        }

    def __init__(self, *args: Any, actor: Actor, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        organisation = access.managed_organisation(actor)
        if organisation is not None and not access.is_central_admin(actor):
            self.fields["hsa_id"].help_text = _(
                "Ska vara utfärdat under din organisation och börja med %(prefix)s."
            ) % {"prefix": access.hsa_prefix(organisation)}
        self._wire_aria()

    def clean_hsa_id(self) -> str:
        return rules.clean_hsa_id(self.cleaned_data["hsa_id"], field=None)

    def clean_personnummer(self) -> str | None:
        return rules.clean_personnummer(
            self.cleaned_data.get("personnummer"), today=timezone.localdate(), field=None
        )


class CommissionForm(AccessibleFormMixin, forms.ModelForm):
    class Meta:
        model = Commission
        fields = ["person", "unit", "role", "purpose", "valid_from", "valid_to"]
        field_classes = {"person": PersonChoiceField, "unit": UnitChoiceField}
        widgets = {"valid_from": DateInput(), "valid_to": DateInput()}
        labels = {
            "person": _("Person"),
            "unit": _("Enhet"),
            "role": _("Roll"),
            "purpose": _("Syfte"),
            "valid_from": _("Giltigt från"),
            "valid_to": _("Giltigt till"),
        }
        help_texts = {
            "unit": _("Enheten måste ha en vårdtyp för Brygga."),
            "purpose": _("Som hsaCommissionPurpose i HSA, oftast Vård och behandling."),
            "valid_to": _("Lämna tomt om uppdraget gäller tills vidare."),
        }
        error_messages = {
            "person": {
                "required": _("Välj person."),
                "invalid_choice": _("Välj en person som du administrerar."),
            },
            "unit": {
                "required": _("Välj enhet."),
                "invalid_choice": _("Välj en enhet i en organisation som du administrerar."),
            },
            "role": {
                "required": _("Välj roll."),
                "invalid_choice": _("Välj en roll som du får ge."),
            },
            "valid_from": {
                "required": _("Skriv från vilket datum uppdraget gäller."),
                "invalid": _("Skriv datumet som ÅÅÅÅ-MM-DD."),
            },
            "valid_to": {"invalid": _("Skriv datumet som ÅÅÅÅ-MM-DD.")},
        }

    def __init__(self, *args: Any, actor: Actor, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            # A commission belongs to its person; to move it, end it and create a new one.
            del self.fields["person"]
        else:
            persons = access.manageable_persons(actor).filter(is_active=True)
            self.fields["person"].queryset = persons  # type: ignore[attr-defined]
            self.fields["person"].empty_label = _("Välj person")  # type: ignore[attr-defined]
            self.initial.setdefault("valid_from", timezone.localdate())
        self.fields["unit"].queryset = access.manageable_units(actor)  # type: ignore[attr-defined]
        self.fields["unit"].empty_label = _("Välj enhet")  # type: ignore[attr-defined]
        self.fields["role"].choices = [  # type: ignore[attr-defined]
            (role.value, role.label) for role in access.grantable_roles(actor)
        ]
        self._wire_aria()

    def clean(self) -> dict[str, Any]:
        cleaned_data = super().clean() or {}
        _period_error(self, cleaned_data)
        return cleaned_data


# Search and filters for the lists (GET forms; an invalid value just filters nothing).

ALL = ("", _("Alla"))


class _SearchForm(AccessibleFormMixin, forms.Form):
    q = forms.CharField(label=_("Sök på namn eller HSA-id"), required=False, max_length=100)

    def value(self, name: str) -> Any:
        if not hasattr(self, "cleaned_data"):
            self.is_valid()
        return self.cleaned_data.get(name) or None

    def terms(self) -> list[str]:
        return (self.value("q") or "").split()


class OrganisationFilterForm(_SearchForm):
    kind = forms.ChoiceField(
        label=_("Typ"), required=False, choices=[ALL, *OrganisationKind.choices]
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["q"].label = _("Sök på namn eller organisationsnummer")

    def apply(self, queryset: QuerySet[Organisation]) -> QuerySet[Organisation]:
        for term in self.terms():
            queryset = queryset.filter(
                Q(name__icontains=term) | Q(org_number__icontains=term.replace("-", ""))
            )
        if kind := self.value("kind"):
            queryset = queryset.filter(kind=kind)
        return queryset


NO_CARE_TYPE = "none"


class UnitFilterForm(_SearchForm):
    care_type = forms.ChoiceField(
        label=_("Vårdtyp"),
        required=False,
        choices=[ALL, (NO_CARE_TYPE, _("Ingen vårdtyp")), *CareType.choices],
    )
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[ALL, *UnitStatus.choices]
    )
    organisation = OrganisationChoiceField(
        label=_("Organisation"),
        required=False,
        queryset=Organisation.objects.none(),
        empty_label=_("Alla"),
    )

    def __init__(self, *args: Any, actor: Actor, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if access.is_central_admin(actor):
            field = self.fields["organisation"]
            field.queryset = access.manageable_organisations(actor)  # type: ignore[attr-defined]
        else:
            del self.fields["organisation"]

    def apply(self, queryset: QuerySet[Unit]) -> QuerySet[Unit]:
        for term in self.terms():
            queryset = queryset.filter(Q(name__icontains=term) | Q(hsa_id__icontains=term))
        care_type = self.value("care_type")
        if care_type == NO_CARE_TYPE:
            queryset = queryset.filter(care_type="")
        elif care_type:
            queryset = queryset.filter(care_type=care_type)
        if status := self.value("status"):
            queryset = queryset.filter(status=status)
        if organisation := self.value("organisation"):
            queryset = queryset.filter(organisation=organisation)
        return queryset


class PersonFilterForm(_SearchForm):
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[ALL, ("active", _("Aktiv")), ("inactive", _("Inaktiv"))],
    )

    def apply(self, queryset: QuerySet[Person]) -> QuerySet[Person]:
        for term in self.terms():
            queryset = queryset.filter(
                Q(given_name__icontains=term)
                | Q(family_name__icontains=term)
                | Q(hsa_id__icontains=term)
            )
        status = self.value("status")
        if status in ("active", "inactive"):
            queryset = queryset.filter(is_active=status == "active")
        return queryset


COMMISSION_STATES = [
    ("current", _("Gällande")),
    ("upcoming", _("Kommande")),
    ("ended", _("Avslutade")),
]


class CommissionFilterForm(_SearchForm):
    role = forms.ChoiceField(label=_("Roll"), required=False, choices=[ALL, *Role.choices])
    state = forms.ChoiceField(
        label=_("Giltighet"), required=False, choices=[ALL, *COMMISSION_STATES]
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["q"].label = _("Sök på person eller enhet (namn eller HSA-id)")

    def apply(self, queryset: QuerySet[Commission], *, today: dt.date) -> QuerySet[Commission]:
        for term in self.terms():
            queryset = queryset.filter(
                Q(person__given_name__icontains=term)
                | Q(person__family_name__icontains=term)
                | Q(person__hsa_id__icontains=term)
                | Q(unit__name__icontains=term)
                | Q(unit__hsa_id__icontains=term)
            )
        if role := self.value("role"):
            queryset = queryset.filter(role=role)
        state = self.value("state")
        if state == "current":
            queryset = queryset.filter(
                Q(valid_to__isnull=True) | Q(valid_to__gte=today), valid_from__lte=today
            )
        elif state == "upcoming":
            queryset = queryset.filter(valid_from__gt=today)
        elif state == "ended":
            queryset = queryset.filter(valid_to__lt=today)
        return queryset
