"""Domain scores of submitted annual assessments: what every regional figure is made of."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select

from maturity.extensions import db
from maturity.framework import disclosure
from maturity.framework.benchmark import Spread
from maturity.models import DomainScore, Organisation, OrganisationKind, Region
from maturity.services.moderation import moderated_assessments
from maturity.services.organisations import is_current
from maturity.services.partners import partner_agreed_snapshots
from maturity.services.regional.filters import ANNUAL, Filters


@dataclass(frozen=True)
class ScoreRow:
    organisation_id: int
    name: str
    shares: bool
    region_id: int
    cycle: str
    domain_id: str
    score: float | None
    level: int | None
    version: str


def score_rows(
    filters: Filters, *, region: Region | None = None, cycles: Sequence[str] | None = None
) -> list[ScoreRow]:
    """Domain scores of submitted annual assessments matching the filters (one query)."""
    query = (
        select(
            DomainScore.organisation_id,
            Organisation.name,
            Organisation.shares_named_results,
            DomainScore.region_id,
            DomainScore.cycle,
            DomainScore.domain_id,
            DomainScore.score,
            DomainScore.level,
            DomainScore.questionnaire_version,
        )
        .join(Organisation, Organisation.id == DomainScore.organisation_id)
        .where(DomainScore.questionnaire_id == ANNUAL, is_current())
    )
    query = query.where(DomainScore.cycle.in_(list(cycles or [filters.cycle])))
    if region is not None:
        query = query.where(DomainScore.region_id == region.id)
    if filters.kind:
        query = query.where(Organisation.kind == OrganisationKind(filters.kind))
    if filters.version:
        query = query.where(DomainScore.questionnaire_version == filters.version)
    if filters.partners:
        query = query.where(DomainScore.snapshot_id.in_(partner_agreed_snapshots()))
    if filters.moderated:
        query = query.where(DomainScore.assessment_id.in_(moderated_assessments()))
    return [ScoreRow(*row) for row in db.session.execute(query)]


def differencing_risk(rows: Sequence[ScoreRow]) -> bool:
    """Whether regional aggregates could be combined with the named rows to work out
    the figures of academies that do not share (``disclosure.differencing_risk``)."""
    hidden = {row.organisation_id for row in rows if not row.shares}
    return disclosure.differencing_risk(len(hidden))


def domain_spread(rows: Sequence[ScoreRow], domain_id: str) -> Spread:
    """The spread of one section's scores over these rows, small groups suppressed."""
    return disclosure.spread(
        [row.score for row in rows if row.domain_id == domain_id and row.score is not None]
    )


def by_organisation(rows: Sequence[ScoreRow]) -> dict[int, dict[str, ScoreRow]]:
    grouped: dict[int, dict[str, ScoreRow]] = defaultdict(dict)
    for row in rows:
        grouped[row.organisation_id][row.domain_id] = row
    return grouped
