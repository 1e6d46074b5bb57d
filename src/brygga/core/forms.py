"""Form plumbing shared by every app: accessible error wiring on widgets."""

from __future__ import annotations

from typing import Any

from django import forms


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
