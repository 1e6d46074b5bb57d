"""A national year of Brygga data: all of Sweden's health and social care, for the benchmarks.

Used by ``bench/region_year.py --national``. It reuses the region generator
(``bench/region_world.py``: the case replay through the state machine, the payloads, the
``APPLY`` functions, the notices and their reading) and changes only the world around it:

* the 21 regions and 290 municipalities of ``bench/sweden.py``; each region and each
  municipality is its own organisation (Luhn-valid organisation numbers, HSA-ids unique);
* Region Stockholm keeps its hand-written hospitals, districts and private providers; the
  other regions get hospitals generated from their population (one acute hospital per about
  200 000 inhabitants, wards scaled to the catchment, a psychiatric clinic per about 350 000
  with its outpatient clinic), vårdcentraler (one per about 12 000 inhabitants, a third run
  by two private providers per region), social services and municipal health care per
  municipality;
* the rest of a national directory that takes no part in the discharges: hospital
  outpatient clinics (no care type: they do not use Brygga), more outpatient psychiatry,
  the municipalities' nursing homes, home health-care teams and short-term housing
  (municipal health care), home-help and LSS units (no care type), administrations —
  about 12 400 units, 104 000 staff and 158 000 commissions at any scale;
* 400 000 patients and 400 000 cases at scale 1 (about four million events), placed by
  population.

Everything is written with COPY (the directory too, with its own ids). Identity numbers
come from the same test series as the region year; with 400 000 patients the test
birth numbers (ten per sex and day) fill up around the most common birth years, so a
patient whose birth day is full gets the nearest free day up to four years away (the age
peak at 80-85 is smoothed a little) and, failing that, a samordningsnummer: about one
patient in six has one at scale 1, against one in forty in the region year.
"""

from __future__ import annotations

import datetime as dt
import itertools
import random
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from region_world import (
    EXAMPLE_DOMAIN,
    FOREIGN_KEYS,
    HOSPITALS,
    POPULATION,
    PRIVATE_PROVIDERS,
    SOMATIC_SPECIALTIES,
    STOCKHOLM_DISTRICTS,
    TOWNS,
    VC_SUFFIXES,
    CaseGenerator,
    CopyRows,
    CopyTable,
    Directory,
    Hospital,
    IdentityNumbers,
    PatientInfo,
    PatientWriter,
    UnitInfo,
    _try_replica_mode,
    area_of,
    broken_foreign_keys,
    copy_rows,
    flag,
    municipality_org_number,
    ordinary_wards,
    phone,
    ref,
    reset_sequences,
    slug,
    staff_member,
    text,
    with_luhn,
    write_patients_and_cases,
    written_counts,
)
from sweden import Municipality, Region, regions

from brygga.demo.world import MUNICIPALITIES, REGION_ORG_NUMBER, make_test_personnummer
from brygga.directory.models import (
    CareType,
    Commission,
    Organisation,
    OrganisationKind,
    Person,
    Role,
    Unit,
)

NATIONAL_CASES = 400_000
MAX_SHIFT = 4 * 365  # days a patient's birth day may move to find a free personnummer

CLINICS = (
    "Medicinmottagning", "Kardiologmottagning", "Ortopedmottagning", "Kirurgmottagning",
    "Lungmottagning", "Njurmottagning", "Neurologmottagning", "Hudmottagning",
    "Ögonmottagning", "Öron-näsa-halsmottagning", "Kvinnomottagning", "Barnmottagning",
    "Urologmottagning", "Reumatologmottagning", "Diabetesmottagning", "Onkologmottagning",
    "Geriatrisk mottagning", "Smärtmottagning", "Audiologisk mottagning", "Handkirurgmottagning",
)  # fmt: skip
HOUSES = (
    "Solgården", "Ekbacken", "Björkhagen", "Lindgården", "Rosengården", "Tallbacken",
    "Ängsgården", "Sjöstugan", "Furuhem", "Vallmon", "Hagagården", "Strandgården",
    "Almgården", "Lärkan", "Eken", "Källbacken", "Norrgården", "Söderhem", "Västergården",
    "Österhem", "Humlegården", "Kastanjen", "Lönnen", "Bergsgården",
)  # fmt: skip
NORRLAND = {"22", "23", "24", "25"}
HOSPITAL_SUFFIXES = ("", " Norra", " Södra", " Östra", " Västra", " Centrum")


# --- Identity numbers ------------------------------------------------------------------------


class NationalIdentityNumbers(IdentityNumbers):
    """As IdentityNumbers, but when a birth day's ten test numbers are taken it moves to the
    nearest day with one left (either way, ages 18-104), found through "next free day"
    pointers kept per sex and series, so a full stretch of years costs nothing to skip."""

    def __init__(self, rng: random.Random, today: dt.date) -> None:
        super().__init__(rng)
        self.used: dict[tuple[int, bool, bool], int] = {}
        self.later: dict[tuple[bool, bool], dict[int, int]] = {}
        self.earlier: dict[tuple[bool, bool], dict[int, int]] = {}
        self.earliest = (today - dt.timedelta(days=104 * 365)).toordinal()
        self.latest = (today - dt.timedelta(days=18 * 365)).toordinal()

    @staticmethod
    def _follow(pointers: dict[int, int], day: int) -> int:
        path = []
        while day in pointers:
            path.append(day)
            day = pointers[day]
        for full in path:
            pointers[full] = day
        return day

    def _free_day(self, born: dt.date, series: tuple[bool, bool], max_shift: int) -> int:
        later = self.later.setdefault(series, {})
        earlier = self.earlier.setdefault(series, {})
        day = born.toordinal()
        if day not in later:
            return day
        after, before = self._follow(later, day), self._follow(earlier, day)
        candidates = [
            d
            for d in (after, before)
            if self.earliest <= d <= self.latest and abs(d - day) <= max_shift
        ]
        if not candidates:
            raise RuntimeError(f"no test personnummer left near {born}")
        if len(candidates) == 2 and after - day != day - before:
            return after if after - day < day - before else before
        return self.rng.choice(candidates)

    def person(
        self, born: dt.date, *, female: bool, samordning: bool = False, max_shift: int = 99_999
    ) -> str:
        """A free test number born on ``born`` or at most ``max_shift`` days from it."""
        series = (female, samordning)
        while True:
            day = self._free_day(born, series, max_shift)
            key = (day, female, samordning)
            birth = dt.date.fromordinal(day)
            start = self.rng.randrange(10)
            value = ""
            for step in range(10):
                number = (980 if female else 981) + 2 * ((start + step) % 10)
                candidate = make_test_personnummer(birth, number, samordning=samordning)
                if candidate not in self.taken:
                    value = candidate
                    break
            used = self.used[key] = self.used.get(key, 0) + (1 if value else 10)
            if used >= 10:
                self.later.setdefault(series, {})[day] = day + 1
                self.earlier.setdefault(series, {})[day] = day - 1
            if value:
                self.taken.add(value)
                return value


# --- The directory ---------------------------------------------------------------------------


@dataclass
class NationalDirectory(Directory):
    hospitals_by_county: dict[tuple[str, bool], list[str]] = field(default_factory=dict)
    towns: dict[str, tuple[str, str]] = field(default_factory=dict)  # code -> (town, prefix)
    areas: list[tuple[str, float]] = field(default_factory=list)  # (area, inhabitants)
    organisations: int = 0


@dataclass
class UnitSpec:
    pk: int
    org: int
    org_number: str
    care_type: str
    staff: int  # users besides the manager; 0 with no care type: nobody
    info: UnitInfo | None  # set for the units that take part in cases


class Builder:
    def __init__(self, rng: random.Random, ids: IdentityNumbers, since: dt.date) -> None:
        self.rng, self.ids, self.since = rng, ids, since
        self.orgs = CopyTable(
            Organisation,
            ("id", "name", "org_number", "kind", "municipality_code", "has_own_ek_admin"),
        )
        self.units = CopyTable(
            Unit,
            (
                "id", "hsa_id", "name", "organisation_id", "parent_id", "care_type",
                "municipality_code", "district", "phone", "fax", "functional_mailbox",
                "status", "valid_from", "valid_to",
            ),
        )  # fmt: skip
        self.persons = CopyTable(
            Person,
            (
                "id", "password", "last_login", "hsa_id", "personnummer", "given_name",
                "family_name", "title", "email", "is_active",
            ),
        )  # fmt: skip
        self.commissions = CopyTable(
            Commission,
            ("id", "person_id", "unit_id", "role", "purpose", "valid_from", "valid_to",
             "last_used_at"),
        )  # fmt: skip
        self.org_numbers: dict[int, str] = {}
        self.unit_serials: dict[int, itertools.count[int]] = {}
        self.person_serials: dict[int, itertools.count[int]] = {}
        self.specs: list[UnitSpec] = []

    def org(self, name: str, number: str, kind: str, code: str = "") -> int:
        pk = self.orgs.take_id()
        self.orgs.add(str(pk), text(name), number, kind, code, flag(True))
        self.org_numbers[pk] = number
        return pk

    def unit(
        self,
        org: int,
        name: str,
        care_type: str,
        code: str,
        district: str = "",
        parent: int | None = None,
        *,
        staff: int = 0,
        takes_part: bool = False,
        hospital: str = "",
        busy: bool = False,
    ) -> tuple[int, UnitInfo | None]:
        pk = self.units.take_id()
        number = self.org_numbers[org]
        serial = next(self.unit_serials.setdefault(org, itertools.count(1001)))
        tel = phone(pk * 2)
        self.units.add(
            str(pk), f"SE{number}-E{serial}", text(name), str(org), ref(parent), care_type,
            code, text(district), tel, phone(pk * 2 + 1),
            f"utskrivning.e{pk}@{EXAMPLE_DOMAIN}", "active", self.since.isoformat(), "\\N",
        )  # fmt: skip
        info = None
        if takes_part:
            info = UnitInfo(pk, name, care_type, code, district, tel, hospital, busy)
        self.specs.append(UnitSpec(pk, org, number, care_type, staff, info))
        return pk, info

    def staff(self) -> tuple[int, int]:
        """Persons and commissions for every unit with a care type; three in five users
        also hold a commission at another unit of the same kind in the same organisation."""
        rng, ids, since = self.rng, self.ids, self.since.isoformat()
        by_kind: dict[tuple[int, str], list[UnitSpec]] = {}
        for spec in self.specs:
            if spec.care_type:
                by_kind.setdefault((spec.org, spec.care_type), []).append(spec)
        for spec in self.specs:
            if not spec.care_type:
                continue
            admin = spec.care_type == CareType.ADMINISTRATION
            size = 1 if admin else spec.staff
            counter = self.person_serials.setdefault(spec.org, itertools.count(10001))
            for number in range(size + 1):
                member = staff_member(rng, spec.care_type, number, size)
                given, family, title = member.given, member.family, member.title
                pk = self.persons.take_id()
                self.persons.add(
                    str(pk), f"!{rng.getrandbits(160):040x}", "\\N",
                    f"SE{spec.org_number}-P{next(counter)}",
                    ids.person(member.born, female=member.female),
                    text(given), text(family), title,
                    f"{slug(given)}.{slug(family)}.{pk}@{EXAMPLE_DOMAIN}", flag(True),
                )  # fmt: skip
                purpose = "Vård och behandling" if not admin else "Administration"
                self._commission(pk, spec, member.role, purpose, since)
                if member.role != Role.USER:
                    continue
                full_name = f"{given} {family}"
                if spec.info is not None:
                    spec.info.users.append((pk, full_name, title))
                if rng.random() < 0.6:
                    others = by_kind[(spec.org, spec.care_type)]
                    second = others[rng.randrange(len(others))]
                    if second is not spec:
                        self._commission(pk, second, Role.USER, "Vård och behandling", since)
                        if second.info is not None:
                            second.info.users.append((pk, full_name, title))
        return self.persons.next_id - 1, self.commissions.next_id - 1

    def _commission(self, person: int, spec: UnitSpec, role: str, purpose: str, since: str) -> None:
        self.commissions.add(
            str(self.commissions.take_id()), str(person), str(spec.pk), role, purpose, since,
            "\\N", "\\N",
        )  # fmt: skip

    def tables(self) -> list[CopyTable]:
        return [self.orgs, self.units, self.persons, self.commissions]


def dhondt(places: list[Municipality], seats: int) -> list[Municipality]:
    """Where ``seats`` hospitals go: the largest quotient population / (seats so far + 1)."""
    taken: dict[str, int] = {}
    chosen = []
    for _ in range(seats):
        best = max(places, key=lambda m: (m.population / (taken.get(m.code, 0) + 1), m.code))
        taken[best.code] = taken.get(best.code, 0) + 1
        chosen.append(best)
    return chosen


def generated_hospitals(region: Region) -> list[Hospital]:
    """Acute hospitals and psychiatric clinics of a region, with catchments by population."""
    result = []
    for psychiatric, per in ((False, 200), (True, 350)):
        count = max(1, round(region.population / per))
        sites = dhondt(list(region.municipalities), count)
        seen: dict[str, int] = {}
        keys: list[tuple[str, Municipality, str]] = []
        loads: list[float] = []
        catchments: list[list[str]] = []
        for site in sites:
            number = seen.get(site.code, 0)
            seen[site.code] = number + 1
            suffix = HOSPITAL_SUFFIXES[number % len(HOSPITAL_SUFFIXES)]
            kind = "p" if psychiatric else "h"
            keys.append((f"{kind}{site.code}{number}", site, suffix))
            loads.append(0.0)
            catchments.append([])
        hosts: dict[str, list[int]] = {}
        for index, (_key, site, _suffix) in enumerate(keys):
            hosts.setdefault(site.code, []).append(index)
        for m in sorted(region.municipalities, key=lambda m: (-m.population, m.code)):
            chosen = hosts.get(m.code) or [min(range(len(keys)), key=lambda i: (loads[i], i))]
            for index in chosen:
                loads[index] += m.population / len(chosen)
                catchments[index].append(m.code)
        for (key, site, suffix), load, catchment in zip(keys, loads, catchments, strict=True):
            if psychiatric:
                name = f"Psykiatrin {site.town}{suffix}"
                wards = min(10, max(2, round(load / 50)))
            else:
                name = f"Sjukhuset i {site.town}{suffix}"
                wards = min(24, max(5, round(load / 11)))
            result.append(
                Hospital(key, name, name, site.code, "", tuple(catchment), wards, psychiatric)
            )
    return result


def build_national_directory(
    rng: random.Random, ids: IdentityNumbers, since: dt.date
) -> tuple[NationalDirectory, Builder]:
    b = Builder(rng, ids, since)
    stockholm_names = {code: name for code, _key, name in MUNICIPALITIES}
    nation = regions(
        {
            code: (stockholm_names[code], population, *TOWNS[code])
            for code, population in POPULATION.items()
        }
    )
    directory = NationalDirectory.empty(
        Organisation(pk=1, name="Region Stockholm", org_number=REGION_ORG_NUMBER)
    )
    for region in nation:
        _build_region(b, directory, region)
    for info in (s.info for s in b.specs if s.info is not None):
        directory.add(info)
    directory.persons, directory.commissions = b.staff()
    directory.organisations = b.orgs.next_id - 1
    return directory, b


def _build_region(b: Builder, d: NationalDirectory, region: Region) -> None:
    rng = b.rng
    county = region.county
    stockholm = county == "01"
    number = REGION_ORG_NUMBER if stockholm else with_luhn(f"2321000{county}")
    org = b.org(region.name, number, OrganisationKind.REGION)
    short = region.name.removeprefix("Region ")
    b.unit(org, f"{region.name}, Hälso- och sjukvårdsförvaltningen", CareType.ADMINISTRATION,
           region.municipalities[0].code)  # fmt: skip
    b.unit(org, f"{region.name}, Brygga förvaltning" if not stockholm else
           "Brygga central förvaltning", CareType.ADMINISTRATION,
           region.municipalities[0].code)  # fmt: skip
    if stockholm:
        private = [
            b.org(name, with_luhn(o), OrganisationKind.PRIVATE) for _k, name, o in PRIVATE_PROVIDERS
        ]
    else:
        biggest = max(region.municipalities, key=lambda m: m.population)
        private = [
            b.org(f"Husläkarna i {biggest.town} AB", with_luhn(f"55699{county}11"),
                  OrganisationKind.PRIVATE),
            b.org(f"Vårdgruppen {short} AB", with_luhn(f"55699{county}21"),
                  OrganisationKind.PRIVATE),
        ]  # fmt: skip
    for m in region.municipalities:
        d.towns[m.code] = (m.town, m.postal_prefix)

    # Hospitals, their wards and outpatient clinics.
    hospitals = list(HOSPITALS) if stockholm else generated_hospitals(region)
    specialties = list(SOMATIC_SPECIALTIES)
    for hospital in hospitals:
        code, district = hospital.municipality_code, hospital.district
        top, _ = b.unit(org, hospital.name, "", code, district)
        for busy_name in hospital.busy:
            b.unit(org, busy_name, CareType.INPATIENT_SOMATIC, code, district, top,
                   staff=rng.randint(24, 44) + 8, takes_part=True, hospital=hospital.key,
                   busy=True)  # fmt: skip
        for name, care_type in ordinary_wards(hospital, specialties, rng):
            b.unit(org, name, care_type, code, district, top, staff=rng.randint(24, 44),
                   takes_part=True, hospital=hospital.key)  # fmt: skip
        if hospital.psychiatric:
            _pk, clinic = b.unit(
                org, f"{hospital.short}, Psykiatrisk öppenvårdsmottagning",
                CareType.OUTPATIENT_PSYCHIATRY, code, district, top, staff=rng.randint(6, 14),
                takes_part=True,
            )  # fmt: skip
            assert clinic is not None
            d.psychiatry_outpatient[hospital.key] = clinic
        else:  # outpatient clinics: in the directory, not using Brygga
            for n in range(round(hospital.wards * 1.2)):
                b.unit(org, f"{hospital.short}, {CLINICS[n % len(CLINICS)]}", "", code,
                       district, top)  # fmt: skip
        for area in hospital.catchment:
            d.hospitals_for_area.setdefault((area, hospital.psychiatric), []).append(hospital.key)
        d.hospitals_by_county.setdefault((county, hospital.psychiatric), []).append(hospital.key)

    # More outpatient psychiatry (one clinic per about 40 000 inhabitants).
    for n, m in enumerate(dhondt(list(region.municipalities), round(region.population / 40))):
        b.unit(org, f"Psykiatrisk öppenvårdsmottagning {m.town} {VC_SUFFIXES[n % 12]}",
               CareType.OUTPATIENT_PSYCHIATRY, m.code, staff=rng.randint(6, 14))  # fmt: skip

    # Primary care: Stockholm as in the region year (one per 20 000 per area), elsewhere
    # one per about 12 000 inhabitants; a third run privately.
    areas: list[tuple[str, str, float]] = []
    for m in region.municipalities:
        if m.code == "0180":
            areas += [(m.code, dist, float(n)) for dist, n in STOCKHOLM_DISTRICTS.items()]
        else:
            areas.append((m.code, "", float(m.population)))
    providers = [org, org, org, *private] if stockholm else [org, org, org, org, *private]
    vc_word = "Hälsocentralen" if county in NORRLAND else "Vårdcentralen"
    for code, district, population in areas:
        place = district or d.towns[code][0]
        count = max(1, round(population / (20 if stockholm else 12)))
        area = area_of(code, district)
        for n in range(count):
            owner = providers[(len(b.specs) + n) % len(providers)]
            if stockholm:
                kind = "Vårdcentral" if owner == org else "Husläkarmottagning"
                name = f"{kind} {place} {VC_SUFFIXES[n % len(VC_SUFFIXES)]}"
            else:
                kind = vc_word if owner == org else "Husläkarmottagningen"
                name = f"{kind} {place}" + (f" {VC_SUFFIXES[n % 12]}" if count > 1 else "")
            _pk, info = b.unit(owner, name, CareType.PRIMARY_CARE, code, district,
                               staff=rng.randint(14, 34), takes_part=True)  # fmt: skip
            assert info is not None
            d.primary_care.setdefault(area, []).append(info)
        d.areas.append((area, population * (1 if not district else POPULATION["0180"] /
                                            sum(STOCKHOLM_DISTRICTS.values()))))  # fmt: skip

    # The municipalities.
    for m in region.municipalities:
        name = m.name if stockholm else m.organisation_name
        morg = b.org(name, municipality_org_number(m.code), OrganisationKind.MUNICIPALITY, m.code)
        if m.code == "0180":
            for district, inhabitants in STOCKHOLM_DISTRICTS.items():
                _pk, info = b.unit(
                    morg, f"Stockholms stad, {district} stadsdelsförvaltning",
                    CareType.SOCIAL_SERVICES, m.code, district, staff=3 + inhabitants // 10,
                    takes_part=True,
                )  # fmt: skip
                assert info is not None
                d.social_services[area_of(m.code, district)] = info
        else:
            _pk, info = b.unit(
                morg, f"{name}, Socialtjänsten – biståndshandläggning",
                CareType.SOCIAL_SERVICES, m.code, staff=3 + m.population // 10, takes_part=True,
            )  # fmt: skip
            assert info is not None
            d.social_services[m.code] = info
            _pk, info = b.unit(
                morg, f"{name}, Kommunal hälso- och sjukvård", CareType.MUNICIPAL_HEALTH_CARE,
                m.code, staff=rng.randint(4, 8), takes_part=True,
            )  # fmt: skip
            assert info is not None
            d.health_care[m.code] = info
        top, _ = b.unit(morg, f"{name}, Vård- och omsorgsförvaltningen", "", m.code)
        b.unit(morg, f"{name}, Vård- och omsorgsförvaltningen – administration",
               CareType.ADMINISTRATION, m.code, parent=top)  # fmt: skip
        health = CareType.MUNICIPAL_HEALTH_CARE
        pop = m.population
        for n in range(max(1, round(pop / 6))):
            house = f"{HOUSES[n % len(HOUSES)]}" + (f" {n // len(HOUSES) + 1}" if n >= 24 else "")
            b.unit(morg, f"{m.town}, {house} särskilt boende", health, m.code, parent=top,
                   staff=rng.randint(8, 16))  # fmt: skip
        if m.code != "0180":
            for n in range(max(1, round(pop / 10))):
                b.unit(morg, f"Hemsjukvården {m.town}, team {n + 1}", health, m.code,
                       parent=top, staff=rng.randint(8, 16))  # fmt: skip
        for n in range(max(1, round(pop / 25))):
            b.unit(morg, f"{m.town}, korttidsboende {n + 1}", health, m.code, parent=top,
                   staff=rng.randint(6, 10))  # fmt: skip
        for n in range(max(1, round(pop / 4))):
            b.unit(morg, f"Hemtjänsten {m.town}, område {n + 1}", "", m.code, parent=top)
        for n in range(round(pop / 5)):
            b.unit(morg, f"{m.town}, LSS-boende {HOUSES[(n + 7) % len(HOUSES)]} {n + 1}", "",
                   m.code, parent=top)  # fmt: skip


# --- Patients and cases ----------------------------------------------------------------------


class NationalPatientWriter(PatientWriter):
    """Patients all over Sweden, by population: the region writer with the nation's towns,
    and a samordningsnummer when the test personnummer run out near the birth day."""

    def __init__(
        self, directory: NationalDirectory, rng: random.Random, ids: NationalIdentityNumbers
    ) -> None:
        super().__init__(directory, rng, ids)
        self.ids: NationalIdentityNumbers = ids
        self.areas = [area for area, _w in directory.areas]
        self.cumulative = list(itertools.accumulate(w for _a, w in directory.areas))
        self.towns = directory.towns

    def personnummer(self, born: dt.date, *, female: bool) -> str | None:
        try:
            return self.ids.person(born, female=female, max_shift=MAX_SHIFT)
        except RuntimeError:
            return None


class NationalCaseGenerator(CaseGenerator):
    """The region generator's cases, with hospitals by region instead of Stockholm's."""

    directory: NationalDirectory

    @staticmethod
    def _county(patient: PatientInfo) -> str:
        return patient.municipality_code[:2] or "01"  # reservnummer: Region Stockholm's

    def _near_busy_wards(self, patient: PatientInfo) -> bool:
        return self._county(patient) == "01"  # the busy wards are Stockholm's

    def _other_hospitals(self, patient: PatientInfo) -> list[str]:
        key = (self._county(patient), patient.psychiatric)
        return self.directory.hospitals_by_county[key]


# --- Generating ------------------------------------------------------------------------------


def generate_national(
    *,
    scale: float,
    seed: int,
    now: dt.datetime,
    progress: Callable[[str], None],
) -> dict[str, Any]:
    """Write the whole national year into the (empty) database; return what was written."""
    rng = random.Random(seed)
    ids = NationalIdentityNumbers(rng, now.date())
    started = time.monotonic()
    since = dt.date(2018, 1, 1)
    directory, builder = build_national_directory(rng, ids, since)
    patient_count = max(200, round(NATIONAL_CASES * scale))
    target_cases = max(200, round(NATIONAL_CASES * scale))
    with connection.cursor() as django_cursor:
        cursor = django_cursor.cursor  # the psycopg cursor, for COPY
        superuser = _try_replica_mode(cursor)
        for table in builder.tables():
            table.flush(cursor)
        progress(
            f"directory: {directory.organisations} organisations, "
            f"{builder.units.written} units ({len(directory.units)} taking part in cases), "
            f"{directory.persons} persons, {directory.commissions} commissions "
            f"({time.monotonic() - started:.0f} s)"
        )
        patients = NationalPatientWriter(directory, rng, ids)
        cases = NationalCaseGenerator(directory, rng, now, target_cases)
        with BackgroundCopy(cursor) as copier:
            tables = write_patients_and_cases(
                patients, cases, patient_count,
                now=now, send=copier.send, started=started, progress=progress,
            )  # fmt: skip
        if superuser:
            cursor.execute("SET session_replication_role = origin")
        reset_sequences(cursor, [*builder.tables(), *tables])
    return {
        "national": True,
        "organisations": directory.organisations,
        "units": builder.units.written,
        "units_in_cases": len(directory.units),
        "persons": directory.persons,
        "commissions": directory.commissions,
        **written_counts(patients, cases, superuser=superuser),
    }


class BackgroundCopy:
    """COPY in a second thread while the next batch is generated (PostgreSQL does its part
    in its own process; psycopg waits on the network without the GIL)."""

    def __init__(self, cursor: Any) -> None:
        self.cursor = cursor
        self.writer = ThreadPoolExecutor(max_workers=1)
        self.sending: Future[None] | None = None

    def send(self, tables: list[CopyTable]) -> None:
        """Take the tables' rows now; COPY them once the previous batch is in."""
        self._wait()
        self.sending = self.writer.submit(self._copy, [table.take() for table in tables])

    def _copy(self, chunks: list[CopyRows]) -> None:
        for rows in chunks:
            copy_rows(self.cursor, rows)

    def _wait(self) -> None:
        if self.sending is not None:
            self.sending.result()
            self.sending = None

    def __enter__(self) -> BackgroundCopy:
        return self

    def __exit__(self, *exc: object) -> None:
        try:
            self._wait()
        finally:
            self.writer.shutdown()


# The directory's own foreign keys, written with COPY here (bulk_create in the region year).
DIRECTORY_FOREIGN_KEYS = (
    ("directory_unit", "organisation_id", "directory_organisation"),
    ("directory_unit", "parent_id", "directory_unit"),
    ("directory_commission", "person_id", "directory_person"),
    ("directory_commission", "unit_id", "directory_unit"),
)
NATIONAL_FOREIGN_KEYS = FOREIGN_KEYS + DIRECTORY_FOREIGN_KEYS


def check_foreign_keys() -> list[str]:
    """Every foreign key written with COPY, the directory's included: the broken ones."""
    return broken_foreign_keys(NATIONAL_FOREIGN_KEYS)
