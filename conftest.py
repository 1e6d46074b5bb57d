"""Shared fixtures: the named demo world, logging in as a persona, and the browser."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from brygga.testing import commission_of, log_in


@pytest.fixture
def demo(db: None) -> Any:
    """The demo region (see brygga.demo.world.PERSONAS for the named people)."""
    from brygga.demo.world import load_demo_region

    return load_demo_region(today=timezone.localdate(), now=timezone.now())


@pytest.fixture
def login_as(demo: Any) -> Callable[..., Client]:
    """login_as("anna") or login_as("nils", role="ek_admin") -> a logged-in test client."""

    def _login(name: str, *, role: str | None = None, unit: str | None = None) -> Client:
        person = demo.person(name)
        return log_in(Client(), person, commission_of(person, role, unit))

    return _login


# --- Browser tests -------------------------------------------------------------------------

CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    executable = os.environ.get("BRYGGA_CHROMIUM", "/usr/bin/chromium")
    if not os.path.exists(executable):
        pytest.fail(
            f"Chromium is missing at {executable}: install Debian's 'chromium' package "
            "(the browser tests never skip silently)."
        )
    # Playwright's sync API keeps an event loop running in the test thread from here on;
    # Django's ORM refuses to run in such a thread unless told that this is fine (it is:
    # there is no real async code in the tests).
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
            yield browser
            browser.close()
    finally:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


@pytest.fixture
def page(browser: Any, live_server: Any) -> Iterator[Any]:
    context = browser.new_context(base_url=live_server.url, locale="sv-SE")
    page = context.new_page()
    page.set_default_timeout(10_000)
    problems: list[str] = []
    page.on(
        "console",
        lambda msg: (
            problems.append(msg.text)
            if msg.type == "error" and "Content Security Policy" in msg.text
            else None
        ),
    )
    page.on("pageerror", lambda error: problems.append(str(error)))
    yield page
    context.close()
    assert not problems, f"The browser reported script or CSP errors: {problems}"


@pytest.fixture(scope="session")
def axe_script() -> str:
    import axe_playwright_python

    path = os.path.join(os.path.dirname(axe_playwright_python.__file__), "axe.min.js")
    with open(path, encoding="utf-8") as handle:
        return handle.read()


@pytest.fixture
def check_a11y(axe_script: str) -> Callable[[Any], None]:
    """Runs axe-core on the page as it is now and fails on any violation."""

    def _check(page: Any) -> None:
        page.evaluate(axe_script)
        result = page.evaluate(
            "axe.run(document, {resultTypes: ['violations'],"
            " runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa',"
            " 'wcag22aa', 'best-practice']}})"
        )
        violations = result["violations"]
        report = "\n".join(
            f"- {v['id']} ({v['impact']}): {v['help']} -> "
            + "; ".join(n["target"][0] if n["target"] else "?" for n in v["nodes"][:5])
            for v in violations
        )
        assert not violations, f"axe-core found violations on {page.url}:\n{report}"

    return _check
