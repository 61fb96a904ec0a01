"""Tables worked out once per questionnaire, for code that reads one on every call.

A loaded questionnaire is frozen, so whatever is derived from it stays true for as long as
the object lives. Scoring and next steps derive their tables (weights as integers, lookups
by position, result objects that never change) with :func:`once_per`, which keeps them for
that very object: another object, even an equal one, gets its own.
"""

from collections.abc import Callable
from typing import TypeVar

from maturity.framework.schema import Questionnaire

__all__ = ["once_per"]

T = TypeVar("T")

# (id of the questionnaire, builder) → (the questionnaire, what the builder made of it). The
# entry holds the questionnaire itself, so its id cannot be reused while the entry lives.
_KEPT: dict[tuple[int, Callable[[Questionnaire], object]], tuple[Questionnaire, object]] = {}
# A service uses a handful of questionnaire versions; tests build thousands. Past this many
# entries the store is emptied and refilled as used.
_LIMIT = 64


def once_per(questionnaire: Questionnaire, build: Callable[[Questionnaire], T]) -> T:
    """``build(questionnaire)``, built on the first call for this object and kept."""
    key = (id(questionnaire), build)
    kept = _KEPT.get(key)
    if kept is not None and kept[0] is questionnaire:
        return kept[1]  # type: ignore[return-value]  # stored by this builder, so a T
    made = build(questionnaire)
    if len(_KEPT) >= _LIMIT:
        _KEPT.clear()
    _KEPT[key] = (questionnaire, made)
    return made
