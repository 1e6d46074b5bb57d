"""A real slapd with a small HSA-like tree for every test, and a way to run the sync.

The tree (all made up; personnummer from Skatteverket's test series):

    c=SE / l=Stockholms län
      o=Region Stockholm                        vårdgivare 232100-0016
        ou=Testsjukhuset                         förvaltning (verksamhetskod 9000)
          ou=Avdelning 61                        sluten somatisk vård
            cn=Vård avdelning 61                 uppdrag: Anna, Erik
            cn=Chef avdelning 61                 uppdrag: Lars, rättighet Chef;Brygga
          ou=Psykiatrisk avdelning 5             sluten psykiatrisk vård
        ou=Vårdcentral Testby                    primärvård
          cn=Vård Vårdcentral Testby             uppdrag: Maria
        ou=Personal                              Anna, Erik, Lars, Maria
      o=Testby kommun                            huvudman 219900-0118 (unused series)
        ou=Socialtjänsten Testby                 socialtjänst
          cn=Handläggare socialtjänsten          uppdrag: Karin
        ou=Personal                              Karin
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.test import override_settings
from django.utils import timezone

from brygga.core.actor import Actor
from brygga.core.checks import luhn_check_digit
from brygga.demo.world import make_test_personnummer
from brygga.directory_sync import testserver
from brygga.directory_sync.actions import SyncResult, run_sync
from brygga.directory_sync.testserver import TestSlapd, ldif_entry

COUNTY = "l=Stockholms län,c=SE"
REGION = f"o=Region Stockholm,{COUNTY}"
REGION_ORG = "2321000016"
MUNICIPALITY_ORG = "219900011" + str(luhn_check_digit("219900011"))
MUNICIPALITY = f"o=Testby kommun,{COUNTY}"
HOSPITAL = f"ou=Testsjukhuset,{REGION}"
WARD = f"ou=Avdelning 61,{HOSPITAL}"
PSYCH_WARD = f"ou=Psykiatrisk avdelning 5,{HOSPITAL}"
HEALTH_CENTRE = f"ou=Vårdcentral Testby,{REGION}"
SOCIAL = f"ou=Socialtjänsten Testby,{MUNICIPALITY}"
REGION_STAFF = f"ou=Personal,{REGION}"
MUNICIPALITY_STAFF = f"ou=Personal,{MUNICIPALITY}"


def hsa(org: str, suffix: str) -> str:
    return f"SE{org}-{suffix}"


def person_dn(name: str, staff: str = REGION_STAFF) -> str:
    return f"cn={name},{staff}"


def pnr(birth_number: int, year: int = 1980) -> str:
    return make_test_personnummer(dt.date(year, 3, 14), birth_number)


PERSONS = {
    # name: (staff folder, HSA-id, given name, family name, birth number, title)
    "Anna Andersson": (
        REGION_STAFF,
        hsa(REGION_ORG, "P0001"),
        "Anna",
        "Andersson",
        980,
        "Sjuksköterska",
    ),
    "Erik Eriksson": (REGION_STAFF, hsa(REGION_ORG, "P0002"), "Erik", "Eriksson", 981, "Läkare"),
    "Lars Larsson": (
        REGION_STAFF,
        hsa(REGION_ORG, "P0003"),
        "Lars",
        "Larsson",
        983,
        "Vårdenhetschef",
    ),
    "Maria Månsson": (
        REGION_STAFF,
        hsa(REGION_ORG, "P0004"),
        "Maria",
        "Månsson",
        984,
        "Distriktssköterska",
    ),
    "Karin Karlsson": (
        MUNICIPALITY_STAFF,
        hsa(MUNICIPALITY_ORG, "P0005"),
        "Karin",
        "Karlsson",
        986,
        "Biståndshandläggare",
    ),
}


def person_attributes(name: str) -> dict[str, Any]:
    _staff, hsa_id, given, family, birth_number, title = PERSONS[name]
    return {
        "objectClass": ["inetOrgPerson", "hsaPerson"],
        "cn": name,
        "givenName": given,
        "sn": family,
        "hsaIdentity": hsa_id,
        "personalIdentityNumber": pnr(birth_number),
        "title": title,
        "mail": f"{given.lower()}@example.se",
    }


def unit_attributes(
    name: str, suffix: str, care_type: str, code: str, org: str = REGION_ORG
) -> dict[str, Any]:
    attributes: dict[str, Any] = {
        "objectClass": ["organizationalUnit", "hsaHealthCareUnit"],
        "ou": name,
        "hsaIdentity": hsa(org, suffix),
        "businessClassificationCode": code,
        "municipalityCode": "0184" if org == MUNICIPALITY_ORG else "0180",
        "telephoneNumber": "08-465 004 00",
        "startDate": "20190101000000Z",
    }
    if care_type:
        attributes["careType"] = care_type
    return attributes


def commission_attributes(
    name: str,
    suffix: str,
    members: list[str],
    *,
    rights: list[str] | None = None,
    org: str = REGION_ORG,
) -> dict[str, Any]:
    return {
        "objectClass": "hsaCommission",
        "cn": name,
        "hsaIdentity": hsa(org, suffix),
        "hsaCommissionPurpose": "Vård och behandling",
        "hsaCommissionRight": ["Läsa;Alla;SJF", *(rights or [])],
        "hsaCommissionMember": members,
    }


def tree_ldif() -> str:
    entries: list[tuple[str, dict[str, Any]]] = [
        (COUNTY, {"objectClass": "locality", "l": "Stockholms län"}),
        (
            REGION,
            {
                "objectClass": ["organization", "hsaHealthCareProvider"],
                "o": "Region Stockholm",
                "hsaIdentity": hsa(REGION_ORG, "VG1"),
                "orgNo": "232100-0016",
            },
        ),
        (
            MUNICIPALITY,
            {
                "objectClass": ["organization", "hsaHealthCareProvider"],
                "o": "Testby kommun",
                "hsaIdentity": hsa(MUNICIPALITY_ORG, "HM1"),
                "orgNo": MUNICIPALITY_ORG,
                "municipalityCode": "0184",
            },
        ),
        (HOSPITAL, unit_attributes("Testsjukhuset", "E0001", "", "9000")),
        (WARD, unit_attributes("Avdelning 61", "E0061", "02", "1010")),
        (PSYCH_WARD, unit_attributes("Psykiatrisk avdelning 5", "E0005", "02", "1500")),
        (HEALTH_CENTRE, unit_attributes("Vårdcentral Testby", "E0100", "01", "1100")),
        (SOCIAL, unit_attributes("Socialtjänsten Testby", "E0200", "04", "2000", MUNICIPALITY_ORG)),
        (REGION_STAFF, {"objectClass": "organizationalUnit", "ou": "Personal"}),
        (MUNICIPALITY_STAFF, {"objectClass": "organizationalUnit", "ou": "Personal"}),
    ]
    for name, (staff, *_rest) in PERSONS.items():
        entries.append((person_dn(name, staff), person_attributes(name)))
    entries += [
        (
            f"cn=Vård avdelning 61,{WARD}",
            commission_attributes(
                "Vård avdelning 61",
                "U0061",
                [person_dn("Anna Andersson"), person_dn("Erik Eriksson")],
            ),
        ),
        (
            f"cn=Chef avdelning 61,{WARD}",
            commission_attributes(
                "Chef avdelning 61", "U0062", [person_dn("Lars Larsson")], rights=["Chef;Brygga;VE"]
            ),
        ),
        (
            f"cn=Vård Vårdcentral Testby,{HEALTH_CENTRE}",
            commission_attributes("Vård Vårdcentral Testby", "U0100", [person_dn("Maria Månsson")]),
        ),
        (
            f"cn=Handläggare socialtjänsten,{SOCIAL}",
            commission_attributes(
                "Handläggare socialtjänsten",
                "U0200",
                [person_dn("Karin Karlsson", MUNICIPALITY_STAFF)],
                org=MUNICIPALITY_ORG,
            ),
        ),
    ]
    return "".join(ldif_entry(dn, attributes) for dn, attributes in entries)


@pytest.fixture
def slapd() -> Iterator[TestSlapd]:
    """A fresh slapd with the tree above, on a free loopback port; gone after the test."""
    if not testserver.slapd_available():
        pytest.fail(
            "slapd is missing: install Debian's 'slapd' and 'ldap-utils' packages "
            "(the directory sync tests never skip silently)."
        )
    with (
        TestSlapd(tree_ldif()) as server,
        override_settings(
            LDAP_URL=server.url,
            LDAP_BIND_DN=testserver.SYNC_DN,
            LDAP_BIND_PASSWORD=testserver.SYNC_PASSWORD,
            LDAP_BASE_DNS=[testserver.SUFFIX],
            LDAP_PAGE_SIZE=4,  # small pages: every sync in the tests reads several
        ),
    ):
        yield server


@pytest.fixture
def sync(slapd: TestSlapd, db: None, monkeypatch: pytest.MonkeyPatch) -> Callable[..., SyncResult]:
    """sync("full"), sync("incremental", dry_run=True, now=...) -> the result."""
    from brygga.directory_sync import actions

    # On PostgreSQL, insert through COPY even the few rows of the test tree, so that the
    # path a region's sync takes is the one tested.
    monkeypatch.setattr(actions, "COPY_FROM", 2)

    def _sync(
        mode: str = "full", *, dry_run: bool = False, now: dt.datetime | None = None
    ) -> SyncResult:
        return run_sync(
            actor=Actor.system("test_directory_sync"),
            mode=mode,
            now=now or timezone.now(),
            dry_run=dry_run,
        )

    return _sync
