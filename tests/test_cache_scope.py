"""Scoped cache versions (``maturity.cache.Scope``): a submission, a reopening or a saved
answer changes the version only of what it affects (its region, the national figures, its
own academy), so other regions' dashboards and other academies' results stay cached while
what changed shows the new figures at once. And the number of SQL statements a page runs
does not grow with the number of academies, whether its parts come from the cache or not.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select, update

from maturity.cache import EXTENSION_KEY, Cache
from maturity.extensions import db
from maturity.models import Assessment, Organisation, User
from maturity.services.assessments import (
    AnswerValues,
    reopen_assessment,
    set_answer,
    submit_assessment,
)
from maturity.services.questionnaires import questionnaire
from tests.helpers import (
    World,
    make_assessment,
    make_organisation,
    sign_in,
    soup,
    statements_for,
)

CYCLE = "2025/26"


@dataclass(frozen=True)
class Academy:
    slug: str
    assessment: int


@dataclass(frozen=True)
class TwoRegions:
    """Three submitted academies in each of North West and London, and one more in
    North West with its assessment in progress (every question answered but one)."""

    north: list[Academy]
    london: list[Academy]
    late: Academy


def _lead() -> User:
    lead = db.session.scalar(select(User).where(User.email == "lead@test.example"))
    assert lead is not None
    return lead


def _academy(name: str, region: str, level: int, *, submit: bool = True) -> Academy:
    organisation = make_organisation(name, region, shares_named_results=True)
    assessment = make_assessment(organisation, CYCLE)
    indicators = [
        indicator.id
        for domain in questionnaire("academy-maturity").domains
        for indicator in domain.indicators
    ]
    for indicator_id in indicators if submit else indicators[:-1]:
        set_answer(assessment, indicator_id, AnswerValues(level=level), _lead())
    if submit:
        submit_assessment(assessment, _lead(), declared=True)
    return Academy(organisation.slug, assessment.id)


@pytest.fixture
def regions(app: Flask, world: World) -> TwoRegions:
    with app.app_context():
        made = TwoRegions(
            north=[_academy(f"North {n} Academy", "north-west", 3) for n in ("A", "B", "C")],
            london=[_academy(f"London {n} Academy", "london", 2) for n in ("A", "B", "C")],
            late=_academy("North Late Academy", "north-west", 5, submit=False),
        )
        db.session.commit()
    return made


@pytest.fixture
def cache(app: Flask) -> Cache:
    found: Cache = app.extensions[EXTENSION_KEY]
    return found


def _submit_late(app: Flask, regions: TwoRegions) -> None:
    with app.app_context():
        assessment = db.session.get(Assessment, regions.late.assessment)
        assert assessment is not None
        last = questionnaire("academy-maturity").domains[-1].indicators[-1].id
        set_answer(assessment, last, AnswerValues(level=5), _lead())
        submit_assessment(assessment, _lead(), declared=True)
        db.session.commit()


def _rows(page: Any, table_id: str) -> dict[str, list[str]]:
    """A table's body rows by their first cell."""
    rows = {}
    for row in page.select(f"#{table_id} tbody tr"):
        cells = [cell.get_text(" ", strip=True) for cell in row.find_all(["th", "td"])]
        rows[cells[0]] = cells[1:]
    return rows


def _dashboard(client: FlaskClient, code: str) -> Any:
    return soup(client.get_page("regional.region", code=code, cycle=CYCLE))


def _results(client: FlaskClient, academy: Academy) -> Any:
    return soup(
        client.get_page("results.results", slug=academy.slug, assessment_id=academy.assessment)
    )


def _england_n(page: Any) -> str:
    """The number of academies in England on a results page's benchmark table (its
    column heading, "England (5 academies)")."""
    table = page.find("caption", string="Your scores and the spread of academies’ scores")
    assert table is not None
    england = table.find_parent("table").select("thead th")[2]
    return str(england.get_text(strip=True)).removeprefix("England (").split(" ", 1)[0]


def _every_page(client: FlaskClient, regions: TwoRegions) -> None:
    _dashboard(client, "north-west")
    _dashboard(client, "london")
    client.get_page("regional.compare", cycle=CYCLE)
    client.get_page("api.national_regions", cycle=CYCLE)
    client.get_page("api.region_figures", code="london", cycle=CYCLE)
    _results(client, regions.london[0])
    _results(client, regions.north[0])


def test_a_submission_re_renders_its_region_and_the_national_figures_only(
    app: Flask, client: FlaskClient, world: World, regions: TwoRegions, cache: Cache
) -> None:
    sign_in(client, world.admin)
    _every_page(client, regions)
    before = _dashboard(client, "london")
    assert _rows(before, "table-spreads")["Leadership and strategy"][-1] == "6"  # England n
    assert _england_n(_results(client, regions.london[0])) == "5"  # itself left out
    parts = cache.rendered.copy()

    _submit_late(app, regions)

    # What the submission changed shows the new figures at once.
    north = _dashboard(client, "north-west")
    sections = len(questionnaire("academy-maturity").domains)
    assert _rows(north, "table-heatmap")["North Late Academy"] == ["5"] * sections
    assert "4 of 5 organisations have submitted" in north.get_text(" ", strip=True)
    compare = soup(client.get_page("regional.compare", cycle=CYCLE))
    assert _rows(compare, "table-regions")["North West"][-1] == "4"
    assert _rows(compare, "table-regions")["England"][-1] == "7"
    assert cache.rendered["region-page-parts"] == parts["region-page-parts"] + 1
    assert cache.rendered["england-spreads"] == parts["england-spreads"] + 1
    assert cache.rendered["compare-body"] == parts["compare-body"] + 1

    # (a) Another region's dashboard: none of its parts is rendered again (its England
    # column, shared by every region, was rendered once above), yet it is not stale: the
    # page, and the API's answer, are put together once from the cached parts.
    rendered = cache.rendered.copy()
    london = _dashboard(client, "london")
    assert cache.rendered - rendered == Counter({"region-page": 1})
    assert _rows(london, "table-spreads")["Leadership and strategy"][-1] == "7"
    assert _rows(london, "table-heatmap") == _rows(before, "table-heatmap")
    api = client.get_page("api.region_figures", code="london", cycle=CYCLE).get_json()
    assert cache.rendered - rendered == Counter({"region-page": 1, "api-region-answer": 1})
    spreads = next(table for table in api["tables"] if table["key"] == "spreads")
    assert spreads["rows"][0]["England n"] == 7

    # (b) Other academies' results, in another region or the same one: their own part
    # (profile, charts, explanation, trend, next steps) stays cached; only what compares
    # them with others is rendered again, with the new figure.
    for academy in (regions.london[0], regions.north[0]):
        page = _results(client, academy)
        assert cache.rendered["results-own"] == parts["results-own"]
        assert _england_n(page) == "6"
    assert cache.rendered["results-others"] == parts["results-others"] + 2
    assert cache.rendered["results-page"] == parts["results-page"] + 2
    assert cache.rendered["api-region-figures"] == parts["api-region-figures"]


def test_a_reopening_re_renders_its_region_only(
    app: Flask, client: FlaskClient, world: World, regions: TwoRegions, cache: Cache
) -> None:
    sign_in(client, world.admin)
    _every_page(client, regions)
    parts = cache.rendered.copy()
    with app.app_context():
        assessment = db.session.get(Assessment, regions.north[1].assessment)
        assert assessment is not None
        reopen_assessment(assessment, _lead(), "A figure was mistyped")
        db.session.commit()

    north = _dashboard(client, "north-west")
    assert "North B Academy" not in _rows(north, "table-heatmap")
    assert cache.rendered["region-page-parts"] == parts["region-page-parts"] + 1
    rendered = cache.rendered.copy()
    london = _dashboard(client, "london")
    assert cache.rendered - rendered == Counter({"region-page": 1})  # from its cached parts
    assert _rows(london, "table-spreads")["Leadership and strategy"][-1] == "5"
    _results(client, regions.london[0])
    _results(client, regions.north[0])
    assert cache.rendered["results-own"] == parts["results-own"]


def test_a_saved_answer_re_renders_its_region_completion_only(
    app: Flask, client: FlaskClient, world: World, regions: TwoRegions, cache: Cache
) -> None:
    sign_in(client, world.admin)
    _every_page(client, regions)
    assert _late_answered(client) < 100  # the API's completion table, now cached
    parts = cache.rendered.copy()
    with app.app_context():
        assessment = db.session.get(Assessment, regions.late.assessment)
        assert assessment is not None
        last = questionnaire("academy-maturity").domains[-1].indicators[-1].id
        set_answer(assessment, last, AnswerValues(level=4), _lead())
        db.session.commit()

    text = _dashboard(client, "north-west").get_text(" ", strip=True)
    assert "North Late Academy Academy In progress 100% answered" in text
    assert cache.rendered["region-completion"] == parts["region-completion"] + 1
    # The API's completion table, cached the same way, shows the saved answer at once.
    assert _late_answered(client) == 100
    assert cache.rendered["region-page-parts"] == parts["region-page-parts"]
    renders = cache.renders
    _dashboard(client, "london")
    client.get_page("regional.compare", cycle=CYCLE)
    _results(client, regions.north[0])
    assert cache.renders == renders


def test_warm_pages_are_one_cache_entry_each_with_each_viewers_own_token(
    app: Flask, client: FlaskClient, world: World, regions: TwoRegions, cache: Cache
) -> None:
    """Seen again, a dashboard or a results page is its whole content from one cache
    entry, and the API's answer one entry sent as it is; the dashboard's reminder forms
    still carry each viewer's own token, and each one works."""
    sign_in(client, world.admin)
    _every_page(client, regions)
    lead = app.test_client()
    sign_in(lead, world.regional_lead)
    renders, hits = cache.renders, cache.hits
    pages = {viewer: _dashboard(viewer, "north-west") for viewer in (client, lead)}
    assert (cache.renders, cache.hits) == (renders, hits + 2)
    api = client.get_page("api.region_figures", code="london", cycle=CYCLE)
    assert (cache.renders, cache.hits) == (renders, hits + 3)
    assert [table["key"] for table in api.get_json()["tables"]][:2] == ["completion", "heatmap"]
    assert _england_n(_results(client, regions.london[0])) == "5"
    assert (cache.renders, cache.hits) == (renders, hits + 4)  # the results page: one too

    tokens = set()
    for viewer, page in pages.items():
        token = page.select_one("#completion ~ .app-table-scroll table input[name=csrf_token]")
        assert token is not None and "__CSRF" not in str(token["value"])
        tokens.add(str(token["value"]))
        reminded = viewer.post(
            viewer.url("regional.remind", code="north-west", org_slug="north-late-academy"),
            data={"csrf_token": str(token["value"]), "cycle": CYCLE},
        )
        assert reminded.status_code == 302
    assert len(tokens) == 2


def _late_answered(client: FlaskClient) -> int:
    """North Late Academy's "Answered (%)" in the API's completion table."""
    api = client.get_page("api.region_figures", code="north-west", cycle=CYCLE).get_json()
    completion = next(table for table in api["tables"] if table["key"] == "completion")
    late = next(row for row in completion["rows"] if row["Organisation"] == "North Late Academy")
    return int(late["Answered (%)"])


# --- statements per page, flat in the number of academies ----------------------------------


@pytest.fixture
def fresh_cache(app: Flask, monkeypatch: pytest.MonkeyPatch) -> Iterator[Cache]:
    """An in-process cache of the app's own, so that "cold" means cold on every engine
    (Redis keeps entries a test's ``clear`` cannot reach)."""
    memory = Cache(max_items=4096)
    monkeypatch.setitem(app.extensions, EXTENSION_KEY, memory)
    yield memory


def test_statements_per_page_do_not_grow_with_academies(
    app: Flask, client: FlaskClient, world: World, fresh_cache: Cache
) -> None:
    """Cold (nothing cached), warm (everything cached) and after a change elsewhere (the
    parts of pages that follow the national figures rendered again, the rest from the
    cache): the same number of statements with 4 academies as with 12."""
    from maturity.services.results import forget_parsed_snapshots
    from maturity.services.scale import seed_national

    with app.app_context():
        seed_national(organisations=4, cycles=2, seed=1)
        db.session.commit()
        first = db.session.scalars(
            select(Assessment)
            .join(Organisation)
            .where(Organisation.slug == "scale-test-academy-001")
            .order_by(Assessment.cycle.desc())
        ).first()
        assert first is not None
        assessment_id = first.id
        region_id, region = first.organisation.region_id, first.organisation.region.code
        elsewhere = db.session.scalar(
            select(Organisation.id).where(Organisation.slug == "scale-test-academy-002")
        )
    sign_in(client, world.admin)
    cycle = "2025/26"
    pages = {
        "results": client.url(
            "results.results", slug="scale-test-academy-001", assessment_id=assessment_id
        ),
        "dashboard": client.url("regional.region", code=region, cycle=cycle),
        "compare": client.url("regional.compare", cycle=cycle),
        "api-region": client.url("api.region_figures", code=region, cycle=cycle),
        "api-national": client.url("api.national_regions", cycle=cycle),
    }

    def counts() -> tuple[int, int]:
        with app.app_context():
            everywhere = db.session.scalar(select(func.count(Organisation.id)))
            here = db.session.scalar(
                select(func.count(Organisation.id)).where(Organisation.region_id == region_id)
            )
        return everywhere or 0, here or 0

    def measure() -> dict[str, dict[str, int]]:
        cold = {}
        for name, url in pages.items():
            fresh_cache.clear()
            forget_parsed_snapshots()
            cold[name] = statements_for(app, client, url)
        for url in pages.values():  # fill the cache with every page's parts
            client.get(url)
        warm = {name: statements_for(app, client, url) for name, url in pages.items()}
        with app.app_context():  # an academy in another region changes its profile
            db.session.execute(
                update(Organisation)
                .where(Organisation.id == elsewhere)
                .values(year_established=2020)
            )
            db.session.commit()
        rendered = fresh_cache.rendered.copy()
        changed = {name: statements_for(app, client, url) for name, url in pages.items()}
        # Rendered again: what follows the national figures, not the academy's own part
        # nor the region's figures (the results page, the dashboard and the API's answer
        # are put together again from those, with the new England figures).
        assert dict(fresh_cache.rendered - rendered) == {
            "results-page": 1,
            "results-others": 1,
            "england-spreads": 1,
            "compare-body": 1,
            "api-national": 1,
            "region-page": 1,
            "api-region-answer": 1,
        }
        return {"cold": cold, "warm": warm, "after a change elsewhere": changed}

    small_world = counts()
    small = measure()
    with app.app_context():
        seed_national(organisations=8, cycles=2, seed=2)
        db.session.commit()
    large_world = counts()
    large = measure()
    assert large_world[0] == small_world[0] + 8 and large_world[1] > small_world[1]
    assert large == small, (small, large)
    assert small["warm"]["results"] < small["after a change elsewhere"]["results"]
    assert small["after a change elsewhere"]["results"] < small["cold"]["results"]
    assert all(count >= 3 for count in small["warm"].values())  # the counter really counted
