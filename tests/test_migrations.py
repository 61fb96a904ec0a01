"""The migrations build exactly the models' schema, on SQLite and on PostgreSQL."""

from __future__ import annotations

import os
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import upgrade
from sqlalchemy import inspect

from maturity import create_app
from maturity.extensions import db
from maturity.models import Base
from tests.conftest import config_for_tests, create_database, drop_database


def test_upgrade_from_empty_matches_the_models(tmp_path: Path) -> None:
    url = create_database(os.environ.get("TEST_DATABASE_URL"), tmp_path)
    try:
        app = create_app(config_for_tests(url))
        with app.app_context():
            upgrade()
            with db.engine.connect() as connection:
                context = MigrationContext.configure(
                    connection, opts={"compare_type": True, "render_as_batch": True}
                )
                differences = compare_metadata(context, Base.metadata)
                tables = set(inspect(connection).get_table_names())
            db.engine.dispose()
        assert differences == []
        assert set(Base.metadata.tables) <= tables
    finally:
        drop_database(url)


def test_flask_db_check_agrees(tmp_path: Path) -> None:
    url = create_database(os.environ.get("TEST_DATABASE_URL"), tmp_path)
    try:
        app = create_app(config_for_tests(url))
        runner = app.test_cli_runner()
        assert runner.invoke(args=["db", "upgrade"]).exit_code == 0
        result = runner.invoke(args=["db", "check"])
        assert result.exit_code == 0, result.output
        with app.app_context():
            db.engine.dispose()
    finally:
        drop_database(url)
