"""Peers: academies of similar context that are stronger where you are weak.

Distance, as CIPFA's Nearest Neighbours model does it
-----------------------------------------------------
One row per profile, the target and every candidate, with these columns:

* ``kind``, ``region``, ``host_body_type``, ``delivery_mode``, ``locality`` and ``funding_mix``
  as 0/1 indicator columns, one per category met among the rows (one-hot);
* ``years_running`` as a number.

A missing value (``locality``, ``funding_mix`` or ``years_running`` of None) is replaced by the
column's mean over the rows that have the value, in every column of that variable. After
standardising, that is 0: the unknown tells nothing either way, instead of making two
"unknown" academies look alike. A variable nobody has a value for is left out.

Every column is then standardised over all rows (mean 0, population standard deviation 1); a
column with standard deviation 0 is the same for everyone, carries no information and is
dropped. The distance from the target to each candidate is the Euclidean distance between the
standardised rows, rescaled so that the farthest candidate is 1. When every distance is 0
(every row alike) or there is a single candidate, there is nothing to scale against and every
distance is 0. Because of the rescaling, population and sample standard deviations give the
same result. All variables weigh the same per column.

Worked example: a target T and candidates A and B, alike except for the region (T and A in
the North West, B in the North East) and years running (T 4, A 2, B 6). Region gives two
columns, north-west (1, 1, 0) and north-east (0, 0, 1): mean 2/3 and 1/3, both with standard
deviation √(2/9) ≈ 0.471, so a change of region moves each column by 1 / 0.471 ≈ 2.12.
Years (4, 2, 6) have mean 4 and standard deviation √(8/3) ≈ 1.633, so two years is
2 / 1.633 ≈ 1.22. T to A: √(1.22²) = 1.22; T to B: √(2.12² + 2.12² + 1.22²) = √10.5 ≈ 3.24.
Rescaled: B is 1.0 and A is 1.22 / 3.24 ≈ 0.378.

Choosing peers
--------------
:func:`find_peers` first keeps only the candidates that may be shown: not the target itself,
sharing named results, with a result of the same questionnaire. Distances are computed over
those alone, so nobody else can influence anything in the output. Among them, a peer is one
whose level is higher than the target's in at least one of the target's weakest domains.
"""

import math
import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from maturity.framework.scoring import AssessmentResult, DomainResult
from maturity.framework.summary import Scores

__all__ = [
    "Peer",
    "PeerProfile",
    "StrongerDomain",
    "context_distances",
    "find_peers",
    "region_words",
    "weakest_domains",
]

CATEGORICAL = ("kind", "region", "host_body_type", "delivery_mode", "locality", "funding_mix")
SIMILAR_YEARS = 1  # years running within this many years of each other count as "similar"

_KIND_WORDS = {"social_care": "social care only", "health_and_care": "health and care"}
_HOST_WORDS = {
    "local_authority": "local authority host",
    "nhs_trust": "NHS trust host",
    "integrated_care_board": "integrated care board host",
    "partnership": "partnership host",
}
_LOCALITY_WORDS = {"urban": "urban", "rural": "rural", "mixed": "mixed urban and rural"}
_FUNDING_WORDS = {
    "council": "council-funded",
    "nhs": "NHS-funded",
    "council_and_nhs": "council and NHS funded",
    "multiple": "multi-funded",
}
_SMALL_WORDS = {"and", "the", "of", "upon", "on"}


@dataclass(frozen=True)
class PeerProfile:
    """An organisation's context and latest submitted result (None: never submitted)."""

    key: str
    name: str
    kind: str
    region: str
    host_body_type: str
    delivery_mode: str
    locality: str | None
    funding_mix: str | None
    years_running: int | None
    shares_named_results: bool
    result: Scores | None


@dataclass(frozen=True)
class StrongerDomain:
    """A weak domain of yours where the peer is at a higher level."""

    domain_id: str
    domain_title: str
    their_level_name: str
    your_level_name: str
    their_score: float
    your_score: float


@dataclass(frozen=True)
class Peer:
    """A suggested peer: how near in context (0 = nearest), what is alike and where stronger."""

    profile: PeerProfile
    distance: float
    similar_in: tuple[str, ...]
    stronger_in: tuple[StrongerDomain, ...]
    reason: str


# --- distance ----------------------------------------------------------------------------------


def _categorical_columns(values: Sequence[str | None]) -> list[list[float]]:
    categories = sorted({value for value in values if value is not None})
    columns: list[list[float]] = []
    for category in categories:
        known = [1.0 if value == category else 0.0 for value in values if value is not None]
        mean = statistics.fmean(known)
        columns.append(
            [mean if value is None else 1.0 if value == category else 0.0 for value in values]
        )
    return columns


def _numeric_columns(values: Sequence[int | None]) -> list[list[float]]:
    known = [float(value) for value in values if value is not None]
    if not known:
        return []
    mean = statistics.fmean(known)
    return [[mean if value is None else float(value) for value in values]]


def _standardised(column: Sequence[float]) -> list[float] | None:
    mean = statistics.fmean(column)
    # The population standard deviation in floats (fsum keeps the sum exact before its
    # one rounding): statistics.pstdev works in exact fractions, and was a tenth of a
    # results page's time with 300 academies to compare.
    sd = math.sqrt(math.fsum((value - mean) ** 2 for value in column) / len(column))
    if sd == 0:
        return None
    return [(value - mean) / sd for value in column]


def context_distances(target: PeerProfile, candidates: Sequence[PeerProfile]) -> dict[str, float]:
    """Each candidate's context distance from the target, keyed by candidate key, in order.

    Guarantees: every candidate is a key; every distance is in [0, 1]; the farthest candidate is
    exactly 1.0 unless there is a single candidate or all are at distance 0, when all are 0.0;
    candidates with the same context as the target are at 0.0; the result depends only on the
    profiles' context (never on names, results or sharing). Raises ``ValueError`` when two
    candidates share a key. The method is in this module's docstring.
    """
    keys = [candidate.key for candidate in candidates]
    if len(set(keys)) != len(keys):
        raise ValueError("candidates must have distinct keys")
    if not candidates:
        return {}
    rows = [target, *candidates]
    columns: list[list[float]] = []
    for name in CATEGORICAL:
        columns.extend(_categorical_columns([getattr(row, name) for row in rows]))
    columns.extend(_numeric_columns([row.years_running for row in rows]))
    standardised = [z for z in map(_standardised, columns) if z is not None]
    raw = [
        math.sqrt(math.fsum((z[i] - z[0]) ** 2 for z in standardised)) for i in range(1, len(rows))
    ]
    farthest = max(raw)
    if len(candidates) == 1 or farthest == 0:
        return dict.fromkeys(keys, 0.0)
    return {key: value / farthest for key, value in zip(keys, raw, strict=True)}


# --- words -------------------------------------------------------------------------------------


def _words(code: str) -> str:
    return code.replace("_", " ").replace("-", " ")


def region_words(code: str) -> str:
    """A region code in words: "north-west" → "North West", "east-of-england" → "East of
    England", "yorkshire-and-the-humber" → "Yorkshire and the Humber"."""
    parts = _words(code).split()
    return " ".join(
        part if i and part in _SMALL_WORDS else part.capitalize() for i, part in enumerate(parts)
    )


def _years_alike(a: int | None, b: int | None) -> bool:
    return a is not None and b is not None and abs(a - b) <= SIMILAR_YEARS


_SIMILARITY: tuple[tuple[str, Callable[[str], str | None]], ...] = (
    ("kind", lambda v: _KIND_WORDS.get(v, _words(v))),
    ("locality", lambda v: _LOCALITY_WORDS.get(v, _words(v))),
    ("funding_mix", lambda v: _FUNDING_WORDS.get(v, f"{_words(v)} funding")),
    ("region", region_words),
    # "other" hosts are not alike just because both are "other".
    ("host_body_type", lambda v: _HOST_WORDS.get(v, None if v == "other" else f"{_words(v)} host")),
    ("delivery_mode", lambda v: f"{_words(v)} delivery"),
)


def _similar_in(target: PeerProfile, candidate: PeerProfile) -> tuple[str, ...]:
    words: list[str] = []
    for name, say in _SIMILARITY:
        mine, theirs = getattr(target, name), getattr(candidate, name)
        if mine is not None and mine == theirs:
            word = say(mine)
            if word:
                words.append(word)
    if _years_alike(target.years_running, candidate.years_running):
        words.append("similar time running")
    return tuple(words)


def _reason(similar_in: Sequence[str], stronger_in: Sequence[StrongerDomain]) -> str:
    similar = f"Similar: {', '.join(similar_in)}." if similar_in else "No context in common."
    stronger = "; ".join(
        f"{s.domain_title}: {s.their_level_name} vs your {s.your_level_name}" for s in stronger_in
    )
    return f"{similar} Stronger in {stronger}."


# --- peers -------------------------------------------------------------------------------------


def weakest_domains(result: AssessmentResult, weakest: int = 3) -> tuple[DomainResult, ...]:
    """The ``weakest`` assessed domains with the lowest scores, lowest first.

    Guarantees: only domains with a score are included (not yet assessed is neither weak nor
    strong); ties keep the questionnaire's domain order; at most ``weakest`` domains. Raises
    ``ValueError`` when ``weakest`` is below 1.
    """
    if weakest < 1:
        raise ValueError(f"weakest must be at least 1, not {weakest}")
    assessed = [
        (domain.score, index, domain)
        for index, domain in enumerate(result.domains)
        if domain.score is not None
    ]
    assessed.sort(key=lambda item: (item[0], item[1]))
    return tuple(domain for _score, _index, domain in assessed[:weakest])


def _stronger_in(weak: Sequence[DomainResult], theirs: Scores) -> tuple[StrongerDomain, ...]:
    found: list[StrongerDomain] = []
    by_id = {domain.domain_id: domain for domain in theirs.domains}
    for mine in weak:
        other = by_id.get(mine.domain_id)
        if other is None or other.level is None or mine.level is None:
            continue
        if other.level > mine.level:
            assert other.score is not None and mine.score is not None
            assert other.level_name is not None and mine.level_name is not None
            found.append(
                StrongerDomain(
                    domain_id=mine.domain_id,
                    domain_title=mine.title,
                    their_level_name=other.level_name,
                    your_level_name=mine.level_name,
                    their_score=other.score,
                    your_score=mine.score,
                )
            )
    return tuple(found)


def _eligible(
    target: PeerProfile, target_result: AssessmentResult, candidates: Sequence[PeerProfile]
) -> list[PeerProfile]:
    return [
        candidate
        for candidate in candidates
        if candidate.key != target.key
        and candidate.shares_named_results
        and candidate.result is not None
        and candidate.result.questionnaire_id == target_result.questionnaire_id
    ]


def find_peers(
    target: PeerProfile,
    target_result: AssessmentResult,
    candidates: Sequence[PeerProfile],
    *,
    weakest: int = 3,
    limit: int = 5,
) -> list[Peer]:
    """Up to ``limit`` peers: near in context and at a higher level in a weak domain of yours.

    Guarantees: no peer is the target (same key), none has ``shares_named_results`` False,
    none lacks a result of the target result's questionnaire, and candidates left out for those
    reasons influence nothing in the output (distances are computed without them). Every peer
    is at a higher level than the target in at least one of the target's ``weakest`` lowest-
    scoring assessed domains (see :func:`weakest_domains`), listed weakest first in
    ``stronger_in``. Peers are ordered by distance (nearest first), then by how many of those
    domains they are stronger in (more first), then by key, so the order is deterministic.
    Raises ``ValueError`` when ``weakest`` or ``limit`` is below 1 or candidates repeat a key.
    """
    if limit < 1:
        raise ValueError(f"limit must be at least 1, not {limit}")
    weak = weakest_domains(target_result, weakest)
    eligible = _eligible(target, target_result, candidates)
    distances = context_distances(target, eligible)
    peers: list[Peer] = []
    for candidate in eligible:
        assert candidate.result is not None
        stronger = _stronger_in(weak, candidate.result)
        if not stronger:
            continue
        similar = _similar_in(target, candidate)
        peers.append(
            Peer(
                profile=candidate,
                distance=distances[candidate.key],
                similar_in=similar,
                stronger_in=stronger,
                reason=_reason(similar, stronger),
            )
        )
    peers.sort(key=lambda peer: (peer.distance, -len(peer.stronger_in), peer.profile.key))
    return peers[:limit]
