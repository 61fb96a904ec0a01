"""Disclosure control, in one place: which figures about groups of academies may be shown.

Every output (pages, downloads, the API and its OpenAPI description, open data, charts)
asks this module, so changing a threshold here changes all of them:

* ``MINIMUM_GROUP``: any figure about fewer academies than this is withheld (a count of one
  or two academies is itself a figure about them, so such counts are withheld too).
* ``QUARTILES_FROM``: quartiles are shown only from this many academies (with 3 or 4 values
  the quartiles and the median would give the values away).
* The differencing rule: regional aggregates are withheld when 1 up to ``MINIMUM_GROUP - 1``
  academies that do not share their results sit beside named ones (the aggregates minus the
  named rows would reveal them).
* The viewer is left out of its own comparison groups (a group including itself would let an
  academy work out the others' figures from its own).

Thresholds are read when a function is called (never bound as defaults), so a test may
change ``MINIMUM_GROUP`` in this module alone and see every output follow. Pure Python.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from maturity.framework.benchmark import Spread
    from maturity.framework.summary import Scores

__all__ = [
    "MINIMUM_GROUP",
    "QUARTILES_FROM",
    "WITHHELD",
    "count_cell",
    "differencing_note",
    "differencing_risk",
    "domain_spreads",
    "fewer_than",
    "group_note",
    "is_shown",
    "is_withheld",
    "level_distribution",
    "median_cell",
    "overall_spread",
    "quartiles_cell",
    "quartiles_shown",
    "rule",
    "spread",
    "spread_rule",
    "without_viewer",
]

MINIMUM_GROUP = 3
QUARTILES_FROM = 5

WITHHELD = "withheld"
"""How a withheld cell reads in data (CSV, XLSX, JSON); pages show it as "Withheld"."""

T = TypeVar("T")


# --- groups and cells ----------------------------------------------------------------------


def is_shown(n: int) -> bool:
    """Whether a figure about ``n`` academies may be shown."""
    return n >= MINIMUM_GROUP


def is_withheld(n: int) -> bool:
    return not is_shown(n)


def quartiles_shown(group: Spread) -> bool:
    return not group.suppressed and group.n >= QUARTILES_FROM


def count_cell(count: int) -> Any:
    """A count of academies: zero, or at least the minimum group; 1 or 2 is withheld
    (a count of one academy is a figure about that academy)."""
    return count if count == 0 or is_shown(count) else WITHHELD


def median_cell(group: Spread) -> Any:
    return WITHHELD if group.suppressed else group.median


def quartiles_cell(group: Spread) -> Any:
    if not quartiles_shown(group):
        return WITHHELD
    return f"{group.lower_quartile:.1f}–{group.upper_quartile:.1f}"


def quartile_value(group: Spread, value: float | None) -> Any:
    """A single quartile (open data), or withheld below ``QUARTILES_FROM``."""
    return value if quartiles_shown(group) else WITHHELD


def group_label(noun: str, n: int) -> str:
    """E.g. "Other academies (4)", or "Other academies (fewer than 3)"."""
    return f"{noun} ({n})" if is_shown(n) else f"{noun} ({fewer_than()})"


# --- the statistics, with the current threshold -------------------------------------------


def spread(values: Sequence[float]) -> Spread:
    from maturity.framework import benchmark

    return benchmark.spread(values, MINIMUM_GROUP)


def domain_spreads(results: Sequence[Scores]) -> dict[str, Spread]:
    from maturity.framework import benchmark

    return benchmark.domain_spreads(results, MINIMUM_GROUP)


def overall_spread(results: Sequence[Scores]) -> Spread:
    from maturity.framework import benchmark

    return benchmark.overall_spread(results, MINIMUM_GROUP)


def level_distribution(levels: Sequence[int], scale: Sequence[int]) -> dict[int, int] | None:
    from maturity.framework import benchmark

    return benchmark.level_distribution(levels, scale, MINIMUM_GROUP)


# --- differencing and the viewer ---------------------------------------------------------


def differencing_risk(hidden: int) -> bool:
    """Whether aggregates over a group with ``hidden`` non-sharing academies, shown next
    to the named (sharing) ones, would reveal the hidden ones: true for 1 up to
    ``MINIMUM_GROUP - 1`` of them (none: nothing hidden; more: they stay pooled)."""
    return 0 < hidden < MINIMUM_GROUP


def without_viewer(members: Iterable[T], is_viewer: Callable[[T], bool]) -> list[T]:
    """A comparison group without the viewer itself."""
    return [member for member in members if not is_viewer(member)]


# --- wording -------------------------------------------------------------------------------


def fewer_than() -> str:
    return f"fewer than {MINIMUM_GROUP}"


def rule() -> str:
    """The rule in one sentence, for pages, downloads, the API and open data."""
    return f"Any figure about {fewer_than()} academies is withheld."


def spread_rule() -> str:
    """Under a table of medians and quartiles."""
    return (
        f"Figures about {fewer_than()} academies are withheld so that no academy can be "
        f"identified; quartiles are shown from {QUARTILES_FROM} academies."
    )


def group_note(n: int, minimum_group: int | None = None) -> str | None:
    """Why a group's figures are missing (None when they are not); ``minimum_group`` is
    ``MINIMUM_GROUP`` unless a caller asks about another threshold."""
    threshold = MINIMUM_GROUP if minimum_group is None else minimum_group
    if n == 0:
        return "No academies have a figure here yet, so there is nothing to show."
    if n >= threshold:
        return None
    return (
        f"Fewer than {threshold} academies: figures are withheld so that no academy can "
        "be identified."
    )


def hidden_range() -> str:
    """How many non-sharing academies trigger the differencing rule, e.g. "1 or 2"."""
    top = MINIMUM_GROUP - 1
    if top <= 1:
        return "1"
    return ", ".join(str(n) for n in range(1, top)) + f" or {top}"


def differencing_note(subject: str = "these figures") -> str:
    return (
        f"Withheld: with {hidden_range()} academies in this group that do not share their "
        f"results, {subject} and the named academies would reveal theirs."
    )


def pooled_note() -> str:
    return (
        "Academies that do not share named results are counted in one pooled row "
        f"(median level), withheld where {fewer_than()} academies give a figure."
    )


def distribution_note() -> str:
    return (
        f"Counts of {hidden_range()} academies are withheld; a section with {fewer_than()} "
        "academies is withheld entirely."
    )


def region_note() -> str:
    return f"A region with {fewer_than()} academies giving a figure is withheld."


def benchmark_note() -> str:
    """Under the results page's benchmarks."""
    return (
        "From the other academies' latest submitted assessments: the median score and, "
        f"from {QUARTILES_FROM} academies, the middle half in brackets (lower to upper "
        f"quartile). A group of {fewer_than()} academies is withheld so that no academy "
        "can be identified."
    )
