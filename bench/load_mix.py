"""The Locust users of bench/load.py: the three parties' work on Brygga, as real requests.

Each simulated user is one logged-in member of staff (a session created server-side by
bench/load.py, `--prepare`), and works in a closed loop with no think time:

- ward staff (inpatient unit): the worklist, case pages of their unit's open cases,
  acknowledging notices, and recording a notice on their own case — an inskrivningsmeddelande
  where the case still waits for one, otherwise planeringsunderlag or a message — by
  fetching the form, taking the CSRF token, version and idempotency key from it, and posting;
- primary care: the worklist, opening a case from the list of unacknowledged notices,
  acknowledging them, case pages;
- municipality (a manager of a social-services unit): the same, and now and then the
  follow-up page of the last month.

A POST is followed by the GET of the page it redirects to, as a browser does. A 409
(someone else changed the case between the form and the post) is the application's correct
answer and is counted as a conflict, not an error. In "minimal" mode every user requests the
baseline view (bench/minimal_urls.py) with their session cookie instead.

Requests go to the app servers in `Staff.hosts` in turn (round robin per user, no
stickiness): with two app processes a user's consecutive requests alternate between them.
"""

from __future__ import annotations

import itertools
import random
import re
import time
import uuid
from http.cookiejar import Cookie, DefaultCookiePolicy
from typing import Any, ClassVar
from urllib.parse import urlsplit

from locust import FastHttpUser, constant, task

SESSION_COOKIE = "brygga_session"
CASE_LINK = re.compile(r'href="(/arenden/(\d+)/)(?:#[^"]*)?"')
ACTION_LINK = re.compile(r'href="/arenden/\d+/([a-z-]+)/"')
HIDDEN = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)"')
WARD_EVENTS = ("inskrivningsmeddelande", "planeringsunderlag", "meddelande")

# Shares of the loop iterations per kind of user (the rest of each is the worklist).
WARD = {"case": 0.45, "record": 0.20, "acknowledge": 0.10}
OUTPATIENT = {"case": 0.35, "inbox": 0.40}
STATISTICS_SHARE = 0.03  # municipality managers: the follow-up page


def session_cookie(host: str, value: str) -> Cookie:
    """The session cookie as the browser holds it after login (the jar ignores ports)."""
    return Cookie(
        version=0,
        name=SESSION_COOKIE,
        value=value,
        port=None,
        port_specified=False,
        domain=host,
        domain_specified=False,
        domain_initial_dot=False,
        path="/",
        path_specified=True,
        secure=True,
        expires=None,
        discard=True,
        comment=None,
        comment_url=None,
        rest={"HttpOnly": ""},
    )


class BehindProxyPolicy(DefaultCookiePolicy):
    """The browser holds Secure cookies for the HTTPS site; here the proxy that ends TLS is
    left out and requests go to gunicorn over plain HTTP (with X-Forwarded-Proto), so the
    jar sends Secure cookies over HTTP too."""

    def return_ok_secure(self, cookie: Cookie, request: Any) -> bool:
        return True


class Staff(FastHttpUser):
    """One member of staff. `personas`, `hosts` and `mode` are set by bench/load.py."""

    wait_time = constant(0)
    network_timeout = 30.0
    connection_timeout = 10.0
    host = "http://127.0.0.1"

    personas: ClassVar[list[dict[str, Any]]] = []
    hosts: ClassVar[list[str]] = []
    mode: ClassVar[str] = "mix"
    conflicts: ClassVar[int] = 0
    skipped_writes: ClassVar[int] = 0
    _numbers: ClassVar[itertools.count[int]] = itertools.count()

    def on_start(self) -> None:
        number = next(Staff._numbers)
        self.persona = self.personas[number % len(self.personas)]
        self.rng = random.Random(number)
        self.turn = number
        self.client.cookiejar.set_policy(BehindProxyPolicy())
        self.client.cookiejar.set_cookie(session_cookie("127.0.0.1", self.persona["session"]))

    # --- requests ---------------------------------------------------------------------

    def _base(self) -> str:
        self.turn += 1
        return self.hosts[self.turn % len(self.hosts)]

    def _headers(self, base: str) -> dict[str, str]:
        # As nginx passes them (TLS ends there); a browser's POST carries its Origin.
        return {"X-Forwarded-Proto": "https", "Origin": base.replace("http://", "https://")}

    def get(self, path: str, name: str) -> str | None:
        base = self._base()
        with self.client.get(
            base + path,
            name=name,
            headers=self._headers(base),
            allow_redirects=False,  # a redirect to the login page is an error here
            catch_response=True,
        ) as response:
            if response.status_code != 200:
                response.failure(f"{response.status_code} on {path}")
                return None
            return response.text or ""

    def post(self, path: str, data: dict[str, str], name: str) -> str | None:
        """POST a form; the path it redirects to when it was recorded, else None."""
        base = self._base()
        with self.client.post(
            base + path,
            data=data,
            name=name,
            headers=self._headers(base),
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code == 302:
                return urlsplit(response.headers.get("Location", "")).path or None
            if response.status_code == 409:
                Staff.conflicts += 1
                response.success()
                return None
            response.failure(f"{response.status_code} on POST {path}")
            return None

    # --- the work -----------------------------------------------------------------------

    @task
    def work(self) -> None:
        if self.mode == "minimal":
            self.get("/minimal/", "minimal view")
            return
        roll = self.rng.random()
        kind = self.persona["kind"]
        if self.persona["statistics"] and roll < STATISTICS_SHARE:
            self.get("/uppfoljning/", "follow-up page")
            return
        shares = WARD if kind == "ward" else OUTPATIENT
        for action, share in shares.items():
            if roll < share:
                getattr(self, action)()
                return
            roll -= share
        self.get("/arenden/", "worklist")

    def _a_case(self) -> str:
        return f"/arenden/{self.rng.choice(self.persona['cases'])}/"

    def case(self) -> None:
        page = self.get(self._a_case(), "case page")
        if page and "/kvittera/" in page and self.rng.random() < 0.5:
            self._acknowledge(page)

    def acknowledge(self) -> None:
        """Open a case with unacknowledged notices from the worklist, acknowledge them."""
        self.inbox()

    def inbox(self) -> None:
        worklist = self.get("/arenden/", "worklist")
        if not worklist:
            return
        notices = worklist.split('id="notices-heading"', 1)[-1].split("</section>", 1)[0]
        links = [m.group(1) for m in CASE_LINK.finditer(notices)]
        if not links:
            self.get(self._a_case(), "case page")
            return
        page = self.get(self.rng.choice(links), "case page")
        if page and "/kvittera/" in page:
            self._acknowledge(page)

    def _acknowledge(self, page: str) -> None:
        form = page.split("/kvittera/", 1)
        path = form[0].rsplit('action="', 1)[-1] + "/kvittera/"
        fields = dict(HIDDEN.findall(form[1].split("</form>", 1)[0]))
        token = fields.get("csrfmiddlewaretoken", "")
        target = self.post(path, {"csrfmiddlewaretoken": token}, "POST acknowledge")
        if target:
            self.get(target, "case page")

    def record(self) -> None:
        """Record a notice on one of the unit's cases, through its form."""
        case = self._a_case()
        page = self.get(case, "case page")
        if not page:
            return
        offered = [slug for slug in ACTION_LINK.findall(page) if slug in WARD_EVENTS]
        if not offered:
            Staff.skipped_writes += 1
            return
        slug = (
            "inskrivningsmeddelande"
            if "inskrivningsmeddelande" in offered
            else self.rng.choice(offered)
        )
        form_path = f"{case}{slug}/"
        form_page = self.get(form_path, f"form {slug}")
        if not form_page:
            return
        data = dict(HIDDEN.findall(form_page.split('<form method="post"', 1)[-1]))
        stamp = time.strftime("%H:%M:%S")
        if slug == "planeringsunderlag":
            data |= {
                "living_situation": "Bor ensam i lägenhet med hiss.",
                "current_support": "Hemtjänst två gånger dagligen.",
                "needs_after_discharge": f"Trygghetslarm och hjälp med dusch ({stamp}).",
                "ward_contact": "Sjuksköterska på avdelningen",
            }
        elif slug == "meddelande":
            data["text"] = f"Belastningstest {uuid.uuid4().hex[:8]}: fråga om hemgång ({stamp})."
        target = self.post(form_path, data, f"POST {slug}")
        if target:
            self.get(target, "case page")
