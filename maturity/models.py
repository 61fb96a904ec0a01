"""The database models: SQLAlchemy 2.0 typed declarative classes.

One ``Base`` carries a constraint naming convention so that Alembic names constraints
the same way on SQLite and PostgreSQL. Every table has ``id``, ``created_at`` and
``updated_at``. Datetimes are stored as UTC and always come back timezone-aware.
"""

from __future__ import annotations

import enum
from datetime import UTC, date, datetime
from typing import Any, Self

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Enum,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    Numeric,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, backref, mapped_column, relationship

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    """The current time, timezone-aware, in UTC."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """A datetime stored as naive UTC and returned timezone-aware.

    SQLite keeps no timezone, so without this an aware value written would come back
    naive and comparisons with ``utcnow()`` would fail.
    """

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are not stored; use an aware UTC datetime")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC)


class Base(DeclarativeBase):
    """The declarative base: naming convention and the columns every table has."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


class Choice(enum.StrEnum):
    """A stored choice: its value is what the database holds, its ``label`` what people
    read. Members are written ``NAME = "value", "Label"``; without a label, the value
    capitalised is the label."""

    _value_: str
    _label: str

    def __new__(cls, value: str, label: str | None = None) -> Self:
        member = str.__new__(cls, value)
        member._value_ = value
        member._label = label or value.capitalize()
        return member

    @property
    def label(self) -> str:
        return self._label


def _enum(enum_class: type[enum.Enum], name: str) -> Enum:
    # Stored as plain strings (no native enum type, no CHECK) so that adding a value
    # is a code change rather than a migration that differs between databases.
    return Enum(
        enum_class,
        name=name,
        native_enum=False,
        create_constraint=False,
        length=32,
        values_callable=lambda members: [member.value for member in members],
        validate_strings=True,
    )


class OrganisationKind(Choice):
    SOCIAL_CARE = "social_care", "Social care only"
    HEALTH_AND_CARE = "health_and_care", "Health and care"


class HostBodyType(Choice):
    LOCAL_AUTHORITY = "local_authority", "Local authority"
    NHS_TRUST = "nhs_trust", "NHS trust"
    INTEGRATED_CARE_BOARD = "integrated_care_board", "Integrated care board"
    PARTNERSHIP = "partnership", "Partnership of several bodies"
    OTHER = "other", "Other"


class DeliveryMode(Choice):
    PHYSICAL = "physical"
    VIRTUAL = "virtual"
    BLENDED = "blended"


class OrganisationStatus(Choice):
    SCOPING = "scoping", "Scoping an academy"
    LIVE = "live", "Live academy"


class Locality(Choice):
    URBAN = "urban"
    RURAL = "rural"
    MIXED = "mixed"


class FundingMix(Choice):
    COUNCIL = "council", "Council funded"
    NHS = "nhs", "NHS funded"
    COUNCIL_AND_NHS = "council_and_nhs", "Council and NHS"
    MULTIPLE = "multiple", "Several funders (council, NHS, DWP, grants…)"
    OTHER = "other", "Other"


class Role(Choice):
    CONTRIBUTOR = "contributor"
    LEAD = "lead"


class TokenPurpose(enum.StrEnum):
    INVITATION = "invitation"
    PASSWORD_RESET = "password_reset"
    UNLOCK = "unlock"


class Region(Base):
    """One of England's nine regions, as used by ADASS and LG Inform (reference data)."""

    __tablename__ = "region"

    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    ons_code: Mapped[str] = mapped_column(String(9), unique=True)
    sort_order: Mapped[int] = mapped_column(Integer)

    organisations: Mapped[list[Organisation]] = relationship(back_populates="region")


class Organisation(Base):
    """An academy, or a local authority scoping one."""

    __tablename__ = "organisation"
    __table_args__ = (
        # Cache versions (``maturity.cache``): a region's latest change and the latest
        # anywhere, each one index lookup. The first also serves lookups by region.
        Index("ix_organisation_region_id_updated_at", "region_id", "updated_at"),
        Index("ix_organisation_updated_at", "updated_at"),
    )

    name: Mapped[str] = mapped_column(String(200))
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    region_id: Mapped[int] = mapped_column(ForeignKey("region.id"))
    kind: Mapped[OrganisationKind] = mapped_column(_enum(OrganisationKind, "organisation_kind"))
    host_body_type: Mapped[HostBodyType] = mapped_column(_enum(HostBodyType, "host_body_type"))
    year_established: Mapped[int | None] = mapped_column(Integer)
    delivery_mode: Mapped[DeliveryMode] = mapped_column(_enum(DeliveryMode, "delivery_mode"))
    locality: Mapped[Locality | None] = mapped_column(_enum(Locality, "locality"))
    status: Mapped[OrganisationStatus] = mapped_column(
        _enum(OrganisationStatus, "organisation_status")
    )
    funding_mix: Mapped[FundingMix | None] = mapped_column(_enum(FundingMix, "funding_mix"))
    shares_named_results: Mapped[bool] = mapped_column(Boolean, default=False)
    # Demo organisations are fictional; the interface labels them so.
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)
    # An archived organisation keeps its history but is left out of current figures
    # (``services.organisations.is_current``); None while it is current.
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    region: Mapped[Region] = relationship(back_populates="organisations")
    memberships: Mapped[list[Membership]] = relationship(
        back_populates="organisation", cascade="all, delete-orphan"
    )


class User(Base):
    """A person who signs in. Created by an invitation; no open sign-up."""

    __tablename__ = "user_account"

    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str | None] = mapped_column(String(255))
    is_admin: Mapped[bool] = mapped_column(Boolean, default=False)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    last_signed_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    memberships: Mapped[list[Membership]] = relationship(
        back_populates="user", cascade="all, delete-orphan", foreign_keys="Membership.user_id"
    )
    regional_leads: Mapped[list[RegionalLead]] = relationship(
        back_populates="user", cascade="all, delete-orphan"
    )
    sessions: Mapped[list[UserSession]] = relationship(
        back_populates="user", cascade="all, delete-orphan", passive_deletes=True
    )

    # The key of the session this request is signed in with (see UserSession); set when
    # a session starts or is loaded, never stored on the user (hence not mapped).
    __allow_unmapped__ = True
    session_key: str | None = None

    # Flask-Login protocol.
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        # What the session cookie holds: the user and the key of this one session.
        return f"{self.id}:{self.session_key or ''}"


class UserSession(Base):
    """One signed-in browser. The cookie holds the user's id and a random key; only the
    key's SHA-256 is stored. Deleting the row ends that session on the server, whatever
    the browser still holds (sign-out, sign out of all devices, a new password,
    deactivation)."""

    __tablename__ = "user_session"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    ip_address: Mapped[str | None] = mapped_column(String(45))
    user_agent: Mapped[str | None] = mapped_column(String(200))

    user: Mapped[User] = relationship(back_populates="sessions")


class Membership(Base):
    """A user's role in an organisation."""

    __tablename__ = "membership"
    __table_args__ = (UniqueConstraint("user_id", "organisation_id"),)

    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    role: Mapped[Role] = mapped_column(_enum(Role, "membership_role"))

    user: Mapped[User] = relationship(back_populates="memberships", foreign_keys=[user_id])
    organisation: Mapped[Organisation] = relationship(back_populates="memberships")


class RegionalLead(Base):
    """A user who leads for a region (an ADASS region) and compares its areas."""

    __tablename__ = "regional_lead"
    __table_args__ = (UniqueConstraint("user_id", "region_id"),)

    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    region_id: Mapped[int] = mapped_column(ForeignKey("region.id"), index=True)

    user: Mapped[User] = relationship(back_populates="regional_leads")
    region: Mapped[Region] = relationship()


class AccountToken(Base):
    """A single-use, expiring link: an invitation or a password reset.

    Only a SHA-256 hash of the token is stored; the token itself exists only in the
    link sent to the person.
    """

    __tablename__ = "account_token"

    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    purpose: Mapped[TokenPurpose] = mapped_column(_enum(TokenPurpose, "token_purpose"))
    email: Mapped[str] = mapped_column(String(254), index=True)
    name: Mapped[str | None] = mapped_column(String(200))
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"))
    role: Mapped[Role | None] = mapped_column(_enum(Role, "membership_role"))
    region_id: Mapped[int | None] = mapped_column(ForeignKey("region.id"))
    make_admin: Mapped[bool] = mapped_column(Boolean, default=False)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # An invitation cancelled before it was accepted (``used_at`` is set too, so the
    # link stops working); None for one accepted or still open.
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    organisation: Mapped[Organisation | None] = relationship()
    region: Mapped[Region | None] = relationship()
    created_by: Mapped[User | None] = relationship()


class AuditEvent(Base):
    """Something that happened that an administrator may need to trace later."""

    __tablename__ = "audit_event"

    action: Mapped[str] = mapped_column(String(60), index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"), index=True)
    subject_email: Mapped[str | None] = mapped_column(String(254))
    ip_address: Mapped[str | None] = mapped_column(String(45))
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    summary: Mapped[str] = mapped_column(Text, default="")

    actor: Mapped[User | None] = relationship()
    organisation: Mapped[Organisation | None] = relationship()


class AssessmentStatus(Choice):
    DRAFT = "draft", "In progress"
    SUBMITTED = "submitted", "Submitted"


class Confidence(Choice):
    LOW = "low", "Low: our view, with little evidence yet"
    MEDIUM = "medium", "Medium: some evidence, partly agreed with partners"
    HIGH = "high", "High: documented evidence, agreed with partners"

    @property
    def short_label(self) -> str:
        return self.value.capitalize()


class Assessment(Base):
    """One organisation's answers to one questionnaire for one cycle (e.g. "2026/27").

    It records the questionnaire id and version it was taken on, so a later version of
    the questionnaire never changes it.
    """

    __tablename__ = "assessment"
    __table_args__ = (
        UniqueConstraint("organisation_id", "questionnaire_id", "cycle"),
        # Cache versions (``maturity.cache``): an organisation's latest change and the
        # latest anywhere, each one index lookup. The first also serves lookups by
        # organisation.
        Index("ix_assessment_organisation_id_updated_at", "organisation_id", "updated_at"),
        Index("ix_assessment_updated_at", "updated_at"),
    )

    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    questionnaire_id: Mapped[str] = mapped_column(String(80))
    questionnaire_version: Mapped[str] = mapped_column(String(40))
    cycle: Mapped[str] = mapped_column(String(7))
    status: Mapped[AssessmentStatus] = mapped_column(
        _enum(AssessmentStatus, "assessment_status"), default=AssessmentStatus.DRAFT
    )
    started_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    carried_from_id: Mapped[int | None] = mapped_column(ForeignKey("assessment.id"))
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    organisation: Mapped[Organisation] = relationship()
    answers: Mapped[list[AnswerRecord]] = relationship(
        back_populates="assessment", cascade="all, delete-orphan"
    )
    targets: Mapped[list[DomainTarget]] = relationship(
        back_populates="assessment", cascade="all, delete-orphan"
    )
    snapshots: Mapped[list[AssessmentSnapshot]] = relationship(
        back_populates="assessment",
        cascade="all, delete-orphan",
        order_by="AssessmentSnapshot.id",
    )
    started_by: Mapped[User | None] = relationship(foreign_keys=[started_by_id])
    submitted_by: Mapped[User | None] = relationship(foreign_keys=[submitted_by_id])


class AnswerFields:
    """The columns an answer and each saved state of it share: which indicator of which
    assessment, and what a person set on it. One definition for both tables."""

    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessment.id"), index=True)
    indicator_id: Mapped[str] = mapped_column(String(80))
    level: Mapped[int | None] = mapped_column(Integer)
    not_applicable: Mapped[bool] = mapped_column(Boolean, default=False)
    not_applicable_reason: Mapped[str | None] = mapped_column(Text)
    evidence_note: Mapped[str | None] = mapped_column(Text)
    evidence_url: Mapped[str | None] = mapped_column(String(500))
    confidence: Mapped[Confidence | None] = mapped_column(_enum(Confidence, "confidence"))
    carried_over: Mapped[bool] = mapped_column(Boolean, default=False)


class AnswerRecord(AnswerFields, Base):
    """The current answer to one indicator in one assessment.

    ``version`` goes up by one with every save; a save names the version it was based
    on, so two people editing the same indicator cannot silently overwrite each other.
    """

    __tablename__ = "answer"
    __table_args__ = (
        UniqueConstraint("assessment_id", "indicator_id"),
        # The latest save in an assessment is one index lookup: a region's completion
        # table is cached by the latest save in its assessments in progress.
        Index("ix_answer_assessment_id_updated_at", "assessment_id", "updated_at"),
    )

    version: Mapped[int] = mapped_column(Integer, default=1)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    assessment: Mapped[Assessment] = relationship(back_populates="answers")
    updated_by: Mapped[User | None] = relationship()


class AnswerRevision(AnswerFields, Base):
    """One saved state of an answer: the indicator's history, never changed afterwards."""

    __tablename__ = "answer_revision"

    version: Mapped[int] = mapped_column(Integer)
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    changed_by: Mapped[User | None] = relationship()


class DomainTarget(Base):
    """The level an organisation wants to reach in a domain by next cycle."""

    __tablename__ = "domain_target"
    __table_args__ = (UniqueConstraint("assessment_id", "domain_id"),)

    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessment.id"), index=True)
    domain_id: Mapped[str] = mapped_column(String(80))
    level: Mapped[int] = mapped_column(Integer)

    assessment: Mapped[Assessment] = relationship(back_populates="targets")


class AssessmentSnapshot(Base):
    """The frozen result of a submission: scores, levels, explanation, questionnaire
    version. Later code or questionnaire changes never alter it; re-submitting adds a
    new snapshot and keeps the old."""

    __tablename__ = "assessment_snapshot"

    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessment.id"), index=True)
    questionnaire_id: Mapped[str] = mapped_column(String(80))
    questionnaire_version: Mapped[str] = mapped_column(String(40))
    result: Mapped[dict[str, Any]] = mapped_column(JSON)
    answers: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    targets: Mapped[dict[str, int]] = mapped_column(JSON, default=dict)
    declaration: Mapped[str] = mapped_column(Text)
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    # The overall score and level (also in ``result``): other academies' results pages
    # compare with them, and with the domain_score rows, without parsing the snapshot.
    overall_score: Mapped[float | None] = mapped_column(Float)
    overall_level: Mapped[int | None] = mapped_column(Integer)

    assessment: Mapped[Assessment] = relationship(back_populates="snapshots")
    submitted_by: Mapped[User | None] = relationship()


class StoredChart(Base):
    """A drawn chart's SVG, kept for good: the cache holds charts for a day, this table for
    as long as the data they show. Charts are looked up here before they are drawn, so no
    chart is drawn twice, whatever restarts or cache flushes happen between (see
    ``maturity.cache.Cache.drawn``). Rows are never changed: the same data and drawing code
    give the same key, and new data a new key."""

    __tablename__ = "stored_chart"

    # sha256 of the chart's kind, its arguments and the drawing code's version.
    key: Mapped[str] = mapped_column(String(64), unique=True)
    # sha256 of the SVG, first 40 hex digits: the chart's address, /charts/<digest>.svg.
    digest: Mapped[str] = mapped_column(String(40), index=True)
    svg: Mapped[str] = mapped_column(Text)


class ActionStatus(Choice):
    NOT_STARTED = "not_started", "Not started"
    IN_PROGRESS = "in_progress", "In progress"
    DONE = "done", "Done"


class ActionItem(Base):
    """An action in an organisation's plan, usually from a next step. Actions belong to
    the organisation, not to one assessment, so they carry over between cycles."""

    __tablename__ = "action_item"

    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    assessment_id: Mapped[int | None] = mapped_column(ForeignKey("assessment.id"))
    cycle: Mapped[str | None] = mapped_column(String(7))
    domain_id: Mapped[str] = mapped_column(String(80))
    indicator_id: Mapped[str | None] = mapped_column(String(80))
    title: Mapped[str] = mapped_column(Text)
    owner: Mapped[str] = mapped_column(String(200))
    due_date: Mapped[date | None] = mapped_column(Date)
    status: Mapped[ActionStatus] = mapped_column(
        _enum(ActionStatus, "action_status"), default=ActionStatus.NOT_STARTED
    )
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    organisation: Mapped[Organisation] = relationship()
    created_by: Mapped[User | None] = relationship()


class DirectoryEntry(Base):
    """An academy named in the source documents, with what it is known for (facts only,
    each with its source). Loaded from ``maturity/data/practice-directory.yaml``;
    administrators can add and edit entries."""

    __tablename__ = "directory_entry"

    slug: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    region_code: Mapped[str | None] = mapped_column(String(40))
    kind: Mapped[str | None] = mapped_column(String(32))
    host_body_type: Mapped[str | None] = mapped_column(String(32))
    launched: Mapped[int | None] = mapped_column(Integer)
    locality: Mapped[str | None] = mapped_column(String(32))
    delivery_mode: Mapped[str | None] = mapped_column(String(32))
    funding: Mapped[str | None] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(Text, default="")
    # A list of {"text", "domains", "indicators", "source": {"title", "section", "file", "url"}}
    known_for: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    facts_source: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    edited_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))


class DomainScore(Base):
    """One domain's official score in a submitted assessment: the narrow table that
    regional and national figures are computed from (instead of every snapshot's JSON).

    Written when an assessment is submitted (from its snapshot), removed when it is
    reopened; the snapshots themselves keep the full history.
    """

    __tablename__ = "domain_score"
    __table_args__ = (
        UniqueConstraint("assessment_id", "domain_id"),
        # A region's highest id (part of its cache version) is one index lookup; the
        # index also serves the region's figures.
        Index("ix_domain_score_region_id_id", "region_id", "id"),
    )

    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessment.id"), index=True)
    snapshot_id: Mapped[int] = mapped_column(ForeignKey("assessment_snapshot.id"))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    region_id: Mapped[int] = mapped_column(ForeignKey("region.id"))
    questionnaire_id: Mapped[str] = mapped_column(String(80))
    questionnaire_version: Mapped[str] = mapped_column(String(40))
    cycle: Mapped[str] = mapped_column(String(7), index=True)
    domain_id: Mapped[str] = mapped_column(String(80))
    domain_title: Mapped[str] = mapped_column(String(200))
    score: Mapped[float | None] = mapped_column(Float)
    level: Mapped[int | None] = mapped_column(Integer)


class ApiToken(Base):
    """A personal access token for the read-only API. Only its SHA-256 hash is kept;
    the token is shown once, when it is created."""

    __tablename__ = "api_token"

    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(12))
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship()


class OpenDataRelease(Base):
    """An anonymised national aggregates file for one cycle, published by an admin."""

    __tablename__ = "open_data_release"
    __table_args__ = (UniqueConstraint("questionnaire_id", "cycle"),)

    questionnaire_id: Mapped[str] = mapped_column(String(80))
    cycle: Mapped[str] = mapped_column(String(7))
    csv_text: Mapped[str] = mapped_column(Text)
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    # A withdrawn file is no longer served; the public page says when and why.
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    withdrawal_reason: Mapped[str | None] = mapped_column(Text)
    withdrawn_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))


class ImpactReturnStatus(Choice):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted"


class ImpactReturn(Base):
    """An organisation's impact figures for one financial-year quarter ("2026/27 Q1").

    Aggregates only: no figure or note describes an identifiable person. ``version`` goes
    up with every save, so two people editing at once cannot overwrite each other.
    """

    __tablename__ = "impact_return"
    __table_args__ = (UniqueConstraint("organisation_id", "period"),)

    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    period: Mapped[str] = mapped_column(String(12))
    metrics_id: Mapped[str] = mapped_column(String(80))
    metrics_version: Mapped[str] = mapped_column(String(40))
    status: Mapped[ImpactReturnStatus] = mapped_column(
        _enum(ImpactReturnStatus, "impact_return_status"), default=ImpactReturnStatus.DRAFT
    )
    version: Mapped[int] = mapped_column(Integer, default=1)
    notes: Mapped[str | None] = mapped_column(Text)
    started_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    organisation: Mapped[Organisation] = relationship()
    values: Mapped[list[ImpactValue]] = relationship(
        back_populates="impact_return", cascade="all, delete-orphan"
    )
    updated_by: Mapped[User | None] = relationship(foreign_keys=[updated_by_id])
    submitted_by: Mapped[User | None] = relationship(foreign_keys=[submitted_by_id])


class ImpactValue(Base):
    """One metric's figure in one impact return."""

    __tablename__ = "impact_value"
    __table_args__ = (UniqueConstraint("return_id", "metric_id"),)

    return_id: Mapped[int] = mapped_column(ForeignKey("impact_return.id"), index=True)
    metric_id: Mapped[str] = mapped_column(String(80))
    value: Mapped[float] = mapped_column(Numeric(14, 2, asdecimal=False))

    impact_return: Mapped[ImpactReturn] = relationship(back_populates="values")


class ImpactTarget(Base):
    """What an organisation aims to reach on a metric over a financial year ("2026/27")."""

    __tablename__ = "impact_target"
    __table_args__ = (UniqueConstraint("organisation_id", "cycle", "metric_id"),)

    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    cycle: Mapped[str] = mapped_column(String(7))
    metric_id: Mapped[str] = mapped_column(String(80))
    value: Mapped[float] = mapped_column(Numeric(14, 2, asdecimal=False))


class TheoryOfChange(Base):
    """An organisation's theory of change for one cycle: the challenge, inputs, activities,
    outputs, outcomes (each linked to metric ids and maturity domain ids) and long-term
    impacts. A new cycle starts from a copy of the last one, so earlier versions stay."""

    __tablename__ = "theory_of_change"
    __table_args__ = (UniqueConstraint("organisation_id", "cycle"),)

    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    cycle: Mapped[str] = mapped_column(String(7))
    challenge: Mapped[str] = mapped_column(Text, default="")
    inputs: Mapped[list[str]] = mapped_column(JSON, default=list)
    activities: Mapped[list[str]] = mapped_column(JSON, default=list)
    outputs: Mapped[list[str]] = mapped_column(JSON, default=list)
    # A list of {"text": str, "metric_ids": [str], "domain_ids": [str]}
    outcomes: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    impacts: Mapped[list[str]] = mapped_column(JSON, default=list)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    organisation: Mapped[Organisation] = relationship()
    updated_by: Mapped[User | None] = relationship()


class CaseStudy(Base):
    """A short story of the academy's work, told with the person's consent and no personal
    data beyond a first name; tagged by maturity domain and participant group."""

    __tablename__ = "case_study"

    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    period: Mapped[str] = mapped_column(String(12))
    title: Mapped[str] = mapped_column(String(120))
    body: Mapped[str] = mapped_column(Text)
    first_name: Mapped[str | None] = mapped_column(String(30))
    consent_confirmed: Mapped[bool] = mapped_column(Boolean)
    domain_ids: Mapped[list[str]] = mapped_column(JSON, default=list)
    groups: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    organisation: Mapped[Organisation] = relationship()


class PartnerKind(Choice):
    """The kinds of partner an academy asks for a view of its assessment."""

    CARE_PROVIDER = "care_provider", "Care provider"
    NHS = "nhs", "NHS body"
    EDUCATION = "education", "Education or training provider"
    JOBCENTRE = "jobcentre", "Job centre or DWP"
    VOLUNTARY = "voluntary", "Voluntary sector"
    LIVED_EXPERIENCE = "lived_experience", "Person with lived experience"
    COUNCIL = "council", "Council colleague"
    OTHER = "other", "Other partner"


class PartnerRespondent(Base):
    """A partner asked for an independent view of one assessment: no account and no
    membership. The invitation link is single-use and expiring (only its hash is kept);
    following it gives the browser a key (also kept as a hash) that opens this
    respondent's own questions and nothing else. Removing a partner ends that key."""

    __tablename__ = "partner_respondent"
    __table_args__ = (UniqueConstraint("assessment_id", "pseudonym"),)

    assessment_id: Mapped[int] = mapped_column(
        ForeignKey("assessment.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(254))
    kind: Mapped[PartnerKind] = mapped_column(_enum(PartnerKind, "partner_kind"))
    domain_ids: Mapped[list[str]] = mapped_column(JSON, default=list)
    named: Mapped[bool] = mapped_column(Boolean, default=True)
    pseudonym: Mapped[str] = mapped_column(String(60))
    token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    access_key_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    result_shared: Mapped[bool] = mapped_column(Boolean, default=False)
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    assessment: Mapped[Assessment] = relationship()
    answers: Mapped[list[PartnerAnswer]] = relationship(
        back_populates="respondent", cascade="all, delete-orphan", passive_deletes=True
    )


class PartnerAnswer(Base):
    """A partner's own answer to one question, never scored."""

    __tablename__ = "partner_answer"
    __table_args__ = (UniqueConstraint("respondent_id", "indicator_id"),)

    respondent_id: Mapped[int] = mapped_column(
        ForeignKey("partner_respondent.id", ondelete="CASCADE"), index=True
    )
    indicator_id: Mapped[str] = mapped_column(String(80))
    level: Mapped[int | None] = mapped_column(Integer)
    not_applicable: Mapped[bool] = mapped_column(Boolean, default=False)
    not_applicable_reason: Mapped[str | None] = mapped_column(Text)
    evidence_note: Mapped[str | None] = mapped_column(Text)
    evidence_url: Mapped[str | None] = mapped_column(String(500))
    confidence: Mapped[Confidence | None] = mapped_column(_enum(Confidence, "confidence"))
    version: Mapped[int] = mapped_column(Integer, default=1)

    respondent: Mapped[PartnerRespondent] = relationship(back_populates="answers")


class PartnerAgreement(Base):
    """How the agreed answer to one question was reached with partners: whose answer it
    started from (none: the lead's own) and a note. The agreed answer itself is the
    assessment's answer, the only one scored."""

    __tablename__ = "partner_agreement"
    __table_args__ = (UniqueConstraint("assessment_id", "indicator_id"),)

    assessment_id: Mapped[int] = mapped_column(
        ForeignKey("assessment.id", ondelete="CASCADE"), index=True
    )
    indicator_id: Mapped[str] = mapped_column(String(80))
    source_respondent_id: Mapped[int | None] = mapped_column(
        ForeignKey("partner_respondent.id", ondelete="SET NULL")
    )
    level: Mapped[int | None] = mapped_column(Integer)
    not_applicable: Mapped[bool] = mapped_column(Boolean, default=False)
    note: Mapped[str] = mapped_column(Text)
    agreed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    agreed_by: Mapped[User | None] = relationship()


class PartnerSnapshot(Base):
    """The partners' views as they stood at a submission, kept beside its snapshot:
    respondents (by name or pseudonym, as the lead chose), their answers and how each
    question was agreed."""

    __tablename__ = "partner_snapshot"

    snapshot_id: Mapped[int] = mapped_column(
        ForeignKey("assessment_snapshot.id", ondelete="CASCADE"), unique=True
    )
    assessment_id: Mapped[int] = mapped_column(
        ForeignKey("assessment.id", ondelete="CASCADE"), index=True
    )
    partners_answered: Mapped[int] = mapped_column(Integer, default=0)
    data: Mapped[dict[str, Any]] = mapped_column(JSON)


# --- Moderation and peer introductions ---------------------------------------------------


class ModerationStatus(Choice):
    REQUESTED = "requested", "Waiting for the moderator"
    RESPONDING = "responding", "Waiting for the academy's responses"
    MODERATED = "moderated", "Moderated"


class ModerationVerdict(Choice):
    AGREED = "agreed", "Agreed"
    CHALLENGED = "challenged", "Challenged"


class ChallengeResponse(Choice):
    ACCEPTED = "accepted", "Accepted: the answer will be changed"
    EXPLAINED = "explained", "Kept, with an explanation"


class PeerModerator(Base):
    """An academy that has opted in to moderate other academies' self-assessments."""

    __tablename__ = "peer_moderator"

    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), unique=True)
    opted_in_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    organisation: Mapped[Organisation] = relationship()


class Moderation(Base):
    """A submitted assessment put to a second pair of eyes: the academy's regional lead
    (``moderator_region``) or a peer academy that moderates (``moderator_organisation``).
    The thread (each section's review and the academy's response) is kept for good."""

    __tablename__ = "moderation"

    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessment.id"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    moderator_region_id: Mapped[int | None] = mapped_column(ForeignKey("region.id"), index=True)
    moderator_organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisation.id"), index=True
    )
    snapshot_id: Mapped[int] = mapped_column(ForeignKey("assessment_snapshot.id"))
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    status: Mapped[ModerationStatus] = mapped_column(
        _enum(ModerationStatus, "moderation_status"), default=ModerationStatus.REQUESTED
    )
    returned_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    moderated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    # Goes with its assessment (assessments are not deleted by the service; tests do).
    assessment: Mapped[Assessment] = relationship(
        backref=backref("moderations", cascade="all, delete-orphan")
    )
    organisation: Mapped[Organisation] = relationship(foreign_keys=[organisation_id])
    moderator_region: Mapped[Region | None] = relationship()
    moderator_organisation: Mapped[Organisation | None] = relationship(
        foreign_keys=[moderator_organisation_id]
    )
    snapshot: Mapped[AssessmentSnapshot] = relationship()
    requested_by: Mapped[User | None] = relationship()
    reviews: Mapped[list[ModerationReview]] = relationship(
        back_populates="moderation", cascade="all, delete-orphan", order_by="ModerationReview.id"
    )

    @property
    def moderator_name(self) -> str:
        if self.moderator_organisation is not None:
            return self.moderator_organisation.name
        return self.moderator_region.name if self.moderator_region else "a moderator"


class ModerationReview(Base):
    """The moderator's view of one section ("agreed", or "challenged" with a comment and
    the level they would expect) and, for a challenge, the academy's response."""

    __tablename__ = "moderation_review"
    __table_args__ = (UniqueConstraint("moderation_id", "domain_id"),)

    moderation_id: Mapped[int] = mapped_column(ForeignKey("moderation.id"), index=True)
    domain_id: Mapped[str] = mapped_column(String(80))
    domain_title: Mapped[str] = mapped_column(String(200))
    submitted_level: Mapped[int | None] = mapped_column(Integer)
    verdict: Mapped[ModerationVerdict] = mapped_column(
        _enum(ModerationVerdict, "moderation_verdict")
    )
    comment: Mapped[str | None] = mapped_column(Text)
    expected_level: Mapped[int | None] = mapped_column(Integer)
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    response: Mapped[ChallengeResponse | None] = mapped_column(
        _enum(ChallengeResponse, "challenge_response")
    )
    response_text: Mapped[str | None] = mapped_column(Text)
    responded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    responded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    moderation: Mapped[Moderation] = relationship(back_populates="reviews")
    reviewed_by: Mapped[User | None] = relationship(foreign_keys=[reviewed_by_id])
    responded_by: Mapped[User | None] = relationship(foreign_keys=[responded_by_id])


class IntroductionStatus(Choice):
    PENDING = "pending", "Waiting for a reply"
    ACCEPTED = "accepted", "Accepted"
    DECLINED = "declined", "Declined"


class Introduction(Base):
    """A request, sent through the service, to be introduced to another academy's lead.
    No contact details pass until the other academy accepts."""

    __tablename__ = "introduction"

    from_organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    to_organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    message: Mapped[str] = mapped_column(Text)
    reason: Mapped[str | None] = mapped_column(Text)
    status: Mapped[IntroductionStatus] = mapped_column(
        _enum(IntroductionStatus, "introduction_status"), default=IntroductionStatus.PENDING
    )
    responded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    responded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    from_organisation: Mapped[Organisation] = relationship(foreign_keys=[from_organisation_id])
    to_organisation: Mapped[Organisation] = relationship(foreign_keys=[to_organisation_id])
    requested_by: Mapped[User] = relationship(foreign_keys=[requested_by_id])
    responded_by: Mapped[User | None] = relationship(foreign_keys=[responded_by_id])


class AssessmentWindow(Base):
    """When a cycle's assessment is open: nationally (no region) or for one region, which
    then overrides the national window there; with the questionnaire version to use."""

    __tablename__ = "assessment_window"
    __table_args__ = (UniqueConstraint("cycle", "region_id"),)

    cycle: Mapped[str] = mapped_column(String(7))
    region_id: Mapped[int | None] = mapped_column(ForeignKey("region.id"))
    opens_on: Mapped[date] = mapped_column(Date)
    closes_on: Mapped[date] = mapped_column(Date)
    questionnaire_version: Mapped[str] = mapped_column(String(40))
    opened_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    region: Mapped[Region | None] = relationship()
    opened_by: Mapped[User | None] = relationship()


class DeadlineReminder(Base):
    """A reminder email sent to one lead about one window's deadline, so that none is
    ever sent twice (the unique constraint holds even for two runs at once)."""

    __tablename__ = "deadline_reminder"
    __table_args__ = (
        # Named here: the conventional name would pass PostgreSQL's 63 characters.
        UniqueConstraint(
            "window_id",
            "organisation_id",
            "user_id",
            "days_before",
            name="uq_deadline_reminder_once",
        ),
    )

    window_id: Mapped[int] = mapped_column(ForeignKey("assessment_window.id"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    days_before: Mapped[int] = mapped_column(Integer)


class QuestionnaireUpload(Base):
    """A questionnaire version an administrator uploaded (the YAML text as sent, with its
    SHA-256): a draft until published for a cycle; once published it is in service from
    that cycle on and never changes (the services refuse edits and repeated versions)."""

    __tablename__ = "questionnaire_upload"

    questionnaire_id: Mapped[str] = mapped_column(String(80))
    version: Mapped[str] = mapped_column(String(40))
    file_name: Mapped[str] = mapped_column(String(200))
    yaml_text: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(20), default="draft", index=True)
    for_cycle: Mapped[str | None] = mapped_column(String(7))
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    uploaded_by: Mapped[User | None] = relationship(foreign_keys=[uploaded_by_id])
    published_by: Mapped[User | None] = relationship(foreign_keys=[published_by_id])
