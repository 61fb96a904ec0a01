"""Peers: nearest neighbours in context that are stronger in the target's weakest domains."""

import dataclasses
from typing import Any

import pytest
from framework_fixtures import _indicator, questionnaire, questionnaire_data
from hypothesis import given
from hypothesis import strategies as st

from maturity.framework import AssessmentResult, Questionnaire, score
from maturity.framework.peers import (
    PeerProfile,
    context_distances,
    find_peers,
    region_words,
    weakest_domains,
)

DOMAINS = [
    ("funding", "Funding and sustainability"),
    ("leadership", "Leadership"),
    ("partnerships", "Partnerships"),
    ("workforce", "Workforce"),
]


def _four_domains(questionnaire_id: str = "test-maturity") -> Questionnaire:
    """One indicator per domain, so a domain's level is its one answer (thresholds 2, 3, 4, 5)."""
    data: dict[str, Any] = questionnaire_data()
    data["id"] = questionnaire_id
    data["domains"] = [
        {
            "id": domain_id,
            "title": title,
            "summary": f"{title}.",
            "indicators": [_indicator(f"{domain_id}-q", title)],
        }
        for domain_id, title in DOMAINS
    ]
    return questionnaire(data)


Q = _four_domains()


def _result(
    funding: int | None,
    leadership: int | None,
    partnerships: int | None,
    workforce: int | None,
    q: Questionnaire = Q,
) -> AssessmentResult:
    levels = {
        "funding": funding,
        "leadership": leadership,
        "partnerships": partnerships,
        "workforce": workforce,
    }
    return score(q, {f"{d}-q": level for d, level in levels.items() if level is not None})


def _profile(key: str, **changes: Any) -> PeerProfile:
    base = PeerProfile(
        key=key,
        name=f"{key.capitalize()} Academy",
        kind="health_and_care",
        region="north-west",
        host_body_type="local_authority",
        delivery_mode="blended",
        locality="urban",
        funding_mix="multiple",
        years_running=4,
        shares_named_results=True,
        result=None,
    )
    return dataclasses.replace(base, **changes)


# The hand-checked example. Levels are (funding, leadership, partnerships, workforce).
#
#       kind             region      years  levels        stronger in T's weakest three?
#   T   health and care  north-west  4      2, 3, 1, 4    (weakest: partnerships 1, funding 2,
#                                                          leadership 3)
#   A   health and care  north-west  4      2, 3, 2, 4    partnerships
#   B   health and care  north-east  2      2, 3, 1, 5    no (only workforce): excluded
#   C   social care      north-west  6      4, 4, 3, 4    partnerships, funding, leadership
#   D   health and care  north-east  None   4, 3, 1, 4    funding
#
# Host, delivery, locality and funding mix are the same for all five rows: those columns have
# standard deviation 0 and are dropped. D's missing years become the mean of 4, 4, 2, 6 = 4.
#
# Columns over the five rows (T, A, B, C, D), standardised with the population sd:
#   kind=health_and_care  1 1 1 0 1   mean 0.8, sd √(0.8 × 0.2) = 0.4
#   kind=social_care      0 0 0 1 0   mean 0.2, sd 0.4
#       → a different kind moves both columns by 1 / 0.4 = 2.5: adds 2 × 2.5² = 12.5
#   region=north-east     0 0 1 0 1   mean 0.4, sd √(0.4 × 0.6) = √0.24
#   region=north-west     1 1 0 1 0   mean 0.6, sd √0.24
#       → a different region adds 2 × (1 / 0.24) = 25/3 ≈ 8.333
#   years                 4 4 2 6 4   mean 4, sd √((0 + 0 + 4 + 4 + 0) / 5) = √1.6
#       → two years apart adds 2² / 1.6 = 2.5
#
# Squared distances from T: A 0; B 25/3 + 2.5 = 65/6 ≈ 10.833; C 12.5 + 2.5 = 15;
# D 25/3 ≈ 8.333. The farthest is C (√15 ≈ 3.873), so rescaled:
#   A 0, B √(65/6 / 15) ≈ 0.8498, C 1, D √(25/3 / 15) = √(5/9) ≈ 0.7454.
# Peers (B is not stronger): A 0.0, D 0.7454, C 1.0.

TARGET_RESULT = _result(2, 3, 1, 4)
TARGET = _profile("t", result=TARGET_RESULT)
A = _profile("a", result=_result(2, 3, 2, 4))
B = _profile("b", region="north-east", years_running=2, result=_result(2, 3, 1, 5))
C = _profile("c", kind="social_care", years_running=6, result=_result(4, 4, 3, 4))
D = _profile("d", region="north-east", years_running=None, result=_result(4, 3, 1, 4))
EXAMPLE = [A, B, C, D]


def _summary(peers: list[Any]) -> list[tuple[str, float, tuple[str, ...]]]:
    return [
        (p.profile.key, round(p.distance, 4), tuple(s.domain_id for s in p.stronger_in))
        for p in peers
    ]


# --- distances ---------------------------------------------------------------------------------


def test_hand_checked_distances() -> None:
    distances = context_distances(TARGET, EXAMPLE)
    assert list(distances) == ["a", "b", "c", "d"]
    assert {k: round(v, 4) for k, v in distances.items()} == {
        "a": 0.0,
        "b": 0.8498,
        "c": 1.0,
        "d": 0.7454,
    }


def test_module_docstring_example() -> None:
    target = _profile("t")
    a = _profile("a", years_running=2)
    b = _profile("b", region="north-east", years_running=6)
    distances = context_distances(target, [a, b])
    assert (round(distances["a"], 3), distances["b"]) == (0.378, 1.0)


def test_unknown_category_counts_as_average() -> None:
    # Locality columns urban (1, 0, 0.5) and rural (0, 1, 0.5): the unknown sits halfway.
    target = _profile("t", locality="urban")
    rural = _profile("r", locality="rural")
    unknown = _profile("u", locality=None)
    assert context_distances(target, [rural, unknown]) == {"r": 1.0, "u": 0.5}


def test_unknown_alike_are_not_similar() -> None:
    # Two unknown localities do not pull together: the unknown one is as far as the known one.
    target = _profile("t", locality=None, years_running=None)
    assert context_distances(target, [_profile("u", locality=None), _profile("r")]) == {
        "u": 0.0,
        "r": 0.0,
    }


def test_degenerate_distances() -> None:
    assert context_distances(TARGET, []) == {}
    assert context_distances(TARGET, [C]) == {"c": 0.0}
    assert context_distances(TARGET, [A, _profile("e")]) == {"a": 0.0, "e": 0.0}
    with pytest.raises(ValueError, match="distinct keys"):
        context_distances(TARGET, [A, A])


categories = st.sampled_from(["x", "y", "z"])
profiles = st.builds(
    PeerProfile,
    key=st.just("k"),
    name=st.just("N"),
    kind=categories,
    region=categories,
    host_body_type=categories,
    delivery_mode=categories,
    locality=st.none() | categories,
    funding_mix=st.none() | categories,
    years_running=st.none() | st.integers(0, 20),
    shares_named_results=st.booleans(),
    result=st.none(),
)


@given(profiles, st.lists(profiles, min_size=2, max_size=8))
def test_distances_are_rescaled_to_one(target: PeerProfile, others: list[PeerProfile]) -> None:
    candidates = [dataclasses.replace(p, key=f"k{i}") for i, p in enumerate(others)]
    distances = context_distances(target, candidates)
    assert all(0.0 <= d <= 1.0 for d in distances.values())
    assert max(distances.values()) in (0.0, 1.0)
    for candidate in candidates:
        if dataclasses.replace(candidate, key="k", name="N") == dataclasses.replace(
            target, key="k", name="N", shares_named_results=candidate.shares_named_results
        ):
            assert distances[candidate.key] == 0.0


def test_region_words() -> None:
    assert region_words("north-west") == "North West"
    assert region_words("east-of-england") == "East of England"
    assert region_words("yorkshire-and-the-humber") == "Yorkshire and the Humber"
    assert region_words("london") == "London"


# --- weakest domains ---------------------------------------------------------------------------


def test_weakest_domains_skip_unassessed_and_break_ties_by_order() -> None:
    result = _result(2, 2, None, 1)
    assert [d.domain_id for d in weakest_domains(result, 3)] == [
        "workforce",
        "funding",
        "leadership",
    ]
    assert [d.domain_id for d in weakest_domains(result, 2)] == ["workforce", "funding"]
    assert len(weakest_domains(result, 4)) == 3
    assert weakest_domains(_result(None, None, None, None)) == ()
    with pytest.raises(ValueError, match="at least 1"):
        weakest_domains(result, 0)


# --- find_peers --------------------------------------------------------------------------------


def test_hand_checked_order() -> None:
    peers = find_peers(TARGET, TARGET_RESULT, EXAMPLE)
    assert _summary(peers) == [
        ("a", 0.0, ("partnerships",)),
        ("d", 0.7454, ("funding",)),
        ("c", 1.0, ("partnerships", "funding", "leadership")),
    ]


def test_reason_and_similarity_words() -> None:
    d = find_peers(TARGET, TARGET_RESULT, EXAMPLE)[1]
    assert d.profile.key == "d"
    assert d.similar_in == (
        "health and care",
        "urban",
        "multi-funded",
        "local authority host",
        "blended delivery",
    )
    assert d.reason == (
        "Similar: health and care, urban, multi-funded, local authority host, blended delivery. "
        "Stronger in Funding and sustainability: Integrated vs your Compliant."
    )
    stronger = d.stronger_in[0]
    assert (stronger.their_score, stronger.your_score) == (4.0, 2.0)
    assert (stronger.their_level_name, stronger.your_level_name) == ("Integrated", "Compliant")


def test_reason_lists_every_stronger_domain_weakest_first() -> None:
    c = find_peers(TARGET, TARGET_RESULT, EXAMPLE)[2]
    assert c.similar_in == (
        "urban",
        "multi-funded",
        "North West",
        "local authority host",
        "blended delivery",
    )
    assert c.reason == (
        "Similar: urban, multi-funded, North West, local authority host, blended delivery. "
        "Stronger in Partnerships: Strategic vs your First steps; Funding and sustainability: "
        "Integrated vs your Compliant; Leadership: Integrated vs your Strategic."
    )


def test_no_context_in_common() -> None:
    target = _profile("t", locality=None, funding_mix=None, years_running=None)
    other = _profile(
        "o",
        kind="social_care",
        region="london",
        host_body_type="other",
        delivery_mode="virtual",
        result=_result(4, 4, 4, 4),
    )
    (peer,) = find_peers(target, TARGET_RESULT, [other])
    assert peer.similar_in == ()
    assert peer.reason.startswith("No context in common. Stronger in Partnerships: ")


def test_years_within_one_are_similar() -> None:
    near = _profile("n", years_running=5, result=_result(4, 4, 4, 4))
    far = _profile("f", years_running=6, result=_result(4, 4, 4, 4))
    peers = {p.profile.key: p for p in find_peers(TARGET, TARGET_RESULT, [near, far])}
    assert "similar time running" in peers["n"].similar_in
    assert "similar time running" not in peers["f"].similar_in


def test_non_sharing_candidate_is_never_shown_and_changes_nothing() -> None:
    # Identical in context to the target and stronger everywhere: it would be the nearest peer.
    secret = _profile(
        "secret", name="Hidden Vale Academy", shares_named_results=False, result=_result(5, 5, 5, 5)
    )
    with_secret = find_peers(TARGET, TARGET_RESULT, [secret, *EXAMPLE])
    assert with_secret == find_peers(TARGET, TARGET_RESULT, EXAMPLE)
    assert "secret" not in repr(with_secret)
    assert "Hidden Vale" not in repr(with_secret)


def test_target_unsubmitted_and_other_questionnaires_are_left_out() -> None:
    other_q = _four_domains("other-maturity")
    left_out = [
        dataclasses.replace(TARGET, name="Ourselves", result=_result(5, 5, 5, 5)),
        _profile("never", kind="social_care", result=None),
        _profile("elsewhere", region="london", result=_result(5, 5, 5, 5, q=other_q)),
    ]
    peers = find_peers(TARGET, TARGET_RESULT, [*left_out, *EXAMPLE])
    assert peers == find_peers(TARGET, TARGET_RESULT, EXAMPLE)
    assert [p.profile.key for p in peers] == ["a", "d", "c"]


def test_candidates_not_stronger_in_a_weak_domain_are_excluded() -> None:
    # Stronger in workforce (not weak) and in leadership, which is weak only with weakest=3.
    candidate = _profile("w", result=_result(2, 4, 1, 5))
    assert [p.profile.key for p in find_peers(TARGET, TARGET_RESULT, [candidate])] == ["w"]
    assert find_peers(TARGET, TARGET_RESULT, [candidate], weakest=2) == []
    # Level matters, not score: equal level is not stronger.
    assert find_peers(TARGET, TARGET_RESULT, [_profile("s", result=TARGET_RESULT)]) == []


def test_unassessed_domains_are_neither_weak_nor_strong() -> None:
    # Leadership not assessed, so the weakest three are partnerships, funding, workforce.
    target_result = _result(3, None, 2, 4)
    strong_where_unassessed = _profile("x", result=_result(3, 5, 2, 4))
    unassessed_where_weak = _profile("y", result=_result(None, 5, None, 4))
    assert find_peers(TARGET, target_result, [strong_where_unassessed]) == []
    assert find_peers(TARGET, target_result, [unassessed_where_weak]) == []
    stronger_in_workforce = _profile("z", result=_result(3, 1, 2, 5))
    (peer,) = find_peers(TARGET, target_result, [stronger_in_workforce])
    assert [s.domain_id for s in peer.stronger_in] == ["workforce"]


def test_limit() -> None:
    assert _summary(find_peers(TARGET, TARGET_RESULT, EXAMPLE, limit=2)) == [
        ("a", 0.0, ("partnerships",)),
        ("d", 0.7454, ("funding",)),
    ]
    assert len(find_peers(TARGET, TARGET_RESULT, EXAMPLE, limit=1)) == 1
    with pytest.raises(ValueError, match="at least 1"):
        find_peers(TARGET, TARGET_RESULT, EXAMPLE, limit=0)
    with pytest.raises(ValueError, match="at least 1"):
        find_peers(TARGET, TARGET_RESULT, EXAMPLE, weakest=0)


def test_ties_are_deterministic() -> None:
    # Same context as the target: every distance is 0. More stronger domains first, then key.
    p = _profile("p", result=_result(2, 3, 2, 4))  # partnerships
    q = _profile("q", result=_result(3, 3, 2, 4))  # partnerships and funding
    r = _profile("r", result=_result(2, 4, 1, 4))  # leadership
    expected = [
        ("q", 0.0, ("partnerships", "funding")),
        ("p", 0.0, ("partnerships",)),
        ("r", 0.0, ("leadership",)),
    ]
    assert _summary(find_peers(TARGET, TARGET_RESULT, [p, q, r])) == expected
    assert _summary(find_peers(TARGET, TARGET_RESULT, [r, q, p])) == expected


def test_version_differences_compare_by_domain_id() -> None:
    data = Q.model_dump()
    data["version"] = "2026.2"
    data["domains"] = [d for d in data["domains"] if d["id"] != "funding"]
    later = questionnaire(data)
    newer = _profile("n", result=score(later, {"leadership-q": 5, "partnerships-q": 1}))
    (peer,) = find_peers(TARGET, TARGET_RESULT, [newer])
    assert [s.domain_id for s in peer.stronger_in] == ["leadership"]


def test_a_higher_score_at_the_same_level_is_not_stronger() -> None:
    q = questionnaire()  # funding: funding-model (weight 1) and funding-diversity (weight 2)
    leadership = {"vision": 3, "governance": 3, "sponsorship": 3}
    target_result = score(q, {"funding-model": 2, "funding-diversity": 2, **leadership})
    higher_score = score(q, {"funding-model": 2, "funding-diversity": 3, **leadership})
    higher_level = score(q, {"funding-model": 3, "funding-diversity": 3, **leadership})
    assert (higher_score.domain("funding").score, higher_score.domain("funding").level) == (2.7, 2)
    candidates = [_profile("s", result=higher_score), _profile("l", result=higher_level)]
    (peer,) = find_peers(TARGET, target_result, candidates, weakest=1)
    assert peer.profile.key == "l"
    assert peer.stronger_in[0].their_level_name == "Strategic"
