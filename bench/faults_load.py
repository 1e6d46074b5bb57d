"""The load of bench/faults.py: staff recording notices through the real forms.

Each client is one logged-in user (a session made by faults_setup.py). It opens a notice
form (GET: CSRF cookie, the case version and the form's idempotency key), fills it in and
posts it. On a connection error, a timeout or a 5xx it posts the *same* form again, as a
browser's resubmit would: same idempotency key, same version, same CSRF token. A notice is
"acknowledged" only when the server answered with the redirect to the case page that the UI
shows as saved.
"""

from __future__ import annotations

import random
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

import requests

SESSION_COOKIE = "brygga_session"
# What a user meets when the server is in trouble, and answers by submitting the same form
# again: 5xx (503 is Brygga's reserve-routine page during a database outage), and 400, which
# Django answers when the session cannot be saved at the end of a request because the
# database went away (SessionInterrupted).
RETRY_STATUSES = frozenset({400, 500, 502, 503, 504})


class _FormParser(HTMLParser):
    """The fields of every POST form on a page: inputs, checked radios/boxes, textareas."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[dict[str, str]] = []
        self._current: dict[str, str] | None = None
        self._textarea: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form" and a.get("method", "").lower() == "post":
            self._current = {}
            self.forms.append(self._current)
        elif self._current is None:
            return
        elif tag == "input" and a.get("name"):
            kind = a.get("type", "text").lower()
            if kind in {"radio", "checkbox"}:
                if "checked" in a:
                    self._current[a["name"]] = a.get("value", "on")
            elif kind not in {"submit", "button"}:
                self._current[a["name"]] = a.get("value", "")
        elif tag == "textarea" and a.get("name"):
            self._textarea = a["name"]
            self._text = []

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "textarea" and self._textarea is not None and self._current is not None:
            self._current[self._textarea] = "".join(self._text).strip("\n")
            self._textarea = None
        elif tag == "form":
            self._current = None


def notice_form(html: str) -> dict[str, str] | None:
    parser = _FormParser()
    parser.feed(html)
    for form in parser.forms:
        if "idempotency_key" in form:
            return form
    return None


def fill(slug: str, form: dict[str, str], marker: str) -> dict[str, str]:
    data = dict(form)
    data["text"] = marker
    if slug == "planeringsunderlag":
        data["needs_after_discharge"] = "Hemtjänst morgon och kväll."
    elif slug == "fast-vardkontakt":
        data["name"] = "Distriktssköterska Test"
    elif slug == "utskrivningsklar":
        data["doctor"] = "Dr Test"
    return data


@dataclass
class Outcome:
    client: str
    case: int
    slug: str
    key: str
    marker: str
    result: str  # acknowledged | refused | invalid | failed
    attempts: int
    started: float
    finished: float
    detail: str = ""


@dataclass
class LoadStats:
    outcomes: list[Outcome] = field(default_factory=list)
    errors: Counter[str] = field(default_factory=Counter)  # what the clients met on the way
    error_times: list[float] = field(default_factory=list)  # time.monotonic() of each
    not_submitted: int = 0  # the form page could not be opened: nothing was posted
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, outcome: Outcome) -> None:
        with self.lock:
            self.outcomes.append(outcome)

    def error(self, what: str) -> None:
        with self.lock:
            self.errors[what] += 1
            self.error_times.append(time.monotonic())


class Client(threading.Thread):
    def __init__(
        self,
        spec: dict[str, Any],
        *,
        base_url: str,
        run_id: str,
        stop_at: float,
        stats: LoadStats,
        retry_seconds: float,
        think: tuple[float, float],
        seed: int,
    ) -> None:
        super().__init__(name=spec["name"], daemon=True)
        self.spec = spec
        self.base_url = base_url
        self.run_id = run_id
        self.stop_at = stop_at
        self.stats = stats
        self.retry_seconds = retry_seconds
        self.think = think
        self.random = random.Random(seed)
        self.http = requests.Session()
        self.http.cookies.set(SESSION_COOKIE, spec["session_key"], domain="127.0.0.1", path="/")
        self.sequence = 0

    def _request(self, method: str, url: str, **kwargs: Any) -> requests.Response | None:
        """One HTTP request; None (and the reason counted) on a transport error."""
        try:
            return self.http.request(method, url, timeout=20, allow_redirects=False, **kwargs)
        except requests.Timeout:
            self.stats.error(f"{method} timeout")
        except requests.ConnectionError:
            self.stats.error(f"{method} connection error")
        return None

    def _with_retries(self, method: str, url: str, **kwargs: Any) -> tuple[Any, int]:
        """Retry on transport errors and 5xx until retry_seconds have passed."""
        deadline = time.monotonic() + self.retry_seconds
        attempts = 0
        delay = 0.25
        while True:
            attempts += 1
            response = self._request(method, url, **kwargs)
            if response is not None and response.status_code not in RETRY_STATUSES:
                return response, attempts
            if response is not None:
                self.stats.error(f"{method} {response.status_code}")
            if time.monotonic() + delay > deadline:
                return response, attempts
            time.sleep(delay)
            delay = min(delay * 2, 4.0)

    def record(self, case: int, slug: str) -> None:
        url = f"{self.base_url}/arenden/{case}/{slug}/"
        page, _ = self._with_retries("GET", url)
        if page is None or page.status_code != 200:
            status = "transport" if page is None else str(page.status_code)
            with self.stats.lock:
                self.stats.not_submitted += 1
                self.stats.errors[f"form not opened ({status})"] += 1
            return
        form = notice_form(page.text)
        if form is None:
            with self.stats.lock:
                self.stats.not_submitted += 1
                self.stats.errors["no form on page"] += 1
            return
        self.sequence += 1
        marker = f"faults {self.run_id} {self.name} #{self.sequence}"
        data = fill(slug, form, marker)
        started = time.time()
        response, attempts = self._with_retries("POST", url, data=data)
        if response is None:
            result, detail = "failed", "no answer"
        elif response.status_code == 302 and response.headers.get("Location", "").endswith(
            f"/arenden/{case}/"
        ):
            result, detail = "acknowledged", ""
            if attempts > 1:
                detail = self._which_attempt(response.headers["Location"])
        elif response.status_code == 409:
            result, detail = "refused", "409"
        elif response.status_code == 200:
            result, detail = "invalid", "form shown again"
        else:
            result = "failed"
            detail = f"{response.status_code} {response.headers.get('Location', '')}"
        self.stats.add(
            Outcome(
                client=self.name,
                case=case,
                slug=slug,
                key=data["idempotency_key"],
                marker=marker,
                result=result,
                attempts=attempts,
                started=started,
                finished=time.time(),
                detail=detail,
            )
        )

    def _which_attempt(self, location: str) -> str:
        """After a resubmit: did an earlier attempt already record it? The case page then
        says so ("Det här är redan registrerat."), as the user would see."""
        page, _ = self._with_retries("GET", self.base_url + location)
        if page is None or page.status_code != 200:
            return "resubmitted (case page not read)"
        if "redan registrerat" in page.text:
            return "resubmitted: an earlier attempt had recorded it"
        return "resubmitted: recorded by the resubmit"

    def run(self) -> None:
        tasks = self.spec["tasks"]
        once = [t for t in tasks if t["once"]]
        repeatable = [t for t in tasks if not t["once"]]
        while time.monotonic() < self.stop_at:
            if once:
                task = once.pop(0)
            elif repeatable:
                task = self.random.choice(repeatable)
            else:
                return
            self.record(task["case"], task["slug"])
            time.sleep(self.random.uniform(*self.think))
