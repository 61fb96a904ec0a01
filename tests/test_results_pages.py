"""The results page people read: the summary first (the overall level and what holds it
there, strongest and weakest sections, change, top next steps), a contents list, each
thing said once; the board summary PDF; and the organisation's way to its results and
to the assessment in progress."""

from __future__ import annotations

import io

from bs4 import BeautifulSoup
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from maturity.extensions import db
from maturity.framework import next_steps
from maturity.framework.headline import headline
from maturity.models import Assessment, Organisation, User
from maturity.services.assessments import AnswerValues, set_answer, submit_assessment
from maturity.services.questionnaires import questionnaire
from maturity.services.results import result_of
from tests.helpers import World, make_assessment, sign_in, soup

HELD = "funding-duration"  # the one answer at First steps that caps the academy


def _lead(email: str) -> User:
    found = db.session.scalar(select(User).where(User.email == email))
    assert found is not None
    return found


def _answer_all(assessment: Assessment, lead: User, default: int, **levels: int) -> None:
    for domain in questionnaire("academy-maturity").domains:
        for indicator in domain.indicators:
            level = levels.get(indicator.id.replace("-", "_"), default)
            set_answer(assessment, indicator.id, AnswerValues(level=level), lead)


def _two_cycles(app: Flask, world: World) -> tuple[int, int]:
    """The world's academy: 2025/26 submitted all at Compliant; 2026/27 (the world's
    draft) submitted at Strategic except one question at First steps."""
    with app.app_context():
        lead = _lead(world.lead)
        organisation = db.session.scalar(select(Organisation).where(Organisation.slug == world.org))
        assert organisation is not None
        earlier = make_assessment(organisation, "2025/26")
        _answer_all(earlier, lead, 2)
        submit_assessment(earlier, lead, declared=True)
        current = db.session.get_one(Assessment, world.assessment)
        _answer_all(current, lead, 3, **{HELD.replace("-", "_"): 1})
        submit_assessment(current, lead, declared=True)
        db.session.commit()
        return earlier.id, current.id


def _results(client: FlaskClient, world: World, assessment_id: int) -> BeautifulSoup:
    return soup(client.get_page("results.results", slug=world.org, assessment_id=assessment_id))


def test_the_summary_says_which_answer_holds_the_academy_and_how_to_lift_it(
    app: Flask, client: FlaskClient, world: World
) -> None:
    _earlier, current = _two_cycles(app, world)
    sign_in(client, world.lead)
    page = _results(client, world, current)
    summary = page.select_one("#summary")
    assert summary is not None
    text = summary.get_text(" ", strip=True)
    title = questionnaire("academy-maturity").indicator(HELD).title
    assert "Overall level: Compliant" in text
    assert (
        f"Compliant, not Strategic, because '{title}' is at First steps; raise it to "
        "Compliant and the academy reaches Strategic." in text
    )
    # The LGA attitude of the level named, and the glossary of all five.
    assert "Compliant is level 2 of 5 on the LGA’s scale: “has to be done, so we do it”" in text
    assert "What the 5 levels mean" in text and "We are leading best practice" in text
    # Change since last cycle, in words.
    assert "Since 2025/26: Compliant (2.0) to Compliant" in text
    with app.app_context():
        assessment = db.session.get_one(Assessment, current)
        result, _snapshot = result_of(assessment)
        expected_steps = next_steps(questionnaire("academy-maturity"), result)[:3]
        assert headline(result).holding == (title,)
    steps = [li.get_text(" ", strip=True) for li in summary.select(".app-top-steps li")]
    assert steps == [
        f"{step.indicator_title} ({step.domain_title}): {step.from_level_name} to "
        f"{step.to_level_name}"
        for step in expected_steps
    ]
    ranked = summary.select(".app-ranked")
    assert len(ranked) == 2 and len(ranked[0].select("li")) == 3 and len(ranked[1].select("li"))
    # The held section is the weakest.
    held_section = next(
        d.title for d in questionnaire("academy-maturity").domains if HELD in d.indicator_ids
    )
    assert ranked[1].select("li")[0].get_text(" ", strip=True).startswith(held_section)


def test_contents_list_leads_to_every_section_and_plain_words_are_used(
    app: Flask, client: FlaskClient, world: World
) -> None:
    _earlier, current = _two_cycles(app, world)
    sign_in(client, world.lead)
    page = _results(client, world, current)
    contents = page.select_one("nav.app-contents")
    assert contents is not None
    anchors = [str(a["href"]).removeprefix("#") for a in contents.select("a")]
    assert len(anchors) >= 6
    for anchor in anchors:
        heading = page.find(id=anchor)
        assert heading is not None and heading.name == "h2", anchor
    # Everything after the summary sits under the contents list.
    summary = page.select_one("#summary")
    assert summary is not None and summary.find_next("nav") is contents
    text = page.get_text(" ", strip=True)
    assert "indicator" not in text.lower()
    assert "n = " not in text


def test_why_each_section_says_each_thing_once(
    app: Flask, client: FlaskClient, world: World
) -> None:
    _earlier, current = _two_cycles(app, world)
    sign_in(client, world.lead)
    page = _results(client, world, current)
    why = page.find(id="why").find_parent("section")  # type: ignore[union-attr]
    details = why.select("details")
    assert len(details) == len(questionnaire("academy-maturity").domains)
    title = questionnaire("academy-maturity").indicator(HELD).title
    held = next(d for d in details if f"'{title}'" in d.get_text())
    text = held.get_text(" ", strip=True)
    # Named once as what holds the section, once among its answers: not three times.
    assert text.count(title) == 2
    assert "raise it to Compliant" in text and "the section reaches Strategic" in text
    assert "Held down by" not in text and "To reach" not in text


def test_a_submitted_assessment_is_never_headed_incomplete(
    app: Flask, client: FlaskClient, world: World
) -> None:
    with app.app_context():
        assessment = db.session.get_one(Assessment, world.assessment)
        set_answer(assessment, "mission-aims", AnswerValues(level=3), _lead(world.lead))
        submit_assessment(assessment, _lead(world.lead), declared=True)  # 1 of 56 answered
        db.session.commit()
    sign_in(client, world.lead)
    page = soup(
        client.get_page("assessments.task_list", slug=world.org, assessment_id=world.assessment)
    )
    text = page.get_text(" ", strip=True)
    assert "Assessment submitted" in text
    assert "Assessment incomplete" not in text


def _buttons_and_links(page: BeautifulSoup) -> dict[str, str]:
    return {
        a.get_text(" ", strip=True): str(a["href"])
        for a in page.select("main a.govuk-link, main a.govuk-button")
    }


def test_overview_continues_the_assessment_in_progress_and_links_the_latest_results(
    app: Flask, client: FlaskClient, world: World
) -> None:
    sign_in(client, world.lead)
    task_list = client.url("assessments.task_list", slug=world.org, assessment_id=world.assessment)
    for endpoint in ("orgs.overview", "assessments.index"):
        links = _buttons_and_links(soup(client.get_page(endpoint, slug=world.org)))
        assert links["Continue your assessment"] == task_list
        assert "Start an assessment" not in links
    earlier, current = _two_cycles(app, world)
    for endpoint in ("orgs.overview", "assessments.index"):
        links = _buttons_and_links(soup(client.get_page(endpoint, slug=world.org)))
        assert "Continue your assessment" not in links
        assert links["Start an assessment"] == client.url("assessments.start", slug=world.org)
    links = _buttons_and_links(soup(client.get_page("orgs.overview", slug=world.org)))
    assert links["Latest results: 2026/27"] == client.url(
        "results.results", slug=world.org, assessment_id=current
    )


def test_a_contributor_is_offered_to_continue_but_never_to_start(
    client: FlaskClient, world: World
) -> None:
    sign_in(client, world.contributor)
    links = _buttons_and_links(soup(client.get_page("orgs.overview", slug=world.org)))
    assert "Continue your assessment" in links and "Start an assessment" not in links


def test_the_results_pdf_opens_with_a_two_page_board_summary(
    app: Flask, client: FlaskClient, world: World
) -> None:
    from pypdf import PdfReader

    _earlier, current = _two_cycles(app, world)
    sign_in(client, world.lead)
    response = client.get(client.url("results.pdf", slug=world.org, assessment_id=current))
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    reader = PdfReader(io.BytesIO(response.data))
    pages = [page.extract_text() or "" for page in reader.pages]
    assert 4 <= len(pages) <= 30
    first = " ".join(pages[0].split())
    assert "Overall level: Compliant" in first
    assert "Compliant, not Strategic, because" in first
    assert "Top next steps" in first
    assert "Skip to main content" not in " ".join(pages)
    second = " ".join(pages[1].split())
    assert "Each section: level and why" in second
    # The appendix starts on page 3: the board summary is exactly two pages.
    third = " ".join(pages[2].split())
    assert third.startswith("Appendix: the full report") or "Appendix: the full report" in third
    assert all("Appendix" not in page for page in pages[:2])
    # Every page's footer names the academy and numbers the page.
    for number, page in enumerate(pages, start=1):
        flat = " ".join(page.split())
        assert "Testshire Care Academy" in flat, number
        assert f"Page {number} of {len(pages)}" in flat, number
