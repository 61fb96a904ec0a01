"""What the form walks found (``tests/test_form_walk.py``, ``tests/test_form_fuzz.py``,
``tests/test_form_lengths.py``), each failing case kept here as it was found."""

from __future__ import annotations

import base64
import io
from xml.etree import ElementTree

import pytest
from flask import Flask
from openpyxl import load_workbook
from sqlalchemy import select

from maturity.extensions import db
from maturity.models import (
    AccountToken,
    ImpactReturn,
    ImpactTarget,
    Organisation,
    TheoryOfChange,
    User,
)
from maturity.services import accounts
from maturity.services.impact import set_values
from maturity.services.settings import Settings
from maturity.services.tables import safe_cell
from tests.helpers import PageCheckingClient as Client
from tests.helpers import World, csrf_from, field_errors, sign_in, soup, submit

# --- Lengths: every field refuses more than its column holds, in words naming it ------------


@pytest.mark.parametrize(
    ("endpoint", "fields", "field", "message"),
    [
        (
            "auth.sign_in",
            {"email": "e" * 255, "password": "x"},
            "email",
            "Email address must be 254 characters or fewer",
        ),
        (
            "auth.sign_in",
            {"email": "a@b.example", "password": "p" * 257},
            "password",
            "Password must be 256 characters or fewer",
        ),
    ],
)
def test_length_refusals_on_account_forms_say_what_to_do(
    client: Client, endpoint: str, fields: dict[str, str], field: str, message: str
) -> None:
    refused = client.post_page(endpoint, fields, expected=200)
    assert field_errors(refused)[field] == message


def test_a_new_password_longer_than_the_service_allows_is_refused_on_the_form(
    client: Client, world: World
) -> None:
    """The form let 256 characters through and the service refused over 128, in two
    different wordings; now the form's limit is the service's."""
    sign_in(client, world.contributor)
    long = "correct horse battery " * 6  # 132 characters
    refused = client.post_page(
        "auth.change_password",
        {"current_password": "x", "password": long, "confirm": long},
        expected=200,
    )
    assert field_errors(refused)["password"] == "Password must be 128 characters or fewer"


def test_an_overlong_organisation_name_is_refused_in_words_that_name_it(
    client: Client, world: World
) -> None:
    """It said "Field cannot be longer than 200 characters."."""
    sign_in(client, world.admin)
    refused = client.post_page(
        "admin.new_organisation",
        {
            "name": "n" * 201,
            "region": "north-west",
            "status": "live",
            "kind": "health_and_care",
            "host_body_type": "local_authority",
            "delivery_mode": "blended",
        },
        expected=200,
    )
    assert field_errors(refused) == {"name": "Name must be 200 characters or fewer"}


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"title": "t" * 121}, "title", "Title must be 120 characters or fewer"),
        ({"first_name": "f" * 31}, "first_name", "First name must be 30 characters or fewer"),
    ],
)
def test_a_case_study_field_too_long_for_its_column_is_refused_with_the_other_problems(
    client: Client, world: World, fields: dict[str, str], field: str, message: str
) -> None:
    sign_in(client, world.contributor)
    valid = {"title": "A new start", "body": "A story.", "period": "2025/26 Q2"}
    refused = client.post_page(
        "impact.new_case_study", {**valid, **fields}, expected=200, slug=world.org
    )
    # The consent left out is still reported alongside, as a save would.
    assert field_errors(refused) == {
        field: message,
        "consent": "Confirm that the person agreed to their story being shared",
    }


# --- Names of only spaces ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("endpoint", "fields", "field", "message"),
    [
        (
            "orgs.invite",
            {"email": "ivy@test.example", "role": "contributor"},
            "name",
            "Enter the person's full name",
        ),
        (
            "admin.new_organisation",
            {
                "region": "north-west",
                "status": "live",
                "kind": "health_and_care",
                "host_body_type": "local_authority",
                "delivery_mode": "blended",
            },
            "name",
            "Enter the organisation's name",
        ),
    ],
)
def test_a_name_of_only_spaces_is_refused(
    app: Flask,
    client: Client,
    world: World,
    endpoint: str,
    fields: dict[str, str],
    field: str,
    message: str,
) -> None:
    """A name of spaces passed "required" and was stored empty."""
    sign_in(client, world.admin)
    values = {"slug": world.org} if endpoint.startswith("orgs.") else {}
    refused = client.post_page(endpoint, {**fields, field: "   "}, expected=200, **values)
    assert field_errors(refused) == {field: message}
    with app.app_context():
        assert db.session.scalars(select(Organisation).where(Organisation.name == "")).all() == []
        assert db.session.scalars(select(AccountToken).where(AccountToken.name == "")).all() == []


def test_an_invitation_cannot_be_accepted_with_a_name_of_spaces(
    app: Flask, client: Client, world: World
) -> None:
    with app.app_context():
        inviter = accounts.user_by_email(world.admin)
        assert inviter is not None
        issued = accounts.invite(
            email="new@test.example",
            name="New Person",
            invited_by=inviter,
            link_for=lambda token: token,
            settings=Settings.from_config(app.config),
        )
        db.session.commit()
    password = "a brand new passphrase"
    refused = client.post_page(
        "auth.accept_invitation",
        {"name": " \t ", "password": password, "confirm": password},
        expected=200,
        token=issued.token,
    )
    assert field_errors(refused) == {"name": "Enter your full name"}
    with app.app_context():
        assert accounts.user_by_email("new@test.example") is None
        assert db.session.scalars(select(User).where(User.name == "")).all() == []


# --- Choices the page does not offer, years written any other way ---------------------------


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"kind": "walk-unknown"}, "kind", "Select the kind of academy"),
        ({"locality": "walk-unknown"}, "locality", "Select the type of locality"),
        ({"region": "walk-unknown"}, "region", "Select a region"),
        (
            {"year_established": "2_023"},
            "year_established",
            "Enter the year established as 4 digits, like 2023",
        ),
        (
            {"year_established": "٢٠٢٣"},
            "year_established",
            "Enter the year established as 4 digits, like 2023",
        ),
        (
            {"year_established": "9" * 5000},
            "year_established",
            "Enter the year established as 4 digits, like 2023",
        ),
    ],
)
def test_organisation_refusals_say_what_to_do(
    client: Client, world: World, fields: dict[str, str], field: str, message: str
) -> None:
    """They said "Not a valid choice", "Not a valid integer value" and "Field cannot be
    longer than 200 characters" (and "2_023" and "٢٠٢٣" were taken as 2023)."""
    sign_in(client, world.admin)
    valid = {
        "name": "Walkden Care Academy",
        "region": "north-west",
        "status": "live",
        "kind": "health_and_care",
        "host_body_type": "local_authority",
        "delivery_mode": "blended",
    }
    refused = client.post_page("admin.new_organisation", {**valid, **fields}, expected=200)
    assert field_errors(refused) == {field: message}


def test_an_unknown_section_beside_known_ones_is_refused_not_dropped(
    app: Flask, client: Client, world: World
) -> None:
    """A section the page does not offer, ticked beside real ones, was dropped quietly
    and the entry saved: what was saved was not what was sent."""
    sign_in(client, world.admin)
    refused = client.post_page(
        "directory.new_entry",
        {
            "name": "Example Coast Academy",
            "practice": "Runs a shared bank of care staff",
            "domains": ["recruitment", " "],
            "source_title": "Fictional test source",
        },
        expected=200,
    )
    assert field_errors(refused) == {"domains": "Select sections from the list"}


# --- A refused impact save changes nothing ---------------------------------------------------


def test_a_refused_return_save_leaves_the_return_as_it_was(
    app: Flask, client: Client, world: World
) -> None:
    """Notes of 100,000 characters were refused, yet the save took the next version
    (and "last changed by"): a refused post changed the database."""
    sign_in(client, world.contributor)
    with app.app_context():
        before = db.session.get_one(ImpactReturn, world.impact_return).version
    url = client.url("impact.edit_return", slug=world.org, return_id=world.impact_return)
    refused = submit(client, url, {"notes": "n" * 100_000})
    assert field_errors(refused) == {"notes": "Notes must be 500 characters or fewer"}
    with app.app_context():
        after = db.session.get_one(ImpactReturn, world.impact_return)
        assert (after.version, after.updated_by_id) == (before, None)
    # A change is still saved as a new version, and a stale page still hears of it.
    assert submit(client, url, {"notes": "Fine"}).status_code == 302
    with app.app_context():
        assert db.session.get_one(ImpactReturn, world.impact_return).version == before + 1


def test_a_refused_save_against_a_stale_version_still_says_someone_else_saved(
    app: Flask, client: Client, world: World
) -> None:
    sign_in(client, world.contributor)
    url = client.url("impact.edit_return", slug=world.org, return_id=world.impact_return)
    with app.app_context():
        lead = accounts.user_by_email(world.lead)
        assert lead is not None
        set_values(db.session.get_one(ImpactReturn, world.impact_return), {}, lead)
        db.session.commit()
    stale = submit(client, url, {"version": "0", "notes": ""})
    assert "Someone else saved this return" in stale.get_data(as_text=True)


def test_a_refused_theory_of_change_save_leaves_it_as_it_was(
    app: Flask, client: Client, world: World
) -> None:
    """A challenge of 100,000 characters was refused, yet "last changed by" was set."""
    sign_in(client, world.contributor)
    url = client.url("impact.edit_theory", slug=world.org, theory_id=world.theory)
    refused = submit(client, url, {"challenge": "c" * 100_000})
    assert list(field_errors(refused)) == ["challenge"]
    with app.app_context():
        assert db.session.get_one(TheoryOfChange, world.theory).updated_by_id is None


# --- Financial years the page does not offer -------------------------------------------------


@pytest.mark.parametrize("cycle", ["1999/00", "2999/00", " 2026/27 "])
def test_a_theory_of_change_is_started_only_for_a_year_the_page_offers(
    app: Flask, client: Client, world: World, cycle: str
) -> None:
    """Any financial year was accepted (1999/00, 2999/00), and " 2026/27 " was stored as
    typed: a second version for 2026/27 on SQLite, a 500 on PostgreSQL (the column holds 7
    characters)."""
    sign_in(client, world.contributor)
    refused = client.post_page("impact.theories", {"cycle": cycle}, expected=200, slug=world.org)
    assert field_errors(refused) == {"cycle": "Select a financial year from the list"}
    with app.app_context():
        cycles = db.session.scalars(select(TheoryOfChange.cycle)).all()
        assert sorted(cycles) == ["2025/26", "2025/26"]


@pytest.mark.parametrize("cycle", ["2999/00", " 2026/27"])
def test_targets_are_set_only_for_a_year_the_page_offers(
    app: Flask, client: Client, world: World, cycle: str
) -> None:
    """Targets could be set for 2999/00, and for " 2026/27" stored as typed (a 500 on
    PostgreSQL)."""
    sign_in(client, world.contributor)
    url = client.url("impact.targets", slug=world.org)
    response = client.post(
        url,
        data={
            "csrf_token": csrf_from(client.get(url)),
            "cycle": cycle,
            "target-people-supported": "10",
        },
    )
    assert response.status_code == 404
    with app.app_context():
        assert db.session.scalars(select(ImpactTarget)).all() == []


# --- Text people paste, in downloads and diagrams ----------------------------------------------


def test_a_control_character_in_an_answer_does_not_break_the_spreadsheet(
    client: Client, world: World
) -> None:
    """openpyxl refuses control characters: the answers download failed with a 500."""
    sign_in(client, world.lead)
    values = {"slug": world.org, "assessment_id": world.assessment}
    saved = client.post_page(
        "assessments.domain",
        {"level-mission-aims": "3", "evidence-mission-aims": "Minutes\x01 of\x1b the board"},
        domain_id="leadership",
        **values,
    )
    assert saved.status_code == 302
    download = client.get_page("results.answers_xlsx", **values)
    sheet = load_workbook(io.BytesIO(download.data)).active
    assert sheet is not None
    assert "Minutes of the board" in [cell.value for row in sheet.iter_rows() for cell in row]


@pytest.mark.parametrize("text", ["\t=1+1", "\r=1+1", "=1+1", "@SUM(A1)"])
def test_a_formula_after_a_tab_or_return_is_made_safe_in_downloads(text: str) -> None:
    """Spreadsheets skip a leading tab or carriage return before a formula (OWASP's
    list); every form trims its text today, so none reaches a download, but the one
    export function should not rely on that."""
    assert safe_cell(text) == "'" + text


@pytest.mark.parametrize("item", ["Council\x1b funding", "Council funding 😀"])
def test_a_theory_of_change_diagram_draws_any_text(
    app: Flask, client: Client, world: World, item: str
) -> None:
    """A control character or an emoji in an item failed the diagram (a warning about a
    missing glyph; and XML cannot hold a control character, so the SVG was invalid)."""
    sign_in(client, world.contributor)
    url = client.url("impact.edit_theory", slug=world.org, theory_id=world.theory)
    assert submit(client, url, {"inputs": item}).status_code == 302
    page = client.get_page("impact.theory", slug=world.org, theory_id=world.theory)
    diagram = soup(page).select_one("img.app-chart")
    assert diagram is not None
    svg = base64.b64decode(str(diagram["src"]).removeprefix("data:image/svg+xml;base64,"))
    drawn = ElementTree.fromstring(svg)  # well-formed XML
    assert "Council" in "".join(drawn.itertext())
