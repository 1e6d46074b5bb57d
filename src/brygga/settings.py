"""Brygga settings. Everything that differs between installations comes from the environment.

See README.md, section "Configuration", for every variable.
"""

from __future__ import annotations

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

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "csp",
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
        "form-action": ["'self'"],
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
