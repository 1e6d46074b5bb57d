"""Security properties of every URL: headers, CSRF, session lifetime.

The URLs, their arguments and the visitors are the permission matrix's
(tests/test_permission_matrix.py), so a new URL is checked here as soon as it has its row
there. What a single page shows in detail is in src/brygga/accounts/tests/
(test_security_headers.py: the login page's CSP and headers, the session cookie's flags;
test_login.py: the CSRF-protected login, idle and absolute session ends by session keys);
the FHIR API's bearer-only authentication is in src/brygga/fhir/tests/test_api_matrix.py.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from typing import Any

import pytest
import time_machine
from django.apps import apps
from django.conf import settings
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from brygga.testing import commission_of, log_in
from tests import test_permission_matrix as matrix

pytestmark = pytest.mark.django_db

# The permission matrix's fixtures: one committed demo region for this module too.
demo = matrix.demo
subjects = matrix.subjects
visitors = matrix.visitors

# The FHIR API takes bearer tokens (and the token endpoint HTTP Basic) only, never a
# session cookie, so a forged cross-site request carries no credential: it is CSRF-exempt
# by design (test_api_matrix.py: a session can neither write nor fetch a token).
CSRF_EXEMPT = {"fhir:metadata", "fhir:smart_configuration", "fhir:openapi", "fhir:token"}
CSRF_EXEMPT |= {"fhir:type", "fhir:instance"}


def url_of(url_name: str, subjects: matrix.Subjects) -> str:
    args_key, _ = matrix.MATRIX[url_name]
    return reverse(url_name, args=subjects[args_key])


def first_admitted(url_name: str) -> str | None:
    """A persona the matrix lets in (200), for checking the page itself, not a refusal."""
    expected = matrix.MATRIX[url_name][1]
    return next((p for p in matrix.PERSONAS if expected[p] == 200), None)


def header_problems(response: Any, logged_in: bool) -> list[str]:
    problems = []
    csp = response.get("Content-Security-Policy", "")
    directives = {}
    for part in csp.split(";"):
        name, _, value = part.strip().partition(" ")
        directives[name] = value
    if "'self'" not in directives.get("script-src", "") or "'self'" not in directives.get(
        "style-src", ""
    ):
        problems.append(f"CSP without script-src/style-src 'self': {csp!r}")
    if "unsafe-inline" in csp or "unsafe-eval" in csp:
        problems.append(f"CSP allows inline code: {csp!r}")
    if directives.get("frame-ancestors") != "'none'":
        problems.append(f"CSP frame-ancestors is not 'none': {csp!r}")
    wanted = {
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "same-origin",
        "X-Frame-Options": "DENY",
    }
    if logged_in:
        # Patient data must not linger in a shared ward computer's cache.
        wanted["Cache-Control"] = "no-store"
    for header, value in wanted.items():
        if response.get(header) != value:
            problems.append(f"{header}: {response.get(header)!r}, expected {value!r}")
    return problems


def test_every_url_carries_the_security_headers(
    subjects: matrix.Subjects, visitors: dict[str, Client]
) -> None:
    """Every URL, for an anonymous visitor, Anna and someone the matrix lets in."""
    problems = []
    checked = 0
    for url_name in sorted(matrix.MATRIX):
        url = url_of(url_name, subjects)
        personas = {"anonymous", "own_unit", first_admitted(url_name) or "own_unit"}
        for persona in sorted(personas):
            response = visitors[persona].get(url)
            for problem in header_problems(response, logged_in=persona != "anonymous"):
                problems.append(f"{url_name} ({persona}, {response.status_code}): {problem}")
            checked += 1
    assert not problems, "\n".join(problems)
    assert checked > 2 * len(matrix.MATRIX)


def test_secure_cookies_and_hsts_in_production() -> None:
    """In production (behind TLS) the session and CSRF cookies are Secure, HttpOnly and
    SameSite, and browsers are told to use HTTPS only."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("BRYGGA_", "DJANGO_"))}
    environment |= {"BRYGGA_ENVIRONMENT": "production", "BRYGGA_SECRET_KEY": "x" * 60}
    script = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SESSION_COOKIE_HTTPONLY, "
        "s.CSRF_COOKIE_HTTPONLY, s.SESSION_COOKIE_SAMESITE, s.SECURE_SSL_REDIRECT, "
        "s.SECURE_HSTS_SECONDS >= 31536000)"
    )
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", script],
        env=environment | {"DJANGO_SETTINGS_MODULE": "brygga.settings"},
        capture_output=True,
        text=True,
        cwd=settings.PROJECT_DIR,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "True", "True", "True", "Lax", "True", "True"]
    # And outside production (a plain-HTTP demo or test server) they would not be sent at all.
    assert settings.SESSION_COOKIE_SECURE is False


def row_counts() -> dict[str, int]:
    """Rows per table, except the sessions (a request may refresh its own)."""
    return {
        model._meta.label: model._default_manager.count()
        for model in apps.get_models()
        if model is not Session and model._meta.managed and not model._meta.proxy
    }


def is_csrf_refusal(response: Any) -> bool:
    return response.status_code == 403 and b"CSRF" in response.content


def test_every_post_without_a_csrf_token_is_refused_and_changes_nothing(
    subjects: matrix.Subjects, visitors: dict[str, Client]
) -> None:
    """A forged cross-site POST (the browser sends the cookies, not the form's token) is
    refused for every URL, whoever is logged in, before any view runs."""
    urls = {name: url_of(name, subjects) for name in sorted(matrix.MATRIX)}  # makes subjects
    before = row_counts()
    problems = []
    for url_name, url in urls.items():
        for persona in sorted({"anonymous", first_admitted(url_name) or "own_unit"}):
            forged = Client(enforce_csrf_checks=True)
            forged.cookies = visitors[persona].cookies
            response = forged.post(url, {"text": "förfalskad", "reason": "förfalskad"})
            if url_name in CSRF_EXEMPT:
                if response.status_code < 400:
                    problems.append(f"{url_name} ({persona}) accepted a session POST")
            elif not is_csrf_refusal(response):
                problems.append(f"{url_name} ({persona}): {response.status_code}, not a refusal")
    assert not problems, "\n".join(problems)
    assert row_counts() == before


def test_a_post_with_the_token_is_not_refused(demo: Any) -> None:
    """The control for the test above: the same kind of client gets through with the token."""
    anna = demo.person("anna")
    client = log_in(Client(enforce_csrf_checks=True), anna, commission_of(anna))
    client.get(reverse("support:suggestion_create"))
    token = client.cookies[settings.CSRF_COOKIE_NAME].value
    forged = client.post(reverse("accounts:logout"))
    assert is_csrf_refusal(forged)
    response = client.post(reverse("accounts:logout"), {"csrfmiddlewaretoken": token})
    assert not is_csrf_refusal(response) and response.status_code == 200


# One page of each area, with a persona the matrix lets in.
LIFETIME_SPOT_CHECKS = (
    ("cases:worklist", "own_unit"),
    ("cases:detail", "municipality"),
    ("audit:search", "manager"),
    ("directory:index", "ek_admin"),
    ("administration:unit_order_list", "central"),
    ("payments:basis", "municipality"),
    ("reports:indicators", "manager"),
    ("support:suggestion_list", "own_unit"),
)


@pytest.mark.parametrize(("url_name", "persona"), LIFETIME_SPOT_CHECKS)
def test_idle_and_absolute_session_ends_apply_everywhere(
    url_name: str,
    persona: str,
    subjects: matrix.Subjects,
    visitors: dict[str, Client],
    settings: Any,
) -> None:
    """Idle longer than the timeout, or busy longer than the absolute lifetime: the next
    request ends the session and leads to the login page (clock moved with time-machine).
    The lifetime is shortened to three idle periods so that staying busy takes few requests
    (test_login.py checks the configured 12 hours)."""
    url = url_of(url_name, subjects)
    assert matrix.MATRIX[url_name][1][persona] == 200
    idle = dt.timedelta(seconds=settings.SESSION_IDLE_TIMEOUT)
    settings.SESSION_ABSOLUTE_LIFETIME = 3 * settings.SESSION_IDLE_TIMEOUT
    lifetime = dt.timedelta(seconds=settings.SESSION_ABSOLUTE_LIFETIME)
    start = timezone.now()
    client = visitors[persona]
    identity = persona_login(persona, visitors)
    with time_machine.travel(start + idle - dt.timedelta(seconds=30), tick=False):
        assert client.get(url).status_code == 200  # still within the idle timeout
    with time_machine.travel(start + 2 * idle, tick=False):
        assert matrix.classify(client.get(url)) == matrix.LOGIN
        assert "_auth_user_id" not in client.session

    busy = log_in(Client(), *identity)
    step = idle - dt.timedelta(minutes=1)
    moment = timezone.now()
    while moment + step < start + lifetime:
        moment += step
        with time_machine.travel(moment, tick=False):
            assert busy.get(url).status_code == 200, moment
    with time_machine.travel(start + lifetime + dt.timedelta(minutes=1), tick=False):
        assert matrix.classify(busy.get(url)) == matrix.LOGIN


def persona_login(persona: str, visitors: dict[str, Client]) -> tuple[Any, Any]:
    """The person and commission a visitor of the matrix is logged in with."""
    from brygga.directory.models import Commission

    session = visitors[persona].session
    commission = Commission.objects.select_related("person").get(pk=session["brygga_commission_id"])
    return commission.person, commission
