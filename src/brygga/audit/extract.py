"""Loggutdrag: who accessed a patient's data, when, from where and what they did."""

from __future__ import annotations

import csv
import io

from django.db.models import QuerySet
from django.utils import timezone

from .events import AuditEventType
from .models import AuditEntry


def entries_for_patient(patient_id: int) -> QuerySet[AuditEntry]:
    return AuditEntry.objects.filter(patient_id=patient_id).order_by("-occurred_at", "-id")


class Labels:
    """The Swedish names of event types and roles, translated once per extract rather than
    once per row (a long history has thousands of rows; Django's choice lookup rebuilds the
    whole list each time)."""

    def __init__(self) -> None:
        from brygga.directory.models import Role

        self.events = {code: str(label) for code, label in AuditEventType.choices}
        self.roles = {code: str(label) for code, label in Role.choices}

    def event(self, entry: AuditEntry) -> str:
        return self.events.get(entry.event_type, entry.event_type)

    def role(self, entry: AuditEntry) -> str:
        return self.roles.get(entry.actor_role, entry.actor_role)


def labelled(entries: QuerySet[AuditEntry]) -> list[AuditEntry]:
    """The rows with `event_label` and `role_label` set, for the page."""
    labels = Labels()
    rows = list(entries)
    for entry in rows:
        entry.event_label = labels.event(entry)  # type: ignore[attr-defined]
        entry.role_label = labels.role(entry)  # type: ignore[attr-defined]
    return rows


CSV_HEADER = [
    "Tidpunkt",
    "Händelse",
    "Användare (HSA-id)",
    "Namn",
    "Enhet (HSA-id)",
    "Enhet",
    "Roll",
    "Vad",
    "Klientadress",
    "Begäran",
]


def to_csv(entries: QuerySet[AuditEntry]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow(CSV_HEADER)
    labels = Labels()
    for entry in entries.iterator():
        writer.writerow(
            [
                timezone.localtime(entry.occurred_at).strftime("%Y-%m-%d %H:%M:%S"),
                labels.event(entry),
                entry.actor_label,
                entry.actor_name,
                entry.actor_unit_hsa_id,
                entry.actor_unit_name,
                labels.role(entry),
                (entry.details or {}).get("what", ""),
                entry.client_address,
                entry.request_id,
            ]
        )
    return out.getvalue()
