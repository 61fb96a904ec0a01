"""Shared fixtures.

The suite runs on SQLite by default and on PostgreSQL when ``TEST_DATABASE_URL`` is set
(a fresh database is created for the run and dropped after). The schema is built by
the real migrations. Each test runs inside a connection-level transaction that is
rolled back at the end; the app's own commits become SAVEPOINT releases.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_sqlalchemy.session import _app_ctx_id
from sqlalchemy.orm import scoped_session, sessionmaker

from maturity import create_app
from maturity.extensions import db, limiter
from tests.databases import create_database, drop_database
from tests.helpers import PageCheckingClient, make_world, use_app_for_urls

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL")


def config_for_tests(database_url: str) -> dict[str, object]:
    """Settings for an app under test: cheap password hashing, its own limiter keys."""
    return {
        "MATURITY_ENV": "testing",
        "TESTING": True,
        "SECRET_KEY": "test-secret-key-not-for-production",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SERVER_NAME": "localhost",
        "ARGON2_TIME_COST": 1,
        "ARGON2_MEMORY_COST": 1024,
        "ARGON2_PARALLELISM": 1,
        "RATELIMIT_STORAGE_URI": os.environ.get("REDIS_URL") or "memory://",
        "RATELIMIT_KEY_PREFIX": f"maturity-test-{uuid.uuid4().hex[:8]}",
        # Jobs run in the test's own process; tests/test_jobs.py runs a real worker.
        "JOBS_INLINE": True,
    }


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    url = create_database(TEST_DATABASE_URL, tmp_path_factory.mktemp("db"))
    yield url
    drop_database(url)


@pytest.fixture(scope="session")
def app(database_url: str) -> Iterator[Flask]:
    from flask_migrate import upgrade

    from maturity.services.directory import load_directory_file
    from maturity.services.reference import load_regions

    application = create_app(config_for_tests(database_url))
    application.test_client_class = PageCheckingClient
    use_app_for_urls(application)
    with application.app_context():
        upgrade()
        load_regions()
        load_directory_file()
        db.session.commit()
        db.session.remove()
    yield application
    with application.app_context():
        db.engine.dispose()


@pytest.fixture(autouse=True)
def isolated(app: Flask) -> Iterator[None]:
    """Run each test in a transaction that is rolled back afterwards."""
    with app.app_context():
        connection = db.engine.connect()
        transaction = connection.begin()
        original = db.session
        db.session = scoped_session(  # type: ignore[misc]
            sessionmaker(bind=connection, join_transaction_mode="create_savepoint"),
            scopefunc=_app_ctx_id,
        )
    try:
        yield
    finally:
        with app.app_context():
            db.session.remove()
        db.session = original  # type: ignore[misc]
        transaction.rollback()
        connection.close()
        with app.app_context():
            limiter.reset()
        # Cached pages, charts and parsed snapshots are keyed by data and ids that a
        # rolled-back test may repeat.
        from maturity.cache import EXTENSION_KEY
        from maturity.services.results import forget_parsed_snapshots

        app.extensions[EXTENSION_KEY].clear()
        forget_parsed_snapshots()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask):  # type: ignore[no-untyped-def]
    return app.test_cli_runner()


@pytest.fixture
def world(app: Flask):  # type: ignore[no-untyped-def]
    """Two organisations in different regions and one of each kind of user."""
    with app.app_context():
        made = make_world()
        db.session.commit()
    return made


class Inbox:
    """The messages a real SMTP server (aiosmtpd, in this process) received."""

    def __init__(self) -> None:
        import email
        from email.message import Message

        self._parse = email.message_from_bytes
        self.messages: list[Message] = []

    async def handle_DATA(self, server: object, session: object, envelope: object) -> str:  # noqa: N802
        self.messages.append(self._parse(envelope.content))  # type: ignore[attr-defined]
        return "250 Message accepted for delivery"

    def wait_for(self, count: int, timeout: float = 10.0) -> list[object]:
        """The messages, once at least ``count`` have arrived (mail goes in the background)."""
        import time

        from maturity.services.mail import wait_for_outbox

        wait_for_outbox(timeout)
        deadline = time.monotonic() + timeout
        while len(self.messages) < count and time.monotonic() < deadline:
            time.sleep(0.02)
        return list(self.messages)


@pytest.fixture
def inbox(app: Flask) -> Iterator[Inbox]:
    """Send the app's email to a real SMTP server in the test process, and read it."""
    import socket

    from aiosmtpd.controller import Controller

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    received = Inbox()
    controller = Controller(received, hostname="127.0.0.1", port=port)
    controller.start()
    saved = {key: app.config[key] for key in ("SMTP_HOST", "SMTP_PORT", "SMTP_STARTTLS")}
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=port, SMTP_STARTTLS=False)
    try:
        yield received
    finally:
        from maturity.services.mail import wait_for_outbox

        wait_for_outbox()
        app.config.update(saved)
        controller.stop()
