"""A municipality outside Brygga still pays by the rules: the utskrivningsklar notice counts
as having reached it once the ward has recorded sending it (fax) to the external recipient."""

from __future__ import annotations

import datetime as dt

import pytest

from brygga.cases import payloads as p
from brygga.cases.actions import record_event
from brygga.cases.models import Case
from brygga.cases.models import CaseEventType as E
from brygga.cases.tests.conftest import OpenStay, World
from brygga.payments.facts import stay_records
from brygga.reserve.actions import add_external_recipient, record_external_dispatch

pytestmark = pytest.mark.django_db

UTC = dt.UTC
T0 = dt.datetime(2025, 3, 10, 8, 0, tzinfo=UTC)
HOUR = dt.timedelta(hours=1)


def test_the_ready_notice_reaches_an_external_municipality_when_it_is_sent(
    world: World, open_stay: OpenStay
) -> None:
    world.patient.municipality_code = "0380"  # Uppsala: not in the directory
    world.patient.save()
    case = open_stay(recipients=[world.vardcentral], admitted_at=T0, now=T0 + HOUR)
    nina = world.actor("nina")
    uppsala = add_external_recipient(
        actor=nina,
        case=case,
        name="Socialtjänsten Uppsala",
        fax="018-727 00 01",
        municipality_code="0380",
        now=T0 + 2 * HOUR,
    )
    record_event(
        actor=nina,
        case=case,
        event_type=E.ADMISSION_NOTICE,
        payload=p.AdmissionNotice(None),
        now=T0 + 3 * HOUR,
    )
    ready = record_event(
        actor=nina,
        case=case,
        event_type=E.READY,
        payload=p.Ready("Dr Lund", T0 + 40 * HOUR),
        now=T0 + 41 * HOUR,
    )

    def reached() -> bool:
        [record] = stay_records(Case.objects.filter(pk=case.pk))
        assert record.municipality_code == "0380"
        return record.facts.ready_notice_reached_municipality

    assert not reached()  # printed, perhaps, but not yet sent
    record_external_dispatch(
        actor=nina,
        recipient=uppsala,
        event=ready,
        sent_at=T0 + 42 * HOUR,
        method="fax",
        now=T0 + 43 * HOUR,
    )
    assert reached()
