"""Contingency lists (beredskapslistor): per unit, a printable snapshot of its open cases."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class ContingencyList(models.Model):
    """One snapshot, written by the background job, kept so the unit can print it before an
    outage (and read it from the printout or a saved copy during one)."""

    unit = models.ForeignKey(
        "directory.Unit", on_delete=models.PROTECT, related_name="contingency_lists"
    )
    generated_at = models.DateTimeField(_("skapad"))
    case_count = models.PositiveIntegerField(_("antal öppna ärenden"))
    # The patients listed, so that each download is logged against each of them.
    patient_ids = models.JSONField(default=list)
    document = models.BinaryField()
    content_type = models.CharField(max_length=100)
    filename = models.CharField(max_length=200)

    class Meta:
        ordering = ["-generated_at", "-pk"]
        verbose_name = _("beredskapslista")
        verbose_name_plural = _("beredskapslistor")
        indexes = [models.Index(fields=["unit", "-generated_at"])]

    def __str__(self) -> str:
        return f"{self.unit} {self.generated_at:%Y-%m-%d %H:%M}"


class DispatchMethod(models.TextChoices):
    FAX = "fax", _("Fax")
    PHONE = "phone", _("Telefon")
    POST = "post", _("Post")
    OTHER = "other", _("Annat sätt")


class ExternalRecipient(models.Model):
    """A recipient outside Brygga's directory, e.g. the social services of a municipality
    outside the region. Notices to it are printed and faxed; each sending is recorded."""

    case = models.ForeignKey(
        "cases.Case", on_delete=models.PROTECT, related_name="external_recipients"
    )
    name = models.CharField(_("mottagare"), max_length=200)
    municipality_code = models.CharField(_("kommunkod"), max_length=4, blank=True)
    fax = models.CharField(_("fax"), max_length=40)
    phone = models.CharField(_("telefon"), max_length=40, blank=True)
    address = models.TextField(_("postadress"), blank=True)
    added_at = models.DateTimeField(_("tillagd"))
    added_by = models.ForeignKey(
        "directory.Person", on_delete=models.PROTECT, related_name="+", null=True
    )
    added_by_unit = models.ForeignKey(
        "directory.Unit", on_delete=models.PROTECT, related_name="+", null=True
    )

    class Meta:
        ordering = ["added_at", "pk"]
        verbose_name = _("extern mottagare")
        verbose_name_plural = _("externa mottagare")

    def __str__(self) -> str:
        return self.name


class ExternalDispatch(models.Model):
    """That a notice was sent to an external recipient: when, how and by whom."""

    recipient = models.ForeignKey(
        ExternalRecipient, on_delete=models.PROTECT, related_name="dispatches"
    )
    event = models.ForeignKey(
        "cases.CaseEvent", on_delete=models.PROTECT, related_name="external_dispatches"
    )
    sent_at = models.DateTimeField(_("skickat"))
    method = models.CharField(_("sätt"), max_length=10, choices=DispatchMethod.choices)
    note = models.CharField(_("anteckning"), max_length=500, blank=True)
    sent_by = models.ForeignKey(
        "directory.Person", on_delete=models.PROTECT, related_name="+", null=True
    )
    sent_by_name = models.CharField(max_length=200)
    sent_by_unit = models.ForeignKey(
        "directory.Unit", on_delete=models.PROTECT, related_name="+", null=True
    )
    recorded_at = models.DateTimeField(_("registrerat"))

    class Meta:
        ordering = ["sent_at", "pk"]
        verbose_name = _("skickat till extern mottagare")
        verbose_name_plural = _("skickat till externa mottagare")
        constraints = [
            models.UniqueConstraint(fields=["recipient", "event"], name="external_dispatch_once")
        ]

    def __str__(self) -> str:
        return f"{self.recipient} {self.sent_at:%Y-%m-%d %H:%M}"
