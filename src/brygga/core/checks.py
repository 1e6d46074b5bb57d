"""Shared pieces of identifier validation: the Luhn check and errors users can read."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


class UserFacingError(ValueError):
    """An input error with a Swedish message for the user and a stable ``code``.

    The message is translated when it is read, not when the error is raised, so parsing
    works without Django settings.
    """

    def __init__(self, template: StrOrPromise, *, code: str, **params: Any) -> None:
        super().__init__(template, code, params)
        self.template = template
        self.code = code
        self.params = params

    @property
    def message(self) -> str:
        text = str(self.template)
        return text % self.params if self.params else text

    def __str__(self) -> str:
        return self.message

    def as_validation_error(self) -> ValidationError:
        """The same error for Django forms and model fields (translated when shown)."""
        return ValidationError(self.template, code=self.code, params=self.params or None)


def _luhn_sum(digits: str) -> int:
    """Luhn sum of a digit string, doubling every second digit from the right."""
    if not digits.isascii() or not digits.isdigit():
        raise ValueError("Luhn needs a string of the digits 0-9")
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2 == 1:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total


def luhn_check_digit(digits: str) -> int:
    """The Luhn check digit to append to the payload ``digits``."""
    if digits and (not digits.isascii() or not digits.isdigit()):
        raise ValueError("Luhn needs a string of the digits 0-9")
    # Appending a check digit shifts the payload one step left, so the payload's last
    # digit is doubled: compute the sum of the payload followed by a 0.
    return (10 - _luhn_sum(digits + "0") % 10) % 10


def luhn_valid(digits: str) -> bool:
    """True if ``digits`` (payload followed by its check digit) passes the Luhn check."""
    if len(digits) < 2 or not digits.isascii() or not digits.isdigit():
        return False
    return _luhn_sum(digits) % 10 == 0
