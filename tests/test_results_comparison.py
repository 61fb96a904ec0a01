"""What a results page compares with other academies comes from the narrow
``domain_score`` rows and the snapshots' overall columns: the same figures as their
frozen snapshots give, without parsing any other academy's snapshot."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from maturity.cache import EXTENSION_KEY, Cache
from maturity.extensions import db
from maturity.framework import AssessmentResult
from maturity.framework.summary import ResultSummary
from maturity.models import Assessment, AssessmentSnapshot, AssessmentStatus, Organisation, User
from maturity.services import results as results_service
from maturity.services.assessments import reopen_assessment
from maturity.services.scale import seed_national
from tests.helpers import World, sign_in, soup


@pytest.fixture
def fresh_cache(app: Flask, monkeypatch: pytest.MonkeyPatch) -> Iterator[Cache]:
    memory = Cache(max_items=4096)
    monkeypatch.setitem(app.extensions, EXTENSION_KEY, memory)
    yield memory


def _latest_from_snapshots() -> dict[int, ResultSummary]:
    """Each organisation's latest submitted result, parsed from its snapshot."""
    latest = (
        select(func.max(AssessmentSnapshot.id))
        .join(Assessment, Assessment.id == AssessmentSnapshot.assessment_id)
        .where(
            Assessment.questionnaire_id == "academy-maturity",
            Assessment.status == AssessmentStatus.SUBMITTED,
        )
        .group_by(Assessment.organisation_id)
    )
    found = {}
    for snapshot in db.session.scalars(
        select(AssessmentSnapshot).where(AssessmentSnapshot.id.in_(latest))
    ):
        found[snapshot.assessment.organisation_id] = ResultSummary.of(
            AssessmentResult.from_dict(snapshot.result)
        )
    return found


def test_summaries_match_each_academys_latest_snapshot(app: Flask, world: World) -> None:
    """Scores, levels, level names and overall figures are those of the frozen result,
    for every academy; a reopened assessment no longer counts (its previous cycle does)."""
    with app.app_context():
        seed_national(organisations=6, cycles=2, seed=7)
        db.session.flush()
        reopened = db.session.scalars(
            select(Assessment)
            .join(Organisation)
            .where(Organisation.slug == "scale-test-academy-003")
            .order_by(Assessment.cycle.desc())
        ).first()
        assert reopened is not None
        admin = db.session.scalar(select(User).where(User.email == world.admin))
        assert admin is not None
        reopen_assessment(reopened, admin, "A figure was entered wrongly")
        db.session.flush()

        summaries = {
            other.organisation_id: other.summary
            for other in results_service.latest_others("academy-maturity")
        }
        expected = _latest_from_snapshots()
        assert summaries == expected
        assert len(summaries) >= 6
        assert any(s.overall.level_name for s in summaries.values())
        db.session.rollback()


def test_a_results_page_parses_no_other_academys_snapshot(
    app: Flask, client: FlaskClient, world: World, fresh_cache: Cache
) -> None:
    """Cold, the page parses only the academy's own snapshots (its result and trend),
    and still shows the England and regional spreads of the others."""
    with app.app_context():
        seed_national(organisations=9, cycles=2, seed=3)
        db.session.commit()
        organisation = db.session.scalar(
            select(Organisation).where(Organisation.slug == "scale-test-academy-001")
        )
        assert organisation is not None
        own = set(
            db.session.scalars(
                select(AssessmentSnapshot.id)
                .join(Assessment)
                .where(Assessment.organisation_id == organisation.id)
            )
        )
        assessment_id = db.session.scalar(
            select(Assessment.id)
            .where(Assessment.organisation_id == organisation.id)
            .order_by(Assessment.cycle.desc())
        )
    sign_in(client, world.admin)
    results_service.forget_parsed_snapshots()
    page = soup(
        client.get_page(
            "results.results", slug="scale-test-academy-001", assessment_id=assessment_id
        )
    )
    parsed = set(results_service._RESULT_CACHE)
    assert parsed and parsed <= own
    benchmarks = page.find(id="benchmarks")
    assert benchmarks is not None
    table = benchmarks.find_next("table")
    assert table is not None
    rows = [
        [cell.get_text(" ", strip=True) for cell in row.select("td")]
        for row in table.select("tbody tr")
    ]
    # England: the 8 other academies (itself left out), with quartiles.
    heading = [cell.get_text(" ", strip=True) for cell in table.select("thead th")]
    assert any("(8 academies)" in cell for cell in heading), heading
    assert rows and all("–" in row[1] for row in rows), rows
