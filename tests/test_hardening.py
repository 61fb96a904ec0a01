"""Findings of the outside security and resilience test, each kept fixed (issue 13's
first four: hostile lengths, a NUL in the address, over-long directory values, and the
CSRF token carried over a sign-in)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from maturity.framework.impact import contact_details
from tests.helpers import World, csrf_from, field_errors, sign_in, soup, url

HUGE = "a" * 100_000


def test_the_contact_details_check_is_linear_on_hostile_text() -> None:
    # A run of word characters with no "@" made the email pattern rescan from every
    # position: 40,000 characters took 3 s, 100,000 would hold a worker past its timeout.
    started = time.perf_counter()
    assert contact_details("a" * 1_000_000) is None
    assert time.perf_counter() - started < 0.5
    assert contact_details("write to jo.bloggs+care@example.org.uk") == "an email address"


@pytest.mark.parametrize("field", ["title", "body"])
def test_a_100000_character_case_study_field_is_refused_quickly(
    client: FlaskClient, world: World, field: str
) -> None:
    sign_in(client, world.contributor)
    fields = {"title": "A new start", "body": "A story.", "period": "2025/26 Q2"}
    started = time.perf_counter()
    refused = client.post_page(
        "impact.new_case_study", {**fields, field: HUGE}, expected=200, slug=world.org
    )
    assert time.perf_counter() - started < 1.0
    assert "characters or fewer" in field_errors(refused)[field]


def test_a_request_over_the_size_limit_gets_a_clear_413(client: FlaskClient) -> None:
    response = client.post(url("auth.sign_in"), data={"email": "x" * (2 * 1024 * 1024)})
    assert response.status_code == 413
    page = soup(response)
    assert page.h1 is not None and page.h1.get_text() == "What you sent was too large"
    assert "Nothing was saved" in page.get_text()


@pytest.mark.parametrize(
    "path", ["/organisations/%00", "/directory/%00", "/regions/%00", "/organisations/a%00b/team"]
)
def test_a_nul_in_the_address_is_not_found(client: FlaskClient, world: World, path: str) -> None:
    sign_in(client, world.admin)
    assert client.get(path).status_code == 404


def test_an_over_long_directory_value_is_refused_on_its_field(
    client: FlaskClient, world: World
) -> None:
    sign_in(client, world.admin)
    refused = client.post_page(
        "directory.new_entry",
        {
            "name": "Example Coast Academy",
            "funding": "f" * 201,
            "practice": "Runs a shared bank of care staff",
            "domains": "recruitment",
            "source_title": "Fictional test source",
        },
        expected=200,
    )
    assert field_errors(refused) == {
        "funding": "Funding (optional) must be 200 characters or fewer"
    }


def test_a_csrf_token_from_before_sign_in_is_not_accepted_after_it(
    client: FlaskClient, world: World
) -> None:
    before = csrf_from(client.get(url("auth.sign_in")))
    sign_in(client, world.lead)
    stale = client.post(url("auth.sign_out"), data={"csrf_token": before})
    assert stale.status_code == 400
    assert client.get(url("auth.account")).status_code == 200  # still signed in
    fresh = csrf_from(client.get(url("auth.account")))
    assert fresh != before
    assert client.post(url("auth.sign_out"), data={"csrf_token": fresh}).status_code == 302


@pytest.mark.parametrize(
    ("address", "says"),
    [
        ("mysql://root@localhost/maturity", "DATABASE_URL names mysql"),
        ("postgresql+psycopg://u@host:notaport/db", "DATABASE_URL is not a database address"),
    ],
)
def test_a_wrong_database_setting_is_one_clear_line(address: str, says: str) -> None:
    """Finding 10: `flask db upgrade` with an unsupported or malformed DATABASE_URL said
    "No such command 'db'" (or a traceback killed workers at boot)."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    env = {
        **os.environ,
        "MATURITY_ENV": "production",
        "SECRET_KEY": "x" * 32,
        "SERVICE_URL": "https://maturity.example.org",
        "DATABASE_URL": address,
    }
    result = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi:app", "db", "upgrade"],
        cwd=Path(__file__).resolve().parents[1],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Academy Maturity cannot start: " + says)
    assert "PostgreSQL" in lines[0] and "SQLite" in lines[0]


@pytest.fixture
def app_without_redis(tmp_path: Path) -> Iterator[Flask]:
    """The app on a fresh database of its own, configured with a Redis nobody answers."""
    from flask_migrate import upgrade

    from maturity import create_app
    from maturity.extensions import db, limiter
    from maturity.services.reference import load_regions
    from tests.conftest import TEST_DATABASE_URL, config_for_tests, create_database, drop_database
    from tests.helpers import make_user

    database = create_database(TEST_DATABASE_URL, tmp_path)
    nowhere = "redis://127.0.0.1:9/0"  # the discard port: nothing listens there
    # The limiter is one object bound to one storage (one app per process in production):
    # give it back to the suite's app afterwards.
    limiter_state = dict(limiter.__dict__)
    application = create_app(
        {**config_for_tests(database), "REDIS_URL": nowhere, "RATELIMIT_STORAGE_URI": nowhere}
    )
    with application.app_context():
        upgrade()
        load_regions()
        make_user("stranded@test.example", "Fictional Stranded Lead")
        db.session.commit()
    try:
        yield application
    finally:
        with application.app_context():
            db.session.remove()
            db.engine.dispose()
        limiter.__dict__.clear()
        limiter.__dict__.update(limiter_state)
        drop_database(database)


def test_with_redis_down_sign_in_reset_and_the_api_still_work(
    app_without_redis: Flask, caplog: pytest.LogCaptureFixture
) -> None:
    """Finding 9: Redis down gave 500 on sign-in, password reset and the whole API while
    /healthz said 200. Limits now count in memory (with a warning), caches are
    bypassed, and the readiness check says what is wrong."""
    from tests.helpers import TEST_PASSWORD, submit

    browser = app_without_redis.test_client()
    signed_in = submit(
        browser, "/sign-in", {"email": "stranded@test.example", "password": TEST_PASSWORD}
    )
    assert signed_in.status_code == 302
    assert browser.get("/account").status_code == 200
    me = browser.get("/api/v1/me")
    assert me.status_code == 200 and me.get_json()["email"] == "stranded@test.example"
    reset = submit(
        app_without_redis.test_client(), "/password-reset", {"email": "stranded@test.example"}
    )
    assert reset.status_code == 200
    assert any("counting in memory" in message or "Redis" in message for message in caplog.messages)
    # The limits still hold, in memory: the sixth wrong password from one client waits.
    guesser = app_without_redis.test_client()
    codes = [
        submit(
            guesser, "/sign-in", {"email": "stranded@test.example", "password": "nope"}
        ).status_code
        for _ in range(6)
    ]
    assert codes == [200] * 5 + [429]
    assert browser.get("/healthz").status_code == 200
    ready = browser.get("/readyz")
    assert ready.status_code == 200
    report = ready.get_json()
    assert report["status"] == "degraded"
    assert report["checks"]["database"] == {"status": "ok"}
    assert report["checks"]["redis"]["status"] == "unavailable"
    assert "pages keep working" in report["checks"]["redis"]["effect"]


def test_readiness_reports_each_dependency(client: FlaskClient) -> None:
    report = client.get("/readyz").get_json()
    assert set(report["checks"]) == {"database", "redis", "mail_queue"}
    assert report["checks"]["database"]["status"] == "ok"
    assert report["status"] in {"ready", "degraded"}
    assert report["status"] == "ready" or report["checks"]["redis"]["status"] != "ok"
