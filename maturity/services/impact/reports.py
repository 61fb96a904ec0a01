"""Reports: the quarterly impact report and "Making the case", assembled from submitted
returns only, with targets, the theory of change, case studies, the latest maturity result
and open actions."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from maturity.extensions import db
from maturity.framework import AssessmentResult, MetricsDefinition, Problem, check_return, totals
from maturity.framework.impact import MetricTrend, rate, trend
from maturity.framework.metrics import Number
from maturity.framework.periods import Cycle, Period, PeriodError
from maturity.models import (
    ActionItem,
    ActionStatus,
    Assessment,
    AssessmentStatus,
    CaseStudy,
    Organisation,
    TheoryOfChange,
)
from maturity.services.impact.case_studies import case_studies_for
from maturity.services.impact.common import MATURITY_QUESTIONNAIRE, metrics_definition
from maturity.services.impact.returns import submitted_returns
from maturity.services.impact.targets import targets_for
from maturity.services.impact.theory import theory_for_cycle


def latest_maturity(organisation: Organisation) -> tuple[Assessment, AssessmentResult] | None:
    """The organisation's latest submitted annual assessment and its frozen result."""
    from maturity.services.results import result_of

    assessment = db.session.scalar(
        select(Assessment)
        .options(selectinload(Assessment.snapshots))
        .where(
            Assessment.organisation_id == organisation.id,
            Assessment.questionnaire_id == MATURITY_QUESTIONNAIRE,
            Assessment.status == AssessmentStatus.SUBMITTED,
        )
        .order_by(Assessment.cycle.desc())
        .limit(1)
    )
    if assessment is None:
        return None
    result, _snapshot = result_of(assessment)
    return assessment, result


@dataclass(frozen=True)
class TargetProgress:
    metric_id: str
    title: str
    unit: str
    achieved: Number | None
    target: Number
    percent: float | None


@dataclass
class ImpactReport:
    """What the quarterly report and "Making the case" show, from submitted returns only."""

    organisation: Organisation
    definition: MetricsDefinition
    period: Period | None
    cycle: str
    submitted_periods: list[Period]
    values: dict[str, Number]
    previous_values: dict[str, Number]
    year_to_date: dict[str, Number | None]
    since_launch: dict[str, Number | None]
    as_it_stands: dict[str, tuple[Number, Period]]
    trends: list[MetricTrend]
    progress: list[TargetProgress]
    problems: list[Problem]
    theory: TheoryOfChange | None
    case_studies: Sequence[CaseStudy]
    maturity: tuple[Assessment, AssessmentResult] | None
    next_cycle: str
    next_targets: dict[str, Number]
    targets: dict[str, Number]
    actions: Sequence[ActionItem]

    def value(self, metric_id: str) -> Number | None:
        return self.values.get(metric_id)

    def since_launch_of(self, metric_id: str) -> Number | None:
        """The figure since launch: the running total as it stood in the latest return that
        gives it (a ``since_launch`` metric), or the sum of every quarter (a cumulative one)."""
        if self.definition.metric(metric_id).since_launch:
            found = self.as_it_stands.get(metric_id)
            return found[0] if found else None
        return self.since_launch.get(metric_id)


def report_periods(organisation: Organisation) -> list[Period]:
    """The quarters with a submitted return, newest first."""
    return [period for period, _ in reversed(submitted_returns(organisation))]


def impact_report(
    organisation: Organisation, period_text: str | None = None, cycle: str | None = None
) -> ImpactReport:
    """Assemble a report for a quarter (default: the latest submitted) or a whole cycle.

    Guarantees: figures come only from submitted returns; year-to-date totals are
    ``metrics.totals`` over the cycle's submitted quarters up to the period; every figure
    shown passes ``check_return`` (``problems`` lists any that do not, and is empty for
    submitted returns).
    """
    definition = metrics_definition()
    history = submitted_returns(organisation)
    by_period = dict(history)
    period: Period | None = None
    if period_text:
        try:
            period = Period.parse(period_text)
        except PeriodError:
            period = None
    if period is None and cycle is not None and Cycle.is_valid(cycle):
        in_cycle = [p for p, _ in history if p.cycle == cycle]
        period = in_cycle[-1] if in_cycle else None
    if period is None and history and cycle is None:
        period = history[-1][0]
    report_cycle = period.cycle if period else (cycle or _current_cycle())
    cycle_quarters = [
        p for p in Cycle.parse(report_cycle).quarters if (period is None or p <= period)
    ]
    cycle_values = [by_period[p] for p in cycle_quarters if p in by_period]
    year_to_date = totals(definition, cycle_values)
    since = totals(definition, [v for p, v in history if period is None or p <= period])
    targets = targets_for(organisation, report_cycle)
    progress = []
    for metric in definition.metrics:
        if metric.id in targets:
            achieved = year_to_date.get(metric.id)
            progress.append(
                TargetProgress(
                    metric.id,
                    metric.title,
                    metric.unit,
                    achieved,
                    targets[metric.id],
                    rate(achieved, targets[metric.id]),
                )
            )
    values = by_period.get(period, {}) if period else {}
    previous = by_period.get(period.previous(), {}) if period else {}
    quarters = [p for p in by_period if period is None or p <= period]
    as_it_stands = _as_it_stands(definition, [(p, by_period[p]) for p in sorted(quarters)])
    next_cycle = str(Cycle.parse(report_cycle).next())
    return ImpactReport(
        organisation=organisation,
        definition=definition,
        period=period,
        cycle=report_cycle,
        submitted_periods=[p for p, _ in history],
        values=dict(values),
        previous_values=dict(previous),
        year_to_date=year_to_date,
        since_launch=since,
        as_it_stands=as_it_stands,
        trends=trend(definition, [(p, by_period[p]) for p in quarters]),
        progress=progress,
        problems=check_return(definition, values) if values else [],
        theory=theory_for_cycle(organisation, report_cycle),
        case_studies=case_studies_for(
            organisation, [str(p) for p in Cycle.parse(report_cycle).quarters]
        ),
        maturity=latest_maturity(organisation),
        next_cycle=next_cycle,
        next_targets=targets_for(organisation, next_cycle),
        targets=targets,
        actions=_open_actions(organisation),
    )


def _as_it_stands(
    definition: MetricsDefinition, history: Sequence[tuple[Period, dict[str, Number]]]
) -> dict[str, tuple[Number, Period]]:
    """Each figure that is not added up (running totals since launch, counts of organisations
    as they stand, rates) with the latest period that gives it, up to the report's period."""
    found: dict[str, tuple[Number, Period]] = {}
    for period, values in history:
        for metric in definition.metrics:
            if not metric.cumulative and values.get(metric.id) is not None:
                found[metric.id] = (values[metric.id], period)
    return found


def _current_cycle() -> str:
    return str(Cycle.current())


def _open_actions(organisation: Organisation) -> Sequence[ActionItem]:
    return db.session.scalars(
        select(ActionItem)
        .where(
            ActionItem.organisation_id == organisation.id,
            ActionItem.status != ActionStatus.DONE,
        )
        .order_by(ActionItem.due_date.is_(None), ActionItem.due_date, ActionItem.id)
        .limit(5)
    ).all()
