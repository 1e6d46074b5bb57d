"""Sweden as data, for the national benchmark year (``bench/national_world.py``).

The 21 regions (county codes) and the 290 municipalities with their real four-digit codes
and real names. Populations are **approximate** (thousands of inhabitants, rounded from
memory of recent figures; good to within about ten per cent, which is all the benchmark
needs: they decide where patients live and how large each region's health care is). A
region's population is the sum of its municipalities'. Region Stockholm's municipalities
and populations are the ones ``bench/region_world.py`` already uses.

Region organisation numbers: Region Stockholm keeps the demo's real 232100-0016; the others
are made in the same 232100-series from the county code with a valid Luhn digit, so they
look like region numbers but are **not** claimed to be the regions' real ones. Gotland is
both a region and a municipality in reality (one organisation); here it is two
organisations, the region and the municipality, because the model keeps them apart.

Postal-code prefixes are per county and only plausible, and a municipality's main town is
taken to have the municipality's name (true for most, not for all: Mark's is Kinna).
"""

from __future__ import annotations

from dataclasses import dataclass

# (county code, region name) in county order.
REGION_NAMES: tuple[tuple[str, str], ...] = (
    ("01", "Region Stockholm"), ("03", "Region Uppsala"), ("04", "Region Sörmland"),
    ("05", "Region Östergötland"), ("06", "Region Jönköpings län"),
    ("07", "Region Kronoberg"), ("08", "Region Kalmar län"), ("09", "Region Gotland"),
    ("10", "Region Blekinge"), ("12", "Region Skåne"), ("13", "Region Halland"),
    ("14", "Västra Götalandsregionen"), ("17", "Region Värmland"),
    ("18", "Region Örebro län"), ("19", "Region Västmanland"), ("20", "Region Dalarna"),
    ("21", "Region Gävleborg"), ("22", "Region Västernorrland"),
    ("23", "Region Jämtland Härjedalen"), ("24", "Region Västerbotten"),
    ("25", "Region Norrbotten"),
)  # fmt: skip

# Municipalities outside Stockholm county: code -> (name, inhabitants in thousands).
_MUNICIPALITIES: dict[str, tuple[str, int]] = {
    # 03 Uppsala
    "0305": ("Håbo", 22), "0319": ("Älvkarleby", 10), "0330": ("Knivsta", 20),
    "0331": ("Heby", 14), "0360": ("Tierp", 21), "0380": ("Uppsala", 245),
    "0381": ("Enköping", 47), "0382": ("Östhammar", 22),
    # 04 Södermanland
    "0428": ("Vingåker", 9), "0461": ("Gnesta", 11), "0480": ("Nyköping", 58),
    "0481": ("Oxelösund", 12), "0482": ("Flen", 16), "0483": ("Katrineholm", 35),
    "0484": ("Eskilstuna", 107), "0486": ("Strängnäs", 38), "0488": ("Trosa", 14),
    # 05 Östergötland
    "0509": ("Ödeshög", 5), "0512": ("Ydre", 4), "0513": ("Kinda", 10),
    "0560": ("Boxholm", 5), "0561": ("Åtvidaberg", 12), "0562": ("Finspång", 22),
    "0563": ("Valdemarsvik", 8), "0580": ("Linköping", 167), "0581": ("Norrköping", 145),
    "0582": ("Söderköping", 14), "0583": ("Motala", 44), "0584": ("Vadstena", 7),
    "0586": ("Mjölby", 28),
    # 06 Jönköping
    "0604": ("Aneby", 7), "0617": ("Gnosjö", 9), "0642": ("Mullsjö", 7), "0643": ("Habo", 12),
    "0662": ("Gislaved", 30), "0665": ("Vaggeryd", 14), "0680": ("Jönköping", 145),
    "0682": ("Nässjö", 31), "0683": ("Värnamo", 35), "0684": ("Sävsjö", 11),
    "0685": ("Vetlanda", 27), "0686": ("Eksjö", 17), "0687": ("Tranås", 19),
    # 07 Kronoberg
    "0760": ("Uppvidinge", 9), "0761": ("Lessebo", 9), "0763": ("Tingsryd", 12),
    "0764": ("Alvesta", 20), "0765": ("Älmhult", 18), "0767": ("Markaryd", 10),
    "0780": ("Växjö", 96), "0781": ("Ljungby", 29),
    # 08 Kalmar
    "0821": ("Högsby", 6), "0834": ("Torsås", 7), "0840": ("Mörbylånga", 15),
    "0860": ("Hultsfred", 14), "0861": ("Mönsterås", 13), "0862": ("Emmaboda", 9),
    "0880": ("Kalmar", 72), "0881": ("Nybro", 20), "0882": ("Oskarshamn", 27),
    "0883": ("Västervik", 36), "0884": ("Vimmerby", 15), "0885": ("Borgholm", 11),
    # 09 Gotland
    "0980": ("Gotland", 61),
    # 10 Blekinge
    "1060": ("Olofström", 13), "1080": ("Karlskrona", 67), "1081": ("Ronneby", 30),
    "1082": ("Karlshamn", 32), "1083": ("Sölvesborg", 17),
    # 12 Skåne
    "1214": ("Svalöv", 14), "1230": ("Staffanstorp", 26), "1231": ("Burlöv", 20),
    "1233": ("Vellinge", 37), "1256": ("Östra Göinge", 15), "1257": ("Örkelljunga", 10),
    "1260": ("Bjuv", 16), "1261": ("Kävlinge", 33), "1262": ("Lomma", 25),
    "1263": ("Svedala", 23), "1264": ("Skurup", 17), "1265": ("Sjöbo", 19),
    "1266": ("Hörby", 16), "1267": ("Höör", 17), "1270": ("Tomelilla", 14),
    "1272": ("Bromölla", 13), "1273": ("Osby", 13), "1275": ("Perstorp", 7),
    "1276": ("Klippan", 18), "1277": ("Åstorp", 16), "1278": ("Båstad", 15),
    "1280": ("Malmö", 357), "1281": ("Lund", 128), "1282": ("Landskrona", 46),
    "1283": ("Helsingborg", 150), "1284": ("Höganäs", 28), "1285": ("Eslöv", 35),
    "1286": ("Ystad", 31), "1287": ("Trelleborg", 47), "1290": ("Kristianstad", 87),
    "1291": ("Simrishamn", 19), "1292": ("Ängelholm", 43), "1293": ("Hässleholm", 53),
    # 13 Halland
    "1315": ("Hylte", 11), "1380": ("Halmstad", 105), "1381": ("Laholm", 26),
    "1382": ("Falkenberg", 47), "1383": ("Varberg", 67), "1384": ("Kungsbacka", 85),
    # 14 Västra Götaland
    "1401": ("Härryda", 39), "1402": ("Partille", 40), "1407": ("Öckerö", 13),
    "1415": ("Stenungsund", 27), "1419": ("Tjörn", 16), "1421": ("Orust", 15),
    "1427": ("Sotenäs", 9), "1430": ("Munkedal", 10), "1435": ("Tanum", 13),
    "1438": ("Dals-Ed", 5), "1439": ("Färgelanda", 7), "1440": ("Ale", 32),
    "1441": ("Lerum", 44), "1442": ("Vårgårda", 12), "1443": ("Bollebygd", 10),
    "1444": ("Grästorp", 6), "1445": ("Essunga", 6), "1446": ("Karlsborg", 7),
    "1447": ("Gullspång", 5), "1452": ("Tranemo", 12), "1460": ("Bengtsfors", 9),
    "1461": ("Mellerud", 9), "1462": ("Lilla Edet", 14), "1463": ("Mark", 35),
    "1465": ("Svenljunga", 11), "1466": ("Herrljunga", 9), "1470": ("Vara", 16),
    "1471": ("Götene", 13), "1472": ("Tibro", 11), "1473": ("Töreboda", 9),
    "1480": ("Göteborg", 595), "1481": ("Mölndal", 71), "1482": ("Kungälv", 48),
    "1484": ("Lysekil", 14), "1485": ("Uddevalla", 58), "1486": ("Strömstad", 13),
    "1487": ("Vänersborg", 40), "1488": ("Trollhättan", 60), "1489": ("Alingsås", 42),
    "1490": ("Borås", 114), "1491": ("Ulricehamn", 25), "1492": ("Åmål", 12),
    "1493": ("Mariestad", 25), "1494": ("Lidköping", 40), "1495": ("Skara", 19),
    "1496": ("Skövde", 57), "1497": ("Hjo", 9), "1498": ("Tidaholm", 13),
    "1499": ("Falköping", 34),
    # 17 Värmland
    "1715": ("Kil", 12), "1730": ("Eda", 9), "1737": ("Torsby", 12), "1760": ("Storfors", 4),
    "1761": ("Hammarö", 17), "1762": ("Munkfors", 4), "1763": ("Forshaga", 11),
    "1764": ("Grums", 9), "1765": ("Årjäng", 10), "1766": ("Sunne", 13),
    "1780": ("Karlstad", 95), "1781": ("Kristinehamn", 24), "1782": ("Filipstad", 11),
    "1783": ("Hagfors", 11), "1784": ("Arvika", 26), "1785": ("Säffle", 15),
    # 18 Örebro
    "1814": ("Lekeberg", 8), "1860": ("Laxå", 6), "1861": ("Hallsberg", 16),
    "1862": ("Degerfors", 10), "1863": ("Hällefors", 7), "1864": ("Ljusnarsberg", 5),
    "1880": ("Örebro", 158), "1881": ("Kumla", 22), "1882": ("Askersund", 11),
    "1883": ("Karlskoga", 30), "1884": ("Nora", 11), "1885": ("Lindesberg", 23),
    # 19 Västmanland
    "1904": ("Skinnskatteberg", 4), "1907": ("Surahammar", 10), "1960": ("Kungsör", 9),
    "1961": ("Hallstahammar", 16), "1962": ("Norberg", 6), "1980": ("Västerås", 157),
    "1981": ("Sala", 23), "1982": ("Fagersta", 13), "1983": ("Köping", 26),
    "1984": ("Arboga", 14),
    # 20 Dalarna
    "2021": ("Vansbro", 7), "2023": ("Malung-Sälen", 10), "2026": ("Gagnef", 10),
    "2029": ("Leksand", 16), "2031": ("Rättvik", 11), "2034": ("Orsa", 7),
    "2039": ("Älvdalen", 7), "2061": ("Smedjebacken", 11), "2062": ("Mora", 20),
    "2080": ("Falun", 60), "2081": ("Borlänge", 52), "2082": ("Säter", 11),
    "2083": ("Hedemora", 15), "2084": ("Avesta", 23), "2085": ("Ludvika", 26),
    # 21 Gävleborg
    "2101": ("Ockelbo", 6), "2104": ("Hofors", 9), "2121": ("Ovanåker", 12),
    "2132": ("Nordanstig", 9), "2161": ("Ljusdal", 19), "2180": ("Gävle", 103),
    "2181": ("Sandviken", 39), "2182": ("Söderhamn", 26), "2183": ("Bollnäs", 26),
    "2184": ("Hudiksvall", 38),
    # 22 Västernorrland
    "2260": ("Ånge", 9), "2262": ("Timrå", 18), "2280": ("Härnösand", 25),
    "2281": ("Sundsvall", 100), "2282": ("Kramfors", 18), "2283": ("Sollefteå", 19),
    "2284": ("Örnsköldsvik", 56),
    # 23 Jämtland
    "2303": ("Ragunda", 5), "2305": ("Bräcke", 6), "2309": ("Krokom", 15),
    "2313": ("Strömsund", 11), "2321": ("Åre", 12), "2326": ("Berg", 7),
    "2361": ("Härjedalen", 10), "2380": ("Östersund", 65),
    # 24 Västerbotten
    "2401": ("Nordmaling", 7), "2403": ("Bjurholm", 2), "2404": ("Vindeln", 5),
    "2409": ("Robertsfors", 7), "2417": ("Norsjö", 4), "2418": ("Malå", 3),
    "2421": ("Storuman", 6), "2422": ("Sorsele", 2), "2425": ("Dorotea", 3),
    "2460": ("Vännäs", 9), "2462": ("Vilhelmina", 7), "2463": ("Åsele", 3),
    "2480": ("Umeå", 131), "2481": ("Lycksele", 12), "2482": ("Skellefteå", 75),
    # 25 Norrbotten
    "2505": ("Arvidsjaur", 6), "2506": ("Arjeplog", 3), "2510": ("Jokkmokk", 5),
    "2513": ("Överkalix", 3), "2514": ("Kalix", 16), "2518": ("Övertorneå", 4),
    "2521": ("Pajala", 6), "2523": ("Gällivare", 17), "2560": ("Älvsbyn", 8),
    "2580": ("Luleå", 80), "2581": ("Piteå", 42), "2582": ("Boden", 28),
    "2583": ("Haparanda", 9), "2584": ("Kiruna", 23),
}  # fmt: skip

# The first two digits of postal codes per county (plausible, not exact).
POSTAL_PREFIXES = {
    "03": ("74", "75"), "04": ("61", "63", "64"), "05": ("58", "59", "60", "61"),
    "06": ("55", "56", "57"), "07": ("34", "35", "36"), "08": ("38", "39", "59"),
    "09": ("62",), "10": ("37", "29"), "12": ("21", "22", "23", "24", "25", "26", "27", "28"),
    "13": ("30", "31", "43"), "14": ("41", "42", "43", "44", "45", "46", "50", "54"),
    "17": ("65", "66", "68"), "18": ("69", "70", "71"), "19": ("72", "73"),
    "20": ("77", "78", "79"), "21": ("80", "81", "82"), "22": ("85", "86", "87", "89"),
    "23": ("83", "84"), "24": ("90", "91", "93"), "25": ("94", "95", "96", "97", "98"),
}  # fmt: skip


@dataclass(frozen=True)
class Municipality:
    code: str
    name: str  # "Göteborg"
    population: int  # thousands, approximate
    town: str  # main town, for addresses
    postal_prefix: str  # three digits

    @property
    def county(self) -> str:
        return self.code[:2]

    @property
    def organisation_name(self) -> str:
        """ "Göteborgs kommun", "Ale kommun", "Borås kommun" (Stockholm's keep their own)."""
        return f"{genitive(self.name)} kommun"


@dataclass(frozen=True)
class Region:
    county: str
    name: str
    municipalities: tuple[Municipality, ...]

    @property
    def population(self) -> int:
        return sum(m.population for m in self.municipalities)


def genitive(name: str) -> str:
    return name if name[-1].lower() in "aeiouyåäösxz" else name + "s"


def regions(stockholm: dict[str, tuple[str, int, str, str]]) -> tuple[Region, ...]:
    """All 21 regions. ``stockholm`` gives county 01's municipalities as
    code -> (organisation name, population, town, postal prefix), from region_world."""
    by_county: dict[str, list[Municipality]] = {}
    for code, (org_name, population, town, prefix) in stockholm.items():
        by_county.setdefault("01", []).append(
            Municipality(code, org_name, population, town, prefix)
        )
    for index, (code, (name, population)) in enumerate(sorted(_MUNICIPALITIES.items())):
        prefixes = POSTAL_PREFIXES[code[:2]]
        prefix = f"{prefixes[index % len(prefixes)]}{index % 10}"
        by_county.setdefault(code[:2], []).append(
            Municipality(code, name, population, name, prefix)
        )
    counts = {county: len(ms) for county, ms in by_county.items()}
    if counts != EXPECTED_COUNTS:
        raise RuntimeError(f"municipalities per county: {counts}, expected {EXPECTED_COUNTS}")
    return tuple(Region(county, name, tuple(by_county[county])) for county, name in REGION_NAMES)


EXPECTED_COUNTS = {
    "01": 26, "03": 8, "04": 9, "05": 13, "06": 13, "07": 8, "08": 12, "09": 1, "10": 5,
    "12": 33, "13": 6, "14": 49, "17": 16, "18": 12, "19": 10, "20": 15, "21": 10, "22": 7,
    "23": 8, "24": 15, "25": 14,
}  # fmt: skip
