"""Patient identity numbers: hand-worked examples, properties, and a cross-check.

No database. ``today`` is always passed in explicitly; the hand-worked examples use
2026-11-25.
"""

from __future__ import annotations

import string
from dataclasses import FrozenInstanceError
from datetime import date

import pytest
from django.utils import translation
from hypothesis import assume, example, given
from hypothesis import strategies as st
from personnummer import personnummer  # the package keeps its API in this module

from brygga.patients.identity import (
    IdentityKind,
    InvalidIdentityNumber,
    PatientIdentity,
    luhn_check_digit,
    luhn_valid,
    parse_identity,
)

TODAY = date(2026, 11, 25)
PNR = IdentityKind.PERSONNUMMER
SAM = IdentityKind.SAMORDNINGSNUMMER
SLL = IdentityKind.RESERVNUMMER_SLL
NATIONAL = IdentityKind.RESERVNUMMER_NATIONAL


def parse(text: str, today: date = TODAY) -> PatientIdentity:
    return parse_identity(text, today=today)


def rejection(text: str, today: date = TODAY) -> InvalidIdentityNumber:
    with pytest.raises(InvalidIdentityNumber) as caught:
        parse_identity(text, today=today)
    return caught.value


def swedish(error: InvalidIdentityNumber) -> str:
    with translation.override("sv"):
        return error.message


# --- Luhn ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("payload", "check"),
    [
        ("121212121", 2),  # 2+2+2+2+2+2+2+2+2 = 18 -> 2
        ("701063239", 1),  # 14->5, 0, 2, 0, 12->3, 3, 4, 3, 18->9 = 29 -> 1
        ("000229123", 5),  # 0+0+0+2+4+9+2+2+6 = 25 -> 5
        ("800101998", 6),  # 16->7, 0, 0, 1, 0, 1, 18->9, 9, 16->7 = 34 -> 6
        ("2400123", 2),  # 4+4+0+0+2+2+6 = 18 -> 2 (Region Stockholm reservnummer payload)
        ("232100001", 6),  # organisation number 232100-0016
        ("7992739871", 3),  # the textbook Luhn example
    ],
)
def test_luhn_check_digit_hand_worked(payload: str, check: int) -> None:
    assert luhn_check_digit(payload) == check
    assert luhn_valid(payload + str(check))
    assert not luhn_valid(payload + str((check + 1) % 10))


def test_luhn_rejects_non_digits() -> None:
    with pytest.raises(ValueError):
        luhn_check_digit("12a")
    assert not luhn_valid("12a4")
    assert not luhn_valid("")
    assert not luhn_valid("0")  # a check digit alone is not a number


@given(st.text(alphabet=string.digits, max_size=30))
def test_luhn_check_digit_makes_luhn_valid(payload: str) -> None:
    check = luhn_check_digit(payload)
    assert 0 <= check <= 9
    if payload:
        assert luhn_valid(payload + str(check))


# --- hand-worked examples --------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    ["19121212-1212", "191212121212", "  191212121212\n", "121212+1212", "19121212+1212"],
)
def test_tolvan_tolvansson(text: str) -> None:
    identity = parse(text)
    assert identity == PatientIdentity("191212121212", PNR)
    assert identity.display() == "19121212-1212"
    assert identity.birth_date() == date(1912, 12, 12)
    assert identity.is_official_test_number()
    assert identity.fhir_system == "http://electronichealth.se/identifier/personnummer"


@pytest.mark.parametrize("text", ["121212-1212", "1212121212"])
def test_ten_digits_without_plus_take_the_latest_century_not_in_the_future(text: str) -> None:
    # 2012-12-12 is before 2026-11-25, so the latest century is the 2000s.
    identity = parse(text)
    assert identity == PatientIdentity("201212121212", PNR)
    assert not identity.is_official_test_number()  # birth number 121, and not Tolvan


def test_ten_digits_around_todays_date() -> None:
    # Born today: 2026. Born tomorrow's date: must be 1926.
    assert parse("261125-1238").value == "202611251238"
    assert parse("261126-1237").value == "192611261237"


def test_plus_means_at_least_100_years_old() -> None:
    # 100th birthday today: 1926. One day short of 100 with that date: 1826.
    assert parse("261125+1238").value == "192611251238"
    assert parse("261126+1237").value == "182611261237"
    # 12 digits with "+" must agree with the age.
    assert parse("19261125+1238").value == "192611251238"
    assert rejection("20121212+1212").code == "plus"


def test_samordningsnummer() -> None:
    # 1970-10-03 with day + 60 = 63; Luhn over 701063239 gives 1.
    identity = parse("19701063-2391")
    assert identity == PatientIdentity("197010632391", SAM)
    assert identity.display() == "19701063-2391"
    assert identity.birth_date() == date(1970, 10, 3)
    assert identity.fhir_system == "http://electronichealth.se/identifier/samordningsnummer"
    assert parse("7010632391") == identity
    assert parse("701063-2391") == identity


def test_samordningsnummer_underlying_date_must_exist() -> None:
    error = rejection("19700292-1234")  # day 92 - 60 = 32
    assert error.code == "date"
    assert "19700232" in swedish(error)


def test_leap_days() -> None:
    assert parse("20000229-1235").birth_date() == date(2000, 2, 29)
    assert parse("000229-1235").value == "200002291235"
    error = rejection("20010229-1235")
    assert error.code == "date"
    assert swedish(error) == "Datumet 20010229 finns inte."
    # With "+" the century is 1900, which was not a leap year.
    assert rejection("000229+1235").code == "date"


def test_region_stockholm_reservnummer() -> None:
    # 99 + issue year 2024 + serial 00123; Luhn over "24" + "00123" = 2400123 gives 2.
    identity = parse("992024001232")
    assert identity == PatientIdentity("992024001232", SLL)
    assert identity.display() == "992024001232"
    assert identity.birth_date() is None
    assert not identity.is_official_test_number()
    assert identity.fhir_system == "http://electronichealth.se/identifier/reservnummer"
    assert rejection("992024001233").code == "checksum"
    assert rejection("992027001232").code == "future"  # issued after today's year


def test_national_reserve_number_with_letters() -> None:
    identity = parse(" kf490301ab1x ")
    assert identity == PatientIdentity("KF490301AB1X", NATIONAL)
    assert identity.display() == "KF490301AB1X"
    assert identity.birth_date() is None
    assert not identity.is_official_test_number()
    assert identity.fhir_system == "http://electronichealth.se/identifier/reservnummer"


def test_official_test_numbers() -> None:
    # Birth number 998 is in Skatteverket's test series 980-999.
    assert parse("19800101-9986").is_official_test_number()
    assert not parse("20000229-1235").is_official_test_number()


@pytest.mark.parametrize(
    ("text", "code", "message"),
    [
        ("", "empty", "Identitetsnumret är tomt."),
        ("   ", "empty", "Identitetsnumret är tomt."),
        (
            "19121212-1213",
            "checksum",
            "Kontrollsiffran stämmer inte – kontrollera att numret är rätt inskrivet.",
        ),
        (
            "1212121213",
            "checksum",
            "Kontrollsiffran stämmer inte – kontrollera att numret är rätt inskrivet.",
        ),
        ("20230230-1234", "date", "Datumet 20230230 finns inte."),
        ("20231301-1234", "date", "Datumet 20231301 finns inte."),
        ("20270101-1234", "future", "Födelsedatumet ligger i framtiden."),
        ("20261126-1237", "future", "Födelsedatumet ligger i framtiden."),
        (
            "121212121",
            "length",
            "Fel längd: ett personnummer har 10 eller 12 siffror, men 9 siffror angavs.",
        ),
        (
            "1912121212120",
            "length",
            "Fel längd: ett personnummer har 10 eller 12 siffror, men 13 siffror angavs.",
        ),
        ("1912-12121212", "separator", None),
        ("19121212--1212", "separator", None),
        ("19121212-12A2", "characters", None),
        ("121212-12l2", "characters", None),
        ("19121212 1212", "characters", None),
        ("19121212/1212", "characters", None),
        ("١٢١٢١٢١٢١٢", "characters", None),  # Arabic-Indic digits are not 0-9
        ("19121212-0002", "serial", None),
        ("00121212-1212", "year", None),
        ("991212121212", "checksum", None),  # 99... is a Region Stockholm reservnummer
    ],
)
def test_rejections_say_what_is_wrong(text: str, code: str, message: str | None) -> None:
    error = rejection(text)
    assert error.code == code
    assert isinstance(error.message, str)
    assert error.message
    if message is not None:
        assert swedish(error) == message
    assert str(error) == error.message


def test_illegal_characters_are_named() -> None:
    message = swedish(rejection("19121212-12A2"))
    assert message.startswith("Otillåtna tecken: ”A”.")
    assert "mellanslag" in swedish(rejection("121212 1212"))


def test_patient_identity_checks_the_stored_shape() -> None:
    with pytest.raises(InvalidIdentityNumber):
        PatientIdentity("19121212-1212", PNR)
    with pytest.raises(InvalidIdentityNumber):
        PatientIdentity("kf490301ab1x", NATIONAL)  # stored upper-case
    with pytest.raises(ValueError):
        PatientIdentity("191212121212", "passport")  # type: ignore[arg-type]
    # A kind read from the database as a plain string becomes the enum.
    assert PatientIdentity("191212121212", "personnummer").kind is PNR  # type: ignore[arg-type]


def test_patient_identity_is_immutable() -> None:
    identity = parse("19121212-1212")
    with pytest.raises(FrozenInstanceError):
        identity.value = "201212121212"  # type: ignore[misc]


# --- property tests --------------------------------------------------------------------


def _turned(birth: date, today: date, years: int) -> bool:
    return (birth.year + years, birth.month, birth.day) <= (today.year, today.month, today.day)


@st.composite
def person_numbers(draw: st.DrawFn) -> tuple[date, date, str, IdentityKind]:
    """(today, birth date, stored 12-digit value, kind) for a valid number."""
    today = draw(st.dates(min_value=date(1950, 1, 1), max_value=date(2100, 12, 31)))
    birth = draw(st.dates(min_value=date(1800, 1, 1), max_value=today))
    serial = draw(st.integers(min_value=1, max_value=999))
    coordination = draw(st.booleans())
    day = birth.day + 60 if coordination else birth.day
    payload = f"{birth.year % 100:02d}{birth.month:02d}{day:02d}{serial:03d}"
    value = f"{birth.year // 100:02d}{payload}{luhn_check_digit(payload)}"
    return today, birth, value, SAM if coordination else PNR


def accepted_spellings(value: str, birth: date, today: date) -> list[str]:
    """Every way of writing the number that must parse back to ``value`` at ``today``."""
    long, short = value, value[2:]
    spellings = [long, f"{long[:8]}-{long[8:]}", f" {long}\t"]
    if _turned(birth, today, 100):
        spellings.append(f"{long[:8]}+{long[8:]}")
        if not _turned(birth, today, 200):
            spellings.append(f"{short[:6]}+{short[6:]}")
    else:
        spellings += [short, f"{short[:6]}-{short[6:]}"]
    return spellings


@given(person_numbers())
@example((TODAY, date(1912, 12, 12), "191212121212", PNR))
@example((date(2024, 2, 29), date(1924, 2, 29), "192402291237", PNR))
def test_every_accepted_spelling_parses_to_the_same_value(
    case: tuple[date, date, str, IdentityKind],
) -> None:
    today, birth, value, kind = case
    for spelling in accepted_spellings(value, birth, today):
        identity = parse_identity(spelling, today=today)
        assert identity.value == value, spelling
        assert identity.kind == kind
        assert identity.birth_date() == birth


@given(person_numbers())
def test_display_round_trips(case: tuple[date, date, str, IdentityKind]) -> None:
    today, _birth, value, kind = case
    identity = parse_identity(value, today=today)
    assert parse_identity(identity.display(), today=today) == identity
    assert identity == PatientIdentity(value, kind)


@given(person_numbers(), st.integers(min_value=2, max_value=11), st.integers(0, 9))
def test_any_single_digit_error_is_caught(
    case: tuple[date, date, str, IdentityKind], position: int, digit: int
) -> None:
    today, _birth, value, _kind = case
    assume(value[position] != str(digit))
    changed = value[:position] + str(digit) + value[position + 1 :]
    with pytest.raises(InvalidIdentityNumber):
        parse_identity(changed, today=today)
    with pytest.raises(InvalidIdentityNumber):
        parse_identity(f"{changed[:8]}-{changed[8:]}", today=today)


@given(
    st.dates(min_value=date(1990, 1, 1), max_value=date(2100, 12, 31)),
    st.data(),
)
def test_reservnummer_round_trips(today: date, data: st.DataObject) -> None:
    year = data.draw(st.integers(min_value=1990, max_value=today.year))
    serial = data.draw(st.integers(min_value=0, max_value=99999))
    payload = f"{year % 100:02d}{serial:05d}"
    value = f"99{year:04d}{serial:05d}{luhn_check_digit(payload)}"
    identity = parse_identity(value, today=today)
    assert identity == PatientIdentity(value, SLL)
    assert parse_identity(identity.display(), today=today) == identity
    # The check digit covers positions 5-12; a single-digit error there is caught.
    position = data.draw(st.integers(min_value=4, max_value=11))
    digit = data.draw(st.sampled_from([d for d in string.digits if d != value[position]]))
    with pytest.raises(InvalidIdentityNumber):
        parse_identity(value[:position] + digit + value[position + 1 :], today=today)


@given(st.from_regex(r"[0-9A-Za-z]{12}", fullmatch=True).filter(lambda s: not s.isdigit()))
def test_national_reserve_numbers_round_trip(text: str) -> None:
    identity = parse(text)
    assert identity == PatientIdentity(text.upper(), NATIONAL)
    assert parse(identity.display()) == identity


@given(
    st.one_of(
        st.text(),
        st.text(alphabet="0123456789-+ ", max_size=16),
        st.text(alphabet="0123456789-+aZ9", min_size=10, max_size=14),
    ),
    st.dates(),
)
def test_arbitrary_text_raises_only_invalid_identity_number(text: str, today: date) -> None:
    try:
        identity = parse_identity(text, today=today)
    except InvalidIdentityNumber as error:
        assert isinstance(error.message, str)
        assert error.message
        assert error.code
    else:
        assert len(identity.value) == 12
        assert parse_identity(identity.display(), today=today) == identity


# --- cross-check with the maintained PyPI validator `personnummer` --------------------


@st.composite
def candidate_person_numbers(draw: st.DrawFn) -> str:
    """Valid numbers, the same numbers with typing errors, and random digit strings."""
    if draw(st.integers(0, 4)) == 0:
        length = draw(st.sampled_from([10, 12]))
        return draw(st.text(alphabet=string.digits, min_size=length, max_size=length))
    today = date.today()
    birth = draw(st.dates(min_value=date(1800, 1, 1), max_value=today))
    serial = draw(st.integers(min_value=0, max_value=999))
    day = birth.day + 60 if draw(st.booleans()) else birth.day
    payload = f"{birth.year % 100:02d}{birth.month:02d}{day:02d}{serial:03d}"
    digits = list(f"{payload}{luhn_check_digit(payload)}")
    corruption = draw(st.sampled_from(["none", "replace", "swap", "check"]))
    if corruption == "replace":
        digits[draw(st.integers(0, 9))] = draw(st.sampled_from(string.digits))
    elif corruption == "swap":
        i = draw(st.integers(0, 8))
        digits[i], digits[i + 1] = digits[i + 1], digits[i]
    elif corruption == "check":
        digits[9] = draw(st.sampled_from(string.digits))
    short = "".join(digits)
    century = f"{birth.year // 100:02d}"
    form = draw(st.sampled_from(["12", "12-", "10", "10-", "10+"]))
    return {
        "12": century + short,
        "12-": f"{century}{short[:6]}-{short[6:]}",
        "10": short,
        "10-": f"{short[:6]}-{short[6:]}",
        "10+": f"{short[:6]}+{short[6:]}",
    }[form]


def their_verdict(text: str, today: date) -> bool:
    """`personnummer.valid`, adjusted for the two rules Brygga adds for explicit centuries.

    With 12 digits Brygga also rejects birth dates in the future and years before 1800
    (the check digit does not cover the century). With 10 digits the library picks the
    century by year alone and may land in the future, where Brygga picks the previous
    century; the check digit and the date's existence are the same either way.
    """
    if not personnummer.valid(text):
        return False
    if len(text.replace("-", "").replace("+", "")) == 10:
        return True
    born = personnummer.parse(text).get_date()
    return born.year >= 1800 and born <= today


@given(candidate_person_numbers())
@example("191212121212")
@example("19121212-1213")
@example("20000229-1235")
@example("20010229-1235")
@example("19121212-0002")
@example("19701063-2391")
def test_validity_agrees_with_the_personnummer_package(text: str) -> None:
    today = date.today()
    try:
        ours = parse_identity(text, today=today).kind in (PNR, SAM)
    except InvalidIdentityNumber:
        ours = False
    assert ours == their_verdict(text, today)
