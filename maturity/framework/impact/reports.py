"""What reports show: period-on-period change, rates and each metric's trend over the
submitted returns (totals are ``metrics.totals``)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction

from maturity.framework.metrics import Number, totals
from maturity.framework.periods import Period
from maturity.framework.schema import Metric, MetricsDefinition

__all__ = ["Change", "MetricTrend", "period_change", "rate", "trend"]


@dataclass(frozen=True)
class Change:
    """Period-on-period change: the figure now, before, the difference and the percentage
    (None when the earlier figure is missing or zero)."""

    current: Number | None
    previous: Number | None
    difference: Number | None
    percent: float | None

    @property
    def direction(self) -> str:
        """``up``, ``down``, ``same`` or ``none`` (a figure is missing)."""
        if self.difference is None:
            return "none"
        return "up" if self.difference > 0 else "down" if self.difference < 0 else "same"


def _exact(value: Number) -> Fraction:
    return Fraction(value) if isinstance(value, int) else Fraction(repr(value))


def _plain(value: Fraction) -> Number:
    return int(value) if value.denominator == 1 else float(value)


def period_change(current: Number | None, previous: Number | None) -> Change:
    """How a figure moved from one period to the next, in exact arithmetic."""
    if current is None or previous is None:
        return Change(current, previous, None, None)
    difference = _exact(current) - _exact(previous)
    percent = None if previous == 0 else round(float(difference / _exact(previous) * 100), 1)
    return Change(current, previous, _plain(difference), percent)


def rate(part: Number | None, whole: Number | None) -> float | None:
    """``part`` as a percentage of ``whole`` to one decimal (None if either is missing or
    the whole is zero): for example retention = retained ÷ cohort."""
    if part is None or whole is None or whole == 0:
        return None
    return round(float(_exact(part) / _exact(whole) * 100), 1)


@dataclass(frozen=True)
class MetricTrend:
    """One metric across the periods given: its value in each (None where not reported),
    the total since the first period (cumulative metrics only) and the latest change."""

    metric: Metric
    periods: tuple[Period, ...]
    values: tuple[Number | None, ...]
    total: Number | None
    change: Change

    @property
    def has_data(self) -> bool:
        return any(value is not None for value in self.values)


def trend(
    definition: MetricsDefinition, returns: Sequence[tuple[Period, Mapping[str, Number]]]
) -> list[MetricTrend]:
    """Each metric's trend over ``returns`` (sorted here by period).

    Guarantees: one entry per metric in definition order; ``total`` is ``metrics.totals``
    over all the returns (None for non-cumulative metrics and when nothing was reported);
    ``change`` compares the latest period with a value against the period just before it
    (a yearly metric against the year before), and is empty when either is missing.
    """
    ordered = sorted(returns, key=lambda item: item[0])
    periods = tuple(period for period, _ in ordered)
    summed = totals(definition, [values for _, values in ordered])
    result = []
    for metric in definition.metrics:
        values = tuple(values.get(metric.id) for _, values in ordered)
        by_period = dict(zip(periods, values, strict=True))
        latest = next(
            (period for period in reversed(periods) if by_period[period] is not None), None
        )
        if latest is None:
            change = Change(None, None, None, None)
        else:
            before = latest.previous()
            if metric.period == "year":
                before = Period(latest.start_year - 1, latest.quarter)
            change = period_change(by_period[latest], by_period.get(before))
        result.append(MetricTrend(metric, periods, values, summed.get(metric.id), change))
    return result
