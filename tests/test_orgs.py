"""An organisation's overview: where its assessments, results, plan, impact and team are."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from maturity.extensions import db
from maturity.models import Assessment, User
from maturity.services.assessments import AnswerValues, set_answer, submit_assessment
from tests.helpers import World, sign_in, soup


def _links(client: FlaskClient, slug: str) -> dict[str, str]:
    page = soup(client.get_page("orgs.overview", slug=slug))
    return {a.get_text(strip=True): str(a["href"]) for a in page.select("main a.govuk-link")}


def test_the_overview_links_to_the_latest_submitted_results(
    app: Flask, client: FlaskClient, world: World
) -> None:
    sign_in(client, world.contributor)
    assert not any(text.startswith("Latest results") for text in _links(client, world.org))
    with app.app_context():
        assessment = db.session.get(Assessment, world.assessment)
        lead = db.session.scalar(select(User).where(User.email == world.lead))
        assert assessment is not None and lead is not None
        set_answer(assessment, "mission-aims", AnswerValues(level=3), lead)
        submit_assessment(assessment, lead, declared=True)
        db.session.commit()
    results = _links(client, world.org)["Latest results: 2026/27"]
    assert results == client.url("results.results", slug=world.org, assessment_id=world.assessment)
    page = soup(client.get(results)).get_text(" ", strip=True)
    assert "2026/27" in page
