"""Deadline reminders: sent by ``flask maturity send-reminders`` over SMTP (a real
server in the test process) 28, 7 and 1 days before a window closes, to the leads of
organisations that have not submitted; never twice; logged, with the reason in the email."""

from __future__ import annotations

import logging
from datetime import date
from email.message import Message

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from maturity.extensions import db
from maturity.models import (
    Assessment,
    AssessmentWindow,
    AuditEvent,
    DeadlineReminder,
    Organisation,
    User,
    utcnow,
)
from maturity.services.assessments import AnswerValues, set_answer, submit_assessment
from maturity.services.cycles import CycleError, open_window, questionnaire_versions, reminder_due
from maturity.services.reference import region_by_code
from tests.conftest import Inbox
from tests.helpers import World, error_messages, sign_in, soup, submit, url

CYCLE = "2026/27"
CLOSES = date(2027, 3, 31)


def _open(app: Flask, world: World, *, region: str | None = None) -> None:
    with app.app_context():
        admin = db.session.scalars(select(User).where(User.email == world.admin)).one()
        open_window(
            CYCLE,
            date(2026, 10, 1),
            CLOSES,
            questionnaire_versions()[-1],
            by=admin,
            region=region_by_code(region) if region else None,
        )
        db.session.commit()


def _run(runner, day: str):  # type: ignore[no-untyped-def]
    result = runner.invoke(args=["maturity", "send-reminders", "--today", day])
    assert result.exit_code == 0, result.output
    return result.output


def _to(message: Message) -> str:
    return str(message["To"])


def test_reminders_go_to_leads_that_have_not_submitted_with_a_link_and_the_reason(
    app: Flask,
    world: World,
    inbox: Inbox,
    runner,
    caplog: pytest.LogCaptureFixture,  # type: ignore[no-untyped-def]
) -> None:
    _open(app, world)
    caplog.set_level(logging.INFO)
    output = _run(runner, "2027-03-03")  # 28 days before 31 March
    assert "2 sent" in output
    messages = inbox.wait_for(2)
    assert sorted(_to(m) for m in messages) == sorted([world.lead, world.other_lead])
    ours = next(m for m in messages if _to(m) == world.lead)
    assert " ".join(str(ours["Subject"]).split()) == (
        "Reminder: Testshire Care Academy's 2026/27 self-assessment is due on 31 March 2027"
    )
    body = ours.get_payload(decode=True).decode()  # type: ignore[union-attr]
    assert f"{app.config['SERVICE_URL']}/organisations/{world.org}" in body
    assert "Why you are getting this email: you are a lead of Testshire Care Academy" in body
    # Contributors are not reminded; the log says what was sent, and holds no link token.
    assert all(_to(m) != world.contributor for m in messages)
    assert "28-day reminder of the 2026/27 deadline for Testshire Care Academy" in caplog.text
    with app.app_context():
        assert (
            db.session.scalar(
                select(func.count())
                .select_from(AuditEvent)
                .where(AuditEvent.action == "deadline_reminder_sent")
            )
            == 2
        )


def test_a_reminder_is_never_sent_twice(
    app: Flask,
    world: World,
    inbox: Inbox,
    runner,  # type: ignore[no-untyped-def]
) -> None:
    _open(app, world)
    assert "2 sent" in _run(runner, "2027-03-03")
    inbox.wait_for(2)
    output = _run(runner, "2027-03-03")  # cron ran twice
    assert "0 sent, 2 already sent before" in output
    assert "0 sent, 2 already" in _run(runner, "2027-03-10")  # still the 28-day reminder
    assert len(inbox.wait_for(2, timeout=1)) == 2
    assert "2 sent" in _run(runner, "2027-03-24")  # 7 days before: the next one
    assert len(inbox.wait_for(4)) == 4
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(DeadlineReminder)) == 4


def test_submitted_and_archived_organisations_are_not_reminded(
    app: Flask,
    world: World,
    inbox: Inbox,
    runner,  # type: ignore[no-untyped-def]
) -> None:
    _open(app, world)
    with app.app_context():
        lead = db.session.scalars(select(User).where(User.email == world.lead)).one()
        assessment = db.session.get_one(Assessment, world.assessment)
        set_answer(assessment, "mission-aims", AnswerValues(level=3), lead)
        submit_assessment(assessment, lead, declared=True)
        other = db.session.scalars(
            select(Organisation).where(Organisation.slug == world.other_org)
        ).one()
        other.archived_at = utcnow()
        db.session.commit()
    assert "0 sent" in _run(runner, "2027-03-30")
    assert inbox.wait_for(1, timeout=0.5) == []


def test_a_regional_window_overrides_the_national_one_for_its_region(
    app: Flask,
    world: World,
    inbox: Inbox,
    runner,  # type: ignore[no-untyped-def]
) -> None:
    _open(app, world)  # England: closes 31 March
    with app.app_context():
        admin = db.session.scalars(select(User).where(User.email == world.admin)).one()
        open_window(
            CYCLE,
            date(2026, 10, 1),
            date(2027, 4, 30),
            questionnaire_versions()[-1],
            by=admin,
            region=region_by_code("north-west"),
        )
        db.session.commit()
    _run(runner, "2027-03-03")
    messages = inbox.wait_for(1)
    assert [_to(m) for m in messages] == [world.other_lead]  # London follows England
    _run(runner, "2027-04-02")  # 28 days before 30 April
    assert sorted(_to(m) for m in inbox.wait_for(2)) == sorted([world.lead, world.other_lead])


def test_reminders_are_due_on_the_nearest_threshold_only_while_the_window_is_open(
    app: Flask, world: World
) -> None:
    _open(app, world)
    with app.app_context():
        window = db.session.scalars(select(AssessmentWindow)).one()
        assert reminder_due(window, date(2027, 2, 1)) is None  # more than 28 days
        assert reminder_due(window, date(2027, 3, 3)) == 28
        assert reminder_due(window, date(2027, 3, 25)) == 7
        assert reminder_due(window, date(2027, 3, 30)) == 1
        assert reminder_due(window, date(2027, 3, 31)) == 1  # the last day
        assert reminder_due(window, date(2027, 4, 1)) is None  # closed


def test_a_window_must_close_after_it_opens(app: Flask, world: World) -> None:
    with app.app_context():
        admin = db.session.scalars(select(User).where(User.email == world.admin)).one()
        with pytest.raises(CycleError) as refused:
            open_window(CYCLE, CLOSES, date(2026, 10, 1), questionnaire_versions()[-1], by=admin)
        assert refused.value.field == "closes_on"


WINDOW_FORM = {
    "cycle": CYCLE,
    "opens_on-day": "1",
    "opens_on-month": "10",
    "opens_on-year": "2026",
    "closes_on-day": "31",
    "closes_on-month": "3",
    "closes_on-year": "2027",
}


def test_an_administrator_opens_a_cycle_and_academies_see_the_deadline(
    app: Flask, client: FlaskClient, world: World
) -> None:
    sign_in(client, world.admin)
    version = questionnaire_versions()[0]
    response = submit(
        client,
        url("admin.cycles"),
        {**WINDOW_FORM, "region": "england", "questionnaire_version": version},
    )
    assert response.status_code == 302
    listing = soup(client.get_page("admin.cycles")).find(id="windows")
    assert listing is not None and "All of England" in listing.get_text()
    contributor = app.test_client()
    sign_in(contributor, world.contributor)
    for page in (
        contributor.get_page("orgs.overview", slug=world.org),
        contributor.get_page(
            "assessments.task_list", slug=world.org, assessment_id=world.assessment
        ),
    ):
        deadline = soup(page).find(id="deadline")
        assert deadline is not None
        assert "due on 31 March 2027" in deadline.get_text()


def test_a_regional_lead_opens_a_cycle_only_in_their_region(
    app: Flask, client: FlaskClient, world: World
) -> None:
    sign_in(client, world.regional_lead)
    regions = soup(client.get_page("regional.index"))
    assert regions.find("a", href=url("admin.cycles")) is not None, "reached from Regions"
    page = soup(client.get_page("admin.cycles"))
    offered = [option["value"] for option in page.select("select[name=region] option")]
    assert offered == ["north-west"]  # not England, not another region
    version = questionnaire_versions()[0]
    refused = submit(
        client,
        url("admin.cycles"),
        {**WINDOW_FORM, "region": "london", "questionnaire_version": version},
    )
    assert refused.status_code == 200
    assert "Select where the cycle opens" in error_messages(refused)
    wrong_dates = {
        **WINDOW_FORM,
        "closes_on-year": "2026",
        "closes_on-month": "9",
        "closes_on-day": "30",
    }
    refused = submit(
        client,
        url("admin.cycles"),
        {**wrong_dates, "region": "north-west", "questionnaire_version": version},
    )
    assert "The closing date must be after the opening date" in error_messages(refused)
    accepted = submit(
        client,
        url("admin.cycles"),
        {**WINDOW_FORM, "region": "north-west", "questionnaire_version": version},
    )
    assert accepted.status_code == 302
    with app.app_context():
        window = db.session.scalars(select(AssessmentWindow)).one()
        assert window.region is not None and window.region.code == "north-west"
    other = app.test_client()
    sign_in(other, world.other_lead)  # London: no window there
    assert soup(other.get_page("orgs.overview", slug=world.other_org)).find(id="deadline") is None
