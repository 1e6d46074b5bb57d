"""A training environment with today's scenario: the demo region plus three trainees."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from brygga.core.actor import Actor
from brygga.directory.models import Person
from brygga.testing import commission_of, log_in
from brygga.training.actions import ResetSummary, reset_training_environment
from brygga.training.scenario import COURSE_LEADER_HSA_ID, trainee_hsa_id


@pytest.fixture
def training_mode(settings: Any) -> None:
    settings.ENVIRONMENT = "training"


@pytest.fixture
def scenario(db: None, training_mode: None) -> ResetSummary:
    return reset_training_environment(
        actor=Actor.system("test"), trainees=3, today=timezone.localdate(), now=timezone.now()
    )


def trainee(number: int) -> Person:
    return Person.objects.get(hsa_id=trainee_hsa_id(number))


def course_leader() -> Person:
    return Person.objects.get(hsa_id=COURSE_LEADER_HSA_ID)


def client_for(person: Person, unit_name: str | None = None) -> Client:
    return log_in(Client(), person, commission_of(person, unit_name=unit_name))
