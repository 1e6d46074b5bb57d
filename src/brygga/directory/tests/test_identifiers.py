"""Organisation numbers and HSA-ids. No database."""

from __future__ import annotations

import string

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation
from hypothesis import assume, given
from hypothesis import strategies as st

from brygga.directory.identifiers import (
    InvalidIdentifier,
    hsa_id_validator,
    normalise_org_number,
    org_number_of_hsa_id,
    org_number_validator,
    validate_hsa_id,
)
from brygga.patients.identity import luhn_check_digit


def swedish(error: InvalidIdentifier) -> str:
    with translation.override("sv"):
        return error.message


# --- organisation numbers --------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Region Stockholm: 2*2, 3, 2*2, 1, 0, 0, 0, 0, 1*2, 6 = 20.
        ("232100-0016", "2321000016"),
        ("2321000016", "2321000016"),
        (" 232100-0016 ", "2321000016"),
        # Stockholms stad: 2*2, 1, 2*2, 0, 0, 0, 0, 1, 4*2, 2 = 20.
        ("212000-0142", "2120000142"),
    ],
)
def test_valid_org_numbers(text: str, expected: str) -> None:
    assert normalise_org_number(text) == expected
    org_number_validator(text)


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("232100-0017", "checksum"),
        ("2120000143", "checksum"),
        ("", "empty"),
        ("   ", "empty"),
        ("23210-00016", "format"),
        ("232100-00016", "format"),
        ("232100--0016", "format"),
        ("23210000161", "format"),
        ("232100 0016", "characters"),
        ("SE2321000016", "characters"),
        ("२३२१०००००१६", "characters"),  # Devanagari digits are not 0-9
    ],
)
def test_invalid_org_numbers(text: str, code: str) -> None:
    with pytest.raises(InvalidIdentifier) as caught:
        normalise_org_number(text)
    assert caught.value.code == code
    assert swedish(caught.value)
    with pytest.raises(ValidationError) as validation:
        org_number_validator(text)
    assert validation.value.code == code


def test_org_number_messages_are_swedish() -> None:
    with pytest.raises(InvalidIdentifier) as caught:
        normalise_org_number("232100-0017")
    assert swedish(caught.value) == (
        "Organisationsnumrets kontrollsiffra stämmer inte – "
        "kontrollera att numret är rätt inskrivet."
    )


@given(st.text(alphabet=string.digits, min_size=9, max_size=9), st.booleans())
def test_generated_org_numbers_are_accepted(payload: str, dash: bool) -> None:
    digits = payload + str(luhn_check_digit(payload))
    text = f"{digits[:6]}-{digits[6:]}" if dash else digits
    assert normalise_org_number(text) == digits


@given(
    st.text(alphabet=string.digits, min_size=9, max_size=9),
    st.integers(0, 9),
    st.sampled_from(string.digits),
)
def test_single_digit_errors_in_org_numbers_are_caught(
    payload: str, position: int, digit: str
) -> None:
    digits = payload + str(luhn_check_digit(payload))
    assume(digits[position] != digit)
    with pytest.raises(InvalidIdentifier):
        normalise_org_number(digits[:position] + digit + digits[position + 1 :])


@given(st.text())
def test_org_number_arbitrary_text_raises_only_invalid_identifier(text: str) -> None:
    try:
        result = normalise_org_number(text)
    except InvalidIdentifier as error:
        assert error.message
    else:
        assert len(result) == 10
        assert result.isdigit()


# --- HSA-ids ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("SE2321000016-15CQ", "SE2321000016-15CQ"),
        ("  SE2321000016-15CQ\n", "SE2321000016-15CQ"),
        ("se2321000016-15CQ", "SE2321000016-15CQ"),  # only the prefix is upper-cased
        ("SE2321000016-abc9", "SE2321000016-abc9"),
        ("SE2120000142-X", "SE2120000142-X"),
        ("SE2321000016-" + "A" * 18, "SE2321000016-" + "A" * 18),  # exactly 31 characters
    ],
)
def test_valid_hsa_ids(text: str, expected: str) -> None:
    assert validate_hsa_id(text) == expected
    assert org_number_of_hsa_id(text) == expected[2:12]
    hsa_id_validator(text)


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("", "empty"),
        ("SE2321000016-" + "A" * 19, "length"),  # 32 characters
        ("SE232100001615CQ", "dash"),
        ("SE2321000016_15CQ", "dash"),
        ("SE2321000016-", "suffix_empty"),
        ("SE2321000017-15CQ", "org_number"),  # wrong check digit in the org number
        ("SE232100-0016-15CQ", "org_number"),
        ("SE23210000-15CQ", "org_number"),
        ("2321000016-15CQ", "prefix"),
        ("NO2321000016-15CQ", "prefix"),
        ("SE2321000016-15 CQ", "characters"),
        ("SE2321000016-15-CQ", "characters"),
        ("SE2321000016-ÅÄÖ", "characters"),
    ],
)
def test_invalid_hsa_ids(text: str, code: str) -> None:
    with pytest.raises(InvalidIdentifier) as caught:
        validate_hsa_id(text)
    assert caught.value.code == code
    assert swedish(caught.value)
    with pytest.raises(ValidationError) as validation:
        hsa_id_validator(text)
    assert validation.value.code == code
    with translation.override("sv"):
        assert validation.value.messages == [caught.value.message]


def test_hsa_id_length_message() -> None:
    with pytest.raises(InvalidIdentifier) as caught:
        validate_hsa_id("SE2321000016-" + "A" * 19)
    assert swedish(caught.value) == "HSA-id får vara högst 31 tecken långt, men är 32 tecken."


@given(
    st.text(alphabet=string.digits, min_size=9, max_size=9),
    st.text(alphabet=string.ascii_letters + string.digits, min_size=1, max_size=25),
)
def test_generated_hsa_ids(payload: str, suffix: str) -> None:
    org_number = payload + str(luhn_check_digit(payload))
    hsa_id = f"SE{org_number}-{suffix}"
    if len(hsa_id) <= 31:
        assert validate_hsa_id(hsa_id) == hsa_id
        assert org_number_of_hsa_id(hsa_id) == org_number
    else:
        with pytest.raises(InvalidIdentifier):
            validate_hsa_id(hsa_id)


@given(st.one_of(st.text(), st.text(alphabet="SEse0123456789-AZ ", max_size=34)))
def test_hsa_id_arbitrary_text_raises_only_invalid_identifier(text: str) -> None:
    try:
        result = validate_hsa_id(text)
    except InvalidIdentifier as error:
        assert error.message
    else:
        assert result.startswith("SE")
        assert len(result) <= 31
        assert validate_hsa_id(result) == result
