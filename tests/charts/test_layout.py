"""Charts laid out for reading: with long section names and nine series, no label overlaps
another, the radar's labels stay clear of its level rings, and the legend sits apart
from the data. Extents are matplotlib's own (each text's window extent once laid out)."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import pytest
from matplotlib.figure import Figure
from matplotlib.text import Text
from matplotlib.transforms import Affine2D

from maturity.charts import Series, bar_svg, heatmap_svg, laid_out, line_svg, radar_svg

# Nine sections with names as long as real ones, and longer.
SECTIONS = (
    "Leadership and strategy",
    "Delivery model and resourcing",
    "Funding and sustainability",
    "Collaboration and co-production with partners across the region",
    "Careers guidance and outreach",
    "Recruitment and retention",
    "Training and development",
    "Inclusion of underrepresented groups",
    "Demonstrating impact",
)
LEVELS = ("First steps", "Compliant", "Strategic", "Integrated", "Disruptive")
CYCLES = ("2022/23", "2023/24", "2024/25", "2025/26", "2026/27")


def _values(seed: int, count: int) -> tuple[float, ...]:
    return tuple(1 + ((seed * 7 + index * 3) % 9) / 2.5 for index in range(count))


CHARTS: dict[str, tuple[Callable[..., str], dict[str, Any]]] = {
    "radar": (
        radar_svg,
        {
            "axes": SECTIONS,
            "series": [
                Series("2026/27", _values(1, 9)),
                Series("2025/26", _values(2, 9), "dashed"),
                Series("Target", (4, None, 3, None, None, 5, None, None, 4), "dotted"),
            ],
            "scale_max": 5,
            "level_names": LEVELS,
            "title": "Maturity profile, 2026/27",
        },
    ),
    "trend": (
        line_svg,
        {
            "x_labels": CYCLES,
            "series": [
                Series(name, _values(index, len(CYCLES)), ("solid", "dashed", "dotted")[index % 3])
                for index, name in enumerate(SECTIONS)
            ],
            "y_min": 1,
            "y_max": 5,
            "y_label": "Score",
            "y_ticks": (1, 2, 3, 4, 5),
            "y_tick_labels": [f"{n} {name}" for n, name in enumerate(LEVELS, start=1)],
            "title": "Section scores by cycle",
        },
    ),
    "heatmap": (
        heatmap_svg,
        {
            "rows": [
                "Riverside Care Academy (demo)",
                "Harbourtown Health and Care Academy of the North West Coast (demo)",
                "Other academies (fewer than 3)",
            ],
            "columns": SECTIONS,
            "values": [_values(1, 9), _values(2, 9), (None,) * 9],
            "scale_min": 1,
            "scale_max": 5,
            "value_labels": LEVELS,
            "title": "Level by section, North West, 2026/27",
        },
    ),
    "bar": (
        bar_svg,
        {
            "categories": [f"{n} {name}" for n, name in enumerate(LEVELS, start=1)],
            "values": (2, 5, None, 1, 0),
            "title": "Academies at each level",
            "y_label": "Academies",
        },
    ),
}


def _corners(text: Text, renderer: Any) -> list[tuple[float, float]]:
    """The four corners of a text as drawn, in pixels: its upright box turned about its
    anchor when it is slanted (an upright bounding box of a slanted label would claim
    space the label does not use)."""
    angle = text.get_rotation()
    if angle % 180 == 0 or text.get_rotation_mode() != "anchor":
        box = text.get_window_extent(renderer)
        return [(box.x0, box.y0), (box.x1, box.y0), (box.x1, box.y1), (box.x0, box.y1)]
    text.set_rotation(0)
    try:
        box = text.get_window_extent(renderer)
    finally:
        text.set_rotation(angle)
    anchor = text.get_transform().transform(text.get_unitless_position())
    turn = Affine2D().rotate_deg_around(anchor[0], anchor[1], angle)
    points = [(box.x0, box.y0), (box.x1, box.y0), (box.x1, box.y1), (box.x0, box.y1)]
    return [tuple(turn.transform(point)) for point in points]


def _overlap(a: list[tuple[float, float]], b: list[tuple[float, float]]) -> bool:
    """Whether two convex quadrilaterals overlap by more than a pixel (separating axes)."""
    for shape in (a, b):
        for index in range(4):
            (x0, y0), (x1, y1) = shape[index], shape[(index + 1) % 4]
            normal = (y0 - y1, x1 - x0)
            length = math.hypot(*normal) or 1.0
            on_a = [(x * normal[0] + y * normal[1]) / length for x, y in a]
            on_b = [(x * normal[0] + y * normal[1]) / length for x, y in b]
            if max(on_a) <= min(on_b) + 1 or max(on_b) <= min(on_a) + 1:
                return False
    return True


def _texts(figure: Figure) -> list[Text]:
    return [
        text
        for text in figure.findobj(Text)
        if isinstance(text, Text) and text.get_visible() and text.get_text().strip()
    ]


@pytest.mark.parametrize("kind", CHARTS)
def test_no_two_labels_overlap_even_with_long_section_names(kind: str) -> None:
    draw, arguments = CHARTS[kind]
    figure = laid_out(draw, **arguments)
    renderer = figure._get_renderer()  # type: ignore[attr-defined]
    shapes = [(text.get_text(), _corners(text, renderer)) for text in _texts(figure)]
    assert len(shapes) > 10
    clashes = [
        (first[0], second[0])
        for index, first in enumerate(shapes)
        for second in shapes[index + 1 :]
        if _overlap(first[1], second[1])
    ]
    assert clashes == []
    # Nothing is drawn outside the chart's own area, where the page would cut it off.
    width, height = figure.bbox.width, figure.bbox.height
    for label, corners in shapes:
        assert all(-3 <= x <= width + 3 and -3 <= y <= height + 3 for x, y in corners), label


def test_radar_labels_stay_clear_of_the_level_rings() -> None:
    draw, arguments = CHARTS["radar"]
    figure = laid_out(draw, **arguments)
    renderer = figure._get_renderer()  # type: ignore[attr-defined]
    ax = figure.axes[0]
    centre = ax.transData.transform((0, ax.get_ylim()[0]))
    rings = [math.dist(centre, ax.transData.transform((0, level))) for level in range(1, 6)]
    for text in _texts(figure):
        corners = _corners(text, renderer)
        box = text.get_window_extent(renderer)
        nearest_x = min(max(centre[0], box.x0), box.x1)
        nearest_y = min(max(centre[1], box.y0), box.y1)
        nearest = math.dist(centre, (nearest_x, nearest_y))
        farthest = max(math.dist(centre, corner) for corner in corners)
        for radius in rings:
            assert not nearest < radius < farthest, (text.get_text(), radius)


def test_radar_draws_a_partial_target_as_markers_without_a_line() -> None:
    draw, arguments = CHARTS["radar"]
    figure = laid_out(draw, **arguments)
    target = next(line for line in figure.axes[0].lines if line.get_gid() == "series-2")
    assert target.get_linestyle() == "None"
    assert target.get_marker() not in (None, "None", "")
    shown = [v for v in target.get_ydata() if not math.isnan(v)]
    assert len(shown) == 5  # four targets set, and the closing point repeating the first


def test_nine_trend_series_each_differ_by_colour_and_by_marker_or_line() -> None:
    draw, arguments = CHARTS["trend"]
    figure = laid_out(draw, **arguments)
    lines = [line for line in figure.axes[0].lines if (line.get_gid() or "").startswith("series")]
    assert len(lines) == 9
    assert len({line.get_color() for line in lines}) == 9
    assert len({(line.get_marker(), line.get_linestyle()) for line in lines}) == 9
    # The legend is outside the plotting area, so it never covers a line.
    renderer = figure._get_renderer()  # type: ignore[attr-defined]
    legend = figure.legends[0].get_window_extent(renderer)
    assert not legend.overlaps(figure.axes[0].get_window_extent(renderer))
