"""Peer introductions: asking, through the service, to be put in touch with another
academy's lead.

The message goes to the other academy's leads; no email address is shown to anyone
until they accept. On accepting, both sides see each other's name and work email and
the reason the peer was recommended. A declined request reveals nothing more. An
academy has at most ``OPEN_LIMIT`` requests waiting at once and may send at most
``DAILY_LIMIT`` in a day. Every request and reply is audited.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, or_, select
from sqlalchemy.exc import NoResultFound
from sqlalchemy.orm import selectinload

from maturity.extensions import db
from maturity.models import (
    Assessment,
    AssessmentStatus,
    DirectoryEntry,
    Introduction,
    IntroductionStatus,
    Membership,
    Organisation,
    Role,
    User,
    utcnow,
)
from maturity.services import audit

MESSAGE_LIMIT = 1000
OPEN_LIMIT = 3
DAILY_LIMIT = 5


class IntroductionError(Exception):
    """A refusal, naming the form field it belongs to (``None``: the page)."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


def lead_of(user: User, organisation: Organisation) -> bool:
    return any(
        m.organisation_id == organisation.id and m.role == Role.LEAD for m in user.memberships
    )


def introduction_by_id(introduction_id: int) -> Introduction:
    found = db.session.get(Introduction, introduction_id)
    if found is None:
        raise NoResultFound(f"No introduction {introduction_id}")
    return found


def organisation_on_platform(name: str) -> Organisation | None:
    """The academy on the service with this name (a directory entry's), if any."""
    return db.session.scalar(
        select(Organisation).where(func.lower(Organisation.name) == name.strip().lower()).limit(1)
    )


def recommendation_reason(asking: Organisation, other: Organisation) -> str | None:
    """Why the other academy was suggested to the asking one: the reason given beside it
    among the peers on the asking academy's latest results, or what the practice
    directory says it is known for."""
    from maturity.services.results import others_view  # results is the heavier module

    latest = db.session.scalar(
        select(Assessment)
        .where(
            Assessment.organisation_id == asking.id,
            Assessment.status == AssessmentStatus.SUBMITTED,
            Assessment.questionnaire_id != "scoping",
        )
        .order_by(Assessment.submitted_at.desc())
        .limit(1)
    )
    if latest is not None:
        for peer in others_view(latest).peers:
            if peer.profile.key == other.slug:
                return peer.reason
    entry = db.session.scalar(
        select(DirectoryEntry).where(func.lower(DirectoryEntry.name) == other.name.lower())
    )
    if entry is not None and entry.known_for:
        return f"The practice directory lists it as known for: {entry.known_for[0]['text']}"
    return None


def ask(
    asking: Organisation,
    other: Organisation,
    user: User,
    message: str,
    *,
    now: datetime | None = None,
) -> Introduction:
    """Send a request for an introduction to the other academy's leads. Refusals name
    the ``message`` field, or the page."""
    now = now or utcnow()
    if other.id == asking.id:
        raise IntroductionError("You cannot ask for an introduction to your own academy")
    message = message.strip()
    if not message:
        raise IntroductionError("Enter a short message to the other academy", field="message")
    if len(message) > MESSAGE_LIMIT:
        raise IntroductionError(
            f"Message must be {MESSAGE_LIMIT:,} characters or fewer", field="message"
        )
    leads = db.session.scalar(
        select(func.count(Membership.id)).where(
            Membership.organisation_id == other.id, Membership.role == Role.LEAD
        )
    )
    if not leads:
        raise IntroductionError(f"{other.name} has no lead on the service to reply yet")
    mine = select(Introduction).where(Introduction.from_organisation_id == asking.id)
    pending = db.session.scalars(
        mine.where(Introduction.status == IntroductionStatus.PENDING)
    ).all()
    if any(found.to_organisation_id == other.id for found in pending):
        raise IntroductionError(f"You have already asked {other.name}. Wait for their reply")
    if len(pending) >= OPEN_LIMIT:
        raise IntroductionError(
            f"You have {OPEN_LIMIT} requests waiting for a reply. Wait for one to be answered "
            "before asking again"
        )
    today = db.session.scalar(
        select(func.count()).select_from(
            mine.where(Introduction.created_at > now - timedelta(days=1)).subquery()
        )
    )
    if (today or 0) >= DAILY_LIMIT:
        raise IntroductionError(
            f"Your academy has sent {DAILY_LIMIT} requests in the last day. Try again tomorrow"
        )
    introduction = Introduction(
        from_organisation=asking,
        to_organisation=other,
        requested_by_id=user.id,
        message=message,
        reason=recommendation_reason(asking, other),
    )
    db.session.add(introduction)
    db.session.flush()
    audit.record(
        "introduction_requested",
        f"Asked for an introduction to {other.name}",
        actor=user,
        organisation=asking,
        detail={"introduction_id": introduction.id, "to_organisation_id": other.id},
    )
    return introduction


def reply(introduction: Introduction, user: User, *, accept: bool) -> None:
    """Accept or decline (a lead of the academy asked, checked by the view's policy)."""
    if introduction.status != IntroductionStatus.PENDING:
        raise IntroductionError("This request has been answered already")
    introduction.status = IntroductionStatus.ACCEPTED if accept else IntroductionStatus.DECLINED
    introduction.responded_by_id = user.id
    introduction.responded_at = utcnow()
    db.session.flush()
    audit.record(
        "introduction_accepted" if accept else "introduction_declined",
        f"{'Accepted' if accept else 'Declined'} the request for an introduction from "
        f"{introduction.from_organisation.name}",
        actor=user,
        organisation=introduction.to_organisation,
        detail={"introduction_id": introduction.id},
    )


@dataclass(frozen=True)
class Contact:
    name: str
    email: str
    academy: str


@dataclass(frozen=True)
class Listed:
    """An introduction as one side sees it: the contact only once accepted."""

    introduction: Introduction
    other: Organisation
    incoming: bool
    contact: Contact | None


def listed_for(organisation: Organisation) -> tuple[list[Listed], list[Listed]]:
    """The academy's requests received and sent, newest first. The other side's name and
    email only for accepted ones; nothing about who declined."""
    found: Sequence[Introduction] = db.session.scalars(
        select(Introduction)
        .where(
            or_(
                Introduction.from_organisation_id == organisation.id,
                Introduction.to_organisation_id == organisation.id,
            )
        )
        .options(
            selectinload(Introduction.from_organisation),
            selectinload(Introduction.to_organisation),
            selectinload(Introduction.requested_by),
            selectinload(Introduction.responded_by),
        )
        .order_by(Introduction.id.desc())
    ).all()
    received: list[Listed] = []
    sent: list[Listed] = []
    for introduction in found:
        incoming = introduction.to_organisation_id == organisation.id
        other = introduction.from_organisation if incoming else introduction.to_organisation
        person = introduction.requested_by if incoming else introduction.responded_by
        contact = None
        if introduction.status == IntroductionStatus.ACCEPTED and person is not None:
            contact = Contact(name=person.name, email=person.email, academy=other.name)
        item = Listed(introduction=introduction, other=other, incoming=incoming, contact=contact)
        (received if incoming else sent).append(item)
    return received, sent
