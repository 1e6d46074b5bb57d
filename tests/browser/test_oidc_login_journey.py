"""Login through a real OpenID Provider in Chromium: Brygga's login page -> the provider's
login and consent pages -> the commission choice -> the worklist -> logout at both ends."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from brygga.accounts.tests.counterparts import (
    PASSWORD,
    OpenIDProvider,
    demo_accounts,
    running_provider,
)
from brygga.audit.events import AuditEventType
from brygga.audit.models import AuditEntry

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def provider(
    tmp_path: Path, live_server: Any, settings: Any, demo: Any
) -> Iterator[OpenIDProvider]:
    with running_provider(
        tmp_path / "op",
        redirect_uris=[f"{live_server.url}/konto/logga-in/oidc/tillbaka/"],
        post_logout_redirect_uris=[f"{live_server.url}/konto/utloggad/"],
    ) as running:
        running.set_accounts(demo_accounts(demo))
        running.configure(settings)
        settings.DEMO_LOGIN = False  # as in production: the provider is the only way in
        yield running


def test_nurse_logs_in_at_the_provider_chooses_a_ward_and_logs_out_of_both(
    page: Any, provider: OpenIDProvider, demo: Any, check_a11y: Any
) -> None:
    page.goto("/arenden/")
    assert "/konto/logga-in/" in page.url
    check_a11y(page)
    page.get_by_role("link", name="Logga in via regionens inloggningstjänst").click()

    # The provider's own pages.
    page.get_by_label("Användarnamn").fill("erik")
    assert page.url.startswith(provider.issuer)
    page.get_by_label("Lösenord").fill(PASSWORD)
    page.get_by_role("button", name="Logga in").click()
    page.get_by_role("button", name="Godkänn").click()

    # Back in Brygga: Erik works on two wards and chooses one.
    page.get_by_role("heading", name="Välj uppdrag").wait_for()
    check_a11y(page)
    page.get_by_role("radio").nth(1).check()
    page.get_by_role("button", name="Fortsätt").click()
    heading = page.get_by_role("heading", level=1)
    assert heading.inner_text().startswith("Arbetslista")
    check_a11y(page)
    erik = demo.person("erik")
    login = AuditEntry.objects.get(event_type=AuditEventType.LOGIN, actor_person=erik)
    assert login.details["method"] == "oidc"

    # Logging out of Brygga continues to the provider, then back to Brygga.
    page.get_by_role("button", name="Logga ut").click()
    page.get_by_role("button", name="Logga ut").click()  # the provider asks to confirm
    page.get_by_role("heading", name="Du är utloggad").wait_for()
    assert page.url.startswith(page.url.split("/konto/")[0])
    check_a11y(page)

    # The next person at this computer meets the provider's login page, not Erik's session.
    page.goto("/konto/logga-in/")
    page.get_by_role("link", name="Logga in via regionens inloggningstjänst").click()
    page.get_by_label("Användarnamn").wait_for()
    assert page.url.startswith(provider.issuer)


def test_a_person_unknown_to_the_directory_is_told_why_in_swedish(
    page: Any, provider: OpenIDProvider, check_a11y: Any
) -> None:
    page.goto("/konto/logga-in/")
    page.get_by_role("link", name="Logga in via regionens inloggningstjänst").click()
    page.get_by_label("Användarnamn").fill("okand")
    page.get_by_label("Lösenord").fill(PASSWORD)
    page.get_by_role("button", name="Logga in").click()
    page.get_by_role("button", name="Godkänn").click()
    page.get_by_role("heading", name="Det gick inte att logga in").wait_for()
    assert "Du finns inte som användare i katalogen (EK)" in page.content()
    check_a11y(page)
