"""Impact: returns with their validation and rules, submitting, trends and totals, targets,
the theory of change, case studies, both reports and the Caring Plymouth fixture."""

from __future__ import annotations

from datetime import date

import pytest
from flask import Flask
from sqlalchemy import func, select
from werkzeug.test import TestResponse

from maturity.extensions import db
from maturity.models import (
    AuditEvent,
    CaseStudy,
    ImpactReturn,
    ImpactReturnStatus,
    ImpactValue,
    Organisation,
    TheoryOfChange,
    User,
)
from maturity.services import impact
from tests.helpers import PageCheckingClient as Client
from tests.helpers import World, csrf_from, error_messages, sign_in, soup, submit

# The figures Caring Plymouth published, as quoted in "Care and health career academies:
# what good looks like" (Partners in Care and Health, LGA), section "Demonstrating impact".
PLYMOUTH = {
    "skills-action-plans": "564",
    "into-jobs-training-volunteering": "256",
    "into-paid-work": "148",
    "international-recruits": "33",
    "care-hours-added": "63,492",
}


def _return_url(client: Client, world: World, endpoint: str = "impact.edit_return") -> str:
    """A page of the world's draft return: the form, or ``impact.review_return`` or
    ``impact.submit_return``."""
    return client.url(endpoint, slug=world.org, return_id=world.impact_return)


def _fields(figures: dict[str, str]) -> dict[str, str]:
    return {f"metric-{key}": value for key, value in figures.items()}


def _save_figures(
    client: Client, world: World, figures: dict[str, str], **fields: str
) -> TestResponse:
    """Post the world's draft return form with these figures (and other fields)."""
    return submit(client, _return_url(client, world), {**_fields(figures), **fields})


def _stored(app: Flask, return_id: int) -> dict[str, float]:
    with app.app_context():
        return {
            value.metric_id: value.value
            for value in db.session.scalars(
                select(ImpactValue).where(ImpactValue.return_id == return_id)
            )
        }


def _status(app: Flask, return_id: int) -> ImpactReturnStatus:
    with app.app_context():
        found = db.session.get(ImpactReturn, return_id)
        assert found is not None
        return found.status


def _row(page, caption: str, first_cell: str) -> list[str]:  # type: ignore[no-untyped-def]
    for table in page.select("table"):
        found = table.find("caption")
        if found is not None and caption in found.get_text():
            for row in table.select("tbody tr"):
                cells = [cell.get_text(" ", strip=True) for cell in row.find_all(["th", "td"])]
                if cells and cells[0] == first_cell:
                    return cells
    raise AssertionError(f"no row {first_cell!r} in a table captioned {caption!r}")


# --- validation ------------------------------------------------------------------------------


def test_figures_are_validated_field_by_field_and_valid_ones_kept(
    app: Flask, client: Client, world: World
) -> None:
    sign_in(client, world.contributor)
    response = _save_figures(
        client,
        world,
        {
            "people-supported": "-3",
            "course-completions": "2.5",
            "skills-action-plans": "lots",
            "participant-satisfaction": "120",
            "providers-engaged": "12",
            "into-space": "4",
        },
    )
    assert response.status_code == 200
    page = soup(response)
    assert page.title is not None and page.title.get_text().startswith("Error: ")
    messages = error_messages(response)
    assert "'People supported' cannot be negative (it is -3)" in messages
    assert (
        "'Course and training completions' must be a whole number of count (it is 2.5)" in messages
    )
    assert "Enter 'Skills action plans issued' as a number, like 12" in messages
    assert "'Participant satisfaction' cannot be more than 100% (it is 120)" in messages
    assert any("(into-space). It was not saved" in message for message in messages)
    links = [a["href"] for a in page.select(".govuk-error-summary__list a")]
    assert "#metric-people-supported" in links
    # What was typed stays in the field; the valid figure was saved.
    field = page.find("input", attrs={"name": "metric-course-completions"})
    assert field is not None and field["value"] == "2.5"
    assert _stored(app, world.impact_return) == {"providers-engaged": 12}
    assert "metric-into-space" not in {f"metric-{key}" for key in _stored(app, world.impact_return)}


def test_of_whom_and_retention_rules_are_warnings_on_a_saved_draft(
    app: Flask, client: Client, world: World
) -> None:
    sign_in(client, world.lead)
    response = _save_figures(
        client,
        world,
        {
            "into-jobs-training-volunteering": "10",
            "into-paid-work": "12",
            "into-employment": "20",
            "starters-cohort-6-months": "4",
            "starters-retained-6-months": "5",
        },
    )
    assert response.status_code == 302
    assert _stored(app, world.impact_return)["into-paid-work"] == 12
    page = soup(client.get(response.headers["Location"]))
    warnings = page.find(id="warnings")
    assert warnings is not None
    text = warnings.get_text(" ", strip=True)
    assert (
        "'of whom into paid work in health and care' cannot be more than 'People into health "
        "and care jobs, training, work experience or volunteering'" in text
    )
    assert "'of whom retained at six months' cannot be more than 'Starters due a six-month" in text
    # Submitting is refused until the figures are consistent.
    refused = client.post(
        _return_url(client, world, "impact.submit_return"),
        data={"csrf_token": _csrf(client, world)},
    )
    assert refused.status_code == 200
    assert error_messages(refused) == [
        "Correct the figures that break the rules before submitting: 2 problems found"
    ]
    assert _status(app, world.impact_return) == ImpactReturnStatus.DRAFT


def _csrf(client: Client, world: World) -> str:
    return csrf_from(
        client.get_page("impact.review_return", slug=world.org, return_id=world.impact_return)
    )


@pytest.mark.parametrize(
    ("period", "message"),
    [
        ("2099/00 Q1", "2099/00 Q1 has not started yet"),
        ("2026-Q1", "Enter the period as a financial year and quarter, like 2026/27 Q1"),
        ("2018/19 Q4", "Returns start from 2019/20 Q1"),
        ("2025/26 Q1", "There is already a return for 2025/26 Q1"),
    ],
)
def test_future_bad_and_taken_periods_are_refused(
    client: Client, world: World, period: str, message: str
) -> None:
    sign_in(client, world.contributor)
    response = client.post_page("impact.start_return", {"period": period}, slug=world.org)
    assert response.status_code == 200
    messages = error_messages(response)
    assert len(messages) == 1 and messages[0].startswith(message)


def test_a_return_is_started_then_submitted_by_a_lead_and_becomes_read_only(
    app: Flask, client: Client, world: World
) -> None:
    sign_in(client, world.lead)
    started = client.post_page("impact.start_return", {"period": "2025/26 Q2"}, slug=world.org)
    assert started.status_code == 302
    url = started.headers["Location"]
    return_id = int(url.rsplit("/", 1)[1])
    assert url == client.url("impact.edit_return", slug=world.org, return_id=return_id)
    saved = submit(client, url, _fields({"people-supported": "40", "skills-action-plans": "25"}))
    assert saved.status_code == 302
    check = client.get_page("impact.review_return", slug=world.org, return_id=return_id)
    assert "Every figure passes the checks" in check.get_data(as_text=True)
    token = soup(check).select_one("form#submit input[name=csrf_token]")
    assert token is not None
    done = client.post(
        client.url("impact.submit_return", slug=world.org, return_id=return_id),
        data={"csrf_token": token["value"]},
    )
    assert done.status_code == 302
    assert _status(app, return_id) == ImpactReturnStatus.SUBMITTED
    with app.app_context():
        assert db.session.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.action == "impact_return_submitted")
        )
    # Read-only: the form redirects, and a tampered post changes nothing.
    assert client.get(url).status_code == 302
    client.post(url, data={"csrf_token": token["value"], "metric-people-supported": "99"})
    assert _stored(app, return_id)["people-supported"] == 40
    check = client.get_page("impact.review_return", slug=world.org, return_id=return_id)
    assert "This return is read-only" in check.get_data(as_text=True)


def test_a_contributor_saves_drafts_but_cannot_submit(
    app: Flask, client: Client, world: World
) -> None:
    sign_in(client, world.contributor)
    saved = _save_figures(client, world, {"people-supported": "5"})
    assert saved.status_code == 302
    page = soup(client.get(_return_url(client, world, "impact.review_return")))
    assert page.select_one("form#submit") is None
    assert "A lead of" in page.get_text()
    response = client.post(
        _return_url(client, world, "impact.submit_return"),
        data={"csrf_token": _csrf(client, world)},
    )
    assert response.status_code == 403
    assert _status(app, world.impact_return) == ImpactReturnStatus.DRAFT


def test_a_stale_form_does_not_overwrite_newer_figures(
    app: Flask, client: Client, world: World
) -> None:
    sign_in(client, world.lead)
    url = _return_url(client, world)
    page = soup(client.get(url))
    stale = {
        str(field["name"]): str(field["value"]) for field in page.select("form input[type=hidden]")
    }
    assert submit(client, url, _fields({"people-supported": "30"})).status_code == 302
    response = client.post(url, data={**stale, "metric-people-supported": "7"})
    assert response.status_code == 200
    assert "Someone else saved this return" in error_messages(response)[0]
    assert _stored(app, world.impact_return)["people-supported"] == 30


def test_another_organisations_records_are_not_found(client: Client, world: World) -> None:
    sign_in(client, world.lead)
    for endpoint, values in (
        ("impact.edit_return", {"return_id": world.other_impact_return}),
        ("impact.review_return", {"return_id": world.other_impact_return}),
        ("impact.theory", {"theory_id": world.other_theory}),
        ("impact.edit_case_study", {"case_study_id": world.other_case_study}),
    ):
        client.get_page(endpoint, expected=404, slug=world.org, **values)


# --- trends, totals and targets --------------------------------------------------------------


def _submitted(app: Flask, world: World, figures: dict[str, dict[str, int | float]]) -> None:
    """Submitted returns for the world's organisation, straight through the service."""
    with app.app_context():
        organisation = db.session.scalar(select(Organisation).where(Organisation.slug == world.org))
        lead = db.session.scalar(select(User).where(User.email == world.lead))
        assert organisation is not None and lead is not None
        for period, values in figures.items():
            existing = db.session.scalar(
                select(ImpactReturn).where(
                    ImpactReturn.organisation_id == organisation.id, ImpactReturn.period == period
                )
            )
            impact_return = existing or impact.start_return(
                organisation, period, lead, today=date(2026, 11, 1)
            )
            assert impact.set_values(impact_return, values, lead) == []
            impact.submit_return(impact_return, lead)
        db.session.commit()


def test_totals_since_launch_and_period_on_period_change(
    app: Flask, client: Client, world: World
) -> None:
    _submitted(
        app,
        world,
        {
            "2025/26 Q1": {"people-supported": 50, "participant-satisfaction": 80},
            "2025/26 Q2": {"people-supported": 60, "participant-satisfaction": 85.5},
            "2025/26 Q3": {"people-supported": 75, "participant-satisfaction": 90},
        },
    )
    sign_in(client, world.contributor)
    page = soup(client.get_page("impact.trends", slug=world.org, query={"group": "outputs"}))
    caption = "Outputs: latest, change and total since launch"
    row = _row(page, caption, "People supported")
    # 50 + 60 + 75 = 185; 75 - 60 = +15, which is +25.0% of 60.
    assert row[1] == "75" and row[3] == "185"
    assert "+15" in row[2] and "(+25.0%)" in row[2]
    assert page.select_one("img.app-chart")["src"].startswith("data:image/svg+xml;base64,")
    satisfaction = soup(
        client.get_page("impact.trends", slug=world.org, query={"group": "satisfaction"})
    )
    row = _row(satisfaction, "Satisfaction: latest", "Participant satisfaction")
    assert row[1] == "90%" and row[3] == "Not added up"
    assert "+4.5 percentage points" in row[2]
    client.get_page("impact.trends", expected=404, slug=world.org, query={"group": "nonsense"})


def test_targets_are_validated_and_shown_against_outputs(
    app: Flask, client: Client, world: World
) -> None:
    sign_in(client, world.contributor)
    url = client.url("impact.targets", slug=world.org, cycle="2025/26")
    response = submit(
        client,
        url,
        {"target-people-supported": "300", "target-course-completions": "-5"},
    )
    assert response.status_code == 200
    assert error_messages(response) == [
        "'Course and training completions' cannot be negative (it is -5)"
    ]
    with app.app_context():
        organisation = db.session.scalar(select(Organisation).where(Organisation.slug == world.org))
        assert organisation is not None
        assert impact.targets_for(organisation, "2025/26") == {"people-supported": 300}
    _submitted(
        app,
        world,
        {
            "2025/26 Q1": {"people-supported": 50},
            "2025/26 Q2": {"people-supported": 100},
        },
    )
    report = soup(
        client.get_page("impact.quarterly_report", slug=world.org, query={"period": "2025/26 Q2"})
    )
    row = _row(report, "Figures against the targets for 2025/26", "People supported")
    assert row[1:] == ["100", "150", "300", "50%"]


# --- the guide's published figures ------------------------------------------------------------


def test_the_caring_plymouth_figures_make_a_report_showing_exactly_them(
    app: Flask, client: Client, world: World
) -> None:
    sign_in(client, world.lead)
    saved = _save_figures(client, world, PLYMOUTH)
    assert saved.status_code == 302, error_messages(saved)
    check = client.get(_return_url(client, world, "impact.review_return"))
    assert soup(check).find(id="warnings") is None
    token = soup(check).select_one("form#submit input[name=csrf_token]")
    assert token is not None
    assert (
        client.post(
            _return_url(client, world, "impact.submit_return"), data={"csrf_token": token["value"]}
        ).status_code
        == 302
    )
    assert _stored(app, world.impact_return) == {
        "skills-action-plans": 564,
        "into-jobs-training-volunteering": 256,
        "into-paid-work": 148,
        "international-recruits": 33,
        "care-hours-added": 63492,
    }

    report = soup(client.get_page("impact.quarterly_report", slug=world.org))
    assert "Quarterly impact report: 2025/26 Q1 (April to June 2025)" in report.h1.get_text()
    expected = {
        "Skills action plans issued": "564",
        "People into health and care jobs, training, work experience or volunteering": "256",
        "of whom into paid work in health and care": "148",
        "International recruits": "33",
        "Hours of care capacity added": "63,492",
    }
    for title, figure in expected.items():
        caption = "Outputs" if title == "Skills action plans issued" else "Destinations"
        row = _row(report, caption, title)
        assert row[1] == figure, row
        assert row[3] == figure and row[4] == figure, row  # year to date and since launch
    text = report.get_text(" ", strip=True)
    assert "Every figure in this quarter's return passes the rules" in text
    assert "cannot be more than" not in text
    case = soup(
        client.get_page("impact.making_the_case", slug=world.org, query={"cycle": "2025/26"})
    )
    case_text = case.get_text(" ", strip=True)
    for figure in ("564", "256", "148", "33", "63,492"):
        assert figure in case_text
    assert "Hours of care capacity added" in case_text  # the definitions are shown


# --- theory of change and case studies --------------------------------------------------------


def test_theory_of_change_builder_validates_links_and_keeps_each_cycle(
    app: Flask, client: Client, world: World
) -> None:
    sign_in(client, world.contributor)
    started = client.post_page("impact.theories", {"cycle": "2026/27"}, slug=world.org)
    assert started.status_code == 302
    edit_url = started.headers["Location"]
    theory_id = int(edit_url.split("/")[-2])
    assert edit_url == client.url("impact.edit_theory", slug=world.org, theory_id=theory_id)
    taken = client.post_page("impact.theories", {"cycle": "2026/27"}, slug=world.org)
    assert error_messages(taken) == ["There is already a theory of change for 2026/27"]
    saved = submit(
        client,
        edit_url,
        {
            "challenge": "Too few care workers",
            "inputs": "Council funding\nTwo staff",
            "activities": "Pre-employment course",
            "outputs": "People supported",
            "impacts": "x" * 201,
        },
    )
    assert saved.status_code == 200
    assert error_messages(saved) == [
        "Each of the long-term impacts must be 200 characters or fewer"
    ]
    base = client.url("impact.theory", slug=world.org, theory_id=theory_id)
    new_outcome = client.url("impact.new_outcome", slug=world.org, theory_id=theory_id)
    refused = submit(
        client,
        new_outcome,
        {"text": "More people in care jobs", "metrics": "into-space", "domains": "astronomy"},
    )
    assert refused.status_code == 200
    assert error_messages(refused) == [
        "Select metrics from the list ('into-space' is not a metric)",
        "Select maturity domains from the list ('astronomy' is not a domain)",
    ]
    added = client.post(
        new_outcome,
        data={
            "csrf_token": _token(client, new_outcome),
            "text": "Starters stay in the sector",
            "metrics": ["starters-retained-6-months", "starters-retained-12-months"],
            "domains": ["training"],
        },
    )
    assert added.status_code == 302
    with app.app_context():
        theories = {
            t.cycle: t
            for t in db.session.scalars(select(TheoryOfChange).where(TheoryOfChange.id > 0))
            if t.id in (theory_id, world.theory)
        }
        assert theories["2026/27"].inputs == ["Council funding", "Two staff"]
        assert [o["text"] for o in theories["2026/27"].outcomes] == [
            "More people in care jobs",  # copied from 2025/26
            "Starters stay in the sector",
        ]
        assert theories["2026/27"].outcomes[1]["domain_ids"] == ["training"]
        assert theories["2025/26"].inputs == [] and len(theories["2025/26"].outcomes) == 1
    page = soup(client.get(base))
    image = page.select_one("img.app-chart")
    assert image is not None and image["src"].startswith("data:image/svg+xml;base64,")
    assert "The same content is in the table" in image["alt"]
    text = page.get_text(" ", strip=True)
    assert "Evidenced by: of whom retained at six months; of whom retained at twelve months" in text
    assert "Depends on: Training and development" in text
    removed = client.post(
        client.url("impact.edit_outcome", slug=world.org, theory_id=theory_id, number=1),
        data={"csrf_token": _token(client, base), "action": "remove"},
    )
    assert removed.status_code == 302
    client.get_page(
        "impact.edit_outcome", expected=404, slug=world.org, theory_id=theory_id, number=2
    )


def _token(client: Client, url: str) -> str:
    return csrf_from(client.get(url))


def test_case_studies_need_consent_and_stay_short_and_anonymous(
    app: Flask, client: Client, world: World
) -> None:
    sign_in(client, world.contributor)
    url = client.url("impact.new_case_study", slug=world.org)
    refused = submit(
        client,
        url,
        {
            "title": "A new start",
            "body": "x" * 1501,
            "first_name": "Sam Smith",
            "period": "2025/26 Q2",
        },
    )
    assert refused.status_code == 200
    assert error_messages(refused) == [
        "Case study must be 1,500 characters or fewer",
        "Enter a first name only (one word, letters only), or leave it blank",
        "Confirm that the person agreed to their story being shared",
    ]
    saved = client.post(
        url,
        data={
            "csrf_token": _token(client, url),
            "title": "A new start",
            "body": "Sam finished the course and started with a home care provider.",
            "first_name": "Sam",
            "period": "2025/26 Q2",
            "consent": "confirmed",
            "domains": ["recruitment"],
            "groups": ["unemployed"],
        },
    )
    assert saved.status_code == 302
    with app.app_context():
        found = db.session.scalar(select(CaseStudy).where(CaseStudy.title == "A new start"))
        assert found is not None and found.consent_confirmed and found.first_name == "Sam"
        assert found.groups == ["unemployed"]
    listing = client.get_page("impact.case_studies", slug=world.org).get_data(as_text=True)
    assert "A new start" in listing and "Unemployed" in listing


# --- reports -----------------------------------------------------------------------------------


def test_reports_render_with_and_without_returns(client: Client, world: World) -> None:
    sign_in(client, world.contributor)
    empty = client.get_page("impact.quarterly_report", slug=world.org)
    assert "There is no submitted return yet" in empty.get_data(as_text=True)
    case = client.get_page("impact.making_the_case", slug=world.org)
    assert "Making the case" in soup(case).h1.get_text()


def test_pdf_reports_open(app: Flask, client: Client, world: World) -> None:
    try:
        import weasyprint  # noqa: F401
    except (ImportError, OSError) as error:
        pytest.skip(f"WeasyPrint needs Pango (apt-get install -y libpango-1.0-0): {error}")
    _submitted(app, world, {"2025/26 Q1": {"people-supported": 40, "into-paid-work": 3}})
    sign_in(client, world.contributor)
    for endpoint in ("impact.quarterly_report_pdf", "impact.making_the_case_pdf"):
        response = client.get_page(endpoint, slug=world.org)
        assert response.status_code == 200 and response.mimetype == "application/pdf"
        assert response.data.startswith(b"%PDF")


def test_the_demo_academy_has_two_years_of_impact(app: Flask, client: Client) -> None:
    from maturity.services.demo import DEMO_PASSWORD, seed_demo
    from maturity.services.settings import Settings

    with app.app_context():
        seed_demo(Settings.from_config(app.config).hashing)
        seed_demo(Settings.from_config(app.config).hashing)  # idempotent
        organisation = db.session.scalar(
            select(Organisation).where(Organisation.name == "Riverside Care Academy (demo)")
        )
        assert organisation is not None
        returns = impact.returns_for(organisation)
        assert len(returns) == 8
        assert all(item.status == ImpactReturnStatus.SUBMITTED for item in returns)
        assert all(impact.problems_of(item) == [] for item in returns)
        assert len(impact.case_studies_for(organisation)) == 2
        assert [t.cycle for t in impact.theories_for(organisation)] == ["2026/27", "2025/26"]
        slug = organisation.slug
        db.session.commit()
    sign_in(client, "lead@riverside.example.org", DEMO_PASSWORD)
    for endpoint in (
        "impact.index",
        "impact.trends",
        "impact.targets",
        "impact.theories",
        "impact.case_studies",
    ):
        assert client.get_page(endpoint, slug=slug).status_code == 200, endpoint
    report = client.get_page("impact.quarterly_report", slug=slug).get_data(as_text=True)
    assert "2026/27 Q2" in report and "fictional" in report
    assert client.get_page("impact.making_the_case", slug=slug).status_code == 200


def test_return_notes_refuse_contact_details(app: Flask, client: Client, world: World) -> None:
    sign_in(client, world.contributor)
    response = _save_figures(
        client, world, {"people-supported": "7"}, notes="Call Jo on 07700 900123 about this"
    )
    assert response.status_code == 200
    assert any("Remove a phone number" in message for message in error_messages(response))
    assert _stored(app, world.impact_return).get("people-supported") == 7  # the figure kept


# --- errors on the fields they belong to ------------------------------------------------------


def _error_on(page, field_id: str) -> str:  # type: ignore[no-untyped-def]
    """The error message shown with a field (GOV.UK's ``<id>-error``), checking that the
    field's form group is marked as in error."""
    message = page.find(id=f"{field_id}-error")
    assert message is not None, f"no error shown with #{field_id}"
    group = page.find(id=field_id).find_parent(class_="govuk-form-group")
    assert group is not None and "govuk-form-group--error" in group["class"]
    return " ".join(message.get_text(" ", strip=True).removeprefix("Error:").split())


def _in_organisation(app: Flask, world: World):  # type: ignore[no-untyped-def]
    """The world's organisation and lead, inside an application context."""
    organisation = db.session.scalar(select(Organisation).where(Organisation.slug == world.org))
    lead = db.session.scalar(select(User).where(User.email == world.lead))
    assert organisation is not None and lead is not None
    return organisation, lead


def test_a_theory_of_change_for_a_bad_cycle_shows_the_error_on_the_cycle_field(
    app: Flask, client: Client, world: World
) -> None:
    sign_in(client, world.contributor)
    response = client.post_page("impact.theories", {"cycle": "2026-27"}, slug=world.org)
    assert response.status_code == 200
    page = soup(response)
    assert error_messages(response) == ["Select a financial year from the list"]
    assert [a["href"] for a in page.select(".govuk-error-summary__list a")] == ["#cycle"]
    assert _error_on(page, "cycle") == "Select a financial year from the list"
    # The service names the field; the view does not guess it from the message.
    with app.app_context():
        organisation, lead = _in_organisation(app, world)
        for cycle, message in (
            ("2026-27", "Select a financial year from the list"),
            ("2025/26", "There is already a theory of change for 2025/26"),
        ):
            with pytest.raises(impact.ImpactError) as refused:
                impact.start_theory(organisation, cycle, lead)
            assert (refused.value.field, refused.value.message) == ("cycle", message)


def test_a_bad_period_is_an_error_on_the_period_field(
    app: Flask, client: Client, world: World
) -> None:
    sign_in(client, world.contributor)
    response = client.post_page("impact.start_return", {"period": "2099/00 Q1"}, slug=world.org)
    assert _error_on(soup(response), "period").startswith("2099/00 Q1 has not started yet")
    with app.app_context():
        organisation, lead = _in_organisation(app, world)
        with pytest.raises(impact.ImpactError) as refused:
            impact.start_return(organisation, "2025/26 Q1", lead, today=date(2026, 11, 1))
        assert refused.value.field == "period"


def test_a_bad_figure_is_shown_on_its_field_and_the_other_figures_are_kept(
    app: Flask, client: Client, world: World
) -> None:
    sign_in(client, world.contributor)
    response = _save_figures(
        client,
        world,
        {"people-supported": "1,200", "course-completions": "-4", "into-employment": "9"},
        notes="From the course register",
    )
    assert response.status_code == 200
    page = soup(response)
    message = "'Course and training completions' cannot be negative (it is -4)"
    assert error_messages(response) == [message]
    assert [a["href"] for a in page.select(".govuk-error-summary__list a")] == [
        "#metric-course-completions"
    ]
    assert _error_on(page, "metric-course-completions") == message
    assert page.find(id="metric-people-supported-error") is None
    shown = {
        str(field["name"]): field.get("value")
        for field in page.select("input[name^=metric-]")
        if field.get("value")
    }
    assert shown == {
        "metric-people-supported": "1,200",
        "metric-course-completions": "-4",
        "metric-into-employment": "9",
    }
    assert _stored(app, world.impact_return) == {"people-supported": 1200, "into-employment": 9}
    with app.app_context():
        found = db.session.get(ImpactReturn, world.impact_return)
        assert found is not None and found.notes == "From the course register"


def test_the_error_summary_follows_the_order_of_the_fields(client: Client, world: World) -> None:
    sign_in(client, world.contributor)
    response = _save_figures(
        client,
        world,
        {"skills-action-plans": "lots", "people-supported": "-3"},
        notes="Ring 07700 900123",
    )
    links = [a["href"] for a in soup(response).select(".govuk-error-summary__list a")]
    assert links == ["#metric-people-supported", "#metric-skills-action-plans", "#notes"]


def test_services_name_the_field_of_each_figure_they_refuse(app: Flask, world: World) -> None:
    with app.app_context():
        organisation, lead = _in_organisation(app, world)
        impact_return = impact.return_in(organisation, world.impact_return)
        errors = impact.save_return(
            impact_return,
            {"people-supported": -3, "providers-engaged": 12},
            "Call 07700 900123",
            impact_return.version,
            lead,
        )
        assert errors == {
            "people-supported": "'People supported' cannot be negative (it is -3)",
            "notes": "Remove a phone number: returns hold aggregate figures, not details of people",
        }
        assert impact.values_of(impact_return) == {"providers-engaged": 12}
        refused = impact.save_targets(
            organisation, "2025/26", {"people-supported": 300, "course-completions": 2.5}
        )
        assert refused == {
            "course-completions": "'Course and training completions' must be a whole number "
            "of count (it is 2.5)"
        }
        assert impact.targets_for(organisation, "2025/26") == {"people-supported": 300}
        with pytest.raises(impact.ImpactError) as bad_cycle:
            impact.save_targets(organisation, "2025-26", {})
        assert bad_cycle.value.field == "cycle"


def test_the_return_and_targets_forms_are_built_from_the_metric_file(app: Flask) -> None:
    from maturity.framework.impact import metrics_for_period
    from maturity.framework.periods import Period
    from maturity.web.impact.forms import return_form, targets_form

    with app.app_context():
        definition = impact.metrics_definition()
    with app.test_request_context(method="POST", data={"metric-people-supported": "1,200"}):
        for period in (Period(2025, 1), Period(2025, 4)):
            asked = metrics_for_period(definition, period)
            form = return_form(asked)(meta={"csrf": False})
            names = [field.name for field in form.figures]
            assert names == [f"metric-{metric.id}" for metric in asked]
            assert ("metric-turnover-rate" in names) == period.is_year_end
        assert form.sent_figures() == {"people-supported": 1200}
        targets = targets_form(impact.target_metrics(definition))(meta={"csrf": False})
        assert [field.name for field in targets.figures] == [
            f"target-{metric.id}" for metric in definition.metrics if metric.cumulative
        ]


def test_after_a_save_with_errors_the_page_saves_again_without_a_conflict(
    app: Flask, client: Client, world: World
) -> None:
    sign_in(client, world.contributor)
    first = _save_figures(client, world, {"people-supported": "5", "course-completions": "-1"})
    assert first.status_code == 200
    hidden = {
        str(field["name"]): str(field["value"])
        for field in soup(first).select("form input[type=hidden]")
    }
    again = client.post(
        _return_url(client, world), data={**hidden, **_fields({"course-completions": "3"})}
    )
    assert again.status_code == 302, error_messages(again)
    assert _stored(app, world.impact_return) == {"people-supported": 5, "course-completions": 3}


def test_a_start_form_posted_without_a_choice_is_refused_not_defaulted(
    client: Client, world: World
) -> None:
    sign_in(client, world.contributor)
    for endpoint, field in (("impact.start_return", "period"), ("impact.theories", "cycle")):
        url = client.url(endpoint, slug=world.org)
        response = client.post(url, data={"csrf_token": _token(client, url)})
        assert response.status_code == 200, endpoint
        page = soup(response)
        assert [a["href"] for a in page.select(".govuk-error-summary__list a")] == [f"#{field}"]
