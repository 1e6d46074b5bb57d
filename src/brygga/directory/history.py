"""The change history of a directory row, read from the access log for its detail page.

Only call this for a row the actor may see (the views get it from an access helper).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from brygga.audit.models import AuditEntry

DIRECTORY_EVENTS = range(400, 500)


@dataclass(frozen=True)
class FieldChange:
    label: str
    before: str
    after: str


@dataclass(frozen=True)
class HistoryEntry:
    occurred_at: dt.datetime
    event: str
    actor_name: str
    actor_label: str
    actor_unit_name: str
    created: bool
    changes: list[FieldChange]


def _label(model: type[models.Model], name: str) -> str:
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:
        return name
    return capfirst(str(getattr(field, "verbose_name", name)))


def _display(model: type[models.Model], name: str, value: Any) -> str:
    if value is None or value == "":
        return _("(tomt)")
    if isinstance(value, bool):
        return _("Ja") if value else _("Nej")
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:
        return str(value)
    choices = dict(getattr(field, "flatchoices", None) or [])
    if value in choices:
        return str(choices[value])
    return str(value)


def _in_field_order(model: type[models.Model], names: list[str]) -> list[str]:
    order = {field.name: index for index, field in enumerate(model._meta.get_fields())}
    return sorted(names, key=lambda name: (order.get(name, len(order)), name))


def history_for(obj: models.Model) -> list[HistoryEntry]:
    """The directory changes recorded for ``obj``, newest first."""
    model = type(obj)
    entries = AuditEntry.objects.filter(
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        event_type__gte=DIRECTORY_EVENTS.start,
        event_type__lt=DIRECTORY_EVENTS.stop,
    ).order_by("-occurred_at", "-pk")
    history = []
    for entry in entries:
        details = entry.details or {}
        before = details.get("before") or {}
        after = details.get("after") or {}
        created = details.get("before") is None
        changed = [
            name
            for name in _in_field_order(model, details.get("changed") or list(after))
            if not created or after.get(name) not in (None, "")
        ]
        changes = [
            FieldChange(
                label=_label(model, name),
                before="" if created else _display(model, name, before.get(name)),
                after=_display(model, name, after.get(name)),
            )
            for name in changed
        ]
        history.append(
            HistoryEntry(
                occurred_at=entry.occurred_at,
                event=entry.get_event_type_display(),
                actor_name=entry.actor_name,
                actor_label=entry.actor_label,
                actor_unit_name=entry.actor_unit_name,
                created=created,
                changes=changes,
            )
        )
    return history
