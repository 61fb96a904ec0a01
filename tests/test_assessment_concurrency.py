"""Two people saving at the same moment, on PostgreSQL with two real sessions.

Each person runs in a thread with its own application context, session and database
connection. The first save holds its row lock until it commits; the second save runs
meanwhile and must neither overwrite it nor fail: it reports a conflict.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from maturity import create_app
from maturity.extensions import db
from maturity.models import AnswerRecord, Assessment, User
from maturity.services import assessments as service
from maturity.web.assessment_forms import domain_form
from tests.conftest import config_for_tests, create_database, drop_database
from tests.helpers import World, make_world

pytestmark = pytest.mark.skipif(
    not os.environ.get("TEST_DATABASE_URL"),
    reason="concurrency is proved on PostgreSQL: set TEST_DATABASE_URL (SQLite has one writer)",
)


@pytest.fixture(autouse=True)
def isolated() -> Iterator[None]:
    """Real commits from two connections: no per-test transaction here."""
    yield


@pytest.fixture
def concurrent_app(tmp_path: Path) -> Iterator[tuple[Flask, World]]:
    from flask_migrate import upgrade

    from maturity.services.reference import load_regions

    url = create_database(os.environ.get("TEST_DATABASE_URL"), tmp_path)
    app = create_app(config_for_tests(url))
    with app.app_context():
        upgrade()
        load_regions()
        world = make_world()
        db.session.commit()
    try:
        yield app, world
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
        drop_database(url)


def _save(
    app: Flask,
    world: World,
    email: str,
    form: dict[str, str],
    results: dict[str, Any],
    name: str,
    after_write: threading.Event | None = None,
    wait_before: threading.Event | None = None,
) -> None:
    with app.app_context():
        if wait_before is not None:
            assert wait_before.wait(10)
        assessment = db.session.get(Assessment, world.assessment)
        user = db.session.scalar(select(User).where(User.email == email))
        assert assessment is not None and user is not None
        questionnaire = service.questionnaire_of(assessment)
        domain = questionnaire.domain("leadership")
        # The page's own form reads the post; the service gets its typed answers.
        page = domain_form(questionnaire, domain, MultiDict(form), meta={"csrf": False})
        page.validate()
        outcome = service.save_domain(
            assessment, domain, page.answer_inputs(), user, target=page.target_choice()
        )
        if after_write is not None:
            after_write.set()
            time.sleep(0.5)  # hold the row lock while the other person saves
        db.session.commit()
        results[name] = outcome
        db.session.remove()


def _run_pair(
    app: Flask, world: World, first: dict[str, str], second: dict[str, str]
) -> dict[str, Any]:
    results: dict[str, Any] = {}
    written = threading.Event()
    threads = [
        threading.Thread(
            target=_save,
            args=(app, world, world.lead, first, results, "first"),
            kwargs={"after_write": written},
        ),
        threading.Thread(
            target=_save,
            args=(app, world, world.contributor, second, results, "second"),
            kwargs={"wait_before": written},
        ),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(20)
    assert set(results) == {"first", "second"}, "a save did not finish"
    return results


def _stored(app: Flask, world: World) -> dict[str, int | None]:
    with app.app_context():
        records = db.session.scalars(
            select(AnswerRecord).where(AnswerRecord.assessment_id == world.assessment)
        ).all()
        answers = {record.indicator_id: record.level for record in records}
        db.session.remove()
    return answers


def _mission_aims(level: int, version: int) -> dict[str, str]:
    """A domain page posting one answer to "mission-aims", based on ``version``."""
    return {"level-mission-aims": str(level), "version-mission-aims": str(version)}


def _first_saved_second_conflicted(app: Flask, world: World, results: dict[str, Any]) -> None:
    assert results["first"].saved == ["mission-aims"]
    assert list(results["second"].conflicts) == ["mission-aims"]
    assert _stored(app, world) == {"mission-aims": 2}


def test_simultaneous_first_answers_to_the_same_question_conflict(
    concurrent_app: tuple[Flask, World],
) -> None:
    app, world = concurrent_app
    results = _run_pair(app, world, _mission_aims(2, version=0), _mission_aims(4, version=0))
    _first_saved_second_conflicted(app, world, results)
    assert results["second"].conflicts["mission-aims"].theirs.level == 2


def test_simultaneous_changes_to_the_same_answer_conflict(
    concurrent_app: tuple[Flask, World],
) -> None:
    app, world = concurrent_app
    _run_pair(app, world, _mission_aims(1, version=0), {})
    results = _run_pair(app, world, _mission_aims(2, version=1), _mission_aims(5, version=1))
    _first_saved_second_conflicted(app, world, results)


def test_simultaneous_changes_to_different_answers_both_land(
    concurrent_app: tuple[Flask, World],
) -> None:
    app, world = concurrent_app
    results = _run_pair(
        app,
        world,
        {"level-mission-aims": "2", "version-mission-aims": "0", "version-governance": "0"},
        {"level-governance": "4", "version-mission-aims": "0", "version-governance": "0"},
    )
    assert not results["first"].conflicts and not results["second"].conflicts
    assert _stored(app, world) == {"mission-aims": 2, "governance": 4}
