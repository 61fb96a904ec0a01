"""The benchmark's HTTP client (run.py and demo_pages.py): timed requests, a browser
that signs in and posts forms as a browser does, and a pool of connections working
through a list of requests.

Plain ``http.client`` on loopback, one connection per request (gunicorn's sync workers
close each connection after the response), so that the client costs little beside the
server it measures and every figure is one whole request: connect, send, the complete
response read.
"""

from __future__ import annotations

import dataclasses
import http.client
import math
import statistics
import threading
import time
import urllib.parse
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from html.parser import HTMLParser
from http.cookies import SimpleCookie

USER_AGENT = "academy-maturity-benchmark"


@dataclass(frozen=True)
class Response:
    status: int
    ms: float
    statements: int  # X-SQL-Statements (MATURITY_SQL_COUNT_HEADER), -1 when absent
    location: str  # the path a redirect leads to, "" otherwise
    content_type: str
    body: str
    cookies: tuple[tuple[str, str], ...] = ()


def request(
    base: str,
    path: str,
    cookie: str = "",
    *,
    data: Sequence[tuple[str, str]] | None = None,
    timeout: float = 120,
) -> Response:
    """One request, timed from connecting to the last byte of the response; a form
    (url-encoded ``data``) makes it a POST. Redirects are not followed."""
    parts = urllib.parse.urlsplit(base)
    headers = {"User-Agent": USER_AGENT}
    if cookie:
        headers["Cookie"] = cookie
    body = None
    if data is not None:
        body = urllib.parse.urlencode(list(data)).encode()
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    started = time.perf_counter()
    connection = http.client.HTTPConnection(
        parts.hostname or "127.0.0.1", parts.port, timeout=timeout
    )
    try:
        connection.request("POST" if body is not None else "GET", path, body=body, headers=headers)
        response = connection.getresponse()
        content = response.read()
    finally:
        connection.close()
    ms = (time.perf_counter() - started) * 1000
    set_cookies: list[tuple[str, str]] = []
    for header in response.headers.get_all("Set-Cookie") or []:
        parsed: SimpleCookie = SimpleCookie()
        parsed.load(header)
        set_cookies.extend((name, morsel.value) for name, morsel in parsed.items())
    return Response(
        status=response.status,
        ms=ms,
        statements=int(response.headers.get("X-SQL-Statements", "-1")),
        location=urllib.parse.urlsplit(response.headers.get("Location", "")).path,
        content_type=response.headers.get("Content-Type", ""),
        body=content.decode("utf-8", "replace"),
        cookies=tuple(set_cookies),
    )


# --- Forms as a browser posts them ---------------------------------------------------------


@dataclass
class Form:
    action: str
    fields: list[tuple[str, str]] = field(default_factory=list)
    buttons: list[tuple[str, str]] = field(default_factory=list)

    def data(self, changes: dict[str, str] | None = None, button: str | None = None) -> list:
        """What a browser sends: every successful control, with ``changes`` (name → value)
        replacing or adding values, and the named submit button's value if given."""
        changes = dict(changes or {})
        sent = []
        for name, value in self.fields:
            if name in changes:
                value = changes.pop(name)
            sent.append((name, value))
        sent.extend(changes.items())
        if button is not None:
            sent.extend((name, value) for name, value in self.buttons if value == button)
        return sent


class _FormParser(HTMLParser):
    def __init__(self, page_path: str) -> None:
        super().__init__(convert_charrefs=True)
        self.page_path = page_path
        self.forms: list[Form] = []
        self._form: Form | None = None
        self._textarea: str | None = None
        self._select: str | None = None
        self._select_value: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {name: value or "" for name, value in attrs}
        if tag == "form":
            action = urllib.parse.urlsplit(found.get("action") or self.page_path).path
            self._form = Form(action)
            self.forms.append(self._form)
        elif self._form is not None:
            self._control(tag, found)

    def _control(self, tag: str, found: dict[str, str]) -> None:
        assert self._form is not None
        name = found.get("name")
        kind = found.get("type", "text").lower()
        if tag == "input" and name and "disabled" not in found:
            if kind in ("checkbox", "radio"):
                if "checked" in found:
                    self._form.fields.append((name, found.get("value", "on")))
            elif kind == "submit":
                self._form.buttons.append((name, found.get("value", "")))
            elif kind not in ("button", "file", "image", "reset"):
                self._form.fields.append((name, found.get("value", "")))
        elif tag == "button" and name and kind == "submit":
            self._form.buttons.append((name, found.get("value", "")))
        elif tag == "textarea" and name:
            self._textarea, self._text = name, []
        elif tag == "select" and name:
            self._select, self._select_value = name, None
        elif tag == "option" and self._select is not None:
            if self._select_value is None or "selected" in found:
                self._select_value = found.get("value", "")

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if self._form is None:
            return
        if tag == "textarea" and self._textarea is not None:
            self._form.fields.append((self._textarea, "".join(self._text).lstrip("\n")))
            self._textarea = None
        elif tag == "select" and self._select is not None:
            self._form.fields.append((self._select, self._select_value or ""))
            self._select = None
        elif tag == "form":
            self._form = None


def form_on(page: str, page_path: str, action: str) -> Form:
    """The form on a page that posts to ``action`` (a path)."""
    parser = _FormParser(page_path)
    parser.feed(page)
    for form in parser.forms:
        if form.action == action:
            return form
    raise SystemExit(f"{page_path}: no form posting to {action}")


class Browser:
    """One person's session: cookies kept from response to response, forms posted with
    the page's CSRF token. Every request is timed (``Response.ms``)."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.cookies: dict[str, str] = {}

    @property
    def cookie(self) -> str:
        return "; ".join(f"{name}={value}" for name, value in self.cookies.items())

    def get(self, path: str) -> Response:
        return self._keep(request(self.base, path, self.cookie))

    def post(self, path: str, data: Sequence[tuple[str, str]]) -> Response:
        return self._keep(request(self.base, path, self.cookie, data=data))

    def _keep(self, response: Response) -> Response:
        self.cookies.update(response.cookies)
        return response

    def page(self, path: str) -> Response:
        """GET a page that must answer 200."""
        response = self.get(path)
        if response.status != 200:
            raise SystemExit(f"GET {path}: HTTP {response.status} {response.location}")
        return response

    def submit(
        self,
        page_path: str,
        action: str,
        changes: dict[str, str] | None = None,
        *,
        button: str | None = None,
        expect: str | None = None,
    ) -> Response:
        """Open a page, fill its form for ``action`` as a person would (``changes``) and
        post it; the POST's response (timed alone), which must redirect (to ``expect``)."""
        form = form_on(self.page(page_path).body, page_path, action)
        response = self.post(action, form.data(changes, button))
        if response.status not in (302, 303) or (expect and response.location != expect):
            raise SystemExit(
                f"POST {action}: HTTP {response.status} to {response.location or '-'}"
                + (f", expected a redirect to {expect}" if expect else "")
            )
        return response

    def sign_in(self, email: str, password: str) -> Browser:
        response = self.submit("/sign-in", "/sign-in", {"email": email, "password": password})
        if response.location == "/sign-in":
            raise SystemExit(f"signing in as {email} failed")
        return self


# --- Many requests over a few connections ----------------------------------------------------


@dataclass(frozen=True)
class Job:
    kind: str
    path: str
    cookie: str


@dataclass(frozen=True)
class Outcome:
    job: Job
    response: Response


def run_jobs(
    base: str, jobs: Iterable[Job], connections: int, *, seconds: float | None = None
) -> tuple[list[Outcome], float]:
    """Work through ``jobs`` in order over ``connections`` concurrent connections (each
    takes the next job when its last one is answered), until they are done or
    ``seconds`` have passed; every outcome and the elapsed seconds."""
    source = iter(jobs)
    lock = threading.Lock()
    outcomes: list[Outcome] = []
    started = time.perf_counter()

    def work() -> None:
        while seconds is None or time.perf_counter() - started < seconds:
            with lock:
                job = next(source, None)
            if job is None:
                return
            # Keep the figures, not the page.
            response = dataclasses.replace(request(base, job.path, job.cookie), body="")
            with lock:
                outcomes.append(Outcome(job, response))

    with ThreadPoolExecutor(connections) as pool:
        for running in [pool.submit(work) for _ in range(connections)]:
            running.result()
    return outcomes, time.perf_counter() - started


def percentile(values: Sequence[float], percent: float) -> float:
    """Nearest-rank percentile (0 for no values)."""
    ordered = sorted(values)
    if not ordered:
        return 0.0
    return ordered[max(0, math.ceil(percent / 100 * len(ordered)) - 1)]


def median(values: Sequence[float]) -> float:
    return statistics.median(values) if values else 0.0
