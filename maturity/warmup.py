"""Getting a fresh worker ready before its first request.

A new gunicorn worker would otherwise spend its first requests compiling Jinja templates,
loading matplotlib's fonts and SVG backend, configuring the ORM's mappers, opening its
first database connection, and then, page by page, compiling each SQL statement, importing
modules loaded on first use and running code for the first time. ``warm_up`` does that
work once, before the worker takes any request: the production gunicorn settings
(``gunicorn.conf.py``) and the benchmark's call it from gunicorn's ``post_worker_init``
hook.

The last step rehearses the pages whose first view costs most (``_rehearse``): it serves
one of each inside the worker, as an administrator, with a throwaway cache in place of the
app's. So the worker's code is warm but none of its data is: every figure, fragment and
chart those pages compute is dropped with that cache, and the first real view of any page
still reads the database and renders as it would have.
"""

from __future__ import annotations

import io
import logging
import time

from flask import Flask, g
from sqlalchemy import select, text

log = logging.getLogger(__name__)


def warm_up(app: Flask) -> float:
    """Compile every template, load matplotlib and open a database connection; returns
    the seconds it took. A failure is logged, never raised: a cold worker still serves."""
    started = time.perf_counter()
    try:
        _compile_templates(app)
        _load_charts()
        _connect(app)
        _rehearse(app)
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
    """The ORM's mappers configured (their relationships resolved: done once per process,
    on the first query otherwise, where it took a fresh worker's first request about
    300 ms), and a database connection open."""
    from sqlalchemy.orm import configure_mappers

    from maturity.extensions import db

    configure_mappers()
    with app.app_context():
        db.session.execute(text("SELECT 1"))
        db.session.remove()


def _rehearse(app: Flask) -> None:
    """Serve once, inside this process, each page whose first view costs most: the newest
    submitted assessment's results, its region's dashboard (as a lead lands on it, and
    for that assessment's cycle), the national comparison and the API's region figures.

    They are served as the first active administrator, through the app's whole request
    handling but with the rate limits off and a throwaway cache (no Redis; chart SVGs read
    from the chart store, never written to it), so nothing they compute outlives the
    rehearsal. An empty database (no administrator or no submission) rehearses nothing;
    a page that fails is logged and the others still run."""
    from datetime import timedelta

    from maturity.cache import EXTENSION_KEY, Cache
    from maturity.extensions import db, limiter
    from maturity.models import Assessment, AssessmentStatus, Organisation, Region, User
    from maturity.services import sessions

    with app.app_context():
        sessions.user_for("0:warm-up", timedelta(hours=1))  # the signed-in lookup, compiled
        admin_id = db.session.scalar(
            select(User.id).where(User.is_admin, User.is_active).order_by(User.id).limit(1)
        )
        newest = db.session.execute(
            select(Organisation.slug, Assessment.id, Assessment.cycle, Region.code)
            .join(Organisation, Organisation.id == Assessment.organisation_id)
            .join(Region, Region.id == Organisation.region_id)
            .where(Assessment.status == AssessmentStatus.SUBMITTED)
            .order_by(Assessment.id.desc())
            .limit(1)
        ).first()
        db.session.remove()
    if admin_id is None or newest is None:
        return
    slug, assessment_id, cycle, region = newest
    paths = [
        f"/organisations/{slug}/assessments/{assessment_id}/results",
        f"/regions/{region}",
        f"/regions/{region}?cycle={cycle}",
        f"/regions/compare?cycle={cycle}",
        f"/api/v1/regions/{region}/figures?cycle={cycle}",
    ]
    real_cache, limits_on = app.extensions[EXTENSION_KEY], limiter.enabled
    throwaway = Cache(None, max_items=real_cache.max_items)
    throwaway.stores_charts = True
    throwaway.keeps_charts = False
    app.extensions[EXTENSION_KEY], limiter.enabled = throwaway, False
    try:
        for path in paths:
            with app.test_request_context(path):
                g._login_user = db.session.get(User, admin_id)  # flask-login's signed-in user
                try:
                    response = app.full_dispatch_request()
                    if response.status_code != 200:
                        log.warning("Warm-up: %s answered %s", path, response.status_code)
                except Exception:  # noqa: BLE001 - one page failing must not stop the others
                    log.exception("Warm-up: %s failed", path)
    finally:
        app.extensions[EXTENSION_KEY], limiter.enabled = real_cache, limits_on
