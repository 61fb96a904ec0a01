"""A fresh worker warms up before its first request (``maturity.warmup``): after it, no
page compiles a template or a SQL statement again, and nothing it computed while
rehearsing the heaviest pages is kept."""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask, Response, request, request_finished
from flask.testing import FlaskClient
from sqlalchemy import func, select

from maturity.cache import EXTENSION_KEY, Cache
from maturity.extensions import db, limiter
from maturity.models import Assessment, StoredChart
from maturity.warmup import warm_up
from tests.helpers import World, answer_all, sign_in


def test_after_warming_up_pages_compile_no_template(
    app: Flask, client: FlaskClient, world: World
) -> None:
    warm_up(app)
    cache = app.jinja_env.cache
    assert cache is not None
    names = app.jinja_env.list_templates(filter_func=lambda name: name.endswith(".html"))
    compiled = len(cache)
    assert compiled >= len(names)  # every template, none pushed out by the others
    sign_in(client, world.lead)
    client.get_page("main.home")
    client.get_page("orgs.overview", slug=world.org)
    client.get_page("results.results", slug=world.org, assessment_id=world.assessment)
    assert len(cache) == compiled


def _served_during(app: Flask, action: Callable[[], object]) -> list[tuple[str, int]]:
    """(path, status) of every request the app finished while ``action`` ran."""
    served: list[tuple[str, int]] = []

    def finished(sender: Flask, response: Response, **extra: object) -> None:
        served.append((request.full_path.rstrip("?"), response.status_code))

    with request_finished.connected_to(finished, app):
        action()
    return served


def test_warming_up_rehearses_the_heaviest_pages_and_keeps_none_of_their_data(
    app: Flask, world: World
) -> None:
    answer_all(app, world.assessment, 3)  # submitted: the newest submission
    fresh = Cache(max_items=64)
    fresh.init_app(app)
    app.extensions[EXTENSION_KEY] = fresh
    with app.app_context():
        charts = db.session.scalar(select(func.count(StoredChart.id)))
        assessment = db.session.get_one(Assessment, world.assessment)
        region, cycle = assessment.organisation.region.code, assessment.cycle

    served = _served_during(app, lambda: warm_up(app))

    assert served == [
        (f"/organisations/{world.org}/assessments/{world.assessment}/results", 200),
        (f"/regions/{region}", 200),
        (f"/regions/{region}?cycle={cycle}", 200),
        (f"/regions/compare?cycle={cycle}", 200),
        (f"/api/v1/regions/{region}/figures?cycle={cycle}", 200),
    ]
    # Nothing the rehearsal computed is kept: the app's own cache saw nothing, no chart
    # was stored, and the rate limits are on again.
    assert app.extensions[EXTENSION_KEY] is fresh
    assert (fresh.renders, fresh.hits) == (0, 0)
    with app.app_context():
        assert db.session.scalar(select(func.count(StoredChart.id))) == charts
    assert limiter.enabled


def test_after_warming_up_the_first_views_compile_no_sql(
    app: Flask, client: FlaskClient, world: World
) -> None:
    """What a fresh worker's first request used to pay for: the ORM's mappers configured
    and each of the page's statements compiled, a third of its time at national scale."""
    answer_all(app, world.assessment, 3)
    warm_up(app)
    with app.app_context():
        compiled = db.engine._compiled_cache
        assert compiled is not None
        assessment = db.session.get_one(Assessment, world.assessment)
        region, cycle = assessment.organisation.region.code, assessment.cycle
    sign_in(client, world.admin)
    before = len(compiled)  # signing in compiles its own statements
    client.get_page("results.results", slug=world.org, assessment_id=world.assessment)
    client.get_page("regional.region", code=region)
    client.get_page("regional.compare", cycle=cycle)
    assert client.get(f"/api/v1/regions/{region}/figures?cycle={cycle}").status_code == 200
    assert len(compiled) == before
