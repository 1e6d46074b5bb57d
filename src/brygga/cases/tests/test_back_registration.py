"""Efterregistrering: notices handled on paper during an outage, entered afterwards.

They carry their original time (deadlines and payment count from it), are marked as
back-registered with who entered them, and reach the recipients to acknowledge as usual.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from brygga.audit.models import AuditEntry
from brygga.cases import payloads as p
from brygga.cases.actions import NotAllowed, record_event
from brygga.cases.models import Case, CaseEvent, NoticeRecipient
from brygga.cases.models import CaseEventType as E
from brygga.testing import log_in

from .conftest import OpenStay, World

pytestmark = pytest.mark.django_db

UTC = dt.UTC
T0 = dt.datetime(2025, 3, 10, 8, 0, tzinfo=UTC)
HOUR = dt.timedelta(hours=1)


def back_register(
    world: World, case: Case, event_type: E, payload: p.Payload, original: dt.datetime | None
) -> CaseEvent:
    return record_event(
        actor=world.actor("nina"),
        case=case,
        event_type=event_type,
        payload=payload,
        effective_at=original,
        back_registered=True,
        now=T0 + 30 * HOUR,
    )


def test_a_paper_admission_notice_counts_from_its_original_time(
    world: World, open_stay: OpenStay
) -> None:
    case = open_stay(admitted_at=T0, now=T0 + HOUR)
    event = back_register(world, case, E.ADMISSION_NOTICE, p.AdmissionNotice(None), T0 + 2 * HOUR)
    case.refresh_from_db()
    assert event.back_registered
    assert event.effective_at == T0 + 2 * HOUR  # sent on paper within the 24 hours (D1)
    assert event.recorded_at == T0 + 30 * HOUR  # entered after the outage
    assert event.author == world.actor("nina").person
    assert case.admission_notice_at == T0 + 2 * HOUR
    # The recipients acknowledge it as usual.
    assert set(
        NoticeRecipient.objects.filter(event=event, acknowledged_at__isnull=True).values_list(
            "unit", flat=True
        )
    ) == {world.solna_social.pk, world.vardcentral.pk}
    audit = AuditEntry.objects.filter(object_type="cases.case", object_id=str(case.pk)).last()
    assert audit is not None and audit.details["back_registered"] is True


def test_a_paper_ready_notice_starts_the_clock_at_its_original_time(
    world: World, open_stay: OpenStay
) -> None:
    case = open_stay(admitted_at=T0, now=T0 + HOUR)
    record_event(
        actor=world.actor("nina"),
        case=case,
        event_type=E.ADMISSION_NOTICE,
        payload=p.AdmissionNotice(None),
        now=T0 + HOUR,
    )
    original = T0 + 20 * HOUR
    back_register(world, case, E.READY, p.Ready("Dr Lund", original - HOUR), original)
    case.refresh_from_db()
    assert case.ready_at == original


@pytest.mark.parametrize(
    ("original", "message"),
    [
        (None, "ursprungligen"),
        (T0 + 40 * HOUR, "framtiden"),  # after the time it is entered
        (T0 - HOUR, "före inskrivningen"),
    ],
)
def test_an_impossible_original_time_is_refused_and_nothing_is_saved(
    world: World, open_stay: OpenStay, original: dt.datetime | None, message: str
) -> None:
    case = open_stay(admitted_at=T0, now=T0 + HOUR)
    before = CaseEvent.objects.count()
    with pytest.raises(NotAllowed, match=message):
        back_register(world, case, E.ADMISSION_NOTICE, p.AdmissionNotice(None), original)
    assert CaseEvent.objects.count() == before
    case.refresh_from_db()
    assert case.admission_notice_at is None


def test_the_form_asks_for_the_original_time_and_the_case_page_marks_it(
    world: World, open_stay: OpenStay
) -> None:
    case = open_stay()
    nina = world.actor("nina")
    assert nina.person is not None and nina.commission is not None
    client = log_in(Client(), nina.person, nina.commission)
    url = reverse("cases:event", args=[case.pk, "inskrivningsmeddelande"])
    page = client.get(url + "?efterregistrering=1")
    assert "När skickades det på papper eller fax?" in page.content.decode()

    missing = client.post(
        url + "?efterregistrering=1",
        {"version": case.version, "idempotency_key": "k1", "original_at": ""},
    )
    assert missing.status_code == 200
    assert not CaseEvent.objects.filter(case=case, type=E.ADMISSION_NOTICE).exists()

    original = case.admitted_at + HOUR
    local = timezone.localtime(original)
    response = client.post(
        url + "?efterregistrering=1",
        {
            "version": case.version,
            "idempotency_key": "k2",
            "original_at": local.strftime("%Y-%m-%dT%H:%M"),
        },
    )
    assert response.status_code == 302
    event = CaseEvent.objects.get(case=case, type=E.ADMISSION_NOTICE)
    assert event.back_registered and event.effective_at == original.replace(second=0, microsecond=0)
    detail = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert "Efterregistrerad" in detail
    assert "Registrerad i Brygga" in detail
