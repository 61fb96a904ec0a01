"""The results page's headline: the overall level in one sentence, saying which answers
hold it where it is, and the strongest and weakest sections.

Built only from the scoring engine's structured explanation (``Explanation``: the next
level, its threshold, the gate blockers), never from its prose, so the sentence always
agrees with the level the engine gave.
"""

from __future__ import annotations

from dataclasses import dataclass

from maturity.framework.scoring import (
    AssessmentResult,
    DomainResult,
    Explanation,
    GateBlocker,
    format_score,
)

__all__ = ["NAMED_UP_TO", "Headline", "headline", "reason", "strongest_and_weakest"]

NAMED_UP_TO = 3  # answers named one by one in the sentence; beyond that, counted


@dataclass(frozen=True)
class Headline:
    """The overall level and the one sentence that explains it.

    ``holding`` are the titles of the answers that stop the next level through the gate
    (empty when only the score, or nothing, stands in the way); ``score_short`` says
    whether the score is also below the next level's threshold.
    """

    level_name: str | None
    next_level_name: str | None
    holding: tuple[str, ...]
    score_short: bool
    sentence: str


def _titles(titles: list[str]) -> str:
    """'A', 'B' and 'C'; beyond ``NAMED_UP_TO``, "'A', 'B', 'C' and 4 other answers"."""
    quoted = [f"'{title}'" for title in titles]
    if len(quoted) > NAMED_UP_TO:
        rest = len(quoted) - NAMED_UP_TO
        return (
            ", ".join(quoted[:NAMED_UP_TO]) + f" and {rest} other answer{'s' if rest > 1 else ''}"
        )
    return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " and " + quoted[-1]


def _blocker_clauses(blockers: tuple[GateBlocker, ...]) -> list[str]:
    """ "'A' is at First steps", one clause per level the blockers are at, lowest first."""
    by_level: dict[int, tuple[str, list[str]]] = {}
    for blocker in blockers:
        by_level.setdefault(blocker.level, (blocker.level_name, []))[1].append(blocker.title)
    clauses = []
    for _level, (name, titles) in sorted(by_level.items()):
        single = len(titles) == 1
        clauses.append(f"{_titles(titles)} {'is' if single else 'are'} at {name}")
    return clauses


def _and(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def reason(explanation: Explanation, subject: str) -> str:
    """The level of a section (or the whole assessment) in one sentence: what holds it
    there and what reaches the next level. ``subject`` is what reaches it ("the academy",
    "the section")."""
    level, nxt = explanation.level_name, explanation.next_level_name
    if explanation.score is None:
        count = explanation.indicator_count
        return f"Not yet assessed: none of the {count} questions has a level answer."
    if explanation.next_level is None:
        return f"{level}, the top level of the scale: nothing holds {subject} back."
    blockers = explanation.gate_blockers
    because: list[str] = []
    fixes: list[str] = []
    if explanation.below_threshold:
        assert explanation.next_threshold is not None
        because.append(
            f"the score, {format_score(explanation.score)}, is below the "
            f"{format_score(explanation.next_threshold)} that {nxt} needs"
        )
    if blockers:
        because.extend(_blocker_clauses(blockers))
        needed = blockers[0].needed_level_name
        pronoun = "it" if len(blockers) == 1 else "them"
        # Raising an answer never lowers the score: with the score already high enough,
        # clearing the gate is all it takes.
        fixes.append(f"raise {pronoun} to {needed}")
    if explanation.below_threshold:
        assert explanation.next_threshold is not None
        fixes.append(f"lift the score to {format_score(explanation.next_threshold)}")
    return (
        f"{level}, not {nxt}, because {_and(because)}; "
        f"{' and '.join(fixes)} and {subject} reaches {nxt}."
    )


def headline(result: AssessmentResult, subject: str = "the academy") -> Headline:
    """The overall level with the one sentence that says what holds it there.

    For example "Compliant, not Strategic, because 'Length of funding' is at First
    steps; raise it to Compliant and the academy reaches Strategic."
    """
    explanation = result.overall.explanation
    return Headline(
        level_name=explanation.level_name,
        next_level_name=explanation.next_level_name,
        holding=tuple(blocker.title for blocker in explanation.gate_blockers),
        score_short=explanation.below_threshold,
        sentence=reason(explanation, subject),
    )


def strongest_and_weakest(
    result: AssessmentResult, count: int = 3
) -> tuple[list[DomainResult], list[DomainResult]]:
    """The ``count`` highest-scoring assessed sections and the ``count`` lowest, never the
    same section in both (with fewer than twice ``count`` sections the weakest get what
    the strongest leave). Ties keep the questionnaire's order."""
    assessed = [domain for domain in result.domains if domain.score is not None]
    order = {domain.domain_id: index for index, domain in enumerate(result.domains)}
    strongest = sorted(assessed, key=lambda d: (-(d.score or 0), order[d.domain_id]))[:count]
    taken = {domain.domain_id for domain in strongest}
    rest = [domain for domain in assessed if domain.domain_id not in taken]
    weakest = sorted(rest, key=lambda d: (d.score or 0, order[d.domain_id]))[:count]
    return strongest, weakest
