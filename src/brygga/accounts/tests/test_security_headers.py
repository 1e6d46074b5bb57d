"""Headers every response carries, and the cookies' flags."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_login_page_has_a_strict_csp_and_security_headers() -> None:
    response = Client().get(reverse("accounts:login"))
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert "frame-ancestors 'none'" in csp
    assert "object-src 'none'" in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert "camera=()" in response["Permissions-Policy"]
    assert response["X-Request-ID"]


def test_pages_with_patient_data_are_not_cached(login_as: Any) -> None:
    response = login_as("anna").get(reverse("cases:worklist"))
    assert response["Cache-Control"] == "no-store"


def test_session_and_csrf_cookies_are_http_only(demo: Any) -> None:
    client = Client()
    client.get(reverse("accounts:login"))
    response = client.post(reverse("accounts:login"), {"person": demo.person("anna").pk})
    session_cookie = response.cookies["brygga_session"]
    assert session_cookie["httponly"]
    assert session_cookie["samesite"] == "Lax"


def test_no_page_has_inline_script(login_as: Any) -> None:
    for name in ("cases:worklist", "accounts:choose_commission"):
        body = login_as("anna").get(reverse(name), follow=True).content.decode()
        assert "<script>" not in body and "onclick=" not in body and "style=" not in body
