"""The back office, people: roles, removing and leaving (never the last lead),
invitations resent and cancelled, and what a newly invited person does first."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from werkzeug.test import TestResponse

from maturity.extensions import db
from maturity.models import AccountToken, AuditEvent, Membership, Role, User, utcnow
from tests.helpers import World, csrf_from, error_messages, sign_in, soup, submit, url

NEW_PASSWORD = "three random words here"


def post_from(client: FlaskClient, page: str, action: str, data: dict[str, str]) -> TestResponse:
    """Post a button's form as a browser would: with the CSRF token of the page it is on."""
    token = csrf_from(client.get(page))
    return client.post(action, data={"csrf_token": token, **data})


def _invite(client: FlaskClient, slug: str, email: str, role: str = "contributor") -> str:
    response = submit(
        client, url("orgs.invite", slug=slug), {"name": "Ivy Invitee", "email": email, "role": role}
    )
    link = soup(response).find(id="invitation-link")
    assert link is not None
    return urlsplit(str(link["href"])).path


def _membership_count(app: Flask, slug: str, role: Role | None = None) -> int:
    with app.app_context():
        query = (
            select(func.count())
            .select_from(Membership)
            .join(Membership.organisation)
            .where(Membership.organisation.has(slug=slug))
        )
        if role is not None:
            query = query.where(Membership.role == role)
        return db.session.scalar(query) or 0


def _last_event(app: Flask, action: str) -> AuditEvent | None:
    with app.app_context():
        event = db.session.scalar(
            select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id.desc())
        )
        if event is not None:
            db.session.expunge(event)
        return event


# --- Roles, removing and leaving: the last lead stays -------------------------------------


def test_a_lead_cannot_remove_the_last_lead(app: Flask, client: FlaskClient, world: World) -> None:
    sign_in(client, world.lead)
    response = post_from(
        client,
        url("orgs.member", slug=world.org, membership_id=world.lead_membership),
        url("orgs.remove", slug=world.org, membership_id=world.lead_membership),
        {},
    )
    assert response.status_code == 200
    assert any("must have at least one lead" in m for m in error_messages(response))
    assert _membership_count(app, world.org, Role.LEAD) == 1


def test_with_a_second_lead_the_first_can_be_removed_but_never_both(
    app: Flask, client: FlaskClient, world: World
) -> None:
    sign_in(client, world.lead)
    contributor = url("orgs.member", slug=world.org, membership_id=world.contributor_membership)
    assert submit(client, contributor, {"role": "lead"}).status_code == 302
    # Two leads: the contributor-made-lead steps the first lead down, then cannot go too.
    other = app.test_client()
    sign_in(other, world.contributor)
    lead = url("orgs.member", slug=world.org, membership_id=world.lead_membership)
    assert submit(other, lead, {"role": "contributor"}).status_code == 302
    response = submit(other, contributor, {"role": "contributor"})
    assert response.status_code == 200
    assert any("must have at least one lead" in m for m in error_messages(response))
    assert _membership_count(app, world.org, Role.LEAD) == 1


def test_an_administrator_changes_a_role_and_removes_a_member(
    app: Flask, client: FlaskClient, world: World
) -> None:
    sign_in(client, world.admin)
    page = soup(client.get_page("admin.organisation", slug=world.org))
    change = url("orgs.member", slug=world.org, membership_id=world.contributor_membership)
    assert page.find("a", href=change) is not None
    assert submit(client, change, {"role": "lead"}).status_code == 302
    assert _membership_count(app, world.org, Role.LEAD) == 2
    response = post_from(
        client,
        change,
        url("orgs.remove", slug=world.org, membership_id=world.contributor_membership),
        {},
    )
    assert response.status_code == 302
    assert _membership_count(app, world.org) == 1
    event = _last_event(app, "role_changed")
    assert event is not None and event.detail == {"from": "lead", "to": None}


def test_a_member_sees_their_organisations_and_leaves_one(
    app: Flask, client: FlaskClient, world: World
) -> None:
    sign_in(client, world.contributor)
    account = soup(client.get_page("auth.account"))
    leave = url("orgs.leave", slug=world.org)
    assert "Testshire Care Academy" in account.find(id="organisations").find_next("dl").get_text()  # type: ignore[union-attr]
    assert account.find("a", href=leave) is not None
    client.get_page("orgs.leave", slug=world.org)
    response = submit(client, leave, {})
    assert response.status_code == 302
    assert _membership_count(app, world.org) == 1
    assert client.get(url("orgs.overview", slug=world.org)).status_code == 403
    event = _last_event(app, "membership_left")
    assert event is not None and event.subject_email == world.contributor


def test_the_only_lead_cannot_leave(app: Flask, client: FlaskClient, world: World) -> None:
    sign_in(client, world.lead)
    response = submit(client, url("orgs.leave", slug=world.org), {})
    assert response.status_code == 200
    assert any("You are the only one" in m for m in error_messages(response))
    assert _membership_count(app, world.org, Role.LEAD) == 1


def test_an_administrator_who_is_not_a_member_has_nothing_to_leave(
    client: FlaskClient, world: World
) -> None:
    sign_in(client, world.admin)
    assert client.get(url("orgs.leave", slug=world.org)).status_code == 404


# --- Invitations: resend, cancel, and the list -------------------------------------------


def _invitation_id(app: Flask, email: str) -> int:
    with app.app_context():
        found = db.session.scalar(select(AccountToken.id).where(AccountToken.email == email))
    assert found is not None
    return found


def test_resending_sends_a_fresh_link_and_the_old_one_stops_working(
    app: Flask, client: FlaskClient, world: World
) -> None:
    sign_in(client, world.lead)
    old = _invite(client, world.org, "ivy@test.example")
    invitation = _invitation_id(app, "ivy@test.example")
    team = soup(client.get_page("orgs.team", slug=world.org))
    assert "Pending" in team.find(id="invitation-list").get_text()  # type: ignore[union-attr]
    response = post_from(
        client,
        url("orgs.team", slug=world.org),
        url("orgs.resend_invitation", slug=world.org, invitation_id=invitation),
        {},
    )
    link = soup(response).find(id="invitation-link")
    assert link is not None
    new = urlsplit(str(link["href"])).path
    assert new != old
    invitee = app.test_client()
    assert invitee.get(old).status_code == 404
    assert invitee.get(new).status_code == 200
    event = _last_event(app, "invitation_resent")
    assert event is not None and event.subject_email == "ivy@test.example"
    with app.app_context():
        count = db.session.scalar(
            select(func.count())
            .select_from(AccountToken)
            .where(AccountToken.email == "ivy@test.example")
        )
    assert count == 1  # the same invitation, with a new link


def test_an_expired_invitation_can_be_sent_again(
    app: Flask, client: FlaskClient, world: World
) -> None:
    sign_in(client, world.lead)
    _invite(client, world.org, "ivy@test.example")
    invitation = _invitation_id(app, "ivy@test.example")
    with app.app_context():
        record = db.session.get_one(AccountToken, invitation)
        record.expires_at = utcnow() - timedelta(minutes=1)
        db.session.commit()
    team = soup(client.get_page("orgs.team", slug=world.org))
    assert "Expired" in team.find(id="invitation-list").get_text()  # type: ignore[union-attr]
    response = post_from(
        client,
        url("orgs.team", slug=world.org),
        url("orgs.resend_invitation", slug=world.org, invitation_id=invitation),
        {},
    )
    new = urlsplit(str(soup(response).find(id="invitation-link")["href"])).path  # type: ignore[index]
    invitee = app.test_client()
    response = submit(
        invitee, new, {"name": "Ivy Invitee", "password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
    )
    assert response.status_code == 302
    team = soup(client.get_page("orgs.team", slug=world.org))
    listing = team.find(id="invitation-list")
    assert listing is not None and "Accepted" in listing.get_text()
    assert listing.find("button") is None  # nothing left to resend or cancel


def test_a_cancelled_invitation_stops_working(
    app: Flask, client: FlaskClient, world: World
) -> None:
    sign_in(client, world.lead)
    path = _invite(client, world.org, "ivy@test.example")
    invitation = _invitation_id(app, "ivy@test.example")
    response = post_from(
        client,
        url("orgs.team", slug=world.org),
        url("orgs.cancel_invitation", slug=world.org, invitation_id=invitation),
        {},
    )
    assert response.status_code == 302
    assert app.test_client().get(path).status_code == 404
    team = soup(client.get_page("orgs.team", slug=world.org))
    assert "Cancelled" in team.find(id="invitation-list").get_text()  # type: ignore[union-attr]
    assert _last_event(app, "invitation_cancelled") is not None
    # A cancelled invitation is not sent again.
    token = soup(client.get(url("orgs.team", slug=world.org))).find("input", {"name": "csrf_token"})
    response = client.post(
        url("orgs.resend_invitation", slug=world.org, invitation_id=invitation),
        data={"csrf_token": token["value"] if token else ""},
    )
    assert response.status_code == 200
    assert any("cancelled" in m for m in error_messages(response))
    assert app.test_client().get(path).status_code == 404


def test_another_organisations_invitation_is_not_found_through_this_one(
    app: Flask, client: FlaskClient, world: World
) -> None:
    other = app.test_client()
    sign_in(other, world.other_lead)
    _invite(other, world.other_org, "ivy@test.example")
    invitation = _invitation_id(app, "ivy@test.example")
    sign_in(client, world.lead)
    token = soup(client.get(url("orgs.team", slug=world.org))).find("input", {"name": "csrf_token"})
    for endpoint in ("orgs.resend_invitation", "orgs.cancel_invitation"):
        response = client.post(
            url(endpoint, slug=world.org, invitation_id=invitation),
            data={"csrf_token": token["value"] if token else ""},
        )
        assert response.status_code == 404


def test_an_administrator_sees_every_invitation_and_cancels_one(
    app: Flask, client: FlaskClient, world: World
) -> None:
    sign_in(client, world.admin)
    response = submit(
        client,
        url("admin.invite_regional_lead"),
        {"name": "Rhea Regional", "email": "rhea@test.example", "region": "london"},
    )
    path = urlsplit(str(soup(response).find(id="invitation-link")["href"])).path  # type: ignore[index]
    page = soup(client.get_page("admin.invitations")).find(id="invitation-list")
    assert page is not None and "Regional lead, London" in page.get_text()
    invitation = _invitation_id(app, "rhea@test.example")
    response = post_from(
        client,
        url("admin.invitations"),
        url("admin.cancel_invitation", invitation_id=invitation),
        {},
    )
    assert response.status_code == 302
    assert app.test_client().get(path).status_code == 404


# --- Accepting: never switch a signed-in person into the new account; what to do first ---


def test_a_signed_in_person_is_not_switched_into_a_new_invitees_account(
    app: Flask, client: FlaskClient, world: World
) -> None:
    sign_in(client, world.lead)
    path = _invite(client, world.org, "new.person@test.example")
    page = client.get(path)
    assert "You are signed in as lead@test.example" in soup(page).get_text()
    assert soup(page).find("input", attrs={"type": "password"}) is None
    response = submit(
        client, path, {"name": "New Person", "password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
    )
    assert response.status_code == 200
    with app.app_context():
        assert (
            db.session.scalar(select(User).where(User.email == "new.person@test.example")) is None
        )
    account = soup(client.get_page("auth.account")).get_text()
    assert "lead@test.example" in account and "new.person@test.example" not in account
    # Signed out, the invitee accepts with the same link.
    invitee = app.test_client()
    response = submit(
        invitee, path, {"name": "New Person", "password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
    )
    assert response.status_code == 302


def _accept(app: Flask, path: str) -> FlaskClient:
    invitee = app.test_client()
    response = submit(
        invitee, path, {"name": "Ivy Invitee", "password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
    )
    assert response.status_code == 302
    assert response.headers["Location"] == url("auth.welcome")
    return invitee


def test_a_new_contributor_is_told_to_continue_the_assessment(
    app: Flask, client: FlaskClient, world: World
) -> None:
    sign_in(client, world.lead)
    invitee = _accept(app, _invite(client, world.org, "ivy@test.example"))
    page = soup(invitee.get_page("auth.welcome"))
    task_list = url("assessments.task_list", slug=world.org, assessment_id=world.assessment)
    assert "Continue Testshire Care Academy's assessment" in page.get_text()
    assert page.find("a", href=task_list) is not None


def test_a_new_lead_is_told_to_set_up_the_profile(
    app: Flask, client: FlaskClient, world: World
) -> None:
    sign_in(client, world.lead)
    invitee = _accept(app, _invite(client, world.org, "ivy@test.example", role="lead"))
    page = soup(invitee.get_page("auth.welcome"))
    assert "Set up Testshire Care Academy's profile" in page.get_text()


def test_a_new_regional_lead_is_told_to_see_the_region(
    app: Flask, client: FlaskClient, world: World
) -> None:
    sign_in(client, world.admin)
    response = submit(
        client,
        url("admin.invite_regional_lead"),
        {"name": "Rhea Regional", "email": "rhea@test.example", "region": "london"},
    )
    path = urlsplit(str(soup(response).find(id="invitation-link")["href"])).path  # type: ignore[index]
    invitee = _accept(app, path)
    page = soup(invitee.get_page("auth.welcome"))
    assert page.find("a", href=url("regional.region", code="london")) is not None


def test_the_invitation_list_shows_when_each_was_sent_as_text(
    app: Flask, client: FlaskClient, world: World
) -> None:
    sign_in(client, world.lead)
    _invite(client, world.org, "ivy@test.example")
    listing = soup(client.get_page("orgs.team", slug=world.org)).find(id="invitation-list")
    assert listing is not None
    text = listing.get_text(" ", strip=True)
    assert "Sent " in text and "by Lee Lead" in text
    assert "<span" not in text  # markup is rendered, not shown
