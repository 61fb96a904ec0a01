"""Read questionnaire and metrics files from YAML, reporting every problem with its place.

A problem is reported as ``<file>: <path> — <message> (line N)``. The path is built from the
position of the value in the file:

* mapping keys are joined with dots: ``scoring.gate``, ``sources.guide.url``;
* list positions and integer keys (level numbers) go in square brackets: ``domains[3]`` is the
  fourth domain (positions count from 0), ``levels[7]`` inside an indicator is the descriptor
  for level 7;
* problems with the file as a whole (YAML syntax, wrong top-level type) use ``(file)``.

The line number is that of the value (or the nearest enclosing value that exists, for a
missing field), found by walking the YAML node tree alongside the path.
"""

import re
from collections.abc import Hashable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError
from pydantic_core import ErrorDetails

from maturity.framework.changelog import (
    CHANGELOG_PURPOSE,
    Changelog,
    changed_between,
    check_changelog,
)
from maturity.framework.schema import MetricsDefinition, Questionnaire

__all__ = [
    "Catalogue",
    "Definition",
    "FileProblem",
    "QuestionnaireError",
    "load_changelog",
    "load_directory",
    "is_changelog",
    "load_file",
    "load_metrics",
    "load_questionnaire",
    "load_text",
    "parse_changelog",
    "parse_definition",
    "version_key",
]

Definition = Questionnaire | MetricsDefinition
QUESTIONNAIRE_PURPOSES = ("assessment", "scoping")
METRICS_PURPOSE = "metrics"
FILE_PATH = "(file)"


@dataclass(frozen=True)
class FileProblem:
    """One problem in one content file."""

    file: str
    path: str
    message: str
    line: int | None = None
    column: int | None = None

    def __str__(self) -> str:
        where = ""
        if self.line is not None:
            where = f" (line {self.line}" + (
                f", column {self.column})" if self.column is not None else ")"
            )
        return f"{self.file}: {self.path} — {self.message}{where}"


class QuestionnaireError(Exception):
    """A content file (or a folder of them) failed to load; ``problems`` lists every reason."""

    def __init__(self, file: str | Path, problems: Sequence[FileProblem]) -> None:
        self.file = str(file)
        self.problems: tuple[FileProblem, ...] = tuple(problems)
        super().__init__(str(self))

    def __str__(self) -> str:
        return "\n".join(str(problem) for problem in self.problems)


# --- YAML --------------------------------------------------------------------------------------


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader that refuses duplicate keys, which PyYAML would otherwise silently merge."""


def _construct_mapping(loader: _StrictLoader, node: yaml.MappingNode) -> dict[Any, Any]:
    loader.flatten_mapping(node)
    seen: dict[Any, yaml.Node] = {}
    for key_node, _value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if not isinstance(key, Hashable):
            continue  # construct_mapping below reports unhashable keys with their mark
        if key in seen:
            raise yaml.constructor.ConstructorError(
                "while reading a mapping",
                node.start_mark,
                f"found duplicate key {key!r} (first used on line {seen[key].start_mark.line + 1})",
                key_node.start_mark,
            )
        seen[key] = key_node
    return loader.construct_mapping(node, deep=True)


_StrictLoader.add_constructor(
    yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG,
    _construct_mapping,
)


def _parse_yaml(text: str, file: str) -> tuple[dict[str, Any], yaml.Node]:
    loader = _StrictLoader(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        message = f"invalid YAML: {error.problem or error.context or 'cannot be read'}"
        line = mark.line + 1 if mark is not None else None
        column = mark.column + 1 if mark is not None else None
        raise QuestionnaireError(
            file, [FileProblem(file, FILE_PATH, message, line, column)]
        ) from None
    except yaml.YAMLError as error:
        raise QuestionnaireError(
            file, [FileProblem(file, FILE_PATH, f"invalid YAML: {error}")]
        ) from None
    finally:
        loader.dispose()
    if node is None:
        raise QuestionnaireError(file, [FileProblem(file, FILE_PATH, "the file is empty", 1)])
    if not isinstance(data, dict):
        kind = "a list" if isinstance(data, list) else f"a single value ({type(data).__name__})"
        raise QuestionnaireError(
            file,
            [
                FileProblem(
                    file,
                    FILE_PATH,
                    f"the top level must be a mapping of fields (id:, version:, …), not {kind}",
                    node.start_mark.line + 1,
                )
            ],
        )
    return data, node


# --- paths and line numbers --------------------------------------------------------------------

_NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")


def format_path(loc: Sequence[str | int]) -> str:
    """Render a pydantic ``loc`` as ``domains[3].indicators[2].levels`` (see module docstring)."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif _NAME_RE.match(part):
            out += f".{part}" if out else part
        else:
            out += f"[{part!r}]"
    return out or FILE_PATH


def _line_of(root: yaml.Node, loc: Sequence[str | int]) -> int:
    """Line (from 1) of the deepest node along ``loc`` that exists in the file."""
    node = root
    for part in loc:
        child = _child(node, part)
        if child is None:
            break
        node = child
    return node.start_mark.line + 1


def _child(node: yaml.Node, part: str | int) -> yaml.Node | None:
    if isinstance(node, yaml.SequenceNode) and isinstance(part, int):
        return node.value[part] if 0 <= part < len(node.value) else None
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            if isinstance(key_node, yaml.ScalarNode) and key_node.value == str(part):
                return value_node
    return None


def _problem(file: str, root: yaml.Node | None, error: ErrorDetails) -> FileProblem:
    loc = list(error["loc"])
    key_problem = bool(loc) and loc[-1] == "[key]"
    if key_problem:
        loc.pop()
    message = error["msg"]
    if error["type"] == "value_error":
        message = message.removeprefix("Value error, ")
    elif error["type"] == "missing":
        message = "required field is missing"
    elif error["type"] == "extra_forbidden":
        message = "unknown field (check the spelling; the format does not allow extra fields)"
    elif error["type"] == "string_type" and isinstance(error["input"], int | float):
        # YAML reads 2026.1 or 2026 as a number; authors rarely mean that for text fields.
        message += f' — put the value in quotes, for example "{error["input"]}"'
    if key_problem:
        message = f"key {loc[-1]!r}: {message}"
    line = _line_of(root, loc) if root is not None else None
    return FileProblem(file, format_path(loc), message, line)


# --- loading -----------------------------------------------------------------------------------


def parse_definition(data: dict[str, Any], file: str, root: yaml.Node | None = None) -> Definition:
    """Validate already-parsed data, dispatching on ``purpose``.

    Guarantees a fully validated, immutable Questionnaire or MetricsDefinition, or raises
    :class:`QuestionnaireError` listing every problem found.
    """
    purpose = data.get("purpose")
    model: type[Questionnaire] | type[MetricsDefinition]
    if purpose in QUESTIONNAIRE_PURPOSES:
        model = Questionnaire
    elif purpose == METRICS_PURPOSE:
        model = MetricsDefinition
    else:
        allowed = ", ".join((*QUESTIONNAIRE_PURPOSES, METRICS_PURPOSE))
        message = (
            "required field is missing"
            if purpose is None
            else "this is a changelog, not a questionnaire or metrics file"
            if purpose == CHANGELOG_PURPOSE
            else f"unknown purpose {purpose!r}: it must be one of {allowed}"
        )
        line = _line_of(root, ["purpose"]) if root is not None else None
        raise QuestionnaireError(file, [FileProblem(file, "purpose", message, line)])
    try:
        return model.model_validate(data)
    except ValidationError as error:
        problems = [_problem(file, root, details) for details in error.errors()]
        raise QuestionnaireError(file, problems) from None


def load_text(text: str, file: str) -> Definition:
    """Parse and validate one file's text (an upload), as :func:`load_file` does a file;
    ``file`` names it in the problems."""
    data, root = _parse_yaml(text, file)
    return parse_definition(data, file, root)


def _read(path: str | Path) -> tuple[dict[str, Any], yaml.Node]:
    file = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise QuestionnaireError(
            file, [FileProblem(file, FILE_PATH, f"cannot read: {error}")]
        ) from None
    return _parse_yaml(text, file)


def load_file(path: str | Path) -> Definition:
    """Load and validate one YAML file of any kind, dispatching on its ``purpose``.

    Guarantees an immutable, fully validated definition, or raises :class:`QuestionnaireError`
    naming the file and listing every problem (syntax errors with their line).
    """
    data, root = _read(path)
    return parse_definition(data, str(path), root)


def parse_changelog(data: dict[str, Any], file: str, root: yaml.Node | None = None) -> Changelog:
    """Validate a changelog's own fields (``purpose: changelog``); checking it against the two
    questionnaires it names is :func:`load_directory`'s (or :meth:`Catalogue.check`'s) job.
    Raises :class:`QuestionnaireError` listing every problem."""
    try:
        return Changelog.model_validate(data)
    except ValidationError as error:
        problems = [_problem(file, root, details) for details in error.errors()]
        raise QuestionnaireError(file, problems) from None


def load_changelog(path: str | Path) -> Changelog:
    """Load a changelog file and validate its own fields (see :func:`parse_changelog`)."""
    data, root = _read(path)
    return parse_changelog(data, str(path), root)


def is_changelog(path: str | Path) -> bool:
    """Whether the file declares ``purpose: changelog`` (False if it cannot be read)."""
    try:
        data, _root = _read(path)
    except QuestionnaireError:
        return False
    return data.get("purpose") == CHANGELOG_PURPOSE


def load_questionnaire(path: str | Path) -> Questionnaire:
    """Load a questionnaire file (``purpose`` assessment or scoping).

    Raises :class:`QuestionnaireError` if the file is invalid or is a metrics file.
    """
    definition = load_file(path)
    if not isinstance(definition, Questionnaire):
        raise QuestionnaireError(
            path,
            [FileProblem(str(path), "purpose", "this is a metrics file, not a questionnaire")],
        )
    return definition


def load_metrics(path: str | Path) -> MetricsDefinition:
    """Load a metrics definition file (``purpose: metrics``).

    Raises :class:`QuestionnaireError` if the file is invalid or is a questionnaire.
    """
    definition = load_file(path)
    if not isinstance(definition, MetricsDefinition):
        raise QuestionnaireError(
            path,
            [FileProblem(str(path), "purpose", "this is a questionnaire, not a metrics file")],
        )
    return definition


def version_key(version: str) -> tuple[tuple[int, int | str], ...]:
    """Sort key ordering versions naturally: ``2026.2 < 2026.10 < 2027.1``."""
    parts = re.findall(r"\d+|[^\d.\-]+", version)
    return tuple((0, int(part)) if part.isdigit() else (1, part) for part in parts)


class Catalogue:
    """Every definition loaded from a folder, looked up by ``(id, version)``, with the
    changelogs between questionnaire versions."""

    def __init__(
        self,
        entries: Sequence[tuple[Definition, Path]] = (),
        changelogs: Sequence[Changelog] = (),
    ) -> None:
        self._entries: dict[tuple[str, str], tuple[Definition, Path]] = {}
        for definition, path in entries:
            key = (definition.id, definition.version)
            if key in self._entries:
                raise ValueError(f"{definition.label} is defined twice")
            self._entries[key] = (definition, path)
        self._changelogs: tuple[Changelog, ...] = tuple(changelogs)

    def changelogs(self, id: str) -> list[Changelog]:
        """The changelogs of this questionnaire, oldest step first."""
        return sorted(
            (c for c in self._changelogs if c.questionnaire == id),
            key=lambda c: version_key(c.version),
        )

    def changes(self, id: str, from_version: str, to_version: str) -> dict[str, list[str]] | None:
        """The questions of ``id`` that changed from one version to a later one, each with
        what changed at each step (from the changelogs); empty for the same version;
        ``None`` if a step between them has no changelog or either version is unknown."""
        versions = self.versions(id)
        if from_version not in versions or to_version not in versions:
            return None
        start, end = versions.index(from_version), versions.index(to_version)
        if start > end:
            return None
        return changed_between(self.changelogs(id), versions[start : end + 1])

    def __len__(self) -> int:
        return len(self._entries)

    def __iter__(self) -> Iterator[Definition]:
        return iter(self.all())

    def __contains__(self, key: object) -> bool:
        return key in self._entries

    def all(self) -> list[Definition]:
        """Every definition, sorted by id then version (oldest first)."""
        keys = sorted(self._entries, key=lambda k: (k[0], version_key(k[1])))
        return [self._entries[key][0] for key in keys]

    def get(self, id: str, version: str) -> Definition:
        """The definition with this id and version; ``KeyError`` if there is none."""
        try:
            return self._entries[(id, version)][0]
        except KeyError:
            raise KeyError(f"no definition '{id}' version {version}") from None

    def path_of(self, id: str, version: str) -> Path:
        """The file the definition was loaded from; ``KeyError`` if there is none."""
        try:
            return self._entries[(id, version)][1]
        except KeyError:
            raise KeyError(f"no definition '{id}' version {version}") from None

    def versions(self, id: str) -> list[str]:
        """The versions of this id, oldest first (empty if the id is unknown)."""
        return sorted((v for i, v in self._entries if i == id), key=version_key)

    def latest(self, id: str) -> Definition:
        """The highest version of this id (natural order); ``KeyError`` if the id is unknown."""
        versions = self.versions(id)
        if not versions:
            raise KeyError(f"no definition '{id}'")
        return self.get(id, versions[-1])

    def questionnaire(self, id: str, version: str | None = None) -> Questionnaire:
        """The questionnaire with this id (latest if no version); ``KeyError`` otherwise."""
        found = self.latest(id) if version is None else self.get(id, version)
        if not isinstance(found, Questionnaire):
            raise KeyError(f"'{id}' is a metrics definition, not a questionnaire")
        return found

    def questionnaires(self, purpose: str | None = None) -> list[Questionnaire]:
        """Every questionnaire version (optionally of one purpose), sorted by id then version."""
        return [
            d
            for d in self.all()
            if isinstance(d, Questionnaire) and (purpose is None or d.purpose == purpose)
        ]

    def metrics(self, id: str | None = None) -> list[MetricsDefinition]:
        """Every metrics definition version (optionally of one id), sorted by id then version."""
        return [
            d for d in self.all() if isinstance(d, MetricsDefinition) and (id is None or d.id == id)
        ]


def load_directory(path: str | Path) -> Catalogue:
    """Load every ``*.yaml`` file directly inside a folder into a :class:`Catalogue`.

    A ``*.yml`` file is reported as a problem rather than silently skipped.

    Every file is read even if an earlier one fails, so one :class:`QuestionnaireError`
    (``file`` = the folder) lists the problems of all the files, including any repeated
    ``(id, version)``. Raises it if the folder does not exist.
    """
    folder = Path(path)
    if not folder.is_dir():
        raise QuestionnaireError(
            folder, [FileProblem(str(folder), FILE_PATH, "not a folder (or does not exist)")]
        )
    problems: list[FileProblem] = []
    loaded: list[tuple[Definition, Path]] = []
    changelogs: list[tuple[Changelog, Path, yaml.Node]] = []
    seen: dict[tuple[str, str], Path] = {}
    for stray in sorted(folder.glob("*.yml")):
        # Only *.yaml is loaded; a .yml file would otherwise be skipped without a word.
        problems.append(
            FileProblem(str(stray), FILE_PATH, "not loaded: content files must end in .yaml")
        )
    for file in sorted(folder.glob("*.yaml")):
        try:
            data, root = _read(file)
            if data.get("purpose") == CHANGELOG_PURPOSE:
                changelogs.append((parse_changelog(data, str(file), root), file, root))
                continue
            definition = parse_definition(data, str(file), root)
        except QuestionnaireError as error:
            problems.extend(error.problems)
            continue
        key = (definition.id, definition.version)
        if key in seen:
            problems.append(
                FileProblem(
                    str(file),
                    "version",
                    f"{definition.label} is already defined in {seen[key].name}: "
                    "give the new file a new version",
                )
            )
            continue
        seen[key] = file
        loaded.append((definition, file))
    if problems:
        raise QuestionnaireError(folder, problems)
    catalogue = Catalogue(loaded, [changelog for changelog, _file, _root in changelogs])
    for changelog, file, root in changelogs:
        problems.extend(_changelog_problems(catalogue, changelog, str(file), root))
    for position, _key, first in _repeats(
        (c.questionnaire, c.from_version, c.version) for c, _f, _r in changelogs
    ):
        problems.append(
            FileProblem(
                str(changelogs[position][1]),
                "version",
                f"{changelogs[position][0].label} is already described in "
                f"{changelogs[first][1].name}: one changelog per pair of versions",
            )
        )
    if problems:
        raise QuestionnaireError(folder, problems)
    return catalogue


def _repeats(keys: Iterator[tuple[str, str, str]]) -> list[tuple[int, tuple[str, str, str], int]]:
    first: dict[tuple[str, str, str], int] = {}
    found = []
    for position, key in enumerate(keys):
        if key in first:
            found.append((position, key, first[key]))
        else:
            first[key] = position
    return found


def _changelog_problems(
    catalogue: Catalogue, changelog: Changelog, file: str, root: yaml.Node | None
) -> list[FileProblem]:
    """A changelog checked against the two questionnaire versions it names."""

    def problem(loc: Sequence[str | int], message: str) -> FileProblem:
        return FileProblem(
            file, format_path(loc), message, _line_of(root, loc) if root is not None else None
        )

    versions = catalogue.versions(changelog.questionnaire)
    missing = [
        (field, version)
        for field, version in (
            ("from_version", changelog.from_version),
            ("version", changelog.version),
        )
        if version not in versions
    ]
    if missing or not isinstance(
        catalogue.get(changelog.questionnaire, changelog.version), Questionnaire
    ):
        known = ", ".join(versions) or "none"
        return [
            problem(
                [field],
                f"there is no questionnaire '{changelog.questionnaire}' version {version} "
                f"in the folder (versions: {known})",
            )
            for field, version in missing
        ] or [problem(["questionnaire"], f"'{changelog.questionnaire}' is not a questionnaire")]
    before = catalogue.questionnaire(changelog.questionnaire, changelog.from_version)
    after = catalogue.questionnaire(changelog.questionnaire, changelog.version)
    found = [problem(loc, message) for loc, message in check_changelog(changelog, before, after)]
    if version_key(changelog.from_version) >= version_key(changelog.version):
        found.append(problem(["from_version"], "from_version must be earlier than version"))
    elif versions.index(changelog.version) != versions.index(changelog.from_version) + 1:
        found.append(
            problem(
                ["from_version"],
                f"versions {changelog.from_version} and {changelog.version} are not "
                "consecutive: a changelog describes one step",
            )
        )
    return found
