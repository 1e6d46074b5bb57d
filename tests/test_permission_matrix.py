"""Every URL, every kind of visitor: the answer each one gets.

A URL that is added without a row here fails `test_every_url_is_in_the_matrix`, so no view
escapes the matrix. Personas:
  anonymous   – no session
  own_unit    – Anna, user at the ward that is party to the subject case
  other_unit  – a user at a ward that is not party to the subject case
  municipality – Karin, handläggare at Solna social services, a party to the subject case
  manager     – Lars, manager at Anna's ward
  ek_admin    – Sofia, EK administrator of Region Stockholm
  ek_admin_municipality – Per, EK administrator of Solna stad (a foreign organisation)
  central     – Eva, central administration
  expired     – Gustav, whose only commission has ended
"""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from brygga.cases.models import Case
from brygga.directory.models import Commission, Organisation, Unit
from brygga.testing import commission_of, log_in

pytestmark = pytest.mark.django_db

PERSONAS = (
    "anonymous",
    "own_unit",
    "other_unit",
    "municipality",
    "manager",
    "ek_admin",
    "ek_admin_municipality",
    "central",
    "expired",
)
LOGIN = "login"  # redirected to the login page
CHOOSE = "choose"  # redirected to the commission choice (no valid commission)
ELSEWHERE = "elsewhere"  # redirected somewhere inside Brygga


def row(default: int | str, **overrides: int | str) -> dict[str, int | str]:
    answers: dict[str, int | str] = {p: default for p in PERSONAS}
    answers["anonymous"] = LOGIN
    answers["expired"] = CHOOSE
    answers.update(overrides)
    return answers


# url name -> (argument builder key, {persona: expected answer})
MATRIX: dict[str, tuple[str, dict[str, int | str]]] = {
    "home": ("", row(ELSEWHERE, central=ELSEWHERE)),
    "accounts:login": ("", row(ELSEWHERE, anonymous=200, expired=ELSEWHERE)),
    "accounts:logout": ("", row(405, anonymous=405, expired=405)),
    "accounts:choose_commission": ("", row(200, expired=ELSEWHERE)),
    "accounts:no_commission": ("", row(CHOOSE, expired=403)),
    "cases:worklist": ("", row(200, ek_admin=403, ek_admin_municipality=403, central=403)),
    "cases:open": (
        "",
        row(200, municipality=403, ek_admin=403, ek_admin_municipality=403, central=403),
    ),
    "cases:open_sip": ("", row(403, municipality=200)),
    "cases:acknowledge": ("case", row(405)),
}
CASE_PAGE = row(
    404,
    own_unit=200,
    manager=200,
    municipality=200,
    ek_admin=403,
    ek_admin_municipality=403,
    central=403,
)
MATRIX |= {
    "cases:detail": ("case", CASE_PAGE),
    "cases:patient_information": ("case", CASE_PAGE),
    "cases:event": ("case_message", CASE_PAGE),
    "cases:retract": ("case_event", CASE_PAGE),
    "audit:search": ("", row(403, manager=200, central=200)),
    "audit:extract": ("patient", row(403, manager=200, central=200)),
}
ADMINS = {"ek_admin": 200, "ek_admin_municipality": 200, "central": 200}
REGION_ONLY = {"ek_admin": 200, "ek_admin_municipality": 404, "central": 200}
for name in ("index", "organisation_list", "unit_list", "person_list", "commission_list"):
    MATRIX[f"directory:{name}"] = ("", row(403, **ADMINS))
for name in ("unit_create", "person_create", "commission_create"):
    MATRIX[f"directory:{name}"] = ("", row(403, **ADMINS))
MATRIX["directory:organisation_create"] = ("", row(403, central=200))
for kind, subject in (
    ("organisation", "organisation"),
    ("unit", "own_org_unit"),
    ("person", "region_person"),
    ("commission", "region_commission"),
):
    MATRIX[f"directory:{kind}_detail"] = (subject, row(403, **REGION_ONLY))
    MATRIX[f"directory:{kind}_update"] = (subject, row(403, **REGION_ONLY))
MATRIX["directory:commission_end"] = ("region_commission", row(403, **REGION_ONLY))


def subject_case(demo: Any) -> Case:
    """An open case of Anna's ward where Karin's social services is a party too."""
    anna_unit = commission_of(demo.person("anna")).unit
    karin_unit = commission_of(demo.person("karin")).unit
    case = (
        Case.objects.filter(parties__unit=anna_unit, parties__active=True)
        .filter(parties__unit=karin_unit)
        .filter(state__in=["planning", "ready"])
        .first()
    )
    assert case is not None
    return case


@pytest.fixture
def subjects(demo: Any) -> dict[str, list[Any]]:
    anna_unit = commission_of(demo.person("anna")).unit
    case = subject_case(demo)
    event = case.events.order_by("pk").first()
    assert event is not None
    region = Organisation.objects.get(org_number="2321000016")
    return {
        "": [],
        "case": [case.pk],
        "case_message": [case.pk, "meddelande"],
        "case_event": [case.pk, event.pk],
        "patient": [case.patient_id],
        "own_org_unit": [anna_unit.pk],
        "organisation": [region.pk],
        "region_person": [demo.person("anna").pk],
        "region_commission": [commission_of(demo.person("anna")).pk],
    }


@pytest.fixture
def visitors(demo: Any) -> dict[str, Client]:
    anna_unit = commission_of(demo.person("anna")).unit
    case = subject_case(demo)
    other = (
        Commission.objects.filter(role="user", unit__care_type="inpatient_somatic")
        .exclude(unit__case_parties__case=case)
        .exclude(unit=anna_unit)
        .select_related("person")
        .first()
    )
    assert other is not None
    gustav = demo.person("gustav")
    return {
        "anonymous": Client(),
        "own_unit": log_in(Client(), demo.person("anna"), commission_of(demo.person("anna"))),
        "other_unit": log_in(Client(), other.person, other),
        "municipality": log_in(Client(), demo.person("karin"), commission_of(demo.person("karin"))),
        "manager": log_in(Client(), demo.person("lars"), commission_of(demo.person("lars"))),
        "ek_admin": log_in(Client(), demo.person("sofia"), commission_of(demo.person("sofia"))),
        "ek_admin_municipality": log_in(
            Client(), demo.person("per"), commission_of(demo.person("per"), "ek_admin")
        ),
        "central": log_in(Client(), demo.person("eva"), commission_of(demo.person("eva"))),
        "expired": log_in(Client(), gustav, gustav.commissions.first()),
    }


def classify(response: Any) -> int | str:
    if response.status_code != 302:
        return int(response.status_code)
    location = response["Location"]
    if location.startswith(reverse("accounts:login")):
        return LOGIN
    if location.startswith(reverse("accounts:choose_commission")):
        return CHOOSE
    return ELSEWHERE


def all_url_names() -> set[str]:
    names: set[str] = set()

    def walk(patterns: list[Any], namespace: str) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
                walk(pattern.url_patterns, inner)
            elif isinstance(pattern, URLPattern) and pattern.name:
                names.add(f"{namespace}{pattern.name}")

    walk(get_resolver().url_patterns, "")
    return names


def test_every_url_is_in_the_matrix() -> None:
    missing = all_url_names() - set(MATRIX)
    assert not missing, f"URLs without a row in the permission matrix: {sorted(missing)}"


@pytest.mark.parametrize("url_name", sorted(MATRIX))
def test_permission_matrix(
    url_name: str, subjects: dict[str, list[Any]], visitors: dict[str, Client]
) -> None:
    args_key, expected = MATRIX[url_name]
    url = reverse(url_name, args=subjects[args_key])
    actual = {persona: classify(visitors[persona].get(url)) for persona in PERSONAS}
    assert actual == expected


def test_expired_commission_in_a_live_session_is_refused(
    visitors: dict[str, Client], subjects: dict[str, list[Any]]
) -> None:
    client = visitors["own_unit"]
    Commission.objects.filter(pk=client.session["brygga_commission_id"]).update(
        valid_from="2018-01-01", valid_to="2018-12-31"
    )
    response = client.get(reverse("cases:detail", args=subjects["case"]))
    assert classify(response) == CHOOSE


def test_a_unit_without_brygga_care_type_cannot_be_acted_for(
    visitors: dict[str, Client], subjects: dict[str, list[Any]]
) -> None:
    client = visitors["own_unit"]
    Unit.objects.filter(pk__in=subjects["own_org_unit"]).update(care_type="")
    assert classify(client.get(reverse("cases:worklist"))) == CHOOSE
