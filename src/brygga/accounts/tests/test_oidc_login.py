"""OpenID Connect login against a real provider (oidc-provider under Node, on loopback).

Brygga's side is driven with Django's test client; the provider's login and consent pages
with a plain HTTP client, as a browser without JavaScript would.
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.urls import reverse

from brygga.accounts import oidc
from brygga.accounts.session import COMMISSION_KEY, METHOD_KEY
from brygga.audit.events import AuditEventType
from brygga.audit.models import AuditEntry
from brygga.directory.models import Commission

from .conftest import log_in_through_provider
from .counterparts import (
    CALLBACK,
    LOGGED_OUT,
    UNKNOWN_HSA_ID,
    OpenIDProvider,
    ProviderUser,
    free_port,
    path_of,
)

pytestmark = pytest.mark.django_db


def logged_in_as(client: Client) -> str | None:
    return client.session.get("_auth_user_id")


def refusals() -> list[dict[str, Any]]:
    return list(
        AuditEntry.objects.filter(event_type=AuditEventType.LOGIN_REFUSED)
        .order_by("pk")
        .values_list("details", flat=True)
    )


def test_anna_logs_in_at_the_provider_and_lands_on_her_worklist(
    oidc_provider: OpenIDProvider, demo: Any
) -> None:
    client = Client()
    start = client.get(reverse("accounts:oidc_login"))
    query = parse_qs(urlsplit(start["Location"]).query)
    assert start["Location"].startswith(f"{oidc_provider.issuer}/auth?")
    # Authorization code flow with PKCE (S256), state and nonce, for our registered callback.
    assert query["response_type"] == ["code"]
    assert query["code_challenge_method"] == ["S256"]
    assert len(query["code_challenge"][0]) >= 43
    assert query["state"][0] and query["nonce"][0]
    assert query["redirect_uri"] == [CALLBACK]
    assert "openid" in query["scope"][0].split()

    callback = ProviderUser(oidc_provider).log_in(start["Location"], "anna", "korrekt-hast-batteri")
    response = client.get(path_of(callback))

    anna = demo.person("anna")
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert logged_in_as(client) == str(anna.pk)
    assert client.session[METHOD_KEY] == "oidc"
    worklist = client.get(reverse("cases:worklist"))
    assert worklist.status_code == 200
    commission = Commission.objects.get(pk=client.session[COMMISSION_KEY])
    assert commission.person == anna
    login = AuditEntry.objects.get(event_type=AuditEventType.LOGIN, actor_person=anna)
    assert login.details["method"] == "oidc"
    assert login.details["subject"] == "anna"
    # The provider's state is used once: the same callback again is a refusal.
    assert Client().get(path_of(callback)).status_code == 403


@pytest.mark.parametrize(
    ("login", "destination"),
    [("erik", "accounts:choose_commission"), ("gustav", "accounts:no_commission")],
)
def test_after_the_provider_comes_the_commission_choice_as_for_everyone(
    oidc_provider: OpenIDProvider, login: str, destination: str
) -> None:
    client = Client()
    response = log_in_through_provider(client, oidc_provider, login)
    assert response["Location"] == reverse(destination)
    assert logged_in_as(client)
    if login == "gustav":
        page = client.get(reverse(destination))
        assert page.status_code == 403
        assert "Du har inget giltigt uppdrag i Brygga" in page.content.decode()


def test_e_legitimation_finds_the_person_by_personnummer(
    oidc_provider: OpenIDProvider, demo: Any
) -> None:
    client = Client()
    response = log_in_through_provider(client, oidc_provider, "maria-bankid")
    assert response.status_code == 302
    assert logged_in_as(client) == str(demo.person("maria").pk)


def test_next_survives_the_round_trip_to_the_provider(
    oidc_provider: OpenIDProvider, demo: Any
) -> None:
    client = Client()
    response = log_in_through_provider(client, oidc_provider, "anna", next_url="/arenden/")
    assert response["Location"] == "/arenden/"
    client.post(reverse("accounts:logout"))
    evil = log_in_through_provider(
        Client(), oidc_provider, "anna", next_url="https://evil.example/"
    )
    assert evil["Location"] == reverse("home")
    # With two commissions, `next` waits until the choice is made.
    client = Client()
    choice = log_in_through_provider(client, oidc_provider, "erik", next_url="/arenden/")
    assert choice["Location"] == reverse("accounts:choose_commission") + "?next=%2Farenden%2F"
    commission = Commission.objects.filter(person=demo.person("erik")).first()
    assert commission is not None
    chosen = client.post(choice["Location"], {"commission": commission.pk})
    assert chosen["Location"] == "/arenden/"


def test_a_person_unknown_to_the_directory_is_refused_in_swedish_and_logged(
    oidc_provider: OpenIDProvider,
) -> None:
    client = Client()
    response = log_in_through_provider(client, oidc_provider, "okand")
    assert response.status_code == 403
    page = response.content.decode()
    assert "Det gick inte att logga in" in page
    assert "Du finns inte som användare i katalogen (EK)" in page
    assert logged_in_as(client) is None
    assert refusals()[-1] == {
        "method": "oidc",
        "reason": "unknown_person",
        "hsa_id": UNKNOWN_HSA_ID,
        "name": "Okänd Användare",
        "subject": "okand",
    }


def test_an_hsa_id_and_a_personnummer_of_different_people_are_refused(
    oidc_provider: OpenIDProvider, demo: Any
) -> None:
    client = Client()
    response = log_in_through_provider(client, oidc_provider, "forvaxlad")
    assert response.status_code == 403
    assert logged_in_as(client) is None
    refusal = refusals()[-1]
    assert refusal["reason"] == "identity_mismatch"
    # The access log keeps the birth date, never a whole personnummer of a refused login.
    assert refusal["personnummer"] == demo.person("erik").personnummer[:8] + "-****"


def test_a_login_without_hsa_id_or_personnummer_is_refused(
    oidc_provider: OpenIDProvider,
) -> None:
    client = Client()
    response = log_in_through_provider(client, oidc_provider, "utan-id")
    assert response.status_code == 403
    assert "varken HSA-id eller personnummer" in response.content.decode()
    assert refusals()[-1]["reason"] == "no_identity_claims"


def test_cancelling_at_the_provider_is_a_logged_refusal(oidc_provider: OpenIDProvider) -> None:
    client = Client()
    response = log_in_through_provider(client, oidc_provider, "anna", consent=False)
    assert "Inloggningen avbröts" in response.content.decode()
    assert logged_in_as(client) is None
    assert refusals()[-1]["reason"] == "cancelled"


def test_a_callback_from_someone_elses_login_is_refused(oidc_provider: OpenIDProvider) -> None:
    """Login CSRF: an attacker's own code and state, delivered to a victim's browser."""
    attacker = Client()
    start = attacker.get(reverse("accounts:oidc_login"))
    callback = ProviderUser(oidc_provider).log_in(
        start["Location"], "okand", "korrekt-hast-batteri"
    )
    victim = Client()
    victim.get(reverse("accounts:login"))
    response = victim.get(path_of(callback))
    assert response.status_code == 403
    assert "Inloggningen kunde inte slutföras" in response.content.decode()
    assert logged_in_as(victim) is None
    assert refusals()[-1] == {"method": "oidc", "reason": "state_mismatch"}


def test_an_id_token_altered_after_signing_is_refused(
    start_provider: Callable[..., OpenIDProvider], demo: Any
) -> None:
    """The provider's token response is rewritten on its way: Erik's HSA-id in Anna's token."""
    provider = start_provider(tamper_id_token_claims={"employeeHsaId": demo.person("erik").hsa_id})
    client = Client()
    response = log_in_through_provider(client, provider, "anna")
    assert response.status_code == 403
    assert logged_in_as(client) is None
    assert refusals()[-1]["reason"] == "invalid_id_token"
    assert not AuditEntry.objects.filter(event_type=AuditEventType.LOGIN).exists()


def test_an_id_token_without_our_nonce_is_refused(
    start_provider: Callable[..., OpenIDProvider],
) -> None:
    provider = start_provider(drop_nonce=True)
    client = Client()
    response = log_in_through_provider(client, provider, "anna")
    assert response.status_code == 403
    assert logged_in_as(client) is None
    assert refusals()[-1]["reason"] == "invalid_id_token"


def test_claims_given_only_by_the_userinfo_endpoint_are_used(
    start_provider: Callable[..., OpenIDProvider], demo: Any
) -> None:
    provider = start_provider(claims_in_id_token=False)
    client = Client()
    response = log_in_through_provider(client, provider, "anna")
    assert response.status_code == 302
    assert logged_in_as(client) == str(demo.person("anna").pk)


def test_logging_out_ends_the_session_at_the_provider_too(oidc_provider: OpenIDProvider) -> None:
    """On a shared ward computer the next person must not be let in as the previous one."""
    client = Client()
    user = ProviderUser(oidc_provider)
    log_in_through_provider(client, oidc_provider, "anna", user=user)
    id_token = client.session[oidc.ID_TOKEN_KEY]

    response = client.post(reverse("accounts:logout"))
    assert logged_in_as(client) is None
    assert AuditEntry.objects.filter(event_type=AuditEventType.LOGOUT).exists()
    end_session = response["Location"]
    query = parse_qs(urlsplit(end_session).query)
    assert end_session.startswith(f"{oidc_provider.issuer}/session/end?")
    assert query["id_token_hint"] == [id_token]
    assert query["post_logout_redirect_uri"] == [LOGGED_OUT]

    confirmation = user.follow(end_session)
    assert not isinstance(confirmation, str)
    back = user.follow(
        user.form_action(confirmation, "/session/end/confirm"),
        method="POST",
        data={**dict(re_inputs(confirmation.text)), "logout": "yes"},
    )
    assert isinstance(back, str) and back.startswith(LOGGED_OUT), back
    assert "Du är utloggad" in client.get(path_of(back)).content.decode()

    # The provider asks for the password again.
    start = Client().get(reverse("accounts:oidc_login"))
    page = user.follow(start["Location"])
    assert not isinstance(page, str), "the provider let the next person in without a login"
    assert "Användarnamn" in page.text


def re_inputs(html: str) -> list[tuple[str, str]]:
    import re

    return re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', html)


def test_an_unreachable_provider_gets_a_swedish_message_and_is_logged(
    settings: Any, demo: Any
) -> None:
    settings.OIDC_ISSUER = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    settings.OIDC_CLIENT_ID, settings.OIDC_CLIENT_SECRET = "brygga", "hemligt"
    settings.OIDC_TIMEOUT_SECONDS = 2
    response = Client().get(reverse("accounts:oidc_login"))
    assert response.status_code == 503
    assert "Inloggningstjänsten svarar inte just nu" in response.content.decode()
    assert refusals()[-1]["reason"] == "provider_unavailable"


def test_the_login_page_offers_the_methods_that_are_configured(
    oidc_provider: OpenIDProvider, settings: Any
) -> None:
    settings.DEMO_LOGIN = False
    page = Client().get(reverse("accounts:login")).content.decode()
    assert "Logga in via regionens inloggningstjänst" in page
    assert "Ingen inloggningstjänst är konfigurerad" not in page
    assert "Logga in med SITHS-kort" not in page
    settings.OIDC_ISSUER = ""
    assert Client().get(reverse("accounts:oidc_login")).status_code == 404
    assert Client().get(reverse("accounts:oidc_callback")).status_code == 404
    page = Client().get(reverse("accounts:login")).content.decode()
    assert "Ingen inloggningstjänst är konfigurerad" in page


def run_check(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("BRYGGA_", "DJANGO_"))}
    return subprocess.run(
        [sys.executable, "manage.py", "check"],
        env=environment | env,
        capture_output=True,
        text=True,
        cwd=django_settings.PROJECT_DIR,
        check=False,
    )


@pytest.mark.parametrize(
    "env",
    [
        {"BRYGGA_OIDC_ISSUER": "https://idp.example.se"},  # no client
        {
            "BRYGGA_ENVIRONMENT": "production",
            "BRYGGA_SECRET_KEY": secrets.token_urlsafe(50),
            "BRYGGA_OIDC_ISSUER": "http://idp.example.se",  # not https
            "BRYGGA_OIDC_CLIENT_ID": "brygga",
            "BRYGGA_OIDC_CLIENT_SECRET": "hemligt",
        },
    ],
)
def test_a_half_configured_identity_provider_stops_the_start(env: dict[str, str]) -> None:
    result = run_check(env)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
