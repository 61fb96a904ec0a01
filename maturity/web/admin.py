"""Running the service: organisations, users, invitations and the audit log."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from maturity.framework.periods import Cycle
from maturity.models import (
    DeliveryMode,
    FundingMix,
    HostBodyType,
    Locality,
    OrganisationKind,
    OrganisationStatus,
    Region,
    Role,
)
from maturity.services import accounts, audit
from maturity.services import questionnaire_uploads as uploads
from maturity.services.cycles import CycleError, open_window, questionnaire_versions
from maturity.services.cycles import windows as list_windows
from maturity.services.organisations import (
    OrganisationError,
    OrganisationProfile,
    create_organisation,
    list_organisations,
    list_users,
    members_of,
    organisation_by_slug,
    restore_organisation,
    update_profile,
)
from maturity.services.organisations import archive_organisation as archive_organisation_service
from maturity.services.reference import list_regions, region_by_code
from maturity.web import links
from maturity.web.access import Policy, client_ip, regions_led, requires
from maturity.web.downloads import table_download
from maturity.web.forms import (
    AccountStatusForm,
    ArchiveOrganisationForm,
    AuditFilterForm,
    CancelInvitationForm,
    CycleWindowForm,
    EditOrganisationForm,
    InviteForm,
    OrganisationForm,
    PublishQuestionnaireForm,
    QuestionnaireUploadForm,
    RegionalLeadInviteForm,
    ResendInvitationForm,
    place_error,
)
from maturity.web.links import send_invitation

bp = Blueprint("admin", __name__, url_prefix="/admin")


def _region_choices() -> list[tuple[str, str]]:
    return [("", "Select a region")] + [(region.code, region.name) for region in list_regions()]


def _submitted_region(form: Any) -> Region | None:
    """The region a valid form chose (with the region choices filled in first); None if
    the form is not sent or not valid, with the error on its region field."""
    form.region.choices = _region_choices()
    if not form.validate_on_submit():
        return None
    region = region_by_code(form.region.data or "")
    if region is None:
        form.region.errors = ["Select a region"]
    return region


@bp.route("/")
@requires(Policy.ADMIN)
def index() -> Any:
    return render_template("admin/index.html")


@bp.route("/organisations")
@requires(Policy.ADMIN)
def organisations() -> Any:
    return render_template("admin/organisations.html", organisations=list_organisations())


@bp.route("/organisations/new", methods=["GET", "POST"])
@requires(Policy.ADMIN)
def new_organisation() -> Any:
    form = OrganisationForm()
    region = _submitted_region(form)
    if region is not None:
        profile = OrganisationProfile(
            name=(form.name.data or "").strip(),
            region=region,
            kind=OrganisationKind(form.kind.data),
            host_body_type=HostBodyType(form.host_body_type.data),
            delivery_mode=DeliveryMode(form.delivery_mode.data),
            status=OrganisationStatus(form.status.data),
            year_established=form.year_established.data,
            locality=Locality(form.locality.data) if form.locality.data else None,
            funding_mix=FundingMix(form.funding_mix.data) if form.funding_mix.data else None,
            shares_named_results=bool(form.shares_named_results.data),
        )
        try:
            organisation = create_organisation(profile, current_user._get_current_object())
        except OrganisationError as error:
            form.name.errors = [str(error)]
        else:
            flash(f"{organisation.name} has been created. Now invite its lead", "success")
            return redirect(url_for("admin.invite_lead", slug=organisation.slug))
    return render_template("admin/new_organisation.html", form=form)


@bp.route("/organisations/<slug>")
@requires(Policy.ADMIN)
def organisation(slug: str) -> Any:
    found = organisation_by_slug(slug)
    return render_template("admin/organisation.html", organisation=found, members=members_of(found))


@bp.route("/organisations/<slug>/edit", methods=["GET", "POST"])
@requires(Policy.ADMIN)
def edit_organisation(slug: str) -> Any:
    """An administrator changes an organisation's name and profile (not its region)."""
    found = organisation_by_slug(slug)
    form = EditOrganisationForm(obj=found)
    if request.method == "GET":
        _fill_choices(form, found)
    if form.validate_on_submit():
        try:
            changed = update_profile(
                found,
                form.changes(name=form.name.data or ""),
                current_user._get_current_object(),
                client_ip(),
            )
        except OrganisationError as error:
            form.name.errors = [str(error)]
        else:
            flash(_saved_message(found.name, changed), "success")
            return redirect(url_for("admin.organisation", slug=found.slug))
    return render_template("admin/edit_organisation.html", organisation=found, form=form)


def _fill_choices(form: Any, organisation: Any) -> None:
    """Show the stored choices on a profile form (enums as their values)."""
    for name in ("status", "kind", "host_body_type", "delivery_mode", "locality", "funding_mix"):
        value = getattr(organisation, name)
        getattr(form, name).data = value.value if value is not None else ""


def _saved_message(name: str, changed: list[str]) -> str:
    if not changed:
        return f"Nothing has changed in {name}'s profile"
    return f"{name}: saved the new {', '.join(changed)}"


@bp.route("/organisations/<slug>/archive", methods=["GET", "POST"])
@requires(Policy.ADMIN)
def archive_organisation(slug: str) -> Any:
    """Archive an organisation (it keeps its history but leaves current figures), or
    restore an archived one, after a page saying what will happen."""
    found = organisation_by_slug(slug)
    form = ArchiveOrganisationForm()
    if form.validate_on_submit():
        admin = current_user._get_current_object()
        if found.archived_at is not None:
            restore_organisation(found, admin, client_ip())
            flash(f"{found.name} is current again", "success")
            return redirect(url_for("admin.organisation", slug=slug))
        try:
            archive_organisation_service(found, form.reason.data or "", admin, client_ip())
        except OrganisationError as error:
            form.reason.errors = [str(error)]
        else:
            flash(f"{found.name} has been archived", "success")
            return redirect(url_for("admin.organisation", slug=slug))
    if found.archived_at is not None:
        form.submit.label.text = "Restore organisation"
    return render_template("admin/archive_organisation.html", organisation=found, form=form)


@bp.route("/organisations/<slug>/invite-lead", methods=["GET", "POST"])
@requires(Policy.ADMIN)
def invite_lead(slug: str) -> Any:
    found = organisation_by_slug(slug)
    form = InviteForm()
    if form.validate_on_submit():
        sent = send_invitation(
            form, url_for("admin.organisation", slug=slug), organisation=found, role=Role.LEAD
        )
        if sent is not None:
            return sent
    return render_template("admin/invite_lead.html", organisation=found, form=form)


@bp.route("/users")
@requires(Policy.ADMIN)
def users() -> Any:
    return render_template("admin/users.html", users=list_users())


@bp.route("/users/<int:user_id>/status", methods=["GET", "POST"])
@requires(Policy.ADMIN)
def user_status(user_id: int) -> Any:
    """Deactivate (ending every session at once) or reactivate a person, after a page
    that says what will happen."""
    person = accounts.user_by_id(user_id)
    form = AccountStatusForm()
    if form.validate_on_submit():
        admin = current_user._get_current_object()
        try:
            if person.is_active:
                accounts.deactivate(person, by=admin, ip_address=client_ip())
                flash(f"{person.name} has been deactivated and signed out everywhere", "success")
            else:
                accounts.reactivate(person, by=admin, ip_address=client_ip())
                flash(f"{person.name} can sign in again", "success")
        except accounts.AccountError as error:
            flash(str(error), "error")
        return redirect(url_for("admin.users"))
    return render_template("admin/user_status.html", person=person, form=form)


@bp.route("/invitations")
@requires(Policy.ADMIN)
def invitations() -> Any:
    return _invitations_page()


def _invitations_page(error: str | None = None) -> Any:
    return render_template(
        "admin/invitations.html",
        invitations=accounts.invitations(),
        invitation_status=accounts.invitation_status,
        resend_form=ResendInvitationForm(),
        cancel_form=CancelInvitationForm(),
        error_list=[{"text": error}] if error else None,
    )


@bp.route("/invitations/<int:invitation_id>/resend", methods=["POST"])
@requires(Policy.ADMIN)
def resend_invitation(invitation_id: int) -> Any:
    """Send any invitation again with a fresh link; the old link stops working."""
    record = accounts.invitation_by_id(invitation_id)
    if not ResendInvitationForm().validate_on_submit():
        return redirect(url_for("admin.invitations"))
    try:
        issued = links.resend_invitation(record)
    except accounts.AccountError as error:
        return _invitations_page(str(error))
    return links.invitation_sent_page(issued, url_for("admin.invitations"))


@bp.route("/invitations/<int:invitation_id>/cancel", methods=["POST"])
@requires(Policy.ADMIN)
def cancel_invitation(invitation_id: int) -> Any:
    """Cancel an invitation that has not been accepted: its link stops working."""
    record = accounts.invitation_by_id(invitation_id)
    if CancelInvitationForm().validate_on_submit():
        try:
            accounts.cancel_invitation(
                record, by=current_user._get_current_object(), ip_address=client_ip()
            )
        except accounts.AccountError as error:
            return _invitations_page(str(error))
        flash(f"The invitation to {record.email} has been cancelled", "success")
    return redirect(url_for("admin.invitations"))


NATIONAL = "england"


@bp.route("/cycles", methods=["GET", "POST"])
@requires(Policy.REGIONAL_LEAD)
def cycles() -> Any:
    """Assessment windows, and a form to open a cycle: nationally (administrators) or
    for a region the user leads."""
    admin = bool(current_user.is_admin)
    regions = regions_led()
    form = CycleWindowForm()
    form.region.choices = ([(NATIONAL, "All of England")] if admin else []) + [
        (region.code, region.name) for region in regions
    ]
    form.questionnaire_version.choices = questionnaire_versions()
    if request.method == "GET":
        form.cycle.data = form.cycle.data or str(Cycle.current())
    if form.validate_on_submit() and form.opens_on.data and form.closes_on.data:
        chosen = form.region.data or ""
        region = None if chosen == NATIONAL else region_by_code(chosen)
        try:
            window = open_window(
                form.cycle.data or "",
                form.opens_on.data,
                form.closes_on.data,
                form.questionnaire_version.data or "",
                by=current_user._get_current_object(),
                region=region,
                ip_address=client_ip(),
            )
        except CycleError as error:
            place_error(form, error, "cycle")
        else:
            where = window.region.name if window.region else "England"
            flash(f"The {window.cycle} cycle is open in {where}", "success")
            return redirect(url_for("admin.cycles"))
    return render_template(
        "admin/cycles.html",
        form=form,
        windows=list_windows(None if admin else regions),
        today=date.today(),
    )


@bp.route("/regional-leads/invite", methods=["GET", "POST"])
@requires(Policy.ADMIN)
def invite_regional_lead() -> Any:
    form = RegionalLeadInviteForm()
    region = _submitted_region(form)
    if region is not None:
        sent = send_invitation(form, url_for("admin.users"), region=region)
        if sent is not None:
            return sent
    return render_template("admin/invite_regional_lead.html", form=form)


def _audit_filters() -> tuple[AuditFilterForm, audit.AuditFilters]:
    """The audit log's filter form from the query string, and the filters it makes
    (none of them where the form has an error, which the page shows)."""
    form = AuditFilterForm(request.args)
    form.organisation.choices = [("", "Any organisation")] + [
        (str(found.id), found.name) for found in list_organisations()
    ]
    form.kind.choices = [("", "Any kind")] + [(kind.key, kind.label) for kind in audit.KINDS]
    if not request.args or not form.validate():
        return form, audit.AuditFilters()
    organisation = form.organisation.data or ""
    return form, audit.AuditFilters(
        who=form.who.data or None,
        organisation_id=int(organisation) if organisation.isdigit() else None,
        kind=form.kind.data or None,
        start=form.start.data,
        end=form.end.data,
    )


@bp.route("/audit")
@requires(Policy.ADMIN)
def audit_log() -> Any:
    """The audit log in plain English, filtered and a page at a time."""
    form, filters = _audit_filters()
    found = audit.search(filters, request.args.get("page", 1, type=int) or 1)
    query = {key: value for key, value in request.args.items() if key != "page" and value}
    return render_template(
        "admin/audit.html",
        form=form,
        found=found,
        query=query,
        describe=audit.describe,
        is_sensitive=audit.is_sensitive,
        kind_of=audit.kind_of,
    )


@bp.route("/audit.csv")
@requires(Policy.ADMIN)
def audit_log_csv() -> Any:
    """The events the filters select, as a CSV file (formula-safe cells)."""
    form, filters = _audit_filters()
    if form.errors:
        values: dict[str, Any] = request.args.to_dict()
        return redirect(url_for("admin.audit_log", **values))
    return table_download(audit.audit_table(filters), "csv", "audit-log")


@bp.route("/questionnaires", methods=["GET", "POST"])
@requires(Policy.ADMIN)
def questionnaire_versions_page() -> Any:
    """The questionnaire versions in service, drafts, and a form to upload a new version."""
    form = QuestionnaireUploadForm()
    problems: list[Any] = []
    if form.validate_on_submit():
        sent = form.file.data
        name = (sent.filename or "questionnaire.yaml").rsplit("/", 1)[-1]
        try:
            record = uploads.upload(
                name,
                sent.read(uploads.MAX_BYTES + 1),
                by=current_user._get_current_object(),
                ip_address=client_ip(),
            )
        except uploads.UploadError as error:
            problems = error.problems
            form.file.errors = [
                f"{name} has {len(problems)} problem{'s' if len(problems) != 1 else ''}: "
                "it was not saved. "
                + " ".join(str(p) for p in problems[:3])
                + (" …" if len(problems) > 3 else "")
            ]
        else:
            flash(f"{name} is valid: check the changes, then publish it", "success")
            return redirect(url_for("admin.questionnaire_draft", upload_id=record.id))
    return render_template(
        "admin/questionnaires.html",
        form=form,
        problems=problems,
        versions=uploads.in_service(),
        drafts=uploads.drafts(),
    )


@bp.route("/questionnaires/uploads/<int:upload_id>", methods=["GET", "POST"])
@requires(Policy.ADMIN)
def questionnaire_draft(upload_id: int) -> Any:
    """An uploaded version beside the current one, and (while a draft) the form to
    publish it for a future cycle."""
    record = uploads.draft(upload_id)
    if record is None:
        abort(404)
    form = PublishQuestionnaireForm()
    form.cycle.choices = [("", "Select a cycle")] + [(c, c) for c in uploads.future_cycles()]
    if record.status == uploads.DRAFT and form.validate_on_submit():
        try:
            uploads.publish(
                record,
                form.cycle.data or "",
                by=current_user._get_current_object(),
                ip_address=client_ip(),
            )
        except uploads.UploadError as error:
            form[error.field if error.field in form else "cycle"].errors = [
                str(p.message) for p in error.problems
            ]
        else:
            flash(
                f"Version {record.version} is published: new assessments for "
                f"{record.for_cycle} and later cycles start on it",
                "success",
            )
            return redirect(url_for("admin.questionnaire_versions_page"))
    refused = record.status != uploads.DRAFT and request.method == "POST"
    return render_template(
        "admin/questionnaire_draft.html",
        form=form,
        preview=uploads.preview(record) if record.status == uploads.DRAFT else None,
        record=record,
        error_list=["This version is published and cannot be changed"] if refused else [],
    ), (409 if refused else 200)
