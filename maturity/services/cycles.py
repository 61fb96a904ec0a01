"""Assessment cycles' windows (when a cycle opens and closes, on which questionnaire
version), and the reminder emails sent to leads before a deadline.

No Flask: ``send_reminders`` runs the same from ``flask maturity send-reminders`` (cron)
or from a job, given today's date, the settings and how to link to an organisation.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import exists, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from maturity.extensions import db
from maturity.framework.periods import Cycle
from maturity.models import (
    Assessment,
    AssessmentStatus,
    AssessmentWindow,
    DeadlineReminder,
    Membership,
    Organisation,
    Region,
    Role,
    User,
)
from maturity.services import audit
from maturity.services.mail import send_email
from maturity.services.organisations import is_current
from maturity.services.questionnaires import catalogue
from maturity.services.settings import Settings

log = logging.getLogger(__name__)

ANNUAL = "academy-maturity"
# Reminders go this many days before a deadline (a run that missed a day still sends the
# reminder due, once).
REMINDER_DAYS = (28, 7, 1)


class CycleError(Exception):
    """A window that cannot be opened; ``field`` names the form field it belongs to."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


def questionnaire_versions() -> list[str]:
    """The versions of the annual questionnaire a window may use, newest first."""
    return [d.version for d in reversed(catalogue().all()) if d.id == ANNUAL]


def open_window(
    cycle: str,
    opens_on: date,
    closes_on: date,
    questionnaire_version: str,
    *,
    by: User,
    region: Region | None = None,
    ip_address: str | None = None,
) -> AssessmentWindow:
    """Open a cycle nationally (no region) or for one region, or change its window."""
    if not Cycle.is_valid(cycle):
        raise CycleError("Enter a cycle like 2026/27", "cycle")
    if closes_on <= opens_on:
        raise CycleError("The closing date must be after the opening date", "closes_on")
    if questionnaire_version not in questionnaire_versions():
        raise CycleError("Select a questionnaire version", "questionnaire_version")
    same_place = (
        AssessmentWindow.region_id == region.id
        if region is not None
        else AssessmentWindow.region_id.is_(None)
    )
    window = db.session.scalar(
        select(AssessmentWindow).where(AssessmentWindow.cycle == cycle, same_place)
    )
    action = "cycle_window_changed" if window is not None else "cycle_opened"
    if window is None:
        window = AssessmentWindow(cycle=cycle, region=region)
        db.session.add(window)
    window.opens_on, window.closes_on = opens_on, closes_on
    window.questionnaire_version = questionnaire_version
    window.opened_by = by
    db.session.flush()
    where = region.name if region else "England"
    audit.record(
        action,
        f"Opened the {cycle} assessment in {where} from {opens_on:%-d %B %Y} to "
        f"{closes_on:%-d %B %Y} (questionnaire {questionnaire_version})",
        actor=by,
        ip_address=ip_address,
        detail={
            "cycle": cycle,
            "region": region.code if region else None,
            "opens_on": opens_on.isoformat(),
            "closes_on": closes_on.isoformat(),
            "version": questionnaire_version,
        },
    )
    return window


def windows(regions: Sequence[Region] | None = None) -> Sequence[AssessmentWindow]:
    """Windows, newest cycle first: every one, or the national ones and those of these
    regions."""
    query = (
        select(AssessmentWindow)
        .options(selectinload(AssessmentWindow.region))
        .order_by(AssessmentWindow.cycle.desc(), AssessmentWindow.region_id.is_not(None))
    )
    if regions is not None:
        query = query.where(
            AssessmentWindow.region_id.is_(None)
            | AssessmentWindow.region_id.in_([region.id for region in regions])
        )
    return db.session.scalars(query).all()


def window_for(organisation: Organisation, cycle: str) -> AssessmentWindow | None:
    """The window that applies to an organisation in a cycle: its region's, else the
    national one."""
    found = db.session.scalars(
        select(AssessmentWindow).where(
            AssessmentWindow.cycle == cycle,
            AssessmentWindow.region_id.is_(None)
            | (AssessmentWindow.region_id == organisation.region_id),
        )
    ).all()
    return next((w for w in found if w.region_id is not None), found[0] if found else None)


# --- Reminders -----------------------------------------------------------------------------


def reminder_due(window: AssessmentWindow, today: date) -> int | None:
    """Which reminder (days before the deadline) is due today, if any: the nearest
    threshold not yet passed while the window is open."""
    if today < window.opens_on or today > window.closes_on:
        return None
    days_left = (window.closes_on - today).days
    due = [days for days in REMINDER_DAYS if days_left <= days]
    return min(due) if due else None


@dataclass(frozen=True)
class ReminderRun:
    sent: int  # emails sent now
    already: int  # reminders due that had been sent before (never sent twice)
    not_sent: int  # emails the mail server did not take (tried again on the next run)


def _not_submitted(window: AssessmentWindow) -> Sequence[Organisation]:
    """Current organisations the window applies to that have not submitted this cycle."""
    submitted = exists().where(
        Assessment.organisation_id == Organisation.id,
        Assessment.cycle == window.cycle,
        Assessment.status == AssessmentStatus.SUBMITTED,
    )
    query = (
        select(Organisation)
        .options(selectinload(Organisation.memberships).selectinload(Membership.user))
        .where(is_current(), ~submitted)
        .order_by(Organisation.name)
    )
    if window.region_id is not None:
        query = query.where(Organisation.region_id == window.region_id)
    else:  # a region with its own window for the cycle follows that one
        own = select(AssessmentWindow.region_id).where(
            AssessmentWindow.cycle == window.cycle, AssessmentWindow.region_id.is_not(None)
        )
        query = query.where(Organisation.region_id.not_in(own))
    return db.session.scalars(query).all()


def _body(
    organisation: Organisation, lead: User, window: AssessmentWindow, days: int, link: str
) -> str:
    deadline = f"{window.closes_on:%-d %B %Y}"
    return (
        f"Dear {lead.name},\n\n"
        f"{organisation.name}'s {window.cycle} self-assessment is due on {deadline}"
        f" ({'tomorrow' if days == 1 else f'in {days} days or fewer'}), and it has not been "
        "submitted yet.\n\n"
        f"Continue it here:\n{link}\n\n"
        f"Why you are getting this email: you are a lead of {organisation.name}, and leads "
        f"of academies that have not submitted are reminded {REMINDER_DAYS[0]}, "
        f"{REMINDER_DAYS[1]} and {REMINDER_DAYS[2]} day before the deadline. Once the "
        "assessment is submitted, the reminders stop.\n"
    )


def send_reminders(
    today: date, settings: Settings, link_for: Callable[[Organisation], str]
) -> ReminderRun:
    """Email the leads of organisations that have not submitted, for every window whose
    reminder is due today. Each (window, organisation, lead, reminder) is recorded and
    committed before its email goes, and the record is unique, so no reminder is ever
    sent twice, even by two runs at once. Unlike other services it commits (each claim and
    each email's audit entry), so that a run stopped half way keeps what it did."""
    sent = already = not_sent = 0
    for window in db.session.scalars(select(AssessmentWindow)).all():
        days = reminder_due(window, today)
        if days is None:
            continue
        for organisation in _not_submitted(window):
            leads = [
                m.user for m in organisation.memberships if m.role == Role.LEAD and m.user.is_active
            ]
            for lead in leads:
                outcome = _remind(window, organisation, lead, days, settings, link_for)
                sent += outcome == "sent"
                already += outcome == "already"
                not_sent += outcome == "not sent"
    return ReminderRun(sent=sent, already=already, not_sent=not_sent)


def _remind(
    window: AssessmentWindow,
    organisation: Organisation,
    lead: User,
    days: int,
    settings: Settings,
    link_for: Callable[[Organisation], str],
) -> str:
    record = DeadlineReminder(
        window_id=window.id, organisation_id=organisation.id, user_id=lead.id, days_before=days
    )
    try:
        with db.session.begin_nested():
            db.session.add(record)
    except IntegrityError:
        return "already"
    # The claim is committed before the email goes: a crash after sending can then never
    # lead to a second email (at worst, one is lost and the log says so).
    db.session.commit()
    subject = (
        f"Reminder: {organisation.name}'s {window.cycle} self-assessment is due on "
        f"{window.closes_on:%-d %B %Y}"
    )
    if not send_email(
        settings.mail,
        lead.email,
        subject,
        _body(organisation, lead, window, days, link_for(organisation)),
    ):
        db.session.delete(record)
        db.session.commit()
        log.warning("Deadline reminder to %s not sent: no mail server took it", lead.email)
        return "not sent"
    audit.record(
        "deadline_reminder_sent",
        f"Sent the {days}-day reminder of the {window.cycle} deadline to {lead.email}",
        organisation=organisation,
        subject_email=lead.email,
        detail={"cycle": window.cycle, "days_before": days, "window_id": window.id},
    )
    db.session.commit()
    log.info(
        "Sent the %s-day reminder of the %s deadline for %s to %s",
        days,
        window.cycle,
        organisation.name,
        lead.email,
    )
    return "sent"
