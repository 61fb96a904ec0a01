"""Every figure the sources publish for an academy fits a metric whose definition says exactly
what was counted: entered as a lead would (start a return, type the figures, check, submit), it
passes every rule and the reports show it exactly, with its definition.

The figures come from "Care and health career academies: What good looks like" (Partners in
Care and Health, LGA), section "Demonstrating impact" and "Scope and activities", and from its
part "Collaboration, co-production and co-delivery". The NHS article on employer engagement with
schools and colleges publishes no figures; what it asks academies to monitor is checked in
``test_the_nhs_articles_measures_can_be_entered_and_are_checked``. The same list is in
docs/impact-published-figures.md (kept in step by a test here).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from maturity.extensions import db
from maturity.models import Membership, Role
from maturity.services import impact
from tests.helpers import PageCheckingClient as Client
from tests.helpers import error_messages, make_organisation, make_user, sign_in, soup

ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Published:
    """One published figure: who, what the source says, the metric that holds it and the
    figure typed into the return (as the source prints it, except "200+")."""

    academy: str
    says: str
    metric_id: str
    typed: str


PUBLISHED = (
    Published("Caring Plymouth", "564 individuals have received skills action plans",
              "launch-skills-action-plans", "564"),
    Published("Caring Plymouth", "256 individuals who engaged with the Academy went into health "
              "and care related jobs, training, work experience or voluntary work",
              "launch-into-jobs-training-volunteering", "256"),
    Published("Caring Plymouth", "of these, 148 went into paid work in the health and care sector",
              "launch-into-paid-work", "148"),
    Published("Caring Plymouth", "33 new recruits (international recruitment with the NHS "
              "International Recruitment Hub)", "launch-international-recruits", "33"),
    Published("Caring Plymouth", "63,492 hours of capacity", "launch-care-hours-added", "63,492"),
    Published("Caring Plymouth", "two local care homes that would otherwise have had to close",
              "launch-care-homes-kept-open", "2"),
    Published("Caring Plymouth", "22 care home beds", "launch-care-home-beds-kept-open", "22"),
    Published("Leeds Health and Care Academy", "211 people supported into employment through an "
              "academy programme or service (over a five-year lifespan)",
              "launch-into-employment", "211"),
    Published("Leeds Health and Care Academy", "1,344 unique learners participated in an academy "
              "learning opportunity (over a five-year lifespan)", "launch-unique-learners",
              "1,344"),
    Published("Leeds Health and Care Academy", "1,953 members of the health and social care "
              "workforce have completed a learning opportunity or been supported into "
              "employment (over a five-year lifespan)", "launch-learning-or-employment", "1,953"),
    Published("County Durham Care Academy", "works with 200+ care providers",
              "providers-worked-with", "200"),
)  # fmt: skip

PERIOD = "2024/25 Q2"


def _academy(app: Flask, name: str) -> tuple[str, str]:
    """A new academy with a lead; its slug and the lead's email."""
    email = f"lead@{name.split()[0].lower()}.test.example"
    with app.app_context():
        organisation = make_organisation(name, "south-west")
        lead = make_user(email, f"Lead of {name}")
        db.session.add(Membership(user=lead, organisation=organisation, role=Role.LEAD))
        db.session.commit()
        return organisation.slug, email


def _enter_and_submit(client: Client, slug: str, period: str, figures: dict[str, str]) -> None:
    """Start a return, type the figures into its form, check it and submit it, as a lead."""
    started = client.post_page("impact.start_return", {"period": period}, slug=slug)
    assert started.status_code == 302, error_messages(started)
    form_url = started.headers["Location"]
    page = soup(client.get(form_url))
    data = {str(f["name"]): str(f.get("value", "")) for f in page.select("form input[type=hidden]")}
    for metric_id, value in figures.items():
        assert page.find("input", attrs={"name": f"metric-{metric_id}"}) is not None, metric_id
        data[f"metric-{metric_id}"] = value
    saved = client.post(form_url, data=data)
    assert saved.status_code == 302, error_messages(saved)
    check = client.get(saved.headers["Location"])
    assert soup(check).find(id="warnings") is None, soup(check).find(id="warnings")
    assert "Every figure passes the checks" in check.get_data(as_text=True)
    token = soup(check).select_one("form#submit input[name=csrf_token]")
    assert token is not None
    return_id = int(form_url.rsplit("/", 1)[1])
    done = client.post(
        client.url("impact.submit_return", slug=slug, return_id=return_id),
        data={"csrf_token": token["value"]},
    )
    assert done.status_code == 302, error_messages(done)


def _text(node: Any) -> str:
    return " ".join(node.get_text(" ", strip=True).split())


def _definitions(page: Any) -> dict[str, str]:
    """The "What the figures mean" list: title → definition."""
    found = {}
    for term in page.select("dl dt"):
        found[_text(term)] = _text(term.find_next_sibling("dd"))
    return found


def _rows(page: Any) -> dict[str, list[str]]:
    rows: dict[str, list[str]] = {}
    for row in page.select("table tbody tr"):
        cells = [_text(cell) for cell in row.find_all(["th", "td"])]
        rows.setdefault(cells[0], cells)
    return rows


@pytest.mark.parametrize(
    "academy", sorted({figure.academy for figure in PUBLISHED}), ids=lambda name: name
)
def test_each_published_figure_is_entered_and_shown_exactly_with_its_definition(
    app: Flask, client: Client, academy: str
) -> None:
    figures = [figure for figure in PUBLISHED if figure.academy == academy]
    slug, email = _academy(app, academy)
    sign_in(client, email)
    _enter_and_submit(client, slug, PERIOD, {f.metric_id: f.typed for f in figures})
    with app.app_context():
        definition = impact.metrics_definition()
    report = soup(client.get_page("impact.quarterly_report", slug=slug, query={"period": PERIOD}))
    case = soup(client.get_page("impact.making_the_case", slug=slug, query={"cycle": "2024/25"}))
    trends = {
        group: _rows(soup(client.get_page("impact.trends", slug=slug, query={"group": group})))
        for group in {definition.metric(f.metric_id).group for f in figures}
    }
    report_rows = _rows(report)
    report_meanings = _definitions(report)
    case_meanings = _definitions(case)
    case_text = _text(case)
    assert "Every figure in this quarter's return passes the rules" in _text(report)
    for figure in figures:
        metric = definition.metric(figure.metric_id)
        meaning = " ".join(metric.definition.split())
        # The quarterly report: the figure for the quarter and, for a running total, the same
        # figure as the total since launch; never added up as if it were a quarter's count.
        row = report_rows[metric.title]
        assert row[1] == figure.typed, (metric.id, row)
        assert row[3] == "Not added up", (metric.id, row)
        assert row[4] == (figure.typed if metric.since_launch else "Not added up"), row
        assert report_meanings[metric.title] == meaning
        # Making the case: the figure as it stood at the end of the quarter, with its meaning.
        assert (
            f"{figure.typed} {metric.title.lower() if not metric.parent else metric.title}"
            in (case_text)
            or f"{figure.typed} care providers the academy works with" in case_text
        ), metric.id
        if metric.since_launch:
            assert f"Since the academy launched (to the end of {PERIOD})" in case_text
        assert case_meanings[metric.title] == meaning
        # Trends: latest and since launch.
        trend_row = trends[metric.group][metric.title]
        assert trend_row[1] == figure.typed
        assert trend_row[3] == (figure.typed if metric.since_launch else "Not added up")


def test_lifespan_figures_are_running_totals_and_people_are_counted_once() -> None:
    from maturity.services.impact import metrics_definition

    definition = metrics_definition()
    for figure in PUBLISHED:
        metric = definition.metric(figure.metric_id)
        if figure.academy != "County Durham Care Academy":
            assert metric.since_launch and not metric.cumulative, metric.id
        if re.search(r"\b(individuals|people|unique learners|new recruits)\b", figure.says):
            assert metric.unit == "people", metric.id
            assert "once" in metric.definition, metric.id
    combined = definition.metric("launch-learning-or-employment")
    assert combined.unit == "count" and "not different people" in combined.definition
    # Providers' existing staff who only took training are learners, not "people supported".
    assert "providers' existing staff" in definition.metric("unique-learners").definition
    assert "Unique learners" in definition.metric("people-supported").definition


def test_the_figures_list_in_the_docs_matches_this_fixture() -> None:
    text = (ROOT / "docs" / "impact-published-figures.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| (.+?) \| (.+?) \| `([a-z0-9-]+)` \| (.+?) \|", text, re.MULTILINE)
    listed = [(academy, metric_id) for academy, _says, metric_id, _meaning in rows]
    assert listed == [(figure.academy, figure.metric_id) for figure in PUBLISHED]


# --- the NHS article's measures ------------------------------------------------------------------


def test_the_nhs_articles_measures_can_be_entered_and_are_checked(
    app: Flask, client: Client
) -> None:
    slug, email = _academy(app, "Schoolside Health and Care Academy")
    sign_in(client, email)
    figures = {
        "schools-staff-hours": "120",
        "school-requests-received": "40",
        "school-requests-met": "25",
        "schools-employer-partners": "9",
        "schools-employer-partners-small": "4",
        "learner-feedback-responses": "180",
        "learner-feedback-careers": "82",
        "learner-feedback-wider-benefits": "74",
        "learner-destinations-known": "60",
        "we-destinations-known": "20",
        "we-destination-education": "11",
        "we-destination-apprenticeship": "4",
        "we-destination-employment": "3",
        "we-destination-other": "2",
        "we-destination-health-care": "9",
        "event-destinations-known": "40",
        "event-destination-education": "30",
        "event-destination-apprenticeship": "5",
        "event-destination-employment": "4",
        "event-destination-other": "1",
        "event-destination-health-care": "6",
    }
    # Destinations are yearly figures, asked in the Q4 return.
    _enter_and_submit(client, slug, "2024/25 Q4", figures)
    report = soup(
        client.get_page("impact.quarterly_report", slug=slug, query={"period": "2024/25 Q4"})
    )
    rows = _rows(report)
    assert rows["of which met"][1] == "25"
    assert rows["Learners who said it helped them in other ways"][1] == "74%"
    assert rows["of whom into an apprenticeship"][1] == "4"  # work experience learners first
    meanings = _definitions(report)
    assert "fewer than 250 staff" in meanings["of whom small or medium-sized employers"]
    case = _text(soup(client.get_page("impact.making_the_case", slug=slug)))
    assert "120 hours of staff time given to schools and colleges" in case
    assert "40 requests from schools and colleges" in case and "25 of which met" in case
    assert "82% of learners said it helped them understand health and care careers" in case


@pytest.mark.parametrize(
    ("figures", "rule"),
    [
        (
            {"learner-destinations-known": "10", "we-destinations-known": "4",
             "event-destinations-known": "5"},
            "destinations-split-by-activity",
        ),
        (
            {"we-destinations-known": "10", "we-destination-education": "4",
             "we-destination-apprenticeship": "1", "we-destination-employment": "1",
             "we-destination-other": "1"},
            "we-destinations-by-type",
        ),
        (
            {"school-requests-received": "3", "school-requests-met": "4"},
            "school-requests-met-within-school-requests-received",
        ),
        (
            {"launch-into-paid-work": "20", "launch-into-employment": "15",
             "launch-into-jobs-training-volunteering": "30"},
            "launch-paid-work-within-employment",
        ),
    ],
)  # fmt: skip
def test_figures_that_do_not_add_up_break_a_named_rule(figures: dict[str, str], rule: str) -> None:
    from maturity.framework import check_return
    from maturity.framework.impact import parse_figure
    from maturity.services.impact import metrics_definition

    problems = check_return(
        metrics_definition(), {key: parse_figure(value) for key, value in figures.items()}
    )
    assert [problem.rule_id for problem in problems] == [rule]


def test_an_earlier_version_still_describes_its_returns(app: Flask) -> None:
    with app.app_context():
        old = impact.metrics_definition("2026.1")
        new = impact.metrics_definition()
    assert (old.version, new.version) == ("2026.1", "2026.2")
    # 2026.2 keeps every measure of 2026.1, in the same unit, period and group.
    for metric in old.metrics:
        kept = new.metric(metric.id)
        assert (kept.unit, kept.period, kept.cumulative, kept.parent, kept.group) == (
            metric.unit,
            metric.period,
            metric.cumulative,
            metric.parent,
            metric.group,
        )
    assert not old.has_metric("unique-learners") and new.has_metric("unique-learners")
