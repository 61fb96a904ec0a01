"""Financial years (assessment cycles) and their quarters (impact periods): one type each,
used by every layer."""

from datetime import date

import pytest

from maturity.framework.periods import FIRST_YEAR, Cycle, Period, PeriodError

TODAY = date(2026, 11, 23)


@pytest.mark.parametrize(
    ("text", "year"), [("2026/27", 2026), (" 2019/20 ", 2019), ("1999/00", 1999)]
)
def test_cycles_parse_and_print(text: str, year: int) -> None:
    assert Cycle.parse(text) == Cycle(year)
    assert str(Cycle(year)) == text.strip()


@pytest.mark.parametrize(
    "text", ["", "2026", "2026/28", "2026-27", "26/27", "2026/27 Q1", "２０２６/27", "2026/2７"]
)
def test_badly_written_cycles_are_refused(text: str) -> None:
    assert not Cycle.is_valid(text)
    with pytest.raises(PeriodError, match="like 2026/27"):
        Cycle.parse(text)


def test_the_current_cycle_turns_over_on_the_first_of_april() -> None:
    assert Cycle.containing(date(2027, 3, 31)) == Cycle(2026)
    assert Cycle.containing(date(2027, 4, 1)) == Cycle(2027)
    assert Cycle.current(TODAY) == Cycle(2026)


def test_cycles_order_step_and_choose() -> None:
    assert Cycle(2025) < Cycle(2026) and sorted([Cycle(2026), Cycle(2019)])[0] == Cycle(2019)
    assert Cycle(2026).previous() == Cycle(2025) and Cycle(2026).next() == Cycle(2027)
    assert str(Cycle(2099).next()) == "2100/01"
    choices = Cycle.selectable(TODAY)
    assert choices[0] == Cycle(2026) and choices[-1] == Cycle(FIRST_YEAR)
    assert Cycle.selectable(TODAY, ahead=1)[0] == Cycle(2027)


def test_future_and_too_early_cycles_are_not_allowed() -> None:
    Cycle(2026).check_allowed(TODAY)
    with pytest.raises(PeriodError, match="has not started yet"):
        Cycle(2027).check_allowed(TODAY)
    with pytest.raises(PeriodError, match="start from 2019/20"):
        Cycle(2018).check_allowed(TODAY)


@pytest.mark.parametrize(
    ("text", "year", "quarter"),
    [("2026/27 Q1", 2026, 1), ("2025/26 q4", 2025, 4), (" 2019/20  Q2 ", 2019, 2)],
)
def test_periods_parse(text: str, year: int, quarter: int) -> None:
    assert Period.parse(text) == Period(year, quarter)


@pytest.mark.parametrize(
    "text", ["", "2026-Q1", "2026/28 Q1", "2026/27 Q5", "2026/27", "Q1 2026/27", "2099/00 Q1x"]
)
def test_badly_written_periods_are_refused(text: str) -> None:
    with pytest.raises(PeriodError, match="like 2026/27 Q1"):
        Period.parse(text)


def test_period_dates_labels_and_order() -> None:
    q1, q4 = Period(2026, 1), Period(2026, 4)
    assert str(q1) == "2026/27 Q1" and q1.cycle == "2026/27"
    assert q1.starts == date(2026, 4, 1) and q4.starts == date(2027, 1, 1)
    assert q1.label == "2026/27 Q1 (April to June 2026)"
    assert q4.months == "January to March 2027"
    assert q1.previous() == Period(2025, 4) and q4.previous() == Period(2026, 3)
    assert Period(2025, 4) < q1 < q4
    assert Period.containing(date(2027, 3, 31)) == q4
    assert Period.containing(date(2026, 4, 1)) == q1
    assert [str(p) for p in Cycle.parse("2026/27").quarters][-1] == "2026/27 Q4"
    assert q1.financial_year == Cycle(2026)


def test_future_and_too_early_periods_are_not_allowed() -> None:
    Period(2026, 3).check_allowed(TODAY)  # the current quarter is allowed
    with pytest.raises(PeriodError, match="has not started yet"):
        Period(2026, 4).check_allowed(TODAY)
    with pytest.raises(PeriodError, match="Returns start from 2019/20 Q1"):
        Period(2018, 4).check_allowed(TODAY)
    periods = Period.selectable(TODAY)
    assert periods[0] == Period(2026, 3) and periods[-1] == Period(2019, 1)
