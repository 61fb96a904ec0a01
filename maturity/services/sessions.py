"""Signed-in sessions, kept on the server so that ending one really ends it.

The session cookie names the user and a random key; the key's hash is a ``UserSession``
row. Every request checks that the row still exists, belongs to an active user and is
younger than the session lifetime. Signing out deletes this session's row; a new
password, "sign out of all devices" and deactivation delete all of the user's rows, so a
cookie copied before then opens nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import joinedload

from maturity.extensions import db
from maturity.models import User, UserSession, utcnow
from maturity.services import audit
from maturity.services.keys import key_hash, new_key

USER_AGENT_LIMIT = 200


def start(user: User, *, ip_address: str | None, user_agent: str | None) -> str:
    """A new session for ``user``; returns its key (also set as ``user.session_key``)."""
    key = new_key()
    db.session.add(
        UserSession(
            user=user,
            key_hash=key_hash(key),
            ip_address=(ip_address or None) and ip_address[:45],
            user_agent=(user_agent or None) and user_agent[:USER_AGENT_LIMIT],
        )
    )
    db.session.flush()
    user.session_key = key
    return key


def user_for(session_id: str, max_age: timedelta) -> User | None:
    """The active user whose live session the cookie's stored id names, or None."""
    user_id, _, key = session_id.partition(":")
    if not user_id.isascii() or not user_id.isdigit() or not key or len(key) > 100:
        return None
    # The session and its user in one query: this runs on every signed-in request.
    row = db.session.scalar(
        select(UserSession)
        .options(joinedload(UserSession.user))
        .where(UserSession.key_hash == key_hash(key))
    )
    if row is None or row.user_id != int(user_id):
        return None
    if row.created_at < utcnow() - max_age:
        db.session.delete(row)  # expired: gone for good, whatever the browser holds
        return None
    user = row.user
    if not user.is_active:
        return None
    user.session_key = key
    return user


def live_sessions(user: User, max_age: timedelta) -> Sequence[UserSession]:
    """The user's sessions that still work, newest first."""
    return db.session.scalars(
        select(UserSession)
        .where(UserSession.user_id == user.id, UserSession.created_at >= utcnow() - max_age)
        .order_by(UserSession.created_at.desc(), UserSession.id.desc())
    ).all()


def is_current(user: User, session: UserSession) -> bool:
    """Whether ``session`` is the one this request is signed in with."""
    return bool(user.session_key) and session.key_hash == key_hash(user.session_key or "")


def end_current(user: User, *, ip_address: str | None = None) -> None:
    """Sign-out: this session ends on the server; others carry on."""
    if user.session_key:
        db.session.execute(
            delete(UserSession).where(
                UserSession.user_id == user.id,
                UserSession.key_hash == key_hash(user.session_key),
            )
        )
    user.session_key = None
    audit.record(
        "sign_out",
        "Signed out",
        actor=user,
        subject_email=user.email,
        ip_address=ip_address,
    )


def end_all(
    user: User,
    *,
    reason: str,
    actor: User | None = None,
    keep_current: bool = False,
    ip_address: str | None = None,
) -> int:
    """End the user's sessions (all, or all but this request's); audited with ``reason``.

    Returns how many ended.
    """
    statement = delete(UserSession).where(UserSession.user_id == user.id)
    if keep_current and user.session_key:
        statement = statement.where(UserSession.key_hash != key_hash(user.session_key))
    ended = db.session.execute(statement.execution_options(synchronize_session=False))
    count = int(getattr(ended, "rowcount", 0) or 0)
    db.session.expire(user, ["sessions"])
    if not keep_current:
        user.session_key = None
    audit.record(
        "sessions_ended",
        f"{count} {'session' if count == 1 else 'sessions'} of {user.email} ended: {reason}",
        actor=actor or user,
        subject_email=user.email,
        ip_address=ip_address,
        detail={"count": count, "reason": reason},
    )
    return count


def forget_expired(max_age: timedelta) -> int:
    """Delete every session older than the lifetime (they no longer work anyway)."""
    result = db.session.execute(
        delete(UserSession)
        .where(UserSession.created_at < utcnow() - max_age)
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)
