"""The directory sync's own tables: its runs, their reports and the LDAP ↔ directory mapping.

The directory's tables (brygga.directory) are not changed by this app: which rows came
from LDAP, from which entry, and when that entry last changed live here.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class EntryKind(models.TextChoices):
    ORGANISATION = "organisation", _("Vårdgivare")
    UNIT = "unit", _("Enhet")
    PERSON = "person", _("Person")
    COMMISSION = "commission", _("Medarbetaruppdrag")


class SyncMode(models.TextChoices):
    FULL = "full", _("Fullständig")
    INCREMENTAL = "incremental", _("Ändringar")


class RunStatus(models.TextChoices):
    RUNNING = "running", _("Pågår")
    SUCCEEDED = "succeeded", _("Klar")
    FAILED = "failed", _("Misslyckades")


class SyncRun(models.Model):
    """One sync (never a dry run: a dry run writes nothing, this row neither)."""

    mode = models.CharField(_("typ"), max_length=12, choices=SyncMode.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=RunStatus.choices, default=RunStatus.RUNNING
    )
    started_at = models.DateTimeField(_("startad"))
    finished_at = models.DateTimeField(_("klar"), null=True, blank=True)
    started_by = models.CharField(_("startad av"), max_length=200)
    server = models.CharField(_("katalogserver"), max_length=300, blank=True)
    entries_read = models.PositiveIntegerField(_("lästa poster"), default=0)
    created = models.PositiveIntegerField(_("skapade"), default=0)
    updated = models.PositiveIntegerField(_("ändrade"), default=0)
    ended = models.PositiveIntegerField(_("avslutade/inaktiverade"), default=0)
    skipped = models.PositiveIntegerField(_("överhoppade"), default=0)
    conflicts = models.PositiveIntegerField(_("konflikter"), default=0)
    errors = models.PositiveIntegerField(_("fel"), default=0)
    # The newest modifyTimestamp read from LDAP (LDAP generalized time, UTC): where the
    # next incremental sync starts reading, less a margin (docs/directory-sync.md).
    high_water_mark = models.CharField(
        _("senaste ändringstid i katalogen"), max_length=20, blank=True
    )
    failure = models.TextField(_("fel som stoppade körningen"), blank=True)

    class Meta:
        ordering = ["-started_at", "-pk"]
        verbose_name = _("katalogsynkronisering")
        verbose_name_plural = _("katalogsynkroniseringar")
        indexes = [models.Index(fields=["status", "-started_at"])]

    def __str__(self) -> str:
        return f"{self.get_mode_display()} {self.started_at:%Y-%m-%d %H:%M}"

    @property
    def changed(self) -> int:
        return self.created + self.updated + self.ended


class MessageLevel(models.TextChoices):
    INFO = "info", _("Information")
    WARNING = "warning", _("Varning")
    ERROR = "error", _("Fel")


class SyncMessage(models.Model):
    """A line of a run's report: an entry skipped, a conflict, a removal held back."""

    run = models.ForeignKey(SyncRun, on_delete=models.CASCADE, related_name="messages")
    level = models.CharField(_("nivå"), max_length=10, choices=MessageLevel.choices)
    kind = models.CharField(_("typ av post"), max_length=20, choices=EntryKind.choices, blank=True)
    hsa_id = models.CharField(_("HSA-id"), max_length=100, blank=True)
    dn = models.CharField(_("DN"), max_length=1000, blank=True)
    text = models.TextField(_("meddelande"))

    class Meta:
        ordering = ["pk"]
        verbose_name = _("meddelande från katalogsynkronisering")
        verbose_name_plural = _("meddelanden från katalogsynkronisering")

    def __str__(self) -> str:
        return f"{self.level}: {self.hsa_id or self.dn}: {self.text}"


class SyncedEntry(models.Model):
    """A directory row that the sync keeps, and the LDAP entry it comes from.

    ``key`` is the entry's hsaIdentity; a commission entry becomes one Brygga commission per
    member and role, keyed ``<commission hsaIdentity>|<person hsaIdentity>|<role>``. Rows
    without a SyncedEntry were made in Brygga and are never ended or deactivated by the sync.
    """

    kind = models.CharField(_("typ"), max_length=12, choices=EntryKind.choices)
    key = models.CharField(_("nyckel"), max_length=200)
    entry_hsa_id = models.CharField(_("postens HSA-id"), max_length=100, db_index=True)
    dn = models.CharField(_("DN"), max_length=1000, db_index=True)
    entry_uuid = models.CharField(_("entryUUID"), max_length=64, blank=True)
    object_id = models.BigIntegerField(_("radens id i katalogen"))
    modify_timestamp = models.CharField(_("modifyTimestamp"), max_length=20, blank=True)
    removed_at = models.DateTimeField(_("borttagen ur katalogen"), null=True, blank=True)
    last_run = models.ForeignKey(
        SyncRun, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("synkroniserad katalogpost")
        verbose_name_plural = _("synkroniserade katalogposter")
        constraints = [
            models.UniqueConstraint(fields=["kind", "key"], name="synced_entry_kind_key"),
        ]
        indexes = [models.Index(fields=["kind", "object_id"])]

    def __str__(self) -> str:
        return f"{self.kind} {self.key}"
