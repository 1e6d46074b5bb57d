"""Benchmark: a month's invoicing basis for every municipality on a region-sized year.

Uses the region-year data of bench/region_year.py (generate it first into the same
database), puts the Region Stockholm 2020 agreement and an amount for each year of the
data in place if they are missing (marked as benchmark values), then times
`compute_basis(month, None)` — every stay that can be paid in the month, for all 26
municipalities — and the exports of the largest municipality's basis. Prints the timings and
a one-line summary; the target is under 5 s for all municipalities. Not asserted in tests.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/brygga_bench_payments \\
        .venv/bin/python bench/region_year.py --generate-only      # once, ~100 s
    DATABASE_URL=... .venv/bin/python bench/invoicing.py             # measure
    DATABASE_URL=... .venv/bin/python bench/invoicing.py --month 2026-06 --repeats 5
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import time
import warnings
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "brygga.settings")
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/brygga_bench_payments"
TARGET_SECONDS = 5.0
BENCH_SOURCE = "Benchmark: inte ett fastställt belopp"


def median(values: list[float]) -> float:
    # Not statistics.median: bench/statistics.py shadows the standard module here.
    ordered = sorted(values)
    middle = len(ordered) // 2
    return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2


def say(message: str) -> None:
    print(message, flush=True)


def n(number: int) -> str:
    return f"{number:,}".replace(",", " ")


def set_up_terms(today: dt.date) -> None:
    """The agreement and amounts the benchmark needs (written directly: set-up, not the app)."""
    from django.db.models import Max, Min

    from brygga.cases.models import Case
    from brygga.payments.demo import _draft
    from brygga.payments.models import Agreement, DailyAmount
    from brygga.payments.presets import STOCKHOLM_2020

    if not Agreement.objects.filter(code="rs-2020").exists():
        draft = _draft(
            STOCKHOLM_2020,
            code="rs-2020",
            valid_from=dt.date(2018, 1, 1),
            valid_to=None,
            source=BENCH_SOURCE,
        )
        Agreement.objects.create(
            **{name: getattr(draft, name) for name in draft.__dataclass_fields__},
            version=1,
            created_at=dt.datetime.now(dt.UTC),
            created_by_name="bench/invoicing.py",
        )
        say("set up the Region Stockholm 2020 agreement (region-wide)")
    span = Case.objects.aggregate(first=Min("ready_at"), last=Max("ready_at"))
    if span["first"] is None:
        raise SystemExit("No utskrivningsklara stays: generate with bench/region_year.py first.")
    for year in range(span["first"].year, today.year + 1):
        _row, created = DailyAmount.objects.get_or_create(
            year=year,
            defaults={
                "amount": Decimal(9300),
                "confirmed": False,
                "source": BENCH_SOURCE,
                "updated_at": dt.datetime.now(dt.UTC),
                "updated_by_name": "bench/invoicing.py",
            },
        )
        if created:
            say(f"set up a benchmark amount for {year}")


def busiest_month() -> dt.date:
    """The complete month with the most utskrivningsklar notices in the data."""
    from django.db.models import Count
    from django.db.models.functions import TruncMonth
    from django.utils import timezone

    from brygga.cases.models import Case
    from brygga.payments.facts import local_midnight

    this_month = local_midnight(timezone.localdate().replace(day=1))
    row = (
        Case.objects.filter(ready_at__isnull=False)
        .annotate(month=TruncMonth("ready_at"))
        .values("month")
        .annotate(count=Count("pk"))
        .filter(month__lt=this_month)
        .order_by("-count")
        .first()
    )
    if row is None:
        raise SystemExit("No utskrivningsklara stays in an earlier month.")
    month = row["month"]
    if isinstance(month, dt.datetime):
        return timezone.localtime(month).date()
    return month


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--month", help="YYYY-MM (default: the busiest complete month)")
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()

    os.environ.setdefault("DATABASE_URL", DEFAULT_DATABASE_URL)
    warnings.filterwarnings("ignore", message="No directory at", category=UserWarning)
    import django

    django.setup()
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from brygga.payments import exports
    from brygga.payments.basis import compute_basis

    say(f"database: {connection.settings_dict['NAME']} on {connection.settings_dict['HOST']}")
    now = timezone.now()
    set_up_terms(timezone.localdate(now))
    if args.month:
        year, month_number = (int(part) for part in args.month.split("-"))
        month = dt.date(year, month_number, 1)
    else:
        month = busiest_month()
    say(f"month: {month:%Y-%m}")

    compute_basis(month, None, now=now)  # warm-up: imports, holidays, query plans
    samples = []
    for _ in range(args.repeats):
        reset_queries()
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            bases = compute_basis(month, None, now=now)
            samples.append(time.perf_counter() - started)
    rows = sum(len(b.rows) for b in bases.values())
    days = sum(b.days for b in bases.values())
    amounts = [b.amount for b in bases.values()]
    total = sum(a for a in amounts if a is not None)
    within = sum(b.within_grace for b in bases.values())
    say(
        f"all municipalities: {len(bases)} bases, {n(rows)} rows, {n(days)} days, "
        f"{n(int(total))} kr; {n(within)} further stays without paid days"
    )
    say(
        f"  {args.repeats} runs: median {median(samples):.2f} s, "
        f"min {min(samples):.2f} s, max {max(samples):.2f} s, {len(queries)} SQL queries"
    )

    largest = max(bases.values(), key=lambda b: len(b.rows))
    started = time.perf_counter()
    one = compute_basis(month, largest.code, now=now)[largest.code]
    single = time.perf_counter() - started
    say(f"{largest.name}: {n(len(one.rows))} rows in {single:.2f} s")
    for label, make in (
        ("CSV", lambda: exports.to_csv(one)),
        ("XLSX", lambda: exports.to_xlsx(one)),
        ("PDF/UA", lambda: exports.to_pdf(one, generated_at=now)),
    ):
        started = time.perf_counter()
        content = make()
        say(f"  {label}: {len(content) / 1024:.0f} KiB in {time.perf_counter() - started:.2f} s")

    middle = median(samples)
    verdict = "meets" if middle < TARGET_SECONDS else "MISSES"
    say(
        f"invoicing: {month:%Y-%m} basis for all {len(bases)} municipalities "
        f"({n(rows)} rows) in {middle:.2f} s median; {verdict} the {TARGET_SECONDS:.0f} s target"
    )


if __name__ == "__main__":
    main()
