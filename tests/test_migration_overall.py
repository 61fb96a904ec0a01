"""Migration 0007_speed fills the snapshots' new overall columns from their own results."""

from __future__ import annotations

import os
from pathlib import Path

from flask_migrate import downgrade, upgrade
from sqlalchemy import select

from maturity import create_app
from maturity.extensions import db
from maturity.models import AssessmentSnapshot
from maturity.services.reference import load_regions
from maturity.services.scale import seed_national
from tests.conftest import config_for_tests, create_database, drop_database


def test_existing_snapshots_get_their_overall_score_and_level(tmp_path: Path) -> None:
    url = create_database(os.environ.get("TEST_DATABASE_URL"), tmp_path)
    try:
        app = create_app(config_for_tests(url))
        with app.app_context():
            upgrade()
            load_regions()
            seed_national(organisations=3, cycles=2, seed=5)
            db.session.commit()
            db.session.remove()
            downgrade(revision="0007_speed-1")  # the columns go, the results stay
            upgrade(revision="0007_speed")
            upgrade()
            snapshots = db.session.scalars(select(AssessmentSnapshot)).all()
            assert len(snapshots) == 6
            for snapshot in snapshots:
                overall = snapshot.result["overall"]
                assert snapshot.overall_score == overall["score"]
                assert snapshot.overall_level == overall["level"]
            assert any(snapshot.overall_score is not None for snapshot in snapshots)
            db.session.remove()
            db.engine.dispose()
    finally:
        drop_database(url)
