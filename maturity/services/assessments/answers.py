"""Answers: reading them back, and saving a domain page's answers with nothing lost.

Saves are optimistic: each answer carries the version it was based on. An answer that
someone else changed in the meantime is never silently overwritten; if this person
changed it too, the save reports a conflict and keeps both until they choose.

Values arrive typed (``AnswerInput``); reading and checking a posted page is the web
layer's form (``maturity.web.assessment_forms``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from maturity.extensions import db
from maturity.framework import Answer, AssessmentResult, Domain, Questionnaire, score
from maturity.models import (
    AnswerRecord,
    AnswerRevision,
    Assessment,
    AssessmentStatus,
    Confidence,
    DomainTarget,
    User,
    utcnow,
)
from maturity.services.assessments.errors import AssessmentError
from maturity.services.assessments.finding import questionnaire_of

# AnswerValues field -> the column holding it on AnswerRecord and AnswerRevision.
COLUMNS = {
    "level": "level",
    "not_applicable": "not_applicable",
    "reason": "not_applicable_reason",
    "evidence_note": "evidence_note",
    "evidence_url": "evidence_url",
    "confidence": "confidence",
}


@dataclass(frozen=True)
class AnswerValues:
    """What a person can set on one indicator."""

    level: int | None = None
    not_applicable: bool = False
    reason: str | None = None
    evidence_note: str | None = None
    evidence_url: str | None = None
    confidence: Confidence | None = None

    @property
    def is_empty(self) -> bool:
        return (
            self.level is None
            and not self.not_applicable
            and not self.evidence_note
            and not self.evidence_url
            and self.confidence is None
        )

    @property
    def is_answered(self) -> bool:
        return self.level is not None or self.not_applicable

    @classmethod
    def of(cls, record: AnswerRecord | AnswerRevision) -> AnswerValues:
        return cls(**{name: getattr(record, column) for name, column in COLUMNS.items()})

    def columns(self) -> dict[str, object]:
        """The values by column name, for a row of either answer table."""
        return {column: getattr(self, name) for name, column in COLUMNS.items()}


# --- Reading answers back -----------------------------------------------------------------


def answers_by_indicator(assessment: Assessment) -> dict[str, AnswerRecord]:
    """The assessment's current answers keyed by indicator id."""
    return {answer.indicator_id: answer for answer in assessment.answers}


def targets_by_domain(assessment: Assessment) -> dict[str, int]:
    """The assessment's target levels keyed by domain id."""
    return {target.domain_id: target.level for target in assessment.targets}


def engine_answers(records: Mapping[str, AnswerRecord]) -> dict[str, Answer]:
    """Answers in the scoring engine's terms (only those with a level or marked NA)."""
    answers: dict[str, Answer] = {}
    for indicator_id, record in records.items():
        if record.not_applicable:
            answers[indicator_id] = Answer(not_applicable=True, reason=record.not_applicable_reason)
        elif record.level is not None:
            answers[indicator_id] = Answer(level=record.level)
    return answers


def current_result(assessment: Assessment, questionnaire: Questionnaire) -> AssessmentResult:
    """The result the answers give now (a live preview for a draft)."""
    return score(questionnaire, engine_answers(answers_by_indicator(assessment)))


def history(assessment: Assessment, indicator_id: str) -> Sequence[AnswerRevision]:
    """Every saved state of one indicator's answer, newest first, with who saved it."""
    return db.session.scalars(
        select(AnswerRevision)
        .options(selectinload(AnswerRevision.changed_by))
        .where(
            AnswerRevision.assessment_id == assessment.id,
            AnswerRevision.indicator_id == indicator_id,
        )
        .order_by(AnswerRevision.version.desc(), AnswerRevision.id.desc())
    ).all()


# --- Saving -------------------------------------------------------------------------------


@dataclass(frozen=True)
class AnswerInput:
    """One indicator's answer as a person saved it from a domain page."""

    indicator_id: str
    values: AnswerValues
    base_version: int
    # After a conflict the page asks which answer to keep: "mine", "theirs", or not yet.
    conflict_choice: Literal["mine", "theirs"] | None = None
    conflict_pending: bool = False


@dataclass(frozen=True)
class TargetChoice:
    """The target level chosen for a domain (``None``: no target)."""

    level: int | None


@dataclass(frozen=True)
class Conflict:
    """Someone else saved a different answer to an indicator this person also changed."""

    indicator_id: str
    mine: AnswerValues
    theirs: AnswerValues
    their_version: int
    their_name: str
    their_time: str


@dataclass
class SaveOutcome:
    saved: list[str] = field(default_factory=list)
    conflicts: dict[str, Conflict] = field(default_factory=dict)


def revision_of(record: AnswerRecord, assessment_id: int, user: User) -> AnswerRevision:
    """The history row recording the answer as it now stands."""
    return AnswerRevision(
        assessment_id=assessment_id,
        indicator_id=record.indicator_id,
        version=record.version,
        carried_over=record.carried_over,
        changed_by_id=user.id,
        **AnswerValues.of(record).columns(),
    )


def ensure_editable(assessment: Assessment) -> None:
    """Refuse changes to a submitted assessment.

    The status is read again with a row lock, so that a save cannot land after a lead's
    submission that it raced with (PostgreSQL; SQLite has one writer at a time anyway).
    """
    status = db.session.scalar(
        select(Assessment.status).where(Assessment.id == assessment.id).with_for_update()
    )
    if status != AssessmentStatus.DRAFT:
        raise AssessmentError(
            "This assessment has been submitted and is read-only. A lead can reopen it"
        )


def save_domain(
    assessment: Assessment,
    domain: Domain,
    answers: Mapping[str, AnswerInput],
    user: User,
    *,
    target: TargetChoice | None = None,
) -> SaveOutcome:
    """Save the given answers on a domain page, and the domain's target if one is given.

    Answers to indicators outside the domain are ignored. Per indicator: unchanged
    answers are left alone; an answer based on the version still stored is saved
    (version + 1, a history row added); an answer someone else changed meanwhile is
    kept if this person did not change it, and reported as a conflict if they did
    (unless they chose to keep the other person's answer).
    """
    ensure_editable(assessment)
    outcome = SaveOutcome()
    for indicator in domain.indicators:
        entry = answers.get(indicator.id)
        if entry is not None:
            _save_one(assessment, entry, user, outcome)
    if target is not None:
        _save_target(assessment, domain.id, target.level)
    db.session.flush()
    # The page is shown again after errors or conflicts: it must see what was just saved.
    db.session.expire(assessment, ["answers", "targets"])
    return outcome


def _current(assessment_id: int, indicator_id: str) -> AnswerRecord | None:
    return db.session.scalar(
        select(AnswerRecord)
        .options(selectinload(AnswerRecord.updated_by))
        .where(
            AnswerRecord.assessment_id == assessment_id, AnswerRecord.indicator_id == indicator_id
        )
        .execution_options(populate_existing=True)
    )


def _save_one(assessment: Assessment, entry: AnswerInput, user: User, outcome: SaveOutcome) -> None:
    current = _current(assessment.id, entry.indicator_id)
    if current is None:
        if entry.values.is_empty:
            return
        record = AnswerRecord(
            assessment_id=assessment.id,
            indicator_id=entry.indicator_id,
            version=1,
            updated_by_id=user.id,
            carried_over=False,
            **entry.values.columns(),
        )
        try:
            with db.session.begin_nested():
                db.session.add(record)
        except IntegrityError:
            # Someone else created this answer between our read and our write.
            current = _current(assessment.id, entry.indicator_id)
            if current is None:
                raise
            _report_conflict(entry, current, outcome)
            return
        db.session.add(revision_of(record, assessment.id, user))
        outcome.saved.append(entry.indicator_id)
        return
    if entry.conflict_choice == "theirs":
        return  # asked to keep the other person's answer, whatever version the page had
    if entry.conflict_pending and entry.conflict_choice != "mine":
        _report_conflict(entry, current, outcome)  # still waiting for a choice
        return
    stored = AnswerValues.of(current)
    if stored == entry.values:
        if current.carried_over:
            _write(current, entry.values, user, outcome, entry.indicator_id)
        return
    if current.version != entry.base_version:
        base = _values_at(assessment.id, entry.indicator_id, entry.base_version)
        if base is not None and base == entry.values:
            return  # this person did not change it: keep the newer answer
        _report_conflict(entry, current, outcome)
        return
    _write(current, entry.values, user, outcome, entry.indicator_id)


def _write(
    current: AnswerRecord, values: AnswerValues, user: User, outcome: SaveOutcome, indicator_id: str
) -> None:
    # A conditional UPDATE: if another transaction saved first, no row matches and the
    # change is reported as a conflict instead of overwriting theirs.
    result = db.session.execute(
        update(AnswerRecord)
        .where(AnswerRecord.id == current.id, AnswerRecord.version == current.version)
        .values(
            version=current.version + 1,
            carried_over=False,
            updated_by_id=user.id,
            updated_at=utcnow(),
            **values.columns(),
        )
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        fresh = _current(current.assessment_id, indicator_id)
        assert fresh is not None
        _report_conflict(AnswerInput(indicator_id, values, current.version), fresh, outcome)
        return
    fresh = _current(current.assessment_id, indicator_id)
    assert fresh is not None
    db.session.add(revision_of(fresh, current.assessment_id, user))
    outcome.saved.append(indicator_id)


def _values_at(assessment_id: int, indicator_id: str, version: int) -> AnswerValues | None:
    if version == 0:
        return AnswerValues()
    revision = db.session.scalar(
        select(AnswerRevision)
        .where(
            AnswerRevision.assessment_id == assessment_id,
            AnswerRevision.indicator_id == indicator_id,
            AnswerRevision.version == version,
        )
        .order_by(AnswerRevision.id.desc())
        .limit(1)
    )
    return AnswerValues.of(revision) if revision is not None else None


def set_answer(
    assessment: Assessment, indicator_id: str, values: AnswerValues, user: User
) -> AnswerRecord:
    """Record an answer directly, as the next version (for imports and demo data; the
    web form goes through ``save_domain`` and its conflict checks)."""
    ensure_editable(assessment)
    questionnaire = questionnaire_of(assessment)
    if not questionnaire.has_indicator(indicator_id):
        raise AssessmentError(f"Unknown question {indicator_id!r}")
    record = _current(assessment.id, indicator_id)
    if record is None:
        record = AnswerRecord(assessment_id=assessment.id, indicator_id=indicator_id, version=0)
        db.session.add(record)
    for name, value in values.columns().items():
        setattr(record, name, value)
    record.version = (record.version or 0) + 1
    record.carried_over = False
    record.updated_by_id = user.id
    db.session.flush()
    db.session.add(revision_of(record, assessment.id, user))
    return record


def _report_conflict(entry: AnswerInput, current: AnswerRecord, outcome: SaveOutcome) -> None:
    outcome.conflicts[entry.indicator_id] = Conflict(
        indicator_id=entry.indicator_id,
        mine=entry.values,
        theirs=AnswerValues.of(current),
        their_version=current.version,
        their_name=current.updated_by.name if current.updated_by else "Someone",
        their_time=current.updated_at.strftime("%-d %B %Y at %H:%M") + " UTC",
    )


def _save_target(assessment: Assessment, domain_id: str, level: int | None) -> None:
    existing = db.session.scalar(
        select(DomainTarget).where(
            DomainTarget.assessment_id == assessment.id, DomainTarget.domain_id == domain_id
        )
    )
    if level is None:
        if existing is not None:
            db.session.delete(existing)
    elif existing is None:
        db.session.add(DomainTarget(assessment_id=assessment.id, domain_id=domain_id, level=level))
    else:
        existing.level = level
