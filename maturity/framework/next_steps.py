"""Suggest, for each answered indicator, the step to its next level, most useful first.

Ranking. For an indicator at level ``l`` in a domain:

* the domain's *goal* is its target level when ``targets`` gives one, otherwise the level above
  the domain's current level (the top level if the domain is already there);
* ``gap = max(goal - l, 1)``: how far the indicator is behind where its domain is heading, so
  answers that drag a domain down (including gate blockers) come first, and an indicator at or
  above the goal still counts 1 because its next step is still worth taking;
* ``priority = gap × weight``.

Steps are sorted by priority (highest first); ties keep questionnaire order (domain order, then
indicator order), so the list is deterministic. When a domain has a target, indicators already
at or above it are left out. Indicators at the top level, not applicable or unanswered have no
step.
"""

import math
from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction
from operator import itemgetter

from maturity.framework.memo import once_per
from maturity.framework.schema import Domain, Indicator, Questionnaire
from maturity.framework.scoring import AssessmentResult

__all__ = ["Citation", "NextStep", "next_steps"]


@dataclass(frozen=True)
class Citation:
    """Where a step comes from: the source's key, title, section, file and url."""

    ref: str
    title: str
    section: str | None
    file: str | None
    url: str | None


@dataclass(frozen=True)
class NextStep:
    """One recommended step for one indicator, from its level to the next."""

    domain_id: str
    domain_title: str
    indicator_id: str
    indicator_title: str
    from_level: int
    from_level_name: str
    to_level: int
    to_level_name: str
    goal_level: int
    goal_level_name: str
    gap: int
    weight: float
    priority: float
    step: str
    guidance: str
    evidence_prompt: str
    source: Citation

    @property
    def text(self) -> str:
        """For example "Raise 'Funding model' from Compliant to Strategic: <step>"."""
        return (
            f"Raise '{self.indicator_title}' from {self.from_level_name} to "
            f"{self.to_level_name}: {self.step}"
        )


def _check(
    questionnaire: Questionnaire, result: AssessmentResult, targets: Mapping[str, int]
) -> None:
    if (result.questionnaire_id, result.questionnaire_version) != (
        questionnaire.id,
        questionnaire.version,
    ):
        raise ValueError(
            f"the result is for '{result.questionnaire_id}' version "
            f"{result.questionnaire_version}, not {questionnaire.label}"
        )
    top = len(questionnaire.levels)
    for domain_id, target in targets.items():
        if domain_id not in questionnaire.domain_ids:
            raise ValueError(f"target for unknown domain '{domain_id}'")
        if isinstance(target, bool) or not isinstance(target, int) or not 1 <= target <= top:
            raise ValueError(f"target for '{domain_id}' must be a level 1–{top}, not {target!r}")


# A domain and, for each of its indicators: the indicator, its scaled weight, and the
# (-priority, step) pairs made for it so far.
_DomainSteps = tuple[Domain, tuple[tuple[Indicator, int, dict[int, tuple[int, "NextStep"]]], ...]]


class _Steps:
    """Next steps for one questionnaire, made once per indicator, level and goal and kept.

    A step depends only on those three (and the questionnaire), and is frozen, so every result
    shares it. Its priority is also kept exactly, as a whole number: the weight as its author
    wrote it, scaled by the least common multiple of the weights' denominators, times the gap.
    """

    def __init__(self, questionnaire: Questionnaire) -> None:
        self.questionnaire = questionnaire
        self.top = len(questionnaire.levels)
        exact = {
            indicator.id: Fraction(repr(indicator.weight))
            for domain in questionnaire.domains
            for indicator in domain.indicators
        }
        scale = math.lcm(*(weight.denominator for weight in exact.values()))
        # Each domain with, for each of its indicators: the indicator, its scaled weight and
        # the (-priority, step) pairs made for it so far, by level × key_base + goal.
        self.key_base = self.top + 1
        self.domains: tuple[_DomainSteps, ...] = tuple(
            (
                domain,
                tuple(
                    (indicator, int(exact[indicator.id] * scale), {})
                    for indicator in domain.indicators
                ),
            )
            for domain in questionnaire.domains
        )

    def ranked(
        self,
        domain: Domain,
        indicator: Indicator,
        weight: int,
        made: dict[int, tuple[int, "NextStep"]],
        level: int,
        goal: int,
    ) -> tuple[int, "NextStep"]:
        """(-priority, step) for the indicator's step from ``level`` towards ``goal``: the
        priority negated, so that an ascending sort puts the most useful step first. Made
        on the first call and kept in ``made`` under ``level × key_base + goal``, where
        ``next_steps`` looks before calling."""
        priority = weight * max(goal - level, 1)
        pair = made[level * self.key_base + goal] = (
            -priority,
            self._make(domain, indicator, level, goal),
        )
        return pair

    def _make(self, domain: Domain, indicator: Indicator, level: int, goal: int) -> NextStep:
        questionnaire = self.questionnaire
        gap = max(goal - level, 1)
        # Exact, so that weight 0.1 × gap 3 ties with weight 0.3 × gap 1 as authors expect.
        priority = Fraction(repr(indicator.weight)) * gap
        source = questionnaire.sources[indicator.source.ref]
        return NextStep(
            domain_id=domain.id,
            domain_title=domain.title,
            indicator_id=indicator.id,
            indicator_title=indicator.title,
            from_level=level,
            from_level_name=questionnaire.level(level).name,
            to_level=level + 1,
            to_level_name=questionnaire.level(level + 1).name,
            goal_level=goal,
            goal_level_name=questionnaire.level(goal).name,
            gap=gap,
            weight=indicator.weight,
            priority=float(priority),
            step=indicator.next_steps[level + 1],
            guidance=indicator.guidance,
            evidence_prompt=indicator.evidence_prompt,
            source=Citation(
                ref=indicator.source.ref,
                title=source.title,
                section=indicator.source.section,
                file=source.file,
                url=source.url,
            ),
        )


def next_steps(
    questionnaire: Questionnaire,
    result: AssessmentResult,
    targets: Mapping[str, int] | None = None,
) -> list[NextStep]:
    """The next step for every answered indicator below the top level, ranked (see module doc).

    ``targets`` maps domain id → target level. Raises ``ValueError`` if the result was scored
    against another questionnaire or version, or a target names an unknown domain or level.
    """
    targets = dict(targets or {})
    _check(questionnaire, result, targets)
    steps = once_per(questionnaire, _Steps)
    top, key_base = steps.top, steps.key_base
    domain_results = result.domains
    ranked: list[tuple[int, NextStep]] = []
    for number, (domain, indicators) in enumerate(steps.domains):
        domain_result = domain_results[number] if number < len(domain_results) else None
        if domain_result is None or domain_result.domain_id != domain.id:
            domain_result = result.domain(domain.id)  # raises KeyError naming the domain
        target = targets.get(domain.id)
        if target is not None:
            goal = target
        elif domain_result.level is not None:
            goal = min(domain_result.level + 1, top)
        else:
            continue  # nothing answered in this domain, so no answered indicator either
        indicator_results = domain_result.indicators
        if len(indicator_results) != len(indicators):
            indicator_results = tuple(result.indicator(entry[0].id) for entry in indicators)
        for (indicator, weight, made), indicator_result in zip(
            indicators, indicator_results, strict=True
        ):
            if indicator_result.indicator_id != indicator.id:
                # raises KeyError naming the indicator
                indicator_result = result.indicator(indicator.id)
            level = indicator_result.level
            if level is None or level >= top or (target is not None and level >= target):
                continue
            pair = made.get(level * key_base + goal)
            if pair is None:
                pair = steps.ranked(domain, indicator, weight, made, level, goal)
            ranked.append(pair)
    # A stable sort on the priority alone, so equal priorities keep questionnaire order
    # (domain, then indicator).
    ranked.sort(key=_PRIORITY)
    return list(map(_STEP, ranked))


_PRIORITY, _STEP = itemgetter(0), itemgetter(1)
