"""A national-scale fictional data set, for benchmarks and for tests of how the pages
behave as data grows: N organisations across the nine regions, C cycles each, every
indicator answered, every cycle submitted. Written with bulk inserts so that 300 × 10
takes seconds; answer histories are not generated (each answer is a first version).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import insert, select, text

from maturity.extensions import db
from maturity.framework import Answer, score
from maturity.models import (
    AnswerRecord,
    Assessment,
    AssessmentSnapshot,
    AssessmentStatus,
    DeliveryMode,
    DomainScore,
    FundingMix,
    HostBodyType,
    Locality,
    Organisation,
    OrganisationKind,
    OrganisationStatus,
    Region,
    utcnow,
)
from maturity.services.assessments import DECLARATION
from maturity.services.questionnaires import catalogue

NAME_PREFIX = "Scale test academy"


@dataclass(frozen=True)
class ScaleSummary:
    organisations: int
    assessments: int
    answers: int


def cycles_up_to(last_start_year: int, count: int) -> list[str]:
    """``count`` cycles ending with the one that starts in ``last_start_year``."""
    return [
        f"{year}/{(year + 1) % 100:02d}"
        for year in range(last_start_year - count + 1, last_start_year + 1)
    ]


def seed_national(
    organisations: int = 300, cycles: int = 10, *, seed: int = 2026, last_start_year: int = 2025
) -> ScaleSummary:
    """Add ``organisations`` fictional academies with ``cycles`` submitted assessments.

    Deterministic for a given seed. Organisations are named "Scale test academy NNN
    (fictional)" and flagged as demo data; about 60% share named results.
    """
    rng = random.Random(seed)
    questionnaire = catalogue().questionnaire("academy-maturity")
    regions = db.session.scalars(select(Region).order_by(Region.sort_order)).all()
    if not regions:
        raise RuntimeError("Load the regions first: flask maturity load-reference-data")
    start = len(
        db.session.scalars(
            select(Organisation.id).where(Organisation.name.like(f"{NAME_PREFIX}%"))
        ).all()
    )
    now = utcnow()
    org_rows = []
    for number in range(start + 1, start + organisations + 1):
        org_rows.append(
            {
                "name": f"{NAME_PREFIX} {number:03d} (fictional)",
                "slug": f"scale-test-academy-{number:03d}",
                "region_id": regions[number % len(regions)].id,
                "kind": rng.choice(list(OrganisationKind)),
                "host_body_type": rng.choice(list(HostBodyType)),
                "year_established": rng.randint(2013, 2024),
                "delivery_mode": rng.choice(list(DeliveryMode)),
                "locality": rng.choice(list(Locality)),
                "funding_mix": rng.choice(list(FundingMix)),
                "status": OrganisationStatus.LIVE,
                "shares_named_results": rng.random() < 0.6,
                "is_demo": True,
                "created_at": now,
                "updated_at": now,
            }
        )
    organisation_ids = list(
        db.session.scalars(
            insert(Organisation).returning(Organisation.id, sort_by_parameter_order=True),
            org_rows,
        )
    )
    cycle_names = cycles_up_to(last_start_year, cycles)
    indicators = [
        (domain.id, indicator.id)
        for domain in questionnaire.domains
        for indicator in domain.indicators
    ]
    assessment_rows, plans = [], []
    for organisation_id, org in zip(organisation_ids, org_rows, strict=True):
        strength = {domain.id: rng.uniform(1.2, 3.4) for domain in questionnaire.domains}
        for index, cycle in enumerate(cycle_names):
            levels = {
                indicator_id: max(
                    1, min(5, round(strength[domain_id] + 0.2 * index + rng.uniform(-1, 1)))
                )
                for domain_id, indicator_id in indicators
            }
            submitted = datetime(int(cycle[:4]) + 1, 3, 15, 12, 0, tzinfo=UTC)
            assessment_rows.append(
                {
                    "organisation_id": organisation_id,
                    "questionnaire_id": questionnaire.id,
                    "questionnaire_version": questionnaire.version,
                    "cycle": cycle,
                    "status": AssessmentStatus.SUBMITTED,
                    "submitted_at": submitted,
                    "created_at": now,
                    "updated_at": now,
                }
            )
            plans.append((organisation_id, org["region_id"], cycle, levels))
    assessment_ids = list(
        db.session.scalars(
            insert(Assessment).returning(Assessment.id, sort_by_parameter_order=True),
            assessment_rows,
        )
    )
    answer_rows, snapshot_rows, results = [], [], []
    for assessment_id, (_org, _region, _cycle, levels) in zip(assessment_ids, plans, strict=True):
        for indicator_id, level in levels.items():
            answer_rows.append(
                {
                    "assessment_id": assessment_id,
                    "indicator_id": indicator_id,
                    "level": level,
                    "not_applicable": False,
                    "carried_over": False,
                    "version": 1,
                    "created_at": now,
                    "updated_at": now,
                }
            )
        result = score(questionnaire, {key: Answer(level=value) for key, value in levels.items()})
        results.append(result)
        snapshot_rows.append(
            {
                "assessment_id": assessment_id,
                "questionnaire_id": questionnaire.id,
                "questionnaire_version": questionnaire.version,
                "result": result.to_dict(),
                "answers": [
                    {"indicator_id": key, "level": value} for key, value in sorted(levels.items())
                ],
                "targets": {},
                "declaration": DECLARATION,
                "overall_score": result.overall.score,
                "overall_level": result.overall.level,
                "created_at": now,
                "updated_at": now,
            }
        )
    db.session.execute(insert(AnswerRecord), answer_rows)
    snapshot_ids = list(
        db.session.scalars(
            insert(AssessmentSnapshot).returning(
                AssessmentSnapshot.id, sort_by_parameter_order=True
            ),
            snapshot_rows,
        )
    )
    score_rows = []
    for assessment_id, snapshot_id, (org_id, region_id, cycle, _levels), result in zip(
        assessment_ids, snapshot_ids, plans, results, strict=True
    ):
        for domain in result.domains:
            score_rows.append(
                {
                    "assessment_id": assessment_id,
                    "snapshot_id": snapshot_id,
                    "organisation_id": org_id,
                    "region_id": region_id,
                    "questionnaire_id": questionnaire.id,
                    "questionnaire_version": questionnaire.version,
                    "cycle": cycle,
                    "domain_id": domain.domain_id,
                    "domain_title": domain.title,
                    "score": domain.score,
                    "level": domain.level,
                    "created_at": now,
                    "updated_at": now,
                }
            )
    db.session.execute(insert(DomainScore), score_rows)
    db.session.flush()
    return ScaleSummary(len(organisation_ids), len(assessment_ids), len(answer_rows))


def refresh_statistics() -> None:
    """Update the database's planner statistics (``ANALYZE``), as after any bulk load.

    PostgreSQL chooses each query's plan from statistics that autovacuum refreshes some
    time after tables change. Until then a freshly loaded table looks empty to the planner,
    which then joins the national figures' 27,000 domain scores to their organisations
    by nested loops: 35 ms a query where a hash join takes 3. Seeding ends with this so
    the data set is measured, and served, as an established database would be. SQLite
    keeps its own statistics (``sqlite_stat1``) the same way."""
    db.session.execute(text("ANALYZE"))
    db.session.commit()
