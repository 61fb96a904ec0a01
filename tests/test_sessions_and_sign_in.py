"""Sessions that end on the server, and sign-in throttling that nobody can turn against
someone else (issue 13's findings 2, 3, 4 and 5)."""

from __future__ import annotations

import re
import statistics
import threading
import time
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from maturity.extensions import db
from maturity.models import AccountToken, AuditEvent, TokenPurpose, User, UserSession
from maturity.services import accounts
from tests.conftest import Inbox
from tests.helpers import TEST_PASSWORD, World, csrf_from, sign_in, soup, url


def _actions(app: Flask, email: str) -> list[str]:
    with app.app_context():
        return list(
            db.session.scalars(
                select(AuditEvent.action)
                .where(AuditEvent.subject_email == email)
                .order_by(AuditEvent.id)
            )
        )


def _count(app: Flask, statement: Any) -> int:
    with app.app_context():
        return int(db.session.scalar(statement) or 0)


def _session_cookie(client: FlaskClient) -> str:
    cookie = client.get_cookie("session")
    assert cookie is not None
    return cookie.value


def _with_cookie(app: Flask, value: str) -> FlaskClient:
    """Another browser holding a copy of a session cookie."""
    thief = app.test_client()
    thief.set_cookie("session", value, domain="localhost")
    return thief


def _sign_out(client: FlaskClient) -> None:
    token = csrf_from(client.get(url("auth.account")))
    assert client.post(url("auth.sign_out"), data={"csrf_token": token}).status_code == 302


# --- finding 2: sessions end on the server --------------------------------------------------


def test_a_session_cookie_copied_before_sign_out_opens_nothing_after(
    app: Flask, client: FlaskClient, world: World
) -> None:
    sign_in(client, world.lead)
    copied = _session_cookie(client)
    assert _with_cookie(app, copied).get(url("auth.account")).status_code == 200
    _sign_out(client)
    thief = _with_cookie(app, copied)
    assert thief.get(url("auth.account")).status_code == 302
    assert thief.get("/api/v1/me").status_code == 401
    assert "sign_out" in _actions(app, world.lead)


def test_signing_out_ends_only_this_browser(app: Flask, world: World) -> None:
    laptop, phone = app.test_client(), app.test_client()
    sign_in(laptop, world.lead)
    sign_in(phone, world.lead)
    _sign_out(laptop)
    assert laptop.get(url("auth.account")).status_code == 302
    assert phone.get(url("auth.account")).status_code == 200


def test_the_account_page_lists_sessions_and_signs_out_of_all_devices(
    app: Flask, world: World
) -> None:
    laptop, phone = app.test_client(), app.test_client()
    phone.environ_base["HTTP_USER_AGENT"] = "Fictional Phone Browser"
    sign_in(laptop, world.lead)
    sign_in(phone, world.lead)
    page = laptop.get_page("auth.account")
    text = " ".join(soup(page).get_text(" ").split())
    assert "You are signed in on 2 devices" in text
    assert "Fictional Phone Browser" in text and "This device" in text
    response = laptop.post(url("auth.sign_out_everywhere"), data={"csrf_token": csrf_from(page)})
    assert response.status_code == 302
    assert laptop.get(url("auth.account")).status_code == 302
    assert phone.get(url("auth.account")).status_code == 302
    assert "sessions_ended" in _actions(app, world.lead)
    signed_in = (
        select(func.count()).select_from(UserSession).join(User).where(User.email == world.lead)
    )
    assert _count(app, signed_in) == 0


def test_a_deactivated_person_is_signed_out_at_once(app: Flask, world: World) -> None:
    browser = app.test_client()
    sign_in(browser, world.contributor)
    copied = _session_cookie(browser)
    with app.app_context():
        person = db.session.scalar(select(User).where(User.email == world.contributor))
        admin = db.session.scalar(select(User).where(User.email == world.admin))
        assert person is not None and admin is not None
        accounts.deactivate(person, by=admin)
        db.session.commit()
    assert browser.get(url("auth.account")).status_code == 302
    assert _with_cookie(app, copied).get("/api/v1/me").status_code == 401
    assert sign_in(app.test_client(), world.contributor).status_code == 200  # refused
    assert {"account_deactivated", "sessions_ended"} <= set(_actions(app, world.contributor))


def test_an_administrator_deactivates_and_reactivates_from_the_people_page(
    app: Flask, client: FlaskClient, world: World
) -> None:
    other = app.test_client()
    sign_in(other, world.contributor)
    sign_in(client, world.admin)
    with app.app_context():
        person_id = db.session.scalar(select(User.id).where(User.email == world.contributor))
    listing = soup(client.get_page("admin.users"))
    link = listing.find("a", href=url("admin.user_status", user_id=person_id))
    assert link is not None and link.get_text(" ", strip=True).startswith("Deactivate")
    confirm = client.get_page("admin.user_status", user_id=person_id)
    assert "signed out on every device at once" in soup(confirm).get_text()
    done = client.post_page(
        "admin.user_status", {"csrf_token": csrf_from(confirm)}, expected=302, user_id=person_id
    )
    assert done.status_code == 302
    assert other.get(url("auth.account")).status_code == 302
    assert "Deactivated" in soup(client.get_page("admin.users")).get_text()
    again = client.get_page("admin.user_status", user_id=person_id)
    assert soup(again).h1 is not None and "Reactivate" in soup(again).h1.get_text()
    client.post_page(
        "admin.user_status", {"csrf_token": csrf_from(again)}, expected=302, user_id=person_id
    )
    assert sign_in(other, world.contributor).status_code == 302
    # Nobody deactivates themselves by mistake: there is no link to do it.
    with app.app_context():
        admin_id = db.session.scalar(select(User.id).where(User.email == world.admin))
    assert listing.find("a", href=url("admin.user_status", user_id=admin_id)) is None


def test_an_old_session_expires_on_the_server(
    app: Flask, client: FlaskClient, world: World
) -> None:
    from datetime import timedelta

    from maturity.models import utcnow

    sign_in(client, world.lead)
    with app.app_context():
        rows = db.session.scalars(select(UserSession).join(User).where(User.email == world.lead))
        for row in rows:
            row.created_at = utcnow() - timedelta(hours=9)
        db.session.commit()
    assert client.get(url("auth.account")).status_code == 302


# --- findings 3 and 4: throttling ---------------------------------------------------------


def test_a_guesser_cannot_lock_the_owner_out(app: Flask, world: World) -> None:
    owner, guesser = app.test_client(), app.test_client()
    guesser.environ_base["REMOTE_ADDR"] = "10.66.0.1"
    for _ in range(5):
        assert sign_in(guesser, world.lead, "wrong password guess").status_code == 200
    refused = sign_in(guesser, world.lead, "wrong password guess")
    assert refused.status_code == 429
    text = " ".join(soup(refused).get_text(" ").split())
    assert "too many times from here" in text and "Wait 15 minutes" in text
    # Even the right password waits from the guesser's client...
    assert sign_in(guesser, world.lead).status_code == 429
    # ...but the owner, elsewhere, signs in.
    assert sign_in(owner, world.lead).status_code == 302


def test_a_browser_that_signed_in_before_gets_in_behind_a_busy_address(
    app: Flask, world: World
) -> None:
    colleague, stranger = app.test_client(), app.test_client()
    for browser in (colleague, stranger):
        browser.environ_base["REMOTE_ADDR"] = "10.77.0.1"  # one office, one address
    sign_in(colleague, world.lead)
    _sign_out(colleague)
    for number in range(30):
        sign_in(stranger, f"guess{number}@test.example", "wrong")
    blocked = sign_in(stranger, world.contributor)
    assert blocked.status_code == 429
    assert "too many sign-in attempts from your network" in soup(blocked).get_text()
    # The colleague's browser carries its device cookie: not held back by the address.
    assert sign_in(colleague, world.lead).status_code == 302


def test_the_per_address_count_is_atomic_under_parallel_attempts(app: Flask) -> None:
    """Attempts sent at once each take a place in the count before any password is
    checked: of 40 parallel attempts against a limit of 30, exactly 30 get through."""
    from maturity.web import throttle

    results: list[bool] = []
    lock = threading.Lock()

    def attempt(number: int) -> None:
        with app.test_request_context(environ_base={"REMOTE_ADDR": "10.88.0.1"}):
            decision = throttle.admit(f"parallel{number}@test.example")
        with lock:
            results.append(decision.refusal is None)

    threads = [threading.Thread(target=attempt, args=(n,)) for n in range(40)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results.count(True) == 30


def test_the_account_ceiling_emails_an_unlock_link_once(
    app: Flask, world: World, inbox: Inbox
) -> None:
    owner = app.test_client()
    sign_in(owner, world.lead)  # the owner's own browser, known to the service
    _sign_out(owner)
    # The owner's first sign-in was from a device new to the account: with 29 guesses
    # from six addresses, that makes the 30 new-device attempts a day allows.
    for number in range(29):
        guesser = app.test_client()
        guesser.environ_base["REMOTE_ADDR"] = f"10.55.{number // 5}.1"
        guess = sign_in(guesser, world.lead, "wrong password guess")
        assert guess.status_code == 200, (number, soup(guess).get_text()[:300])
    for number in range(2):
        late = app.test_client()
        late.environ_base["REMOTE_ADDR"] = f"10.56.{number}.1"
        locked = sign_in(late, world.lead)  # even the right password, from a new device
        assert locked.status_code == 429
        assert "Signing in to this account is paused" in soup(locked).get_text()
    messages = inbox.wait_for(1)
    assert len(messages) == 1  # once per lockout, not once per refusal
    message = messages[0]
    assert message["To"] == world.lead and "Unlock your" in message["Subject"]
    body = message.get_payload(decode=True).decode()  # type: ignore[attr-defined, union-attr]
    assert _actions(app, world.lead).count("account_locked") == 1
    # The owner's own browser is not locked out.
    assert sign_in(owner, world.lead).status_code == 302
    # The link (built from SERVICE_URL) unlocks the account for new devices.
    link = re.search(r"https?://\S+/sign-in/unlock/\S+", body)
    assert link is not None
    path = link.group(0).split("://", 1)[1].split("/", 1)[1]
    stranger = app.test_client()
    stranger.environ_base["REMOTE_ADDR"] = "10.57.0.1"
    page = stranger.get("/" + path)
    assert page.status_code == 200
    done = stranger.post("/" + path, data={"csrf_token": csrf_from(page)})
    assert done.status_code == 302
    assert sign_in(stranger, world.lead).status_code == 302
    assert "account_unlocked" in _actions(app, world.lead)
    # Used once.
    assert app.test_client().get("/" + path).status_code == 404
    unused = (
        select(func.count())
        .select_from(AccountToken)
        .where(AccountToken.purpose == TokenPurpose.UNLOCK, AccountToken.used_at.is_(None))
    )
    assert _count(app, unused) == 0


def test_an_unknown_address_is_locked_the_same_and_nobody_is_emailed(
    app: Flask, world: World, inbox: Inbox
) -> None:
    for number in range(31):
        guesser = app.test_client()
        guesser.environ_base["REMOTE_ADDR"] = f"10.44.{number // 5}.1"
        last = sign_in(guesser, "nobody-here@test.example", "wrong password guess")
    assert last.status_code == 429
    assert "Signing in to this account is paused" in soup(last).get_text()
    assert inbox.wait_for(0, timeout=0.5) == []


# --- finding 5: reset timing --------------------------------------------------------------


def test_a_password_reset_takes_the_same_time_whether_or_not_the_account_exists(
    app: Flask, world: World
) -> None:
    floor = float(app.config["PASSWORD_RESET_MIN_SECONDS"])
    timings: dict[str, list[float]] = {"known": [], "unknown": []}
    for round_ in range(6):
        for kind, email in (("known", world.lead), ("unknown", f"nobody{round_}@test.example")):
            browser = app.test_client()
            browser.environ_base["REMOTE_ADDR"] = f"10.33.{round_}.1"
            page = browser.get(url("auth.request_password_reset"))
            started = time.perf_counter()
            response = browser.post(
                url("auth.request_password_reset"),
                data={"email": email, "csrf_token": csrf_from(page)},
            )
            timings[kind].append(time.perf_counter() - started)
            assert response.status_code == 200
    known, unknown = (statistics.median(timings[kind]) for kind in ("known", "unknown"))
    assert known >= floor and unknown >= floor
    assert abs(known - unknown) < floor * 0.2, timings
    # Both are written down, so neither branch is the one with less to do.
    assert _actions(app, world.lead).count("password_reset_requested") == 6
    unknown_asked = (
        select(func.count())
        .select_from(AuditEvent)
        .where(
            AuditEvent.action == "password_reset_requested",
            AuditEvent.subject_email.like("nobody%"),
        )
    )
    assert _count(app, unknown_asked) == 6


def test_the_right_password_from_the_same_client_is_not_counted_against_it(
    client: FlaskClient, world: World
) -> None:
    for _ in range(7):
        assert sign_in(client, world.lead).status_code == 302
        _sign_out(client)
    assert sign_in(client, world.lead, TEST_PASSWORD).status_code == 302
