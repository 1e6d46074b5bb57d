"""SITHS eTjänstekort login through nginx with the shipped configuration.

A generated test CA issues the cards (subject serialNumber = a demo HSA-id); nginx, started
by the tests with deploy/nginx/brygga-siths.conf, verifies them and proxies to Brygga's
live server. Requests are made with a real TLS client presenting the card's certificate.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import secrets
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import requests
from django.conf import settings as django_settings
from django.test import Client
from django.urls import reverse

from brygga.audit.events import AuditEventType
from brygga.audit.models import AuditEntry

from .counterparts import UNKNOWN_HSA_ID, Authority, Card, Nginx, issue_card, running_nginx

PROXY_SECRET = secrets.token_urlsafe(32)


@dataclass
class SithsSite:
    nginx: Nginx
    brygga_url: str  # the application itself, bypassing nginx
    cards: dict[str, Card]


def configure_siths(settings: Any) -> None:
    settings.SITHS_LOGIN = True
    settings.TRUSTED_PROXY_SECRET = PROXY_SECRET
    settings.TRUSTED_PROXIES = ["127.0.0.1", "::1"]
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")


@pytest.fixture
def siths_site(tmp_path: Path, live_server: Any, settings: Any, demo: Any) -> Iterator[SithsSite]:
    configure_siths(settings)
    now = dt.datetime.now(dt.UTC)
    siths_ca = Authority.create("Test SITHS e-id Person ID CA", now=now)
    other_ca = Authority.create("Någon annans CA", now=now)
    cards_dir = tmp_path / "cards"
    cards_dir.mkdir()
    cards = {
        name: issue_card(
            siths_ca, cards_dir, demo.person(name).full_name, demo.person(name).hsa_id, now=now
        )
        for name in ("anna", "gustav", "erik")
    }
    cards["okand"] = issue_card(siths_ca, cards_dir, "Okänd Användare", UNKNOWN_HSA_ID, now=now)
    # Anna's HSA-id on a card from a CA that nginx does not trust.
    cards["anna-other-ca"] = issue_card(
        other_ca, cards_dir, "Falska Anna", demo.person("anna").hsa_id, now=now
    )
    siths_ca.revoked.append(cards["erik"].certificate.serial_number)  # a lost card
    port = urlsplit(live_server.url).port
    with running_nginx(
        tmp_path / "nginx",
        upstream=f"127.0.0.1:{port}",
        siths_ca=siths_ca,
        proxy_secret=PROXY_SECRET,
        now=now,
    ) as nginx:
        yield SithsSite(nginx=nginx, brygga_url=live_server.url, cards=cards)


def browser(site: SithsSite, card: Card | None) -> requests.Session:
    session = requests.Session()
    session.trust_env = False  # loopback only
    session.verify = str(site.nginx.server_ca_file)
    if card is not None:
        session.cert = card.files
    return session


def post_card_login(
    session: requests.Session, base_url: str, headers: dict[str, str] | None = None
) -> requests.Response:
    """What the login page's "Logga in med SITHS-kort" button does."""
    page = session.get(f"{base_url}/konto/logga-in/", timeout=10)
    assert page.status_code == 200, page.text[:2000]
    assert "Logga in med SITHS-kort" in page.text
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
    assert token, page.text[:2000]
    return session.post(
        f"{base_url}/konto/logga-in/siths/",
        data={"csrfmiddlewaretoken": token.group(1)},
        headers={"Referer": f"{base_url}/konto/logga-in/", **(headers or {})},
        allow_redirects=False,
        timeout=10,
    )


def audit(event: AuditEventType) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(event_type=event).order_by("pk"))


@pytest.mark.django_db(transaction=True)
def test_a_valid_card_logs_in_as_the_person_on_it_whatever_headers_the_browser_adds(
    siths_site: SithsSite, demo: Any
) -> None:
    session = browser(siths_site, siths_site.cards["anna"])
    erik = demo.person("erik").hsa_id
    response = post_card_login(
        session,
        siths_site.nginx.url,
        # A browser (or a script) trying to pass as Erik: nginx replaces or drops these.
        headers={"X-SITHS-HSA-ID": erik, "X_SITHS_HSA_ID": erik},
    )
    assert response.status_code == 302, response.text[:2000]
    assert response.headers["Location"] == reverse("home")
    worklist = session.get(f"{siths_site.nginx.url}{reverse('cases:worklist')}", timeout=10)
    assert worklist.status_code == 200
    assert "Arbetslista" in worklist.text

    anna = demo.person("anna")
    (login,) = audit(AuditEventType.LOGIN)
    assert login.actor_person == anna
    assert login.details["method"] == "siths"
    serial = siths_site.cards["anna"].certificate.serial_number
    assert int(login.details["certificate_serial"], 16) == serial
    assert "Test SITHS e-id Person ID CA" in login.details["certificate_issuer"]
    assert login.client_address == "127.0.0.1"
    assert not audit(AuditEventType.LOGIN_REFUSED)


@pytest.mark.django_db(transaction=True)
def test_nginx_turns_away_every_card_it_cannot_verify(siths_site: SithsSite) -> None:
    for card in (None, siths_site.cards["anna-other-ca"], siths_site.cards["erik"]):
        session = browser(siths_site, card)
        response = session.get(f"{siths_site.nginx.url}/konto/logga-in/", timeout=10)
        assert response.status_code == 403, card
        assert "Inget giltigt SITHS-kort" in response.text
        assert response.headers["Content-Type"].startswith("text/html")
    # None of them reached Brygga.
    assert not AuditEntry.objects.filter(
        event_type__in=[AuditEventType.LOGIN, AuditEventType.LOGIN_REFUSED]
    ).exists()
    plain = requests.Session()
    plain.trust_env = False
    redirect = plain.get(f"{siths_site.nginx.http_url}/konto/", allow_redirects=False, timeout=10)
    assert redirect.status_code == 301
    assert redirect.headers["Location"].startswith("https://")


@pytest.mark.django_db(transaction=True)
def test_cards_of_people_brygga_does_not_let_in_get_the_usual_explanations(
    siths_site: SithsSite,
) -> None:
    unknown = post_card_login(browser(siths_site, siths_site.cards["okand"]), siths_site.nginx.url)
    assert unknown.status_code == 403
    assert "Du finns inte som användare i katalogen (EK)" in unknown.text
    (refusal,) = audit(AuditEventType.LOGIN_REFUSED)
    assert refusal.details["reason"] == "unknown_person"
    assert refusal.details["hsa_id"] == UNKNOWN_HSA_ID
    assert int(refusal.details["certificate_serial"], 16) == (
        siths_site.cards["okand"].certificate.serial_number
    )

    session = browser(siths_site, siths_site.cards["gustav"])
    expired = post_card_login(session, siths_site.nginx.url)
    assert expired.headers["Location"] == reverse("accounts:no_commission")
    page = session.get(f"{siths_site.nginx.url}{reverse('accounts:no_commission')}", timeout=10)
    assert "Du har inget giltigt uppdrag i Brygga" in page.text


@pytest.mark.django_db(transaction=True)
def test_a_forged_header_sent_straight_to_brygga_is_refused_and_logged(
    siths_site: SithsSite, demo: Any
) -> None:
    anna = demo.person("anna").hsa_id
    attempts = [
        {"X-SITHS-HSA-ID": anna},
        {"X-SITHS-HSA-ID": anna, "X-Brygga-Proxy-Secret": "gissat-" + "x" * 40},
        {"X-SITHS-HSA-ID": anna, "X-Brygga-Proxy-Secret": ""},
    ]
    for headers in attempts:
        session = requests.Session()
        session.trust_env = False
        response = post_card_login(session, siths_site.brygga_url, headers=headers)
        assert response.status_code == 403
        assert "Inloggningen kunde inte slutföras" in response.text
        after = session.get(
            f"{siths_site.brygga_url}{reverse('cases:worklist')}", allow_redirects=False, timeout=10
        )
        assert after.status_code == 302
        assert after.headers["Location"].startswith(reverse("accounts:login"))
    assert not audit(AuditEventType.LOGIN)
    refusals = audit(AuditEventType.LOGIN_REFUSED)
    assert len(refusals) == len(attempts)
    for refusal in refusals:
        assert refusal.details == {
            "method": "siths",
            "reason": "untrusted_proxy",
            "claimed_hsa_id": anna,
            "remote_addr": "127.0.0.1",
        }
        assert refusal.actor_label == "system:login"


# --- The trust rule on its own (Django's test client, no network) ---------------------------


@pytest.mark.django_db
def test_the_header_counts_only_with_the_secret_from_a_trusted_address(
    settings: Any, demo: Any
) -> None:
    configure_siths(settings)
    url = reverse("accounts:siths_login")
    proxied = {"X-SITHS-HSA-ID": demo.person("anna").hsa_id, "X-Brygga-Proxy-Secret": PROXY_SECRET}

    from_elsewhere = Client(REMOTE_ADDR="10.20.30.40").post(url, headers=proxied)
    assert from_elsewhere.status_code == 403
    settings.TRUSTED_PROXIES = ["10.20.30.0/24"]
    client = Client(REMOTE_ADDR="10.20.30.40")
    assert client.post(url, headers=proxied).status_code == 302
    assert client.session["_auth_user_id"] == str(demo.person("anna").pk)
    reasons = [e.details["reason"] for e in audit(AuditEventType.LOGIN_REFUSED)]
    assert reasons == ["untrusted_proxy"]


@pytest.mark.django_db
def test_a_proxy_that_passes_no_card_or_a_bad_subject_is_refused(settings: Any, demo: Any) -> None:
    configure_siths(settings)
    url = reverse("accounts:siths_login")
    secret = {"X-Brygga-Proxy-Secret": PROXY_SECRET}
    no_card = Client().post(url, headers=secret)
    assert "Inget SITHS-kort lästes" in no_card.content.decode()
    bad = Client().post(url, headers={**secret, "X-SITHS-HSA-ID": "198001011234"})
    assert "Kortet har inget giltigt HSA-id" in bad.content.decode()
    reasons = [e.details["reason"] for e in audit(AuditEventType.LOGIN_REFUSED)]
    assert reasons == ["no_certificate", "invalid_certificate_subject"]
    settings.SITHS_LOGIN = False
    assert Client().post(url, headers=secret).status_code == 404


def test_siths_login_without_a_strong_proxy_secret_stops_the_start() -> None:
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("BRYGGA_", "DJANGO_"))}
    for secret in ("", "kort"):
        result = subprocess.run(
            [sys.executable, "manage.py", "check"],
            env=environment | {"BRYGGA_SITHS_LOGIN": "1", "BRYGGA_TRUSTED_PROXY_SECRET": secret},
            capture_output=True,
            text=True,
            cwd=django_settings.PROJECT_DIR,
            check=False,
        )
        assert result.returncode != 0
        assert "BRYGGA_TRUSTED_PROXY_SECRET" in result.stderr
