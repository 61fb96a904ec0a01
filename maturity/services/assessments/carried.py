"""Answers carried forward from an earlier version of the questionnaire: which of them
answer a question that has changed since, so the page can ask for them to be checked.

Answers are carried by indicator id (``lifecycle.start_assessment``); the questionnaire
folder's changelogs say which of those questions changed between the version the answer
was given on and the assessment's own. A carried answer stays marked until someone
confirms or changes it (it is then no longer ``carried_over``).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from maturity.extensions import db
from maturity.models import Assessment
from maturity.services.questionnaires import changed_questions

CHANGED_MESSAGE = "This question changed: please check your answer"


@dataclass(frozen=True)
class QuestionChange:
    """A carried answer whose question changed: the version the answer was given on, and
    what changed (from the changelog; empty when no changelog covers the versions)."""

    indicator_id: str
    from_version: str
    what: tuple[str, ...]

    @property
    def message(self) -> str:
        return CHANGED_MESSAGE


def carried_from_version(assessment: Assessment) -> str | None:
    """The questionnaire version of the assessment the answers were carried from, if it
    differs from this one's (None for a blank start or the same version)."""
    if assessment.carried_from_id is None:
        return None
    version = db.session.scalar(
        select(Assessment.questionnaire_version).where(Assessment.id == assessment.carried_from_id)
    )
    return version if version != assessment.questionnaire_version else None


def changed_carried_answers(assessment: Assessment) -> dict[str, QuestionChange]:
    """The carried answers still to confirm whose question changed since they were given,
    by indicator id. Empty unless the answers came from another version."""
    from_version = carried_from_version(assessment)
    if from_version is None:
        return {}
    changes = changed_questions(
        assessment.questionnaire_id, from_version, assessment.questionnaire_version
    )
    found = {}
    for record in assessment.answers:
        if not record.carried_over:
            continue
        if changes is None:  # no changelog: any question may have changed
            found[record.indicator_id] = QuestionChange(record.indicator_id, from_version, ())
        elif record.indicator_id in changes:
            what = tuple(changes[record.indicator_id])
            found[record.indicator_id] = QuestionChange(record.indicator_id, from_version, what)
    return found
