"""Organisations (academies and scoping authorities), their members and roles."""

from __future__ import annotations

import enum
import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import ColumnElement, Select, bindparam, func, select
from sqlalchemy.exc import NoResultFound
from sqlalchemy.orm import joinedload, selectinload

from maturity.extensions import db
from maturity.models import (
    DeliveryMode,
    FundingMix,
    HostBodyType,
    Locality,
    Membership,
    Organisation,
    OrganisationKind,
    OrganisationStatus,
    Region,
    Role,
    User,
    utcnow,
)
from maturity.services import audit


class OrganisationError(Exception):
    """A change to an organisation that cannot be made; the message is for the user."""


def slugify(name: str) -> str:
    """A URL-safe identifier from a name: lower case words joined by hyphens."""
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    return slug[:80] or "organisation"


@dataclass(frozen=True)
class OrganisationProfile:
    """The descriptive fields of an organisation, as entered on a form."""

    name: str
    region: Region
    kind: OrganisationKind
    host_body_type: HostBodyType
    delivery_mode: DeliveryMode
    status: OrganisationStatus
    year_established: int | None = None
    locality: Locality | None = None
    funding_mix: FundingMix | None = None
    shares_named_results: bool = False


def create_organisation(
    profile: OrganisationProfile, created_by: User | None, *, is_demo: bool = False
) -> Organisation:
    """Create an organisation with a unique slug derived from its name."""
    if organisation_named(profile.name) is not None:
        raise OrganisationError(f"An organisation called {profile.name} already exists")
    base = slugify(profile.name)
    slug, suffix = base, 2
    while db.session.scalar(select(Organisation.id).where(Organisation.slug == slug)):
        slug, suffix = f"{base[:76]}-{suffix}", suffix + 1
    organisation = Organisation(slug=slug, is_demo=is_demo, **vars(profile))
    db.session.add(organisation)
    db.session.flush()
    audit.record(
        "organisation_created",
        f"Created {organisation.name}",
        actor=created_by,
        organisation=organisation,
    )
    return organisation


def is_current() -> ColumnElement[bool]:
    """The condition an organisation meets while it is current (not archived).

    Every figure built from current organisations (regional and national figures, peers,
    benchmarks, open data, the completion table and its reminders) selects them with
    this one condition; an archived organisation keeps its own pages and history.
    """
    return Organisation.archived_at.is_(None)


@dataclass(frozen=True)
class ProfileChanges:
    """The profile fields a lead may change (and an administrator, with the name).

    The region is not among them: an organisation's submitted scores are counted in its
    region, so an organisation never moves region (archive it and add a new one)."""

    status: OrganisationStatus
    kind: OrganisationKind
    host_body_type: HostBodyType
    delivery_mode: DeliveryMode
    year_established: int | None = None
    locality: Locality | None = None
    funding_mix: FundingMix | None = None
    shares_named_results: bool = False
    name: str | None = None  # None: unchanged (leads do not rename)


FIELD_LABELS = {
    "name": "name",
    "status": "status",
    "kind": "kind of academy",
    "host_body_type": "host body",
    "delivery_mode": "delivery mode",
    "year_established": "year established",
    "locality": "type of locality",
    "funding_mix": "funding",
    "shares_named_results": "sharing of named results",
}


def update_profile(
    organisation: Organisation,
    changes: ProfileChanges,
    changed_by: User,
    ip_address: str | None = None,
) -> list[str]:
    """Change an organisation's profile, audited with each field's old and new value;
    returns the labels of the fields that changed (empty: nothing to save)."""
    wanted = {key: value for key, value in vars(changes).items() if value is not None}
    wanted.setdefault("year_established", None)
    wanted.setdefault("locality", None)
    wanted.setdefault("funding_mix", None)
    if "name" in wanted:
        wanted["name"] = wanted["name"].strip()
        same_name = organisation_named(wanted["name"])
        if same_name is not None and same_name.id != organisation.id:
            raise OrganisationError(f"An organisation called {wanted['name']} already exists")
    changed: dict[str, dict[str, object]] = {}
    for field, value in wanted.items():
        before = getattr(organisation, field)
        if before != value:
            changed[field] = {"from": _plain(before), "to": _plain(value)}
            setattr(organisation, field, value)
    if not changed:
        return []
    labels = [FIELD_LABELS[field] for field in changed]
    audit.record(
        "organisation_updated",
        f"Changed the {', '.join(labels)} of {organisation.name}",
        actor=changed_by,
        organisation=organisation,
        ip_address=ip_address,
        detail=changed,
    )
    db.session.flush()
    return labels


def _plain(value: object) -> object:
    return value.value if isinstance(value, enum.Enum) else value


def archive_organisation(
    organisation: Organisation, reason: str, archived_by: User, ip_address: str | None = None
) -> None:
    """Archive an organisation: its history stays, it leaves current figures."""
    if organisation.archived_at is not None:
        raise OrganisationError(f"{organisation.name} is already archived")
    reason = reason.strip()
    if not reason:
        raise OrganisationError("Enter why the organisation is being archived")
    organisation.archived_at = utcnow()
    audit.record(
        "organisation_archived",
        f"Archived {organisation.name}: {reason}",
        actor=archived_by,
        organisation=organisation,
        ip_address=ip_address,
        detail={"reason": reason},
    )
    db.session.flush()


def restore_organisation(
    organisation: Organisation, restored_by: User, ip_address: str | None = None
) -> None:
    """Bring an archived organisation back into current figures."""
    if organisation.archived_at is None:
        return
    organisation.archived_at = None
    audit.record(
        "organisation_restored",
        f"Restored {organisation.name} from the archive",
        actor=restored_by,
        organisation=organisation,
        ip_address=ip_address,
    )
    db.session.flush()


def organisation_named(name: str) -> Organisation | None:
    """The organisation with this name (case-insensitive), if any."""
    return db.session.scalar(
        select(Organisation).where(func.lower(Organisation.name) == name.strip().lower())
    )


def organisation_by_slug(slug: str) -> Organisation:
    """The organisation with this slug; raises NoResultFound (a 404) if none."""
    organisation = db.session.scalar(
        select(Organisation)
        .options(joinedload(Organisation.region))
        .where(Organisation.slug == slug)
    )
    if organisation is None:
        raise NoResultFound(f"No organisation {slug!r}")
    return organisation


def list_organisations(region: Region | None = None) -> Sequence[Organisation]:
    """Organisations by name, optionally only those in one region."""
    query = (
        select(Organisation).options(selectinload(Organisation.region)).order_by(Organisation.name)
    )
    if region is not None:
        query = query.where(Organisation.region_id == region.id)
    return db.session.scalars(query).all()


@functools.cache
def _organisation_and_membership_statement() -> Select[Organisation, Membership]:
    """Built once: a statement built afresh on every request costs more than running it
    (SQLAlchemy derives its cache key again each time)."""
    return (
        select(Organisation, Membership)
        .outerjoin(
            Membership,
            (Membership.organisation_id == Organisation.id)
            & (Membership.user_id == bindparam("user_id")),
        )
        .options(joinedload(Organisation.region))
        .where(Organisation.slug == bindparam("slug"))
    )


def organisation_and_membership(slug: str, user: User) -> tuple[Organisation, Membership | None]:
    """The organisation with this slug and the user's membership of it, if any, in one
    query (every organisation page asks for both); NoResultFound (a 404) if no such
    organisation."""
    found = db.session.execute(
        _organisation_and_membership_statement(), {"user_id": user.id, "slug": slug}
    ).first()
    if found is None:
        raise NoResultFound(f"No organisation {slug!r}")
    return found[0], found[1]


def memberships_for(user: User) -> Sequence[Membership]:
    """The user's memberships with their organisations, by organisation name."""
    return db.session.scalars(
        select(Membership)
        .join(Membership.organisation)
        .options(selectinload(Membership.organisation).selectinload(Organisation.region))
        .where(Membership.user_id == user.id)
        .order_by(Organisation.name)
    ).all()


def members_of(organisation: Organisation) -> Sequence[Membership]:
    """Everyone in the organisation, leads first, then by name."""
    return db.session.scalars(
        select(Membership)
        .join(Membership.user)
        .options(selectinload(Membership.user))
        .where(Membership.organisation_id == organisation.id)
        .order_by(Membership.role.desc(), User.name)
    ).all()


def membership_in(organisation: Organisation, membership_id: int) -> Membership:
    """A membership of this organisation by id; NoResultFound if it belongs elsewhere."""
    membership = db.session.scalar(
        select(Membership)
        .options(selectinload(Membership.user))
        .where(Membership.id == membership_id, Membership.organisation_id == organisation.id)
    )
    if membership is None:
        raise NoResultFound(f"No membership {membership_id} in {organisation.slug}")
    return membership


def change_role(
    membership: Membership, role: Role, changed_by: User, ip_address: str | None = None
) -> None:
    """Change a member's role; an organisation always keeps at least one lead."""
    if membership.role == role:
        return
    _keep_a_lead(membership)
    previous = membership.role
    membership.role = role
    audit.record(
        "role_changed",
        f"{membership.user.email} changed from {previous.label.lower()} to "
        f"{role.label.lower()} of {membership.organisation.name}",
        actor=changed_by,
        organisation=membership.organisation,
        subject_email=membership.user.email,
        ip_address=ip_address,
        detail={"from": previous.value, "to": role.value},
    )
    db.session.flush()


def remove_member(membership: Membership, removed_by: User, ip_address: str | None = None) -> None:
    """Remove someone from an organisation; the last lead cannot be removed."""
    _keep_a_lead(membership)
    audit.record(
        "role_changed",
        f"{membership.user.email} removed from {membership.organisation.name}",
        actor=removed_by,
        organisation=membership.organisation,
        subject_email=membership.user.email,
        ip_address=ip_address,
        detail={"from": membership.role.value, "to": None},
    )
    db.session.delete(membership)
    db.session.flush()


def leave_organisation(membership: Membership, ip_address: str | None = None) -> None:
    """A member leaves an organisation of their own accord; the last lead cannot."""
    _keep_a_lead(membership, leaving=True)
    audit.record(
        "membership_left",
        f"{membership.user.email} left {membership.organisation.name}",
        actor=membership.user,
        organisation=membership.organisation,
        subject_email=membership.user.email,
        ip_address=ip_address,
        detail={"from": membership.role.value, "to": None},
    )
    db.session.delete(membership)
    db.session.flush()


def _keep_a_lead(membership: Membership, *, leaving: bool = False) -> None:
    """Refuse a change that would leave the organisation without a lead.

    The organisation's row is locked first (on PostgreSQL), so two leads stepping down
    at the same moment are counted one after the other and the second is refused.
    """
    if membership.role != Role.LEAD:
        return
    organisation = membership.organisation
    db.session.execute(
        select(Organisation.id).where(Organisation.id == organisation.id).with_for_update()
    )
    if _lead_count(organisation) <= 1:
        who = "You are" if leaving else f"{membership.user.name} is"
        raise OrganisationError(
            f"{organisation.name} must have at least one lead, and {who} the only one. "
            "Make someone else a lead first"
        )


def _lead_count(organisation: Organisation) -> int:
    return (
        db.session.scalar(
            select(func.count())
            .select_from(Membership)
            .where(Membership.organisation_id == organisation.id, Membership.role == Role.LEAD)
        )
        or 0
    )


def list_users() -> Sequence[User]:
    """Every user, with memberships and regions, by name."""
    return db.session.scalars(
        select(User)
        .options(
            selectinload(User.memberships).selectinload(Membership.organisation),
            selectinload(User.regional_leads),
        )
        .order_by(User.name)
    ).all()
