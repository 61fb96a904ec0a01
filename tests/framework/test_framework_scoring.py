"""Scoring with hand-computed examples on the fixture questionnaire.

Fixture: thresholds 2/3/4/5, gate 1. Funding: funding-model (weight 1), funding-diversity
(weight 2, may be not applicable). Leadership: vision, governance, sponsorship (weight 1 each,
sponsorship may be not applicable).
"""

import json
from typing import Any, cast

import pytest
from framework_fixtures import questionnaire, questionnaire_data

from maturity.framework import Answer, AssessmentResult, score


def test_weighted_mean_and_level() -> None:
    result = score(questionnaire(), {"funding-model": 2, "funding-diversity": 4})
    funding = result.domain("funding")
    # (1×2 + 2×4) / 3 = 3.33…
    assert funding.score == 3.3
    assert funding.level == 3
    assert funding.level_name == "Strategic"
    assert funding.completeness.answered == 2
    assert funding.completeness.fraction == 1.0
    contributions = funding.explanation.contributions
    assert [(c.indicator_id, c.level, c.weight) for c in contributions] == [
        ("funding-model", 2, 1.0),
        ("funding-diversity", 4, 2.0),
    ]
    assert funding.explanation.next_level_name == "Integrated"
    assert funding.explanation.below_threshold
    # Integrated (4) with gate 1 also needs every answer at Strategic (3) or above.
    assert [b.indicator_id for b in funding.explanation.gate_blockers] == ["funding-model"]
    assert funding.explanation.lifts == (
        "raise the score from 3.3 to 4.0",
        "raise 'Funding model' from Compliant to Strategic",
    )
    assert "the score 3.3 is below 4.0, the threshold for Integrated" in funding.text


def test_gate_holds_the_level_down() -> None:
    result = score(questionnaire(), {"vision": 5, "governance": 5, "sponsorship": 1})
    leadership = result.domain("leadership")
    # mean 11/3 = 3.67 reaches Strategic on score, but sponsorship (1) is more than one level
    # below Strategic (3), so the domain stays at Compliant.
    assert leadership.score == 3.7
    assert leadership.level == 2
    explanation = leadership.explanation
    assert explanation.score_level == 3
    assert not explanation.below_threshold
    assert [(b.indicator_id, b.level, b.needed_level) for b in explanation.gate_blockers] == [
        ("sponsorship", 1, 2)
    ]
    assert explanation.lifts == ("raise 'Sponsorship' from First steps to Compliant",)
    assert explanation.held_down_by == (
        "'Sponsorship' is at First steps, more than 1 level below Strategic",
    )
    assert "the gate holds it at Compliant" in explanation.text


def test_gate_and_threshold_together() -> None:
    result = score(questionnaire(), {"vision": 1, "governance": 3, "sponsorship": 3})
    explanation = result.domain("leadership").explanation
    # mean 7/3 = 2.3: Compliant; Strategic needs 3.0 and vision at least Compliant.
    assert (explanation.score, explanation.level) == (2.3, 2)
    assert explanation.lifts == (
        "raise the score from 2.3 to 3.0",
        "raise 'Vision' from First steps to Compliant",
    )


def test_gate_zero_needs_every_answer_at_the_level() -> None:
    data = questionnaire_data()
    data["scoring"]["gate"] = 0
    result = score(questionnaire(data), {"vision": 4, "governance": 4, "sponsorship": 3})
    leadership = result.domain("leadership")
    assert leadership.score == 3.7
    assert leadership.level == 3
    assert leadership.explanation.lifts == (
        "raise the score from 3.7 to 4.0",
        "raise 'Sponsorship' from Strategic to Integrated",
    )
    assert "'Sponsorship' is at Strategic, below Integrated" in leadership.text


def test_not_applicable_is_left_out_of_the_mean() -> None:
    answers = {"funding-model": 3, "funding-diversity": Answer.na("We have no funding streams")}
    funding = score(questionnaire(), answers).domain("funding")
    assert funding.score == 3.0
    assert funding.level == 3
    assert (funding.completeness.answered, funding.completeness.not_applicable) == (1, 1)
    assert funding.completeness.complete
    diversity = funding.indicators[1]
    assert diversity.status == "not_applicable"
    assert diversity.level is None
    assert diversity.reason == "We have no funding streams"


def test_unanswered_is_left_out_of_the_mean() -> None:
    result = score(questionnaire(), {"vision": 4})
    leadership = result.domain("leadership")
    assert leadership.score == 4.0
    assert leadership.level_name == "Integrated"
    assert leadership.completeness.answered == 1
    assert leadership.completeness.unanswered == 2
    assert leadership.completeness.fraction == pytest.approx(1 / 3)
    assert not leadership.completeness.complete
    assert "1 of 3 indicators done" in leadership.text


def test_domain_with_no_answers_is_not_yet_assessed() -> None:
    result = score(questionnaire(), {"vision": 4, "funding-diversity": Answer.na("n/a here")})
    funding = result.domain("funding")
    assert funding.score is None
    assert funding.level is None
    assert funding.level_name is None
    assert not funding.assessed
    assert funding.completeness.not_applicable == 1
    assert funding.explanation.lifts == ()
    assert "not yet assessed" in funding.text
    assert result.overall.score == 4.0


def test_nothing_answered() -> None:
    result = score(questionnaire(), {})
    assert result.overall.score is None
    assert result.overall.level is None
    assert all(not d.assessed for d in result.domains)
    assert result.overall.completeness.total == 5


def test_overall_pools_every_answer() -> None:
    answers = {"funding-model": 1, "funding-diversity": 2, "vision": 5, "governance": 5}
    result = score(questionnaire(), answers)
    # (1 + 2×2 + 5 + 5) / 5 = 3.0, but funding-model (1) is more than one below Strategic.
    assert result.overall.score == 3.0
    assert result.overall.level == 2
    assert result.overall.explanation.score_level == 3
    assert result.overall.completeness.answered == 4
    assert result.overall.completeness.unanswered == 1


def test_rounding_is_half_up_and_decides_the_level() -> None:
    data = questionnaire_data()
    data["domains"][0]["indicators"][1]["weight"] = 3
    data["scoring"]["thresholds"] = {2: 2.0, 3: 2.3, 4: 4.0, 5: 5.0}
    # (3 + 3×2) / 4 = 2.25 → 2.3, which meets Strategic's threshold of 2.3.
    funding = score(questionnaire(data), {"funding-model": 3, "funding-diversity": 2})
    assert funding.domain("funding").score == 2.3
    assert funding.domain("funding").level == 3


def test_exact_arithmetic_with_decimal_weights() -> None:
    data = questionnaire_data()
    for indicator, weight in zip(data["domains"][1]["indicators"], (0.1, 0.2, 0.3), strict=True):
        indicator["weight"] = weight
    result = score(questionnaire(data), {"vision": 3, "governance": 3, "sponsorship": 3})
    assert result.domain("leadership").score == 3.0
    assert result.domain("leadership").level == 3


def test_top_level_explanation() -> None:
    answers = {"funding-model": 5, "funding-diversity": 5}
    funding = score(questionnaire(), answers).domain("funding")
    assert funding.level_name == "Disruptive"
    assert funding.explanation.next_level is None
    assert funding.explanation.lifts == ()
    assert "Disruptive is the top level" in funding.text


def test_ints_and_answers_are_equivalent() -> None:
    q = questionnaire()
    assert score(q, {"vision": 3}) == score(q, {"vision": Answer(level=3)})


@pytest.mark.parametrize(
    ("answers", "message"),
    [
        ({"nope": 3}, "unknown indicator 'nope'"),
        ({"vision": 6}, "level 6, outside the scale 1–5"),
        ({"vision": 0}, "level 0"),
        ({"vision": Answer.na("reason")}, "'vision' cannot be answered 'not applicable'"),
        ({"vision": True}, "must be a level number or an Answer"),
        ({"vision": "3"}, "must be a level number or an Answer"),
    ],
)
def test_invalid_answers_are_refused(answers: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        score(questionnaire(), answers)


def test_all_invalid_answers_are_reported_together() -> None:
    with pytest.raises(ValueError) as caught:
        score(questionnaire(), {"nope": 1, "vision": 9})
    assert "nope" in str(caught.value) and "level 9" in str(caught.value)


def test_answer_rules() -> None:
    with pytest.raises(ValueError, match="needs a reason"):
        Answer(not_applicable=True)
    with pytest.raises(ValueError, match="needs a reason"):
        Answer.na("   ")
    with pytest.raises(ValueError, match="both"):
        Answer(level=2, not_applicable=True, reason="x")
    with pytest.raises(ValueError, match="whole number"):
        Answer(level=cast(Any, 2.5))
    assert Answer().status == "unanswered"
    assert Answer(level=None).status == "unanswered"


def test_to_dict_is_json_and_round_trips() -> None:
    answers = {
        "funding-model": 2,
        "funding-diversity": Answer.na("none"),
        "vision": 5,
        "sponsorship": 1,
    }
    result = score(questionnaire(), answers)
    data = result.to_dict()
    assert json.loads(json.dumps(data)) == data
    assert data["questionnaire_id"] == "test-maturity"
    assert data["questionnaire_version"] == "2026.1"
    assert [level["name"] for level in data["levels"]][0] == "First steps"
    assert data["levels"][2] == {"value": 3, "name": "Strategic", "threshold": 3.0}
    assert data["domains"][1]["explanation"]["text"] == result.domain("leadership").explanation.text
    assert data["domains"][0]["indicators"][1]["reason"] == "none"
    assert AssessmentResult.from_dict(data) == result
    assert AssessmentResult.from_dict(json.loads(json.dumps(data))) == result


def test_from_dict_refuses_other_data() -> None:
    data = score(questionnaire(), {"vision": 2}).to_dict()
    with pytest.raises(ValueError, match="format"):
        AssessmentResult.from_dict({**data, "format": "something-else"})
    with pytest.raises(ValueError, match="format_version"):
        AssessmentResult.from_dict({**data, "format_version": 99})
    broken = json.loads(json.dumps(data))
    broken["domains"][0]["level"] = "two"
    with pytest.raises(ValueError, match=r"result\.domains\[0\]\.level"):
        AssessmentResult.from_dict(broken)
    del broken["overall"]
    with pytest.raises(ValueError, match="missing overall"):
        AssessmentResult.from_dict(broken)


def test_result_lookups() -> None:
    result = score(questionnaire(), {"vision": 2})
    assert result.indicator("vision").level_name == "Compliant"
    assert result.level_name(4) == "Integrated"
    assert len(result.indicators) == 5
    with pytest.raises(KeyError):
        result.domain("nope")
    assert result.text.startswith("The whole assessment is at Compliant")
