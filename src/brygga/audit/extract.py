"""Loggutdrag: who accessed a patient's data, when, from where and what they did."""

from __future__ import annotations

import csv
import io

from django.db.models import QuerySet
from django.utils import timezone

from .models import AuditEntry


def entries_for_patient(patient_id: int) -> QuerySet[AuditEntry]:
    return AuditEntry.objects.filter(patient_id=patient_id).order_by("-occurred_at", "-id")


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
    for entry in entries.iterator():
        writer.writerow(
            [
                timezone.localtime(entry.occurred_at).strftime("%Y-%m-%d %H:%M:%S"),
                entry.get_event_type_display(),
                entry.actor_label,
                entry.actor_name,
                entry.actor_unit_hsa_id,
                entry.actor_unit_name,
                entry.actor_role_label,
                (entry.details or {}).get("what", ""),
                entry.client_address,
                entry.request_id,
            ]
        )
    return out.getvalue()
