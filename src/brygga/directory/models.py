"""The directory (EK): organisations, units, persons and their commissions.

Mirrors the HSA attributes in DOMAIN.md §6. A unit can be used in Brygga only when it is
active, within its validity dates and has a care type Brygga knows.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .identifiers import hsa_id_validator, org_number_validator


class OrganisationKind(models.TextChoices):
    REGION = "region", _("Region")
    MUNICIPALITY = "municipality", _("Kommun")
    PRIVATE = "private", _("Privat vårdgivare")


class Organisation(models.Model):
    """A huvudman or vårdgivare."""

    name = models.CharField(_("namn"), max_length=200)
    org_number = models.CharField(
        _("organisationsnummer"), max_length=10, unique=True, validators=[org_number_validator]
    )
    kind = models.CharField(_("typ"), max_length=20, choices=OrganisationKind.choices)
    municipality_code = models.CharField(_("kommunkod"), max_length=4, blank=True)
    has_own_ek_admin = models.BooleanField(_("har egen EK-administratör"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisationer")

    def __str__(self) -> str:
        return self.name


class CareType(models.TextChoices):
    """The care types (vårdtyper) Brygga knows. A unit without one cannot use Brygga."""

    INPATIENT_SOMATIC = "inpatient_somatic", _("Slutenvård, somatisk")
    INPATIENT_PSYCHIATRIC = "inpatient_psychiatric", _("Slutenvård, psykiatrisk")
    PRIMARY_CARE = "primary_care", _("Primärvård/husläkarmottagning")
    OUTPATIENT_PSYCHIATRY = "outpatient_psychiatry", _("Öppen psykiatrisk vård")
    SOCIAL_SERVICES = "social_services", _("Kommunal socialtjänst")
    MUNICIPAL_HEALTH_CARE = "municipal_health_care", _("Kommunal hälso- och sjukvård")
    ADMINISTRATION = "administration", _("Förvaltning och administration")


INPATIENT_CARE_TYPES = frozenset({CareType.INPATIENT_SOMATIC, CareType.INPATIENT_PSYCHIATRIC})
OUTPATIENT_CARE_TYPES = frozenset({CareType.PRIMARY_CARE, CareType.OUTPATIENT_PSYCHIATRY})
MUNICIPAL_CARE_TYPES = frozenset({CareType.SOCIAL_SERVICES, CareType.MUNICIPAL_HEALTH_CARE})


class UnitStatus(models.TextChoices):
    ACTIVE = "active", _("Aktiv")
    INACTIVE = "inactive", _("Inaktiv")


class UnitQuerySet(models.QuerySet["Unit"]):
    def usable(self, on: dt.date) -> UnitQuerySet:
        """Units that can act in Brygga on the given day."""
        return self.filter(
            Q(valid_to__isnull=True) | Q(valid_to__gte=on),
            status=UnitStatus.ACTIVE,
            valid_from__lte=on,
        ).exclude(care_type="")


class Unit(models.Model):
    hsa_id = models.CharField(
        _("HSA-id"), max_length=31, unique=True, validators=[hsa_id_validator]
    )
    name = models.CharField(_("namn"), max_length=200)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="units", verbose_name=_("organisation")
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("överordnad enhet"),
    )
    care_type = models.CharField(
        _("vårdtyp i Brygga"),
        max_length=30,
        choices=CareType.choices,
        blank=True,
        help_text=_("Lämna tomt för enheter som inte använder Brygga, t.ex. en förvaltning."),
    )
    municipality_code = models.CharField(_("kommunkod"), max_length=4, blank=True)
    district = models.CharField(_("stadsdel/distrikt"), max_length=100, blank=True)
    phone = models.CharField(_("telefon"), max_length=40, blank=True)
    fax = models.CharField(_("fax"), max_length=40, blank=True)
    functional_mailbox = models.EmailField(_("funktionsbrevlåda"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=UnitStatus.choices, default=UnitStatus.ACTIVE
    )
    valid_from = models.DateField(_("giltig från"), default=dt.date(2018, 1, 1))
    valid_to = models.DateField(_("giltig till"), null=True, blank=True)

    objects = UnitQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("enhet")
        verbose_name_plural = _("enheter")
        indexes = [models.Index(fields=["municipality_code", "care_type"])]

    def __str__(self) -> str:
        return self.name

    def is_usable(self, on: dt.date) -> bool:
        return (
            self.status == UnitStatus.ACTIVE
            and bool(self.care_type)
            and self.valid_from <= on
            and (self.valid_to is None or self.valid_to >= on)
        )

    @property
    def is_inpatient(self) -> bool:
        return self.care_type in INPATIENT_CARE_TYPES


class PersonManager(BaseUserManager["Person"]):
    def get_by_natural_key(self, username: str | None) -> Person:
        return self.get(hsa_id=username)


class Person(AbstractBaseUser):
    """A person in the directory. Also Django's user model: login yields a Person.

    Persons never have passwords in Brygga; authentication is done by an identity
    provider (or the demo login) and yields an HSA-id or a personnummer.
    """

    hsa_id = models.CharField(
        _("HSA-id"), max_length=31, unique=True, validators=[hsa_id_validator]
    )
    personnummer = models.CharField(
        _("personnummer"),
        max_length=12,
        unique=True,
        null=True,
        blank=True,
        help_text=_("Används vid inloggning med e-legitimation."),
    )
    given_name = models.CharField(_("förnamn"), max_length=100)
    family_name = models.CharField(_("efternamn"), max_length=100)
    title = models.CharField(_("titel"), max_length=100, blank=True)
    email = models.EmailField(_("e-post"), blank=True)
    is_active = models.BooleanField(_("aktiv"), default=True)  # type: ignore[assignment]

    objects = PersonManager()

    USERNAME_FIELD = "hsa_id"
    REQUIRED_FIELDS: list[str] = []  # type: ignore[misc]

    class Meta:
        ordering = ["family_name", "given_name"]
        verbose_name = _("person")
        verbose_name_plural = _("personer")

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return f"{self.given_name} {self.family_name}"


class Role(models.TextChoices):
    USER = "user", _("Användare")
    MANAGER = "manager", _("Chef")
    EK_ADMIN = "ek_admin", _("EK-administratör")
    CENTRAL_ADMIN = "central_admin", _("Central förvaltning")
    INVOICING = "invoicing", _("Fakturering")


class CommissionQuerySet(models.QuerySet["Commission"]):
    def valid(self, on: dt.date) -> CommissionQuerySet:
        """Commissions in force on the given day at a unit that can use Brygga."""
        return self.filter(
            Q(valid_to__isnull=True) | Q(valid_to__gte=on),
            valid_from__lte=on,
            person__is_active=True,
            unit__in=Unit.objects.usable(on),
        )


class Commission(models.Model):
    """A medarbetaruppdrag: a person may act for a unit in a role."""

    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="commissions", verbose_name=_("person")
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="commissions", verbose_name=_("enhet")
    )
    role = models.CharField(_("roll"), max_length=20, choices=Role.choices, default=Role.USER)
    purpose = models.CharField(_("syfte"), max_length=100, default="Vård och behandling")
    valid_from = models.DateField(_("giltigt från"))
    valid_to = models.DateField(_("giltigt till"), null=True, blank=True)
    # When the person last chose this commission to act for (at login or a change of
    # commission): the managers' access review shows it. Not part of the audited snapshot.
    last_used_at = models.DateTimeField(_("senast använt"), null=True, blank=True, editable=False)

    objects = CommissionQuerySet.as_manager()

    class Meta:
        ordering = ["person__family_name", "unit__name", "role"]
        verbose_name = _("medarbetaruppdrag")
        verbose_name_plural = _("medarbetaruppdrag")
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
                name="commission_valid_period",
            )
        ]

    def __str__(self) -> str:
        return f"{self.person} – {self.unit} ({self.get_role_display()})"

    def is_valid(self, on: dt.date) -> bool:
        return (
            self.valid_from <= on
            and (self.valid_to is None or self.valid_to >= on)
            and self.person.is_active
            and self.unit.is_usable(on)
        )
