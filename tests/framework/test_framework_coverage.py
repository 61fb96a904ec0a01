"""Every "what good looks like" point of the guide is reflected in the questionnaires.

``questionnaires/coverage/what-good-looks-like.yaml`` lists each point of the guide's
"what good looks like" sections with the indicators that reflect it (in a descriptor
or a next step). This test keeps that map honest as the questionnaires change.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from maturity.framework.loader import load_directory

QUESTIONNAIRES = Path(__file__).resolve().parents[2] / "questionnaires"
COVERAGE = QUESTIONNAIRES / "coverage" / "what-good-looks-like.yaml"
WHAT_GOOD_LOOKS_LIKE_SECTIONS = ("Delivery models", "Funding", "Collaboration", "impact")


def test_every_point_maps_to_indicators_that_exist() -> None:
    catalogue = load_directory(QUESTIONNAIRES)
    coverage = yaml.safe_load(COVERAGE.read_text(encoding="utf-8"))
    # The map names the versions it was checked against: the newest of each.
    versions = coverage["versions"]
    annual = catalogue.questionnaire("academy-maturity", versions["academy-maturity"])
    scoping = catalogue.questionnaire("scoping", versions["scoping"])
    assert annual == catalogue.latest("academy-maturity")
    assert scoping == catalogue.latest("scoping")
    points = coverage["points"]
    assert len(points) >= 30
    unknown = []
    for point in points:
        assert point["indicators"], f"no indicator reflects: {point['point']}"
        for reference in point["indicators"]:
            if reference.startswith("scoping:"):
                found = scoping.has_indicator(reference.removeprefix("scoping:"))
            else:
                found = annual.has_indicator(reference)
            if not found:
                unknown.append((point["point"], reference))
    assert unknown == []


def test_each_what_good_looks_like_section_is_covered() -> None:
    points = yaml.safe_load(COVERAGE.read_text(encoding="utf-8"))["points"]
    sections = " | ".join(point["section"] for point in points)
    for heading in WHAT_GOOD_LOOKS_LIKE_SECTIONS:
        assert heading in sections, f"no points listed from the {heading} section"
