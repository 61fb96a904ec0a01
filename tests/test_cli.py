"""The ``flask maturity`` commands."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import func, select

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
        args=["maturity", "create-admin", "--email", "boss@test.example", "--name", "Boss", "--password", "short"]
    )
    assert weak.exit_code != 0
    assert "12 characters or more" in weak.output
    ok = runner.invoke(
        args=[
            "maturity", "create-admin", "--email", "Boss@Test.Example", "--name", "Boss",
            "--password", "a long admin passphrase",
        ]
    )
    assert ok.exit_code == 0, ok.output
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == "boss@test.example"))
        assert user is not None and user.is_admin
