"""Form plumbing shared by every app: accessible error wiring on widgets."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _


class AccessibleFormMixin:
    """Adds aria-describedby (hint and error ids) and aria-invalid to every widget.

    Pair with templates/includes/field.html, which renders the hint and error elements
    with the ids used here.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._wire_aria()

    def full_clean(self) -> None:
        super().full_clean()  # type: ignore[misc]
        self._wire_aria()

    def _wire_aria(self) -> None:
        form: forms.BaseForm = self  # type: ignore[assignment]
        errors = getattr(form, "_errors", None) or {}
        for name, field in form.fields.items():
            auto_id = form[name].auto_id
            described = []
            if field.help_text:
                described.append(f"{auto_id}_hint")
            if name in errors:
                described.append(f"{auto_id}_error")
                field.widget.attrs["aria-invalid"] = "true"
            else:
                field.widget.attrs.pop("aria-invalid", None)
            if described:
                field.widget.attrs["aria-describedby"] = " ".join(described)
            else:
                field.widget.attrs.pop("aria-describedby", None)


class DateInput(forms.DateInput):
    """A native date picker; the value is always written YYYY-MM-DD."""

    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class DateTimeInput(forms.DateTimeInput):
    """A native date-and-time picker (local time, Europe/Stockholm)."""

    input_type = "datetime-local"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%dT%H:%M")


class LocalDateTimeField(forms.DateTimeField):
    """Date and time as staff type them: local time, minutes, from a datetime-local input."""

    widget = DateTimeInput
    input_formats = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"]

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault(
            "error_messages",
            {
                "required": _("Fyll i datum och tid."),
                "invalid": _("Skriv datum och tid som ÅÅÅÅ-MM-DD TT:MM."),
            },
        )
        super().__init__(**kwargs)
