"""The demo's year of finished stays: recorded through the actions, test numbers only."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from brygga.audit.events import AuditEventType
from brygga.audit.models import AuditEntry
from brygga.cases.models import Case, CaseState
from brygga.demo.history import load_history
from brygga.patients.identity import parse_identity

pytestmark = pytest.mark.django_db


def test_a_year_of_closed_stays_for_follow_up_and_invoicing(demo: Any) -> None:
    before = set(Case.objects.values_list("pk", flat=True))
    now = timezone.now()
    written = load_history(demo, today=timezone.localdate(), now=now, stays=30)
    cases = Case.objects.exclude(pk__in=before).select_related("patient")
    assert written == cases.count() > 20
    for case in cases:
        assert case.state == CaseState.CLOSED
        assert case.admission_notice_at is not None
        assert case.ready_at is not None and case.discharged_at is not None
        assert case.admitted_at < case.ready_at <= case.discharged_at < now
        assert parse_identity(
            case.patient.identity_number, today=now.date()
        ).is_official_test_number()
    registered = AuditEntry.objects.filter(event_type=AuditEventType.PATIENT_REGISTERED)
    assert registered.filter(patient__in=[c.patient for c in cases]).count() == written
