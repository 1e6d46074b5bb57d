"""Benchmark: the worklist and the case page on a region-sized year of data.

Generates (once) a year of a Stockholm-sized region on the PostgreSQL database in
DATABASE_URL — about 330 units in 26 municipalities, 2 200 staff, 100 000 patients,
100 000 cases with a million events at scale 1 (see bench/region_world.py) — then requests
the pages in-process with Django's test Client, logged in as a user of the busiest ward,
a quiet ward, the busiest and a quiet social-services unit. Each page view does its real
work, including one access-log row per patient shown. Prints p50/p95/max server time and
the number of SQL queries per page, then a one-line summary.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/brygga_bench_region \\
        .venv/bin/python bench/region_year.py            # generate (first run) and measure
    ... bench/region_year.py --reuse                      # measure the data already there
    ... bench/region_year.py --scale 0.1                  # a tenth of the region, quick
    ... bench/region_year.py --reuse --breakdown          # where the worklist's time goes
    ... bench/region_year.py --reuse --profile            # the same, with cProfile
    ... bench/region_year.py --reuse --unit Södermalm     # measure a named unit as well

    .venv/bin/python bench/region_year.py --national      # all of Sweden (see below)
    ... bench/region_year.py --national --scale 0.05      # a twentieth of the cases, quick

--national generates a national year instead (bench/national_world.py, bench/sweden.py):
21 regions and 290 municipalities, about 12 400 units, 104 000 staff, 158 000 commissions,
and 400 000 patients and cases with about four million events at scale 1 (the directory
is full-sized at any scale). Without DATABASE_URL it uses the database
brygga_bench_national; the measurements are the same.

Without --reuse, earlier benchmark data in the database is replaced; a database holding
anything else (a demo or real directory) is refused.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import io
import os
import pstats
import random
import statistics
import sys
import time
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "brygga.settings")
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/brygga_bench_region"
NATIONAL_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/brygga_bench_national"
MARKER = "bench_region_year"  # the system actor of the access-log row that marks our data
TARGET_P95_MS = 100.0


def say(message: str) -> None:
    print(message, flush=True)


def cases(count: int) -> str:
    return f"{count} open case{'' if count == 1 else 's'}"


def n(number: int) -> str:
    """Thousands with a space, as Swedish texts write them: 100 000."""
    return f"{number:,}".replace(",", " ")


# --- The database ------------------------------------------------------------------------------


def ensure_database(url: str) -> None:
    """Create the database if it is missing (PostgreSQL only: the data goes in with COPY)."""
    import psycopg
    from psycopg import sql

    parts = urlsplit(url)
    if parts.scheme not in {"postgres", "postgresql"}:
        raise SystemExit("bench/region_year.py needs PostgreSQL in DATABASE_URL")
    name = parts.path.lstrip("/")
    maintenance = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(maintenance, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            say(f"created database {name}")


def bench_tables() -> list[str]:
    from django.apps import apps

    labels = {"audit", "directory", "patients", "cases", "sessions"}
    return [m._meta.db_table for m in apps.get_models() if m._meta.app_label in labels]


def marker() -> Any:
    from brygga.audit.events import AuditEventType
    from brygga.audit.models import AuditEntry

    return (
        AuditEntry.objects.filter(
            actor_label=f"system:{MARKER}", event_type=AuditEventType.ORGANISATION_CREATED
        )
        .order_by("-pk")
        .first()
    )


def prepare_data(args: argparse.Namespace) -> dict[str, Any]:
    """Reuse the data (--reuse, same scale) or generate it; return what the data holds."""
    from django.db import connection

    from brygga.directory.models import Organisation

    found = marker()
    same_kind = bool(found.details.get("national")) == args.national if found else False
    if found is not None and args.reuse and same_kind and found.details.get("scale") == args.scale:
        details = dict(found.details)
        say(
            f"reusing the data generated {details['generated_at'][:16]} (scale {args.scale}, "
            f"{n(details['cases'])} cases, {n(details['events'])} events)"
        )
        return details
    if found is None and Organisation.objects.exists():
        raise SystemExit(
            "The database holds data that this benchmark did not generate; refusing to "
            "replace it. Point DATABASE_URL at an empty database (e.g. brygga_bench_region)."
        )
    if found is not None:
        say(f"replacing the earlier benchmark data (scale {found.details.get('scale')})")
        with connection.cursor() as cursor:
            cursor.execute(f"TRUNCATE {', '.join(bench_tables())} RESTART IDENTITY CASCADE")
    return generate(args)


def generate(args: argparse.Namespace) -> dict[str, Any]:
    import region_world
    from django.db import connection
    from django.utils import timezone

    from brygga.audit.events import AuditEventType
    from brygga.audit.log import record
    from brygga.core.actor import Actor

    started = time.monotonic()
    now = timezone.now()
    what = "national year" if args.national else "region-year"
    say(f"generating a {what} at scale {args.scale} (seed {args.seed}) …")
    check_foreign_keys = region_world.check_foreign_keys
    if args.national:
        import national_world

        details = national_world.generate_national(
            scale=args.scale, seed=args.seed, now=now, progress=say
        )
        check_foreign_keys = national_world.check_foreign_keys
    else:
        details = region_world.generate(scale=args.scale, seed=args.seed, now=now, progress=say)
    loaded = time.monotonic() - started
    say(f"loaded in {loaded:.0f} s; VACUUM ANALYZE …")
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM (ANALYZE) {', '.join(bench_tables())}")
    broken = check_foreign_keys()
    if broken:
        raise SystemExit("generated data has broken references:\n  " + "\n  ".join(broken))
    elapsed = time.monotonic() - started
    details |= {
        "scale": args.scale,
        "seed": args.seed,
        "generated_at": now.isoformat(),
        "generation_seconds": round(elapsed),
    }
    from brygga.directory.models import Organisation

    region = Organisation.objects.order_by("pk").first()
    record(Actor.system(MARKER), AuditEventType.ORGANISATION_CREATED, obj=region, details=details)
    say(
        f"generated {n(details['patients'])} patients, {n(details['cases'])} cases "
        f"({n(details['open_cases'])} open), {n(details['parties'])} parties, "
        f"{n(details['events'])} events, {n(details['recipients'])} notice recipients "
        f"({details['acknowledged'] / max(1, details['recipients']):.1%} acknowledged) "
        f"in {elapsed:.0f} s"
    )
    return details


# --- Measuring ---------------------------------------------------------------------------------


@dataclass
class Subject:
    label: str
    unit: Any
    commission: Any
    open_cases: int


def pick_subjects(named: list[str] | None = None) -> list[Subject]:
    """The busiest and a quiet ward, the busiest and a quiet social-services unit, and any
    unit whose name contains one of `named` (e.g. "Södermalm")."""
    from django.db.models import Count
    from django.utils import timezone

    from brygga.cases.models import OPEN_STATES, CaseParty
    from brygga.directory.models import INPATIENT_CARE_TYPES, CareType, Commission, Role, Unit

    open_counts = dict(
        CaseParty.objects.filter(active=True, case__state__in=OPEN_STATES)
        .values_list("unit")
        .annotate(n=Count("pk"))
        .values_list("unit", "n")
    )
    units = {u.pk: u for u in Unit.objects.filter(pk__in=open_counts)}

    def ranked(care_types: Any) -> list[tuple[int, Any]]:
        return sorted(
            ((n, units[pk]) for pk, n in open_counts.items() if units[pk].care_type in care_types),
            key=lambda item: (item[0], item[1].pk),
        )

    wards = ranked(INPATIENT_CARE_TYPES)
    social = ranked({CareType.SOCIAL_SERVICES})
    quiet_ward = min(wards, key=lambda item: (abs(item[0] - 10), item[1].pk))
    chosen = [
        ("busy ward", wards[-1]),
        ("quiet ward", quiet_ward),
        ("municipality", social[-1]),
        ("quiet municipality", social[0]),
    ]
    for part in named or []:
        matches = sorted(
            (
                (n, unit)
                for n, unit in ((open_counts[u.pk], u) for u in units.values())
                if part.lower() in unit.name.lower()
            ),
            key=lambda item: (-item[0], item[1].pk),
        )
        if not matches:
            raise SystemExit(f"no unit with open cases has {part!r} in its name")
        chosen.append((part, matches[0]))
    subjects = []
    today = timezone.localdate()
    for label, (count, unit) in chosen:
        commission = (
            Commission.objects.valid(today)
            .filter(unit=unit, role=Role.USER)
            .select_related("person", "unit")
            .order_by("pk")
            .first()
        )
        if commission is None:
            raise SystemExit(f"no user with a valid commission at {unit.name}")
        subjects.append(Subject(label, unit, commission, count))
    return subjects


@dataclass
class Result:
    page: str
    subject: Subject
    samples: list[float]
    queries: list[int]
    log_rows: int
    urls: tuple[str, ...] = ()

    def ms(self, quantile: float) -> float:
        ordered = sorted(self.samples)
        return ordered[min(len(ordered) - 1, round(quantile * (len(ordered) - 1)))] * 1000

    @property
    def query_text(self) -> str:
        low, high = min(self.queries), max(self.queries)
        return str(low) if low == high else f"{low}–{high}"

    def line(self) -> str:
        what = (
            f"{self.page} ({self.subject.label}, {cases(self.subject.open_cases)})"
            if self.page == "worklist"
            else f"{self.page} ({self.subject.label}, {len(set(self.urls))} cases)"
        )
        return (
            f"{what}: p50 {self.ms(0.5):.0f} ms, p95 {self.ms(0.95):.0f} ms, "
            f"max {self.ms(1.0):.0f} ms, {self.query_text} queries, "
            f"{self.log_rows} access-log rows per view"
        )


def client_for(subject: Subject) -> Any:
    from django.test import Client

    from brygga.testing import log_in

    client = Client(HTTP_HOST="localhost")
    return log_in(client, subject.commission.person, subject.commission)


def get(client: Any, url: str) -> float:
    started = time.perf_counter()
    response = client.get(url)
    elapsed = time.perf_counter() - started
    if response.status_code != 200:
        raise SystemExit(f"GET {url} answered {response.status_code}")
    return elapsed


def count_queries(client: Any, url: str) -> tuple[int, int]:
    """(SQL queries, access-log rows appended) for one request."""
    from django.db import connection
    from django.db.models import Max
    from django.test.utils import CaptureQueriesContext

    from brygga.audit.models import AuditEntry

    before = AuditEntry.objects.aggregate(n=Max("pk"))["n"] or 0
    with CaptureQueriesContext(connection) as captured:
        get(client, url)
    after = AuditEntry.objects.aggregate(n=Max("pk"))["n"] or 0
    return len(captured.captured_queries), after - before


def case_urls(subject: Subject, count: int, rng: random.Random) -> list[str]:
    from django.urls import reverse

    from brygga.cases.access import visible_cases
    from brygga.core.actor import Actor

    actor = Actor(person=subject.commission.person, commission=subject.commission)
    ids = list(visible_cases(actor).order_by("pk").values_list("pk", flat=True))
    return [reverse("cases:detail", args=[pk]) for pk in rng.sample(ids, min(count, len(ids)))]


def measure(subject: Subject, args: argparse.Namespace, rng: random.Random) -> list[Result]:
    from django.urls import reverse

    client = client_for(subject)
    worklist = reverse("cases:worklist")
    for _ in range(args.warmup):
        get(client, worklist)
    counted = [count_queries(client, worklist) for _ in range(3)]
    samples = []
    for number in range(args.repeats):
        samples.append(get(client, worklist))
        if (number + 1) % 50 == 0:
            say(f"  {subject.label}: worklist {number + 1}/{args.repeats}")
    results = [
        Result("worklist", subject, samples, [q for q, _ in counted], counted[0][1]),
    ]
    urls = case_urls(subject, args.cases, rng)
    for url in urls[: args.warmup]:
        get(client, url)
    counted = [count_queries(client, url) for url in urls]
    samples = [get(client, url) for _ in range(args.case_repeats) for url in urls]
    results.append(
        Result(
            "case page",
            subject,
            samples,
            [q for q, _ in counted],
            max(rows for _, rows in counted),
            urls=tuple(urls),
        )
    )
    return results


def breakdown(subject: Subject, repeats: int) -> None:
    """The worklist view's steps, timed in place (medians of `repeats` views): building the
    rows, the access-log append, the template, and the rest (middleware, session, login,
    context processors); each with the part of it spent waiting for SQL statements."""
    from django.db import connection
    from django.urls import reverse

    from brygga.cases import views
    from brygga.cases.worklist import Worklist

    steps = ("rows", "access log", "template")
    wall: dict[str, list[float]] = {label: [] for label in (*steps, "total")}
    sql: dict[str, list[float]] = {label: [] for label in (*steps, "total")}
    current: list[str] = []
    spent: dict[str, float] = {}

    def count_sql(execute: Any, statement: str, params: Any, many: bool, context: Any) -> Any:
        started = time.perf_counter()
        try:
            return execute(statement, params, many, context)
        finally:
            elapsed = time.perf_counter() - started
            spent["total"] = spent.get("total", 0.0) + elapsed
            if current:
                spent[current[-1]] = spent.get(current[-1], 0.0) + elapsed

    def timed(label: str, function: Any) -> Any:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            current.append(label)
            try:
                return function(*args, **kwargs)
            finally:
                current.pop()
                wall[label].append(time.perf_counter() - started)

        return wrapper

    for_actor = Worklist.__dict__["for_actor"]
    log_patient_read, render = views.log_patient_read, views.render
    Worklist.for_actor = classmethod(timed("rows", for_actor.__func__))  # type: ignore[method-assign,assignment]
    views.log_patient_read = timed("access log", log_patient_read)
    views.render = timed("template", render)
    try:
        client = client_for(subject)
        url = reverse("cases:worklist")
        get(client, url)
        for values in wall.values():
            values.clear()
        with connection.execute_wrapper(count_sql):
            for _ in range(repeats):
                spent.clear()
                wall["total"].append(get(client, url))
                for label in sql:
                    sql[label].append(spent.get(label, 0.0))
    finally:
        Worklist.for_actor = for_actor  # type: ignore[method-assign]
        views.log_patient_read, views.render = log_patient_read, render
    ms = {label: statistics.median(values) * 1000 for label, values in wall.items()}
    sql_ms = {label: statistics.median(values) * 1000 for label, values in sql.items()}
    rest = ms["total"] - sum(ms[label] for label in steps)
    rest_sql = sql_ms["total"] - sum(sql_ms[label] for label in steps)
    parts = ", ".join(f"{label} {ms[label]:.1f} ({sql_ms[label]:.1f})" for label in steps)
    say(
        f"breakdown, worklist ({subject.label}, {cases(subject.open_cases)}), medians of "
        f"{repeats} views, ms (of which SQL statements): {parts}, rest (middleware, session, "
        f"login, context processors) {rest:.1f} ({rest_sql:.1f}); total {ms['total']:.1f} "
        f"({sql_ms['total']:.1f})"
    )


def profile(subject: Subject, repeats: int) -> None:
    """cProfile over worklist requests: where the server time goes."""
    from django.urls import reverse

    client = client_for(subject)
    url = reverse("cases:worklist")
    get(client, url)
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(repeats):
        get(client, url)
    profiler.disable()
    for order in ("cumulative", "tottime"):
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats(order).print_stats(30)
        say(f"\n--- cProfile, {repeats} worklist views ({subject.label}), by {order} ---")
        say(out.getvalue())


def table(results: list[Result]) -> str:
    header = (
        f"{'page':<10} {'unit':<22} {'open':>5} {'views':>6} {'p50 ms':>7} {'p95 ms':>7} "
        f"{'max ms':>7} {'queries':>8} {'log rows':>8}"
    )
    lines = [header, "-" * len(header)]
    for r in results:
        lines.append(
            f"{r.page:<10} {r.subject.label:<22} {r.subject.open_cases:>5} {len(r.samples):>6} "
            f"{r.ms(0.5):>7.1f} {r.ms(0.95):>7.1f} {r.ms(1.0):>7.1f} {r.query_text:>8} "
            f"{r.log_rows:>8}"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--scale", type=float, default=1.0, help="1.0: 100 000 cases (--national: 400 000)"
    )
    parser.add_argument("--reuse", action="store_true", help="keep data of the same scale")
    parser.add_argument("--seed", type=int, default=2025)
    parser.add_argument("--repeats", type=int, default=200, help="worklist views per unit")
    parser.add_argument("--cases", type=int, default=50, help="case pages per unit")
    parser.add_argument("--case-repeats", type=int, default=4, help="views of each case page")
    parser.add_argument("--warmup", type=int, default=10)
    parser.add_argument("--breakdown", action="store_true", help="time the worklist's steps")
    parser.add_argument("--profile", action="store_true", help="cProfile each unit's worklist")
    parser.add_argument(
        "--gc-freeze",
        action="store_true",
        help="gc.freeze() after warm-up, as a server can after loading the app",
    )
    parser.add_argument(
        "--unit",
        action="append",
        metavar="NAME",
        help="also measure the busiest unit whose name contains NAME (repeatable)",
    )
    parser.add_argument("--generate-only", action="store_true")
    parser.add_argument(
        "--national",
        action="store_true",
        help="all of Sweden: 400 000 cases at scale 1 (default database brygga_bench_national)",
    )
    args = parser.parse_args()

    os.environ.setdefault(
        "DATABASE_URL", NATIONAL_DATABASE_URL if args.national else DEFAULT_DATABASE_URL
    )
    # WhiteNoise warns about the missing collectstatic directory; irrelevant here.
    warnings.filterwarnings("ignore", message="No directory at", category=UserWarning)
    ensure_database(os.environ["DATABASE_URL"])
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    say(f"database: {connection.settings_dict['NAME']} on {connection.settings_dict['HOST']}")
    call_command("migrate", verbosity=0)
    details = prepare_data(args)
    if args.generate_only:
        say(
            f"region_year: generated {'national ' if args.national else ''}scale {args.scale} "
            f"in {details['generation_seconds']} s"
        )
        return

    rng = random.Random(args.seed)
    subjects = pick_subjects(args.unit)
    for subject in subjects:
        say(f"{subject.label}: {subject.unit.name} ({cases(subject.open_cases)})")
    if args.gc_freeze:
        for subject in subjects:  # load everything a view imports before freezing
            get(client_for(subject), "/arenden/")
        gc.collect()
        gc.freeze()
        say(f"gc.freeze(): {gc.get_freeze_count()} objects left out of garbage collection")
    results: list[Result] = []
    for subject in subjects:
        results += measure(subject, args, rng)
    if args.breakdown:
        say("")
        for subject in subjects:
            breakdown(subject, 50)
    if args.profile:
        for subject in subjects:
            profile(subject, 30)

    say("")
    for result in results:
        say(result.line())
    say("")
    say(table(results))
    busy_list, busy_case = results[0], results[1]
    quiet_list = results[2]
    worst_p95 = max(r.ms(0.95) for r in results)
    same_queries = set(busy_list.queries) == set(quiet_list.queries)
    generated = details.get("generation_seconds")
    say("")
    say(
        f"region_year: {'national ' if args.national else ''}scale {args.scale}: "
        f"{n(details['cases'])} cases, "
        f"{n(details['events'])} events (generated in {generated} s); "
        f"busy worklist ({busy_list.subject.open_cases} open) p50 {busy_list.ms(0.5):.0f} ms "
        f"p95 {busy_list.ms(0.95):.0f} ms {busy_list.query_text} queries; case page p95 "
        f"{busy_case.ms(0.95):.0f} ms {busy_case.query_text} queries; quiet worklist "
        f"{quiet_list.query_text} queries ({'same' if same_queries else 'DIFFERENT'}); "
        f"target p95 < {TARGET_P95_MS:.0f} ms: "
        f"{'met' if worst_p95 < TARGET_P95_MS else 'MISSED'} (worst p95 {worst_p95:.0f} ms)"
    )


if __name__ == "__main__":
    main()
