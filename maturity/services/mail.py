"""Sending email: SMTP when ``SMTP_HOST`` is set, otherwise the message goes to the log."""

from __future__ import annotations

import logging
import smtplib
from email.message import EmailMessage

from maturity.services.settings import MailSettings

log = logging.getLogger(__name__)


def send_email(mail: MailSettings, to: str, subject: str, body: str) -> bool:
    """Send a plain-text email. Returns True if it went to an SMTP server.

    Without ``SMTP_HOST`` (development) the message is written to the log so that the
    link in it can be followed.
    """
    if not mail.host:
        if mail.show_dev_links:
            log.info("Email not sent (no SMTP_HOST). To: %s\nSubject: %s\n\n%s", to, subject, body)
        else:
            # The body may hold a single-use link: it must not reach production logs.
            log.warning("Email to %s not sent: SMTP_HOST is not set (%s)", to, subject)
        return False
    message = EmailMessage()
    message["From"] = mail.mail_from
    message["To"] = to
    message["Subject"] = subject
    message.set_content(body)
    with smtplib.SMTP(mail.host, mail.port, timeout=15) as smtp:
        if mail.starttls:
            smtp.starttls()
        if mail.username:
            smtp.login(mail.username, mail.password or "")
        smtp.send_message(message)
    return True
