"""Next steps: ranking by gap × weight, targets, and what each step carries.

Fixture answers used below: funding-model 2 (weight 1) and funding-diversity 4 (weight 2) put
Funding at Strategic (3.3), heading for Integrated (4). vision 5, governance 3, sponsorship 1
put Leadership at Compliant (gate), heading for Strategic (3).
"""

import pytest
from framework_fixtures import questionnaire, questionnaire_data

from maturity.framework import next_steps, score

ANSWERS = {
    "funding-model": 2,
    "funding-diversity": 4,
    "vision": 5,
    "governance": 3,
    "sponsorship": 1,
}


def _ranking(steps: list) -> list[tuple[str, float]]:
    return [(s.indicator_id, s.priority) for s in steps]


def test_ranked_by_gap_times_weight_with_ties_in_questionnaire_order() -> None:
    q = questionnaire()
    steps = next_steps(q, score(q, ANSWERS))
    # funding-model: gap 4-2=2, ×1; funding-diversity: at/above goal so gap 1, ×2;
    # sponsorship: gap 3-1=2, ×1; governance: gap max(0, 1)=1, ×1; vision is at the top.
    assert _ranking(steps) == [
        ("funding-model", 2.0),
        ("funding-diversity", 2.0),
        ("sponsorship", 2.0),
        ("governance", 1.0),
    ]


def test_step_content() -> None:
    q = questionnaire()
    first = next_steps(q, score(q, ANSWERS))[0]
    assert (first.domain_id, first.domain_title) == ("funding", "Funding")
    assert (first.from_level, first.from_level_name) == (2, "Compliant")
    assert (first.to_level, first.to_level_name) == (3, "Strategic")
    assert (first.goal_level, first.gap, first.weight) == (4, 2, 1.0)
    assert first.step == "Step Funding model up to level 3"
    assert first.guidance == "Guidance for Funding model."
    assert first.source.ref == "guide"
    assert first.source.title == "What good looks like"
    assert first.source.section == "Section"
    assert first.source.file == "003_guide.txt"
    assert first.text.startswith("Raise 'Funding model' from Compliant to Strategic: ")


def test_targets_change_the_gap_and_omit_indicators_already_there() -> None:
    q = questionnaire()
    result = score(q, ANSWERS)
    steps = next_steps(q, result, targets={"leadership": 4})
    # sponsorship: 4-1=3; governance 4-3=1; vision (5) is already at/above the target.
    assert _ranking(steps) == [
        ("sponsorship", 3.0),
        ("funding-model", 2.0),
        ("funding-diversity", 2.0),
        ("governance", 1.0),
    ]
    steps = next_steps(q, result, targets={"funding": 3})
    assert [s.indicator_id for s in steps if s.domain_id == "funding"] == ["funding-model"]
    assert steps[0].indicator_id == "sponsorship"


def test_weights_multiply_the_gap() -> None:
    data = questionnaire_data()
    data["domains"][1]["indicators"][1]["weight"] = 3  # governance
    q = questionnaire(data)
    steps = next_steps(q, score(q, ANSWERS))
    assert steps[0].indicator_id == "governance"
    assert steps[0].priority == 3.0


def test_unanswered_not_applicable_and_top_are_skipped() -> None:
    from maturity.framework import Answer

    q = questionnaire()
    answers = {"funding-diversity": Answer.na("not relevant"), "vision": 5}
    assert next_steps(q, score(q, answers)) == []


def test_invalid_targets_and_mismatched_results() -> None:
    q = questionnaire()
    result = score(q, ANSWERS)
    with pytest.raises(ValueError, match="unknown domain 'nope'"):
        next_steps(q, result, targets={"nope": 3})
    with pytest.raises(ValueError, match="must be a level 1–5"):
        next_steps(q, result, targets={"funding": 9})
    other = questionnaire_data()
    other["version"] = "2027.1"
    with pytest.raises(ValueError, match="not 'test-maturity' version 2027.1"):
        next_steps(questionnaire(other), result)
