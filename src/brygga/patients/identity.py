"""Swedish patient identity numbers (DOMAIN.md §7).

Pure functions, no database. ``parse_identity`` turns what a user typed into a
``PatientIdentity`` (always 12 characters, no separator) or raises
``InvalidIdentityNumber`` with a Swedish message that says what is wrong.

Time is explicit: the caller passes ``today``, which decides the century of
10-digit personnummer and rejects birth dates in the future.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from django.db import models
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from brygga.core.checks import UserFacingError, luhn_check_digit, luhn_valid

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

__all__ = [
    "IdentityKind",
    "InvalidIdentityNumber",
    "NotATestIdentity",
    "PatientIdentity",
    "accepted_in_training",
    "luhn_check_digit",
    "luhn_valid",
    "parse_identity",
    "require_test_identity",
]


class IdentityKind(models.TextChoices):
    PERSONNUMMER = "personnummer", _("Personnummer")
    SAMORDNINGSNUMMER = "samordningsnummer", _("Samordningsnummer")
    RESERVNUMMER_SLL = "reservnummer_sll", _("Reservnummer (Region Stockholm)")
    RESERVNUMMER_NATIONAL = "reservnummer_nationellt", _("Reservnummer (nationellt format)")


class InvalidIdentityNumber(UserFacingError):
    """Not a valid identity number; ``message`` says what is wrong, in Swedish."""


# FHIR identifier systems. The personnummer and samordningsnummer systems are the
# established Swedish ones. For reserve numbers there is no system we could confirm
# (an OID such as urn:oid:1.2.752.97.3.1.3 is sometimes quoted for Region Stockholm but
# is NOT confirmed), so we use one documented URI for both reserve formats; the kind in
# Brygga tells them apart. Revisit when Region Stockholm confirms the system.
FHIR_SYSTEM_PERSONNUMMER = "http://electronichealth.se/identifier/personnummer"
FHIR_SYSTEM_SAMORDNINGSNUMMER = "http://electronichealth.se/identifier/samordningsnummer"
FHIR_SYSTEM_RESERVNUMMER = "http://electronichealth.se/identifier/reservnummer"

# Tolvan Tolvansson, the classic test personnummer used in Swedish health care.
TOLVAN = "191212121212"

# Skatteverket's test personnummer and samordningsnummer use birth numbers 980 to 999.
TEST_BIRTH_NUMBERS = range(980, 1000)

# A living patient cannot be born before this; it also rejects nonsense centuries in
# 12-digit input, which the check digit does not cover.
EARLIEST_BIRTH_YEAR = 1800

SAMORDNING_DAY_OFFSET = 60

_CHECKSUM_MESSAGE = _("Kontrollsiffran stämmer inte – kontrollera att numret är rätt inskrivet.")

_DIGITS_12 = re.compile(r"[0-9]{12}")
_DIGITS_12_SEPARATED = re.compile(r"([0-9]{8})([-+])([0-9]{4})")
_DIGITS_10 = re.compile(r"[0-9]{10}")
_DIGITS_10_SEPARATED = re.compile(r"([0-9]{6})([-+])([0-9]{4})")
# The national reserve format XXYYMMDDNNGC: 12 letters/digits with at least one letter.
_NATIONAL_RESERVE = re.compile(r"(?=[0-9A-Za-z]*[A-Za-z])[0-9A-Za-z]{12}")
_STORED_DIGITS = re.compile(r"[0-9]{12}")
_STORED_NATIONAL = re.compile(r"[0-9A-Z]{12}")
_ALLOWED_CHARACTERS = frozenset("0123456789-+")


@dataclass(frozen=True)
class PatientIdentity:
    """A validated identity number in its stored form (12 characters, no separator).

    Construct it with ``parse_identity`` from user input. Direct construction (from a
    stored row) only checks the stored shape, not the check digit or the date.
    """

    value: str
    kind: IdentityKind

    def __post_init__(self) -> None:
        kind = IdentityKind(self.kind)
        object.__setattr__(self, "kind", kind)
        pattern = _STORED_NATIONAL if kind == IdentityKind.RESERVNUMMER_NATIONAL else _STORED_DIGITS
        if not isinstance(self.value, str) or not pattern.fullmatch(self.value):
            raise InvalidIdentityNumber(
                _("Identitetsnumret ska lagras som 12 tecken utan skiljetecken."),
                code="stored_shape",
            )

    @property
    def is_person_number(self) -> bool:
        """True for personnummer and samordningsnummer (the numbers with a birth date)."""
        return self.kind in (IdentityKind.PERSONNUMMER, IdentityKind.SAMORDNINGSNUMMER)

    def display(self) -> str:
        """YYYYMMDD-NNNC for personnummer and samordningsnummer; reserve numbers as stored."""
        if self.is_person_number:
            return f"{self.value[:8]}-{self.value[8:]}"
        return self.value

    @property
    def fhir_system(self) -> str:
        if self.kind == IdentityKind.PERSONNUMMER:
            return FHIR_SYSTEM_PERSONNUMMER
        if self.kind == IdentityKind.SAMORDNINGSNUMMER:
            return FHIR_SYSTEM_SAMORDNINGSNUMMER
        return FHIR_SYSTEM_RESERVNUMMER  # unconfirmed, see the comment at the constant

    def birth_date(self) -> date | None:
        """The birth date of a personnummer or samordningsnummer (day - 60); else None."""
        if not self.is_person_number:
            return None
        day = int(self.value[6:8])
        if self.kind == IdentityKind.SAMORDNINGSNUMMER:
            day -= SAMORDNING_DAY_OFFSET
        try:
            return date(int(self.value[:4]), int(self.value[4:6]), day)
        except ValueError:  # only possible for a directly constructed, unchecked value
            return None

    def is_official_test_number(self) -> bool:
        """True for numbers reserved for testing, which are safe in test environments.

        Skatteverket's test personnummer and samordningsnummer use the birth numbers
        (positions 9 to 11) 980 to 999; 19121212-1212 (Tolvan Tolvansson) is the classic test
        number in Swedish health care. Reserve numbers (Region Stockholm and national)
        are issued by care providers to real patients, so they are never official test
        numbers and this returns False for them.
        """
        if not self.is_person_number:
            return False
        return self.value == TOLVAN or int(self.value[8:11]) in TEST_BIRTH_NUMBERS


def _describe_characters(characters: list[str]) -> StrOrPromise:
    """A readable list of characters; lazy so that it is translated when shown."""
    described: list[StrOrPromise] = []
    for char in characters:
        if char.isspace():
            described.append(_("mellanslag"))
        elif not char.isprintable():
            described.append(f"U+{ord(char):04X}")
        else:
            described.append(f"”{char}”")
    return format_lazy(", ".join("{}" for _char in described), *described)


def _reject_characters(text: str) -> None:
    illegal: list[str] = []
    for char in text:
        if char not in _ALLOWED_CHARACTERS and char not in illegal:
            illegal.append(char)
    if not illegal:
        return
    if any(char.isascii() and char.isalpha() for char in illegal):
        raise InvalidIdentityNumber(
            _(
                "Otillåtna tecken: %(characters)s. Ett personnummer eller samordningsnummer "
                "består av siffror, eventuellt med - eller + före de fyra sista; bokstäver "
                "finns bara i reservnummer med exakt 12 tecken."
            ),
            code="characters",
            characters=_describe_characters(illegal[:5]),
        )
    raise InvalidIdentityNumber(
        _(
            "Otillåtna tecken: %(characters)s. Numret får bara innehålla siffror, "
            "eventuellt med - eller + före de fyra sista."
        ),
        code="characters",
        characters=_describe_characters(illegal[:5]),
    )


def _century_for_short_form(year: int, month: int, day: int, *, plus: bool, today: date) -> int:
    """Full year for a 10-digit number (YY only), compared as (year, month, day) tuples.

    Without ``+`` the latest century that does not put the birth date after today; with
    ``+`` the latest century that makes the person at least 100 years old today.
    """
    reference = today.year - 100 if plus else today.year
    full_year = reference - (reference - year) % 100
    if (full_year, month, day) > (reference, today.month, today.day):
        full_year -= 100
    return full_year


def _has_turned_100(birth: date, today: date) -> bool:
    return (birth.year + 100, birth.month, birth.day) <= (today.year, today.month, today.day)


def _parse_person_number(
    full_year: int, rest: str, *, separator: str, explicit_century: bool, today: date
) -> PatientIdentity:
    """``rest`` is MMDDNNNC; ``full_year`` the four-digit year."""
    month, raw_day, serial = int(rest[0:2]), int(rest[2:4]), rest[4:7]
    kind = IdentityKind.PERSONNUMMER
    day = raw_day
    if raw_day > SAMORDNING_DAY_OFFSET:
        kind = IdentityKind.SAMORDNINGSNUMMER
        day = raw_day - SAMORDNING_DAY_OFFSET
    value = f"{full_year:04d}{rest}"
    try:
        birth = date(full_year, month, day)
    except ValueError:
        if kind == IdentityKind.SAMORDNINGSNUMMER:
            raise InvalidIdentityNumber(
                _("Datumet %(date)s finns inte (samordningsnummer: dagen är %(day)s minus 60)."),
                code="date",
                date=f"{full_year:04d}{month:02d}{day:02d}",
                day=f"{raw_day:02d}",
            ) from None
        raise InvalidIdentityNumber(
            _("Datumet %(date)s finns inte."), code="date", date=value[:8]
        ) from None
    if birth > today:
        raise InvalidIdentityNumber(_("Födelsedatumet ligger i framtiden."), code="future")
    if full_year < EARLIEST_BIRTH_YEAR:
        raise InvalidIdentityNumber(
            _("Födelseåret %(year)s är inte rimligt – kontrollera århundradet."),
            code="year",
            year=f"{full_year:04d}",
        )
    if explicit_century and separator == "+" and not _has_turned_100(birth, today):
        raise InvalidIdentityNumber(
            _(
                "Plustecknet betyder att personen har fyllt 100 år, men det stämmer inte "
                "med födelsedatumet. Använd bindestreck."
            ),
            code="plus",
        )
    if serial == "000":
        raise InvalidIdentityNumber(
            _("Födelsenumret 000 används inte – kontrollera de fyra sista siffrorna."),
            code="serial",
        )
    if not luhn_valid(value[2:]):
        raise InvalidIdentityNumber(
            _CHECKSUM_MESSAGE,
            code="checksum",
        )
    return PatientIdentity(value=value, kind=kind)


def _parse_reservnummer_sll(digits: str, *, today: date) -> PatientIdentity:
    """Region Stockholm: 99 + issue year (4) + serial (5) + Luhn over digits[4:11]."""
    issue_year = int(digits[2:6])
    if issue_year > today.year:
        raise InvalidIdentityNumber(
            _("Reservnumrets utfärdandeår %(year)s ligger i framtiden."),
            code="future",
            year=digits[2:6],
        )
    if not luhn_valid(digits[4:12]):
        raise InvalidIdentityNumber(
            _CHECKSUM_MESSAGE,
            code="checksum",
        )
    return PatientIdentity(value=digits, kind=IdentityKind.RESERVNUMMER_SLL)


def parse_identity(text: str, *, today: date) -> PatientIdentity:
    """Parse a personnummer, samordningsnummer or reserve number typed by a user.

    Accepted: ``YYYYMMDDNNNC``, ``YYYYMMDD-NNNC``, ``YYMMDDNNNC``, ``YYMMDD-NNNC``,
    ``YYMMDD+NNNC`` (100 years or older), the same with day + 60 for samordningsnummer,
    Region Stockholm reservnummer ``99YYYYSSSSSC`` and the national reserve format
    (12 letters/digits with at least one letter). Surrounding whitespace is ignored.
    """
    if not isinstance(text, str):
        raise InvalidIdentityNumber(_("Identitetsnumret måste vara text."), code="type")
    stripped = text.strip()
    if not stripped:
        raise InvalidIdentityNumber(_("Identitetsnumret är tomt."), code="empty")

    if _NATIONAL_RESERVE.fullmatch(stripped):
        # National reserve format XXYYMMDDNNGC "with letters". Its check algorithm is
        # not confirmed, so only the shape is checked and the number is stored as given
        # (upper-cased). Tighten this when the national specification is confirmed.
        return PatientIdentity(value=stripped.upper(), kind=IdentityKind.RESERVNUMMER_NATIONAL)

    _reject_characters(stripped)

    if _DIGITS_12.fullmatch(stripped):
        if stripped.startswith("99"):
            return _parse_reservnummer_sll(stripped, today=today)
        return _parse_person_number(
            int(stripped[:4]), stripped[4:], separator="", explicit_century=True, today=today
        )
    if match := _DIGITS_12_SEPARATED.fullmatch(stripped):
        head, separator, tail = match.groups()
        return _parse_person_number(
            int(head[:4]),
            head[4:] + tail,
            separator=separator,
            explicit_century=True,
            today=today,
        )
    short = _DIGITS_10.fullmatch(stripped) or _DIGITS_10_SEPARATED.fullmatch(stripped)
    if short:
        separator = "+" if "+" in stripped else ""
        digits = stripped.replace("-", "").replace("+", "")
        month, raw_day = int(digits[2:4]), int(digits[4:6])
        day = raw_day - SAMORDNING_DAY_OFFSET if raw_day > SAMORDNING_DAY_OFFSET else raw_day
        full_year = _century_for_short_form(
            int(digits[:2]), month, day, plus=separator == "+", today=today
        )
        return _parse_person_number(
            full_year, digits[2:], separator=separator, explicit_century=False, today=today
        )

    digit_count = sum(char.isdigit() for char in stripped)
    if digit_count in (10, 12):
        raise InvalidIdentityNumber(
            _(
                "Skiljetecknet står på fel plats: skriv - (eller + för den som fyllt 100 år) "
                "direkt före de fyra sista siffrorna, eller inget skiljetecken alls."
            ),
            code="separator",
        )
    raise InvalidIdentityNumber(
        _("Fel längd: ett personnummer har 10 eller 12 siffror, men %(count)s siffror angavs."),
        code="length",
        count=digit_count,
    )


# --- Training environments: only numbers that cannot belong to a real person --------------
#
# The rule (docs/training.md, "Bara testnummer"):
# - personnummer and samordningsnummer: Skatteverket's test series, i.e. the birth number
#   (positions 9-11 of the 12 digits) is 980-999; for a samordningsnummer the day is + 60 as
#   usual. Tolvan Tolvansson (19121212-1212), the classic test number in Swedish health care,
#   is accepted too (``PatientIdentity.is_official_test_number``).
# - Region Stockholm reservnummer: there is no official test series, so Brygga defines a
#   training series: issue year 1900 (99 1900 SSSSS C). No real reservnummer carries it, as
#   reserve numbers were introduced long after 1900.
# - National reserve numbers (with letters): no test series exists and the format is not
#   confirmed, so they are refused.

TRAINING_RESERVE_ISSUE_YEAR = "1900"
TRAINING_RESERVE_EXAMPLE = "991900000018"
TEST_PERSONNUMMER_EXAMPLE = "19400614-9803"


class NotATestIdentity(InvalidIdentityNumber):
    """A valid identity number that is not from a test series, in a training environment."""


def accepted_in_training(identity: PatientIdentity) -> bool:
    """True if the number may be used in a training environment (see the rule above)."""
    if identity.is_person_number:
        return identity.is_official_test_number()
    if identity.kind == IdentityKind.RESERVNUMMER_SLL:
        return identity.value[2:6] == TRAINING_RESERVE_ISSUE_YEAR
    return False


def require_test_identity(identity: PatientIdentity) -> None:
    """Raise ``NotATestIdentity`` with a Swedish message unless the number is a test number."""
    if accepted_in_training(identity):
        return
    if identity.kind == IdentityKind.PERSONNUMMER:
        raise NotATestIdentity(
            _(
                "Det här är en utbildningsmiljö: använd bara Skatteverkets testpersonnummer, "
                "där födelsenumret (de tre siffrorna efter datumet) är 980–999, t.ex. "
                "%(example)s. Skriv aldrig in en riktig patients personnummer här."
            ),
            code="not_test_number",
            example=TEST_PERSONNUMMER_EXAMPLE,
        )
    if identity.kind == IdentityKind.SAMORDNINGSNUMMER:
        raise NotATestIdentity(
            _(
                "Det här är en utbildningsmiljö: använd bara samordningsnummer ur Skatteverkets "
                "testserie, där födelsenumret (de tre siffrorna efter datumet) är 980–999. "
                "Skriv aldrig in en riktig patients samordningsnummer här."
            ),
            code="not_test_number",
        )
    raise NotATestIdentity(
        _(
            "Det här är en utbildningsmiljö: använd bara reservnummer ur övningsserien, som "
            "börjar med 991900 (Region Stockholms format med utfärdandeår 1900), t.ex. "
            "%(example)s. Riktiga reservnummer och nationella reservnummer tas inte emot."
        ),
        code="not_test_number",
        example=TRAINING_RESERVE_EXAMPLE,
    )
