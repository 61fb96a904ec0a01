"""Taking an assessment: task list, domain pages, check answers, submit, reopen, history.

GOV.UK patterns throughout: a task list, one page per domain, "check your answers",
then a confirmation. Every page works without JavaScript.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Blueprint, abort, flash, g, redirect, render_template, url_for
from flask_login import current_user

from maturity.framework import Domain, Questionnaire
from maturity.jobs import draw_region_charts, draw_results_charts, jobs
from maturity.models import Assessment, AssessmentStatus, Confidence
from maturity.services import assessments as service
from maturity.services.assessments import AssessmentError
from maturity.services.questionnaires import questionnaire_for_new_assessment
from maturity.web.access import Policy, is_org_lead, requires
from maturity.web.assessment_forms import (
    DomainForm,
    ReopenForm,
    StartForm,
    SubmitForm,
    domain_form,
    error_of,
    field_errors,
    posted_data,
)
from maturity.web.forms import place_error

bp = Blueprint("assessments", __name__, url_prefix="/organisations/<slug>/assessments")


@bp.context_processor
def _form_helpers() -> dict[str, Any]:
    # Every assessment template can show a form field's error on its GOV.UK component.
    return {"error_of": error_of}


def _load(assessment_id: int) -> tuple[Assessment, Questionnaire]:
    assessment = service.assessment_in(g.organisation, assessment_id)
    return assessment, service.questionnaire_of(assessment)


def _page(
    template: str, assessment: Assessment, questionnaire: Questionnaire, **context: Any
) -> str:
    """One of an assessment's pages: each shows its organisation, the assessment and
    the questionnaire it is taken on."""
    return render_template(
        f"assessments/{template}.html",
        organisation=g.organisation,
        assessment=assessment,
        questionnaire=questionnaire,
        **context,
    )


def _domain(questionnaire: Questionnaire, domain_id: str) -> Domain:
    if domain_id not in questionnaire.domain_ids:
        abort(404)
    return questionnaire.domain(domain_id)


@bp.route("/")
@requires(Policy.ORG_MEMBER)
def index(slug: str) -> Any:
    assessments = service.assessments_for(g.organisation)
    return render_template(
        "assessments/index.html",
        organisation=g.organisation,
        assessments=assessments,
        in_progress=next((a for a in assessments if a.status == AssessmentStatus.DRAFT), None),
        is_lead=is_org_lead(),
    )


@bp.route("/start", methods=["GET", "POST"])
@requires(Policy.ORG_LEAD)
def start(slug: str) -> Any:
    today = date.today()
    form = StartForm.on(today)
    if form.validate_on_submit():
        try:
            assessment = service.start_assessment(
                g.organisation,
                form.cycle.data,
                current_user._get_current_object(),
                carry_forward=form.carry_forward,
                today=today,
            )
        except AssessmentError as error:
            place_error(form, error, default="cycle")
        else:
            return redirect(
                url_for("assessments.task_list", slug=slug, assessment_id=assessment.id)
            )
    return render_template(
        "assessments/start.html",
        organisation=g.organisation,
        questionnaire=questionnaire_for_new_assessment(
            service.questionnaire_id_for(g.organisation)
        ),
        start_form=form,
        errors=field_errors(form),
    )


@bp.route("/<int:assessment_id>")
@requires(Policy.ORG_MEMBER)
def task_list(slug: str, assessment_id: int) -> Any:
    assessment, questionnaire = _load(assessment_id)
    return _page(
        "task_list",
        assessment,
        questionnaire,
        progress=service.progress(assessment, questionnaire),
        is_lead=is_org_lead(),
    )


@bp.route("/<int:assessment_id>/domains/<domain_id>", methods=["GET", "POST"])
@requires(Policy.ORG_MEMBER)
def domain(slug: str, assessment_id: int, domain_id: str) -> Any:
    assessment, questionnaire = _load(assessment_id)
    current_domain = _domain(questionnaire, domain_id)
    if assessment.status != AssessmentStatus.DRAFT:
        flash("This assessment has been submitted and is read-only. A lead can reopen it", "info")
        return redirect(url_for("assessments.check", slug=slug, assessment_id=assessment_id))
    form = domain_form(questionnaire, current_domain, posted_data())
    outcome = None
    if form.is_submitted():
        valid = form.validate()
        # Every indicator without errors is saved, whatever the rest of the page holds.
        outcome = service.save_domain(
            assessment,
            current_domain,
            form.answer_inputs(),
            current_user._get_current_object(),
            target=form.target_choice(),
        )
        if valid and not outcome.conflicts:
            return _after_save(assessment, questionnaire, current_domain, form)
    return _page(
        "domain",
        assessment,
        questionnaire,
        domain=current_domain,
        items=_page_items(assessment, form, outcome),
        target=_target_value(assessment, form),
        target_field=form.target,
        confidences=list(Confidence),
        evidence_limit=service.EVIDENCE_NOTE_LIMIT,
        error_list=form.error_list() + _conflict_errors(questionnaire, outcome),
    )


def _page_items(
    assessment: Assessment, form: DomainForm, outcome: service.SaveOutcome | None
) -> list[dict[str, Any]]:
    """What each indicator shows: what the person entered (after a post with errors),
    else what is stored; the version the next save is based on; any conflict to resolve."""
    stored = service.answers_by_indicator(assessment)
    changes = service.changed_carried_answers(assessment)
    items = []
    for group in form.groups:
        indicator = group.indicator
        record = stored.get(indicator.id)
        conflict = outcome.conflicts.get(indicator.id) if outcome else None
        if conflict is not None:
            values, version = conflict.mine, conflict.their_version
        elif group.has_errors:
            values, version = form.values_of(group), group.version.data or 0
        else:
            values = service.AnswerValues.of(record) if record else service.AnswerValues()
            version = record.version if record else 0
        items.append(
            {
                "indicator": indicator,
                "fields": group,
                "values": values,
                "version": version,
                "carried_over": bool(record and record.carried_over and conflict is None),
                "change": changes.get(indicator.id) if conflict is None else None,
                "conflict": conflict,
                "updated_by": record.updated_by.name if record and record.updated_by else None,
                "updated_at": record.updated_at if record else None,
            }
        )
    return items


def _target_value(assessment: Assessment, form: DomainForm) -> str:
    if form.target.errors:
        return str(form.target.data or "")
    level = service.targets_by_domain(assessment).get(form.domain.id)
    return str(level) if level else ""


def _after_save(
    assessment: Assessment, questionnaire: Questionnaire, current: Domain, form: DomainForm
) -> Any:
    slug = g.organisation.slug
    if form.action.data == "later":
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


def _conflict_errors(
    questionnaire: Questionnaire, outcome: service.SaveOutcome | None
) -> list[dict[str, str]]:
    return [
        {
            "text": f"Someone else changed '{questionnaire.indicator(indicator_id).title}' "
            "while you were editing. Choose which answer to keep",
            "href": f"#conflict-{indicator_id}",
        }
        for indicator_id in (outcome.conflicts if outcome else ())
    ]


@bp.route("/<int:assessment_id>/indicators/<indicator_id>/history")
@requires(Policy.ORG_MEMBER)
def indicator_history(slug: str, assessment_id: int, indicator_id: str) -> Any:
    assessment, questionnaire = _load(assessment_id)
    if not questionnaire.has_indicator(indicator_id):
        abort(404)
    return _page(
        "history",
        assessment,
        questionnaire,
        indicator=questionnaire.indicator(indicator_id),
        domain=questionnaire.domain_of(indicator_id),
        revisions=service.history(assessment, indicator_id),
    )


@bp.route("/<int:assessment_id>/check")
@requires(Policy.ORG_MEMBER)
def check(slug: str, assessment_id: int) -> Any:
    assessment, questionnaire = _load(assessment_id)
    return _render_check(assessment, questionnaire, SubmitForm(formdata=None))


def _render_check(assessment: Assessment, questionnaire: Questionnaire, form: SubmitForm) -> Any:
    return _page(
        "check",
        assessment,
        questionnaire,
        answers=service.answers_by_indicator(assessment),
        targets=service.targets_by_domain(assessment),
        progress=service.progress(assessment, questionnaire),
        result=service.current_result(assessment, questionnaire),
        snapshot=service.latest_snapshot(assessment),
        is_lead=is_org_lead(),
        declaration=service.DECLARATION,
        submit_form=form,
        errors=field_errors(form),
    )


@bp.route("/<int:assessment_id>/submit", methods=["POST"])
@requires(Policy.ORG_LEAD)
def submit(slug: str, assessment_id: int) -> Any:
    assessment, questionnaire = _load(assessment_id)
    form = SubmitForm(formdata=posted_data())
    if form.validate():
        try:
            service.submit_assessment(
                assessment, current_user._get_current_object(), declared=form.declared
            )
        except AssessmentError as error:
            place_error(form, error, default="declaration")
        else:
            # Its charts are drawn now, by the job queue, not on its results' first view.
            jobs().after_commit(draw_results_charts, assessment.id)
            jobs().after_commit(draw_region_charts, assessment.organisation.region_id)
            return redirect(
                url_for("assessments.submitted", slug=slug, assessment_id=assessment_id)
            )
    return _render_check(assessment, questionnaire, form)


@bp.route("/<int:assessment_id>/submitted")
@requires(Policy.ORG_MEMBER)
def submitted(slug: str, assessment_id: int) -> Any:
    assessment, questionnaire = _load(assessment_id)
    snapshot = service.latest_snapshot(assessment)
    if assessment.status != AssessmentStatus.SUBMITTED or snapshot is None:
        return redirect(url_for("assessments.task_list", slug=slug, assessment_id=assessment_id))
    return _page(
        "submitted",
        assessment,
        questionnaire,
        snapshot=snapshot,
        result=service.snapshot_result(snapshot),
    )


@bp.route("/<int:assessment_id>/reopen", methods=["GET", "POST"])
@requires(Policy.ORG_LEAD)
def reopen(slug: str, assessment_id: int) -> Any:
    assessment, questionnaire = _load(assessment_id)
    form = ReopenForm(formdata=posted_data())
    if form.validate_on_submit():
        try:
            service.reopen_assessment(
                assessment, current_user._get_current_object(), form.reason.data or ""
            )
        except AssessmentError as error:
            place_error(form, error, default="reason")
        else:
            flash(
                "The assessment is open for changes again. Submit it when you are ready", "success"
            )
            return redirect(
                url_for("assessments.task_list", slug=slug, assessment_id=assessment_id)
            )
    elif assessment.status != AssessmentStatus.SUBMITTED:
        return redirect(url_for("assessments.task_list", slug=slug, assessment_id=assessment_id))
    return _page(
        "reopen",
        assessment,
        questionnaire,
        reopen_form=form,
        errors=field_errors(form),
    )
