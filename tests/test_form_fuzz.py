"""Random and hostile values posted to every form route, as each kind of user.

Each post is made from the form as its page shows it (``tests/form_routes.py``), with
fields left valid, given hostile values (long text, NUL and control characters, HTML and
script, spreadsheet formulas, huge and negative numbers, impossible dates, unknown
choices), left out or sent twice, and unknown fields added. Whatever is sent:

- the service never fails (no 500);
- someone who may not use the form is turned away and nothing changes;
- a refused post changes nothing (where a form keeps its valid fields by design, the
  refused fields keep their stored values and nothing outside the form's tables changes);
- an accepted post stores what was sent (tidied as the form tidies it), never a blank
  required field, and only values the page offered for choices;
- nothing sent comes back unescaped.

Every example is undone afterwards, so each starts from the same records.
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Mapping

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.datastructures import MultiDict
from werkzeug.test import TestResponse

from tests.form_routes import (
    CHOICE_KINDS,
    FORM_ROUTES,
    ROLES,
    FormRoute,
    PageField,
    Prepared,
    baseline,
    error_targets,
    fingerprint,
    prepare,
    refused,
    rolled_back,
    route_ids,
    shown_urls,
    signed_in,
    stored_values,
    tidy_for,
)
from tests.helpers import World

# Examples per route: enough for the whole file to run in about a minute on SQLite. For a
# longer walk: FORM_WALK_EXAMPLES=200 pytest tests/test_form_fuzz.py
EXAMPLES = int(os.environ.get("FORM_WALK_EXAMPLES", "15"))

# Markup that must never come back as markup.
SCRIPT = "<script>walk()</script>"
IMAGE = '"><img src=x onerror=walk()>'
BOLD = "<b>walk</b>"
RAW_MARKUP = (SCRIPT, "<img src=x onerror=walk()>", BOLD)

HOSTILE = [
    "",
    " ",
    "\t\r\n",
    "\t=1+1",
    "\r=1+1",
    "\x00",
    "a\x00b",
    "\x01\x02\x07\x08\x1b[31m\x7f",
    "\u202egnp.exe",
    "\ufeff\u200b",
    SCRIPT,
    IMAGE,
    BOLD,
    '=HYPERLINK("https://evil.example","Click here")',
    "=1+1",
    "+1+1",
    "-2+3",
    "@SUM(1+1)",
    "-1",
    "0",
    "-0",
    "2.5",
    "1,000",
    "1_000",
    "1e309",
    "NaN",
    "inf",
    "99999999999999999999999",
    "9" * 5000,
    "٣",
    "２０２６",
    "31/02/2026",
    "2026-02-31",
    "2026/27",
    "2025/26",
    " 2026/27 ",
    "2026/27\n",
    "2026/27 Q1",
    "2026/27 Q5",
    "1999/00",
    "2999/00",
    "na",
    "agreed",
    "delete",
    "remove",
    "later",
    "mine",
    "theirs",
    "https://example.org",
    "javascript:alert(1)",
    "https://[",
    "https://" + "a" * 600 + ".example",
    "İ" * 300,
    "😀" * 100,
    "\r\n" * 20,
    "x" * 20_000,
]
hostile_text = st.one_of(
    st.sampled_from(HOSTILE),
    st.text(max_size=40),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.builds(
        lambda piece, times: piece * times,
        st.sampled_from(["a", "İ", "😀", " ", "\r\n", "<b>", "=", "-"]),
        st.integers(min_value=1, max_value=20_000),
    ),
)
# Day, month, year of a date that does not exist (or cannot be read).
BAD_DATES = [
    ("31", "02", "2026"),
    ("29", "2", "2025"),
    ("31", "4", "2026"),
    ("0", "1", "2026"),
    ("1", "13", "2026"),
    ("1", "1", "0"),
    ("1", "1", "10000"),
    ("-1", "-1", "-1"),
    ("1", "1", "9" * 5000),
    ("١", "١", "٢٠٢٦"),
]
EXTRA_NAMES = [
    "action",
    "next",
    "cycle",
    "assessment",
    "indicator",
    "version",
    "level-nope",
    "evidence-nope",
    "metric-nope",
    "target-nope",
    "conflict-mission-aims",
    "pending-mission-aims",
]
MODES = ("valid", "valid", "valid", "hostile", "hostile", "hostile", "missing", "duplicate")


def _value(field: PageField) -> st.SearchStrategy[str]:
    if field.options:
        return st.one_of(st.sampled_from(field.options), hostile_text)
    return hostile_text


def draw_form(data: st.DataObject, prepared: Prepared) -> MultiDict[str, str]:
    """A post of the route's form: each field valid, hostile, missing or sent twice,
    perhaps an impossible date, perhaps unknown fields too."""
    valid = baseline(prepared.fields, prepared.route.valid)
    sent: MultiDict[str, str] = MultiDict()
    for name, field in prepared.fields.items():
        mode = data.draw(st.sampled_from(MODES), label=f"{name}: how")
        good = valid.getlist(name)
        if mode == "valid":
            values = good
        elif mode == "missing":
            values = []
        elif mode == "duplicate":
            values = [*(good or [""]), data.draw(_value(field), label=name)]
        else:
            values = [data.draw(_value(field), label=name)]
        if values:  # (a key set to no values would still be "in" the MultiDict)
            sent.setlist(name, values)
    dates = [name.removesuffix("-day") for name in prepared.fields if name.endswith("-day")]
    for date_name in dates:
        if data.draw(st.booleans(), label=f"{date_name}: impossible"):
            day, month, year = data.draw(st.sampled_from(BAD_DATES), label=date_name)
            sent.setlist(f"{date_name}-day", [day])
            sent.setlist(f"{date_name}-month", [month])
            sent.setlist(f"{date_name}-year", [year])
    extras = st.tuples(st.one_of(st.sampled_from(EXTRA_NAMES), st.text(max_size=12)), hostile_text)
    for name, value in data.draw(st.lists(extras, max_size=2), label="unknown fields"):
        sent.add(name, value)
    return sent


def all_hostile(prepared: Prepared) -> MultiDict[str, str]:
    """Every field at once: markup and a formula in each text, an unknown choice."""
    sent: MultiDict[str, str] = MultiDict()
    for name, field in prepared.fields.items():
        if field.kind in CHOICE_KINDS:
            sent.add(name, "walk-unknown")
        elif field.free_text:
            sent.add(name, f'{SCRIPT}{IMAGE}=HYPERLINK("https://evil.example")')
    return sent


# --- Checking one post -----------------------------------------------------------------------


def _escaped(response: TestResponse, where: str) -> None:
    if response.mimetype == "text/html":
        page = response.get_data(as_text=True)
        for markup in RAW_MARKUP:
            assert markup not in page, f"{where}: {markup!r} came back unescaped"


def _formula_safe(response: TestResponse, where: str) -> None:
    """No cell of a CSV download would run as a spreadsheet formula."""
    if response.mimetype != "text/csv":
        return
    for row in csv.reader(io.StringIO(response.get_data(as_text=True))):
        for cell in row:
            assert cell[:1] not in ("=", "+", "-", "@", "\t", "\r"), f"{where}: {cell!r}"


def _denied(response: TestResponse, role: str) -> bool:
    """Turned away: to sign in, or forbidden; or refused as malformed before anyone is
    asked who they are (a NUL character: 400; too large: 413)."""
    if response.status_code in (400, 413):
        return True
    if role in ("anonymous", "partner"):
        # No account: sent to sign in, except from a partner's own pages (403).
        to_sign_in = response.status_code == 302 and "/sign-in?next=" in response.location
        return to_sign_in or response.status_code == 403
    return response.status_code == 403


def _changed(before: Mapping[str, str], after: Mapping[str, str]) -> set[str]:
    return {table for table in before if before[table] != after[table]}


def _same_text(stored: str | None, sent: str) -> bool:
    return (stored or "") == sent


def _indicator_of(name: str) -> str | None:
    kind, _, rest = name.partition("-")
    return (
        rest if kind in ("level", "reason", "evidence", "link", "confidence", "version") else None
    )


class Sessions:
    """One signed-in session for each kind of user, made once per test: each example
    starts a new client with a copy of its cookie."""

    def __init__(self, app: Flask, world: World) -> None:
        self.app = app
        self.cookies: dict[str, str | None] = {}
        for role in ROLES:
            client = signed_in(app, world, role)
            cookie = client.get_cookie("session")
            self.cookies[role] = cookie.value if cookie else None

    def client(self, role: str) -> FlaskClient:
        client = self.app.test_client()
        value = self.cookies[role]
        if value is not None:
            client.set_cookie("session", value)
        return client


def check_post(
    app: Flask,
    world: World,
    prepared: Prepared,
    sessions: Sessions,
    role: str,
    sent: MultiDict[str, str],
) -> None:
    route: FormRoute = prepared.route
    with rolled_back(app):
        client = sessions.client(role)
        with app.app_context():
            before = fingerprint(route.audit_on_refusal)
        stored_before = stored_values(app, world, prepared, sent)
        response = client.post(prepared.url, data=sent)
        where = f"{route.endpoint} as {role} gave {response.status_code} for {sent!r}"[:3000]
        assert response.status_code < 500, where
        _escaped(response, where)
        with app.app_context():
            after = fingerprint(route.audit_on_refusal)
        if role not in prepared.allowed:
            assert _denied(response, role), where
            assert after == before, f"{where}: changed {_changed(before, after)}"
        elif refused(response):
            _check_refused(app, world, prepared, sent, response, before, after, stored_before)
        else:
            _check_accepted(app, world, prepared, sent, stored_before, where)
            after_post = [response.location] if response.status_code in (302, 303) else []
            for address in [*after_post, *shown_urls(app, prepared)]:
                shown = client.get(address)
                assert shown.status_code < 500, f"{where}: then {address} failed"
                _escaped(shown, f"{where}: then {address}")
                _formula_safe(shown, f"{where}: then {address}")


def _check_refused(
    app: Flask,
    world: World,
    prepared: Prepared,
    sent: MultiDict[str, str],
    response: TestResponse,
    before: Mapping[str, str],
    after: Mapping[str, str],
    stored_before: Mapping[str, str | None],
) -> None:
    route = prepared.route
    where = f"{route.endpoint} refused {sent!r}"[:3000]
    changed = _changed(before, after)
    if not route.keeps_valid_fields or response.status_code != 200:
        assert not changed, f"{where}: but changed {changed}"
        return
    # The form keeps its valid fields by design: only its own tables change, and no field
    # in error (or, on a domain page, of a question with an error) changes.
    assert changed <= route.keeps_valid_fields, f"{where}: but changed {changed}"
    errors = set(error_targets(response))
    refused_questions = {_indicator_of(name) for name in errors} - {None}
    stored = stored_values(app, world, prepared, sent)
    for name in stored.keys() | stored_before.keys():
        if name in errors or _indicator_of(name) in refused_questions:
            assert stored.get(name) == stored_before.get(name), f"{where}: {name} was saved"
        elif name in sent and stored.get(name) != stored_before.get(name):
            expected = tidy_for(route, name)(sent.get(name, ""))
            assert _same_text(stored.get(name), expected), f"{where}: {name} stored wrongly"


def _check_accepted(
    app: Flask,
    world: World,
    prepared: Prepared,
    sent: MultiDict[str, str],
    stored_before: Mapping[str, str | None],
    where: str,
) -> None:
    route = prepared.route
    # A delete or remove button deletes whatever else the form holds: nothing is stored.
    deleting = sent.get("action") in ("delete", "remove")
    for name, field in prepared.fields.items():
        if (
            deleting
            or field.kind not in CHOICE_KINDS
            or (field.kind == "checkbox" and len(field.options) < 2)
        ):
            continue  # a lone checkbox is ticked by being sent, whatever its value
        # A radio or select counts its first value only; a group of checkboxes every value.
        chosen = set(sent.getlist(name) if field.kind == "checkbox" else sent.getlist(name)[:1])
        unknown = chosen - {*field.options, ""}
        assert not unknown, f"{where}: accepted {name}={unknown!r}, which the page does not offer"
    stored = stored_values(app, world, prepared, sent)
    for name, value in stored.items():
        if name in route.required:
            assert (value or "").strip(), f"{where}: {name} stored blank"
        if name not in sent and value == stored_before.get(name):
            continue  # a field left out of the post leaves what is stored (browsers send all)
        expected = tidy_for(route, name)(sent.get(name, ""))
        assert _same_text(value, expected), f"{where}: {name} stored as {value!r}"


# --- The walks ---------------------------------------------------------------------------------


@pytest.fixture
def walk_app(app: Flask, monkeypatch: pytest.MonkeyPatch) -> Flask:
    """The app without CSRF checks (the walk posts without reading each page first) and
    with sign-in and reset limits out of the way of the walk's many posts."""
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", False)
    monkeypatch.setitem(app.config, "SIGN_IN_LIMIT_PER_IP", "100000 per minute")
    monkeypatch.setitem(app.config, "SIGN_IN_LIMIT_PER_CLIENT", "100000 per minute")
    monkeypatch.setitem(app.config, "SIGN_IN_LOCKOUT_PER_ACCOUNT", "100000 per minute")
    return app


@pytest.fixture
def made() -> dict[str, object]:
    """What a test makes once and its examples share (hypothesis runs a test's examples
    with the same function-scoped fixtures)."""
    return {}


def _ready(
    app: Flask, world: World, route: FormRoute, made: dict[str, object]
) -> tuple[Prepared, Sessions]:
    if "prepared" not in made:
        made["prepared"] = prepare(app, world, route)
        made["sessions"] = Sessions(app, world)
    return made["prepared"], made["sessions"]  # type: ignore[return-value]


@pytest.mark.parametrize("route", FORM_ROUTES, ids=route_ids(FORM_ROUTES))
def test_a_hostile_post_as_anyone_is_answered_clearly(
    walk_app: Flask, world: World, route: FormRoute, made: dict[str, object]
) -> None:
    """Every kind of user, every field hostile at once."""
    prepared, sessions = _ready(walk_app, world, route, made)
    for role in ROLES:
        check_post(walk_app, world, prepared, sessions, role, all_hostile(prepared))


@pytest.mark.parametrize("route", FORM_ROUTES, ids=route_ids(FORM_ROUTES))
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_random_posts_never_fail_or_half_save(
    walk_app: Flask, world: World, route: FormRoute, made: dict[str, object], data: st.DataObject
) -> None:
    prepared, sessions = _ready(walk_app, world, route, made)
    role = data.draw(st.sampled_from(ROLES), label="as")
    check_post(walk_app, world, prepared, sessions, role, draw_form(data, prepared))
