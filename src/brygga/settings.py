"""Brygga settings. Everything that differs between installations comes from the environment.

See README.md, section "Configuration", for every variable.
"""

from __future__ import annotations

import ipaddress
import os
from pathlib import Path
from typing import Any

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "")
    return int(value) if value else default


# demo | training | test | production. Demo login exists only in demo and training.
ENVIRONMENT = os.environ.get("BRYGGA_ENVIRONMENT", "demo")
if ENVIRONMENT not in {"demo", "training", "test", "production"}:
    raise ImproperlyConfigured(
        f"BRYGGA_ENVIRONMENT={ENVIRONMENT!r} is not one of demo, training, test, production"
    )
DEMO_LOGIN = env_bool("BRYGGA_DEMO_LOGIN", ENVIRONMENT in {"demo", "training", "test"})
if DEMO_LOGIN and ENVIRONMENT not in {"demo", "training", "test"}:
    # Refuse to start: a production server must never offer a login without authentication.
    raise ImproperlyConfigured(
        "Demo login is enabled outside a demo or training environment; refusing to start."
    )

DEBUG = env_bool("BRYGGA_DEBUG", False)
SECRET_KEY = os.environ.get("BRYGGA_SECRET_KEY", "")
if not SECRET_KEY:
    if ENVIRONMENT == "production":
        raise ImproperlyConfigured("BRYGGA_SECRET_KEY must be set in production.")
    SECRET_KEY = "brygga-insecure-development-key-not-for-production"  # noqa: S105
# Key for the access log's hash chain (HMAC). Without the key a database owner cannot forge a chain.
AUDIT_CHAIN_KEY = os.environ.get("BRYGGA_AUDIT_CHAIN_KEY", SECRET_KEY)
AUDIT_CHAIN_COUNT = env_int("BRYGGA_AUDIT_CHAINS", 16)

ALLOWED_HOSTS = [
    h for h in os.environ.get("BRYGGA_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h
]
CSRF_TRUSTED_ORIGINS = [
    o for o in os.environ.get("BRYGGA_CSRF_TRUSTED_ORIGINS", "").split(",") if o
]
# Set when a reverse proxy in front of Brygga terminates TLS and sets X-Forwarded-For/-Proto.
BEHIND_PROXY = env_bool("BRYGGA_BEHIND_PROXY", False)
if BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Login: OpenID Connect and SITHS (docs/login.md).
# OpenID Connect against the region's identity provider: discovery from the issuer URL.
OIDC_ISSUER = os.environ.get("BRYGGA_OIDC_ISSUER", "").rstrip("/")
OIDC_CLIENT_ID = os.environ.get("BRYGGA_OIDC_CLIENT_ID", "")
OIDC_CLIENT_SECRET = os.environ.get("BRYGGA_OIDC_CLIENT_SECRET", "")
OIDC_SCOPES = os.environ.get("BRYGGA_OIDC_SCOPES", "openid profile")
OIDC_TIMEOUT_SECONDS = env_int("BRYGGA_OIDC_TIMEOUT_SECONDS", 10)
# Logging out of Brygga also ends the session at the identity provider (RP-initiated logout).
OIDC_PROVIDER_LOGOUT = env_bool("BRYGGA_OIDC_PROVIDER_LOGOUT", True)
if OIDC_ISSUER and not (OIDC_CLIENT_ID and OIDC_CLIENT_SECRET):
    raise ImproperlyConfigured(
        "BRYGGA_OIDC_ISSUER is set: BRYGGA_OIDC_CLIENT_ID and BRYGGA_OIDC_CLIENT_SECRET are needed."
    )
if OIDC_ISSUER and ENVIRONMENT == "production" and not OIDC_ISSUER.startswith("https://"):
    raise ImproperlyConfigured("BRYGGA_OIDC_ISSUER must be an https:// URL in production.")
# The logout form's redirect ends at the provider: the CSP's form-action must allow it.
OIDC_FORM_ACTION = ["/".join(OIDC_ISSUER.split("/")[:3])] if OIDC_ISSUER else []
# SITHS card login through a TLS-terminating proxy (deploy/nginx/brygga-siths.conf) that
# verifies the card and passes its HSA-id in X-SITHS-HSA-ID. The header is believed only
# with the shared secret in X-Brygga-Proxy-Secret, from an address in TRUSTED_PROXIES.
SITHS_LOGIN = env_bool("BRYGGA_SITHS_LOGIN", False)
TRUSTED_PROXY_SECRET = os.environ.get("BRYGGA_TRUSTED_PROXY_SECRET", "")
TRUSTED_PROXIES = [
    p.strip()
    for p in os.environ.get("BRYGGA_TRUSTED_PROXIES", "127.0.0.1,::1").split(",")
    if p.strip()
]
for _proxy in TRUSTED_PROXIES:
    try:
        ipaddress.ip_network(_proxy, strict=False)
    except ValueError as error:
        raise ImproperlyConfigured(
            f"BRYGGA_TRUSTED_PROXIES: {_proxy!r} is not an IP address or network"
        ) from error
if SITHS_LOGIN and len(TRUSTED_PROXY_SECRET) < 32:
    raise ImproperlyConfigured(
        "BRYGGA_SITHS_LOGIN is on: BRYGGA_TRUSTED_PROXY_SECRET must be at least 32 characters."
    )

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "csp",
    "django_tasks",
    "django_tasks_db",
    "brygga.core",
    "brygga.audit",
    "brygga.directory",
    "brygga.patients",
    "brygga.cases",
    "brygga.payments",
    "brygga.reports",
    "brygga.administration",
    "brygga.support",
    "brygga.training",
    "brygga.reserve",
    "oauth2_provider",
    "brygga.fhir",
    "brygga.notifications",
    "brygga.directory_sync",
    "brygga.accounts",
    "brygga.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "brygga.core.middleware.RequestContextMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "brygga.accounts.middleware.SessionLifetimeMiddleware",
    "brygga.accounts.middleware.ActorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "brygga.core.middleware.SecurityHeadersMiddleware",
]

ROOT_URLCONF = "brygga.urls"
WSGI_APPLICATION = "brygga.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.template.context_processors.i18n",
                "django.contrib.messages.context_processors.messages",
                "brygga.accounts.context_processors.actor",
                "brygga.cases.context_processors.navigation_counts",
            ],
        },
    },
]

DATA_DIR = Path(os.environ.get("BRYGGA_DATA_DIR", PROJECT_DIR / "var"))
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{DATA_DIR / 'brygga.sqlite3'}", conn_max_age=60, conn_health_checks=True
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The embedded default: make sure its folder exists on a fresh clone.
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "directory.Person"
AUTHENTICATION_BACKENDS = ["brygga.accounts.authentication.DirectoryBackend"]
LOGIN_URL = "accounts:login"

# Sessions: idle timeout and absolute lifetime (enforced by SessionLifetimeMiddleware).
SESSION_IDLE_TIMEOUT = env_int("BRYGGA_SESSION_IDLE_SECONDS", 30 * 60)
SESSION_ABSOLUTE_LIFETIME = env_int("BRYGGA_SESSION_MAX_SECONDS", 12 * 60 * 60)
SESSION_COOKIE_AGE = SESSION_ABSOLUTE_LIFETIME
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SECURE_COOKIES = env_bool("BRYGGA_SECURE_COOKIES", ENVIRONMENT == "production")
SESSION_COOKIE_SECURE = SECURE_COOKIES
CSRF_COOKIE_SECURE = SECURE_COOKIES
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_NAME = "brygga_session"
CSRF_COOKIE_NAME = "brygga_csrftoken"
if ENVIRONMENT == "production":
    SECURE_SSL_REDIRECT = env_bool("BRYGGA_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = 31536000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Strict Content-Security-Policy: no inline script or style, nothing from other origins.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'", *OIDC_FORM_ACTION],
    }
}

LANGUAGE_CODE = "sv"
LANGUAGES = [("sv", _("Svenska")), ("en", _("Engelska"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Stockholm"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("BRYGGA_STATIC_ROOT", PROJECT_DIR / "staticfiles"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("BRYGGA_LOG_LEVEL", "INFO")},
}

# LUS deadlines (DOMAIN.md §3). D2's kind of day is configurable: sources disagree.
DEADLINES: dict[str, Any] = {
    "admission_notice_hours": env_int("BRYGGA_D1_HOURS", 24),
    "sip_call_days": env_int("BRYGGA_D2_DAYS", 3),
    "sip_call_day_kind": os.environ.get("BRYGGA_D2_DAY_KIND", "calendar"),
    "expected_date_notice_hours": env_int("BRYGGA_D5_HOURS", 24),
}

# The reserve routine: how often every unit's contingency list (beredskapslista) is written.
CONTINGENCY_INTERVAL_MINUTES = env_int("BRYGGA_CONTINGENCY_INTERVAL_MINUTES", 60)

# Follow-up statistics: cells based on fewer stays than this are hidden (small counts can
# identify patients). See docs/follow-up.md.
REPORTS_MIN_CELL_COUNT = env_int("BRYGGA_REPORTS_MIN_CELL_COUNT", 5)

# --- Background work and e-mail ------------------------------------------------------------
# Tasks are queued in the database (SQLite or PostgreSQL) and run by `manage.py db_worker`;
# `manage.py run_scheduler` enqueues the scheduled work below. See docs/operations.md.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
SCHEDULE: dict[str, dict[str, Any]] = {
    # name: {"task": dotted path of a task, "minutes": interval} or {"cron": crontab fields}
    "deliver_emails": {"task": "brygga.notifications.tasks.deliver_emails", "minutes": 1},
    "deadline_reminders": {
        "task": "brygga.notifications.tasks.send_deadline_reminders",
        "cron": os.environ.get("BRYGGA_DEADLINE_REMINDER_CRON", "0 7 * * *"),
    },
    "contingency_lists": {
        "task": "brygga.reserve.tasks.write_contingency_lists",
        "minutes": CONTINGENCY_INTERVAL_MINUTES,
    },
}
# --- Directory sync (LDAP) -----------------------------------------------------------------
# The directory (units, persons, commissions) from the region's HSA/EK over LDAP, see
# docs/directory-sync.md. Off until BRYGGA_LDAP_URL is set. Base DNs are separated by ";".
LDAP_URL = os.environ.get("BRYGGA_LDAP_URL", "")
LDAP_BIND_DN = os.environ.get("BRYGGA_LDAP_BIND_DN", "")
LDAP_BIND_PASSWORD = os.environ.get("BRYGGA_LDAP_BIND_PASSWORD", "")
LDAP_BASE_DNS = [
    b.strip() for b in os.environ.get("BRYGGA_LDAP_BASE_DNS", "").split(";") if b.strip()
]
LDAP_START_TLS = env_bool("BRYGGA_LDAP_STARTTLS", False)
LDAP_CA_FILE = os.environ.get("BRYGGA_LDAP_CA_FILE", "")
LDAP_PAGE_SIZE = env_int("BRYGGA_LDAP_PAGE_SIZE", 1000)
LDAP_TIMEOUT_SECONDS = env_int("BRYGGA_LDAP_TIMEOUT_SECONDS", 30)
# An incremental sync reads what changed since the last run's newest change, less this margin.
LDAP_INCREMENTAL_OVERLAP_SECONDS = env_int("BRYGGA_LDAP_INCREMENTAL_OVERLAP_SECONDS", 300)
# A full sync that finds more than this share of the synced rows gone (and more than 50)
# changes nothing and fails: more likely a fault than a reorganisation.
LDAP_MAX_REMOVAL_PERCENT = env_int("BRYGGA_LDAP_MAX_REMOVAL_PERCENT", 10)
if LDAP_URL and not LDAP_BASE_DNS:
    raise ImproperlyConfigured("BRYGGA_LDAP_URL is set: BRYGGA_LDAP_BASE_DNS is needed too.")
if (
    LDAP_URL
    and ENVIRONMENT == "production"
    and not (LDAP_URL.startswith("ldaps://") or LDAP_START_TLS or LDAP_URL.startswith("ldapi://"))
):
    raise ImproperlyConfigured(
        "BRYGGA_LDAP_URL must be ldaps:// (or set BRYGGA_LDAP_STARTTLS=1) in production: "
        "the bind password must not travel in clear text."
    )
DIRECTORY_SYNC_SCHEDULE: dict[str, dict[str, Any]] = {
    "directory_sync_incremental": {
        "task": "brygga.directory_sync.tasks.sync_directory_incremental",
        "minutes": env_int("BRYGGA_LDAP_INCREMENTAL_MINUTES", 15),
    },
    "directory_sync_full": {
        "task": "brygga.directory_sync.tasks.sync_directory_full",
        "cron": os.environ.get("BRYGGA_LDAP_FULL_SYNC_CRON", "30 2 * * *"),
    },
}
if LDAP_URL:
    SCHEDULE |= DIRECTORY_SYNC_SCHEDULE
if ENVIRONMENT == "training":
    SCHEDULE["training_reset"] = {
        "task": "brygga.training.tasks.reset_training",
        "cron": os.environ.get("BRYGGA_TRAINING_RESET_CRON", "30 3 * * *"),
    }
# Brygga's own address, for links in e-mails (which never carry patient data).
BASE_URL = os.environ.get("BRYGGA_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
# New-notice e-mails to units' functional mailboxes: on when a mail server is configured.
SMTP_HOST = os.environ.get("BRYGGA_SMTP_HOST", "")
NOTICE_EMAILS = env_bool("BRYGGA_NOTICE_EMAILS", bool(SMTP_HOST))
EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
EMAIL_HOST = SMTP_HOST or "127.0.0.1"
EMAIL_PORT = env_int("BRYGGA_SMTP_PORT", 25)
EMAIL_HOST_USER = os.environ.get("BRYGGA_SMTP_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("BRYGGA_SMTP_PASSWORD", "")
EMAIL_USE_TLS = env_bool("BRYGGA_SMTP_STARTTLS", False)
EMAIL_TIMEOUT = env_int("BRYGGA_SMTP_TIMEOUT", 10)
DEFAULT_FROM_EMAIL = os.environ.get("BRYGGA_EMAIL_FROM", "Brygga <noreply@brygga.example.se>")

# The FHIR API (docs/fhir.md): OAuth 2.0 client credentials through django-oauth-toolkit.
# Tokens are short-lived; a system client asks for a new one when it expires.
OAUTH2_PROVIDER = {
    "SCOPES": {
        "system/*.read": "Read cases, notices and the directory for the client's units",
        "system/*.write": "Open cases and send notices for the client's units",
        "system/AuditEvent.read": "Read patients' access logs as AuditEvent",
    },
    "DEFAULT_SCOPES": ["system/*.read"],
    "ACCESS_TOKEN_EXPIRE_SECONDS": env_int("BRYGGA_API_TOKEN_SECONDS", 600),
    "OAUTH2_VALIDATOR_CLASS": "brygga.fhir.oauth.ClientCredentialsValidator",
    "PKCE_REQUIRED": True,
}
# Named explicitly: brygga.fhir.ApiClient links to it (a swappable model's migrations need it).
OAUTH2_PROVIDER_APPLICATION_MODEL = "oauth2_provider.Application"
# How many resources a FHIR search returns per page unless the client asks (_count).
FHIR_PAGE_SIZE = env_int("BRYGGA_FHIR_PAGE_SIZE", 50)
