"""External recipients: who may add one, and the refusals when recording a sending."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from brygga.cases.actions import NotAllowed
from brygga.cases.models import Case, CaseEvent, CaseState
from brygga.core.actor import Actor
from brygga.directory.models import Commission
from brygga.reserve.actions import add_external_recipient, record_external_dispatch
from brygga.reserve.external import external_status
from brygga.reserve.models import ExternalDispatch, ExternalRecipient
from brygga.testing import commission_of

pytestmark = pytest.mark.django_db


def actor(demo: Any, name: str) -> Actor:
    return Actor(demo.person(name), commission_of(demo.person(name)))


@pytest.fixture
def setting(demo: Any) -> tuple[Case, CaseEvent, ExternalRecipient]:
    ward = commission_of(demo.person("anna")).unit
    solna = commission_of(demo.person("karin")).unit
    case = (
        Case.objects.filter(state=CaseState.PLANNING, parties__unit=ward)
        .filter(parties__unit=solna)
        .first()
    )
    assert case is not None
    notice = case.events.get(type="admission_notice")
    recipient = add_external_recipient(
        actor=actor(demo, "anna"),
        case=case,
        name="Socialtjänsten Uppsala",
        fax="018-727 00 01",
        now=timezone.now(),
    )
    return case, notice, recipient


def test_the_ward_records_its_notice_once(demo: Any, setting: Any) -> None:
    case, notice, recipient = setting
    now = timezone.now()
    anna = actor(demo, "anna")
    [status] = external_status(case, anna.unit)
    assert status.unsent >= 1 and any(n.mine for n in status.notices)
    record_external_dispatch(
        actor=anna, recipient=recipient, event=notice, sent_at=now, method="fax", now=now
    )
    with pytest.raises(NotAllowed, match="redan registrerat"):
        record_external_dispatch(
            actor=anna, recipient=recipient, event=notice, sent_at=now, method="fax", now=now
        )
    assert ExternalDispatch.objects.filter(recipient=recipient).count() == 1


@pytest.mark.parametrize(
    ("who", "shift", "message"),
    [
        ("karin", dt.timedelta(0), "Bara den enhet som skickade"),
        ("anna", dt.timedelta(hours=1), "framtiden"),
        ("anna", dt.timedelta(days=-400), "före inskrivningen"),
    ],
)
def test_refusals_save_nothing(
    demo: Any, setting: Any, who: str, shift: dt.timedelta, message: str
) -> None:
    _, notice, recipient = setting
    now = timezone.now()
    with pytest.raises(NotAllowed, match=message):
        record_external_dispatch(
            actor=actor(demo, who),
            recipient=recipient,
            event=notice,
            sent_at=now + shift,
            method="fax",
            now=now,
        )
    assert not ExternalDispatch.objects.exists()


def test_only_a_party_adds_an_external_recipient_and_it_needs_a_fax(
    demo: Any, setting: Any
) -> None:
    case, _, _ = setting
    with pytest.raises(NotAllowed, match="faxnummer"):
        add_external_recipient(
            actor=actor(demo, "anna"), case=case, name="Någon", fax=" ", now=timezone.now()
        )
    outsider = (
        Commission.objects.filter(role="user", unit__care_type="inpatient_somatic")
        .exclude(unit__case_parties__case=case)
        .select_related("person", "unit")
        .first()
    )
    assert outsider is not None
    with pytest.raises(NotAllowed, match="inte part"):
        add_external_recipient(
            actor=Actor(outsider.person, outsider),
            case=case,
            name="X",
            fax="1",
            now=timezone.now(),
        )
    assert ExternalRecipient.objects.filter(case=case).count() == 1
