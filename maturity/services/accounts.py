"""Accounts: passwords, sign-in, invitations and password resets.

There is no open sign-up. A person gets an account by following an invitation: a
single-use, expiring link whose token is never stored, only its SHA-256 hash.
"""

from __future__ import annotations

import enum
import logging
import secrets
import string
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, select, update
from sqlalchemy.orm import selectinload

from maturity.extensions import db
from maturity.models import (
    AccountToken,
    Membership,
    Organisation,
    Region,
    RegionalLead,
    Role,
    TokenPurpose,
    User,
    utcnow,
)
from maturity.services import audit, sessions
from maturity.services.keys import key_hash, new_key
from maturity.services.mail import send_email, send_email_later
from maturity.services.settings import PasswordHashing, Settings

log = logging.getLogger(__name__)

PASSWORD_MIN_LENGTH = 12
PASSWORD_MAX_LENGTH = 128
COMMON_PASSWORDS_FILE = Path(__file__).resolve().parent.parent / "data" / "common-passwords.txt"


class AccountError(Exception):
    """A request about an account that cannot be met; the message is for the user.

    ``field`` names the form field the message belongs to (``email``, ``password``,
    ``current_password``), or is None when the request as a whole fails (a link that
    has been used or is no longer valid).
    """

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


def normalise_email(email: str) -> str:
    """Emails are compared case-insensitively and without surrounding spaces."""
    return email.strip().lower()


@cache
def _common_passwords() -> frozenset[str]:
    lines = COMMON_PASSWORDS_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip() for line in lines if line.strip() and not line.startswith("#"))


def password_problems(password: str, email: str | None = None) -> list[str]:
    """Reasons a new password is refused, in GOV.UK error-message style; empty if fine."""
    if len(password) < PASSWORD_MIN_LENGTH:
        return [f"Password must be {PASSWORD_MIN_LENGTH} characters or more"]
    if len(password) > PASSWORD_MAX_LENGTH:
        return [f"Password must be {PASSWORD_MAX_LENGTH} characters or fewer"]
    lowered = password.lower()
    base = lowered.rstrip(string.digits + string.punctuation + " ")
    common = _common_passwords()
    if lowered in common or base in common or len(set(lowered)) < 5:
        return ["Password is too easy to guess. Use three random words, or a password manager"]
    if email:
        local_part = normalise_email(email).split("@", 1)[0]
        if len(local_part) >= 4 and local_part in lowered:
            return ["Password must not contain your email address"]
    return []


@cache
def _hasher(hashing: PasswordHashing) -> PasswordHasher:
    return PasswordHasher(
        time_cost=hashing.time_cost,
        memory_cost=hashing.memory_cost,
        parallelism=hashing.parallelism,
    )


def hash_password(password: str, hashing: PasswordHashing) -> str:
    """An argon2id hash of the password."""
    return _hasher(hashing).hash(password)


# Verifying against this when the email is unknown keeps the response time the same
# whether or not an account exists.
@cache
def _dummy_hash(hashing: PasswordHashing) -> str:
    return _hasher(hashing).hash(secrets.token_hex(16))


def set_password(user: User, password: str, hashing: PasswordHashing) -> None:
    """Set a new password and cancel any reset links still outstanding for the user.

    Callers end the user's sessions (``sessions.end_all``) with their reason.
    """
    user.password_hash = hash_password(password, hashing)
    if user.email:
        db.session.execute(
            update(AccountToken)
            .where(
                AccountToken.email == user.email,
                AccountToken.purpose == TokenPurpose.PASSWORD_RESET,
                AccountToken.used_at.is_(None),
            )
            .values(used_at=utcnow())
            .execution_options(synchronize_session=False)
        )


def authenticate(
    email: str, password: str, ip_address: str | None = None, *, hashing: PasswordHashing
) -> User | None:
    """The active user with this email and password, or None; audited either way.

    A wrong password and an unknown email are indistinguishable to the caller.
    """
    address = normalise_email(email)
    user = db.session.scalar(select(User).where(User.email == address))
    hasher = _hasher(hashing)
    ok = False
    if user is not None and user.password_hash and user.is_active:
        try:
            ok = hasher.verify(user.password_hash, password)
        except (VerificationError, InvalidHashError):
            ok = False
    else:
        try:
            hasher.verify(_dummy_hash(hashing), password)
        except VerificationError:
            pass
    if not ok or user is None:
        audit.record(
            "sign_in_failed",
            "Sign-in failed",
            actor=user,
            subject_email=address[:254],
            ip_address=ip_address,
        )
        return None
    if user.password_hash and hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hasher.hash(password)
    user.last_signed_in_at = utcnow()
    audit.record("sign_in", "Signed in", actor=user, subject_email=address, ip_address=ip_address)
    return user


def user_by_id(user_id: int) -> User:
    """The user with this id (NoResultFound, a 404 in the web layer, if none)."""
    return db.session.execute(select(User).where(User.id == user_id)).scalar_one()


def user_by_email(email: str) -> User | None:
    """The user with this email address, if any."""
    return db.session.scalar(select(User).where(User.email == normalise_email(email)))


@dataclass(frozen=True)
class IssuedToken:
    """A token just created: the only moment the raw token and its link exist."""

    record: AccountToken
    token: str
    link: str
    emailed: bool


def _issue(
    purpose: TokenPurpose,
    email: str,
    ttl: timedelta,
    link_for: Callable[[str], str],
    **fields: object,
) -> tuple[AccountToken, str, str]:
    token = new_key()
    record = AccountToken(
        token_hash=key_hash(token),
        purpose=purpose,
        email=normalise_email(email),
        expires_at=utcnow() + ttl,
        **fields,
    )
    db.session.add(record)
    db.session.flush()
    return record, token, link_for(token)


def _email_link(
    purpose: TokenPurpose,
    user: User,
    hours: int,
    link_for: Callable[[str], str],
    settings: Settings,
    subject: str,
    body: Callable[[str], str],
) -> IssuedToken:
    """Issue a single-use link to ``user`` and email it from the background sender (so
    the response does not wait for, or show, the mail server's work)."""
    record, token, link = _issue(purpose, user.email, timedelta(hours=hours), link_for)
    emailed = send_email_later(settings.mail, user.email, subject, body(link))
    return IssuedToken(record=record, token=token, link=link, emailed=emailed)


def invite(
    *,
    email: str,
    name: str,
    invited_by: User,
    link_for: Callable[[str], str],
    organisation: Organisation | None = None,
    role: Role | None = None,
    region: Region | None = None,
    make_admin: bool = False,
    ip_address: str | None = None,
    settings: Settings,
) -> IssuedToken:
    """Invite someone to join an organisation (with a role), lead a region, or administer.

    Refuses to invite someone to an organisation they already belong to.
    """
    address = normalise_email(email)
    existing = user_by_email(address)
    if existing is not None and organisation is not None:
        already = db.session.scalar(
            select(Membership).where(
                Membership.user_id == existing.id, Membership.organisation_id == organisation.id
            )
        )
        if already is not None:
            raise AccountError(f"{address} is already a member of {organisation.name}", "email")
    ttl = timedelta(hours=settings.invitation_ttl_hours)
    record, token, link = _issue(
        TokenPurpose.INVITATION,
        address,
        ttl,
        link_for,
        name=name.strip(),
        organisation=organisation,
        role=role,
        region=region,
        make_admin=make_admin,
        created_by=invited_by,
    )
    what = _invitation_description(record)
    emailed = _email_invitation(record, link, invited_by, settings)
    audit.record(
        "invitation_sent",
        f"Invited {address} to {what}",
        actor=invited_by,
        organisation=organisation,
        subject_email=address,
        ip_address=ip_address,
        detail={"role": role.value if role else None, "region": region.code if region else None},
    )
    return IssuedToken(record=record, token=token, link=link, emailed=emailed)


def _email_invitation(
    record: AccountToken, link: str, invited_by: User, settings: Settings
) -> bool:
    """Email an invitation's link; whether it was sent (False when no mail server)."""
    service = settings.service_name
    emailed = send_email(
        settings.mail,
        record.email,
        f"You have been invited to {service}",
        f"{invited_by.name} has invited you to {_invitation_description(record)} on "
        f"{service}.\n\n"
        f"Follow this link to set your password and sign in:\n{link}\n\n"
        f"The link can be used once and expires on "
        f"{record.expires_at.strftime('%-d %B %Y at %H:%M')} (UTC).",
    )
    if settings.show_dev_links:
        log.info("Invitation link for %s: %s", record.email, link)
    return emailed


class InvitationStatus(enum.StrEnum):
    """Where an invitation stands, as the lists of invitations show it."""

    PENDING = "Pending"
    EXPIRED = "Expired"
    ACCEPTED = "Accepted"
    CANCELLED = "Cancelled"


def invitation_status(record: AccountToken, now: datetime | None = None) -> InvitationStatus:
    """Pending (the link works), expired, accepted or cancelled."""
    if record.cancelled_at is not None:
        return InvitationStatus.CANCELLED
    if record.used_at is not None:
        return InvitationStatus.ACCEPTED
    if record.expires_at <= (now or utcnow()):
        return InvitationStatus.EXPIRED
    return InvitationStatus.PENDING


def invitations(organisation: Organisation | None = None) -> Sequence[AccountToken]:
    """Invitations, newest first: an organisation's, or (None) every one."""
    query = (
        select(AccountToken)
        .options(
            selectinload(AccountToken.organisation),
            selectinload(AccountToken.region),
            selectinload(AccountToken.created_by),
        )
        .where(AccountToken.purpose == TokenPurpose.INVITATION)
        .order_by(AccountToken.id.desc())
    )
    if organisation is not None:
        query = query.where(AccountToken.organisation_id == organisation.id)
    return db.session.scalars(query).all()


def invitation_by_id(invitation_id: int, organisation: Organisation | None = None) -> AccountToken:
    """An invitation by id (of this organisation, when one is given); NoResultFound (a
    404) if there is none."""
    query = select(AccountToken).where(
        AccountToken.id == invitation_id, AccountToken.purpose == TokenPurpose.INVITATION
    )
    if organisation is not None:
        query = query.where(AccountToken.organisation_id == organisation.id)
    return db.session.execute(query).scalar_one()


def resend_invitation(
    record: AccountToken,
    *,
    by: User,
    link_for: Callable[[str], str],
    ip_address: str | None = None,
    settings: Settings,
) -> IssuedToken:
    """Send a pending or expired invitation again with a fresh link and a new expiry;
    the link sent before stops working at once (its hash is replaced)."""
    status = invitation_status(record)
    if status not in (InvitationStatus.PENDING, InvitationStatus.EXPIRED):
        raise AccountError(f"This invitation has been {status.value.lower()}")
    token = new_key()
    # Conditional, so that a resend racing an acceptance cannot revive a used invitation.
    result = db.session.execute(
        update(AccountToken)
        .where(AccountToken.id == record.id, AccountToken.used_at.is_(None))
        .values(
            token_hash=key_hash(token),
            expires_at=utcnow() + timedelta(hours=settings.invitation_ttl_hours),
        )
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise AccountError("This invitation has just been accepted or cancelled")
    db.session.expire(record, ["token_hash", "expires_at"])
    link = link_for(token)
    emailed = _email_invitation(record, link, by, settings)
    audit.record(
        "invitation_resent",
        f"Sent a new link inviting {record.email} to {_invitation_description(record)}",
        actor=by,
        organisation=record.organisation,
        subject_email=record.email,
        ip_address=ip_address,
    )
    return IssuedToken(record=record, token=token, link=link, emailed=emailed)


def cancel_invitation(record: AccountToken, *, by: User, ip_address: str | None = None) -> None:
    """Cancel an invitation that has not been accepted: its link stops working."""
    status = invitation_status(record)
    if status in (InvitationStatus.ACCEPTED, InvitationStatus.CANCELLED):
        raise AccountError(f"This invitation has already been {status.value.lower()}")
    now = utcnow()
    result = db.session.execute(
        update(AccountToken)
        .where(AccountToken.id == record.id, AccountToken.used_at.is_(None))
        .values(used_at=now, cancelled_at=now)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise AccountError("This invitation has just been accepted")
    db.session.expire(record, ["used_at", "cancelled_at"])
    audit.record(
        "invitation_cancelled",
        f"Cancelled the invitation of {record.email} to {_invitation_description(record)}",
        actor=by,
        organisation=record.organisation,
        subject_email=record.email,
        ip_address=ip_address,
    )
    db.session.flush()


def _invitation_description(record: AccountToken) -> str:
    if record.organisation is not None and record.role is not None:
        return f"join {record.organisation.name} as {record.role.label.lower()}"
    if record.region is not None:
        return f"be regional lead for {record.region.name}"
    if record.make_admin:
        return "administer the service"
    return "use the service"


def valid_token(token: str, purpose: TokenPurpose) -> AccountToken | None:
    """The unused, unexpired token record for this raw token, or None."""
    record = db.session.scalar(
        select(AccountToken).where(
            AccountToken.token_hash == key_hash(token), AccountToken.purpose == purpose
        )
    )
    if record is None or record.used_at is not None or record.expires_at <= utcnow():
        return None
    return record


LINK_USED = "This link has expired or has already been used"


def _claim(record: AccountToken) -> None:
    """Use the token up, atomically: of two simultaneous uses, only one succeeds."""
    now = utcnow()
    result = db.session.execute(
        update(AccountToken)
        .where(
            AccountToken.id == record.id,
            AccountToken.used_at.is_(None),
            AccountToken.expires_at > now,
        )
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise AccountError(LINK_USED)
    db.session.expire(record, ["used_at"])


def accept_invitation(
    record: AccountToken,
    name: str,
    password: str,
    ip_address: str | None = None,
    *,
    hashing: PasswordHashing,
) -> User:
    """Create the invited person's account and use up the invitation.

    Only for an email with no account yet: an invitation never sets the password of an
    existing account (that would let whoever holds the link take it over). Existing
    users sign in and use ``join_by_invitation``.
    """
    if user_by_email(record.email) is not None:
        raise AccountError("You already have an account. Sign in to accept the invitation")
    _check_new_password(password, record.email)
    _claim(record)
    user = User(email=record.email, name=name.strip())
    db.session.add(user)
    set_password(user, password, hashing)
    db.session.flush()
    _grant_invited_roles(record, user, ip_address)
    return user


def join_by_invitation(record: AccountToken, user: User, ip_address: str | None = None) -> None:
    """Give a signed-in existing user the roles an invitation to their email offers."""
    if user.email != record.email:
        raise AccountError(f"This invitation is for {record.email}. Sign in with that account")
    _claim(record)
    _grant_invited_roles(record, user, ip_address)


def _grant_invited_roles(record: AccountToken, user: User, ip_address: str | None) -> None:
    if record.organisation is not None and record.role is not None:
        _grant_membership(user, record.organisation, record.role, record.created_by, ip_address)
    if record.region is not None and not any(
        lead.region_id == record.region.id for lead in user.regional_leads
    ):
        db.session.add(RegionalLead(user=user, region=record.region))
        audit.record(
            "role_changed",
            f"{user.email} became regional lead for {record.region.name}",
            actor=record.created_by,
            subject_email=user.email,
            ip_address=ip_address,
        )
    if record.make_admin and not user.is_admin:
        user.is_admin = True
        audit.record(
            "role_changed",
            f"{user.email} became an administrator",
            actor=record.created_by,
            subject_email=user.email,
            ip_address=ip_address,
        )
    audit.record(
        "invitation_accepted",
        f"{user.email} accepted an invitation to {_invitation_description(record)}",
        actor=user,
        organisation=record.organisation,
        subject_email=user.email,
        ip_address=ip_address,
    )
    db.session.flush()


def _grant_membership(
    user: User, organisation: Organisation, role: Role, by: User | None, ip_address: str | None
) -> None:
    membership = db.session.scalar(
        select(Membership).where(
            Membership.user_id == user.id, Membership.organisation_id == organisation.id
        )
    )
    if membership is None:
        db.session.add(Membership(user=user, organisation=organisation, role=role))
    else:
        membership.role = role
    audit.record(
        "role_changed",
        f"{user.email} became {role.label.lower()} of {organisation.name}",
        actor=by,
        organisation=organisation,
        subject_email=user.email,
        ip_address=ip_address,
        detail={"role": role.value},
    )


def request_password_reset(
    email: str,
    link_for: Callable[[str], str],
    ip_address: str | None = None,
    *,
    settings: Settings,
) -> IssuedToken | None:
    """Send a reset link if an active account has this email; None otherwise.

    Both branches write one audit entry and neither waits for the mail server (the email
    is sent in the background), so that with the caller's minimum duration the response
    tells nobody whether the account exists.
    """
    address = normalise_email(email)[:254]
    user = user_by_email(address)
    if user is None or not user.is_active:
        audit.record(
            "password_reset_requested",
            "Password reset asked for an address with no active account",
            subject_email=address,
            ip_address=ip_address,
        )
        db.session.flush()
        return None
    hours = settings.password_reset_ttl_hours
    issued = _email_link(
        TokenPurpose.PASSWORD_RESET,
        user,
        hours,
        link_for,
        settings,
        f"Reset your {settings.service_name} password",
        lambda link: (
            f"Follow this link to choose a new password:\n{link}\n\n"
            f"The link can be used once and expires in {hours} hours. If you did not ask for "
            "it, you can ignore this email."
        ),
    )
    audit.record(
        "password_reset_requested",
        f"Password reset requested for {user.email}",
        actor=user,
        subject_email=user.email,
        ip_address=ip_address,
    )
    db.session.flush()
    return issued


def account_locked(
    email: str,
    link_for: Callable[[str], str],
    ip_address: str | None = None,
    *,
    settings: Settings,
) -> IssuedToken | None:
    """Too many failed sign-ins from new devices: audit the lockout and email the
    account's owner a single-use link that unlocks it (None if there is no such active
    account; the person signing in is told the same either way)."""
    address = normalise_email(email)[:254]
    user = user_by_email(address)
    audit.record(
        "account_locked",
        f"Sign-in from new devices paused for {address} after too many failed attempts",
        actor=user,
        subject_email=address,
        ip_address=ip_address,
    )
    if user is None or not user.is_active:
        return None
    hours = settings.unlock_ttl_hours
    return _email_link(
        TokenPurpose.UNLOCK,
        user,
        hours,
        link_for,
        settings,
        f"Unlock your {settings.service_name} account",
        lambda link: (
            "There have been many failed attempts to sign in to your account, so "
            "signing in from devices you have not used before is paused.\n\n"
            f"If that was you, follow this link to unlock your account:\n{link}\n\n"
            "If it was not you, someone may be trying to guess your password: after "
            "unlocking, choose a new one. You can still sign in from a device you have "
            f"used before. The link can be used once and expires in {hours} hours."
        ),
    )


def unlock_account(record: AccountToken, ip_address: str | None = None) -> str:
    """Use an unlock link up; returns the account's email (its lock is cleared by the
    caller, which holds the sign-in counts)."""
    user = user_by_email(record.email)
    if user is None or not user.is_active:
        raise AccountError("This link is no longer valid")
    _claim(record)
    audit.record(
        "account_unlocked",
        f"{user.email} unlocked their account with the emailed link",
        actor=user,
        subject_email=user.email,
        ip_address=ip_address,
    )
    return user.email


def reset_password(
    record: AccountToken, password: str, ip_address: str | None = None, *, hashing: PasswordHashing
) -> User:
    """Set a new password from a reset link and use the link up."""
    user = user_by_email(record.email)
    if user is None or not user.is_active:
        raise AccountError("This link is no longer valid")
    _check_new_password(password, user.email)
    _claim(record)
    _replace_password(user, password, hashing, "password_reset", "reset", ip_address)
    return user


def _check_new_password(password: str, email: str | None) -> None:
    problems = password_problems(password, email)
    if problems:
        raise AccountError(problems[0], "password")


def _replace_password(
    user: User,
    password: str,
    hashing: PasswordHashing,
    action: str,
    verb: str,
    ip_address: str | None,
) -> None:
    """Set the new password and audit it as ``action``. Every session of the user ends,
    except the one changing it (a reset comes from a signed-out browser, so all end)."""
    set_password(user, password, hashing)
    audit.record(
        action,
        f"{user.email} {verb} their password",
        actor=user,
        subject_email=user.email,
        ip_address=ip_address,
    )
    sessions.end_all(user, reason=f"password {verb}", keep_current=True, ip_address=ip_address)
    db.session.flush()


def change_password(
    user: User,
    current_password: str,
    new_password: str,
    ip_address: str | None = None,
    *,
    hashing: PasswordHashing,
) -> None:
    """Change a signed-in user's password, checking the current one first."""
    try:
        ok = bool(user.password_hash) and _hasher(hashing).verify(
            user.password_hash or "", current_password
        )
    except (VerificationError, InvalidHashError):
        ok = False
    if not ok:
        raise AccountError("Your current password is not correct", "current_password")
    _check_new_password(new_password, user.email)
    _replace_password(user, new_password, hashing, "password_changed", "changed", ip_address)


def count_admins() -> int:
    """How many administrators exist."""
    return db.session.scalar(select(func.count()).select_from(User).where(User.is_admin)) or 0


def create_admin(email: str, name: str, password: str, hashing: PasswordHashing) -> User:
    """Create (or promote) an administrator directly, for the CLI."""
    _check_new_password(password, email)
    user = user_by_email(email)
    if user is None:
        user = User(email=normalise_email(email), name=name)
        db.session.add(user)
    user.is_admin = True
    set_password(user, password, hashing)
    db.session.flush()
    if user.sessions:
        sessions.end_all(user, reason="password set from the command line")
    audit.record(
        "role_changed",
        f"{user.email} made an administrator (command line)",
        actor=None,
        subject_email=user.email,
    )
    return user


def deactivate(user: User, *, by: User, ip_address: str | None = None) -> None:
    """An administrator deactivates an account: it can no longer sign in, its sessions
    and API tokens stop working at once, and any links sent to it stop working."""
    if user.id == by.id:
        raise AccountError("You cannot deactivate your own account")
    if not user.is_active:
        return
    user.is_active = False
    db.session.execute(
        update(AccountToken)
        .where(AccountToken.email == user.email, AccountToken.used_at.is_(None))
        .values(used_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    audit.record(
        "account_deactivated",
        f"{user.email} deactivated",
        actor=by,
        subject_email=user.email,
        ip_address=ip_address,
    )
    sessions.end_all(user, reason="account deactivated", actor=by, ip_address=ip_address)
    db.session.flush()


def reactivate(user: User, *, by: User, ip_address: str | None = None) -> None:
    """An administrator lets a deactivated account sign in again (it starts signed out)."""
    if user.is_active:
        return
    user.is_active = True
    audit.record(
        "account_reactivated",
        f"{user.email} reactivated",
        actor=by,
        subject_email=user.email,
        ip_address=ip_address,
    )
    db.session.flush()
