"""The practice directory: the shipped file, one test per validation fault, and the lookups."""

import csv
from pathlib import Path
from typing import Any

import pytest
from framework_fixtures import write_yaml

from maturity.framework import (
    DirectoryEntry,
    PracticeDirectory,
    Questionnaire,
    QuestionnaireError,
    entries_for_domain,
    entries_for_indicator,
    load_practice_directory,
    load_questionnaire,
    search,
)
from maturity.framework.directory import PRACTICE_DIRECTORY_FILE, REGIONS

ROOT = Path(__file__).resolve().parents[2]
QUESTIONNAIRE_FILE = ROOT / "questionnaires" / "academy-maturity-2026.yaml"
DOMAIN_IDS = (
    "leadership",
    "delivery-model",
    "funding",
    "collaboration",
    "careers-outreach",
    "recruitment",
    "training",
    "inclusion",
    "impact",
)


# --- the shipped file --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def questionnaire() -> Questionnaire:
    return load_questionnaire(QUESTIONNAIRE_FILE)


@pytest.fixture(scope="module")
def shipped(questionnaire: Questionnaire) -> PracticeDirectory:
    return load_practice_directory(
        PRACTICE_DIRECTORY_FILE,
        domain_ids=questionnaire.domain_ids,
        indicator_ids=questionnaire.indicator_ids,
    )


def test_shipped_file_is_the_default_path(shipped: PracticeDirectory) -> None:
    assert PRACTICE_DIRECTORY_FILE == ROOT / "maturity" / "data" / "practice-directory.yaml"
    assert load_practice_directory() == shipped


@pytest.mark.parametrize(
    ("entry_id", "name", "region", "kind", "launched"),
    [
        ("caring-plymouth", "Caring Plymouth", "south-west", "health_and_care", 2023),
        (
            "county-durham-care-academy",
            "County Durham Care Academy",
            "north-east",
            "social_care",
            2019,
        ),
        (
            "north-tyneside-care-academy",
            "North Tyneside Care Academy",
            "north-east",
            "social_care",
            2023,
        ),
        (
            "leeds-health-and-care-academy",
            "Leeds Health and Care Academy",
            "yorkshire-and-the-humber",
            "health_and_care",
            2019,
        ),
        (
            "we-care-academy-leeds",
            "We Care Academy (Leeds)",
            "yorkshire-and-the-humber",
            "social_care",
            2013,
        ),
        (
            "ncl-health-and-care-academy",
            "NCL Health and Care Academy",
            "london",
            "health_and_care",
            2023,
        ),
        (
            "staffordshire-and-stoke-on-trent-social-care-academy",
            "Staffordshire and Stoke-on-Trent Social Care Academy",
            "west-midlands",
            "social_care",
            2024,
        ),
        (
            "fylde-coast-health-and-social-care-academy",
            "Fylde Coast Health and Social Care Academy",
            "north-west",
            "health_and_care",
            None,
        ),
    ],
)
def test_shipped_main_academies_have_the_case_study_facts(
    shipped: PracticeDirectory,
    entry_id: str,
    name: str,
    region: str,
    kind: str,
    launched: int | None,
) -> None:
    entry = shipped.entry(entry_id)
    assert (entry.name, entry.region, entry.kind, entry.launched) == (name, region, kind, launched)
    assert entry.facts_source is not None
    assert entry.facts_source.ref.startswith("case-study-")
    assert len(entry.known_for) >= 4


def test_shipped_hosts_and_delivery_modes_match_the_guide(shipped: PracticeDirectory) -> None:
    assert shipped.entry("leeds-health-and-care-academy").host_body_type == "nhs_trust"
    assert shipped.entry("county-durham-care-academy").host_body_type == "local_authority"
    assert shipped.entry("bedfordshire-health-and-care-academy").host_body_type == (
        "integrated_care_board"
    )
    assert shipped.entry("gateshead-health-and-care-academy").host_body_type == "partnership"
    assert shipped.entry("greater-manchester-social-care-academy").delivery_mode == "virtual"
    assert shipped.entry("fylde-coast-health-and-social-care-academy").delivery_mode == "physical"
    assert shipped.entry("caring-plymouth").funding == "Council and DWP"
    assert shipped.entry("ncl-health-and-care-academy").funding == "GLA funded"


def test_shipped_also_named_academies_are_present(shipped: PracticeDirectory) -> None:
    names = {entry.name for entry in shipped.entries}
    for name in (
        "Greater Manchester Social Care Academy",
        "Trafford Learning Academy",
        "Norfolk Care Academy",
        "Gateshead Health and Care Academy",
        "Buckinghamshire Health and Care Academy",
        "Bedfordshire Health and Care Academy",
        "Being Well Health and Social Care Academy",
    ):
        assert name in names


def test_shipped_every_known_for_cites_a_section_of_a_known_source(
    shipped: PracticeDirectory,
) -> None:
    assert "guide" in shipped.sources
    assert any(source_id.startswith("case-study-") for source_id in shipped.sources)
    assert shipped.sources["guide"].file == "003_f47d0039c944f69d.txt"
    for entry in shipped.entries:
        for item in entry.known_for:
            assert item.source.ref in shipped.sources, (entry.id, item.text)
            assert item.source.section, (entry.id, item.text)


def test_shipped_indicator_tags_sit_in_their_items_domains(
    shipped: PracticeDirectory, questionnaire: Questionnaire
) -> None:
    for entry in shipped.entries:
        for item in entry.known_for:
            for indicator_id in item.indicators:
                assert questionnaire.domain_of(indicator_id).id in item.domains, (
                    entry.id,
                    indicator_id,
                )


def test_shipped_every_domain_has_an_academy(
    shipped: PracticeDirectory, questionnaire: Questionnaire
) -> None:
    assert set(DOMAIN_IDS) == set(questionnaire.domain_ids)
    empty = [d for d in DOMAIN_IDS if not entries_for_domain(shipped, d)]
    assert not empty, f"no academy tagged with: {empty}"


def test_regions_match_the_reference_data() -> None:
    with (ROOT / "maturity" / "data" / "regions.csv").open(encoding="utf-8") as handle:
        codes = tuple(row["code"] for row in csv.DictReader(handle))
    assert codes == REGIONS


# --- faults ------------------------------------------------------------------------------------


def _known_for(
    text: str, domains: list[str], indicators: list[str] | None = None
) -> dict[str, Any]:
    item: dict[str, Any] = {"text": text, "domains": domains, "source": {"ref": "guide"}}
    if indicators is not None:
        item["indicators"] = indicators
    return item


def directory_data() -> dict[str, Any]:
    """Three entries, in file order Zeta, alpha, Mid (so sorting by name is visible)."""
    return {
        "version": "2026.1",
        "sources": {
            "guide": {"file": "003_guide.txt", "title": "What good looks like"},
            "case-studies": {"title": "Case studies", "url": "https://example.org/cases"},
        },
        "entries": [
            {
                "id": "zeta",
                "name": "Zeta Care Academy",
                "region": "north-east",
                "kind": "social_care",
                "launched": 2019,
                "summary": "Runs a matchmaking service.",
                "known_for": [
                    _known_for("Links applicants with providers.", ["recruitment"], ["brokerage"]),
                    _known_for("Trains unpaid carers.", ["training"]),
                ],
                "facts_source": {"ref": "case-studies", "section": "Zeta"},
            },
            {
                "id": "alpha",
                "name": "alpha Health and Care Academy",
                "region": "london",
                "facts_source": {"ref": "case-studies", "section": "alpha"},
                "summary": "Reports its impact every quarter.",
                "known_for": [
                    _known_for("Quarterly impact report.", ["impact"], ["reporting"]),
                    _known_for("Volunteering routes for refugees.", ["inclusion", "recruitment"]),
                ],
            },
            {
                "id": "mid",
                "name": "Mid Academy",
                "summary": "Works with SCHOOLS.",
                "known_for": [_known_for("Experience days.", ["careers-outreach"], ["schools"])],
            },
        ],
    }


FIXTURE_DOMAINS = ("recruitment", "training", "impact", "inclusion", "careers-outreach")
FIXTURE_INDICATORS = ("brokerage", "reporting", "schools")


def _error(tmp_path: Path, data: Any) -> QuestionnaireError:
    path = write_yaml(tmp_path, data, "broken.yaml")
    with pytest.raises(QuestionnaireError) as caught:
        load_practice_directory(path, domain_ids=FIXTURE_DOMAINS, indicator_ids=FIXTURE_INDICATORS)
    return caught.value


def _assert_problem(error: QuestionnaireError, path: str, *fragments: str) -> None:
    text = str(error)
    matching = [line for line in text.splitlines() if f": {path} — " in line]
    assert matching, f"no problem at {path!r} in:\n{text}"
    line = matching[0]
    assert "broken.yaml" in line
    assert "(line " in line
    for fragment in fragments:
        assert fragment in line, f"{fragment!r} not in {line!r}"


def test_fixture_is_valid(tmp_path: Path) -> None:
    directory = load_practice_directory(
        write_yaml(tmp_path, directory_data()),
        domain_ids=FIXTURE_DOMAINS,
        indicator_ids=FIXTURE_INDICATORS,
    )
    assert [entry.id for entry in directory.entries] == ["zeta", "alpha", "mid"]
    assert directory.entry("mid").region is None
    with pytest.raises(KeyError, match="nowhere"):
        directory.entry("nowhere")


def test_duplicate_id(tmp_path: Path) -> None:
    data = directory_data()
    data["entries"][2]["id"] = "zeta"
    _assert_problem(_error(tmp_path, data), "entries[2].id", "duplicate id 'zeta'", "entries[0]")


def test_duplicate_name(tmp_path: Path) -> None:
    data = directory_data()
    data["entries"][2]["name"] = "ZETA care academy"
    _assert_problem(_error(tmp_path, data), "entries[2].name", "already used by entries[0]")


def test_id_not_a_slug(tmp_path: Path) -> None:
    data = directory_data()
    data["entries"][1]["id"] = "Alpha Academy"
    _assert_problem(_error(tmp_path, data), "entries[1].id", "not a valid id")


def test_unknown_region(tmp_path: Path) -> None:
    data = directory_data()
    data["entries"][1]["region"] = "wales"
    _assert_problem(_error(tmp_path, data), "entries[1].region", "'south-west'")


def test_unknown_kind_host_locality_and_delivery(tmp_path: Path) -> None:
    data = directory_data()
    entry = data["entries"][0]
    entry.update(kind="health", host_body_type="council", locality="city", delivery_mode="online")
    error = _error(tmp_path, data)
    _assert_problem(error, "entries[0].kind", "'health_and_care'")
    _assert_problem(error, "entries[0].host_body_type", "'local_authority'")
    _assert_problem(error, "entries[0].locality", "'rural'")
    _assert_problem(error, "entries[0].delivery_mode", "'blended'")


def test_unknown_domain(tmp_path: Path) -> None:
    data = directory_data()
    data["entries"][1]["known_for"][1]["domains"] = ["inclusion", "recruitmant"]
    _assert_problem(
        _error(tmp_path, data),
        "entries[1].known_for[1].domains[1]",
        "unknown domain 'recruitmant'",
        "did you mean 'recruitment'",
    )


def test_unknown_domain_lists_the_known_ones(tmp_path: Path) -> None:
    data = directory_data()
    data["entries"][0]["known_for"][0]["domains"] = ["xyz"]
    _assert_problem(
        _error(tmp_path, data), "entries[0].known_for[0].domains[0]", "careers-outreach, impact"
    )


def test_unknown_indicator(tmp_path: Path) -> None:
    data = directory_data()
    data["entries"][2]["known_for"][0]["indicators"] = ["schools", "no-such-indicator"]
    _assert_problem(
        _error(tmp_path, data),
        "entries[2].known_for[0].indicators[1]",
        "unknown indicator 'no-such-indicator'",
    )


def test_tags_are_not_checked_without_id_collections(tmp_path: Path) -> None:
    data = directory_data()
    data["entries"][2]["known_for"][0]["domains"] = ["anything"]
    data["entries"][2]["known_for"][0]["indicators"] = ["whatever"]
    directory = load_practice_directory(write_yaml(tmp_path, data))
    assert directory.entry("mid").domain_ids == ("anything",)


def test_repeated_domain_in_one_item(tmp_path: Path) -> None:
    data = directory_data()
    data["entries"][0]["known_for"][1]["domains"] = ["training", "training"]
    _assert_problem(
        _error(tmp_path, data), "entries[0].known_for[1].domains[1]", "already listed as domains[0]"
    )


def test_unknown_source_ref(tmp_path: Path) -> None:
    data = directory_data()
    data["entries"][1]["known_for"][0]["source"] = {"ref": "blog"}
    data["entries"][0]["facts_source"] = {"ref": "nowhere"}
    error = _error(tmp_path, data)
    _assert_problem(
        error, "entries[1].known_for[0].source.ref", "unknown source 'blog'", "case-studies, guide"
    )
    _assert_problem(error, "entries[0].facts_source.ref", "unknown source 'nowhere'")


def test_missing_source(tmp_path: Path) -> None:
    data = directory_data()
    del data["entries"][0]["known_for"][0]["source"]
    _assert_problem(
        _error(tmp_path, data), "entries[0].known_for[0].source", "required field is missing"
    )


def test_empty_known_for_domains(tmp_path: Path) -> None:
    data = directory_data()
    data["entries"][2]["known_for"][0]["domains"] = []
    _assert_problem(_error(tmp_path, data), "entries[2].known_for[0].domains", "at least 1 item")


def test_empty_known_for(tmp_path: Path) -> None:
    data = directory_data()
    data["entries"][2]["known_for"] = []
    _assert_problem(_error(tmp_path, data), "entries[2].known_for", "at least 1 item")


@pytest.mark.parametrize(
    ("year", "fragment"),
    [(1989, "greater than or equal to 1990"), (2101, "less than or equal to 2100"), ("2019", "")],
)
def test_bad_launch_year(tmp_path: Path, year: Any, fragment: str) -> None:
    data = directory_data()
    data["entries"][0]["launched"] = year
    _assert_problem(_error(tmp_path, data), "entries[0].launched", fragment)


def test_unknown_field(tmp_path: Path) -> None:
    data = directory_data()
    data["entries"][1]["website"] = "https://example.org"
    _assert_problem(_error(tmp_path, data), "entries[1].website", "unknown field")


def test_no_entries(tmp_path: Path) -> None:
    data = directory_data()
    data["entries"] = []
    _assert_problem(_error(tmp_path, data), "entries", "at least 1 item")


def test_yaml_syntax_error(tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text('version: "2026.1"\nentries:\n  - id: [unclosed\n', encoding="utf-8")
    with pytest.raises(QuestionnaireError) as caught:
        load_practice_directory(path)
    _assert_problem(caught.value, "(file)", "invalid YAML")


def test_duplicate_yaml_key(tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text('version: "2026.1"\nversion: "2026.2"\n', encoding="utf-8")
    with pytest.raises(QuestionnaireError) as caught:
        load_practice_directory(path)
    _assert_problem(caught.value, "(file)", "duplicate key 'version'")


def test_every_problem_is_reported_together(tmp_path: Path) -> None:
    data = directory_data()
    data["entries"][0]["region"] = "wales"
    data["entries"][1]["known_for"][0]["domains"] = ["nope"]
    error = _error(tmp_path, data)
    paths = {problem.path for problem in error.problems}
    # Field errors stop the whole-file pass, so the second fault shows once the first is fixed.
    assert "entries[0].region" in paths
    data["entries"][0]["region"] = "london"
    assert {p.path for p in _error(tmp_path, data).problems} == {
        "entries[1].known_for[0].domains[0]"
    }


# --- lookups -----------------------------------------------------------------------------------


@pytest.fixture
def small(tmp_path: Path) -> PracticeDirectory:
    return load_practice_directory(
        write_yaml(tmp_path, directory_data()),
        domain_ids=FIXTURE_DOMAINS,
        indicator_ids=FIXTURE_INDICATORS,
    )


def _ids(entries: list[DirectoryEntry]) -> list[str]:
    return [entry.id for entry in entries]


def test_entries_for_domain_sorted_by_name(small: PracticeDirectory) -> None:
    assert _ids(entries_for_domain(small, "recruitment")) == ["alpha", "zeta"]
    assert _ids(entries_for_domain(small, "careers-outreach")) == ["mid"]
    assert entries_for_domain(small, "funding") == []


def test_entries_for_indicator(small: PracticeDirectory) -> None:
    assert _ids(entries_for_indicator(small, "reporting")) == ["alpha"]
    assert _ids(entries_for_indicator(small, "brokerage")) == ["zeta"]
    assert entries_for_indicator(small, "recruitment") == []


def test_known_for_domain(small: PracticeDirectory) -> None:
    alpha = small.entry("alpha")
    assert [item.text for item in alpha.known_for_domain("recruitment")] == [
        "Volunteering routes for refugees."
    ]
    assert alpha.known_for_domain("training") == ()
    assert alpha.domain_ids == ("impact", "inclusion", "recruitment")
    assert alpha.indicator_ids == ("reporting",)
    assert [item.text for item in alpha.known_for_indicator("reporting")] == [
        "Quarterly impact report."
    ]


def test_search_text_is_case_insensitive_over_name_summary_and_known_for(
    small: PracticeDirectory,
) -> None:
    assert _ids(search(small, text="schools")) == ["mid"]  # summary, upper case in file
    assert _ids(search(small, text="ZETA")) == ["zeta"]  # name
    assert _ids(search(small, text="unpaid carers")) == ["zeta"]  # known_for text
    assert _ids(search(small, text="academy")) == ["alpha", "mid", "zeta"]
    assert _ids(search(small, text="  ")) == ["alpha", "mid", "zeta"]
    assert search(small, text="nothing like this") == []


def test_search_filters_combine(small: PracticeDirectory) -> None:
    assert _ids(search(small)) == ["alpha", "mid", "zeta"]
    assert _ids(search(small, domain="recruitment")) == ["alpha", "zeta"]
    assert _ids(search(small, region="london")) == ["alpha"]
    assert _ids(search(small, domain="recruitment", region="north-east")) == ["zeta"]
    assert search(small, domain="careers-outreach", region="london") == []
    assert _ids(search(small, text="refugees", domain="inclusion")) == ["alpha"]
    assert search(small, text="refugees", domain="training") == []


def test_loaded_directory_is_frozen_and_hashable(tmp_path: Path) -> None:
    path = write_yaml(tmp_path, directory_data())
    directory = load_practice_directory(path)
    with pytest.raises(ValueError):
        directory.entry("zeta").region = "london"
    assert hash(directory) == hash(load_practice_directory(path))
