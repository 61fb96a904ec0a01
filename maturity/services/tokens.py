"""Personal access tokens for the read-only API: shown once, stored as a hash."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.exc import NoResultFound

from maturity.extensions import db
from maturity.models import ApiToken, User, utcnow
from maturity.services import audit
from maturity.services.keys import key_hash

TOKEN_PREFIX = "am_"
NAME_LIMIT = 100
TOUCH_EVERY = timedelta(minutes=5)


class TokenError(Exception):
    """A token request that cannot be met; the message is for the user."""


def create_token(user: User, name: str) -> tuple[ApiToken, str]:
    """A new token for the user; the raw token is returned once and never stored."""
    name = name.strip()
    if not name:
        raise TokenError("Enter a name for the token, such as “Power BI”")
    if len(name) > NAME_LIMIT:
        raise TokenError(f"The name must be {NAME_LIMIT} characters or fewer")
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(user_id=user.id, name=name, token_hash=key_hash(raw), prefix=raw[:10])
    db.session.add(token)
    db.session.flush()
    audit.record("api_token_created", f"API token “{name}” created", actor=user)
    return token, raw


def tokens_for(user: User) -> Sequence[ApiToken]:
    """The user's tokens, newest first (revoked ones included, marked)."""
    return db.session.scalars(
        select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id.desc())
    ).all()


def revoke_token(user: User, token_id: int) -> ApiToken:
    """Revoke one of the user's own tokens; NoResultFound for anyone else's."""
    token = db.session.scalar(
        select(ApiToken).where(ApiToken.id == token_id, ApiToken.user_id == user.id)
    )
    if token is None:
        raise NoResultFound(f"No token {token_id} for this user")
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        audit.record("api_token_revoked", f"API token “{token.name}” revoked", actor=user)
    db.session.flush()
    return token


def user_for_token(raw: str) -> User | None:
    """The active user a valid, unrevoked token belongs to, or None."""
    if not raw.startswith(TOKEN_PREFIX) or len(raw) > 200:
        return None
    token = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == key_hash(raw)))
    if token is None or token.revoked_at is not None:
        return None
    user = db.session.get(User, token.user_id)
    if user is None or not user.is_active:
        return None
    now = utcnow()
    # Recording every use would write on every API read; once in a while is enough.
    if token.last_used_at is None or now - token.last_used_at > TOUCH_EVERY:
        token.last_used_at = now
        audit.record(
            "api_token_used",
            f"API token “{token.name}” used",
            actor=user,
            subject_email=user.email,
            detail={"token_id": token.id},
        )
    return user
