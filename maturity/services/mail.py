"""Sending email: SMTP when ``SMTP_HOST`` is set, otherwise the message goes to the log.

Emails that must not delay a response go through the app's job queue when it has one
(``maturity.jobs``), otherwise through a small pool of threads in this process."""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor, wait
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


# Emails whose sending must not show in a response's timing (a reset link goes out only
# if the account exists) are sent by a small pool of background threads.
_outbox = ThreadPoolExecutor(max_workers=2, thread_name_prefix="mail")
_pending: set[Future[bool]] = set()


def _send_logged(mail: MailSettings, to: str, subject: str, body: str) -> bool:
    try:
        return send_email(mail, to, subject, body)
    except Exception:  # noqa: BLE001 - a background send has nobody else to tell
        log.exception("Email to %s could not be sent (%s)", to, subject)
        return False


# Where background emails go: the app's job queue when it has one (``use_outbox``, set by
# ``maturity.jobs``; a worker sends them with its own settings), else the threads above.
_queue: Callable[[str, str, str], None] | None = None


def use_outbox(queue: Callable[[str, str, str], None] | None) -> None:
    """Send background emails through ``queue(to, subject, body)`` (None: this process's
    threads)."""
    global _queue
    _queue = queue


def send_email_later(mail: MailSettings, to: str, subject: str, body: str) -> bool:
    """Send in the background (the job queue, or a thread of this process); returns True
    if it will go to an SMTP server.

    A failure is logged (without the body, which may hold a link), never raised. If the
    queue cannot be reached the email goes by a thread instead.
    """
    if _queue is not None:
        try:
            _queue(to, subject, body)
            return bool(mail.host)
        except Exception:  # noqa: BLE001 - fall back to sending from this process
            log.warning("Email to %s not queued; sending it from this process", to)
    future = _outbox.submit(_send_logged, mail, to, subject, body)
    _pending.add(future)
    future.add_done_callback(_pending.discard)
    return bool(mail.host)


def emails_waiting() -> int:
    """How many background emails have not gone yet."""
    return len(_pending)


def wait_for_outbox(timeout: float = 30.0) -> None:
    """Wait until the emails sent in the background have gone (tests, shutdown)."""
    wait(list(_pending), timeout=timeout)
