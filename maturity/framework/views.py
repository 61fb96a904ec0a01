"""Several people's views of one question: how far apart they are.

Pure Python, used to order the questions on which an academy's partners disagree and to
describe how widely views differed.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

# Views this many levels apart or more are a disagreement worth settling first.
WIDE_SPREAD = 2


@dataclass(frozen=True)
class Spread:
    """The levels people gave one question (not-applicable and blank answers left out)."""

    levels: tuple[int, ...]

    @classmethod
    def of(cls, levels: Iterable[int | None]) -> Spread:
        return cls(tuple(sorted(level for level in levels if level is not None)))

    @property
    def lowest(self) -> int | None:
        return self.levels[0] if self.levels else None

    @property
    def highest(self) -> int | None:
        return self.levels[-1] if self.levels else None

    @property
    def width(self) -> int:
        """Levels between the lowest and highest view (0 with fewer than two views)."""
        return self.levels[-1] - self.levels[0] if len(self.levels) > 1 else 0

    @property
    def is_wide(self) -> bool:
        return self.width >= WIDE_SPREAD

    def describe(self) -> str:
        if not self.levels:
            return "No levels given"
        if self.width == 0:
            return f"All at level {self.levels[0]}" if len(self.levels) > 1 else "One view"
        return f"Levels {self.lowest} to {self.highest} ({self.width} apart)"


def widest_first(spreads: Sequence[tuple[str, Spread]]) -> list[tuple[str, Spread]]:
    """Questions ordered by how far apart the views are, widest first; questions with
    the same spread keep their order (the questionnaire's)."""
    return sorted(spreads, key=lambda pair: -pair[1].width)


def count_phrase(answered: int, invited: int, plural: str) -> str:
    """ "3 of 5 care providers answered"."""
    return f"{answered} of {invited} {plural} answered"
