"""Open data: publishing offers the last complete cycle, previews the exact file, asks
for confirmation; a published file can be withdrawn with a reason the public sees."""

from __future__ import annotations

import csv
import io

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from maturity.extensions import db
from maturity.models import Assessment, AuditEvent, OpenDataRelease, Organisation, User
from maturity.services.assessments import AnswerValues, set_answer, submit_assessment
from tests.helpers import World, error_messages, make_assessment, sign_in, soup, submit, url

PREVIOUS, CURRENT = "2025/26", "2026/27"


def _submit_in(app: Flask, world: World, cycle: str) -> None:
    with app.app_context():
        org = db.session.scalars(select(Organisation).where(Organisation.slug == world.org)).one()
        lead = db.session.scalars(select(User).where(User.email == world.lead)).one()
        existing = db.session.scalars(
            select(Assessment).where(
                Assessment.organisation_id == org.id, Assessment.cycle == cycle
            )
        ).first()
        assessment = existing or make_assessment(org, cycle)
        set_answer(assessment, "mission-aims", AnswerValues(level=3), lead)
        submit_assessment(assessment, lead, declared=True)
        db.session.commit()


def _releases(app: Flask) -> list[OpenDataRelease]:
    with app.app_context():
        found = list(db.session.scalars(select(OpenDataRelease)))
        for release in found:
            db.session.expunge(release)
        return found


def test_publishing_offers_the_last_complete_cycle_and_previews_the_exact_file(
    app: Flask, client: FlaskClient, world: World
) -> None:
    _submit_in(app, world, PREVIOUS)
    _submit_in(app, world, CURRENT)  # the current cycle, still under way
    sign_in(client, world.admin)
    page = soup(client.get_page("regional.publish_open_data"))
    chosen = page.select_one("select[name=cycle] option[selected]")
    assert chosen is not None and chosen["value"] == PREVIOUS
    assert page.find("input", {"name": "confirm"}) is None  # nothing to confirm before a preview
    chose = client.get(url("regional.publish_open_data", cycle=PREVIOUS))
    assert chose.headers["Location"] == url("regional.preview_open_data", cycle_slug="2025-26")
    preview = soup(client.get_page("regional.preview_open_data", cycle_slug="2025-26"))
    shown = [
        [cell.get_text(strip=True) for cell in row.find_all(["th", "td"])]
        for row in preview.select("#preview tr")
    ]
    assert shown[0] == ["measure", "cycle", "region", "section", "value", "academies"]
    assert any(row[4] == "withheld" for row in shown[1:])  # one academy: suppressed
    assert _releases(app) == []  # a preview publishes nothing
    response = submit(
        client, url("regional.preview_open_data", cycle_slug="2025-26"), {"confirm": "y"}
    )
    assert response.status_code == 302
    published = client.get_page("regional.open_data_file", cycle_slug="2025-26")
    assert list(csv.reader(io.StringIO(published.get_data(as_text=True)))) == shown


def test_the_current_cycle_is_offered_first_only_when_no_earlier_one_has_figures(
    app: Flask, client: FlaskClient, world: World
) -> None:
    _submit_in(app, world, CURRENT)
    sign_in(client, world.admin)
    page = soup(client.get_page("regional.publish_open_data"))
    chosen = page.select_one("select[name=cycle] option[selected]")
    assert chosen is not None and chosen["value"] == CURRENT


def test_nothing_is_published_without_confirmation_or_when_the_file_changed(
    app: Flask, client: FlaskClient, world: World
) -> None:
    _submit_in(app, world, PREVIOUS)
    sign_in(client, world.admin)
    preview = url("regional.preview_open_data", cycle_slug="2025-26")
    response = submit(client, preview, {})
    assert response.status_code == 200
    assert "Confirm that you have checked the file" in error_messages(response)
    response = submit(client, preview, {"confirm": "y", "digest": "not-the-previewed-one"})
    assert response.status_code == 200
    assert any("changed since the preview" in m for m in error_messages(response))
    assert _releases(app) == []


def test_a_withdrawn_file_is_no_longer_served_and_the_public_page_says_why(
    app: Flask, client: FlaskClient, world: World
) -> None:
    _submit_in(app, world, PREVIOUS)
    sign_in(client, world.admin)
    submit(client, url("regional.preview_open_data", cycle_slug="2025-26"), {"confirm": "y"})
    listing = soup(client.get_page("regional.open_data"))
    withdraw = url("regional.withdraw_open_data", cycle_slug="2025-26")
    assert listing.find("a", href=withdraw) is not None
    response = submit(client, withdraw, {"reason": ""})
    assert "Enter why the file is being withdrawn" in error_messages(response)
    response = submit(client, withdraw, {"reason": "One academy's answers were entered twice"})
    assert response.status_code == 302

    public = app.test_client()
    text = soup(public.get_page("regional.open_data")).get_text(" ", strip=True)
    assert "2025/26 national aggregates – withdrawn on" in text
    assert "One academy's answers were entered twice" in text
    gone = public.get(url("regional.open_data_file", cycle_slug="2025-26"))
    assert gone.status_code == 410
    assert "entered twice" in gone.get_data(as_text=True)
    with app.app_context():
        event = db.session.scalar(
            select(AuditEvent).where(AuditEvent.action == "open_data_withdrawn")
        )
        assert event is not None
        assert event.detail == {
            "cycle": PREVIOUS,
            "reason": "One academy's answers were entered twice",
        }
    # Published again, it is served again.
    submit(client, url("regional.preview_open_data", cycle_slug="2025-26"), {"confirm": "y"})
    assert public.get(url("regional.open_data_file", cycle_slug="2025-26")).status_code == 200
