"""The demo region: a fictional, Region Stockholm-like world for demos, training and tests.

Everything here is made up but realistic. Region Stockholm keeps its real, public
organisation number (232100-0016, DOMAIN.md §6); every other organisation number and all
HSA-ids are computed with valid Luhn digits (municipalities get 219900-numbers, which real
municipalities, 212000-, do not use). Patients and staff have personnummer from
Skatteverket's test series only (birth numbers 980-999), phone and fax numbers come from
PTS's series for fiction (08-465 004 00-99), and every e-mail address is at example.se.

The world is described as data (the tables below) and written in one transaction. The
directory and the patients go in with bulk inserts; the cases are recorded through the
case actions (``brygga.cases.actions``), step by step with ``now`` set in the past, so every
case has a consistent timeline of notices, acknowledgements and access-log rows, ending
relative to the real ``now``. The test suite loads the world for many tests (see
``conftest.py``), so loading stays fast.
Named people ("personas", like Zulip's "hamlet") are listed in ``PERSONAS``; tests and
docs refer to them by those short names.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import heapq
import itertools
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TypeVar
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils.module_loading import import_string

from brygga.audit.events import AuditEventType
from brygga.audit.log import record
from brygga.cases import payloads as p
from brygga.cases.actions import (
    acknowledge_all,
    open_case,
    open_sip_case,
    record_event,
    retract,
)
from brygga.cases.models import CareKind, Case, CaseEvent, CaseState, Destination
from brygga.cases.models import CaseEventType as E
from brygga.cases.rules import TRANSITIONS
from brygga.core.actor import Actor
from brygga.core.calendar import is_working_day
from brygga.directory.models import (
    CareType,
    Commission,
    Organisation,
    OrganisationKind,
    Person,
    Role,
    Unit,
    UnitStatus,
)
from brygga.patients.identity import IdentityKind, luhn_check_digit
from brygga.patients.models import Patient

__all__ = [
    "PERSONAS",
    "PERSONA_DESCRIPTIONS",
    "REGION_ORG_NUMBER",
    "DemoAlreadyLoaded",
    "DemoNotLoaded",
    "DemoWorld",
    "demo_world",
    "load_demo_region",
    "make_test_personnummer",
]

T = TypeVar("T")
STOCKHOLM = ZoneInfo("Europe/Stockholm")
EXAMPLE_DOMAIN = "example.se"


# Other domains add their demo rows (agreements, orders, news …) after the cases, each with
# a function ``load(world, *, today, now)`` listed here.
DEMO_EXTENSIONS: tuple[str, ...] = (
    "brygga.administration.demo.load",
    "brygga.support.demo.load",
    "brygga.payments.demo.load",
)


class DemoAlreadyLoaded(RuntimeError):
    """The demo region is already in the database."""


class DemoNotLoaded(LookupError):
    """The demo region is not in the database (run ``manage.py load_demo``)."""


# --- Identifiers ----------------------------------------------------------------------------


def _with_luhn(payload: str) -> str:
    return payload + str(luhn_check_digit(payload))


def make_test_personnummer(born: dt.date, birth_number: int, *, samordning: bool = False) -> str:
    """A 12-digit personnummer (or samordningsnummer: day + 60) from the test series.

    ``birth_number`` must be 980-999 (Skatteverket's test series); its last digit is the
    legal sex digit (odd: man, even: woman). The Luhn digit covers YYMMDDNNN.
    """
    if not 980 <= birth_number <= 999:
        raise ValueError("Only Skatteverket's test birth numbers 980-999 may be used")
    day = born.day + (60 if samordning else 0)
    head = f"{born:%y%m}{day:02d}{birth_number:03d}"
    return f"{born.year:04d}{head[2:]}{luhn_check_digit(head)}"


def _reservnummer_sll(issue_year: int, serial: int) -> str:
    """Region Stockholm reservnummer: 99 + issue year + 5-digit serial + Luhn over [4:11]."""
    body = f"99{issue_year:04d}{serial:05d}"
    return body + str(luhn_check_digit(body[4:11]))


REGION_ORG_NUMBER = "2321000016"  # Region Stockholm
VARDBOLAGET_ORG_NUMBER = _with_luhn("556990011")  # fictional
ROSLAGEN_ORG_NUMBER = _with_luhn("556990022")  # fictional


def _municipality_org_number(code: str) -> str:
    # Real municipalities are 212000-xxxx; 219900-xxxx is unused, so these cannot be
    # mistaken for a real municipality's number.
    return _with_luhn("21990" + code)


def _slug(text: str) -> str:
    """ASCII, lower case, for e-mail addresses: 'Hässelby-Vällingby' -> 'hasselby-vallingby'."""
    ascii_text = (
        unicodedata.normalize("NFKD", text.lower()).encode("ascii", "ignore").decode("ascii")
    )
    out = "".join(char if char.isalnum() else "-" for char in ascii_text)
    return "-".join(part for part in out.split("-") if part)


def _phone(number: int) -> str:
    """PTS reserves 08-465 004 00 to 08-465 004 99 for use in fiction."""
    return f"08-465 004 {number % 100:02d}"


# --- Organisations --------------------------------------------------------------------------


@dataclass(frozen=True)
class _OrgSpec:
    key: str
    name: str
    org_number: str
    kind: str
    municipality_code: str = ""
    has_own_ek_admin: bool = True


# (SCB code, key, name) for the 26 municipalities of Stockholm County.
MUNICIPALITIES: tuple[tuple[str, str, str], ...] = (
    ("0114", "upplands_vasby", "Upplands Väsby kommun"),
    ("0115", "vallentuna", "Vallentuna kommun"),
    ("0117", "osteraker", "Österåkers kommun"),
    ("0120", "varmdo", "Värmdö kommun"),
    ("0123", "jarfalla", "Järfälla kommun"),
    ("0125", "ekero", "Ekerö kommun"),
    ("0126", "huddinge", "Huddinge kommun"),
    ("0127", "botkyrka", "Botkyrka kommun"),
    ("0128", "salem", "Salems kommun"),
    ("0136", "haninge", "Haninge kommun"),
    ("0138", "tyreso", "Tyresö kommun"),
    ("0139", "upplands_bro", "Upplands-Bro kommun"),
    ("0140", "nykvarn", "Nykvarns kommun"),
    ("0160", "taby", "Täby kommun"),
    ("0162", "danderyd", "Danderyds kommun"),
    ("0163", "sollentuna", "Sollentuna kommun"),
    ("0180", "stockholm", "Stockholms stad"),
    ("0181", "sodertalje", "Södertälje kommun"),
    ("0182", "nacka", "Nacka kommun"),
    ("0183", "sundbyberg", "Sundbybergs stad"),
    ("0184", "solna", "Solna stad"),
    ("0186", "lidingo", "Lidingö stad"),
    ("0187", "vaxholm", "Vaxholms stad"),
    ("0188", "norrtalje", "Norrtälje kommun"),
    ("0191", "sigtuna", "Sigtuna kommun"),
    ("0192", "nynashamn", "Nynäshamns kommun"),
)
MUNICIPALITY_CODES = {key: code for code, key, _name in MUNICIPALITIES}

# Stockholm city's social services are run by district administrations (stadsdelar):
# (key, district, unit name).
STOCKHOLM_DISTRICTS: tuple[tuple[str, str, str], ...] = (
    ("sodermalm", "Södermalm", "Stockholms stad, Södermalms stadsdelsförvaltning"),
    ("kungsholmen", "Kungsholmen", "Stockholms stad, Kungsholmens stadsdelsförvaltning"),
    ("norrmalm", "Norrmalm", "Stockholms stad, Norrmalms stadsdelsförvaltning"),
    (
        "hasselby_vallingby",
        "Hässelby-Vällingby",
        "Stockholms stad, Hässelby-Vällingby stadsdelsförvaltning",
    ),
    ("farsta", "Farsta", "Stockholms stad, Farsta stadsdelsförvaltning"),
)
DISTRICT_NAMES = {key: district for key, district, _name in STOCKHOLM_DISTRICTS}

# Municipalities that also have a municipal health care unit in the demo.
MUNICIPAL_HEALTH_CARE = ("solna", "sundbyberg", "stockholm", "nacka", "huddinge", "norrtalje")

ORGANISATIONS: tuple[_OrgSpec, ...] = (
    _OrgSpec("region", "Region Stockholm", REGION_ORG_NUMBER, OrganisationKind.REGION),
    _OrgSpec(
        "vardbolaget", "Vårdbolaget Mälardalen AB", VARDBOLAGET_ORG_NUMBER, OrganisationKind.PRIVATE
    ),
    _OrgSpec(
        "roslagen",
        "Husläkarna i Roslagen AB",
        ROSLAGEN_ORG_NUMBER,
        OrganisationKind.PRIVATE,
        has_own_ek_admin=False,
    ),
    *(
        _OrgSpec(key, name, _municipality_org_number(code), OrganisationKind.MUNICIPALITY, code)
        for code, key, name in MUNICIPALITIES
    ),
)
_ORG_BY_KEY = {spec.key: spec for spec in ORGANISATIONS}


# --- Units ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _UnitSpec:
    key: str
    org: str
    name: str
    suffix: str  # the HSA-id after "SE<org number>-"
    care_type: str = ""
    parent: str = ""
    municipality_code: str = ""
    district: str = ""
    closed_on: dt.date | None = None

    @property
    def hsa_id(self) -> str:
        return f"SE{_ORG_BY_KEY[self.org].org_number}-{self.suffix}"


def _region_units() -> list[_UnitSpec]:
    somatic, psych = CareType.INPATIENT_SOMATIC, CareType.INPATIENT_PSYCHIATRIC
    primary, admin = CareType.PRIMARY_CARE, CareType.ADMINISTRATION
    u = _UnitSpec
    return [
        # Administration. Administrative commissions need a usable unit, hence the care type.
        u("region_admin", "region", "Region Stockholm, Hälso- och sjukvårdsförvaltningen",
          "E0001", admin, municipality_code="0180"),
        u("central_admin", "region", "Brygga central förvaltning", "E0002", admin,
          parent="region_admin", municipality_code="0180"),
        # Hospitals (no care type: they do not act in Brygga) and their wards.
        u("ks_solna", "region", "Karolinska Universitetssjukhuset Solna", "E0100",
          municipality_code="0184"),
        u("ks_solna_g61", "region", "Karolinska Solna, Geriatrisk avdelning G61", "E0101",
          somatic, "ks_solna", "0184"),
        u("ks_solna_k12", "region", "Karolinska Solna, Kardiologisk avdelning K12", "E0102",
          somatic, "ks_solna", "0184"),
        u("ks_solna_i73", "region", "Karolinska Solna, Infektionsavdelning I73", "E0103",
          somatic, "ks_solna", "0184"),
        u("ks_admin", "region", "Karolinska Universitetssjukhuset, Vårdadministration",
          "E0190", admin, "ks_solna", "0184"),
        u("ks_huddinge", "region", "Karolinska Universitetssjukhuset Huddinge", "E0200",
          municipality_code="0126"),
        u("ks_huddinge_m52", "region", "Karolinska Huddinge, Medicinsk avdelning M52", "E0201",
          somatic, "ks_huddinge", "0126"),
        u("ks_huddinge_o41", "region", "Karolinska Huddinge, Ortopedisk avdelning O41", "E0202",
          somatic, "ks_huddinge", "0126"),
        u("sos", "region", "Södersjukhuset", "E0300", municipality_code="0180",
          district="Södermalm"),
        u("sos_35", "region", "Södersjukhuset, Medicinavdelning 35", "E0301", somatic, "sos",
          "0180", "Södermalm"),
        u("sos_61", "region", "Södersjukhuset, Ortopedavdelning 61", "E0302", somatic, "sos",
          "0180", "Södermalm"),
        u("sos_43", "region", "Södersjukhuset, Strokeavdelning 43", "E0303", somatic, "sos",
          "0180", "Södermalm"),
        # A closed ward: kept in the directory, cannot be used.
        u("sos_58", "region", "Södersjukhuset, Avdelning 58 (nedlagd)", "E0309", somatic, "sos",
          "0180", "Södermalm", closed_on=dt.date(2023, 6, 30)),
        u("ds", "region", "Danderyds sjukhus", "E0400", municipality_code="0162"),
        u("ds_71", "region", "Danderyds sjukhus, Geriatrisk avdelning 71", "E0401", somatic,
          "ds", "0162"),
        u("ds_16", "region", "Danderyds sjukhus, Internmedicinsk avdelning 16", "E0402", somatic,
          "ds", "0162"),
        u("nsp", "region", "Norra Stockholms psykiatri", "E0500", municipality_code="0180",
          district="Kungsholmen"),
        u("nsp_21", "region", "Norra Stockholms psykiatri, avdelning 21", "E0501", psych, "nsp",
          "0180", "Kungsholmen"),
        u("nsp_23", "region", "Norra Stockholms psykiatri, avdelning 23", "E0502", psych, "nsp",
          "0180", "Kungsholmen"),
        u("nsp_op", "region", "Norra Stockholms psykiatri, Psykiatrisk öppenvårdsmottagning Solna",
          "E0510", CareType.OUTPATIENT_PSYCHIATRY, "nsp", "0184"),
        u("pss", "region", "Psykiatri Södra Stockholm", "E0600", municipality_code="0180",
          district="Farsta"),
        u("pss_64", "region", "Psykiatri Södra Stockholm, avdelning 64", "E0601", psych, "pss",
          "0180", "Farsta"),
        # Primary care run by the region.
        u("vc_solna", "region", "Vårdcentral Solna Centrum", "E0701", primary,
          municipality_code="0184"),
        u("vc_sundbyberg", "region", "Vårdcentral Sundbyberg", "E0702", primary,
          municipality_code="0183"),
        u("vc_sodermalm", "region", "Vårdcentral Rosenlund", "E0703", primary,
          municipality_code="0180", district="Södermalm"),
        u("vc_farsta", "region", "Vårdcentral Farsta", "E0704", primary,
          municipality_code="0180", district="Farsta"),
        u("vc_vallingby", "region", "Vårdcentral Vällingby", "E0705", primary,
          municipality_code="0180", district="Hässelby-Vällingby"),
        u("vc_flemingsberg", "region", "Vårdcentral Flemingsberg", "E0706", primary,
          municipality_code="0126"),
        u("vc_sodertalje", "region", "Vårdcentral Södertälje Centrum", "E0707", primary,
          municipality_code="0181"),
        # A private provider with its own EK administrator.
        u("vb_admin", "vardbolaget", "Vårdbolaget Mälardalen AB, Administration", "E0001",
          admin, municipality_code="0180"),
        u("vc_kungsholmen", "vardbolaget", "Vårdbolaget Mälardalen, Husläkarmottagning Kungsholmen",
          "E0101", primary, municipality_code="0180", district="Kungsholmen"),
        u("vc_nacka", "vardbolaget", "Vårdbolaget Mälardalen, Husläkarmottagning Nacka Forum",
          "E0102", primary, municipality_code="0182"),
        u("vc_taby", "vardbolaget", "Vårdbolaget Mälardalen, Vårdcentral Täby Centrum", "E0103",
          primary, municipality_code="0160"),
        # A private provider without an EK administrator (orders go to the central admin).
        u("vc_norrtalje", "roslagen", "Husläkarna i Roslagen, Norrtälje", "E0101", primary,
          municipality_code="0188"),
        u("vc_akersberga", "roslagen", "Husläkarna i Roslagen, Åkersberga", "E0102", primary,
          municipality_code="0117"),
    ]  # fmt: skip


def _municipal_units() -> list[_UnitSpec]:
    units: list[_UnitSpec] = []
    for code, key, name in MUNICIPALITIES:
        if key == "stockholm":
            for number, (district_key, district, unit_name) in enumerate(STOCKHOLM_DISTRICTS):
                units.append(
                    _UnitSpec(
                        f"soc_{district_key}",
                        key,
                        unit_name,
                        f"E{1101 + number}",
                        CareType.SOCIAL_SERVICES,
                        municipality_code=code,
                        district=district,
                    )
                )
        else:
            units.append(
                _UnitSpec(
                    f"soc_{key}",
                    key,
                    f"{name}, Socialtjänsten – biståndshandläggning",
                    "E1001",
                    CareType.SOCIAL_SERVICES,
                    municipality_code=code,
                )
            )
        if key in MUNICIPAL_HEALTH_CARE:
            units.append(
                _UnitSpec(
                    f"hsl_{key}",
                    key,
                    f"{name}, Kommunal hälso- och sjukvård",
                    "E2001",
                    CareType.MUNICIPAL_HEALTH_CARE,
                    municipality_code=code,
                )
            )
    units.append(
        _UnitSpec(
            "admin_solna",
            "solna",
            "Solna stad, Omvårdnadsförvaltningen – administration",
            "E3001",
            CareType.ADMINISTRATION,
            municipality_code="0184",
        )
    )
    return units


UNITS: tuple[_UnitSpec, ...] = (*_region_units(), *_municipal_units())
_UNIT_BY_KEY = {spec.key: spec for spec in UNITS}


# --- People ---------------------------------------------------------------------------------

# The named demo people: short name -> HSA-id. Fixed; tests and docs use them.
PERSONAS: dict[str, str] = {
    "anna": "SE2321000016-P1001",
    "erik": "SE2321000016-P1002",
    "maria": "SE2321000016-P1003",
    "karin": "SE2199001849-P0001",
    "lars": "SE2321000016-P1004",
    "sofia": "SE2321000016-P1005",
    "per": "SE2199001849-P0002",
    "eva": "SE2321000016-P1006",
    "olle": "SE2321000016-P1007",
    "gustav": "SE2321000016-P1008",
    "nils": "SE2321000016-P1009",
    "ingela": "SE2321000016-P1010",
    "tore": "SE5569900227-P0001",
}

PERSONA_DESCRIPTIONS: dict[str, str] = {
    "anna": "Sjuksköterska på Karolinska Solna, Geriatrisk avdelning G61",
    "erik": "Sjuksköterska på två avdelningar (K12 i Solna och avdelning 71 på Danderyd)",
    "maria": "Distriktssköterska och fast vårdkontakt på Vårdcentral Solna Centrum",
    "karin": "Biståndshandläggare på Solna stads socialtjänst",
    "lars": "Enhetschef för Geriatrisk avdelning G61",
    "sofia": "EK-administratör för Region Stockholm",
    "per": "EK-administratör för Solna stad",
    "eva": "Central förvaltning av Brygga",
    "olle": "Fakturering av kommunalt betalningsansvar, Region Stockholm",
    "gustav": "Sjuksköterska på G61 vars uppdrag upphörde förra månaden",
    "nils": "Sjuksköterska på G61 och lokal EK-administratör på Karolinska",
    "ingela": "Verksamhetschef på Vårdcentral Solna Centrum: beställer enheter och behörigheter",
    "tore": "Verksamhetschef på Husläkarna i Roslagen (privat vårdgivare utan EK-administratör)",
}


@dataclass(frozen=True)
class _PersonSpec:
    key: str
    hsa_id: str
    given_name: str
    family_name: str
    title: str
    born: dt.date
    female: bool
    birth_number: int = 0  # 980-999, allocated by _staff()

    @property
    def personnummer(self) -> str:
        return make_test_personnummer(self.born, self.birth_number)


@dataclass(frozen=True)
class _CommissionSpec:
    person: str
    unit: str
    role: str
    ended_last_month: bool = False  # valid_to is the last day of the month before today


_PERSONA_PEOPLE: tuple[_PersonSpec, ...] = (
    _PersonSpec("anna", PERSONAS["anna"], "Anna", "Lindqvist", "Sjuksköterska",
                dt.date(1986, 3, 12), True),
    _PersonSpec("erik", PERSONAS["erik"], "Erik", "Johansson", "Sjuksköterska",
                dt.date(1979, 9, 4), False),
    _PersonSpec("maria", PERSONAS["maria"], "Maria", "Svensson", "Distriktssköterska",
                dt.date(1971, 6, 23), True),
    _PersonSpec("karin", PERSONAS["karin"], "Karin", "Nilsson", "Biståndshandläggare",
                dt.date(1982, 1, 30), True),
    _PersonSpec("lars", PERSONAS["lars"], "Lars", "Berg", "Enhetschef",
                dt.date(1968, 11, 15), False),
    _PersonSpec("sofia", PERSONAS["sofia"], "Sofia", "Ek", "EK-administratör",
                dt.date(1990, 4, 8), True),
    _PersonSpec("per", PERSONAS["per"], "Per", "Holm", "EK-administratör",
                dt.date(1975, 2, 19), False),
    _PersonSpec("eva", PERSONAS["eva"], "Eva", "Sandberg", "Förvaltningsledare",
                dt.date(1966, 8, 2), True),
    _PersonSpec("olle", PERSONAS["olle"], "Olle", "Strand", "Controller",
                dt.date(1973, 12, 9), False),
    _PersonSpec("gustav", PERSONAS["gustav"], "Gustav", "Lund", "Sjuksköterska",
                dt.date(1992, 5, 27), False),
    _PersonSpec("nils", PERSONAS["nils"], "Nils", "Ström", "Sjuksköterska",
                dt.date(1984, 10, 3), False),
    _PersonSpec("ingela", PERSONAS["ingela"], "Ingela", "Rask", "Verksamhetschef",
                dt.date(1970, 7, 31), True),
    _PersonSpec("tore", PERSONAS["tore"], "Tore", "Lindahl", "Verksamhetschef",
                dt.date(1965, 3, 30), False),
)  # fmt: skip

_PERSONA_COMMISSIONS: tuple[_CommissionSpec, ...] = (
    _CommissionSpec("anna", "ks_solna_g61", Role.USER),
    _CommissionSpec("erik", "ks_solna_k12", Role.USER),
    _CommissionSpec("erik", "ds_71", Role.USER),
    _CommissionSpec("maria", "vc_solna", Role.USER),
    _CommissionSpec("karin", "soc_solna", Role.USER),
    _CommissionSpec("lars", "ks_solna_g61", Role.MANAGER),
    _CommissionSpec("sofia", "region_admin", Role.EK_ADMIN),
    _CommissionSpec("per", "admin_solna", Role.EK_ADMIN),
    _CommissionSpec("eva", "central_admin", Role.CENTRAL_ADMIN),
    _CommissionSpec("olle", "region_admin", Role.INVOICING),
    _CommissionSpec("gustav", "ks_solna_g61", Role.USER, ended_last_month=True),
    _CommissionSpec("nils", "ks_solna_g61", Role.USER),
    _CommissionSpec("nils", "ks_admin", Role.EK_ADMIN),
    _CommissionSpec("ingela", "vc_solna", Role.MANAGER),
    _CommissionSpec("tore", "vc_norrtalje", Role.MANAGER),
)

# Further staff, beyond one user per care unit (added automatically below).
_EXTRA_STAFF: tuple[tuple[str, str, str], ...] = (
    ("ks_solna_g61", Role.USER, "Undersköterska"),
    ("ks_solna_g61", Role.USER, "Läkare"),
    ("ks_solna_k12", Role.MANAGER, "Enhetschef"),
    ("sos_35", Role.MANAGER, "Enhetschef"),
    ("sos_35", Role.USER, "Undersköterska"),
    ("ds_71", Role.USER, "Arbetsterapeut"),
    ("nsp_21", Role.MANAGER, "Enhetschef"),
    ("nsp_21", Role.USER, "Skötare"),
    ("nsp_op", Role.USER, "Kurator"),
    ("vc_solna", Role.MANAGER, "Verksamhetschef"),
    ("vc_solna", Role.USER, "Läkare"),
    ("vc_kungsholmen", Role.MANAGER, "Verksamhetschef"),
    ("soc_solna", Role.MANAGER, "Enhetschef"),
    ("soc_solna", Role.USER, "Biståndshandläggare"),
    ("soc_sodermalm", Role.USER, "Biståndshandläggare"),
    ("hsl_solna", Role.MANAGER, "Medicinskt ansvarig sjuksköterska"),
    ("vb_admin", Role.EK_ADMIN, "EK-administratör"),
)

_DEFAULT_TITLE = {
    CareType.INPATIENT_SOMATIC: "Sjuksköterska",
    CareType.INPATIENT_PSYCHIATRIC: "Sjuksköterska",
    CareType.PRIMARY_CARE: "Distriktssköterska",
    CareType.OUTPATIENT_PSYCHIATRY: "Sjuksköterska",
    CareType.SOCIAL_SERVICES: "Biståndshandläggare",
    CareType.MUNICIPAL_HEALTH_CARE: "Sjuksköterska",
}

_FEMALE_NAMES = (
    "Ingrid", "Elin", "Sara", "Johanna", "Helena", "Malin", "Camilla", "Lena", "Therese",
    "Emma", "Frida", "Ida", "Louise", "Katarina", "Annika", "Susanne", "Jenny", "Hanna",
    "Sofie", "Marie", "Ulrika", "Petra", "Åsa", "Mona", "Linda", "Yvonne", "Zeynep", "Amina",
    "Paula", "Agneta", "Cecilia", "Lisa", "Jessica", "Monika", "Ebba",
)  # fmt: skip
_MALE_NAMES = (
    "Johan", "Mikael", "Anders", "Peter", "Fredrik", "Daniel", "Magnus", "Henrik", "Stefan",
    "Andreas", "Niklas", "Tobias", "Marcus", "Patrik", "Oskar", "Ali", "Viktor", "Robert",
    "Thomas", "Martin", "Hampus", "Jakob", "Kristoffer", "Samir", "David",
)  # fmt: skip
_FAMILY_NAMES = (
    "Andersson", "Karlsson", "Pettersson", "Persson", "Eriksson", "Larsson", "Olsson",
    "Gustafsson", "Jonsson", "Hansson", "Bengtsson", "Jönsson", "Lindberg", "Jakobsson",
    "Magnusson", "Lindström", "Axelsson", "Lundberg", "Mattsson", "Fredriksson", "Henriksson",
    "Sjöberg", "Wallin", "Danielsson", "Håkansson", "Eklund", "Lundin", "Gunnarsson", "Björk",
    "Bergman", "Holmberg", "Isaksson", "Fransson", "Nordin", "Samuelsson", "Nyberg",
    "Mohammed", "Yilmaz", "Ahmadi", "Nordström", "Hosseini", "Virtanen", "Öhman",
)  # fmt: skip


class _BirthNumbers:
    """Hands out test birth numbers so that no two people share a personnummer."""

    def __init__(self, taken: Iterable[str] = ()) -> None:
        self.taken = set(taken)

    def allocate(self, born: dt.date, *, female: bool, samordning: bool = False) -> int:
        # The last digit of the birth number is the legal sex digit: even for women.
        for number in range(980 if female else 981, 1000, 2):
            if make_test_personnummer(born, number, samordning=samordning) not in self.taken:
                self.taken.add(make_test_personnummer(born, number, samordning=samordning))
                return number
        raise ValueError(f"No test birth number left for {born}")  # pragma: no cover


@functools.cache
def _patient_identity_numbers() -> dict[str, str]:
    numbers = _BirthNumbers()
    result = {}
    for spec in PATIENTS:
        if spec.reserve:
            result[spec.key] = spec.reserve
            continue
        assert spec.born is not None
        samordning = spec.kind == IdentityKind.SAMORDNINGSNUMMER
        number = numbers.allocate(spec.born, female=spec.female, samordning=samordning)
        result[spec.key] = make_test_personnummer(spec.born, number, samordning=samordning)
    return result


@functools.cache
def _staff() -> tuple[tuple[_PersonSpec, ...], tuple[_CommissionSpec, ...]]:
    """The personas plus generated staff, so that every care unit has at least one user."""
    people = list(_PERSONA_PEOPLE)
    commissions = list(_PERSONA_COMMISSIONS)
    covered = {c.unit for c in commissions if c.role == Role.USER and not c.ended_last_month}
    wanted: list[tuple[str, str, str]] = []
    for spec in UNITS:
        if spec.care_type in _DEFAULT_TITLE and spec.closed_on is None and spec.key not in covered:
            wanted.append((spec.key, Role.USER, _DEFAULT_TITLE[CareType(spec.care_type)]))
    wanted.extend(_EXTRA_STAFF)

    used_names = {(p.given_name, p.family_name) for p in people}
    used_names |= {(p.given_name, p.family_name) for p in PATIENTS}
    next_serial: dict[str, int] = {}
    index = 0
    for unit_key, role, title in wanted:
        while True:
            female = index % 3 != 2  # most care staff are women
            pool = _FEMALE_NAMES if female else _MALE_NAMES
            given = pool[(index * 7) % len(pool)]
            family = _FAMILY_NAMES[(index * 11 + 5) % len(_FAMILY_NAMES)]
            index += 1
            if (given, family) not in used_names:
                break
        used_names.add((given, family))
        org = _UNIT_BY_KEY[unit_key].org
        serial = next_serial.get(org, 2001)
        next_serial[org] = serial + 1
        key = f"{_slug(given)}.{_slug(family)}"
        born = dt.date(1962 + (index * 7) % 34, 1 + (index * 5) % 12, 1 + (index * 13) % 28)
        people.append(
            _PersonSpec(
                key,
                f"SE{_ORG_BY_KEY[org].org_number}-P{serial}",
                given,
                family,
                title,
                born,
                female,
            )
        )
        commissions.append(_CommissionSpec(key, unit_key, role))
    # Staff never share a personnummer with a demo patient.
    numbers = _BirthNumbers(_patient_identity_numbers().values())
    people = [
        dataclasses.replace(p, birth_number=numbers.allocate(p.born, female=p.female))
        for p in people
    ]
    return tuple(people), tuple(commissions)


# --- Patients -------------------------------------------------------------------------------


@dataclass(frozen=True)
class _PatientSpec:
    key: str
    given_name: str
    family_name: str
    female: bool
    born: dt.date | None
    municipality: str  # municipality key, "" if unknown or outside the county
    district: str  # Stockholm district key
    street: str
    postal_code: str
    city: str
    listed: str  # unit key of the vårdcentral, "" if not listed
    kind: str = IdentityKind.PERSONNUMMER
    reserve: str = ""  # the reserve number, for reserve kinds
    protected: bool = False


def _p(
    key: str,
    given: str,
    family: str,
    sex: str,
    born: tuple[int, int, int] | None,
    municipality: str,
    street: str,
    postal_code: str,
    city: str,
    listed: str,
    *,
    district: str = "",
    kind: str = IdentityKind.PERSONNUMMER,
    reserve: str = "",
    protected: bool = False,
) -> _PatientSpec:
    return _PatientSpec(
        key, given, family, sex == "f", dt.date(*born) if born else None, municipality,
        district, street, postal_code, city, listed, kind, reserve, protected,
    )  # fmt: skip


PATIENTS: tuple[_PatientSpec, ...] = (
    # Solna (Karin's municipality, many listed at Maria's vårdcentral).
    _p("astrid", "Astrid", "Bergström", "f", (1938, 5, 14), "solna",
       "Råsundavägen 12", "169 67", "Solna", "vc_solna"),
    _p("gunnar", "Gunnar", "Wikström", "m", (1941, 11, 2), "solna",
       "Frösundaleden 8", "169 70", "Solna", "vc_solna"),
    _p("margareta", "Margareta", "Öberg", "f", (1935, 2, 27), "solna",
       "Hagalundsgatan 4", "169 64", "Solna", "vc_solna"),
    _p("birgitta", "Birgitta", "Sjöholm", "f", (1944, 7, 19), "solna",
       "Bergshamra allé 30", "170 77", "Solna", "vc_solna"),
    _p("rolf", "Rolf", "Engström", "m", (1950, 9, 3), "solna",
       "Huvudstagatan 17", "171 58", "Solna", "vc_solna"),
    _p("jonas", "Jonas", "Falk", "m", (1988, 5, 30), "solna",
       "Västra vägen 9", "169 61", "Solna", "vc_solna"),
    # Sundbyberg.
    _p("kjell", "Kjell", "Åberg", "m", (1939, 3, 30), "sundbyberg",
       "Esplanaden 5", "172 67", "Sundbyberg", "vc_sundbyberg"),
    _p("ulla", "Ulla", "Hedlund", "f", (1946, 12, 8), "sundbyberg",
       "Ursviksvägen 22", "174 46", "Sundbyberg", "vc_sundbyberg"),
    # Stockholm, by district.
    _p("sven", "Sven", "Forsberg", "m", (1936, 6, 11), "stockholm",
       "Götgatan 48", "118 26", "Stockholm", "vc_sodermalm", district="sodermalm"),
    _p("elsa", "Elsa", "Lindgren", "f", (1932, 1, 25), "stockholm",
       "Ringvägen 101", "118 60", "Stockholm", "vc_sodermalm", district="sodermalm"),
    _p("helena", "Helena", "Vik", "f", (1969, 8, 21), "stockholm",
       "Tjärhovsgatan 21", "116 28", "Stockholm", "vc_sodermalm", district="sodermalm",
       protected=True),
    _p("bengt", "Bengt", "Nyström", "m", (1943, 8, 17), "stockholm",
       "Fleminggatan 33", "112 32", "Stockholm", "vc_kungsholmen", district="kungsholmen"),
    _p("inger", "Inger", "Dahlberg", "f", (1940, 4, 4), "stockholm",
       "Hantverkargatan 60", "112 21", "Stockholm", "vc_kungsholmen", district="kungsholmen"),
    _p("amir", "Amir", "Rahimi", "m", (1995, 2, 17), "stockholm",
       "Kungsholms strand 141", "112 48", "Stockholm", "vc_kungsholmen",
       district="kungsholmen"),
    _p("lennart", "Lennart", "Sundqvist", "m", (1937, 10, 21), "stockholm",
       "Upplandsgatan 15", "113 23", "Stockholm", "vc_kungsholmen", district="norrmalm"),
    _p("gun", "Gun", "Ekström", "f", (1945, 2, 9), "stockholm",
       "Vällingbyvägen 120", "162 65", "Vällingby", "vc_vallingby",
       district="hasselby_vallingby"),
    _p("harald", "Harald", "Blom", "m", (1934, 12, 12), "stockholm",
       "Hässelby torg 3", "165 55", "Hässelby", "vc_vallingby", district="hasselby_vallingby"),
    _p("maj_britt", "Maj-Britt", "Holmqvist", "f", (1933, 9, 28), "stockholm",
       "Farstaplan 9", "123 47", "Farsta", "vc_farsta", district="farsta"),
    _p("tord", "Tord", "Lindholm", "m", (1952, 5, 5), "stockholm",
       "Larsbodavägen 44", "123 42", "Farsta", "vc_farsta", district="farsta"),
    _p("linnea", "Linnéa", "Berglund", "f", (1992, 10, 10), "stockholm",
       "Lingvägen 160", "123 59", "Farsta", "vc_farsta", district="farsta"),
    # Other municipalities.
    _p("solveig", "Solveig", "Karlström", "f", (1942, 3, 16), "huddinge",
       "Kommunalvägen 10", "141 61", "Huddinge", "vc_flemingsberg"),
    _p("arne", "Arne", "Gustavsson", "m", (1948, 7, 7), "huddinge",
       "Flemingsbergsvägen 2", "141 46", "Huddinge", "vc_flemingsberg"),
    _p("mattias", "Mattias", "Olofsson", "m", (1979, 1, 19), "huddinge",
       "Stambanevägen 31", "141 70", "Huddinge", "vc_flemingsberg"),
    _p("leila", "Leila", "Haddad", "f", (1956, 11, 11), "botkyrka",
       "Tumba torg 5", "147 30", "Tumba", "vc_flemingsberg"),
    _p("ove", "Ove", "Lindén", "m", (1940, 5, 24), "nacka",
       "Värmdövägen 88", "131 54", "Nacka", "vc_nacka"),
    _p("barbro", "Barbro", "Axelsson", "f", (1947, 8, 30), "nacka",
       "Saltsjöbadsvägen 14", "133 35", "Saltsjöbaden", "vc_nacka"),
    _p("stig", "Stig", "Hellström", "m", (1938, 1, 8), "taby",
       "Stora Marknadsvägen 20", "183 34", "Täby", "vc_taby"),
    _p("kerstin", "Kerstin", "Ahlgren", "f", (1944, 10, 15), "danderyd",
       "Vendevägen 11", "182 32", "Danderyd", "vc_taby"),
    _p("eivor", "Eivor", "Lundqvist", "f", (1941, 7, 27), "sollentuna",
       "Sollentunavägen 180", "191 47", "Sollentuna", "vc_taby"),
    _p("yusuf", "Yusuf", "Demir", "m", (1958, 4, 22), "sodertalje",
       "Storgatan 30", "151 72", "Södertälje", "vc_sodertalje"),
    _p("ingegerd", "Ingegerd", "Palm", "f", (1931, 6, 2), "sodertalje",
       "Västergatan 7", "151 42", "Södertälje", "vc_sodertalje"),
    _p("bertil", "Bertil", "Jansson", "m", (1937, 2, 14), "norrtalje",
       "Hamngatan 3", "761 30", "Norrtälje", "vc_norrtalje"),
    _p("gudrun", "Gudrun", "Mattsson", "f", (1943, 12, 1), "osteraker",
       "Centralvägen 19", "184 30", "Åkersberga", "vc_akersberga"),
    _p("anita", "Anita", "Söderberg", "f", (1949, 9, 9), "jarfalla",
       "Jakobsbergsgatan 21", "177 30", "Järfälla", "vc_vallingby"),
    _p("rune", "Rune", "Magnusson", "m", (1936, 3, 3), "haninge",
       "Dalarövägen 12", "136 40", "Handen", "vc_farsta"),
    _p("carl_johan", "Carl-Johan", "Wahlberg", "m", (1939, 4, 29), "lidingo",
       "Friggavägen 4", "181 31", "Lidingö", ""),
    # Samordningsnummer (not folkbokförda; the address is where they stay).
    _p("andrzej", "Andrzej", "Nowak", "m", (1961, 8, 4), "stockholm",
       "Hornsgatan 72", "118 21", "Stockholm", "", district="sodermalm",
       kind=IdentityKind.SAMORDNINGSNUMMER),
    _p("ioana", "Ioana", "Popescu", "f", (1970, 3, 22), "sodertalje",
       "Ronnavägen 3", "151 51", "Södertälje", "", kind=IdentityKind.SAMORDNINGSNUMMER),
    # Reserve numbers: identity not (yet) established.
    _p("okand", "Okänd", "Kvinna", "f", None, "", "", "", "", "",
       kind=IdentityKind.RESERVNUMMER_SLL, reserve=_reservnummer_sll(2023, 17)),
    _p("tomas", "Tomas", "Eriksson", "m", None, "stockholm",
       "Upplandsgatan 2", "113 60", "Stockholm", "", district="norrmalm",
       kind=IdentityKind.RESERVNUMMER_SLL, reserve=_reservnummer_sll(2024, 342)),
    _p("heikki", "Heikki", "Virtanen", "m", None, "", "", "", "", "",
       kind=IdentityKind.RESERVNUMMER_NATIONAL, reserve="RN52071401M7"),
    # A SIP outside a hospital stay (no inpatient case).
    _p("elly", "Elly", "Wennberg", "f", (1936, 4, 18), "solna",
       "Skytteholmsvägen 6", "171 44", "Solna", "vc_solna"),
    _p("goran", "Göran", "Tallqvist", "m", (1945, 10, 6), "solna",
       "Ankdammsgatan 20", "171 67", "Solna", "vc_solna"),
)  # fmt: skip
_PATIENT_BY_KEY = {spec.key: spec for spec in PATIENTS}


# --- Cases ----------------------------------------------------------------------------------

# A moment: hours before now (int), or (days before today, "HH:MM" Stockholm time).
When = int | tuple[int, str]


@dataclass(frozen=True)
class _Extra:
    """A special event in a stay, ``hours`` after one of its milestones (negative: before).

    Milestones: admitted, opened, notice, planning, fvk, ready, withdrawn, ready_again,
    sip_called, sip_meeting, sip_held, discharged, closed and now.
    """

    kind: str  # message, retract, date_changed, rejected, transferred, leave, leave_ended
    after: str
    hours: float
    by: str = ""  # the author's unit key; default: the inpatient ward of the moment
    text: str = ""  # free text; for retract the reason
    to: str = ""  # transferred: the ward the patient moves to
    days: int = 0  # date_changed: how many days the expected date moves
    decided_before: float = 1.0  # date_changed: hours from the ward's decision to the notice


@dataclass(frozen=True)
class _CaseSpec:
    """One inpatient stay and how far it has come. `_Stay` records it through the actions."""

    patient: str
    ward: str  # the ward that opened the case
    state: str
    admitted: When
    expected_in_days: int  # beräknat utskrivningsdatum in the admission notice, from today
    ready: When | None = None
    discharged: When | None = None
    closed: When | None = None  # closing or cancelling
    withdrawn: tuple[When, When] | None = None  # (återtagande, utskrivningsklar again)
    destination: str = Destination.HOME
    cancel_reason: str = ""
    compulsory: bool = False
    with_outpatient_psychiatry: bool = False
    assessed_after: float = 1.0  # hours from admission to the assessment that support is needed
    notice_after: float = 2.0  # hours from the assessment to the admission notice (D1: 24)
    faxed: bool = False  # the notice went by fax (reserve routine), registered 5 hours later
    sip: bool = False  # support needed from both region and municipality
    sip_called: bool = True
    sip_held: bool = True
    unread_from: str = ""  # a milestone or extra kind: what came from then on is unread
    extras: tuple[_Extra, ...] = ()


@dataclass(frozen=True)
class _SipSpec:
    """A SIP outside a hospital stay, started by primary care or social services."""

    patient: str
    started_by: str
    recipients: tuple[str, ...]
    opened: When
    text: str
    held: bool = False  # fast vårdkontakt appointed, SIP called and held with a plan
    unread: bool = False  # the recipients have not acknowledged the start yet


_S = CaseState
_D = Destination
CASES: tuple[_CaseSpec, ...] = (
    # Anna's ward, G61: every state of a stay, Solna and non-Solna patients.
    _CaseSpec("astrid", "ks_solna_g61", _S.ADMITTED, 5, 6),
    # Admitted 30 hours ago and still no admission notice: D1 is overdue.
    _CaseSpec("kjell", "ks_solna_g61", _S.ADMITTED, 30, 3),
    _CaseSpec("gunnar", "ks_solna_g61", _S.PLANNING, (4, "14:20"), 2, unread_from="message",
              extras=(
                  _Extra("date_changed", "notice", 44, days=2,
                         text="Fortsatt syrgasbehov; beräknad utskrivning flyttas."),
                  _Extra("message", "now", -3, by="soc_solna",
                         text="Hemtjänsten kan utökas till fyra besök per dag från "
                              "utskrivningsdagen. Ring gärna om ni behöver mer underlag."),
              )),
    # Sent to Sundbyberg, where Rolf no longer lives: avvisning, and on to Solna.
    _CaseSpec("rolf", "ks_solna_g61", _S.PLANNING, (6, "10:05"), 1,
              extras=(
                  _Extra("rejected", "notice", 5, by="soc_sundbyberg",
                         text="Patienten flyttade till Solna i våras och är folkbokförd där."),
              )),
    # The admission notice went 31 hours after the assessment (D1 missed), and a message
    # sent in the wrong case was made void (makulerad).
    _CaseSpec("helena", "ks_solna_g61", _S.PLANNING, (3, "19:30"), 4, notice_after=31,
              extras=(
                  _Extra("message", "notice", 4,
                         text="Patienten önskar att dottern kontaktas inför hemgång."),
                  _Extra("retract", "notice", 4.5,
                         text="Meddelandet skrevs i fel ärende."),
              )),
    _CaseSpec("margareta", "ks_solna_g61", _S.READY, (9, "11:50"), -1, ready=(1, "09:40"),
              unread_from="ready"),
    # Utskrivningsklar four days, SIP needed but not called yet (D2 overdue).
    _CaseSpec("sven", "ks_solna_g61", _S.READY, (12, "16:05"), -4, ready=(4, "15:10"),
              sip=True, sip_called=False),
    # Utskrivningsklar, återtagande after a new fever, utskrivningsklar again.
    _CaseSpec("birgitta", "ks_solna_g61", _S.READY, (14, "10:30"), -5, ready=(8, "10:15"),
              withdrawn=((6, "22:40"), (3, "11:20")), sip=True, unread_from="sip_held"),
    _CaseSpec("bengt", "ks_solna_g61", _S.DISCHARGED, (10, "09:30"), -1, ready=(3, "11:00"),
              discharged=(1, "13:30"), destination=_D.SHORT_TERM, sip=True,
              unread_from="discharged"),
    _CaseSpec("elsa", "ks_solna_g61", _S.CLOSED, (30, "13:45"), -20, ready=(22, "10:30"),
              discharged=(20, "11:15"), closed=(15, "16:00"), destination=_D.SPECIAL_HOUSING,
              sip=True),
    _CaseSpec("lennart", "ks_solna_g61", _S.CANCELLED, (8, "07:55"), -2, closed=(6, "09:00"),
              cancel_reason="Patienten behöver inga insatser efter utskrivningen; "
                            "återgår till eget boende utan stöd."),
    # Erik's wards.
    _CaseSpec("ulla", "ks_solna_k12", _S.READY, (5, "21:10"), 0, ready=(2, "10:20")),
    _CaseSpec("heikki", "ks_solna_k12", _S.PLANNING, (2, "17:45"), 2),
    _CaseSpec("yusuf", "ks_solna_k12", _S.ADMITTED, 20, 5),
    _CaseSpec("stig", "ds_71", _S.PLANNING, (3, "13:00"), 2),
    _CaseSpec("kerstin", "ds_71", _S.ADMITTED, (1, "12:30"), 5),
    _CaseSpec("gudrun", "ds_71", _S.READY, (11, "10:15"), -5, ready=(6, "11:55"), sip=True),
    # Other somatic wards.
    _CaseSpec("harald", "ks_solna_i73", _S.DISCHARGED, (14, "10:10"), -2, ready=(5, "09:05"),
              discharged=(2, "10:45"), sip=True),
    _CaseSpec("solveig", "ks_huddinge_m52", _S.ADMITTED, (1, "23:20"), 4),
    # A new expected date, told the recipients only a day and a half later (D5 missed).
    _CaseSpec("arne", "ks_huddinge_m52", _S.PLANNING, (5, "08:40"), 1,
              extras=(_Extra("date_changed", "notice", 70, days=3, decided_before=36),)),
    _CaseSpec("leila", "ks_huddinge_m52", _S.READY, (8, "15:30"), -1, ready=(2, "13:15"),
              unread_from="ready"),
    _CaseSpec("ioana", "ks_huddinge_m52", _S.ADMITTED, (1, "06:50"), 3),
    _CaseSpec("ingegerd", "ks_huddinge_m52", _S.CLOSED, (40, "10:00"), -31, ready=(33, "11:30"),
              discharged=(31, "12:00"), closed=(25, "09:15"), destination=_D.SPECIAL_HOUSING),
    _CaseSpec("rune", "ks_huddinge_o41", _S.CLOSED, (25, "18:20"), -17, ready=(18, "09:50"),
              discharged=(17, "14:00"), closed=(10, "11:00"), sip=True),
    # The need for support was seen two days after admission; D1 runs from then.
    _CaseSpec("barbro", "ks_huddinge_o41", _S.PLANNING, (4, "16:15"), 3, assessed_after=44),
    # Sent by fax during an outage (reservrutin) and registered afterwards.
    _CaseSpec("maj_britt", "sos_35", _S.PLANNING, (6, "09:20"), 2, faxed=True),
    _CaseSpec("andrzej", "sos_35", _S.ADMITTED, (1, "15:00"), 4),
    # Identity unknown at first (reservnummer): the notice went late (D1 missed).
    _CaseSpec("tomas", "sos_35", _S.PLANNING, (4, "04:10"), 2, notice_after=34),
    _CaseSpec("tord", "sos_61", _S.READY, (7, "12:40"), -2, ready=(3, "14:45"), sip=True,
              sip_held=False),
    _CaseSpec("inger", "sos_61", _S.CANCELLED, (5, "10:30"), 1, closed=(3, "16:20"),
              cancel_reason="Patienten avled på avdelningen."),
    _CaseSpec("ove", "sos_61", _S.PLANNING, (2, "11:25"), 3),
    _CaseSpec("gun", "sos_43", _S.PLANNING, (4, "09:00"), 3),
    _CaseSpec("anita", "sos_43", _S.DISCHARGED, (9, "20:05"), -1, ready=(4, "08:30"),
              discharged=(1, "10:00")),
    _CaseSpec("okand", "sos_43", _S.ADMITTED, 9, 2),
    _CaseSpec("bertil", "ds_16", _S.PLANNING, (5, "16:40"), 1),
    _CaseSpec("eivor", "ds_16", _S.CLOSED, (21, "09:10"), -14, ready=(15, "10:00"),
              discharged=(14, "15:30"), closed=(7, "10:30")),
    _CaseSpec("carl_johan", "ds_16", _S.PLANNING, (2, "21:50"), 3),
    # Psychiatry, some under compulsory care (LPT/LRV).
    _CaseSpec("jonas", "nsp_21", _S.READY, (20, "22:15"), -6, ready=(6, "10:00"),
              compulsory=True, with_outpatient_psychiatry=True, sip=True,
              extras=(_Extra("leave", "now", -20,
                             text="Permission över helgen hos föräldrarna."),)),
    _CaseSpec("amir", "nsp_21", _S.PLANNING, (7, "01:30"), 5, with_outpatient_psychiatry=True,
              extras=(_Extra("transferred", "notice", 40, to="nsp_23",
                             text="Flyttad till avdelning 23 för fortsatt vård."),)),
    _CaseSpec("linnea", "pss_64", _S.ADMITTED, (1, "17:20"), 10, compulsory=True),
    _CaseSpec("mattias", "pss_64", _S.CLOSED, (45, "14:00"), -28, ready=(30, "09:00"),
              discharged=(28, "13:00"), closed=(20, "15:00"), compulsory=True, sip=True,
              extras=(
                  _Extra("leave", "ready", -120, text="Permission med boendestödjare."),
                  _Extra("leave_ended", "ready", -100),
              )),
)  # fmt: skip

SIP_CASES: tuple[_SipSpec, ...] = (
    _SipSpec("elly", "vc_solna", ("soc_solna", "hsl_solna"), (12, "10:15"),
             "Tilltagande minnessvikt; hemtjänst och hemsjukvård behöver samordnas.",
             held=True),
    _SipSpec("goran", "soc_solna", ("vc_solna",), 3,
             "Ansökan om hemtjänst; patienten har flera läkemedel och diabetes. "
             "Vi vill samordna insatserna med vårdcentralen.",
             unread=True),
)  # fmt: skip


# --- The world ------------------------------------------------------------------------------


@dataclass
class DemoWorld:
    """Handles on the demo region's rows, keyed by the stable short keys in this module."""

    organisations: dict[str, Organisation] = field(default_factory=dict)
    units: dict[str, Unit] = field(default_factory=dict)
    persons: dict[str, Person] = field(default_factory=dict)
    commissions: list[Commission] = field(default_factory=list)
    patients: dict[str, Patient] = field(default_factory=dict)
    cases: list[Case] = field(default_factory=list)
    events: int = 0  # case events in the demo cases

    def person(self, name: str) -> Person:
        """A persona ("anna") or another staff member ("ingrid.persson")."""
        return self.persons[name]

    def unit(self, key: str) -> Unit:
        return self.units[key]

    def organisation(self, key: str) -> Organisation:
        return self.organisations[key]

    def patient(self, key: str) -> Patient:
        return self.patients[key]

    def case(self, patient_key: str) -> Case:
        """The demo case of a patient (each demo patient has exactly one: a stay or a SIP)."""
        patient = self.patients[patient_key]
        return next(case for case in self.cases if case.patient_id == patient.pk)

    def commissions_of(self, name: str, role: str | None = None) -> list[Commission]:
        person = self.persons[name]
        return [c for c in self.commissions if c.person_id == person.pk and role in (None, c.role)]

    def commissions_at(self, unit_key: str, role: str | None = None) -> list[Commission]:
        unit = self.units[unit_key]
        return [c for c in self.commissions if c.unit_id == unit.pk and role in (None, c.role)]

    def counts(self) -> dict[str, int]:
        return {
            "organisations": len(self.organisations),
            "units": len(self.units),
            "persons": len(self.persons),
            "commissions": len(self.commissions),
            "patients": len(self.patients),
            "cases": len(self.cases),
            "events": self.events,
        }


def _social_services_key(spec: _PatientSpec) -> str:
    if not spec.municipality:
        return ""
    if spec.municipality == "stockholm":
        return f"soc_{spec.district}"
    return f"soc_{spec.municipality}"


def _moment(when: When, *, today: dt.date, now: dt.datetime) -> dt.datetime:
    if isinstance(when, int):
        return now - dt.timedelta(hours=when)
    days, clock = when
    hour, minute = (int(part) for part in clock.split(":"))
    return dt.datetime.combine(
        today - dt.timedelta(days=days), dt.time(hour, minute), tzinfo=STOCKHOLM
    )


# --- Recording the cases through the actions ------------------------------------------------

_OFFICE_OPENS, _OFFICE_CLOSES = dt.time(8, 0), dt.time(16, 30)
_DOCTORS = ("Hugo Lagerqvist", "Nadia Berglöf", "Ruth Edholm", "Omar Saleh", "Vilma Rask")

_ADMISSION_TEXTS = (
    "Inkom via akuten efter fall i hemmet. Bedöms behöva stöd efter utskrivningen.",
    "Inlagd för hjärtsvikt med andfåddhet. Troligt ökat omvårdnadsbehov efter utskrivning.",
    "Inlagd med lunginflammation och nedsatt allmäntillstånd.",
    "Inlagd efter höftfraktur, opererad. Rehabilitering påbörjad.",
    "Inlagd för förvirring och uttorkning. Bor ensam.",
)
# Realistic planning information, shared with the benchmark generator.
PLANNING_EXAMPLES = (
    p.PlanningInformation(
        living_situation="Bor ensam i lägenhet, tredje våningen med hiss.",
        current_support="Hemtjänst morgon och kväll, trygghetslarm.",
        functional_status="Går med rollator inomhus. Behöver hjälp med dusch och påklädning.",
        aids="Rollator, duschpall, toalettförhöjning.",
        needs_after_discharge="Utökad hemtjänst, hjälp med läkemedel, uppföljning av vikt.",
    ),
    p.PlanningInformation(
        living_situation="Bor med make i villa; sovrum på övervåningen.",
        current_support="Inga insatser före inläggningen.",
        functional_status="Förflyttar sig med stöd av en person. Orkar gå cirka 20 meter.",
        aids="Rullstol för längre sträckor, provas ut av arbetsterapeut.",
        needs_after_discharge=(
            "Korttidsboende för rehabilitering, därefter bedömning av behov i hemmet."
        ),
    ),
    p.PlanningInformation(
        living_situation="Bor ensam i hyreslägenhet utan hiss, andra våningen.",
        current_support="Hemsjukvård för såromläggning två gånger per vecka.",
        functional_status="Klarar förflyttning själv men med stor fallrisk.",
        aids="Rollator, gripklo.",
        needs_after_discharge="Fortsatt hemsjukvård, tillsyn nattetid, matleveranser.",
    ),
)
PSYCHIATRIC_PLANNING_EXAMPLE = p.PlanningInformation(
    living_situation="Bor i egen lägenhet med boendestöd.",
    current_support="Boendestöd två gånger per vecka, kontakt med psykiatrisk öppenvård.",
    functional_status="Klarar personlig vård. Behöver stöd med struktur och läkemedel.",
    needs_after_discharge="Boendestöd, daglig sysselsättning, täta besök på mottagningen.",
)
_DISCHARGE_TEXTS = {
    Destination.HOME: "Utskriven till hemmet. Läkemedelslista och epikris skickade.",
    Destination.SHORT_TERM: "Utskriven till korttidsboende. Läkemedelslista skickad.",
    Destination.SPECIAL_HOUSING: "Utskriven till särskilt boende enligt beslut.",
}
_SIP_PLAN = (
    "Kommunen: hemtjänst fyra gånger per dag och trygghetslarm från hemkomstdagen. "
    "Hemsjukvården: läkemedelshantering. Vårdcentralen: läkemedelsgenomgång och "
    "uppföljande hembesök inom två veckor. Fast vårdkontakt: {contact}."
)


def _hours(hours: float) -> dt.timedelta:
    return dt.timedelta(hours=hours)


def _minute(moment: dt.datetime) -> dt.datetime:
    return moment.replace(second=0, microsecond=0)


def _quarter(moment: dt.datetime) -> dt.datetime:
    """The next whole quarter of an hour (meetings start on the quarter)."""
    floored = moment.replace(minute=moment.minute - moment.minute % 15, second=0, microsecond=0)
    return floored if floored == moment else floored + dt.timedelta(minutes=15)


def _in_office(moment: dt.datetime) -> bool:
    local = moment.astimezone(STOCKHOLM)
    return is_working_day(local.date()) and _OFFICE_OPENS <= local.time() <= _OFFICE_CLOSES


def _next_office_morning(
    moment: dt.datetime, minute: int, *, working_days: bool = True
) -> dt.datetime:
    local = moment.astimezone(STOCKHOLM)
    day = local.date() if local.time() < _OFFICE_OPENS else local.date() + dt.timedelta(days=1)
    while working_days and not is_working_day(day):
        day += dt.timedelta(days=1)
    return dt.datetime.combine(day, dt.time(8, minute % 60), tzinfo=STOCKHOLM)


def _office_time(moment: dt.datetime, *, before: dt.datetime) -> dt.datetime:
    """Primary care and social services work office hours: the next such time if it comes
    before ``before``; else daytime, even at a weekend; else the moment as it is."""
    local = moment.astimezone(STOCKHOLM)
    if _in_office(moment):
        return moment
    if _OFFICE_OPENS <= local.time() <= _OFFICE_CLOSES:
        candidates = [_next_office_morning(moment, moment.minute)]
    else:
        candidates = [
            _next_office_morning(moment, moment.minute),
            _next_office_morning(moment, moment.minute, working_days=False),
        ]
    return next((c for c in candidates if c < before), moment)


_READING_ROUNDS = (dt.time(8, 30), dt.time(13, 15))


def _reading_time(unit: Unit, moment: dt.datetime) -> dt.datetime:
    """When a unit reads (kvitterar) a notice that reached it at ``moment``.

    A ward is staffed day and night and reads within 90 minutes; primary care and social
    services go through their inbox in the morning and after lunch on working days.
    """
    if unit.is_inpatient:
        return moment + dt.timedelta(minutes=90)
    earliest = moment + dt.timedelta(minutes=15)
    day = earliest.astimezone(STOCKHOLM).date()
    late = dt.timedelta(minutes=unit.pk % 20)
    while True:
        if is_working_day(day):
            for round_starts in _READING_ROUNDS:
                candidate = dt.datetime.combine(day, round_starts, tzinfo=STOCKHOLM) + late
                if candidate >= earliest:
                    return candidate
        day += dt.timedelta(days=1)


class _Staff:
    """The users who act for each unit; the unit's first user (the persona) most often."""

    def __init__(self, world: DemoWorld) -> None:
        self.users: dict[int, list[Commission]] = {}
        for commission in world.commissions:
            if commission.role == Role.USER and commission.valid_to is None:
                self.users.setdefault(commission.unit_id, []).append(commission)
        self.units = {unit.pk: unit for unit in world.units.values()}
        self.turn = 0

    def actor(self, unit: Unit) -> Actor:
        users = self.users[unit.pk]
        self.turn += 1
        index = self.turn % (2 * len(users) - 1)
        commission = users[index - len(users) + 1 if index >= len(users) else index]
        return Actor(person=commission.person, commission=commission)

    def first(self, unit: Unit) -> Person:
        return self.users[unit.pk][0].person

    def doctor(self, unit: Unit) -> str:
        doctors = [c.person for c in self.users[unit.pk] if c.person.title == "Läkare"]
        name = doctors[0].full_name if doctors else _DOCTORS[unit.pk % len(_DOCTORS)]
        return f"{name}, överläkare"


@dataclass(order=True)
class _Step:
    at: dt.datetime
    seq: int
    run: Callable[[dt.datetime], object] | None = field(default=None, compare=False)
    reader: Unit | None = field(default=None, compare=False)


class _Script:
    """Runs one case's steps in time order, each through an action with ``now`` at its time.

    Every unit a notice reaches reads it (``acknowledge_all``) at its next reading time
    (`_reading_time`), together with whatever else has reached it by then. Reading that
    would fall after ``now`` or after ``cutoff`` does not happen, so the newest notices stay
    new in the worklists. The script keeps the active parties itself, as the actions do, so
    it knows who a notice reaches without asking the database.
    """

    def __init__(self, staff: _Staff, patient: Patient, *, now: dt.datetime) -> None:
        self.staff = staff
        self.patient = patient
        self.now = now
        self.cutoff: dt.datetime | None = None
        self.parties: list[Unit] = []  # the active parties, kept in step with the actions
        self._steps: list[_Step] = []
        self._seq = itertools.count()
        self._reached: list[Unit] = []  # units the last step sent notices to
        self._reading: set[int] = set()
        self._case: Case | None = None

    @property
    def case(self) -> Case:
        assert self._case is not None, "the first step opens the case"
        return self._case

    def at(self, moment: dt.datetime, run: Callable[[dt.datetime], object]) -> None:
        # A step given as a clock time today can lie a little ahead when the world is loaded
        # just after midnight: it happens "now" instead, keeping the steps in order.
        moment = min(moment, self.now)
        heapq.heappush(self._steps, _Step(moment, next(self._seq), run=run))

    def run(self) -> Case:
        while self._steps:
            step = heapq.heappop(self._steps)
            if step.reader is not None:
                self._reading.discard(step.reader.pk)
                acknowledge_all(actor=self.staff.actor(step.reader), case=self.case, now=step.at)
            elif step.run is not None:
                self._reached = []
                step.run(step.at)
                self._schedule_reading(step.at)
        return self.case

    def reached(self, units: Iterable[Unit]) -> None:
        self._reached.extend(units)

    def _schedule_reading(self, moment: dt.datetime) -> None:
        for unit in self._reached:
            if unit.pk in self._reading:
                continue  # it reads this one too at the reading already planned
            when = _reading_time(unit, moment)
            if when <= self.now and (self.cutoff is None or when < self.cutoff):
                heapq.heappush(self._steps, _Step(when, next(self._seq), reader=unit))
                self._reading.add(unit.pk)

    def record(
        self,
        unit: Unit,
        event_type: E,
        payload: p.Payload,
        moment: dt.datetime,
        *,
        text: str = "",
        effective_at: dt.datetime | None = None,
    ) -> CaseEvent:
        event = record_event(
            actor=self.staff.actor(unit),
            case=self.case,
            event_type=event_type,
            payload=payload,
            text=text,
            effective_at=effective_at,
            now=moment,
        )
        # record_event refreshes the case, which forgets its patient; keep it at hand (the
        # readings log the patient too) instead of loading it again.
        self.case.patient = self.patient
        if TRANSITIONS[event_type].notice:
            self.reached(u for u in self.parties if u != unit)
        return event

    def join(self, unit: Unit, *, leaving: Unit) -> None:
        """A rejection or transfer: one party leaves, another joins and gets the history."""
        self.parties = [u for u in self.parties if u != leaving] + [unit]
        self.reached([unit])

    def sip_called(
        self, unit: Unit, moment: dt.datetime, meeting: dt.datetime, participants: list[str]
    ) -> None:
        video = self.case.pk % 2 == 0
        payload = p.SipCalled(
            meeting_at=meeting,
            mode=p.MeetingMode.VIDEO if video else p.MeetingMode.IN_PERSON,
            place="Videolänk skickas till deltagarna" if video else unit.name,
            participants=participants,
            patient_participates=True,
            next_of_kin_participates=not video,
            consent_given=True,
            consent_note="Patienten har muntligt samtyckt till SIP och till att anhöriga deltar.",
        )
        self.record(unit, E.SIP_CALLED, payload, moment)

    def sip_held(self, unit: Unit, moment: dt.datetime, meeting: dt.datetime, contact: str) -> None:
        payload = p.SipHeld(
            held_at=meeting,
            plan_summary=_SIP_PLAN.format(contact=contact),
            follow_up_on=meeting.astimezone(STOCKHOLM).date() + dt.timedelta(days=28),
        )
        self.record(unit, E.SIP_HELD, payload, moment)


class _Stay(_Script):
    """One inpatient stay (`_CaseSpec`) recorded event by event, as the users would have."""

    def __init__(
        self,
        spec: _CaseSpec,
        world: DemoWorld,
        staff: _Staff,
        *,
        number: int,
        today: dt.date,
        now: dt.datetime,
    ) -> None:
        super().__init__(staff, world.patients[spec.patient], now=now)
        self.spec = spec
        self.world = world
        self.number = number
        patient_spec = _PATIENT_BY_KEY[spec.patient]
        self.ward = world.units[spec.ward]
        self.psychiatric = self.ward.care_type == CareType.INPATIENT_PSYCHIATRIC
        rejected_by = next((e.by for e in spec.extras if e.kind == "rejected"), "")
        social = rejected_by or _social_services_key(patient_spec)
        self.municipality = world.units[social] if social else None
        listed = world.units[patient_spec.listed] if patient_spec.listed else None
        psychiatry = world.units["nsp_op"] if spec.with_outpatient_psychiatry else None
        # Outpatient psychiatry appoints the fast vårdkontakt for its patients.
        self.outpatient = psychiatry or listed
        self.recipients = [u for u in (self.municipality, listed, psychiatry) if u is not None]
        self.expected = today + dt.timedelta(days=spec.expected_in_days)
        self.last_message: CaseEvent | None = None
        self.times, extra_times = self._times(today)
        if spec.unread_from:
            self.cutoff = self.times[spec.unread_from]
        self._schedule(extra_times)

    # When each step happens.

    def _times(self, today: dt.date) -> tuple[dict[str, dt.datetime], list[dt.datetime]]:
        spec, now = self.spec, self.now
        t: dict[str, dt.datetime] = {"now": now}

        def moment(when: When | None, name: str) -> None:
            if when is not None:
                t[name] = _moment(when, today=today, now=now)

        moment(spec.admitted, "admitted")
        t["opened"] = t["admitted"] + _hours(spec.assessed_after)
        moment(spec.ready, "ready")
        if spec.withdrawn:
            moment(spec.withdrawn[0], "withdrawn")
            moment(spec.withdrawn[1], "ready_again")
        moment(spec.discharged, "discharged")
        moment(spec.closed, "closed")
        planning_ends = min(t.get(n, now) for n in ("ready", "discharged", "closed"))
        notice = t["opened"] + _hours(spec.notice_after)
        if spec.state != CaseState.ADMITTED and notice < planning_ends:
            t["notice"] = notice
            gap = planning_ends - notice
            if gap >= _hours(4):
                t["planning"] = notice + min(_hours(18), gap * 0.35)
            if self.outpatient is not None and gap >= _hours(8):
                fvk = notice + min(_hours(28), gap * 0.6)
                t["fvk"] = _office_time(fvk, before=planning_ends)
        ready = t.get("ready_again", t.get("ready"))
        if ready is not None and spec.sip and spec.sip_called:
            sip_ends = t.get("discharged", now)
            if sip_ends - ready >= _hours(3):
                called = _office_time(
                    ready + min(_hours(22), (sip_ends - ready) * 0.3), before=sip_ends
                )
                t["sip_called"] = called
                if spec.sip_held:
                    meeting = called + min(_hours(48), (sip_ends - called) * 0.5)
                    meeting = _quarter(_office_time(meeting, before=sip_ends))
                    t["sip_meeting"] = meeting
                    t["sip_held"] = meeting + min(_hours(1.5), (sip_ends - meeting) * 0.5)
                else:
                    t["sip_meeting"] = _quarter(called + _hours(48))
        extra_times = []
        for extra in spec.extras:
            extra_times.append(_minute(t[extra.after] + _hours(extra.hours)))
            t.setdefault(extra.kind, extra_times[-1])
        # Clock times "today" may lie ahead when the world is loaded just after midnight.
        return {name: _minute(min(value, now)) for name, value in t.items()}, extra_times

    def _schedule(self, extra_times: list[dt.datetime]) -> None:
        t, spec = self.times, self.spec
        self.at(t["opened"], self._open)
        if "notice" in t:
            registered = t["notice"] + _hours(5) if spec.faxed else t["notice"]
            self.at(registered, self._admission_notice)
        for name, step in (
            ("planning", self._planning_information),
            ("fvk", self._fast_vardkontakt),
            ("ready", self._ready),
            ("withdrawn", self._withdrawn),
            ("ready_again", self._ready),
            ("sip_called", self._sip_called),
            ("sip_held", self._sip_held),
            ("discharged", self._discharged),
            ("closed", self._closed),
        ):
            if name in t:
                self.at(t[name], step)
        for extra, moment in zip(spec.extras, extra_times, strict=True):
            self.at(moment, functools.partial(self._extra, extra))

    # The steps.

    def _open(self, moment: dt.datetime) -> None:
        self._case = open_case(
            actor=self.staff.actor(self.ward),
            patient=self.patient,
            care_kind=CareKind.PSYCHIATRIC if self.psychiatric else CareKind.SOMATIC,
            compulsory_care=self.spec.compulsory,
            admitted_at=self.times["admitted"],
            assessed_at=self.times["opened"],
            recipients=self.recipients,
            now=moment,
        )
        self.parties = [self.ward, *self.recipients]

    def _admission_notice(self, moment: dt.datetime) -> None:
        if self.psychiatric:
            text = "Inlagd enligt LPT." if self.spec.compulsory else "Inlagd för psykiatrisk vård."
        else:
            text = _ADMISSION_TEXTS[self.number % len(_ADMISSION_TEXTS)]
        effective_at = None
        if self.spec.faxed:
            effective_at = self.times["notice"]
            text += (
                " Skickat per fax enligt reservrutinen under driftstörningen och "
                "efterregistrerat i Brygga."
            )
        self.record(
            self.ward,
            E.ADMISSION_NOTICE,
            p.AdmissionNotice(self.expected),
            moment,
            text=text,
            effective_at=effective_at,
        )

    def _planning_information(self, moment: dt.datetime) -> None:
        template = (
            PSYCHIATRIC_PLANNING_EXAMPLE
            if self.psychiatric
            else PLANNING_EXAMPLES[self.number % len(PLANNING_EXAMPLES)]
        )
        payload = dataclasses.replace(
            template, ward_contact=f"Kontaktsjuksköterska, {self.ward.name}, {self.ward.phone}"
        )
        self.record(self.ward, E.PLANNING_INFORMATION, payload, moment)

    def _contact(self) -> Person:
        assert self.outpatient is not None
        return self.staff.first(self.outpatient)

    def _fast_vardkontakt(self, moment: dt.datetime) -> None:
        assert self.outpatient is not None
        contact = self._contact()
        payload = p.FastVardkontakt(
            name=contact.full_name, title=contact.title, phone=self.outpatient.phone
        )
        self.record(self.outpatient, E.FAST_VARDKONTAKT, payload, moment)

    def _ready(self, moment: dt.datetime) -> None:
        payload = p.Ready(
            doctor=self.staff.doctor(self.ward),
            decided_at=moment - dt.timedelta(minutes=40),
            sip_needed=self.spec.sip,
        )
        self.record(
            self.ward,
            E.READY,
            payload,
            moment,
            text="Patienten är utskrivningsklar enligt ansvarig läkare.",
        )

    def _withdrawn(self, moment: dt.datetime) -> None:
        reason = "Ny feber och stigande infektionsprover; behöver fortsatt slutenvård."
        self.record(self.ward, E.READY_WITHDRAWN, p.ReadyWithdrawn(reason), moment)

    def _sip_caller(self) -> Unit:
        caller = self.outpatient or self.municipality
        assert caller is not None, f"{self.spec.patient}: nobody to call the SIP"
        return caller

    def _participants(self) -> list[str]:
        people = [f"{self.patient.full_name} (patienten)"]
        if self.outpatient is not None:
            people.append(f"{self._contact().full_name}, {self.outpatient.name}")
        if self.municipality is not None:
            people.append(f"Biståndshandläggare, {self.municipality.name}")
        people.append(f"Kontaktsjuksköterska, {self.ward.name}")
        return people

    def _sip_called(self, moment: dt.datetime) -> None:
        self.sip_called(self._sip_caller(), moment, self.times["sip_meeting"], self._participants())

    def _sip_held(self, moment: dt.datetime) -> None:
        contact = self._contact().full_name if self.outpatient else "ej utsedd"
        self.sip_held(self._sip_caller(), moment, self.times["sip_meeting"], contact)

    def _discharged(self, moment: dt.datetime) -> None:
        destination = self.spec.destination
        self.record(
            self.ward,
            E.DISCHARGE_NOTICE,
            p.DischargeNotice(discharged_at=moment, destination=destination),
            moment,
            text=_DISCHARGE_TEXTS.get(Destination(destination), ""),
        )

    def _closed(self, moment: dt.datetime) -> None:
        if self.spec.state == CaseState.CANCELLED:
            reason = self.spec.cancel_reason
            self.record(self.ward, E.CANCELLED, p.Cancelled(reason), moment, text=reason)
        else:
            self.record(self.ward, E.CLOSED, p.Empty(), moment)

    def _extra(self, extra: _Extra, moment: dt.datetime) -> None:
        unit = self.world.units[extra.by] if extra.by else self.ward
        if extra.kind == "message":
            self.last_message = self.record(unit, E.MESSAGE, p.Empty(), moment, text=extra.text)
        elif extra.kind == "retract":
            assert self.last_message is not None, "retract follows a message"
            retract(
                actor=self.staff.actor(unit),
                event=self.last_message,
                reason=extra.text,
                now=moment,
            )
        elif extra.kind == "date_changed":
            changed = self.expected + dt.timedelta(days=extra.days)
            payload: p.Payload = p.ExpectedDateChanged(
                expected_discharge_on=changed,
                previous=self.expected,
                decided_at=moment - _hours(extra.decided_before),
            )
            self.record(unit, E.EXPECTED_DATE_CHANGED, payload, moment, text=extra.text)
            self.expected = changed
        elif extra.kind == "rejected":
            # The municipality reads the notice, then rejects it to the right municipality.
            actor = self.staff.actor(unit)
            acknowledge_all(actor=actor, case=self.case, now=moment)
            patient = _PATIENT_BY_KEY[self.spec.patient]
            payload = p.Rejected(
                reason=p.RejectionReason.NOT_RESIDENT,
                correct_municipality_code=MUNICIPALITY_CODES[patient.municipality],
                correct_district=DISTRICT_NAMES.get(patient.district, ""),
            )
            self.record(unit, E.REJECTED, payload, moment, text=extra.text)
            self.municipality = self.world.units[_social_services_key(patient)]
            self.join(self.municipality, leaving=unit)
        elif extra.kind == "transferred":
            target = self.world.units[extra.to]
            payload = p.Transferred(to_unit_id=target.pk, to_unit_name=target.name)
            self.record(unit, E.TRANSFERRED, payload, moment, text=extra.text)
            self.join(target, leaving=unit)
            self.ward = target
        elif extra.kind == "leave":
            payload = p.LeaveStarted(starts_at=moment, expected_return_at=moment + _hours(48))
            self.record(unit, E.LEAVE_STARTED, payload, moment, text=extra.text)
        elif extra.kind == "leave_ended":
            self.record(unit, E.LEAVE_ENDED, p.LeaveEnded(ended_at=moment), moment)
        else:  # pragma: no cover - a typo in the table above
            raise ValueError(f"unknown demo event {extra.kind!r}")


class _SipCase(_Script):
    """A SIP outside a hospital stay (`_SipSpec`)."""

    def __init__(
        self, spec: _SipSpec, world: DemoWorld, staff: _Staff, *, today: dt.date, now: dt.datetime
    ) -> None:
        super().__init__(staff, world.patients[spec.patient], now=now)
        self.spec = spec
        self.starter = world.units[spec.started_by]
        self.recipients = [world.units[key] for key in spec.recipients]
        opened = _minute(_moment(spec.opened, today=today, now=now))
        self.at(opened, self._open)
        if spec.unread:
            self.cutoff = opened
        if spec.held:
            called = opened + _hours(26)
            self.meeting = _quarter(_office_time(called + _hours(72), before=now))
            self.at(opened + _hours(2), self._fast_vardkontakt)
            self.at(called, self._sip_called)
            self.at(self.meeting + _hours(1.5), self._sip_held)

    def _open(self, moment: dt.datetime) -> None:
        self._case = open_sip_case(
            actor=self.staff.actor(self.starter),
            patient=self.patient,
            recipients=self.recipients,
            text=self.spec.text,
            now=moment,
        )
        self.parties = [self.starter, *self.recipients]
        self.reached(self.recipients)

    def _fast_vardkontakt(self, moment: dt.datetime) -> None:
        contact = self.staff.first(self.starter)
        payload = p.FastVardkontakt(
            name=contact.full_name, title=contact.title, phone=self.starter.phone
        )
        self.record(self.starter, E.FAST_VARDKONTAKT, payload, moment)

    def _sip_called(self, moment: dt.datetime) -> None:
        participants = [f"{self.patient.full_name} (patienten)"] + [
            f"{self.staff.first(unit).full_name}, {unit.name}"
            for unit in (self.starter, *self.recipients)
        ]
        self.sip_called(self.starter, moment, self.meeting, participants)

    def _sip_held(self, moment: dt.datetime) -> None:
        contact = self.staff.first(self.starter).full_name
        self.sip_held(self.starter, moment, self.meeting, contact)


def _report(progress: Callable[[str], None] | None, message: str) -> None:
    if progress is not None:
        progress(message)


def _write_directory(world: DemoWorld, *, today: dt.date) -> None:
    """Organisations and units."""
    organisations = Organisation.objects.bulk_create(
        Organisation(
            name=spec.name,
            org_number=spec.org_number,
            kind=spec.kind,
            municipality_code=spec.municipality_code,
            has_own_ek_admin=spec.has_own_ek_admin,
        )
        for spec in ORGANISATIONS
    )
    world.organisations = {
        spec.key: org for spec, org in zip(ORGANISATIONS, organisations, strict=True)
    }
    unit_since = min(dt.date(2018, 1, 1), today)
    # Parents first, so the children can point at saved rows.
    for level in (
        [spec for spec in UNITS if not spec.parent],
        [spec for spec in UNITS if spec.parent],
    ):
        rows = []
        for spec in level:
            number = UNITS.index(spec) * 2
            rows.append(
                Unit(
                    hsa_id=spec.hsa_id,
                    name=spec.name,
                    organisation=world.organisations[spec.org],
                    parent=world.units[spec.parent] if spec.parent else None,
                    care_type=spec.care_type,
                    municipality_code=spec.municipality_code,
                    district=spec.district,
                    phone=_phone(number),
                    fax=_phone(number + 1),
                    functional_mailbox=f"utskrivning.{_slug(spec.key)}@{EXAMPLE_DOMAIN}",
                    status=UnitStatus.INACTIVE if spec.closed_on else UnitStatus.ACTIVE,
                    valid_from=min(unit_since, spec.closed_on or unit_since),
                    valid_to=spec.closed_on,
                )
            )
        for spec, unit in zip(level, Unit.objects.bulk_create(rows), strict=True):
            world.units[spec.key] = unit
    world.units = {u.key: world.units[u.key] for u in UNITS}


def _write_staff(world: DemoWorld, *, today: dt.date) -> None:
    """Persons and their commissions."""
    people, commission_specs = _staff()
    persons = []
    for spec in people:
        person = Person(
            hsa_id=spec.hsa_id,
            personnummer=spec.personnummer,
            given_name=spec.given_name,
            family_name=spec.family_name,
            title=spec.title,
            email=f"{_slug(spec.given_name)}.{_slug(spec.family_name)}@{EXAMPLE_DOMAIN}",
        )
        person.set_unusable_password()
        persons.append(person)
    world.persons = {
        spec.key: person
        for spec, person in zip(people, Person.objects.bulk_create(persons), strict=True)
    }
    since = min(dt.date(2018, 1, 1), today)
    end_of_last_month = today.replace(day=1) - dt.timedelta(days=1)
    commissions = []
    for grant in commission_specs:
        ends = end_of_last_month if grant.ended_last_month else None
        commissions.append(
            Commission(
                person=world.persons[grant.person],
                unit=world.units[grant.unit],
                role=grant.role,
                purpose=(
                    "Vård och behandling"
                    if grant.role in (Role.USER, Role.MANAGER)
                    else "Administration"
                ),
                valid_from=min(since, ends or since),
                valid_to=ends,
            )
        )
    world.commissions = Commission.objects.bulk_create(commissions)


def _write_patients(world: DemoWorld) -> None:
    identity_numbers = _patient_identity_numbers()
    patients = []
    for spec in PATIENTS:
        listed = world.units[spec.listed] if spec.listed else None
        patients.append(
            Patient(
                identity_number=identity_numbers[spec.key],
                identity_kind=spec.kind,
                given_name=spec.given_name,
                family_name=spec.family_name,
                street_address=spec.street,
                postal_code=spec.postal_code,
                city=spec.city,
                municipality_code=MUNICIPALITY_CODES.get(spec.municipality, ""),
                district=DISTRICT_NAMES.get(spec.district, ""),
                listed_unit=listed,
                protected_identity=spec.protected,
            )
        )
    world.patients = {
        spec.key: patient
        for spec, patient in zip(PATIENTS, Patient.objects.bulk_create(patients), strict=True)
    }


def _write_cases(world: DemoWorld, *, today: dt.date, now: dt.datetime) -> None:
    """Every case recorded through the actions, each step at its own time in the past."""
    staff = _Staff(world)
    # Planning every script first checks all the times before anything is written.
    scripts: list[_Script] = [
        _Stay(spec, world, staff, number=number, today=today, now=now)
        for number, spec in enumerate(CASES)
    ]
    scripts += [_SipCase(spec, world, staff, today=today, now=now) for spec in SIP_CASES]
    opened = [script.run().pk for script in scripts]
    world.cases = list(Case.objects.filter(pk__in=opened).order_by("pk"))
    world.events = CaseEvent.objects.filter(case__in=opened).count()


def load_demo_region(
    *,
    today: dt.date,
    now: dt.datetime,
    progress: Callable[[str], None] | None = None,
) -> DemoWorld:
    """Write the demo region in one transaction and return handles on its rows.

    Raises DemoAlreadyLoaded if Region Stockholm is already in the database. The cases are
    recorded through the case actions, each step with its own ``now`` in the past relative
    to ``now`` and ``today`` (Stockholm's date), so the worklists always look current. The
    actions append their access-log rows as they go; those carry the real time of loading.
    """
    with transaction.atomic():
        if Organisation.objects.filter(org_number=REGION_ORG_NUMBER).exists():
            raise DemoAlreadyLoaded("Demoregionen är redan laddad.")
        world = DemoWorld()

        _report(progress, "Organisationer och enheter …")
        _write_directory(world, today=today)
        _report(progress, "Personer och medarbetaruppdrag …")
        _write_staff(world, today=today)
        _report(progress, "Patienter …")
        _write_patients(world)
        _report(progress, "Ärenden med händelser och kvittenser …")
        _write_cases(world, today=today, now=now)
        for dotted in DEMO_EXTENSIONS:
            _report(progress, f"{dotted} …")
            import_string(dotted)(world, today=today, now=now)
        record(
            Actor.system("load_demo"),
            AuditEventType.ORGANISATION_CREATED,
            obj=world.organisations["region"],
            details={"what": "demoregion", **world.counts()},
        )
    return world


def _keyed(keys: dict[str, str], rows: dict[str, T]) -> dict[str, T]:
    """Map short keys to rows through their identifiers; every row must exist."""
    missing = [key for key, identifier in keys.items() if identifier not in rows]
    if missing:
        raise DemoNotLoaded(
            "Demoregionen i databasen stämmer inte med brygga.demo.world "
            f"(saknas: {', '.join(missing[:5])})."
        )
    return {key: rows[identifier] for key, identifier in keys.items()}


def demo_world() -> DemoWorld:
    """Handles on an already loaded demo region, rebuilt from the database."""
    if not Organisation.objects.filter(org_number=REGION_ORG_NUMBER).exists():
        raise DemoNotLoaded("Demoregionen är inte laddad: kör manage.py load_demo.")
    people, _commissions = _staff()
    org_numbers = {spec.key: spec.org_number for spec in ORGANISATIONS}
    unit_ids = {spec.key: spec.hsa_id for spec in UNITS}
    person_ids = {spec.key: spec.hsa_id for spec in people}
    patient_ids = _patient_identity_numbers()
    world = DemoWorld(
        organisations=_keyed(
            org_numbers,
            Organisation.objects.in_bulk(org_numbers.values(), field_name="org_number"),
        ),
        units=_keyed(unit_ids, Unit.objects.in_bulk(unit_ids.values(), field_name="hsa_id")),
        persons=_keyed(
            person_ids, Person.objects.in_bulk(person_ids.values(), field_name="hsa_id")
        ),
        patients=_keyed(
            patient_ids,
            Patient.objects.in_bulk(patient_ids.values(), field_name="identity_number"),
        ),
    )
    world.commissions = list(
        Commission.objects.filter(person__in=list(world.persons.values())).order_by("pk")
    )
    world.cases = list(
        Case.objects.filter(patient__in=list(world.patients.values())).order_by("pk")
    )
    world.events = CaseEvent.objects.filter(case__in=world.cases).count()
    return world
