"""Load benchmark: Brygga under gunicorn (deploy/gunicorn.conf.py) with PostgreSQL on loopback.

Needs a region-year in the database of DATABASE_URL (default brygga_bench_load), generated
first with `bench/region_year.py --generate-only`. Then:

1. creates real sessions server-side for staff of the generated directory (the accounts
   app's own `start_session` and `choose_commission`, as a login through the identity
   provider does; no demo login, which production does not have): ward staff of the busiest
   inpatient units, primary-care staff, managers of social-services units;
2. starts gunicorn on 127.0.0.1 (a free port) in production mode — BRYGGA_ENVIRONMENT=
   production, HTTPS as a TLS-terminating proxy reports it (X-Forwarded-Proto), secure
   cookies, CSRF with Origin checks — with the settings of deploy/gunicorn.conf.py;
3. drives it with Locust (bench/load_mix.py), closed loop, no think time, stepping the
   number of simultaneous users (1, 2, 4, … each for a fixed time) and records requests/s,
   p50, p95 and errors per step;
4. does the same against a minimal Django view (bench/minimal_urls.py) served by the same
   gunicorn and settings with the full middleware and a logged-in session ("minimal"), and
   with no middleware at all ("bare");
5. reports, per scenario, the highest throughput of a step with p95 < 200 ms and no errors,
   and the mix's as a ratio of the minimal view's.

`--app-processes 2` starts two gunicorn masters on two ports against the same database and
sends every user's requests to them in turn (no stickiness), after checking that a notice
recorded through one process is seen, and acknowledged, through the other.

The load generator and the servers share the machine's cores: the figures are what one
machine does with both, not what a server does when the load comes from elsewhere.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/brygga_bench_load \\
        .venv/bin/python bench/region_year.py --generate-only        # once
    DATABASE_URL=... .venv/bin/python bench/load.py                  # ~8 minutes
    DATABASE_URL=... .venv/bin/python bench/load.py --app-processes 2
    DATABASE_URL=... .venv/bin/python bench/load.py --users 1 4 16 --step-seconds 10
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

REPO = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/brygga_bench_load"
TARGET_P95_MS = 200.0
# The key the region-year's access-log rows were chained with when region_year.py ran
# without BRYGGA_AUDIT_CHAIN_KEY or BRYGGA_SECRET_KEY (the settings' development default):
# the server appends to those chains, so verify_audit_chain still passes afterwards.
DEVELOPMENT_KEY = "brygga-insecure-development-key-not-for-production"
BENCH_SECRET = "brygga-bench-load-" + "x" * 40  # loopback benchmark only
KINDS = ("ward", "municipality", "ward", "primary")  # half the users ward staff


def say(message: str) -> None:
    print(message, flush=True)


def loadavg() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


def server_env(database_url: str) -> dict[str, str]:
    """The production environment the app servers (and the session preparation) run in."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BRYGGA_", "DJANGO_"))} | {
        "DATABASE_URL": database_url,
        "BRYGGA_ENVIRONMENT": "production",
        "BRYGGA_SECRET_KEY": os.environ.get("BRYGGA_SECRET_KEY", BENCH_SECRET),
        "BRYGGA_AUDIT_CHAIN_KEY": os.environ.get(
            "BRYGGA_AUDIT_CHAIN_KEY", os.environ.get("BRYGGA_SECRET_KEY", DEVELOPMENT_KEY)
        ),
        "BRYGGA_BEHIND_PROXY": "1",
        "BRYGGA_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "BRYGGA_TRUSTED_PROXIES": "127.0.0.1",
        "BRYGGA_LOG_LEVEL": "WARNING",
        "PYTHONPATH": str(REPO),
    }
    return env


# --- Sessions (run in a child process: Django without Locust's gevent patching) ------------


def prepare(
    out: Path, sessions: int, units_per_kind: int, cases_per_user: int, spread: bool
) -> None:
    """Create `sessions` logged-in sessions and one pair for the cross-process check."""
    sys.path.insert(0, str(REPO / "src"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "brygga.settings")
    import django

    django.setup()
    from django.db.models import Count
    from django.test import RequestFactory
    from django.utils import timezone

    from brygga.accounts.session import choose_commission, start_session
    from brygga.cases.access import active_cases
    from brygga.cases.models import OPEN_STATES, CaseParty, CaseState, PartyRole
    from brygga.core.actor import Actor
    from brygga.directory.models import INPATIENT_CARE_TYPES, CareType, Commission, Role

    sys.path.insert(0, str(REPO / "bench"))
    from region_year import marker

    if marker() is None:
        raise SystemExit(
            "No region-year in this database: run bench/region_year.py --generate-only with "
            "the same DATABASE_URL first."
        )
    today = timezone.localdate()
    valid = Commission.objects.valid(today).select_related("person", "unit")
    open_parties = CaseParty.objects.filter(active=True, case__state__in=OPEN_STATES)
    busiest = dict(open_parties.values_list("unit").annotate(n=Count("pk")))

    def units(care_types: Any, role: str) -> list[Any]:
        with_role = set(
            valid.filter(unit__care_type__in=care_types, role=role).values_list("unit", flat=True)
        )
        ranked = sorted((u for u in busiest if u in with_role), key=lambda u: (-busiest[u], u))
        if spread:  # evenly over the ranking, the busiest first: most units are not the busiest
            step = max(1.0, len(ranked) / units_per_kind)
            return [ranked[int(i * step)] for i in range(min(units_per_kind, len(ranked)))]
        return ranked[:units_per_kind]

    plan = {
        "ward": (units(INPATIENT_CARE_TYPES, Role.USER), Role.USER),
        "primary": (units({CareType.PRIMARY_CARE}, Role.USER), Role.USER),
        "municipality": (units({CareType.SOCIAL_SERVICES}, Role.MANAGER), Role.MANAGER),
    }
    factory = RequestFactory()

    def log_in(commission: Any) -> str:
        request = factory.get("/")
        from django.contrib.sessions.backends.db import SessionStore

        request.session = SessionStore()
        start_session(request, commission.person, method="bench", details={"bench": "load"})
        choose_commission(request, commission.person, commission)
        request.session.save()
        return str(request.session.session_key)

    personas = []
    used: dict[str, int] = {}
    for number in range(sessions):
        kind = KINDS[number % len(KINDS)]
        unit_ids, role = plan[kind]
        if not unit_ids:
            raise SystemExit(f"no {kind} unit with open cases and a {role} commission")
        index = used.get(kind, 0)
        used[kind] = index + 1
        unit_id = unit_ids[index % len(unit_ids)]
        staff = list(valid.filter(unit_id=unit_id, role=role).order_by("pk"))
        commission = staff[(index // len(unit_ids)) % len(staff)]
        actor = Actor(person=commission.person, commission=commission)
        cases = list(
            active_cases(actor)
            .filter(state__in=OPEN_STATES)
            .order_by("-pk")  # the newest: the ones being worked on
            .values_list("pk", flat=True)[:cases_per_user]
        )
        personas.append(
            {
                "kind": kind,
                "unit": commission.unit.name,
                "open": busiest[unit_id],
                "session": log_in(commission),
                "cases": cases or [0],
                "statistics": role == Role.MANAGER,
            }
        )
    # A case with an active ward party and an active social-services party, both with staff.
    staffed = set(valid.filter(role=Role.USER).values_list("unit", flat=True))
    ward_party = CaseParty.objects.filter(
        active=True, role=PartyRole.INPATIENT, unit_id__in=staffed
    )
    check_case = (
        CaseParty.objects.filter(
            active=True,
            role=PartyRole.MUNICIPALITY,
            unit__care_type=CareType.SOCIAL_SERVICES,
            unit_id__in=staffed,
            case__state__in=[CaseState.PLANNING, CaseState.READY],
            case__in=ward_party.values("case"),
        )
        .order_by("case_id")
        .values_list("case_id", "unit_id")
        .first()
    )
    check = None
    if check_case is not None:
        case_id, other_unit = check_case
        ward_unit = ward_party.filter(case_id=case_id).values_list("unit_id", flat=True)[0]
        users = valid.filter(role=Role.USER).order_by("pk")
        check = {
            "case": case_id,
            "ward": log_in(users.filter(unit_id=ward_unit).first()),
            "municipality": log_in(users.filter(unit_id=other_unit).first()),
        }
    out.write_text(json.dumps({"personas": personas, "check": check}))


# --- App servers -----------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def request(
    port: int,
    method: str,
    path: str,
    cookies: dict[str, str] | None = None,
    body: dict[str, str] | None = None,
) -> tuple[int, dict[str, str], str, list[str]]:
    """One request as nginx would pass it on: (status, headers, text, Set-Cookie values)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {
        "Host": f"127.0.0.1:{port}",
        "X-Forwarded-Proto": "https",
        "Origin": f"https://127.0.0.1:{port}",
    }
    if cookies:
        headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in cookies.items())
    data = None
    if body is not None:
        data = urlencode(body)
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    try:
        connection.request(method, path, body=data, headers=headers)
        response = connection.getresponse()
        text = response.read().decode("utf-8", "replace")
        return (
            response.status,
            {k.lower(): v for k, v in response.getheaders()},
            text,
            response.headers.get_all("Set-Cookie") or [],
        )
    finally:
        connection.close()


@dataclass
class Server:
    port: int
    process: subprocess.Popen[bytes]
    log: Path


def start_server(
    env: dict[str, str], settings: str, workers: int, bare: bool, logdir: Path
) -> Server:
    port = free_port()
    log = logdir / f"gunicorn-{port}.log"
    server_environment = env | {
        "DJANGO_SETTINGS_MODULE": settings,
        "BRYGGA_BIND": f"127.0.0.1:{port}",
        "BRYGGA_WEB_WORKERS": str(workers),
        "BRYGGA_STATIC_ROOT": str(logdir / "static"),
    }
    if bare:
        server_environment["BRYGGA_BENCH_BARE"] = "1"
    (logdir / "static").mkdir(exist_ok=True)
    with log.open("wb") as output:
        process = subprocess.Popen(  # noqa: S603 (our own venv's gunicorn, fixed arguments)
            [
                str(Path(sys.executable).parent / "gunicorn"),
                "-c",
                str(REPO / "deploy" / "gunicorn.conf.py"),
            ],
            cwd=REPO,
            env=server_environment,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"gunicorn exited ({process.returncode}):\n{log.read_text()[-3000:]}")
        try:
            request(port, "GET", "/minimal/" if settings.startswith("bench.") else "/")
            return Server(port, process, log)
        except OSError:
            time.sleep(0.3)
    stop_server(Server(port, process, log))
    raise SystemExit(f"gunicorn on port {port} did not answer within 60 s")


def stop_server(server: Server) -> None:
    if server.process.poll() is None:
        server.process.send_signal(signal.SIGTERM)  # graceful: the master stops its workers
        try:
            server.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.process.pid, signal.SIGKILL)
            server.process.wait(timeout=10)


@contextmanager
def servers(
    env: dict[str, str], count: int, settings: str, workers: int, bare: bool, logdir: Path
) -> Iterator[list[Server]]:
    started: list[Server] = []
    try:
        for _ in range(count):
            started.append(start_server(env, settings, workers, bare, logdir))
        yield started
    finally:
        for server in started:
            stop_server(server)


# --- The check across two app processes --------------------------------------------------------

HIDDEN = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)"')


class Browser:
    """A logged-in user's cookies, sending each request to the app process given."""

    def __init__(self, session: str) -> None:
        self.cookies = {"brygga_session": session}

    def go(self, port: int, method: str, path: str, body: dict[str, str] | None = None) -> Any:
        status, headers, text, set_cookies = request(port, method, path, self.cookies, body)
        for value in set_cookies:
            name, _, rest = value.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]
        return status, headers, text


def check_across(check: dict[str, Any], first: int, second: int) -> str:
    """A message recorded through the first process is seen and acknowledged through the
    second; the acknowledgement is seen through the first. Returns a one-line account."""
    case = f"/arenden/{check['case']}/"
    ward, other = Browser(check["ward"]), Browser(check["municipality"])
    status, _, form = ward.go(first, "GET", f"{case}meddelande/")
    if status != 200:
        raise SystemExit(f"check: the message form answered {status} on port {first}")
    marker = f"Belastningstest över två appservrar {uuid.uuid4().hex[:10]}"
    fields = dict(HIDDEN.findall(form.split('<form method="post"', 1)[-1])) | {"text": marker}
    status, _, _ = ward.go(first, "POST", f"{case}meddelande/", fields)
    if status != 302:
        raise SystemExit(f"check: recording the message answered {status} on port {first}")
    status, _, page = other.go(second, "GET", case)
    if status != 200 or marker not in page or "/kvittera/" not in page:
        raise SystemExit(f"check: the message is not shown to be acknowledged on port {second}")
    token = dict(HIDDEN.findall(page.split("/kvittera/", 1)[1].split("</form>", 1)[0]))
    status, _, _ = other.go(second, "POST", f"{case}kvittera/", token)
    if status != 302:
        raise SystemExit(f"check: acknowledging answered {status} on port {second}")
    status, _, page = other.go(first, "GET", case)
    if status != 200 or marker not in page or "/kvittera/" in page:
        raise SystemExit(f"check: the acknowledgement is not seen on port {first}")
    return (
        f"check: a message recorded through :{first} was shown and acknowledged through "
        f":{second}, and the acknowledgement was seen through :{first} (case {check['case']})"
    )


# --- CPU time: what a request costs, whatever else runs on the machine -----------------------

TICK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """User + system CPU of a process (0 if it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / TICK  # utime, stime


class CpuMeter:
    """CPU used by the app servers' workers and by the PostgreSQL backends of the benchmark
    database, sampled often enough that a worker or backend that ends loses little."""

    def __init__(self, masters: list[int], database: str) -> None:
        self.masters = set(masters)
        self.database = database.encode()
        self.start: dict[int, float] = {}
        self.last: dict[int, float] = {}
        self.kind: dict[int, str] = {}

    def pids(self) -> dict[int, str]:
        found: dict[int, str] = {}
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                stat = (entry / "stat").read_text()
                cmdline = (entry / "cmdline").read_bytes()
            except OSError:
                continue
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            if ppid in self.masters:
                found[int(entry.name)] = "app"
            elif cmdline.startswith(b"postgres: ") and b" " + self.database + b" " in cmdline:
                found[int(entry.name)] = "db"
        return found

    def sample(self) -> None:
        for pid, kind in self.pids().items():
            self.kind[pid] = kind
            self.last[pid] = cpu_seconds(pid)

    def begin(self) -> None:
        self.sample()
        self.start = dict(self.last)

    def used(self) -> dict[str, float]:
        self.sample()
        totals = {"app": 0.0, "db": 0.0}
        for pid, last in self.last.items():
            totals[self.kind[pid]] += last - self.start.get(pid, 0.0)
        return totals


# --- Load steps ----------------------------------------------------------------------------


@dataclass
class Step:
    users: int
    seconds: float
    requests: int
    failures: int
    rps: float
    p50: float
    p95: float
    post_share: float
    conflicts: int
    load: str
    app_ms: float = 0.0  # CPU ms per request: gunicorn workers, PostgreSQL, Locust
    db_ms: float = 0.0
    gen_ms: float = 0.0
    pages: dict[str, tuple[int, float, float]] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)

    @property
    def passes(self) -> bool:
        return self.requests > 0 and self.failures == 0 and self.p95 < TARGET_P95_MS

    def line(self) -> str:
        return (
            f"{self.users:>5} {self.requests:>8} {self.rps:>8.1f} {self.p50:>7.0f} "
            f"{self.p95:>7.0f} {self.failures:>6} {self.post_share:>6.1%} {self.conflicts:>5} "
            f"{self.app_ms:>5.1f} {self.db_ms:>5.1f} {self.gen_ms:>5.1f} "
            f"{self.load:>15}  {'ok' if self.passes else '-'}"
        )


HEADER = (
    f"{'users':>5} {'requests':>8} {'req/s':>8} {'p50 ms':>7} {'p95 ms':>7} {'errors':>6} "
    f"{'POST':>6} {'409':>5} {'app':>5} {'db':>5} {'gen':>5} {'load average':>15}  "
    f"p95<{TARGET_P95_MS:.0f}"
)


def run_steps(
    hosts: list[str],
    mode: str,
    personas: list[dict[str, Any]],
    users: list[int],
    step_seconds: float,
    settle_seconds: float,
    meter: CpuMeter,
) -> list[Step]:
    import itertools

    import gevent
    from load_mix import Staff
    from locust.env import Environment

    Staff.personas, Staff.hosts, Staff.mode = personas, hosts, mode
    Staff.conflicts, Staff.skipped_writes = 0, 0
    Staff._numbers = itertools.count()
    environment = Environment(user_classes=[Staff])
    runner = environment.create_local_runner()
    steps: list[Step] = []
    try:
        for count in users:
            runner.start(count, spawn_rate=max(count, 10), wait=False)
            gevent.sleep(settle_seconds)  # spawned, connections open, pages in cache
            environment.stats.reset_all()
            conflicts = Staff.conflicts
            meter.begin()
            generator = sum(os.times()[:2])
            started = time.monotonic()
            while time.monotonic() - started < step_seconds:
                gevent.sleep(0.5)
                meter.sample()
            elapsed = time.monotonic() - started
            used = meter.used()
            generator = sum(os.times()[:2]) - generator
            total = environment.stats.total
            entries = list(environment.stats.entries.values())
            posts = sum(e.num_requests for e in entries if e.name.startswith("POST"))
            step = Step(
                users=count,
                seconds=elapsed,
                requests=total.num_requests,
                failures=total.num_failures,
                rps=total.num_requests / elapsed,
                p50=float(total.get_response_time_percentile(0.5) or 0),
                p95=float(total.get_response_time_percentile(0.95) or 0),
                post_share=posts / max(1, total.num_requests),
                conflicts=Staff.conflicts - conflicts,
                load=loadavg(),
                app_ms=1000 * used["app"] / max(1, total.num_requests),
                db_ms=1000 * used["db"] / max(1, total.num_requests),
                gen_ms=1000 * generator / max(1, total.num_requests),
                pages={
                    e.name: (
                        e.num_requests,
                        float(e.get_response_time_percentile(0.5) or 0),
                        float(e.get_response_time_percentile(0.95) or 0),
                    )
                    for e in entries
                },
                errors=[
                    f"{e.occurrences}× {e.name}: {e.error}"
                    for e in list(environment.stats.errors.values())[:5]
                ],
            )
            steps.append(step)
            say(step.line())
            for error in step.errors:
                say(f"      {error}")
            if step.p95 > 5 * TARGET_P95_MS or step.failures > 0.05 * max(1, step.requests):
                say("      (stopping: far past the target)")
                break
    finally:
        runner.quit()
    return steps


def best(steps: list[Step]) -> Step | None:
    passing = [s for s in steps if s.passes]
    return max(passing, key=lambda s: s.rps) if passing else None


# --- Main --------------------------------------------------------------------------------------

SCENARIOS = {
    # name: (settings module, bare, Locust mode, description)
    "mix": ("brygga.settings", False, "mix", "Brygga, the three parties' mix"),
    "minimal": (
        "bench.minimal_settings",
        False,
        "minimal",
        "minimal view, full middleware, logged in",
    ),
    "bare": ("bench.minimal_settings", True, "minimal", "minimal view, no middleware"),
}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--users", type=int, nargs="+", default=[1, 2, 4, 8, 16, 32])
    parser.add_argument("--step-seconds", type=float, default=20.0)
    parser.add_argument("--settle-seconds", type=float, default=3.0)
    parser.add_argument(
        "--workers", type=int, default=0, help="gunicorn workers per app process (default: conf)"
    )
    parser.add_argument("--app-processes", type=int, choices=[1, 2], default=1)
    parser.add_argument(
        "--scenarios",
        nargs="+",
        choices=sorted(SCENARIOS),
        help="default: mix minimal bare (with --app-processes 2: mix)",
    )
    parser.add_argument("--units-per-kind", type=int, default=8)
    parser.add_argument(
        "--units",
        choices=["spread", "busiest"],
        default="spread",
        help="staff of units spread over the ranking by open cases (default), or the busiest",
    )
    parser.add_argument("--cases-per-user", type=int, default=200)
    parser.add_argument("--prepare", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()

    database_url = os.environ.get("DATABASE_URL", DEFAULT_DATABASE_URL)
    if urlsplit(database_url).hostname not in {"127.0.0.1", "localhost", "::1"}:
        raise SystemExit("bench/load.py runs against PostgreSQL on loopback only")
    sessions = max(args.users)
    if args.prepare:
        prepare(
            args.prepare,
            sessions,
            args.units_per_kind,
            args.cases_per_user,
            args.units == "spread",
        )
        return

    env = server_env(database_url)
    scenarios = args.scenarios or (["mix"] if args.app_processes == 2 else list(SCENARIOS))
    import multiprocessing

    workers = args.workers or multiprocessing.cpu_count() * 2 + 1
    say(
        f"database {urlsplit(database_url).path.lstrip('/')}; {multiprocessing.cpu_count()} "
        f"cores shared by the load generator (Locust, one process) and {args.app_processes} "
        f"gunicorn master(s) × {workers} sync workers; load average {loadavg()}"
    )
    with tempfile.TemporaryDirectory(prefix="brygga-load-") as temp:
        logdir = Path(temp)
        prepared = logdir / "sessions.json"
        subprocess.run(  # noqa: S603 (this script, in a child without gevent)
            [
                sys.executable,
                __file__,
                *("--prepare", str(prepared), "--users", *map(str, args.users)),
                *("--units-per-kind", str(args.units_per_kind)),
                *("--cases-per-user", str(args.cases_per_user)),
                *("--units", args.units),
            ],
            env=env | {"DJANGO_SETTINGS_MODULE": "brygga.settings"},
            check=True,
        )
        data = json.loads(prepared.read_text())
        personas = data["personas"]
        counts: dict[str, int] = {}
        for persona in personas:
            counts[persona["kind"]] = counts.get(persona["kind"], 0) + 1
        say(
            f"{len(personas)} sessions: "
            + ", ".join(f"{n} {kind}" for kind, n in counts.items())
            + f" (of {len({p['unit'] for p in personas})} units with "
            + f"{min(p['open'] for p in personas)}–{max(p['open'] for p in personas)} open cases)"
        )
        sys.path.insert(0, str(REPO / "bench"))
        import gevent.monkey  # noqa: F401 (Locust patches on import; before any socket use)
        import locust  # noqa: F401

        results: dict[str, list[Step]] = {}
        for name in scenarios:
            settings, bare, mode, description = SCENARIOS[name]
            with servers(env, args.app_processes, settings, workers, bare, logdir) as started:
                ports = [s.port for s in started]
                hosts = [f"http://127.0.0.1:{port}" for port in ports]
                if args.app_processes == 2 and name == "mix":
                    if data["check"] is None:
                        say("check: no case with a ward and a social-services party found")
                    else:
                        say(check_across(data["check"], ports[0], ports[1]))
                say(f"\n{name}: {description} — gunicorn on {', '.join(map(str, ports))}")
                say(HEADER)
                say("      (app, db, gen: CPU ms per request of gunicorn, PostgreSQL, Locust)")
                meter = CpuMeter(
                    [s.process.pid for s in started], urlsplit(database_url).path.lstrip("/")
                )
                results[name] = run_steps(
                    hosts,
                    mode,
                    personas,
                    args.users,
                    args.step_seconds,
                    args.settle_seconds,
                    meter,
                )
        summarise(results, args.app_processes, workers)


def summarise(results: dict[str, list[Step]], processes: int, workers: int) -> None:
    say("")
    tops = {name: best(steps) for name, steps in results.items()}
    mix = tops.get("mix")
    shown = mix or (results["mix"][-1] if results.get("mix") else None)
    if shown is not None:
        say(f"mix at {shown.users} users, per page (requests, p50 ms, p95 ms):")
        for page, (n, p50, p95) in sorted(shown.pages.items()):
            say(f"  {page:<32} {n:>7} {p50:>6.0f} {p95:>6.0f}")
    cores = os.cpu_count() or 1
    say("CPU per request (ms: gunicorn + PostgreSQL) at the reported step, and what the")
    say(f"{cores} cores would serve if the server had them to itself (no generator, nothing else):")
    for name, steps in results.items():
        step = tops[name] or (steps[-1] if steps else None)
        if step is not None and step.app_ms + step.db_ms > 0:
            cost = step.app_ms + step.db_ms
            say(
                f"  {name:<8} {step.app_ms:5.1f} + {step.db_ms:5.1f} = {cost:5.1f} ms "
                f"→ ~{cores * 1000 / cost:.0f} req/s"
            )
    parts = []
    for name, top in tops.items():
        if top is None:
            parts.append(f"{name}: no step met p95 < {TARGET_P95_MS:.0f} ms without errors")
        else:
            parts.append(f"{name} {top.rps:.0f} req/s at {top.users} users (p95 {top.p95:.0f} ms)")
    ratios = []
    for baseline in ("minimal", "bare"):
        top = tops.get(baseline)
        if mix is not None and top is not None:
            ratios.append(f"mix/{baseline} {mix.rps / top.rps:.2f}")
    say(
        f"load: {processes} app process(es) × {workers} workers, generator on the same 2 "
        f"cores; highest sustained with p95 < {TARGET_P95_MS:.0f} ms and no errors: "
        + "; ".join(parts)
        + (f"; {', '.join(ratios)}" if ratios else "")
        + f"; load average now {loadavg()}"
    )


if __name__ == "__main__":
    main()
