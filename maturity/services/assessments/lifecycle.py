"""An assessment's life: starting (blank or from last cycle's answers), submitting as
a frozen snapshot, and reopening for changes."""

from __future__ import annotations

from datetime import date

from sqlalchemy import delete, select

from maturity.extensions import db
from maturity.framework import AssessmentResult, Questionnaire, score
from maturity.framework.periods import Cycle, PeriodError
from maturity.models import (
    AnswerRecord,
    Assessment,
    AssessmentSnapshot,
    AssessmentStatus,
    DomainScore,
    Organisation,
    User,
    utcnow,
)
from maturity.services import audit
from maturity.services.assessments.answers import (
    AnswerValues,
    answers_by_indicator,
    engine_answers,
    ensure_editable,
    revision_of,
    targets_by_domain,
)
from maturity.services.assessments.errors import REASON_LIMIT, AssessmentError
from maturity.services.assessments.finding import (
    previous_assessment,
    questionnaire_id_for,
    questionnaire_of,
)
from maturity.services.assessments.snapshots import snapshot_answers
from maturity.services.questionnaires import catalogue, questionnaire_for_new_assessment

DECLARATION = (
    "We have agreed these answers with our partners and they give a fair picture of the "
    "academy, backed by the evidence noted."
)


# --- Starting -----------------------------------------------------------------------------


def start_assessment(
    organisation: Organisation,
    cycle: str,
    started_by: User,
    *,
    carry_forward: bool,
    today: date | None = None,
    version: str | None = None,
) -> Assessment:
    """Start the organisation's assessment for a cycle on the version new assessments
    start on (``questionnaire_for_new_assessment``), or on ``version`` when given (for
    imports and demo data).

    With ``carry_forward`` the answers of the last earlier cycle are copied for every
    indicator the version shares with it (answers map through the shared ids, whatever
    version they were given on), marked as carried over until someone confirms them;
    those whose question changed in between are listed by ``changed_carried_answers``.
    One assessment per organisation, questionnaire and cycle. Refusals name their field:
    ``cycle`` or ``start_from``.
    """
    try:
        Cycle.parse(cycle).check_allowed(today or date.today())
    except PeriodError:
        raise AssessmentError("Select a cycle from the list", field="cycle") from None
    if organisation.archived_at is not None:
        raise AssessmentError(
            f"{organisation.name} is archived. An administrator must restore it before "
            "a new assessment can start",
            field="cycle",
        )
    questionnaire_id = questionnaire_id_for(organisation)
    current = (
        questionnaire_for_new_assessment(questionnaire_id, cycle)
        if version is None
        else catalogue().questionnaire(questionnaire_id, version)
    )
    existing = db.session.scalar(
        select(Assessment.id).where(
            Assessment.organisation_id == organisation.id,
            Assessment.questionnaire_id == questionnaire_id,
            Assessment.cycle == cycle,
        )
    )
    if existing is not None:
        raise AssessmentError(
            f"{organisation.name} has already started the {cycle} assessment", field="cycle"
        )
    source = previous_assessment(organisation, questionnaire_id, cycle) if carry_forward else None
    if carry_forward and source is None:
        raise AssessmentError(
            "There is no earlier assessment to copy answers from. Start blank", field="start_from"
        )
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
            carried_over=True,
            version=1,
            updated_by=user,
            **AnswerValues.of(old).columns(),
        )
        db.session.add(record)
        db.session.add(revision_of(record, assessment.id, user))
    db.session.flush()


# --- Submitting and reopening -------------------------------------------------------------


def submit_assessment(assessment: Assessment, user: User, *, declared: bool) -> AssessmentSnapshot:
    """Submit (lead only, checked by the view): freeze the result as a snapshot.

    The snapshot holds the scores, levels, explanation, questionnaire version, every
    answer and the targets, so nothing later can change what was submitted. Refusals
    about the page name the ``declaration`` field.
    """
    ensure_editable(assessment)
    if not declared:
        raise AssessmentError(
            "Confirm that you have agreed these answers with your partners", field="declaration"
        )
    questionnaire = questionnaire_of(assessment)
    records = answers_by_indicator(assessment)
    if not any(record.level is not None or record.not_applicable for record in records.values()):
        raise AssessmentError("Answer at least one question before submitting", field="declaration")
    result = score(questionnaire, engine_answers(records))
    snapshot = AssessmentSnapshot(
        assessment=assessment,
        questionnaire_id=questionnaire.id,
        questionnaire_version=questionnaire.version,
        result=result.to_dict(),
        answers=snapshot_answers(records.values()),
        targets=targets_by_domain(assessment),
        declaration=DECLARATION,
        submitted_by=user,
        overall_score=result.overall.score,
        overall_level=result.overall.level,
    )
    db.session.add(snapshot)
    assessment.status = AssessmentStatus.SUBMITTED
    assessment.submitted_at = utcnow()
    assessment.submitted_by = user
    db.session.flush()
    _record_domain_scores(assessment, snapshot, result)
    from maturity.services.partners import freeze  # partner views build on assessments

    freeze(assessment, snapshot)  # the partners' views are kept beside the snapshot
    audit.record(
        "assessment_submitted",
        f"Submitted the {assessment.cycle} {questionnaire.title}",
        actor=user,
        organisation=assessment.organisation,
        detail={"assessment_id": assessment.id, "snapshot_id": snapshot.id},
    )
    # Imported here: moderation reopens assessments through this module.
    from maturity.services import moderation

    moderation.after_submission(assessment, user)
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

    Earlier snapshots are kept; submitting again adds a new one. Refusals of the reason
    name the ``reason`` field.
    """
    status = db.session.scalar(
        select(Assessment.status).where(Assessment.id == assessment.id).with_for_update()
    )
    if status != AssessmentStatus.SUBMITTED:
        raise AssessmentError("Only a submitted assessment can be reopened")
    reason = reason.strip()
    if not reason:
        raise AssessmentError("Enter why the assessment needs to be reopened", field="reason")
    if len(reason) > REASON_LIMIT:
        raise AssessmentError(
            f"Reason must be {REASON_LIMIT:,} characters or fewer", field="reason"
        )
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
