"""Taking an assessment: task list, domain pages, check answers, submit, reopen, history.

GOV.UK patterns throughout: a task list, one page per domain, "check your answers",
then a confirmation. Every page works without JavaScript.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_login import current_user

from maturity.framework import Domain, Questionnaire
from maturity.framework.periods import Cycle
from maturity.models import Assessment, AssessmentStatus, Confidence, Role
from maturity.services import assessments as service
from maturity.services.assessments import AssessmentError
from maturity.web.access import Policy, requires

bp = Blueprint("assessments", __name__, url_prefix="/organisations/<slug>/assessments")


def _is_lead() -> bool:
    return bool(current_user.is_admin or (g.membership and g.membership.role == Role.LEAD))


def _load(assessment_id: int) -> tuple[Assessment, Questionnaire]:
    assessment = service.assessment_in(g.organisation, assessment_id)
    return assessment, service.questionnaire_of(assessment)


def _domain(questionnaire: Questionnaire, domain_id: str) -> Domain:
    if domain_id not in questionnaire.domain_ids:
        abort(404)
    return questionnaire.domain(domain_id)


@bp.route("/")
@requires(Policy.ORG_MEMBER)
def index(slug: str) -> Any:
    return render_template(
        "assessments/index.html",
        organisation=g.organisation,
        assessments=service.assessments_for(g.organisation),
        is_lead=_is_lead(),
    )


@bp.route("/start", methods=["GET", "POST"])
@requires(Policy.ORG_LEAD)
def start(slug: str) -> Any:
    today = date.today()
    cycles = [str(cycle) for cycle in Cycle.selectable(today)]
    questionnaire = service.catalogue().questionnaire(service.questionnaire_id_for(g.organisation))
    errors: dict[str, str] = {}
    values = {"cycle": str(Cycle.containing(today)), "start_from": "blank"}
    if request.method == "POST":
        values = {
            "cycle": request.form.get("cycle", ""),
            "start_from": request.form.get("start_from", ""),
        }
        if values["start_from"] not in ("blank", "previous"):
            errors["start_from"] = "Select whether to start blank or from last cycle's answers"
        if values["cycle"] not in cycles:
            errors["cycle"] = "Select a cycle from the list"
        if not errors:
            try:
                assessment = service.start_assessment(
                    g.organisation,
                    values["cycle"],
                    current_user._get_current_object(),
                    carry_forward=values["start_from"] == "previous",
                    today=today,
                )
            except AssessmentError as error:
                field = "start_from" if "earlier assessment" in str(error) else "cycle"
                errors[field] = str(error)
            else:
                return redirect(
                    url_for("assessments.task_list", slug=slug, assessment_id=assessment.id)
                )
    return render_template(
        "assessments/start.html",
        organisation=g.organisation,
        questionnaire=questionnaire,
        cycles=cycles,
        values=values,
        errors=errors,
    )


@bp.route("/<int:assessment_id>")
@requires(Policy.ORG_MEMBER)
def task_list(slug: str, assessment_id: int) -> Any:
    assessment, questionnaire = _load(assessment_id)
    return render_template(
        "assessments/task_list.html",
        organisation=g.organisation,
        assessment=assessment,
        questionnaire=questionnaire,
        progress=service.progress(assessment, questionnaire),
        is_lead=_is_lead(),
    )


@bp.route("/<int:assessment_id>/domains/<domain_id>", methods=["GET", "POST"])
@requires(Policy.ORG_MEMBER)
def domain(slug: str, assessment_id: int, domain_id: str) -> Any:
    assessment, questionnaire = _load(assessment_id)
    current_domain = _domain(questionnaire, domain_id)
    if assessment.status != AssessmentStatus.DRAFT:
        flash("This assessment has been submitted and is read-only. A lead can reopen it", "info")
        return redirect(url_for("assessments.check", slug=slug, assessment_id=assessment_id))
    parsed = None
    outcome = None
    if request.method == "POST":
        parsed = service.parse_domain_form(questionnaire, current_domain, request.form)
        outcome = service.save_domain(
            assessment, current_domain, parsed, current_user._get_current_object()
        )
        if not parsed.errors and not parsed.unknown and not outcome.conflicts:
            return _after_save(assessment, questionnaire, current_domain)
    return render_template(
        "assessments/domain.html",
        organisation=g.organisation,
        assessment=assessment,
        questionnaire=questionnaire,
        domain=current_domain,
        items=_page_items(assessment, current_domain, parsed, outcome),
        target=_target_value(assessment, current_domain, parsed),
        errors=parsed.errors if parsed else {},
        confidences=list(Confidence),
        error_list=_error_list(questionnaire, current_domain, parsed, outcome),
    )


def _page_items(
    assessment: Assessment,
    current: Domain,
    parsed: service.DomainForm | None,
    outcome: service.SaveOutcome | None,
) -> list[dict[str, Any]]:
    """What each indicator shows: what the person entered (after a post), else what is
    stored; the version the next save is based on; any conflict to resolve."""
    stored = service.answers_by_indicator(assessment)
    items = []
    for indicator in current.indicators:
        record = stored.get(indicator.id)
        conflict = outcome.conflicts.get(indicator.id) if outcome else None
        if conflict is not None:
            values, version = conflict.mine, conflict.their_version
        elif parsed is not None and indicator.id in parsed.errors_for_indicator:
            values = parsed.raw[indicator.id]
            version = parsed.versions.get(indicator.id, 0)
        else:
            values = service.AnswerValues.of(record) if record else service.AnswerValues()
            version = record.version if record else 0
        items.append(
            {
                "indicator": indicator,
                "values": values,
                "version": version,
                "carried_over": bool(record and record.carried_over and conflict is None),
                "conflict": conflict,
                "updated_by": record.updated_by.name if record and record.updated_by else None,
                "updated_at": record.updated_at if record else None,
            }
        )
    return items


def _target_value(
    assessment: Assessment, current: Domain, parsed: service.DomainForm | None
) -> str:
    if parsed is not None and f"target-{current.id}" in parsed.errors:
        return request.form.get(f"target-{current.id}", "")
    level = service.targets_by_domain(assessment).get(current.id)
    return str(level) if level else ""


def _after_save(assessment: Assessment, questionnaire: Questionnaire, current: Domain) -> Any:
    slug = g.organisation.slug
    if request.form.get("action") == "later":
        flash("Your answers have been saved", "success")
        return redirect(url_for("assessments.task_list", slug=slug, assessment_id=assessment.id))
    ids = questionnaire.domain_ids
    position = ids.index(current.id)
    if position + 1 < len(ids):
        return redirect(
            url_for(
                "assessments.domain",
                slug=slug,
                assessment_id=assessment.id,
                domain_id=ids[position + 1],
            )
        )
    return redirect(url_for("assessments.check", slug=slug, assessment_id=assessment.id))


def _error_list(
    questionnaire: Questionnaire,
    current: Domain,
    parsed: service.DomainForm | None,
    outcome: service.SaveOutcome | None,
) -> list[dict[str, str]]:
    items: list[dict[str, str]] = []
    if parsed is not None:
        for unknown in parsed.unknown:
            items.append(
                {
                    "text": f"The page sent an answer for a question that is not in this "
                    f"section ({unknown[:60]}). It was not saved",
                    "href": "#main-content",
                }
            )
        for field_name, message in parsed.errors.items():
            items.append({"text": message, "href": f"#{field_name}"})
    if outcome is not None:
        for indicator_id in outcome.conflicts:
            title = questionnaire.indicator(indicator_id).title
            items.append(
                {
                    "text": f"Someone else changed '{title}' while you were editing. "
                    "Choose which answer to keep",
                    "href": f"#conflict-{indicator_id}",
                }
            )
    return items


@bp.route("/<int:assessment_id>/indicators/<indicator_id>/history")
@requires(Policy.ORG_MEMBER)
def indicator_history(slug: str, assessment_id: int, indicator_id: str) -> Any:
    assessment, questionnaire = _load(assessment_id)
    if not questionnaire.has_indicator(indicator_id):
        abort(404)
    return render_template(
        "assessments/history.html",
        organisation=g.organisation,
        assessment=assessment,
        questionnaire=questionnaire,
        indicator=questionnaire.indicator(indicator_id),
        domain=questionnaire.domain_of(indicator_id),
        revisions=service.history(assessment, indicator_id),
    )


@bp.route("/<int:assessment_id>/check")
@requires(Policy.ORG_MEMBER)
def check(slug: str, assessment_id: int) -> Any:
    assessment, questionnaire = _load(assessment_id)
    return _render_check(assessment, questionnaire)


def _render_check(
    assessment: Assessment, questionnaire: Questionnaire, errors: dict[str, str] | None = None
) -> Any:
    snapshot = service.latest_snapshot(assessment)
    return render_template(
        "assessments/check.html",
        organisation=g.organisation,
        assessment=assessment,
        questionnaire=questionnaire,
        answers=service.answers_by_indicator(assessment),
        targets=service.targets_by_domain(assessment),
        progress=service.progress(assessment, questionnaire),
        result=service.current_result(assessment, questionnaire),
        snapshot=snapshot,
        is_lead=_is_lead(),
        declaration=service.DECLARATION,
        errors=errors or {},
    )


@bp.route("/<int:assessment_id>/submit", methods=["POST"])
@requires(Policy.ORG_LEAD)
def submit(slug: str, assessment_id: int) -> Any:
    assessment, questionnaire = _load(assessment_id)
    try:
        service.submit_assessment(
            assessment,
            current_user._get_current_object(),
            declared=request.form.get("declaration") == "agreed",
        )
    except AssessmentError as error:
        return _render_check(assessment, questionnaire, {"declaration": str(error)})
    return redirect(url_for("assessments.submitted", slug=slug, assessment_id=assessment_id))


@bp.route("/<int:assessment_id>/submitted")
@requires(Policy.ORG_MEMBER)
def submitted(slug: str, assessment_id: int) -> Any:
    assessment, questionnaire = _load(assessment_id)
    snapshot = service.latest_snapshot(assessment)
    if assessment.status != AssessmentStatus.SUBMITTED or snapshot is None:
        return redirect(url_for("assessments.task_list", slug=slug, assessment_id=assessment_id))
    return render_template(
        "assessments/submitted.html",
        organisation=g.organisation,
        assessment=assessment,
        questionnaire=questionnaire,
        snapshot=snapshot,
        result=service.snapshot_result(snapshot),
    )


@bp.route("/<int:assessment_id>/reopen", methods=["GET", "POST"])
@requires(Policy.ORG_LEAD)
def reopen(slug: str, assessment_id: int) -> Any:
    assessment, questionnaire = _load(assessment_id)
    error = None
    if request.method == "POST":
        try:
            service.reopen_assessment(
                assessment, current_user._get_current_object(), request.form.get("reason", "")
            )
        except AssessmentError as problem:
            error = str(problem)
        else:
            flash(
                "The assessment is open for changes again. Submit it when you are ready", "success"
            )
            return redirect(
                url_for("assessments.task_list", slug=slug, assessment_id=assessment_id)
            )
    elif assessment.status != AssessmentStatus.SUBMITTED:
        return redirect(url_for("assessments.task_list", slug=slug, assessment_id=assessment_id))
    return render_template(
        "assessments/reopen.html",
        organisation=g.organisation,
        assessment=assessment,
        questionnaire=questionnaire,
        error=error,
        reason=request.form.get("reason", ""),
    )
