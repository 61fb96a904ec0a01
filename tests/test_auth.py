"""Signing in and out, throttling, CSRF, password reset and change."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from maturity.extensions import db
from maturity.models import AccountToken, AuditEvent, TokenPurpose
from tests.helpers import (
    TEST_PASSWORD,
    World,
    error_messages,
    field_errors,
    sign_in,
    soup,
    submit,
    url,
)


def test_a_lead_signs_in_and_sees_their_organisation(client: FlaskClient, world: World) -> None:
    response = sign_in(client, world.lead)
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    home = soup(client.get("/"))
    assert "Welcome, Lee Lead" in home.get_text()
    assert "Testshire Care Academy" in home.get_text()


def test_sign_in_returns_to_the_page_asked_for_but_never_off_site(
    client: FlaskClient, world: World
) -> None:
    response = client.get(url("auth.account"))
    assert response.status_code == 302
    assert "/sign-in?next=%2Faccount" in response.headers["Location"]
    page = client.get(url("auth.sign_in", next="/account"))
    from tests.helpers import csrf_from

    token = csrf_from(page)
    response = client.post(
        url("auth.sign_in", next="/account"),
        data={"csrf_token": token, "email": world.lead, "password": TEST_PASSWORD},
    )
    assert response.headers["Location"] == "/account"
    client.post(
        url("auth.sign_out"), data={"csrf_token": csrf_from(client.get(url("auth.account")))}
    )
    token = csrf_from(client.get(url("auth.sign_in")))
    response = client.post(
        url("auth.sign_in", next="//evil.example/"),
        data={"csrf_token": token, "email": world.lead, "password": TEST_PASSWORD},
    )
    assert response.headers["Location"] == "/"


def test_wrong_password_and_unknown_email_give_the_same_message(
    client: FlaskClient, world: World
) -> None:
    wrong_password = sign_in(client, world.lead, "not the right password")
    unknown_email = sign_in(client, "nobody@test.example", "not the right password")
    assert wrong_password.status_code == unknown_email.status_code == 200
    assert error_messages(wrong_password) == error_messages(unknown_email)
    assert "Enter a correct email address and password" in error_messages(wrong_password)
    assert soup(wrong_password).title is not None
    assert soup(wrong_password).title.get_text().startswith("Error: ")


def test_failed_and_successful_sign_ins_are_audited(
    app: Flask, client: FlaskClient, world: World
) -> None:
    sign_in(client, world.lead, "not the right password")
    sign_in(client, world.lead)
    with app.app_context():
        actions = db.session.scalars(
            select(AuditEvent.action).where(AuditEvent.subject_email == world.lead)
        ).all()
    assert "sign_in_failed" in actions
    assert "sign_in" in actions


def test_a_form_posted_without_a_csrf_token_is_refused(client: FlaskClient, world: World) -> None:
    response = client.post(
        url("auth.sign_in"), data={"email": world.lead, "password": TEST_PASSWORD}
    )
    assert response.status_code == 400
    assert "The form could not be sent" in soup(response).get_text()
    assert client.get(url("auth.account")).status_code == 302  # still signed out


def test_the_sixth_rapid_failed_sign_in_is_throttled(client: FlaskClient, world: World) -> None:
    for _ in range(5):
        assert sign_in(client, world.lead, "wrong password guess").status_code == 200
    response = sign_in(client, world.lead, "wrong password guess")
    assert response.status_code == 429
    assert "Too many attempts" in soup(response).get_text()
    # Throttled even with the right password, from this client: the account is protected,
    # not the guess (elsewhere, the owner still gets in: test_sessions_and_sign_in).
    assert sign_in(client, world.lead).status_code == 429


def test_successful_sign_ins_do_not_use_up_the_limit(client: FlaskClient, world: World) -> None:
    for _ in range(7):
        assert sign_in(client, world.lead).status_code == 302
        client.post(url("auth.sign_out"), data={"csrf_token": _token(client)})


def _token(client: FlaskClient) -> str:
    from tests.helpers import csrf_from

    return csrf_from(client.get(url("auth.account")))


def test_sign_out_ends_the_session(client: FlaskClient, world: World) -> None:
    sign_in(client, world.lead)
    response = client.post(url("auth.sign_out"), data={"csrf_token": _token(client)})
    assert response.status_code == 302
    assert client.get(url("auth.account")).status_code == 302


def test_password_reset_by_single_use_link(app: Flask, client: FlaskClient, world: World) -> None:
    response = submit(client, url("auth.request_password_reset"), {"email": world.lead})
    assert response.status_code == 200
    link = soup(response).find(id="reset-link")
    assert link is not None
    href = str(link["href"])
    # Built from SERVICE_URL, not from the Host the request came to (localhost here).
    assert href.startswith("http://127.0.0.1:5000/password-reset/")
    path = urlsplit(href).path
    new_password = "a brand new passphrase"
    response = submit(client, path, {"password": new_password, "confirm": new_password})
    assert response.status_code == 302
    assert sign_in(client, world.lead, TEST_PASSWORD).status_code == 200
    assert sign_in(client, world.lead, new_password).status_code == 302
    # The link was used: it cannot be used again.
    again = client.get(path)
    assert again.status_code == 404
    assert "expired or has already been used" in soup(again).get_text()


def test_password_reset_does_not_reveal_who_has_an_account(
    client: FlaskClient, world: World
) -> None:
    known = submit(client, url("auth.request_password_reset"), {"email": world.lead})
    unknown = submit(client, url("auth.request_password_reset"), {"email": "nobody@test.example"})
    assert known.status_code == unknown.status_code == 200
    assert soup(known).h1 is not None and soup(unknown).h1 is not None
    assert soup(known).h1.get_text() == soup(unknown).h1.get_text() == "Check your email"


def test_reset_tokens_are_stored_only_as_hashes(
    app: Flask, client: FlaskClient, world: World
) -> None:
    response = submit(client, url("auth.request_password_reset"), {"email": world.lead})
    link = str(soup(response).find(id="reset-link")["href"])  # type: ignore[index]
    token = link.rsplit("/", 1)[1]
    with app.app_context():
        stored = db.session.scalars(
            select(AccountToken).where(AccountToken.purpose == TokenPurpose.PASSWORD_RESET)
        ).all()
    assert stored
    assert all(token not in record.token_hash for record in stored)


def test_change_password_needs_the_current_one_and_signs_out_other_sessions(
    app: Flask, world: World
) -> None:
    first, second = app.test_client(), app.test_client()
    sign_in(first, world.lead)
    sign_in(second, world.lead)
    wrong = submit(
        first,
        url("auth.change_password"),
        {
            "current_password": "not it at all",
            "password": "new passphrase here",
            "confirm": "new passphrase here",
        },
    )
    assert field_errors(wrong) == {"current_password": "Your current password is not correct"}
    weak = submit(
        first,
        url("auth.change_password"),
        {"current_password": TEST_PASSWORD, "password": "short", "confirm": "short"},
    )
    assert "Password must be 12 characters or more" in error_messages(weak)
    ok = submit(
        first,
        url("auth.change_password"),
        {
            "current_password": TEST_PASSWORD,
            "password": "new passphrase here",
            "confirm": "new passphrase here",
        },
    )
    assert ok.status_code == 302
    assert first.get(url("auth.account")).status_code == 200
    assert second.get(url("auth.account")).status_code == 302


def test_security_headers_and_cookie_flags(client: FlaskClient, world: World) -> None:
    response = client.get(url("auth.sign_in"))
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "'unsafe-inline'" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    # The one inline script (GOV.UK's js-enabled switch) carries the CSP nonce.
    nonce = csp.split("'nonce-")[1].split("'")[0]
    scripts = soup(response).find_all("script", src=False)
    assert scripts and all(script.get("nonce") == nonce for script in scripts)
    signed_in = sign_in(client, world.lead)
    cookie = signed_in.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_reset_tokens_are_sha256_hashes_of_the_link(
    app: Flask, client: FlaskClient, world: World
) -> None:
    import hashlib

    response = submit(client, url("auth.request_password_reset"), {"email": world.lead})
    token = str(soup(response).find(id="reset-link")["href"]).rsplit("/", 1)[1]  # type: ignore[index]
    with app.app_context():
        hashes = db.session.scalars(
            select(AccountToken.token_hash).where(AccountToken.email == world.lead)
        ).all()
    assert hashlib.sha256(token.encode()).hexdigest() in hashes


def test_older_reset_links_stop_working_once_the_password_changes(
    client: FlaskClient, world: World
) -> None:
    first = submit(client, url("auth.request_password_reset"), {"email": world.lead})
    second = submit(client, url("auth.request_password_reset"), {"email": world.lead})
    old_path = urlsplit(str(soup(first).find(id="reset-link")["href"])).path  # type: ignore[index]
    new_path = urlsplit(str(soup(second).find(id="reset-link")["href"])).path  # type: ignore[index]
    new_password = "another fresh passphrase"
    assert (
        submit(client, new_path, {"password": new_password, "confirm": new_password}).status_code
        == 302
    )
    assert client.get(old_path).status_code == 404


def test_an_expired_reset_link_is_refused(app: Flask, client: FlaskClient, world: World) -> None:
    from datetime import timedelta

    from maturity.models import utcnow

    response = submit(client, url("auth.request_password_reset"), {"email": world.lead})
    path = urlsplit(str(soup(response).find(id="reset-link")["href"])).path  # type: ignore[index]
    with app.app_context():
        for record in db.session.scalars(select(AccountToken)):
            record.expires_at = utcnow() - timedelta(seconds=1)
        db.session.commit()
    assert client.get(path).status_code == 404


def test_reset_page_says_the_same_whether_or_not_the_account_exists(
    app: Flask, client: FlaskClient, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(app.config, "SHOW_DEV_LINKS", False)
    known = submit(client, url("auth.request_password_reset"), {"email": world.lead})
    unknown = submit(client, url("auth.request_password_reset"), {"email": "nobody@test.example"})

    def text(response: object) -> str:
        main = soup(response).find("main")  # type: ignore[arg-type]
        assert main is not None
        return (
            main.get_text(" ", strip=True)
            .replace(world.lead, "EMAIL")
            .replace("nobody@test.example", "EMAIL")
        )

    assert text(known) == text(unknown)


def test_an_api_token_needs_a_name_and_the_refusal_sits_on_it(
    client: FlaskClient, world: World
) -> None:
    sign_in(client, world.lead)
    refused = client.post_page("auth.api_tokens", {"name": "   "}, expected=200)
    assert field_errors(refused) == {"name": "Enter a name for the token, such as “Power BI”"}
    assert "Token created" not in refused.get_data(as_text=True)
