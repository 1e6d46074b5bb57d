"""The real counterparts of the login tests, started on loopback: an OpenID Provider
(panva's oidc-provider under Node, tests/oidc_provider/), nginx with the shipped SITHS
configuration (deploy/nginx/brygga-siths.conf), and a test PKI made with `cryptography`.

Nothing here is a mock of a protocol: the tests speak OpenID Connect to a certified
provider and TLS with client certificates to nginx.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import os
import re
import shutil
import socket
import string
import subprocess
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import pytest
import requests
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from django.conf import settings

from brygga.testing import free_port

REPOSITORY = Path(settings.PROJECT_DIR)
PROVIDER_DIR = REPOSITORY / "tests" / "oidc_provider"
NGINX_SITE = REPOSITORY / "deploy" / "nginx" / "brygga-siths.conf"
STARTUP_SECONDS = 20
_install_lock = threading.Lock()


def wait_for_port(port: int, process: subprocess.Popen[Any], log: Path) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    name = Path(str(process.args[0] if isinstance(process.args, list) else process.args)).name
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"{name} exited at start:\n{log.read_text(errors='replace')}")
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    pytest.fail(f"{name} did not listen on {port}:\n{log.read_text(errors='replace')}")


def stop(process: subprocess.Popen[Any]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


# --- The OpenID Provider ------------------------------------------------------------------


def ensure_provider_installed() -> None:
    """`npm ci` the pinned oidc-provider once, if tests/oidc_provider/node_modules is missing."""
    with _install_lock:
        if (PROVIDER_DIR / "node_modules" / "oidc-provider").is_dir():
            return
        npm = shutil.which("npm")
        if npm is None:
            pytest.fail("npm is missing: install Node.js 20+ and npm (the login tests need them)")
        result = subprocess.run(  # noqa: S603 (npm, our own lock file)
            [npm, "ci", "--no-audit", "--no-fund"],
            cwd=PROVIDER_DIR,
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            pytest.fail(f"npm ci in {PROVIDER_DIR} failed:\n{result.stdout}\n{result.stderr}")


@dataclass
class Account:
    password: str
    claims: dict[str, Any]


@dataclass
class OpenIDProvider:
    issuer: str
    client_id: str
    client_secret: str
    accounts_file: Path
    log: Path
    process: subprocess.Popen[Any]

    def set_accounts(self, accounts: Mapping[str, Account]) -> None:
        self.accounts_file.write_text(
            json.dumps(
                {k: {"password": a.password, "claims": a.claims} for k, a in accounts.items()}
            )
        )

    def configure(self, django_settings: Any) -> None:
        """Point Brygga (the pytest-django `settings` fixture) at this provider."""
        django_settings.OIDC_ISSUER = self.issuer
        django_settings.OIDC_CLIENT_ID = self.client_id
        django_settings.OIDC_CLIENT_SECRET = self.client_secret
        # As settings.py does for BRYGGA_OIDC_ISSUER: logout's redirect goes to the provider.
        policy = copy.deepcopy(django_settings.CONTENT_SECURITY_POLICY)
        policy["DIRECTIVES"]["form-action"] = ["'self'", self.issuer]
        django_settings.CONTENT_SECURITY_POLICY = policy


@contextmanager
def running_provider(
    directory: Path,
    *,
    redirect_uris: list[str],
    post_logout_redirect_uris: list[str],
    claims_in_id_token: bool = True,
    tamper_id_token_claims: Mapping[str, Any] | None = None,
    drop_nonce: bool = False,
) -> Iterator[OpenIDProvider]:
    ensure_provider_installed()
    node = shutil.which("node")
    if node is None:
        pytest.fail("node is missing: install Node.js 20+ (the login tests need it)")
    directory.mkdir(parents=True, exist_ok=True)
    port = free_port()
    client_secret = os.urandom(24).hex()
    accounts_file = directory / "accounts.json"
    accounts_file.write_text("{}")
    config = {
        "port": port,
        "client": {
            "client_id": "brygga",
            "client_secret": client_secret,
            "client_name": "Brygga",
            "redirect_uris": redirect_uris,
            "post_logout_redirect_uris": post_logout_redirect_uris,
        },
        "accounts_file": str(accounts_file),
        "claims_in_id_token": claims_in_id_token,
        "tamper_id_token_claims": dict(tamper_id_token_claims) if tamper_id_token_claims else None,
        "drop_nonce": drop_nonce,
    }
    (directory / "op.json").write_text(json.dumps(config))
    log = directory / "op.log"
    with log.open("w") as out:
        process = subprocess.Popen(  # noqa: S603 (our own provider script)
            [node, str(PROVIDER_DIR / "provider.js")],
            env={**os.environ, "OP_CONFIG": str(directory / "op.json")},
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_for_port(port, process, log)
        yield OpenIDProvider(
            issuer=f"http://127.0.0.1:{port}",
            client_id="brygga",
            client_secret=client_secret,
            accounts_file=accounts_file,
            log=log,
            process=process,
        )
    finally:
        stop(process)


class ProviderUser:
    """A person at the provider's pages, as a browser without JavaScript would be.

    Only talks to the provider (on loopback); hands the final redirect back to Brygga's
    side, so a test can follow it with Django's test client.
    """

    def __init__(self, provider: OpenIDProvider) -> None:
        self.provider = provider
        self.session = requests.Session()
        self.session.trust_env = False  # loopback only, never through a configured proxy

    def _on_provider(self, url: str) -> bool:
        return url.startswith(self.provider.issuer + "/")

    def follow(
        self, url: str, *, method: str = "GET", data: Mapping[str, str] | None = None
    ) -> requests.Response | str:
        """Follow redirects while they stay at the provider. Returns the provider's page,
        or the URL of the first redirect that leaves it (back to Brygga)."""
        response = self.session.request(method, url, data=data, allow_redirects=False, timeout=10)
        while response.is_redirect:
            target = urljoin(response.url, response.headers["Location"])
            if not self._on_provider(target):
                return target
            response = self.session.get(target, allow_redirects=False, timeout=10)
        return response

    @staticmethod
    def form_action(page: requests.Response, ending: str) -> str:
        match = re.search(rf'action="([^"]*{re.escape(ending)})"', page.text)
        assert match, f"no form ending in {ending} on {page.url}:\n{page.text[:2000]}"
        return urljoin(page.url, match.group(1))

    def log_in(
        self, authorization_url: str, login: str, password: str, *, consent: bool = True
    ) -> str:
        """Log in and consent (or cancel) at the provider; returns Brygga's callback URL."""
        page = self.follow(authorization_url)
        assert isinstance(page, requests.Response), page
        assert "Användarnamn" in page.text, page.text[:2000]
        page = self.follow(
            self.form_action(page, "/login"),
            method="POST",
            data={"login": login, "password": password},
        )
        if isinstance(page, str):
            return page
        assert page.status_code == 200, page.text[:2000]
        page = self.follow(
            self.form_action(page, "/confirm" if consent else "/abort"), method="POST"
        )
        assert isinstance(page, str), page.text[:2000]
        return page


def path_of(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


# --- Demo personas at the provider ---------------------------------------------------------

CALLBACK = "http://testserver/konto/logga-in/oidc/tillbaka/"
LOGGED_OUT = "http://testserver/konto/utloggad/"
PASSWORD = "korrekt-hast-batteri"
UNKNOWN_HSA_ID = "SE2321000016-X9999"  # well-formed, not in the directory


def demo_accounts(demo: Any) -> dict[str, Account]:
    """Provider accounts whose claims are the demo personas' (and a few who are not)."""

    def claims(name: str, *, hsa_id: bool = True, personnummer: bool = True) -> dict[str, Any]:
        person = demo.person(name)
        result: dict[str, Any] = {
            "given_name": person.given_name,
            "family_name": person.family_name,
        }
        if hsa_id:
            result["employeeHsaId"] = person.hsa_id
        if personnummer:
            assert person.personnummer, f"{name} has no personnummer in the demo region"
            result["personalIdentityNumber"] = person.personnummer
        return result

    anna, erik = claims("anna"), claims("erik")
    return {
        "anna": Account(PASSWORD, anna),
        "erik": Account(PASSWORD, erik),
        "gustav": Account(PASSWORD, claims("gustav")),
        # e-legitimation (BankID, Freja): the provider knows the personnummer only.
        "maria-bankid": Account(PASSWORD, claims("maria", hsa_id=False)),
        "okand": Account(
            PASSWORD,
            {"employeeHsaId": UNKNOWN_HSA_ID, "given_name": "Okänd", "family_name": "Användare"},
        ),
        "forvaxlad": Account(
            PASSWORD,
            {**anna, "personalIdentityNumber": erik["personalIdentityNumber"]},
        ),
        "utan-id": Account(PASSWORD, {"given_name": "Ingen", "family_name": "Identitet"}),
    }


# --- A test PKI -----------------------------------------------------------------------------


def _key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


def _name(
    common_name: str, *, serial_number: str = "", organisation: str = "Testregion"
) -> x509.Name:
    attributes = [
        x509.NameAttribute(NameOID.COUNTRY_NAME, "SE"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation),
        x509.NameAttribute(NameOID.COMMON_NAME, common_name),
    ]
    if serial_number:
        attributes.append(x509.NameAttribute(NameOID.SERIAL_NUMBER, serial_number))
    return x509.Name(attributes)


@dataclass
class Authority:
    name: x509.Name
    key: ec.EllipticCurvePrivateKey
    certificate: x509.Certificate
    revoked: list[int] = field(default_factory=list)

    @classmethod
    def create(cls, common_name: str, *, now: dt.datetime) -> Authority:
        key = _key()
        name = _name(common_name)
        certificate = (
            x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(name)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=365))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(
                x509.KeyUsage(
                    digital_signature=False,
                    content_commitment=False,
                    key_encipherment=False,
                    data_encipherment=False,
                    key_agreement=False,
                    key_cert_sign=True,
                    crl_sign=True,
                    encipher_only=False,
                    decipher_only=False,
                ),
                critical=True,
            )
            .add_extension(
                x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False
            )
            .sign(key, hashes.SHA256())
        )
        return cls(name=name, key=key, certificate=certificate)

    def issue(
        self,
        subject: x509.Name,
        *,
        now: dt.datetime,
        server_names: list[str] | None = None,
    ) -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey]:
        key = _key()
        builder = (
            x509.CertificateBuilder()
            .subject_name(subject)
            .issuer_name(self.name)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(hours=1))
            .not_valid_after(now + dt.timedelta(days=30))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(self.key.public_key()),
                critical=False,
            )
        )
        if server_names is not None:
            import ipaddress

            builder = builder.add_extension(
                x509.SubjectAlternativeName(
                    [
                        x509.IPAddress(ipaddress.ip_address(n))
                        if n[0].isdigit()
                        else x509.DNSName(n)
                        for n in server_names
                    ]
                ),
                critical=False,
            ).add_extension(
                x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False
            )
        else:
            builder = builder.add_extension(
                x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CLIENT_AUTH]), critical=False
            )
        return builder.sign(self.key, hashes.SHA256()), key

    def crl(self, *, now: dt.datetime) -> x509.CertificateRevocationList:
        builder = (
            x509.CertificateRevocationListBuilder()
            .issuer_name(self.name)
            .last_update(now - dt.timedelta(hours=1))
            .next_update(now + dt.timedelta(days=7))
        )
        for serial in self.revoked:
            builder = builder.add_revoked_certificate(
                x509.RevokedCertificateBuilder()
                .serial_number(serial)
                .revocation_date(now - dt.timedelta(minutes=30))
                .build()
            )
        return builder.sign(self.key, hashes.SHA256())


def write_pem(
    path: Path,
    *items: x509.Certificate | x509.CertificateRevocationList | ec.EllipticCurvePrivateKey,
) -> Path:
    chunks = []
    for item in items:
        if isinstance(item, ec.EllipticCurvePrivateKey):
            chunks.append(
                item.private_bytes(
                    serialization.Encoding.PEM,
                    serialization.PrivateFormat.PKCS8,
                    serialization.NoEncryption(),
                )
            )
        else:
            chunks.append(item.public_bytes(serialization.Encoding.PEM))
    path.write_bytes(b"".join(chunks))
    path.chmod(0o600)
    return path


@dataclass
class Card:
    """An eTjänstekort's certificate and key, as files a TLS client can present."""

    certificate: x509.Certificate
    certificate_file: Path
    key_file: Path

    @property
    def files(self) -> tuple[str, str]:
        return (str(self.certificate_file), str(self.key_file))


def issue_card(
    authority: Authority, directory: Path, name: str, hsa_id: str, *, now: dt.datetime
) -> Card:
    certificate, key = authority.issue(_name(name, serial_number=hsa_id), now=now)
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower())
    return Card(
        certificate=certificate,
        certificate_file=write_pem(directory / f"{slug}.crt", certificate),
        key_file=write_pem(directory / f"{slug}.key", key),
    )


# --- nginx ----------------------------------------------------------------------------------


@dataclass
class Nginx:
    url: str
    server_ca_file: Path
    error_log: Path
    access_log: Path
    http_url: str


def render_site(values: Mapping[str, str]) -> str:
    """deploy/nginx/brygga-siths.conf with its ${BRYGGA_...} placeholders filled in, as
    envsubst does at install time (nginx's own $variables stay as they are)."""
    text = NGINX_SITE.read_text()
    placeholders = set(re.findall(r"\$\{(BRYGGA_[A-Z_]+)\}", text))
    missing = placeholders - set(values)
    assert not missing, f"no value for {sorted(missing)}"
    return string.Template(text).safe_substitute(values)


@contextmanager
def running_nginx(
    directory: Path,
    *,
    upstream: str,
    siths_ca: Authority,
    proxy_secret: str,
    now: dt.datetime,
) -> Iterator[Nginx]:
    executable = shutil.which("nginx") or "/usr/sbin/nginx"
    if not os.path.exists(executable):
        pytest.fail("nginx is missing: install Debian's 'nginx' package (the SITHS tests need it)")
    directory.mkdir(parents=True, exist_ok=True)
    server_ca = Authority.create("Brygga test server CA", now=now)
    server_certificate, server_key = server_ca.issue(
        _name("127.0.0.1"), now=now, server_names=["127.0.0.1", "localhost"]
    )
    https_port, http_port = free_port(), free_port()
    site = render_site(
        {
            "BRYGGA_SERVER_NAME": "127.0.0.1 localhost",
            "BRYGGA_HTTPS_LISTEN": f"127.0.0.1:{https_port}",
            "BRYGGA_HTTP_LISTEN": f"127.0.0.1:{http_port}",
            "BRYGGA_TLS_CERTIFICATE": str(write_pem(directory / "server.crt", server_certificate)),
            "BRYGGA_TLS_CERTIFICATE_KEY": str(write_pem(directory / "server.key", server_key)),
            "BRYGGA_SITHS_CA_FILE": str(
                write_pem(directory / "siths-ca.pem", siths_ca.certificate)
            ),
            "BRYGGA_SITHS_CRL_FILE": str(write_pem(directory / "siths.crl", siths_ca.crl(now=now))),
            "BRYGGA_UPSTREAM": upstream,
            "BRYGGA_TRUSTED_PROXY_SECRET": proxy_secret,
        }
    )
    (directory / "brygga-siths.conf").write_text(site)
    for temp in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (directory / temp).mkdir(exist_ok=True)
    error_log, access_log = directory / "error.log", directory / "access.log"
    (directory / "nginx.conf").write_text(
        f"""daemon off;
master_process off;
worker_processes 1;
pid {directory}/nginx.pid;
error_log {error_log} info;
events {{ worker_connections 64; }}
http {{
    access_log {access_log};
    client_body_temp_path {directory}/client_body;
    proxy_temp_path {directory}/proxy;
    fastcgi_temp_path {directory}/fastcgi;
    uwsgi_temp_path {directory}/uwsgi;
    scgi_temp_path {directory}/scgi;
    include {directory}/brygga-siths.conf;
}}
"""
    )
    arguments = [
        executable,
        "-p",
        str(directory),
        "-e",
        str(error_log),
        "-c",
        str(directory / "nginx.conf"),
    ]
    check = subprocess.run([*arguments, "-t"], capture_output=True, text=True, check=False)  # noqa: S603
    assert check.returncode == 0, f"nginx -t refused the rendered configuration:\n{check.stderr}"
    with (directory / "nginx.out").open("w") as out:
        process = subprocess.Popen(arguments, stdout=out, stderr=subprocess.STDOUT)  # noqa: S603
    try:
        wait_for_port(https_port, process, error_log)
        yield Nginx(
            url=f"https://127.0.0.1:{https_port}",
            http_url=f"http://127.0.0.1:{http_port}",
            server_ca_file=write_pem(directory / "server-ca.pem", server_ca.certificate),
            error_log=error_log,
            access_log=access_log,
        )
    finally:
        stop(process)
