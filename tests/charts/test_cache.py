"""The one cache (maturity.cache): fragments keyed by the data version and the disclosure
rule, each viewer's CSRF token put in on the way out, values kept per data version, and
charts kept by content hash longer than the pages that point at them."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import redis
from flask import Flask, g

from maturity.cache import CHART_KEY_PREFIX, CSRF_PLACEHOLDER, Cache
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


@contextmanager
def _request(app: Flask, versions: tuple[str, str] = ("v1", "a1")) -> Iterator[None]:
    with app.test_request_context():
        g.maturity_versions = versions
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
    with _request(app, ("v2", "a2")):
        cache.fragment("page", {"region": "north-west"}, render)
        assert render.calls == 4
    with _request(app, ("v2", "a3")):  # only the answers changed
        cache.fragment("page", {"region": "north-west"}, render)
        assert render.calls == 4
        cache.fragment("completion", {"region": "north-west"}, render, by="answers")
        assert render.calls == 5


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
    with _request(app, ("v2", "a2")):
        cache.per_version("cycles", compute)
        assert len(calls) == 2


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
