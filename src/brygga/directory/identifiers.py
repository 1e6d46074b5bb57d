"""Directory identifiers: organisation numbers and HSA-ids (DOMAIN.md §6).

Pure functions, no database. Errors carry a Swedish (translatable) message that is
translated when read, so the functions work without Django settings.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _

from brygga.core.checks import UserFacingError, luhn_valid

if TYPE_CHECKING:
    pass

__all__ = [
    "HSA_ID_MAX_LENGTH",
    "InvalidIdentifier",
    "hsa_id_validator",
    "normalise_org_number",
    "org_number_of_hsa_id",
    "org_number_validator",
    "validate_hsa_id",
]

HSA_ID_MAX_LENGTH = 31

_ORG_NUMBER = re.compile(r"([0-9]{6})-?([0-9]{4})")
_HSA_ID = re.compile(r"SE([0-9]{10})-([0-9A-Za-z]+)")
_HSA_SUFFIX_CHARACTERS = re.compile(r"[0-9A-Za-z]+")


class InvalidIdentifier(UserFacingError):
    """Not a valid organisation number or HSA-id; ``message`` says why, in Swedish."""


def normalise_org_number(text: str) -> str:
    """``NNNNNN-NNNN`` or ``NNNNNNNNNN`` to 10 digits; the Luhn check covers all 10."""
    if not isinstance(text, str) or not text.strip():
        raise InvalidIdentifier(_("Organisationsnumret är tomt."), code="empty")
    stripped = text.strip()
    match = _ORG_NUMBER.fullmatch(stripped)
    if not match:
        if re.fullmatch(r"[0-9-]*", stripped):
            raise InvalidIdentifier(
                _("Ett organisationsnummer har 10 siffror, skrivna NNNNNN-NNNN eller NNNNNNNNNN."),
                code="format",
            )
        raise InvalidIdentifier(
            _("Organisationsnumret får bara innehålla siffror och ett bindestreck."),
            code="characters",
        )
    digits = match.group(1) + match.group(2)
    if not luhn_valid(digits):
        raise InvalidIdentifier(
            _(
                "Organisationsnumrets kontrollsiffra stämmer inte – kontrollera att "
                "numret är rätt inskrivet."
            ),
            code="checksum",
        )
    return digits


def validate_hsa_id(text: str) -> str:
    """Check an HSA-id and return it normalised.

    Rules: ``SE`` + a Luhn-valid 10-digit organisation number + ``-`` + one or more
    letters/digits (A-Z, a-z, 0-9), at most 31 characters in all. Normalising strips
    surrounding whitespace and upper-cases the ``SE`` prefix; the rest is kept as is.
    """
    if not isinstance(text, str) or not text.strip():
        raise InvalidIdentifier(_("HSA-id är tomt."), code="empty")
    stripped = text.strip()
    if stripped[:2].upper() == "SE":
        stripped = "SE" + stripped[2:]
    if len(stripped) > HSA_ID_MAX_LENGTH:
        raise InvalidIdentifier(
            _("HSA-id får vara högst %(max)s tecken långt, men är %(length)s tecken."),
            code="length",
            max=HSA_ID_MAX_LENGTH,
            length=len(stripped),
        )
    if _HSA_ID.fullmatch(stripped):
        org_number = stripped[2:12]
        if not luhn_valid(org_number):
            raise InvalidIdentifier(
                _("Organisationsnumret %(org_number)s i HSA-id har fel kontrollsiffra."),
                code="org_number",
                org_number=org_number,
            )
        return stripped
    if not stripped.startswith("SE"):
        raise InvalidIdentifier(_("HSA-id ska börja med SE."), code="prefix")
    if not re.fullmatch(r"[0-9]{10}", stripped[2:12]):
        raise InvalidIdentifier(
            _("HSA-id ska ha ett organisationsnummer med 10 siffror direkt efter SE."),
            code="org_number",
        )
    if stripped[12:13] != "-":
        raise InvalidIdentifier(
            _("HSA-id ska ha ett bindestreck efter organisationsnumret."), code="dash"
        )
    suffix = stripped[13:]
    if not suffix:
        raise InvalidIdentifier(_("HSA-id saknar tecken efter bindestrecket."), code="suffix_empty")
    if not _HSA_SUFFIX_CHARACTERS.fullmatch(suffix):
        raise InvalidIdentifier(
            _(
                "HSA-id får efter bindestrecket bara innehålla bokstäverna A-Z "
                "(utan å, ä och ö) och siffror."
            ),
            code="characters",
        )
    # Unreachable: every way of failing the full pattern is reported above.
    raise InvalidIdentifier(_("Ogiltigt HSA-id."), code="invalid")  # pragma: no cover


def org_number_of_hsa_id(hsa_id: str) -> str:
    """The 10-digit organisation number inside an HSA-id."""
    return validate_hsa_id(hsa_id)[2:12]


def hsa_id_validator(value: str) -> None:
    """Django validator for HSA-id fields."""
    try:
        validate_hsa_id(value)
    except InvalidIdentifier as error:
        raise error.as_validation_error() from error


def org_number_validator(value: str) -> None:
    """Django validator for organisation number fields (NNNNNN-NNNN or 10 digits)."""
    try:
        normalise_org_number(value)
    except InvalidIdentifier as error:
        raise error.as_validation_error() from error
