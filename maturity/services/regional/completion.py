"""How far each organisation in a region is with this cycle's assessment."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import case, func, or_, select

from maturity.extensions import db
from maturity.models import (
    AnswerRecord,
    Assessment,
    AssessmentStatus,
    ModerationStatus,
    Organisation,
    OrganisationKind,
    OrganisationStatus,
    Region,
)
from maturity.services.moderation import latest_status as latest_moderation_status
from maturity.services.organisations import is_current
from maturity.services.questionnaires import catalogue
from maturity.services.regional.filters import ANNUAL, Filters
from maturity.services.tables import Table


@dataclass(frozen=True)
class CompletionOrganisation:
    """What the completion table shows about an organisation."""

    id: int
    name: str
    slug: str
    scoping: bool


@dataclass(frozen=True)
class CompletionRow:
    organisation: CompletionOrganisation
    status: str
    answered_percent: int | None
    submitted_on: date | None
    moderation: str | None = None  # the latest moderation's status, if one was asked for


def completion(region: Region, filters: Filters) -> list[CompletionRow]:
    """Every academy and scoping authority in the region and how far it is with this
    cycle's assessment (one query)."""
    answered = (
        select(func.count())
        .select_from(AnswerRecord)
        .where(
            AnswerRecord.assessment_id == Assessment.id,
            or_(AnswerRecord.level.is_not(None), AnswerRecord.not_applicable),
        )
        .scalar_subquery()
    )
    expected_questionnaire = case(
        (Organisation.status == OrganisationStatus.SCOPING, "scoping"), else_=ANNUAL
    )
    query = (
        select(
            Organisation.id,
            Organisation.name,
            Organisation.slug,
            Organisation.status,
            Assessment.id,
            Assessment.questionnaire_id,
            Assessment.questionnaire_version,
            Assessment.status,
            Assessment.submitted_at,
            answered,
            latest_moderation_status(),
        )
        .outerjoin(
            Assessment,
            (Assessment.organisation_id == Organisation.id)
            & (Assessment.cycle == filters.cycle)
            & (Assessment.questionnaire_id == expected_questionnaire),
        )
        .where(Organisation.region_id == region.id, is_current())
        .order_by(Organisation.name)
    )
    if filters.kind:
        query = query.where(Organisation.kind == OrganisationKind(filters.kind))
    rows = []
    for (
        org_id,
        name,
        slug,
        org_status,
        assessment_id,
        questionnaire_id,
        version,
        status,
        submitted_at,
        count,
        moderation,
    ) in db.session.execute(query):
        organisation = CompletionOrganisation(
            org_id, name, slug, org_status == OrganisationStatus.SCOPING
        )
        if assessment_id is None:
            rows.append(CompletionRow(organisation, "Not started", None, None))
        elif status == AssessmentStatus.SUBMITTED:
            submitted = submitted_at.date() if submitted_at else None
            rows.append(
                CompletionRow(organisation, "Submitted", 100, submitted, _label(moderation))
            )
        else:
            total = len(catalogue().questionnaire(questionnaire_id, version).indicator_ids)
            percent = round(100 * (count or 0) / total) if total else 0
            rows.append(
                CompletionRow(organisation, "In progress", percent, None, _label(moderation))
            )
    return rows


def _label(status: str | None) -> str | None:
    return ModerationStatus(status).label if status else None


def completion_table(rows: Sequence[CompletionRow], filters: Filters) -> Table:
    table = Table(
        "completion",
        f"Completion, {filters.cycle}",
        ["Organisation", "Type", "Status", "Answered (%)", "Submitted on", "Moderation"],
    )
    for row in rows:
        organisation = row.organisation
        kind = "Scoping" if organisation.scoping else "Academy"
        table.rows.append(
            [
                organisation.name,
                kind,
                row.status,
                row.answered_percent if row.answered_percent is not None else "",
                row.submitted_on.isoformat() if row.submitted_on else "",
                row.moderation or "",
            ]
        )
    return table
