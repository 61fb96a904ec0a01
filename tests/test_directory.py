"""Editing the practice directory: the form starts from the entry, refusals sit on their
fields, and what was typed is kept."""

from __future__ import annotations

from flask.testing import FlaskClient

from tests.helpers import World, field_errors, sign_in, soup


def test_editing_an_entry_starts_from_it_and_keeps_what_was_typed(
    client: FlaskClient, world: World
) -> None:
    sign_in(client, world.admin)
    page = soup(client.get_page("directory.edit_entry", entry_slug="caring-plymouth"))
    name = page.find("input", attrs={"name": "name"})
    assert name is not None and name["value"] == "Caring Plymouth"
    assert page.find("label", string=lambda text: text and "Academy name" in text) is not None
    checked = [box["value"] for box in page.select("input[name=domains][checked]")]
    assert checked, "the entry's sections start ticked"
    refused = client.post_page(
        "directory.edit_entry",
        {
            "name": "Caring Plymouth",
            "practice": "Runs a shared bank of care staff",
            "source_title": "Fictional test source",
            "launched": "２０２３",
            "region": "atlantis",
            "domains": "no-such-section",
        },
        expected=200,
        entry_slug="caring-plymouth",
    )
    assert field_errors(refused) == {
        "region": "Select a region from the list",
        "launched": "Enter the launch year as four digits, like 2023",
        "domains": "Select at least one section the practice belongs to",
    }
    kept = soup(refused).find("input", attrs={"name": "launched"})
    assert kept is not None and kept["value"] == "２０２３"


def test_a_launch_year_of_thousands_of_digits_is_refused_on_its_field(
    client: FlaskClient, world: World
) -> None:
    # Found by the form fuzz: Python refuses to turn more than 4,300 digits into a number,
    # which used to fail the whole request instead of the field.
    sign_in(client, world.admin)
    refused = client.post_page(
        "directory.edit_entry",
        {
            "name": "Caring Plymouth",
            "practice": "Runs a shared bank of care staff",
            "source_title": "Fictional test source",
            "launched": "2" * 5000,
            "domains": "recruitment",
        },
        expected=200,
        entry_slug="caring-plymouth",
    )
    assert (
        field_errors(refused)["launched"]
        == "Year launched (optional) must be 4 characters or fewer"
    )
