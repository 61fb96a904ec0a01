"""Sign-in throttling that protects accounts without letting anyone lock anyone out.

Three counts, each taken *before* the password is checked, with an atomic increment in
the limiter's storage (Redis when configured), so parallel attempts cannot slip under a
limit:

* **account and client together** (``SIGN_IN_LIMIT_PER_CLIENT``, 5 per 15 minutes): a
  guesser is slowed down on the account they guess at, from where they guess, and
  nobody else is. A successful sign-in clears it.
* **per address** (``SIGN_IN_LIMIT_PER_IP``), for browsers that have not signed in to
  the account before: one address cannot try password after password across accounts.
* **per account** (``SIGN_IN_LOCKOUT_PER_ACCOUNT``, a higher ceiling over a day), for
  browsers that have not signed in to the account before: a guesser spread over many
  addresses still stops. The first time the ceiling is reached, the account's owner is
  emailed a link that unlocks it.

A browser that has signed in to an account before carries a signed *device cookie*
naming it (OWASP's "device cookie" defence), so it counts only against its own account
and client limit: the owner, and colleagues behind the same office address, can still
sign in while a stranger is locked out.

If Redis cannot be reached, the counts fall back to this process's memory, with a
warning in the log, rather than refusing every sign-in.
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from enum import Enum

from flask import current_app, request
from itsdangerous import BadSignature, URLSafeSerializer
from limits import RateLimitItem, parse
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter
from werkzeug.wrappers import Response

from maturity.extensions import limiter
from maturity.services.keys import key_hash
from maturity.web.access import client_ip

log = logging.getLogger(__name__)

DEVICE_COOKIE = "device"
DEVICE_COOKIE_DAYS = 365
DEVICE_ACCOUNTS_KEPT = 5
_FALLBACK_KEY = "maturity_throttle_fallback"


class Refusal(Enum):
    """Why an attempt was refused before its password was checked."""

    CLIENT = "client"  # too many failures for this account from this client
    ADDRESS = "address"  # too many attempts from this address
    LOCKED = "locked"  # the account's ceiling: new devices wait or use the emailed link


@dataclass(frozen=True)
class Decision:
    refusal: Refusal | None
    wait: str  # how long the limit that refused runs for, in words ("15 minutes")
    newly_locked: bool = False  # this attempt reached the account's ceiling


def _limit(name: str) -> RateLimitItem:
    return parse(str(current_app.config[name]))


def _prefix() -> str:
    return str(current_app.config["RATELIMIT_KEY_PREFIX"])


def _hit(item: RateLimitItem, *identifiers: str) -> bool:
    """One atomic count; the limiter's storage, or this process's memory without it."""
    try:
        return limiter.limiter.hit(item, _prefix(), *identifiers)
    except Exception as error:  # noqa: BLE001 - any storage failure: count in memory
        log.warning("Rate-limit storage unavailable (%s): counting in memory", error)
        return _fallback().hit(item, _prefix(), *identifiers)


def _clear(item: RateLimitItem, *identifiers: str) -> None:
    for counter in (limiter.limiter, _fallback()):
        try:
            counter.clear(item, _prefix(), *identifiers)
        except Exception as error:  # noqa: BLE001
            log.warning("Rate-limit storage unavailable (%s): not cleared there", error)


def _fallback() -> MovingWindowRateLimiter:
    found = current_app.extensions.get(_FALLBACK_KEY)
    if found is None:
        found = current_app.extensions[_FALLBACK_KEY] = MovingWindowRateLimiter(MemoryStorage())
    return found


def window_words(item: RateLimitItem) -> str:
    """The span of a limit in words: "15 minutes", "1 day"."""
    seconds = item.get_expiry()
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds >= size and seconds % size == 0:
            count = seconds // size
            return f"{count} {unit}{'' if count == 1 else 's'}"
    return f"{seconds} seconds"


# --- the device cookie --------------------------------------------------------------------


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="sign-in-device")


def _fingerprint(email: str) -> str:
    # Names the account without putting its address in the cookie.
    return key_hash(f"{current_app.config['SECRET_KEY']}:{email}")[:24]


def _device() -> tuple[str | None, list[str]]:
    raw = request.cookies.get(DEVICE_COOKIE)
    if not raw:
        return None, []
    try:
        value = _serializer().loads(raw)
    except BadSignature:
        return None, []
    if not isinstance(value, dict):
        return None, []
    device, accounts = value.get("d"), value.get("a")
    if not isinstance(device, str) or not isinstance(accounts, list):
        return None, []
    return device, [account for account in accounts if isinstance(account, str)]


def _trusted_device(email: str) -> str | None:
    """This browser's device id, if it has signed in to ``email`` before."""
    device, accounts = _device()
    return device if device and _fingerprint(email) in accounts else None


def remember_device(response: Response, email: str) -> None:
    """After a successful sign-in: this browser is one the account's owner uses."""
    device, accounts = _device()
    fingerprint = _fingerprint(email)
    accounts = [fingerprint] + [account for account in accounts if account != fingerprint]
    response.set_cookie(
        DEVICE_COOKIE,
        _serializer().dumps(
            {"d": device or secrets.token_urlsafe(16), "a": accounts[:DEVICE_ACCOUNTS_KEPT]}
        ),
        max_age=DEVICE_COOKIE_DAYS * 86400,
        httponly=True,
        secure=bool(current_app.config["SESSION_COOKIE_SECURE"]),
        samesite="Lax",
    )


# --- the counts ---------------------------------------------------------------------------


def _client_key(email: str) -> tuple[str, bool]:
    device = _trusted_device(email)
    if device is not None:
        return f"device:{device}", True
    return f"address:{client_ip() or 'unknown'}", False


def admit(email: str) -> Decision:
    """Count this attempt on every limit it falls under; refuse it if one is over."""
    client, trusted = _client_key(email)
    per_client = _limit("SIGN_IN_LIMIT_PER_CLIENT")
    if not _hit(per_client, "sign-in-client", email, client):
        return Decision(Refusal.CLIENT, window_words(per_client))
    if trusted:
        return Decision(None, "")
    per_address = _limit("SIGN_IN_LIMIT_PER_IP")
    if not _hit(per_address, "sign-in-address", client):
        return Decision(Refusal.ADDRESS, window_words(per_address))
    ceiling = _limit("SIGN_IN_LOCKOUT_PER_ACCOUNT")
    if not _hit(ceiling, "sign-in-account", email):
        # The first refusal in the window emails the unlock link; later ones do not.
        first = _hit(ceiling_notice(ceiling), "sign-in-locked-notice", email)
        return Decision(Refusal.LOCKED, window_words(ceiling), newly_locked=first)
    return Decision(None, "")


def ceiling_notice(ceiling: RateLimitItem) -> RateLimitItem:
    """One unlock email per lockout window."""
    return parse(f"1 per {ceiling.get_expiry()} seconds")


def succeeded(email: str) -> None:
    """A successful sign-in: this client's failures on the account no longer count."""
    client, _trusted = _client_key(email)
    _clear(_limit("SIGN_IN_LIMIT_PER_CLIENT"), "sign-in-client", email, client)


def unlock(email: str) -> None:
    """The owner followed the unlock link (or reset the password): new devices may try
    again, and a later lockout emails a new link."""
    ceiling = _limit("SIGN_IN_LOCKOUT_PER_ACCOUNT")
    _clear(ceiling, "sign-in-account", email)
    _clear(ceiling_notice(ceiling), "sign-in-locked-notice", email)
