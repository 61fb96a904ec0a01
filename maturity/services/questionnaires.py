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
