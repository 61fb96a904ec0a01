"""No open sign-up: administrators invite leads, leads invite contributors."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from maturity.extensions import db
from maturity.models import AccountToken, AuditEvent, Membership, Organisation, Role, User, utcnow
from tests.helpers import (
    World,
    csrf_from,
    error_messages,
    field_errors,
    sign_in,
    soup,
    submit,
    url,
)

NEW_PASSWORD = "three random words here"


def _invitation_path(response: object) -> str:
    link = soup(response).find(id="invitation-link")  # type: ignore[arg-type]
    assert link is not None, "the inviter is shown the link in development"
    href = str(link["href"])
    assert href.startswith("http://127.0.0.1:5000/invitations/")  # SERVICE_URL, not Host
    return urlsplit(href).path


def _actions(app: Flask) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


def test_admin_creates_an_organisation_and_its_invited_lead_joins(
    app: Flask, client: FlaskClient, world: World
) -> None:
    sign_in(client, world.admin)
    response = submit(
        client,
        url("admin.new_organisation"),
        {
            "name": "Newtown Care Academy",
            "region": "south-west",
            "status": "scoping",
            "kind": "social_care",
            "host_body_type": "local_authority",
            "delivery_mode": "virtual",
            "locality": "rural",
            "year_established": "",
        },
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/admin/organisations/newtown-care-academy/invite-lead"
    response = submit(
        client,
        url("admin.invite_lead", slug="newtown-care-academy"),
        {"name": "Nia New", "email": "Nia.New@Test.Example "},
    )
    assert response.status_code == 200
    path = _invitation_path(response)

    invitee = app.test_client()
    page = invitee.get(path)
    assert "join Newtown Care Academy as lead" in soup(page).get_text(" ", strip=True)
    response = submit(
        invitee, path, {"name": "Nia New", "password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
    )
    assert response.status_code == 302
    assert "Newtown Care Academy" in soup(invitee.get("/")).get_text()

    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == "nia.new@test.example"))
        assert user is not None
        organisation = db.session.scalar(
            select(Organisation).where(Organisation.slug == "newtown-care-academy")
        )
        membership = db.session.scalar(select(Membership).where(Membership.user_id == user.id))
        assert membership is not None and organisation is not None
        assert membership.organisation_id == organisation.id and membership.role == Role.LEAD
    actions = _actions(app)
    assert {
        "organisation_created",
        "invitation_sent",
        "invitation_accepted",
        "role_changed",
    } <= set(actions)


def test_organisation_form_errors_are_shown_and_nothing_is_lost(
    client: FlaskClient, world: World
) -> None:
    sign_in(client, world.admin)
    response = submit(
        client,
        url("admin.new_organisation"),
        {"name": "Half Filled Academy", "year_established": "1850"},
    )
    assert response.status_code == 200
    errors = error_messages(response)
    assert "Select a region" in errors
    assert "Select the kind of academy" in errors
    assert "Enter a year between 2000 and next year" in errors
    name = soup(response).find("input", attrs={"name": "name"})
    assert name is not None and name["value"] == "Half Filled Academy"


def test_lead_invites_a_contributor(app: Flask, client: FlaskClient, world: World) -> None:
    sign_in(client, world.lead)
    response = submit(
        client,
        url("orgs.invite", slug=world.org),
        {"name": "Cora Contributor", "email": "cora@test.example", "role": "contributor"},
    )
    path = _invitation_path(response)
    invitee = app.test_client()
    submit(
        invitee,
        path,
        {"name": "Cora Contributor", "password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
    )
    team = soup(client.get(url("orgs.team", slug=world.org))).get_text()
    assert "Cora Contributor" in team


def test_a_used_invitation_is_refused(app: Flask, client: FlaskClient, world: World) -> None:
    sign_in(client, world.lead)
    response = submit(
        client,
        url("orgs.invite", slug=world.org),
        {"name": "Uma Used", "email": "uma@test.example", "role": "contributor"},
    )
    path = _invitation_path(response)
    first = app.test_client()
    assert (
        submit(
            first, path, {"name": "Uma", "password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
        ).status_code
        == 302
    )
    second = app.test_client()
    again = second.get(path)
    assert again.status_code == 404
    assert "expired or has already been used" in soup(again).get_text()
    token = csrf_from(second.get(url("auth.sign_in")))
    posted = second.post(
        path,
        data={
            "csrf_token": token,
            "name": "Mallory",
            "password": "another password x",
            "confirm": "another password x",
        },
    )
    assert posted.status_code == 404


def test_an_expired_invitation_is_refused(app: Flask, client: FlaskClient, world: World) -> None:
    sign_in(client, world.lead)
    response = submit(
        client,
        url("orgs.invite", slug=world.org),
        {"name": "Eve Expired", "email": "eve@test.example", "role": "contributor"},
    )
    path = _invitation_path(response)
    with app.app_context():
        record = db.session.scalar(
            select(AccountToken).where(AccountToken.email == "eve@test.example")
        )
        assert record is not None
        record.expires_at = utcnow() - timedelta(minutes=1)
        db.session.commit()
    assert app.test_client().get(path).status_code == 404


def test_invitation_tokens_are_stored_only_as_hashes(
    app: Flask, client: FlaskClient, world: World
) -> None:
    sign_in(client, world.lead)
    response = submit(
        client,
        url("orgs.invite", slug=world.org),
        {"name": "Hal Hash", "email": "hal@test.example", "role": "contributor"},
    )
    token = _invitation_path(response).rsplit("/", 1)[1]
    with app.app_context():
        record = db.session.scalar(
            select(AccountToken).where(AccountToken.email == "hal@test.example")
        )
        assert record is not None
        assert record.token_hash != token and len(record.token_hash) == 64


def test_a_weak_password_is_refused_when_accepting(
    app: Flask, client: FlaskClient, world: World
) -> None:
    sign_in(client, world.lead)
    response = submit(
        client,
        url("orgs.invite", slug=world.org),
        {"name": "Wes Weak", "email": "wes@test.example", "role": "contributor"},
    )
    path = _invitation_path(response)
    invitee = app.test_client()
    weak = submit(
        invitee, path, {"name": "Wes", "password": "Password2024!", "confirm": "Password2024!"}
    )
    assert weak.status_code == 200
    assert any("too easy to guess" in message for message in error_messages(weak))
    mismatch = submit(
        invitee,
        path,
        {"name": "Wes", "password": NEW_PASSWORD, "confirm": "something else entirely"},
    )
    assert "The passwords do not match" in error_messages(mismatch)
    # The invitation is still usable after the errors.
    assert (
        submit(
            invitee, path, {"name": "Wes", "password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
        ).status_code
        == 302
    )


def test_inviting_an_existing_member_is_refused(client: FlaskClient, world: World) -> None:
    sign_in(client, world.lead)
    response = submit(
        client,
        url("orgs.invite", slug=world.org),
        {"name": "Con", "email": world.contributor, "role": "contributor"},
    )
    assert response.status_code == 200
    assert "already a member" in field_errors(response)["email"]


def test_lead_changes_a_role_and_it_is_audited(
    app: Flask, client: FlaskClient, world: World
) -> None:
    sign_in(client, world.lead)
    member = url("orgs.member", slug=world.org, membership_id=world.contributor_membership)
    assert submit(client, member, {"role": "lead"}).status_code == 302
    with app.app_context():
        membership = db.session.get(Membership, world.contributor_membership)
        assert membership is not None and membership.role == Role.LEAD
        event = db.session.scalar(
            select(AuditEvent)
            .where(AuditEvent.action == "role_changed")
            .order_by(AuditEvent.id.desc())
        )
        assert event is not None
        assert event.detail == {"from": "contributor", "to": "lead"}


def test_the_last_lead_cannot_step_down(client: FlaskClient, world: World) -> None:
    sign_in(client, world.lead)
    member = url("orgs.member", slug=world.org, membership_id=world.lead_membership)
    response = submit(client, member, {"role": "contributor"})
    assert response.status_code == 200
    assert any("must have at least one lead" in message for message in error_messages(response))


def test_a_lead_cannot_manage_another_organisations_members(
    client: FlaskClient, world: World
) -> None:
    sign_in(client, world.lead)
    # The membership exists, but in another organisation: not found through this one.
    response = client.get(url("orgs.member", slug=world.org, membership_id=world.other_membership))
    assert response.status_code == 404


def test_admin_invites_a_regional_lead(app: Flask, client: FlaskClient, world: World) -> None:
    sign_in(client, world.admin)
    response = submit(
        client,
        url("admin.invite_regional_lead"),
        {"name": "Rhea Regional", "email": "rhea@test.example", "region": "london"},
    )
    path = _invitation_path(response)
    invitee = app.test_client()
    submit(
        invitee, path, {"name": "Rhea Regional", "password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
    )
    assert invitee.get(url("regional.region", code="london")).status_code == 200
    assert invitee.get(url("regional.region", code="north-west")).status_code == 403
    page = soup(invitee.get(url("regional.region", code="london")))
    # Completion lists every organisation; the figures never name one that does not share.
    assert "Otherton Care Academy" in page.find(id="completion").find_next("table").get_text()  # type: ignore[union-attr]
    assert "Otherton Care Academy" not in page.find(id="table-heatmap").get_text()  # type: ignore[union-attr]


def test_an_invitation_never_resets_an_existing_accounts_password(
    app: Flask, client: FlaskClient, world: World
) -> None:
    """A lead who invites the administrator's email cannot use the link to take over the
    administrator's account: the invitee must sign in as themselves to accept."""
    sign_in(client, world.lead)
    response = submit(
        client,
        url("orgs.invite", slug=world.org),
        {"name": "Ada Admin", "email": world.admin, "role": "contributor"},
    )
    path = _invitation_path(response)
    stranger = app.test_client()
    page = stranger.get(path)
    assert "Sign in to accept" in soup(page).get_text()
    assert soup(page).find("input", attrs={"type": "password"}) is None
    token = csrf_from(stranger.get(url("auth.sign_in")))
    stranger.post(
        path,
        data={"csrf_token": token, "name": "x", "password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
    )
    assert sign_in(app.test_client(), world.admin, NEW_PASSWORD).status_code == 200  # refused
    # The invitee signs in with their own password and accepts.
    invitee = app.test_client()
    assert sign_in(invitee, world.admin).status_code == 302
    assert submit(invitee, path, {}).status_code == 302
    with app.app_context():
        admin = db.session.scalar(select(User).where(User.email == world.admin))
        assert admin is not None
        assert any(m.organisation.slug == world.org for m in admin.memberships)
    assert invitee.get(path).status_code == 404  # used up


def test_someone_signed_in_as_another_person_cannot_accept(
    app: Flask, client: FlaskClient, world: World
) -> None:
    sign_in(client, world.lead)
    response = submit(
        client,
        url("orgs.invite", slug=world.org),
        {"name": "Otto", "email": world.other_lead, "role": "contributor"},
    )
    path = _invitation_path(response)
    assert submit(client, path, {}).status_code == 200  # the lead is not the invitee
    with app.app_context():
        otto = db.session.scalar(select(User).where(User.email == world.other_lead))
        assert otto is not None
        assert all(m.organisation.slug != world.org for m in otto.memberships)
