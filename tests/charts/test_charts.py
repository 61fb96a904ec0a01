"""Charts: valid, accessible, deterministic SVG; gaps for missing values; the cache."""

from __future__ import annotations

import base64
import logging
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import redis

from maturity import charts
from maturity.charts import (
    PALETTE,
    ChartCache,
    Series,
    bar_chart,
    bar_svg,
    data_uri,
    heatmap_chart,
    heatmap_svg,
    line_chart,
    line_svg,
    radar_chart,
    radar_svg,
)

SVG = "{http://www.w3.org/2000/svg}"
LEVELS = ("Emerging", "Developing", "Established", "Leading")
DOMAINS = ("Leadership", "Partnerships", "Recruitment", "Learning", "Progression")


# --- helpers ----------------------------------------------------------------------------


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def texts(svg: str) -> list[str]:
    """Every piece of text the chart shows, one entry per line of text."""
    return ["".join(element.itertext()) for element in parse(svg).iter(f"{SVG}text")]


def group(svg: str, gid: str) -> ET.Element | None:
    return next((e for e in parse(svg).iter(f"{SVG}g") if e.get("id") == gid), None)


def marker_count(svg: str, gid: str) -> int:
    """Markers drawn for one series: matplotlib writes each as a ``<use>`` in its group."""
    found = group(svg, gid)
    assert found is not None, f"no group {gid!r} in the chart"
    return len(list(found.iter(f"{SVG}use")))


# The arguments of one example of each chart.
EXAMPLES: dict[str, dict[str, Any]] = {
    "radar": {
        "axes": DOMAINS,
        "series": [
            Series("2026/27", (2.5, 3, 1.8, 2, 2.2)),
            Series("2025/26", (2, 2.5, 1.5, 2, 2), "dashed"),
            Series("Target", (3, 3, 3, 3, 3), "dotted"),
        ],
        "scale_max": 4,
        "level_names": LEVELS,
        "title": "Maturity by domain",
    },
    "line": {
        "x_labels": ("2023/24", "2024/25", "2025/26", "2026/27"),
        "series": [
            Series("Leadership", (1, 2, 2, 3)),
            Series("Partnerships", (1.5, 2, 2.5, 2.5), "dashed"),
        ],
        "y_min": 1,
        "y_max": 4,
        "y_ticks": (1, 2, 3, 4),
        "y_tick_labels": LEVELS,
        "y_label": "Level",
        "title": "Domain scores over cycles",
    },
    "heatmap": {
        "rows": ("North Academy", "South Academy"),
        "columns": DOMAINS[:3],
        "values": ((1, 2, 3), (4, 2.5, 3)),
        "scale_min": 1,
        "scale_max": 4,
        "value_labels": LEVELS,
        "title": "Academies by domain",
    },
    "bar": {
        "categories": LEVELS,
        "values": (3, 7, 2, 1),
        "y_label": "Academies",
        "title": "Academies at each level",
    },
}


def radar(**overrides: Any) -> str:
    return radar_svg(**(EXAMPLES["radar"] | overrides))


def line(**overrides: Any) -> str:
    return line_svg(**(EXAMPLES["line"] | overrides))


def heatmap(**overrides: Any) -> str:
    return heatmap_svg(**(EXAMPLES["heatmap"] | overrides))


def bar(**overrides: Any) -> str:
    return bar_svg(**(EXAMPLES["bar"] | overrides))


CHARTS: dict[str, Callable[..., str]] = {
    "radar": radar,
    "line": line,
    "heatmap": heatmap,
    "bar": bar,
}
# For each chart: the title, labels that must be shown as text, and an argument that changes it.
EXPECTED: dict[str, tuple[str, list[str], dict[str, Any]]] = {
    "radar": (
        "Maturity by domain",
        [*DOMAINS, "1 Emerging", "4 Leading", "2026/27", "2025/26", "Target"],
        {"series": [Series("2026/27", (1, 1, 1, 1, 1))]},
    ),
    "line": (
        "Domain scores over cycles",
        ["2023/24", "2026/27", "Emerging", "Leading", "Leadership", "Partnerships", "Level"],
        {"series": [Series("Leadership", (1, 2, 3, 3))]},
    ),
    "heatmap": (
        "Academies by domain",
        ["North Academy", "South Academy", *DOMAINS[:3], "2.5", "4", "1 Emerging"],
        {"values": ((1, 2, 3), (4, 2, 3))},
    ),
    "bar": (
        "Academies at each level",
        [*LEVELS, "3", "7", "Academies"],
        {"values": (3, 7, 2, 2)},
    ),
}


# --- every chart ------------------------------------------------------------------------


@pytest.mark.parametrize("kind", CHARTS)
def test_chart_is_accessible_svg_with_its_labels_as_text(kind: str) -> None:
    title, labels, _ = EXPECTED[kind]
    svg = CHARTS[kind]()

    root = parse(svg)
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    assert root.get("aria-label") == title
    first = root[0]
    assert first.tag == f"{SVG}title" and first.text == title
    shown = texts(svg)
    assert title in shown
    for label in labels:
        assert label in shown, f"{label!r} not shown as text in the {kind} chart"
    # Text is kept as text, not turned into glyph outlines.
    assert "DejaVuSans-" not in svg


@pytest.mark.parametrize("kind", CHARTS)
def test_chart_is_byte_identical_for_identical_data_and_differs_otherwise(kind: str) -> None:
    _, _, change = EXPECTED[kind]
    assert CHARTS[kind]() == CHARTS[kind]()
    assert CHARTS[kind]() != CHARTS[kind](**change)


@pytest.mark.parametrize(
    ("kind", "size"),
    [("radar", ("640", "640")), ("line", ("640", "480")), ("bar", ("640", "480"))],
)
def test_chart_has_its_page_size_and_a_matching_view_box(kind: str, size: tuple[str, str]) -> None:
    root = parse(CHARTS[kind]())
    assert (root.get("width"), root.get("height")) == size
    _, _, box_width, box_height = (float(part) for part in root.get("viewBox", "").split())
    assert box_width / box_height == pytest.approx(int(size[0]) / int(size[1]))


def test_heatmap_grows_taller_with_more_rows() -> None:
    rows = [f"Academy {index}" for index in range(20)]
    svg = heatmap(rows=rows, values=[(1, 2, 3)] * 20)
    assert int(parse(svg).get("height", "0")) > 480


@pytest.mark.parametrize(
    ("kind", "empty"),
    [
        ("radar", {"series": []}),
        ("radar", {"series": [Series("2026/27", (None,) * 5)]}),
        ("radar", {"axes": (), "series": [Series("2026/27", ())]}),
        ("line", {"series": []}),
        ("line", {"series": [Series("Leadership", (None, None, None, None))]}),
        ("line", {"x_labels": (), "series": []}),
        ("heatmap", {"values": ((None, None, None), (None, None, None))}),
        ("heatmap", {"rows": (), "values": ()}),
        ("bar", {"values": (None, None, None, None)}),
        ("bar", {"categories": (), "values": ()}),
    ],
)
def test_empty_data_says_no_data_yet(kind: str, empty: dict[str, Any]) -> None:
    title, _, _ = EXPECTED[kind]
    svg = CHARTS[kind](**empty)
    root = parse(svg)
    assert root.get("aria-label") == title
    assert "No data yet" in texts(svg)


@pytest.mark.parametrize("kind", CHARTS)
def test_data_does_not_say_no_data_yet(kind: str) -> None:
    assert "No data yet" not in texts(CHARTS[kind]())


def test_title_is_escaped_and_shown_literally() -> None:
    title = 'Scores & "targets" <2026>: $5 to $10 a learner'
    svg = bar(title=title)
    root = parse(svg)
    assert root.get("aria-label") == title
    assert root[0].text == title
    # "$" is a dollar, not the start of mathematics (which would split the title up).
    assert title in texts(svg)


def test_data_uri_is_base64_svg() -> None:
    svg = bar()
    uri = data_uri(svg)
    prefix = "data:image/svg+xml;base64,"
    assert uri.startswith(prefix)
    assert base64.b64decode(uri[len(prefix) :]).decode("utf-8") == svg


# --- gaps -------------------------------------------------------------------------------


def test_line_gap_leaves_out_the_marker_and_breaks_the_line() -> None:
    complete = line(series=[Series("Leadership", (1, 2, 2, 3))])
    gapped = line(series=[Series("Leadership", (1, None, 2, 3))])

    assert marker_count(complete, "series-0") == 4
    assert marker_count(gapped, "series-0") == 3

    def moves(svg: str) -> int:
        found = group(svg, "series-0")
        assert found is not None
        path = found.find(f"{SVG}path")
        assert path is not None
        return path.get("d", "").count("M")

    # One continuous line, against a lone first point and a line from the third to the fourth.
    assert moves(complete) == 1
    assert moves(gapped) == 2


def test_radar_gap_leaves_out_the_marker() -> None:
    complete = radar(series=[Series("2026/27", (2.5, 3, 1.8, 2, 2.2))])
    gapped = radar(series=[Series("2026/27", (2.5, 3, None, 2, 2.2))])
    assert marker_count(complete, "series-0") == 5
    assert marker_count(gapped, "series-0") == 4


def test_heatmap_missing_cell_is_hatched_and_labelled_not_zero() -> None:
    complete = heatmap()
    missing = heatmap(values=((1, None, 3), (4, 2.5, 3)))

    assert "–" not in texts(complete)
    assert "<pattern" not in complete
    assert "–" in texts(missing)
    assert "<pattern" in missing  # the hatching
    assert "– No data" in texts(missing)  # and the key says what it means
    assert "0" not in texts(missing)  # a gap is not drawn as zero


def test_bar_missing_value_has_no_bar_but_a_dash() -> None:
    svg = bar(values=(3, None, 2, 0))
    assert group(svg, "bar-0") is not None
    assert group(svg, "bar-1") is None
    assert group(svg, "bar-3") is not None  # zero is a value, not a gap
    assert "–" in texts(svg)
    assert "0" in texts(svg)


# --- telling series apart ---------------------------------------------------------------


def test_series_differ_by_line_style_and_marker_as_well_as_colour() -> None:
    svg = line(
        series=[
            Series("A", (1, 2, 3, 4)),
            Series("B", (2, 2, 2, 2), "dashed"),
            Series("C", (3, 3, 3, 3), "dotted"),
        ]
    )
    styles = []
    markers = []
    for index in range(3):
        found = group(svg, f"series-{index}")
        assert found is not None
        path = found.find(f"{SVG}path")
        assert path is not None
        styles.append(path.get("style", ""))
        # The marker's shape is the path defined in the series' group (drawn at each point).
        shape = next(found.iter(f"{SVG}defs")).find(f"{SVG}path")
        assert shape is not None
        markers.append(shape.get("d"))
    assert "dasharray" not in styles[0]
    assert "dasharray" in styles[1] and "dasharray" in styles[2]
    assert styles[1] != styles[2]
    assert len(set(markers)) == 3


def contrast_with_white(colour: str) -> float:
    def channel(value: int) -> float:
        share = value / 255
        return share / 12.92 if share <= 0.04045 else ((share + 0.055) / 1.055) ** 2.4

    red, green, blue = (int(colour[index : index + 2], 16) for index in (1, 3, 5))
    luminance = 0.2126 * channel(red) + 0.7152 * channel(green) + 0.0722 * channel(blue)
    return 1.05 / (luminance + 0.05)


@pytest.mark.parametrize("colour", PALETTE)
def test_palette_colour_contrasts_with_white(colour: str) -> None:
    assert contrast_with_white(colour) >= 3


def test_bad_input_is_refused() -> None:
    with pytest.raises(ValueError, match="style"):
        Series("A", (1,), "wavy")
    with pytest.raises(ValueError, match="values"):
        line(series=[Series("A", (1, 2))])
    with pytest.raises(ValueError, match="values"):
        bar(values=(1, 2))


# --- the in-process cache ---------------------------------------------------------------


class Renderer:
    """Counts its calls and returns a distinct SVG-like string each time."""

    def __init__(self) -> None:
        self.calls = 0

    def __call__(self) -> str:
        self.calls += 1
        return f"<svg>{self.calls}</svg>"


def test_memory_cache_renders_once_per_distinct_data() -> None:
    cache = ChartCache()
    render = Renderer()

    first = cache.get_or_render("bar", {"values": [1, 2]}, render)
    second = cache.get_or_render("bar", {"values": [1, 2]}, render)
    assert first == second == "<svg>1</svg>"
    assert render.calls == 1
    assert (cache.renders, cache.hits) == (1, 1)

    cache.get_or_render("bar", {"values": [1, 3]}, render)
    cache.get_or_render("line", {"values": [1, 2]}, render)
    assert render.calls == 3
    assert (cache.renders, cache.hits) == (3, 1)


def test_memory_cache_evicts_the_least_recently_used() -> None:
    cache = ChartCache(max_items=2)
    render = Renderer()
    cache.get_or_render("bar", {"n": 1}, render)
    cache.get_or_render("bar", {"n": 2}, render)
    cache.get_or_render("bar", {"n": 1}, render)  # 1 is now the most recently used
    cache.get_or_render("bar", {"n": 3}, render)  # so 2 goes
    assert render.calls == 3

    cache.get_or_render("bar", {"n": 1}, render)
    cache.get_or_render("bar", {"n": 3}, render)
    assert render.calls == 3
    cache.get_or_render("bar", {"n": 2}, render)
    assert render.calls == 4


def test_key_is_content_hash_of_kind_data_and_chart_version(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    key = charts.chart_key("bar", a=1, b=[1, None])
    assert key.startswith("maturity:cache:")
    assert len(key) == len("maturity:cache:") + 64
    assert charts.chart_key("bar", b=[1, None], a=1) == key
    assert charts.chart_key("line", a=1, b=[1, None]) != key
    assert charts.chart_key("bar", a=1, b=[1, 0]) != key
    monkeypatch.setattr(charts, "CHART_VERSION", "test-next")
    assert charts.chart_key("bar", a=1, b=[1, None]) != key


def test_key_tells_series_apart() -> None:
    solid = {"series": [Series("A", (1, 2))]}
    dashed = {"series": [Series("A", (1, 2), "dashed")]}
    assert ChartCache.key("line", solid) != ChartCache.key("line", dashed)


CACHED_CHARTS: dict[str, tuple[Callable[..., str], Callable[[], str], dict[str, Any]]] = {
    "radar": (radar_chart, radar, EXAMPLES["radar"]),
    "line": (line_chart, line, EXAMPLES["line"]),
    "heatmap": (heatmap_chart, heatmap, EXAMPLES["heatmap"]),
    "bar": (bar_chart, bar, EXAMPLES["bar"]),
}


@pytest.mark.parametrize("kind", CACHED_CHARTS)
def test_chart_through_the_cache_is_the_chart_rendered_once(kind: str) -> None:
    cached_chart, direct, arguments = CACHED_CHARTS[kind]
    cache = ChartCache()

    first = cached_chart(cache, **arguments)
    second = cached_chart(cache, **arguments)

    assert first == second == direct()
    assert (cache.renders, cache.hits) == (1, 1)
    changed = arguments | {"title": "Another title"}
    assert cached_chart(cache, **changed) != first
    assert cache.renders == 2


# --- Redis ------------------------------------------------------------------------------


@pytest.fixture
def redis_client(redis_url: str) -> Iterator[redis.Redis]:
    client = redis.Redis.from_url(redis_url)
    yield client
    client.close()


def test_redis_cache_is_shared_between_workers(redis_url: str, redis_client: redis.Redis) -> None:
    data = {"values": [1, 2], "test": uuid.uuid4().hex}  # no clash with a parallel run
    key = ChartCache.key("bar", data)
    first_worker = ChartCache(redis_url, ttl_seconds=60)
    second_worker = ChartCache(redis_url, ttl_seconds=60)
    render = Renderer()
    try:
        rendered = first_worker.get_or_render("bar", data, render)
        assert (first_worker.renders, first_worker.hits) == (1, 0)

        assert second_worker.get_or_render("bar", data, render) == rendered
        assert (second_worker.renders, second_worker.hits) == (0, 1)
        assert render.calls == 1

        assert redis_client.get(key) == rendered.encode("utf-8")
        ttl = redis_client.ttl(key)
        assert isinstance(ttl, int) and 0 < ttl <= 60
    finally:
        redis_client.delete(key)


def test_redis_cache_serves_a_real_chart(redis_url: str, redis_client: redis.Redis) -> None:
    title = f"Academies at each level {uuid.uuid4().hex}"
    key = charts.chart_key("bar", categories=["A"], values=[1], title=title, y_label="")
    try:
        svg = bar_chart(ChartCache(redis_url), categories=["A"], values=[1], title=title)
        other_worker = ChartCache(redis_url)
        assert bar_chart(other_worker, categories=["A"], values=[1], title=title) == svg
        assert (other_worker.renders, other_worker.hits) == (0, 1)
        assert redis_client.exists(key)
    finally:
        redis_client.delete(key)


def test_unreachable_redis_still_gives_the_chart_and_warns_once(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING, logger="maturity.cache")
    cache = ChartCache("redis://127.0.0.1:1/0")
    cache.REDIS_RETRY_SECONDS = 0  # try Redis on every call: still one warning

    svg = bar_chart(cache, categories=LEVELS, values=(3, 7, 2, 1), title="Academies at each level")
    again = bar_chart(
        cache, categories=LEVELS, values=(3, 7, 2, 1), title="Academies at each level"
    )
    other = bar_chart(
        cache, categories=LEVELS, values=(1, 1, 1, 1), title="Academies at each level"
    )

    assert svg == again == bar(y_label="")
    assert other != svg
    # Kept in the process while Redis is away.
    assert (cache.renders, cache.hits) == (2, 1)
    warnings = [r for r in caplog.records if r.name == "maturity.cache"]
    assert len(warnings) == 1
    assert "Redis unavailable" in warnings[0].getMessage()
