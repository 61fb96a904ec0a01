"""The directory page of an academy names where each profile fact comes from."""

from __future__ import annotations

from flask import Flask

from maturity.extensions import db
from maturity.services.directory import load_directory_file
from tests.helpers import PageCheckingClient as Client
from tests.helpers import World, sign_in, soup


def test_entry_pages_cite_the_case_study_page_or_say_the_region_follows_from_the_name(
    app: Flask, client: Client, world: World
) -> None:
    with app.app_context():
        load_directory_file()
        db.session.commit()
    sign_in(client, world.lead)
    plymouth = soup(client.get_page("directory.entry", entry_slug="caring-plymouth"))
    links = [a["href"] for a in plymouth.select("main a[href^='https://www.local.gov.uk/']")]
    assert "https://www.local.gov.uk/case-studies/caring-plymouth" in links
    assert "https://www.local.gov.uk/case-studies" not in links
    assert "follows from the academy's name" not in plymouth.get_text()
    trafford = soup(client.get_page("directory.entry", entry_slug="trafford-learning-academy"))
    text = " ".join(trafford.get_text(" ", strip=True).split())
    assert "Region North West" in text
    assert "The region follows from the academy's name" in text
    north_west = soup(client.get_page("directory.index", query={"region": "north-west"}))
    names = {a.get_text(strip=True) for a in north_west.select("main table a")}
    assert {"Greater Manchester Social Care Academy", "Trafford Learning Academy"} <= names
