"""SITHS eTjänstekort login behind a TLS-terminating reverse proxy (docs/login.md).

The proxy (deploy/nginx/brygga-siths.conf) asks for the card's certificate, verifies it
against the SITHS CA (and its revocation list) and passes the subject's serialNumber,
the HSA-id, in `X-SITHS-HSA-ID`, replacing any copy the browser sent. Brygga believes that
header only when the request also carries the proxy's shared secret and comes from an
address in TRUSTED_PROXIES: a header sent straight to the application is refused and
logged.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass

from django.conf import settings
from django.http import HttpRequest

from brygga.core.middleware import from_proxy_address

from .authentication import IdentityAssertion, normalise_hsa_id

HSA_ID_HEADER = "HTTP_X_SITHS_HSA_ID"  # X-SITHS-HSA-ID
CERTIFICATE_SERIAL_HEADER = "HTTP_X_SITHS_CERTIFICATE_SERIAL"  # X-SITHS-Certificate-Serial
CERTIFICATE_ISSUER_HEADER = "HTTP_X_SITHS_CERTIFICATE_ISSUER"  # X-SITHS-Certificate-Issuer
PROXY_SECRET_HEADER = "HTTP_X_BRYGGA_PROXY_SECRET"  # noqa: S105 (X-Brygga-Proxy-Secret)

# Refusal reasons (the access log's details["reason"]).
UNTRUSTED_PROXY = "untrusted_proxy"
NO_CERTIFICATE = "no_certificate"
INVALID_SUBJECT = "invalid_certificate_subject"


class CardRefused(Exception):
    def __init__(self, reason: str, **details: str) -> None:
        super().__init__(reason)
        self.reason = reason
        self.details = details


@dataclass(frozen=True)
class CardLogin:
    assertion: IdentityAssertion
    details: dict[str, str]


def from_trusted_proxy(request: HttpRequest) -> bool:
    """The request came through our proxy: the shared secret matches (compared in constant
    time) and the connection comes from a trusted proxy address."""
    expected = settings.TRUSTED_PROXY_SECRET
    presented = request.META.get(PROXY_SECRET_HEADER, "")
    if not expected or not hmac.compare_digest(presented.encode(), expected.encode()):
        return False
    return from_proxy_address(request)


def _clip(value: str) -> str:
    return value[:200]


def read_card(request: HttpRequest) -> CardLogin:
    """The identity on the card the proxy verified, or CardRefused saying why not."""
    asserted = request.META.get(HSA_ID_HEADER, "")
    if not from_trusted_proxy(request):
        # Someone talks to the application directly, or the proxy is misconfigured. What
        # they claimed is kept for the investigation.
        raise CardRefused(
            UNTRUSTED_PROXY,
            claimed_hsa_id=_clip(asserted),
            remote_addr=_clip(str(request.META.get("REMOTE_ADDR", ""))),
        )
    if not asserted:
        raise CardRefused(NO_CERTIFICATE)
    hsa_id = normalise_hsa_id(asserted)
    if not hsa_id:
        raise CardRefused(INVALID_SUBJECT, serial_number=_clip(asserted))
    details = {
        "certificate_serial": _clip(request.META.get(CERTIFICATE_SERIAL_HEADER, "")),
        "certificate_issuer": _clip(request.META.get(CERTIFICATE_ISSUER_HEADER, "")),
    }
    return CardLogin(
        assertion=IdentityAssertion(method="siths", hsa_id=hsa_id),
        details={k: v for k, v in details.items() if v},
    )
