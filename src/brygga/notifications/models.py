"""The e-mail outbox: what is to be sent to units' functional mailboxes.

Rows are written in the same transaction as the notice that causes them, so nothing is lost
if the mail server or the worker is down; the worker sends them and retries with backoff.
The e-mails carry no patient data: only that there is something to read in Brygga.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class EmailKind(models.TextChoices):
    NEW_NOTICES = "new_notices", _("Nya meddelanden")
    DEADLINE_REMINDER = "deadline_reminder", _("Påminnelse om tidsfrister")


class OutboundEmail(models.Model):
    unit = models.ForeignKey("directory.Unit", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=30, choices=EmailKind.choices)
    to_address = models.EmailField()
    # For new-notice e-mails: how many notices this e-mail tells of. Notices arriving while
    # one is waiting are added to it, so a busy unit gets one e-mail, not fifty.
    notice_count = models.PositiveIntegerField(default=0)
    # Makes a scheduled e-mail (a day's deadline reminder) idempotent.
    dedupe_key = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField()
    next_attempt_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=500, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    subject = models.CharField(max_length=200, blank=True)
    body = models.TextField(blank=True)

    class Meta:
        ordering = ["next_attempt_at", "pk"]
        indexes = [models.Index(fields=["sent_at", "next_attempt_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["dedupe_key"], condition=~Q(dedupe_key=""), name="outbound_email_dedupe"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} → {self.to_address}"
