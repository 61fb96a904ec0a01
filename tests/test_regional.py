"""The regional lead's dashboard, the national comparison, downloads, API and open data:
the same figures everywhere, non-sharing academies never named, small groups withheld."""

from __future__ import annotations

import csv
import hashlib
import io
import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from maturity.extensions import db
from maturity.models import ApiToken, AuditEvent, Organisation, OrganisationKind, User
from maturity.services.assessments import AnswerValues, set_answer, submit_assessment
from maturity.services.questionnaires import questionnaire
from tests.helpers import (
    World,
    csrf_from,
    make_assessment,
    make_organisation,
    sign_in,
    soup,
    statements_for,
)

CYCLE = "2025/26"
QUIET = "Quiet Care Academy"  # does not share named results: must never be named


def _submit(organisation: Organisation, cycle: str, level: int, funding: int | None = None) -> None:
    lead = db.session.scalar(select(User).where(User.email == "lead@test.example"))
    assert lead is not None
    assessment = make_assessment(organisation, cycle)
    for domain in questionnaire("academy-maturity").domains:
        for indicator in domain.indicators:
            value = funding if (domain.id == "funding" and funding) else level
            set_answer(assessment, indicator.id, AnswerValues(level=value), lead)
    submit_assessment(assessment, lead, declared=True)


@pytest.fixture
def region(app: Flask, world: World) -> None:
    """North West: two sharing academies and three that do not share (the world's own,
    Quiet, and Silent, which is social care only); London: one academy. Two cycles for
    the movement table."""
    with app.app_context():
        testshire = db.session.scalar(select(Organisation).where(Organisation.slug == world.org))
        assert testshire is not None
        sharer_one = make_organisation(
            "Sharer One Academy", "north-west", shares_named_results=True
        )
        sharer_two = make_organisation(
            "Sharer Two Academy", "north-west", shares_named_results=True
        )
        quiet = make_organisation(QUIET, "north-west", shares_named_results=False)
        silent = make_organisation(
            "Silent Care Academy",
            "north-west",
            shares_named_results=False,
            kind=OrganisationKind.SOCIAL_CARE,
        )
        london = make_organisation("Lone London Academy", "london", shares_named_results=True)
        for organisation, level in (
            (sharer_one, 3),
            (sharer_two, 4),
            (quiet, 2),
            (testshire, 2),
            (silent, 3),
        ):
            _submit(organisation, "2024/25", level - 1 if level > 1 else 1)
            _submit(organisation, CYCLE, level, funding=5 if organisation is quiet else None)
        _submit(london, CYCLE, 3)
        db.session.commit()


def _section(page: Any, table_id: str) -> str:
    table = page.find(id=table_id)
    assert table is not None, table_id
    return table.get_text(" ", strip=True)


def test_dashboard_shows_completion_heatmap_spreads_distribution_movement_trend(
    client: FlaskClient, world: World, region: None
) -> None:
    sign_in(client, world.regional_lead)
    page = soup(client.get_page("regional.region", code="north-west", cycle=CYCLE))
    text = page.get_text(" ", strip=True)
    assert "5 of 5 organisations have submitted their 2025/26 assessment" in text
    heatmap = _section(page, "table-heatmap")
    assert "Sharer One Academy 3 3" in heatmap and "Sharer Two Academy 4 4" in heatmap
    assert "Other academies (3) 2.0" in heatmap  # three non-sharing, pooled: median level
    spreads = page.find(id="table-spreads").select("tbody tr")  # type: ignore[union-attr]
    leadership = [cell.get_text(strip=True) for cell in spreads[0].find_all(["th", "td"])]
    assert leadership[0] == "Leadership and strategy"
    assert leadership[1:4] == ["3.0", "2.0–3.0", "5"]  # scores 2, 2, 3, 3, 4
    assert leadership[4:7] == ["3.0", "2.3–3.0", "6"]  # England: the five and London's one
    distribution = _section(page, "table-distribution")
    assert "Leadership and strategy 0 Withheld Withheld Withheld 0" in distribution  # 2, 2, 1
    assert "5 academies moved up in Leadership and strategy" in text
    assert "Median section score in North West by cycle" in text
    assert len(page.select("img.app-chart")) == 2


def test_one_or_two_hidden_academies_withhold_the_regional_aggregates(
    client: FlaskClient, world: World, region: None
) -> None:
    """Filtered to health and care, two non-sharing academies remain: the region's
    spreads, distribution, movement and trend would reveal them next to the named rows."""
    sign_in(client, world.regional_lead)
    page = soup(
        client.get_page("regional.region", code="north-west", cycle=CYCLE, kind="health_and_care")
    )
    assert "Other academies (fewer than 3) Withheld" in _section(page, "table-heatmap")
    spreads = page.find(id="table-spreads").select("tbody tr")  # type: ignore[union-attr]
    leadership = [cell.get_text(strip=True) for cell in spreads[0].find_all(["th", "td"])]
    assert leadership[1:3] == ["Withheld", "Withheld"]
    for key in ("table-distribution", "table-movement"):
        cells = page.select(f"#{key} tbody td")
        assert cells and all(cell.get_text(strip=True) == "Withheld" for cell in cells[:-1])
    assert "moved up" not in page.get_text()


def test_a_non_sharing_academy_is_never_named_on_any_output(
    app: Flask, client: FlaskClient, world: World, region: None
) -> None:
    sign_in(client, world.regional_lead)
    page = soup(client.get_page("regional.region", code="north-west", cycle=CYCLE))
    for table_id in (
        "table-heatmap",
        "table-spreads",
        "table-distribution",
        "table-movement",
        "table-trend",
    ):
        assert QUIET not in _section(page, table_id)
        assert "Testshire Care Academy" not in _section(page, table_id)
    for key in ("heatmap", "spreads", "distribution", "movement", "trend"):
        body = client.get_page(
            "regional.download", code="north-west", table_key=key, fmt="csv", cycle=CYCLE
        ).get_data(as_text=True)
        assert QUIET not in body and "Testshire" not in body
        xlsx = client.get_page(
            "regional.download", code="north-west", table_key=key, fmt="xlsx", cycle=CYCLE
        ).data
        assert QUIET.encode() not in xlsx
    api = client.get_page("api.region_figures", code="north-west", cycle=CYCLE).get_json()
    for table in api["tables"]:
        if table["key"] != "completion":  # completion lists every organisation by design
            assert QUIET not in str(table)
    compare = client.get_page("regional.compare", cycle=CYCLE).get_data(as_text=True)
    assert QUIET not in compare


def test_small_groups_are_withheld_on_every_output(
    client: FlaskClient, world: World, region: None
) -> None:
    sign_in(client, world.admin)
    page = soup(client.get_page("regional.compare", cycle=CYCLE))
    rows = {
        row.find("th").get_text(strip=True): row for row in page.select("#table-regions tbody tr")
    }  # type: ignore[union-attr]
    london = [cell.get_text(strip=True) for cell in rows["London"].find_all("td")]
    assert london == ["Withheld"] * len(london)  # one academy: even its count is withheld
    north_west = [cell.get_text(strip=True) for cell in rows["North West"].find_all("td")]
    assert north_west[0] == "3.0" and north_west[-1] == "5"
    body = client.get_page("regional.compare_download", fmt="csv", cycle=CYCLE).get_data(
        as_text=True
    )
    london_csv = next(line for line in csv.reader(io.StringIO(body)) if line[0] == "London")
    assert london_csv[1] == "withheld"
    api = client.get_page("api.national_regions", cycle=CYCLE).get_json()
    london_api = next(row for row in api["table"]["rows"] if row["Region"] == "London")
    assert london_api["Leadership and strategy"] == "withheld"
    # The regional dashboard filtered to social care leaves one academy: all withheld.
    sign_in(client, world.regional_lead)
    filtered = soup(
        client.get_page("regional.region", code="north-west", cycle=CYCLE, kind="social_care")
    )
    assert "Withheld" in _section(filtered, "table-spreads")
    assert "3.0" not in _section(filtered, "table-spreads").split("England")[0]


def test_downloads_hold_the_same_figures_as_the_page(
    client: FlaskClient, world: World, region: None
) -> None:
    sign_in(client, world.regional_lead)
    page = soup(client.get_page("regional.region", code="north-west", cycle=CYCLE))
    for key in ("heatmap", "spreads", "distribution", "movement", "trend"):
        shown = [
            [cell.get_text(strip=True) for cell in row.find_all(["th", "td"])]
            for row in page.select(f"#table-{key} tbody tr")
        ]
        body = client.get_page(
            "regional.download", code="north-west", table_key=key, fmt="csv", cycle=CYCLE
        ).get_data(as_text=True)
        rows = [row for row in csv.reader(io.StringIO(body))][1:]
        rows = [row for row in rows if not row[0].startswith("Note:")]

        def same(cell: str) -> str:
            cell = {"withheld": "Withheld", "": "–"}.get(cell, cell)
            return f"{float(cell):.1f}" if re.fullmatch(r"\d+\.\d+", cell) else cell

        assert [[same(cell) for cell in row] for row in rows] == shown, key


def test_a_reminder_is_sent_and_logged(app: Flask, client: FlaskClient, world: World) -> None:
    sign_in(client, world.regional_lead)
    page = client.get_page("regional.region", code="north-west")
    response = client.post(
        client.url("regional.remind", code="north-west", org_slug=world.org),
        data={"csrf_token": csrf_from(page), "cycle": "2026/27"},
    )
    assert response.status_code == 302
    with app.app_context():
        event_row = db.session.scalar(
            select(AuditEvent).where(AuditEvent.action == "reminder_sent")
        )
        assert event_row is not None and event_row.detail == {"cycle": "2026/27", "recipients": 1}
    elsewhere = client.post(
        client.url("regional.remind", code="north-west", org_slug=world.other_org),
        data={"csrf_token": csrf_from(page), "cycle": "2026/27"},
    )
    assert elsewhere.status_code == 404


def _new_token(client: FlaskClient, name: str = "Power BI") -> str:
    response = client.post_page("auth.api_tokens", {"name": name})
    found = soup(response).find(id="new-token")
    assert found is not None
    return found.get_text(strip=True)


def test_personal_access_tokens(
    app: Flask, client: FlaskClient, world: World, region: None
) -> None:
    sign_in(client, world.regional_lead)
    token = _new_token(client)
    assert token.startswith("am_")
    with app.app_context():
        stored = db.session.scalar(select(ApiToken).where(ApiToken.name == "Power BI"))
        assert stored is not None
        assert stored.token_hash == hashlib.sha256(token.encode()).hexdigest()
        token_id = stored.id
    assert token not in client.get_page("auth.api_tokens").get_data(as_text=True)  # shown once
    tool = app.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    assert tool.get(tool.url("api.me"), headers=headers).get_json()["regions"] == ["north-west"]
    figures = tool.get(
        tool.url("api.region_figures", code="north-west", cycle=CYCLE), headers=headers
    )
    assert figures.status_code == 200
    assert (
        tool.get(tool.url("api.region_figures", code="london"), headers=headers).status_code == 403
    )
    assert (
        tool.get(
            tool.url("api.organisation_assessments", slug=world.org), headers=headers
        ).status_code
        == 403
    )
    assert tool.get(tool.url("api.me")).status_code == 401
    assert (
        tool.get(tool.url("api.me"), headers={"Authorization": "Bearer am_nope"}).status_code == 401
    )
    # A token never opens the HTML pages.
    assert tool.get(tool.url("auth.account"), headers=headers).status_code == 302
    # Its use is in the audit log: once when first used, not on every request.
    with app.app_context():
        uses = db.session.scalars(
            select(AuditEvent.summary).where(AuditEvent.action == "api_token_used")
        ).all()
    assert uses == ["API token “Power BI” used"]
    page = client.get_page("auth.api_tokens")
    client.post(
        client.url("auth.revoke_api_token", token_id=token_id), data={"csrf_token": csrf_from(page)}
    )
    assert tool.get(tool.url("api.me"), headers=headers).status_code == 401


def test_the_api_is_rate_limited(app: Flask, client: FlaskClient, world: World) -> None:
    sign_in(client, world.lead)
    token = _new_token(client)
    tool = app.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    statuses = [tool.get(tool.url("api.me"), headers=headers).status_code for _ in range(121)]
    assert statuses[:120] == [200] * 120
    assert statuses[120] == 429
    assert tool.get(tool.url("api.me"), headers=headers).get_json() == {
        "error": "Too many requests: slow down"
    }


def test_openapi_describes_the_real_responses(
    app: Flask, client: FlaskClient, world: World, region: None
) -> None:
    from jsonschema import Draft202012Validator
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT202012

    spec = client.get_page("api.openapi").get_json()
    assert spec["openapi"].startswith("3.1")
    resource = Resource.from_contents(spec, default_specification=DRAFT202012)
    registry = Registry().with_resource("urn:api", resource)

    def check(path: str, response: Any, status: int = 200) -> None:
        schema_ref = spec["paths"][path]["get"]["responses"][str(status)]["content"][
            "application/json"
        ]["schema"]["$ref"]
        validator = Draft202012Validator({"$ref": "urn:api" + schema_ref}, registry=registry)
        errors = [error.message for error in validator.iter_errors(response.get_json())]
        assert response.status_code == status and errors == [], (path, errors)

    sign_in(client, world.lead)
    check("/me", client.get(client.url("api.me")))
    check(
        "/organisations/{slug}/assessments",
        client.get(client.url("api.organisation_assessments", slug=world.org)),
    )
    check("/national/regions", client.get_page("api.national_regions", cycle=CYCLE))
    check(
        "/regions/{code}/figures",
        client.get(client.url("api.region_figures", code="north-west")),
        403,
    )
    regional = app.test_client()
    sign_in(regional, world.regional_lead)
    check(
        "/regions/{code}/figures",
        regional.get(regional.url("api.region_figures", code="north-west", cycle=CYCLE)),
    )
    check("/me", app.test_client().get(client.url("api.me")), 401)


def test_admin_publishes_anonymised_open_data(
    app: Flask, client: FlaskClient, world: World, region: None
) -> None:
    sign_in(client, world.admin)
    assert client.post_page(
        "regional.preview_open_data", {"confirm": "y"}, expected=302, cycle_slug="2025-26"
    )
    public = app.test_client()
    listing = soup(public.get_page("regional.open_data")).get_text(" ", strip=True)
    assert "2025/26 national aggregates (CSV)" in listing
    body = public.get_page("regional.open_data_file", cycle_slug="2025-26").get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(body)))
    assert rows[0] == ["measure", "cycle", "region", "section", "value", "academies"]
    north_west = [row for row in rows if row[2] == "North West" and row[0] == "median score"]
    assert north_west[0][3:] == ["Leadership and strategy", "3.0", "5"]
    london = [row for row in rows if row[2] == "London"]
    assert all(row[4] == "withheld" for row in london)
    for name in (QUIET, "Sharer One", "Testshire", "Lone London", "Silent"):
        assert name not in body
    assert (
        public.get(public.url("regional.open_data_file", cycle_slug="1999-00")).status_code == 404
    )


def test_a_cached_chart_is_not_drawn_again(
    app: Flask, client: FlaskClient, world: World, region: None
) -> None:
    from maturity.cache import EXTENSION_KEY

    cache = app.extensions[EXTENSION_KEY]
    sign_in(client, world.regional_lead)
    client.get_page("regional.region", code="north-west", cycle=CYCLE)
    renders = cache.renders
    client.get_page("regional.region", code="north-west", cycle=CYCLE)
    assert cache.renders == renders


def test_sql_statements_per_page_do_not_grow_with_academies_or_cycles(
    app: Flask, client: FlaskClient, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    from maturity.cache import EXTENSION_KEY, Cache
    from maturity.models import Assessment
    from maturity.services.scale import seed_national

    # An in-process cache, so that "cold" is cold with Redis too: the academy's own part
    # of its results page would rightly still be cached there after academies elsewhere
    # are added (tests/test_cache_scope.py).
    monkeypatch.setitem(app.extensions, EXTENSION_KEY, Cache(max_items=4096))

    with app.app_context():
        seed_national(organisations=9, cycles=2, seed=1)
        db.session.commit()
        first = db.session.scalar(
            select(Assessment.id)
            .join(Organisation)
            .where(Organisation.slug == "scale-test-academy-001")
            .order_by(Assessment.cycle.desc())
        )
    sign_in(client, world.admin)
    pages = [
        client.url("regional.region", code="north-west", cycle="2025/26"),
        client.url("regional.compare", cycle="2025/26"),
        client.url("results.results", slug="scale-test-academy-001", assessment_id=first),
        client.url("api.region_figures", code="north-west", cycle="2025/26"),
        client.url("api.national_regions", cycle="2025/26"),
    ]

    def measure() -> tuple[dict[str, int], dict[str, int]]:
        """Statements per page with every cache empty, then with the caches warm."""
        from maturity.cache import EXTENSION_KEY
        from maturity.services.results import forget_parsed_snapshots

        cold = {}
        for url in pages:
            app.extensions[EXTENSION_KEY].clear()
            forget_parsed_snapshots()
            cold[url] = statements_for(app, client, url)
        warm = {url: statements_for(app, client, url) for url in pages}
        return cold, warm

    small_cold, small_warm = measure()
    with app.app_context():
        seed_national(organisations=45, cycles=6, seed=2)
        db.session.commit()
    large_cold, large_warm = measure()
    assert large_cold == small_cold
    assert large_warm == small_warm
    assert all(count >= 3 for count in small_warm.values())  # the counter really counted


def test_changing_the_token_does_not_reset_the_rate_limit(
    app: Flask, client: FlaskClient, world: World
) -> None:
    sign_in(client, world.lead)
    statuses = [
        client.get(
            client.url("api.me"), headers={"Authorization": f"Bearer am_junk{n}"}
        ).status_code
        for n in range(121)
    ]
    assert statuses[-1] == 429


def test_completion_follows_each_saved_answer_and_reminders_carry_the_viewers_token(
    app: Flask, client: FlaskClient, world: World
) -> None:
    sign_in(client, world.regional_lead)
    before = soup(client.get_page("regional.region", code="north-west", cycle="2026/27"))
    assert "Testshire Care Academy Academy In progress 0% answered" in before.get_text(
        " ", strip=True
    )
    contributor = app.test_client()
    sign_in(contributor, world.contributor)
    contributor.post_page(
        "assessments.domain",
        {"level-mission-aims": "3"},
        slug=world.org,
        assessment_id=world.assessment,
        domain_id="leadership",
    )
    after = soup(client.get_page("regional.region", code="north-west", cycle="2026/27"))
    assert "In progress 2% answered" in after.get_text(" ", strip=True)  # 1 of 56
    token = after.select_one("#completion ~ .app-table-scroll table input[name=csrf_token]")
    assert token is not None and "__CSRF" not in str(token["value"])
    reminded = client.post(
        client.url("regional.remind", code="north-west", org_slug=world.org),
        data={"csrf_token": str(token["value"]), "cycle": "2026/27"},
    )
    assert reminded.status_code == 302  # the cached page carries this person's valid token


def test_the_minimum_group_is_set_in_one_place_and_every_output_follows(
    app: Flask, client: FlaskClient, world: World, region: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With the threshold raised to 4 in ``maturity.framework.disclosure`` alone, a group
    of 3 (London's three academies, North West's three non-sharing ones) is withheld on
    the pages, the downloads, the API and open data, and their wording follows."""
    from maturity.framework import disclosure

    with app.app_context():
        for name in ("London Two Academy", "London Three Academy"):
            _submit(make_organisation(name, "london", shares_named_results=True), CYCLE, 3)
        db.session.commit()
    sign_in(client, world.admin)
    london = [row for row in _compare_rows(client) if row[0] == "London"]
    assert london[0][-1] == "3"  # a group of 3 is shown under the usual rule
    monkeypatch.setattr(disclosure, "MINIMUM_GROUP", 4)

    # Pages: the national comparison and the regional dashboard.
    assert [row for row in _compare_rows(client) if row[0] == "London"][0][1:] == (
        ["Withheld"] * (len(london[0]) - 1)
    )
    compare = client.get_page("regional.compare", query={"cycle": CYCLE}).get_data(as_text=True)
    assert "fewer than 4" in compare and "fewer than 3" not in compare
    page = soup(client.get_page("regional.region", code="north-west", query={"cycle": CYCLE}))
    assert "Other academies (fewer than 4) Withheld" in _section(page, "table-heatmap")
    assert "Any figure about fewer than 4 academies is withheld" in page.get_text(" ")
    assert "fewer than 3" not in page.get_text(" ")

    # Downloads.
    body = client.get_page("regional.compare_download", fmt="csv", query={"cycle": CYCLE}).get_data(
        as_text=True
    )
    assert next(row for row in csv.reader(io.StringIO(body)) if row[0] == "London")[-1] == (
        "withheld"
    )
    assert "fewer than 4" in body
    heatmap = client.get_page(
        "regional.download",
        code="north-west",
        table_key="heatmap",
        fmt="csv",
        query={"cycle": CYCLE},
    ).get_data(as_text=True)
    assert "Other academies (fewer than 4),withheld" in heatmap and "fewer than 3" not in heatmap

    # The API and its description.
    api = client.get_page("api.national_regions", query={"cycle": CYCLE}).get_json()
    assert api["minimum_group"] == 4
    london_api = next(row for row in api["table"]["rows"] if row["Region"] == "London")
    assert london_api["Academies (n)"] == "withheld"
    assert "fewer than 4" in " ".join(api["table"]["notes"])
    spec = client.get_page("api.openapi").get_json()
    assert "fewer than 4 academies" in spec["info"]["description"]

    # Open data.
    client.post_page(
        "regional.preview_open_data",
        {"confirm": "y"},
        expected=302,
        cycle_slug=CYCLE.replace("/", "-"),
    )
    published = client.get_page("regional.open_data_file", cycle_slug=CYCLE.replace("/", "-"))
    rows = list(csv.reader(io.StringIO(published.get_data(as_text=True))))
    assert all(row[4] == "withheld" for row in rows if row[2] == "London")
    assert "fewer than 4" in rows[-1][4]
    listing = client.get_page("regional.open_data").get_data(as_text=True)
    assert "fewer than 4" in listing


def _compare_rows(client: FlaskClient) -> list[list[str]]:
    page = soup(client.get_page("regional.compare", query={"cycle": CYCLE}))
    return [
        [cell.get_text(strip=True) for cell in row.find_all(["th", "td"])]
        for row in page.select("#table-regions tbody tr")
    ]
