"""Links that leave the service (in emails): built from SERVICE_URL, never the request.

Taking the host from the request would let anyone who can set a Host header have a
reset or invitation link point at their own server.
"""

from __future__ import annotations

from typing import Any

from flask import current_app, render_template, url_for
from flask_login import current_user

from maturity.models import AccountToken
from maturity.services import accounts
from maturity.services.accounts import IssuedToken
from maturity.services.settings import Settings
from maturity.web.access import client_ip
from maturity.web.forms import place_error


def settings() -> Settings:
    """The settings services are given (services never read the app's config)."""
    return Settings.from_config(current_app.config)


def service_url_for(endpoint: str, **values: Any) -> str:
    """An absolute URL on the configured public address of the service."""
    return str(current_app.config["SERVICE_URL"]).rstrip("/") + url_for(endpoint, **values)


def invitation_link(token: str) -> str:
    return service_url_for("auth.accept_invitation", token=token)


def reset_link(token: str) -> str:
    return service_url_for("auth.reset_password", token=token)


def unlock_link(token: str) -> str:
    return service_url_for("auth.unlock", token=token)


def send_invitation(form: Any, back: str, **target: Any) -> str | None:
    """Invite the person a form names (``name`` and ``email`` fields) to ``target`` (an
    organisation and role, or a region): the "invitation sent" page, or None with the
    refusal on the form's email field."""
    try:
        issued = accounts.invite(
            email=form.email.data or "",
            name=form.name.data or "",
            invited_by=current_user._get_current_object(),
            link_for=invitation_link,
            ip_address=client_ip(),
            settings=settings(),
            **target,
        )
    except accounts.AccountError as error:
        place_error(form, error, "email")
        return None
    return invitation_sent_page(issued, back)


def invitation_sent_page(issued: IssuedToken, back: str) -> str:
    """The page after an invitation: the link is shown to the inviter only if no email
    was sent (no SMTP server), so that they can pass it on themselves."""
    return render_template(
        "invitation_sent.html", issued=issued, show_link=not issued.emailed, back=back
    )


def resend_invitation(record: AccountToken) -> IssuedToken:
    """Send an invitation again with a fresh link, by the signed-in user (AccountError if
    it has been accepted or cancelled)."""
    return accounts.resend_invitation(
        record,
        by=current_user._get_current_object(),
        link_for=invitation_link,
        ip_address=client_ip(),
        settings=settings(),
    )
