"""The back office, organisations: administrators edit and archive them, leads set up
their profile; an archived organisation keeps its history but leaves current figures."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from maturity.extensions import db
from maturity.models import (
    Assessment,
    AuditEvent,
    DeliveryMode,
    Organisation,
    OrganisationKind,
    User,
)
from maturity.services.assessments import AnswerValues, set_answer, submit_assessment
from maturity.services.reference import region_by_code
from maturity.services.regional.completion import completion
from maturity.services.regional.filters import Filters
from maturity.services.regional.rows import score_rows
from maturity.services.results import latest_others
from tests.helpers import World, error_messages, field_errors, sign_in, soup, submit, url

PROFILE = {
    "status": "live",
    "kind": "social_care",
    "host_body_type": "nhs_trust",
    "delivery_mode": "virtual",
    "locality": "rural",
    "funding_mix": "",
    "year_established": "2022",
}


def _organisation(app: Flask, slug: str) -> Organisation:
    with app.app_context():
        found = db.session.scalars(select(Organisation).where(Organisation.slug == slug)).one()
        db.session.expunge(found)
    return found


def _last_event(app: Flask, action: str) -> AuditEvent | None:
    with app.app_context():
        event = db.session.scalar(
            select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id.desc())
        )
        if event is not None:
            db.session.expunge(event)
        return event


def test_an_administrator_renames_an_organisation_and_changes_its_profile(
    app: Flask, client: FlaskClient, world: World
) -> None:
    sign_in(client, world.admin)
    page = soup(client.get_page("admin.edit_organisation", slug=world.org))
    assert page.find("input", {"name": "name"})["value"] == "Testshire Care Academy"  # type: ignore[index]
    response = submit(
        client,
        url("admin.edit_organisation", slug=world.org),
        {"name": "Testshire and District Care Academy", **PROFILE},
    )
    assert response.status_code == 302
    found = _organisation(app, world.org)
    assert found.name == "Testshire and District Care Academy"
    assert found.kind == OrganisationKind.SOCIAL_CARE
    assert found.delivery_mode == DeliveryMode.VIRTUAL
    assert found.year_established == 2022
    event = _last_event(app, "organisation_updated")
    assert event is not None
    assert event.detail["name"] == {
        "from": "Testshire Care Academy",
        "to": "Testshire and District Care Academy",
    }
    assert event.detail["delivery_mode"]["to"] == "virtual"


def test_an_organisation_cannot_take_another_ones_name(
    app: Flask, client: FlaskClient, world: World
) -> None:
    sign_in(client, world.admin)
    response = submit(
        client,
        url("admin.edit_organisation", slug=world.org),
        {"name": "otherton care academy", **PROFILE},
    )
    assert response.status_code == 200
    assert "already exists" in field_errors(response)["name"]
    assert _organisation(app, world.org).name == "Testshire Care Academy"


@pytest.mark.parametrize("field", ["funding_mix", "locality"])
def test_an_optional_choice_of_only_a_space_is_refused_not_an_error(
    app: Flask, client: FlaskClient, world: World, field: str
) -> None:
    """Found by the form fuzzer: " " for an optional choice passed validation (as blank)
    and then failed as no such choice (500). It is now an error on the field."""
    sign_in(client, world.admin)
    response = submit(
        client,
        url("admin.edit_organisation", slug=world.org),
        {"name": "Testshire Care Academy", **PROFILE, field: " "},
    )
    assert response.status_code == 200
    assert field in field_errors(response)
    assert _organisation(app, world.org).delivery_mode != DeliveryMode.VIRTUAL  # nothing saved


def test_a_lead_sets_up_the_profile_but_not_the_name(
    app: Flask, client: FlaskClient, world: World
) -> None:
    sign_in(client, world.lead)
    overview = soup(client.get_page("orgs.overview", slug=world.org))
    assert overview.find("a", href=url("orgs.profile", slug=world.org)) is not None
    page = soup(client.get_page("orgs.profile", slug=world.org))
    assert page.find("input", {"name": "name"}) is None
    response = submit(
        client, url("orgs.profile", slug=world.org), {**PROFILE, "name": "Renamed by a lead"}
    )
    assert response.status_code == 302
    found = _organisation(app, world.org)
    assert found.name == "Testshire Care Academy"
    assert found.host_body_type.value == "nhs_trust"
    event = _last_event(app, "organisation_updated")
    assert event is not None and "name" not in event.detail
    contributor = app.test_client()
    sign_in(contributor, world.contributor)
    assert contributor.get(url("orgs.profile", slug=world.org)).status_code == 403


def _submit_world_assessment(app: Flask, world: World) -> None:
    with app.app_context():
        assessment = db.session.get_one(Assessment, world.assessment)
        lead = db.session.scalars(select(User).where(User.email == world.lead)).one()
        set_answer(assessment, "mission-aims", AnswerValues(level=3), lead)
        submit_assessment(assessment, lead, declared=True)
        db.session.commit()


def _counted(app: Flask, world: World) -> dict[str, bool]:
    """Whether the world's organisation is in each kind of current figure."""
    with app.app_context():
        org = db.session.scalars(select(Organisation).where(Organisation.slug == world.org)).one()
        region = region_by_code("north-west")
        assert region is not None
        filters = Filters(cycle="2026/27")
        return {
            "regional figures": any(r.organisation_id == org.id for r in score_rows(filters)),
            "peers and benchmarks": any(
                other.organisation_id == org.id for other in latest_others("academy-maturity")
            ),
            "completion": any(
                row.organisation.name == org.name for row in completion(region, filters)
            ),
        }


def test_archiving_keeps_history_but_leaves_current_figures(
    app: Flask, client: FlaskClient, world: World
) -> None:
    _submit_world_assessment(app, world)
    assert all(_counted(app, world).values())
    sign_in(client, world.admin)
    archive = url("admin.archive_organisation", slug=world.org)
    response = submit(client, archive, {"reason": ""})
    assert response.status_code == 200
    assert any("Enter why" in message for message in error_messages(response))
    assert _organisation(app, world.org).archived_at is None

    assert submit(client, archive, {"reason": "Merged with Otherton"}).status_code == 302
    assert _counted(app, world) == {
        "regional figures": False,
        "peers and benchmarks": False,
        "completion": False,
    }
    event = _last_event(app, "organisation_archived")
    assert event is not None and event.detail == {"reason": "Merged with Otherton"}
    listing = soup(client.get_page("admin.organisations")).get_text(" ", strip=True)
    assert "Testshire Care Academy Archived" in listing
    # Its history stays: the lead still sees its results.
    lead = app.test_client()
    sign_in(lead, world.lead)
    lead.get_page("results.results", slug=world.org, assessment_id=world.assessment)
    assert "was archived" in soup(lead.get_page("orgs.overview", slug=world.org)).get_text()
    # It cannot start a new assessment until it is restored.
    refused = submit(
        lead, url("assessments.start", slug=world.org), {"cycle": "2025/26", "start_from": "blank"}
    )
    assert refused.status_code == 200
    assert field_errors(refused)["cycle"] == (
        "Testshire Care Academy is archived. An administrator must restore it before a new "
        "assessment can start"
    )
    # The regional dashboard no longer lists it.
    regional = app.test_client()
    sign_in(regional, world.regional_lead)
    dashboard = soup(regional.get_page("regional.region", code="north-west"))
    assert "Testshire Care Academy" not in dashboard.get_text()

    # Restored, it counts again.
    assert submit(client, archive, {}).status_code == 302
    assert all(_counted(app, world).values())
    assert _last_event(app, "organisation_restored") is not None
