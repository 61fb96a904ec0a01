"""The audit log: one row for every sign-in, invitation, role change and similar."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from maturity.extensions import db
from maturity.models import AuditEvent, Organisation, User


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
