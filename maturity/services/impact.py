"""Impact: quarterly returns, annual targets, theories of change, case studies and the
reports made from them.

Every record is looked up through its organisation (``…_in(organisation, id)``), so an id of
another organisation is ``NoResultFound`` (a 404). Services flush; the request commits. The
rules (periods, checks, totals, changes) are the framework's pure functions in
``maturity.framework.impact`` and ``maturity.framework.metrics``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select, update
from sqlalchemy.exc import NoResultFound
from sqlalchemy.orm import selectinload

from maturity.extensions import db
from maturity.framework import (
    AssessmentResult,
    Metric,
    MetricsDefinition,
    Problem,
    Questionnaire,
    check_return,
    totals,
)
from maturity.framework.impact import (
    CaseStudyFields,
    MetricTrend,
    Outcome,
    TheoryOfChangeFields,
    check_case_study,
    check_outcome,
    check_target,
    check_theory_of_change,
    contact_details,
    metrics_for_period,
    parse_figure,
    participant_groups,
    rate,
    split_problems,
    trend,
)
from maturity.framework.metrics import Number
from maturity.framework.periods import Cycle, Period, PeriodError
from maturity.models import (
    ActionItem,
    ActionStatus,
    Assessment,
    AssessmentStatus,
    CaseStudy,
    ImpactReturn,
    ImpactReturnStatus,
    ImpactTarget,
    ImpactValue,
    Organisation,
    TheoryOfChange,
    User,
    utcnow,
)
from maturity.services import audit
from maturity.services.questionnaires import catalogue

METRICS_ID = "impact-metrics"
MATURITY_QUESTIONNAIRE = "academy-maturity"
NOTES_LIMIT = 500
PERSONAL_DATA_WARNING = (
    "Enter totals only. Do not enter names, dates of birth, contact details or anything "
    "else that could identify a person."
)


class ImpactError(Exception):
    """An impact request that cannot be met; the message is for the user."""


def metrics_definition(version: str | None = None) -> MetricsDefinition:
    """The impact metric definitions: a given version, or the latest."""
    versions = catalogue().metrics(METRICS_ID)
    if version is not None:
        for definition in versions:
            if definition.version == version:
                return definition
    return versions[-1]


def maturity_questionnaire() -> Questionnaire:
    """The annual maturity questionnaire whose domains outcomes and case studies link to."""
    return catalogue().questionnaire(MATURITY_QUESTIONNAIRE)


# --- returns ---------------------------------------------------------------------------------


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
    found = db.session.scalar(
        select(ImpactReturn)
        .options(selectinload(ImpactReturn.values))
        .where(ImpactReturn.id == return_id, ImpactReturn.organisation_id == organisation.id)
    )
    if found is None:
        raise NoResultFound(f"No impact return {return_id} for {organisation.slug}")
    return found


def open_periods(organisation: Organisation, today: date) -> list[Period]:
    """Quarters a new return may be started for today (newest first): current or past,
    without a return yet."""
    taken = {item.period for item in returns_for(organisation)}
    return [period for period in Period.selectable(today) if str(period) not in taken]


def start_return(
    organisation: Organisation, period_text: str, user: User, today: date | None = None
) -> ImpactReturn:
    """Start a draft return for a quarter (one per organisation and quarter).

    Raises ``ImpactError`` for a badly written, future or already started period.
    """
    try:
        period = Period.parse(period_text)
        period.check_allowed(today or date.today())
    except PeriodError as error:
        raise ImpactError(str(error)) from None
    existing = db.session.scalar(
        select(ImpactReturn.id).where(
            ImpactReturn.organisation_id == organisation.id, ImpactReturn.period == str(period)
        )
    )
    if existing is not None:
        raise ImpactError(f"There is already a return for {period}")
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


def _number(value: float) -> Number:
    return int(value) if float(value).is_integer() else float(value)


def values_of(impact_return: ImpactReturn) -> dict[str, Number]:
    """The return's figures keyed by metric id (whole numbers as int)."""
    return {item.metric_id: _number(item.value) for item in impact_return.values}


def problems_of(impact_return: ImpactReturn) -> list[Problem]:
    """Every problem ``check_return`` finds with the stored figures."""
    return check_return(definition_of(impact_return), values_of(impact_return))


@dataclass
class ReturnForm:
    """A posted return: the figures that can be kept, per-field errors, what was typed."""

    values: dict[str, Number | None] = field(default_factory=dict)
    raw: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    unknown: list[str] = field(default_factory=list)
    notes: str | None = None
    base_version: int | None = None


def parse_return_form(impact_return: ImpactReturn, form: Mapping[str, str]) -> ReturnForm:
    """Read a posted return page. Fields are ``metric-<id>``; a field naming a metric that
    is not asked for in this quarter is refused and listed. A figure that is not a number,
    negative, not whole or above its maximum is an error and not kept."""
    definition = definition_of(impact_return)
    asked = metrics_for_period(definition, Period.parse(impact_return.period))
    asked_ids = {metric.id for metric in asked}
    parsed = ReturnForm()
    for key in form:
        if key.startswith("metric-") and key.removeprefix("metric-") not in asked_ids:
            parsed.unknown.append(key.removeprefix("metric-")[:60])
    numbers: dict[str, Number | None] = {}
    for metric in asked:
        name = f"metric-{metric.id}"
        if name not in form:
            continue
        text = (form.get(name) or "").strip()
        parsed.raw[metric.id] = text
        try:
            numbers[metric.id] = parse_figure(text)
        except ValueError:
            parsed.errors[metric.id] = f"Enter '{metric.title}' as a number, like 12"
    value_errors, _warnings = split_problems(
        check_return(definition, {k: v for k, v in numbers.items() if v is not None})
    )
    for metric_id, message in value_errors.items():
        parsed.errors.setdefault(metric_id, message)
    parsed.values = {k: v for k, v in numbers.items() if k not in parsed.errors}
    notes = (form.get("notes") or "").replace("\r\n", "\n").strip()
    if len(notes) > NOTES_LIMIT:
        parsed.errors["notes"] = f"Notes must be {NOTES_LIMIT} characters or fewer"
    elif (found := contact_details(notes)) is not None:
        parsed.errors["notes"] = (
            f"Remove {found}: returns hold aggregate figures, not details of people"
        )
    else:
        parsed.notes = notes or None
    version_text = (form.get("version") or "").strip()
    parsed.base_version = (
        int(version_text)
        if version_text.isascii() and version_text.isdigit() and len(version_text) < 9
        else None
    )
    return parsed


def ensure_draft(impact_return: ImpactReturn) -> None:
    """Refuse changes to a submitted return."""
    if impact_return.status != ImpactReturnStatus.DRAFT:
        raise ImpactError("This return has been submitted and is read-only")


def save_return(impact_return: ImpactReturn, parsed: ReturnForm, user: User) -> None:
    """Save the valid figures of a posted return (blank removes a figure) and the notes.

    The save names the version it was based on; if someone saved since, nothing is saved
    and ``ImpactError`` says so, so no one's figures are silently overwritten.
    """
    ensure_draft(impact_return)
    # A conditional UPDATE claims the next version: of two saves based on the same
    # version, only one can succeed, even when they run at the same moment.
    claimed = db.session.execute(
        update(ImpactReturn)
        .where(
            ImpactReturn.id == impact_return.id,
            ImpactReturn.version == (parsed.base_version or 0),
        )
        .values(version=ImpactReturn.version + 1)
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        raise ImpactError(
            "Someone else saved this return while you were editing. Your changes were not "
            "saved: check the figures below and save again"
        )
    db.session.expire(impact_return, ["version"])
    stored = {item.metric_id: item for item in impact_return.values}
    for metric_id, value in parsed.values.items():
        record = stored.get(metric_id)
        if value is None:
            if record is not None:
                impact_return.values.remove(record)
        elif record is None:
            impact_return.values.append(ImpactValue(metric_id=metric_id, value=float(value)))
        else:
            record.value = float(value)
    if "notes" not in parsed.errors:
        impact_return.notes = parsed.notes
    impact_return.updated_by_id = user.id
    db.session.flush()


def set_values(
    impact_return: ImpactReturn, values: Mapping[str, Number | None], user: User
) -> list[Problem]:
    """Record figures directly (for demo data and imports); returns the remaining problems.
    Refuses figures that break the value rules."""
    ensure_draft(impact_return)
    definition = definition_of(impact_return)
    errors, _ = split_problems(
        check_return(definition, {k: v for k, v in values.items() if v is not None})
    )
    if errors:
        raise ImpactError("; ".join(errors.values()))
    parsed = ReturnForm(values=dict(values), base_version=impact_return.version)
    parsed.notes = impact_return.notes
    save_return(impact_return, parsed, user)
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


# --- targets -------------------------------------------------------------------------------


def target_metrics(definition: MetricsDefinition) -> list[Metric]:
    """Metrics a yearly target can be set for: those that add up over the year."""
    return [metric for metric in definition.metrics if metric.cumulative]


def targets_for(organisation: Organisation, cycle: str) -> dict[str, Number]:
    """The organisation's targets for a financial year, keyed by metric id."""
    return {
        target.metric_id: _number(target.value)
        for target in db.session.scalars(
            select(ImpactTarget).where(
                ImpactTarget.organisation_id == organisation.id, ImpactTarget.cycle == cycle
            )
        )
    }


@dataclass
class TargetsForm:
    values: dict[str, Number | None] = field(default_factory=dict)
    raw: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)


def parse_targets_form(form: Mapping[str, str]) -> TargetsForm:
    """Read a posted targets page (fields ``target-<metric id>``); blank clears a target."""
    definition = metrics_definition()
    parsed = TargetsForm()
    for metric in target_metrics(definition):
        name = f"target-{metric.id}"
        if name not in form:
            continue
        text = (form.get(name) or "").strip()
        parsed.raw[metric.id] = text
        try:
            value = parse_figure(text)
        except ValueError:
            parsed.errors[metric.id] = f"Enter the target for '{metric.title}' as a number"
            continue
        problem = None if value is None else check_target(definition, metric.id, value)
        if problem:
            parsed.errors[metric.id] = problem
        else:
            parsed.values[metric.id] = value
    return parsed


def save_targets(
    organisation: Organisation, cycle: str, values: Mapping[str, Number | None]
) -> None:
    """Set (or clear, with None) the organisation's targets for a financial year."""
    if not Cycle.is_valid(cycle):
        raise ImpactError("Select a financial year from the list")
    stored = {
        target.metric_id: target
        for target in db.session.scalars(
            select(ImpactTarget).where(
                ImpactTarget.organisation_id == organisation.id, ImpactTarget.cycle == cycle
            )
        )
    }
    for metric_id, value in values.items():
        record = stored.get(metric_id)
        if value is None:
            if record is not None:
                db.session.delete(record)
        elif record is None:
            db.session.add(
                ImpactTarget(
                    organisation_id=organisation.id,
                    cycle=cycle,
                    metric_id=metric_id,
                    value=float(value),
                )
            )
        else:
            record.value = float(value)
    db.session.flush()


# --- theory of change ----------------------------------------------------------------------


def theories_for(organisation: Organisation) -> Sequence[TheoryOfChange]:
    """The organisation's theories of change, newest cycle first."""
    return db.session.scalars(
        select(TheoryOfChange)
        .where(TheoryOfChange.organisation_id == organisation.id)
        .order_by(TheoryOfChange.cycle.desc())
    ).all()


def theory_in(organisation: Organisation, theory_id: int) -> TheoryOfChange:
    """The theory of change with this id if it belongs to the organisation."""
    found = db.session.scalar(
        select(TheoryOfChange).where(
            TheoryOfChange.id == theory_id, TheoryOfChange.organisation_id == organisation.id
        )
    )
    if found is None:
        raise NoResultFound(f"No theory of change {theory_id} for {organisation.slug}")
    return found


def theory_for_cycle(organisation: Organisation, cycle: str) -> TheoryOfChange | None:
    """The theory of change for a cycle, or the latest earlier one, or None."""
    return db.session.scalar(
        select(TheoryOfChange)
        .where(TheoryOfChange.organisation_id == organisation.id, TheoryOfChange.cycle <= cycle)
        .order_by(TheoryOfChange.cycle.desc())
        .limit(1)
    )


def start_theory(organisation: Organisation, cycle: str, user: User) -> TheoryOfChange:
    """Start the theory of change for a cycle, copied from the latest earlier one if any, so
    each cycle keeps its own version."""
    if not Cycle.is_valid(cycle):
        raise ImpactError("Select a financial year from the list")
    existing = db.session.scalar(
        select(TheoryOfChange).where(
            TheoryOfChange.organisation_id == organisation.id, TheoryOfChange.cycle == cycle
        )
    )
    if existing is not None:
        raise ImpactError(f"There is already a theory of change for {cycle}")
    source = theory_for_cycle(organisation, cycle)
    theory = TheoryOfChange(
        organisation_id=organisation.id,
        cycle=cycle,
        challenge=source.challenge if source else "",
        inputs=list(source.inputs) if source else [],
        activities=list(source.activities) if source else [],
        outputs=list(source.outputs) if source else [],
        outcomes=[dict(item) for item in source.outcomes] if source else [],
        impacts=list(source.impacts) if source else [],
        updated_by_id=user.id,
    )
    db.session.add(theory)
    db.session.flush()
    return theory


def fields_of(theory: TheoryOfChange) -> TheoryOfChangeFields:
    """The theory of change as the framework's value."""
    return TheoryOfChangeFields(
        challenge=theory.challenge,
        inputs=tuple(theory.inputs),
        activities=tuple(theory.activities),
        outputs=tuple(theory.outputs),
        outcomes=tuple(
            Outcome(
                item["text"], tuple(item.get("metric_ids", ())), tuple(item.get("domain_ids", ()))
            )
            for item in theory.outcomes
        ),
        impacts=tuple(theory.impacts),
    )


def save_theory(theory: TheoryOfChange, fields: TheoryOfChangeFields, user: User) -> dict[str, str]:
    """Save the challenge and lists; returns per-field errors (valid fields are kept)."""
    errors = check_theory_of_change(fields)
    if "challenge" not in errors:
        theory.challenge = fields.challenge
    for name in ("inputs", "activities", "outputs", "impacts"):
        if name not in errors:
            setattr(theory, name, list(getattr(fields, name)))
    theory.updated_by_id = user.id
    db.session.flush()
    return errors


def save_outcome(
    theory: TheoryOfChange, position: int | None, outcome: Outcome, user: User
) -> dict[str, str]:
    """Add (``position`` None) or change an outcome; returns errors and saves nothing if any.

    Linked metric ids are checked against the metric file, domain ids against the maturity
    questionnaire.
    """
    errors = check_outcome(outcome, metrics_definition(), maturity_questionnaire().domain_ids)
    if not errors and position is None and len(theory.outcomes) >= 10:
        errors["text"] = "A theory of change can have up to 10 outcomes"
    if errors:
        return errors
    item = {
        "text": outcome.text,
        "metric_ids": list(outcome.metric_ids),
        "domain_ids": list(outcome.domain_ids),
    }
    outcomes = [dict(existing) for existing in theory.outcomes]
    if position is None:
        outcomes.append(item)
    else:
        outcomes[position] = item
    theory.outcomes = outcomes  # a new list, so the JSON column sees the change
    theory.updated_by_id = user.id
    db.session.flush()
    return {}


def remove_outcome(theory: TheoryOfChange, position: int, user: User) -> None:
    """Remove one outcome."""
    outcomes = [dict(existing) for existing in theory.outcomes]
    del outcomes[position]
    theory.outcomes = outcomes
    theory.updated_by_id = user.id
    db.session.flush()


# --- case studies ---------------------------------------------------------------------------


def case_studies_for(
    organisation: Organisation, periods: Sequence[str] | None = None
) -> Sequence[CaseStudy]:
    """The organisation's case studies (optionally of some periods), newest first."""
    query = select(CaseStudy).where(CaseStudy.organisation_id == organisation.id)
    if periods is not None:
        query = query.where(CaseStudy.period.in_(list(periods)))
    found = db.session.scalars(query.order_by(CaseStudy.id.desc())).all()
    return sorted(found, key=lambda item: Period.parse(item.period), reverse=True)


def case_study_in(organisation: Organisation, case_study_id: int) -> CaseStudy:
    """The case study with this id if it belongs to the organisation."""
    found = db.session.scalar(
        select(CaseStudy).where(
            CaseStudy.id == case_study_id, CaseStudy.organisation_id == organisation.id
        )
    )
    if found is None:
        raise NoResultFound(f"No case study {case_study_id} for {organisation.slug}")
    return found


def group_choices() -> list[tuple[str, str]]:
    """The participant groups a case study can be tagged with."""
    return participant_groups(metrics_definition())


def check_case_study_fields(fields: CaseStudyFields, today: date | None = None) -> dict[str, str]:
    """Problems with a case study, keyed by form field."""
    return check_case_study(
        fields,
        maturity_questionnaire().domain_ids,
        [group for group, _ in group_choices()],
        today or date.today(),
    )


def save_case_study(
    organisation: Organisation,
    case_study: CaseStudy | None,
    fields: CaseStudyFields,
    user: User,
    today: date | None = None,
) -> tuple[CaseStudy | None, dict[str, str]]:
    """Add or change a case study; returns it and no errors, or None and the errors."""
    errors = check_case_study_fields(fields, today)
    if errors:
        return None, errors
    if case_study is None:
        case_study = CaseStudy(organisation_id=organisation.id, created_by_id=user.id)
        db.session.add(case_study)
    case_study.title = fields.title
    case_study.body = fields.body
    case_study.first_name = fields.first_name
    case_study.consent_confirmed = True
    case_study.period = str(Period.parse(fields.period))
    case_study.domain_ids = list(fields.domain_ids)
    case_study.groups = list(fields.groups)
    db.session.flush()
    return case_study, {}


def delete_case_study(case_study: CaseStudy, user: User) -> None:
    """Remove a case study (for example when consent is withdrawn)."""
    audit.record(
        "case_study_deleted",
        f"Deleted the case study '{case_study.title}'",
        actor=user,
        organisation=case_study.organisation,
        detail={"case_study_id": case_study.id},
    )
    db.session.delete(case_study)
    db.session.flush()


# --- reports --------------------------------------------------------------------------------


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
