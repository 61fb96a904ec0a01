"""Throwaway databases for tests and benchmarks: a SQLite file, or a new PostgreSQL
database on a given server, dropped afterwards. Only SQLAlchemy is needed, so the
benchmarks (``benchmarks/harness.py``) use them too."""

from __future__ import annotations

import uuid
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url


def create_database(base_url: str | None, tmp_dir: Path, *, prefix: str = "maturity_test") -> str:
    """A fresh, empty database for one purpose: without ``base_url`` a SQLite file in
    ``tmp_dir``, otherwise a new database ``<prefix>_<random>`` on that PostgreSQL server."""
    suffix = uuid.uuid4().hex[:10]
    if not base_url:
        return f"sqlite:///{tmp_dir / f'{prefix}-{suffix}.sqlite3'}"
    url = make_url(base_url)
    name = f"{prefix}_{suffix}"
    admin_engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin_engine.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin_engine.dispose()
    return url.set(database=name).render_as_string(hide_password=False)


def drop_database(url_string: str) -> None:
    """Drop a database made by ``create_database`` (SQLite files go with their folder)."""
    url = make_url(url_string)
    if url.get_backend_name() != "postgresql":
        return
    admin_engine = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin_engine.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)'))
    admin_engine.dispose()
