"""Sign-in throttling per account.

Each attempt is counted *before* the password is checked, with an atomic increment in
the limiter's storage (Redis when configured), so that attempts sent in parallel cannot
all slip under the limit. A successful sign-in clears the account's count, so only
failures add up. The per-address limit sits on the view as a Flask-Limiter decorator.
"""

from __future__ import annotations

from flask import current_app
from limits import RateLimitItem, parse

from maturity.extensions import limiter


def _account_limit() -> RateLimitItem:
    return parse(str(current_app.config["SIGN_IN_LIMIT_PER_ACCOUNT"]))


def _identifiers(email: str) -> tuple[str, str, str]:
    return (str(current_app.config["RATELIMIT_KEY_PREFIX"]), "sign-in-account", email)


def allow_attempt(email: str) -> bool:
    """Count a sign-in attempt for the account; False once it is over the limit."""
    return limiter.limiter.hit(_account_limit(), *_identifiers(email))


def forget_attempts(email: str) -> None:
    """A successful sign-in: the account's failed attempts no longer count."""
    limiter.limiter.clear(_account_limit(), *_identifiers(email))
