"""Questionnaire versions uploaded by administrators: validated as the files in the
questionnaire folder are (same schema and loader), kept as drafts to preview, then
published for a cycle. A published version never changes; a version already in service
(a file or a published upload) cannot be uploaded again.

No Flask: the view passes the file's name and bytes.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select

from maturity.extensions import db
from maturity.framework import Questionnaire
from maturity.framework.changelog import Changelog, derive_changelog
from maturity.framework.loader import (
    FILE_PATH,
    FileProblem,
    QuestionnaireError,
    load_text,
    version_key,
)
from maturity.framework.periods import Cycle
from maturity.models import QuestionnaireUpload, User
from maturity.services import audit, questionnaires
from maturity.services.questionnaires import DRAFT, PUBLISHED

# A questionnaire file is tens of kilobytes; anything near this is not one.
MAX_BYTES = 512 * 1024


class UploadError(Exception):
    """An upload or publication refused; ``problems`` lists each fault with its place."""

    def __init__(self, problems: list[FileProblem], field: str = "file") -> None:
        self.problems = problems
        self.field = field
        super().__init__("; ".join(str(p) for p in problems))


@dataclass(frozen=True)
class VersionInService:
    """One version in service, with where it came from."""

    questionnaire_id: str
    version: str
    title: str
    source: str  # "File questionnaires/…" or "Uploaded by … on …"
    from_cycle: str | None


def _problem(file_name: str, message: str, path: str = FILE_PATH) -> UploadError:
    return UploadError([FileProblem(file_name, path, message)])


def in_service() -> list[VersionInService]:
    """Every questionnaire version in service, newest first within each questionnaire."""
    catalogue = questionnaires.catalogue()
    uploads = {
        (u.questionnaire_id, u.version): u
        for u in db.session.scalars(
            select(QuestionnaireUpload).where(QuestionnaireUpload.status == PUBLISHED)
        )
    }
    found = []
    for definition in sorted(
        catalogue.questionnaires(), key=lambda d: (d.id, version_key(d.version)), reverse=True
    ):
        upload = uploads.get((definition.id, definition.version))
        if upload is not None:
            who = upload.published_by.name if upload.published_by else "an administrator"
            when = upload.published_at.strftime("%-d %B %Y") if upload.published_at else ""
            source = f"Uploaded as {upload.file_name}, published by {who} on {when}"
        else:
            source = f"File {catalogue.path_of(definition.id, definition.version).name}"
        found.append(
            VersionInService(
                definition.id,
                definition.version,
                definition.title,
                source,
                upload.for_cycle if upload else None,
            )
        )
    return found


def drafts() -> list[QuestionnaireUpload]:
    """Uploaded versions not yet published, newest first."""
    return list(
        db.session.scalars(
            select(QuestionnaireUpload)
            .where(QuestionnaireUpload.status == DRAFT)
            .order_by(QuestionnaireUpload.id.desc())
        )
    )


def validate(file_name: str, content: bytes) -> Questionnaire:
    """The questionnaire in the file, validated with the folder's schema and loader;
    ``UploadError`` listing every fault (file, path, line) otherwise, or if its version is
    already in service."""
    if len(content) > MAX_BYTES:
        raise _problem(file_name, f"the file is larger than {MAX_BYTES // 1024} KB")
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError:
        raise _problem(file_name, "the file is not UTF-8 text (save it as UTF-8 YAML)") from None
    try:
        definition = load_text(text, file_name)
    except QuestionnaireError as error:
        raise UploadError(list(error.problems)) from None
    if not isinstance(definition, Questionnaire):
        raise _problem(
            file_name,
            "this is a metrics definition: only questionnaires can be uploaded here",
            "purpose",
        )
    catalogue = questionnaires.catalogue()
    if (definition.id, definition.version) in catalogue:
        raise _problem(
            file_name,
            f"{definition.label} is already in service and cannot be replaced: "
            "give the new file a new version",
            "version",
        )
    if not catalogue.versions(definition.id):
        raise _problem(
            file_name,
            f"there is no questionnaire '{definition.id}' in service: an upload is a new "
            "version of one that is",
            "id",
        )
    return definition


def upload(
    file_name: str, content: bytes, *, by: User, ip_address: str | None = None
) -> QuestionnaireUpload:
    """Validate the file and keep it as a draft to preview (nothing is in service yet)."""
    definition = validate(file_name, content)
    record = QuestionnaireUpload(
        questionnaire_id=definition.id,
        version=definition.version,
        file_name=file_name[:200],
        yaml_text=content.decode("utf-8"),
        sha256=hashlib.sha256(content).hexdigest(),
        status=DRAFT,
        uploaded_by=by,
    )
    db.session.add(record)
    db.session.flush()
    audit.record(
        "questionnaire_uploaded",
        f"{by.name} uploaded {file_name} ({definition.label}) as a draft",
        actor=by,
        ip_address=ip_address,
        detail={"upload_id": record.id, "sha256": record.sha256},
    )
    db.session.commit()
    return record


def draft(upload_id: int) -> QuestionnaireUpload | None:
    return db.session.get(QuestionnaireUpload, upload_id)


@dataclass(frozen=True)
class Preview:
    """An uploaded version beside the newest one in service, and what changed."""

    upload: QuestionnaireUpload
    new: Questionnaire
    current: Questionnaire
    changes: Changelog

    def question(self, indicator_id: str, which: Questionnaire) -> str:
        return which.indicator(indicator_id).question


def preview(record: QuestionnaireUpload) -> Preview:
    """The draft beside the newest version in service (changes derived from the two)."""
    new = load_text(record.yaml_text, record.file_name)
    assert isinstance(new, Questionnaire)  # validated on upload
    current = questionnaires.catalogue().questionnaire(new.id)
    return Preview(record, new, current, derive_changelog(current, new, "Preview"))


def publish(
    record: QuestionnaireUpload,
    cycle: str,
    *,
    by: User,
    today: datetime | None = None,
    ip_address: str | None = None,
) -> QuestionnaireUpload:
    """Put a draft in service for ``cycle`` and later cycles. Refused if it is already
    published, if its version came into service since it was uploaded, or if the cycle
    is not a future one."""
    if record.status != DRAFT:
        raise _problem(
            record.file_name, "this version is published and cannot be changed", "version"
        )
    now = today or datetime.now(UTC)
    try:
        chosen = Cycle.parse(cycle)
    except ValueError:
        raise UploadError(
            [FileProblem(record.file_name, "cycle", "Select a cycle")], "cycle"
        ) from None
    if chosen < Cycle.current(now.date()).next():
        raise UploadError(
            [FileProblem(record.file_name, "cycle", "Select a future cycle")], "cycle"
        )
    validate(record.file_name, record.yaml_text.encode("utf-8"))  # still new, still valid
    record.status = PUBLISHED
    record.for_cycle = str(chosen)
    record.published_at = now
    record.published_by = by
    audit.record(
        "questionnaire_published",
        f"{by.name} published questionnaire {record.questionnaire_id} version "
        f"{record.version} for {chosen} and later cycles",
        actor=by,
        ip_address=ip_address,
        detail={"upload_id": record.id, "sha256": record.sha256, "cycle": str(chosen)},
    )
    db.session.commit()
    questionnaires.reload()
    return record


def future_cycles(today: datetime | None = None, count: int = 3) -> list[str]:
    """The cycles a version can be published for: the next few."""
    cycle = Cycle.current((today or datetime.now(UTC)).date()).next()
    found = []
    for _ in range(count):
        found.append(str(cycle))
        cycle = cycle.next()
    return found
