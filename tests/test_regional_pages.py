"""Regional pages people can read: the dashboard opens on a cycle with figures and says
why; a region with no academies says so; wide tables scroll in their own box."""

from __future__ import annotations

from datetime import date

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from maturity.extensions import db
from maturity.models import Organisation, Region
from maturity.services.regional import Submissions, dashboard_cycle
from tests.helpers import World, sign_in, soup

TODAY = date(2026, 11, 29)  # in 2026/27


def test_the_dashboard_opens_on_the_latest_cycle_whose_figures_can_be_shown() -> None:
    counts = {
        "2024/25": Submissions(9, 3),
        "2025/26": Submissions(12, 3),
        "2026/27": Submissions(2, 0),  # just opened: too few
    }
    shown = dashboard_cycle(counts, region_name="North West", today=TODAY)
    assert shown.cycle == "2025/26"
    assert "most recent cycle with enough submitted assessments" in shown.reason
    assert "In 2026/27, 2 academies have submitted so far" in shown.reason
    # Enough academies, but one or two that do not share beside named ones: their figures
    # could be worked out by difference, so that cycle's figures are withheld too.
    counts["2026/27"] = Submissions(10, 2)
    assert dashboard_cycle(counts, region_name="North West", today=TODAY).cycle == "2025/26"
    counts["2026/27"] = Submissions(10, 0)
    shown = dashboard_cycle(counts, region_name="North West", today=TODAY)
    assert shown.cycle == "2026/27" and "the current cycle: 10 academies" in shown.reason
    # The reader's own choice is kept; with no figures anywhere, the current cycle.
    chosen = dashboard_cycle(counts, "2024/25", region_name="North West", today=TODAY)
    assert chosen.cycle == "2024/25" and "the cycle you chose: 9 academies" in chosen.reason
    empty = dashboard_cycle({}, region_name="London", today=TODAY)
    assert empty.cycle == "2026/27" and "No cycle yet has enough" in empty.reason


def _row_text(page: object, name: str) -> str:
    row = next(th.find_parent("tr") for th in page.select("th") if th.get_text(strip=True) == name)  # type: ignore[attr-defined]
    return str(row.get_text(" ", strip=True))


def test_regions_with_no_academies_say_so_rather_than_withheld(
    app: Flask, client: FlaskClient, world: World
) -> None:
    with app.app_context():
        empty = db.session.scalar(select(Region).where(Region.code == "east-midlands"))
        assert empty is not None
        assert not db.session.scalars(
            select(Organisation).where(Organisation.region_id == empty.id)
        ).all()
    sign_in(client, world.lead)
    page = soup(client.get_page("regional.compare", cycle="2026/27"))
    row = _row_text(page, "East Midlands")
    assert "No academies yet" in row and "Withheld" not in row
    # The comparison scrolls in its own box, which keyboard users can focus.
    box = page.select_one("#table-regions").find_parent("div")
    assert "app-table-scroll__box" in box["class"] and box["tabindex"] == "0"
    assert box["role"] == "region" and "scrolls sideways" in box["aria-label"]


def test_the_demo_regional_lead_sees_real_figures_and_other_regions_suppression(
    app: Flask, client: FlaskClient
) -> None:
    from maturity.services.demo import DEMO_PASSWORD, DEMO_REGIONAL_LEAD, seed_demo
    from maturity.services.settings import Settings

    with app.app_context():
        seed_demo(Settings.from_config(app.config).hashing)
        north_west = db.session.scalar(select(Region).where(Region.code == "north-west"))
        assert north_west is not None
        sharing = db.session.scalars(
            select(Organisation).where(
                Organisation.region_id == north_west.id,
                Organisation.shares_named_results.is_(True),
                Organisation.is_demo.is_(True),
            )
        ).all()
        assert len(sharing) >= 8
        assert all("(demo)" in organisation.name for organisation in sharing)
        db.session.commit()
    sign_in(client, DEMO_REGIONAL_LEAD[1], DEMO_PASSWORD)
    page = soup(client.get_page("regional.region", code="north-west"))
    reason = page.select_one("#shown-cycle").get_text(" ", strip=True)
    assert "Showing 2025/26, the most recent cycle with enough" in reason
    assert "2026/27" in reason
    assert page.select_one("#cycle option[selected]")["value"] == "2025/26"
    heatmap = page.select_one("#table-heatmap").get_text(" ", strip=True)
    assert "Bramblewood Care Academy (demo)" in heatmap
    spreads = page.select_one("#table-spreads").get_text(" ", strip=True)
    assert any(character.isdigit() for character in spreads.split("North West", 1)[-1])
    # Other regions' figures are still withheld: this cycle, too few academies there.
    compare = soup(client.get_page("regional.compare", cycle="2026/27"))
    assert "Withheld" in _row_text(compare, "North East")
    assert "Withheld" not in _row_text(compare, "North West")
