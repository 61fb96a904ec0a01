"""Comparing results, within one version and across versions with renamed/removed ids."""

from typing import Any

import pytest
from framework_fixtures import _indicator, questionnaire, questionnaire_data

from maturity.framework import compare, score


def _next_version() -> dict[str, Any]:
    """2026.2: funding removed, collaboration added, governance renamed."""
    data = questionnaire_data()
    data["version"] = "2026.2"
    leadership = data["domains"][1]
    leadership["title"] = "Leadership and strategy"
    leadership["indicators"][1] = _indicator("governance-and-steering", "Governance and steering")
    data["domains"] = [
        leadership,
        {
            "id": "collaboration",
            "title": "Collaboration",
            "summary": "Partners.",
            "indicators": [_indicator("partners", "Partners")],
        },
    ]
    return data


def test_same_version_compares_everything() -> None:
    q = questionnaire()
    a = score(q, {"funding-model": 2, "vision": 2, "governance": 2})
    b = score(q, {"funding-model": 3, "funding-diversity": 4, "vision": 2, "governance": 4})
    comparison = compare(a, b)
    assert comparison.same_version
    assert comparison.fully_comparable
    assert [d.domain_id for d in comparison.domains] == ["funding", "leadership"]
    funding = comparison.domain("funding")
    assert (funding.score_before, funding.score_after, funding.score_delta) == (2.0, 3.7, 1.7)
    assert (funding.level_before, funding.level_after, funding.level_delta) == (2, 3, 1)
    assert funding.level_after_name == "Strategic"
    assert funding.direction == "up"
    diversity = comparison.indicator("funding-diversity")
    assert (diversity.status_before, diversity.status_after) == ("unanswered", "answered")
    assert diversity.level_delta is None
    assert comparison.indicator("governance").level_delta == 2
    assert comparison.indicator("vision").level_delta == 0
    # overall: 6/3 = 2.0 before, 17/5 = 3.4 after
    assert comparison.overall.score_delta == 1.4
    assert comparison.notes == (
        "Both assessments use version 2026.1 of the questionnaire, so every section and "
        "question is compared.",
    )


def test_across_versions_with_renamed_and_removed_ids() -> None:
    old, new = questionnaire(), questionnaire(_next_version())
    a = score(old, {"funding-model": 2, "vision": 2, "governance": 2, "sponsorship": 3})
    b = score(new, {"vision": 3, "governance-and-steering": 3, "sponsorship": 3, "partners": 4})
    comparison = compare(a, b)
    assert not comparison.same_version
    assert not comparison.fully_comparable
    assert [d.domain_id for d in comparison.domains] == ["leadership"]
    assert comparison.domain("leadership").title == "Leadership and strategy"
    assert [i.indicator_id for i in comparison.indicators] == ["vision", "sponsorship"]
    assert comparison.domains_only_before == ("funding",)
    assert comparison.domains_only_after == ("collaboration",)
    assert comparison.indicators_only_before == ("funding-model", "funding-diversity", "governance")
    assert comparison.indicators_only_after == ("governance-and-steering", "partners")
    notes = " ".join(comparison.notes)
    assert "version 2026.1 and the later one version 2026.2" in notes
    assert "Section 'Funding' is only in version 2026.1" in notes
    assert "Section 'Collaboration' is new in version 2026.2" in notes
    assert "3 questions are only in version 2026.1" in notes and "'Governance'" in notes
    assert "'Governance and steering'" in notes
    assert "'Leadership and strategy' asked different questions" in notes
    with pytest.raises(KeyError):
        comparison.domain("funding")


def test_unassessed_side_has_no_delta() -> None:
    q = questionnaire()
    comparison = compare(score(q, {"vision": 3}), score(q, {"funding-model": 3, "vision": 2}))
    funding = comparison.domain("funding")
    assert funding.score_before is None and funding.score_delta is None
    assert funding.direction is None
    assert comparison.domain("leadership").direction == "down"


def test_different_questionnaires_are_refused() -> None:
    other = questionnaire_data()
    other["id"] = "other"
    with pytest.raises(ValueError, match="different questionnaires"):
        compare(score(questionnaire(), {}), score(questionnaire(other), {}))
