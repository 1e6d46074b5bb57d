"""Benchmark: the directory sync (HSA/EK over LDAP) at region size.

Generates an LDIF with 100 000 persons, 10 000 units and 150 000 commissions (and about a
hundred care providers) in the simplified HSA schema, loads it with slapadd into a
throwaway slapd on a loopback port (brygga.directory_sync.testserver), then runs into the
PostgreSQL database in DATABASE_URL (default brygga_bench_ldap, created if missing and
emptied first):

1. a full sync into the empty directory (creates every row, one access-log row per row),
2. an incremental sync with no changes in LDAP,
3. a second full sync with no changes,

and prints the times against the targets: full < 120 s, incremental < 5 s.

    .venv/bin/python bench/directory_sync.py                 # region size
    .venv/bin/python bench/directory_sync.py --scale 0.1     # a tenth, quick

Everything is made up: personnummer from Skatteverket's test series (birth numbers
980-999), organisation numbers with valid Luhn digits in unused series.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "brygga.settings")
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/brygga_bench_ldap"
TARGET_FULL_SECONDS = 120.0
TARGET_INCREMENTAL_SECONDS = 5.0


def say(message: str) -> None:
    print(message, flush=True)


def n(number: int) -> str:
    return f"{number:,}".replace(",", " ")


def luhn_digit(payload: str) -> str:
    total = 0
    for index, char in enumerate(reversed(payload)):
        digit = int(char) * (2 if index % 2 == 0 else 1)
        total += digit - 9 if digit > 9 else digit
    return str((10 - total % 10) % 10)


def test_personnummer(serial: int) -> str:
    """The serial-th personnummer of Skatteverket's test series (birth numbers 980-999)."""
    day = dt.date(1950, 1, 1) + dt.timedelta(days=serial // 20)
    head = f"{day:%y%m%d}{980 + serial % 20:03d}"
    return f"{day.year}{head[2:]}{luhn_digit(head)}"


def generalized(moment: dt.datetime) -> str:
    return moment.strftime("%Y%m%d%H%M%SZ")


# Verksamhetskoder and care types of the simplified mapping (docs/directory-sync.md).
UNIT_KINDS = [
    ("02", "1010", "Avdelning"),  # inpatient somatic
    ("02", "1500", "Psykiatrisk avdelning"),  # inpatient psychiatric
    ("01", "1100", "Vårdcentral"),  # primary care
    ("01", "1500", "Psykiatrisk mottagning"),  # outpatient psychiatry
    ("04", "2000", "Biståndsenhet"),  # social services
    ("03", "2100", "Hemsjukvård"),  # municipal health care
]


def generate_ldif(
    path: Path, *, persons: int, units: int, commissions: int, seed: int = 7
) -> dict[str, int]:
    """Write the tree; return the counts written."""
    from brygga.directory_sync.testserver import SUFFIX, ldif_entry

    rng = random.Random(seed)
    county = f"l=Stockholms län,{SUFFIX}"
    base_time = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
    counter = {"n": 0}

    def stamp() -> dict[str, str]:
        # Entries were created and last changed over the past years, never all at once.
        counter["n"] += 1
        moment = base_time + dt.timedelta(seconds=counter["n"] * 480 + rng.randrange(400))
        return {"createTimestamp": generalized(moment), "modifyTimestamp": generalized(moment)}

    providers: list[tuple[str, str]] = []  # (dn, org number)
    org_numbers = ["2321000016"] + [
        f"{prefix}{luhn_digit(prefix)}"
        for prefix in [f"21990{code:04d}"[:9] for code in range(114, 140)]
        + [f"55699{i:04d}" for i in range(1, 75)]
    ]
    unit_dns: list[tuple[str, str, str]] = []  # (dn, hsa-id, org number)
    person_dns: list[tuple[str, str]] = []

    def chunks() -> Iterator[str]:
        yield ldif_entry(county, {"objectClass": "locality", "l": "Stockholms län"})
        for index, org in enumerate(org_numbers):
            name = "Region Stockholm" if index == 0 else f"Vårdgivare {index:03d}"
            dn = f"o={name},{county}"
            providers.append((dn, org))
            yield ldif_entry(
                dn,
                {
                    "objectClass": ["organization", "hsaHealthCareProvider"],
                    "o": name,
                    "hsaIdentity": f"SE{org}-VG{index}",
                    "orgNo": f"{org[:6]}-{org[6:]}",
                    **stamp(),
                },
            )
            yield ldif_entry(
                f"ou=Personal,{dn}", {"objectClass": "organizationalUnit", "ou": "Personal"}
            )
        # Units: a third are top-level units of a provider, the rest sit below one of those.
        for index in range(units):
            provider_dn, org = providers[0] if index % 3 else providers[index % len(providers)]
            tops = [u for u in unit_dns[-200:] if u[2] == org and u[0].count(",") == 3]
            parent_dn = rng.choice(tops)[0] if index % 3 and tops else provider_dn
            care_type, code, label = UNIT_KINDS[index % len(UNIT_KINDS)]
            hsa_id = f"SE{org}-E{index:06d}"
            name = f"{label} {index:05d}"
            dn = f"ou={name},{parent_dn}"
            unit_dns.append((dn, hsa_id, org))
            yield ldif_entry(
                dn,
                {
                    "objectClass": ["organizationalUnit", "hsaHealthCareUnit"],
                    "ou": name,
                    "hsaIdentity": hsa_id,
                    "careType": care_type,
                    "businessClassificationCode": code,
                    "municipalityCode": f"{114 + index % 26 * 2:04d}",
                    "telephoneNumber": f"08-465 004 {index % 100:02d}",
                    "mail": f"enhet{index}@example.se",
                    "startDate": "20180101000000Z",
                    **stamp(),
                },
            )
        for index in range(persons):
            provider_dn, org = providers[0] if index % 4 else providers[index % len(providers)]
            hsa_id = f"SE{org}-P{index:07d}"
            given, family = f"Förnamn{index % 997}", f"Efternamn{index:06d}"
            dn = f"cn={given} {family} {index},ou=Personal,{provider_dn}"
            person_dns.append((dn, org))
            yield ldif_entry(
                dn,
                {
                    "objectClass": ["inetOrgPerson", "hsaPerson"],
                    "cn": f"{given} {family} {index}",
                    "givenName": given,
                    "sn": family,
                    "hsaIdentity": hsa_id,
                    "personalIdentityNumber": test_personnummer(index),
                    "title": "Sjuksköterska" if index % 3 else "Läkare",
                    "mail": f"person{index}@example.se",
                    **stamp(),
                },
            )
        for index in range(commissions):
            unit_dn, _unit_hsa, org = unit_dns[index % len(unit_dns)]
            member_dn = person_dns[(index * 7919) % len(person_dns)][0]
            rights = ["Läsa;Alla;SJF"]
            if index % 50 == 0:
                rights.append("Chef;Brygga;VE")
            yield ldif_entry(
                f"cn=Uppdrag {index},{unit_dn}",
                {
                    "objectClass": "hsaCommission",
                    "cn": f"Uppdrag {index}",
                    "hsaIdentity": f"SE{org}-U{index:07d}",
                    "hsaCommissionPurpose": "Vård och behandling",
                    "hsaCommissionRight": rights,
                    "hsaCommissionMember": member_dn,
                    **stamp(),
                },
            )

    with path.open("w", encoding="utf-8") as handle:
        for chunk in chunks():
            handle.write(chunk)
    return {
        "providers": len(providers),
        "units": len(unit_dns),
        "persons": len(person_dns),
        "commissions": commissions,
    }


def ensure_empty_database(url: str) -> None:
    import psycopg
    from psycopg import sql

    parts = urlsplit(url)
    if parts.scheme not in {"postgres", "postgresql"}:
        raise SystemExit("bench/directory_sync.py needs PostgreSQL in DATABASE_URL")
    name = parts.path.lstrip("/")
    if not name.startswith("brygga_bench"):
        raise SystemExit("refusing to empty a database whose name does not start brygga_bench")
    maintenance = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(maintenance, autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    say(f"fresh database {name}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--keep-ldif", type=Path, help="write the LDIF here and keep it")
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", DEFAULT_DATABASE_URL)
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("BRYGGA_ENVIRONMENT", "test")
    ensure_empty_database(url)

    import django

    django.setup()
    from django.core.management import call_command
    from django.test.utils import override_settings

    from brygga.directory_sync import testserver

    persons, units, commissions = (
        int(100_000 * args.scale),
        int(10_000 * args.scale),
        int(150_000 * args.scale),
    )
    call_command("migrate", verbosity=0)
    with tempfile.TemporaryDirectory(prefix="brygga-bench-ldap-") as folder:
        ldif = args.keep_ldif or Path(folder) / "tree.ldif"
        started = time.perf_counter()
        counts = generate_ldif(ldif, persons=persons, units=units, commissions=commissions)
        say(
            f"LDIF: {n(counts['persons'])} persons, {n(counts['units'])} units, "
            f"{n(counts['commissions'])} commissions, {counts['providers']} providers "
            f"({time.perf_counter() - started:.1f} s)"
        )
        started = time.perf_counter()
        with testserver.TestSlapd(ldif) as server:
            say(f"slapadd and slapd start: {time.perf_counter() - started:.1f} s ({server.url})")
            with override_settings(
                LDAP_URL=server.url,
                LDAP_BIND_DN=testserver.SYNC_DN,
                LDAP_BIND_PASSWORD=testserver.SYNC_PASSWORD,
                LDAP_BASE_DNS=[testserver.SUFFIX],
            ):
                results = run_syncs()
    full, incremental, again = results
    ok = full < TARGET_FULL_SECONDS and incremental < TARGET_INCREMENTAL_SECONDS
    say(
        f"{'OK' if ok else 'TOO SLOW'}: full sync {full:.1f} s (target < "
        f"{TARGET_FULL_SECONDS:.0f} s), incremental with no changes {incremental:.2f} s "
        f"(target < {TARGET_INCREMENTAL_SECONDS:.0f} s), second full sync {again:.1f} s"
    )
    sys.exit(0 if ok else 1)


def run_syncs() -> tuple[float, float, float]:
    from django.utils import timezone

    from brygga.core.actor import Actor
    from brygga.directory_sync.actions import SyncMode, run_sync

    actor = Actor.system("bench_directory_sync")
    times = []
    for mode in (SyncMode.FULL, SyncMode.INCREMENTAL, SyncMode.FULL):
        started = time.perf_counter()
        result = run_sync(actor=actor, mode=mode, now=timezone.now(), progress=say)
        elapsed = time.perf_counter() - started
        times.append(elapsed)
        say(f"{mode.label}: {result.summary()} in {elapsed:.2f} s")
    return times[0], times[1], times[2]


if __name__ == "__main__":
    main()
