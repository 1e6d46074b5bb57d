"""Saving a form through an action: the refusal lands on the form, success in a message."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest


def add_refusal(form: forms.BaseForm, error: Exception) -> None:
    """Show an action's refusal on the form: on its field if the form has it, else on top.

    A permission error names its field in ``field`` (if one) and its text in ``message``.
    """
    if not isinstance(error, ValidationError):
        field = getattr(error, "field", None)
        form.add_error(
            field if field in form.fields else None, str(getattr(error, "message", error))
        )
        return
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


def save_form(
    request: HttpRequest,
    form: forms.BaseForm,
    save: Callable[[dict[str, Any]], Any],
    *,
    success: str,
    refusals: tuple[type[Exception], ...],
) -> Any:
    """Call the action with the form's data; None (and errors on the form) if it refused.

    ``refusals`` are the exceptions the action refuses with besides ``ValidationError``.
    """
    if request.method != "POST" or not form.is_valid():
        return None
    refused: tuple[type[Exception], ...] = (ValidationError, *refusals)
    try:
        saved = save(form.cleaned_data)
    except refused as error:
        add_refusal(form, error)
        return None
    messages.success(request, success)
    return saved
