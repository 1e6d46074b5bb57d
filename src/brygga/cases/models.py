"""Cases (samordningsärenden): one inpatient stay of one patient, and the units party to it."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class CaseState(models.TextChoices):
    ADMITTED = "admitted", _("Inskriven")
    PLANNING = "planning", _("Planering pågår")
    READY = "ready", _("Utskrivningsklar")
    DISCHARGED = "discharged", _("Utskriven")
    CLOSED = "closed", _("Avslutad")
    CANCELLED = "cancelled", _("Avbruten")


OPEN_STATES = frozenset(
    {CaseState.ADMITTED, CaseState.PLANNING, CaseState.READY, CaseState.DISCHARGED}
)


class CareKind(models.TextChoices):
    SOMATIC = "somatic", _("Somatisk vård")
    PSYCHIATRIC = "psychiatric", _("Psykiatrisk vård")


class PartyRole(models.TextChoices):
    INPATIENT = "inpatient", _("Slutenvård")
    PRIMARY_CARE = "primary_care", _("Öppenvård")
    MUNICIPALITY = "municipality", _("Kommun")


class Case(models.Model):
    patient = models.ForeignKey(
        "patients.Patient",
        on_delete=models.PROTECT,
        related_name="cases",
        verbose_name=_("patient"),
    )
    state = models.CharField(
        _("status"), max_length=20, choices=CaseState.choices, default=CaseState.ADMITTED
    )
    care_kind = models.CharField(_("vårdform"), max_length=20, choices=CareKind.choices)
    compulsory_care = models.BooleanField(_("vård enligt LPT/LRV"), default=False)
    admitted_at = models.DateTimeField(_("inskriven"))
    assessed_at = models.DateTimeField(_("läkarens bedömning"), null=True, blank=True)
    expected_discharge_on = models.DateField(_("beräknat utskrivningsdatum"), null=True, blank=True)
    ready_at = models.DateTimeField(_("utskrivningsklar"), null=True, blank=True)
    discharged_at = models.DateTimeField(_("utskriven"), null=True, blank=True)
    closed_at = models.DateTimeField(_("avslutad"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-admitted_at"]
        verbose_name = _("ärende")
        verbose_name_plural = _("ärenden")
        indexes = [models.Index(fields=["state", "admitted_at"])]

    def __str__(self) -> str:
        return f"Ärende {self.pk}"

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES


class CaseParty(models.Model):
    """A unit taking part in a case. A unit that stops being a party keeps read access."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="parties")
    unit = models.ForeignKey(
        "directory.Unit", on_delete=models.PROTECT, related_name="case_parties"
    )
    role = models.CharField(_("roll"), max_length=20, choices=PartyRole.choices)
    active = models.BooleanField(_("aktiv part"), default=True)
    joined_at = models.DateTimeField(_("part sedan"))
    left_at = models.DateTimeField(_("part till"), null=True, blank=True)

    class Meta:
        verbose_name = _("part i ärende")
        verbose_name_plural = _("parter i ärende")
        constraints = [
            models.UniqueConstraint(fields=["case", "unit", "role"], name="case_party_unique")
        ]
        indexes = [models.Index(fields=["unit", "active"])]

    def __str__(self) -> str:
        return f"{self.unit} ({self.get_role_display()})"
