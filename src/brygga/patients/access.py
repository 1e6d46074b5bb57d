"""The one place that decides which patients an actor may see."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, QuerySet
from django.http import Http404

from brygga.cases.access import visible_cases
from brygga.core.actor import Actor
from brygga.directory.models import Role

from .models import Patient


def visible_patients(actor: Actor) -> QuerySet[Patient]:
    """Patients in a case the actor's unit takes or took part in; all for central administration."""
    if actor.has_role(Role.CENTRAL_ADMIN):
        return Patient.objects.all()
    cases = visible_cases(actor).filter(patient=OuterRef("pk"))
    return Patient.objects.filter(Exists(cases))


def access_patient(actor: Actor, patient_id: int) -> Patient:
    patient = visible_patients(actor).filter(pk=patient_id).first()
    if patient is None:
        raise Http404
    return patient


def may_extract_access_log(actor: Actor) -> bool:
    """Loggutdrag: central administration for any patient, a manager for their unit's patients."""
    return actor.has_role(Role.CENTRAL_ADMIN, Role.MANAGER)
