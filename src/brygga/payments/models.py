"""Agreements on the municipality's payment responsibility, daily amounts, and disputes.

An agreement (*överenskommelse*) is versioned data. Rows are never changed: a change is a
new version (same `code`, next `version`) with its own validity period. Which row governs a
stay is decided by `agreement_for` in `terms.py`: the most specific scope (the
municipality's own agreement before a region-wide one), then the latest start, then the
highest version. Without any row the law's default applies (`presets.STATUTORY_DEFAULT`).

The amount per day is set per year (Socialstyrelsen's figure unless agreed otherwise). A
year without an amount is never guessed: the computation reports it as missing.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from brygga.core.calendar import DayKind


class PaymentModel(models.TextChoices):
    GRACE_DAYS = "grace_days", _("Karensdagar per patient")
    AVERAGE = "average", _("Genomsnittsmodell per kommun och månad")


class Agreement(models.Model):
    code = models.SlugField(
        _("kod"),
        max_length=50,
        help_text=_("Samma kod för alla versioner av samma överenskommelse, t.ex. rs-2020."),
    )
    version = models.PositiveIntegerField(_("version"), default=1)
    title = models.CharField(_("namn"), max_length=200)
    municipality_code = models.CharField(
        _("kommunkod"),
        max_length=4,
        blank=True,
        help_text=_("Lämna tomt om överenskommelsen gäller alla kommuner i regionen."),
    )
    valid_from = models.DateField(_("gäller från"))
    valid_to = models.DateField(_("gäller till och med"), null=True, blank=True)
    day_kind = models.CharField(
        _("typ av dagar"), max_length=10, choices=DayKind.choices, default=DayKind.CALENDAR
    )
    eves_are_holidays = models.BooleanField(
        _("midsommar-, jul- och nyårsafton räknas som helgdagar"), default=False
    )
    day_zero_cutoff = models.TimeField(
        _("brytpunkt för dag 0"),
        null=True,
        blank=True,
        help_text=_(
            "Meddelande före denna tid: samma dag är dag 0; annars nästa dag. "
            "Tomt: dagen för meddelandet är alltid dag 0."
        ),
    )
    somatic_model = models.CharField(
        _("modell, somatisk vård"),
        max_length=20,
        choices=PaymentModel.choices,
        default=PaymentModel.GRACE_DAYS,
    )
    somatic_grace_days = models.PositiveSmallIntegerField(_("karensdagar, somatisk vård"))
    somatic_average_level = models.DecimalField(
        _("nivå för genomsnittsmodellen, somatisk vård (dagar)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0))],
    )
    psychiatric_model = models.CharField(
        _("modell, psykiatrisk vård"),
        max_length=20,
        choices=PaymentModel.choices,
        default=PaymentModel.GRACE_DAYS,
    )
    psychiatric_grace_days = models.PositiveSmallIntegerField(_("karensdagar, psykiatrisk vård"))
    psychiatric_average_level = models.DecimalField(
        _("nivå för genomsnittsmodellen, psykiatrisk vård (dagar)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0))],
    )
    require_admission_notice = models.BooleanField(
        _("krav: inskrivningsmeddelande skickat"), default=True
    )
    admission_notice_hours = models.PositiveSmallIntegerField(
        _("krav: inskrivningsmeddelande inom (timmar)"),
        null=True,
        blank=True,
        help_text=_("Tomt: det räcker att meddelandet skickades, när som helst."),
    )
    require_ready_notice = models.BooleanField(
        _("krav: meddelande om utskrivningsklar har nått kommunen"), default=True
    )
    require_sip_call = models.BooleanField(
        _("krav: kallelse till SIP skickad när SIP behövs"), default=True
    )
    require_no_refusal = models.BooleanField(
        _("krav: patienten har inte avböjt kommunens stöd"), default=True
    )
    own_daily_amount = models.DecimalField(
        _("eget avtalat belopp per dag (kr)"),
        max_digits=9,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0))],
        help_text=_("Tomt: Socialstyrelsens belopp för respektive år."),
    )
    source = models.TextField(
        _("källa och anteckningar"),
        blank=True,
        help_text=_("Var villkoren kommer ifrån, t.ex. överenskommelsens diarienummer."),
    )
    created_at = models.DateTimeField(_("skapad"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_by_name = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["municipality_code", "-valid_from", "code", "-version"]
        verbose_name = _("överenskommelse om betalningsansvar")
        verbose_name_plural = _("överenskommelser om betalningsansvar")
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="agreement_code_version"),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
                name="agreement_valid_period",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} (version {self.version})"

    @property
    def is_region_wide(self) -> bool:
        return not self.municipality_code


class DailyAmount(models.Model):
    """The amount per day for one year (Socialstyrelsen's, unless an agreement has its own)."""

    year = models.PositiveSmallIntegerField(_("år"), unique=True)
    amount = models.DecimalField(
        _("belopp per dag (kr)"),
        max_digits=9,
        decimal_places=2,
        validators=[MinValueValidator(Decimal(1))],
    )
    confirmed = models.BooleanField(
        _("bekräftat"),
        default=False,
        help_text=_("Kryssa i när beloppet är kontrollerat mot Socialstyrelsens beslut."),
    )
    source = models.CharField(_("källa"), max_length=300, blank=True)
    updated_at = models.DateTimeField(_("ändrad"))
    updated_by_name = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-year"]
        verbose_name = _("belopp per dag")
        verbose_name_plural = _("belopp per dag")

    def __str__(self) -> str:
        return f"{self.year}: {self.amount} kr"


class DisputeStatus(models.TextChoices):
    OPEN = "open", _("Bestriden, väntar på beslut")
    ACCEPTED = "accepted", _("Bestridandet godtaget: raden debiteras inte")
    REJECTED = "rejected", _("Bestridandet avslaget: raden debiteras")


class Dispute(models.Model):
    """A municipality disputes one case's row in one month's invoicing basis."""

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="+")
    month = models.DateField(_("månad"), help_text=_("Första dagen i månaden."))
    municipality_code = models.CharField(_("kommunkod"), max_length=4)
    status = models.CharField(
        _("status"), max_length=10, choices=DisputeStatus.choices, default=DisputeStatus.OPEN
    )
    comment = models.TextField(_("kommunens kommentar"))
    opened_at = models.DateTimeField(_("bestriden"))
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    opened_by_name = models.CharField(max_length=200, blank=True)
    opened_by_unit_name = models.CharField(max_length=200, blank=True)
    resolution = models.TextField(_("regionens beslut"), blank=True)
    resolved_at = models.DateTimeField(_("avgjord"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    resolved_by_name = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-opened_at"]
        verbose_name = _("bestridande")
        verbose_name_plural = _("bestridanden")
        constraints = [models.UniqueConstraint(fields=["case", "month"], name="dispute_case_month")]
        indexes = [models.Index(fields=["municipality_code", "month"])]

    def __str__(self) -> str:
        return f"Bestridande {self.pk} ({self.month:%Y-%m})"

    @property
    def is_open(self) -> bool:
        return self.status == DisputeStatus.OPEN


class SupportRefusal(models.Model):
    """The patient (or their representative) refused the municipality's support in a stay."""

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="+")
    refused_at = models.DateTimeField(_("avböjt"))
    note = models.TextField(_("anteckning"))
    recorded_at = models.DateTimeField(_("registrerad"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    recorded_by_name = models.CharField(max_length=200, blank=True)
    recorded_by_unit_name = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["refused_at"]
        verbose_name = _("avböjt stöd")
        verbose_name_plural = _("avböjt stöd")

    def __str__(self) -> str:
        return f"Avböjt stöd ({self.case_id})"
