"""The theory-of-change diagram: columns from the challenge to long-term impact, as SVG.

Drawn with the same house settings, determinism and accessibility as ``maturity.charts``
(whose rendering helpers it reuses), and cached in the app's one cache (``maturity.cache``).
Pages show it as a data-URI image with alt text beside a table of the same content.
"""

from __future__ import annotations

from collections.abc import Sequence

from matplotlib.figure import Figure

from maturity.charts import (
    GRID_COLOUR,
    PALETTE,
    SECONDARY_TEXT_COLOUR,
    TEXT_COLOUR,
    _render,
    _render_no_data,
    _wrap,
    cached,
)

Column = tuple[str, Sequence[str]]
_WRAP = 20  # characters per line inside a box
_MAX_LINES = 6  # a longer item is shortened with " …" in the diagram (the table has it all)
_LINE = 1.0  # vertical units per line of text
_GAP = 0.9  # between boxes
_HEADER = 2.6  # room for the column headings
_INCHES_PER_LINE = 0.17


def _box_lines(text: str) -> int:
    return len(_wrap(text, _WRAP, max_lines=_MAX_LINES).split("\n"))


def theory_of_change_svg(columns: Sequence[Column], *, title: str) -> str:
    """A diagram with one column per stage (e.g. "Inputs": ["Council funding", …]), each item
    in its own box, arrows leading from one stage to the next. Empty stages show "–".
    With no items at all it says "No data yet"."""
    if not any(items for _, items in columns):
        return _render_no_data(title, (9.6, 3.2))
    heights = [
        sum(_box_lines(item) * _LINE + _GAP for item in items) if items else _LINE + _GAP
        for _, items in columns
    ]
    total = _HEADER + max(heights) + _GAP
    size = (9.6, max(3.2, 1.0 + total * _INCHES_PER_LINE))

    def draw(figure: Figure) -> None:
        ax = figure.add_subplot()
        count = len(columns)
        ax.set_xlim(0, count)
        ax.set_ylim(total, 0)
        ax.axis("off")
        for index, (heading, items) in enumerate(columns):
            centre = index + 0.5
            ax.text(
                centre,
                _HEADER / 2,
                _wrap(heading, 14),
                ha="center",
                va="center",
                fontsize=10,
                fontweight="bold",
                color=TEXT_COLOUR,
            )
            if index + 1 < count:
                ax.annotate(
                    "",
                    xy=(index + 1.08, _HEADER / 2),
                    xytext=(index + 0.92, _HEADER / 2),
                    arrowprops={"arrowstyle": "-|>", "color": SECONDARY_TEXT_COLOUR, "lw": 1.5},
                )
            top = _HEADER
            colour = PALETTE[index % len(PALETTE)]
            for item in items or ["–"]:
                lines = _box_lines(item)
                ax.text(
                    centre,
                    top + lines * _LINE / 2,
                    _wrap(item, _WRAP, max_lines=_MAX_LINES),
                    ha="center",
                    va="center",
                    fontsize=7.5,
                    color=TEXT_COLOUR,
                    bbox={
                        "boxstyle": "round,pad=0.4",
                        "facecolor": "white",
                        "edgecolor": colour if items else GRID_COLOUR,
                        "linewidth": 1.5,
                    },
                )
                top += lines * _LINE + _GAP

    return _render(title, draw, size)


theory_of_change_chart = cached("theory-of-change", theory_of_change_svg)
"""``theory_of_change_svg`` through a cache given as the first argument."""
