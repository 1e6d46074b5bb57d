"""The unit's worklist and the case page: who sees what, and that every look is logged."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from brygga.accounts.session import COMMISSION_KEY
from brygga.audit.events import AuditEventType
from brygga.audit.models import AuditEntry
from brygga.cases.actions import open_case, send_admission_notice
from brygga.cases.models import OPEN_STATES, Case, CaseParty
from brygga.core.actor import Actor
from brygga.core.checks import luhn_check_digit
from brygga.directory.models import Commission
from brygga.patients.actions import register_patient
from brygga.patients.identity import parse_identity
from brygga.testing import commission_of, log_in

pytestmark = pytest.mark.django_db


def without_csrf_token(body: bytes) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", body.decode())


def acting_unit(client: Client) -> Any:
    return Commission.objects.get(pk=client.session[COMMISSION_KEY]).unit


def test_the_worklist_shows_the_units_open_cases_and_nothing_else(login_as: Any) -> None:
    client = login_as("anna")
    unit = acting_unit(client)
    response = client.get(reverse("cases:worklist"))
    listed = {case.pk for case in response.context["worklist"].cases}
    expected = set(
        Case.objects.filter(
            parties__unit=unit, parties__active=True, state__in=OPEN_STATES
        ).values_list("pk", flat=True)
    )
    assert listed == expected and listed
    others = Case.objects.exclude(parties__unit=unit)
    assert others.exists()
    body = response.content.decode()
    for case in others.select_related("patient"):
        assert case.patient.identity.display() not in body


def test_every_listed_patient_is_in_the_access_log(login_as: Any) -> None:
    client = login_as("anna")
    response = client.get(reverse("cases:worklist"), REMOTE_ADDR="10.1.2.3")
    cases = response.context["worklist"].cases
    rows = AuditEntry.objects.filter(
        event_type=AuditEventType.PATIENT_LISTED, request_id=response["X-Request-ID"]
    )
    assert sorted(r.patient_id or 0 for r in rows) == sorted(c.patient_id for c in cases)
    row = rows.first()
    assert row is not None
    unit = acting_unit(client)
    assert row.actor_unit_hsa_id == unit.hsa_id
    assert row.actor_label.startswith("SE")
    assert row.client_address == "10.1.2.3"
    assert row.actor_role == "user"


def test_filter_by_state_and_sort_by_name(login_as: Any) -> None:
    client = login_as("anna")
    ready = client.get(reverse("cases:worklist"), {"status": "ready", "sortera": "namn"})
    cases = ready.context["worklist"].cases
    assert cases and all(c.state == "ready" for c in cases)
    names = [c.patient.family_name for c in cases]
    assert names == sorted(names)
    # Unknown values fall back to the defaults instead of failing.
    assert client.get(reverse("cases:worklist"), {"status": "x", "sortera": "y"}).status_code == 200


def test_the_worklist_query_count_does_not_grow_with_rows(login_as: Any, demo: Any) -> None:
    client = login_as("anna")

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("cases:worklist")).status_code == 200
        return len(captured)

    before = queries()
    anna = demo.person("anna")
    actor = Actor(person=anna, commission=commission_of(anna))
    for n in range(5):
        number = f"19500101{980 + n}{luhn_check_digit(f'500101{980 + n}')}"
        patient = register_patient(
            actor=actor,
            identity=parse_identity(number, today=timezone.localdate()),
            given_name="Extra",
            family_name=f"Patient {n}",
            municipality_code="0184",
        )
        case = open_case(
            actor=actor,
            patient=patient,
            care_kind="somatic",
            compulsory_care=False,
            admitted_at=timezone.now(),
            assessed_at=None,
            recipients=[demo.unit("soc_solna")],
        )
        send_admission_notice(actor=actor, case=case, expected_discharge_on=None)
    assert queries() == before


def test_the_case_page_is_logged_and_foreign_cases_look_like_missing_ones(login_as: Any) -> None:
    client = login_as("anna")
    unit = acting_unit(client)
    own = Case.objects.filter(parties__unit=unit).first()
    foreign = Case.objects.exclude(parties__unit=unit).first()
    assert own is not None and foreign is not None
    response = client.get(reverse("cases:detail", args=[own.pk]))
    assert response.status_code == 200
    assert AuditEntry.objects.filter(
        event_type=AuditEventType.CASE_VIEWED, patient=own.patient, object_id=str(own.pk)
    ).exists()
    missing = client.get(reverse("cases:detail", args=[10**9]))
    hidden = client.get(reverse("cases:detail", args=[foreign.pk]))
    assert missing.status_code == hidden.status_code == 404
    assert without_csrf_token(missing.content) == without_csrf_token(hidden.content)
    anna = Commission.objects.get(pk=client.session[COMMISSION_KEY]).person
    assert not AuditEntry.objects.filter(patient=foreign.patient, actor_person=anna).exists()


def test_a_protected_identity_never_shows_the_address(login_as: Any) -> None:
    client = login_as("anna")
    unit = acting_unit(client)
    case = Case.objects.filter(parties__unit=unit, patient__protected_identity=True).first()
    if case is None:
        case = Case.objects.filter(patient__protected_identity=True).first()
        assert case is not None
        CaseParty.objects.create(case=case, unit=unit, role="inpatient", joined_at=case.admitted_at)
    body = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert "Skyddade personuppgifter" in body
    assert case.patient.street_address and case.patient.street_address not in body


def test_a_former_party_keeps_read_access_but_not_the_worklist_row(login_as: Any) -> None:
    party = CaseParty.objects.filter(active=False).select_related("unit", "case").first()
    assert party is not None, "the demo region has a case with a former party"
    commission = Commission.objects.filter(unit=party.unit, role="user").first()
    assert commission is not None
    client = log_in(Client(), commission.person, commission)
    assert client.get(reverse("cases:detail", args=[party.case.pk])).status_code == 200
    listed = {c.pk for c in client.get(reverse("cases:worklist")).context["worklist"].cases}
    assert party.case.pk not in listed


def test_administrators_see_no_cases(login_as: Any) -> None:
    client = login_as("sofia")
    case = Case.objects.first()
    assert case is not None
    # The role has no case pages at all: every id gets the same answer.
    assert client.get(reverse("cases:detail", args=[case.pk])).status_code == 403
    assert client.get(reverse("cases:detail", args=[10**9])).status_code == 403


def test_a_long_worklist_is_paged_and_every_row_is_logged(login_as: Any, demo: Any) -> None:
    client = login_as("anna")
    anna = demo.person("anna")
    actor = Actor(person=anna, commission=commission_of(anna))
    for n in range(50):
        serial = 980 + n % 20
        born = f"1960{1 + n // 20:02d}{1 + n % 28:02d}"
        number = f"{born}{serial}{luhn_check_digit(born[2:] + str(serial))}"
        patient = register_patient(
            actor=actor,
            identity=parse_identity(number, today=timezone.localdate()),
            given_name="Extra",
            family_name=f"Patient {n:02d}",
        )
        open_case(
            actor=actor,
            patient=patient,
            care_kind="somatic",
            compulsory_care=False,
            admitted_at=timezone.now(),
            assessed_at=None,
            recipients=[demo.unit("soc_solna")],
        )
    first = client.get(reverse("cases:worklist"))
    second = client.get(reverse("cases:worklist"), {"sida": 2})
    page_one = {c.pk for c in first.context["worklist"].cases}
    page_two = {c.pk for c in second.context["worklist"].cases}
    assert len(page_one) == 50 and page_two and not page_one & page_two
    assert "Nästa sida" in first.content.decode()
    listed = set(
        AuditEntry.objects.filter(
            event_type=AuditEventType.PATIENT_LISTED, request_id=second["X-Request-ID"]
        ).values_list("patient_id", flat=True)
    )
    assert {c.patient_id for c in second.context["worklist"].cases} <= listed
    waiting = client.get(reverse("cases:worklist"), {"visa": "klara"}).context["worklist"]
    assert waiting.rows and all(r.case.ready_at and not r.case.discharged_at for r in waiting.rows)


# --- Exact counts on a capped page, and the filters behind the caps ----------------------------


def _unread(unit: Any) -> Any:
    from brygga.cases.models import NoticeRecipient

    return NoticeRecipient.objects.filter(
        unit=unit, acknowledged_at__isnull=True, event__case__state__in=OPEN_STATES
    )


def _open_cases_noticed_to_solna(demo: Any, count: int) -> list[Case]:
    """Anna opens cases and sends their admission notices to Solna's social services."""
    anna = demo.person("anna")
    actor = Actor(person=anna, commission=commission_of(anna))
    opened = []
    for n in range(count):
        born = f"19410{n + 1}15"
        number = f"{born}990{luhn_check_digit(born[2:] + '990')}"
        patient = register_patient(
            actor=actor,
            identity=parse_identity(number, today=timezone.localdate()),
            given_name="Notis",
            family_name=f"Mottagare {n}",
            municipality_code="0184",
        )
        case = open_case(
            actor=actor,
            patient=patient,
            care_kind="somatic",
            compulsory_care=False,
            admitted_at=timezone.now(),
            assessed_at=None,
            recipients=[demo.unit("soc_solna")],
        )
        send_admission_notice(actor=actor, case=case, expected_discharge_on=None)
        opened.append(case)
    return opened


def test_capped_lists_still_count_everything_and_link_to_the_rest(
    login_as: Any, demo: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from brygga.cases import worklist as worklist_module

    _open_cases_noticed_to_solna(demo, 2)
    monkeypatch.setattr(worklist_module, "MAX_ROWS", 1)
    client = login_as("karin")
    unit = acting_unit(client)
    response = client.get(reverse("cases:worklist"))
    worklist = response.context["worklist"]
    unread = _unread(unit)
    total = unread.count()
    assert total >= 2
    # One notice is listed, but the heading, the navigation and every row count them all.
    assert len(worklist.notices) == 1
    assert worklist.unacknowledged_total == total
    assert response.context["unacknowledged_count"] == total
    body = response.content.decode()
    assert re.search(rf'id="notices-heading">[^<]*<span class="count">{total}</span>', body)
    assert "Visar det senaste." in body and 'href="?visa=okvitterade"' in body
    for row in worklist.rows:
        assert row.unacknowledged == unread.filter(event__case=row.case).count()


def test_the_unacknowledged_filter_shows_exactly_the_cases_with_unread_notices(
    login_as: Any, demo: Any
) -> None:
    opened = _open_cases_noticed_to_solna(demo, 2)
    client = login_as("karin")
    unit = acting_unit(client)
    worklist = client.get(reverse("cases:worklist"), {"visa": "okvitterade"}).context["worklist"]
    expected = set(_unread(unit).values_list("event__case_id", flat=True))
    assert {c.pk for c in worklist.cases} == expected
    assert {c.pk for c in opened} <= expected
    assert worklist.page.paginator.count == len(expected)


def test_the_waiting_list_shows_the_longest_wait_first_and_counts_all(
    login_as: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from brygga.cases import worklist as worklist_module

    client = login_as("anna")
    unit = acting_unit(client)
    waiting = Case.objects.filter(
        parties__unit=unit,
        parties__active=True,
        state__in=OPEN_STATES,
        ready_at__isnull=False,
        discharged_at__isnull=True,
    ).order_by("ready_at")
    assert waiting.count() >= 2, "the demo ward has patients waiting as utskrivningsklara"
    worklist = client.get(reverse("cases:worklist")).context["worklist"]
    assert [r.case.pk for r in worklist.ready] == [c.pk for c in waiting]
    assert worklist.waiting_total == waiting.count()

    monkeypatch.setattr(worklist_module, "MAX_LIST", 1)
    response = client.get(reverse("cases:worklist"))
    capped = response.context["worklist"]
    assert [r.case.pk for r in capped.ready] == [waiting[0].pk]
    assert capped.waiting_total == waiting.count()
    body = response.content.decode()
    assert "Visar den som väntat längst." in body and 'href="?visa=klara"' in body


def test_the_navigation_count_is_right_on_other_pages_too(login_as: Any, demo: Any) -> None:
    _open_cases_noticed_to_solna(demo, 1)
    client = login_as("karin")
    unit = acting_unit(client)
    case = _unread(unit).select_related("event").first()
    assert case is not None
    page = client.get(reverse("cases:detail", args=[case.event.case_id]))
    count = _unread(unit).count()
    assert f'<span class="count">{count}<span class="visually-hidden"> okvitterade' in (
        page.content.decode()
    )
