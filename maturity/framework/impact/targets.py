"""Annual targets: the same value rules as a return."""

from __future__ import annotations

from maturity.framework.metrics import Number, check_return
from maturity.framework.schema import MetricsDefinition

__all__ = ["check_target"]


def check_target(definition: MetricsDefinition, metric_id: str, value: Number) -> str | None:
    """The problem with an annual target for one metric, or None (same value rules as a
    return: whole numbers not below zero for people, counts and hours)."""
    problems = check_return(definition, {metric_id: value})
    return problems[0].message.rstrip(".") if problems else None
