"""Settings, error pages and the pages anyone can see."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from maturity import create_app
from maturity.config import ConfigError, settings_from_environment
from tests.conftest import config_for_tests
from tests.helpers import PageCheckingClient, soup, url


def test_production_refuses_to_start_without_a_secret_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setenv("MATURITY_ENV", "production")
    monkeypatch.setenv("DATABASE_URL", "postgresql://db/maturity")
    with pytest.raises(ConfigError, match="SECRET_KEY is not set"):
        settings_from_environment(tmp_path)


def test_production_refuses_to_start_without_its_public_address(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MATURITY_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "x" * 64)
    monkeypatch.setenv("DATABASE_URL", "postgresql://db/maturity")
    monkeypatch.delenv("SERVICE_URL", raising=False)
    with pytest.raises(ConfigError, match="SERVICE_URL is not set"):
        settings_from_environment(tmp_path)


def test_production_defaults_are_safe(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MATURITY_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "x" * 64)
    monkeypatch.setenv("DATABASE_URL", "postgresql://db/maturity")
    monkeypatch.setenv("SERVICE_URL", "https://maturity.example.org")
    monkeypatch.delenv("REDIS_URL", raising=False)
    settings = settings_from_environment(tmp_path)
    assert settings["SESSION_COOKIE_SECURE"] is True
    assert settings["SESSION_COOKIE_HTTPONLY"] is True
    assert settings["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert settings["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://db/maturity"
    assert settings["RATELIMIT_STORAGE_URI"] == "memory://"
    # A moving window: guesses cannot double up across a window boundary.
    assert settings["RATELIMIT_STRATEGY"] == "moving-window"
    assert settings["SHOW_DEV_LINKS"] is False


def test_redis_backs_rate_limits_when_configured(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MATURITY_ENV", "development")
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:6379/0")
    assert (
        settings_from_environment(tmp_path)["RATELIMIT_STORAGE_URI"] == "redis://127.0.0.1:6379/0"
    )


def test_development_needs_no_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("SECRET_KEY", "DATABASE_URL", "REDIS_URL", "SMTP_HOST", "SERVICE_URL", "PORT"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("MATURITY_ENV", "development")
    first = settings_from_environment(tmp_path)
    second = settings_from_environment(tmp_path)
    assert first["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'maturity.sqlite3'}"
    assert first["SECRET_KEY"] == second["SECRET_KEY"]  # generated once, then persisted
    assert len(first["SECRET_KEY"]) == 64
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0
    assert first["SESSION_COOKIE_SECURE"] is False
    assert first["SHOW_DEV_LINKS"] is True
    assert first["SERVICE_URL"] == "http://127.0.0.1:5000"


def test_development_links_point_where_make_run_serves(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SERVICE_URL", raising=False)
    monkeypatch.setenv("MATURITY_ENV", "development")
    monkeypatch.setenv("PORT", "5055")
    assert settings_from_environment(tmp_path)["SERVICE_URL"] == "http://127.0.0.1:5055"


def test_an_unknown_environment_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MATURITY_ENV", "staging")
    with pytest.raises(ConfigError, match="MATURITY_ENV must be one of"):
        settings_from_environment(tmp_path)


def test_start_page_for_visitors(client: FlaskClient) -> None:
    page = soup(client.get("/"))
    assert page.h1 is not None and "career academy" in page.h1.get_text()
    start = page.select_one("a.govuk-button--start")
    assert start is not None and "Sign in" in start.get_text() and start["href"] == "/sign-in"
    assert page.find("a", class_="govuk-skip-link") is not None
    assert page.find(class_="govuk-phase-banner") is not None


def test_not_found_page_is_in_the_design_system(client: FlaskClient) -> None:
    response = client.get("/no-such-page")
    assert response.status_code == 404
    page = soup(response)
    assert page.h1 is not None and page.h1.get_text() == "Page not found"
    assert page.find("link", href="/assets/govuk-frontend.min.css") is not None


def test_server_errors_show_a_friendly_page(database_url: str) -> None:
    app = create_app({**config_for_tests(database_url), "TESTING": False})
    app.test_client_class = PageCheckingClient  # the error page keeps the rules of every page

    @app.route("/boom")
    def boom() -> str:
        raise RuntimeError("deliberate failure for the test")

    response = app.test_client().get("/boom")
    assert response.status_code == 500
    assert "Sorry, there is a problem with the service" in soup(response).get_text()
    assert "deliberate failure" not in response.get_data(as_text=True)


def test_health_check(client: FlaskClient) -> None:
    assert client.get(url("main.healthz")).get_json() == {"status": "ok"}


def test_pages_work_without_javascript(client: FlaskClient, app: Flask) -> None:
    # Forms are plain HTML posts and the only scripts are progressive enhancement.
    page = soup(client.get(url("auth.sign_in")))
    form = page.find("form")
    assert form is not None and form.get("method") == "post"
    modules = [script for script in page.find_all("script") if script.get("src")]
    assert all(script.get("type") == "module" for script in modules)


def test_the_suite_uses_the_configured_database_and_limiter_storage(app: Flask) -> None:
    import os

    from maturity.extensions import db, limiter

    with app.app_context():
        dialect = db.engine.dialect.name
    expected = "postgresql" if os.environ.get("TEST_DATABASE_URL") else "sqlite"
    assert dialect == expected
    storage = type(limiter.storage).__name__
    assert storage == ("RedisStorage" if os.environ.get("REDIS_URL") else "MemoryStorage")


def test_huge_ids_in_addresses_are_not_found_rather_than_errors(
    client: FlaskClient, world: object
) -> None:
    from tests.helpers import sign_in

    sign_in(client, "lead@test.example")
    huge = "9" * 25
    for path in (
        f"/organisations/testshire-care-academy/assessments/{huge}/results",
        f"/organisations/testshire-care-academy/actions/{huge}",
        f"/organisations/testshire-care-academy/team/{2**31}",
    ):
        assert client.get(path).status_code == 404, path
    # An over-long assessment id in the query is ignored, not sent to the database.
    response = client.get(f"/organisations/testshire-care-academy/actions/new?assessment={huge}")
    assert response.status_code == 200
