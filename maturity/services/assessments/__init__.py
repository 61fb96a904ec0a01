"""Assessments: starting, answering (by a team, with nothing lost), submitting, reopening.

One module for each part, every public name re-exported here:

- ``finding``: finding assessments and the questionnaire each was taken on;
- ``answers``: reading answers back; saving a domain page's typed answers with
  optimistic version checks, merges and conflicts; each indicator's history;
- ``progress``: questions answered, by domain and overall;
- ``carried``: carried answers whose question changed since the version they were given on;
- ``lifecycle``: starting (blank or carried forward), submitting, reopening;
- ``snapshots``: the frozen record of a submission;
- ``errors``: ``AssessmentError`` (naming the field it belongs to) and input limits.
"""

from maturity.services.assessments.answers import (
    AnswerInput,
    AnswerValues,
    Conflict,
    SaveOutcome,
    TargetChoice,
    answers_by_indicator,
    current_result,
    engine_answers,
    ensure_editable,
    history,
    save_domain,
    set_answer,
    targets_by_domain,
)
from maturity.services.assessments.carried import (
    CHANGED_MESSAGE,
    QuestionChange,
    carried_from_version,
    changed_carried_answers,
)
from maturity.services.assessments.errors import (
    EVIDENCE_NOTE_LIMIT,
    REASON_LIMIT,
    URL_LIMIT,
    AssessmentError,
)
from maturity.services.assessments.finding import (
    ForResults,
    assessment_for_results,
    assessment_in,
    assessments_for,
    previous_assessment,
    questionnaire_id_for,
    questionnaire_of,
)
from maturity.services.assessments.lifecycle import (
    DECLARATION,
    reopen_assessment,
    start_assessment,
    submit_assessment,
)
from maturity.services.assessments.progress import DomainProgress, Progress, progress
from maturity.services.assessments.snapshots import (
    latest_snapshot,
    latest_snapshot_id,
    snapshot_result,
)

__all__ = [
    "CHANGED_MESSAGE",
    "DECLARATION",
    "EVIDENCE_NOTE_LIMIT",
    "REASON_LIMIT",
    "URL_LIMIT",
    "AnswerInput",
    "AnswerValues",
    "AssessmentError",
    "Conflict",
    "DomainProgress",
    "Progress",
    "QuestionChange",
    "SaveOutcome",
    "TargetChoice",
    "answers_by_indicator",
    "ForResults",
    "assessment_for_results",
    "assessment_in",
    "assessments_for",
    "carried_from_version",
    "changed_carried_answers",
    "current_result",
    "engine_answers",
    "ensure_editable",
    "history",
    "latest_snapshot",
    "latest_snapshot_id",
    "previous_assessment",
    "progress",
    "questionnaire_id_for",
    "questionnaire_of",
    "reopen_assessment",
    "save_domain",
    "set_answer",
    "snapshot_result",
    "start_assessment",
    "submit_assessment",
    "targets_by_domain",
]
