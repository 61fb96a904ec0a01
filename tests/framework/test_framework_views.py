"""How far apart several people's views of one question are."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from maturity.framework.views import WIDE_SPREAD, Spread, count_phrase, widest_first


def test_a_spread_ignores_blank_and_not_applicable_views() -> None:
    spread = Spread.of([4, None, 1, 2])
    assert (spread.lowest, spread.highest, spread.width) == (1, 4, 3)
    assert spread.is_wide
    assert spread.describe() == "Levels 1 to 4 (3 apart)"
    assert Spread.of([None]).describe() == "No levels given"
    assert Spread.of([3]).describe() == "One view" and Spread.of([3]).width == 0
    assert Spread.of([3, 3]).describe() == "All at level 3"
    assert not Spread.of([2, 3]).is_wide and Spread.of([2, 4]).is_wide
    assert WIDE_SPREAD == 2


def test_questions_are_ordered_widest_first_keeping_questionnaire_order_for_ties() -> None:
    ordered = widest_first(
        [("a", Spread.of([2, 3])), ("b", Spread.of([1, 4])), ("c", Spread.of([2, 3]))]
    )
    assert [name for name, _ in ordered] == ["b", "a", "c"]


def test_the_response_rate_reads_as_a_sentence() -> None:
    assert count_phrase(3, 5, "care providers") == "3 of 5 care providers answered"


@given(st.lists(st.one_of(st.none(), st.integers(1, 5)), max_size=12))
def test_the_width_is_the_distance_between_the_lowest_and_highest_view(
    levels: list[int | None],
) -> None:
    given_levels = [level for level in levels if level is not None]
    spread = Spread.of(levels)
    expected = max(given_levels) - min(given_levels) if given_levels else 0
    assert spread.width == expected
    assert spread.is_wide == (expected >= WIDE_SPREAD)
