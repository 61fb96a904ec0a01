"""Assessments: starting, answering (by a team, with nothing lost), submitting, reopening.

Saves are optimistic: each answer carries the version it was based on. An answer that
someone else changed in the meantime is never silently overwritten; if this person
changed it too, the save reports a conflict and keeps both until they choose.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from urllib.parse import urlsplit

from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError, NoResultFound
from sqlalchemy.orm import selectinload

from maturity.extensions import db
from maturity.framework import Answer, AssessmentResult, Domain, Questionnaire, score
from maturity.framework.periods import Cycle, PeriodError
from maturity.models import (
    AnswerRecord,
    AnswerRevision,
    Assessment,
    AssessmentSnapshot,
    AssessmentStatus,
    Confidence,
    DomainScore,
    DomainTarget,
    Organisation,
    OrganisationStatus,
    User,
    utcnow,
)
from maturity.services import audit
from maturity.services.questionnaires import catalogue

EVIDENCE_NOTE_LIMIT = 3000
REASON_LIMIT = 1000
URL_LIMIT = 500
DECLARATION = (
    "We have agreed these answers with our partners and they give a fair picture of the "
    "academy, backed by the evidence noted."
)


class AssessmentError(Exception):
    """An assessment request that cannot be met; the message is for the user."""


# --- Finding assessments ------------------------------------------------------------------


def questionnaire_id_for(organisation: Organisation) -> str:
    """Live academies take the annual self-assessment; scoping authorities the scoping one."""
    if organisation.status == OrganisationStatus.SCOPING:
        return "scoping"
    return "academy-maturity"


def questionnaire_of(assessment: Assessment) -> Questionnaire:
    """The exact questionnaire version the assessment was taken on."""
    return catalogue().questionnaire(assessment.questionnaire_id, assessment.questionnaire_version)


def assessments_for(
    organisation: Organisation, *, with_snapshots: bool = False
) -> Sequence[Assessment]:
    """The organisation's assessments, newest cycle first (with their snapshots loaded
    in one more query when asked)."""
    query = (
        select(Assessment)
        .where(Assessment.organisation_id == organisation.id)
        .order_by(Assessment.cycle.desc(), Assessment.questionnaire_id)
    )
    if with_snapshots:
        query = query.options(selectinload(Assessment.snapshots))
    return db.session.scalars(query).all()


def assessment_in(
    organisation: Organisation, assessment_id: int, *, with_answers: bool = True
) -> Assessment:
    """The assessment with this id if it belongs to the organisation; NoResultFound otherwise.

    With ``with_answers`` its answers and targets are loaded up front (they load lazily
    otherwise).
    """
    query = select(Assessment).where(
        Assessment.id == assessment_id, Assessment.organisation_id == organisation.id
    )
    if with_answers:
        query = query.options(selectinload(Assessment.answers), selectinload(Assessment.targets))
    found = db.session.scalar(query)
    if found is None:
        raise NoResultFound(f"No assessment {assessment_id} for {organisation.slug}")
    return found


def assessment_and_snapshot_id(
    organisation: Organisation, assessment_id: int
) -> tuple[Assessment, int | None]:
    """The organisation's assessment and the id of its latest snapshot, in one query;
    NoResultFound if the assessment belongs elsewhere."""
    row = db.session.execute(
        select(Assessment, func.max(AssessmentSnapshot.id))
        .outerjoin(AssessmentSnapshot, AssessmentSnapshot.assessment_id == Assessment.id)
        .where(Assessment.id == assessment_id, Assessment.organisation_id == organisation.id)
        .group_by(Assessment.id)
    ).first()
    if row is None:
        raise NoResultFound(f"No assessment {assessment_id} for {organisation.slug}")
    return row[0], row[1]


def previous_assessment(
    organisation: Organisation, questionnaire_id: str, before_cycle: str
) -> Assessment | None:
    """The organisation's latest assessment of this questionnaire from an earlier cycle."""
    return db.session.scalar(
        select(Assessment)
        .options(selectinload(Assessment.answers))
        .where(
            Assessment.organisation_id == organisation.id,
            Assessment.questionnaire_id == questionnaire_id,
            Assessment.cycle < before_cycle,
        )
        .order_by(Assessment.cycle.desc())
        .limit(1)
    )


# --- Starting -----------------------------------------------------------------------------


def start_assessment(
    organisation: Organisation,
    cycle: str,
    started_by: User,
    *,
    carry_forward: bool,
    today: date | None = None,
) -> Assessment:
    """Start the organisation's assessment for a cycle on the current questionnaire version.

    With ``carry_forward`` the answers of the last earlier cycle are copied for every
    indicator the current version shares with it, marked as carried over until someone
    confirms them. One assessment per organisation, questionnaire and cycle.
    """
    try:
        Cycle.parse(cycle).check_allowed(today or date.today())
    except PeriodError:
        raise AssessmentError("Select a cycle from the list") from None
    questionnaire_id = questionnaire_id_for(organisation)
    current = catalogue().questionnaire(questionnaire_id)
    existing = db.session.scalar(
        select(Assessment.id).where(
            Assessment.organisation_id == organisation.id,
            Assessment.questionnaire_id == questionnaire_id,
            Assessment.cycle == cycle,
        )
    )
    if existing is not None:
        raise AssessmentError(f"{organisation.name} has already started the {cycle} assessment")
    source = previous_assessment(organisation, questionnaire_id, cycle) if carry_forward else None
    if carry_forward and source is None:
        raise AssessmentError("There is no earlier assessment to copy answers from. Start blank")
    assessment = Assessment(
        organisation=organisation,
        questionnaire_id=current.id,
        questionnaire_version=current.version,
        cycle=cycle,
        status=AssessmentStatus.DRAFT,
        started_by=started_by,
        carried_from_id=source.id if source else None,
    )
    db.session.add(assessment)
    db.session.flush()
    if source is not None:
        _carry_answers(assessment, source, current, started_by)
    audit.record(
        "assessment_started",
        f"Started the {cycle} {current.title}" + (" from last cycle's answers" if source else ""),
        actor=started_by,
        organisation=organisation,
        detail={"assessment_id": assessment.id, "carried_from": source.id if source else None},
    )
    return assessment


def _carry_answers(
    assessment: Assessment, source: Assessment, questionnaire: Questionnaire, user: User
) -> None:
    levels = set(questionnaire.level_values)
    for old in source.answers:
        if not questionnaire.has_indicator(old.indicator_id):
            continue  # dropped from this version: nothing to carry
        indicator = questionnaire.indicator(old.indicator_id)
        if old.not_applicable and not indicator.allow_not_applicable:
            continue
        if old.level is not None and old.level not in levels:
            continue
        record = AnswerRecord(
            assessment=assessment,
            indicator_id=old.indicator_id,
            level=old.level,
            not_applicable=old.not_applicable,
            not_applicable_reason=old.not_applicable_reason,
            evidence_note=old.evidence_note,
            evidence_url=old.evidence_url,
            confidence=old.confidence,
            carried_over=True,
            version=1,
            updated_by=user,
        )
        db.session.add(record)
        db.session.add(_revision_of(record, assessment.id, user))
    db.session.flush()


# --- Reading answers back -----------------------------------------------------------------


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
        return cls(
            level=record.level,
            not_applicable=record.not_applicable,
            reason=record.not_applicable_reason,
            evidence_note=record.evidence_note,
            evidence_url=record.evidence_url,
            confidence=record.confidence,
        )


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


@dataclass(frozen=True)
class DomainProgress:
    domain: Domain
    answered: int
    total: int
    carried_over: int

    @property
    def status(self) -> str:
        if self.answered == 0:
            return "Not started"
        if self.answered < self.total or self.carried_over:
            return "In progress"
        return "Completed"


@dataclass(frozen=True)
class Progress:
    domains: list[DomainProgress]

    @property
    def answered(self) -> int:
        return sum(item.answered for item in self.domains)

    @property
    def total(self) -> int:
        return sum(item.total for item in self.domains)


def progress(assessment: Assessment, questionnaire: Questionnaire) -> Progress:
    """How many questions are answered (a level or not applicable), by domain and overall."""
    records = answers_by_indicator(assessment)
    items = []
    for domain in questionnaire.domains:
        answered = carried = 0
        for indicator in domain.indicators:
            record = records.get(indicator.id)
            if record is not None and (record.level is not None or record.not_applicable):
                answered += 1
                carried += int(record.carried_over)
        items.append(DomainProgress(domain, answered, len(domain.indicators), carried))
    return Progress(items)


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


# --- Parsing a domain page ----------------------------------------------------------------


@dataclass(frozen=True)
class AnswerInput:
    """One indicator as posted from a domain page."""

    indicator_id: str
    values: AnswerValues
    base_version: int
    # After a conflict the page asks which answer to keep: "mine", "theirs", or not yet.
    conflict_choice: str | None = None
    conflict_pending: bool = False


@dataclass
class DomainForm:
    """A posted domain page: valid inputs, per-field errors and what was refused."""

    inputs: dict[str, AnswerInput] = field(default_factory=dict)
    raw: dict[str, AnswerValues] = field(default_factory=dict)
    versions: dict[str, int] = field(default_factory=dict)
    target: int | None = None
    target_given: bool = False
    errors: dict[str, str] = field(default_factory=dict)
    unknown: list[str] = field(default_factory=list)

    @property
    def errors_for_indicator(self) -> set[str]:
        """Indicator ids with at least one field error."""
        return {name.partition("-")[2] for name in self.errors}


FIELD_PREFIXES = (
    "level",
    "reason",
    "evidence",
    "link",
    "confidence",
    "version",
    "conflict",
    "pending",
)


WHOLE_NUMBER = re.compile(r"[0-9]{1,9}")


def _whole_number(text: str) -> int | None:
    """A plain ASCII whole number, or None (str.isdigit also accepts "²" and "٣")."""
    return int(text) if WHOLE_NUMBER.fullmatch(text) else None


def _clean_text(value: str | None) -> str | None:
    if value is None:
        return None
    text = value.replace("\r\n", "\n").strip()
    return text or None


def _valid_link(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and bool(parts.netloc) and " " not in url


def parse_domain_form(
    questionnaire: Questionnaire, domain: Domain, form: Mapping[str, str]
) -> DomainForm:
    """Read a posted domain page. Each indicator is valid or has field errors of its own;
    fields naming indicators outside this domain are refused and listed."""
    parsed = DomainForm()
    known = {indicator.id for indicator in domain.indicators}
    for key in form:
        prefix, _, indicator_id = key.partition("-")
        if prefix in FIELD_PREFIXES and indicator_id and indicator_id not in known:
            if indicator_id not in parsed.unknown:
                parsed.unknown.append(indicator_id)
    levels = set(questionnaire.level_values)
    for indicator in domain.indicators:
        _parse_indicator(parsed, indicator.id, indicator.allow_not_applicable, levels, form)
    target = (form.get(f"target-{domain.id}") or "").strip()
    if f"target-{domain.id}" in form:
        parsed.target_given = True
        if target:
            if _whole_number(target) in levels:
                parsed.target = _whole_number(target)
            else:
                parsed.errors[f"target-{domain.id}"] = "Select a target level from the list"
    return parsed


def _parse_level(raw: str, allow_na: bool, levels: set[int]) -> tuple[int | None, bool, str | None]:
    """(level, not applicable, error) from the posted radio value."""
    if not raw:
        return None, False, None
    if raw == "na":
        if allow_na:
            return None, True, None
        return None, False, "This question cannot be marked not applicable"
    if _whole_number(raw) in levels:
        return _whole_number(raw), False, None
    return None, False, "Select a level from the list"


def _parse_indicator(
    parsed: DomainForm,
    indicator_id: str,
    allow_na: bool,
    levels: set[int],
    form: Mapping[str, str],
) -> None:
    errors: dict[str, str] = {}
    level, not_applicable, level_error = _parse_level(
        (form.get(f"level-{indicator_id}") or "").strip(), allow_na, levels
    )
    if level_error:
        errors[f"level-{indicator_id}"] = level_error
    reason = _clean_text(form.get(f"reason-{indicator_id}"))
    if not_applicable and not reason:
        errors[f"reason-{indicator_id}"] = "Explain why this question does not apply"
    if reason and len(reason) > REASON_LIMIT:
        errors[f"reason-{indicator_id}"] = f"Reason must be {REASON_LIMIT:,} characters or fewer"
    note = _clean_text(form.get(f"evidence-{indicator_id}"))
    if note and len(note) > EVIDENCE_NOTE_LIMIT:
        errors[f"evidence-{indicator_id}"] = (
            f"Evidence note must be {EVIDENCE_NOTE_LIMIT:,} characters or fewer"
        )
    link = _clean_text(form.get(f"link-{indicator_id}"))
    if link and (len(link) > URL_LIMIT or not _valid_link(link)):
        errors[f"link-{indicator_id}"] = (
            "Enter a link that starts with http:// or https://, like https://example.org/report"
            if len(link) <= URL_LIMIT
            else f"Link must be {URL_LIMIT} characters or fewer"
        )
    raw_confidence = (form.get(f"confidence-{indicator_id}") or "").strip()
    confidence: Confidence | None = None
    if raw_confidence:
        try:
            confidence = Confidence(raw_confidence)
        except ValueError:
            errors[f"confidence-{indicator_id}"] = "Select how sure you are from the list"
    base_version = _whole_number((form.get(f"version-{indicator_id}") or "0").strip())
    parsed.versions[indicator_id] = base_version or 0
    if base_version is None:
        errors[f"level-{indicator_id}"] = (
            "This answer could not be saved. Reload the page and try again"
        )
    values = AnswerValues(
        level=level,
        not_applicable=not_applicable,
        reason=reason if not_applicable else None,
        evidence_note=note,
        evidence_url=link,
        confidence=confidence,
    )
    parsed.raw[indicator_id] = values
    if errors:
        parsed.errors.update(errors)
        return
    parsed.inputs[indicator_id] = AnswerInput(
        indicator_id=indicator_id,
        values=values,
        base_version=base_version or 0,
        conflict_choice=form.get(f"conflict-{indicator_id}") or None,
        conflict_pending=bool(form.get(f"pending-{indicator_id}")),
    )


# --- Saving -------------------------------------------------------------------------------


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


def _revision_of(record: AnswerRecord, assessment_id: int, user: User) -> AnswerRevision:
    return AnswerRevision(
        assessment_id=assessment_id,
        indicator_id=record.indicator_id,
        version=record.version,
        level=record.level,
        not_applicable=record.not_applicable,
        not_applicable_reason=record.not_applicable_reason,
        evidence_note=record.evidence_note,
        evidence_url=record.evidence_url,
        confidence=record.confidence,
        carried_over=record.carried_over,
        changed_by_id=user.id,
    )


def _columns(values: AnswerValues) -> dict[str, object]:
    return {
        "level": values.level,
        "not_applicable": values.not_applicable,
        "not_applicable_reason": values.reason,
        "evidence_note": values.evidence_note,
        "evidence_url": values.evidence_url,
        "confidence": values.confidence,
    }


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
    assessment: Assessment, domain: Domain, parsed: DomainForm, user: User
) -> SaveOutcome:
    """Save every valid answer on a domain page, and the domain's target.

    Per indicator: unchanged answers are left alone; an answer based on the version
    still stored is saved (version + 1, a history row added); an answer someone else
    changed meanwhile is kept if this person did not change it, and reported as a
    conflict if they did (unless they chose to keep the other person's answer).
    """
    ensure_editable(assessment)
    outcome = SaveOutcome()
    for indicator in domain.indicators:
        entry = parsed.inputs.get(indicator.id)
        if entry is not None:
            _save_one(assessment, entry, user, outcome)
    if parsed.target_given and f"target-{domain.id}" not in parsed.errors:
        _save_target(assessment, domain.id, parsed.target)
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
            **_columns(entry.values),
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
        db.session.add(_revision_of(record, assessment.id, user))
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
            **_columns(values),
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
    db.session.add(_revision_of(fresh, current.assessment_id, user))
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
    for name, value in _columns(values).items():
        setattr(record, name, value)
    record.version = (record.version or 0) + 1
    record.carried_over = False
    record.updated_by_id = user.id
    db.session.flush()
    db.session.add(_revision_of(record, assessment.id, user))
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


# --- Submitting and reopening -------------------------------------------------------------


def submit_assessment(assessment: Assessment, user: User, *, declared: bool) -> AssessmentSnapshot:
    """Submit (lead only, checked by the view): freeze the result as a snapshot.

    The snapshot holds the scores, levels, explanation, questionnaire version, every
    answer and the targets, so nothing later can change what was submitted.
    """
    ensure_editable(assessment)
    if not declared:
        raise AssessmentError("Confirm that you have agreed these answers with your partners")
    questionnaire = questionnaire_of(assessment)
    records = answers_by_indicator(assessment)
    if not any(record.level is not None or record.not_applicable for record in records.values()):
        raise AssessmentError("Answer at least one question before submitting")
    result = score(questionnaire, engine_answers(records))
    snapshot = AssessmentSnapshot(
        assessment=assessment,
        questionnaire_id=questionnaire.id,
        questionnaire_version=questionnaire.version,
        result=result.to_dict(),
        answers=[
            {
                "indicator_id": record.indicator_id,
                "level": record.level,
                "not_applicable": record.not_applicable,
                "reason": record.not_applicable_reason,
                "evidence_note": record.evidence_note,
                "evidence_url": record.evidence_url,
                "confidence": record.confidence.value if record.confidence else None,
                "carried_over": record.carried_over,
                "version": record.version,
            }
            for record in sorted(records.values(), key=lambda r: r.indicator_id)
        ],
        targets=targets_by_domain(assessment),
        declaration=DECLARATION,
        submitted_by=user,
    )
    db.session.add(snapshot)
    assessment.status = AssessmentStatus.SUBMITTED
    assessment.submitted_at = utcnow()
    assessment.submitted_by = user
    db.session.flush()
    _record_domain_scores(assessment, snapshot, result)
    audit.record(
        "assessment_submitted",
        f"Submitted the {assessment.cycle} {questionnaire.title}",
        actor=user,
        organisation=assessment.organisation,
        detail={"assessment_id": assessment.id, "snapshot_id": snapshot.id},
    )
    return snapshot


def _record_domain_scores(
    assessment: Assessment, snapshot: AssessmentSnapshot, result: AssessmentResult
) -> None:
    """Replace the assessment's rows in the domain score table with this submission's."""
    db.session.execute(delete(DomainScore).where(DomainScore.assessment_id == assessment.id))
    organisation = assessment.organisation
    db.session.add_all(
        DomainScore(
            assessment_id=assessment.id,
            snapshot_id=snapshot.id,
            organisation_id=organisation.id,
            region_id=organisation.region_id,
            questionnaire_id=snapshot.questionnaire_id,
            questionnaire_version=snapshot.questionnaire_version,
            cycle=assessment.cycle,
            domain_id=domain.domain_id,
            domain_title=domain.title,
            score=domain.score,
            level=domain.level,
        )
        for domain in result.domains
    )
    db.session.flush()


def reopen_assessment(assessment: Assessment, user: User, reason: str) -> None:
    """Reopen a submitted assessment for changes; the reason goes in the audit log.

    Earlier snapshots are kept; submitting again adds a new one.
    """
    status = db.session.scalar(
        select(Assessment.status).where(Assessment.id == assessment.id).with_for_update()
    )
    if status != AssessmentStatus.SUBMITTED:
        raise AssessmentError("Only a submitted assessment can be reopened")
    reason = reason.strip()
    if not reason:
        raise AssessmentError("Enter why the assessment needs to be reopened")
    if len(reason) > REASON_LIMIT:
        raise AssessmentError(f"Reason must be {REASON_LIMIT:,} characters or fewer")
    assessment.status = AssessmentStatus.DRAFT
    db.session.execute(delete(DomainScore).where(DomainScore.assessment_id == assessment.id))
    db.session.flush()
    audit.record(
        "assessment_reopened",
        f"Reopened the {assessment.cycle} assessment: {reason}",
        actor=user,
        organisation=assessment.organisation,
        detail={"assessment_id": assessment.id, "reason": reason},
    )


def latest_snapshot_id(assessment: Assessment) -> int | None:
    """The id of the assessment's latest snapshot, without loading any snapshot."""
    return db.session.scalar(
        select(func.max(AssessmentSnapshot.id)).where(
            AssessmentSnapshot.assessment_id == assessment.id
        )
    )


def latest_snapshot(assessment: Assessment) -> AssessmentSnapshot | None:
    """The most recent submission's frozen result, if it was ever submitted."""
    return assessment.snapshots[-1] if assessment.snapshots else None


def snapshot_result(snapshot: AssessmentSnapshot) -> AssessmentResult:
    """The frozen result of a submission, exactly as it was scored then."""
    return AssessmentResult.from_dict(snapshot.result)
