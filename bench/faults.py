"""Faults under load (issue 8, "proof at scale"): kill, restart and stop things while staff
record notices, then count what survived.

    sudo .venv/bin/python bench/faults.py                # about 3–8 minutes
    .venv/bin/python bench/faults.py --duration 90 --clients 8 --web-workers 4

What it starts, all on 127.0.0.1 and all removed at the end (also on Ctrl-C or failure):
a throwaway PostgreSQL cluster in a temporary directory (initdb/pg_ctl on a free port, trust
authentication; run as the `postgres` user when started as root: it never touches the
machine's own server), migrated and loaded with the demo region (`load_demo
--utan-historik`); gunicorn with deploy/gunicorn.conf.py in production mode; the task
worker (`db_worker`) and the scheduler (`run_scheduler`), restarted when they exit as
systemd's Restart=always would; and a recording mail server (aiosmtpd).

Staff (one session per user, made server-side as a login makes it) record notices through
the real forms and resubmit the same form (same idempotency key) on connection errors and
5xx. Meanwhile: SIGKILL of gunicorn workers, PostgreSQL restarts (fast and immediate), the
mail server stopped and started again, SIGKILL of the task worker.

Afterwards it prints: notices acknowledged to users, and of those how many are in the
database exactly once, missing, duplicated; requests the user was told failed; the audit
chain's verification; the outbox (queued, delivered, pending) and what the mail server
received. Exit status 1 when an acknowledged notice is missing or duplicated, the chain
does not verify, or e-mail is left undelivered.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

import psycopg
import requests

sys.path.insert(0, str(Path(__file__).resolve().parent))
import contextlib

from faults_cluster import TempCluster, free_port
from faults_load import Client, LoadStats

ROOT = Path(__file__).resolve().parent.parent
PYTHON = str(ROOT / ".venv" / "bin" / "python") if (ROOT / ".venv").exists() else sys.executable
GUNICORN = str(Path(PYTHON).parent / "gunicorn")
DATABASE = "brygga_faults"
T0 = time.monotonic()


def log(message: str) -> None:
    print(f"[{time.monotonic() - T0:7.1f}s] {message}", flush=True)


class Service:
    """A child process in its own process group; optionally restarted when it exits."""

    def __init__(
        self, name: str, command: list[str], env: dict[str, str], logdir: Path, *, restart: bool
    ) -> None:
        self.name = name
        self.command = command
        self.env = env
        self.logfile = logdir / f"{name}.log"
        self.restart = restart
        self.process: subprocess.Popen[bytes] | None = None
        self.restarts = 0
        self.exits: list[int] = []
        self.lock = threading.Lock()
        self.stopped = False

    def start(self) -> None:
        with self.lock:
            out = self.logfile.open("ab")
            self.process = subprocess.Popen(  # noqa: S603 (our own commands, fixed arguments)
                self.command,
                env=self.env,
                cwd=ROOT,
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
            out.close()
            self.stopped = False

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def supervise(self) -> None:
        """Called periodically: restart a service that died (like systemd Restart=always)."""
        with self.lock:
            if self.stopped or self.process is None or self.process.poll() is None:
                return
            code = self.process.returncode
        self.exits.append(code)
        if self.restart:
            self.restarts += 1
            log(f"{self.name} exited with {code}; restarting it")
            self.start()

    def stop(self, sig: int = signal.SIGTERM, wait: float = 10.0) -> None:
        with self.lock:
            self.stopped = True
            process = self.process
        if process is None or process.poll() is not None:
            return
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            return
        try:
            process.wait(wait)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(5)


def children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(p) for p in text.split()]


class Rig:
    """Everything the run starts, so that cleanup can find it."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.tmp = Path(tempfile.mkdtemp(prefix="brygga-faults-"))
        # Its own directory: owned by the postgres user when run as root.
        self.cluster = TempCluster(Path(tempfile.mkdtemp(prefix="brygga-faults-pg-")))
        self.logdir = self.tmp / "logs"
        self.logdir.mkdir()
        self.smtp_port = free_port()
        self.web_port = free_port()
        self.mailbox = self.tmp / "mailbox.jsonl"
        self.mailbox.touch()
        self.services: dict[str, Service] = {}
        self.faults: list[tuple[float, str]] = []
        self.supervising = threading.Event()
        self.stop_faults = threading.Event()
        self.fault_thread: threading.Thread | None = None
        self.env: dict[str, str] = {}

    # --- set-up -------------------------------------------------------------------------
    def base_env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("BRYGGA_")}
        env.pop("DATABASE_URL", None)
        env.update(
            DATABASE_URL=self.cluster.url(DATABASE),
            DJANGO_SETTINGS_MODULE="brygga.settings",
            BRYGGA_ENVIRONMENT="production",
            BRYGGA_SECRET_KEY=self.secret,
            BRYGGA_DATA_DIR=str(self.tmp),
            BRYGGA_ALLOWED_HOSTS="127.0.0.1",
            BRYGGA_SSL_REDIRECT="0",  # plain HTTP on loopback: no TLS proxy in front
            BRYGGA_SECURE_COOKIES="0",
            BRYGGA_LOG_LEVEL="WARNING",
            PYTHONUNBUFFERED="1",
        )
        return env

    def setup(self) -> list[dict[str, Any]]:
        self.secret = secrets.token_urlsafe(48)
        self.cluster.init()
        self.cluster.start()
        self.cluster.create_database(DATABASE)
        log(f"throwaway PostgreSQL on 127.0.0.1:{self.cluster.port} in {self.cluster.data}")
        env = self.base_env()
        self._manage(env, "migrate", "--verbosity", "0")
        # No mail server configured while loading: the demo's own notices queue no e-mail,
        # so every outbox row afterwards comes from this run.
        self._manage(env, "load_demo", "--utan-historik", "--verbosity", "0")
        log("migrated and loaded the demo region")
        done = subprocess.run(  # noqa: S603 (this venv, fixed arguments)
            [PYTHON, str(ROOT / "bench" / "faults_setup.py"), str(self.args.clients)],
            env=env,
            cwd=ROOT,
            check=True,
            capture_output=True,
            text=True,
        )
        clients: list[dict[str, Any]] = json.loads(done.stdout)["clients"]
        self.env = env | {
            "BRYGGA_SMTP_HOST": "127.0.0.1",
            "BRYGGA_SMTP_PORT": str(self.smtp_port),
            "BRYGGA_SMTP_TIMEOUT": "5",
            "BRYGGA_BIND": f"127.0.0.1:{self.web_port}",
            "BRYGGA_WEB_WORKERS": str(self.args.web_workers),
            "BRYGGA_WEB_TIMEOUT": "30",
            "BRYGGA_BASE_URL": f"http://127.0.0.1:{self.web_port}",
        }
        return clients

    def _manage(self, env: dict[str, str], *args: str) -> None:
        done = subprocess.run(  # noqa: S603 (this venv, fixed arguments)
            [PYTHON, str(ROOT / "manage.py"), *args],
            env=env,
            cwd=ROOT,
            capture_output=True,
            text=True,
        )
        if done.returncode != 0:
            raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{done.stdout}{done.stderr}")

    def start_services(self) -> None:
        conf = ROOT / "deploy" / "gunicorn.conf.py"
        web = (
            [GUNICORN, "-c", str(conf)]
            if conf.exists()
            else [
                GUNICORN,
                "brygga.wsgi:application",
                "--bind",
                f"127.0.0.1:{self.web_port}",
                "--workers",
                str(self.args.web_workers),
                "--timeout",
                "30",
            ]
        )
        manage = [PYTHON, str(ROOT / "manage.py")]
        specs = [
            (
                "smtp",
                [
                    PYTHON,
                    str(ROOT / "bench" / "faults_smtp.py"),
                    str(self.smtp_port),
                    str(self.mailbox),
                ],
                False,
            ),
            ("web", web, False),  # gunicorn's master restarts its own workers
            ("worker", [*manage, "db_worker", "--worker-id", "faults-1", "--interval", "1"], True),
            ("scheduler", [*manage, "run_scheduler"], True),
        ]
        for name, command, restart in specs:
            service = Service(name, command, self.env, self.logdir, restart=restart)
            service.start()
            self.services[name] = service
        self.supervising.set()
        threading.Thread(target=self._supervisor, daemon=True).start()
        self.wait_web(60)
        log(
            f"gunicorn on 127.0.0.1:{self.web_port} ({len(children(self.services['web'].pid))} "
            f"workers), db_worker, run_scheduler, smtp on 127.0.0.1:{self.smtp_port}"
        )

    def _supervisor(self) -> None:
        while self.supervising.is_set():
            for service in list(self.services.values()):
                service.supervise()
            time.sleep(0.5)

    def wait_web(self, seconds: float) -> float:
        began = time.monotonic()
        url = f"http://127.0.0.1:{self.web_port}/konto/logga-in/"
        while time.monotonic() - began < seconds:
            try:
                if requests.get(url, timeout=5).status_code == 200:
                    return time.monotonic() - began
            except requests.RequestException:
                pass
            time.sleep(0.3)
        raise RuntimeError(f"the web server did not answer within {seconds:.0f} s")

    # --- faults -------------------------------------------------------------------------
    def fault(self, what: str) -> None:
        self.faults.append((time.monotonic(), what))
        log(f"FAULT {what}")

    def kill_web_workers(self, count: int) -> None:
        workers = children(self.services["web"].pid)
        for pid in random.sample(workers, min(count, len(workers))):
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                continue
            self.fault(f"SIGKILL gunicorn worker {pid}")

    def restart_postgres(self, mode: str) -> None:
        self.fault(f"pg_ctl restart -m {mode}")
        took = self.cluster.restart(mode)
        log(f"  PostgreSQL back after {took:.1f} s")

    def stop_smtp(self) -> None:
        self.fault("mail server stopped")
        self.services["smtp"].stop()

    def start_smtp(self) -> None:
        self.services["smtp"].start()
        self.fault("mail server started again")

    def kill_task_worker(self) -> None:
        service = self.services["worker"]
        self.fault(f"SIGKILL db_worker {service.pid}")
        with contextlib.suppress(ProcessLookupError):
            os.killpg(service.pid, signal.SIGKILL)

    def run_faults(self, duration: float, stop: threading.Event) -> None:
        # The mail server is down while notices are recorded (and the worker is killed in
        # between), so e-mails fail, wait in the outbox and go out with the backoff.
        plan = [
            (0.08, lambda: self.kill_web_workers(1)),
            (0.15, self.stop_smtp),
            (0.22, lambda: self.kill_web_workers(2)),
            (0.30, self.kill_task_worker),
            (0.42, self.start_smtp),
            (0.50, lambda: self.restart_postgres("fast")),
            (0.62, lambda: self.kill_web_workers(1)),
            (0.72, lambda: self.restart_postgres("immediate")),
            (0.85, lambda: self.kill_web_workers(self.args.web_workers)),
        ]
        began = time.monotonic()
        for at, action in plan:
            if stop.wait(max(0.0, began + at * duration - time.monotonic())):
                return
            try:
                action()
            except Exception as error:  # a fault that fails to happen is reported, not fatal
                log(f"  fault failed: {error!r}")

    # --- clean-up -----------------------------------------------------------------------
    def cleanup(self) -> None:
        # No fault may start (or restart the cluster) once clean-up has begun.
        self.stop_faults.set()
        if self.fault_thread is not None:
            self.fault_thread.join(150)
        self.supervising.clear()
        for service in reversed(list(self.services.values())):
            service.stop()
        self.cluster.cleanup()
        if self.args.keep:
            log(f"kept logs in {self.tmp}")
        else:
            shutil.rmtree(self.tmp, ignore_errors=True)


# --- the checks ---------------------------------------------------------------------------


def count_notices(conninfo: str, stats: LoadStats) -> dict[str, Any]:
    outcomes = stats.outcomes
    keys = [(o.case, o.key) for o in outcomes]
    with psycopg.connect(conninfo) as conn:
        rows = conn.execute(
            "SELECT case_id, idempotency_key, count(*) FROM cases_caseevent "
            "WHERE idempotency_key = ANY(%s) GROUP BY 1, 2",
            [[k for _, k in keys]],
        ).fetchall()
        by_key = {(case, key): n for case, key, n in rows}
        markers: dict[str, int] = dict(
            conn.execute(
                "SELECT text, count(*) FROM cases_caseevent WHERE text = ANY(%s) GROUP BY 1",
                [[o.marker for o in outcomes]],
            ).fetchall()
        )
    result: Counter[str] = Counter()
    problems = []
    for o in outcomes:
        n = by_key.get((o.case, o.key), 0)
        by_text = markers.get(o.marker, 0)
        if o.result == "acknowledged":
            result["acknowledged"] += 1
            if o.attempts > 1:
                result["acknowledged after a resubmit"] += 1
                if "earlier attempt" in o.detail:
                    result["  of which an earlier attempt had saved"] += 1
            if n == 1 and by_text == 1:
                result["  present exactly once"] += 1
            elif n == 0 and by_text == 0:
                result["  MISSING"] += 1
                problems.append(f"missing: {o}")
            else:
                result["  DUPLICATED"] += 1
                problems.append(f"duplicated ({n} by key, {by_text} by text): {o}")
        else:
            result[f"told {o.result}"] += 1
            if n:
                result[f"  told {o.result} but present"] += 1
            if n > 1:
                problems.append(f"duplicated although not acknowledged: {o}")
    return {"counts": result, "problems": problems}


def outbox(conninfo: str, *, show: bool = False) -> dict[str, int]:
    with psycopg.connect(conninfo) as conn:
        row = conn.execute(
            "SELECT count(*), count(sent_at), count(*) - count(sent_at), "
            "coalesce(sum(notice_count), 0), count(*) FILTER (WHERE attempts > 1), "
            "coalesce(max(attempts), 0) FROM notifications_outboundemail"
        ).fetchone()
        # A sent e-mail whose text tells of fewer notices than its row counted: a notice
        # that arrived between composing and marking it sent is told of by no e-mail.
        under = conn.execute(
            "SELECT id, notice_count, attempts, subject FROM notifications_outboundemail "
            "WHERE sent_at IS NOT NULL AND kind = 'new_notices' "
            "AND subject NOT LIKE 'Brygga: ' || notice_count || ' %%' ORDER BY id"
        ).fetchall()
        for pk, count, attempts, subject in under[:5] if show else []:
            print(f"  e-mail {pk}: notice_count {count}, attempts {attempts}, sent as {subject!r}")
        undercount = (len(under),)
        expected = conn.execute(
            "SELECT count(*) FROM cases_noticerecipient r "
            "JOIN cases_caseevent e ON e.id = r.event_id "
            "JOIN directory_unit u ON u.id = r.unit_id "
            "WHERE e.text LIKE 'faults %%' AND u.functional_mailbox <> ''"
        ).fetchone()
    assert row is not None and expected is not None and undercount is not None
    return {
        "queued": row[0],
        "delivered": row[1],
        "pending": row[2],
        "notices told of": int(row[3]),
        "notices to units with a mailbox": expected[0],
        "retried (attempts > 1)": row[4],
        "most attempts": row[5],
        "sent e-mails telling of fewer notices": undercount[0],
    }


def wait_for_mail(conninfo: str, seconds: float) -> tuple[dict[str, int], float]:
    began = time.monotonic()
    while True:
        try:
            state = outbox(conninfo)
        except psycopg.Error as error:
            log(f"  outbox not readable yet: {error}")
            state = None
        waited = time.monotonic() - began
        if state is not None and state["pending"] == 0:
            return state, waited
        if waited > seconds:
            if state is None:
                raise RuntimeError("the outbox could not be read")
            return state, waited
        time.sleep(2)


def errors_by_fault(
    faults: list[tuple[float, str]], error_times: list[float], began: float
) -> list[tuple[tuple[float, str], tuple[int, float]]]:
    """Each retried error counted against the latest fault before it: how long recovery took."""
    rows: list[tuple[tuple[float, str], tuple[int, float]]] = []
    marks = [(began, "(before any fault)"), *faults]
    for index, (at, what) in enumerate(marks):
        end = marks[index + 1][0] if index + 1 < len(marks) else float("inf")
        inside = [t for t in error_times if at <= t < end]
        if inside:
            rows.append(((at - began, what), (len(inside), max(inside) - at)))
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=6, help="concurrent users (max 16)")
    parser.add_argument("--duration", type=float, default=60, help="seconds of load")
    parser.add_argument("--web-workers", type=int, default=3)
    parser.add_argument(
        "--retry-seconds",
        type=float,
        default=60,
        help="how long a user keeps resubmitting one form",
    )
    parser.add_argument(
        "--mail-wait",
        type=float,
        default=420,
        help="seconds to wait for the outbox to empty afterwards",
    )
    parser.add_argument("--seed", type=int, default=8)
    parser.add_argument("--keep", action="store_true", help="keep the logs (not the cluster)")
    args = parser.parse_args()
    args.clients = max(1, min(args.clients, 16))
    random.seed(args.seed)

    def interrupted(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    # Also SIGINT: a shell may start a background job with SIGINT ignored.
    signal.signal(signal.SIGTERM, interrupted)
    signal.signal(signal.SIGINT, interrupted)
    rig = Rig(args)
    try:
        return run(rig, args)
    except KeyboardInterrupt:
        log("interrupted: cleaning up")
        return 130
    finally:
        rig.cleanup()


def run(rig: Rig, args: argparse.Namespace) -> int:
    specs = rig.setup()
    rig.start_services()
    conninfo = rig.cluster.url(DATABASE).replace("postgres://", "postgresql://")
    run_id = secrets.token_hex(3)
    stats = LoadStats()
    stop_at = time.monotonic() + args.duration
    clients = [
        Client(
            spec,
            base_url=f"http://127.0.0.1:{rig.web_port}",
            run_id=run_id,
            stop_at=stop_at,
            stats=stats,
            retry_seconds=args.retry_seconds,
            think=(0.1, 0.4),
            seed=args.seed * 100 + i,
        )
        for i, spec in enumerate(specs)
    ]
    log(
        f"load: {len(clients)} users for {args.duration:.0f} s: "
        + ", ".join(c.name for c in clients)
    )
    load_began = time.monotonic()
    faults = threading.Thread(target=rig.run_faults, args=(args.duration, rig.stop_faults))
    rig.fault_thread = faults
    for client in clients:
        client.start()
    faults.start()
    for client in clients:
        client.join(args.duration + args.retry_seconds + 60)
    rig.stop_faults.set()
    faults.join()
    load_seconds = time.monotonic() - load_began
    if "mail server started again" not in [what for _, what in rig.faults]:
        rig.start_smtp()
    log(f"load stopped after {load_seconds:.1f} s; {len(stats.outcomes)} notices submitted")
    rig.wait_web(60)

    notices = count_notices(conninfo, stats)
    log(f"waiting up to {args.mail_wait:.0f} s for the outbox to empty")
    mail, waited = wait_for_mail(conninfo, args.mail_wait)
    mail = outbox(conninfo, show=True)
    received = [json.loads(line) for line in rig.mailbox.read_text().splitlines() if line]
    chain = subprocess.run(  # noqa: S603 (this venv, fixed arguments)
        [PYTHON, str(ROOT / "manage.py"), "verify_audit_chain"],
        env=rig.env,
        cwd=ROOT,
        capture_output=True,
        text=True,
    )

    print()
    print(f"=== faults under load: run {run_id} ===")
    print(
        f"load: {len(clients)} users, {args.duration:.0f} s, {args.web_workers} web workers; "
        f"uptime: {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} (load 1/5 min)"
    )
    print("faults (seconds into the load):")
    for at, what in rig.faults:
        print(f"  {at - load_began:6.1f}  {what}")
    for service in rig.services.values():
        if service.exits:
            print(
                f"  {service.name} exited {len(service.exits)}× (codes {service.exits}), "
                f"restarted {service.restarts}×"
            )
    print("notices:")
    for name, n in notices["counts"].items():
        print(f"  {name:<40} {n}")
    print(f"  {'form not opened (nothing submitted)':<40} {stats.not_submitted}")
    print("what the users met on the way (responses retried):")
    for name, n in sorted(stats.errors.items()):
        print(f"  {name:<40} {n}")
    print("  retried errors by the fault before them (recovery):")
    for (at, what), (n, last) in errors_by_fault(rig.faults, stats.error_times, load_began):
        print(f"    {at:6.1f} {what:<36} {n:4} errors, the last {last:5.1f} s after it")
    print(f"audit chain: exit {chain.returncode}: {(chain.stdout + chain.stderr).strip()[-300:]}")
    print(f"e-mail (after waiting {waited:.0f} s):")
    for name, n in mail.items():
        print(f"  {name:<40} {n}")
    print(f"  {'messages the mail server received':<40} {len(received)}")
    for problem in notices["problems"][:20]:
        print(f"PROBLEM {problem}")

    failed = []
    counts = notices["counts"]
    if counts["  MISSING"] or counts["  DUPLICATED"] or notices["problems"]:
        failed.append("acknowledged notices missing or duplicated")
    if chain.returncode != 0:
        failed.append("the audit chain does not verify")
    if mail["pending"]:
        failed.append(f"{mail['pending']} e-mails undelivered")
    if mail["notices told of"] != mail["notices to units with a mailbox"]:
        failed.append("the outbox's notice counts do not match the notices sent")
    if mail["sent e-mails telling of fewer notices"]:
        failed.append("notices arrived while their e-mail was being sent: no e-mail tells of them")
    if len(received) < mail["delivered"]:
        failed.append("the mail server received fewer messages than were marked delivered")
    if not counts["acknowledged"]:
        failed.append("no notice was acknowledged at all")
    print("RESULT: " + ("FAIL: " + "; ".join(failed) if failed else "OK"))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
