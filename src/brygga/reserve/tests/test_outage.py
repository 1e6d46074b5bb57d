"""When the database cannot be reached, Brygga still answers: the outage page and health.

The application is started in its own process with a database that cannot be reached (a
PostgreSQL port nobody listens on, or an SQLite file in a folder that does not exist) and
requested over HTTP, as a browser or a monitoring probe would.
"""

from __future__ import annotations

import http.client
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.test import Client

from brygga.testing import free_port

ROOT = Path(__file__).resolve().parents[4]
SERVE = """
import os, sys
from wsgiref.simple_server import WSGIRequestHandler, make_server
from django.core.wsgi import get_wsgi_application

class Quiet(WSGIRequestHandler):
    def log_message(self, *args):
        pass

app = get_wsgi_application()
make_server("127.0.0.1", int(sys.argv[1]), app, handler_class=Quiet).serve_forever()
"""
UNREACHABLE = {
    "postgresql": "postgres://postgres@127.0.0.1:9/brygga_unreachable",
    "sqlite": "sqlite:////nonexistent-brygga-folder/brygga.sqlite3",
}


@pytest.fixture(params=sorted(UNREACHABLE))
def server_without_database(request: pytest.FixtureRequest) -> Iterator[str]:
    port = free_port()
    env = os.environ | {
        "DJANGO_SETTINGS_MODULE": "brygga.settings",
        "DATABASE_URL": UNREACHABLE[request.param],
        "BRYGGA_ENVIRONMENT": "test",
        "BRYGGA_DEBUG": "0",
        "PYTHONPATH": str(ROOT / "src"),
    }
    command = [sys.executable, "-c", SERVE, str(port)]
    process = subprocess.Popen(command, env=env, cwd=ROOT)  # noqa: S603 (our own script)
    base = str(port)
    try:
        for _ in range(100):
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                    break
            except OSError:
                time.sleep(0.1)
        else:
            pytest.fail("the application did not start")
        yield base
    finally:
        process.terminate()
        process.wait(timeout=10)


def get(url: str, *, session: str = "") -> tuple[int, str]:
    """GET port/path on loopback, following redirects within Brygga."""
    port, path = url.split("/", 1)
    path = "/" + path
    for _ in range(5):
        connection = http.client.HTTPConnection("127.0.0.1", int(port), timeout=10)
        try:
            headers = {"Cookie": f"sessionid={session}"} if session else {}
            connection.request("GET", path, headers=headers)
            response = connection.getresponse()
            body = response.read().decode("utf-8", "replace")
            if response.status not in (301, 302):
                return int(response.status), body
            path = response.getheader("Location", "/")
        finally:
            connection.close()
    raise AssertionError("too many redirects")


@pytest.mark.parametrize("path", ["/", "/konto/logga-in/", "/arenden/", "/arenden/1/"])
@pytest.mark.parametrize("session", ["", "a-logged-in-session"])
def test_every_page_explains_the_reserve_routine_instead_of_failing(
    server_without_database: str, path: str, session: str
) -> None:
    status, body = get(server_without_database + path, session=session)
    assert status == 503
    assert "Brygga går inte att nå just nu" in body
    assert "reservrutinen" in body
    assert "efterregistrera" in body
    assert "/static/brygga/blanketter/index.html" in body
    assert "Traceback" not in body and "OperationalError" not in body


def test_health_says_alive_but_not_ready(server_without_database: str) -> None:
    assert get(server_without_database + "/halsa/") == (200, '{"status": "ok"}')
    status, body = get(server_without_database + "/halsa/redo/")
    assert status == 503 and "unreachable" in body


@pytest.mark.parametrize(
    "path",
    [
        "/static/brygga/brygga.css",
        "/static/brygga/blanketter/index.html",
        "/static/brygga/blanketter/inskrivningsmeddelande.pdf",
        "/static/brygga/blanketter/utskrivningsklar.pdf",
    ],
)
def test_the_blank_forms_stay_downloadable(server_without_database: str, path: str) -> None:
    status, _ = get(server_without_database + path)
    assert status == 200


@pytest.mark.django_db
def test_with_the_database_up_brygga_is_ready() -> None:
    response = Client().get("/halsa/redo/")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}
