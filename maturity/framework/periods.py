"""Financial years and their quarters: the one place cycles and periods are parsed,
written, validated and ordered.

An assessment cycle is an English financial year, April to March, written ``"2026/27"``
(:class:`Cycle`); an impact return covers one quarter of it, written ``"2026/27 Q1"``
(:class:`Period`). Every layer (services, views, the command line) uses these types
rather than its own pattern, so a cycle means the same thing everywhere.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import total_ordering

__all__ = [
    "FIRST_YEAR",
    "Cycle",
    "Period",
    "PeriodError",
]

FIRST_YEAR = 2019
"""The first financial year the service accepts: 2019/20 (assessments and returns)."""

# [0-9], not \d: \d also matches other scripts' digits, which int() accepts.
_CYCLE = re.compile(r"^([0-9]{4})/([0-9]{2})$")
_PERIOD = re.compile(r"^([0-9]{4})/([0-9]{2}) Q([1-4])$")
_QUARTER_MONTHS = {1: ("April", "June"), 2: ("July", "September"), 3: ("October", "December")}


class PeriodError(ValueError):
    """A cycle or period that is badly written, too early or in the future; the message
    is for users."""


def _start_of(day: date) -> int:
    """The year in which the financial year containing ``day`` starts."""
    return day.year if day.month >= 4 else day.year - 1


@total_ordering
@dataclass(frozen=True)
class Cycle:
    """A financial year: ``Cycle(2026)`` is April 2026 to March 2027, written "2026/27"."""

    start_year: int

    @classmethod
    def parse(cls, text: str) -> Cycle:
        """``"2026/27"`` → Cycle(2026); ``PeriodError`` for anything else (including a
        second half that does not follow the first, like ``"2026/28"``)."""
        match = _CYCLE.match(text.strip()) if isinstance(text, str) else None
        if match is None or (int(match.group(1)) + 1) % 100 != int(match.group(2)):
            raise PeriodError("Enter a financial year like 2026/27")
        return cls(int(match.group(1)))

    @classmethod
    def is_valid(cls, text: str) -> bool:
        """Whether the text is a financial year written like ``"2026/27"``."""
        try:
            cls.parse(text)
        except PeriodError:
            return False
        return True

    @classmethod
    def containing(cls, day: date) -> Cycle:
        """The financial year a date falls in."""
        return cls(_start_of(day))

    @classmethod
    def current(cls, today: date | None = None) -> Cycle:
        """This financial year (today's, unless a date is given)."""
        return cls.containing(today or date.today())

    @classmethod
    def selectable(cls, today: date, *, ahead: int = 0) -> list[Cycle]:
        """Every cycle from 2019/20 to the current one (plus ``ahead`` later ones),
        newest first."""
        current = _start_of(today) + ahead
        return [cls(year) for year in range(current, FIRST_YEAR - 1, -1)]

    def check_allowed(self, today: date) -> None:
        """Raise ``PeriodError`` unless the cycle is between 2019/20 and the current one."""
        if self.start_year < FIRST_YEAR:
            raise PeriodError(f"Cycles start from {Cycle(FIRST_YEAR)}: choose a later one")
        if self > Cycle.containing(today):
            raise PeriodError(f"{self} has not started yet: choose the current cycle or earlier")

    def __str__(self) -> str:
        return f"{self.start_year}/{(self.start_year + 1) % 100:02d}"

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, Cycle):
            return NotImplemented
        return self.start_year < other.start_year

    def previous(self) -> Cycle:
        return Cycle(self.start_year - 1)

    def next(self) -> Cycle:
        return Cycle(self.start_year + 1)

    @property
    def quarters(self) -> list[Period]:
        """The four quarters, Q1 (April to June) first."""
        return [Period(self.start_year, quarter) for quarter in (1, 2, 3, 4)]


@total_ordering
@dataclass(frozen=True)
class Period:
    """A financial-year quarter: ``start_year`` 2026 and ``quarter`` 1 is April–June 2026."""

    start_year: int
    quarter: int

    def __post_init__(self) -> None:
        if self.quarter not in (1, 2, 3, 4):
            raise PeriodError("A quarter is Q1, Q2, Q3 or Q4")

    @classmethod
    def parse(cls, text: str) -> Period:
        """``"2026/27 Q1"`` → Period(2026, 1); ``PeriodError`` for anything else."""
        match = _PERIOD.match(" ".join(text.split()).upper()) if isinstance(text, str) else None
        if match is None or (int(match.group(1)) + 1) % 100 != int(match.group(2)):
            raise PeriodError(
                "Enter the period as a financial year and quarter, like 2026/27 Q1 "
                "(Q1 is April to June)"
            )
        return cls(int(match.group(1)), int(match.group(3)))

    @classmethod
    def containing(cls, day: date) -> Period:
        """The quarter a date falls in."""
        quarter = {4: 1, 5: 1, 6: 1, 7: 2, 8: 2, 9: 2, 10: 3, 11: 3, 12: 3}.get(day.month, 4)
        return cls(_start_of(day), quarter)

    @classmethod
    def selectable(cls, today: date) -> list[Period]:
        """Every quarter a return may be entered for today, newest first."""
        current = cls.containing(today)
        periods = []
        while current.start_year >= FIRST_YEAR:
            periods.append(current)
            current = current.previous()
        return periods

    def __str__(self) -> str:
        return f"{self.cycle} Q{self.quarter}"

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, Period):
            return NotImplemented
        return (self.start_year, self.quarter) < (other.start_year, other.quarter)

    @property
    def financial_year(self) -> Cycle:
        return Cycle(self.start_year)

    @property
    def cycle(self) -> str:
        """The financial year, as assessments write it: ``"2026/27"``."""
        return str(self.financial_year)

    @property
    def starts(self) -> date:
        """The first day of the quarter."""
        month = 1 if self.quarter == 4 else 4 + 3 * (self.quarter - 1)
        year = self.start_year + 1 if self.quarter == 4 else self.start_year
        return date(year, month, 1)

    @property
    def months(self) -> str:
        """``"April to June 2026"``."""
        first, last = _QUARTER_MONTHS.get(self.quarter, ("January", "March"))
        return f"{first} to {last} {self.starts.year}"

    @property
    def label(self) -> str:
        """``"2026/27 Q1 (April to June 2026)"``."""
        return f"{self} ({self.months})"

    @property
    def is_year_end(self) -> bool:
        """Whether this is the Q4 return, which also carries the yearly figures."""
        return self.quarter == 4

    def previous(self) -> Period:
        """The quarter before."""
        if self.quarter == 1:
            return Period(self.start_year - 1, 4)
        return Period(self.start_year, self.quarter - 1)

    def check_allowed(self, today: date) -> None:
        """Raise ``PeriodError`` if a return cannot be entered for this quarter today."""
        if self > Period.containing(today):
            raise PeriodError(
                f"{self} has not started yet: enter figures for the current quarter "
                "or an earlier one"
            )
        if self.start_year < FIRST_YEAR:
            raise PeriodError(f"Returns start from {Period(FIRST_YEAR, 1)}: enter a later period")
