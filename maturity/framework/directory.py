"""The practice directory: academies named in the guide, and what each is known for.

The directory (``maturity/data/practice-directory.yaml``) lists care and health career academies
with a short profile (region, kind, host, launch year, …) and the practice each is known for.
Every ``known_for`` item is tagged with one or more maturity domains (and, where precise,
indicators) of the annual questionnaire, and cites its source, so a user looking at a domain can
be pointed to academies with relevant practice.

Loading follows :mod:`maturity.framework.loader`: YAML is read strictly (duplicate keys refused),
every problem is collected and raised together as one
:class:`~maturity.framework.loader.QuestionnaireError`, each problem named by file, path
(``entries[2].known_for[0].domains[1]``) and line.

Pure Python: nothing here imports Flask or SQLAlchemy.
"""

import difflib
from collections.abc import Collection, Iterable, Mapping
from functools import cached_property
from pathlib import Path
from types import MappingProxyType
from typing import Annotated, Any, Literal, get_args

from pydantic import Field, ValidationError, ValidationInfo, model_validator

from maturity.framework.loader import (
    FILE_PATH,
    FileProblem,
    QuestionnaireError,
    _parse_yaml,
    _problem,
)
from maturity.framework.schema import (
    Loc,
    Slug,
    Source,
    SourceRef,
    Sources,
    Text,
    Version,
    _check_source_ref,
    _duplicates,
    _Model,
    _Problems,
)

__all__ = [
    "DELIVERY_MODES",
    "HOST_BODY_TYPES",
    "KINDS",
    "LOCALITIES",
    "PRACTICE_DIRECTORY_FILE",
    "PROFILE_FIELDS",
    "REGIONS",
    "DirectoryEntry",
    "KnownFor",
    "PracticeDirectory",
    "entries_for_domain",
    "entries_for_indicator",
    "load_practice_directory",
    "search",
]

PRACTICE_DIRECTORY_FILE = (
    Path(__file__).resolve().parent.parent / "data" / "practice-directory.yaml"
)

Region = Literal[
    "north-east",
    "north-west",
    "yorkshire-and-the-humber",
    "east-midlands",
    "west-midlands",
    "east-of-england",
    "london",
    "south-east",
    "south-west",
]
Kind = Literal["social_care", "health_and_care"]
HostBodyType = Literal[
    "local_authority", "nhs_trust", "integrated_care_board", "partnership", "other"
]
Locality = Literal["urban", "rural", "mixed"]
DeliveryMode = Literal["physical", "virtual", "blended"]

REGIONS: tuple[str, ...] = get_args(Region)
"""England's nine regions, in the order of ``maturity/data/regions.csv``."""
KINDS: tuple[str, ...] = get_args(Kind)
HOST_BODY_TYPES: tuple[str, ...] = get_args(HostBodyType)
LOCALITIES: tuple[str, ...] = get_args(Locality)
DELIVERY_MODES: tuple[str, ...] = get_args(DeliveryMode)

ProfileField = Literal[
    "region", "kind", "host_body_type", "launched", "locality", "delivery_mode", "funding"
]
PROFILE_FIELDS: tuple[str, ...] = get_args(ProfileField)
"""The profile facts of an entry; each one given cites a specific page (``fact_source``)."""

FIRST_YEAR = 1990
LAST_YEAR = 2100
Year = Annotated[int, Field(strict=True, ge=FIRST_YEAR, le=LAST_YEAR)]

_DOMAIN_IDS = "domain_ids"
_INDICATOR_IDS = "indicator_ids"


class KnownFor(_Model):
    """One piece of practice an academy is known for, tagged by domain and cited."""

    text: Text
    domains: tuple[Slug, ...] = Field(min_length=1)
    indicators: tuple[Slug, ...] = ()
    source: SourceRef


class DirectoryEntry(_Model):
    """One academy: its profile (``None`` where the sources do not say) and its practice."""

    id: Slug
    name: Text
    region: Region | None = None
    kind: Kind | None = None
    host_body_type: HostBodyType | None = None
    launched: Year | None = None
    locality: Locality | None = None
    delivery_mode: DeliveryMode | None = None
    funding: Text | None = None
    summary: Text
    known_for: tuple[KnownFor, ...] = Field(min_length=1)
    facts_source: SourceRef | None = None
    field_sources: dict[ProfileField, SourceRef] = Field(default_factory=dict)
    region_from_name: bool = False

    def fact_source(self, field: str) -> SourceRef | None:
        """Where the profile fact ``field`` comes from: its own entry in ``field_sources``,
        else ``facts_source``; None for a region that follows from the academy's name
        (``region_from_name``) and for a fact that is not given."""
        if getattr(self, field) is None:
            return None
        if field in self.field_sources:
            return self.field_sources[field]
        if field == "region" and self.region_from_name:
            return None
        return self.facts_source

    @property
    def given_facts(self) -> tuple[str, ...]:
        """The profile fields this entry gives (not null), in ``PROFILE_FIELDS`` order."""
        return tuple(field for field in PROFILE_FIELDS if getattr(self, field) is not None)

    @cached_property
    def domain_ids(self) -> tuple[str, ...]:
        """Every domain any ``known_for`` item is tagged with, in file order, once each."""
        return tuple(dict.fromkeys(d for item in self.known_for for d in item.domains))

    @cached_property
    def indicator_ids(self) -> tuple[str, ...]:
        """Every indicator any ``known_for`` item is tagged with, in file order, once each."""
        return tuple(dict.fromkeys(i for item in self.known_for for i in item.indicators))

    def known_for_domain(self, domain_id: str) -> tuple[KnownFor, ...]:
        """The ``known_for`` items tagged with this domain, in file order (may be empty)."""
        return tuple(item for item in self.known_for if domain_id in item.domains)

    def known_for_indicator(self, indicator_id: str) -> tuple[KnownFor, ...]:
        """The ``known_for`` items tagged with this indicator, in file order (may be empty)."""
        return tuple(item for item in self.known_for if indicator_id in item.indicators)


class PracticeDirectory(_Model):
    """The whole directory file, validated as a whole.

    When validated with a context holding ``domain_ids`` and/or ``indicator_ids`` (as
    :func:`load_practice_directory` does), every tag must be one of those ids.
    """

    version: Version
    sources: Sources
    entries: tuple[DirectoryEntry, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _consistent(self, info: ValidationInfo) -> "PracticeDirectory":
        context = info.context if isinstance(info.context, dict) else {}
        domain_ids = _id_set(context.get(_DOMAIN_IDS))
        indicator_ids = _id_set(context.get(_INDICATOR_IDS))
        problems = _Problems()
        for position, entry_id, first in _duplicates(entry.id for entry in self.entries):
            problems.add(
                ("entries", position, "id"),
                f"duplicate id '{entry_id}': already used by entries[{first}]",
            )
        names = (entry.name.casefold() for entry in self.entries)
        for position, _name, first in _duplicates(names):
            problems.add(
                ("entries", position, "name"),
                f"name '{self.entries[position].name}' is already used by entries[{first}]",
            )
        for e, entry in enumerate(self.entries):
            loc: Loc = ("entries", e)
            if entry.facts_source is not None:
                _check_source_ref(
                    problems, (*loc, "facts_source"), entry.facts_source, self.sources
                )
            for field, ref in entry.field_sources.items():
                if getattr(entry, field) is None:
                    problems.add(
                        (*loc, "field_sources", field),
                        f"'{field}' is not given, so it cannot have a source",
                    )
                _check_source_ref(problems, (*loc, "field_sources", field), ref, self.sources)
            if entry.region_from_name and entry.region is None:
                problems.add(
                    (*loc, "region_from_name"),
                    "region_from_name needs a region: give the ONS region the name implies",
                )
            for given in entry.given_facts:
                if entry.fact_source(given) is None and not (
                    given == "region" and entry.region_from_name
                ):
                    problems.add(
                        (*loc, given),
                        f"'{given}' has no source: set facts_source or field_sources.{given}, "
                        "or leave it null",
                    )
            for k, item in enumerate(entry.known_for):
                _check_known_for(
                    problems, (*loc, "known_for", k), item, self.sources, domain_ids, indicator_ids
                )
        problems.raise_if_any("PracticeDirectory")
        return self

    @cached_property
    def _entries(self) -> MappingProxyType[str, DirectoryEntry]:
        return MappingProxyType({entry.id: entry for entry in self.entries})

    def entry(self, entry_id: str) -> DirectoryEntry:
        """The entry with this id; raises ``KeyError`` naming the id if there is none."""
        try:
            return self._entries[entry_id]
        except KeyError:
            raise KeyError(f"no academy '{entry_id}' in the practice directory") from None


def _id_set(value: Any) -> frozenset[str] | None:
    if value is None:
        return None
    return frozenset(str(item) for item in value)


def _unknown(kind: str, value: str, known: frozenset[str], list_known: bool) -> str:
    message = f"unknown {kind} '{value}': it is not a {kind} id of the questionnaire"
    close = difflib.get_close_matches(value, sorted(known), n=1)
    if close:
        message += f" (did you mean '{close[0]}'?)"
    elif list_known:
        message += f" ({', '.join(sorted(known))})"
    return message


def _check_known_for(
    problems: _Problems,
    loc: Loc,
    item: KnownFor,
    sources: Mapping[str, Source],
    domain_ids: frozenset[str] | None,
    indicator_ids: frozenset[str] | None,
) -> None:
    for field, values, known, list_known in (
        ("domains", item.domains, domain_ids, True),
        ("indicators", item.indicators, indicator_ids, False),
    ):
        kind = field.removesuffix("s")
        for position, value, first in _duplicates(values):
            problems.add(
                (*loc, field, position),
                f"{kind} '{value}' is already listed as {field}[{first}]",
            )
        if known is None:
            continue
        for position, value in enumerate(values):
            if value not in known:
                problems.add((*loc, field, position), _unknown(kind, value, known, list_known))
    _check_source_ref(problems, (*loc, "source"), item.source, sources)


# --- loading -----------------------------------------------------------------------------------


def load_practice_directory(
    path: str | Path = PRACTICE_DIRECTORY_FILE,
    *,
    domain_ids: Collection[str] | None = None,
    indicator_ids: Collection[str] | None = None,
) -> PracticeDirectory:
    """Load and validate the practice directory file.

    Checks YAML syntax (duplicate keys refused), field types and allowed values (regions, kind,
    host body type, locality, delivery mode, launch year 1990–2100), unique slug ids and names,
    at least one entry, at least one domain on every ``known_for`` item, source refs, and, when
    ``domain_ids`` / ``indicator_ids`` are given, that every tag is one of them.

    Guarantees an immutable, fully validated :class:`PracticeDirectory`, or raises
    :class:`~maturity.framework.loader.QuestionnaireError` naming the file and listing every
    problem with its path (``entries[2].known_for[0].domains[1]``) and line.
    """
    file = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise QuestionnaireError(
            file, [FileProblem(file, FILE_PATH, f"cannot read: {error}")]
        ) from None
    data, root = _parse_yaml(text, file)
    context: dict[str, frozenset[str]] = {}
    if domain_ids is not None:
        context[_DOMAIN_IDS] = frozenset(domain_ids)
    if indicator_ids is not None:
        context[_INDICATOR_IDS] = frozenset(indicator_ids)
    try:
        return PracticeDirectory.model_validate(data, context=context)
    except ValidationError as error:
        problems = [_problem(file, root, details) for details in error.errors()]
        raise QuestionnaireError(file, problems) from None


# --- lookups -----------------------------------------------------------------------------------


def _by_name(entries: Iterable[DirectoryEntry]) -> list[DirectoryEntry]:
    return sorted(entries, key=lambda entry: (entry.name.casefold(), entry.id))


def entries_for_domain(directory: PracticeDirectory, domain_id: str) -> list[DirectoryEntry]:
    """Entries with at least one ``known_for`` item tagged with the domain, sorted by name."""
    return _by_name(entry for entry in directory.entries if domain_id in entry.domain_ids)


def entries_for_indicator(directory: PracticeDirectory, indicator_id: str) -> list[DirectoryEntry]:
    """Entries with at least one ``known_for`` item tagged with the indicator, sorted by name."""
    return _by_name(entry for entry in directory.entries if indicator_id in entry.indicator_ids)


def _matches_text(entry: DirectoryEntry, needle: str) -> bool:
    haystacks = (entry.name, entry.summary, *(item.text for item in entry.known_for))
    return any(needle in haystack.casefold() for haystack in haystacks)


def search(
    directory: PracticeDirectory,
    *,
    text: str = "",
    domain: str | None = None,
    region: str | None = None,
) -> list[DirectoryEntry]:
    """Entries matching every filter given, sorted by name.

    ``text`` is a case-insensitive substring of the name, the summary or any ``known_for``
    text (blank matches everything); ``domain`` is a domain id the entry is tagged with;
    ``region`` is a region id (entries with no region never match a region filter).
    """
    needle = text.strip().casefold()
    found = [
        entry
        for entry in directory.entries
        if (not needle or _matches_text(entry, needle))
        and (domain is None or domain in entry.domain_ids)
        and (region is None or entry.region == region)
    ]
    return _by_name(found)
