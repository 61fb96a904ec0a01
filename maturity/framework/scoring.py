"""Turn answers into domain and overall scores and levels, each with its explanation.

The rules, in one place:

* An indicator's answer is a level (1..N), "not applicable" (with a reason, only where the
  indicator allows it) or nothing yet. Only levels count towards scores: not applicable and
  unanswered indicators are left out of the mean, never counted as zero.
* A score is the weighted mean of the answered levels, rounded to one decimal place with halves
  rounded up (2.25 → 2.3). Arithmetic is exact, so 2.95 is 2.95, not 2.9499…: weights are
  taken as the decimals their authors wrote and scaled, once per questionnaire, to whole
  numbers over a common denominator; sums, the rounding and the threshold comparisons are
  then done in integers (see ``_Plan``).
* The level is decided on that rounded score, so the number people see is the number compared
  with the thresholds: the level is the highest L with ``score >= thresholds[L]`` and no answered
  indicator more than ``gate`` levels below L; the lowest level if no higher level qualifies.
  Rounding never decreases as the mean rises, so raising an answer never lowers a score or a
  level.
* A domain with no answered indicator has no score and no level: it is "not yet assessed".
* The overall score and level use the same rule over every answered indicator in the
  questionnaire (a pooled weighted mean, not a mean of domain scores).
"""

import math
import types
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields, is_dataclass
from fractions import Fraction
from functools import cache, cached_property, lru_cache
from itertools import chain
from typing import Any, Literal, TypeVar, Union, get_args, get_origin, get_type_hints

from maturity.framework.memo import once_per
from maturity.framework.schema import Domain, Questionnaire

__all__ = [
    "RESULT_FORMAT",
    "Answer",
    "AssessmentResult",
    "Completeness",
    "Contribution",
    "DomainResult",
    "Explanation",
    "GateBlocker",
    "IndicatorResult",
    "LevelInfo",
    "OverallResult",
    "Status",
    "format_score",
    "score",
]

RESULT_FORMAT = "academy-maturity/assessment-result"
RESULT_FORMAT_VERSION = 1

Status = Literal["answered", "not_applicable", "unanswered"]
LIST_ANSWERS_UP_TO = 12
OVERALL_SUBJECT = "The whole assessment"


@dataclass(frozen=True)
class Answer:
    """One answer. ``level`` None and ``not_applicable`` False means "not answered yet"."""

    level: int | None = None
    not_applicable: bool = False
    reason: str | None = None

    def __post_init__(self) -> None:
        if self.level is not None and (
            isinstance(self.level, bool) or not isinstance(self.level, int)
        ):
            raise ValueError(f"an answer's level must be a whole number, not {self.level!r}")
        if self.not_applicable and self.level is not None:
            raise ValueError("an answer cannot both have a level and be 'not applicable'")
        if self.not_applicable and not (self.reason and self.reason.strip()):
            raise ValueError("a 'not applicable' answer needs a reason")

    @classmethod
    def na(cls, reason: str) -> "Answer":
        """A "not applicable" answer; raises ``ValueError`` if the reason is blank."""
        return cls(level=None, not_applicable=True, reason=reason)

    @property
    def status(self) -> Status:
        """answered, not_applicable or unanswered."""
        if self.not_applicable:
            return "not_applicable"
        return "answered" if self.level is not None else "unanswered"


# --- result types ------------------------------------------------------------------------------


@dataclass(frozen=True)
class LevelInfo:
    """A level of the scale as the result saw it; ``threshold`` is None for the lowest."""

    value: int
    name: str
    threshold: float | None


@dataclass(frozen=True)
class IndicatorResult:
    """The outcome for one indicator."""

    indicator_id: str
    title: str
    domain_id: str
    weight: float
    status: Status
    level: int | None
    level_name: str | None
    reason: str | None


@dataclass(frozen=True)
class Completeness:
    """How many indicators are answered, not applicable, or still to answer."""

    answered: int
    not_applicable: int
    unanswered: int

    @property
    def total(self) -> int:
        """Every indicator counted."""
        return self.answered + self.not_applicable + self.unanswered

    @property
    def done(self) -> int:
        """Indicators answered or marked not applicable."""
        return self.answered + self.not_applicable

    @property
    def fraction(self) -> float:
        """``done / total`` in [0, 1] (1.0 when there is nothing to answer)."""
        return self.done / self.total if self.total else 1.0

    @property
    def complete(self) -> bool:
        """Whether every indicator is answered or not applicable."""
        return self.unanswered == 0

    @property
    def text(self) -> str:
        """For example "4 of 5 indicators done (3 answered, 1 not applicable)"."""
        noun = "indicator" if self.total == 1 else "indicators"
        parts = f"{self.answered} answered"
        if self.not_applicable:
            parts += f", {self.not_applicable} not applicable"
        return f"{self.done} of {self.total} {noun} done ({parts})"

    def _derived(self) -> dict[str, Any]:
        return {"total": self.total, "done": self.done, "fraction": self.fraction}


@dataclass(frozen=True)
class Contribution:
    """An answered indicator that went into a score."""

    indicator_id: str
    title: str
    level: int
    level_name: str
    weight: float


@dataclass(frozen=True)
class GateBlocker:
    """An answer too far below the next level: it must reach ``needed_level`` first."""

    indicator_id: str
    title: str
    level: int
    level_name: str
    needed_level: int
    needed_level_name: str


@dataclass(frozen=True)
class Explanation:
    """Why a domain (or the whole assessment) got its score and level, and how to go higher.

    The phrases and sentences (``held_down_by``, ``lifts``, ``text``) are written on first
    use and kept: scoring fills in only the structured fields.

    ``score_level`` is the level the score alone would reach; when it is above ``level`` the
    gate is holding the level down. ``next_level`` is None at the top of the scale or when
    nothing is answered. ``gate_blockers`` are the answers that stop ``next_level`` through the
    gate; ``below_threshold`` says whether the score is also short of ``next_threshold``.
    """

    subject: str
    score: float | None
    level: int | None
    level_name: str | None
    score_level: int | None
    score_level_name: str | None
    contributions: tuple[Contribution, ...]
    next_level: int | None
    next_level_name: str | None
    next_threshold: float | None
    gate: int
    gate_blockers: tuple[GateBlocker, ...]
    indicator_count: int

    @property
    def assessed(self) -> bool:
        """Whether at least one indicator is answered."""
        return self.score is not None

    @property
    def below_threshold(self) -> bool:
        """Whether the score is short of the next level's threshold.

        Compared as the decimals they print as, exactly. Comparing the floats gives the same
        answer: each float is the one its shortest decimal reads back as, and reading decimals
        as floats never reverses their order.
        """
        return (
            self.score is not None
            and self.next_threshold is not None
            and self.score < self.next_threshold
        )

    def _blocker_groups(self) -> list[tuple[str, str, list[str]]]:
        """(level name, needed level name, titles) for blockers sharing both, in order."""
        groups: dict[tuple[str, str], list[str]] = {}
        for blocker in self.gate_blockers:
            key = (blocker.level_name, blocker.needed_level_name)
            groups.setdefault(key, []).append(blocker.title)
        return [(have, need, titles) for (have, need), titles in groups.items()]

    @cached_property
    def held_down_by(self) -> tuple[str, ...]:
        """Phrases saying why the next level is not reached (empty at the top).

        The threshold shortfall comes first, then one phrase per group of gate blockers at the
        same level.
        """
        if self.next_level is None or self.score is None:
            return ()
        reasons: list[str] = []
        if self.below_threshold:
            assert self.next_threshold is not None
            reasons.append(
                f"the score {format_score(self.score)} is below "
                f"{format_score(self.next_threshold)}, the threshold for {self.next_level_name}"
            )
        distance = (
            f"more than {self.gate} level{'s' if self.gate != 1 else ''} below"
            if self.gate
            else "below"
        )
        for have, _need, titles in self._blocker_groups():
            verb = "is" if len(titles) == 1 else "are"
            reasons.append(
                f"{_join_titles(titles)} {verb} at {have}, {distance} {self.next_level_name}"
            )
        return tuple(reasons)

    @cached_property
    def lifts(self) -> tuple[str, ...]:
        """Instructions that together reach the next level (empty at the top).

        For example "raise the score from 2.6 to 3.0" and "raise 'Core funding' from First
        steps to Compliant" (answers needing the same move are named together).
        """
        if self.next_level is None or self.score is None:
            return ()
        steps: list[str] = []
        if self.below_threshold:
            assert self.next_threshold is not None
            steps.append(
                f"raise the score from {format_score(self.score)} to "
                f"{format_score(self.next_threshold)}"
            )
        steps.extend(
            f"raise {_join_titles(titles)} from {have} to {need}"
            for have, need, titles in self._blocker_groups()
        )
        return tuple(steps)

    @cached_property
    def text(self) -> str:
        """The explanation as plain sentences.

        Answers are listed one by one when there are at most ``LIST_ANSWERS_UP_TO`` of them;
        beyond that (typically the whole assessment) only their number is given.
        """
        if self.score is None:
            return (
                f"{self.subject} is not yet assessed: none of its {self.indicator_count} "
                "indicators has a level answer."
            )
        count = len(self.contributions)
        answers = ""
        if count <= LIST_ANSWERS_UP_TO:
            answers = ": " + ", ".join(
                f"'{c.title}' {c.level_name} (weight {_number(c.weight)})"
                for c in self.contributions
            )
        sentences = [
            f"{self.subject} is at {self.level_name} with a score of {format_score(self.score)}, "
            f"the weighted mean of {count} answer{'s' if count != 1 else ''}{answers}."
        ]
        if (
            self.score_level is not None
            and self.level is not None
            and self.score_level > self.level
        ):
            sentences.append(
                f"The score alone would reach {self.score_level_name}, but the gate holds "
                f"it at {self.level_name}."
            )
        if self.next_level is None:
            sentences.append(f"{self.level_name} is the top level.")
        else:
            sentences.append(
                f"It is not at {self.next_level_name} because "
                + "; and ".join(self.held_down_by)
                + "."
            )
            sentences.append(f"To reach {self.next_level_name}: " + "; ".join(self.lifts) + ".")
        return " ".join(sentences)

    def _derived(self) -> dict[str, Any]:
        return {
            "below_threshold": self.below_threshold,
            "held_down_by": list(self.held_down_by),
            "lifts": list(self.lifts),
            "text": self.text,
        }


class _Scored:
    """What domain and overall results share: assessed or not, and the explanation."""

    score: float | None
    explanation: Explanation
    completeness: Completeness

    @property
    def assessed(self) -> bool:
        """Whether at least one indicator has a level answer."""
        return self.score is not None

    @property
    def text(self) -> str:
        """The explanation as plain sentences, with completeness."""
        return f"{self.explanation.text} {self.completeness.text.capitalize()}."


@dataclass(frozen=True)
class DomainResult(_Scored):
    """A domain's score (one decimal) and level, or None for both when not yet assessed."""

    domain_id: str
    title: str
    score: float | None
    level: int | None
    level_name: str | None
    completeness: Completeness
    indicators: tuple[IndicatorResult, ...]
    explanation: Explanation


@dataclass(frozen=True)
class OverallResult(_Scored):
    """The whole assessment's score and level, over every answered indicator."""

    score: float | None
    level: int | None
    level_name: str | None
    completeness: Completeness
    explanation: Explanation


@dataclass(frozen=True)
class AssessmentResult:
    """Everything a results page needs, frozen; ``to_dict`` / ``from_dict`` round-trip exactly."""

    questionnaire_id: str
    questionnaire_version: str
    questionnaire_title: str
    purpose: str
    levels: tuple[LevelInfo, ...]
    gate: int
    domains: tuple[DomainResult, ...]
    overall: OverallResult

    def domain(self, domain_id: str) -> DomainResult:
        """The domain's result; ``KeyError`` if the questionnaire had no such domain."""
        for domain in self.domains:
            if domain.domain_id == domain_id:
                return domain
        raise KeyError(f"no domain '{domain_id}' in this result")

    def indicator(self, indicator_id: str) -> IndicatorResult:
        """The indicator's result; ``KeyError`` if the questionnaire had no such indicator."""
        for domain in self.domains:
            for indicator in domain.indicators:
                if indicator.indicator_id == indicator_id:
                    return indicator
        raise KeyError(f"no indicator '{indicator_id}' in this result")

    @property
    def indicators(self) -> tuple[IndicatorResult, ...]:
        """Every indicator result, domain by domain."""
        return tuple(chain.from_iterable(domain.indicators for domain in self.domains))

    def level_name(self, value: int) -> str:
        """The name of a level of this result's scale; ``KeyError`` if unknown."""
        for level in self.levels:
            if level.value == value:
                return level.name
        raise KeyError(f"no level {value} in this result")

    @property
    def text(self) -> str:
        """Overall explanation, then one paragraph per domain."""
        return "\n\n".join([self.overall.text, *(domain.text for domain in self.domains)])

    def to_dict(self) -> dict[str, Any]:
        """A JSON-serialisable snapshot: plain dicts, lists, strings, numbers, bools and None.

        Derived conveniences (explanation text, completeness fractions) are included for
        readers of the snapshot and ignored by :meth:`from_dict`, which recomputes them.
        """
        data = _encode(self)
        assert isinstance(data, dict)
        return {"format": RESULT_FORMAT, "format_version": RESULT_FORMAT_VERSION, **data}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "AssessmentResult":
        """Rebuild a result from :meth:`to_dict` output (also after a JSON round trip).

        Guarantees ``AssessmentResult.from_dict(r.to_dict()) == r``; raises ``ValueError`` for
        anything that is not a snapshot this code can read.
        """
        if data.get("format") != RESULT_FORMAT:
            raise ValueError("not an assessment result snapshot (missing or wrong 'format')")
        version = data.get("format_version")
        if not isinstance(version, int) or version > RESULT_FORMAT_VERSION:
            raise ValueError(f"unsupported assessment result format_version {version!r}")
        decoded = _decode(cls, data, "result")
        assert isinstance(decoded, cls)
        return decoded


# --- scoring -----------------------------------------------------------------------------------


@lru_cache(maxsize=1024, typed=True)
def format_score(value: float) -> str:
    """A score or threshold for people: one decimal place, more only if the value has them."""
    if Fraction(str(value)) * 10 == int(Fraction(str(value)) * 10):
        return f"{value:.1f}"
    return f"{value:g}"


def _join_titles(titles: Sequence[str]) -> str:
    quoted = [f"'{title}'" for title in titles]
    return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " and " + quoted[-1]


def _number(value: float) -> str:
    return f"{value:g}"


def _exact(value: float) -> Fraction:
    # Via the decimal text, so 0.1 means one tenth as the author wrote it, not the binary float.
    return Fraction(repr(float(value)))


def _tenths_needed(threshold: Fraction) -> int:
    """The fewest whole tenths reaching the threshold: ``k / 10 >= t`` iff ``k >= ⌈10t⌉``."""
    return -((-threshold.numerator * 10) // threshold.denominator)


_Built = TypeVar("_Built")


def _built(cls: type[_Built], values: dict[str, Any]) -> _Built:
    """A frozen dataclass instance from a new dict of every one of its fields, which it
    takes as its own ``__dict__``.

    The objects scoring makes tens of per assessment (explanations, domain results,
    completeness) are made this way, not through the generated ``__init__`` (which sets
    each field through ``object.__setattr__`` and was a fifth of the time scoring took)
    nor from keyword arguments (building a dict of a dozen keywords costs more than
    copying a prepared one and filling in what differs). The instance is the one
    ``cls(**values)`` makes (equal, hashable, the same ``repr``); the tests compare
    results with those rebuilt by ``from_dict``, which uses ``__init__``."""
    made = _new(cls)
    _set(made, "__dict__", values)
    return made


_new, _set = object.__new__, object.__setattr__


def _rounded_tenths(weighted: int, weight: int) -> int:
    """``weighted / weight`` in tenths, halves up: ``⌊10·w/W + ½⌋ = ⌊(20w + W) / 2W⌋``."""
    return (20 * weighted + weight) // (2 * weight)


# An answer as scoring keeps it, by indicator number: the indicator's result, its
# contribution (None unless answered with a level), scaled weight × level and scaled weight
# (0 and 0 unless answered), the level (``_NO_LEVEL`` unless answered), 1 if "not
# applicable" (else 0), and the gate blocker it is for each level above its own. Bare
# levels (the usual case) and unanswered indicators share entries made once per
# questionnaire. Scoring a domain transposes its entries (``zip(*entries)``) and sums or
# filters the columns: loops in C, not in Python.
_Entry = tuple[IndicatorResult, Contribution | None, int, int, int, int, dict[int, "GateBlocker"]]
_NO_LEVEL = 1 << 30  # above any level, so the lowest answered level is the column's minimum


_Scores = tuple[float | None, int | None, Explanation]
# See _Plan._outcome: the score, the level, the level answers need so as not to block the
# next one, and the explanation's fields these decide.
_Outcome = tuple[float, int, int | None, dict[str, Any]]


class _Plan:
    """What scoring needs from one questionnaire, worked out once per questionnaire object.

    Arithmetic stays exact in integers. Each weight is taken as the decimal its author wrote
    (``_exact``) and multiplied by the least common multiple of their denominators, so every
    weight is a whole number and a weighted mean ``Σ wᵢlᵢ / Σ wᵢ`` is unchanged. A score is a
    whole number of tenths (``_rounded_tenths``) and each threshold the whole number of tenths
    that reaches it (``_tenths_needed``), so comparing them is comparing the score people see
    with the threshold, exactly.

    Indicators are numbered in file order; each domain is a range of those numbers. Result
    objects that depend only on an indicator and a level are frozen, so they are made here
    once and shared by every result: an indicator's result when answered with a bare level
    or not at all, its contribution, a domain's "not yet assessed" explanation.
    """

    def __init__(self, questionnaire: Questionnaire) -> None:
        scoring = questionnaire.scoring
        self.top_answer = len(questionnaire.levels)  # answers must be on 1..this
        self.names: dict[int, str] = {level.value: level.name for level in questionnaire.levels}
        self.top = max(self.names)
        self.gate = scoring.gate
        # (level, tenths needed) for every level above the lowest, lowest first.
        self.thresholds = tuple(
            (value, _tenths_needed(_exact(scoring.thresholds[value])))
            for value in sorted(self.names)
            if value in scoring.thresholds
        )
        self.threshold_of = {value: float(minimum) for value, minimum in scoring.thresholds.items()}
        # evaluate's outcomes by score in tenths and lowest answer (tenths × base + lowest).
        self.outcomes: dict[int, _Outcome] = {}
        self.outcome_base = max(self.top, self.top_answer) + 1
        self.levels = tuple(
            LevelInfo(level.value, level.name, scoring.thresholds.get(level.value))
            for level in questionnaire.levels
        )
        indicators = [
            (domain, indicator)
            for domain in questionnaire.domains
            for indicator in domain.indicators
        ]
        self.indicators = tuple(indicator for _domain, indicator in indicators)
        self.domain_ids = tuple(domain.id for domain, _indicator in indicators)
        self.position = {indicator.id: i for i, indicator in enumerate(self.indicators)}
        self.allows_not_applicable = tuple(
            indicator.allow_not_applicable for indicator in self.indicators
        )
        exact = [_exact(indicator.weight) for indicator in self.indicators]
        scale = math.lcm(*(weight.denominator for weight in exact))
        self.weights = tuple(int(weight * scale) for weight in exact)
        # Entries (see _Entry) for every indicator unanswered, and answered with each level.
        self.unanswered: list[_Entry] = [
            self.entry(i, "unanswered", None, None) for i in range(len(self.indicators))
        ]
        self.answered = tuple(
            {value: self.entry(i, "answered", value, None) for value in self.names}
            for i in range(len(self.indicators))
        )
        # Each domain, the slice of indicator numbers it holds, its "not yet assessed".
        self.domains: list[tuple[Domain, slice, Explanation]] = []
        start = 0
        for domain in questionnaire.domains:
            stop = start + len(domain.indicators)
            self.domains.append(
                (domain, slice(start, stop), self._not_assessed(domain.title, stop - start))
            )
            start = stop
        self.nothing_assessed = self._not_assessed(OVERALL_SUBJECT, len(self.indicators))

    # Building result objects.

    def indicator_result(
        self, i: int, status: Status, level: int | None, reason: str | None
    ) -> IndicatorResult:
        indicator = self.indicators[i]
        return IndicatorResult(
            indicator_id=indicator.id,
            title=indicator.title,
            domain_id=self.domain_ids[i],
            weight=indicator.weight,
            status=status,
            level=level,
            level_name=self.names[level] if level is not None else None,
            reason=reason,
        )

    def entry(self, i: int, status: Status, level: int | None, reason: str | None) -> _Entry:
        """The indicator's entry (see _Entry) for an answer with this status, level and
        reason."""
        result = self.indicator_result(i, status, level, reason)
        if level is None:
            return (result, None, 0, 0, _NO_LEVEL, int(status == "not_applicable"), {})
        weight = self.weights[i]
        contribution = self.contribution(i, level)
        blockers = {
            needed: self._blocker(contribution, needed) for needed in self.names if needed > level
        }
        return (result, contribution, weight * level, weight, level, 0, blockers)

    def contribution(self, i: int, level: int) -> Contribution:
        indicator = self.indicators[i]
        return Contribution(
            indicator.id, indicator.title, level, self.names[level], indicator.weight
        )

    def _blocker(self, contribution: Contribution, needed: int) -> GateBlocker:
        level = contribution.level
        return GateBlocker(
            contribution.indicator_id,
            contribution.title,
            level,
            self.names[level],
            needed,
            self.names[needed],
        )

    def _not_assessed(self, subject: str, indicator_count: int) -> Explanation:
        return Explanation(
            subject=subject,
            score=None,
            level=None,
            level_name=None,
            score_level=None,
            score_level_name=None,
            contributions=(),
            next_level=None,
            next_level_name=None,
            next_threshold=None,
            gate=self.gate,
            gate_blockers=(),
            indicator_count=indicator_count,
        )

    # Reading answers.

    def given(
        self, questionnaire: Questionnaire, answers: Mapping[str, Answer | int]
    ) -> list[_Entry]:
        """The answers' entries by indicator number; ``ValueError`` naming every problem."""
        problems: list[str] = []
        given = self.unanswered.copy()
        top = self.top_answer
        answered = self.answered
        for indicator_id, raw in answers.items():
            i = self.position.get(indicator_id)
            if i is None:
                problems.append(f"answer for unknown indicator {indicator_id!r}")
                continue
            level: int | None
            if type(raw) is Answer and raw.reason is None and type(raw.level) is int:
                # The usual case: a level and nothing more ("not applicable" needs a reason).
                level = raw.level
                bare = True
            elif type(raw) is int:
                level = raw
                bare = True
            elif isinstance(raw, Answer):
                if raw.not_applicable and not self.allows_not_applicable[i]:
                    problems.append(f"'{indicator_id}' cannot be answered 'not applicable'")
                    continue
                level = raw.level
                # A bare level keeps no more than its number.
                bare = raw.reason is None and type(level) is int
            elif isinstance(raw, int) and not isinstance(raw, bool):
                raw = Answer(level=raw)  # an int subclass, kept as given
                level = raw.level
                bare = False
            else:
                problems.append(
                    f"answer for '{indicator_id}' must be a level number or an Answer, not {raw!r}"
                )
                continue
            if level is not None and not 1 <= level <= top:
                problems.append(
                    f"answer for '{indicator_id}' is level {level}, outside the scale 1–{top}"
                )
            elif bare:
                given[i] = answered[i][level]  # type: ignore[index]  # bare: level is an int
            else:
                assert isinstance(raw, Answer)
                given[i] = self.entry(i, raw.status, level, raw.reason)
        if problems:
            raise ValueError(f"invalid answers for {questionnaire.label}: " + "; ".join(problems))
        return given

    # Scoring.

    def evaluate(
        self,
        subject: str,
        entries: Sequence[_Entry],
        contributions: tuple[Contribution, ...],
        weighted: int,
        weight: int,
        lowest: int,
    ) -> _Scores:
        """Score, level and explanation of ``entries``, which hold at least one answered
        indicator: their answered ones' contributions, their sums of scaled weight × level
        and of scaled weight, and their lowest level."""
        tenths = _rounded_tenths(weighted, weight)
        key = tenths * self.outcome_base + lowest
        outcome = self.outcomes.get(key)
        if outcome is None:
            outcome = self.outcomes[key] = self._outcome(tenths, lowest)
        rounded, level, needed, decided = outcome
        blockers: tuple[GateBlocker, ...] = ()
        if needed is not None and lowest < needed:
            blockers = tuple(entry[6][needed] for entry in entries if entry[4] < needed)
        values = decided.copy()
        values["subject"] = subject
        values["contributions"] = contributions
        values["gate_blockers"] = blockers
        values["indicator_count"] = len(entries)
        return rounded, level, _built(Explanation, values)

    def _outcome(self, tenths: int, lowest: int) -> _Outcome:
        """What a score of ``tenths`` tenths and a lowest answer of ``lowest`` decide: the
        score, the level, the level an answer must reach not to block the next level (None
        at the top) and the explanation's fields that follow from these. They depend on
        nothing else, so :meth:`evaluate` keeps them by those two numbers."""
        # The highest level whose threshold the score reaches (and, for ``level``, that no
        # answer is more than the gate below); levels come lowest first, so the last found is
        # the highest.
        score_level = level = 1
        for value, needed_tenths in self.thresholds:
            if tenths >= needed_tenths:
                score_level = value
                if lowest >= value - self.gate:
                    level = value
        next_level = level + 1 if level < self.top else None
        rounded = tenths / 10  # the float nearest the exact tenths, as float(Fraction) gives
        decided = {
            "score": rounded,
            "level": level,
            "level_name": self.names[level],
            "score_level": score_level,
            "score_level_name": self.names[score_level],
            "next_level": next_level,
            "next_level_name": self.names[next_level] if next_level is not None else None,
            "next_threshold": self.threshold_of[next_level] if next_level is not None else None,
            "gate": self.gate,
            # Filled in by evaluate (here so that copies need not grow).
            "subject": "",
            "contributions": (),
            "gate_blockers": (),
            "indicator_count": 0,
        }
        needed = next_level - self.gate if next_level is not None else None
        return rounded, level, needed, decided


def _scored(
    plan: _Plan, subject: str, entries: Sequence[_Entry], not_assessed: Explanation
) -> tuple[dict[str, Any], tuple[IndicatorResult, ...]]:
    """The fields a domain's or the overall result has (score, level, level name,
    completeness, explanation) from the entries of its indicators, and their results."""
    results, contributions, scaled, weights, levels, not_applicable, _blockers = zip(
        *entries, strict=True
    )
    answered = tuple(filter(None, contributions))
    if answered:
        score_, level, explanation = plan.evaluate(
            subject, entries, answered, sum(scaled), sum(weights), min(levels)
        )
    else:
        score_, level, explanation = None, None, not_assessed
    skipped = sum(not_applicable)
    completeness = {
        "answered": len(answered),
        "not_applicable": skipped,
        "unanswered": len(entries) - len(answered) - skipped,
    }
    values = {
        "score": score_,
        "level": level,
        "level_name": plan.names[level] if level is not None else None,
        "completeness": _built(Completeness, completeness),
        "explanation": explanation,
    }
    return values, results


def score(questionnaire: Questionnaire, answers: Mapping[str, Answer | int]) -> AssessmentResult:
    """Score a set of answers (indicator id → Answer or bare level number).

    Guarantees: scores are None or in [1, N] with one decimal; levels are None or on the
    scale; not-applicable and unanswered indicators never affect a score; raising one answer
    never lowers any score or level; the same input always gives an equal result. Raises
    ``ValueError`` for unknown indicator ids, levels off the scale, or "not applicable" where
    the indicator does not allow it (all such problems in one message).
    """
    plan = once_per(questionnaire, _Plan)
    given = plan.given(questionnaire, answers)
    domains: list[DomainResult] = []
    for domain, numbers, not_assessed in plan.domains:
        values, results = _scored(plan, domain.title, given[numbers], not_assessed)
        values["domain_id"] = domain.id
        values["title"] = domain.title
        values["indicators"] = results
        domains.append(_built(DomainResult, values))
    overall, _results = _scored(plan, OVERALL_SUBJECT, given, plan.nothing_assessed)
    values = {
        "questionnaire_id": questionnaire.id,
        "questionnaire_version": questionnaire.version,
        "questionnaire_title": questionnaire.title,
        "purpose": questionnaire.purpose,
        "levels": plan.levels,
        "gate": plan.gate,
        "domains": tuple(domains),
        "overall": _built(OverallResult, overall),
    }
    return _built(AssessmentResult, values)


# --- snapshot encoding -------------------------------------------------------------------------


def _encode(value: Any) -> Any:
    if is_dataclass(value) and not isinstance(value, type):
        data = {f.name: _encode(getattr(value, f.name)) for f in fields(value)}
        derived = getattr(value, "_derived", None)
        if derived is not None:
            data.update(derived())
        return data
    if isinstance(value, tuple | list):
        return [_encode(item) for item in value]
    return value


@cache
def _shape(kind: Any) -> tuple[str, Any]:
    """How to decode a type, worked out once per type (``get_type_hints`` is slow, and a
    snapshot holds thousands of values of a few dozen types)."""
    origin = get_origin(kind)
    if origin is Union or origin is types.UnionType:
        options = tuple(option for option in get_args(kind) if option is not type(None))
        return "union", (options[0], len(options) < len(get_args(kind)))
    if origin is tuple:
        return "tuple", get_args(kind)[0]
    if origin is Literal:
        return "literal", get_args(kind)
    if isinstance(kind, type) and is_dataclass(kind):
        hints = get_type_hints(kind)
        return "dataclass", tuple((f.name, hints[f.name]) for f in fields(kind))
    return "scalar", None


def _decode(kind: Any, value: Any, where: str) -> Any:
    shape, detail = _shape(kind)
    if shape == "union":
        option, optional = detail
        if value is None and optional:
            return None
        return _decode(option, value, where)
    if shape == "tuple":
        if not isinstance(value, list | tuple):
            raise ValueError(f"{where}: expected a list, got {value!r}")
        return tuple(_decode(detail, item, f"{where}[{i}]") for i, item in enumerate(value))
    if shape == "literal":
        if value not in detail:
            raise ValueError(f"{where}: {value!r} is not one of {detail}")
        return value
    if shape == "dataclass":
        if not isinstance(value, Mapping):
            raise ValueError(f"{where}: expected an object, got {value!r}")
        missing = [name for name, _hint in detail if name not in value]
        if missing:
            raise ValueError(f"{where}: missing {', '.join(missing)}")
        return kind(
            **{name: _decode(hint, value[name], f"{where}.{name}") for name, hint in detail}
        )
    return _decode_scalar(kind, value, where)


def _decode_scalar(kind: Any, value: Any, where: str) -> Any:
    if kind is float and isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    if kind is int and isinstance(value, int) and not isinstance(value, bool):
        return value
    if kind in (str, bool) and isinstance(value, kind):
        return value
    raise ValueError(f"{where}: expected {getattr(kind, '__name__', kind)}, got {value!r}")
