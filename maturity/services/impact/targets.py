"""Yearly targets for the metrics that add up over a financial year."""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import select

from maturity.extensions import db
from maturity.framework import Metric, MetricsDefinition
from maturity.framework.impact import check_target
from maturity.framework.metrics import Number
from maturity.framework.periods import Cycle
from maturity.models import ImpactTarget, Organisation
from maturity.services.impact.common import (
    FieldErrors,
    ImpactError,
    as_number,
    metrics_definition,
    store_figures,
)


def target_metrics(definition: MetricsDefinition) -> list[Metric]:
    """Metrics a yearly target can be set for: those that add up over the year."""
    return [metric for metric in definition.metrics if metric.cumulative]


def _stored(organisation: Organisation, cycle: str) -> dict[str, ImpactTarget]:
    return {
        target.metric_id: target
        for target in db.session.scalars(
            select(ImpactTarget).where(
                ImpactTarget.organisation_id == organisation.id, ImpactTarget.cycle == cycle
            )
        )
    }


def targets_for(organisation: Organisation, cycle: str) -> dict[str, Number]:
    """The organisation's targets for a financial year, keyed by metric id."""
    return {key: as_number(target.value) for key, target in _stored(organisation, cycle).items()}


def save_targets(
    organisation: Organisation, cycle: str, values: Mapping[str, Number | None]
) -> FieldErrors:
    """Set (or clear, with None) the organisation's targets for a financial year; returns
    the targets refused, keyed by metric id (the others are saved).

    Raises ``ImpactError`` on the ``cycle`` field for a cycle that is not a financial year.
    """
    if not Cycle.is_valid(cycle):
        raise ImpactError("Select a financial year from the list", field="cycle")
    cycle = str(Cycle.parse(cycle))  # " 2026/27 " is 2026/27, and fits its column
    definition = metrics_definition()
    allowed = {metric.id for metric in target_metrics(definition)}
    errors: FieldErrors = {}
    for metric_id, value in values.items():
        if metric_id not in allowed:
            errors[metric_id] = f"'{metric_id[:60]}' cannot have a yearly target"
        elif value is not None and (problem := check_target(definition, metric_id, value)):
            errors[metric_id] = problem
    store_figures(
        _stored(organisation, cycle),
        {key: value for key, value in values.items() if key not in errors},
        lambda metric_id, value: db.session.add(
            ImpactTarget(
                organisation_id=organisation.id, cycle=cycle, metric_id=metric_id, value=value
            )
        ),
        db.session.delete,
    )
    db.session.flush()
    return errors
