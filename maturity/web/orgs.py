"""An organisation's own pages: overview and team (leads invite and manage members)."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Blueprint, abort, flash, g, redirect, render_template, url_for
from flask_login import current_user

from maturity.framework.periods import Cycle
from maturity.models import AssessmentStatus, Membership, Organisation, Role
from maturity.services import accounts
from maturity.services.accounts import invitation_status
from maturity.services.assessments import assessments_for
from maturity.services.cycles import window_for
from maturity.services.organisations import (
    OrganisationError,
    change_role,
    leave_organisation,
    members_of,
    membership_in,
    remove_member,
    update_profile,
)
from maturity.web import links
from maturity.web.access import Policy, client_ip, is_org_lead, requires
from maturity.web.forms import (
    CancelInvitationForm,
    ChangeRoleForm,
    InviteMemberForm,
    LeaveOrganisationForm,
    OrganisationProfileForm,
    RemoveMemberForm,
    ResendInvitationForm,
)
from maturity.web.links import send_invitation

bp = Blueprint("orgs", __name__, url_prefix="/organisations")


@bp.app_template_global()
def assessment_window(organisation: Organisation, cycle: str | None = None) -> Any:
    """The window of an organisation's assessment in a cycle (the current one if None),
    for the deadline shown on its overview and task list."""
    return window_for(organisation, cycle or str(Cycle.current()))


@bp.app_template_global()
def today_date() -> date:
    return date.today()


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


@bp.route("/<slug>/profile", methods=["GET", "POST"])
@requires(Policy.ORG_LEAD)
def profile(slug: str) -> Any:
    """A lead sets up the organisation's profile: what peer matching and the regional
    figures use. (Administrators also rename organisations, in the admin pages.)"""
    organisation = g.organisation
    form = OrganisationProfileForm(obj=organisation)
    if form.validate_on_submit():
        changed = update_profile(
            organisation, form.changes(), current_user._get_current_object(), client_ip()
        )
        flash(
            f"Saved the new {', '.join(changed)}" if changed else "Nothing has changed",
            "success",
        )
        return redirect(url_for("orgs.overview", slug=slug))
    return render_template("orgs/profile.html", organisation=organisation, form=form)


@bp.route("/<slug>/team")
@requires(Policy.ORG_MEMBER)
def team(slug: str) -> Any:
    return _team_page()


def _team_page(error: str | None = None) -> Any:
    lead = is_org_lead()
    return render_template(
        "orgs/team.html",
        organisation=g.organisation,
        members=members_of(g.organisation),
        is_lead=lead,
        invitations=accounts.invitations(g.organisation) if lead else [],
        invitation_status=invitation_status,
        resend_form=ResendInvitationForm(),
        cancel_form=CancelInvitationForm(),
        error_list=[{"text": error}] if error else None,
    )


@bp.route("/<slug>/team/invitations/<int:invitation_id>/resend", methods=["POST"])
@requires(Policy.ORG_LEAD)
def resend_invitation(slug: str, invitation_id: int) -> Any:
    """Send an invitation again with a fresh link; the old link stops working."""
    record = accounts.invitation_by_id(invitation_id, g.organisation)
    if not ResendInvitationForm().validate_on_submit():
        return redirect(url_for("orgs.team", slug=slug))
    try:
        issued = links.resend_invitation(record)
    except accounts.AccountError as error:
        return _team_page(str(error))
    return links.invitation_sent_page(issued, url_for("orgs.team", slug=slug))


@bp.route("/<slug>/team/invitations/<int:invitation_id>/cancel", methods=["POST"])
@requires(Policy.ORG_LEAD)
def cancel_invitation(slug: str, invitation_id: int) -> Any:
    """Cancel an invitation that has not been accepted: its link stops working."""
    record = accounts.invitation_by_id(invitation_id, g.organisation)
    if CancelInvitationForm().validate_on_submit():
        try:
            accounts.cancel_invitation(
                record, by=current_user._get_current_object(), ip_address=client_ip()
            )
        except accounts.AccountError as error:
            return _team_page(str(error))
        flash(f"The invitation to {record.email} has been cancelled", "success")
    return redirect(url_for("orgs.team", slug=slug))


@bp.route("/<slug>/leave", methods=["GET", "POST"])
@requires(Policy.ORG_MEMBER)
def leave(slug: str) -> Any:
    """A member leaves the organisation (after a page saying what they will lose)."""
    membership = g.membership
    if membership is None:  # an administrator who is not a member has nothing to leave
        abort(404)
    form = LeaveOrganisationForm()
    error = None
    if form.validate_on_submit():
        try:
            leave_organisation(membership, client_ip())
        except OrganisationError as refused:
            error = str(refused)
        else:
            flash(f"You have left {g.organisation.name}", "success")
            return redirect(url_for("auth.account"))
    return render_template(
        "orgs/leave.html",
        organisation=g.organisation,
        membership=membership,
        form=form,
        error_list=[{"text": error}] if error else None,
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
    return _member_page(membership, form)


def _member_page(
    membership: Membership, form: ChangeRoleForm, removal_error: str | None = None
) -> Any:
    return render_template(
        "orgs/member.html",
        organisation=g.organisation,
        membership=membership,
        form=form,
        remove_form=RemoveMemberForm(),
        error_list=[{"text": removal_error}] if removal_error else None,
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
            role_form = ChangeRoleForm(formdata=None, role=membership.role.value)
            return _member_page(membership, role_form, str(error))
        flash(f"{name} has been removed from the team", "success")
    return redirect(url_for("orgs.team", slug=slug))
