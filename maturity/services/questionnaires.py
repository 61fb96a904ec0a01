"""The questionnaires the app serves: loaded once at start, immutable afterwards."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from flask import Flask, current_app

from maturity.framework import Catalogue, Questionnaire, load_directory

EXTENSION_KEY = "maturity.catalogue"


@cache
def _load(folder: str) -> Catalogue:
    return load_directory(Path(folder))


def install_catalogue(app: Flask) -> None:
    """Load (and validate) every questionnaire file at start; a bad file stops the app."""
    app.extensions[EXTENSION_KEY] = _load(str(app.config["QUESTIONNAIRE_DIR"]))


def catalogue() -> Catalogue:
    """The loaded questionnaires of the running app."""
    found: Catalogue = current_app.extensions[EXTENSION_KEY]
    return found


def questionnaire(questionnaire_id: str, version: str | None = None) -> Questionnaire:
    """A questionnaire by id and version (the latest if no version); KeyError if unknown."""
    return catalogue().questionnaire(questionnaire_id, version)
