"""The results headline: the overall level in one sentence saying what holds it there.

Fixture: thresholds 2/3/4/5, gate 1. Funding: funding-model (weight 1), funding-diversity
(weight 2). Leadership: vision, governance, sponsorship (weight 1 each).
"""

from framework_fixtures import questionnaire, questionnaire_data

from maturity.framework import score
from maturity.framework.headline import headline, strongest_and_weakest


def test_one_low_answer_holding_the_whole_assessment_is_named_with_its_fix() -> None:
    # Pooled mean (4+4+5+5+1)/... reaches Strategic on score, but Sponsorship at First
    # steps is more than one level below Strategic.
    answers = {"funding-model": 4, "funding-diversity": 4, "vision": 4, "governance": 4}
    answers["sponsorship"] = 1
    result = score(questionnaire(), answers)
    assert result.overall.level_name == "Compliant"
    line = headline(result)
    assert line.sentence == (
        "Compliant, not Strategic, because 'Sponsorship' is at First steps; raise it to "
        "Compliant and the academy reaches Strategic."
    )
    assert line.holding == ("Sponsorship",)
    assert not line.score_short


def test_several_low_answers_are_named_together() -> None:
    answers = {"funding-model": 1, "funding-diversity": 5, "vision": 5, "governance": 5}
    answers["sponsorship"] = 1
    line = headline(score(questionnaire(), answers))
    assert line.sentence == (
        "Compliant, not Strategic, because 'Funding model' and 'Sponsorship' are at First "
        "steps; raise them to Compliant and the academy reaches Strategic."
    )


def test_a_score_short_of_the_threshold_is_said_with_the_score_needed() -> None:
    answers = {"funding-model": 2, "funding-diversity": 2, "vision": 2, "governance": 3}
    line = headline(score(questionnaire(), answers))
    assert line.score_short
    assert line.holding == ()
    assert line.sentence == (
        "Compliant, not Strategic, because the score, 2.2, is below the 3.0 that Strategic "
        "needs; lift the score to 3.0 and the academy reaches Strategic."
    )


def test_score_and_gate_together_are_both_said() -> None:
    line = headline(score(questionnaire(), {"vision": 1, "governance": 3, "sponsorship": 3}))
    assert line.sentence == (
        "Compliant, not Strategic, because the score, 2.3, is below the 3.0 that Strategic "
        "needs and 'Vision' is at First steps; raise it to Compliant and lift the score to "
        "3.0 and the academy reaches Strategic."
    )


def test_top_level_and_not_assessed() -> None:
    top = {key: 5 for key in ("funding-model", "funding-diversity", "vision", "governance")}
    assert headline(score(questionnaire(), top)).sentence.startswith("Disruptive, the top level")
    empty = headline(score(questionnaire(), {}))
    assert empty.level_name is None
    assert empty.sentence.startswith("Not yet assessed: none of the 5 questions")


def test_many_holding_answers_are_counted_beyond_three() -> None:
    data = questionnaire_data()
    domain = data["domains"][1]
    template = domain["indicators"][0]
    for number in range(5):
        extra = dict(template, id=f"extra-{number}", title=f"Extra {number}")
        extra.pop("not_applicable", None)
        domain["indicators"].append(extra)
    answers = {"funding-model": 5, "funding-diversity": 5, "vision": 5, "governance": 5}
    answers.update({f"extra-{number}": 1 for number in range(5)})
    sentence = headline(score(questionnaire(data), answers)).sentence
    assert "'Extra 0', 'Extra 1', 'Extra 2' and 2 other answers are at First steps" in sentence


def test_strongest_and_weakest_never_overlap() -> None:
    result = score(questionnaire(), {"funding-model": 4, "funding-diversity": 4, "vision": 2})
    strongest, weakest = strongest_and_weakest(result)
    assert [d.domain_id for d in strongest] == ["funding", "leadership"]
    assert weakest == []
    strongest, weakest = strongest_and_weakest(result, count=1)
    assert [d.domain_id for d in strongest] == ["funding"]
    assert [d.domain_id for d in weakest] == ["leadership"]
