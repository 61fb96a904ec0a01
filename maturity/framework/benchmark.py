"""Spread statistics for a group of academies, with small groups suppressed.

The rules, in one place:

* A group is a list of values, one per academy (a domain score, the overall score, a level).
  ``n`` is how many values there are; academies without a value are not counted.
* Suppression: a group of fewer than ``minimum_group`` academies (default 3) reports no figure
  at all: median, quartiles, minimum and maximum are None and ``suppressed`` is True, so that no
  academy can be identified from them. An empty group is suppressed too. The rule holds for any
  ``minimum_group`` of 1 or more; anything smaller is a ``ValueError``. ``n`` itself stays the
  true count so that callers can decide what to say, but pages should show the ``note`` instead
  of ``n`` when a group is suppressed.
* Quartiles are ``statistics.quantiles(values, n=4, method="inclusive")`` (the same as
  Excel's QUARTILE.INC and NumPy's default "linear" method); the median is the middle of those
  three cut points, which is the ordinary median. A single value is its own median and
  quartiles. Arithmetic is exact (fractions of the values' decimal text), so 2.95 is 2.95.
* Reported figures are rounded to one decimal place with halves rounded up (2.25 → 2.3), the
  same rounding as scores. Positions (upper quartile, middle half, lower quartile) are decided
  on the unrounded quartiles, kept on the :class:`Spread` for that purpose.
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from fractions import Fraction

from maturity.framework import disclosure
from maturity.framework.disclosure import MINIMUM_GROUP as DEFAULT_MINIMUM_GROUP
from maturity.framework.summary import Scores

__all__ = [
    "DEFAULT_MINIMUM_GROUP",
    "Spread",
    "describe_position",
    "domain_spreads",
    "level_distribution",
    "overall_spread",
    "position",
    "spread",
]

UPPER = "upper quartile"
MIDDLE = "middle half"
LOWER = "lower quartile"


@dataclass(frozen=True)
class Spread:
    """The spread of a group's values, or only its size when the group is suppressed.

    ``median``, the quartiles, ``minimum`` and ``maximum`` are rounded to one decimal and are all
    None exactly when ``suppressed`` is True (fewer than ``minimum_group`` values, or none).
    ``note`` says in plain English why figures are missing, and is None when they are not.
    ``exact_lower_quartile`` and ``exact_upper_quartile`` are the unrounded quartiles that
    :func:`position` compares with (None when suppressed); they are not for display.
    """

    n: int
    median: float | None
    lower_quartile: float | None
    upper_quartile: float | None
    minimum: float | None
    maximum: float | None
    suppressed: bool
    note: str | None
    minimum_group: int = DEFAULT_MINIMUM_GROUP
    exact_lower_quartile: float | None = field(default=None, repr=False)
    exact_upper_quartile: float | None = field(default=None, repr=False)


def _check_minimum(minimum_group: int) -> None:
    if isinstance(minimum_group, bool) or not isinstance(minimum_group, int):
        raise ValueError(f"minimum_group must be a whole number, not {minimum_group!r}")
    if minimum_group < 1:
        raise ValueError(f"minimum_group must be at least 1, not {minimum_group}")


def _checked(value: float) -> float:
    if type(value) is float and math.isfinite(value):
        return value  # the usual case, first
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ValueError(f"a benchmark value must be a finite number, not {value!r}")
    return float(value)


def _exact(value: float) -> Fraction:
    # Via the decimal text, so 2.95 means 2.95 as written, not the nearest binary float.
    return Fraction(repr(float(_checked(value))))


def _quartile(ordered: Sequence[float], i: int) -> Fraction:
    """The ``i``-th quartile of sorted values, exactly: ``statistics.quantiles(…, n=4,
    method="inclusive")`` computed on the two values it interpolates between."""
    if len(ordered) == 1:
        return _exact(ordered[0])
    j, delta = divmod(i * (len(ordered) - 1), 4)
    if delta == 0:
        return _exact(ordered[j])
    return (_exact(ordered[j]) * (4 - delta) + _exact(ordered[j + 1]) * delta) / 4


def _round(value: Fraction) -> float:
    return float(Fraction(math.floor(value * 10 + Fraction(1, 2)), 10))


def spread(values: Sequence[float], minimum_group: int = DEFAULT_MINIMUM_GROUP) -> Spread:
    """The n, median, quartiles, minimum and maximum of ``values``.

    Guarantees: ``n == len(values)``; when ``n == 0`` or ``n < minimum_group`` every figure is
    None, ``suppressed`` is True and ``note`` explains why; otherwise ``minimum <=
    lower_quartile <= median <= upper_quartile <= maximum``, each rounded to one decimal (halves
    up), and ``note`` is None. Never divides by zero. Raises ``ValueError`` when
    ``minimum_group`` is below 1 or a value is not a finite number.
    """
    _check_minimum(minimum_group)
    # Sorted as floats (the order of their exact decimal values too), and only the few
    # values the figures are made of are taken exactly: sorting exact fractions was most
    # of a comparison page's time.
    ordered = sorted(map(_checked, values))
    n = len(ordered)
    if n == 0 or n < minimum_group:
        return Spread(
            n=n,
            median=None,
            lower_quartile=None,
            upper_quartile=None,
            minimum=None,
            maximum=None,
            suppressed=True,
            note=disclosure.group_note(n, minimum_group),
            minimum_group=minimum_group,
        )
    lower, median, upper = (_quartile(ordered, i) for i in (1, 2, 3))
    return Spread(
        n=n,
        median=_round(median),
        lower_quartile=_round(lower),
        upper_quartile=_round(upper),
        minimum=_round(_exact(ordered[0])),
        maximum=_round(_exact(ordered[-1])),
        suppressed=False,
        note=None,
        minimum_group=minimum_group,
        exact_lower_quartile=float(lower),
        exact_upper_quartile=float(upper),
    )


def position(value: float | None, group: Spread) -> str | None:
    """Where ``value`` falls in ``group``: "upper quartile", "middle half" or "lower quartile".

    "upper quartile" when the value is strictly above the group's (unrounded) upper quartile,
    "lower quartile" when strictly below its lower quartile, "middle half" otherwise, so a value
    exactly on a quartile belongs to the middle half (and when the quartiles are equal, every
    value between them is in the middle half). None when the group is suppressed or the value
    is None.
    """
    if value is None or group.suppressed:
        return None
    upper, lower = group.exact_upper_quartile, group.exact_lower_quartile
    if upper is None or lower is None:
        return None
    exact = _exact(value)
    if exact > Fraction(repr(upper)):
        return UPPER
    if exact < Fraction(repr(lower)):
        return LOWER
    return MIDDLE


def describe_position(value: float | None, group: Spread, subject: str, group_name: str) -> str:
    """One sentence in British English placing ``value`` for ``subject`` within the group.

    ``group_name`` is read after "in", for example "England", "the North West" or "the 2026
    cycle". Guarantees: a suppressed group's sentence gives no figure about it other than the
    minimum group size (for example "Fewer than 3 academies in the North West have a score for
    Leadership: figures are withheld so that no academy can be identified."); otherwise the
    sentence ends with the group size, for example "You are in the upper quartile for Funding
    and sustainability in England (27 academies)."
    """
    if group.n == 0:
        return f"No academies in {group_name} have a score for {subject} yet."
    if group.suppressed:
        return (
            f"Fewer than {group.minimum_group} academies in {group_name} have a score for "
            f"{subject}: figures are withheld so that no academy can be identified."
        )
    where = position(value, group)
    if where is None:
        return (
            f"You have no score for {subject} yet, so you cannot be placed in {group_name} "
            f"({_academies(group.n)})."
        )
    return f"You are in the {where} for {subject} in {group_name} ({_academies(group.n)})."


def _academies(n: int) -> str:
    return f"{n} academ{'y' if n == 1 else 'ies'}"


def domain_spreads(
    results: Sequence[Scores], minimum_group: int = DEFAULT_MINIMUM_GROUP
) -> dict[str, Spread]:
    """The spread of each domain's score over the results, keyed by domain id.

    Guarantees: every domain id of any result is a key, in the order of the first result's
    domains, then ids first seen in later results in the order met; each spread counts only the
    results that have a score for that domain (a domain not yet assessed, or absent from a
    result's questionnaire version, does not count towards ``n``); suppression as
    :func:`spread`. Domains are matched by id only: pass results of one questionnaire.
    """
    _check_minimum(minimum_group)
    scores: dict[str, list[float]] = {}
    for result in results:
        for domain in result.domains:
            values = scores.setdefault(domain.domain_id, [])
            if domain.score is not None:
                values.append(domain.score)
    return {domain_id: spread(values, minimum_group) for domain_id, values in scores.items()}


def overall_spread(results: Sequence[Scores], minimum_group: int = DEFAULT_MINIMUM_GROUP) -> Spread:
    """The spread of the overall scores; results with no overall score do not count to ``n``.

    Suppression as :func:`spread`.
    """
    return spread([r.overall.score for r in results if r.overall.score is not None], minimum_group)


def level_distribution(
    levels: Sequence[int], scale: Sequence[int], minimum_group: int = DEFAULT_MINIMUM_GROUP
) -> dict[int, int] | None:
    """How many values are at each level of ``scale``, or None for a suppressed group.

    Guarantees: None when there are fewer than ``minimum_group`` values (including none);
    otherwise every level of ``scale`` is a key, in the order given, levels with no value
    counting 0, and the counts add up to ``len(levels)``. Raises ``ValueError`` when
    ``minimum_group`` is below 1, ``scale`` repeats a level, or a value is not on the scale.
    """
    _check_minimum(minimum_group)
    if len(set(scale)) != len(scale):
        raise ValueError(f"the scale repeats a level: {list(scale)}")
    counts = dict.fromkeys(scale, 0)
    for level in levels:
        if level not in counts:
            raise ValueError(f"level {level!r} is not on the scale {list(scale)}")
        counts[level] += 1
    if len(levels) < minimum_group:
        return None
    return counts
