"""A new questionnaire version in use: new assessments start on the newest one, answers
carried forward from the previous version map through the shared ids, each carried answer
whose question changed is marked for checking until someone confirms it, and results
compare the two versions through the ids they share."""

from __future__ import annotations

from pathlib import Path

from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import select

from maturity.extensions import db
from maturity.models import AnswerRecord, Assessment, Organisation, User
from maturity.services.assessments import (
    CHANGED_MESSAGE,
    AnswerValues,
    set_answer,
    submit_assessment,
)
from maturity.services.questionnaires import questionnaire_for_new_assessment
from tests.helpers import PageCheckingClient, World, error_messages, sign_in, soup, submit

OLD, NEW = "2026.1", "2026.2"


def _submitted_on(app: Flask, world: World, version: str, cycle: str) -> int:
    """A submitted assessment of the world's academy on a given version, with answers to a
    leadership question, the apprenticeships question and a question with no descriptor
    change in wording but a new Disruptive level (all changed in 2026.2)."""
    with app.app_context():
        organisation = db.session.scalar(select(Organisation).where(Organisation.slug == world.org))
        lead = db.session.scalar(select(User).where(User.email == world.lead))
        assert organisation is not None and lead is not None
        assessment = Assessment(
            organisation=organisation,
            questionnaire_id="academy-maturity",
            questionnaire_version=version,
            cycle=cycle,
        )
        db.session.add(assessment)
        db.session.flush()
        set_answer(assessment, "mission-aims", AnswerValues(level=3, evidence_note="Aims"), lead)
        set_answer(assessment, "apprenticeships", AnswerValues(level=2), lead)
        submit_assessment(assessment, lead, declared=True)
        db.session.commit()
        return assessment.id


def _carry_forward(client: PageCheckingClient, world: World, cycle: str) -> tuple[str, int]:
    response = client.post_page(
        "assessments.start", {"cycle": cycle, "start_from": "previous"}, slug=world.org
    )
    assert response.status_code == 302, error_messages(response)
    address = response.headers["Location"]
    return address, int(address.rsplit("/", 1)[1])


def _domain(client: PageCheckingClient, world: World, assessment_id: int, domain_id: str) -> str:
    return client.url(
        "assessments.domain", slug=world.org, assessment_id=assessment_id, domain_id=domain_id
    )


def _confirm(client: PageCheckingClient, address: str) -> None:
    """Save a domain page as it stands, which confirms its carried answers."""
    page = soup(client.get(address))
    form = {str(f["name"]): str(f["value"]) for f in page.select("input[type=hidden]")}
    for radio in page.select("input[type=radio][checked]"):
        form[str(radio["name"])] = str(radio["value"])
    for area in page.select("textarea"):
        form[str(area["name"])] = area.get_text()
    form.pop("csrf_token", None)
    assert submit(client, address, form).status_code == 302


def test_the_cli_validates_2026_2_and_its_changelog(runner: FlaskCliRunner) -> None:
    folder = Path(__file__).resolve().parent.parent / "questionnaires"
    files = [
        folder / "academy-maturity-2026.2.yaml",
        folder / "academy-maturity-changes-2026.2.yaml",
    ]
    result = runner.invoke(args=["maturity", "questionnaire", "validate", *map(str, files)])
    assert result.exit_code == 0, result.output
    assert "valid (academy-maturity version 2026.2)" in result.output
    assert "valid (changelog 'academy-maturity' 2026.1 → 2026.2)" in result.output
    everything = runner.invoke(args=["maturity", "questionnaire", "validate"])
    assert everything.exit_code == 0, everything.output
    assert "and its changelog 'academy-maturity' 2026.1 → 2026.2: valid" in everything.output
    # The outline says why a question weighs more than the others.
    shown = runner.invoke(args=["maturity", "questionnaire", "show", "academy-maturity"])
    assert "id academy-maturity, version 2026.2" in shown.output
    assert "[values-based-recruitment]\n" in shown.output  # weight 1: no weight shown
    assert "[funding-duration] (weight 1.5)\n       Weight: The guide returns to" in shown.output


def test_a_new_assessment_starts_on_the_newest_version(app: Flask) -> None:
    with app.app_context():
        assert questionnaire_for_new_assessment("academy-maturity").version == NEW


def test_answers_carried_from_2026_1_are_marked_where_the_question_changed(
    app: Flask, client: PageCheckingClient, world: World
) -> None:
    _submitted_on(app, world, OLD, "2024/25")
    sign_in(client, world.lead)
    task_list, assessment_id = _carry_forward(client, world, "2025/26")
    with app.app_context():
        assessment = db.session.get(Assessment, assessment_id)
        assert assessment is not None and assessment.questionnaire_version == NEW
        carried = {
            r.indicator_id: r
            for r in db.session.scalars(
                select(AnswerRecord).where(AnswerRecord.assessment_id == assessment_id)
            )
        }
    # Mapped through the shared ids; the new question has nothing carried to it.
    assert carried["mission-aims"].level == 3 and carried["mission-aims"].evidence_note == "Aims"
    assert carried["apprenticeships"].level == 2
    assert "small-employer-capacity" not in carried

    page = soup(client.get(task_list))
    notice = page.find(id="questions-changed")
    assert notice is not None
    words = notice.get_text(" ", strip=True)
    assert "carried forward from version 2026.1" in words and "uses version 2026.2" in words
    assert "2 questions you answered have changed since" in words
    hints = page.get_text(" ", strip=True)
    assert "1 carried over to confirm. This question changed: please check your answer" in hints

    training = _domain(client, world, assessment_id, "training")
    section = soup(client.get(training)).find(id="indicator-apprenticeships")
    assert section is not None
    text = section.get_text(" ", strip=True)
    assert f"{CHANGED_MESSAGE}." in text
    assert "Your answer was given on version 2026.1" in text
    assert "Rewritten at every level from the guide's training and development section" in text
    # A question with no answer carried shows no mark.
    other = soup(client.get(training)).find(id="indicator-management-training")
    assert other is not None and CHANGED_MESSAGE not in other.get_text()

    # Confirming the answer removes the mark, on the page and in the task list.
    _confirm(client, training)
    section = soup(client.get(training)).find(id="indicator-apprenticeships")
    assert section is not None and CHANGED_MESSAGE not in section.get_text()
    words = soup(client.get(task_list)).find(id="questions-changed")
    assert words is not None and "1 question you answered has changed" in words.get_text()
    _confirm(client, _domain(client, world, assessment_id, "leadership"))
    page = soup(client.get(task_list))
    assert page.find(id="questions-changed") is None
    assert CHANGED_MESSAGE not in page.get_text()


def test_answers_carried_within_one_version_are_not_marked(
    app: Flask, client: PageCheckingClient, world: World
) -> None:
    _submitted_on(app, world, NEW, "2024/25")
    sign_in(client, world.lead)
    task_list, assessment_id = _carry_forward(client, world, "2025/26")
    page = soup(client.get(task_list))
    assert page.find(id="questions-changed") is None
    assert "carried over to confirm" in page.get_text()
    leadership = soup(client.get(_domain(client, world, assessment_id, "leadership")))
    assert "Carried over – please confirm" in leadership.get_text()
    assert CHANGED_MESSAGE not in leadership.get_text()


def test_results_compare_a_2026_2_assessment_with_a_2026_1_one(
    app: Flask, client: PageCheckingClient, world: World
) -> None:
    _submitted_on(app, world, OLD, "2024/25")
    sign_in(client, world.lead)
    _task_list, assessment_id = _carry_forward(client, world, "2025/26")
    with app.app_context():
        assessment = db.session.get(Assessment, assessment_id)
        lead = db.session.scalar(select(User).where(User.email == world.lead))
        assert assessment is not None and lead is not None
        set_answer(assessment, "mission-aims", AnswerValues(level=4), lead)
        set_answer(assessment, "small-employer-capacity", AnswerValues(level=2), lead)
        submit_assessment(assessment, lead, declared=True)
        db.session.commit()
    page = soup(client.get_page("results.results", slug=world.org, assessment_id=assessment_id))
    heading = page.find(id="comparison")
    assert heading is not None
    section = heading.find_parent() or page
    text = section.get_text(" ", strip=True)
    assert "The earlier assessment used version 2026.1 and the later one version 2026.2" in text
    assert (
        "1 question is new in version 2026.2 and has no earlier answer: "
        "'Small employers' capacity to take part'." in text
    )
    table = page.find("caption", string=lambda s: bool(s and "2024/25 compared with 2025/26" in s))
    assert table is not None
    rows = {
        row.find("th").get_text(strip=True): [td.get_text(" ", strip=True) for td in row("td")]
        for row in table.find_parent("table").select("tbody tr")
        if row.find("th") is not None
    }
    # Leadership went from Strategic to Integrated on the shared question.
    assert rows["Leadership and strategy"][0].startswith("Strategic")
    assert rows["Leadership and strategy"][1].startswith("Integrated")
