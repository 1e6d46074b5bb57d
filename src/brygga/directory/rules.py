"""Directory rules shared by forms (early, friendly errors) and actions (the last word).

Pure functions: no database, time passed in. Errors are Django ValidationErrors keyed by
the field they concern, with Swedish (translatable) messages.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from brygga.patients.identity import IdentityKind, InvalidIdentityNumber, parse_identity

from .identifiers import InvalidIdentifier, normalise_org_number, validate_hsa_id
from .models import Commission

NO_CARE_TYPE_MESSAGE = _("Enheten saknar vårdtyp för Brygga och kan inte ha uppdrag.")


def _without_whitespace(text: str) -> str:
    return "".join(text.split())


def _for_field(error: ValidationError, field: str | None) -> ValidationError:
    """Key the error by field for actions; forms pass field=None and get it plain."""
    return ValidationError({field: error}) if field else error


def clean_hsa_id(text: str, *, field: str | None = "hsa_id") -> str:
    """An HSA-id as stored: no whitespace, upper case, checked (DOMAIN.md §6)."""
    try:
        return validate_hsa_id(_without_whitespace(text or "").upper())
    except InvalidIdentifier as error:
        raise _for_field(error.as_validation_error(), field) from error


def clean_org_number(text: str, *, field: str | None = "org_number") -> str:
    """An organisation number as stored: 10 digits, Luhn-checked."""
    try:
        return normalise_org_number(_without_whitespace(text or ""))
    except InvalidIdentifier as error:
        raise _for_field(error.as_validation_error(), field) from error


def clean_personnummer(
    text: str | None, *, today: dt.date, field: str | None = "personnummer"
) -> str | None:
    """A personnummer as stored (12 digits), or None when left empty.

    Only real personnummer: e-legitimation certificates carry a personnummer, never a
    samordningsnummer or reserve number.
    """
    if text is None or not text.strip():
        return None
    try:
        identity = parse_identity(text, today=today)
    except InvalidIdentityNumber as error:
        raise _for_field(
            ValidationError(error.template, code=error.code, params=error.params or None), field
        ) from error
    if identity.kind != IdentityKind.PERSONNUMMER:
        raise _for_field(
            ValidationError(
                _(
                    "Skriv ett personnummer. Samordningsnummer och reservnummer "
                    "kan inte användas för inloggning med e-legitimation."
                ),
                code="not_personnummer",
            ),
            field,
        )
    return identity.value


def check_period(
    valid_from: dt.date | None, valid_to: dt.date | None, *, field: str | None = "valid_to"
) -> None:
    if valid_from is not None and valid_to is not None and valid_to < valid_from:
        raise _for_field(
            ValidationError(_("Slutdatumet kan inte vara före startdatumet."), code="period"),
            field,
        )


def commission_state(commission: Commission, on: dt.date) -> str:
    """'upcoming', 'ended' or 'current', by the commission's own dates."""
    if commission.valid_from > on:
        return "upcoming"
    if commission.valid_to is not None and commission.valid_to < on:
        return "ended"
    return "current"


def end_dates(commission: Commission, today: dt.date) -> tuple[dt.date, dt.date]:
    """(valid_from, valid_to) for a commission ended today: no longer valid from today.

    A commission that had not started yet is closed before it starts; its start date is
    moved back so that the period stays a period.
    """
    last_day = today - dt.timedelta(days=1)
    return min(commission.valid_from, last_day), last_day
