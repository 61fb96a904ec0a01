"""The one cache (maturity.cache): fragments keyed by the versions of the scopes they
depend on and the disclosure rule, each viewer's CSRF token put in on the way out, values
kept per version, and charts kept by content hash longer than the pages that point at
them."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import redis
from flask import Flask, g

from maturity.cache import (
    CHART_KEY_PREFIX,
    CSRF_PLACEHOLDER,
    NATIONAL,
    Cache,
    Scope,
    fill_slots,
    slot,
)
from maturity.framework import disclosure


@pytest.fixture
def app() -> Flask:
    application = Flask(__name__)
    application.secret_key = "test"
    return application


class Renders:
    def __init__(self, text: str = "<p>figures</p>") -> None:
        self.calls = 0
        self.text = text

    def __call__(self) -> str:
        self.calls += 1
        return self.text


NORTH_WEST = Scope.region(1)
NORTH_WEST_ANSWERS = Scope.region_answers(1)
LONDON = Scope.region(2)


@contextmanager
def _request(app: Flask, **versions: str) -> Iterator[None]:
    """A request whose scopes have these versions (national, north_west, answers,
    london; "1" unless given), as if read from the database."""
    with app.test_request_context():
        g.maturity_versions = {
            NATIONAL: versions.get("national", "1"),
            NORTH_WEST: versions.get("north_west", "1"),
            NORTH_WEST_ANSWERS: versions.get("answers", "1"),
            LONDON: versions.get("london", "1"),
        }
        yield


def test_a_fragment_follows_the_data_version_and_the_disclosure_rule(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = Cache()
    render = Renders()
    with _request(app):
        assert cache.fragment("page", {"region": "north-west"}, render) == "<p>figures</p>"
        cache.fragment("page", {"region": "north-west"}, render)
        assert render.calls == 1
        cache.fragment("page", {"region": "london"}, render)
        assert render.calls == 2
        monkeypatch.setattr(disclosure, "MINIMUM_GROUP", 4)
        cache.fragment("page", {"region": "north-west"}, render)
        assert render.calls == 3
    with _request(app, national="2"):
        cache.fragment("page", {"region": "north-west"}, render)
        assert render.calls == 4


def test_a_fragment_follows_only_the_scopes_it_depends_on(app: Flask) -> None:
    cache = Cache()
    render = Renders()

    def pages() -> None:
        cache.fragment("region", {"region": 1}, render, by=NORTH_WEST)
        cache.fragment("region", {"region": 2}, render, by=LONDON)
        cache.fragment("completion", {"region": 1}, render, by=[NORTH_WEST, NORTH_WEST_ANSWERS])

    with _request(app):
        pages()
        assert render.calls == 3
    with _request(app, national="2"):  # a change elsewhere: nothing here depends on it
        pages()
        assert render.calls == 3
    with _request(app, national="2", london="2"):
        pages()
        assert render.calls == 4
    with _request(app, national="2", london="2", answers="2"):  # an answer saved
        pages()
        assert render.calls == 5
    with _request(app, national="3", london="2", answers="2", north_west="2"):
        pages()
        assert render.calls == 7
        assert cache.rendered["completion"] == 3 and cache.rendered["region"] == 4


def test_slots_join_parts_cached_by_different_versions(app: Flask) -> None:
    cache = Cache()
    own = Renders(f"<p>own</p>{slot('others')}<p>more</p>")
    with _request(app):
        html = cache.fragment("own", {}, own, by=NORTH_WEST)
        assert fill_slots(html, {"others": "<p>others</p>"}) == (
            "<p>own</p><p>others</p><p>more</p>"
        )


def test_each_viewer_gets_their_own_csrf_token_from_one_cached_fragment(app: Flask) -> None:
    cache = Cache()
    render = Renders(f'<input name="csrf_token" value="{CSRF_PLACEHOLDER}">')
    tokens = []
    for _viewer in range(2):
        with _request(app):
            html = cache.fragment("completion", {}, render)
            assert CSRF_PLACEHOLDER not in html
            tokens.append(html.split('value="')[1].split('"')[0])
    assert render.calls == 1
    assert tokens[0] and tokens[0] != tokens[1]


def test_json_and_values_kept_per_data_version(app: Flask) -> None:
    cache = Cache()
    calls: list[int] = []

    def compute() -> frozenset[str]:
        calls.append(1)
        return frozenset({"2025/26"})

    with _request(app):
        assert cache.json("api", {"a": 1}, lambda: {"rows": [1, "withheld"]}) == {
            "rows": [1, "withheld"]
        }
        assert cache.per_version("cycles", compute) == cache.per_version("cycles", compute)
        assert len(calls) == 1
    with _request(app, national="2"):
        cache.per_version("cycles", compute)
        assert len(calls) == 2
        cache.per_version("cycles", compute, by=NORTH_WEST)
        assert len(calls) == 3


def test_a_chart_is_kept_twice_as_long_as_the_pages_pointing_at_it(redis_url: str) -> None:
    cache = Cache(redis_url, ttl_seconds=60)
    svg = '<svg xmlns="http://www.w3.org/2000/svg"><title>test-cache-chart</title></svg>'
    digest = cache.keep_chart(svg)
    client = redis.Redis.from_url(redis_url)
    try:
        assert Cache(redis_url).chart(digest) == svg  # another worker finds it
        ttl = client.ttl(CHART_KEY_PREFIX + digest)
        assert isinstance(ttl, int) and 60 < ttl <= 120
    finally:
        client.delete(CHART_KEY_PREFIX + digest)
        client.close()
