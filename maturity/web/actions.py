"""The action plan: actions by section, overdue ones highlighted, carried across cycles."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from typing import Any

from flask import Blueprint, flash, g, redirect, render_template, request, url_for
from flask_login import current_user

from maturity.models import ActionStatus
from maturity.services import actions as service
from maturity.services.assessments import assessment_in, questionnaire_of
from maturity.services.questionnaires import catalogue
from maturity.web.access import Policy, requires

bp = Blueprint("actions", __name__, url_prefix="/organisations/<slug>/actions")


def _domains() -> list[Any]:
    return list(catalogue().questionnaire("academy-maturity").domains) + list(
        catalogue().questionnaire("scoping").domains
    )


def _parse(form: Any, domain_ids: set[str]) -> tuple[service.ActionFields | None, dict[str, str]]:
    errors: dict[str, str] = {}
    due: date | None = None
    day, month, year = (form.get(f"due-{part}", "").strip() for part in ("day", "month", "year"))
    if day or month or year:
        try:
            due = date(int(year), int(month), int(day))
        except (ValueError, OverflowError):
            errors["due-day"] = "Enter a real due date, for example 31 3 2027"
    try:
        status = ActionStatus(form.get("status", "not_started"))
    except ValueError:
        errors["status"] = "Select the status"
        status = ActionStatus.NOT_STARTED
    domain_id = form.get("domain", "")
    if domain_id not in domain_ids:
        errors["domain"] = "Select the section the action belongs to"
    if errors:
        return None, errors
    fields = service.ActionFields(
        title=form.get("title", ""),
        owner=form.get("owner", ""),
        due_date=due,
        status=status,
        domain_id=domain_id,
        indicator_id=_known_indicator(form.get("indicator"), domain_id),
    )
    return fields, {}


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
    values: dict[str, Any],
    domains: list[Any],
    allowed_domains: set[str],
    save: Callable[[service.ActionFields], object],
    done: str,
    *,
    assessment: Any = None,
    action: Any = None,
) -> Any:
    """Show the action form; on a post, check it, save through ``save`` and go back to
    the plan, or show the form again with its errors and what was typed."""
    errors: dict[str, str] = {}
    if request.method == "POST":
        values.update({key: request.form.get(key, "") for key in ("title", "owner", "status")})
        fields, errors = _parse(request.form, allowed_domains)
        if fields is not None:
            try:
                save(fields)
            except service.ActionError as error:
                errors[error.field] = str(error)
            else:
                flash(done, "success")
                return redirect(url_for("actions.index", slug=g.organisation.slug))
    return render_template(
        "actions/form.html",
        organisation=g.organisation,
        domains=domains,
        values=values,
        errors=errors,
        assessment=assessment,
        action=action,
        statuses=list(ActionStatus),
    )


@bp.route("/new", methods=["GET", "POST"])
@requires(Policy.ORG_MEMBER)
def new(slug: str) -> Any:
    assessment = None
    assessment_id = request.values.get("assessment", "")
    if re.fullmatch(r"[0-9]{1,9}", assessment_id):
        assessment = assessment_in(g.organisation, int(assessment_id))
    domains = list(questionnaire_of(assessment).domains) if assessment else _domains()
    values = {
        "title": request.values.get("title", "")[:500],
        "owner": "",
        "domain": request.values.get("domain", ""),
        "indicator": request.values.get("indicator", ""),
        "status": "not_started",
    }
    user = current_user._get_current_object()
    return _form_page(
        values,
        domains,
        {domain.id for domain in domains},
        lambda fields: service.add_action(g.organisation, fields, user, assessment),
        "The action has been added to your plan",
        assessment=assessment,
    )


@bp.route("/<int:action_id>", methods=["GET", "POST"])
@requires(Policy.ORG_MEMBER)
def edit(slug: str, action_id: int) -> Any:
    action = service.action_in(g.organisation, action_id)
    domains = _domains()
    values = {
        "title": action.title,
        "owner": action.owner,
        "domain": action.domain_id,
        "indicator": action.indicator_id or "",
        "status": action.status.value,
        "due": action.due_date,
    }
    user = current_user._get_current_object()
    return _form_page(
        values,
        domains,
        {domain.id for domain in domains} | {action.domain_id},
        lambda fields: service.update_action(action, fields, user),
        "The action has been updated",
        action=action,
    )
