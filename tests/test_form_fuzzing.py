"""Fuzzing every form in Brygga: whatever a user (or a broken browser) posts, the answer is
never a server error, a refusal says in Swedish what is wrong, and nothing is half-saved.

The forms are found, not listed: every page of the permission matrix (and every case event
form of the LUS rules) is fetched as a persona the matrix lets in, and every POST form on it
is fuzzed with hypothesis — its own fields filled with control characters, very long and
odd unicode text, SQL and HTML fragments, impossible dates, numbers out of range, fields
left out or sent twice — by a logged-in user whose CSRF token is checked. A new form is
fuzzed without anyone adding it here.

Each example runs in a savepoint that is rolled back, so examples are independent and the
demo region (committed once for the module, as in the permission matrix) stays as it was.
"""

from __future__ import annotations

import copy
import datetime as dt
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urlencode, urlsplit

import pytest
from django.apps import apps
from django.db import connection, models, transaction
from django.test import Client
from django.urls import Resolver404, resolve, reverse
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from brygga.cases.forms import EVENT_SLUGS
from brygga.cases.models import Case
from brygga.core.actor import Actor
from brygga.patients.models import Patient
from brygga.payments.actions import NotAllowed, open_dispute
from brygga.testing import commission_of, fuzz_settings, log_in

from .test_permission_matrix import (
    MATRIX,
    PERSONAS,
    Subjects,
    demo,  # noqa: F401  (the module-scoped committed demo region)
    subjects,  # noqa: F401
    visitors,  # noqa: F401
)

pytestmark = pytest.mark.django_db

EXAMPLES = 15  # per form; derandomized, so CI posts the same data every run

# Forms that end the session or change only the display; fuzzing them says nothing.
NOT_FUZZED = {"accounts:logout", "set_language"}
# Hidden fields that say which step of a page the post belongs to: without them the view
# starts the page over (no error to show), so they are always sent as rendered.
PAGE_STATE = {"cases:open": ("identitet",)}
# Apps whose rows may change on a refused post: the access log records every request.
LOGGED_APPS = {"audit", "sessions", "admin", "contenttypes", "oauth2_provider"}
# Django's English defaults: with LANGUAGE_CODE "sv" none of them may reach a user.
ENGLISH = (
    "This field is required",
    "Enter a valid",
    "Ensure this value",
    "Select a valid choice",
    "Null characters are not allowed",
    "is not a valid",
    "Traceback",
)
ERROR_MARKERS = ('class="error-summary"', 'role="alert"', 'class="errorlist', "messages")

NASTY = [
    "",
    " ",
    "\x00",
    "a\x00b",
    "\x1b[31m\x07\x08",
    "\r\n\t",
    "'; DROP TABLE cases_case; --",
    "' OR '1'='1",
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "{{ 7*7 }}{% debug %}",
    "2026-02-30",
    "2026-13-01",
    "31/12/2026",
    "0000-00-00",
    "9999-12-31T25:61",
    "-1",
    "0",
    "99999999999999999999999999",
    "-99999999999999999999999999",
    "1e309",
    "NaN",
    "1,5",
    "٣٤",
    "\u202eÖÄÅ\u200b",
    "😀" * 20,
    "Å" * 5000,
    "x" * 70_000,
    "19121212-1212",
    "SE2321000016-XXXX",
]


@dataclass
class FormSpec:
    """A POST form as the page renders it."""

    action: str
    url_name: str
    fields: dict[str, list[str]] = field(default_factory=dict)  # name -> offered values
    csrf: str = ""


class _Forms(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[FormSpec] = []
        self.current: FormSpec | None = None
        self.select: str | None = None
        self.textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            if a.get("method", "get").lower() == "post":
                self.current = FormSpec(action=a.get("action", ""), url_name="")
                self.forms.append(self.current)
            return
        form = self.current
        if form is None:
            return
        name = a.get("name", "")
        if tag == "input" and name:
            if name == "csrfmiddlewaretoken":
                form.csrf = a.get("value", "")
            elif a.get("type") not in {"submit", "button", "image", "reset", "file"}:
                form.fields.setdefault(name, []).append(a.get("value", "on"))
        elif tag == "select" and name:
            self.select = name
            form.fields.setdefault(name, [])
        elif tag == "option" and self.select:
            form.fields[self.select].append(a.get("value", ""))
        elif tag == "textarea" and name:
            self.textarea = name
            form.fields.setdefault(name, [""])

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.current = None
        elif tag == "select":
            self.select = None
        elif tag == "textarea":
            self.textarea = None

    def handle_data(self, data: str) -> None:
        if self.textarea and self.current is not None and data.strip():
            self.current.fields[self.textarea] = [data]


def post_forms(html: str, page: str) -> list[FormSpec]:
    parser = _Forms()
    parser.feed(html)
    found = []
    for form in parser.forms:
        form.action = urlsplit(form.action or page).path or page
        try:
            match = resolve(form.action)
        except Resolver404:
            continue
        form.url_name = match.view_name
        if form.url_name and form.url_name not in NOT_FUZZED:
            found.append(form)
    return found


def _counted_models() -> list[type[models.Model]]:
    return [
        m
        for m in apps.get_models()
        if m._meta.app_label not in LOGGED_APPS and not m._meta.proxy and m._meta.managed
    ]


def row_counts() -> dict[str, int]:
    """Rows per table of every domain model, in one query."""
    tables = sorted({m._meta.db_table for m in _counted_models()})
    quote = connection.ops.quote_name
    sql = "SELECT " + ", ".join(f"(SELECT COUNT(*) FROM {quote(t)})" for t in tables)
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return dict(zip(tables, cursor.fetchone(), strict=True))


# --- What to fuzz -------------------------------------------------------------------------

FIRST = ("own_unit", "municipality", "invoicing", "manager", "ek_admin", "central", "other_unit")


def _pages() -> list[tuple[str, str]]:
    """(url name, argument key) of every page some persona may open, plus each event form."""
    pages = [(name, "") for name, (_, answers) in sorted(MATRIX.items()) if 200 in answers.values()]
    pages += [("cases:event", slug) for slug in sorted(EVENT_SLUGS.values())]
    # Opening a case: its forms appear once an identity number is given (a known patient
    # gets the case form, an unknown one the registration form first).
    pages += [("cases:open", "?known"), ("cases:open", "?new")]
    return pages


PAGES = _pages()
NEW_PATIENT = "193803059801"  # a valid test personnummer (Skatteverket's test series)
_fuzzed: set[tuple[str, str]] = set()  # (form url name, persona) already fuzzed elsewhere


def _personas(url_name: str) -> list[str]:
    answers = MATRIX[url_name][1]
    allowed = [p for p in FIRST if answers.get(p) == 200]
    return allowed[:2] or [p for p in PERSONAS if answers.get(p) == 200][:1]


@pytest.fixture
def csrf_clients(visitors: dict[str, Client]) -> dict[str, Client]:  # noqa: F811
    """The matrix's logged-in personas, with Django's CSRF check switched on."""
    clients = {}
    for persona, visitor in visitors.items():
        client = Client(enforce_csrf_checks=True)
        client.cookies = visitor.cookies
        clients[persona] = client
    return clients


def field_value(offered: list[str]) -> st.SearchStrategy[str]:
    choices = [v for v in offered if v]
    parts: list[st.SearchStrategy[str]] = [
        st.sampled_from(NASTY),
        st.text(max_size=40),  # any code point, control characters included
    ]
    if choices:
        parts += [st.sampled_from(choices)] * 2
    return st.one_of(parts)


def form_data(spec: FormSpec) -> st.SearchStrategy[dict[str, list[str]]]:
    @st.composite
    def build(draw: st.DrawFn) -> dict[str, list[str]]:
        data: dict[str, list[str]] = {"csrfmiddlewaretoken": [spec.csrf]}
        for name, offered in spec.fields.items():
            if name in PAGE_STATE.get(spec.url_name, ()):
                data[name] = offered[:1]
                continue
            how = draw(st.sampled_from(["fill", "fill", "fill", "offered", "missing", "twice"]))
            if how == "missing":
                continue
            if how == "offered":
                data[name] = offered[:1] or [""]
                continue
            value = draw(field_value(offered))
            data[name] = [value, draw(field_value(offered))] if how == "twice" else [value]
        return data

    return build()


def assert_handled(response: Any, before: dict[str, int], form: FormSpec, data: Any) -> None:
    status = response.status_code
    assert status < 500, f"{status} for {form.url_name} with {data!r}"
    if status in (301, 302, 303):
        return  # accepted (or sent elsewhere); what it saved is the action's business
    body = response.content.decode("utf-8", "replace")
    if "text/html" in response.get("Content-Type", ""):
        assert any(marker in body for marker in ERROR_MARKERS), (
            f"{form.url_name} refused ({status}) without a visible message: {data!r}"
        )
    english = [text for text in ENGLISH if text in body]
    assert not english, f"{form.url_name} answered in English {english}: {data!r}"
    after = row_counts()
    changed = {table: (n, after[table]) for table, n in before.items() if after[table] != n}
    assert not changed, f"{form.url_name} refused ({status}) but saved rows {changed}: {data!r}"


@pytest.mark.parametrize(
    ("url_name", "slug"), PAGES, ids=[f"{n}{':' + s if s else ''}" for n, s in PAGES]
)
def test_every_form_survives_fuzzing(
    url_name: str,
    slug: str,
    subjects: Subjects,  # noqa: F811
    csrf_clients: dict[str, Client],
) -> None:
    if slug.startswith("?"):
        known = Patient.objects.get(pk=subjects["patient"][0]).identity_number
        number = known if slug == "?known" else NEW_PATIENT
        url = reverse(url_name) + "?" + urlencode({"identitet": number})
        personas = ["own_unit"]
    elif slug:
        url = reverse(url_name, args=[subjects["case"][0], slug])
        personas = ["own_unit", "municipality"]
    else:
        url = reverse(url_name, args=subjects[MATRIX[url_name][0]])
        personas = _personas(url_name)
    for persona in personas:
        client = csrf_clients[persona]
        page = client.get(url)
        if page.status_code != 200 or "text/html" not in page.get("Content-Type", ""):
            continue
        for form in post_forms(page.content.decode(), url):
            key = (form.url_name if not slug else f"{form.url_name}:{slug}", persona)
            if key in _fuzzed:
                continue
            _fuzzed.add(key)
            fuzz_form(client, form)


def fuzz_form(client: Client, form: FormSpec) -> None:
    @fuzz_settings(EXAMPLES)
    @given(data=form_data(form))
    def post(data: dict[str, list[str]]) -> None:
        # An accepted login or commission choice rotates the session and CSRF cookies; the
        # next example starts from the cookies the form was rendered with.
        cookies = copy.deepcopy(client.cookies)
        try:
            with transaction.atomic():
                before = row_counts()
                response = client.post(form.action, data)
                assert_handled(response, before, form, data)
                transaction.set_rollback(True)
        finally:
            client.cookies = cookies

    post()


def test_resolving_a_dispute_survives_fuzzing(
    demo: Any,  # noqa: F811
    subjects: Subjects,  # noqa: F811
    csrf_clients: dict[str, Client],
) -> None:
    """The region's invoicing decides a disputed row; the form is there only once a
    municipality has disputed one, so Karin (Solna) disputes Jonas's row first."""
    karin = demo.person("karin")
    case = Case.objects.get(pk=subjects["payments_case"][0])
    this_month = (timezone.localdate() - dt.timedelta(days=1)).replace(day=1)
    month_before = (this_month - dt.timedelta(days=1)).replace(day=1)
    # The row is in the month of yesterday, or (early in a month) in the month before.
    for month in (this_month, month_before):
        try:
            open_dispute(
                actor=Actor(karin, commission_of(karin)),
                case=case,
                month=month,
                comment="Patienten var inte utskrivningsklar enligt vår bedömning.",
            )
            break
        except NotAllowed:
            continue
    else:
        pytest.fail("Jonas has no row in Solna's basis to dispute")
    url = reverse("payments:case", args=[case.pk]) + f"?manad={month:%Y-%m}"
    client = csrf_clients["invoicing"]
    page = client.get(url)
    assert page.status_code == 200
    forms = [f for f in post_forms(page.content.decode(), url) if f.url_name == "payments:resolve"]
    assert forms, "no resolve form on the disputed row"
    fuzz_form(client, forms[0])


def test_withdrawing_a_unit_order_survives_fuzzing(
    demo: Any,  # noqa: F811
    subjects: Subjects,  # noqa: F811
) -> None:
    """Only the orderer may withdraw an open order: Ingela, who is not one of the matrix's
    personas, withdraws her own."""
    ingela = demo.person("ingela")
    client = log_in(Client(enforce_csrf_checks=True), ingela, commission_of(ingela, "manager"))
    url = reverse("administration:unit_order_cancel", args=subjects["unit_order"])
    page = client.get(url)
    assert page.status_code == 200
    forms = post_forms(page.content.decode(), url)
    assert [f.url_name for f in forms] == ["administration:unit_order_cancel"]
    fuzz_form(client, forms[0])
