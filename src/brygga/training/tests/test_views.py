"""The training pages: Övningar, the reset with its confirmation, and the banner."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from brygga.audit.events import AuditEventType
from brygga.audit.models import AuditEntry
from brygga.cases import actions as case_actions
from brygga.cases.models import Case
from brygga.core.actor import Actor
from brygga.directory.models import Commission
from brygga.training.models import Exercise

from .conftest import client_for, course_leader, trainee

pytestmark = pytest.mark.django_db

BANNER = "UTBILDNINGSMILJÖ – inte för riktiga patienter"


def act_as(person: Any, exercise: Exercise) -> Actor:
    commission = Commission.objects.get(person=person, unit=exercise.unit)
    return Actor(person=person, commission=commission)


def test_a_trainee_sees_her_exercises_not_started(scenario: Any) -> None:
    response = client_for(trainee(1)).get(reverse("training:exercises"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Du har gjort 0 av 8 övningar." in page
    assert page.count("Ej påbörjad") == 8
    for exercise in Exercise.objects.filter(trainee=trainee(1)):
        assert exercise.patient_name in page
    # Another trainee's patients are not on her page.
    for exercise in Exercise.objects.filter(trainee=trainee(2)):
        assert exercise.patient_name not in page


def test_an_exercise_is_done_when_the_trainee_has_done_it(scenario: Any) -> None:
    person = trainee(1)
    exercise = Exercise.objects.get(trainee=person, kind="admission_notice")
    case = Case.objects.get(patient__identity_number=exercise.patient_identity)
    case_actions.send_admission_notice(
        actor=act_as(person, exercise),
        case=case,
        expected_discharge_on=timezone.localdate() + dt.timedelta(days=4),
    )
    page = client_for(person).get(reverse("training:exercises")).content.decode()
    assert "Du har gjort 1 av 8 övningar." in page
    assert page.count("Ej påbörjad") == 7
    assert "Klar" in page


def test_a_classmate_doing_my_exercise_does_not_complete_it(scenario: Any) -> None:
    mine = Exercise.objects.get(trainee=trainee(1), kind="message")
    # Trainee 4 would sit at another site; trainee 1's colleague at the same social services
    # sends the message instead (the site's own staff).
    case = Case.objects.get(patient__identity_number=mine.patient_identity)
    colleague = (
        Commission.objects.filter(unit=mine.unit, role="user")
        .exclude(person=trainee(1))
        .select_related("person")
        .first()
    )
    assert colleague is not None
    case_actions.record_event(
        actor=Actor(person=colleague.person, commission=colleague),
        case=case,
        event_type=case_actions.E.MESSAGE,
        payload=case_actions.p.Empty(),
        text="Hemtjänsten är klar.",
    )
    page = client_for(trainee(1)).get(reverse("training:exercises")).content.decode()
    assert "Du har gjort 0 av 8 övningar." in page


def test_the_exercise_links_to_the_patients_case_or_switches_commission(scenario: Any) -> None:
    person = trainee(1)
    notice = Exercise.objects.get(trainee=person, kind="admission_notice")
    ack = Exercise.objects.get(trainee=person, kind="acknowledge")
    client = client_for(person, unit_name=notice.unit.name)
    page = client.get(reverse("training:exercises")).content.decode()
    notice_case = Case.objects.get(patient__identity_number=notice.patient_identity)
    assert f'href="{reverse("cases:detail", args=[notice_case.pk])}"' in page
    # The municipality's exercise needs the social-services commission: one click switches.
    ack_case = Case.objects.get(patient__identity_number=ack.patient_identity)
    commission = Commission.objects.get(person=person, unit=ack.unit)
    assert f'value="{commission.pk}"' in page
    response = client.post(
        reverse("accounts:choose_commission"),
        {"commission": commission.pk, "next": reverse("cases:detail", args=[ack_case.pk])},
    )
    assert response["Location"] == reverse("cases:detail", args=[ack_case.pk])
    assert client.get(response["Location"]).status_code == 200


def test_a_persona_without_exercises_is_told_where_they_are(scenario: Any) -> None:
    from brygga.demo.world import PERSONAS
    from brygga.directory.models import Person

    anna = Person.objects.get(hsa_id=PERSONAS["anna"])
    page = client_for(anna).get(reverse("training:exercises")).content.decode()
    assert "Du har inga egna övningar" in page
    assert "Kursdeltagarnas framsteg" not in page


def test_the_course_leader_sees_the_classroom_and_may_reset(scenario: Any) -> None:
    page = client_for(course_leader()).get(reverse("training:exercises")).content.decode()
    assert "Kursdeltagarnas framsteg" in page
    assert "Kursdeltagare 3" in page
    assert "0 av 8" in page
    assert reverse("training:reset") in page


def test_only_the_training_administrator_may_reset(scenario: Any) -> None:
    assert client_for(trainee(1)).get(reverse("training:reset")).status_code == 403
    assert (
        client_for(trainee(1))
        .post(reverse("training:reset"), {"trainees": 3, "confirm": "on"})
        .status_code
        == 403
    )
    assert client_for(course_leader()).get(reverse("training:reset")).status_code == 200


def test_the_reset_needs_a_confirmation(scenario: Any) -> None:
    cases = Case.objects.count()
    resets = AuditEntry.objects.filter(event_type=AuditEventType.TRAINING_RESET).count()
    response = client_for(course_leader()).post(reverse("training:reset"), {"trainees": "3"})
    assert response.status_code == 200
    assert "Bekräfta att allt i utbildningsmiljön ska raderas." in response.content.decode()
    assert Case.objects.count() == cases
    assert AuditEntry.objects.filter(event_type=AuditEventType.TRAINING_RESET).count() == resets


def test_the_reset_in_the_app_starts_over_and_logs_everyone_out(scenario: Any) -> None:
    leader = client_for(course_leader())
    trainee_client = client_for(trainee(1))
    response = leader.post(reverse("training:reset"), {"trainees": "5", "confirm": "on"})
    assert response.status_code == 302
    assert response["Location"] == reverse("training:reset_done")
    done = leader.get(response["Location"])
    page = done.content.decode()
    assert "Utbildningsmiljön är återställd" in page
    assert "av Kursledare Brygga" in page
    assert "5 kursdeltagare" in page
    assert Exercise.objects.values("trainee").distinct().count() == 5
    # Both sessions ended with the old data.
    for client in (leader, trainee_client):
        assert client.get(reverse("training:exercises"))["Location"].startswith(
            reverse("accounts:login")
        )
    entry = AuditEntry.objects.get(event_type=AuditEventType.TRAINING_RESET)
    assert entry.details["requested_by_name"] == "Kursledare Brygga"


def test_the_training_pages_do_not_exist_outside_training(demo: Any, settings: Any) -> None:
    settings.ENVIRONMENT = "production"
    from brygga.demo.world import PERSONAS
    from brygga.directory.models import Person

    eva = client_for(Person.objects.get(hsa_id=PERSONAS["eva"]))
    for name in ("training:exercises", "training:reset", "training:reset_done"):
        assert eva.get(reverse(name)).status_code == 404
    assert Client().get(reverse("training:reset_done")).status_code == 404
    page = eva.get(reverse("directory:index")).content.decode()
    assert BANNER not in page
    assert "Övningar" not in page


def test_the_banner_is_on_every_kind_of_page_in_training(scenario: Any) -> None:
    anonymous = Client()
    leader = client_for(course_leader())
    person = trainee(1)
    exercise = Exercise.objects.get(trainee=person, kind="admission_notice")
    case = Case.objects.get(patient__identity_number=exercise.patient_identity)
    nurse = client_for(person, unit_name=exercise.unit.name)
    pages = [
        anonymous.get(reverse("accounts:login")),
        anonymous.get(reverse("training:reset_done")),
        nurse.get(reverse("cases:worklist")),
        nurse.get(reverse("cases:detail", args=[case.pk])),
        nurse.get(reverse("cases:open")),
        nurse.get(reverse("training:exercises")),
        nurse.get("/finns-inte/"),  # the 404 page
        leader.get(reverse("directory:index")),
        leader.get(reverse("training:reset")),
    ]
    for response in pages:
        page = response.content.decode()
        assert BANNER in page, response.request["PATH_INFO"]
        assert 'role="region" aria-label="Utbildningsmiljö"' in page
        assert "<title>UTBILDNING: " in page


def test_the_login_page_offers_the_trainees_and_the_course_leader(scenario: Any) -> None:
    page = Client().get(reverse("accounts:login")).content.decode()
    for number in (1, 2, 3):
        assert f"Logga in som Kursdeltagare {number}" in page
    assert "Logga in som Kursledare Brygga" in page
    response = Client().post(reverse("accounts:login"), {"person": trainee(2).pk})
    assert response.status_code == 302
