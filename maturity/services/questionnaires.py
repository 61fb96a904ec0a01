"""The questionnaires the service serves: the files in the questionnaire folder
(``QUESTIONNAIRE_DIR``, see ``maturity.config.questionnaire_dir``), validated at start, and
the versions administrators have published from the admin pages (``questionnaire_upload``),
each in service from the cycle it was published for. Every version is immutable.

The files are loaded once per process. The published uploads are loaded once per process
too, and loaded again when the newest published id in the database differs from the one
loaded: at most one small query per database session (one per request), so every web
worker sees a version another worker published by its next request. No Flask: the CLI and
jobs read them the same way (outside an application context, only the files).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

from sqlalchemy import func, select

from maturity.config import questionnaire_dir
from maturity.extensions import db
from maturity.framework import Catalogue, Questionnaire, load_directory
from maturity.framework.changelog import Changelog, derive_changelog
from maturity.framework.loader import load_text, version_key
from maturity.framework.periods import Cycle
from maturity.models import QuestionnaireUpload

PUBLISHED = "published"
DRAFT = "draft"
UPLOADED_PREFIX = "uploaded"
_SESSION_KEY = "maturity.questionnaires.checked"


@cache
def _load(folder: str) -> Catalogue:
    return load_directory(Path(folder))


@dataclass(frozen=True)
class _Loaded:
    marker: int | None
    catalogue: Catalogue
    from_cycle: dict[tuple[str, str], str]


_loaded: dict[str, _Loaded] = {}


def _newest_published_id() -> int | None:
    return db.session.scalar(
        select(func.max(QuestionnaireUpload.id)).where(QuestionnaireUpload.status == PUBLISHED)
    )


def _with_uploads(files: Catalogue, marker: int | None) -> _Loaded:
    """The files' catalogue plus every published upload, each with a changelog from the
    version before it worked out from the two (unless a file already describes that step)."""
    uploads = db.session.scalars(
        select(QuestionnaireUpload)
        .where(QuestionnaireUpload.status == PUBLISHED)
        .order_by(QuestionnaireUpload.id)
    ).all()
    entries = [(d, files.path_of(d.id, d.version)) for d in files.all()]
    changelogs: list[Changelog] = [
        c for d in {d.id for d in files.all()} for c in files.changelogs(d)
    ]
    from_cycle: dict[tuple[str, str], str] = {}
    for upload in uploads:
        definition = load_text(upload.yaml_text, upload.file_name)
        entries.append((definition, Path(UPLOADED_PREFIX, upload.file_name)))
        if upload.for_cycle:
            from_cycle[(definition.id, definition.version)] = upload.for_cycle
    combined = Catalogue(entries, changelogs)
    described = {(c.questionnaire, c.from_version, c.version) for c in changelogs}
    for upload in uploads:
        key = (upload.questionnaire_id, upload.version)
        versions = combined.versions(key[0])
        position = versions.index(key[1])
        if position == 0:
            continue
        before = combined.questionnaire(key[0], versions[position - 1])
        after = combined.questionnaire(*key)
        if (key[0], before.version, after.version) not in described:
            changelogs.append(derive_changelog(before, after, f"Uploaded as {upload.file_name}"))
    return _Loaded(marker, Catalogue(entries, changelogs), from_cycle)


def _current() -> _Loaded:
    folder = str(questionnaire_dir())
    files = _load(folder)
    try:
        session = db.session()
    except RuntimeError:  # no application context: the files alone
        return _Loaded(None, files, {})
    loaded = _loaded.get(folder)
    if loaded is not None and session.info.get(_SESSION_KEY) == loaded.marker:
        return loaded
    marker = _newest_published_id()
    session.info[_SESSION_KEY] = marker
    if loaded is None or loaded.marker != marker:
        loaded = _with_uploads(files, marker) if marker is not None else _Loaded(None, files, {})
        _loaded[folder] = loaded
    return loaded


def reload() -> None:
    """Forget the loaded uploads, so the next call loads the published ones again (after
    publishing; other processes notice by the newest published id)."""
    _loaded.clear()
    try:
        db.session().info.pop(_SESSION_KEY, None)
    except RuntimeError:
        pass


def catalogue() -> Catalogue:
    """Every questionnaire: the files, loaded (and validated) once per folder (a bad file
    raises ``QuestionnaireError`` naming the file and field), and the published uploads."""
    return _current().catalogue


def file_catalogue() -> Catalogue:
    """The questionnaire folder's files alone."""
    return _load(str(questionnaire_dir()))


def questionnaire(questionnaire_id: str, version: str | None = None) -> Questionnaire:
    """A questionnaire by id and version (the latest if no version); KeyError if unknown."""
    return catalogue().questionnaire(questionnaire_id, version)


def questionnaire_for_new_assessment(
    questionnaire_id: str, cycle: str | None = None
) -> Questionnaire:
    """The version a new assessment of this questionnaire for ``cycle`` (the current cycle
    if none) starts on: the newest published one in service for that cycle. Every valid
    file in the questionnaire folder is in service for every cycle; an uploaded version
    from the cycle it was published for on. Versions in natural order, so 2026.10 is newer
    than 2026.2. Submitted and started assessments keep theirs.

    This is the one place that decides it: starting an assessment and the start page ask
    here. KeyError if the questionnaire is unknown.
    """
    loaded = _current()
    wanted = Cycle.parse(cycle) if cycle else Cycle.current()
    versions = loaded.catalogue.versions(questionnaire_id)
    for version in sorted(versions, key=version_key, reverse=True):
        starts = loaded.from_cycle.get((questionnaire_id, version))
        if starts is None or not wanted < Cycle.parse(starts):
            return loaded.catalogue.questionnaire(questionnaire_id, version)
    return loaded.catalogue.questionnaire(questionnaire_id)


def changed_questions(
    questionnaire_id: str, from_version: str, to_version: str
) -> dict[str, list[str]] | None:
    """The questions that changed between two versions, each with what changed at each
    step, from the changelogs in the questionnaire folder (or worked out for an uploaded
    version); ``None`` if a step between the versions has no changelog (then any question
    may have changed)."""
    return catalogue().changes(questionnaire_id, from_version, to_version)
