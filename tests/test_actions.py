"""The action plan's form: errors on their fields, nothing typed lost."""

from __future__ import annotations

from flask.testing import FlaskClient

from tests.helpers import World, field_errors, sign_in, soup


def test_a_refused_action_keeps_what_was_typed_and_names_each_field(
    client: FlaskClient, world: World
) -> None:
    sign_in(client, world.contributor)
    refused = client.post_page(
        "actions.new",
        {
            "title": "Meet the college about T levels",
            "owner": "",
            "domain": "no-such-section",
            "due-day": "31",
            "due-month": "2",
            "due-year": "2027",
            "status": "in_progress",
        },
        expected=200,
        slug=world.org,
    )
    assert field_errors(refused) == {
        "owner": "Enter who owns the action",
        "domain": "Select the section the action belongs to",
        "due": "Enter a real due date, for example 31 3 2027",
    }
    page = soup(refused)
    title = page.find("textarea", attrs={"name": "title"})
    assert title is not None and title.get_text() == "Meet the college about T levels"
    day = page.find("input", attrs={"name": "due-day"})
    assert day is not None and day["value"] == "31"
    checked = page.find("input", attrs={"name": "status", "checked": True})
    assert checked is not None and checked["value"] == "in_progress"
