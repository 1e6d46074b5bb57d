"""Benchmark: appends to the access log from several processes at once.

Shows that the hash-chained log is no global lock: throughput with N writer processes
against one database, and the chains verified afterwards. Uses DATABASE_URL (PostgreSQL
recommended; SQLite serialises all writers by design) and migrates it first.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/brygga_bench \
        .venv/bin/python bench/audit_append.py --processes 1 2 4 --appends 500
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "brygga.settings")


def _writer(appends: int, start_at: float) -> None:
    import django

    django.setup()
    from django.db import transaction

    from brygga.audit.events import AuditEventType
    from brygga.audit.log import record
    from brygga.core.actor import Actor

    actor = Actor.system("bench")
    while time.time() < start_at:
        time.sleep(0.001)
    for i in range(appends):
        with transaction.atomic():  # one request = one transaction, as in the application
            record(actor, AuditEventType.PATIENT_SEARCHED, details={"i": i})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--processes", type=int, nargs="+", default=[1, 2, 4])
    parser.add_argument("--appends", type=int, default=500, help="appends per process")
    args = parser.parse_args()

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    print(f"database: {connection.vendor}; {args.appends} appends per process")
    print(f"{'processes':>9} {'appends':>8} {'seconds':>8} {'appends/s':>10}")
    connection.close()
    for count in args.processes:
        start_at = time.time() + 1.0
        ctx = multiprocessing.get_context("spawn")
        workers = [ctx.Process(target=_writer, args=(args.appends, start_at)) for _ in range(count)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()
            if worker.exitcode != 0:
                raise SystemExit(f"a writer failed with exit code {worker.exitcode}")
        elapsed = time.time() - start_at
        total = count * args.appends
        print(f"{count:>9} {total:>8} {elapsed:>8.2f} {total / elapsed:>10.0f}")
    call_command("verify_audit_chain")


if __name__ == "__main__":
    main()
