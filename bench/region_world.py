"""A region-sized year of Brygga data, written in bulk for the benchmarks.

Used by ``bench/region_year.py``. The directory (about 330 units in 26 municipalities,
staff with commissions) goes in with ``bulk_create``; the patients, cases, parties, events
and notice recipients (a million events at scale 1) go in with PostgreSQL ``COPY``.

Nothing here goes through the actions — far too slow for a million events — but every case
is *replayed* the way the actions would have recorded it: each event is checked against the
state machine (``rules.check_allowed`` with the author's party role), its payload is built
with the typed constructor in ``cases.payloads``, the derived case fields are set by the
actions' own ``APPLY`` functions, notices go to the other active parties, a rejection or a
transfer forwards the history to the new party, and every unit reads (kvitterar) its
notices at its next reading time, as ``brygga.demo.world`` does. Historic access-log rows
for those actions are not written (the benchmark's own page views append theirs).

Identity numbers come from Skatteverket's test series only (birth numbers 980-999, and
samordningsnummer with day + 60), plus Region Stockholm reservnummer; HSA-ids and
organisation numbers carry valid Luhn digits; phone numbers are PTS's series for fiction.
"""

from __future__ import annotations

import datetime as dt
import heapq
import itertools
import json
import math
import random
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cache
from typing import Any, NamedTuple, Self
from zoneinfo import ZoneInfo

from django.db import connection
from django.db.models import Model
from psycopg import sql

from brygga.cases import payloads as p
from brygga.cases.actions import APPLY, facts_of
from brygga.cases.models import (
    CareKind,
    Case,
    CaseEvent,
    CaseKind,
    CaseParty,
    CaseState,
    Destination,
    NoticeRecipient,
    PartyRole,
)
from brygga.cases.models import CaseEventType as E
from brygga.cases.rules import TRANSITIONS, check_allowed
from brygga.core.calendar import is_working_day
from brygga.demo.world import (
    MUNICIPALITIES,
    PLANNING_EXAMPLES,
    PSYCHIATRIC_PLANNING_EXAMPLE,
    REGION_ORG_NUMBER,
    make_test_personnummer,
)
from brygga.directory.models import (
    CareType,
    Commission,
    Organisation,
    OrganisationKind,
    Person,
    Role,
    Unit,
)
from brygga.patients.identity import IdentityKind, luhn_check_digit
from brygga.patients.models import Patient

STOCKHOLM = ZoneInfo("Europe/Stockholm")
UTC = dt.UTC
YEAR = dt.timedelta(days=365)
EXAMPLE_DOMAIN = "example.se"

# --- The region as data ------------------------------------------------------------------------

# Inhabitants (thousands, rounded) per municipality: decides where patients live.
POPULATION = {
    "0114": 48, "0115": 35, "0117": 48, "0120": 47, "0123": 86, "0125": 29, "0126": 115,
    "0127": 98, "0128": 17, "0136": 97, "0138": 49, "0139": 31, "0140": 12, "0160": 75,
    "0162": 33, "0163": 76, "0180": 985, "0181": 101, "0182": 109, "0183": 55, "0184": 85,
    "0186": 48, "0187": 12, "0188": 64, "0191": 52, "0192": 29,
}  # fmt: skip
# Stockholm city's social services are run by its district administrations.
STOCKHOLM_DISTRICTS = {
    "Rinkeby-Kista": 50, "Spånga-Tensta": 40, "Hässelby-Vällingby": 75, "Bromma": 80,
    "Kungsholmen": 70, "Norrmalm": 70, "Östermalm": 75, "Södermalm": 130,
    "Enskede-Årsta-Vantör": 105, "Skarpnäck": 50, "Farsta": 60, "Hägersten-Älvsjö": 110,
    "Skärholmen": 38,
}  # fmt: skip
NORTH_DISTRICTS = (
    "Rinkeby-Kista", "Spånga-Tensta", "Hässelby-Vällingby", "Bromma", "Kungsholmen",
    "Norrmalm", "Östermalm",
)  # fmt: skip
SOUTH_DISTRICTS = tuple(d for d in STOCKHOLM_DISTRICTS if d not in NORTH_DISTRICTS)
# Main town and first postal-code digits per municipality.
TOWNS = {
    "0114": ("Upplands Väsby", "194"), "0115": ("Vallentuna", "186"),
    "0117": ("Åkersberga", "184"), "0120": ("Gustavsberg", "134"),
    "0123": ("Järfälla", "177"), "0125": ("Ekerö", "178"), "0126": ("Huddinge", "141"),
    "0127": ("Tumba", "147"), "0128": ("Tumba", "144"), "0136": ("Handen", "136"),
    "0138": ("Tyresö", "135"), "0139": ("Kungsängen", "196"), "0140": ("Nykvarn", "155"),
    "0160": ("Täby", "183"), "0162": ("Danderyd", "182"), "0163": ("Sollentuna", "191"),
    "0180": ("Stockholm", "1"), "0181": ("Södertälje", "151"), "0182": ("Nacka", "131"),
    "0183": ("Sundbyberg", "172"), "0184": ("Solna", "169"), "0186": ("Lidingö", "181"),
    "0187": ("Vaxholm", "185"), "0188": ("Norrtälje", "761"), "0191": ("Märsta", "195"),
    "0192": ("Nynäshamn", "149"),
}  # fmt: skip

NORTH = tuple(f"0180/{d}" for d in NORTH_DISTRICTS)
SOUTH = tuple(f"0180/{d}" for d in SOUTH_DISTRICTS)

SOMATIC_SPECIALTIES = (
    "Geriatrisk avdelning", "Medicinavdelning", "Kardiologisk avdelning",
    "Ortopedisk avdelning", "Infektionsavdelning", "Strokeavdelning", "Kirurgisk avdelning",
    "Lungmedicinsk avdelning", "Njurmedicinsk avdelning", "Neurologisk avdelning",
    "Hematologisk avdelning", "Gastroenterologisk avdelning", "Endokrinologisk avdelning",
    "Urologisk avdelning", "Palliativ avdelning", "Rehabiliteringsavdelning",
)  # fmt: skip


@dataclass(frozen=True)
class Hospital:
    key: str
    name: str
    short: str
    municipality_code: str
    district: str
    catchment: tuple[str, ...]  # areas: "0184" or "0180/Södermalm"
    wards: int
    psychiatric: bool = False
    busy: tuple[str, ...] = ()  # names of busy wards (several hundred open cases)


HOSPITALS: tuple[Hospital, ...] = (
    Hospital("ks_solna", "Karolinska Universitetssjukhuset Solna", "Karolinska Solna", "0184",
             "", ("0184", "0183", "0123", "0139", "0163", "0191", "0114", *NORTH), 14),
    Hospital("ks_huddinge", "Karolinska Universitetssjukhuset Huddinge", "Karolinska Huddinge",
             "0126", "", ("0126", "0127", "0136", "0192", "0128", "0138", "0180/Skärholmen",
                          "0180/Hägersten-Älvsjö", "0180/Farsta"), 14),
    Hospital("sos", "Södersjukhuset", "Södersjukhuset", "0180", "Södermalm",
             ("0182", "0120", "0138", *SOUTH), 15,
             busy=("Södersjukhuset, Akutgeriatrisk avdelning 95",)),
    Hospital("ds", "Danderyds sjukhus", "Danderyds sjukhus", "0162", "",
             ("0162", "0160", "0115", "0117", "0186", "0187", "0114", "0163", "0188",
              "0180/Östermalm"), 11,
             busy=("Danderyds sjukhus, Medicinsk akutvårdsavdelning 12",)),
    Hospital("sg", "S:t Görans sjukhus", "S:t Görans sjukhus", "0180", "Kungsholmen",
             ("0184", "0183", *NORTH), 10),
    Hospital("stsj", "Södertälje sjukhus", "Södertälje sjukhus", "0181", "",
             ("0181", "0140", "0128", "0127"), 8),
    Hospital("ntsj", "Norrtälje sjukhus", "Norrtälje sjukhus", "0188", "", ("0188",), 6),
    Hospital("ersta", "Ersta sjukhus", "Ersta sjukhus", "0180", "Södermalm",
             ("0182", "0120", "0180/Södermalm", "0180/Östermalm"), 5),
    Hospital("dalen", "Dalens sjukhus", "Dalens sjukhus", "0180", "Enskede-Årsta-Vantör",
             ("0180/Enskede-Årsta-Vantör", "0180/Farsta", "0180/Skarpnäck"), 4),
    Hospital("jakobsberg", "Jakobsbergs geriatrik", "Jakobsbergs geriatrik", "0123", "",
             ("0123", "0139", "0180/Hässelby-Vällingby", "0180/Spånga-Tensta"), 4),
    Hospital("nackager", "Nacka geriatrik", "Nacka geriatrik", "0182", "",
             ("0182", "0120", "0138"), 4),
    Hospital("nsp", "Norra Stockholms psykiatri", "Norra Stockholms psykiatri", "0180",
             "Kungsholmen", NORTH, 8, psychiatric=True),
    Hospital("pss", "Psykiatri Södra Stockholm", "Psykiatri Södra Stockholm", "0180",
             "Farsta", SOUTH, 7, psychiatric=True),
    Hospital("pnv", "Psykiatri Nordväst", "Psykiatri Nordväst", "0123", "",
             ("0123", "0139", "0163", "0184", "0183", "0191", "0114"), 5, psychiatric=True),
    Hospital("psv", "Psykiatri Sydväst", "Psykiatri Sydväst", "0126", "",
             ("0126", "0127", "0136", "0181", "0192", "0128", "0140", "0138"), 5,
             psychiatric=True),
    Hospital("pno", "Psykiatri Nordost", "Psykiatri Nordost", "0162", "",
             ("0188", "0160", "0162", "0115", "0117", "0186", "0187", "0182", "0120"), 4,
             psychiatric=True),
)  # fmt: skip

PRIVATE_PROVIDERS = (
    ("vardbolaget", "Vårdbolaget Mälardalen AB", "556990011"),
    ("roslagen", "Husläkarna i Roslagen AB", "556990022"),
    ("lakarhuset", "Läkarhuset Söder AB", "556990033"),
)
VC_SUFFIXES = (
    "Centrum", "Norra", "Södra", "Östra", "Västra", "Torg", "Park", "Strand", "Gärde",
    "Backe", "Hage", "Port",
)  # fmt: skip

FEMALE_NAMES = (
    "Astrid", "Birgitta", "Margareta", "Ulla", "Elsa", "Inger", "Gun", "Kerstin", "Solveig",
    "Barbro", "Gudrun", "Anita", "Ingegerd", "Maj-Britt", "Eivor", "Britt", "Karin", "Anna",
    "Maria", "Eva", "Lena", "Kristina", "Elisabeth", "Ingrid", "Marianne", "Agneta",
    "Monica", "Christina", "Sara", "Emma", "Johanna", "Linnéa", "Leila", "Ioana", "Fatima",
    "Zeynep", "Amina", "Helena", "Camilla", "Malin", "Ida", "Hanna", "Sofia", "Elin",
    "Gunnel", "Sonja", "Ruth", "Signe", "Dagny", "Aina",
)  # fmt: skip
MALE_NAMES = (
    "Gunnar", "Kjell", "Sven", "Bengt", "Lennart", "Harald", "Arne", "Ove", "Stig", "Rune",
    "Bertil", "Tord", "Rolf", "Lars", "Per", "Erik", "Karl", "Jan", "Bo", "Leif", "Göran",
    "Hans", "Anders", "Mikael", "Johan", "Peter", "Thomas", "Ali", "Yusuf", "Andrzej",
    "Amir", "Mattias", "Jonas", "Nils", "Olle", "Åke", "Ingvar", "Sten", "Curt", "Gösta",
    "Tomas", "Magnus", "Fredrik", "Samir", "Heikki",
)  # fmt: skip
FAMILY_NAMES = (
    "Andersson", "Johansson", "Karlsson", "Nilsson", "Eriksson", "Larsson", "Olsson",
    "Persson", "Svensson", "Gustafsson", "Pettersson", "Jonsson", "Jansson", "Hansson",
    "Bengtsson", "Jönsson", "Lindberg", "Jakobsson", "Magnusson", "Lindström", "Olofsson",
    "Lindqvist", "Lindgren", "Berg", "Axelsson", "Bergström", "Lundberg", "Lind",
    "Lundgren", "Lundqvist", "Mattsson", "Berglund", "Fredriksson", "Sandberg",
    "Henriksson", "Forsberg", "Sjöberg", "Wallin", "Engström", "Eklund", "Danielsson",
    "Lundin", "Håkansson", "Björk", "Bergman", "Gunnarsson", "Holm", "Wikström",
    "Samuelsson", "Isaksson", "Fransson", "Bergqvist", "Nyström", "Holmberg", "Arvidsson",
    "Löfgren", "Söderberg", "Nyberg", "Blomqvist", "Claesson", "Nordström", "Mohammed",
    "Ali", "Ahmed", "Hassan", "Yilmaz", "Nowak", "Popescu", "Virtanen", "Rahimi", "Demir",
    "Öberg", "Åberg", "Ekström", "Hedlund", "Dahlberg", "Sundqvist", "Holmqvist",
)  # fmt: skip
STREETS = (
    "Storgatan", "Kyrkvägen", "Skolvägen", "Björkvägen", "Drottninggatan", "Kungsgatan",
    "Parkvägen", "Villavägen", "Tallvägen", "Ringvägen", "Götgatan", "Hantverkargatan",
    "Fleminggatan", "Sveavägen", "Odengatan", "Tegnérgatan", "Hornsgatan", "Folkungagatan",
    "Centralvägen", "Stationsvägen", "Ängsvägen", "Granvägen", "Lönnvägen", "Ekvägen",
    "Sjövägen", "Strandvägen", "Bergsgatan", "Torggatan", "Industrivägen", "Allévägen",
)  # fmt: skip
DOCTORS = (
    "Hugo Lagerqvist", "Nadia Berglöf", "Ruth Edholm", "Omar Saleh", "Vilma Rask",
    "Petra Åkesson", "Jonas Wiik", "Farah Haddad", "Tove Lindahl", "Karl Strömberg",
)  # fmt: skip

ADMISSION_TEXTS = (
    "Inkom via akuten efter fall i hemmet. Bedöms behöva stöd efter utskrivningen.",
    "Inlagd för hjärtsvikt med andfåddhet. Troligt ökat omvårdnadsbehov efter utskrivning.",
    "Inlagd med lunginflammation och nedsatt allmäntillstånd.",
    "Inlagd efter höftfraktur, opererad. Rehabilitering påbörjad.",
    "Inlagd för förvirring och uttorkning. Bor ensam.",
    "Inlagd med urinvägsinfektion och akut förvirring.",
    "Inlagd för stroke med högersidig svaghet. Bedömning av rehabiliteringsbehov pågår.",
    "Inlagd för KOL-exacerbation. Behov av syrgas i hemmet utreds.",
)
PSYCHIATRIC_TEXTS = ("Inlagd för psykiatrisk vård.", "Inlagd enligt LPT.", "Inlagd enligt LRV.")
PLANNING = (
    *PLANNING_EXAMPLES,
    p.PlanningInformation(
        living_situation="Bor på särskilt boende sedan två år.",
        current_support="Heldygnsomsorg.",
        functional_status="Sängliggande, behöver två personer vid förflyttning.",
        aids="Taklyft, vårdsäng, tryckavlastande madrass.",
        needs_after_discharge="Åter till boendet; ökad tillsyn första dygnet.",
    ),
)
PSYCHIATRIC_PLANNING = PSYCHIATRIC_PLANNING_EXAMPLE
MESSAGES = {
    PartyRole.INPATIENT: (
        "Patienten önskar att dottern kontaktas inför hemgång.",
        "Anhöriga är informerade om planeringen.",
        "Patienten har fått nya läkemedel; läkemedelslista skickas med vid utskrivning.",
        "Arbetsterapeut har gjort hembesök; bostaden behöver anpassas.",
        "Patienten är mer förvirrad i dag; vi avvaktar med utskrivningen.",
    ),
    PartyRole.PRIMARY_CARE: (
        "Vi har tagit del av informationen och bokar uppföljande besök.",
        "Distriktssköterskan gör hembesök dagen efter hemkomst.",
        "Läkemedelsgenomgång planeras på vårdcentralen inom två veckor.",
    ),
    PartyRole.MUNICIPALITY: (
        "Hemtjänsten kan utökas till fyra besök per dag från utskrivningsdagen.",
        "Ansökan om korttidsboende är beviljad; plats finns från måndag.",
        "Biståndshandläggare har pratat med patienten per telefon.",
        "Trygghetslarm installeras innan hemgång.",
    ),
}
WITHDRAW_REASONS = (
    "Ny feber och stigande infektionsprover; behöver fortsatt slutenvård.",
    "Nytt fall på avdelningen med misstänkt fraktur.",
    "Försämrad andning; syrgasbehovet har ökat igen.",
)
CANCEL_REASONS = (
    "Patienten behöver inga insatser efter utskrivningen; återgår till eget boende utan stöd.",
    "Patienten avled på avdelningen.",
    "Patienten flyttas till vård i annan region.",
)
DISCHARGE_TEXTS = {
    Destination.HOME: "Utskriven till hemmet. Läkemedelslista och epikris skickade.",
    Destination.SHORT_TERM: "Utskriven till korttidsboende. Läkemedelslista skickad.",
    Destination.SPECIAL_HOUSING: "Utskriven till särskilt boende enligt beslut.",
    Destination.DECEASED: "Patienten avled.",
}
SIP_PLAN = (
    "Kommunen: hemtjänst fyra gånger per dag och trygghetslarm från hemkomstdagen. "
    "Hemsjukvården: läkemedelshantering. Vårdcentralen: läkemedelsgenomgång och "
    "uppföljande hembesök inom två veckor. Fast vårdkontakt: {contact}."
)
SIP_TEXTS = (
    "Tilltagande minnessvikt; hemtjänst och hemsjukvård behöver samordnas.",
    "Ansökan om hemtjänst; patienten har flera läkemedel och diabetes.",
    "Patienten har täta kontakter med akuten; vi vill samordna insatserna.",
)

# --- Identifiers -------------------------------------------------------------------------------


def with_luhn(payload: str) -> str:
    return payload + str(luhn_check_digit(payload))


def municipality_org_number(code: str) -> str:
    return with_luhn("21990" + code)  # as in the demo: 2199-numbers are unused by real ones


def reservnummer_sll(issue_year: int, serial: int) -> str:
    body = f"99{issue_year:04d}{serial:05d}"
    return body + str(luhn_check_digit(body[4:11]))


class IdentityNumbers:
    """Hands out test personnummer so that nobody (patient or staff) shares one."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.taken: set[str] = set()
        self.reserve_serials: dict[int, int] = {}

    def person(self, born: dt.date, *, female: bool, samordning: bool = False) -> str:
        day = born
        for _attempt in range(400):
            numbers = list(range(980 if female else 981, 1000, 2))
            self.rng.shuffle(numbers)
            for number in numbers:
                value = make_test_personnummer(day, number, samordning=samordning)
                if value not in self.taken:
                    self.taken.add(value)
                    return value
            day += dt.timedelta(days=1)  # only ten numbers per sex and day in the series
        raise RuntimeError(f"no test personnummer left near {born}")

    def reserve(self, issue_year: int) -> str:
        serial = self.reserve_serials.get(issue_year, 0) + 1
        self.reserve_serials[issue_year] = serial
        return reservnummer_sll(issue_year, serial)


def phone(number: int) -> str:
    return f"08-465 004 {number % 100:02d}"  # PTS's series for use in fiction


def slug(text: str) -> str:
    table = str.maketrans("åäöéüÅÄÖÉÜ", "aaoeuAAOEU")
    return "".join(c for c in text.translate(table).lower() if c.isalnum() or c in ".-")


# --- Time ----------------------------------------------------------------------------------------


@cache
def _working(day: dt.date) -> bool:
    return is_working_day(day)


def local_at(day: dt.date, hour: int, minute: int, second: int = 0) -> dt.datetime:
    """A Swedish wall-clock time, as UTC (so that arithmetic is in elapsed time)."""
    hour, minute = hour + minute // 60, minute % 60
    moment = dt.datetime(day.year, day.month, day.day, hour, minute, second, tzinfo=STOCKHOLM)
    return moment.astimezone(UTC)


def local_day(moment: dt.datetime) -> dt.date:
    return moment.astimezone(STOCKHOLM).date()


def office_time(moment: dt.datetime, rng: random.Random) -> dt.datetime:
    """Primary care and social services act in office hours (08:00-16:30, working days)."""
    local = moment.astimezone(STOCKHOLM)
    if _working(local.date()) and dt.time(8) <= local.time() <= dt.time(16, 30):
        return moment
    day = local.date() if local.time() < dt.time(8) else local.date() + dt.timedelta(days=1)
    while not _working(day):
        day += dt.timedelta(days=1)
    return local_at(day, 8 + rng.randrange(3), rng.randrange(60), rng.randrange(60))


def reading_time(unit: UnitInfo, moment: dt.datetime, rng: random.Random) -> dt.datetime:
    """When a unit reads (kvitterar) a notice that reached it at ``moment``: a ward within a
    few hours, primary care and social services at their morning and after-lunch rounds."""
    if unit.inpatient:
        return moment + dt.timedelta(minutes=rng.randint(10, 200))
    earliest = moment + dt.timedelta(minutes=15)
    day = local_day(earliest)
    late = unit.pk % 20
    while True:
        if _working(day):
            for hour, minute in ((8, 30), (13, 15)):
                candidate = local_at(day, hour, minute + late, rng.randrange(60))
                if candidate >= earliest:
                    return candidate
        day += dt.timedelta(days=1)


def hours(value: float) -> dt.timedelta:
    return dt.timedelta(hours=value)


# --- COPY ----------------------------------------------------------------------------------------

_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
NULL = "\\N"


def text(value: str) -> str:
    return value.translate(_ESCAPES)


def ts(value: dt.datetime | None) -> str:
    return NULL if value is None else value.isoformat()


def day_or_null(value: dt.date | None) -> str:
    return NULL if value is None else value.isoformat()


def ref(value: int | None) -> str:
    return NULL if value is None else str(value)


def flag(value: bool) -> str:
    return "t" if value else "f"


def jsonb(value: dict[str, Any]) -> str:
    return text(json.dumps(value, ensure_ascii=False))


class CopyTable:
    """Rows for one table, sent with COPY in chunks. Columns must cover the whole model, so a
    new field fails here loudly instead of being left empty."""

    def __init__(self, model: type[Model], columns: tuple[str, ...]) -> None:
        concrete = {f.column for f in model._meta.concrete_fields}
        if set(columns) != concrete:
            raise RuntimeError(
                f"{model.__name__}: the benchmark writes {sorted(columns)}, the model has "
                f"{sorted(concrete)}; update bench/region_world.py"
            )
        self.table = model._meta.db_table
        self.columns = columns
        self.lines: list[str] = []
        self.written = 0
        self.next_id = 1

    def take_id(self) -> int:
        value = self.next_id
        self.next_id += 1
        return value

    def add(self, *values: str) -> None:
        self.lines.append("\t".join(values))

    def take(self) -> CopyRows:
        """The rows added since the last take, counted as written, to send with copy_rows."""
        lines, self.lines = self.lines, []
        self.written += len(lines)
        return CopyRows(self.table, self.columns, lines)

    def flush(self, cursor: Any) -> None:
        copy_rows(cursor, self.take())


class CopyRows(NamedTuple):
    table: str
    columns: tuple[str, ...]
    lines: list[str]


def copy_rows(cursor: Any, rows: CopyRows) -> None:
    """Send rows taken from a CopyTable with COPY, in chunks (nothing when there are none)."""
    if not rows.lines:
        return
    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(rows.table), sql.SQL(", ").join(map(sql.Identifier, rows.columns))
    )
    with cursor.copy(statement) as copy:
        for start in range(0, len(rows.lines), 20_000):
            copy.write("\n".join(rows.lines[start : start + 20_000]) + "\n")


# --- The directory -------------------------------------------------------------------------------


@dataclass
class UnitInfo:
    """What the case generator needs to know about a unit (kept out of the ORM for speed)."""

    pk: int
    name: str
    care_type: str
    municipality_code: str
    district: str
    phone: str
    hospital: str = ""
    busy: bool = False
    users: list[tuple[int, str, str]] = field(default_factory=list)  # (person id, name, title)

    @property
    def inpatient(self) -> bool:
        return self.care_type in (CareType.INPATIENT_SOMATIC, CareType.INPATIENT_PSYCHIATRIC)

    @property
    def role(self) -> PartyRole:
        if self.inpatient:
            return PartyRole.INPATIENT
        if self.care_type in (CareType.PRIMARY_CARE, CareType.OUTPATIENT_PSYCHIATRY):
            return PartyRole.PRIMARY_CARE
        return PartyRole.MUNICIPALITY


@dataclass
class Directory:
    region: Organisation
    units: dict[int, UnitInfo]
    wards: dict[str, list[UnitInfo]]  # hospital key -> its wards
    hospitals_for_area: dict[tuple[str, bool], list[str]]  # (area, psychiatric) -> hospitals
    social_services: dict[str, UnitInfo]  # area ("0184", "0180/Södermalm") -> unit
    health_care: dict[str, UnitInfo]  # municipality code -> municipal health care unit
    primary_care: dict[str, list[UnitInfo]]  # area -> vårdcentraler
    psychiatry_outpatient: dict[str, UnitInfo]  # psychiatric hospital key -> its clinic
    busy_wards: list[UnitInfo]
    persons: int = 0
    commissions: int = 0

    @classmethod
    def empty(cls, region: Organisation) -> Self:
        return cls(
            region=region,
            units={},
            wards={},
            hospitals_for_area={},
            social_services={},
            health_care={},
            primary_care={},
            psychiatry_outpatient={},
            busy_wards=[],
        )

    def add(self, info: UnitInfo) -> None:
        """A unit that takes part in cases; a ward also under its hospital (and busy wards)."""
        self.units[info.pk] = info
        if info.hospital:
            self.wards.setdefault(info.hospital, []).append(info)
            if info.busy:
                self.busy_wards.append(info)


def area_of(code: str, district: str) -> str:
    return f"{code}/{district}" if code == "0180" else code


def ordinary_wards(
    hospital: Hospital, specialties: list[str], rng: random.Random
) -> list[tuple[str, str]]:
    """Name and care type of a hospital's wards besides its busy ones (shuffles specialties)."""
    rng.shuffle(specialties)
    wards: list[tuple[str, str]] = []
    for number in range(hospital.wards - len(hospital.busy)):
        ward_no = 10 + number * 7 % 80 + (number // 11)
        if hospital.psychiatric:
            wards.append((f"{hospital.short}, avdelning {ward_no}", CareType.INPATIENT_PSYCHIATRIC))
        else:
            specialty = specialties[number % len(specialties)]
            wards.append((f"{hospital.short}, {specialty} {ward_no}", CareType.INPATIENT_SOMATIC))
    return wards


def build_directory(rng: random.Random, ids: IdentityNumbers, since: dt.date) -> Directory:
    """Organisations, units, persons and commissions, with bulk_create (a few thousand rows)."""
    orgs = [
        Organisation(
            name="Region Stockholm", org_number=REGION_ORG_NUMBER, kind=OrganisationKind.REGION
        )
    ]
    orgs += [
        Organisation(name=name, org_number=with_luhn(number), kind=OrganisationKind.PRIVATE)
        for _key, name, number in PRIVATE_PROVIDERS
    ]
    orgs += [
        Organisation(
            name=name,
            org_number=municipality_org_number(code),
            kind=OrganisationKind.MUNICIPALITY,
            municipality_code=code,
        )
        for code, _key, name in MUNICIPALITIES
    ]
    orgs = Organisation.objects.bulk_create(orgs)
    region = orgs[0]
    private = {key: org for (key, _n, _o), org in zip(PRIVATE_PROVIDERS, orgs[1:4], strict=True)}
    municipal = {org.municipality_code: org for org in orgs[4:]}

    serials: dict[int, itertools.count[int]] = {}
    specs: list[dict[str, Any]] = []  # unit fields plus bookkeeping, parents before children

    def unit(
        org: Organisation,
        name: str,
        care_type: str,
        code: str,
        district: str = "",
        parent: int | None = None,
        **extra: Any,
    ) -> int:
        counter = serials.setdefault(org.pk, itertools.count(1001))
        specs.append(
            {
                "fields": {
                    "hsa_id": f"SE{org.org_number}-E{next(counter)}",
                    "name": name,
                    "organisation": org,
                    "care_type": care_type,
                    "municipality_code": code,
                    "district": district,
                    "valid_from": since,
                },
                "parent": parent,
                **extra,
            }
        )
        return len(specs) - 1

    unit(
        region,
        "Region Stockholm, Hälso- och sjukvårdsförvaltningen",
        CareType.ADMINISTRATION,
        "0180",
    )
    unit(region, "Brygga central förvaltning", CareType.ADMINISTRATION, "0180")
    specialties = list(SOMATIC_SPECIALTIES)
    for hospital in HOSPITALS:
        top = unit(region, hospital.name, "", hospital.municipality_code, hospital.district)
        for busy_name in hospital.busy:
            unit(
                region,
                busy_name,
                CareType.INPATIENT_SOMATIC,
                hospital.municipality_code,
                hospital.district,
                parent=top,
                hospital=hospital.key,
                busy=True,
            )
        for name, care_type in ordinary_wards(hospital, specialties, rng):
            unit(
                region,
                name,
                care_type,
                hospital.municipality_code,
                hospital.district,
                parent=top,
                hospital=hospital.key,
            )
        if hospital.psychiatric:
            unit(
                region,
                f"{hospital.short}, Psykiatrisk öppenvårdsmottagning",
                CareType.OUTPATIENT_PSYCHIATRY,
                hospital.municipality_code,
                hospital.district,
                parent=top,
                clinic_of=hospital.key,
            )
    # Primary care: about one vårdcentral per 20 000 inhabitants, some run privately.
    providers = [region, region, region, *private.values()]
    areas: list[tuple[str, str, int]] = []  # (code, district, population)
    for code, population in POPULATION.items():
        if code == "0180":
            areas += [(code, d, n) for d, n in STOCKHOLM_DISTRICTS.items()]
        else:
            areas.append((code, "", population))
    for code, district, population in areas:
        place = district or TOWNS[code][0]
        for number in range(max(1, round(population / 20))):
            owner = providers[(len(specs) + number) % len(providers)]
            kind = "Vårdcentral" if owner is region else "Husläkarmottagning"
            unit(
                owner,
                f"{kind} {place} {VC_SUFFIXES[number % len(VC_SUFFIXES)]}",
                CareType.PRIMARY_CARE,
                code,
                district,
                vc_area=area_of(code, district),
            )
    # Municipalities: social services (Stockholm by district) and municipal health care.
    for code, _key, name in MUNICIPALITIES:
        org = municipal[code]
        if code == "0180":
            for district in STOCKHOLM_DISTRICTS:
                unit(
                    org,
                    f"Stockholms stad, {district} stadsdelsförvaltning",
                    CareType.SOCIAL_SERVICES,
                    code,
                    district,
                    soc_area=area_of(code, district),
                )
        else:
            unit(
                org,
                f"{name}, Socialtjänsten – biståndshandläggning",
                CareType.SOCIAL_SERVICES,
                code,
                soc_area=code,
            )
        if code != "0180":  # Stockholm city's home health care is run by the region
            unit(
                org,
                f"{name}, Kommunal hälso- och sjukvård",
                CareType.MUNICIPAL_HEALTH_CARE,
                code,
                hsl_of=code,
            )
    unit(
        municipal["0184"],
        "Solna stad, Omvårdnadsförvaltningen – administration",
        CareType.ADMINISTRATION,
        "0184",
    )

    saved: list[Unit] = []
    for level in (False, True):  # parents first, so the children can point at saved rows
        batch = [(i, s) for i, s in enumerate(specs) if (s["parent"] is not None) == level]
        rows = []
        for index, spec in batch:
            fields = dict(spec["fields"])
            parent = spec["parent"]
            rows.append(
                Unit(
                    **fields,
                    parent=specs[parent]["row"] if parent is not None else None,
                    phone=phone(index * 2),
                    fax=phone(index * 2 + 1),
                    functional_mailbox=f"utskrivning.e{index}@{EXAMPLE_DOMAIN}",
                )
            )
        for (_index, spec), row in zip(batch, Unit.objects.bulk_create(rows), strict=True):
            spec["row"] = row
            saved.append(row)

    directory = Directory.empty(region)
    for spec in specs:
        row = spec["row"]
        info = UnitInfo(
            pk=row.pk,
            name=row.name,
            care_type=row.care_type,
            municipality_code=row.municipality_code,
            district=row.district,
            phone=row.phone,
            hospital=spec.get("hospital", ""),
            busy=spec.get("busy", False),
        )
        directory.add(info)
        if "soc_area" in spec:
            directory.social_services[spec["soc_area"]] = info
        if "hsl_of" in spec:
            directory.health_care[spec["hsl_of"]] = info
        if "vc_area" in spec:
            directory.primary_care.setdefault(spec["vc_area"], []).append(info)
        if "clinic_of" in spec:
            directory.psychiatry_outpatient[spec["clinic_of"]] = info
    for hospital in HOSPITALS:
        for area in hospital.catchment:
            key = (area, hospital.psychiatric)
            directory.hospitals_for_area.setdefault(key, []).append(hospital.key)
    _write_staff(directory, saved, rng, ids, since)
    return directory


STAFF_TITLES = {
    CareType.INPATIENT_SOMATIC: ("Sjuksköterska", "Undersköterska", "Läkare", "Arbetsterapeut"),
    CareType.INPATIENT_PSYCHIATRIC: ("Sjuksköterska", "Skötare", "Läkare", "Kurator"),
    CareType.PRIMARY_CARE: ("Distriktssköterska", "Läkare", "Sjuksköterska"),
    CareType.OUTPATIENT_PSYCHIATRY: ("Sjuksköterska", "Kurator", "Läkare"),
    CareType.SOCIAL_SERVICES: ("Biståndshandläggare",),
    CareType.MUNICIPAL_HEALTH_CARE: ("Sjuksköterska", "Medicinskt ansvarig sjuksköterska"),
    CareType.ADMINISTRATION: ("EK-administratör",),
}


class StaffMember(NamedTuple):
    female: bool
    given: str
    family: str
    born: dt.date
    role: str
    title: str


def staff_member(rng: random.Random, care_type: str, number: int, size: int) -> StaffMember:
    """The ``number``th of a unit's ``size + 1`` staff; the last one is the unit's manager."""
    female = rng.random() < 0.75
    given = rng.choice(FEMALE_NAMES if female else MALE_NAMES)
    family = rng.choice(FAMILY_NAMES)
    born = dt.date(1960, 1, 1) + dt.timedelta(days=rng.randrange(40 * 365))
    manager = number == size
    if care_type == CareType.ADMINISTRATION:
        role: str = Role.EK_ADMIN if manager else Role.CENTRAL_ADMIN
        title = "EK-administratör" if manager else "Förvaltningsledare"
    else:
        titles = STAFF_TITLES[CareType(care_type)]
        role = Role.MANAGER if manager else Role.USER
        title = "Enhetschef" if manager else titles[number % len(titles)]
    return StaffMember(female, given, family, born, role, title)


def _staff_size(info: UnitInfo, rng: random.Random) -> int:
    if info.care_type == CareType.SOCIAL_SERVICES:
        population = (
            STOCKHOLM_DISTRICTS[info.district]
            if info.municipality_code == "0180"
            else POPULATION[info.municipality_code]
        )
        return 3 + population // 10
    if info.inpatient:
        return rng.randint(6, 10) + (8 if info.busy else 0)
    return rng.randint(2, 5)


def _write_staff(
    directory: Directory,
    units: list[Unit],
    rng: random.Random,
    ids: IdentityNumbers,
    since: dt.date,
) -> None:
    persons: list[Person] = []
    grants: list[tuple[int, Unit, str]] = []  # (person index, unit, role)
    serials: dict[int, itertools.count[int]] = {}
    for row in units:
        if not row.care_type:
            continue
        size = (
            1
            if row.care_type == CareType.ADMINISTRATION
            else _staff_size(directory.units[row.pk], rng)
        )
        org = row.organisation
        counter = serials.setdefault(org.pk, itertools.count(10001))
        for number in range(size + 1):
            member = staff_member(rng, row.care_type, number, size)
            given, family = member.given, member.family
            person = Person(
                hsa_id=f"SE{org.org_number}-P{next(counter)}",
                personnummer=ids.person(member.born, female=member.female),
                given_name=given,
                family_name=family,
                title=member.title,
                email=f"{slug(given)}.{slug(family)}.{len(persons)}@{EXAMPLE_DOMAIN}",
            )
            person.set_unusable_password()
            grants.append((len(persons), row, member.role))
            persons.append(person)
    saved = Person.objects.bulk_create(persons, batch_size=2000)
    commissions = []
    for index, row, role in grants:
        person = saved[index]
        commissions.append(
            Commission(
                person=person,
                unit=row,
                role=role,
                purpose="Vård och behandling"
                if role in (Role.USER, Role.MANAGER)
                else "Administration",
                valid_from=since,
            )
        )
        if role == Role.USER:
            directory.units[row.pk].users.append((person.pk, person.full_name, person.title))
    # A few people also work at a second unit of the same kind.
    users = [(i, row) for i, row, role in grants if role == Role.USER]
    for index, row in rng.sample(users, len(users) // 20):
        others = [u for u in units if u.care_type == row.care_type and u.pk != row.pk]
        second = rng.choice(others)
        commissions.append(
            Commission(person=saved[index], unit=second, role=Role.USER, valid_from=since)
        )
        directory.units[second.pk].users.append(
            (saved[index].pk, saved[index].full_name, saved[index].title)
        )
    Commission.objects.bulk_create(commissions, batch_size=2000)
    directory.persons = len(saved)
    directory.commissions = len(commissions)


# --- Patients ------------------------------------------------------------------------------------


@dataclass
class PatientInfo:
    pk: int
    name: str
    area: str  # "" when the municipality is unknown
    municipality_code: str
    district: str
    listed: UnitInfo | None
    home_care: bool  # already has municipal home health care
    psychiatric: bool  # this patient's stays are psychiatric


class PatientWriter:
    def __init__(self, directory: Directory, rng: random.Random, ids: IdentityNumbers) -> None:
        self.directory = directory
        self.rng = rng
        self.ids = ids
        self.table = CopyTable(
            Patient,
            (
                "id", "identity_number", "identity_kind", "given_name", "family_name",
                "street_address", "postal_code", "city", "municipality_code", "district",
                "listed_unit_id", "protected_identity", "created_at", "updated_at",
            ),
        )  # fmt: skip
        self.areas: list[str] = []
        weights: list[float] = []
        for code, population in POPULATION.items():
            if code == "0180":
                for district, inhabitants in STOCKHOLM_DISTRICTS.items():
                    self.areas.append(f"0180/{district}")
                    weights.append(inhabitants * population / sum(STOCKHOLM_DISTRICTS.values()))
            else:
                self.areas.append(code)
                weights.append(population)
        self.cumulative = list(itertools.accumulate(weights))
        self.towns: dict[str, tuple[str, str]] = TOWNS  # code -> (town, postal-code prefix)

    def personnummer(self, born: dt.date, *, female: bool) -> str | None:
        """A free test personnummer; None would mean a samordningsnummer instead."""
        return self.ids.person(born, female=female)

    def make(self, now: dt.datetime) -> PatientInfo:
        rng = self.rng
        female = rng.random() < 0.53
        elderly = rng.random() < 0.72
        age = min(103, max(65, int(rng.gauss(81, 8)))) if elderly else rng.randint(18, 64)
        born = now.date() - dt.timedelta(days=age * 365 + rng.randrange(365))
        roll = rng.random()
        personnummer = self.personnummer(born, female=female) if roll < 0.975 else None
        if personnummer is not None:
            kind, number = IdentityKind.PERSONNUMMER, personnummer
        elif roll < 0.99:  # also when no personnummer is left near the birth day
            kind = IdentityKind.SAMORDNINGSNUMMER
            number = self.ids.person(born, female=female, samordning=True)
        else:
            kind = IdentityKind.RESERVNUMMER_SLL
            number = self.ids.reserve(now.year - rng.randrange(3))
        given = rng.choice(FEMALE_NAMES if female else MALE_NAMES)
        family = rng.choice(FAMILY_NAMES)
        unknown = kind == IdentityKind.RESERVNUMMER_SLL and rng.random() < 0.25
        area = "" if unknown else rng.choices(self.areas, cum_weights=self.cumulative)[0]
        code, _, district = area.partition("/")
        listed = None
        if area and kind != IdentityKind.RESERVNUMMER_SLL and rng.random() < 0.92:
            listed = rng.choice(self.directory.primary_care[area])
        street = postal = city = ""
        if area:
            city, prefix = self.towns[code]
            street = f"{rng.choice(STREETS)} {rng.randint(1, 140)}"
            digits = f"{prefix}{rng.randrange(10 ** (5 - len(prefix))):0{5 - len(prefix)}d}"
            postal = f"{digits[:3]} {digits[3:]}"
        pk = self.table.take_id()
        registered = now - YEAR - dt.timedelta(days=rng.randrange(2000))
        self.table.add(
            str(pk), number, kind, text(given), text(family), text(street), postal, text(city),
            code, text(district), ref(listed.pk if listed else None),
            flag(rng.random() < 0.004), ts(registered), ts(registered),
        )  # fmt: skip
        return PatientInfo(
            pk=pk,
            name=f"{given} {family}",
            area=area,
            municipality_code=code,
            district=district,
            listed=listed,
            home_care=elderly and rng.random() < 0.15,
            psychiatric=rng.random() < (0.03 if elderly else 0.4),
        )


# --- Cases ---------------------------------------------------------------------------------------


@dataclass
class Party:
    unit: UnitInfo
    role: PartyRole
    joined_at: dt.datetime
    active: bool = True
    left_at: dt.datetime | None = None
    left_reason: str = ""


@dataclass
class Recipient:
    unit: UnitInfo
    event_id: int
    acknowledged_at: dt.datetime | None = None
    acknowledged_by: int | None = None


@dataclass
class EventRow:
    pk: int
    type: str
    recorded_at: dt.datetime
    effective_at: dt.datetime
    author: tuple[int, str, str]
    unit: UnitInfo
    payload: dict[str, Any]
    text: str
    retracted_at: dt.datetime | None = None
    retracted_by: int | None = None
    retraction_reason: str = ""


@dataclass(order=True)
class Step:
    at: dt.datetime
    seq: int
    kind: str = field(compare=False)
    data: Any = field(default=None, compare=False)


class Replay:
    """One case, replayed step by step in time order as the actions would have recorded it."""

    def __init__(self, gen: CaseGenerator, case: Case, patient: PatientInfo) -> None:
        self.gen = gen
        self.case = case
        self.patient = patient
        self.parties: list[Party] = []
        self.events: list[EventRow] = []
        self.recipients: list[Recipient] = []
        self.pending: dict[int, list[Recipient]] = {}  # unit pk -> unread notices
        self.reading: set[int] = set()  # units with a reading planned
        self.steps: list[Step] = []
        self.seq = itertools.count()

    # Scheduling.

    def at(self, moment: dt.datetime, kind: str, data: Any = None) -> None:
        if moment <= self.gen.now:
            heapq.heappush(self.steps, Step(moment, next(self.seq), kind, data))

    def run(self) -> None:
        while self.steps:
            step = heapq.heappop(self.steps)
            getattr(self, f"step_{step.kind}")(step.at, step.data)

    # The parties.

    def active(self, role: PartyRole) -> Party | None:
        return next((x for x in self.parties if x.active and x.role == role), None)

    def join(self, unit: UnitInfo, moment: dt.datetime) -> None:
        self.parties.append(Party(unit, unit.role, moment))

    def leave(self, unit: UnitInfo, moment: dt.datetime, reason: str) -> None:
        for party in self.parties:
            if party.unit is unit and party.active:
                party.active, party.left_at, party.left_reason = False, moment, reason

    # Recording.

    def record(
        self,
        unit: UnitInfo,
        event_type: E,
        payload: p.Payload,
        moment: dt.datetime,
        *,
        text: str = "",
        effective_at: dt.datetime | None = None,
    ) -> EventRow:
        case = self.case
        role = next((x.role for x in self.parties if x.unit is unit and x.active), None)
        refusal = check_allowed(event_type, facts_of(case), role)
        if refusal is not None:
            raise AssertionError(f"{event_type} by {unit.name} at {moment}: {refusal}")
        transition = TRANSITIONS[event_type]
        recipients = [x.unit for x in self.parties if x.active and x.unit is not unit]
        event = self._event(unit, event_type, payload, moment, text, effective_at)
        if event_type not in (E.REJECTED, E.TRANSFERRED):  # these two only move parties
            APPLY[event_type](case, event, payload, None, moment)  # type: ignore[arg-type]
        if transition.next_state is not None:
            case.state = transition.next_state
        if transition.changes_state:
            case.version += 1
        case.last_event_at = moment
        if transition.notice:
            self.notify(event, recipients, moment)
        return event

    def _event(
        self,
        unit: UnitInfo,
        event_type: E,
        payload: p.Payload,
        moment: dt.datetime,
        text: str,
        effective_at: dt.datetime | None,
    ) -> EventRow:
        event = EventRow(
            pk=self.gen.events.take_id(),
            type=event_type,
            recorded_at=moment,
            effective_at=effective_at or moment,
            author=self.gen.rng.choice(unit.users),
            unit=unit,
            payload=payload.as_json(),
            text=text.strip(),
        )
        self.events.append(event)
        return event

    def notify(self, event: EventRow, units: Iterable[UnitInfo], moment: dt.datetime) -> None:
        for unit in units:
            recipient = Recipient(unit, event.pk)
            self.recipients.append(recipient)
            self.pending.setdefault(unit.pk, []).append(recipient)
            self.plan_reading(unit, moment)

    def plan_reading(self, unit: UnitInfo, moment: dt.datetime) -> None:
        if unit.pk in self.reading or self.gen.rng.random() < 0.01:  # now and then forgotten
            return
        self.reading.add(unit.pk)
        self.at(reading_time(unit, moment, self.gen.rng), "read", unit)

    def step_read(self, moment: dt.datetime, unit: UnitInfo) -> None:
        """acknowledge_all: the unit reads everything that has reached it in the case."""
        self.reading.discard(unit.pk)
        reader = self.gen.rng.choice(unit.users)[0]
        for recipient in self.pending.pop(unit.pk, []):
            recipient.acknowledged_at, recipient.acknowledged_by = moment, reader

    def forward_history(self, unit: UnitInfo, moment: dt.datetime) -> None:
        """A new party gets the notices sent so far, to read and acknowledge."""
        skip = (E.CASE_OPENED, E.REJECTED, E.TRANSFERRED)
        history = [
            e
            for e in self.events
            if e.retracted_at is None and e.type not in skip and e.unit is not unit
        ]
        self.notify_each(history, unit, moment)

    def notify_each(self, events: list[EventRow], unit: UnitInfo, moment: dt.datetime) -> None:
        for event in events:
            recipient = Recipient(unit, event.pk)
            self.recipients.append(recipient)
            self.pending.setdefault(unit.pk, []).append(recipient)
        if events:
            self.plan_reading(unit, moment)

    def in_office(self, moment: dt.datetime, kind: str, data: Any = None) -> bool:
        """True if the step may run now; otherwise it moves to the next office hour."""
        adjusted = office_time(moment, self.gen.rng)
        if adjusted == moment:
            return True
        self.at(adjusted, kind, data)
        return False

    # Steps shared by stays and SIP cases.

    def step_message(self, moment: dt.datetime, role: PartyRole) -> None:
        party = self.active(role) or self.active(PartyRole.INPATIENT) or self.parties[0]
        if not self.case.is_open or not party.active:
            return
        if party.role != PartyRole.INPATIENT and not self.in_office(moment, "message", role):
            return
        rng = self.gen.rng
        event = self.record(
            party.unit, E.MESSAGE, p.Empty(), moment, text=rng.choice(MESSAGES[party.role])
        )
        if rng.random() < 0.015:  # sent in the wrong case: made void (makulerat) soon after
            self.at(moment + dt.timedelta(minutes=rng.randint(5, 90)), "retract", event)

    def step_retract(self, moment: dt.datetime, event: EventRow) -> None:
        if not self.case.is_open:
            return
        event.retracted_at = moment
        event.retracted_by = self.gen.rng.choice(event.unit.users)[0]
        event.retraction_reason = "Meddelandet skrevs i fel ärende."
        self.case.last_event_at = moment

    def step_fvk(self, moment: dt.datetime, _data: Any) -> None:
        """The outpatient unit's head appoints the fast vårdkontakt (office hours)."""
        party = self.active(PartyRole.PRIMARY_CARE)
        if party is None or not self.in_office(moment, "fvk"):
            return
        if self.case.state not in (CaseState.PLANNING, CaseState.READY, CaseState.SIP_ONGOING):
            return
        _pk, name, title = party.unit.users[0]
        payload = p.FastVardkontakt(name=name, title=title, phone=party.unit.phone)
        self.record(party.unit, E.FAST_VARDKONTAKT, payload, moment)

    def sip_caller(self) -> Party | None:
        return self.active(PartyRole.PRIMARY_CARE) or self.active(PartyRole.MUNICIPALITY)

    def step_sip_called(self, moment: dt.datetime, _data: Any) -> None:
        caller = self.sip_caller()
        if caller is None or not self._open_at(moment) or not self.in_office(moment, "sip_called"):
            return
        if self.case.state not in (
            CaseState.PLANNING,
            CaseState.READY,
            CaseState.DISCHARGED,
            CaseState.SIP_ONGOING,
        ):
            return
        rng = self.gen.rng
        meeting = office_time(moment + hours(rng.uniform(20, 96)), rng)
        meeting = meeting.replace(minute=meeting.minute // 15 * 15, second=0, microsecond=0)
        video = rng.random() < 0.5
        participants = [f"{self.patient.name} (patienten)"] + [
            f"{x.unit.users[0][1]}, {x.unit.name}" for x in self.parties if x.active
        ]
        payload = p.SipCalled(
            meeting_at=meeting.astimezone(STOCKHOLM),
            mode=p.MeetingMode.VIDEO if video else p.MeetingMode.IN_PERSON,
            place="Videolänk skickas till deltagarna" if video else caller.unit.name,
            participants=participants,
            patient_participates=True,
            next_of_kin_participates=not video,
            consent_given=True,
            consent_note="Patienten har muntligt samtyckt till SIP och till att anhöriga deltar.",
        )
        self.record(caller.unit, E.SIP_CALLED, payload, moment)
        if rng.random() < 0.9:
            self.at(meeting + hours(1.5), "sip_held", meeting)

    def step_sip_held(self, moment: dt.datetime, meeting: dt.datetime) -> None:
        caller = self.sip_caller()
        if caller is None or not self._open_at(moment) or self.case.sip_called_at is None:
            return
        if self.case.state not in (
            CaseState.PLANNING,
            CaseState.READY,
            CaseState.DISCHARGED,
            CaseState.SIP_ONGOING,
        ):
            return
        contact = self.case.fast_vardkontakt.split(",")[0] or "ej utsedd"
        follow_up = local_day(meeting) + dt.timedelta(days=28)
        payload = p.SipHeld(
            held_at=meeting.astimezone(STOCKHOLM),
            plan_summary=SIP_PLAN.format(contact=contact),
            follow_up_on=follow_up,
        )
        self.record(caller.unit, E.SIP_HELD, payload, moment)
        if self.gen.rng.random() < 0.6:
            self.at(local_at(follow_up, 10, 0) + hours(self.gen.rng.uniform(0, 5)), "sip_follow")

    def step_sip_follow(self, moment: dt.datetime, _data: Any) -> None:
        caller = self.sip_caller()
        if caller is None or self.case.state not in (CaseState.DISCHARGED, CaseState.SIP_ONGOING):
            return
        if not self._open_at(moment):
            return
        summary = "Insatserna fungerar enligt planen. Ingen ytterligare samordning behövs."
        self.record(caller.unit, E.SIP_FOLLOWED_UP, p.SipFollowedUp(summary), moment)

    def _open_at(self, moment: dt.datetime) -> bool:
        closes = self.closes_at
        return self.case.is_open and (closes is None or moment < closes)

    closes_at: dt.datetime | None = None


class StayReplay(Replay):
    """An inpatient stay: opened by a ward, from admission to closing (or still open)."""

    def step_open(self, moment: dt.datetime, recipients: list[UnitInfo]) -> None:
        case, ward = self.case, self.ward
        self.join(ward, moment)
        for unit in recipients:
            self.join(unit, moment)
        # open_case writes the opening event and notifies nobody (the admission notice does).
        self._event(ward, E.CASE_OPENED, p.Empty(), moment, "", None)
        case.last_event_at = moment

    def step_notice(self, moment: dt.datetime, data: tuple[dt.date, dt.datetime | None]) -> None:
        expected, effective_at = data
        if self.case.state != CaseState.ADMITTED:
            return
        ward = self.ward_now()
        if ward.care_type == CareType.INPATIENT_PSYCHIATRIC:
            text = PSYCHIATRIC_TEXTS[int(self.case.compulsory_care) * (1 + self.case.pk % 2)]
        else:
            text = ADMISSION_TEXTS[self.case.pk % len(ADMISSION_TEXTS)]
        if effective_at is not None:
            text += (
                " Skickat per fax enligt reservrutinen under driftstörningen och "
                "efterregistrerat i Brygga."
            )
        payload = p.AdmissionNotice(expected)
        self.record(ward, E.ADMISSION_NOTICE, payload, moment, text=text, effective_at=effective_at)

    def ward_now(self) -> UnitInfo:
        party = self.active(PartyRole.INPATIENT)
        assert party is not None
        return party.unit

    def step_planning(self, moment: dt.datetime, _data: Any) -> None:
        if self.case.state not in (CaseState.PLANNING, CaseState.READY, CaseState.DISCHARGED):
            return
        ward = self.ward_now()
        if ward.care_type == CareType.INPATIENT_PSYCHIATRIC:
            template = PSYCHIATRIC_PLANNING
        else:
            template = PLANNING[self.case.pk % len(PLANNING)]
        contact = f"Kontaktsjuksköterska, {ward.name}, {ward.phone}"
        payload = p.PlanningInformation(
            **{**template.as_json(), "ward_contact": contact}  # type: ignore[arg-type]
        )
        self.record(ward, E.PLANNING_INFORMATION, payload, moment)

    def step_date(self, moment: dt.datetime, data: tuple[int, float]) -> None:
        days, decided_before = data
        case = self.case
        if case.state not in (CaseState.PLANNING, CaseState.READY):
            return
        previous = case.expected_discharge_on
        base = previous or local_day(moment)
        payload = p.ExpectedDateChanged(
            expected_discharge_on=base + dt.timedelta(days=days),
            previous=previous,
            decided_at=(moment - hours(decided_before)).astimezone(STOCKHOLM),
        )
        text = "Fortsatt behov av slutenvård; beräknad utskrivning flyttas."
        self.record(self.ward_now(), E.EXPECTED_DATE_CHANGED, payload, moment, text=text)

    def step_ready(self, moment: dt.datetime, _data: Any) -> None:
        if self.case.state != CaseState.PLANNING:
            return
        payload = p.Ready(
            doctor=f"{self.gen.rng.choice(DOCTORS)}, överläkare",
            decided_at=(moment - dt.timedelta(minutes=40)).astimezone(STOCKHOLM),
            sip_needed=self.sip_needed,
        )
        text = "Patienten är utskrivningsklar enligt ansvarig läkare."
        self.record(self.ward_now(), E.READY, payload, moment, text=text)

    def step_withdraw(self, moment: dt.datetime, _data: Any) -> None:
        if self.case.state != CaseState.READY:
            return
        payload = p.ReadyWithdrawn(self.gen.rng.choice(WITHDRAW_REASONS))
        self.record(self.ward_now(), E.READY_WITHDRAWN, payload, moment)

    def step_leave(self, moment: dt.datetime, back_after: float) -> None:
        case = self.case
        if case.state not in (CaseState.PLANNING, CaseState.READY) or case.on_leave:
            return
        payload = p.LeaveStarted(
            starts_at=moment.astimezone(STOCKHOLM),
            expected_return_at=(moment + hours(48)).astimezone(STOCKHOLM),
        )
        text = "Permission över helgen hos anhöriga."
        self.record(self.ward_now(), E.LEAVE_STARTED, payload, moment, text=text)
        self.at(moment + hours(back_after), "leave_end")

    def step_leave_end(self, moment: dt.datetime, _data: Any) -> None:
        case = self.case
        if case.state not in (CaseState.PLANNING, CaseState.READY) or not case.on_leave:
            return
        payload = p.LeaveEnded(ended_at=moment.astimezone(STOCKHOLM))
        self.record(self.ward_now(), E.LEAVE_ENDED, payload, moment)

    def step_reject(self, moment: dt.datetime, right: UnitInfo) -> None:
        """The wrongly addressed municipality reads the notice and passes the case on."""
        wrong = self.active(PartyRole.MUNICIPALITY)
        if wrong is None or self.case.state not in (CaseState.PLANNING, CaseState.READY):
            return
        self.step_read(moment, wrong.unit)  # acknowledge_all, then the rejection
        payload = p.Rejected(
            reason=p.RejectionReason.NOT_RESIDENT,
            correct_municipality_code=self.patient.municipality_code,
            correct_district=self.patient.district,
        )
        text = "Patienten är inte folkbokförd hos oss enligt folkbokföringen."
        self.record(wrong.unit, E.REJECTED, payload, moment, text=text)
        self.leave(wrong.unit, moment, "rejected")
        self.join(right, moment)
        self.forward_history(right, moment)

    def step_transfer(self, moment: dt.datetime, target: UnitInfo) -> None:
        if self.case.state not in (CaseState.ADMITTED, CaseState.PLANNING, CaseState.READY):
            return
        ward = self.ward_now()
        payload = p.Transferred(to_unit_id=target.pk, to_unit_name=target.name)
        text = "Flyttad för fortsatt vård."
        self.record(ward, E.TRANSFERRED, payload, moment, text=text)
        self.leave(ward, moment, "transferred")
        self.join(target, moment)
        self.forward_history(target, moment)

    def step_discharge(self, moment: dt.datetime, destination: str) -> None:
        if self.case.state not in (CaseState.PLANNING, CaseState.READY):
            return
        payload = p.DischargeNotice(discharged_at=moment, destination=destination)
        text = DISCHARGE_TEXTS.get(Destination(destination), "")
        self.record(self.ward_now(), E.DISCHARGE_NOTICE, payload, moment, text=text)

    def step_cancel(self, moment: dt.datetime, reason: str) -> None:
        if self.case.state not in (CaseState.ADMITTED, CaseState.PLANNING, CaseState.READY):
            return
        self.record(self.ward_now(), E.CANCELLED, p.Cancelled(reason), moment, text=reason)

    def step_close(self, moment: dt.datetime, _data: Any) -> None:
        if self.case.state != CaseState.DISCHARGED:
            return
        self.record(self.ward_now(), E.CLOSED, p.Empty(), moment)

    ward: UnitInfo
    sip_needed: bool = False


class SipReplay(Replay):
    """A SIP outside a hospital stay, started by primary care or social services."""

    def step_open(self, moment: dt.datetime, data: tuple[UnitInfo, list[UnitInfo]]) -> None:
        starter, recipients = data
        self.join(starter, moment)
        for unit in recipients:
            self.join(unit, moment)
        event = self._event(
            starter, E.CASE_OPENED, p.Empty(), moment, self.gen.rng.choice(SIP_TEXTS), None
        )
        self.case.last_event_at = moment
        self.notify(event, recipients, moment)

    def step_close(self, moment: dt.datetime, cancel: bool) -> None:
        if self.case.state != CaseState.SIP_ONGOING:
            return
        starter = self.parties[0].unit
        if cancel:
            reason = "Patienten tackade nej till samordning."
            self.record(starter, E.CANCELLED, p.Cancelled(reason), moment, text=reason)
        else:
            self.record(starter, E.CLOSED, p.Empty(), moment)


@dataclass
class Counts:
    patients: int = 0
    cases: int = 0
    open_cases: int = 0
    parties: int = 0
    events: int = 0
    recipients: int = 0
    acknowledged: int = 0
    by_state: dict[str, int] = field(default_factory=dict)


class CaseGenerator:
    """Plans each patient's stays over the year and writes them through COPY."""

    def __init__(
        self, directory: Directory, rng: random.Random, now: dt.datetime, target_cases: int
    ) -> None:
        self.directory = directory
        self.rng = rng
        self.now = now
        self.start = now - YEAR
        self.target = target_cases
        self.counts = Counts()
        self.cases = CopyTable(
            Case,
            (
                "id", "kind", "patient_id", "state", "care_kind", "compulsory_care",
                "admitted_at", "assessed_at", "expected_discharge_on", "admission_notice_at",
                "ready_at", "sip_needed", "sip_called_at", "fast_vardkontakt",
                "fast_vardkontakt_at", "planning_information_at", "on_leave", "discharged_at",
                "destination", "closed_at", "cancel_reason", "created_at", "last_event_at",
                "version",
            ),
        )  # fmt: skip
        self.parties = CopyTable(
            CaseParty,
            ("id", "case_id", "unit_id", "role", "active", "joined_at", "left_at", "left_reason"),
        )
        self.events = CopyTable(
            CaseEvent,
            (
                "id", "case_id", "type", "recorded_at", "effective_at", "author_id",
                "author_unit_id", "author_name", "payload", "text", "idempotency_key",
                "retracted_at", "retracted_by_id", "retraction_reason", "back_registered",
            ),
        )  # fmt: skip
        self.recipients = CopyTable(
            NoticeRecipient, ("id", "event_id", "unit_id", "acknowledged_at", "acknowledged_by_id")
        )
        somatic = [w for ws in directory.wards.values() for w in ws if not w.busy]
        self.somatic_wards = [w for w in somatic if w.care_type == CareType.INPATIENT_SOMATIC]
        self.social_by_code: dict[str, list[UnitInfo]] = {}
        for area, unit in directory.social_services.items():
            self.social_by_code.setdefault(area.partition("/")[0], []).append(unit)

    # Planning one patient's year.

    def patient_year(self, patient: PatientInfo) -> None:
        rng = self.rng
        stays = rng.choices((1, 1, 1, 2, 2, 3, 4), k=1)[0]
        moments = sorted(self.start + YEAR * rng.random() for _ in range(stays))
        earliest = self.start
        for admitted in moments:
            if self.counts.cases >= self.target:
                return
            admitted = max(admitted, earliest)
            if admitted >= self.now:
                return
            if rng.random() < 0.025:
                replay: Replay = self.plan_sip(patient, admitted)
            else:
                replay = self.plan_stay(patient, admitted)
            replay.run()
            self.write(replay)
            closed = replay.case.closed_at
            if closed is None:
                return  # still open: no new stay for this patient until it is closed
            earliest = closed + dt.timedelta(days=rng.uniform(0.2, 20))

    def _ward_for(self, patient: PatientInfo) -> UnitInfo:
        rng, directory = self.rng, self.directory
        psychiatric = patient.psychiatric
        if not psychiatric and self._near_busy_wards(patient):
            roll = rng.random()
            if roll < 0.05:
                return directory.busy_wards[0]
            if roll < 0.085:
                return directory.busy_wards[-1]
        hospitals = directory.hospitals_for_area.get((patient.area, psychiatric))
        if not hospitals or rng.random() < 0.07:
            hospitals = self._other_hospitals(patient)
        wards = [w for w in directory.wards[rng.choice(hospitals)] if not w.busy]
        return rng.choice(wards)

    def _near_busy_wards(self, patient: PatientInfo) -> bool:
        """Whether a somatic stay may be at one of the busy wards (a few percent are)."""
        return True

    def _other_hospitals(self, patient: PatientInfo) -> list[str]:
        """Where the stays outside the patient's own catchment go: any hospital of the kind."""
        return [h.key for h in HOSPITALS if h.psychiatric == patient.psychiatric]

    def _social_services(self, patient: PatientInfo) -> UnitInfo | None:
        return self.directory.social_services.get(patient.area) if patient.area else None

    def plan_stay(self, patient: PatientInfo, admitted: dt.datetime) -> StayReplay:
        rng, now = self.rng, self.now
        ward = self._ward_for(patient)
        psychiatric = ward.care_type == CareType.INPATIENT_PSYCHIATRIC
        local = admitted.astimezone(STOCKHOLM)
        admitted = local_at(
            local.date(),
            rng.choice((1, 6, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22)),
            rng.randrange(60),
            rng.randrange(60),
        )
        assessed = admitted + hours(
            rng.uniform(0.3, 6) if rng.random() < 0.93 else rng.uniform(24, 72)
        )
        case = Case(
            pk=self.cases.take_id(),
            kind=CaseKind.STAY,
            patient_id=patient.pk,
            state=CaseState.ADMITTED,
            care_kind=CareKind.PSYCHIATRIC if psychiatric else CareKind.SOMATIC,
            compulsory_care=psychiatric and rng.random() < 0.3,
            admitted_at=admitted,
            assessed_at=assessed,
            created_at=assessed,
            last_event_at=assessed,
        )
        replay = StayReplay(self, case, patient)
        replay.ward = ward
        # The recipients: the municipality (sometimes the wrong one, from an old address),
        # the listed vårdcentral, outpatient psychiatry, municipal health care.
        social = self._social_services(patient)
        recipients: list[UnitInfo] = []
        right_social = None
        if social is not None:
            if rng.random() < 0.02:
                right_social = social
                others = [
                    u
                    for code, us in self.social_by_code.items()
                    if code != patient.municipality_code
                    for u in us
                ]
                social = rng.choice(others)
            recipients.append(social)
        if patient.listed is not None:
            recipients.append(patient.listed)
        if psychiatric and rng.random() < 0.5:
            recipients.append(self.directory.psychiatry_outpatient[ward.hospital])
        if patient.home_care and patient.municipality_code in self.directory.health_care:
            recipients.append(self.directory.health_care[patient.municipality_code])
        replay.at(assessed, "open", recipients)

        # The course of the stay.
        los_days = rng.lognormvariate(math.log(12 if psychiatric else 4.5), 0.6)
        ready = admitted + dt.timedelta(days=max(0.6, los_days))
        ready = max(ready, assessed + hours(rng.uniform(6, 48)))
        notice = assessed + hours(
            rng.uniform(0.2, 20) if rng.random() < 0.9 else rng.uniform(24, 60)
        )
        notice = max(assessed + dt.timedelta(minutes=5), min(notice, ready - hours(0.5)))
        if admitted > now - dt.timedelta(days=3) and rng.random() < 0.2:
            notice = now + hours(1)  # not sent yet: D1 is due or overdue
        faxed = rng.random() < 0.003
        replay.at(
            notice + hours(5) if faxed else notice,
            "notice",
            (local_day(ready) + dt.timedelta(days=rng.randint(-1, 2)), notice if faxed else None),
        )
        span = ready - notice
        replay.at(notice + span * rng.uniform(0.1, 0.5), "planning")
        if rng.random() < 0.3:
            replay.at(notice + span * rng.uniform(0.5, 0.95), "planning")
        if rng.random() < 0.78:
            replay.at(notice + span * rng.uniform(0.2, 0.9), "fvk")
        for _ in range(rng.choice((0, 0, 0, 1, 1, 2))):
            late = rng.random() < 0.08
            replay.at(
                notice + span * rng.uniform(0.1, 0.9),
                "date",
                (
                    rng.choice((-1, 1, 1, 2, 3)),
                    rng.uniform(30, 40) if late else rng.uniform(0.2, 4),
                ),
            )
        if rng.random() < (0.3 if psychiatric else 0.03):
            replay.at(notice + span * rng.uniform(0.2, 0.7), "leave", rng.uniform(20, 70))
        if right_social is not None:
            read = reading_time(recipients[0], notice, rng)
            replay.at(read + dt.timedelta(minutes=rng.randint(5, 120)), "reject", right_social)
        if not psychiatric and rng.random() < 0.03:
            wards = [w for w in self.directory.wards[ward.hospital] if w is not ward]
            replay.at(notice + span * rng.uniform(0.1, 0.6), "transfer", rng.choice(wards))

        cancelled = rng.random() < 0.07
        if cancelled:
            cancel_at = notice + span * rng.uniform(0.05, 1.2)
            replay.at(cancel_at, "cancel", rng.choice(CANCEL_REASONS))
            replay.closes_at = cancel_at
            end = cancel_at
        else:
            replay.sip_needed = rng.random() < 0.35 and len(recipients) >= 2
            without_ready = rng.random() < 0.03
            if not without_ready:
                replay.at(ready, "ready")
            final_ready = ready
            if rng.random() < 0.05 and not without_ready:
                withdrawn = ready + hours(rng.uniform(6, 48))
                final_ready = withdrawn + hours(rng.uniform(20, 120))
                replay.at(withdrawn, "withdraw")
                replay.at(final_ready, "ready")
            roll = rng.random()
            if roll < 0.55:
                waited = rng.uniform(1, 8)
            elif roll < 0.85:
                waited = rng.uniform(18, 60)
            else:
                waited = rng.uniform(60, 240)
            discharged = final_ready + hours(waited)
            destination = rng.choices(
                (
                    Destination.HOME,
                    Destination.SHORT_TERM,
                    Destination.SPECIAL_HOUSING,
                    Destination.DECEASED,
                    Destination.OTHER,
                ),
                (70, 15, 10, 2, 3),
            )[0]
            replay.at(discharged, "discharge", destination)
            if replay.sip_needed and rng.random() < 0.9:
                on_time = rng.random() < 0.85
                replay.at(
                    final_ready + hours(rng.uniform(2, 60) if on_time else rng.uniform(80, 150)),
                    "sip_called",
                )
            if ward.busy:
                lag = rng.expovariate(1 / 32)
            else:
                lag = rng.choices(
                    (rng.uniform(0.2, 5), rng.uniform(5, 35), rng.uniform(35, 120)), (70, 25, 5)
                )[0]
            if replay.sip_needed:
                lag = max(lag, rng.uniform(7, 35))  # open until the SIP is followed up
            close_at = discharged + dt.timedelta(days=lag)
            replay.at(close_at, "close")
            replay.closes_at = close_at
            end = close_at
        for _ in range(self._poisson(0.5 + (end - assessed).days / 14)):
            when = assessed + (end - assessed) * rng.random()
            replay.at(when, "message", rng.choice(list(PartyRole)))
        return replay

    def plan_sip(self, patient: PatientInfo, opened: dt.datetime) -> SipReplay | StayReplay:
        rng = self.rng
        opened = office_time(opened, rng)
        case = Case(
            pk=self.cases.take_id(),
            kind=CaseKind.SIP,
            patient_id=patient.pk,
            state=CaseState.SIP_ONGOING,
            care_kind="",
            admitted_at=opened,
            sip_needed=True,
            created_at=opened,
            last_event_at=opened,
        )
        replay = SipReplay(self, case, patient)
        social = self._social_services(patient)
        listed = patient.listed or (
            rng.choice(self.directory.primary_care[patient.area]) if patient.area else None
        )
        units = [u for u in (listed, social) if u is not None]
        if len(units) < 2:
            return self.plan_stay(patient, opened)  # nobody to make a SIP with
        if rng.random() < 0.5:
            units.reverse()
        starter, *recipients = units
        if patient.municipality_code in self.directory.health_care and rng.random() < 0.4:
            recipients.append(self.directory.health_care[patient.municipality_code])
        replay.at(opened, "open", (starter, recipients))
        replay.at(opened + hours(rng.uniform(2, 72)), "fvk")
        replay.at(opened + hours(rng.uniform(20, 100)), "sip_called")
        close_at = opened + dt.timedelta(days=rng.uniform(35, 80))
        replay.closes_at = close_at
        replay.at(close_at, "close", rng.random() < 0.05)
        for _ in range(self._poisson(2)):
            replay.at(
                opened + (close_at - opened) * rng.random(),
                "message",
                rng.choice((PartyRole.PRIMARY_CARE, PartyRole.MUNICIPALITY)),
            )
        return replay

    def _poisson(self, mean: float) -> int:
        limit, count, product = math.exp(-mean), 0, self.rng.random()
        while product > limit:
            count += 1
            product *= self.rng.random()
        return count

    # Writing.

    def write(self, replay: Replay) -> None:
        case, counts = replay.case, self.counts
        self.cases.add(
            str(case.pk), case.kind, str(case.patient_id), case.state, case.care_kind,
            flag(case.compulsory_care), ts(case.admitted_at), ts(case.assessed_at),
            day_or_null(case.expected_discharge_on), ts(case.admission_notice_at),
            ts(case.ready_at), flag(case.sip_needed), ts(case.sip_called_at),
            text(case.fast_vardkontakt), ts(case.fast_vardkontakt_at),
            ts(case.planning_information_at), flag(case.on_leave), ts(case.discharged_at),
            case.destination, ts(case.closed_at), text(case.cancel_reason), ts(case.created_at),
            ts(case.last_event_at), str(case.version),
        )  # fmt: skip
        counts.cases += 1
        counts.open_cases += case.is_open
        counts.by_state[case.state] = counts.by_state.get(case.state, 0) + 1
        for party in replay.parties:
            self.parties.add(
                str(self.parties.take_id()), str(case.pk), str(party.unit.pk), party.role,
                flag(party.active), ts(party.joined_at), ts(party.left_at), party.left_reason,
            )  # fmt: skip
        counts.parties += len(replay.parties)
        rng = self.rng
        for e in replay.events:
            self.events.add(
                str(e.pk), str(case.pk), e.type, ts(e.recorded_at), ts(e.effective_at),
                str(e.author[0]), str(e.unit.pk), text(e.author[1]), jsonb(e.payload),
                text(e.text), f"{rng.getrandbits(128):032x}", ts(e.retracted_at),
                ref(e.retracted_by), text(e.retraction_reason), flag(False),
            )  # fmt: skip
        counts.events += len(replay.events)
        for r in replay.recipients:
            self.recipients.add(
                str(self.recipients.take_id()), str(r.event_id), str(r.unit.pk),
                ts(r.acknowledged_at), ref(r.acknowledged_by),
            )  # fmt: skip
            counts.acknowledged += r.acknowledged_at is not None
        counts.recipients += len(replay.recipients)

    def tables(self) -> list[CopyTable]:
        return [self.cases, self.parties, self.events, self.recipients]


def generate(
    *,
    scale: float,
    seed: int,
    now: dt.datetime,
    progress: Callable[[str], None],
) -> dict[str, Any]:
    """Write the whole region-year into the (empty) database; return what was written."""
    rng = random.Random(seed)
    ids = IdentityNumbers(rng)
    started = time.monotonic()
    since = dt.date(2018, 1, 1)
    directory = build_directory(rng, ids, since)
    progress(
        f"directory: {len(directory.units)} units, {directory.persons} persons, "
        f"{directory.commissions} commissions ({time.monotonic() - started:.0f} s)"
    )
    patient_count = max(200, round(100_000 * scale))
    target_cases = max(200, round(100_000 * scale))
    patients = PatientWriter(directory, rng, ids)
    cases = CaseGenerator(directory, rng, now, target_cases)
    with connection.cursor() as django_cursor:
        cursor = django_cursor.cursor  # the psycopg cursor, for COPY
        superuser = _try_replica_mode(cursor)

        def send(tables: list[CopyTable]) -> None:
            for table in tables:
                table.flush(cursor)

        tables = write_patients_and_cases(
            patients, cases, patient_count, now=now, send=send, started=started, progress=progress
        )
        if superuser:
            cursor.execute("SET session_replication_role = origin")
        reset_sequences(cursor, tables)
    return {
        "units": len(directory.units),
        "persons": directory.persons,
        "commissions": directory.commissions,
        **written_counts(patients, cases, superuser=superuser),
    }


def write_patients_and_cases(
    patients: PatientWriter,
    cases: CaseGenerator,
    patient_count: int,
    *,
    now: dt.datetime,
    send: Callable[[list[CopyTable]], None],
    started: float,
    progress: Callable[[str], None],
) -> list[CopyTable]:
    """Make the patients and their cases (up to the generator's target), handing their tables
    to ``send`` every batch to be written with COPY; return those tables."""
    tables = [patients.table, *cases.tables()]
    batch = max(500, patient_count // 40)
    for number in range(patient_count):
        patient = patients.make(now)
        if cases.counts.cases < cases.target:
            cases.patient_year(patient)
        if (number + 1) % batch == 0 or number + 1 == patient_count:
            send(tables)
            counts = cases.counts
            elapsed = time.monotonic() - started
            progress(
                f"patients {number + 1:>7,}/{patient_count:,}  cases {counts.cases:>7,}  "
                f"events {counts.events:>9,}  recipients {counts.recipients:>9,}  "
                f"({elapsed:.0f} s)".replace(",", " ")
            )
    return tables


def reset_sequences(cursor: Any, tables: Iterable[CopyTable]) -> None:
    """Move each table's id sequence past the ids COPY wrote."""
    for table in tables:
        cursor.execute(
            sql.SQL(
                "SELECT setval(pg_get_serial_sequence({}, 'id'), "
                "(SELECT coalesce(max(id), 1) FROM {}))"
            ).format(sql.Literal(table.table), sql.Identifier(table.table))
        )


def written_counts(
    patients: PatientWriter, cases: CaseGenerator, *, superuser: bool
) -> dict[str, Any]:
    """What was written of patients and cases, for the generator's summary."""
    counts = cases.counts
    return {
        "patients": patients.table.written,
        "cases": counts.cases,
        "open_cases": counts.open_cases,
        "parties": counts.parties,
        "events": counts.events,
        "recipients": counts.recipients,
        "acknowledged": counts.acknowledged,
        "by_state": counts.by_state,
        "foreign_keys_checked_while_loading": not superuser,
    }


def _try_replica_mode(cursor: Any) -> bool:
    """As a superuser, skip the foreign-key triggers while loading (checked afterwards)."""
    cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
    row = cursor.fetchone()
    if not row or not row[0]:
        return False
    cursor.execute("SET session_replication_role = replica")
    return True


# Every foreign key the COPY wrote, checked after loading when the triggers were skipped.
FOREIGN_KEYS = (
    ("patients_patient", "listed_unit_id", "directory_unit"),
    ("cases_case", "patient_id", "patients_patient"),
    ("cases_caseparty", "case_id", "cases_case"),
    ("cases_caseparty", "unit_id", "directory_unit"),
    ("cases_caseevent", "case_id", "cases_case"),
    ("cases_caseevent", "author_id", "directory_person"),
    ("cases_caseevent", "author_unit_id", "directory_unit"),
    ("cases_caseevent", "retracted_by_id", "directory_person"),
    ("cases_noticerecipient", "event_id", "cases_caseevent"),
    ("cases_noticerecipient", "unit_id", "directory_unit"),
    ("cases_noticerecipient", "acknowledged_by_id", "directory_person"),
)


def check_foreign_keys() -> list[str]:
    return broken_foreign_keys(FOREIGN_KEYS)


def broken_foreign_keys(foreign_keys: Iterable[tuple[str, str, str]]) -> list[str]:
    """The broken ones among ``foreign_keys`` (table, column, target table)."""
    broken = []
    query = sql.SQL(
        "SELECT count(*) FROM {table} t WHERE t.{column} IS NOT NULL AND NOT EXISTS "
        "(SELECT 1 FROM {target} x WHERE x.id = t.{column})"
    )
    with connection.cursor() as django_cursor:
        cursor = django_cursor.cursor
        for table, column, target in foreign_keys:
            cursor.execute(
                query.format(
                    table=sql.Identifier(table),
                    column=sql.Identifier(column),
                    target=sql.Identifier(target),
                )
            )
            orphans = cursor.fetchone()[0]
            if orphans:
                broken.append(f"{table}.{column}: {orphans} rows point at no {target}")
    return broken
