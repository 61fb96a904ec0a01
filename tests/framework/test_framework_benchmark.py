"""Spread statistics, positions and suppression of small groups."""

import pytest
from framework_fixtures import questionnaire
from hypothesis import given
from hypothesis import strategies as st

from maturity.framework import score
from maturity.framework.benchmark import (
    DEFAULT_MINIMUM_GROUP,
    Spread,
    describe_position,
    domain_spreads,
    level_distribution,
    overall_spread,
    position,
    spread,
)


def _figures(group: Spread) -> tuple[float | None, ...]:
    return (
        group.minimum,
        group.lower_quartile,
        group.median,
        group.upper_quartile,
        group.maximum,
    )


# --- spread ------------------------------------------------------------------------------------


def test_odd_count() -> None:
    # Inclusive quartiles of 1..5: positions (n - 1) × 1/4, 2/4, 3/4 = 1, 2, 3 → 2, 3, 4.
    group = spread([5, 1, 4, 2, 3])
    assert group.n == 5
    assert _figures(group) == (1.0, 2.0, 3.0, 4.0, 5.0)
    assert not group.suppressed
    assert group.note is None


def test_even_count_rounds_halves_up() -> None:
    # 1..4: positions 0.75, 1.5, 2.25 → 1 + 0.75 = 1.75, 2.5, 3 + 0.25 = 3.25.
    # Reported to one decimal with halves up: 1.8, 2.5, 3.3 (round() would give 3.2).
    group = spread([4, 1, 3, 2])
    assert _figures(group) == (1.0, 1.8, 2.5, 3.3, 4.0)
    assert (group.exact_lower_quartile, group.exact_upper_quartile) == (1.75, 3.25)


def test_arithmetic_is_exact() -> None:
    # 1.0, 2.1, 3.4: positions 0.5, 1, 1.5 → 1.55, 2.1, 2.75 → 1.6, 2.1, 2.8.
    # In binary floats 1.55 is 1.5499…, which would round down.
    group = spread([2.1, 3.4, 1.0])
    assert _figures(group) == (1.0, 1.6, 2.1, 2.8, 3.4)


def test_all_equal_values() -> None:
    assert _figures(spread([3.0, 3.0, 3.0])) == (3.0,) * 5


@pytest.mark.parametrize("n", [0, 1, 2])
def test_default_suppresses_fewer_than_three(n: int) -> None:
    group = spread([2.0] * n)
    assert DEFAULT_MINIMUM_GROUP == 3
    assert group.n == n
    assert group.suppressed
    assert _figures(group) == (None,) * 5
    assert group.note is not None
    assert (group.exact_lower_quartile, group.exact_upper_quartile) == (None, None)


def test_suppression_notes() -> None:
    assert spread([2.0, 3.0]).note == (
        "Fewer than 3 academies: figures are withheld so that no academy can be identified."
    )
    assert spread([]).note == "No academies have a figure here yet, so there is nothing to show."


def test_three_is_enough_by_default() -> None:
    assert not spread([1.0, 2.0, 3.0]).suppressed


def test_custom_minimum_group() -> None:
    assert spread([1.0, 2.0, 3.0, 4.0], minimum_group=5).suppressed
    assert spread([1.0, 2.0, 3.0, 4.0], minimum_group=5).note == (
        "Fewer than 5 academies: figures are withheld so that no academy can be identified."
    )
    assert not spread([1.0, 2.0, 3.0, 4.0, 5.0], minimum_group=5).suppressed
    single = spread([2.7], minimum_group=1)
    assert not single.suppressed
    assert _figures(single) == (2.7,) * 5
    assert spread([], minimum_group=1).suppressed
    assert _figures(spread([1.0, 3.0], minimum_group=2)) == (1.0, 1.5, 2.0, 2.5, 3.0)


@pytest.mark.parametrize("minimum", [0, -1])
def test_minimum_group_below_one_is_rejected(minimum: int) -> None:
    with pytest.raises(ValueError, match="at least 1"):
        spread([1.0, 2.0, 3.0], minimum_group=minimum)
    with pytest.raises(ValueError, match="at least 1"):
        level_distribution([1, 2, 3], [1, 2, 3], minimum_group=minimum)
    with pytest.raises(ValueError, match="at least 1"):
        domain_spreads([], minimum_group=minimum)


def test_non_finite_values_are_rejected() -> None:
    with pytest.raises(ValueError, match="finite"):
        spread([1.0, float("nan"), 3.0])


@given(st.lists(st.floats(min_value=1, max_value=5), min_size=3, max_size=40))
def test_quartiles_are_ordered_within_the_range(values: list[float]) -> None:
    group = spread(values)
    assert not group.suppressed
    assert group.minimum is not None and group.maximum is not None
    assert group.lower_quartile is not None and group.median is not None
    assert group.upper_quartile is not None
    assert 1.0 <= group.minimum <= group.lower_quartile <= group.median
    assert group.median <= group.upper_quartile <= group.maximum <= 5.0
    assert position(min(values), group) in ("lower quartile", "middle half")
    assert position(max(values), group) in ("upper quartile", "middle half")


# --- position ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (1.0, "lower quartile"),
        (1.9, "lower quartile"),
        (2.0, "middle half"),  # on the lower quartile: middle half
        (3.0, "middle half"),
        (4.0, "middle half"),  # on the upper quartile: middle half
        (4.1, "upper quartile"),
        (5.0, "upper quartile"),
    ],
)
def test_position_boundaries(value: float, expected: str) -> None:
    assert position(value, spread([1.0, 2.0, 3.0, 4.0, 5.0])) == expected


def test_position_uses_unrounded_quartiles() -> None:
    group = spread([1.0, 2.0, 3.0, 4.0])  # quartiles 1.75 and 3.25, shown as 1.8 and 3.3
    assert position(3.3, group) == "upper quartile"
    assert position(3.2, group) == "middle half"
    assert position(1.8, group) == "middle half"
    assert position(1.7, group) == "lower quartile"


def test_position_is_none_when_suppressed_or_no_value() -> None:
    assert position(3.0, spread([3.0, 4.0])) is None
    assert position(None, spread([1.0, 2.0, 3.0])) is None


def test_everyone_is_middle_half_when_quartiles_are_equal() -> None:
    group = spread([3.0, 3.0, 3.0, 3.0])
    assert position(3.0, group) == "middle half"
    assert position(3.1, group) == "upper quartile"


# --- describe_position -------------------------------------------------------------------------


GROUP = spread([float(v) for v in range(1, 6)] * 5 + [3.0, 3.0])  # n = 27, quartiles 2 and 4


@pytest.mark.parametrize(
    ("value", "where"),
    [(4.5, "upper quartile"), (2.5, "middle half"), (1.5, "lower quartile")],
)
def test_describe_position(value: float, where: str) -> None:
    assert describe_position(value, GROUP, "Funding and sustainability", "England") == (
        f"You are in the {where} for Funding and sustainability in England (27 academies)."
    )


def test_describe_position_suppressed() -> None:
    text = describe_position(3.0, spread([3.0, 4.0]), "Leadership", "the North West")
    assert text == (
        "Fewer than 3 academies in the North West have a score for Leadership: figures are "
        "withheld so that no academy can be identified."
    )
    assert "2" not in text
    assert describe_position(3.0, spread([3.0, 4.0, 5.0], minimum_group=4), "L", "X") == (
        "Fewer than 4 academies in X have a score for L: figures are withheld so that no "
        "academy can be identified."
    )


def test_describe_position_empty_group_and_no_value() -> None:
    assert describe_position(3.0, spread([]), "Leadership", "London") == (
        "No academies in London have a score for Leadership yet."
    )
    assert describe_position(None, GROUP, "Leadership", "England") == (
        "You have no score for Leadership yet, so you cannot be placed in England (27 academies)."
    )


# --- results -----------------------------------------------------------------------------------


def test_domain_spreads_count_only_assessed_domains() -> None:
    q = questionnaire()
    results = [
        score(q, {"funding-model": 2, "vision": 3}),
        score(q, {"funding-model": 3, "vision": 4}),
        score(q, {"funding-model": 4}),  # leadership not yet assessed
    ]
    spreads = domain_spreads(results)
    assert list(spreads) == ["funding", "leadership"]
    assert spreads["funding"].n == 3
    assert spreads["funding"].median == 3.0
    assert spreads["leadership"].n == 2
    assert spreads["leadership"].suppressed
    assert domain_spreads(results, minimum_group=2)["leadership"].median == 3.5
    overall = overall_spread(results)
    assert overall.n == 3
    assert _figures(overall) == (2.5, 3.0, 3.5, 3.8, 4.0)  # overall scores 2.5, 3.5, 4.0


def test_domain_spreads_union_of_domains_in_first_result_order() -> None:
    q = questionnaire()
    data = q.model_dump()
    data["version"] = "2026.2"
    data["domains"] = [
        data["domains"][1],
        {**data["domains"][0], "id": "money", "title": "Money"},
    ]
    later = type(q).model_validate(data)
    results = [
        score(q, {"funding-model": 2}),
        score(later, {"vision": 3, "funding-model": 1}),
    ]
    assert list(domain_spreads(results)) == ["funding", "leadership", "money"]
    assert domain_spreads(results)["funding"].n == 1
    assert domain_spreads([]) == {}


def test_overall_spread_ignores_unassessed_results() -> None:
    q = questionnaire()
    results = [score(q, {}), score(q, {"vision": 2}), score(q, {"vision": 3})]
    assert overall_spread(results).n == 2
    assert overall_spread(results).suppressed


def test_level_distribution() -> None:
    scale = [1, 2, 3, 4, 5]
    assert level_distribution([2, 1, 2], scale) == {1: 1, 2: 2, 3: 0, 4: 0, 5: 0}
    assert list(level_distribution([5, 5, 5], scale) or {}) == scale
    assert level_distribution([1, 2], scale) is None
    assert level_distribution([], scale) is None
    assert level_distribution([1, 2], scale, minimum_group=2) == {1: 1, 2: 1, 3: 0, 4: 0, 5: 0}
    assert level_distribution([1, 2, 3], scale, minimum_group=4) is None
    with pytest.raises(ValueError, match="not on the scale"):
        level_distribution([1, 6, 2], scale)
    with pytest.raises(ValueError, match="repeats"):
        level_distribution([1, 2, 3], [1, 2, 2])


@given(
    st.lists(
        st.one_of(
            st.floats(min_value=1, max_value=5, allow_nan=False),
            st.sampled_from([1.0, 2.95, 3.05, 3.25, 4.15, 2.5]),
        ),
        min_size=1,
        max_size=40,
    )
)
def test_spread_agrees_with_exact_quartiles_of_every_value(values: list[float]) -> None:
    """Only the values the quartiles are made of are taken exactly; the figures are the
    same as ``statistics.quantiles`` over every value as an exact decimal."""
    import statistics
    from fractions import Fraction

    exact = sorted(Fraction(repr(value)) for value in values)
    if len(exact) == 1:
        expected = [exact[0]] * 3
    else:
        expected = statistics.quantiles(exact, n=4, method="inclusive")
    found = spread(values, minimum_group=1)
    assert found.exact_lower_quartile == float(expected[0])
    assert found.exact_upper_quartile == float(expected[2])
    half_up = [float(Fraction(int(value * 10 + Fraction(1, 2)), 10)) for value in expected]
    assert [found.lower_quartile, found.median, found.upper_quartile] == half_up
