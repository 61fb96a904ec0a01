"""What changed between two versions of a questionnaire, as data (``purpose: changelog``).

A changelog names the questionnaire and the two versions, and lists the questions
(indicators, by id) that **changed**, were **added** or were **removed**, each with a
sentence saying what changed. It is checked against the two questionnaire files when the
folder is loaded (:func:`check_changelog`):

* ``added`` must be exactly the ids that only the later version has, and ``removed``
  exactly those that only the earlier version has;
* every id under ``changed`` must be in both versions and differ between them in something;
* every question whose wording or level descriptors differ must be listed under
  ``changed`` (a carried-forward answer to it is then marked for checking), so a changelog
  cannot leave out a change that alters what an answer means.

Pure Python: the loader reads the file; the services use the result.
"""

from collections.abc import Iterable
from typing import Literal

from pydantic import model_validator

from maturity.framework.schema import (
    Indicator,
    Loc,
    Questionnaire,
    Slug,
    Text,
    Version,
    _duplicates,
    _Model,
    _Problems,
)

__all__ = [
    "CHANGELOG_PURPOSE",
    "Change",
    "Changelog",
    "changed_between",
    "check_changelog",
    "derive_changelog",
]

CHANGELOG_PURPOSE = "changelog"
_LISTS = ("changed", "added", "removed")


class Change(_Model):
    """One question (indicator id) and, in words, what happened to it."""

    id: Slug
    what: Text


class Changelog(_Model):
    """The changes from ``from_version`` to ``version`` of the questionnaire ``questionnaire``."""

    purpose: Literal["changelog"]
    questionnaire: Slug
    from_version: Version
    version: Version
    summary: Text
    changed: tuple[Change, ...] = ()
    added: tuple[Change, ...] = ()
    removed: tuple[Change, ...] = ()

    @model_validator(mode="after")
    def _consistent(self) -> "Changelog":
        problems = _Problems()
        if self.from_version == self.version:
            problems.add(("version",), "a changelog must be between two different versions")
        places = [(name, i) for name in _LISTS for i in range(len(getattr(self, name)))]
        ids = [getattr(self, name)[i].id for name, i in places]
        for position, change_id, first in _duplicates(ids):
            name, i = places[position]
            first_name, first_i = places[first]
            problems.add(
                (name, i, "id"),
                f"'{change_id}' is already listed under {first_name}[{first_i}]: "
                "a question is listed once",
            )
        problems.raise_if_any("Changelog")
        return self

    @property
    def label(self) -> str:
        """``'<questionnaire>' <from_version> → <version>``, for messages."""
        return f"'{self.questionnaire}' {self.from_version} → {self.version}"

    @property
    def changed_ids(self) -> frozenset[str]:
        """The ids of the questions listed as changed."""
        return frozenset(change.id for change in self.changed)


def _meaning(indicator: Indicator) -> tuple[object, ...]:
    """What an answer means: the question and the level descriptors."""
    return (indicator.question, dict(indicator.levels))


def check_changelog(
    changelog: Changelog, before: Questionnaire, after: Questionnaire
) -> list[tuple[Loc, str]]:
    """Every way the changelog disagrees with the two questionnaires, as ``(place, message)``;
    empty when it agrees. ``before`` and ``after`` are its two versions."""
    problems: list[tuple[Loc, str]] = []
    ids_before, ids_after = set(before.indicator_ids), set(after.indicator_ids)
    only_after = [i for i in after.indicator_ids if i not in ids_before]
    only_before = [i for i in before.indicator_ids if i not in ids_after]
    problems += _exact_list(changelog.added, "added", only_after, after.version, "new in")
    problems += _exact_list(
        changelog.removed, "removed", only_before, before.version, "only in", after.version
    )
    listed = changelog.changed_ids
    for i, change in enumerate(changelog.changed):
        if change.id not in ids_before or change.id not in ids_after:
            problems.append(
                (
                    ("changed", i, "id"),
                    f"'{change.id}' is not in both versions: a changed question must be in "
                    f"{before.version} and {after.version} (list it under added or removed)",
                )
            )
        elif before.indicator(change.id) == after.indicator(change.id):
            problems.append(
                (
                    ("changed", i, "id"),
                    f"'{change.id}' is the same in {before.version} and {after.version}: "
                    "nothing changed",
                )
            )
    for indicator_id in after.indicator_ids:
        if indicator_id in ids_before and indicator_id not in listed:
            if _meaning(before.indicator(indicator_id)) != _meaning(after.indicator(indicator_id)):
                problems.append(
                    (
                        ("changed",),
                        f"'{indicator_id}' has a different question or level descriptors in "
                        f"{after.version} but is not listed under changed",
                    )
                )
    return problems


def _exact_list(
    entries: Iterable[Change],
    name: str,
    expected: list[str],
    version: str,
    words: str,
    other_version: str | None = None,
) -> list[tuple[Loc, str]]:
    problems: list[tuple[Loc, str]] = []
    wanted = set(expected)
    where = f"{words} {version}" + (f" (not in {other_version})" if other_version else "")
    for i, change in enumerate(entries):
        if change.id not in wanted:
            problems.append(((name, i, "id"), f"'{change.id}' is not a question {where}"))
    listed = {change.id for change in entries}
    for indicator_id in expected:
        if indicator_id not in listed:
            problems.append(
                ((name,), f"'{indicator_id}' is a question {where} but is not listed under {name}")
            )
    return problems


def changed_between(
    changelogs: Iterable[Changelog], versions: list[str]
) -> dict[str, list[str]] | None:
    """What changed over consecutive ``versions`` (oldest first): each question listed as
    changed in any step, with what changed in each step; ``None`` if a step has no
    changelog.
    """
    by_step = {(c.from_version, c.version): c for c in changelogs}
    found: dict[str, list[str]] = {}
    for earlier, later in zip(versions, versions[1:], strict=False):
        step = by_step.get((earlier, later))
        if step is None:
            return None
        for change in step.changed:
            found.setdefault(change.id, []).append(change.what)
    return found


def derive_changelog(before: Questionnaire, after: Questionnaire, summary: str) -> Changelog:
    """The changelog from ``before`` to ``after`` worked out from the two files (for a
    version uploaded without one): every question only in ``after`` is added, every one
    only in ``before`` removed, and every shared one whose wording or level descriptors
    differ is changed, saying which. It agrees with :func:`check_changelog` by design."""
    ids_before, ids_after = set(before.indicator_ids), set(after.indicator_ids)
    changed = []
    for indicator_id in after.indicator_ids:
        if indicator_id not in ids_before:
            continue
        old, new = before.indicator(indicator_id), after.indicator(indicator_id)
        if _meaning(old) == _meaning(new):
            continue
        what = []
        if old.question != new.question:
            what.append("question reworded")
        levels = sorted(
            level
            for level in set(old.levels) | set(new.levels)
            if old.levels.get(level) != new.levels.get(level)
        )
        if levels:
            what.append("level descriptors changed: " + ", ".join(str(n) for n in levels))
        changed.append(Change(id=indicator_id, what="; ".join(what).capitalize()))
    return Changelog(
        purpose="changelog",
        questionnaire=after.id,
        from_version=before.version,
        version=after.version,
        summary=summary,
        changed=tuple(changed),
        added=tuple(
            Change(id=i, what="New question") for i in after.indicator_ids if i not in ids_before
        ),
        removed=tuple(
            Change(id=i, what="Question removed")
            for i in before.indicator_ids
            if i not in ids_after
        ),
    )
