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
  invoicing   – Olle, invoicing (fakturering) of Region Stockholm
  expired     – Gustav, whose only commission has ended
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from brygga.administration.demo import matrix_subjects as administration_matrix_subjects
from brygga.cases.models import Case
from brygga.core.actor import Actor
from brygga.directory.models import Commission, Organisation, Unit
from brygga.directory_sync.examples import example_run as example_sync_run
from brygga.payments.demo import matrix_subjects as payments_matrix_subjects
from brygga.reserve.actions import add_external_recipient, write_contingency_list
from brygga.support.demo import matrix_subjects as support_matrix_subjects
from brygga.testing import commission_of, empty_database, log_in

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
    "invoicing",
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
    # No identity provider or SITHS proxy is configured in the matrix: those URLs do not exist.
    "accounts:oidc_login": ("", row(404, anonymous=404, expired=404)),
    "accounts:oidc_callback": ("", row(404, anonymous=404, expired=404)),
    "accounts:siths_login": ("", row(405, anonymous=405, expired=405)),
    "accounts:logged_out": ("", row(ELSEWHERE, anonymous=200, expired=ELSEWHERE)),
    "accounts:choose_commission": ("", row(200, expired=ELSEWHERE)),
    "accounts:no_commission": ("", row(CHOOSE, expired=403)),
    "cases:worklist": ("", row(200, ek_admin=403, ek_admin_municipality=403, central=403)),
    "cases:search": ("", row(200, ek_admin=403, ek_admin_municipality=403, central=403)),
    "cases:open": (
        "",
        row(200, municipality=403, ek_admin=403, ek_admin_municipality=403, central=403),
    ),
    "cases:open_sip": ("", row(403, municipality=200)),
    "cases:acknowledge": ("case", row(405)),
}
NO_CARE: dict[str, int | str] = {"ek_admin": 403, "ek_admin_municipality": 403, "central": 403}
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
    "reserve:case_forms": ("case", CASE_PAGE),
    "reserve:external_add": ("case", CASE_PAGE),
    # Only the unit that sent a notice prints it for an external recipient and records it.
    "reserve:external_pdf": ("external", row(404, own_unit=200, manager=200, **NO_CARE)),
    "reserve:external_dispatch": ("external", row(404, own_unit=200, manager=200, **NO_CARE)),
    "cases:detail": ("case", CASE_PAGE),
    "cases:patient_information": ("case", CASE_PAGE),
    "cases:event": ("case_message", CASE_PAGE),
    "cases:retract": ("case_event", CASE_PAGE),
    "reserve:live": ("", row(200, anonymous=200, expired=200)),
    "reserve:ready": ("", row(200, anonymous=200, expired=200)),
    "reserve:contingency_lists": (
        "",
        row(200, ek_admin=403, ek_admin_municipality=403, central=403),
    ),
    # Without a chosen recipient there is no form to fill in: 404 even for the parties
    # (reserve/tests/test_paper_forms.py fetches it with one).
    "reserve:case_form_pdf": (
        "case_form",
        row(404, ek_admin=403, ek_admin_municipality=403, central=403),
    ),
    "reserve:contingency_download": (
        "contingency_list",
        row(404, own_unit=200, manager=200, ek_admin=403, ek_admin_municipality=403, central=403),
    ),
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
# Support: help and news are public (needed before login and during outages); a suggestion
# is its writer's (Anna's) and central administration's; contacts are kept by the EK
# administrators of their organisation (here Region Stockholm) and central administration.
PUBLIC = row(200, anonymous=200, expired=200)
CENTRAL_ONLY = row(403, central=200)
MATRIX |= {
    "support:index": ("", row(200)),
    "support:help_index": ("", PUBLIC),
    "support:help_topic": ("help_topic", PUBLIC),
    "support:news_list": ("", PUBLIC),
    "support:news_manage": ("", CENTRAL_ONLY),
    "support:news_create": ("", CENTRAL_ONLY),
    "support:news_update": ("news_item", CENTRAL_ONLY),
    "support:news_end": ("news_item", row(405)),
    "support:news_dismiss": ("news_item", row(405)),
    "support:suggestion_list": ("", row(200)),
    "support:suggestion_create": ("", row(200)),
    "support:suggestion_triage": ("", CENTRAL_ONLY),
    "support:suggestion_detail": ("suggestion", row(404, own_unit=200, central=200)),
    "support:contact_list": ("", row(403, **ADMINS)),
    "support:contact_create": ("", row(403, **ADMINS)),
    "support:contact_update": ("support_contact", row(403, **REGION_ONLY)),
    "support:contact_delete": ("support_contact", row(403, **REGION_ONLY)),
    "support:elearning_list": ("", CENTRAL_ONLY),
    "support:elearning_create": ("", CENTRAL_ONLY),
    "support:elearning_update": ("elearning_link", CENTRAL_ONLY),
    "support:elearning_delete": ("elearning_link", CENTRAL_ONLY),
}
# Orders (administration): managers order for their own unit; central administration
# decides unit orders; the organisation's EK administrator (Sofia for the region, not Per)
# and central administration register access orders. The subject unit order is Ingela's
# (another manager's unit: 404 for Lars); the subject access order is Lars's.
MANAGER_ONLY = row(403, manager=200)
UNIT_DECISION = row(403, manager=404, central=200)
REGISTRAR = {"ek_admin": 200, "ek_admin_municipality": 404, "central": 200}
MATRIX |= {
    "administration:index": (
        "",
        row(
            403,
            manager=ELSEWHERE,
            ek_admin=ELSEWHERE,
            ek_admin_municipality=ELSEWHERE,
            central=ELSEWHERE,
        ),
    ),
    "administration:unit_order_list": ("", row(403, manager=200, central=200)),
    "administration:unit_order_create": ("unit_order_kind", MANAGER_ONLY),
    "administration:unit_order_detail": ("unit_order", UNIT_DECISION),
    "administration:unit_order_approve": ("unit_order", UNIT_DECISION),
    "administration:unit_order_reject": ("unit_order", UNIT_DECISION),
    "administration:unit_order_cancel": ("unit_order", row(403, manager=404)),
    "administration:access_review": ("", MANAGER_ONLY),
    "administration:access_order_create": ("", MANAGER_ONLY),
    "administration:access_order_revoke": ("unit_commission", MANAGER_ONLY),
    "administration:access_order_queue": ("", row(403, **ADMINS)),
    "administration:access_order_detail": ("access_order", row(403, manager=200, **REGISTRAR)),
    "administration:access_order_register": ("access_order", row(403, **REGISTRAR)),
    "administration:access_order_reject": ("access_order", row(403, **REGISTRAR)),
    "administration:access_order_cancel": (
        "access_order",
        row(403, manager=200, ek_admin_municipality=404),
    ),
}
# Follow-up (reports): managers, invoicing and central administration; Lars (a region
# manager) and Eva see the region. Users in the worklists and EK administrators do not.
FOLLOW_UP = row(403, manager=200, central=200)
MATRIX |= {
    "reports:indicators": ("", FOLLOW_UP),
    "reports:indicators_csv": ("", FOLLOW_UP),
    "reports:deadlines": ("", FOLLOW_UP),
    "reports:deadlines_csv": ("", FOLLOW_UP),
}
# Payment responsibility: Karin (Solna social services) sees Solna's basis, disputes rows and
# records a refusal of support; agreements and amounts are central administration's (and
# the region's invoicing role's: olle, tested in payments/tests/test_access.py).
MUNICIPALITY_ONLY = row(403, municipality=200)
MATRIX |= {
    "payments:basis": ("", MUNICIPALITY_ONLY),
    "payments:export": ("payments_export", MUNICIPALITY_ONLY),
    "payments:case": ("payments_case", MUNICIPALITY_ONLY),
    "payments:support_refusal": ("payments_case", MUNICIPALITY_ONLY),
    "payments:dispute": ("payments_case", row(405)),
    "payments:disputes": ("", MUNICIPALITY_ONLY),
    "payments:resolve": ("payments_dispute", row(405)),
    "payments:agreements": ("", CENTRAL_ONLY),
    "payments:agreement_create": ("", CENTRAL_ONLY),
    "payments:agreement_detail": ("payments_agreement", CENTRAL_ONLY),
    "payments:amounts": ("", CENTRAL_ONLY),
}
# The training pages exist only when BRYGGA_ENVIRONMENT=training: 404 here (the matrix runs
# as a demo environment); TRAINING_MATRIX below gives their answers in a training one.
MATRIX |= {
    "training:exercises": ("", row(404)),
    "training:reset": ("", row(404)),
    "training:reset_done": ("", row(404, anonymous=404, expired=404)),
}
# The FHIR API answers bearer tokens only: a browser session is no credential there (401 with
# an OperationOutcome for everyone). The CapabilityStatement and the SMART configuration are
# public, as FHIR clients need them before they have a token; the token endpoint takes POST
# only. Tokens have their own matrix in src/brygga/fhir/tests/test_auth.py.
NO_BEARER = row(401, anonymous=401, expired=401)
MATRIX |= {
    "fhir:metadata": ("", row(200, anonymous=200, expired=200)),
    "fhir:smart_configuration": ("", row(200, anonymous=200, expired=200)),
    "fhir:token": ("", row(405, anonymous=405, expired=405)),
    "fhir:type": ("fhir_type", NO_BEARER),
    "fhir:instance": ("fhir_instance", NO_BEARER),
}
# The directory sync's run reports (HSA/EK over LDAP): central administration only.
MATRIX |= {
    "directory_sync:runs": ("", row(403, central=200)),
    "directory_sync:run": ("sync_run", row(403, central=200)),
}
# The OpenAPI description of the FHIR API is public, like the CapabilityStatement.
MATRIX["fhir:openapi"] = ("", row(200, anonymous=200, expired=200))
# Invoicing (Olle, the region's fakturering): no care pages at all, like the other
# administrative roles; the payment basis, agreements and follow-up of the whole region
# (payments/tests/test_access.py adds a municipality's invoicing commission). Olle's start
# page is the invoicing overview; the export first asks which municipality.
INVOICING: dict[str, int | str] = {
    name: 403
    for name, (_, answers) in MATRIX.items()
    if name.startswith(("cases:", "reserve:")) and answers["ek_admin"] == 403
}
INVOICING |= {"home": 200, "payments:export": ELSEWHERE}
INVOICING |= {
    name: 200
    for name in (
        "payments:basis",
        "payments:case",
        "payments:disputes",
        "payments:agreements",
        "payments:agreement_create",
        "payments:agreement_detail",
        "payments:amounts",
        "reports:indicators",
        "reports:indicators_csv",
        "reports:deadlines",
        "reports:deadlines_csv",
    )
}
for _name, _answer in INVOICING.items():
    MATRIX[_name] = (MATRIX[_name][0], MATRIX[_name][1] | {"invoicing": _answer})
TRAINING_MATRIX: dict[str, dict[str, int | str]] = {
    "training:exercises": row(200),
    "training:reset": row(403, central=200),  # central administration: training administrator
    "training:reset_done": row(200, anonymous=200, expired=200),
}


@pytest.fixture(scope="module")
def demo(django_db_setup: None, django_db_blocker: Any) -> Iterator[Any]:
    """The demo region, loaded once for the whole matrix (each test still runs in its own
    transaction and leaves the region as it found it); emptied again afterwards."""
    from brygga.demo.world import load_demo_region

    with django_db_blocker.unblock():
        world = load_demo_region(today=timezone.localdate(), now=timezone.now())
    yield world
    with django_db_blocker.unblock():
        empty_database()


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


class Subjects(dict[str, list[Any]]):
    """URL arguments by key; the costly ones (a PDF, extra rows) are made on first use."""

    def __init__(self, eager: dict[str, list[Any]], lazy: dict[str, Callable[[], list[Any]]]):
        super().__init__(eager)
        self.lazy = lazy

    def __missing__(self, key: str) -> list[Any]:
        value = self.lazy[key]()
        self[key] = value
        return value


@pytest.fixture
def subjects(demo: Any) -> Subjects:
    anna = Actor(demo.person("anna"), commission_of(demo.person("anna")))
    anna_unit = anna.unit
    assert anna_unit is not None
    case = subject_case(demo)
    event = case.events.order_by("pk").first()
    assert event is not None
    region = Organisation.objects.get(org_number="2321000016")

    def external() -> list[Any]:
        admission = case.events.get(type="admission_notice")
        recipient = add_external_recipient(
            actor=anna,
            case=case,
            name="Socialtjänsten Uppsala kommun",
            fax="018-727 00 01",
            now=timezone.now(),
        )
        return [case.pk, recipient.pk, admission.pk]

    def contingency_list() -> list[Any]:
        written = write_contingency_list(
            actor=Actor.system("matrix"), unit=anna_unit, now=timezone.now()
        )
        return [written.pk]

    eager: dict[str, list[Any]] = {
        "": [],
        "case": [case.pk],
        "case_message": [case.pk, "meddelande"],
        "case_form": [case.pk, "inskrivningsmeddelande"],
        "case_event": [case.pk, event.pk],
        "patient": [case.patient_id],
        "fhir_type": ["Encounter"],
        "fhir_instance": ["Patient", case.patient_id],
        "own_org_unit": [anna_unit.pk],
        "organisation": [region.pk],
        "region_person": [demo.person("anna").pk],
        "region_commission": [commission_of(demo.person("anna")).pk],
        **support_matrix_subjects(demo),
        **administration_matrix_subjects(demo),
        **payments_matrix_subjects(demo),
    }
    return Subjects(
        eager,
        {
            "external": external,
            "contingency_list": contingency_list,
            "sync_run": lambda: [example_sync_run(now=timezone.now()).pk],
        },
    )


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
        "invoicing": log_in(Client(), demo.person("olle"), commission_of(demo.person("olle"))),
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


# Personas with no part in the subject case: whatever they are answered (a page of their
# own, a refusal, a redirect), it must not name the subject patient.
OUTSIDERS = ("anonymous", "other_unit", "ek_admin", "ek_admin_municipality", "invoicing", "expired")


def patient_traces(case: Case) -> list[str]:
    """How a page could give the subject patient away: identity number and name."""
    patient = case.patient
    number = patient.identity_number
    return [number, f"{number[:8]}-{number[8:]}", f"{patient.given_name} {patient.family_name}"]


def assert_no_leak(persona: str, response: Any, traces: list[str], url_name: str) -> None:
    """Zero leaks: an outsider's answer, and anyone's refusal or redirect, carries nothing of
    the subject patient (not only the right status code)."""
    if persona not in OUTSIDERS and response.status_code == 200:
        return
    if getattr(response, "streaming", False):
        body = b"".join(response.streaming_content).decode(errors="replace")
    else:
        body = response.content.decode(errors="replace")
    leaked = [trace for trace in traces if trace in body]
    assert not leaked, f"{url_name}: {persona} was shown {leaked}"


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
    url_name: str, subjects: Subjects, visitors: dict[str, Client], demo: Any
) -> None:
    args_key, expected = MATRIX[url_name]
    url = reverse(url_name, args=subjects[args_key])
    responses = {persona: visitors[persona].get(url) for persona in PERSONAS}
    actual = {persona: classify(response) for persona, response in responses.items()}
    assert actual == expected
    traces = patient_traces(subject_case(demo))
    for persona, response in responses.items():
        assert_no_leak(persona, response, traces, url_name)


@pytest.mark.parametrize("url_name", sorted(TRAINING_MATRIX))
def test_permission_matrix_in_a_training_environment(
    url_name: str, visitors: dict[str, Client], settings: Any
) -> None:
    settings.ENVIRONMENT = "training"
    url = reverse(url_name)
    actual = {persona: classify(visitors[persona].get(url)) for persona in PERSONAS}
    assert actual == TRAINING_MATRIX[url_name]


def test_the_training_banner_is_on_every_page_in_a_training_environment(
    subjects: Subjects, visitors: dict[str, Client], settings: Any
) -> None:
    """Every HTML page any visitor can open carries the banner (docs/training.md)."""
    settings.ENVIRONMENT = "training"
    seen = 0
    for url_name, (args_key, expected) in sorted(MATRIX.items()):
        persona = next((p for p in PERSONAS if expected[p] == 200), None)
        if persona is None:
            continue
        response = visitors[persona].get(reverse(url_name, args=subjects[args_key]))
        if response.status_code != 200 or not response["Content-Type"].startswith("text/html"):
            continue
        assert 'role="region" aria-label="Utbildningsmiljö"' in response.content.decode(), url_name
        seen += 1
    assert seen > 20


def test_expired_commission_in_a_live_session_is_refused(
    visitors: dict[str, Client], subjects: Subjects
) -> None:
    client = visitors["own_unit"]
    Commission.objects.filter(pk=client.session["brygga_commission_id"]).update(
        valid_from="2018-01-01", valid_to="2018-12-31"
    )
    response = client.get(reverse("cases:detail", args=subjects["case"]))
    assert classify(response) == CHOOSE


def test_a_unit_without_brygga_care_type_cannot_be_acted_for(
    visitors: dict[str, Client], subjects: Subjects
) -> None:
    client = visitors["own_unit"]
    Unit.objects.filter(pk__in=subjects["own_org_unit"]).update(care_type="")
    assert classify(client.get(reverse("cases:worklist"))) == CHOOSE
