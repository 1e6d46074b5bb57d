"""Fixtures of the login tests: a real OpenID Provider whose accounts are demo personas."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack
from itertools import count
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from .counterparts import (
    CALLBACK,
    LOGGED_OUT,
    PASSWORD,
    OpenIDProvider,
    ProviderUser,
    demo_accounts,
    path_of,
    running_provider,
)


@pytest.fixture
def start_provider(
    tmp_path: Path, settings: Any, demo: Any
) -> Iterator[Callable[..., OpenIDProvider]]:
    """start_provider(**options) -> a running provider that Brygga is configured to use."""
    numbers = count()
    with ExitStack() as stack:

        def _start(**options: Any) -> OpenIDProvider:
            directory = tmp_path / f"op{next(numbers)}"
            provider = stack.enter_context(
                running_provider(
                    directory,
                    redirect_uris=[CALLBACK],
                    post_logout_redirect_uris=[LOGGED_OUT],
                    **options,
                )
            )
            provider.set_accounts(demo_accounts(demo))
            provider.configure(settings)
            return provider

        yield _start


@pytest.fixture
def oidc_provider(start_provider: Callable[..., OpenIDProvider]) -> OpenIDProvider:
    return start_provider()


def log_in_through_provider(
    client: Client,
    provider: OpenIDProvider,
    login: str,
    *,
    consent: bool = True,
    next_url: str | None = None,
    user: ProviderUser | None = None,
) -> Any:
    """Start at Brygga, log in at the provider, and return Brygga's answer to the callback."""
    start_url = reverse("accounts:oidc_login") + (f"?next={next_url}" if next_url else "")
    start = client.get(start_url)
    assert start.status_code == 302, start.content.decode()[:2000]
    user = user or ProviderUser(provider)
    callback = user.log_in(start["Location"], login, PASSWORD, consent=consent)
    assert callback.startswith(CALLBACK), callback
    return client.get(path_of(callback))
