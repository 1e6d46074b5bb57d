"""The training environment in real Chromium: the banner on every page, a reset by the
course leader, and a trainee doing an exercise and seeing it done. axe-core on every page."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from brygga.audit.events import AuditEventType
from brygga.audit.models import AuditEntry
from brygga.core.actor import Actor
from brygga.training.actions import reset_training_environment
from brygga.training.models import Exercise
from brygga.training.scenario import trainee_hsa_id

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BANNER = "UTBILDNINGSMILJÖ – inte för riktiga patienter"


@pytest.fixture
def training(settings: Any) -> None:
    settings.ENVIRONMENT = "training"
    reset_training_environment(
        actor=Actor.system("test"), trainees=2, today=timezone.localdate(), now=timezone.now()
    )


def check_page(page: Any, check_a11y: Any) -> None:
    """The training banner is on the page, as a named region, and the page passes axe."""
    banner = page.get_by_role("region", name="Utbildningsmiljö")
    assert banner.is_visible()
    assert BANNER in banner.inner_text()
    assert page.title().startswith("UTBILDNING: ")
    check_a11y(page)


def log_in(page: Any, name: str) -> None:
    page.goto("/konto/logga-in/")
    page.get_by_role("button", name=f"Logga in som {name}").click()
    page.get_by_role("heading", level=1).wait_for()


def test_the_course_leader_resets_the_training_environment(
    page: Any, training: None, check_a11y: Any
) -> None:
    page.goto("/konto/logga-in/")
    check_page(page, check_a11y)
    assert page.get_by_role("button", name="Logga in som Kursdeltagare 2").is_visible()

    log_in(page, "Kursledare Brygga")
    page.get_by_role("navigation", name="Huvudmeny").get_by_role("link", name="Övningar").click()
    page.get_by_role("heading", name="Kursdeltagarnas framsteg").wait_for()
    check_page(page, check_a11y)

    page.get_by_role("link", name="Återställ utbildningsmiljön").click()
    page.get_by_role("heading", name="Återställ utbildningsmiljön", level=1).wait_for()
    check_page(page, check_a11y)
    page.get_by_label("Antal kursdeltagare").fill("3")
    # Without the confirmation nothing happens, and the error says why.
    page.get_by_role("button", name="Återställ utbildningsmiljön").click()
    page.get_by_role("alert").get_by_text(
        "Bekräfta att allt i utbildningsmiljön ska raderas."
    ).wait_for()
    check_page(page, check_a11y)
    assert (
        not AuditEntry.objects.filter(event_type=AuditEventType.TRAINING_RESET)
        .filter(details__requested_by_name="Kursledare Brygga")
        .exists()
    )

    page.get_by_label("Jag förstår att allt som gjorts i utbildningsmiljön raderas").check()
    page.get_by_role("button", name="Återställ utbildningsmiljön").click()
    page.get_by_role("heading", name="Utbildningsmiljön är återställd").wait_for()
    check_page(page, check_a11y)
    assert "av Kursledare Brygga" in page.locator("main").inner_text()
    assert "3 kursdeltagare" in page.locator("main").inner_text()

    # Everyone, the course leader too, is logged out; the new trainees can log in.
    page.get_by_role("link", name="Till inloggningen").click()
    page.get_by_role("button", name="Logga in som Kursdeltagare 3").wait_for()
    check_page(page, check_a11y)
    page.goto("/utbildning/")
    assert "/konto/logga-in/" in page.url


def test_a_trainee_does_an_exercise_and_sees_it_done(
    page: Any, training: None, check_a11y: Any
) -> None:
    log_in(page, "Kursdeltagare 1")
    # Three commissions (ward, vårdcentral, social services): she chooses the first.
    page.get_by_role("heading", name="Välj uppdrag").wait_for()
    check_page(page, check_a11y)
    page.get_by_role("radio").first.check()
    page.get_by_role("button", name="Fortsätt").click()
    page.get_by_role("heading", level=1).wait_for()
    check_page(page, check_a11y)

    page.get_by_role("navigation", name="Huvudmeny").get_by_role("link", name="Övningar").click()
    page.get_by_role("heading", name="Övningar", level=1).wait_for()
    check_page(page, check_a11y)
    exercise = Exercise.objects.get(trainee__hsa_id=trainee_hsa_id(1), kind="admission_notice")
    title = f"Skicka inskrivningsmeddelande för {exercise.patient_name}"
    item = page.locator("li.exercise").filter(
        has=page.get_by_role("heading", name=title, exact=True)
    )
    assert "Ej påbörjad" in item.inner_text()
    assert "Du har gjort 0 av 8 övningar." in page.locator("main").inner_text()

    # The link takes her to the patient's case, switching to the ward's commission if needed.
    switch = item.get_by_role("button", name=f"Byt till {exercise.unit.name} och öppna")
    if switch.count():
        switch.click()
    else:
        item.get_by_role("link", name=f"Öppna ärendet för {exercise.patient_name}").click()
    page.get_by_role("heading", name="Händelser").wait_for()
    check_page(page, check_a11y)
    assert exercise.patient_name in page.locator(".patient-header").inner_text()

    page.get_by_role("link", name="Skicka inskrivningsmeddelande", exact=True).click()
    page.get_by_role("heading", name="Skicka inskrivningsmeddelande", level=1).wait_for()
    check_page(page, check_a11y)
    expected = timezone.localdate() + dt.timedelta(days=5)
    page.get_by_label("Beräknat utskrivningsdatum").fill(expected.isoformat())
    page.locator("form.form button[type=submit]").click()
    page.get_by_role("heading", name="Händelser").wait_for()
    check_page(page, check_a11y)

    page.get_by_role("navigation", name="Huvudmeny").get_by_role("link", name="Övningar").click()
    page.get_by_role("heading", name="Övningar", level=1).wait_for()
    check_page(page, check_a11y)
    item = page.locator("li.exercise").filter(
        has=page.get_by_role("heading", name=title, exact=True)
    )
    assert "Klar" in item.inner_text()
    assert "Ej påbörjad" not in item.inner_text()
    assert "Du har gjort 1 av 8 övningar." in page.locator("main").inner_text()
