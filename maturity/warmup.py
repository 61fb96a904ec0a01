"""Getting a fresh worker ready before its first request.

A new gunicorn worker would otherwise spend its first requests compiling Jinja templates,
loading matplotlib's fonts and SVG backend, and opening its first database connection.
``warm_up`` does that work once, before the worker takes any request: the production
gunicorn settings (``gunicorn.conf.py``) and the benchmark's call it from gunicorn's
``post_worker_init`` hook.
"""

from __future__ import annotations

import io
import logging
import time

from flask import Flask
from sqlalchemy import text

log = logging.getLogger(__name__)


def warm_up(app: Flask) -> float:
    """Compile every template, load matplotlib and open a database connection; returns
    the seconds it took. A failure is logged, never raised: a cold worker still serves."""
    started = time.perf_counter()
    try:
        _compile_templates(app)
        _load_charts()
        _connect(app)
    except Exception:  # noqa: BLE001 - warming up must never stop a worker from starting
        log.exception("Warming up the worker failed; it will start cold")
    return time.perf_counter() - started


def _compile_templates(app: Flask) -> None:
    """Every HTML template, compiled into the environment's cache (Jinja keeps 400, more
    than the app and GOV.UK Frontend have together, so none is compiled again)."""
    env = app.jinja_env
    for name in env.list_templates(filter_func=lambda name: name.endswith(".html")):
        env.get_template(name)


def _load_charts() -> None:
    """matplotlib's modules, fonts and SVG backend, by drawing one small figure (not
    kept anywhere)."""
    from matplotlib.figure import Figure

    import maturity.charts  # noqa: F401 - its module-level settings

    figure = Figure(figsize=(1, 1))
    axes = figure.add_subplot(projection="polar")
    axes.plot([0.0, 1.0], [1.0, 2.0], label="warm-up")
    axes.set_title("Warm-up")
    axes.legend()
    figure.savefig(io.StringIO(), format="svg")


def _connect(app: Flask) -> None:
    from maturity.extensions import db

    with app.app_context():
        db.session.execute(text("SELECT 1"))
        db.session.remove()
