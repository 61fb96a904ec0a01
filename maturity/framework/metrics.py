"""Check one period's impact return against the metric definitions, and total returns.

Value rules: people, count and hours are whole numbers, 0 or more; percent is 0–100; score is
0 up to the metric's ``scale_max`` (5 if not given). A missing value (None or absent) is not a
problem: returns may be partial. Consistency rules (the written ones, plus ``child <= parent``
for every ``parent`` link) are only checked when every metric in the rule has a valid value.

Sums and comparisons are exact decimal arithmetic, so 33.3 + 66.7 == 100 holds.
"""

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Literal

from maturity.framework.schema import Metric, MetricRule, MetricsDefinition

__all__ = ["Number", "Problem", "check_return", "totals"]

Number = int | float
ProblemKind = Literal["unknown", "type", "range", "rule"]

_OPERATOR_WORDS = {"<=": "at most", ">=": "at least", "==": "equal to"}


@dataclass(frozen=True)
class Problem:
    """One problem with a return, in plain English, naming the metric(s) involved.

    ``kind`` is unknown (no such metric), type (not a number / not whole), range (negative,
    too high) or rule (a consistency rule fails; ``rule_id`` names it and ``detail`` gives the
    figures).
    """

    metric_ids: tuple[str, ...]
    message: str
    kind: ProblemKind
    rule_id: str | None = None
    detail: str | None = None


def _exact(value: Number) -> Fraction:
    return Fraction(value) if isinstance(value, int) else Fraction(repr(value))


def _show(value: Fraction) -> str:
    return str(value.numerator) if value.denominator == 1 else f"{float(value):g}"


def _value_problem(metric: Metric, value: object) -> Problem | None:
    ids = (metric.id,)
    name = f"'{metric.title}'"
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return Problem(ids, f"{name} must be a number, not {value!r}.", "type")
    if value < 0:
        return Problem(ids, f"{name} cannot be negative (it is {value:g}).", "range")
    if metric.whole_numbers and not float(value).is_integer():
        return Problem(
            ids, f"{name} must be a whole number of {metric.unit} (it is {value:g}).", "type"
        )
    maximum = metric.maximum
    if maximum is not None and value > maximum:
        limit = "100%" if metric.unit == "percent" else f"{maximum:g}"
        return Problem(ids, f"{name} cannot be more than {limit} (it is {value:g}).", "range")
    return None


def _holds(operator: str, left: Fraction, right: Fraction) -> bool:
    if operator == "<=":
        return left <= right
    if operator == ">=":
        return left >= right
    return left == right


def _rule_problem(
    definition: MetricsDefinition, rule: MetricRule, valid: Mapping[str, Fraction]
) -> Problem | None:
    left = sum((valid[m] for m in rule.left), Fraction(0))
    right = sum((valid[m] for m in rule.right), Fraction(0))
    if _holds(rule.operator, left, right):
        return None

    def side(ids: Sequence[str], total: Fraction) -> str:
        names = " + ".join(f"'{definition.metric(m).title}'" for m in ids)
        return f"{names} = {_show(total)}"

    detail = (
        f"{side(rule.left, left)}, which should be {_OPERATOR_WORDS[rule.operator]} "
        f"{side(rule.right, right)}"
    )
    ids = tuple(dict.fromkeys(rule.metric_ids))
    return Problem(ids, rule.message, "rule", rule_id=rule.id, detail=detail)


def check_return(
    definition: MetricsDefinition, values: Mapping[str, Number | None]
) -> list[Problem]:
    """Every problem with one period's return; an empty list means it is acceptable.

    Guarantees: unknown ids first (in input order), then value problems in definition order,
    then failed rules (written rules, then implicit parent rules). A rule is only checked when
    all its metrics have valid values, so one bad figure does not also produce rule noise.
    """
    problems = [
        Problem((metric_id,), f"'{metric_id}' is not a metric of {definition.label}.", "unknown")
        for metric_id in values
        if not definition.has_metric(metric_id)
    ]
    valid: dict[str, Fraction] = {}
    for metric in definition.metrics:
        value = values.get(metric.id)
        if value is None:
            continue
        problem = _value_problem(metric, value)
        if problem is not None:
            problems.append(problem)
        else:
            valid[metric.id] = _exact(value)
    for rule in definition.all_rules:
        if all(metric_id in valid for metric_id in rule.metric_ids):
            problem = _rule_problem(definition, rule, valid)
            if problem is not None:
                problems.append(problem)
    return problems


def totals(
    definition: MetricsDefinition, returns: Sequence[Mapping[str, Number | None]]
) -> dict[str, Number | None]:
    """Sum each cumulative metric over several returns (for example the quarters of a year).

    Guarantees one entry per cumulative metric, in definition order: the exact sum of the
    values given (int for whole-number units, float otherwise), or None when no return has a
    value. Non-cumulative metrics (percentages, scores, point-in-time figures) are left out
    because their sum means nothing. Raises ``ValueError`` for unknown metric ids or values
    that are not numbers.
    """
    result: dict[str, Number | None] = {}
    for position, values in enumerate(returns):
        for metric_id, value in values.items():
            if not definition.has_metric(metric_id):
                raise ValueError(f"return {position}: unknown metric '{metric_id}'")
            if value is not None and (
                isinstance(value, bool)
                or not isinstance(value, int | float)
                or not math.isfinite(value)
            ):
                raise ValueError(f"return {position}: '{metric_id}' is not a number: {value!r}")
    for metric in definition.metrics:
        if not metric.cumulative:
            continue
        given = [v for values in returns if (v := values.get(metric.id)) is not None]
        if not given:
            result[metric.id] = None
            continue
        total = sum((_exact(v) for v in given), Fraction(0))
        if metric.whole_numbers and total.denominator == 1:
            result[metric.id] = int(total)
        else:
            result[metric.id] = float(total)
    return result
