"""Efterregistrering in the browser: after an outage the ward enters the admission notice it
faxed, with the original time; the municipality sees it marked and acknowledges it."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from brygga.cases.models import Case, CaseEvent, CaseState
from brygga.cases.models import CaseEventType as E
from brygga.testing import commission_of

from .test_discharge_journey import log_in, log_out

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_faxed_admission_notice_is_back_registered_and_acknowledged(
    demo: Any, page: Any, check_a11y: Any
) -> None:
    ward = commission_of(demo.person("anna")).unit
    solna = commission_of(demo.person("karin")).unit
    case = (
        Case.objects.filter(state=CaseState.ADMITTED, parties__unit=ward)
        .filter(parties__unit=solna, parties__active=True)
        .first()
    )
    assert case is not None, "the demo region has an admitted case at G61 for Solna"
    faxed_at = max(case.admitted_at, timezone.now() - dt.timedelta(hours=3))
    faxed_at = timezone.localtime(faxed_at).replace(second=0, microsecond=0)

    log_in(page, "Anna")
    page.goto(f"/arenden/{case.pk}/")
    page.get_by_text("Efterregistrera efter ett avbrott").click()
    page.get_by_role("link", name="Skicka inskrivningsmeddelande (efterregistrering)").click()
    page.get_by_role("heading", name="Skicka inskrivningsmeddelande").wait_for()
    check_a11y(page)
    page.locator("form.form button[type=submit]").click()  # forgot the original time
    page.get_by_role("heading", name="Något behöver rättas innan det kan sparas").wait_for()
    check_a11y(page)
    page.get_by_label("När skickades det på papper eller fax?").fill(
        faxed_at.strftime("%Y-%m-%dT%H:%M")
    )
    page.locator("form.form button[type=submit]").click()
    page.get_by_role("heading", name="Händelser").wait_for()
    page.get_by_text("Efterregistrerad", exact=True).wait_for()
    check_a11y(page)
    event = CaseEvent.objects.get(case=case, type=E.ADMISSION_NOTICE)
    assert event.back_registered and event.effective_at == faxed_at
    log_out(page)

    log_in(page, "Karin")
    page.goto(f"/arenden/{case.pk}/")
    page.get_by_text(f"Skickades på papper {faxed_at:%Y-%m-%d %H:%M}").wait_for()
    page.get_by_role("button", name="Kvittera Inskrivningsmeddelande").click()
    page.get_by_text("Meddelandet är kvitterat.").wait_for()
    check_a11y(page)
    assert event.recipients.get(unit=solna).acknowledged_at is not None
