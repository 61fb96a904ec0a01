"""The action plan: actions by section, overdue ones highlighted, carried across cycles."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from flask import Blueprint, flash, g, redirect, render_template, request, url_for
from flask_login import current_user

from maturity.models import ActionStatus
from maturity.services import actions as service
from maturity.services.assessments import assessment_in, questionnaire_of
from maturity.services.questionnaires import catalogue
from maturity.web.access import Policy, requires
from maturity.web.forms import ActionForm, place_error

bp = Blueprint("actions", __name__, url_prefix="/organisations/<slug>/actions")


def _domains() -> list[Any]:
    return list(catalogue().questionnaire("academy-maturity").domains) + list(
        catalogue().questionnaire("scoping").domains
    )


def _known_indicator(indicator_id: str | None, domain_id: str) -> str | None:
    """The indicator an action came from, if it really is one of that section's."""
    if not indicator_id:
        return None
    for domain in _domains():
        if domain.id == domain_id:
            return indicator_id if indicator_id in {i.id for i in domain.indicators} else None
    return None


@bp.route("/")
@requires(Policy.ORG_MEMBER)
def index(slug: str) -> Any:
    actions = service.actions_for(g.organisation)
    titles = {domain.id: domain.title for domain in _domains()}
    grouped: dict[str, list[Any]] = {}
    for action in actions:
        grouped.setdefault(action.domain_id, []).append(action)
    return render_template(
        "actions/index.html",
        organisation=g.organisation,
        grouped=grouped,
        titles=titles,
        overdue={action.id for action in actions if service.is_overdue(action)},
    )


def _form_page(
    form: ActionForm,
    domains: list[Any],
    save: Callable[[service.ActionFields], object],
    done: str,
    *,
    assessment: Any = None,
    action: Any = None,
) -> Any:
    """Show the action form; on a valid post, save through ``save`` and go back to the
    plan, or show the form again with its errors and what was typed."""
    choices = [(domain.id, domain.title) for domain in domains]
    if action is not None and action.domain_id not in {choice[0] for choice in choices}:
        choices.append((action.domain_id, action.domain_id))  # from a retired version
    form.domain.choices = [("", "Select a section"), *choices]
    if form.validate_on_submit():
        fields = service.ActionFields(
            title=form.title.data or "",
            owner=form.owner.data or "",
            due_date=form.due.data,
            status=ActionStatus(form.status.data),
            domain_id=form.domain.data or "",
            indicator_id=_known_indicator(form.indicator.data, form.domain.data or ""),
        )
        try:
            save(fields)
        except service.ActionError as error:
            place_error(form, error, "title")
        else:
            flash(done, "success")
            return redirect(url_for("actions.index", slug=g.organisation.slug))
    return render_template(
        "actions/form.html",
        organisation=g.organisation,
        form=form,
        assessment=assessment,
        action=action,
    )


@bp.route("/new", methods=["GET", "POST"])
@requires(Policy.ORG_MEMBER)
def new(slug: str) -> Any:
    assessment = None
    assessment_id = request.values.get("assessment", "")
    if re.fullmatch(r"[0-9]{1,9}", assessment_id):
        assessment = assessment_in(g.organisation, int(assessment_id))
    domains = list(questionnaire_of(assessment).domains) if assessment else _domains()
    # A next step's "Add to action plan" link fills in the title, section and question.
    form = ActionForm(
        data={
            "assessment": str(assessment.id) if assessment else "",
            "title": request.args.get("title", "")[:500],
            "domain": request.args.get("domain", ""),
            "indicator": request.args.get("indicator", ""),
        }
        if request.method == "GET"
        else None
    )
    user = current_user._get_current_object()
    return _form_page(
        form,
        domains,
        lambda fields: service.add_action(g.organisation, fields, user, assessment),
        "The action has been added to your plan",
        assessment=assessment,
    )


@bp.route("/<int:action_id>", methods=["GET", "POST"])
@requires(Policy.ORG_MEMBER)
def edit(slug: str, action_id: int) -> Any:
    action = service.action_in(g.organisation, action_id)
    form = ActionForm(
        data={
            "title": action.title,
            "owner": action.owner,
            "domain": action.domain_id,
            "indicator": action.indicator_id or "",
            "status": action.status.value,
            "due": action.due_date,
        }
        if request.method == "GET"
        else None
    )
    user = current_user._get_current_object()
    return _form_page(
        form,
        _domains(),
        lambda fields: service.update_action(action, fields, user),
        "The action has been updated",
        action=action,
    )
