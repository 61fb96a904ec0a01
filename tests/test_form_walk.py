"""100,000 characters in every free-text field of every form (the hardening issue's
"Kept fixed" list): each is refused clearly and quickly, and nothing is saved from it.

The routes come from the URL map (every rule accepting POST); each one's form is read
from its page, as its least-privileged user sees it, and every field a person types in
(text, textarea, email, URL, password...) gets 100,000 characters in turn, the other
fields valid. Hidden fields get the same: the page fills them, so they need not be
refused on a field a person can see, but they must not fail or be stored either.
"""

from __future__ import annotations

import time

import pytest
from flask import Flask

from tests.form_routes import (
    FORM_ROUTES,
    NOT_FORM_ROUTES,
    FormRoute,
    current_form,
    error_targets,
    fingerprint,
    holds_text,
    names_field,
    prepare,
    refused,
    rolled_back,
    route_ids,
    signed_in,
)
from tests.helpers import World

# A run no form value holds by chance: found anywhere in the database, it was saved.
HUGE = ("walk" + "W" * 96) * 1000
MARKER = HUGE[:60]
WTFORMS_DEFAULTS = (
    "Field cannot be longer than",
    "Field must be",
    "Not a valid",
    "This field is required",
    "Invalid input",
    "Invalid email address",
)


@pytest.fixture
def generous_limits(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    """The sign-in and reset limits stay out of the way of a walk's many posts."""
    monkeypatch.setitem(app.config, "SIGN_IN_LIMIT_PER_IP", "10000 per minute")
    monkeypatch.setitem(app.config, "SIGN_IN_LIMIT_PER_CLIENT", "10000 per minute")
    monkeypatch.setitem(app.config, "SIGN_IN_LOCKOUT_PER_ACCOUNT", "10000 per minute")


def test_the_walks_cover_every_form_route(app: Flask) -> None:
    posting = {rule.endpoint for rule in app.url_map.iter_rules() if "POST" in (rule.methods or ())}
    covered = [route.endpoint for route in FORM_ROUTES]
    assert len(covered) == len(set(covered)), "a route is listed twice"
    assert not set(covered) & set(NOT_FORM_ROUTES)
    missing = posting - set(covered) - set(NOT_FORM_ROUTES)
    assert not missing, f"add these form routes to tests/form_routes.py FORM_ROUTES: {missing}"
    assert set(covered) | set(NOT_FORM_ROUTES) == posting, "a listed route no longer exists"


@pytest.mark.usefixtures("generous_limits")
@pytest.mark.parametrize("route", FORM_ROUTES, ids=route_ids(FORM_ROUTES))
def test_100000_characters_in_any_field_are_refused_quickly(
    app: Flask, world: World, route: FormRoute
) -> None:
    prepared = prepare(app, world, route)
    free_text = [field for field in prepared.fields.values() if field.free_text]
    assert free_text, f"{route.endpoint}: its form has no field to walk"
    timings: dict[str, float] = {}
    for field in free_text:
        with rolled_back(app):
            client = signed_in(app, world, prepared.role)
            data = current_form(client, prepared)
            data.setlist(field.name, [HUGE])
            with app.app_context():
                before = fingerprint(route.audit_on_refusal)
            # CPU time of this process (the app and SQLite run in it): what the request
            # costs, not how long the machine's other work kept it waiting.
            started = time.process_time()
            response = client.post(prepared.url, data=data)
            timings[field.name] = time.process_time() - started
            where = f"{route.endpoint}: {field.name} ({field.kind}) gave {response.status_code}"
            assert response.status_code < 500, where
            with app.app_context():
                assert holds_text(MARKER) == [], f"{where}: the 100,000 characters were saved"
                after = fingerprint(route.audit_on_refusal)
            if not field.visible:
                continue  # the page fills hidden fields: ignoring one is fine, failing not
            assert refused(response), f"{where}: not refused"
            assert after == before, f"{where}: a refused post changed the database"
            if response.status_code != 413:
                targets = error_targets(response)
                assert names_field(targets, field.name), f"{where}: errors {targets}"
                messages = " ".join(targets.values())
                assert not any(default in messages for default in WTFORMS_DEFAULTS), messages
    slowest = max(timings, key=timings.__getitem__)
    # Pathological handling (a backtracking pattern, a quadratic loop) takes far longer;
    # 2 s of CPU leaves this 2-core machine's variation room.
    assert timings[slowest] < 2.0, f"{route.endpoint}: {slowest} took {timings[slowest]:.2f} s"
    # The same form without the long value is accepted: the refusals were the long value's.
    client = signed_in(app, world, prepared.role)
    response = client.post(prepared.url, data=current_form(client, prepared))
    assert response.status_code < 400 and not refused(response), (
        f"{route.endpoint}: the valid form was refused: {error_targets(response)}"
    )
