"""A training environment accepts only test identity numbers (docs/training.md).

The rule itself is pure (``accepted_in_training``, ``require_test_identity``); the patient
action and the identity form apply it when BRYGGA_ENVIRONMENT is ``training``.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.urls import reverse
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from brygga.core.actor import Actor
from brygga.demo.world import make_test_personnummer
from brygga.patients.actions import register_patient
from brygga.patients.forms import IdentityForm
from brygga.patients.identity import (
    IdentityKind,
    NotATestIdentity,
    PatientIdentity,
    accepted_in_training,
    luhn_check_digit,
    parse_identity,
    require_test_identity,
)
from brygga.patients.models import Patient

TODAY = date(2026, 11, 25)
REAL_LOOKING = "20000229-1235"  # valid, birth number 123: not a test number


def parse(text: str) -> PatientIdentity:
    return parse_identity(text, today=TODAY)


def person_number(born: date, birth_number: int, *, samordning: bool = False) -> str:
    day = born.day + (60 if samordning else 0)
    head = f"{born:%y%m}{day:02d}{birth_number:03d}"
    return f"{born.year:04d}{head[2:]}{luhn_check_digit(head)}"


births = st.dates(min_value=date(1900, 1, 1), max_value=TODAY)


@given(born=births, birth_number=st.integers(980, 999), samordning=st.booleans())
def test_skatteverkets_test_series_is_accepted(
    born: date, birth_number: int, samordning: bool
) -> None:
    identity = parse(person_number(born, birth_number, samordning=samordning))
    assert accepted_in_training(identity)
    require_test_identity(identity)  # does not raise


@given(born=births, birth_number=st.integers(1, 979), samordning=st.booleans())
def test_every_other_birth_number_is_refused(
    born: date, birth_number: int, samordning: bool
) -> None:
    identity = parse(person_number(born, birth_number, samordning=samordning))
    if identity.value == "191212121212":
        return  # Tolvan Tolvansson, below
    assert not accepted_in_training(identity)
    with pytest.raises(NotATestIdentity) as caught:
        require_test_identity(identity)
    assert caught.value.code == "not_test_number"


def test_tolvan_tolvansson_is_accepted() -> None:
    assert accepted_in_training(parse("19121212-1212"))


def test_the_demo_regions_numbers_are_test_numbers() -> None:
    assert accepted_in_training(parse(make_test_personnummer(date(1940, 6, 14), 980)))


def test_region_stockholm_reserve_numbers_only_from_the_training_series() -> None:
    # 99 + issue year 1900 + serial 00001 + Luhn over "0000001" = 8.
    assert accepted_in_training(parse("991900000018"))
    assert not accepted_in_training(parse("992024001232"))  # a real-looking 2024 number


def test_national_reserve_numbers_are_refused() -> None:
    identity = parse("KF490301AB1X")
    assert identity.kind == IdentityKind.RESERVNUMMER_NATIONAL
    assert not accepted_in_training(identity)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (REAL_LOOKING, "använd bara Skatteverkets testpersonnummer"),
        ("19701063-2391", "använd bara samordningsnummer ur Skatteverkets testserie"),
        ("992024001232", "reservnummer ur övningsserien, som börjar med 991900"),
        ("KF490301AB1X", "nationella reservnummer tas inte emot"),
    ],
)
def test_the_refusal_says_in_swedish_what_to_use(text: str, expected: str) -> None:
    with pytest.raises(NotATestIdentity) as caught, translation.override("sv"):
        require_test_identity(parse(text))
    assert expected in caught.value.message
    assert "utbildningsmiljö" in caught.value.message


# --- Switched on by BRYGGA_ENVIRONMENT ------------------------------------------------------


@pytest.fixture
def training(settings: Any) -> None:
    settings.ENVIRONMENT = "training"


@pytest.mark.django_db
def test_register_patient_refuses_a_real_number_in_training(training: None) -> None:
    with pytest.raises(NotATestIdentity):
        register_patient(
            actor=Actor.system("test"),
            identity=parse(REAL_LOOKING),
            given_name="Riktig",
            family_name="Person",
        )
    assert not Patient.objects.exists()


@pytest.mark.django_db
def test_register_patient_accepts_a_test_number_in_training(training: None) -> None:
    patient = register_patient(
        actor=Actor.system("test"),
        identity=parse("19400614-9803"),
        given_name="Greta",
        family_name="Testsson",
    )
    assert patient.identity_number == "194006149803"


@pytest.mark.django_db
def test_outside_training_any_valid_number_is_registered(settings: Any) -> None:
    settings.ENVIRONMENT = "demo"
    register_patient(
        actor=Actor.system("test"),
        identity=parse(REAL_LOOKING),
        given_name="Anna",
        family_name="Andersson",
    )
    assert Patient.objects.filter(identity_number="200002291235").exists()


@pytest.mark.django_db
def test_the_identity_form_refuses_before_the_user_types_the_rest(training: None) -> None:
    form = IdentityForm({"identitet": REAL_LOOKING})
    assert not form.is_valid()
    assert "testpersonnummer" in form.errors["identitet"][0]
    assert IdentityForm({"identitet": "19400614-9803"}).is_valid()


@pytest.mark.django_db
def test_the_identity_form_still_finds_patients_already_in_the_scenario(training: None) -> None:
    # The scenario's reserve-number patients (e.g. the demo's "Okänd Kvinna") can be looked up.
    Patient.objects.create(
        identity_number="992024001232",
        identity_kind=IdentityKind.RESERVNUMMER_SLL,
        given_name="Okänd",
        family_name="Kvinna",
    )
    assert IdentityForm({"identitet": "992024001232"}).is_valid()


def test_the_open_case_page_shows_the_refusal_and_saves_nothing(
    login_as: Any, settings: Any
) -> None:
    settings.ENVIRONMENT = "training"
    anna = login_as("anna")
    before = Patient.objects.count()
    response = anna.get(reverse("cases:open"), {"identitet": REAL_LOOKING})
    assert response.status_code == 200
    assert "använd bara Skatteverkets testpersonnummer" in response.content.decode()
    response = anna.post(
        reverse("cases:open"),
        {"identitet": REAL_LOOKING, "given_name": "Riktig", "family_name": "Person"},
    )
    assert "använd bara Skatteverkets testpersonnummer" in response.content.decode()
    assert Patient.objects.count() == before
