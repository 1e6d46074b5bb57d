"""Patients: identity number and kind, name, folkbokföringsadress, listing, protected identity."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from .identity import IdentityKind, PatientIdentity


class Patient(models.Model):
    identity_number = models.CharField(_("identitetsnummer"), max_length=12, unique=True)
    identity_kind = models.CharField(
        _("typ av nummer"), max_length=30, choices=IdentityKind.choices
    )
    given_name = models.CharField(_("förnamn"), max_length=100)
    family_name = models.CharField(_("efternamn"), max_length=100)
    street_address = models.CharField(_("gatuadress"), max_length=200, blank=True)
    postal_code = models.CharField(_("postnummer"), max_length=6, blank=True)
    city = models.CharField(_("postort"), max_length=100, blank=True)
    municipality_code = models.CharField(_("folkbokföringskommun (kod)"), max_length=4, blank=True)
    district = models.CharField(_("stadsdel/distrikt"), max_length=100, blank=True)
    listed_unit = models.ForeignKey(
        "directory.Unit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="listed_patients",
        verbose_name=_("listad vid"),
    )
    protected_identity = models.BooleanField(_("skyddade personuppgifter"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["family_name", "given_name"]
        verbose_name = _("patient")
        verbose_name_plural = _("patienter")

    def __str__(self) -> str:
        return f"{self.full_name} ({self.identity.display()})"

    @property
    def identity(self) -> PatientIdentity:
        return PatientIdentity(value=self.identity_number, kind=IdentityKind(self.identity_kind))

    @property
    def full_name(self) -> str:
        return f"{self.given_name} {self.family_name}"

    @property
    def address_lines(self) -> list[str]:
        """The address for display and export. Empty for a protected identity, always."""
        if self.protected_identity:
            return []
        return [
            line
            for line in (self.street_address, f"{self.postal_code} {self.city}".strip())
            if line
        ]
