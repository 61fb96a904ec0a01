"""The fast scoring engine agrees exactly with a plain reading of the rules.

``score`` and ``next_steps`` work in scaled integers from tables made once per questionnaire.
The reference below is written straight from the rules in the docstrings of
``maturity/framework/scoring.py`` and ``next_steps.py``, with fractions and nothing cached, and
the two are compared on many seeded random assessments: on the shipped questionnaire and on
random questionnaires with awkward decimal weights and thresholds (ties at .x5, weights such
as 0.1 and 1/3 written to 16 digits, every gate).
"""

import math
import random
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
from framework_fixtures import questionnaire, questionnaire_data

from maturity.framework import (
    Answer,
    AssessmentResult,
    Questionnaire,
    load_directory,
    next_steps,
    score,
)

QUESTIONNAIRES = Path(__file__).resolve().parents[2] / "questionnaires"
CASES = 500

# --- the reference ---------------------------------------------------------------------------


def _decimal(value: float) -> Fraction:
    """A weight or threshold as the decimal its author wrote."""
    return Fraction(str(value))


@dataclass(frozen=True)
class Expected:
    """What the rules say about one domain (or the whole assessment)."""

    score: float | None
    level: int | None
    score_level: int | None
    next_level: int | None
    next_threshold: float | None
    contributions: list[tuple[str, int, float]]
    gate_blockers: list[tuple[str, int, int]]


def _expected(q: Questionnaire, answered: list[tuple[str, int]]) -> Expected:
    """The rules, applied to (indicator id, level) pairs in questionnaire order."""
    if not answered:
        return Expected(None, None, None, None, None, [], [])
    weights = [_decimal(q.indicator(i).weight) for i, _ in answered]
    mean = sum((w * level for w, (_, level) in zip(weights, answered, strict=True)), Fraction(0))
    mean /= sum(weights, Fraction(0))
    rounded = Fraction(math.floor(mean * 10 + Fraction(1, 2)), 10)  # halves up
    lowest = min(level for _, level in answered)
    gate = q.scoring.gate
    thresholds = {value: _decimal(t) for value, t in q.scoring.thresholds.items()}
    score_level = max([1, *(v for v, t in thresholds.items() if rounded >= t)])
    level = max([1, *(v for v, t in thresholds.items() if rounded >= t and lowest >= v - gate)])
    top = len(q.levels)
    next_level = level + 1 if level < top else None
    blockers = []
    if next_level is not None:
        blockers = [(i, lvl, next_level - gate) for i, lvl in answered if lvl < next_level - gate]
    return Expected(
        score=float(rounded),
        level=level,
        score_level=score_level,
        next_level=next_level,
        next_threshold=q.scoring.thresholds[next_level] if next_level is not None else None,
        contributions=[(i, lvl, q.indicator(i).weight) for i, lvl in answered],
        gate_blockers=blockers,
    )


def _level(answer: Any) -> int | None:
    return answer if isinstance(answer, int) else answer.level


def _answered(answers: dict[str, Any], ids: tuple[str, ...]) -> list[tuple[str, int]]:
    pairs = [(i, _level(answers[i])) for i in ids if i in answers]
    return [(i, level) for i, level in pairs if level is not None]


def _expected_steps(
    q: Questionnaire, result: AssessmentResult, targets: dict[str, int]
) -> list[tuple[str, int, int, Fraction]]:
    """(indicator, from level, goal, priority) by the ranking rule of ``next_steps``."""
    top = len(q.levels)
    found = []
    for domain in q.domains:
        target = targets.get(domain.id)
        current = result.domain(domain.id).level
        if target is not None:
            goal = target
        elif current is not None:
            goal = min(current + 1, top)
        else:
            continue
        for indicator in domain.indicators:
            level = result.indicator(indicator.id).level
            if level is None or level >= top or (target is not None and level >= target):
                continue
            priority = _decimal(indicator.weight) * max(goal - level, 1)
            found.append((indicator.id, level, goal, priority))
    # Highest priority first; ties keep questionnaire order (sorted() is stable).
    return sorted(found, key=lambda step: -step[3])


# --- comparing -------------------------------------------------------------------------------


def _got(scored: Any) -> Expected:
    explanation = scored.explanation
    assert (explanation.score, explanation.level) == (scored.score, scored.level)
    return Expected(
        score=scored.score,
        level=scored.level,
        score_level=explanation.score_level,
        next_level=explanation.next_level,
        next_threshold=explanation.next_threshold,
        contributions=[(c.indicator_id, c.level, c.weight) for c in explanation.contributions],
        gate_blockers=[
            (b.indicator_id, b.level, b.needed_level) for b in explanation.gate_blockers
        ],
    )


def _check(q: Questionnaire, answers: dict[str, Any], targets: dict[str, int]) -> None:
    result = score(q, answers)
    names = {level.value: level.name for level in q.levels}
    for domain in q.domains:
        got = result.domain(domain.id)
        assert _got(got) == _expected(q, _answered(answers, domain.indicator_ids)), domain.id
        assert got.level_name == (names[got.level] if got.level is not None else None)
        statuses = [
            "unanswered"
            if i not in answers
            else "answered"
            if _level(answers[i]) is not None
            else answers[i].status
            for i in domain.indicator_ids
        ]
        completeness = got.completeness
        assert (completeness.answered, completeness.not_applicable, completeness.unanswered) == (
            statuses.count("answered"),
            statuses.count("not_applicable"),
            statuses.count("unanswered"),
        )
        assert [r.status for r in got.indicators] == statuses
        assert [r.level for r in got.indicators] == [
            _level(answers[i]) if i in answers else None for i in domain.indicator_ids
        ]
    assert _got(result.overall) == _expected(q, _answered(answers, q.indicator_ids))
    steps = next_steps(q, result, targets or None)
    assert [(s.indicator_id, s.from_level, s.goal_level, s.priority) for s in steps] == [
        (i, level, goal, float(priority))
        for i, level, goal, priority in _expected_steps(q, result, targets)
    ]


def _random_answers(rng: random.Random, q: Questionnaire) -> dict[str, Any]:
    top = len(q.levels)
    typical = rng.uniform(1, top)
    answers: dict[str, Any] = {}
    for domain in q.domains:
        skip = rng.random() < 0.1  # a section not started
        for indicator in domain.indicators:
            roll = rng.random()
            if skip or roll < 0.15:
                continue
            if indicator.allow_not_applicable and roll < 0.25:
                answers[indicator.id] = Answer.na("Does not apply here")
                continue
            level = min(top, max(1, round(rng.gauss(typical, 1.2))))
            answers[indicator.id] = rng.choice(
                [level, Answer(level=level), Answer(level=level, reason="A note")]
            )
    return answers


def _random_targets(rng: random.Random, q: Questionnaire) -> dict[str, int]:
    if rng.random() < 0.5:
        return {}
    return {d.id: rng.randint(1, len(q.levels)) for d in q.domains if rng.random() < 0.5}


AWKWARD_WEIGHTS = [0.1, 0.2, 0.3, 0.7, 1 / 3, 2 / 3, 0.05, 0.15, 0.125, 1.0, 2.5, 7.77, 9.999]


def _random_questionnaire(rng: random.Random) -> Questionnaire:
    n = rng.randint(2, 6)
    data = questionnaire_data()
    data["levels"] = [{"value": v, "name": f"Level {v}"} for v in range(1, n + 1)]
    # Hundredths put thresholds between tenths and on them, so rounding decides.
    minimums = sorted(rng.randint(101, n * 100) for _ in range(n - 1))
    data["scoring"] = {
        "thresholds": {v: m / 100 for v, m in zip(range(2, n + 1), minimums, strict=True)},
        "gate": rng.randint(0, n),
    }
    for domain in data["domains"]:
        for indicator in domain["indicators"]:
            indicator["weight"] = rng.choice(AWKWARD_WEIGHTS)
            indicator["levels"] = {v: f"Level {v} descriptor" for v in range(1, n + 1)}
            indicator["next_steps"] = {v: f"Step to level {v}" for v in range(2, n + 1)}
    return questionnaire(data)


@pytest.fixture(scope="module")
def shipped() -> Questionnaire:
    return load_directory(QUESTIONNAIRES).questionnaire("academy-maturity")


def test_shipped_questionnaire_agrees_with_the_reference(shipped: Questionnaire) -> None:
    rng = random.Random(2026)
    for _ in range(CASES):
        _check(shipped, _random_answers(rng, shipped), _random_targets(rng, shipped))


def test_awkward_questionnaires_agree_with_the_reference() -> None:
    rng = random.Random(1)
    for _ in range(CASES):
        q = _random_questionnaire(rng)
        for _ in range(3):
            _check(q, _random_answers(rng, q), _random_targets(rng, q))


def test_extremes_agree_with_the_reference(shipped: Questionnaire) -> None:
    top = len(shipped.levels)
    for answers in (
        {},
        dict.fromkeys(shipped.indicator_ids, 1),
        dict.fromkeys(shipped.indicator_ids, top),
        {shipped.indicator_ids[0]: 1, shipped.indicator_ids[-1]: top},
    ):
        _check(shipped, answers, {})
