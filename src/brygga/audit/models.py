"""The append-only, hash-chained access log.

Rows are spread over a fixed number of independent chains so that appends from many
processes do not queue behind one lock: each process appends to "its" chain, and a unique
(chain, seq) pair makes a lost race fail loudly and retry instead of forking the chain.
Each row's HMAC covers its content and the previous row's HMAC in the same chain.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from brygga.core.fields import EventCodeField

from .events import AuditEventType


class AuditEntry(models.Model):
    chain = models.PositiveSmallIntegerField()
    seq = models.PositiveBigIntegerField()
    prev_hash = models.CharField(max_length=64)
    entry_hash = models.CharField(max_length=64)

    occurred_at = models.DateTimeField(_("tidpunkt"))
    event_type = EventCodeField(_("händelse"), choices=AuditEventType.choices)
    # Who: kept as text as well as a link, so the row still says who it was if the
    # directory changes later.
    actor_person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    actor_label = models.CharField(_("användare"), max_length=100)
    actor_name = models.CharField(_("namn"), max_length=200, blank=True)
    actor_unit_hsa_id = models.CharField(_("enhetens HSA-id"), max_length=31, blank=True)
    actor_unit_name = models.CharField(_("enhet"), max_length=200, blank=True)
    actor_role = models.CharField(_("roll"), max_length=20, blank=True)
    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, null=True, related_name="+"
    )
    object_type = models.CharField(max_length=50, blank=True)
    object_id = models.CharField(max_length=50, blank=True)
    request_id = models.CharField(_("begäran"), max_length=32, blank=True)
    client_address = models.CharField(_("klientadress"), max_length=45, blank=True)
    channel = models.CharField(max_length=10, blank=True)
    details = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("loggpost")
        verbose_name_plural = _("loggposter")
        constraints = [
            models.UniqueConstraint(fields=["chain", "seq"], name="audit_chain_seq_unique")
        ]
        indexes = [
            models.Index(fields=["patient", "occurred_at"]),
            models.Index(fields=["actor_person", "occurred_at"]),
            models.Index(fields=["object_type", "object_id"]),
        ]

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d %H:%M} {self.get_event_type_display()}"

    @property
    def actor_role_label(self) -> str:
        """The role in Swedish, as the directory names it (the row keeps the code)."""
        from brygga.directory.models import Role

        return str(dict(Role.choices).get(self.actor_role, self.actor_role))
