"""Questionnaire versions uploaded in the admin pages (issue 17): validated as the shipped
files are, previewed beside the version in service, published for a future cycle, and
never changed after."""

from __future__ import annotations

import io
from datetime import date
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from werkzeug.test import TestResponse

from maturity.extensions import db
from maturity.framework.changelog import check_changelog, derive_changelog
from maturity.framework.periods import Cycle
from maturity.models import Assessment, AuditEvent, Organisation, QuestionnaireUpload, User
from maturity.services import accounts, questionnaire_uploads, questionnaires
from maturity.services.assessments import changed_carried_answers, start_assessment
from tests.helpers import World, error_messages, field_errors, sign_in, soup, submit
from tests.upload_files import ADDED, NEW_WORDING, REWORDED, new_version

PAGE = "/admin/questionnaires"
NEXT_CYCLE = str(Cycle.current().next())


def _admin(app: Flask, world: World) -> FlaskClient:
    client = app.test_client()
    sign_in(client, world.admin)
    return client


def _user(world: World) -> User:
    found = accounts.user_by_email(world.admin)
    assert found is not None
    return found


def _upload(
    client: FlaskClient, content: bytes, name: str = "academy-maturity-2026.3.yaml"
) -> TestResponse:
    sent: dict[str, Any] = {"file": (io.BytesIO(content), name)}
    return submit(client, PAGE, sent, content_type="multipart/form-data")


def _uploads(app: Flask) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(QuestionnaireUpload)) or 0


def test_a_broken_file_is_refused_with_the_path_and_line_of_the_fault(
    app: Flask, world: World
) -> None:
    client = _admin(app, world)
    broken = new_version().replace(b"weight: 1.5", b"weight: heavy", 1)
    response = _upload(client, broken)
    assert response.status_code == 200
    messages = " ".join(error_messages(response))
    assert "academy-maturity-2026.3.yaml" in messages
    assert "domains[0].indicators[0].weight" in messages
    assert "(line " in messages
    assert "academy-maturity-2026.3.yaml" in field_errors(response)["file"]
    assert _uploads(app) == 0
    with app.app_context():
        assert "2026.3" not in questionnaires.catalogue().versions("academy-maturity")


def test_yaml_syntax_a_changelog_and_a_version_in_service_are_refused(
    app: Flask, world: World
) -> None:
    client = _admin(app, world)
    syntax = _upload(client, b"id: [unclosed\n", "bad.yaml")
    assert "invalid YAML" in " ".join(error_messages(syntax))
    changelog = (
        questionnaires.file_catalogue().path_of("academy-maturity", "2026.2").parent
        / "academy-maturity-changes-2026.2.yaml"
    ).read_bytes()
    refused = " ".join(error_messages(_upload(client, changelog, "changes.yaml")))
    assert "this is a changelog, not a questionnaire" in refused
    same = new_version("2026.2")
    assert "already in service and cannot be replaced" in " ".join(
        error_messages(_upload(client, same, "again.yaml"))
    )
    assert _uploads(app) == 0


def test_a_good_file_previews_its_differences_then_publishes_for_a_future_cycle(
    app: Flask, world: World
) -> None:
    client = _admin(app, world)
    response = _upload(client, new_version())
    assert response.status_code == 302
    preview = client.get(response.headers["Location"])
    page = soup(preview)
    assert [td.get_text(strip=True) for td in page.select("#added tbody tr td")][0] == ADDED
    changed = page.select_one("#changed tbody tr").get_text(" ", strip=True)  # type: ignore[union-attr]
    assert REWORDED in changed and "Question reworded" in changed and NEW_WORDING in changed
    assert page.select("#removed") == []
    with app.app_context():
        assert "2026.3" not in questionnaires.catalogue().versions("academy-maturity")
        upload_id = db.session.scalars(select(QuestionnaireUpload.id)).one()
        organisation = db.session.scalars(
            select(Organisation).where(Organisation.slug == world.org)
        ).one()
        started = start_assessment(
            organisation,
            NEXT_CYCLE,
            _user(world),
            carry_forward=False,
            today=date(Cycle.current().next().start_year, 5, 1),
        )
        db.session.commit()
        kept = started.id
        assert started.questionnaire_version == "2026.2"
    # Publishing needs a cycle and a confirmation.
    url = f"/admin/questionnaires/uploads/{upload_id}"
    unconfirmed = submit(client, url, {"cycle": NEXT_CYCLE})
    assert "Confirm that you have checked the changes" in field_errors(unconfirmed)["confirm"]
    published = submit(client, url, {"cycle": NEXT_CYCLE, "confirm": "y"})
    assert published.status_code == 302
    with app.app_context():
        assert (
            questionnaires.questionnaire_for_new_assessment("academy-maturity", NEXT_CYCLE).version
            == "2026.3"
        )
        # The current cycle's new assessments stay on 2026.2 until the cycle comes.
        assert (
            questionnaires.questionnaire_for_new_assessment(
                "academy-maturity", str(Cycle.current())
            ).version
            == "2026.2"
        )
        other = db.session.scalars(
            select(Organisation).where(Organisation.slug == world.other_org)
        ).one()
        assessment = start_assessment(
            other,
            NEXT_CYCLE,
            _user(world),
            carry_forward=False,
            today=date(Cycle.current().next().start_year, 5, 1),
        )
        assert assessment.questionnaire_version == "2026.3"
        assert ADDED in questionnaires.questionnaire("academy-maturity", "2026.3").indicator_ids
        assert db.session.get_one(Assessment, kept).questionnaire_version == "2026.2"
        actions = set(db.session.scalars(select(AuditEvent.action)))
        assert {"questionnaire_uploaded", "questionnaire_published"} <= actions
    listing = soup(client.get(PAGE)).select_one("#in-service")
    assert listing is not None and "academy-maturity-2026.3.yaml" in listing.get_text()
    # Published: it cannot be published again, changed, or uploaded once more.
    again = submit(client, url, {"cycle": NEXT_CYCLE, "confirm": "y"})
    assert again.status_code == 409
    assert "published and cannot be changed" in " ".join(error_messages(again))
    replaced = _upload(client, new_version(), "replacement.yaml")
    assert "already in service and cannot be replaced" in " ".join(error_messages(replaced))
    with app.app_context():
        record = db.session.get_one(QuestionnaireUpload, upload_id)
        assert record.status == "published" and record.for_cycle == NEXT_CYCLE
        admin = accounts.user_by_email(world.admin)
        assert admin is not None
        try:
            questionnaire_uploads.publish(record, str(Cycle.current().next().next()), by=admin)
        except questionnaire_uploads.UploadError as error:
            assert "cannot be changed" in str(error)
        else:
            raise AssertionError("a published version was published again")
        assert db.session.get_one(QuestionnaireUpload, upload_id).for_cycle == NEXT_CYCLE


def test_the_current_cycle_cannot_be_chosen(app: Flask, world: World) -> None:
    client = _admin(app, world)
    location = _upload(client, new_version()).headers["Location"]
    refused = submit(client, location, {"cycle": str(Cycle.current()), "confirm": "y"})
    assert "Select a cycle" in field_errors(refused)["cycle"]
    with app.app_context():
        assert "2026.3" not in questionnaires.catalogue().versions("academy-maturity")


def test_answers_carried_to_an_uploaded_version_mark_only_its_changed_questions(
    app: Flask, world: World
) -> None:
    with app.app_context():
        admin = accounts.user_by_email(world.admin)
        assert admin is not None
        record = questionnaire_uploads.upload("v.yaml", new_version(), by=admin)
        questionnaire_uploads.publish(record, NEXT_CYCLE, by=admin)
        derived = questionnaires.changed_questions("academy-maturity", "2026.2", "2026.3")
        assert derived is not None and set(derived) == {REWORDED}
        organisation = db.session.scalars(
            select(Organisation).where(Organisation.slug == world.org)
        ).one()
        before = db.session.get_one(Assessment, world.assessment)
        assert before.questionnaire_version == "2026.2"
        carried = start_assessment(
            organisation,
            NEXT_CYCLE,
            _user(world),
            carry_forward=True,
            today=date(Cycle.current().next().start_year, 5, 1),
        )
        assert carried.questionnaire_version == "2026.3"
        marked = changed_carried_answers(carried)
        carried_ids = {a.indicator_id for a in carried.answers if a.carried_over}
        assert set(marked) == {REWORDED} & carried_ids


def test_the_derived_changelog_agrees_with_the_shipped_one() -> None:
    files = questionnaires.file_catalogue()
    before = files.questionnaire("academy-maturity", "2026.1")
    after = files.questionnaire("academy-maturity", "2026.2")
    derived = derive_changelog(before, after, "derived")
    assert check_changelog(derived, before, after) == []
    shipped = files.changelogs("academy-maturity")[0]
    assert derived.changed_ids == shipped.changed_ids
    assert {c.id for c in derived.added} == {c.id for c in shipped.added}


def test_only_administrators_reach_the_pages(app: Flask, world: World) -> None:
    for email in (world.lead, world.regional_lead):
        client = app.test_client()
        sign_in(client, email)
        assert client.get(PAGE).status_code == 403
    assert app.test_client().get(PAGE).status_code in (302, 401)
