"""System clients of the FHIR API and the EHRs' own identifiers of the stays they opened.

An ApiClient is an OAuth 2.0 application (django-oauth-toolkit) registered for one or more
units it may act for. An EHR gets a token with the client-credentials grant and then acts
for one of its units (the X-Brygga-Unit header chooses when it has several).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

SCOPE_READ = "system/*.read"
SCOPE_WRITE = "system/*.write"
SCOPE_ACCESS_LOG = "system/AuditEvent.read"
ALL_SCOPES = {
    SCOPE_READ: _("Läsa ärenden, notiser och katalogen för klientens enheter"),
    SCOPE_WRITE: _("Öppna ärenden och skicka notiser för klientens enheter"),
    SCOPE_ACCESS_LOG: _("Läsa patienters åtkomstlogg (loggutdrag) som AuditEvent"),
}


class ApiClient(models.Model):
    application = models.OneToOneField(
        "oauth2_provider.Application", on_delete=models.PROTECT, related_name="brygga_client"
    )
    name = models.CharField(_("namn"), max_length=200)
    active = models.BooleanField(_("aktiv"), default=True)
    # Space-separated scopes the client may ask for (a subset of ALL_SCOPES).
    allowed_scopes = models.CharField(
        _("tillåtna behörigheter"), max_length=200, default=f"{SCOPE_READ} {SCOPE_WRITE}"
    )
    units = models.ManyToManyField(
        "directory.Unit", related_name="api_clients", verbose_name=_("enheter")
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("API-klient")
        verbose_name_plural = _("API-klienter")

    def __str__(self) -> str:
        return self.name

    @property
    def client_id(self) -> str:
        return str(self.application.client_id)

    @property
    def scopes(self) -> set[str]:
        return set(self.allowed_scopes.split())


class EncounterIdentifier(models.Model):
    """An EHR's own identifier of a stay (vårdtillfälle), given when it opened the case."""

    case = models.ForeignKey(
        "cases.Case", on_delete=models.PROTECT, related_name="fhir_identifiers"
    )
    system = models.CharField(max_length=200)
    value = models.CharField(max_length=100)
    client = models.ForeignKey(ApiClient, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("vårdtillfällets id i journalsystemet")
        verbose_name_plural = _("vårdtillfällens id i journalsystem")
        constraints = [
            models.UniqueConstraint(fields=["system", "value"], name="encounter_identifier_unique")
        ]

    def __str__(self) -> str:
        return f"{self.system}|{self.value}"
