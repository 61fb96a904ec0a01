"""A submitted result's scores and levels alone: what comparing it with others reads.

Benchmarks (``benchmark.domain_spreads``, ``benchmark.overall_spread``) and peers
(``peers.find_peers``) read only each other academy's questionnaire, its domains' ids,
titles, scores and levels and its overall score and level, never the indicators or the
explanation. A :class:`ResultSummary` holds just that, so a service can build the other
academies' side of a comparison from narrow table rows instead of parsing every frozen
snapshot. ``ResultSummary.of(result)`` gives the same figures as the full result.
Pure Python.
"""

from __future__ import annotations

from dataclasses import dataclass

from maturity.framework.scoring import AssessmentResult


@dataclass(frozen=True)
class DomainSummary:
    """One domain's score (one decimal) and level, or None for both when not assessed."""

    domain_id: str
    title: str
    score: float | None
    level: int | None
    level_name: str | None


@dataclass(frozen=True)
class OverallSummary:
    """The whole assessment's score and level."""

    score: float | None
    level: int | None
    level_name: str | None


@dataclass(frozen=True)
class ResultSummary:
    """An assessment's scores and levels, domain by domain in the questionnaire's order."""

    questionnaire_id: str
    questionnaire_version: str
    domains: tuple[DomainSummary, ...]
    overall: OverallSummary

    @classmethod
    def of(cls, result: AssessmentResult) -> ResultSummary:
        """The summary of a full result (the same figures, nothing else)."""
        return cls(
            questionnaire_id=result.questionnaire_id,
            questionnaire_version=result.questionnaire_version,
            domains=tuple(
                DomainSummary(d.domain_id, d.title, d.score, d.level, d.level_name)
                for d in result.domains
            ),
            overall=OverallSummary(
                result.overall.score, result.overall.level, result.overall.level_name
            ),
        )


Scores = AssessmentResult | ResultSummary
"""What benchmarks and peers accept for another academy: a full result or its summary."""
