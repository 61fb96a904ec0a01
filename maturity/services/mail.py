"""Sending email: SMTP when ``SMTP_HOST`` is set, otherwise the message goes to the log."""

from __future__ import annotations

import logging
import smtplib
from email.message import EmailMessage

from flask import current_app

log = logging.getLogger(__name__)


def send_email(to: str, subject: str, body: str) -> bool:
    """Send a plain-text email. Returns True if it went to an SMTP server.

    Without ``SMTP_HOST`` (development) the message is written to the log so that the
    link in it can be followed.
    """
    config = current_app.config
    if not config.get("SMTP_HOST"):
        if config.get("SHOW_DEV_LINKS"):
            log.info("Email not sent (no SMTP_HOST). To: %s\nSubject: %s\n\n%s", to, subject, body)
        else:
            # The body may hold a single-use link: it must not reach production logs.
            log.warning("Email to %s not sent: SMTP_HOST is not set (%s)", to, subject)
        return False
    message = EmailMessage()
    message["From"] = config["MAIL_FROM"]
    message["To"] = to
    message["Subject"] = subject
    message.set_content(body)
    with smtplib.SMTP(config["SMTP_HOST"], config["SMTP_PORT"], timeout=15) as smtp:
        if config.get("SMTP_STARTTLS"):
            smtp.starttls()
        if config.get("SMTP_USERNAME"):
            smtp.login(config["SMTP_USERNAME"], config["SMTP_PASSWORD"] or "")
        smtp.send_message(message)
    return True
