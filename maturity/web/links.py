"""Links that leave the service (in emails): built from SERVICE_URL, never the request.

Taking the host from the request would let anyone who can set a Host header have a
reset or invitation link point at their own server.
"""

from __future__ import annotations

from typing import Any

from flask import current_app, render_template, url_for

from maturity.services.accounts import IssuedToken
from maturity.services.settings import Settings


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


def invitation_sent_page(issued: IssuedToken, back: str) -> str:
    """The page after an invitation: the link is shown to the inviter only if no email
    was sent (no SMTP server), so that they can pass it on themselves."""
    return render_template(
        "invitation_sent.html", issued=issued, show_link=not issued.emailed, back=back
    )
