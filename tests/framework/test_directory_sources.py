"""Every profile fact in the shipped practice directory cites a specific page: the academy's
own LGA case study, or the section of the guide that describes it; never the case-studies
index. Regions that follow from an academy's name are the ONS region of that place."""

from __future__ import annotations

from pathlib import Path

import pytest

from maturity.framework.directory import (
    PROFILE_FIELDS,
    PracticeDirectory,
    load_practice_directory,
)
from maturity.framework.loader import QuestionnaireError

INDEX = "https://www.local.gov.uk/case-studies"
CASE_STUDY = "https://www.local.gov.uk/case-studies/"
GUIDE = "https://www.local.gov.uk/publications/care-and-health-career-academies-what-good-looks"


@pytest.fixture(scope="module")
def shipped() -> PracticeDirectory:
    return load_practice_directory()


def test_no_source_is_the_case_studies_index(shipped: PracticeDirectory) -> None:
    cited = {
        ref.ref
        for entry in shipped.entries
        for ref in (entry.facts_source, *entry.field_sources.values())
        if ref is not None
    }
    for source_id, source in shipped.sources.items():
        assert (source.url or "").rstrip("/") != INDEX, source_id
        if source_id in cited:
            assert source.url is not None, source_id
            assert "?" not in source.url and "#" not in source.url, source_id


def test_every_profile_fact_cites_a_specific_page(shipped: PracticeDirectory) -> None:
    checked = 0
    for entry in shipped.entries:
        for field in entry.given_facts:
            ref = entry.fact_source(field)
            if ref is None:
                assert field == "region" and entry.region_from_name, (entry.id, field)
                continue
            url = shipped.sources[ref.ref].url
            assert url is not None, (entry.id, field)
            if url == GUIDE:
                # The guide is one page: a fact from it names the section that says it.
                assert ref.section, (entry.id, field)
            else:
                slug = url.removeprefix(CASE_STUDY)
                assert url.startswith(CASE_STUDY) and slug and "/" not in slug, (entry.id, url)
            checked += 1
    assert checked > 40


@pytest.mark.parametrize(
    ("entry_id", "page"),
    [
        ("caring-plymouth", "caring-plymouth"),
        ("ncl-health-and-care-academy", "north-central-london-health-and-social-care-academy"),
        ("county-durham-care-academy", "county-durham-care-academy"),
        ("leeds-health-and-care-academy", "leeds-health-and-care-academy"),
    ],
)
def test_case_study_academies_cite_their_own_page(
    shipped: PracticeDirectory, entry_id: str, page: str
) -> None:
    entry = shipped.entry(entry_id)
    for field in ("kind", "launched", "funding"):
        ref = entry.fact_source(field)
        assert ref is not None
        assert shipped.sources[ref.ref].url == CASE_STUDY + page


def test_ncl_is_gla_funded_as_its_case_study_says(shipped: PracticeDirectory) -> None:
    assert shipped.entry("ncl-health-and-care-academy").funding == "GLA funded"


@pytest.mark.parametrize(
    ("entry_id", "place", "region"),
    [
        ("greater-manchester-social-care-academy", "Greater Manchester", "north-west"),
        ("trafford-learning-academy", "Trafford", "north-west"),
        ("norfolk-care-academy", "Norfolk", "east-of-england"),
        ("gateshead-health-and-care-academy", "Gateshead", "north-east"),
        ("buckinghamshire-health-and-care-academy", "Buckinghamshire", "south-east"),
        ("bedfordshire-health-and-care-academy", "Bedfordshire", "east-of-england"),
    ],
)
def test_regions_that_follow_from_the_name_are_filled_in(
    shipped: PracticeDirectory, entry_id: str, place: str, region: str
) -> None:
    entry = shipped.entry(entry_id)
    assert place in entry.name
    assert (entry.region, entry.region_from_name) == (region, True)


def test_being_well_region_stays_unknown(shipped: PracticeDirectory) -> None:
    entry = shipped.entry("being-well-health-and-social-care-academy")
    assert entry.region is None and not entry.region_from_name


def _write(tmp_path: Path, entry: str) -> Path:
    path = tmp_path / "directory.yaml"
    path.write_text(
        'version: "1"\n'
        "sources:\n"
        "  page: {title: A case study, url: 'https://www.local.gov.uk/case-studies/x'}\n"
        "entries:\n"
        "  - id: x\n"
        "    name: X Academy\n"
        "    summary: An academy.\n"
        "    known_for:\n"
        "      - {text: Something, domains: [funding], source: {ref: page}}\n" + entry,
        encoding="utf-8",
    )
    return path


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ("    launched: 2020\n", "'launched' has no source"),
        ("    region_from_name: true\n", "region_from_name needs a region"),
        (
            "    facts_source: {ref: page}\n    field_sources:\n      funding: {ref: page}\n",
            "'funding' is not given, so it cannot have a source",
        ),
        (
            "    launched: 2020\n    field_sources:\n      launched: {ref: nowhere}\n",
            "nowhere",
        ),
    ],
)
def test_a_fact_without_a_source_is_refused_naming_the_field(
    tmp_path: Path, entry: str, message: str
) -> None:
    with pytest.raises(QuestionnaireError) as refused:
        load_practice_directory(_write(tmp_path, entry))
    assert message in str(refused.value)


def test_profile_fields_are_the_entry_facts() -> None:
    assert PROFILE_FIELDS == (
        "region",
        "kind",
        "host_body_type",
        "launched",
        "locality",
        "delivery_mode",
        "funding",
    )
