"""The ``flask maturity`` commands."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import func, select, text

from maturity.extensions import db
from maturity.models import Organisation, Region, User


def test_reference_data_loads_the_nine_regions_once(app: Flask, runner: FlaskCliRunner) -> None:
    first = runner.invoke(args=["maturity", "load-reference-data"])
    second = runner.invoke(args=["maturity", "load-reference-data"])
    assert first.exit_code == second.exit_code == 0
    assert "0 added, 0 updated" in second.output
    with app.app_context():
        names = db.session.scalars(select(Region.name).order_by(Region.sort_order)).all()
    assert names == [
        "North East",
        "North West",
        "Yorkshire and the Humber",
        "East Midlands",
        "West Midlands",
        "East of England",
        "London",
        "South East",
        "South West",
    ]


def test_seed_demo_is_fictional_labelled_and_idempotent(app: Flask, runner: FlaskCliRunner) -> None:
    result = runner.invoke(args=["maturity", "seed-demo"])
    assert result.exit_code == 0, result.output
    assert "lead@riverside.example.org" in result.output
    assert "fictional" in result.output
    with app.app_context():
        count = db.session.scalar(select(func.count()).select_from(Organisation))
        demo = db.session.scalars(select(Organisation)).all()
        assert demo and all(org.is_demo and "(demo" in org.name for org in demo)
        regions = {org.region_id for org in demo}
        assert len(regions) >= 3
    assert runner.invoke(args=["maturity", "seed-demo"]).exit_code == 0
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Organisation)) == count


def test_create_admin(app: Flask, runner: FlaskCliRunner) -> None:
    weak = runner.invoke(
        args=[
            "maturity",
            "create-admin",
            "--email",
            "boss@test.example",
            "--name",
            "Boss",
            "--password",
            "short",
        ]
    )
    assert weak.exit_code != 0
    assert "12 characters or more" in weak.output
    ok = runner.invoke(
        args=[
            "maturity",
            "create-admin",
            "--email",
            "Boss@Test.Example",
            "--name",
            "Boss",
            "--password",
            "a long admin passphrase",
        ]
    )
    assert ok.exit_code == 0, ok.output
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == "boss@test.example"))
        assert user is not None and user.is_admin


def test_questionnaire_validate_accepts_the_shipped_files(runner: FlaskCliRunner) -> None:
    result = runner.invoke(args=["maturity", "questionnaire", "validate"])
    assert result.exit_code == 0, result.output
    for name in ("academy-maturity", "scoping", "impact-metrics"):
        assert f"valid ({name} version" in result.output


def test_questionnaire_validate_names_the_file_and_path_of_each_fault(
    runner: FlaskCliRunner, tmp_path: Path
) -> None:
    broken = tmp_path / "broken-2026.yaml"
    shipped = Path(__file__).resolve().parent.parent / "questionnaires" / "scoping-2026.yaml"
    broken.write_text(shipped.read_text().replace("ref: guide", "ref: nowhere", 1))
    result = runner.invoke(args=["maturity", "questionnaire", "validate", str(broken)])
    assert result.exit_code != 0
    assert str(broken) in result.output
    assert "domains[0].indicators[0].source" in result.output
    assert "nowhere" in result.output


def test_questionnaire_show_prints_an_outline(runner: FlaskCliRunner) -> None:
    result = runner.invoke(args=["maturity", "questionnaire", "show", "academy-maturity"])
    assert result.exit_code == 0, result.output
    assert (
        "Levels: 1 First steps, 2 Compliant, 3 Strategic, 4 Integrated, 5 Disruptive"
        in result.output
    )
    assert "Funding and sustainability [funding]" in result.output
    missing = runner.invoke(args=["maturity", "questionnaire", "show", "no-such-questionnaire"])
    assert missing.exit_code != 0
    assert "No questionnaire 'no-such-questionnaire'" in missing.output


def test_seed_demo_refuses_to_run_in_production(
    app: Flask, runner: FlaskCliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(app.config, "MATURITY_ENV", "production")
    result = runner.invoke(args=["maturity", "seed-demo"])
    assert result.exit_code != 0
    assert "does not run with MATURITY_ENV=production" in result.output


def test_questionnaire_commands_need_no_settings() -> None:
    """Reading questionnaire files needs no SECRET_KEY, MATURITY_ENV or database: the
    ``maturity`` console script works on a fresh clone as the README writes it."""
    import os
    import subprocess
    import sys

    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("SECRET_KEY", "MATURITY_ENV", "DATABASE_URL", "FLASK_APP")
    }
    command = [sys.executable, "-m", "maturity.cli", "questionnaire"]
    validate = subprocess.run(
        [*command, "validate"], env=env, capture_output=True, text=True, check=False
    )
    assert validate.returncode == 0, validate.stderr
    assert "academy-maturity-2026.yaml: valid" in validate.stdout
    assert "Traceback" not in validate.stderr
    show = subprocess.run(
        [*command, "show", "academy-maturity"], env=env, capture_output=True, text=True, check=False
    )
    assert show.returncode == 0, show.stderr
    assert "Length of funding" in show.stdout


def test_seed_demo_leaves_the_planner_statistics_up_to_date(
    app: Flask, runner: FlaskCliRunner
) -> None:
    """A bulk load ends with ANALYZE: without statistics PostgreSQL planned the regional
    figures' join as nested loops over an 'empty' table, several times slower."""
    assert runner.invoke(args=["maturity", "seed-demo"]).exit_code == 0
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            analysed = db.session.scalar(
                text(
                    "SELECT last_analyze IS NOT NULL "
                    "FROM pg_stat_user_tables WHERE relname = 'domain_score'"
                )
            )
            assert analysed
        else:
            tables = db.session.scalars(text("SELECT DISTINCT tbl FROM sqlite_stat1")).all()
            assert "domain_score" in tables
