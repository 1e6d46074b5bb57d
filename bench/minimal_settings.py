"""Brygga's settings with a one-view URLconf: the baseline of bench/load.py.

Served by the same gunicorn configuration (deploy/gunicorn.conf.py) with
DJANGO_SETTINGS_MODULE=bench.minimal_settings and the repository root on the Python path.
Never used in production: nothing in brygga imports it, and brygga.urls does not route to
its view.

BRYGGA_BENCH_BARE=1 also drops every middleware, for the cost of Django and gunicorn alone.
"""

from __future__ import annotations

import os

from brygga.settings import *  # noqa: F403

ROOT_URLCONF = "bench.minimal_urls"
if os.environ.get("BRYGGA_BENCH_BARE") == "1":
    MIDDLEWARE = []
