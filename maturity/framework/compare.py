"""Compare two assessment results of the same questionnaire, possibly of different versions.

Domains and indicators are matched by id (ids are stable across versions by rule). Anything
present in only one of the two results is listed and described in ``notes`` instead of being
compared.
"""

from dataclasses import dataclass
from fractions import Fraction
from typing import Literal

from maturity.framework.scoring import AssessmentResult, Status

__all__ = ["Comparison", "DomainChange", "IndicatorChange", "ScoreChange", "compare"]

Direction = Literal["up", "down", "same"]


def _delta(before: float | None, after: float | None) -> float | None:
    if before is None or after is None:
        return None
    # Through the decimal text: 3.1 - 2.9 is 0.2, not 0.20000000000000018.
    return float(Fraction(str(after)) - Fraction(str(before)))


def _level_delta(before: int | None, after: int | None) -> int | None:
    return None if before is None or after is None else after - before


@dataclass(frozen=True)
class ScoreChange:
    """Score and level before and after; deltas are None unless both sides were assessed."""

    score_before: float | None
    score_after: float | None
    score_delta: float | None
    level_before: int | None
    level_before_name: str | None
    level_after: int | None
    level_after_name: str | None
    level_delta: int | None

    @property
    def direction(self) -> Direction | None:
        """up / down / same by score, or None when either side has no score."""
        if self.score_delta is None:
            return None
        return "up" if self.score_delta > 0 else "down" if self.score_delta < 0 else "same"


@dataclass(frozen=True)
class DomainChange(ScoreChange):
    """A domain's change; ``title`` is the later version's."""

    domain_id: str
    title: str


@dataclass(frozen=True)
class IndicatorChange:
    """An indicator's change; ``title`` and ``domain_id`` are the later version's."""

    indicator_id: str
    title: str
    domain_id: str
    status_before: Status
    status_after: Status
    level_before: int | None
    level_before_name: str | None
    level_after: int | None
    level_after_name: str | None
    level_delta: int | None


@dataclass(frozen=True)
class Comparison:
    """Change from ``a`` (earlier) to ``b`` (later), matched by id, with notes in words."""

    questionnaire_id: str
    version_before: str
    version_after: str
    overall: ScoreChange
    domains: tuple[DomainChange, ...]
    indicators: tuple[IndicatorChange, ...]
    domains_only_before: tuple[str, ...]
    domains_only_after: tuple[str, ...]
    indicators_only_before: tuple[str, ...]
    indicators_only_after: tuple[str, ...]
    notes: tuple[str, ...]

    @property
    def same_version(self) -> bool:
        """Whether both results come from the same questionnaire version."""
        return self.version_before == self.version_after

    @property
    def fully_comparable(self) -> bool:
        """Whether every domain and indicator appears in both results."""
        return not (
            self.domains_only_before
            or self.domains_only_after
            or self.indicators_only_before
            or self.indicators_only_after
        )

    def domain(self, domain_id: str) -> DomainChange:
        """The change for a domain present in both results; ``KeyError`` otherwise."""
        for change in self.domains:
            if change.domain_id == domain_id:
                return change
        raise KeyError(f"domain '{domain_id}' is not in both results")

    def indicator(self, indicator_id: str) -> IndicatorChange:
        """The change for an indicator present in both results; ``KeyError`` otherwise."""
        for change in self.indicators:
            if change.indicator_id == indicator_id:
                return change
        raise KeyError(f"indicator '{indicator_id}' is not in both results")


def _quoted(titles: list[str]) -> str:
    return ", ".join(f"'{title}'" for title in titles)


def _notes(
    a: AssessmentResult, b: AssessmentResult, comparison_parts: dict[str, list[str]]
) -> list[str]:
    before, after = a.questionnaire_version, b.questionnaire_version
    notes: list[str] = []
    if before == after:
        notes.append(
            f"Both assessments use version {before} of the questionnaire, so every section and "
            "question is compared."
        )
    else:
        notes.append(
            f"The earlier assessment used version {before} and the later one version {after}: "
            "sections and questions are compared where both versions have them."
        )
    titles_a = {d.domain_id: d.title for d in a.domains}
    titles_b = {d.domain_id: d.title for d in b.domains}
    ind_a = {i.indicator_id: i.title for i in a.indicators}
    ind_b = {i.indicator_id: i.title for i in b.indicators}
    for domain_id in comparison_parts["domains_only_before"]:
        notes.append(
            f"Section '{titles_a[domain_id]}' is only in version {before}, so it is not compared."
        )
    for domain_id in comparison_parts["domains_only_after"]:
        notes.append(
            f"Section '{titles_b[domain_id]}' is new in version {after}, "
            "so it has no earlier score."
        )
    only_before = [ind_a[i] for i in comparison_parts["indicators_only_before"]]
    if only_before:
        notes.append(
            f"{len(only_before)} question{'s are' if len(only_before) != 1 else ' is'} only in "
            f"version {before} and not compared: {_quoted(only_before)}."
        )
    only_after = [ind_b[i] for i in comparison_parts["indicators_only_after"]]
    if only_after:
        plural = len(only_after) != 1
        notes.append(
            f"{len(only_after)} question{'s are' if plural else ' is'} new in version {after} "
            f"and {'have' if plural else 'has'} no earlier answer: {_quoted(only_after)}."
        )
    changed = comparison_parts["domains_with_changed_indicators"]
    if changed:
        notes.append(
            f"{_quoted([titles_b[d] for d in changed])} asked different questions in the two "
            "versions, so part of the change in score comes from the change in questions."
        )
    if [(lv.value, lv.name) for lv in a.levels] != [(lv.value, lv.name) for lv in b.levels]:
        notes.append("The level scale differs between the versions; levels are compared by number.")
    return notes


def compare(a: AssessmentResult, b: AssessmentResult) -> Comparison:
    """Compare ``a`` (earlier) with ``b`` (later) of the same questionnaire id.

    Guarantees: every domain and indicator id appears exactly once, either as a change (in
    ``b``'s order) or in one of the ``only`` lists; with the same version everything is
    compared. Raises ``ValueError`` if the results are of different questionnaires.
    """
    if a.questionnaire_id != b.questionnaire_id:
        raise ValueError(
            f"cannot compare '{a.questionnaire_id}' with '{b.questionnaire_id}': "
            "they are different questionnaires"
        )
    domains_a = {d.domain_id: d for d in a.domains}
    indicators_a = {i.indicator_id: i for i in a.indicators}
    ids_b = {i.indicator_id for i in b.indicators}
    domain_ids_b = {d.domain_id for d in b.domains}

    domains = tuple(
        DomainChange(
            domain_id=d.domain_id,
            title=d.title,
            score_before=domains_a[d.domain_id].score,
            score_after=d.score,
            score_delta=_delta(domains_a[d.domain_id].score, d.score),
            level_before=domains_a[d.domain_id].level,
            level_before_name=domains_a[d.domain_id].level_name,
            level_after=d.level,
            level_after_name=d.level_name,
            level_delta=_level_delta(domains_a[d.domain_id].level, d.level),
        )
        for d in b.domains
        if d.domain_id in domains_a
    )
    indicators = tuple(
        IndicatorChange(
            indicator_id=i.indicator_id,
            title=i.title,
            domain_id=i.domain_id,
            status_before=indicators_a[i.indicator_id].status,
            status_after=i.status,
            level_before=indicators_a[i.indicator_id].level,
            level_before_name=indicators_a[i.indicator_id].level_name,
            level_after=i.level,
            level_after_name=i.level_name,
            level_delta=_level_delta(indicators_a[i.indicator_id].level, i.level),
        )
        for i in b.indicators
        if i.indicator_id in indicators_a
    )
    parts = {
        "domains_only_before": [d.domain_id for d in a.domains if d.domain_id not in domain_ids_b],
        "domains_only_after": [d.domain_id for d in b.domains if d.domain_id not in domains_a],
        "indicators_only_before": [
            i.indicator_id for i in a.indicators if i.indicator_id not in ids_b
        ],
        "indicators_only_after": [
            i.indicator_id for i in b.indicators if i.indicator_id not in indicators_a
        ],
        "domains_with_changed_indicators": [
            d.domain_id
            for d in b.domains
            if d.domain_id in domains_a
            and {i.indicator_id for i in d.indicators}
            != {i.indicator_id for i in domains_a[d.domain_id].indicators}
        ],
    }
    return Comparison(
        questionnaire_id=b.questionnaire_id,
        version_before=a.questionnaire_version,
        version_after=b.questionnaire_version,
        overall=ScoreChange(
            score_before=a.overall.score,
            score_after=b.overall.score,
            score_delta=_delta(a.overall.score, b.overall.score),
            level_before=a.overall.level,
            level_before_name=a.overall.level_name,
            level_after=b.overall.level,
            level_after_name=b.overall.level_name,
            level_delta=_level_delta(a.overall.level, b.overall.level),
        ),
        domains=domains,
        indicators=indicators,
        domains_only_before=tuple(parts["domains_only_before"]),
        domains_only_after=tuple(parts["domains_only_after"]),
        indicators_only_before=tuple(parts["indicators_only_before"]),
        indicators_only_after=tuple(parts["indicators_only_after"]),
        notes=tuple(_notes(a, b, parts)),
    )
