"""Properties of scoring over random questionnaires and random answers."""

import json
import math
from collections.abc import Sequence
from fractions import Fraction
from typing import Any

from framework_fixtures import LGA_LEVELS, answer_sets, questionnaire, questionnaires
from hypothesis import given, settings
from hypothesis import strategies as st

from maturity.framework import Answer, AssessmentResult, Questionnaire, score
from maturity.framework.scoring import AssessmentResult as Result

SETTINGS = settings(max_examples=150, deadline=None)


def _level_of(answer: Any) -> int | None:
    if isinstance(answer, int):
        return answer
    assert isinstance(answer, Answer)
    return answer.level


def _oracle(q: Questionnaire, answered: Sequence[tuple[str, int]]) -> tuple[float, int] | None:
    """Score and level straight from the rule in the brief, computed independently."""
    if not answered:
        return None
    weights = [Fraction(str(q.indicator(i).weight)) for i, _ in answered]
    mean = sum((w * lvl for w, (_, lvl) in zip(weights, answered, strict=True)), Fraction(0))
    mean /= sum(weights, Fraction(0))
    rounded = Fraction(math.floor(mean * 10 + Fraction(1, 2)), 10)
    lowest = min(lvl for _, lvl in answered)
    level = 1
    for value, threshold in q.scoring.thresholds.items():
        if rounded >= Fraction(str(threshold)) and lowest >= value - q.scoring.gate:
            level = max(level, value)
    return float(rounded), level


def _answered(
    q: Questionnaire, answers: dict[str, Any], ids: Sequence[str]
) -> list[tuple[str, int]]:
    found = []
    for indicator_id in ids:
        level = _level_of(answers[indicator_id]) if indicator_id in answers else None
        if level is not None:
            found.append((indicator_id, level))
    return found


@st.composite
def scored(draw: st.DrawFn) -> tuple[Questionnaire, dict[str, Any]]:
    q = draw(questionnaires())
    return q, draw(answer_sets(q))


@SETTINGS
@given(scored())
def test_scores_match_the_rule_and_stay_on_the_scale(case: tuple[Questionnaire, dict]) -> None:
    q, answers = case
    result = score(q, answers)
    top = len(q.levels)
    for domain in q.domains:
        got = result.domain(domain.id)
        expected = _oracle(q, _answered(q, answers, domain.indicator_ids))
        if expected is None:
            assert got.score is None and got.level is None
        else:
            assert (got.score, got.level) == expected
            assert got.score is not None and 1 <= got.score <= top
            assert got.level is not None and 1 <= got.level <= top
            assert got.level_name == q.level(got.level).name
            assert round(got.score, 1) == got.score
    overall = _oracle(q, _answered(q, answers, q.indicator_ids))
    assert (None if overall is None else overall) == (
        None if result.overall.score is None else (result.overall.score, result.overall.level)
    )


@st.composite
def raised(draw: st.DrawFn) -> tuple[Questionnaire, dict[str, Any], str, int]:
    q, answers = draw(scored())
    top = len(q.levels)
    raisable = [i for i, a in answers.items() if (lvl := _level_of(a)) is not None and lvl < top]
    if not raisable:
        # Every scale has at least two levels, so an answer at 1 can always be raised.
        indicator_id = draw(st.sampled_from(q.indicator_ids))
        answers[indicator_id] = 1
        raisable = [indicator_id]
    indicator_id = draw(st.sampled_from(sorted(raisable)))
    current = _level_of(answers[indicator_id])
    assert current is not None
    return q, answers, indicator_id, draw(st.integers(current + 1, top))


@SETTINGS
@given(raised())
def test_raising_one_answer_never_lowers_anything(
    case: tuple[Questionnaire, dict[str, Any], str, int],
) -> None:
    q, answers, indicator_id, new_level = case
    before = score(q, answers)
    after = score(q, {**answers, indicator_id: new_level})
    for b, a in zip(before.domains, after.domains, strict=True):
        if b.score is None:
            assert a.score is None
            continue
        assert a.score is not None and a.score >= b.score
        assert a.level is not None and b.level is not None and a.level >= b.level
    assert after.overall.score is not None and before.overall.score is not None
    assert after.overall.score >= before.overall.score
    assert after.overall.level is not None and before.overall.level is not None
    assert after.overall.level >= before.overall.level


@SETTINGS
@given(scored())
def test_results_are_deterministic_and_order_free(case: tuple[Questionnaire, dict]) -> None:
    q, answers = case
    first = score(q, answers)
    assert score(q, answers) == first
    assert score(q, dict(reversed(list(answers.items())))) == first
    assert first.text == score(q, answers).text


@st.composite
def removal(draw: st.DrawFn) -> tuple[Questionnaire, dict[str, Any], str]:
    q, answers = draw(scored())
    if not answers:
        answers[q.indicator_ids[0]] = 1
    return q, answers, draw(st.sampled_from(sorted(answers)))


@SETTINGS
@given(removal())
def test_removing_an_answer_only_removes_it(case: tuple[Questionnaire, dict, str]) -> None:
    q, answers, removed_id = case
    before = score(q, answers)
    remaining = {k: v for k, v in answers.items() if k != removed_id}
    after = score(q, remaining)
    domain_id = q.domain_of(removed_id).id
    b, a = before.domain(domain_id).completeness, after.domain(domain_id).completeness
    assert a.unanswered == b.unanswered + 1
    assert a.answered + a.not_applicable == b.answered + b.not_applicable - 1
    # The mean is exactly the weighted mean of what is left: nothing counted as zero.
    expected = _oracle(q, _answered(q, remaining, q.domain(domain_id).indicator_ids))
    got = after.domain(domain_id)
    assert (None if expected is None else expected) == (
        None if got.score is None else (got.score, got.level)
    )
    for other in q.domains:
        if other.id != domain_id:
            assert after.domain(other.id) == before.domain(other.id)


@settings(max_examples=60, deadline=None)
@given(questionnaires())
def test_all_top_is_the_top_level_and_all_lowest_is_the_lowest(q: Questionnaire) -> None:
    top = len(q.levels)
    all_top = score(q, dict.fromkeys(q.indicator_ids, top))
    all_low = score(q, dict.fromkeys(q.indicator_ids, 1))
    for result, value in ((all_top, top), (all_low, 1)):
        assert {d.level for d in result.domains} == {value}
        assert {d.score for d in result.domains} == {float(value)}
        assert result.overall.level == value
        assert result.overall.level_name == q.level(value).name
    assert all_top.overall.explanation.lifts == ()


@SETTINGS
@given(scored())
def test_snapshot_round_trips(case: tuple[Questionnaire, dict]) -> None:
    q, answers = case
    result = score(q, answers)
    data = result.to_dict()
    restored = AssessmentResult.from_dict(json.loads(json.dumps(data)))
    assert restored == result
    assert restored.to_dict() == data
    assert isinstance(restored, Result)


def test_lga_scale_extremes_are_named() -> None:
    q = questionnaire()
    assert score(q, dict.fromkeys(q.indicator_ids, 5)).overall.level_name == LGA_LEVELS[-1]
    low = score(q, dict.fromkeys(q.indicator_ids, 1))
    assert {d.level_name for d in low.domains} == {"First steps"}
