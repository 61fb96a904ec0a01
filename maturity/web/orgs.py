"""An organisation's own pages: overview and team (leads invite and manage members)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, g, redirect, render_template, url_for
from flask_login import current_user

from maturity.models import AssessmentStatus, Role
from maturity.services.assessments import assessments_for
from maturity.services.organisations import (
    OrganisationError,
    change_role,
    members_of,
    membership_in,
    remove_member,
)
from maturity.web.access import Policy, client_ip, is_org_lead, requires
from maturity.web.forms import ChangeRoleForm, InviteMemberForm, RemoveMemberForm
from maturity.web.links import send_invitation

bp = Blueprint("orgs", __name__, url_prefix="/organisations")


@bp.route("/<slug>")
@requires(Policy.ORG_MEMBER)
def overview(slug: str) -> Any:
    assessments = assessments_for(g.organisation)
    latest = next((a for a in assessments if a.status == AssessmentStatus.SUBMITTED), None)
    in_progress = next((a for a in assessments if a.status == AssessmentStatus.DRAFT), None)
    return render_template(
        "orgs/overview.html",
        organisation=g.organisation,
        is_lead=is_org_lead(),
        latest=latest,
        in_progress=in_progress,
    )


@bp.route("/<slug>/team")
@requires(Policy.ORG_MEMBER)
def team(slug: str) -> Any:
    return render_template(
        "orgs/team.html",
        organisation=g.organisation,
        members=members_of(g.organisation),
        is_lead=is_org_lead(),
    )


@bp.route("/<slug>/team/invite", methods=["GET", "POST"])
@requires(Policy.ORG_LEAD)
def invite(slug: str) -> Any:
    form = InviteMemberForm()
    if form.validate_on_submit():
        sent = send_invitation(
            form,
            url_for("orgs.team", slug=slug),
            organisation=g.organisation,
            role=Role(form.role.data),
        )
        if sent is not None:
            return sent
    return render_template("orgs/invite.html", organisation=g.organisation, form=form)


@bp.route("/<slug>/team/<int:membership_id>", methods=["GET", "POST"])
@requires(Policy.ORG_LEAD)
def member(slug: str, membership_id: int) -> Any:
    membership = membership_in(g.organisation, membership_id)
    form = ChangeRoleForm(role=membership.role.value)
    if form.validate_on_submit():
        try:
            change_role(
                membership, Role(form.role.data), current_user._get_current_object(), client_ip()
            )
        except OrganisationError as error:
            form.role.errors = [str(error)]
        else:
            flash(f"{membership.user.name} is now {membership.role.label.lower()}", "success")
            return redirect(url_for("orgs.team", slug=slug))
    return render_template(
        "orgs/member.html",
        organisation=g.organisation,
        membership=membership,
        form=form,
        remove_form=RemoveMemberForm(),
    )


@bp.route("/<slug>/team/<int:membership_id>/remove", methods=["POST"])
@requires(Policy.ORG_LEAD)
def remove(slug: str, membership_id: int) -> Any:
    membership = membership_in(g.organisation, membership_id)
    form = RemoveMemberForm()
    if form.validate_on_submit():
        name = membership.user.name
        try:
            remove_member(membership, current_user._get_current_object(), client_ip())
        except OrganisationError as error:
            flash(str(error), "error")
            return redirect(url_for("orgs.member", slug=slug, membership_id=membership_id))
        flash(f"{name} has been removed from the team", "success")
    return redirect(url_for("orgs.team", slug=slug))
