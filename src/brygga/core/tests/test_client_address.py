"""The address in the access log: X-Forwarded-For only counts when our own proxy sent it."""

from __future__ import annotations

from typing import Any

from django.test import RequestFactory

from brygga.core.middleware import client_address


def request(remote: str, forwarded: str = "") -> Any:
    headers: dict[str, Any] = {"REMOTE_ADDR": remote}
    if forwarded:
        headers["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **headers)


def test_the_proxy_forwarded_address_is_logged_when_it_comes_from_the_proxy(
    settings: Any,
) -> None:
    settings.BEHIND_PROXY = True
    settings.TRUSTED_PROXIES = ["10.0.0.0/24"]
    assert client_address(request("10.0.0.5", "192.0.2.1, 198.51.100.7")) == "198.51.100.7"


def test_a_request_around_the_proxy_cannot_choose_its_logged_address(settings: Any) -> None:
    settings.BEHIND_PROXY = True
    settings.TRUSTED_PROXIES = ["10.0.0.0/24"]
    assert client_address(request("203.0.113.9", "198.51.100.7")) == "203.0.113.9"


def test_without_a_proxy_the_header_is_ignored(settings: Any) -> None:
    settings.BEHIND_PROXY = False
    assert client_address(request("10.0.0.5", "198.51.100.7")) == "10.0.0.5"
