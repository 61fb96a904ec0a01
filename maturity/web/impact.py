"""Impact: quarterly returns, trends and totals, targets, the theory of change, case studies,
and the two reports (the quarterly impact report and "Making the case").

Thin views: parse → service → redirect or render. Forms keep what was valid and show
per-field errors (status 200, so the valid parts are committed). Every page works without
JavaScript.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_login import current_user

from maturity.charts import Series, data_uri, line_chart
from maturity.charts_toc import theory_of_change_chart
from maturity.framework.impact import (
    CASE_STUDY_BODY_LIMIT,
    CaseStudyFields,
    MetricTrend,
    Outcome,
    TheoryOfChangeFields,
    metrics_for_period,
    parse_lines,
    rate,
)
from maturity.framework.metrics import Number
from maturity.framework.periods import Cycle, Period
from maturity.models import ImpactReturn, ImpactReturnStatus, Role, TheoryOfChange
from maturity.services import impact as service
from maturity.services.impact import ImpactError
from maturity.web.access import Policy, requires
from maturity.web.charts import chart_cache
from maturity.web.downloads import pdf_response

bp = Blueprint("impact", __name__, url_prefix="/organisations/<slug>/impact")

TOC_STAGES = (
    ("challenge", "The workforce challenge"),
    ("inputs", "Inputs"),
    ("activities", "Activities"),
    ("outputs", "Outputs"),
    ("outcomes", "Outcomes"),
    ("impacts", "Long-term impact"),
)
UNIT_SUFFIX = {"people": "people", "count": "", "hours": "hours", "percent": "%", "score": ""}


@bp.app_template_filter("figure")
def figure(value: Number | None, unit: str = "") -> str:
    """A figure as people read it: ``63,492``, ``87.5%``, ``–`` when missing."""
    if value is None:
        return "–"
    text = f"{value:,}" if isinstance(value, int) else f"{value:,.1f}".removesuffix(".0")
    return f"{text}%" if unit == "percent" else text


@bp.app_template_filter("signed")
def signed(value: Number | None, unit: str = "") -> str:
    """A change with its sign: ``+12``, ``−3``, ``0``; percentages change in points."""
    if value is None:
        return "–"
    sign = "+" if value > 0 else "−" if value < 0 else ""
    if unit == "percent":
        return f"{sign}{figure(abs(value))} percentage points"
    return f"{sign}{figure(abs(value))}"


@bp.app_template_filter("names_in")
def names_in(ids: list[str], names: dict[str, str]) -> str:
    """Ids shown by their names, joined with commas (an unknown id is shown as it is)."""
    return ", ".join(names.get(item, item) for item in ids)


def _is_lead() -> bool:
    return bool(current_user.is_admin or (g.membership and g.membership.role == Role.LEAD))


def _user() -> Any:
    return current_user._get_current_object()


def _today() -> date:
    return date.today()


# --- overview and returns ---------------------------------------------------------------------


@bp.route("/")
@requires(Policy.ORG_MEMBER)
def index(slug: str) -> ResponseReturnValue:
    returns = service.returns_for(g.organisation)
    return render_template(
        "impact/index.html",
        organisation=g.organisation,
        returns=returns,
        problems={item.id: len(service.problems_of(item)) for item in returns},
        theories=service.theories_for(g.organisation),
        case_study_count=len(service.case_studies_for(g.organisation)),
        report_periods=service.report_periods(g.organisation),
    )


@bp.route("/returns/new", methods=["GET", "POST"])
@requires(Policy.ORG_MEMBER)
def start_return(slug: str) -> ResponseReturnValue:
    periods = service.open_periods(g.organisation, _today())
    error = None
    chosen = str(periods[0]) if periods else ""
    if request.method == "POST":
        chosen = request.form.get("period", "")
        try:
            impact_return = service.start_return(g.organisation, chosen, _user(), _today())
        except ImpactError as problem:
            error = str(problem)
        else:
            return redirect(url_for("impact.edit_return", slug=slug, return_id=impact_return.id))
    return render_template(
        "impact/start_return.html",
        organisation=g.organisation,
        periods=periods,
        chosen=chosen,
        errors={"period": error} if error else {},
    )


def _return_groups(impact_return: ImpactReturn) -> list[dict[str, Any]]:
    definition = service.definition_of(impact_return)
    asked = metrics_for_period(definition, Period.parse(impact_return.period))
    groups = []
    for group in definition.groups:
        metrics = [metric for metric in asked if metric.group == group.id]
        if metrics:
            groups.append({"group": group, "metrics": metrics})
    return groups


def _render_return_form(
    impact_return: ImpactReturn,
    parsed: service.ReturnForm | None = None,
    conflict: str | None = None,
) -> str:
    stored = service.values_of(impact_return)
    shown: dict[str, str] = {key: figure(value) for key, value in stored.items()}
    if parsed is not None:
        shown.update({key: parsed.raw[key] for key in parsed.errors if key in parsed.raw})
    errors = dict(parsed.errors) if parsed else {}
    error_list = [
        {"text": message, "href": f"#metric-{key}" if key != "notes" else "#notes"}
        for key, message in errors.items()
    ]
    if parsed is not None:
        error_list += [
            {
                "text": f"The page sent a figure for a metric that is not in this return "
                f"({unknown}). It was not saved",
                "href": "#main-content",
            }
            for unknown in parsed.unknown
        ]
    if conflict:
        error_list.insert(0, {"text": conflict, "href": "#main-content"})
    return render_template(
        "impact/return_form.html",
        organisation=g.organisation,
        impact_return=impact_return,
        period=Period.parse(impact_return.period),
        groups=_return_groups(impact_return),
        shown=shown,
        errors=errors,
        error_list=error_list,
        notes=request.form.get("notes", impact_return.notes or "")
        if parsed
        else impact_return.notes or "",
        warnings=service.problems_of(impact_return),
        personal_data_warning=service.PERSONAL_DATA_WARNING,
        notes_limit=service.NOTES_LIMIT,
        units=UNIT_SUFFIX,
    )


@bp.route("/returns/<int:return_id>", methods=["GET", "POST"])
@requires(Policy.ORG_MEMBER)
def edit_return(slug: str, return_id: int) -> ResponseReturnValue:
    impact_return = service.return_in(g.organisation, return_id)
    if impact_return.status != ImpactReturnStatus.DRAFT:
        flash("This return has been submitted and is read-only", "info")
        return redirect(url_for("impact.review_return", slug=slug, return_id=return_id))
    if request.method == "GET":
        return _render_return_form(impact_return)
    parsed = service.parse_return_form(impact_return, request.form)
    try:
        service.save_return(impact_return, parsed, _user())
    except ImpactError as conflict:
        return _render_return_form(impact_return, parsed, conflict=str(conflict))
    if parsed.errors or parsed.unknown:
        return _render_return_form(impact_return, parsed)
    flash("The figures have been saved as a draft", "success")
    return redirect(url_for("impact.review_return", slug=slug, return_id=return_id))


def _render_review(impact_return: ImpactReturn, error: str | None = None) -> str:
    definition = service.definition_of(impact_return)
    values = service.values_of(impact_return)
    return render_template(
        "impact/return_check.html",
        organisation=g.organisation,
        impact_return=impact_return,
        period=Period.parse(impact_return.period),
        groups=_return_groups(impact_return),
        values=values,
        warnings=service.problems_of(impact_return),
        definition=definition,
        is_lead=_is_lead(),
        errors={"submit": error} if error else {},
        retention=_retention(values),
    )


def _retention(values: dict[str, Number]) -> dict[str, float | None]:
    return {
        "6": rate(values.get("starters-retained-6-months"), values.get("starters-cohort-6-months")),
        "12": rate(
            values.get("starters-retained-12-months"), values.get("starters-cohort-12-months")
        ),
    }


@bp.route("/returns/<int:return_id>/check")
@requires(Policy.ORG_MEMBER)
def review_return(slug: str, return_id: int) -> ResponseReturnValue:
    return _render_review(service.return_in(g.organisation, return_id))


@bp.route("/returns/<int:return_id>/submit", methods=["POST"])
@requires(Policy.ORG_LEAD)
def submit_return(slug: str, return_id: int) -> ResponseReturnValue:
    impact_return = service.return_in(g.organisation, return_id)
    try:
        service.submit_return(impact_return, _user())
    except ImpactError as error:
        return _render_review(impact_return, str(error))
    flash(f"The {impact_return.period} return has been submitted", "success")
    return redirect(url_for("impact.review_return", slug=slug, return_id=return_id))


# --- trends and targets -----------------------------------------------------------------------


def _chart_points(item: MetricTrend) -> tuple[list[str], list[Number | None]]:
    pairs = [
        (str(period), value)
        for period, value in zip(item.periods, item.values, strict=True)
        if item.metric.period == "quarter" or period.is_year_end
    ]
    return [label for label, _ in pairs], [value for _, value in pairs]


def _trend_chart(item: MetricTrend) -> str:
    labels, values = _chart_points(item)
    unit = item.metric.unit
    svg = line_chart(
        chart_cache(),
        x_labels=labels,
        series=[Series(item.metric.title, tuple(values))],
        y_min=0,
        y_max=100 if unit == "percent" else None,
        y_label={"percent": "Per cent", "hours": "Hours"}.get(unit, "Number"),
        title=f"{item.metric.title}, by quarter"
        if item.metric.period == "quarter"
        else f"{item.metric.title}, by year",
    )
    return data_uri(svg)


@bp.route("/trends")
@requires(Policy.ORG_MEMBER)
def trends(slug: str) -> ResponseReturnValue:
    definition = service.metrics_definition()
    group_id = request.args.get("group", definition.groups[0].id)
    if group_id not in {group.id for group in definition.groups}:
        abort(404)
    items = [item for item in service.trends_for(g.organisation) if item.metric.group == group_id]
    return render_template(
        "impact/trends.html",
        organisation=g.organisation,
        definition=definition,
        group=definition.group(group_id),
        items=[
            {
                "trend": item,
                "points": list(zip(*_chart_points(item), strict=True)),
                "chart": _trend_chart(item) if item.has_data else None,
            }
            for item in items
        ],
    )


@bp.route("/targets", methods=["GET", "POST"])
@requires(Policy.ORG_MEMBER)
def targets(slug: str) -> ResponseReturnValue:
    cycle = request.values.get("cycle") or str(Cycle.containing(_today()))
    if not Cycle.is_valid(cycle):
        abort(404)
    definition = service.metrics_definition()
    errors: dict[str, str] = {}
    raw: dict[str, str] = {}
    if request.method == "POST":
        parsed = service.parse_targets_form(request.form)
        service.save_targets(g.organisation, cycle, parsed.values)
        errors, raw = parsed.errors, parsed.raw
        if not errors:
            flash(f"The targets for {cycle} have been saved", "success")
            return redirect(url_for("impact.targets", slug=slug, cycle=cycle))
    stored = service.targets_for(g.organisation, cycle)
    shown = {key: figure(value) for key, value in stored.items()}
    shown.update({key: raw[key] for key in errors if key in raw})
    return render_template(
        "impact/targets.html",
        organisation=g.organisation,
        cycle=cycle,
        cycles=[str(item) for item in Cycle.selectable(_today(), ahead=1)],
        metrics=service.target_metrics(definition),
        definition=definition,
        shown=shown,
        errors=errors,
        units=UNIT_SUFFIX,
    )


# --- theory of change ------------------------------------------------------------------------


def _toc_content(theory: TheoryOfChange | None) -> dict[str, Any] | None:
    """The theory of change as diagram (data URI) and table rows, with linked names."""
    if theory is None:
        return None
    definition = service.metrics_definition()
    questionnaire = service.maturity_questionnaire()
    fields = service.fields_of(theory)
    columns: list[tuple[str, list[str]]] = []
    for name, heading in TOC_STAGES:
        if name == "challenge":
            items = [fields.challenge] if fields.challenge else []
        elif name == "outcomes":
            items = [outcome.text for outcome in fields.outcomes]
        else:
            items = list(getattr(fields, name))
        columns.append((heading, items))
    svg = theory_of_change_chart(
        chart_cache(),
        columns=columns,
        title=f"{g.organisation.name}: theory of change {theory.cycle}",
    )
    outcomes = [
        {
            "text": outcome.text,
            "metrics": [
                definition.metric(m).title for m in outcome.metric_ids if definition.has_metric(m)
            ],
            "domains": [
                questionnaire.domain(d).title
                for d in outcome.domain_ids
                if d in questionnaire.domain_ids
            ],
        }
        for outcome in fields.outcomes
    ]
    return {
        "theory": theory,
        "fields": fields,
        "columns": columns,
        "diagram": data_uri(svg),
        "outcomes": outcomes,
    }


@bp.route("/theory-of-change/", methods=["GET", "POST"])
@requires(Policy.ORG_MEMBER)
def theories(slug: str) -> ResponseReturnValue:
    current = str(Cycle.containing(_today()))
    errors: dict[str, str] = {}
    if request.method == "POST":
        try:
            theory = service.start_theory(g.organisation, request.form.get("cycle", ""), _user())
        except ImpactError as error:
            errors["cycle"] = str(error)
        else:
            return redirect(url_for("impact.edit_theory", slug=slug, theory_id=theory.id))
    existing = service.theories_for(g.organisation)
    taken = {theory.cycle for theory in existing}
    cycles = [str(item) for item in Cycle.selectable(_today(), ahead=1)]
    return render_template(
        "impact/theories.html",
        organisation=g.organisation,
        theories=existing,
        cycles=[cycle for cycle in cycles if cycle not in taken],
        current=current,
        errors=errors,
    )


@bp.route("/theory-of-change/<int:theory_id>")
@requires(Policy.ORG_MEMBER)
def theory(slug: str, theory_id: int) -> ResponseReturnValue:
    found = service.theory_in(g.organisation, theory_id)
    return render_template(
        "impact/theory.html", organisation=g.organisation, toc=_toc_content(found)
    )


@bp.route("/theory-of-change/<int:theory_id>/edit", methods=["GET", "POST"])
@requires(Policy.ORG_MEMBER)
def edit_theory(slug: str, theory_id: int) -> ResponseReturnValue:
    found = service.theory_in(g.organisation, theory_id)
    errors: dict[str, str] = {}
    if request.method == "POST":
        form = request.form
        fields = TheoryOfChangeFields(
            challenge=(form.get("challenge") or "").replace("\r\n", "\n").strip(),
            inputs=parse_lines(form.get("inputs", "")),
            activities=parse_lines(form.get("activities", "")),
            outputs=parse_lines(form.get("outputs", "")),
            impacts=parse_lines(form.get("impacts", "")),
        )
        errors = service.save_theory(found, fields, _user())
        if not errors:
            flash("The theory of change has been saved", "success")
            return redirect(url_for("impact.theory", slug=slug, theory_id=theory_id))
    values = {
        "challenge": found.challenge,
        **{
            name: "\n".join(getattr(found, name))
            for name in ("inputs", "activities", "outputs", "impacts")
        },
    }
    values.update({name: request.form.get(name, "") for name in errors})
    return render_template(
        "impact/theory_form.html",
        organisation=g.organisation,
        theory=found,
        values=values,
        errors=errors,
    )


def _outcome_from_form() -> Outcome:
    form = request.form
    return Outcome(
        text=" ".join((form.get("text") or "").split()),
        metric_ids=tuple(dict.fromkeys(form.getlist("metrics"))),
        domain_ids=tuple(dict.fromkeys(form.getlist("domains"))),
    )


def _render_outcome_form(
    theory_found: TheoryOfChange, outcome: Outcome, number: int | None, errors: dict[str, str]
) -> str:
    definition = service.metrics_definition()
    return render_template(
        "impact/outcome_form.html",
        organisation=g.organisation,
        theory=theory_found,
        outcome=outcome,
        number=number,
        errors=errors,
        metric_groups=[
            (group, definition.metrics_in(group.id))
            for group in definition.groups
            if group.id != "context"
        ],
        domains=service.maturity_questionnaire().domains,
    )


@bp.route("/theory-of-change/<int:theory_id>/outcomes/new", methods=["GET", "POST"])
@requires(Policy.ORG_MEMBER)
def new_outcome(slug: str, theory_id: int) -> ResponseReturnValue:
    found = service.theory_in(g.organisation, theory_id)
    outcome = Outcome("")
    errors: dict[str, str] = {}
    if request.method == "POST":
        outcome = _outcome_from_form()
        errors = service.save_outcome(found, None, outcome, _user())
        if not errors:
            flash("The outcome has been added", "success")
            return redirect(url_for("impact.theory", slug=slug, theory_id=theory_id))
    return _render_outcome_form(found, outcome, None, errors)


@bp.route("/theory-of-change/<int:theory_id>/outcomes/<int:number>", methods=["GET", "POST"])
@requires(Policy.ORG_MEMBER)
def edit_outcome(slug: str, theory_id: int, number: int) -> ResponseReturnValue:
    found = service.theory_in(g.organisation, theory_id)
    outcomes = service.fields_of(found).outcomes
    if not 1 <= number <= len(outcomes):
        abort(404)
    outcome = outcomes[number - 1]
    errors: dict[str, str] = {}
    if request.method == "POST":
        if request.form.get("action") == "remove":
            service.remove_outcome(found, number - 1, _user())
            flash("The outcome has been removed", "success")
            return redirect(url_for("impact.theory", slug=slug, theory_id=theory_id))
        outcome = _outcome_from_form()
        errors = service.save_outcome(found, number - 1, outcome, _user())
        if not errors:
            flash("The outcome has been saved", "success")
            return redirect(url_for("impact.theory", slug=slug, theory_id=theory_id))
    return _render_outcome_form(found, outcome, number, errors)


# --- case studies ------------------------------------------------------------------------------


@bp.route("/case-studies/")
@requires(Policy.ORG_MEMBER)
def case_studies(slug: str) -> ResponseReturnValue:
    return render_template(
        "impact/case_studies.html",
        organisation=g.organisation,
        case_studies=service.case_studies_for(g.organisation),
        domains={d.id: d.title for d in service.maturity_questionnaire().domains},
        groups=dict(service.group_choices()),
    )


def _case_study_fields() -> CaseStudyFields:
    form = request.form
    first_name = " ".join((form.get("first_name") or "").split())
    return CaseStudyFields(
        title=" ".join((form.get("title") or "").split()),
        body=(form.get("body") or "").replace("\r\n", "\n").strip(),
        first_name=first_name or None,
        consent_confirmed=form.get("consent") == "confirmed",
        period=form.get("period", ""),
        domain_ids=tuple(dict.fromkeys(form.getlist("domains"))),
        groups=tuple(dict.fromkeys(form.getlist("groups"))),
    )


def _case_study_page(values: dict[str, Any], errors: dict[str, str], editing: Any) -> str:
    return render_template(
        "impact/case_study_form.html",
        organisation=g.organisation,
        case_study=editing,
        values=values,
        errors=errors,
        periods=[str(period) for period in Period.selectable(_today())],
        domains=service.maturity_questionnaire().domains,
        groups=service.group_choices(),
        body_limit=CASE_STUDY_BODY_LIMIT,
    )


def _save_case_study(editing: Any) -> ResponseReturnValue:
    fields = _case_study_fields()
    saved, errors = service.save_case_study(g.organisation, editing, fields, _user(), _today())
    if saved is not None:
        flash("The case study has been saved", "success")
        return redirect(url_for("impact.case_studies", slug=g.organisation.slug))
    values = {
        "title": fields.title,
        "body": fields.body,
        "first_name": fields.first_name or "",
        "consent": fields.consent_confirmed,
        "period": fields.period,
        "domains": fields.domain_ids,
        "groups": fields.groups,
    }
    return _case_study_page(values, errors, editing)


@bp.route("/case-studies/new", methods=["GET", "POST"])
@requires(Policy.ORG_MEMBER)
def new_case_study(slug: str) -> ResponseReturnValue:
    if request.method == "POST":
        return _save_case_study(None)
    values = {"period": str(Period.containing(_today())), "domains": (), "groups": ()}
    return _case_study_page(values, {}, None)


@bp.route("/case-studies/<int:case_study_id>", methods=["GET", "POST"])
@requires(Policy.ORG_MEMBER)
def edit_case_study(slug: str, case_study_id: int) -> ResponseReturnValue:
    found = service.case_study_in(g.organisation, case_study_id)
    if request.method == "POST":
        if request.form.get("action") == "delete":
            service.delete_case_study(found, _user())
            flash("The case study has been deleted", "success")
            return redirect(url_for("impact.case_studies", slug=slug))
        return _save_case_study(found)
    values = {
        "title": found.title,
        "body": found.body,
        "first_name": found.first_name or "",
        "consent": found.consent_confirmed,
        "period": found.period,
        "domains": tuple(found.domain_ids),
        "groups": tuple(found.groups),
    }
    return _case_study_page(values, {}, found)


# --- reports -----------------------------------------------------------------------------------


def _report_context(report: service.ImpactReport) -> dict[str, Any]:
    return {
        "organisation": g.organisation,
        "report": report,
        "definition": report.definition,
        "toc": _toc_content(report.theory),
        "domains": {d.id: d.title for d in service.maturity_questionnaire().domains},
        "groups": dict(service.group_choices()),
        "retention": _retention(report.values),
        "ytd_retention": _retention(
            {k: v for k, v in report.year_to_date.items() if v is not None}
        ),
        "charts": {
            item.metric.id: _trend_chart(item)
            for item in report.trends
            if item.metric.id in REPORT_CHARTS and item.has_data
        },
    }


REPORT_CHARTS = ("people-supported", "into-jobs-training-volunteering", "into-paid-work")


def _quarterly(printable: bool) -> str:
    report = service.impact_report(g.organisation, request.args.get("period"))
    return render_template(
        "impact/quarterly_report.html", printable=printable, **_report_context(report)
    )


def _making_the_case(printable: bool) -> str:
    cycle = request.args.get("cycle")
    report = service.impact_report(
        g.organisation, None, cycle if cycle and Cycle.is_valid(cycle) else None
    )
    return render_template(
        "impact/making_the_case.html", printable=printable, **_report_context(report)
    )


def _pdf(html: str, name: str) -> Response:
    return pdf_response(html, f"{g.organisation.slug}-{name}-{date.today().isoformat()}")


@bp.route("/reports/quarterly")
@requires(Policy.ORG_MEMBER)
def quarterly_report(slug: str) -> ResponseReturnValue:
    return _quarterly(printable=request.args.get("print") == "1")


@bp.route("/reports/quarterly.pdf")
@requires(Policy.ORG_MEMBER)
def quarterly_report_pdf(slug: str) -> ResponseReturnValue:
    return _pdf(_quarterly(printable=True), "impact-report")


@bp.route("/reports/making-the-case")
@requires(Policy.ORG_MEMBER)
def making_the_case(slug: str) -> ResponseReturnValue:
    return _making_the_case(printable=request.args.get("print") == "1")


@bp.route("/reports/making-the-case.pdf")
@requires(Policy.ORG_MEMBER)
def making_the_case_pdf(slug: str) -> ResponseReturnValue:
    return _pdf(_making_the_case(printable=True), "making-the-case")
