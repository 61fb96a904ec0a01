"""Academy Maturity: self-assessment and benchmarking for care and health career academies."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask
from jinja2 import ChoiceLoader, FileSystemLoader, PackageLoader, PrefixLoader

from maturity.config import settings_from_environment

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the application.

    Settings come from the environment (see ``maturity.config``); ``config`` overrides
    them, which is how tests point the app at their own database.
    """
    app = Flask(
        __name__,
        instance_relative_config=True,
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder=str(PROJECT_ROOT / "static"),
        # GOV.UK Frontend's stylesheet looks for its fonts and images under /assets.
        static_url_path="/assets",
    )
    overrides = dict(config or {})
    app.config.update(settings_from_environment(Path(app.instance_path), overrides))
    app.config.update(overrides)
    if app.config["MATURITY_ENV"] != "testing":
        # Invitation and reset links are logged at INFO in development.
        app.logger.setLevel(logging.INFO)

    app.jinja_loader = ChoiceLoader(
        [
            FileSystemLoader(str(PROJECT_ROOT / "templates")),
            PrefixLoader(
                {
                    "govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja"),
                    "govuk_frontend_wtf": PackageLoader("govuk_frontend_wtf"),
                }
            ),
        ]
    )
    # The GOV.UK page template asks whether to use the 2025 GOV.UK brand; this service is
    # not on GOV.UK, so it uses neither the crown nor the GOV.UK logo.
    app.jinja_env.globals["govukRebrand"] = False
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True

    from maturity import cli, extensions
    from maturity.web import register_web

    extensions.db.init_app(app)
    extensions.migrate.init_app(app, extensions.db, directory=str(PROJECT_ROOT / "migrations"))
    extensions.csrf.init_app(app)
    extensions.limiter.init_app(app)
    extensions.login_manager.init_app(app)

    from maturity.services.questionnaires import catalogue

    if app.config["PROXY_HOPS"]:
        from werkzeug.middleware.proxy_fix import ProxyFix

        hops = int(app.config["PROXY_HOPS"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)  # type: ignore[method-assign]

    catalogue()  # load and validate every questionnaire file: a bad one stops the app
    from maturity.cache import Cache
    from maturity.framework import disclosure

    # Without Redis, one process keeps pages and charts in memory: room for plenty.
    Cache(app.config.get("REDIS_URL"), max_items=4096).init_app(app)
    from maturity.jobs import Jobs

    # Work over a second goes to an RQ queue on Redis; inline without Redis (maturity.jobs).
    Jobs(app.config.get("REDIS_URL"), inline=bool(app.config.get("JOBS_INLINE"))).init_app(app)
    # Templates word the disclosure rules from the one module that sets them.
    app.jinja_env.globals["disclosure"] = disclosure
    from maturity.web.govuk_table import govuk_table

    # GOV.UK's table component, rendered in Python (the macro was the slowest part of pages).
    app.jinja_env.globals["govukTable"] = govuk_table
    register_web(app)
    cli.register(app)
    _install_sqlite_transaction_fix(app)
    if app.config.get("SQL_COUNT_HEADER"):
        _install_statement_counter(app)
    return app


def _install_statement_counter(app: Flask) -> None:
    """For benchmarks: report the number of SQL statements a request ran in the
    X-SQL-Statements response header (off unless MATURITY_SQL_COUNT_HEADER is set)."""
    from flask import Response, g
    from sqlalchemy import event

    from maturity.extensions import db

    with app.app_context():
        engine = db.engine

    @event.listens_for(engine, "before_cursor_execute")
    def _count(*_args: Any) -> None:
        from flask import has_request_context

        if has_request_context():
            g.sql_statements = g.get("sql_statements", 0) + 1

    @app.after_request
    def _header(response: Response) -> Response:
        response.headers["X-SQL-Statements"] = str(g.get("sql_statements", 0))
        return response


def _install_sqlite_transaction_fix(app: Flask) -> None:
    """Let SQLite run real transactions and SAVEPOINTs.

    The pysqlite driver opens transactions lazily and ignores SAVEPOINT semantics; the
    SQLAlchemy documentation's recipe hands transaction control back to SQLAlchemy.
    """
    from sqlalchemy import event

    from maturity.extensions import db

    with app.app_context():
        engine = db.engine
        if engine.dialect.name != "sqlite":
            return

        @event.listens_for(engine, "connect")
        def _connect(dbapi_connection: Any, _record: Any) -> None:
            dbapi_connection.isolation_level = None
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.close()

        @event.listens_for(engine, "begin")
        def _begin(connection: Any) -> None:
            # IMMEDIATE takes the write lock at the start, so concurrent requests wait
            # their turn (busy timeout) instead of failing with "database is locked"
            # when a reader later tries to write.
            connection.exec_driver_sql("BEGIN IMMEDIATE")
