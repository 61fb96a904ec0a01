"""Quarterly returns: starting one for a quarter, saving figures (each bad figure refused on
its own field, the rest kept; rule failures are warnings), submitting a clean return, and
the figures of submitted returns."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date

from sqlalchemy import select, update
from sqlalchemy.orm import selectinload

from maturity.extensions import db
from maturity.framework import Metric, MetricsDefinition, Problem, check_return
from maturity.framework.impact import (
    MetricTrend,
    contact_details,
    metrics_for_period,
    split_problems,
    trend,
)
from maturity.framework.metrics import Number
from maturity.framework.periods import Period, PeriodError
from maturity.models import (
    ImpactReturn,
    ImpactReturnStatus,
    ImpactValue,
    Organisation,
    User,
    utcnow,
)
from maturity.services import audit
from maturity.services.impact.common import (
    FieldErrors,
    ImpactError,
    as_number,
    figures_change,
    metrics_definition,
    owned_by,
    store_figures,
)

NOTES_LIMIT = 500
SAVED_MEANWHILE = (
    "Someone else saved this return while you were editing. Your changes were not saved: "
    "check the figures below and save again"
)
PERSONAL_DATA_WARNING = (
    "Enter totals only. Do not enter names, dates of birth, contact details or anything "
    "else that could identify a person."
)


def returns_for(organisation: Organisation) -> Sequence[ImpactReturn]:
    """The organisation's returns, newest period first."""
    found = db.session.scalars(
        select(ImpactReturn)
        .options(selectinload(ImpactReturn.values))
        .where(ImpactReturn.organisation_id == organisation.id)
    ).all()
    return sorted(found, key=lambda item: Period.parse(item.period), reverse=True)


def return_in(organisation: Organisation, return_id: int) -> ImpactReturn:
    """The return with this id if it belongs to the organisation; NoResultFound otherwise."""
    return owned_by(ImpactReturn, organisation, return_id, ImpactReturn.values)


def open_periods(organisation: Organisation, today: date) -> list[Period]:
    """Quarters a new return may be started for today (newest first): current or past,
    without a return yet."""
    taken = {item.period for item in returns_for(organisation)}
    return [period for period in Period.selectable(today) if str(period) not in taken]


def start_return(
    organisation: Organisation, period_text: str, user: User, today: date | None = None
) -> ImpactReturn:
    """Start a draft return for a quarter (one per organisation and quarter).

    Raises ``ImpactError`` on the ``period`` field for a badly written, future or already
    started period.
    """
    try:
        period = Period.parse(period_text)
        period.check_allowed(today or date.today())
    except PeriodError as error:
        raise ImpactError(str(error), field="period") from None
    existing = db.session.scalar(
        select(ImpactReturn.id).where(
            ImpactReturn.organisation_id == organisation.id, ImpactReturn.period == str(period)
        )
    )
    if existing is not None:
        raise ImpactError(f"There is already a return for {period}", field="period")
    definition = metrics_definition()
    impact_return = ImpactReturn(
        organisation=organisation,
        period=str(period),
        metrics_id=definition.id,
        metrics_version=definition.version,
        status=ImpactReturnStatus.DRAFT,
        version=1,
        started_by_id=user.id,
        updated_by_id=user.id,
    )
    db.session.add(impact_return)
    db.session.flush()
    return impact_return


def definition_of(impact_return: ImpactReturn) -> MetricsDefinition:
    """The metric definitions the return was started on."""
    return metrics_definition(impact_return.metrics_version)


def asked_metrics(impact_return: ImpactReturn) -> tuple[Metric, ...]:
    """The metrics the return asks for: the quarterly ones, in Q4 also the yearly ones."""
    return metrics_for_period(definition_of(impact_return), Period.parse(impact_return.period))


def values_of(impact_return: ImpactReturn) -> dict[str, Number]:
    """The return's figures keyed by metric id (whole numbers as int)."""
    return {item.metric_id: as_number(item.value) for item in impact_return.values}


def problems_of(impact_return: ImpactReturn) -> list[Problem]:
    """Every problem ``check_return`` finds with the stored figures."""
    return check_return(definition_of(impact_return), values_of(impact_return))


def figure_errors(impact_return: ImpactReturn, values: Mapping[str, Number | None]) -> FieldErrors:
    """The figures that cannot be kept, keyed by metric id: not asked for in this quarter,
    negative, not whole or above the maximum. Rule failures are not errors but warnings
    (``problems_of`` once saved)."""
    asked = {metric.id for metric in asked_metrics(impact_return)}
    errors: FieldErrors = {
        metric_id: f"'{metric_id[:60]}' is not asked for in this return"
        for metric_id in values
        if metric_id not in asked
    }
    value_errors, _warnings = split_problems(
        check_return(
            definition_of(impact_return),
            {k: v for k, v in values.items() if v is not None and k in asked},
        )
    )
    return {**errors, **value_errors}


def notes_error(notes: str) -> str | None:
    """Why the notes cannot be kept (too long, or holding contact details), or None."""
    if len(notes) > NOTES_LIMIT:
        return f"Notes must be {NOTES_LIMIT} characters or fewer"
    if (found := contact_details(notes)) is not None:
        return f"Remove {found}: returns hold aggregate figures, not details of people"
    return None


def ensure_draft(impact_return: ImpactReturn) -> None:
    """Refuse changes to a submitted return."""
    if impact_return.status != ImpactReturnStatus.DRAFT:
        raise ImpactError("This return has been submitted and is read-only")


def save_return(
    impact_return: ImpactReturn,
    values: Mapping[str, Number | None],
    notes: str | None,
    base_version: int | None,
    user: User,
) -> FieldErrors:
    """Save a draft's figures (None removes one) and notes; returns the errors of what was
    not kept, keyed by metric id or ``notes``. Every figure that passes the value rules is
    saved even when others do not.

    The save names the version it was based on; if someone saved since, nothing is saved
    and ``ImpactError`` says so, so no one's figures are silently overwritten.
    """
    ensure_draft(impact_return)
    errors = figure_errors(impact_return, values)
    notes = (notes or "").strip()
    if (problem := notes_error(notes)) is not None:
        errors["notes"] = problem
    kept = {key: value for key, value in values.items() if key not in errors}
    stored = {item.metric_id: item for item in impact_return.values}
    new_notes = impact_return.notes if "notes" in errors else notes or None
    if not figures_change(stored, kept) and new_notes == impact_return.notes:
        # Nothing to write (everything sent was refused, or is already saved): the
        # return is left as it is, but a page opened on an older version still hears so.
        current = db.session.scalar(
            select(ImpactReturn.version).where(ImpactReturn.id == impact_return.id)
        )
        if current != (base_version or 0):
            raise ImpactError(SAVED_MEANWHILE)
        return errors
    # A conditional UPDATE claims the next version: of two saves based on the same
    # version, only one can succeed, even when they run at the same moment.
    claimed = db.session.execute(
        update(ImpactReturn)
        .where(
            ImpactReturn.id == impact_return.id,
            ImpactReturn.version == (base_version or 0),
        )
        .values(version=ImpactReturn.version + 1)
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        raise ImpactError(SAVED_MEANWHILE)
    db.session.expire(impact_return, ["version"])
    store_figures(
        stored,
        kept,
        lambda metric_id, value: impact_return.values.append(
            ImpactValue(metric_id=metric_id, value=value)
        ),
        impact_return.values.remove,
    )
    impact_return.notes = new_notes
    impact_return.updated_by_id = user.id
    db.session.flush()
    return errors


def set_values(
    impact_return: ImpactReturn, values: Mapping[str, Number | None], user: User
) -> list[Problem]:
    """Record figures directly (for demo data and imports); returns the remaining problems.
    Refuses figures that break the value rules."""
    ensure_draft(impact_return)
    errors = figure_errors(impact_return, values)
    if errors:
        raise ImpactError("; ".join(errors.values()))
    save_return(impact_return, values, impact_return.notes, impact_return.version, user)
    return problems_of(impact_return)


def submit_return(impact_return: ImpactReturn, user: User) -> None:
    """Submit a clean return (lead only, checked by the view): it becomes read-only and
    counts in trends, totals and reports. Refused while any figure breaks a rule or no
    figure is given."""
    ensure_draft(impact_return)
    if not impact_return.values:
        raise ImpactError("Enter at least one figure before submitting the return")
    problems = problems_of(impact_return)
    if problems:
        raise ImpactError(
            "Correct the figures that break the rules before submitting: "
            f"{len(problems)} problem{'' if len(problems) == 1 else 's'} found"
        )
    impact_return.status = ImpactReturnStatus.SUBMITTED
    impact_return.submitted_at = utcnow()
    impact_return.submitted_by = user
    impact_return.version += 1
    db.session.flush()
    audit.record(
        "impact_return_submitted",
        f"Submitted the {impact_return.period} impact return",
        actor=user,
        organisation=impact_return.organisation,
        detail={"return_id": impact_return.id, "period": impact_return.period},
    )


def submitted_returns(organisation: Organisation) -> list[tuple[Period, dict[str, Number]]]:
    """Every submitted return's figures, oldest period first."""
    found = [
        (Period.parse(item.period), values_of(item))
        for item in returns_for(organisation)
        if item.status == ImpactReturnStatus.SUBMITTED
    ]
    return sorted(found, key=lambda pair: pair[0])


def trends_for(organisation: Organisation) -> list[MetricTrend]:
    """Each metric over every submitted return: values, total since launch, latest change."""
    return trend(metrics_definition(), submitted_returns(organisation))
