"""Logging in, choosing the commission to act for, and the session's limits."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
import time
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from brygga.accounts.session import AUTH_AT_KEY, COMMISSION_KEY, LAST_SEEN_KEY
from brygga.audit.events import AuditEventType
from brygga.audit.models import AuditEntry
from brygga.directory.models import Commission

pytestmark = pytest.mark.django_db


def demo_login(client: Client, person: Any, **extra: str) -> Any:
    return client.post(reverse("accounts:login"), {"person": person.pk, **extra})


def test_a_ward_nurse_with_one_commission_lands_on_her_worklist(demo: Any) -> None:
    client = Client()
    anna = demo.person("anna")
    response = demo_login(client, anna)
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    page = client.get(reverse("cases:worklist"))
    assert page.status_code == 200
    commission = Commission.objects.get(pk=client.session[COMMISSION_KEY])
    assert commission.person == anna
    assert commission.unit.name in page.content.decode()
    events = list(AuditEntry.objects.filter(actor_person=anna).values_list("event_type", flat=True))
    assert AuditEventType.LOGIN in events
    assert AuditEventType.COMMISSION_CHOSEN in events


def test_a_nurse_with_two_wards_chooses_and_can_switch(demo: Any) -> None:
    client = Client()
    erik = demo.person("erik")
    response = demo_login(client, erik)
    assert response["Location"] == reverse("accounts:choose_commission")
    # Nothing but the choice is reachable before choosing.
    assert client.get(reverse("cases:worklist"))["Location"] == reverse(
        "accounts:choose_commission"
    )
    choice_page = client.get(reverse("accounts:choose_commission")).content.decode()
    commissions = list(Commission.objects.filter(person=erik).select_related("unit"))
    assert len(commissions) == 2
    for commission in commissions:
        assert commission.unit.name in choice_page
    client.post(reverse("accounts:choose_commission"), {"commission": commissions[0].pk})
    assert commissions[0].unit.name in client.get(reverse("cases:worklist")).content.decode()
    client.post(reverse("accounts:choose_commission"), {"commission": commissions[1].pk})
    page = client.get(reverse("cases:worklist")).content.decode()
    assert f"Arbetslista – {commissions[1].unit.name}" in page


def test_someone_elses_commission_cannot_be_chosen(demo: Any) -> None:
    client = Client()
    demo_login(client, demo.person("erik"))
    annas = Commission.objects.get(person=demo.person("anna"))
    response = client.post(reverse("accounts:choose_commission"), {"commission": annas.pk})
    assert response.status_code == 200
    assert "Uppdraget gäller inte" in response.content.decode()
    assert COMMISSION_KEY not in client.session


def test_a_person_without_a_valid_commission_gets_a_swedish_explanation(demo: Any) -> None:
    client = Client()
    response = demo_login(client, demo.person("gustav"))
    assert response["Location"] == reverse("accounts:no_commission")
    page = client.get(reverse("accounts:no_commission"))
    assert page.status_code == 403
    assert "Du har inget giltigt uppdrag i Brygga" in page.content.decode()
    assert client.get(reverse("cases:worklist")).status_code == 302


def test_a_commission_that_ends_during_the_session_stops_working(login_as: Any) -> None:
    client = login_as("anna")
    Commission.objects.filter(pk=client.session[COMMISSION_KEY]).update(
        valid_to="2019-01-01", valid_from="2018-01-01"
    )
    response = client.get(reverse("cases:worklist"))
    assert response.status_code == 302
    assert COMMISSION_KEY not in client.session


def test_idle_sessions_end_after_the_idle_timeout(login_as: Any) -> None:
    client = login_as("anna")
    session = client.session
    session[LAST_SEEN_KEY] = time.time() - settings.SESSION_IDLE_TIMEOUT - 5
    session.save()
    response = client.get(reverse("cases:worklist"))
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:login")
    assert "_auth_user_id" not in client.session
    assert AuditEntry.objects.filter(event_type=AuditEventType.SESSION_EXPIRED).exists()


def test_the_idle_clock_is_kept_without_a_session_write_on_every_page(login_as: Any) -> None:
    client = login_as("anna")
    session = client.session
    session[LAST_SEEN_KEY] = time.time() - 20
    session.save()
    seen = client.session[LAST_SEEN_KEY]
    assert client.get(reverse("cases:worklist")).status_code == 200
    assert client.session[LAST_SEEN_KEY] == seen  # within the minute: not rewritten
    session = client.session
    session[LAST_SEEN_KEY] = time.time() - 20 * 60
    session.save()
    assert client.get(reverse("cases:worklist")).status_code == 200
    assert client.session[LAST_SEEN_KEY] > time.time() - 60  # the busy user stays logged in


def test_sessions_end_after_the_absolute_lifetime_even_when_busy(login_as: Any) -> None:
    client = login_as("anna")
    session = client.session
    session[AUTH_AT_KEY] = time.time() - settings.SESSION_ABSOLUTE_LIFETIME - 5
    session.save()
    assert client.get(reverse("cases:worklist"))["Location"] == reverse("accounts:login")


def test_logout_is_a_post_and_ends_the_session(login_as: Any) -> None:
    client = login_as("anna")
    assert client.get(reverse("accounts:logout")).status_code == 405
    response = client.post(reverse("accounts:logout"))
    assert "Du är utloggad" in response.content.decode()
    assert client.get(reverse("cases:worklist")).status_code == 302
    assert AuditEntry.objects.filter(event_type=AuditEventType.LOGOUT).exists()


def test_login_requires_the_csrf_token(demo: Any) -> None:
    client = Client(enforce_csrf_checks=True)
    response = demo_login(client, demo.person("anna"))
    assert response.status_code == 403
    assert "_auth_user_id" not in client.session


def test_next_never_leads_to_another_site(demo: Any) -> None:
    response = demo_login(Client(), demo.person("anna"), next="https://evil.example/")
    assert response["Location"] == reverse("home")


def test_without_demo_login_the_form_logs_no_one_in(demo: Any, settings: Any) -> None:
    settings.DEMO_LOGIN = False  # the pytest-django fixture, restored after the test
    client = Client()
    response = demo_login(client, demo.person("anna"))
    assert response.status_code == 200
    assert "Ingen inloggningstjänst är konfigurerad" in response.content.decode()
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize(
    "env",
    [
        {"BRYGGA_ENVIRONMENT": "production", "BRYGGA_DEMO_LOGIN": "1"},
        {"BRYGGA_ENVIRONMENT": "production", "BRYGGA_DEMO_LOGIN": "0"},  # no secret key
    ],
)
def test_production_refuses_to_start_when_misconfigured(env: dict[str, str]) -> None:
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("BRYGGA_", "DJANGO_"))}
    environment |= env
    if env["BRYGGA_DEMO_LOGIN"] == "1":
        environment["BRYGGA_SECRET_KEY"] = secrets.token_urlsafe(50)
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        env=environment,
        capture_output=True,
        text=True,
        cwd=settings.PROJECT_DIR,
        check=False,
    )
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr


def test_production_with_a_secret_and_no_demo_login_starts() -> None:
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("BRYGGA_", "DJANGO_"))}
    environment |= {
        "BRYGGA_ENVIRONMENT": "production",
        "BRYGGA_SECRET_KEY": secrets.token_urlsafe(50),
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "ERROR"],
        env=environment,
        capture_output=True,
        text=True,
        cwd=settings.PROJECT_DIR,
        check=False,
    )
    assert result.returncode == 0, result.stderr
