"""Gunicorn settings for Brygga in production (docs/operations.md, docs/scaling.md).

    gunicorn -c deploy/gunicorn.conf.py brygga.wsgi

Everything that differs between installations comes from the environment, like the rest of
Brygga's settings:

- BRYGGA_BIND: where to listen (default 127.0.0.1:8000: behind nginx on the same host; a
  load balancer on another host needs e.g. 0.0.0.0:8000 and a firewall).
- BRYGGA_WEB_WORKERS: worker processes (default 2 per core + 1; each holds one PostgreSQL
  connection, so count them against max_connections over all app servers).
- BRYGGA_WEB_TIMEOUT: seconds before a silent worker is killed and restarted (default 60:
  the heaviest pages, a year's follow-up figures or an invoicing PDF, take a few seconds).
- BRYGGA_WEB_MAX_REQUESTS: a worker is replaced after this many requests, plus up to a tenth
  at random so the workers do not all restart at once (default 5000; 0 turns it off).
- BRYGGA_WEB_ACCESS_LOG: "-" for stdout (the journal), a file path, or empty for none
  (default none: nginx logs the requests, and Brygga's own access log records every read of
  patient data in the database).
- BRYGGA_TRUSTED_PROXIES: the proxies whose X-Forwarded-* headers are believed — the same
  variable Brygga's settings read for the SITHS header, so gunicorn and Django trust the
  same addresses.
- BRYGGA_GUNICORN_CONTROL_SOCKET: a path for gunicorn's control socket (`gunicornc`); off
  unless set, so that several instances on one host do not share the default path.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
from typing import Any


def _int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


wsgi_app = "brygga.wsgi:application"
bind = [os.environ.get("BRYGGA_BIND", "127.0.0.1:8000")]
workers = _int("BRYGGA_WEB_WORKERS", multiprocessing.cpu_count() * 2 + 1)
worker_class = "sync"  # one request per process at a time: Django's ORM and psycopg are blocking
timeout = _int("BRYGGA_WEB_TIMEOUT", 60)
graceful_timeout = 30
keepalive = 5  # behind nginx with keepalive to the upstream
max_requests = _int("BRYGGA_WEB_MAX_REQUESTS", 5000)
max_requests_jitter = max_requests // 10
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None  # noqa: S108 (heartbeat file)

# Load Django once in the master and fork the workers from it: they share the pages of the
# loaded code (copy on write) and start in milliseconds. A code change needs a restart
# (systemctl restart), not a HUP, to be loaded.
preload_app = True

_access_log = os.environ.get("BRYGGA_WEB_ACCESS_LOG", "")
accesslog = _access_log or None
errorlog = "-"
loglevel = os.environ.get("BRYGGA_LOG_LEVEL", "info").lower()
proc_name = "brygga"

# X-Forwarded-Proto and -For only from the proxies Brygga trusts (settings.TRUSTED_PROXIES).
forwarded_allow_ips = os.environ.get("BRYGGA_TRUSTED_PROXIES", "127.0.0.1,::1")

_control_socket = os.environ.get("BRYGGA_GUNICORN_CONTROL_SOCKET", "")
if _control_socket:
    control_socket = _control_socket
else:
    control_socket_disable = True


def when_ready(server: Any) -> None:
    """In the master, after the app is loaded and before the first fork: import every view
    (the URLconf) so the workers inherit it, close any database connection the import may
    have opened (a connection must not be shared across fork), and move everything loaded
    so far out of the garbage collector's reach (gc.freeze), so that the workers' full
    collections only walk what requests create and the shared pages are not written to."""
    if not preload_app:
        return
    from django.db import connections
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018 (imports every app's views)
    connections.close_all()
    gc.collect()
    gc.freeze()
    server.log.info("gc.freeze(): %d objects left out of garbage collection", gc.get_freeze_count())
