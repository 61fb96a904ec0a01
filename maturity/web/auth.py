"""Signing in and out, invitations, password resets and changes."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_user, logout_user
from werkzeug.wrappers import Response

from maturity.extensions import limiter
from maturity.models import AccountToken, TokenPurpose
from maturity.services import accounts, audit
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
    SignOutForm,
    place_error,
)
from maturity.web.links import reset_link, settings

bp = Blueprint("auth", __name__)

SIGN_IN_FAILED = "Enter a correct email address and password"
LINK_INVALID = (
    "This link has expired or has already been used. Ask the person who invited you, or "
    "an administrator, for a new one."
)


def _sign_in_failed(response: Response) -> bool:
    # Only failed attempts count towards the limit; a successful sign-in costs nothing.
    return bool(g.get("sign_in_failed"))


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


@bp.route("/sign-in", methods=["GET", "POST"])
@limiter.limit(_per_ip_limit, methods=["POST"], deduct_when=_sign_in_failed)
@requires(Policy.PUBLIC)
def sign_in() -> Any:
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = SignInForm()
    if form.validate_on_submit():
        email = accounts.normalise_email(form.email.data or "")[:254]
        if not throttle.allow_attempt(email):
            abort(429)
        user = accounts.authenticate(
            email, form.password.data or "", client_ip(), hashing=settings().hashing
        )
        if user is not None:
            throttle.forget_attempts(email)
            # A new session (and with it a new CSRF token) at sign-in: nothing issued to
            # the browser before it is accepted after it.
            session.clear()
            login_user(user)
            return redirect(_safe_next(request.args.get("next")))
        g.sign_in_failed = True
        # One message, on the first field: the summary should not say it twice.
        form.email.errors = [SIGN_IN_FAILED]
    return render_template("auth/sign_in.html", form=form)


@bp.route("/sign-out", methods=["POST"])
@requires(Policy.SIGNED_IN)
def sign_out() -> Any:
    form = SignOutForm()
    if form.validate_on_submit():
        audit.record(
            "sign_out",
            "Signed out",
            actor=current_user._get_current_object(),
            subject_email=current_user.email,
            ip_address=client_ip(),
        )
        logout_user()
        flash("You have signed out", "success")
        return redirect(url_for("auth.sign_in"))
    return redirect(url_for("main.home"))


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
            logout_user()
            login_user(user)
            flash("Your account is ready", "success")
            return redirect(url_for("main.home"))
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
        return redirect(url_for("main.home"))
    return render_template(
        "auth/join_invitation.html",
        invitation=record,
        form=form,
        signed_in_as_invitee=signed_in_as_invitee,
        sign_in_url=url_for("auth.sign_in", next=request.path),
    )


@bp.route("/password-reset", methods=["GET", "POST"])
@limiter.limit(_per_ip_limit, methods=["POST"])
@requires(Policy.PUBLIC)
def request_password_reset() -> Any:
    form = RequestPasswordResetForm()
    if form.validate_on_submit():
        issued = accounts.request_password_reset(
            form.email.data or "",
            reset_link,
            client_ip(),
            settings=settings(),
        )
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
            logout_user()
            flash("Your password has been changed. Sign in with your new password", "success")
            return redirect(url_for("auth.sign_in"))
    return render_template("auth/reset_password.html", form=form)


@bp.route("/account")
@requires(Policy.SIGNED_IN)
def account() -> Any:
    return render_template(
        "auth/account.html",
        memberships=memberships_for(current_user),
        sign_out_form=SignOutForm(),
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
            # The session token changed: keep this session, end all others.
            login_user(user)
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
