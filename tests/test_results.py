"""Results pages: the numbers match the framework; benchmarks are suppressed below 3;
a non-sharing academy is never named; next steps, action plan, exports, directory."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

import pytest
from bs4 import BeautifulSoup
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from maturity.extensions import db
from maturity.framework import AssessmentResult, Questionnaire, next_steps, score
from maturity.models import (
    ActionItem,
    ActionStatus,
    Assessment,
    AssessmentStatus,
    Organisation,
    User,
)
from maturity.services.assessments import (
    AnswerValues,
    answers_by_indicator,
    engine_answers,
    latest_snapshot,
    questionnaire_of,
    reopen_assessment,
    set_answer,
    submit_assessment,
)
from maturity.services.questionnaires import questionnaire
from tests.helpers import (
    World,
    error_messages,
    make_assessment,
    make_organisation,
    sign_in,
    soup,
    submit,
)


def _submit(organisation: Organisation, cycle: str, levels: dict[str, int], default: int) -> int:
    """A submitted annual assessment: ``levels`` per domain id, ``default`` elsewhere."""
    lead = db.session.scalar(select(User).where(User.email == "lead@test.example"))
    assert lead is not None
    assessment = make_assessment(organisation, cycle)
    for domain in questionnaire("academy-maturity").domains:
        for indicator in domain.indicators:
            level = levels.get(domain.id, default)
            set_answer(assessment, indicator.id, AnswerValues(level=level), lead)
    submit_assessment(assessment, lead, declared=True)
    db.session.flush()
    return assessment.id


def _org(slug: str) -> Organisation:
    found = db.session.scalar(select(Organisation).where(Organisation.slug == slug))
    assert found is not None
    return found


def _results_url(client: FlaskClient, world: World, assessment_id: int) -> str:
    return client.url("results.results", slug=world.org, assessment_id=assessment_id)


def _lead_sees_results(client: FlaskClient, world: World, assessment_id: int) -> BeautifulSoup:
    """The results page as the academy's lead sees it."""
    sign_in(client, world.lead)
    return soup(client.get(_results_url(client, world, assessment_id)))


def _table(page, caption: str) -> list[list[str]]:  # type: ignore[no-untyped-def]
    for table in page.select("table"):
        found = table.find("caption")
        if found is not None and caption in found.get_text():
            return [
                [cell.get_text(" ", strip=True) for cell in row.find_all(["th", "td"])]
                for row in table.select("tbody tr")
            ]
    raise AssertionError(f"no table captioned {caption!r}")


def _expected(app: Flask, assessment_id: int) -> tuple[Questionnaire, AssessmentResult]:
    """The questionnaire and the framework's result of the assessment's live answers."""
    with app.app_context():
        assessment = db.session.get_one(Assessment, assessment_id)
        q = questionnaire_of(assessment)
        return q, score(q, engine_answers(answers_by_indicator(assessment)))


@pytest.fixture
def cohort(app: Flask, world: World) -> dict[str, int]:
    """The world's academy (North West) submitted 2025/26 and answered 2026/27, plus
    four other academies: two sharing, one not sharing, one in London."""
    with app.app_context():
        org = _org(world.org)
        org.shares_named_results = True
        ids = {
            "previous": _submit(org, "2025/26", {}, 2),
        }
        db.session.delete(db.session.get(Assessment, world.assessment))
        db.session.flush()
        ids["current"] = _submit(org, "2026/27", {"funding": 1, "impact": 1}, 3)
        twin = make_organisation("Twin Care Academy", "north-west", shares_named_results=True)
        _submit(twin, "2026/27", {"funding": 4}, 3)
        hidden = make_organisation("Hidden Care Academy", "north-west", shares_named_results=False)
        _submit(hidden, "2026/27", {"funding": 5, "impact": 5}, 3)
        far = make_organisation(
            "Faraway Care Academy",
            "london",
            shares_named_results=True,
            kind=__import__(
                "maturity.models", fromlist=["OrganisationKind"]
            ).OrganisationKind.SOCIAL_CARE,
        )
        _submit(far, "2026/27", {"impact": 3}, 2)
        db.session.commit()
    return ids


def test_levels_and_scores_on_the_page_are_the_frameworks(
    app: Flask, client: FlaskClient, world: World, cohort: dict[str, int]
) -> None:
    page = _lead_sees_results(client, world, cohort["current"])
    _questionnaire, expected = _expected(app, cohort["current"])
    rows = _table(page, "Level, score, completeness and target by section")
    assert len(rows) == len(expected.domains)
    for row, domain in zip(rows, expected.domains, strict=True):
        assert row[0] == domain.title
        assert row[1].startswith(domain.level_name or "Not assessed")
        assert row[2] == f"{domain.score:.1f}"
    text = page.get_text(" ", strip=True)
    assert f"Overall level: {expected.overall.level_name}" in text


def test_benchmarks_are_withheld_for_groups_under_three(
    client: FlaskClient, world: World, cohort: dict[str, int]
) -> None:
    page = _lead_sees_results(client, world, cohort["current"])
    head = [
        cell.get_text(" ", strip=True)
        for cell in page.select("section[aria-labelledby=benchmarks] table thead th")
    ]
    assert head == ["Section", "You", "England (3 academies)"]
    rows = _table(page, "spread of academies")
    funding = next(row for row in rows if row[0] == "Funding and sustainability")
    # The academy itself is left out of its own groups. England: the 3 others (twin,
    # hidden, faraway) — a median but no quartiles under 5, the number said once in the
    # heading. North West: 2 others — every figure withheld, so no column of "Withheld"
    # but one sentence saying why, in the disclosure module's words.
    assert funding[2] == "4.0"
    assert len(funding) == 3
    text = page.get_text(" ", strip=True)
    assert (
        "North West: fewer than 3 academies: figures are withheld so that no academy can be "
        "identified." in text
    )
    assert text.count("Withheld") == 0
    assert "n = " not in text


def test_a_region_with_fewer_than_three_academies_is_withheld(
    app: Flask, client: FlaskClient, world: World, cohort: dict[str, int]
) -> None:
    with app.app_context():
        hidden = db.session.scalar(
            select(Assessment).where(Assessment.organisation_id == _org("hidden-care-academy").id)
        )
        assert hidden is not None
        hidden.status = AssessmentStatus.DRAFT  # reopened: no longer counted
        db.session.commit()
    page = _lead_sees_results(client, world, cohort["current"])
    # Every cell of both groups would be withheld: the table becomes two sentences.
    benchmarks = page.select_one("section[aria-labelledby=benchmarks]")
    assert benchmarks is not None and benchmarks.select("table") == []
    text = page.get_text(" ", strip=True)
    assert "England: fewer than 3 academies: figures are withheld" in text
    assert "North West: fewer than 3 academies: figures are withheld" in text
    assert "Withheld" not in text


def test_a_non_sharing_academy_is_never_named(
    client: FlaskClient, world: World, cohort: dict[str, int]
) -> None:
    sign_in(client, world.lead)
    body = client.get(_results_url(client, world, cohort["current"])).get_data(as_text=True)
    assert "Hidden Care Academy" not in body
    assert "Twin Care Academy" in body  # a sharing, similar academy stronger in funding


def test_peer_reason_is_in_words(client: FlaskClient, world: World, cohort: dict[str, int]) -> None:
    page = _lead_sees_results(client, world, cohort["current"])
    peers = page.find(id="peers").find_next("ul")  # type: ignore[union-attr]
    assert peers is not None
    first = peers.find("li")
    assert first is not None
    text = first.get_text(" ", strip=True)
    assert text.startswith("Twin Care Academy")
    assert "Stronger in Funding and sustainability: Integrated vs your First steps" in text


def test_comparison_with_last_cycle_shows_direction(
    client: FlaskClient, world: World, cohort: dict[str, int]
) -> None:
    page = _lead_sees_results(client, world, cohort["current"])
    rows = _table(page, "2025/26 compared with 2026/27")
    by_title = {row[0]: row for row in rows}
    assert by_title["Leadership and strategy"][3].endswith("up")
    assert by_title["Funding and sustainability"][3].endswith("down")
    assert by_title["Leadership and strategy"][1] == "Compliant (2.0)"


def test_next_steps_follow_the_framework_and_link_practice(
    app: Flask, client: FlaskClient, world: World, cohort: dict[str, int]
) -> None:
    page = _lead_sees_results(client, world, cohort["current"])
    q, result = _expected(app, cohort["current"])
    expected = next_steps(q, result)
    steps = page.select("li.app-next-step h3")
    assert steps, "no next steps shown"
    first = expected[0]
    assert steps[0].get_text(" ", strip=True) == (
        f"{first.indicator_title} ({first.domain_title}): "
        f"{first.from_level_name} to {first.to_level_name}"
    )
    assert page.select("li.app-next-step a[href^='/directory/']"), "no practice linked"
    adds = [a for a in page.select("a") if "Add to action plan" in a.get_text()]
    assert adds and "/actions/new?" in str(adds[0]["href"])


def test_a_draft_shows_a_live_preview(client: FlaskClient, world: World) -> None:
    sign_in(client, world.contributor)
    client.post_page(
        "assessments.domain",
        {"level-mission-aims": "4"},
        slug=world.org,
        assessment_id=world.assessment,
        domain_id="leadership",
    )
    page = soup(client.get(_results_url(client, world, world.assessment)))
    assert "Preview: this assessment is still in progress" in page.get_text()
    rows = _table(page, "Level, score, completeness and target by section")
    assert rows[0][2] == "4.0" and rows[0][3] == "1/6"


def test_action_plan_from_a_next_step(
    app: Flask, client: FlaskClient, world: World, cohort: dict[str, int]
) -> None:
    sign_in(client, world.contributor)
    url = client.url(
        "actions.new",
        slug=world.org,
        assessment=cohort["current"],
        domain="funding",
        indicator="core-funding",
        title="Agree three-year funding",
    )
    page = soup(client.get(url))
    title = page.find("textarea", attrs={"name": "title"})
    assert title is not None and title.get_text() == "Agree three-year funding"
    refused = submit(
        client,
        url,
        {
            "title": "Agree three-year funding",
            "owner": "",
            "domain": "funding",
            "due-day": "31",
            "due-month": "2",
            "due-year": "2027",
        },
    )
    errors = error_messages(refused)
    assert "Enter a real due date, for example 31 3 2027" in errors
    overdue = date.today() - timedelta(days=3)
    done = submit(
        client,
        url,
        {
            "title": "Agree three-year funding",
            "owner": "Finance lead",
            "domain": "funding",
            "status": "in_progress",
            "due-day": str(overdue.day),
            "due-month": str(overdue.month),
            "due-year": str(overdue.year),
        },
    )
    assert done.status_code == 302
    plan = soup(client.get_page("actions.index", slug=world.org))
    text = plan.get_text(" ", strip=True)
    assert "Funding and sustainability" in text and "Agree three-year funding" in text
    assert "Overdue" in text and "Raised in 2026/27" in text
    with app.app_context():
        action = db.session.scalar(select(ActionItem).where(ActionItem.owner == "Finance lead"))
        assert action is not None and action.indicator_id == "core-funding"
        action_id = action.id
    finished = submit(
        client,
        client.url("actions.edit", slug=world.org, action_id=action_id),
        {
            "title": "Agree three-year funding",
            "owner": "Finance lead",
            "domain": "funding",
            "status": "done",
        },
    )
    assert finished.status_code == 302
    plan = soup(client.get_page("actions.index", slug=world.org)).get_text(" ", strip=True)
    assert "Overdue" not in plan
    with app.app_context():
        action = db.session.get(ActionItem, action_id)
        assert action is not None and action.status == ActionStatus.DONE and action.completed_at


def test_csv_and_xlsx_have_one_row_per_indicator(
    app: Flask, client: FlaskClient, world: World, cohort: dict[str, int]
) -> None:
    with app.app_context():
        # The submitted evidence (a submission's export comes from its snapshot).
        snapshot = latest_snapshot(db.session.get_one(Assessment, cohort["current"]))
        assert snapshot is not None
        snapshot.answers = [
            item | {"evidence_note": '=HYPERLINK("http://evil.example")'}
            if item["indicator_id"] == "mission-aims"
            else item
            for item in snapshot.answers
        ]
        db.session.commit()
    sign_in(client, world.lead)
    values = {"slug": world.org, "assessment_id": cohort["current"]}
    response = client.get_page("results.answers_csv", **values)
    assert response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[0][:4] == ["Cycle", "Section", "Question id", "Question"]
    with app.app_context():
        indicator_count = len(questionnaire("academy-maturity").indicator_ids)
    assert len(rows) == 1 + indicator_count
    mission = next(row for row in rows if row[2] == "mission-aims")
    assert mission[4] == "3" and mission[5] == "Strategic"
    assert mission[10].startswith("'=")  # never a live formula in a spreadsheet
    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(client.get_page("results.answers_xlsx", **values).data))
    sheet = workbook["Answers"]
    assert sheet.max_row == len(rows)
    assert [cell.value for cell in workbook["Scores"][1]][:3] == ["Section", "Score", "Level"]


def _exported_evidence(client: FlaskClient, slug: str, assessment_id: int) -> str:
    response = client.get_page("results.answers_csv", slug=slug, assessment_id=assessment_id)
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    return next(row for row in rows if row[2] == "mission-aims")[10]


def test_a_submitted_assessments_export_comes_from_its_snapshot(
    app: Flask, client: FlaskClient, world: World
) -> None:
    """Evidence changed in the live answers after submission does not change the
    submission's export; a draft's export is its live answers."""
    with app.app_context():
        lead = db.session.scalar(select(User).where(User.email == "lead@test.example"))
        assert lead is not None
        assessment = db.session.get_one(Assessment, world.assessment)
        for indicator_id in questionnaire_of(assessment).indicator_ids:
            note = "As submitted" if indicator_id == "mission-aims" else None
            set_answer(assessment, indicator_id, AnswerValues(level=2, evidence_note=note), lead)
        submit_assessment(assessment, lead, declared=True)
        db.session.commit()
    sign_in(client, world.lead)
    assert _exported_evidence(client, world.org, world.assessment) == "As submitted"
    with app.app_context():
        live = answers_by_indicator(db.session.get_one(Assessment, world.assessment))
        live["mission-aims"].evidence_note = "Changed afterwards"
        db.session.commit()
    assert _exported_evidence(client, world.org, world.assessment) == "As submitted"
    with app.app_context():
        lead = db.session.scalar(select(User).where(User.email == "lead@test.example"))
        assert lead is not None
        reopen_assessment(db.session.get_one(Assessment, world.assessment), lead, "A fix")
        db.session.commit()
    assert _exported_evidence(client, world.org, world.assessment) == "Changed afterwards"


def test_pdf_report_opens(client: FlaskClient, world: World, cohort: dict[str, int]) -> None:
    try:
        import weasyprint  # noqa: F401
    except OSError as error:  # pragma: no cover - depends on the machine
        pytest.skip(f"WeasyPrint needs Pango (apt-get install -y libpango-1.0-0): {error}")
    sign_in(client, world.lead)
    response = client.get(
        client.url("results.pdf", slug=world.org, assessment_id=cohort["current"])
    )
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF-") and len(response.data) > 10_000


def test_directory_search_and_filters(client: FlaskClient, world: World) -> None:
    sign_in(client, world.contributor)
    everything = soup(client.get_page("directory.index"))
    assert "Caring Plymouth" in everything.get_text()
    by_region = soup(client.get_page("directory.index", region="south-west")).get_text()
    assert "Caring Plymouth" in by_region and "County Durham" not in by_region
    by_words = soup(client.get_page("directory.index", q="job centres")).get_text()
    assert "Caring Plymouth" in by_words
    entry = soup(client.get_page("directory.entry", entry_slug="caring-plymouth")).get_text(
        " ", strip=True
    )
    assert "Source:" in entry and "South West" in entry


def test_admin_adds_and_edits_a_directory_entry(client: FlaskClient, world: World) -> None:
    sign_in(client, world.admin)
    refused = client.post_page("directory.new_entry", {"name": ""})
    assert "Enter the academy's name" in error_messages(refused)
    created = client.post_page(
        "directory.new_entry",
        {
            "name": "Example Coast Academy",
            "region": "south-east",
            "kind": "social_care",
            "launched": "2024",
            "practice": "Runs a shared bank of care staff",
            "domains": "recruitment",
            "source_title": "Fictional test source",
        },
    )
    assert created.status_code == 302
    page = soup(client.get(created.headers["Location"])).get_text(" ", strip=True)
    assert "Runs a shared bank of care staff" in page and "Fictional test source" in page


def test_the_scoping_authority_gets_its_report(app: Flask, client: FlaskClient) -> None:
    from maturity.models import Locality, OrganisationKind, OrganisationStatus, Role
    from maturity.models import Membership as MembershipModel
    from maturity.services.assessments import start_assessment
    from tests.helpers import TEST_PASSWORD, make_user

    with app.app_context():
        council = make_organisation(
            "Scopeshire Council",
            "yorkshire-and-the-humber",
            status=OrganisationStatus.SCOPING,
            kind=OrganisationKind.SOCIAL_CARE,
            locality=Locality.RURAL,
            year_established=None,
        )
        officer = make_user("officer@scopeshire.example", "Sol Officer")
        db.session.add(MembershipModel(user=officer, organisation=council, role=Role.LEAD))
        assessment = start_assessment(council, "2026/27", officer, carry_forward=False)
        set_answer(assessment, "lead-post", AnswerValues(level=2), officer)
        set_answer(assessment, "workforce-data", AnswerValues(level=3), officer)
        db.session.commit()
        values = {"slug": council.slug, "assessment_id": assessment.id}
    sign_in(client, "officer@scopeshire.example", TEST_PASSWORD)
    page = soup(client.get_page("results.results", **values))
    text = page.get_text(" ", strip=True)
    assert "Scoping report: readiness to launch an academy" in text
    rows = _table(page, "Readiness by area")
    workforce = next(
        row for row in rows if row[0] == "Regional priorities and local workforce need"
    )
    assert workforce[1] == "Planned" and workforce[3] == "1/3"
    assert "Type of academy: Social care academy" in text
    assert "Delivery mode: Virtual or blended" in text
    contacts = page.find(id="contacts").find_next("ul").get_text(" ", strip=True)  # type: ignore[union-attr]
    assert contacts.startswith(
        "We Care Academy (Leeds)"
    )  # social care, same region, council-hosted


def test_charts_are_drawn_once_for_the_same_data(
    app: Flask, world: World, cohort: dict[str, int]
) -> None:
    """The chart cache itself, below the page cache: the same figures never draw twice."""
    from maturity.cache import EXTENSION_KEY
    from maturity.services.results import results_view
    from maturity.web.charts import profile_charts

    cache = app.extensions[EXTENSION_KEY]
    with app.test_request_context():
        first_view = results_view(db.session.get(Assessment, cohort["current"]))  # type: ignore[arg-type]
        first = profile_charts(first_view)
        drawn = cache.renders
        assert profile_charts(first_view) == first and cache.renders == drawn
        other = profile_charts(results_view(db.session.get(Assessment, cohort["previous"])))  # type: ignore[arg-type]
        # Different figures, a different chart (its address is a hash of its content).
        # Whether it is drawn now or was drawn by an earlier run depends on Redis.
        assert other["radar"] != first["radar"]
