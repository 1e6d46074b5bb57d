"""OpenID Connect login against the region's identity provider (docs/login.md).

Authlib's Django client does the protocol: discovery, the authorization code flow with
PKCE (S256), state and nonce kept in the session, the token request with the client
secret, and the ID token's signature checked against the provider's JWKS (re-fetched when
the provider rotates its keys) with issuer, audience, expiry and nonce. This module only
maps the verified claims to an IdentityAssertion; who the person is, and what they may
do, the directory decides.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import requests
from authlib.common.errors import AuthlibBaseError
from authlib.integrations.base_client import MismatchingStateError
from authlib.integrations.django_client import DjangoIntegration, DjangoOAuth2App, OAuthError
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from joserfc.errors import JoseError

from .authentication import IdentityAssertion, normalise_hsa_id, normalise_personnummer

CLIENT_NAME = "brygga_oidc"
ID_TOKEN_KEY = "brygga_oidc_id_token"  # noqa: S105 (a session key; the token is for the logout hint)

# Refusal reasons of this login method (the access log's details["reason"]).
PROVIDER_UNAVAILABLE = "provider_unavailable"
CANCELLED = "cancelled"
PROVIDER_ERROR = "provider_error"
STATE_MISMATCH = "state_mismatch"
INVALID_ID_TOKEN = "invalid_id_token"  # noqa: S105 (a reason, not a secret)
NO_IDENTITY = "no_identity_claims"


class LoginFailed(Exception):
    def __init__(self, reason: str, **details: str) -> None:
        super().__init__(reason)
        self.reason = reason
        self.details = details


@dataclass(frozen=True)
class VerifiedLogin:
    assertion: IdentityAssertion
    id_token: str
    details: Mapping[str, Any] = field(default_factory=dict)


def is_configured() -> bool:
    return bool(settings.OIDC_ISSUER)


@functools.lru_cache(maxsize=4)
def _client(
    issuer: str, client_id: str, client_secret: str, scopes: str, timeout: int
) -> DjangoOAuth2App:
    return DjangoOAuth2App(
        DjangoIntegration(CLIENT_NAME),
        name=CLIENT_NAME,
        client_id=client_id,
        client_secret=client_secret,
        server_metadata_url=f"{issuer}/.well-known/openid-configuration",
        client_kwargs={
            "scope": scopes,
            "code_challenge_method": "S256",
            "token_endpoint_auth_method": "client_secret_basic",
            "default_timeout": timeout,
        },
    )


def client() -> DjangoOAuth2App:
    """The relying party for the configured provider; its discovery document and keys are
    cached for the life of the process (keys are re-fetched on an unknown key id)."""
    app = _client(
        settings.OIDC_ISSUER,
        settings.OIDC_CLIENT_ID,
        settings.OIDC_CLIENT_SECRET,
        settings.OIDC_SCOPES,
        settings.OIDC_TIMEOUT_SECONDS,
    )
    try:
        metadata = app.load_server_metadata()
    except (requests.RequestException, ValueError) as error:
        raise LoginFailed(PROVIDER_UNAVAILABLE, error=type(error).__name__) from error
    if str(metadata.get("issuer", "")).rstrip("/") != settings.OIDC_ISSUER:
        # OpenID Connect Discovery: the document must name the issuer it was fetched from.
        _client.cache_clear()
        raise LoginFailed(PROVIDER_ERROR, error="issuer_mismatch")
    return app


def start(request: HttpRequest, *, redirect_uri: str) -> HttpResponse:
    """The redirect to the provider's login page; state, nonce and PKCE verifier go into
    the session."""
    app = client()
    try:
        return app.authorize_redirect(request, redirect_uri, ui_locales="sv")  # type: ignore[no-any-return]
    except (requests.RequestException, AuthlibBaseError) as error:
        raise LoginFailed(PROVIDER_UNAVAILABLE, error=type(error).__name__) from error


def finish(request: HttpRequest) -> VerifiedLogin:
    """Exchange the code, verify the ID token, and read the person's identity from it."""
    app = client()
    try:
        token = app.authorize_access_token(request)
    except MismatchingStateError as error:
        raise LoginFailed(STATE_MISMATCH) from error
    except OAuthError as error:
        if error.error == "access_denied":
            raise LoginFailed(CANCELLED) from error
        raise LoginFailed(PROVIDER_ERROR, error=str(error.error)[:100]) from error
    except (JoseError, AuthlibBaseError, ValueError) as error:
        raise LoginFailed(INVALID_ID_TOKEN, error=type(error).__name__) from error
    except requests.RequestException as error:
        raise LoginFailed(PROVIDER_UNAVAILABLE, error=type(error).__name__) from error
    claims = token.get("userinfo")
    if not claims:
        # No ID token, or no nonce to check it against: never accept the login.
        raise LoginFailed(INVALID_ID_TOKEN, error="missing_id_token")
    claims = dict(claims)
    if not _identity_claims(claims) and "userinfo_endpoint" in app.load_server_metadata():
        # Providers that keep the person's attributes out of the ID token give them here.
        claims = _with_userinfo(app, token, claims)
    assertion = assertion_from_claims(claims)
    if assertion is None:
        raise LoginFailed(NO_IDENTITY, subject=str(claims.get("sub", ""))[:100])
    details = {"subject": str(claims["sub"])[:100]}
    if claims.get("acr"):
        details["acr"] = str(claims["acr"])[:100]
    return VerifiedLogin(assertion=assertion, id_token=token["id_token"], details=details)


def _with_userinfo(
    app: DjangoOAuth2App, token: Mapping[str, Any], claims: dict[str, Any]
) -> dict[str, Any]:
    try:
        userinfo = dict(app.userinfo(token=token))
    except (requests.RequestException, AuthlibBaseError) as error:
        raise LoginFailed(PROVIDER_UNAVAILABLE, error=type(error).__name__) from error
    if userinfo.get("sub") != claims.get("sub"):
        # OpenID Connect Core 5.3.2: userinfo about someone else must not be used.
        raise LoginFailed(INVALID_ID_TOKEN, error="userinfo_subject_mismatch")
    return {**userinfo, **claims}


def _single(value: object) -> object:
    """A claim's value; a multi-valued claim counts only when it holds exactly one value."""
    if isinstance(value, list):
        return value[0] if len(value) == 1 else None
    return value


def _identity_claims(claims: Mapping[str, Any]) -> bool:
    return bool(claims.get("employeeHsaId") or claims.get("personalIdentityNumber"))


def assertion_from_claims(claims: Mapping[str, Any]) -> IdentityAssertion | None:
    """`employeeHsaId` (SITHS through the provider) and/or `personalIdentityNumber`
    (e-legitimation), with the names as the provider spells them."""
    hsa_id = normalise_hsa_id(_single(claims.get("employeeHsaId")))
    personnummer = normalise_personnummer(_single(claims.get("personalIdentityNumber")))
    if not (hsa_id or personnummer):
        return None

    def text(*names: str) -> str:
        for name in names:
            value = _single(claims.get(name))
            if isinstance(value, str) and value.strip():
                return value.strip()[:100]
        return ""

    return IdentityAssertion(
        method="oidc",
        hsa_id=hsa_id,
        personnummer=personnummer,
        given_name=text("given_name", "givenName"),
        family_name=text("family_name", "surname", "sn"),
    )


def logout_redirect(
    request: HttpRequest, *, id_token: str, post_logout_redirect_uri: str
) -> HttpResponse | None:
    """The redirect that ends the session at the provider too, or None if it has no
    end-session endpoint or cannot be reached (the Brygga session is over either way)."""
    try:
        app = client()
        if "end_session_endpoint" not in app.load_server_metadata():
            return None
        return app.logout_redirect(  # type: ignore[no-any-return]
            request,
            post_logout_redirect_uri=post_logout_redirect_uri,
            id_token_hint=id_token or None,
            client_id=settings.OIDC_CLIENT_ID,
            ui_locales="sv",
        )
    except (LoginFailed, requests.RequestException, AuthlibBaseError, RuntimeError):
        return None


def check_logout_return(request: HttpRequest) -> bool:
    """Whether the provider's redirect back after logout carries the state we sent."""
    if not is_configured() or "state" not in request.GET:
        return False
    try:
        client().validate_logout_response(request)
    except (LoginFailed, AuthlibBaseError):
        return False
    return True
