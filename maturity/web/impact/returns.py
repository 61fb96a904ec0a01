"""The impact overview and quarterly returns: start, enter figures, check, submit."""

from __future__ import annotations

from typing import Any

from flask import flash, g, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from maturity.framework.impact import rate
from maturity.framework.metrics import Number
from maturity.framework.periods import Period
from maturity.jobs import draw_impact_charts, jobs
from maturity.models import ImpactReturn, ImpactReturnStatus
from maturity.services import impact as service
from maturity.services.impact import ImpactError
from maturity.web.access import Policy, is_org_lead, requires
from maturity.web.forms import place_error
from maturity.web.impact.common import (
    UNIT_SUFFIX,
    add_errors,
    bp,
    figure,
    has_errors,
    render_form,
    today,
    user,
)
from maturity.web.impact.forms import ReturnForm, StartReturnForm, return_form


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
    periods = service.open_periods(g.organisation, today())
    form = StartReturnForm()
    if request.method == "GET" and periods:
        form.period.data = str(periods[0])
    form.period.choices = [(str(period), period.label) for period in periods]
    if form.validate_on_submit():
        try:
            impact_return = service.start_return(
                g.organisation, form.period.data or "", user(), today()
            )
        except ImpactError as error:
            place_error(form, error, "period")
        else:
            return redirect(url_for("impact.edit_return", slug=slug, return_id=impact_return.id))
    return render_form("impact/start_return.html", form, periods=periods)


def _return_groups(impact_return: ImpactReturn) -> list[dict[str, Any]]:
    definition = service.definition_of(impact_return)
    asked = service.asked_metrics(impact_return)
    groups = []
    for group in definition.groups:
        metrics = [metric for metric in asked if metric.group == group.id]
        if metrics:
            groups.append({"group": group, "metrics": metrics})
    return groups


def _return_context(impact_return: ImpactReturn) -> dict[str, Any]:
    """What the return's form page and its check page both show."""
    return {
        "impact_return": impact_return,
        "period": Period.parse(impact_return.period),
        "groups": _return_groups(impact_return),
        "warnings": service.problems_of(impact_return),
    }


def _render_return_form(
    impact_return: ImpactReturn, form: ReturnForm, before: list[str], after: list[str]
) -> str:
    # The next save is based on the version saved now (or, after a conflict, the newer one
    # the figures were checked against), not the one the page was opened on.
    form.version.data = str(impact_return.version)
    return render_form(
        "impact/return_form.html",
        form,
        before,
        after,
        personal_data_warning=service.PERSONAL_DATA_WARNING,
        notes_limit=service.NOTES_LIMIT,
        units=UNIT_SUFFIX,
        **_return_context(impact_return),
    )


@bp.route("/returns/<int:return_id>", methods=["GET", "POST"])
@requires(Policy.ORG_MEMBER)
def edit_return(slug: str, return_id: int) -> ResponseReturnValue:
    impact_return = service.return_in(g.organisation, return_id)
    if impact_return.status != ImpactReturnStatus.DRAFT:
        flash("This return has been submitted and is read-only", "info")
        return redirect(url_for("impact.review_return", slug=slug, return_id=return_id))
    form_class = return_form(service.asked_metrics(impact_return))
    stored = {key: figure(value) for key, value in service.values_of(impact_return).items()}
    form = form_class(
        data={
            "figures": stored,
            "notes": impact_return.notes or "",
        }
    )
    if request.method == "GET":
        return _render_return_form(impact_return, form, [], [])
    form.validate()  # figures that are not numbers; the rules are the service's
    unknown = [
        f"The page sent a figure for a metric that is not in this return ({metric_id}). "
        "It was not saved"
        for metric_id in form.unknown_figures(request.form)
    ]
    try:
        errors = service.save_return(
            impact_return, form.sent_figures(), form.notes.data, form.base_version, user()
        )
    except ImpactError as conflict:
        return _render_return_form(impact_return, form, [conflict.message], unknown)
    unplaced = add_errors(form, errors, enclosed="figures")
    if has_errors(form) or unknown or unplaced:
        return _render_return_form(impact_return, form, unplaced, unknown)
    flash("The figures have been saved as a draft", "success")
    return redirect(url_for("impact.review_return", slug=slug, return_id=return_id))


def _render_review(impact_return: ImpactReturn, error: str | None = None) -> str:
    context = _return_context(impact_return)
    values = service.values_of(impact_return)
    return render_template(
        "impact/return_check.html",
        organisation=g.organisation,
        values=values,
        definition=service.definition_of(impact_return),
        is_lead=is_org_lead(),
        error_list=[{"text": error, "href": "#warnings" if context["warnings"] else "#submit"}]
        if error
        else [],
        retention=retention(values),
        **context,
    )


def retention(values: dict[str, Number]) -> dict[str, float | None]:
    """Retention at six and twelve months: retained ÷ cohort, as a percentage."""
    return {
        months: rate(
            values.get(f"starters-retained-{months}-months"),
            values.get(f"starters-cohort-{months}-months"),
        )
        for months in ("6", "12")
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
        service.submit_return(impact_return, user())
    except ImpactError as error:
        return _render_review(impact_return, error.message)
    # Its trend and report charts are drawn now, by the job queue, not on their first view.
    jobs().after_commit(draw_impact_charts, g.organisation.id)
    flash(f"The {impact_return.period} return has been submitted", "success")
    return redirect(url_for("impact.review_return", slug=slug, return_id=return_id))
