"""Moderation: a second pair of eyes on a submitted self-assessment.

After submitting, an academy asks its regional lead, or a peer academy that has opted in
to moderate, to look at its answers. The moderator reviews each section ("agreed", or
"challenged" with a comment and the level they would expect) and sends the review back.
The academy answers each challenge: it accepts it (which reopens the assessment, with
the challenge as the reason, so the answer can be changed and submitted again) or keeps
its answer and says why. When every challenge is settled and the assessment is
submitted, it is moderated. Nothing here is ever deleted: the thread stays with the
assessment through reopening and resubmission, and every step is audited.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, or_, select
from sqlalchemy.exc import NoResultFound
from sqlalchemy.orm import selectinload
from sqlalchemy.sql.selectable import ScalarSelect

from maturity.extensions import db
from maturity.framework import AssessmentResult, Questionnaire
from maturity.models import (
    Assessment,
    AssessmentStatus,
    ChallengeResponse,
    Membership,
    Moderation,
    ModerationReview,
    ModerationStatus,
    ModerationVerdict,
    Organisation,
    PeerModerator,
    RegionalLead,
    Role,
    User,
    utcnow,
)
from maturity.services import audit
from maturity.services.assessments import (
    REASON_LIMIT,
    latest_snapshot,
    questionnaire_of,
    reopen_assessment,
    snapshot_result,
)
from maturity.services.questionnaires import catalogue

COMMENT_LIMIT = 2000
REGION_CHOICE = "region"


class ModerationError(Exception):
    """A refusal, naming the form field it belongs to (``None``: the page)."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


# --- Who moderates -----------------------------------------------------------------------


def is_peer_moderator(organisation: Organisation) -> bool:
    return (
        db.session.scalar(
            select(PeerModerator.id).where(PeerModerator.organisation_id == organisation.id)
        )
        is not None
    )


def set_peer_moderator(organisation: Organisation, user: User, *, offers: bool) -> None:
    """Opt the academy in (or out) as a moderator other academies may ask. Audited."""
    existing = db.session.scalar(
        select(PeerModerator).where(PeerModerator.organisation_id == organisation.id)
    )
    if offers == (existing is not None):
        return
    if offers:
        db.session.add(PeerModerator(organisation=organisation, opted_in_by_id=user.id))
    else:
        db.session.delete(existing)
    db.session.flush()
    audit.record(
        "peer_moderator_opted_in" if offers else "peer_moderator_opted_out",
        f"{organisation.name} {'offers' if offers else 'no longer offers'} to moderate "
        "other academies",
        actor=user,
        organisation=organisation,
    )


def moderator_choices(organisation: Organisation) -> list[tuple[str, str]]:
    """Who the academy may ask: its regional lead, then every other academy that has
    opted in to moderate, by name. Values are ``"region"`` or an academy's slug."""
    peers = db.session.scalars(
        select(Organisation)
        .join(PeerModerator, PeerModerator.organisation_id == Organisation.id)
        .where(Organisation.id != organisation.id)
        .order_by(Organisation.name)
    ).all()
    return [
        (REGION_CHOICE, f"The regional lead for {organisation.region.name}"),
        *((peer.slug, peer.name) for peer in peers),
    ]


def is_moderator(user: User, moderation: Moderation) -> bool:
    """Whether this person is the named moderator: a regional lead of the named region,
    or a lead of the named peer academy. Administrators are not moderators."""
    if moderation.moderator_region_id is not None:
        return any(lead.region_id == moderation.moderator_region_id for lead in user.regional_leads)
    return any(
        membership.organisation_id == moderation.moderator_organisation_id
        and membership.role == Role.LEAD
        for membership in user.memberships
    )


def moderation_by_id(moderation_id: int) -> Moderation:
    found = db.session.get(Moderation, moderation_id)
    if found is None:
        raise NoResultFound(f"No moderation {moderation_id}")
    return found


def moderation_in(organisation: Organisation, moderation_id: int) -> Moderation:
    """The academy's moderation with this id; NoResultFound (a 404) if it is another's."""
    found = db.session.get(Moderation, moderation_id)
    if found is None or found.organisation_id != organisation.id:
        raise NoResultFound(f"No moderation {moderation_id} for {organisation.slug}")
    return found


def moderations_of(organisation: Organisation) -> Sequence[Moderation]:
    """The academy's moderations, newest first."""
    return db.session.scalars(
        select(Moderation)
        .where(Moderation.organisation_id == organisation.id)
        .options(selectinload(Moderation.reviews), selectinload(Moderation.assessment))
        .order_by(Moderation.id.desc())
    ).all()


def moderations_for(user: User) -> Sequence[Moderation]:
    """The moderations this person is the named moderator of, newest first."""
    regions = select(RegionalLead.region_id).where(RegionalLead.user_id == user.id)
    academies = select(Membership.organisation_id).where(
        Membership.user_id == user.id, Membership.role == Role.LEAD
    )
    return db.session.scalars(
        select(Moderation)
        .where(
            or_(
                Moderation.moderator_region_id.in_(regions),
                Moderation.moderator_organisation_id.in_(academies),
            )
        )
        .options(selectinload(Moderation.organisation), selectinload(Moderation.assessment))
        .order_by(Moderation.id.desc())
    ).all()


# --- Asking -------------------------------------------------------------------------------


def request_moderation(assessment: Assessment, user: User, moderator: str) -> Moderation:
    """Ask the regional lead (``"region"``) or an opted-in peer academy (its slug) to
    moderate a submitted assessment. Refusals name the field: ``assessment`` or
    ``moderator``."""
    organisation = assessment.organisation
    if assessment.status != AssessmentStatus.SUBMITTED:
        raise ModerationError(
            f"The {assessment.cycle} assessment has not been submitted. Submit it before "
            "asking for moderation",
            field="assessment",
        )
    open_already = db.session.scalar(
        select(Moderation.id).where(
            Moderation.assessment_id == assessment.id,
            Moderation.status != ModerationStatus.MODERATED,
        )
    )
    if open_already is not None:
        raise ModerationError(
            f"The {assessment.cycle} assessment is already being moderated", field="assessment"
        )
    region, peer = None, None
    if moderator == REGION_CHOICE:
        has_lead = db.session.scalar(
            select(RegionalLead.id).where(RegionalLead.region_id == organisation.region_id)
        )
        if has_lead is None:
            raise ModerationError(
                f"No one leads {organisation.region.name} on the service yet. Ask a peer "
                "academy instead",
                field="moderator",
            )
        region = organisation.region
    else:
        peer = db.session.scalar(
            select(Organisation)
            .join(PeerModerator, PeerModerator.organisation_id == Organisation.id)
            .where(Organisation.slug == moderator, Organisation.id != organisation.id)
        )
        if peer is None:
            raise ModerationError("Select a moderator from the list", field="moderator")
    snapshot = latest_snapshot(assessment)
    moderation = Moderation(
        assessment=assessment,
        organisation=organisation,
        snapshot=snapshot,
        requested_by_id=user.id,
        moderator_region=region,
        moderator_organisation=peer,
    )
    db.session.add(moderation)
    _touch(assessment)
    db.session.flush()
    audit.record(
        "moderation_requested",
        f"Asked {moderation.moderator_name} to moderate the {assessment.cycle} assessment",
        actor=user,
        organisation=organisation,
        detail={"moderation_id": moderation.id, "assessment_id": assessment.id},
    )
    return moderation


# --- Reviewing ----------------------------------------------------------------------------


@dataclass(frozen=True)
class EvidenceLine:
    """One question as submitted: its level, evidence note and link."""

    title: str
    level_name: str
    evidence_note: str | None
    evidence_url: str | None
    confidence: str | None


@dataclass(frozen=True)
class Section:
    """One section as the moderator sees it, with its review so far."""

    domain_id: str
    title: str
    level: int | None
    level_name: str
    lines: tuple[EvidenceLine, ...]
    review: ModerationReview | None


def questionnaire_for(moderation: Moderation) -> Questionnaire:
    snapshot = moderation.snapshot
    return catalogue().questionnaire(snapshot.questionnaire_id, snapshot.questionnaire_version)


def sections(moderation: Moderation) -> list[Section]:
    """The submission being moderated, section by section: the submitted levels, and
    each question's level, evidence note and link (nothing from any other academy)."""
    questionnaire = questionnaire_for(moderation)
    result = snapshot_result(moderation.snapshot)
    levels = {domain.domain_id: domain for domain in result.domains}
    answers = {answer["indicator_id"]: answer for answer in moderation.snapshot.answers}
    reviews = {review.domain_id: review for review in moderation.reviews}
    found = []
    for domain in questionnaire.domains:
        scored = levels.get(domain.id)
        lines = []
        for indicator in domain.indicators:
            answer = answers.get(indicator.id, {})
            lines.append(
                EvidenceLine(
                    title=indicator.title,
                    level_name=_answer_level(questionnaire, answer),
                    evidence_note=answer.get("evidence_note"),
                    evidence_url=answer.get("evidence_url"),
                    confidence=answer.get("confidence"),
                )
            )
        found.append(
            Section(
                domain_id=domain.id,
                title=domain.title,
                level=scored.level if scored else None,
                level_name=(scored.level_name if scored else None) or "Not assessed",
                lines=tuple(lines),
                review=reviews.get(domain.id),
            )
        )
    return found


def _answer_level(questionnaire: Questionnaire, answer: dict[str, object]) -> str:
    if answer.get("not_applicable"):
        return "Not applicable"
    level = answer.get("level")
    if isinstance(level, int) and level in questionnaire.level_values:
        return questionnaire.level(level).name
    return "Not answered"


def review_section(
    moderation: Moderation,
    user: User,
    domain_id: str,
    *,
    verdict: str,
    comment: str,
    expected_level: int | None,
) -> ModerationReview:
    """Record (or change, until the review is sent back) the moderator's view of one
    section. A challenge needs a comment and the level expected. Refusals name the
    field: ``verdict``, ``comment`` or ``expected_level``."""
    if moderation.status != ModerationStatus.REQUESTED:
        raise ModerationError("This review has been sent back to the academy already")
    questionnaire = questionnaire_for(moderation)
    section = next((s for s in sections(moderation) if s.domain_id == domain_id), None)
    if section is None:
        raise NoResultFound(f"No section {domain_id!r}")
    try:
        chosen = ModerationVerdict(verdict)
    except ValueError:
        raise ModerationError("Select agreed or challenged", field="verdict") from None
    comment = comment.strip()
    if len(comment) > COMMENT_LIMIT:
        raise ModerationError(
            f"Comment must be {COMMENT_LIMIT:,} characters or fewer", field="comment"
        )
    if chosen is ModerationVerdict.CHALLENGED:
        if not comment:
            raise ModerationError("Enter why you challenge this level", field="comment")
        if expected_level not in questionnaire.level_values:
            raise ModerationError("Select the level you would expect", field="expected_level")
    else:
        expected_level = None
    review = section.review or ModerationReview(
        moderation=moderation, domain_id=domain_id, domain_title=section.title
    )
    review.submitted_level = section.level
    review.verdict = chosen
    review.comment = comment or None
    review.expected_level = expected_level
    review.reviewed_by_id = user.id
    db.session.add(review)
    db.session.flush()
    audit.record(
        "moderation_section_reviewed",
        f"{chosen.label}: {section.title} in the {moderation.assessment.cycle} assessment of "
        f"{moderation.organisation.name}",
        actor=user,
        organisation=moderation.organisation,
        detail={
            "moderation_id": moderation.id,
            "domain_id": domain_id,
            "verdict": chosen.value,
            "comment": comment,
            "expected_level": expected_level,
        },
    )
    return review


def send_back(moderation: Moderation, user: User) -> None:
    """Send the review to the academy once every section has been reviewed. With no
    challenge the assessment is moderated at once."""
    if moderation.status != ModerationStatus.REQUESTED:
        raise ModerationError("This review has been sent back to the academy already")
    missing = [section.title for section in sections(moderation) if section.review is None]
    if missing:
        raise ModerationError("Review every section first. Not reviewed yet: " + ", ".join(missing))
    moderation.status = ModerationStatus.RESPONDING
    moderation.returned_at = utcnow()
    _touch(moderation.assessment)
    db.session.flush()
    challenged = sum(1 for r in moderation.reviews if r.verdict == ModerationVerdict.CHALLENGED)
    audit.record(
        "moderation_returned",
        f"Sent the moderation of the {moderation.assessment.cycle} assessment back with "
        f"{challenged} challenge{'s' if challenged != 1 else ''}",
        actor=user,
        organisation=moderation.organisation,
        detail={"moderation_id": moderation.id, "challenged": challenged},
    )
    _settle(moderation, user)


# --- Responding ---------------------------------------------------------------------------


def challenges(moderation: Moderation) -> list[ModerationReview]:
    return [r for r in moderation.reviews if r.verdict == ModerationVerdict.CHALLENGED]


def challenge_in(moderation: Moderation, review_id: int) -> ModerationReview:
    found = next((r for r in challenges(moderation) if r.id == review_id), None)
    if found is None:
        raise NoResultFound(f"No challenge {review_id} in moderation {moderation.id}")
    return found


def reopen_reason(moderation: Moderation, review: ModerationReview) -> str:
    """The reason an accepted challenge reopens the assessment with."""
    reason = (
        f"Accepted the moderation challenge from {moderation.moderator_name} on "
        f"{review.domain_title}: {review.comment or ''}"
    )
    return reason if len(reason) <= REASON_LIMIT else reason[: REASON_LIMIT - 1] + "…"


def respond(
    moderation: Moderation,
    review: ModerationReview,
    user: User,
    *,
    response: str,
    explanation: str,
) -> None:
    """The academy's answer to one challenge: accept it (the assessment is reopened
    with the challenge as the reason, so the answer can be changed and submitted again)
    or keep the answer and say why. Refusals name ``response`` or ``explanation``."""
    if moderation.status != ModerationStatus.RESPONDING:
        raise ModerationError("This moderation is not waiting for your responses")
    if review.response is not None:
        raise ModerationError(f"The challenge on {review.domain_title} has been answered already")
    try:
        chosen = ChallengeResponse(response)
    except ValueError:
        raise ModerationError("Select whether you accept the challenge", field="response") from None
    explanation = explanation.strip()
    if len(explanation) > COMMENT_LIMIT:
        raise ModerationError(
            f"Explanation must be {COMMENT_LIMIT:,} characters or fewer", field="explanation"
        )
    if chosen is ChallengeResponse.EXPLAINED and not explanation:
        raise ModerationError("Enter why you keep your answer", field="explanation")
    if chosen is ChallengeResponse.ACCEPTED:
        assessment = db.session.get_one(Assessment, moderation.assessment_id)
        if assessment.status == AssessmentStatus.SUBMITTED:
            reopen_assessment(assessment, user, reopen_reason(moderation, review))
    review.response = chosen
    review.response_text = explanation or None
    review.responded_by_id = user.id
    review.responded_at = utcnow()
    db.session.flush()
    audit.record(
        "moderation_challenge_answered",
        f"{chosen.label} on {review.domain_title} (moderation by {moderation.moderator_name})",
        actor=user,
        organisation=moderation.organisation,
        detail={
            "moderation_id": moderation.id,
            "review_id": review.id,
            "response": chosen.value,
            "explanation": explanation,
        },
    )
    _settle(moderation, user)


def _settle(moderation: Moderation, user: User | None) -> None:
    """Mark the assessment moderated once every challenge is answered and the
    assessment is submitted again after the last accepted one."""
    if moderation.status != ModerationStatus.RESPONDING:
        return
    found = challenges(moderation)
    if any(review.response is None for review in found):
        return
    assessment = db.session.get_one(Assessment, moderation.assessment_id)
    if assessment.status != AssessmentStatus.SUBMITTED:
        return
    accepted = [
        r.responded_at
        for r in found
        if r.response == ChallengeResponse.ACCEPTED and r.responded_at is not None
    ]
    if accepted and (assessment.submitted_at is None or assessment.submitted_at < max(accepted)):
        return
    moderation.status = ModerationStatus.MODERATED
    moderation.moderated_at = utcnow()
    _touch(assessment)
    db.session.flush()
    audit.record(
        "assessment_moderated",
        f"The {assessment.cycle} assessment was moderated by {moderation.moderator_name}",
        actor=user,
        organisation=moderation.organisation,
        detail={"moderation_id": moderation.id, "assessment_id": assessment.id},
    )


def after_submission(assessment: Assessment, user: User) -> None:
    """Called when an assessment is submitted: a moderation waiting only for the changed
    answers to be submitted is now settled."""
    waiting = db.session.scalars(
        select(Moderation).where(
            Moderation.assessment_id == assessment.id,
            Moderation.status == ModerationStatus.RESPONDING,
        )
    ).all()
    for moderation in waiting:
        _settle(moderation, user)


# --- The outcome on results pages ---------------------------------------------------------


@dataclass(frozen=True)
class Change:
    """A challenged section: what the moderator said, what the academy did, and the
    level before and now."""

    title: str
    comment: str | None
    expected: str | None
    response: ChallengeResponse | None
    response_text: str | None
    before: str
    now: str

    @property
    def changed(self) -> bool:
        return self.before != self.now


@dataclass(frozen=True)
class Outcome:
    """How an assessment was moderated, for its results page."""

    moderator: str
    moderated_at: datetime
    changes: tuple[Change, ...]


def outcome(assessment: Assessment) -> Outcome | None:
    """The latest completed moderation of this assessment, if it is submitted and was
    moderated (a reopened assessment is not shown as moderated)."""
    if assessment.status != AssessmentStatus.SUBMITTED:
        return None
    moderation = db.session.scalar(
        select(Moderation)
        .where(
            Moderation.assessment_id == assessment.id,
            Moderation.status == ModerationStatus.MODERATED,
        )
        .options(selectinload(Moderation.reviews))
        .order_by(Moderation.moderated_at.desc(), Moderation.id.desc())
        .limit(1)
    )
    if moderation is None or moderation.moderated_at is None:
        return None
    questionnaire = questionnaire_of(assessment)
    current = latest_snapshot(assessment)
    now_levels = _levels(snapshot_result(current)) if current else {}
    return Outcome(
        moderator=moderation.moderator_name,
        moderated_at=moderation.moderated_at,
        changes=tuple(
            Change(
                title=review.domain_title,
                comment=review.comment,
                expected=_level_name(questionnaire, review.expected_level),
                response=review.response,
                response_text=review.response_text,
                before=_level_name(questionnaire, review.submitted_level) or "Not assessed",
                now=_level_name(questionnaire, now_levels.get(review.domain_id)) or "Not assessed",
            )
            for review in challenges(moderation)
        ),
    )


def _levels(result: AssessmentResult) -> dict[str, int | None]:
    return {domain.domain_id: domain.level for domain in result.domains}


def _level_name(questionnaire: Questionnaire, level: int | None) -> str | None:
    if level is None or level not in questionnaire.level_values:
        return None
    return questionnaire.level(level).name


def moderated_assessments() -> Select[int]:
    """The ids of moderated assessments, for filtering figures (a subquery)."""
    return select(Moderation.assessment_id).where(Moderation.status == ModerationStatus.MODERATED)


def moderated_assessment_ids(organisation: Organisation) -> set[int]:
    """Which of the academy's assessments have been moderated (one query)."""
    return set(
        db.session.scalars(
            moderated_assessments().where(Moderation.organisation_id == organisation.id)
        )
    )


def latest_status() -> ScalarSelect[ModerationStatus]:
    """The status of the latest moderation of ``Assessment`` in the enclosing query (a
    correlated scalar subquery; NULL when never asked)."""
    return (
        select(Moderation.status)
        .where(Moderation.assessment_id == Assessment.id)
        .order_by(Moderation.id.desc())
        .limit(1)
        .scalar_subquery()
    )


def _touch(assessment: Assessment) -> None:
    """Mark the assessment changed, so the cached regional figures and completion table
    (versioned by assessments' ``updated_at``) show the new moderation status."""
    assessment.updated_at = utcnow()
