"""The chart store: a chart is drawn once, ever. Charts are kept in the database
(``stored_chart``) as well as the cache, so a worker that has never seen a chart, or a
cache that has been emptied (a Redis restart, a deploy), finds it there instead of drawing
it again, and the image's address keeps working.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import delete, func, select

from maturity.cache import EXTENSION_KEY, Cache
from maturity.extensions import db
from maturity.models import Assessment, StoredChart
from tests.helpers import World, answer_all, make_assessment, make_organisation, sign_in, soup

CHARTS = ("radar", "line", "heatmap", "bar")


def _emptied(app: Flask, monkeypatch: pytest.MonkeyPatch) -> Cache:
    """A new, empty cache for the app, as after a restart with Redis flushed: the
    database is all that is left."""
    fresh = Cache(max_items=4096)
    fresh.init_app(app)
    monkeypatch.setitem(app.extensions, EXTENSION_KEY, fresh)
    return fresh


@pytest.fixture
def cache(app: Flask, monkeypatch: pytest.MonkeyPatch) -> Iterator[Cache]:
    yield _emptied(app, monkeypatch)


def _drawn(cache: Cache) -> int:
    return sum(cache.rendered[kind] for kind in CHARTS)


def _stored(app: Flask) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(StoredChart.id))) or 0


def _chart_urls(page: str) -> list[str]:
    return re.findall(r'src="(/charts/[0-9a-f]{40}\.svg)"', page)


def _academies(app: Flask, *names: str, cycle: str = "2025/26") -> list[int]:
    """Academies in the North West sharing named results, each with an assessment in
    ``cycle``: the assessments' ids."""
    with app.app_context():
        made = [
            make_assessment(
                make_organisation(f"{name} Academy", "north-west", shares_named_results=True),
                cycle,
            )
            for name in names
        ]
        db.session.commit()
        return [assessment.id for assessment in made]


def test_a_results_pages_charts_are_not_drawn_again_after_the_cache_is_emptied(
    app: Flask,
    client: FlaskClient,
    world: World,
    cache: Cache,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    answer_all(app, world.assessment, 3)
    sign_in(client, world.lead)
    first = client.get_page("results.results", slug=world.org, assessment_id=world.assessment)
    urls = _chart_urls(first.get_data(as_text=True))
    assert urls  # the radar (a trend needs two cycles)
    drawn, stored = _drawn(cache), _stored(app)
    assert drawn >= 1 and stored >= drawn

    emptied = _emptied(app, monkeypatch)
    again = client.get_page("results.results", slug=world.org, assessment_id=world.assessment)
    assert _drawn(emptied) == 0  # from the chart store, not drawn
    assert _chart_urls(again.get_data(as_text=True)) == urls
    assert _stored(app) == stored  # nothing stored twice

    # The images' addresses answer from the chart store too (a page cached before the
    # flush, or a browser that kept the page, asks for them).
    _emptied(app, monkeypatch)
    for address in urls:
        image = client.get(address)
        assert image.status_code == 200 and image.mimetype == "image/svg+xml"
        assert "<svg" in image.get_data(as_text=True)


def test_a_regional_dashboards_charts_are_drawn_once_across_restarts(
    app: Flask,
    client: FlaskClient,
    world: World,
    cache: Cache,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for assessment_id in _academies(app, "North A", "North B", "North C"):
        answer_all(app, assessment_id, 3)
    sign_in(client, world.admin)
    first = client.get_page("regional.region", code="north-west", cycle="2025/26")
    assert cache.rendered["heatmap"] == 1 and cache.rendered["line"] == 1

    emptied = _emptied(app, monkeypatch)
    again = client.get_page("regional.region", code="north-west", cycle="2025/26")
    assert _drawn(emptied) == 0
    assert _chart_urls(again.get_data(as_text=True)) == _chart_urls(first.get_data(as_text=True))
    text = soup(again).get_text(" ", strip=True)
    assert "North C Academy" in text


def test_a_chart_whose_data_changed_is_drawn_anew(
    app: Flask,
    client: FlaskClient,
    world: World,
    cache: Cache,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The store is keyed by what a chart shows: other figures, another chart."""
    assessments = _academies(app, "North A", "North B", "North C", "North D")
    for assessment_id in assessments[:3]:
        answer_all(app, assessment_id, 2)
    sign_in(client, world.admin)
    before = client.get_page("regional.region", code="north-west", cycle="2025/26")
    answer_all(app, assessments[3], 5)
    emptied = _emptied(app, monkeypatch)
    after = client.get_page("regional.region", code="north-west", cycle="2025/26")
    assert emptied.rendered["heatmap"] == 1  # a new row: drawn
    assert set(_chart_urls(after.get_data(as_text=True))) != set(
        _chart_urls(before.get_data(as_text=True))
    )


def test_a_submission_draws_its_regions_dashboard_charts(
    app: Flask, client: FlaskClient, world: World, cache: Cache
) -> None:
    """Submitting draws the charts of the region's dashboard as its lead lands on it (a
    job after the submission), so the lead's first view draws none."""
    from tests.helpers import submit

    for assessment_id in _academies(app, "North A", "North B", "North C", cycle=_cycle(app, world)):
        answer_all(app, assessment_id, 2)
    answer_all(app, world.assessment, 4, then_submit=False)
    sign_in(client, world.lead)
    response = submit(
        client,
        client.url("assessments.submit", slug=world.org, assessment_id=world.assessment),
        {"declaration": "agreed"},
    )
    assert response.status_code == 302
    drawn = cache.rendered["heatmap"]
    assert drawn == 1  # the region's dashboard, drawn by the submission
    regional = app.test_client()
    sign_in(regional, world.regional_lead)
    page = regional.get_page("regional.region", code="north-west")
    assert cache.rendered["heatmap"] == drawn  # its first view draws none
    assert "Testshire Care Academy" in soup(page).get_text(" ", strip=True)


def _cycle(app: Flask, world: World) -> str:
    with app.app_context():
        assessment = db.session.get(Assessment, world.assessment)
        assert assessment is not None
        return assessment.cycle


def test_draw_charts_draws_what_pages_show_once(
    app: Flask,
    client: FlaskClient,
    world: World,
    cache: Cache,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """``flask maturity draw-charts`` (data loaded without the service's pages, a new
    drawing code): afterwards the results page draws nothing, and running it again
    draws nothing either."""
    answer_all(app, world.assessment, 3)
    cache.rendered.clear()  # what the submission itself drew is not counted
    runner = app.test_cli_runner()
    result = runner.invoke(args=["maturity", "draw-charts"])
    assert result.exit_code == 0, result.output
    assert "Charts ready: 1 assessments, 9 regional dashboards" in result.output
    assert _drawn(cache) >= 1 and _stored(app) >= _drawn(cache)

    again = _emptied(app, monkeypatch)
    assert runner.invoke(args=["maturity", "draw-charts"]).exit_code == 0
    assert _drawn(again) == 0
    sign_in(client, world.lead)
    client.get_page("results.results", slug=world.org, assessment_id=world.assessment)
    assert _drawn(again) == 0


def test_charts_drawn_ahead_reach_the_store_when_the_cache_already_holds_them(
    app: Flask, world: World, cache: Cache
) -> None:
    """A database rebuilt or restored beside a running cache: drawing ahead (the job
    queue, ``draw-charts``) puts the charts the cache still holds into the store, without
    drawing them again, so they survive the cache being emptied."""
    from maturity.jobs import draw_results_charts

    answer_all(app, world.assessment, 3)
    with app.app_context():
        draw_results_charts(world.assessment)
    stored, drawn = _stored(app), _drawn(cache)
    assert stored >= 1 and drawn >= 1
    with app.app_context():
        db.session.execute(delete(StoredChart))
        db.session.commit()
    assert _stored(app) == 0

    with app.app_context():
        draw_results_charts(world.assessment)
    assert _stored(app) == stored
    assert _drawn(cache) == drawn  # taken from the cache, not drawn again
