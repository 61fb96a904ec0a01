"""Quarterly returns: which metrics a quarter asks for, reading a typed figure, and
splitting ``metrics.check_return``'s problems into field errors and warnings.

Periods are financial-year quarters (``periods.Period``). Metrics per year (``period: year``
in the metric file) are entered once a year, in the Q4 return.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from maturity.framework.metrics import Number, Problem
from maturity.framework.periods import Period
from maturity.framework.schema import Metric, MetricsDefinition

__all__ = ["FIGURE_LIMIT", "metrics_for_period", "parse_figure", "split_problems"]


def metrics_for_period(definition: MetricsDefinition, period: Period) -> tuple[Metric, ...]:
    """The metrics a return for this quarter asks for: the quarterly ones, and in Q4 also
    the yearly ones."""
    return tuple(
        metric for metric in definition.metrics if metric.period == "quarter" or period.is_year_end
    )


_NUMBER = re.compile(r"^-?(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.[0-9]+)?$")
FIGURE_LIMIT = 10**11  # far above any academy's figure, and within the database column


def parse_figure(text: str) -> Number | None:
    """A typed figure as a number: ``""`` → None, ``"63,492"`` → 63492, ``"87.5"`` → 87.5.

    Raises ``ValueError`` when the text is not a plain number (``"about 20"``, ``"1e3"``).
    Negative and fractional numbers are returned as typed, so that ``check_return`` can say
    what is wrong with them.
    """
    cleaned = text.strip().replace(" ", "").replace("%", "")
    if not cleaned:
        return None
    if len(cleaned) > 20 or not _NUMBER.match(cleaned):
        raise ValueError(text)
    cleaned = cleaned.replace(",", "")
    number = float(cleaned) if "." in cleaned else int(cleaned)
    if abs(number) >= FIGURE_LIMIT:
        raise ValueError(text)
    return number


def split_problems(problems: Sequence[Problem]) -> tuple[dict[str, str], list[Problem]]:
    """Field errors (a figure that cannot be kept: not a number, negative, not whole, above
    its maximum, unknown metric) keyed by metric id, and warnings (consistency rules that
    fail: a return with warnings can be saved as a draft but not submitted)."""
    errors: dict[str, str] = {}
    warnings: list[Problem] = []
    for problem in problems:
        if problem.kind == "rule":
            warnings.append(problem)
        else:
            errors.setdefault(problem.metric_ids[0], problem.message.rstrip("."))
    return errors, warnings
