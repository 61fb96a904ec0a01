"""The audit log: one row for every sign-in, invitation, role change and similar; read
back in plain English, filtered, a page at a time or as a CSV file."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.orm import selectinload

from maturity.extensions import db
from maturity.models import AuditEvent, Organisation, User
from maturity.services.tables import Table


def record(
    action: str,
    summary: str,
    *,
    actor: User | None = None,
    organisation: Organisation | None = None,
    subject_email: str | None = None,
    ip_address: str | None = None,
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    """Add an audit event to the session (flushed, committed with the request)."""
    event = AuditEvent(
        action=action,
        summary=summary,
        actor=actor,
        organisation=organisation,
        subject_email=subject_email,
        ip_address=ip_address,
        detail=detail or {},
    )
    db.session.add(event)
    db.session.flush()
    return event


def recent_events(limit: int = 200, action: str | None = None) -> Sequence[AuditEvent]:
    """The newest audit events first, optionally of one action."""
    query = (
        select(AuditEvent)
        .options(selectinload(AuditEvent.actor), selectinload(AuditEvent.organisation))
        .order_by(AuditEvent.id.desc())
        .limit(limit)
    )
    if action:
        query = query.where(AuditEvent.action == action)
    return db.session.scalars(query).all()


# --- Kinds of event, and which are sensitive ------------------------------------------------


@dataclass(frozen=True)
class EventKind:
    key: str
    label: str
    actions: frozenset[str]


KINDS: tuple[EventKind, ...] = (
    EventKind(
        "signing-in",
        "Signing in and out",
        frozenset(
            {"sign_in", "sign_in_failed", "sign_out", "sessions_ended", "account_locked"}
            | {"account_unlocked"}
        ),
    ),
    EventKind(
        "passwords",
        "Passwords",
        frozenset({"password_reset_requested", "password_reset", "password_changed"}),
    ),
    EventKind(
        "people",
        "People, roles and invitations",
        frozenset(
            {"role_changed", "membership_left", "account_deactivated", "account_reactivated"}
            | {"invitation_sent", "invitation_resent", "invitation_cancelled"}
            | {"invitation_accepted"}
        ),
    ),
    EventKind(
        "organisations",
        "Organisations",
        frozenset(
            {"organisation_created", "organisation_updated", "organisation_archived"}
            | {"organisation_restored"}
        ),
    ),
    EventKind(
        "assessments",
        "Assessments",
        frozenset(
            {"assessment_started", "assessment_submitted", "assessment_reopened"}
            | {"cycle_opened", "cycle_window_changed"}
            | {"questionnaire_uploaded", "questionnaire_published"}
        ),
    ),
    EventKind(
        "api-tokens",
        "API tokens",
        frozenset({"api_token_created", "api_token_revoked", "api_token_used"}),
    ),
    EventKind(
        "publishing",
        "Open data and reminders",
        frozenset(
            {"open_data_published", "open_data_withdrawn", "reminder_sent"}
            | {"deadline_reminder_sent"}
        ),
    ),
    EventKind(
        "plans",
        "Plans, impact and the directory",
        frozenset(
            {"action_added", "case_study_deleted", "impact_return_submitted", "directory_edited"}
        ),
    ),
    EventKind(
        "partners",
        "Partner views",
        frozenset(
            {"partner_invited", "partner_reminded", "partner_link_used", "partner_submitted"}
            | {"partner_removed", "partner_answers_deleted", "partner_answer_agreed"}
            | {"partner_result_shared"}
        ),
    ),
    EventKind(
        "moderation",
        "Moderation and introductions",
        frozenset(
            {"moderation_requested", "moderation_section_reviewed", "moderation_returned"}
            | {"moderation_challenge_answered", "assessment_moderated"}
            | {"peer_moderator_opted_in", "peer_moderator_opted_out"}
            | {"introduction_requested", "introduction_accepted", "introduction_declined"}
        ),
    ),
)
KIND_BY_KEY = {kind.key: kind for kind in KINDS}

# Events an administrator should notice: who may do what changed, an account was shut or
# opened, or a credential (a password, a link, an API token) was issued or used up.
SENSITIVE = frozenset(
    {
        "role_changed",
        "membership_left",
        "account_deactivated",
        "account_reactivated",
        "sessions_ended",
        "account_locked",
        "account_unlocked",
        "password_reset_requested",
        "password_reset",
        "password_changed",
        "api_token_created",
        "api_token_revoked",
        "organisation_archived",
        "open_data_withdrawn",
        # a partner's single-use link used up, their answers deleted, contact details shared
        "partner_link_used",
        "partner_answers_deleted",
        "introduction_accepted",
    }
)


def is_sensitive(event: AuditEvent) -> bool:
    return event.action in SENSITIVE


def kind_of(event: AuditEvent) -> str:
    """The label of the event's kind ("Other" for an action no kind lists)."""
    return next((kind.label for kind in KINDS if event.action in kind.actions), "Other")


# --- Plain English -------------------------------------------------------------------------

_CYCLE = re.compile(r"\d{4}/\d{2}")


def describe(event: AuditEvent) -> str:
    """What happened, as a sentence: "Sam Patel signed in", "Riverside Care Academy's
    2025/26 assessment was reopened by Sam Patel: the partners changed an answer"."""
    who = event.actor.name if event.actor else None
    organisation = event.organisation.name if event.organisation else None
    summary = event.summary or event.action.replace("_", " ")
    action = event.action
    if action == "sign_in" and who:
        return f"{who} signed in"
    if action == "sign_out" and who:
        return f"{who} signed out"
    if action == "sign_in_failed":
        return f"A sign-in as {event.subject_email or 'an unknown address'} failed"
    if action.startswith("assessment_") and organisation:
        cycle = _CYCLE.search(summary)
        what = f"{organisation}'s {cycle.group(0) + ' ' if cycle else ''}assessment"
        verb = action.removeprefix("assessment_")
        sentence = f"{what} was {verb}" + (f" by {who}" if who else "")
        reason = (event.detail or {}).get("reason")
        return f"{sentence}: {reason}" if reason else sentence
    first, _, rest = summary.partition(" ")
    if who and first.endswith("ed") and first[:1].isupper():
        return f"{who} {first.lower()} {rest}".rstrip()
    if who and event.actor is not None and event.actor.email in summary:
        return summary.replace(event.actor.email, who, 1)
    return f"{summary} (by {who})" if who else summary


# --- Finding events ------------------------------------------------------------------------


@dataclass(frozen=True)
class AuditFilters:
    """What the audit log is filtered by; None means any."""

    who: str | None = None  # part of a name or email: the actor's, or the subject's
    organisation_id: int | None = None
    kind: str | None = None  # a key of KINDS
    start: date | None = None  # from the start of this day (UTC)
    end: date | None = None  # to the end of this day (UTC)


def _conditions(filters: AuditFilters) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if filters.who:
        pattern = f"%{_escape_like(filters.who.strip().lower())}%"
        actors = select(User.id).where(
            or_(
                func.lower(User.name).like(pattern, escape="\\"),
                func.lower(User.email).like(pattern, escape="\\"),
            )
        )
        conditions.append(
            or_(
                AuditEvent.actor_id.in_(actors),
                func.lower(AuditEvent.subject_email).like(pattern, escape="\\"),
            )
        )
    if filters.organisation_id is not None:
        conditions.append(AuditEvent.organisation_id == filters.organisation_id)
    if filters.kind in KIND_BY_KEY:
        conditions.append(AuditEvent.action.in_(sorted(KIND_BY_KEY[filters.kind].actions)))
    if filters.start is not None:
        conditions.append(AuditEvent.created_at >= _midnight(filters.start))
    if filters.end is not None:
        conditions.append(AuditEvent.created_at < _midnight(filters.end + timedelta(days=1)))
    return conditions


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=UTC)


@dataclass(frozen=True)
class AuditPage:
    events: Sequence[AuditEvent]
    total: int
    page: int
    pages: int


PER_PAGE = 50


def search(filters: AuditFilters, page: int = 1, per_page: int = PER_PAGE) -> AuditPage:
    """One page of the events matching the filters, newest first (two queries, and one
    each for their people and organisations)."""
    where = and_(*_conditions(filters)) if _conditions(filters) else None
    count_query = select(func.count()).select_from(AuditEvent)
    if where is not None:
        count_query = count_query.where(where)
    total = db.session.scalar(count_query) or 0
    pages = max(1, math.ceil(total / per_page))
    page = min(max(1, page), pages)
    return AuditPage(
        events=_events(where, limit=per_page, offset=(page - 1) * per_page),
        total=total,
        page=page,
        pages=pages,
    )


# A download holds at most this many events (the newest): narrow the filters for more.
DOWNLOAD_LIMIT = 50_000


def _events(
    where: ColumnElement[bool] | None, *, limit: int, offset: int = 0
) -> Sequence[AuditEvent]:
    query = (
        select(AuditEvent)
        .options(selectinload(AuditEvent.actor), selectinload(AuditEvent.organisation))
        .order_by(AuditEvent.id.desc())
        .limit(limit)
        .offset(offset)
    )
    if where is not None:
        query = query.where(where)
    return db.session.scalars(query).all()


def audit_table(filters: AuditFilters) -> Table:
    """The events matching the filters as a table for download, newest first."""
    conditions = _conditions(filters)
    events = _events(and_(*conditions) if conditions else None, limit=DOWNLOAD_LIMIT)
    table = Table(
        "audit-log",
        "Audit log",
        ["when (UTC)", "what happened", "kind", "sensitive", "by", "organisation"]
        + ["about", "IP address", "action"],
    )
    for event in events:
        table.rows.append(
            [
                event.created_at.strftime("%Y-%m-%d %H:%M:%S"),
                describe(event),
                kind_of(event),
                "yes" if is_sensitive(event) else "",
                event.actor.email if event.actor else "",
                event.organisation.name if event.organisation else "",
                event.subject_email or "",
                event.ip_address or "",
                event.action,
            ]
        )
    if len(events) == DOWNLOAD_LIMIT:
        table.notes.append(f"Only the newest {DOWNLOAD_LIMIT} events; narrow the filters.")
    return table
