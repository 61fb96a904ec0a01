"""Signing in and out, invitations, password resets and changes."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_user, logout_user

from maturity.extensions import db, limiter
from maturity.models import AccountToken, AssessmentStatus, Role, TokenPurpose, User
from maturity.services import accounts, sessions
from maturity.services.assessments import assessments_for
from maturity.services.organisations import memberships_for
from maturity.web import throttle
from maturity.web.access import Policy, client_ip, requires
from maturity.web.forms import (
    AcceptInvitationForm,
    ApiTokenForm,
    ChangePasswordForm,
    JoinForm,
    RequestPasswordResetForm,
    ResetPasswordForm,
    SignInForm,
    SignOutEverywhereForm,
    SignOutForm,
    UnlockForm,
    place_error,
)
from maturity.web.links import reset_link, settings, unlock_link

bp = Blueprint("auth", __name__)

# Where a lead sets up their organisation's profile.
PROFILE_ENDPOINT = "orgs.profile"
SIGN_IN_FAILED = "Enter a correct email address and password"
LINK_INVALID = (
    "This link has expired or has already been used. Ask the person who invited you, or "
    "an administrator, for a new one."
)


def _per_ip_limit() -> str:
    return str(current_app.config["SIGN_IN_LIMIT_PER_IP"])


def _safe_next(target: str | None) -> str:
    """Only follow a ``next`` that stays on this site."""
    if target:
        parts = urlsplit(target)
        if (
            not parts.scheme
            and not parts.netloc
            and target.startswith("/")
            and not target.startswith("//")
        ):
            return target
    return url_for("main.home")


def _session_lifetime() -> timedelta:
    return timedelta(seconds=int(current_app.config["PERMANENT_SESSION_LIFETIME"]))


def begin_session(user: User) -> None:
    """Sign ``user`` in on this browser: a new session on the server, and a new cookie
    session (with a new CSRF token), so nothing issued before sign-in works after it."""
    session.clear()
    sessions.start(user, ip_address=client_ip(), user_agent=request.user_agent.string)
    login_user(user)


@bp.route("/sign-in", methods=["GET", "POST"])
@requires(Policy.PUBLIC)
def sign_in() -> Any:
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = SignInForm()
    if form.validate_on_submit():
        email = accounts.normalise_email(form.email.data or "")[:254]
        decision = throttle.admit(email)
        if decision.refusal is not None:
            if decision.newly_locked:
                accounts.account_locked(email, unlock_link, client_ip(), settings=settings())
            return _refused(decision)
        user = accounts.authenticate(
            email, form.password.data or "", client_ip(), hashing=settings().hashing
        )
        if user is not None:
            throttle.succeeded(email)
            begin_session(user)
            response = redirect(_safe_next(request.args.get("next")))
            throttle.remember_device(response, email)
            return response
        # One message, on the first field: the summary should not say it twice.
        form.email.errors = [SIGN_IN_FAILED]
    return render_template("auth/sign_in.html", form=form)


def _refused(decision: throttle.Decision) -> tuple[str, int]:
    # Failed attempts are still kept (the audit log) though the response is an error.
    db.session.commit()
    return (
        render_template(
            "auth/sign_in_refused.html",
            code=429,
            refusal=decision.refusal.value if decision.refusal else "",
            wait=decision.wait,
        ),
        429,
    )


@bp.route("/sign-in/unlock/<token>", methods=["GET", "POST"])
@requires(Policy.PUBLIC)
def unlock(token: str) -> Any:
    record = accounts.valid_token(token, TokenPurpose.UNLOCK)
    if record is None:
        return _link_invalid()
    form = UnlockForm()
    if form.validate_on_submit():
        try:
            email = accounts.unlock_account(record, client_ip())
        except accounts.AccountError:
            return _link_invalid()
        throttle.unlock(email)
        flash(
            "Your account is unlocked. If you did not make those attempts, sign in and "
            "change your password.",
            "success",
        )
        return redirect(url_for("auth.sign_in"))
    return render_template("auth/unlock.html", form=form)


@bp.route("/sign-out", methods=["POST"])
@requires(Policy.SIGNED_IN)
def sign_out() -> Any:
    form = SignOutForm()
    if form.validate_on_submit():
        sessions.end_current(current_user._get_current_object(), ip_address=client_ip())
        logout_user()
        flash("You have signed out", "success")
        return redirect(url_for("auth.sign_in"))
    return redirect(url_for("main.home"))


@bp.route("/account/sign-out-everywhere", methods=["POST"])
@requires(Policy.SIGNED_IN)
def sign_out_everywhere() -> Any:
    form = SignOutEverywhereForm()
    if form.validate_on_submit():
        sessions.end_all(
            current_user._get_current_object(),
            reason="signed out of all devices",
            ip_address=client_ip(),
        )
        logout_user()
        flash("You have signed out of all devices, including this one", "success")
        return redirect(url_for("auth.sign_in"))
    return redirect(url_for("auth.account"))


def _link_invalid() -> tuple[str, int]:
    return render_template("auth/link_invalid.html", message=LINK_INVALID), 404


@bp.route("/invitations/<token>", methods=["GET", "POST"])
@requires(Policy.PUBLIC)
def accept_invitation(token: str) -> Any:
    record = accounts.valid_token(token, TokenPurpose.INVITATION)
    if record is None:
        return _link_invalid()
    if accounts.user_by_email(record.email) is not None:
        return _join_existing_account(record)
    if current_user.is_authenticated:
        # Signed in as someone else: never create the new account and switch this browser
        # into it behind the signed-in person's back. They sign out first.
        return render_template(
            "auth/join_invitation.html",
            invitation=record,
            form=JoinForm(),
            signed_in_as_invitee=False,
            new_account=True,
            sign_out_form=SignOutForm(),
            error_list=[{"text": f"You are signed in as {current_user.email}. Sign out first"}]
            if request.method == "POST"
            else None,
        )
    form = AcceptInvitationForm(name=record.name if request.method == "GET" else None)
    if form.validate_on_submit():
        try:
            user = accounts.accept_invitation(
                record,
                form.name.data or "",
                form.password.data or "",
                client_ip(),
                hashing=settings().hashing,
            )
        except accounts.AccountError as error:
            if error.field is None:
                return _link_invalid()
            place_error(form, error, "password")
        else:
            begin_session(user)
            flash("Your account is ready", "success")
            return redirect(url_for("auth.welcome"))
    return render_template("auth/accept_invitation.html", form=form, invitation=record)


def _join_existing_account(record: AccountToken) -> Any:
    """Someone with an account accepts while signed in as themselves; the link never
    touches their password."""
    signed_in_as_invitee = current_user.is_authenticated and current_user.email == record.email
    form = JoinForm()
    if signed_in_as_invitee and form.validate_on_submit():
        try:
            accounts.join_by_invitation(record, current_user._get_current_object(), client_ip())
        except accounts.AccountError:
            return _link_invalid()
        flash("You have accepted the invitation", "success")
        return redirect(url_for("auth.welcome"))
    return render_template(
        "auth/join_invitation.html",
        invitation=record,
        form=form,
        signed_in_as_invitee=signed_in_as_invitee,
        sign_in_url=url_for("auth.sign_in", next=request.path),
    )


@dataclass(frozen=True)
class FirstStep:
    """One thing a newly invited person should do first, with the link to do it."""

    heading: str
    text: str
    link_text: str
    href: str


def first_steps(user: User) -> list[FirstStep]:
    """What to do first for each role the person has: a lead sets up the organisation's
    profile, a contributor continues the assessment, a regional lead sees the region."""
    steps = []
    for membership in memberships_for(user):
        org = membership.organisation
        if membership.role == Role.LEAD:
            steps.append(
                FirstStep(
                    f"Set up {org.name}'s profile",
                    "Check its kind, host body, delivery, locality and funding: peer "
                    "comparisons and regional figures are built from them. Then invite "
                    "your team and start the assessment.",
                    f"Set up the profile of {org.name}",
                    url_for(PROFILE_ENDPOINT, slug=org.slug),
                )
            )
            continue
        draft = next((a for a in assessments_for(org) if a.status == AssessmentStatus.DRAFT), None)
        steps.append(
            FirstStep(
                f"Continue {org.name}'s assessment",
                "Answer the questions you know about, with a short note of the evidence. "
                "Your answers are saved as you go; a lead submits the assessment.",
                f"Continue the {draft.cycle} assessment" if draft else "See the assessments",
                url_for("assessments.task_list", slug=org.slug, assessment_id=draft.id)
                if draft
                else url_for("assessments.index", slug=org.slug),
            )
        )
    for lead in sorted(user.regional_leads, key=lambda lead: lead.region.sort_order):
        steps.append(
            FirstStep(
                f"See {lead.region.name}",
                "Which academies have submitted, how the region compares with England, and "
                "who to remind before the deadline.",
                f"See the {lead.region.name} dashboard",
                url_for("regional.region", code=lead.region.code),
            )
        )
    if user.is_admin:
        steps.append(
            FirstStep(
                "Run the service",
                "Organisations, people and invitations, and the audit log.",
                "Go to administration",
                url_for("admin.index"),
            )
        )
    return steps


@bp.route("/welcome")
@requires(Policy.SIGNED_IN)
def welcome() -> Any:
    """After accepting an invitation: what to do first, for each role the person has."""
    return render_template(
        "auth/welcome.html", steps=first_steps(current_user._get_current_object())
    )


@bp.route("/password-reset", methods=["GET", "POST"])
@limiter.limit(_per_ip_limit, methods=["POST"])
@requires(Policy.PUBLIC)
def request_password_reset() -> Any:
    form = RequestPasswordResetForm()
    if form.validate_on_submit():
        started = time.monotonic()
        issued = accounts.request_password_reset(
            form.email.data or "",
            reset_link,
            client_ip(),
            settings=settings(),
        )
        # The same minimum time whether or not the account exists (see the service).
        floor = float(current_app.config["PASSWORD_RESET_MIN_SECONDS"])
        time.sleep(max(0.0, floor - (time.monotonic() - started)))
        dev_link = issued.link if issued and current_app.config["SHOW_DEV_LINKS"] else None
        return render_template("auth/reset_sent.html", email=form.email.data, dev_link=dev_link)
    return render_template("auth/request_reset.html", form=form)


@bp.route("/password-reset/<token>", methods=["GET", "POST"])
@requires(Policy.PUBLIC)
def reset_password(token: str) -> Any:
    record = accounts.valid_token(token, TokenPurpose.PASSWORD_RESET)
    if record is None:
        return _link_invalid()
    form = ResetPasswordForm()
    if form.validate_on_submit():
        try:
            accounts.reset_password(
                record, form.password.data or "", client_ip(), hashing=settings().hashing
            )
        except accounts.AccountError as error:
            if error.field is None:
                return _link_invalid()
            place_error(form, error, "password")
        else:
            throttle.unlock(record.email)  # the owner has shown they hold the email
            logout_user()
            flash("Your password has been changed. Sign in with your new password", "success")
            return redirect(url_for("auth.sign_in"))
    return render_template("auth/reset_password.html", form=form)


@bp.route("/account")
@requires(Policy.SIGNED_IN)
def account() -> Any:
    user = current_user._get_current_object()
    live = sessions.live_sessions(user, _session_lifetime())
    return render_template(
        "auth/account.html",
        memberships=memberships_for(current_user),
        sign_out_form=SignOutForm(),
        everywhere_form=SignOutEverywhereForm(),
        live_sessions=[(row, sessions.is_current(user, row)) for row in live],
    )


@bp.route("/account/password", methods=["GET", "POST"])
@requires(Policy.SIGNED_IN)
def change_password() -> Any:
    form = ChangePasswordForm()
    if form.validate_on_submit():
        user = current_user._get_current_object()
        try:
            accounts.change_password(
                user,
                form.current_password.data or "",
                form.password.data or "",
                client_ip(),
                hashing=settings().hashing,
            )
        except accounts.AccountError as error:
            place_error(form, error, "password")
        else:
            # Every other session has ended; this one carries on.
            flash("Your password has been changed", "success")
            return redirect(url_for("auth.account"))
    return render_template("auth/change_password.html", form=form)


@bp.route("/account/tokens", methods=["GET", "POST"])
@requires(Policy.SIGNED_IN)
def api_tokens() -> Any:
    from maturity.services import tokens

    user = current_user._get_current_object()
    form = ApiTokenForm()
    created = None
    if form.validate_on_submit():
        try:
            _token, created = tokens.create_token(user, form.name.data or "")
        except tokens.TokenError as problem:
            form.name.errors = [str(problem)]
        else:
            form = ApiTokenForm(formdata=None)  # the next token starts blank
    return render_template(
        "auth/tokens.html", tokens=tokens.tokens_for(user), created=created, form=form
    )


@bp.route("/account/tokens/<int:token_id>/revoke", methods=["POST"])
@requires(Policy.SIGNED_IN)
def revoke_api_token(token_id: int) -> Any:
    from maturity.services import tokens

    revoked = tokens.revoke_token(current_user._get_current_object(), token_id)
    flash(f"The token “{revoked.name}” has been revoked", "success")
    return redirect(url_for("auth.api_tokens"))
