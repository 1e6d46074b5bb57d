"""Model fields shared by the domain apps."""

from __future__ import annotations

from typing import Any

from django.db import models


class EnumCodeMixin:
    """A field whose choices come from a growing enum of event types.

    Choices only label the codes; they never change the column. Leaving them out of the
    migration state means a domain that adds an event type does not need a migration in
    the app that owns the table.
    """

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()  # type: ignore[misc]
        kwargs.pop("choices", None)
        return name, path, args, kwargs


class EventCodeField(EnumCodeMixin, models.PositiveSmallIntegerField):  # type: ignore[misc]
    pass


class EventNameField(EnumCodeMixin, models.CharField):  # type: ignore[misc]
    pass
