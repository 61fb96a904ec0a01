"""Partner views: an academy's partners answer its assessment independently, the lead
sees where their views differ and records the agreed answer.

- A lead invites a partner (name, email, kind, the sections asked, named or by kind).
  The invitation link is single-use and expiring; only its hash is kept
  (``services/keys.py``). Following it gives that browser a key, also kept only as a
  hash, that opens this partner's own questions and nothing else: no account, no
  membership.
- A partner's answers are their own rows (``PartnerAnswer``), never scored. They are
  saved as the partner goes and become read-only when the partner submits.
- The lead compares the submitted views question by question (widest spread first) and
  records the agreed answer, which is the assessment's own answer (the only one scored),
  with a note of how it was agreed (``PartnerAgreement``).
- At submission the partners' views are frozen beside the snapshot (``PartnerSnapshot``):
  results, exports and regional figures read them from there.

Small numbers: outside the lead's own pages, partners are described by kind only where
at least ``MINIMUM_GROUP`` of a kind answered (``framework/disclosure.py``).
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from sqlalchemy import delete, func, select, update

from maturity.extensions import db
from maturity.framework import Questionnaire, disclosure
from maturity.framework.views import Spread, count_phrase, widest_first
from maturity.models import (
    AnswerRecord,
    Assessment,
    AssessmentSnapshot,
    AssessmentStatus,
    Confidence,
    PartnerAgreement,
    PartnerAnswer,
    PartnerKind,
    PartnerRespondent,
    PartnerSnapshot,
    User,
    utcnow,
)
from maturity.services import audit
from maturity.services.assessments import (
    AnswerInput,
    AnswerValues,
    answers_by_indicator,
    questionnaire_of,
    set_answer,
)
from maturity.services.keys import key_hash, new_key
from maturity.services.mail import send_email_later
from maturity.services.settings import Settings
from maturity.services.tables import Table

log = logging.getLogger(__name__)

NAME_LIMIT = 200
EMAIL_LIMIT = 254
NOTE_LIMIT = 2000
# A regional figure counts an assessment as agreed with partners from this many answers.
PARTNER_AGREED_FROM = 3

PLURALS = {
    PartnerKind.CARE_PROVIDER: "care providers",
    PartnerKind.NHS: "NHS bodies",
    PartnerKind.EDUCATION: "education or training providers",
    PartnerKind.JOBCENTRE: "job centres or DWP partners",
    PartnerKind.VOLUNTARY: "voluntary sector partners",
    PartnerKind.LIVED_EXPERIENCE: "people with lived experience",
    PartnerKind.COUNCIL: "council colleagues",
    PartnerKind.OTHER: "other partners",
}

SINGULARS = {
    PartnerKind.CARE_PROVIDER: "care provider",
    PartnerKind.NHS: "NHS body",
    PartnerKind.EDUCATION: "education or training provider",
    PartnerKind.JOBCENTRE: "job centre or DWP partner",
    PartnerKind.VOLUNTARY: "voluntary sector partner",
    PartnerKind.LIVED_EXPERIENCE: "person with lived experience",
    PartnerKind.COUNCIL: "council colleague",
    PartnerKind.OTHER: "other partner",
}

LINK_USED = "This link has expired, has already been used or has been withdrawn"


class PartnerError(Exception):
    """A request about partner views that cannot be met; ``field`` names the form field
    it belongs to, if any."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class Invitation:
    """A partner invited or reminded: the only moment the link exists."""

    respondent: PartnerRespondent
    link: str
    emailed: bool


# --- Inviting -----------------------------------------------------------------------------


def respondents_of(assessment: Assessment, *, removed: bool = False) -> list[PartnerRespondent]:
    """The assessment's partners in the order they were invited (removed ones only if
    asked for)."""
    query = select(PartnerRespondent).where(PartnerRespondent.assessment_id == assessment.id)
    if not removed:
        query = query.where(PartnerRespondent.removed_at.is_(None))
    return list(db.session.scalars(query.order_by(PartnerRespondent.id)))


def respondent_in(assessment: Assessment, respondent_id: int) -> PartnerRespondent:
    """One of the assessment's partners; LookupError for anyone else's."""
    found = db.session.get(PartnerRespondent, respondent_id)
    if found is None or found.assessment_id != assessment.id:
        raise LookupError(f"No partner {respondent_id} in assessment {assessment.id}")
    return found


def _ensure_draft(assessment: Assessment) -> None:
    if assessment.status != AssessmentStatus.DRAFT:
        raise PartnerError(
            "This assessment has been submitted. Reopen it to ask partners for their views"
        )


def _check_invitation(
    assessment: Assessment, name: str, email: str, domain_ids: Sequence[str]
) -> list[str]:
    if not name:
        raise PartnerError("Enter the partner's name", "name")
    if len(name) > NAME_LIMIT:
        raise PartnerError(f"Name must be {NAME_LIMIT} characters or fewer", "name")
    if not email or "@" not in email or len(email) > EMAIL_LIMIT:
        raise PartnerError("Enter an email address in the correct format", "email")
    questionnaire = questionnaire_of(assessment)
    unknown = [domain_id for domain_id in domain_ids if domain_id not in questionnaire.domain_ids]
    if unknown:
        raise PartnerError("Select sections from the list", "domains")
    if any(respondent.email == email for respondent in respondents_of(assessment)):
        raise PartnerError(f"{email} has already been invited to this assessment", "email")
    return list(domain_ids) or list(questionnaire.domain_ids)


def invite_partner(
    assessment: Assessment,
    *,
    name: str,
    email: str,
    kind: PartnerKind,
    domain_ids: Sequence[str],
    named: bool,
    invited_by: User,
    link_for: Callable[[str], str],
    settings: Settings,
    ip_address: str | None = None,
) -> Invitation:
    """Invite a partner to give an independent view of the assessment (the sections
    ``domain_ids``, all if empty) and email them a single-use link."""
    _ensure_draft(assessment)
    name, email = name.strip(), email.strip().lower()
    sections = _check_invitation(assessment, name, email, domain_ids)
    same_kind = db.session.scalar(
        select(func.count(PartnerRespondent.id)).where(
            PartnerRespondent.assessment_id == assessment.id, PartnerRespondent.kind == kind
        )
    )
    respondent = PartnerRespondent(
        assessment_id=assessment.id,
        name=name,
        email=email,
        kind=kind,
        domain_ids=sections,
        named=named,
        pseudonym=f"{kind.label} {(same_kind or 0) + 1}",
        expires_at=utcnow(),
        invited_by_id=invited_by.id,
    )
    db.session.add(respondent)
    db.session.flush()
    invitation = _send_link(respondent, invited_by, link_for, settings, reminder=False)
    audit.record(
        "partner_invited",
        f"Invited {email} ({kind.label.lower()}) to give a partner view of the "
        f"{assessment.cycle} assessment",
        actor=invited_by,
        organisation=assessment.organisation,
        subject_email=email,
        ip_address=ip_address,
        detail={"assessment_id": assessment.id, "respondent_id": respondent.id},
    )
    return invitation


def _send_link(
    respondent: PartnerRespondent,
    sender: User,
    link_for: Callable[[str], str],
    settings: Settings,
    *,
    reminder: bool,
) -> Invitation:
    """A new single-use link for the respondent (any earlier one stops working), emailed."""
    token = new_key()
    respondent.token_hash = key_hash(token)
    respondent.expires_at = utcnow() + timedelta(hours=settings.invitation_ttl_hours)
    respondent.used_at = None
    db.session.flush()
    link = link_for(token)
    assessment = respondent.assessment
    academy = assessment.organisation.name
    subject = (
        f"Reminder: {academy} would like your view" if reminder else f"{academy} asks for your view"
    )
    body = (
        f"{sender.name} of {academy} asks for your independent view of the academy, as part "
        f"of its {assessment.cycle} self-assessment on {settings.service_name}.\n\n"
        f"You answer on your own; nobody else's answers are shown to you until you "
        f"submit.\n\nFollow this link to start:\n{link}\n\nThe link can be used once and "
        f"expires on {respondent.expires_at.strftime('%-d %B %Y at %H:%M')} (UTC)."
    )
    emailed = send_email_later(settings.mail, respondent.email, subject, body)
    if settings.show_dev_links:
        log.info("Partner link for %s: %s", respondent.email, link)
    return Invitation(respondent=respondent, link=link, emailed=emailed)


def remind_partners(
    assessment: Assessment,
    by: User,
    link_for: Callable[[str], str],
    settings: Settings,
    ip_address: str | None = None,
) -> list[Invitation]:
    """Email every partner who has not submitted a fresh link; each reminder is logged."""
    _ensure_draft(assessment)
    sent = []
    for respondent in respondents_of(assessment):
        if respondent.submitted_at is not None:
            continue
        sent.append(_send_link(respondent, by, link_for, settings, reminder=True))
        respondent.reminded_at = utcnow()
        audit.record(
            "partner_reminded",
            f"Reminded {respondent.email} to give a partner view of the "
            f"{assessment.cycle} assessment",
            actor=by,
            organisation=assessment.organisation,
            subject_email=respondent.email,
            ip_address=ip_address,
            detail={"assessment_id": assessment.id, "respondent_id": respondent.id},
        )
    db.session.flush()
    return sent


def remove_partner(
    respondent: PartnerRespondent,
    by: User,
    *,
    delete_answers: bool,
    ip_address: str | None = None,
) -> None:
    """Withdraw a partner's link and access. Their submitted answers are kept unless the
    lead deletes them, which is audited."""
    assessment = respondent.assessment
    respondent.removed_at = utcnow()
    respondent.token_hash = None
    respondent.access_key_hash = None
    audit.record(
        "partner_removed",
        f"Removed {respondent.email} from the partners of the {assessment.cycle} assessment",
        actor=by,
        organisation=assessment.organisation,
        subject_email=respondent.email,
        ip_address=ip_address,
        detail={"assessment_id": assessment.id, "respondent_id": respondent.id},
    )
    if delete_answers:
        count = len(respondent.answers)
        db.session.execute(
            delete(PartnerAnswer).where(PartnerAnswer.respondent_id == respondent.id)
        )
        db.session.expire(respondent, ["answers"])
        audit.record(
            "partner_answers_deleted",
            f"Deleted {count} answer(s) given by {respondent.email}",
            actor=by,
            organisation=assessment.organisation,
            subject_email=respondent.email,
            ip_address=ip_address,
            detail={"assessment_id": assessment.id, "respondent_id": respondent.id},
        )
    db.session.flush()


def share_result(assessment: Assessment, shared: bool, by: User) -> None:
    """Let the partners who have submitted see the agreed answers (or stop it)."""
    for respondent in respondents_of(assessment):
        respondent.result_shared = shared
    audit.record(
        "partner_result_shared" if shared else "partner_result_unshared",
        ("Shared" if shared else "Stopped sharing")
        + f" the agreed {assessment.cycle} answers with partners",
        actor=by,
        organisation=assessment.organisation,
        detail={"assessment_id": assessment.id},
    )
    db.session.flush()


# --- The partner's side -------------------------------------------------------------------


def valid_link(token: str) -> PartnerRespondent | None:
    """The respondent whose unused, unexpired link this is, or None."""
    if not token or len(token) > 200:
        return None
    respondent = db.session.scalar(
        select(PartnerRespondent).where(PartnerRespondent.token_hash == key_hash(token))
    )
    if (
        respondent is None
        or respondent.used_at is not None
        or respondent.removed_at is not None
        or respondent.expires_at <= utcnow()
    ):
        return None
    return respondent


def follow_link(respondent: PartnerRespondent, ip_address: str | None = None) -> str:
    """Use the link up (atomically: of two simultaneous uses only one succeeds) and
    return the key that this browser keeps to open the partner's questions."""
    now = utcnow()
    key = new_key()
    result = db.session.execute(
        update(PartnerRespondent)
        .where(
            PartnerRespondent.id == respondent.id,
            PartnerRespondent.used_at.is_(None),
            PartnerRespondent.removed_at.is_(None),
            PartnerRespondent.expires_at > now,
        )
        .values(used_at=now, access_key_hash=key_hash(key))
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise PartnerError(LINK_USED)
    db.session.expire(respondent, ["used_at", "access_key_hash"])
    audit.record(
        "partner_link_used",
        f"{respondent.email} followed their partner link",
        organisation=respondent.assessment.organisation,
        subject_email=respondent.email,
        ip_address=ip_address,
        detail={"assessment_id": respondent.assessment_id, "respondent_id": respondent.id},
    )
    return key


def respondent_for_key(respondent_id: int, key: str | None) -> PartnerRespondent | None:
    """The partner this browser's key opens, if it is still theirs."""
    if not key or len(key) > 200:
        return None
    respondent = db.session.get(PartnerRespondent, respondent_id)
    if (
        respondent is None
        or respondent.removed_at is not None
        or respondent.access_key_hash is None
        or respondent.access_key_hash != key_hash(key)
    ):
        return None
    return respondent


def partner_answers(respondent: PartnerRespondent) -> dict[str, PartnerAnswer]:
    return {answer.indicator_id: answer for answer in respondent.answers}


def values_of(answer: PartnerAnswer) -> AnswerValues:
    return AnswerValues(
        level=answer.level,
        not_applicable=answer.not_applicable,
        reason=answer.not_applicable_reason,
        evidence_note=answer.evidence_note,
        evidence_url=answer.evidence_url,
        confidence=answer.confidence,
    )


def ensure_answerable(respondent: PartnerRespondent, domain_id: str | None = None) -> None:
    """Refuse changes once the partner has submitted, or the assessment has."""
    if respondent.submitted_at is not None:
        raise PartnerError("You have submitted your answers. They can no longer be changed")
    status = db.session.scalar(
        select(Assessment.status).where(Assessment.id == respondent.assessment_id).with_for_update()
    )
    if status != AssessmentStatus.DRAFT:
        raise PartnerError("The academy has submitted its assessment, so answers are closed")
    if domain_id is not None and domain_id not in respondent.domain_ids:
        raise PartnerError("You were not asked about this section")


OTHER_WINDOW = "This answer was changed in another window. Reload the page and try again"


def save_partner_answers(
    respondent: PartnerRespondent, domain_id: str, inputs: Mapping[str, AnswerInput]
) -> dict[str, str]:
    """Save a partner's answers on one section; returns {indicator id: refusal} for
    answers changed meanwhile in another window (kept as stored, nothing overwritten)."""
    ensure_answerable(respondent, domain_id)
    questionnaire = questionnaire_of(respondent.assessment)
    in_domain = {indicator.id for indicator in questionnaire.domain(domain_id).indicators}
    stored = partner_answers(respondent)
    refused: dict[str, str] = {}
    for indicator_id, entry in inputs.items():
        if indicator_id not in in_domain:
            continue
        current = stored.get(indicator_id)
        if current is None:
            if not entry.values.is_empty:
                db.session.add(
                    PartnerAnswer(
                        respondent_id=respondent.id,
                        indicator_id=indicator_id,
                        version=1,
                        **_columns(entry.values),
                    )
                )
            continue
        if values_of(current) == entry.values:
            continue
        if current.version != entry.base_version:
            refused[indicator_id] = OTHER_WINDOW
            continue
        for column, value in _columns(entry.values).items():
            setattr(current, column, value)
        current.version += 1
    db.session.flush()
    db.session.expire(respondent, ["answers"])
    return refused


def _columns(values: AnswerValues) -> dict[str, Any]:
    return {
        "level": values.level,
        "not_applicable": values.not_applicable,
        "not_applicable_reason": values.reason,
        "evidence_note": values.evidence_note,
        "evidence_url": values.evidence_url,
        "confidence": values.confidence,
    }


@dataclass(frozen=True)
class SectionProgress:
    domain_id: str
    title: str
    answered: int
    total: int


def partner_progress(respondent: PartnerRespondent) -> list[SectionProgress]:
    questionnaire = questionnaire_of(respondent.assessment)
    answers = partner_answers(respondent)
    sections = []
    for domain_id in respondent.domain_ids:
        if domain_id not in questionnaire.domain_ids:
            continue
        domain = questionnaire.domain(domain_id)
        answered = sum(
            1
            for indicator in domain.indicators
            if indicator.id in answers
            and (answers[indicator.id].level is not None or answers[indicator.id].not_applicable)
        )
        sections.append(SectionProgress(domain_id, domain.title, answered, len(domain.indicators)))
    return sections


def submit_response(respondent: PartnerRespondent, ip_address: str | None = None) -> None:
    """The partner's answers become read-only and visible to the lead."""
    ensure_answerable(respondent)
    if not any(answer.level is not None or answer.not_applicable for answer in respondent.answers):
        raise PartnerError("Answer at least one question before submitting", "confirm")
    respondent.submitted_at = utcnow()
    audit.record(
        "partner_submitted",
        f"{respondent.email} submitted a partner view of the "
        f"{respondent.assessment.cycle} assessment",
        organisation=respondent.assessment.organisation,
        subject_email=respondent.email,
        ip_address=ip_address,
        detail={"assessment_id": respondent.assessment_id, "respondent_id": respondent.id},
    )
    db.session.flush()


# --- The lead's comparison and agreement --------------------------------------------------


@dataclass(frozen=True)
class View:
    """One respondent's answer to one question, as the lead sees it."""

    respondent_id: int
    label: str
    kind: str
    level: int | None
    not_applicable: bool
    reason: str | None
    evidence_note: str | None
    evidence_url: str | None
    confidence: str | None


@dataclass
class QuestionViews:
    """Every submitted view of one question, the lead's own answer and the agreement."""

    indicator_id: str
    title: str
    domain_title: str
    views: list[View]
    spread: Spread
    own: AnswerValues | None
    agreement: dict[str, Any] | None


@dataclass(frozen=True)
class KindRate:
    kind: PartnerKind
    answered: int
    invited: int

    @property
    def text(self) -> str:
        plural = PLURALS[self.kind] if self.invited != 1 else SINGULARS[self.kind]
        return count_phrase(self.answered, self.invited, plural)


def response_rates(assessment: Assessment) -> list[KindRate]:
    """How many partners of each kind answered, of those invited (for the lead)."""
    invited: Counter[PartnerKind] = Counter()
    answered: Counter[PartnerKind] = Counter()
    for respondent in respondents_of(assessment):
        invited[respondent.kind] += 1
        if respondent.submitted_at is not None:
            answered[respondent.kind] += 1
    return [KindRate(kind, answered[kind], invited[kind]) for kind in PartnerKind if invited[kind]]


def label_of(respondent: PartnerRespondent) -> str:
    """How the respondent is shown: their name if the lead chose to name them, else a
    pseudonym by kind ("Care provider 2")."""
    return respondent.name if respondent.named else respondent.pseudonym


def _agreements(assessment: Assessment) -> dict[str, PartnerAgreement]:
    return {
        agreement.indicator_id: agreement
        for agreement in db.session.scalars(
            select(PartnerAgreement).where(PartnerAgreement.assessment_id == assessment.id)
        )
    }


def views_data(assessment: Assessment) -> dict[str, Any]:
    """The partners' submitted views and the agreements, as kept with a snapshot. Names
    appear only for partners the lead chose to name; emails never."""
    respondents = [r for r in respondents_of(assessment, removed=True) if r.submitted_at]
    labels = {respondent.id: label_of(respondent) for respondent in respondents}
    answers: dict[str, list[dict[str, Any]]] = {}
    for respondent in respondents:
        for answer in sorted(respondent.answers, key=lambda a: a.indicator_id):
            answers.setdefault(answer.indicator_id, []).append(
                {
                    "respondent": respondent.id,
                    "level": answer.level,
                    "not_applicable": answer.not_applicable,
                    "reason": answer.not_applicable_reason,
                    "evidence_note": answer.evidence_note,
                    "evidence_url": answer.evidence_url,
                    "confidence": answer.confidence.value if answer.confidence else None,
                }
            )
    agreements = {
        indicator_id: {
            "level": agreement.level,
            "not_applicable": agreement.not_applicable,
            "note": agreement.note,
            "source": labels.get(agreement.source_respondent_id or 0),
            "agreed_by": agreement.agreed_by.name if agreement.agreed_by else None,
        }
        for indicator_id, agreement in _agreements(assessment).items()
    }
    return {
        "respondents": [
            {
                "id": respondent.id,
                "label": labels[respondent.id],
                "kind": respondent.kind.value,
                "named": respondent.named,
            }
            for respondent in respondents
        ],
        "answers": answers,
        "agreements": agreements,
    }


def _answered(data: Mapping[str, Any]) -> int:
    """Partners who gave at least one answer."""
    return len({view["respondent"] for views in data["answers"].values() for view in views})


def compare(assessment: Assessment, data: Mapping[str, Any] | None = None) -> list[QuestionViews]:
    """Every question some partner answered, with each view, the spread, the lead's own
    answer and how it was agreed: questions whose views differ most come first."""
    data = views_data(assessment) if data is None else data
    questionnaire = questionnaire_of(assessment)
    respondents = {entry["id"]: entry for entry in data["respondents"]}
    own = answers_by_indicator(assessment)
    questions = []
    for domain in questionnaire.domains:
        for indicator in domain.indicators:
            given = data["answers"].get(indicator.id)
            if not given:
                continue
            views = [
                View(
                    respondent_id=view["respondent"],
                    label=respondents[view["respondent"]]["label"],
                    kind=PartnerKind(respondents[view["respondent"]]["kind"]).label,
                    level=view["level"],
                    not_applicable=view["not_applicable"],
                    reason=view["reason"],
                    evidence_note=view["evidence_note"],
                    evidence_url=view["evidence_url"],
                    confidence=view["confidence"],
                )
                for view in given
                if view["respondent"] in respondents
            ]
            record = own.get(indicator.id)
            questions.append(
                QuestionViews(
                    indicator_id=indicator.id,
                    title=indicator.title,
                    domain_title=domain.title,
                    views=views,
                    spread=Spread.of(view.level for view in views),
                    own=AnswerValues.of(record) if record else None,
                    agreement=data["agreements"].get(indicator.id),
                )
            )
    ordered = widest_first([(question.indicator_id, question.spread) for question in questions])
    by_id = {question.indicator_id: question for question in questions}
    return [by_id[indicator_id] for indicator_id, _ in ordered]


@dataclass(frozen=True)
class Agreement:
    """The lead's agreed answer to one question."""

    indicator_id: str
    level: int | None
    not_applicable: bool
    note: str
    source_respondent_id: int | None = None
    reason: str | None = None


def agree(
    assessment: Assessment, agreement: Agreement, by: User, ip_address: str | None = None
) -> None:
    """Record the agreed answer: it becomes the assessment's answer (the only one
    scored), keeping the evidence of the answer it started from, with the note."""
    questionnaire = questionnaire_of(assessment)
    if not questionnaire.has_indicator(agreement.indicator_id):
        raise PartnerError("Unknown question", "level")
    _ensure_draft(assessment)
    note = agreement.note.strip()
    if not note:
        raise PartnerError("Enter how the answer was agreed", "note")
    if len(note) > NOTE_LIMIT:
        raise PartnerError(f"Note must be {NOTE_LIMIT:,} characters or fewer", "note")
    indicator = questionnaire.indicator(agreement.indicator_id)
    if agreement.not_applicable and not indicator.allow_not_applicable:
        raise PartnerError("This question cannot be marked not applicable", "level")
    if not agreement.not_applicable and agreement.level not in questionnaire.level_values:
        raise PartnerError("Select the agreed level", "level")
    source = _source_values(assessment, agreement)
    values = AnswerValues(
        level=None if agreement.not_applicable else agreement.level,
        not_applicable=agreement.not_applicable,
        reason=(agreement.reason or source.reason or note) if agreement.not_applicable else None,
        evidence_note=source.evidence_note,
        evidence_url=source.evidence_url,
        confidence=source.confidence,
    )
    set_answer(assessment, agreement.indicator_id, values, by)
    row = db.session.scalar(
        select(PartnerAgreement).where(
            PartnerAgreement.assessment_id == assessment.id,
            PartnerAgreement.indicator_id == agreement.indicator_id,
        )
    )
    if row is None:
        row = PartnerAgreement(assessment_id=assessment.id, indicator_id=agreement.indicator_id)
        db.session.add(row)
    row.level = values.level
    row.not_applicable = values.not_applicable
    row.note = note
    row.source_respondent_id = agreement.source_respondent_id
    row.agreed_by_id = by.id
    audit.record(
        "partner_answer_agreed",
        f"Agreed the answer to “{indicator.title}” with partners",
        actor=by,
        organisation=assessment.organisation,
        ip_address=ip_address,
        detail={
            "assessment_id": assessment.id,
            "indicator_id": agreement.indicator_id,
            "level": values.level,
        },
    )
    db.session.flush()


def _source_values(assessment: Assessment, agreement: Agreement) -> AnswerValues:
    if agreement.source_respondent_id is None:
        record = answers_by_indicator(assessment).get(agreement.indicator_id)
        return AnswerValues.of(record) if record else AnswerValues()
    respondent = respondent_in(assessment, agreement.source_respondent_id)
    if respondent.submitted_at is None:
        raise PartnerError("Start from a partner who has submitted", "source")
    answer = partner_answers(respondent).get(agreement.indicator_id)
    return values_of(answer) if answer else AnswerValues()


# --- Kept with the submission; results, exports and regional figures ----------------------


def freeze(assessment: Assessment, snapshot: AssessmentSnapshot) -> PartnerSnapshot:
    """Keep the partners' views as they stand beside a submission's snapshot."""
    data = views_data(assessment)
    kept = PartnerSnapshot(
        snapshot_id=snapshot.id,
        assessment_id=assessment.id,
        partners_answered=_answered(data),
        data=data,
    )
    db.session.add(kept)
    db.session.flush()
    return kept


def frozen_data(snapshot_id: int) -> dict[str, Any] | None:
    kept = db.session.scalar(
        select(PartnerSnapshot).where(PartnerSnapshot.snapshot_id == snapshot_id)
    )
    return kept.data if kept is not None else None


def data_for(assessment: Assessment, snapshot_id: int | None) -> dict[str, Any]:
    """A submitted assessment's partners' views as kept with its snapshot; a draft's as
    they stand."""
    if assessment.status == AssessmentStatus.SUBMITTED and snapshot_id is not None:
        kept = frozen_data(snapshot_id)
        if kept is not None:
            return kept
        return {"respondents": [], "answers": {}, "agreements": {}}
    return views_data(assessment)


@dataclass
class ResultsSummary:
    """What every member sees on the results page (small numbers pooled)."""

    answered: int
    kinds_text: str
    differed: list[QuestionViews] = field(default_factory=list)


def kinds_text(kinds: Sequence[str]) -> str:
    """ "3 care providers and 2 other partners": a kind is named only where at least
    ``MINIMUM_GROUP`` of it answered; the rest are pooled."""
    counts = Counter(PartnerKind(kind) for kind in kinds)
    shown, pooled = [], 0
    for kind in PartnerKind:
        if counts[kind] >= disclosure.MINIMUM_GROUP:
            shown.append(f"{counts[kind]} {PLURALS[kind]}")
        else:
            pooled += counts[kind]
    if pooled:
        shown.append(f"{pooled} other partner{'s' if pooled != 1 else ''}")
    if len(shown) > 1:
        return ", ".join(shown[:-1]) + " and " + shown[-1]
    return shown[0] if shown else ""


def results_summary(
    assessment: Assessment, snapshot_id: int | None, *, limit: int = 10
) -> ResultsSummary | None:
    """ "Agreed with N partners (kinds)" and the questions where views differed most,
    with how each was settled; None when no partner answered."""
    data = data_for(assessment, snapshot_id)
    answered_ids = {view["respondent"] for views in data["answers"].values() for view in views}
    if not answered_ids:
        return None
    kinds = [entry["kind"] for entry in data["respondents"] if entry["id"] in answered_ids]
    differed = [question for question in compare(assessment, data) if question.spread.width > 0]
    return ResultsSummary(
        answered=len(answered_ids), kinds_text=kinds_text(kinds), differed=differed[:limit]
    )


def partner_answers_table(assessment: Assessment, snapshot_id: int | None) -> Table:
    """Every partner's answer beside the agreed one, for the lead's CSV and XLSX:
    partners the lead chose not to name appear by pseudonym."""
    questionnaire: Questionnaire = questionnaire_of(assessment)
    data = data_for(assessment, snapshot_id)
    rows = []
    for question in compare(assessment, data):
        agreed = question.agreement or {}
        agreed_level = (
            "Not applicable" if agreed.get("not_applicable") else agreed.get("level") or ""
        )
        for view in question.views:
            rows.append(
                [
                    question.domain_title,
                    question.title,
                    view.label,
                    view.kind,
                    "Not applicable" if view.not_applicable else (view.level or ""),
                    view.evidence_note or "",
                    view.evidence_url or "",
                    Confidence(view.confidence).short_label if view.confidence else "",
                    question.spread.width,
                    agreed_level,
                    agreed.get("note", ""),
                ]
            )
    return Table(
        key="partner-answers",
        caption=f"Partner answers, {assessment.cycle} {questionnaire.title}",
        head=[
            "Section",
            "Question",
            "Partner",
            "Kind of partner",
            "Level",
            "Evidence",
            "Link",
            "Confidence",
            "Spread (levels)",
            "Agreed level",
            "How it was agreed",
        ],
        rows=rows,
    )


def partner_agreed_snapshots() -> Any:
    """The snapshots agreed with at least ``PARTNER_AGREED_FROM`` partners (a subquery
    for regional figures)."""
    return select(PartnerSnapshot.snapshot_id).where(
        PartnerSnapshot.partners_answered >= PARTNER_AGREED_FROM
    )


def answers_for_respondent(respondent: PartnerRespondent) -> list[tuple[str, AnswerValues]]:
    """The partner's own answers in questionnaire order (for their read-only page)."""
    questionnaire = questionnaire_of(respondent.assessment)
    answers = partner_answers(respondent)
    return [
        (indicator.id, values_of(answers[indicator.id]))
        for domain_id in respondent.domain_ids
        if domain_id in questionnaire.domain_ids
        for indicator in questionnaire.domain(domain_id).indicators
        if indicator.id in answers
    ]


def agreed_answers(assessment: Assessment) -> dict[str, AnswerRecord]:
    """The assessment's answers (agreed ones included), for partners the lead shared
    the result with."""
    return answers_by_indicator(assessment)
