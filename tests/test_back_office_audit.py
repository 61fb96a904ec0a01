"""The audit log in plain English: filtered, paginated, downloadable, sensitive events
highlighted."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from maturity.extensions import db
from maturity.models import Organisation, User, utcnow
from maturity.services import audit
from tests.helpers import World, sign_in, soup, submit, url


def _rows(client: FlaskClient, **query: str) -> list[str]:
    page = soup(client.get_page("admin.audit_log", query=query))
    table = page.find(id="audit-events")
    if table is None:
        return []
    return [" ".join(row.get_text(" ", strip=True).split()) for row in table.select("tbody tr")]


def test_events_read_as_plain_english(app: Flask, client: FlaskClient, world: World) -> None:
    sign_in(app.test_client(), world.lead)
    with app.app_context():
        lead = db.session.scalars(select(User).where(User.email == world.lead)).one()
        org = db.session.scalars(select(Organisation).where(Organisation.slug == world.org)).one()
        audit.record(
            "assessment_reopened",
            "Reopened the 2025/26 assessment: the partners want to change an answer",
            actor=lead,
            organisation=org,
            detail={"reason": "the partners want to change an answer"},
        )
        db.session.commit()
    sign_in(client, world.admin)
    rows = _rows(client)
    assert any("Lee Lead signed in" in row for row in rows)
    assert any(
        "Testshire Care Academy's 2025/26 assessment was reopened by Lee Lead: "
        "the partners want to change an answer" in row
        for row in rows
    )
    assert not any("sign_in" in row for row in rows)  # no raw codes


def test_sensitive_events_are_highlighted(app: Flask, client: FlaskClient, world: World) -> None:
    sign_in(client, world.lead)
    member = url("orgs.member", slug=world.org, membership_id=world.contributor_membership)
    submit(client, member, {"role": "lead"})
    admin = app.test_client()
    sign_in(admin, world.admin)
    page = soup(admin.get_page("admin.audit_log"))
    rows = page.select("#audit-events tbody tr")
    role_rows = [row for row in rows if "changed from contributor to lead" in row.get_text()]
    assert role_rows and "Sensitive" in role_rows[0].get_text()
    sign_ins = [row for row in rows if "signed in" in row.get_text()]
    assert sign_ins and "Sensitive" not in sign_ins[0].get_text()


def test_the_log_is_filtered_by_person_organisation_kind_and_date(
    app: Flask, client: FlaskClient, world: World
) -> None:
    sign_in(app.test_client(), world.contributor)
    lead = app.test_client()
    sign_in(lead, world.lead)
    submit(
        lead,
        url("orgs.invite", slug=world.org),
        {"name": "Ivy", "email": "ivy@test.example", "role": "contributor"},
    )
    sign_in(client, world.admin)
    by_person = _rows(client, who="con contrib")
    assert by_person and all("Con Contributor" in row for row in by_person)
    with app.app_context():
        org_id = db.session.scalar(select(Organisation.id).where(Organisation.slug == world.org))
    by_org = _rows(client, organisation=str(org_id))
    assert by_org and all("Testshire Care Academy" in row for row in by_org)
    by_kind = _rows(client, kind="signing-in")
    assert by_kind and all("Signing in and out" in row for row in by_kind)
    assert not any("Invited" in row for row in by_kind)
    tomorrow = utcnow().date() + timedelta(days=1)
    later = {"start-day": str(tomorrow.day), "start-month": str(tomorrow.month)}
    assert _rows(client, **later, **{"start-year": str(tomorrow.year)}) == []
    today = utcnow().date()
    until_today = {"end-day": str(today.day), "end-month": str(today.month)}
    assert len(_rows(client, **until_today, **{"end-year": str(today.year)})) >= 4
    page = client.get(url("admin.audit_log", **{"start-day": "31", "start-month": "2"}))
    assert "Enter a real date to start from" in page.get_data(as_text=True)


def test_the_log_is_paginated(app: Flask, client: FlaskClient, world: World) -> None:
    with app.app_context():
        for number in range(120):
            audit.record("directory_edited", f"Edited entry {number}")
        db.session.commit()
    sign_in(client, world.admin)
    first = soup(client.get_page("admin.audit_log"))
    assert len(first.select("#audit-events tbody tr")) == audit.PER_PAGE
    assert "page 1 of 3" in first.get_text()
    assert first.select_one(".govuk-pagination__next a") is not None
    last = _rows(client, page="3")
    assert len(last) == 121 + 0 - 2 * audit.PER_PAGE  # 120 edits and the admin's sign-in
    assert "Edited entry 0" in last[-1]


def test_the_download_has_the_filtered_events_and_no_live_formulas(
    app: Flask, client: FlaskClient, world: World
) -> None:
    sign_in(app.test_client(), world.lead)
    sign_in(app.test_client(), "=HYPERLINK(evil)@test.example", "wrong password")
    sign_in(client, world.admin)
    response = client.get(url("admin.audit_log_csv", kind="signing-in"))
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment")
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert {row["action"] for row in rows} <= {"sign_in", "sign_in_failed"}
    assert any(row["what happened"] == "Lee Lead signed in" for row in rows)
    failed = [row for row in rows if row["action"] == "sign_in_failed"]
    assert failed and failed[0]["about"] == "'=hyperlink(evil)@test.example"
    for row in rows:
        assert all(cell[:1] not in ("=", "+", "-", "@") for cell in row.values())


def test_every_action_the_service_records_has_a_kind() -> None:
    """A new kind of event is filed under a kind (else the filter could never find it)."""
    import pathlib
    import re

    source = "\n".join(
        path.read_text(encoding="utf-8") for path in pathlib.Path("maturity").rglob("*.py")
    )
    recorded = set(re.findall(r'audit\.record\(\s*"([a-z_]+)"', source))
    listed = set().union(*(kind.actions for kind in audit.KINDS))
    assert recorded and recorded <= listed, recorded - listed
    assert audit.SENSITIVE <= listed
