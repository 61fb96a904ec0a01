"""Charts: matplotlib figures rendered to small, deterministic, accessible SVG, and their cache.

Pages show a chart as ``<img src="data:image/svg+xml;base64,…" alt="…">`` beside a table of
the same figures: the Content Security Policy forbids inline styles, so the SVG is never
inlined into the HTML (inside an image its own styles are fine). Every function here returns
SVG text; ``data_uri`` turns it into the ``src``.

Drawing uses the object-oriented ``Figure`` API, never pyplot, so no global figure manager is
touched. Saving reads a few settings from matplotlib's global ``rcParams`` (the SVG hash salt,
text as text), so rendering is serialised by a lock: charts are cached, so renders are rare.

Charts are cached in the app's one cache (``maturity.cache.Cache``, also known here as
``ChartCache``), keyed by a hash of their kind, their arguments and ``CHART_VERSION``; with
Redis it is shared by all workers. The ``*_chart`` functions take a cache and the chart's
arguments, so callers never build keys themselves.
"""

from __future__ import annotations

import base64
import inspect
import io
import logging
import math
import re
import textwrap
import threading
import warnings
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Concatenate, ParamSpec, cast
from xml.sax.saxutils import escape, quoteattr

import matplotlib
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Rectangle
from matplotlib.projections.polar import PolarAxes
from matplotlib.ticker import MaxNLocator
from matplotlib.typing import RcKeyType

from maturity.cache import Cache

log = logging.getLogger(__name__)
P = ParamSpec("P")

CHART_VERSION = "2"
"""Part of every cache key: bump it when a change to the drawing code should redraw charts."""

NO_DATA_TEXT = "No data yet"
MISSING_VALUE_TEXT = "–"

# GOV.UK-like colours, each at least 3:1 against white (WCAG 1.4.11, graphical objects) and
# told apart by colour-blind readers in the usual pairs (blue/orange/grey first). GOV.UK's
# own orange (#f47738) is only 2.8:1, so the darker Okabe–Ito vermilion stands in for it.
PALETTE: tuple[str, ...] = (
    "#1d70b8",  # blue
    "#d55e00",  # orange
    "#505a5f",  # dark grey
    "#00703c",  # green
    "#d53880",  # pink
    "#4c2c92",  # purple
    "#b58840",  # brown
    "#28a197",  # turquoise
    "#0b0c0c",  # near-black: a ninth series (nine sections) needs a ninth colour
)
# Series also differ by marker (and by line style, which the caller chooses per series).
MARKERS: tuple[str, ...] = ("o", "s", "^", "D", "v", "P", "X", "*", "h")
LINE_STYLES: dict[str, str | tuple[float, tuple[float, ...]]] = {
    "solid": "-",
    "dashed": (0, (6, 3)),
    "dotted": (0, (1.5, 2.5)),
}
TEXT_COLOUR = "#0b0c0c"
SECONDARY_TEXT_COLOUR = "#505a5f"
GRID_COLOUR = "#b1b4b6"
MISSING_FILL = "#f3f2f1"

LANDSCAPE_INCHES = (6.4, 4.8)  # 640 × 480 px on the page
SQUARE_INCHES = (6.4, 6.4)  # 640 × 640 px
PIXELS_PER_INCH = 100

_RC: dict[RcKeyType, Any] = {
    "svg.hashsalt": "academy-maturity",  # ids derive from content, not from a random salt
    "svg.fonttype": "none",  # text stays text: small, searchable, read by assistive tools
    "svg.id": None,
    "text.parse_math": False,  # "$" in an academy's name is a dollar, not mathematics
    "font.family": "sans-serif",
    "font.sans-serif": ["DejaVu Sans", "Arial", "Helvetica"],
    "font.size": 10,
    "axes.titlesize": 12,
    "axes.labelsize": 10,
    "xtick.labelsize": 10,
    "ytick.labelsize": 10,
    "legend.fontsize": 10,
    "figure.titlesize": 13,
    "figure.titleweight": "bold",
    "text.color": TEXT_COLOUR,
    "axes.labelcolor": TEXT_COLOUR,
    "axes.edgecolor": SECONDARY_TEXT_COLOUR,
    "xtick.color": TEXT_COLOUR,
    "ytick.color": TEXT_COLOUR,
    "grid.color": GRID_COLOUR,
    "grid.linewidth": 0.8,
    "hatch.color": SECONDARY_TEXT_COLOUR,
}
_SAVE_METADATA: dict[str, Any] = {"Date": None, "Creator": None}
_RENDER_LOCK = threading.Lock()
_LAID_OUT = threading.local()  # the last figure drawn on this thread, for ``laid_out``


@dataclass(frozen=True)
class Series:
    """One named line of values; ``None`` is a gap (no data), never drawn as zero."""

    label: str
    values: tuple[float | None, ...]
    style: str = "solid"  # "solid" | "dashed" | "dotted"

    def __post_init__(self) -> None:
        if self.style not in LINE_STYLES:
            raise ValueError(
                f"Series style must be one of {sorted(LINE_STYLES)}, not {self.style!r}"
            )


# --- public chart functions -------------------------------------------------------------


def radar_svg(
    axes: Sequence[str],
    series: Sequence[Series],
    *,
    scale_min: float = 1,
    scale_max: float,
    level_names: Sequence[str] = (),
    title: str,
) -> str:
    """A radar (spider) chart: one spoke per domain, one ring per level, one polygon per series.

    ``axes`` are the spoke labels (long ones are wrapped); rings sit at each whole level from
    ``scale_min`` to ``scale_max``, labelled "1 Emerging"… when ``level_names`` are given (the
    first name belongs to ``scale_min``). Each series needs one value per spoke; ``None`` leaves
    a gap. With no spokes or no values at all it says "No data yet".
    """
    _check_series(series, len(axes), "axes")
    if not axes or not _any_value(value for s in series for value in s.values):
        return _render_no_data(title, SQUARE_INCHES)
    return _render(
        title,
        lambda figure: _draw_radar(figure, axes, series, scale_min, scale_max, level_names),
        SQUARE_INCHES,
    )


def line_svg(
    x_labels: Sequence[str],
    series: Sequence[Series],
    *,
    y_min: float | None = None,
    y_max: float | None = None,
    y_label: str = "",
    title: str,
    y_ticks: Sequence[float] | None = None,
    y_tick_labels: Sequence[str] | None = None,
) -> str:
    """A trend chart: one line per series across ``x_labels`` (cycles or periods).

    Each point has a marker; ``None`` leaves a gap in the line and no marker. ``y_ticks`` and
    ``y_tick_labels`` name the levels on the vertical axis when given. With no periods or no
    values at all it says "No data yet".
    """
    _check_series(series, len(x_labels), "x_labels")
    if y_ticks is not None and y_tick_labels is not None and len(y_ticks) != len(y_tick_labels):
        raise ValueError("y_tick_labels needs one label per y tick")
    if not x_labels or not _any_value(value for s in series for value in s.values):
        return _render_no_data(title, LANDSCAPE_INCHES)
    limits = (y_min, y_max)
    ticks = (y_ticks, y_tick_labels)
    # The legend sits under the plot: each of its rows after the first two makes the chart
    # taller, so many series do not squeeze the lines.
    size = (LANDSCAPE_INCHES[0], LANDSCAPE_INCHES[1] + 0.4 * max(0, math.ceil(len(series) / 2) - 2))
    return _render(
        title,
        lambda figure: _draw_line(figure, x_labels, series, limits, y_label, ticks),
        size,
    )


def heatmap_svg(
    rows: Sequence[str],
    columns: Sequence[str],
    values: Sequence[Sequence[float | None]],
    *,
    scale_min: float,
    scale_max: float,
    title: str,
    value_labels: Sequence[str] = (),
) -> str:
    """A grid of rows × columns (e.g. academies × domains) coloured by value on a blue scale.

    Every cell also shows its value as text, so colour is never the only cue; a ``None`` cell is
    hatched grey and shows "–". The key lists each whole level from ``scale_min``, named by
    ``value_labels`` when given. The chart grows taller with the number of rows. With no rows,
    no columns or no values it says "No data yet".
    """
    if len(values) != len(rows) or any(len(row) != len(columns) for row in values):
        raise ValueError("values needs one row per row label and one value per column label")
    if not rows or not columns or not _any_value(v for row in values for v in row):
        return _render_no_data(title, LANDSCAPE_INCHES)
    # Rows are all as tall as the longest wrapped name (at least two lines) needs, and the
    # slanted column names (about 0.06 inch of height a character) get the room above.
    lines = max(max(2, _wrap(row, 28).count("\n") + 1) for row in rows) if rows else 2
    longest = max((len(line) for c in columns for line in _wrap(c, 36).split("\n")), default=0)
    slanted = 0.075 * longest if len(columns) > 5 else 0.6
    height = 1.8 + slanted + 0.2 * lines * len(rows)
    # Many columns get a wider chart (it is shown wide), so slanted names have room apart.
    width = 8.0 if len(columns) > 5 else LANDSCAPE_INCHES[0]
    size = (width, max(LANDSCAPE_INCHES[1], height))
    scale = (scale_min, scale_max)
    return _render(
        title,
        lambda figure: _draw_heatmap(figure, rows, columns, values, scale, value_labels),
        size,
    )


def bar_svg(
    categories: Sequence[str],
    values: Sequence[float | None],
    *,
    title: str,
    y_label: str = "",
) -> str:
    """A bar chart of one value per category (e.g. how many academies are at each level).

    Each bar carries its value as text; a ``None`` category has no bar and shows "–". With no
    categories or no values it says "No data yet".
    """
    if len(values) != len(categories):
        raise ValueError("values needs one value per category")
    if not categories or not _any_value(values):
        return _render_no_data(title, LANDSCAPE_INCHES)
    return _render(
        title,
        lambda figure: _draw_bar(figure, categories, values, y_label),
        LANDSCAPE_INCHES,
    )


def laid_out(chart: Callable[..., str], /, *args: Any, **kwargs: Any) -> Figure:
    """The matplotlib figure behind ``chart(*args, **kwargs)`` (a ``*_svg`` function) as it
    was laid out when saved: each text's window extent can be read from it (the layout
    tests check that no two labels overlap)."""
    _LAID_OUT.wanted, _LAID_OUT.figure = True, None
    try:
        chart(*args, **kwargs)
        figure: Figure = _LAID_OUT.figure
    finally:
        _LAID_OUT.wanted, _LAID_OUT.figure = False, None
    return figure


def data_uri(svg: str) -> str:
    """The ``src`` for an ``<img>`` showing ``svg``: a base64 ``data:image/svg+xml`` URI."""
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")


# --- through the cache ------------------------------------------------------------------

ChartCache = Cache
"""The cache charts are drawn through: ``maturity.cache.Cache`` (the name stays for callers)."""


def chart_key(kind: str, **arguments: Any) -> str:
    """The cache key of a chart: its kind, its arguments and ``CHART_VERSION``."""
    return Cache.key(kind, {**arguments, "chart_version": CHART_VERSION})


def through_cache(cache: Cache, kind: str, draw: Callable[..., str], **arguments: Any) -> str:
    """``draw(**arguments)``, fetched from ``cache`` when drawn before with the same
    arguments and ``CHART_VERSION`` (callers never build keys themselves)."""
    data = {**arguments, "chart_version": CHART_VERSION}
    return cache.drawn(kind, data, lambda: draw(**arguments))


def cached(kind: str, draw: Callable[P, str]) -> Callable[Concatenate[Cache, P], str]:
    """``draw`` through a cache given as the first argument: the chart's key is its kind and
    every argument of ``draw`` (defaults included), so callers never build keys."""
    signature = inspect.signature(draw)

    def chart(cache: Cache, /, *args: P.args, **kwargs: P.kwargs) -> str:
        bound = signature.bind(*args, **kwargs)
        bound.apply_defaults()
        return through_cache(cache, kind, draw, **bound.arguments)

    chart.__doc__ = f"``{draw.__name__}`` through ``cache``."
    return chart


radar_chart = cached("radar", radar_svg)
line_chart = cached("line", line_svg)
heatmap_chart = cached("heatmap", heatmap_svg)
bar_chart = cached("bar", bar_svg)


# --- rendering --------------------------------------------------------------------------


def _render(title: str, draw: Callable[[Figure], None], size: tuple[float, float]) -> str:
    """Draw a figure of ``size`` inches under the house settings and return accessible SVG."""
    buffer = io.StringIO()
    # Text properties are read from rcParams when artists are created, so the figure is built
    # inside the context as well as saved in it.
    with _RENDER_LOCK, matplotlib.rc_context(_RC), warnings.catch_warnings():
        # Text stays text in the SVG and the browser draws it with its own fonts: a
        # character DejaVu Sans lacks (an emoji, a control character pasted into a theory
        # of change) only makes the layout measure it a little off.
        warnings.filterwarnings("ignore", r"Glyph \d+ .*missing from font", UserWarning)
        figure = Figure(figsize=size, layout="constrained")
        figure.suptitle(_wrap(title, 60))
        draw(figure)
        figure.savefig(buffer, format="svg", metadata=_SAVE_METADATA)
    if getattr(_LAID_OUT, "wanted", False):
        _LAID_OUT.figure = figure
    # XML cannot hold control characters: one in a label would make the whole SVG invalid.
    return _make_accessible(_NOT_IN_XML.sub("", buffer.getvalue()), title, size)


def _render_no_data(title: str, size: tuple[float, float]) -> str:
    def draw(figure: Figure) -> None:
        figure.text(
            0.5,
            0.5,
            NO_DATA_TEXT,
            ha="center",
            va="center",
            fontsize=14,
            color=SECONDARY_TEXT_COLOUR,
        )

    return _render(title, draw, size)


_ROOT_TAG = re.compile(r"<svg\b[^>]*>")
_DOCTYPE = re.compile(r"<!DOCTYPE[^>]*>\s*")
_METADATA = re.compile(r"\s*<metadata>.*?</metadata>", re.DOTALL)
_SIZE_ATTRIBUTES = re.compile(r'\s(?:width|height)="[^"]*"')


_NOT_IN_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _make_accessible(svg: str, title: str, size: tuple[float, float]) -> str:
    """Give the root ``role="img"``, an ``aria-label`` and a ``<title>`` first child; size in px."""
    label = " ".join(title.split())
    svg = _METADATA.sub("", _DOCTYPE.sub("", svg, count=1), count=1)
    match = _ROOT_TAG.search(svg)
    if match is None:  # pragma: no cover - matplotlib always writes a root element
        raise RuntimeError("matplotlib produced SVG without a root element")
    width, height = (round(inches * PIXELS_PER_INCH) for inches in size)
    root = _SIZE_ATTRIBUTES.sub("", match.group(0)[: -len(">")])
    root += (
        f' width="{width}" height="{height}" role="img" aria-label={quoteattr(label)}'
        f' xml:lang="en-GB">\n <title>{escape(label)}</title>'
    )
    return svg[: match.start()] + root + svg[match.end() :]


def _draw_radar(
    figure: Figure,
    spokes: Sequence[str],
    series: Sequence[Series],
    scale_min: float,
    scale_max: float,
    level_names: Sequence[str],
) -> None:
    ax = cast(PolarAxes, figure.add_subplot(projection="polar"))
    count = len(spokes)
    angles = [2 * math.pi * index / count for index in range(count)]
    # Level 1 sits one ring out from the centre, so a low score still draws a visible shape.
    centre = 0.0 if scale_min > 0 else scale_min - 1
    ax.set_theta_offset(math.pi / 2)
    ax.set_theta_direction(-1)
    ax.set_ylim(centre, scale_max)
    levels = _whole_levels(scale_min, scale_max)
    ax.set_yticks(levels, labels=[""] * len(levels))
    ax.set_xticks(angles, labels=[""] * count)
    ax.grid(True, color=GRID_COLOUR, linewidth=0.8)
    ax.spines["polar"].set_color(SECONDARY_TEXT_COLOUR)

    label_radius = scale_max + 0.12 * (scale_max - centre)
    for angle, spoke in zip(angles, spokes, strict=True):
        across, up = math.sin(angle), math.cos(angle)
        ax.text(
            angle,
            label_radius,
            _wrap(spoke, 18),
            ha="left" if across > 0.1 else "right" if across < -0.1 else "center",
            va="bottom" if up > 0.1 else "top" if up < -0.1 else "center",
        )
    # Ring labels sit just outside each ring at the bottom of the chart, where the ring
    # curves away from them: they never cross a ring, and never meet a section's label.
    for index, level in enumerate(levels):
        name = level_names[index] if index < len(level_names) else ""
        ax.annotate(
            f"{_number(level)} {name}".strip(),
            xy=(math.pi, level),
            xytext=(0, -2),
            textcoords="offset points",
            ha="center",
            va="top",
            fontsize=9,
            color=SECONDARY_TEXT_COLOUR,
            # Under the series, so a label never hides a score; the backing keeps it legible.
            zorder=2.5,
            bbox={
                "boxstyle": "round,pad=0.1",
                "facecolor": "white",
                "edgecolor": "none",
                "alpha": 0.75,
            },
        )

    handles: list[Line2D] = []
    closed_angles = [*angles, angles[0] + 2 * math.pi]
    for index, one in enumerate(series):
        values = _floats(one.values)
        style = _series_style(index, one)
        if any(math.isnan(v) for v in values):
            # Set only for some sections (a target, say): markers where there is a value, and
            # no line, which would join values across the gaps as if they were a shape.
            style["linestyle"] = "none"
        (line,) = ax.plot(
            closed_angles,
            [*values, values[0]],
            markevery=slice(0, count),  # the closing point repeats the first: no second marker
            gid=f"series-{index}",
            zorder=3 + len(series) - index,
            clip_on=False,
            **style,
        )
        if index == 0 and not any(math.isnan(v) for v in values):
            ax.fill(closed_angles, [*values, values[0]], color=line.get_color(), alpha=0.12)
        handles.append(line)
    _legend(figure, handles, [one.label for one in series])


def _draw_line(
    figure: Figure,
    x_labels: Sequence[str],
    series: Sequence[Series],
    limits: tuple[float | None, float | None],
    y_label: str,
    ticks: tuple[Sequence[float] | None, Sequence[str] | None],
) -> None:
    ax = figure.add_subplot()
    positions = list(range(len(x_labels)))
    crowded = len(x_labels) > 8 or sum(len(label) for label in x_labels) > 70
    if crowded:
        ax.set_xticks(positions, x_labels, rotation=40, ha="right", rotation_mode="anchor")
    else:
        ax.set_xticks(positions, [_wrap(label, 14) for label in x_labels])
    ax.set_xlim(-0.5, len(x_labels) - 0.5)
    handles = []
    for index, one in enumerate(series):
        (line,) = ax.plot(
            positions,
            _floats(one.values),
            gid=f"series-{index}",
            zorder=3 + len(series) - index,
            clip_on=False,
            **_series_style(index, one),
        )
        handles.append(line)
    y_ticks, y_tick_labels = ticks
    if y_ticks is not None:
        ax.set_yticks(list(y_ticks), labels=None if y_tick_labels is None else list(y_tick_labels))
    _set_y_limits(ax, *limits)
    if y_label:
        ax.set_ylabel(y_label)
    _plain_axes(ax)
    _legend(figure, handles, [one.label for one in series])


def _draw_heatmap(
    figure: Figure,
    rows: Sequence[str],
    columns: Sequence[str],
    values: Sequence[Sequence[float | None]],
    scale: tuple[float, float],
    value_labels: Sequence[str],
) -> None:
    ax = figure.add_subplot()
    any_missing = False
    for row_index, row in enumerate(values):
        for column_index, value in enumerate(row):
            origin = (column_index, row_index)
            if value is None or math.isnan(value):
                any_missing = True
                ax.add_patch(Rectangle(origin, 1, 1, **_missing_style()))
                text, text_colour = MISSING_VALUE_TEXT, TEXT_COLOUR
            else:
                fill = _heat_colour(value, scale)
                ax.add_patch(Rectangle(origin, 1, 1, facecolor=fill, edgecolor="white"))
                text, text_colour = _number(value), _text_colour_on(fill)
            ax.text(
                column_index + 0.5,
                row_index + 0.5,
                text,
                ha="center",
                va="center",
                color=text_colour,
                bbox={"boxstyle": "square,pad=0.1", "facecolor": MISSING_FILL, "edgecolor": "none"}
                if value is None or math.isnan(value)
                else None,
            )
    ax.set_xlim(0, len(columns))
    ax.set_ylim(len(rows), 0)
    ax.set_yticks(
        [index + 0.5 for index in range(len(rows))],
        [_wrap(row, 28) for row in rows],  # whole names: a cut name could be another academy
    )
    ax.xaxis.tick_top()
    positions = [index + 0.5 for index in range(len(columns))]
    if len(columns) <= 5:
        ax.set_xticks(positions, [_wrap(column, 14, max_lines=3) for column in columns])
    else:
        # Whole names, steeply slanted so that they stay within the chart, on at most a few
        # lines (more would meet the next column's).
        labels = [_wrap(column, 36) for column in columns]
        ax.set_xticks(positions, labels, rotation=60, ha="left", rotation_mode="anchor")
    ax.tick_params(length=0)
    for spine in ax.spines.values():
        spine.set_visible(False)

    handles: list[Patch] = []
    names: list[str] = []
    for index, level in enumerate(_whole_levels(*scale)):
        handles.append(Patch(facecolor=_heat_colour(level, scale), edgecolor=GRID_COLOUR))
        name = value_labels[index] if index < len(value_labels) else ""
        names.append(f"{_number(level)} {name}".strip() if name else f"Level {_number(level)}")
    if any_missing:
        handles.append(Patch(**_missing_style()))
        names.append(f"{MISSING_VALUE_TEXT} No data")
    if handles:
        figure.legend(
            handles=handles,
            labels=names,
            loc="outside lower center",
            ncols=min(len(handles), 3),
            frameon=False,
        )


def _draw_bar(
    figure: Figure, categories: Sequence[str], values: Sequence[float | None], y_label: str
) -> None:
    ax = figure.add_subplot()
    positions = list(range(len(categories)))
    present = [(index, value) for index, value in zip(positions, _floats(values), strict=True)]
    present = [(index, value) for index, value in present if not math.isnan(value)]
    for index, value in present:
        ax.bar(index, value, width=0.6, color=PALETTE[0], gid=f"bar-{index}", zorder=2)
    highest = max((value for _, value in present), default=0.0)
    lowest = min((value for _, value in present), default=0.0)
    ax.set_ylim(min(0.0, lowest), max(highest * 1.15, 1.0))
    offset = 0.02 * max(highest - min(0.0, lowest), 1.0)
    for index, value in zip(positions, _floats(values), strict=True):
        missing = math.isnan(value)
        ax.text(
            index,
            offset if missing else max(value, 0.0) + offset,
            MISSING_VALUE_TEXT if missing else _number(value),
            ha="center",
            va="bottom",
            color=SECONDARY_TEXT_COLOUR if missing else TEXT_COLOUR,
        )
    if all(float(value).is_integer() for _, value in present):
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    crowded = len(categories) > 8 or sum(len(category) for category in categories) > 70
    if crowded:
        ax.set_xticks(positions, categories, rotation=40, ha="right", rotation_mode="anchor")
    else:
        ax.set_xticks(positions, [_wrap(category, 14) for category in categories])
    ax.set_xlim(-0.6, len(categories) - 0.4)
    if y_label:
        ax.set_ylabel(y_label)
    _plain_axes(ax)


# --- helpers ----------------------------------------------------------------------------


def _check_series(series: Sequence[Series], expected: int, name: str) -> None:
    for one in series:
        if len(one.values) != expected:
            raise ValueError(
                f"Series {one.label!r} has {len(one.values)} values for {expected} {name}"
            )


def _any_value(values: Iterable[float | None]) -> bool:
    return any(value is not None and not math.isnan(value) for value in values)


def _floats(values: Iterable[float | None]) -> list[float]:
    """Values as floats with NaN for gaps: matplotlib breaks lines and drops markers at NaN."""
    return [math.nan if value is None else float(value) for value in values]


def _series_style(index: int, series: Series) -> dict[str, Any]:
    colour = PALETTE[index % len(PALETTE)]
    return {
        "color": colour,
        "linestyle": LINE_STYLES[series.style],
        "linewidth": 2,
        "marker": MARKERS[index % len(MARKERS)],
        "markersize": 7,
        "markerfacecolor": colour,
        "markeredgecolor": "white",
        "markeredgewidth": 1,
    }


def _legend(figure: Figure, handles: Sequence[Line2D], labels: Sequence[str]) -> None:
    # Labels are passed explicitly: a label starting with "_" would otherwise be left out.
    if not handles:
        return
    wrapped = [_wrap(label, 24) for label in labels]  # whole labels, however long
    longest = max(len(line) for label in wrapped for line in label.split("\n") or [""])
    # As many columns as fit across the figure: handle and gaps ≈ 50pt, a character ≈ 6.2pt.
    fitting = int(0.95 * figure.get_figwidth() * 72 // (50 + 6.2 * longest))
    figure.legend(
        handles=list(handles),
        labels=wrapped,
        loc="outside lower center",
        ncols=max(1, min(len(handles), fitting, 4)),
        frameon=False,
        handlelength=3,
        labelspacing=1.6,  # room for labels of two lines or more beside labels of one
    )


def _set_y_limits(ax: Axes, y_min: float | None, y_max: float | None) -> None:
    """Fix the given limits, padded a little so a marker on a limit is not cut by the axis."""
    low, high = ax.get_ylim()
    low = low if y_min is None else y_min
    high = high if y_max is None else y_max
    if high <= low:
        return
    pad = 0.04 * (high - low)
    ax.set_ylim(low - pad if y_min is not None else low, high + pad if y_max is not None else high)


def _plain_axes(ax: Axes) -> None:
    ax.spines["top"].set_visible(False)
    ax.spines["right"].set_visible(False)
    ax.grid(True, axis="y", linestyle=":", zorder=0)
    ax.set_axisbelow(True)


def _missing_style() -> dict[str, Any]:
    return {"facecolor": MISSING_FILL, "edgecolor": GRID_COLOUR, "hatch": "//", "linewidth": 0.5}


def _heat_colour(value: float, scale: tuple[float, float]) -> tuple[float, float, float, float]:
    low, high = scale
    share = 0.0 if high <= low else min(max((value - low) / (high - low), 0.0), 1.0)
    colour: tuple[float, float, float, float] = matplotlib.colormaps["Blues"](0.15 + 0.75 * share)
    return colour


def _text_colour_on(fill: tuple[float, float, float, float]) -> str:
    """Near-black or white, whichever contrasts more with ``fill``."""

    def channel(value: float) -> float:
        return value / 12.92 if value <= 0.04045 else ((value + 0.055) / 1.055) ** 2.4

    luminance = 0.2126 * channel(fill[0]) + 0.7152 * channel(fill[1]) + 0.0722 * channel(fill[2])
    # Contrast with white is 1.05 / (L + 0.05); with #0b0c0c (L ≈ 0.0037) it is (L + 0.05) / 0.0537.
    return "white" if 1.05 / (luminance + 0.05) > (luminance + 0.05) / 0.0537 else TEXT_COLOUR


def _whole_levels(scale_min: float, scale_max: float) -> list[int]:
    return list(range(math.ceil(scale_min), math.floor(scale_max) + 1))


def _number(value: float) -> str:
    """``3`` for 3.0, ``2.5`` for 2.5: one decimal, as scores are given."""
    rounded = round(float(value), 1)
    return str(int(rounded)) if rounded.is_integer() else f"{rounded:.1f}"


def _wrap(text: str, width: int, *, max_lines: int | None = None) -> str:
    lines = textwrap.wrap(text, width, max_lines=max_lines, placeholder=" …") if text else []
    return "\n".join(lines) or text
