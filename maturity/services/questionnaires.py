"""The questionnaires the service serves: loaded once from the questionnaire folder
(``QUESTIONNAIRE_DIR``, see ``maturity.config.questionnaire_dir``), validated at start,
immutable afterwards. No Flask: the CLI and jobs read them the same way."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from maturity.config import questionnaire_dir
from maturity.framework import Catalogue, Questionnaire, load_directory


@cache
def _load(folder: str) -> Catalogue:
    return load_directory(Path(folder))


def catalogue() -> Catalogue:
    """Every questionnaire file, loaded (and validated) once per folder; a bad file raises
    ``QuestionnaireError`` naming the file and field."""
    return _load(str(questionnaire_dir()))


def questionnaire(questionnaire_id: str, version: str | None = None) -> Questionnaire:
    """A questionnaire by id and version (the latest if no version); KeyError if unknown."""
    return catalogue().questionnaire(questionnaire_id, version)


def questionnaire_for_new_assessment(questionnaire_id: str) -> Questionnaire:
    """The version a new assessment of this questionnaire starts on: the newest published
    one (every valid file in the questionnaire folder is published; versions in natural
    order, so 2026.10 is newer than 2026.2). Submitted and started assessments keep theirs.

    This is the one place that decides it: starting an assessment and the start page ask
    here. KeyError if the questionnaire is unknown.
    """
    return catalogue().questionnaire(questionnaire_id)


def changed_questions(
    questionnaire_id: str, from_version: str, to_version: str
) -> dict[str, list[str]] | None:
    """The questions that changed between two versions, each with what changed at each
    step, from the changelogs in the questionnaire folder; ``None`` if a step between the
    versions has no changelog (then any question may have changed)."""
    return catalogue().changes(questionnaire_id, from_version, to_version)
