"""Pydantic models for the two kinds of content file: questionnaires and metric definitions.

Validation happens in two passes, because cross-references (level keys, source refs, metric
ids) can only be checked once the pieces they refer to have parsed:

1. field by field: types, slugs, ranges, required fields, unknown fields;
2. whole file: duplicate ids, level keys against the scale, thresholds, source refs, metric
   groups, parents and rules.

Both passes raise :class:`pydantic.ValidationError` whose ``loc`` is the absolute path of the
offending value inside the file, so the loader can report every problem at its place.

Every model is frozen, sequences are tuples and mappings are read-only, so a loaded file can be
shared between requests without anyone changing it underneath the others.
"""

import re
from collections.abc import Iterable, Mapping
from functools import cached_property
from types import MappingProxyType
from typing import Annotated, Any, Literal, TypeVar

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    PlainSerializer,
    StringConstraints,
    ValidationError,
    model_validator,
)
from pydantic_core import InitErrorDetails, PydanticCustomError

__all__ = [
    "SLUG_PATTERN",
    "Domain",
    "Indicator",
    "Level",
    "Metric",
    "MetricGroup",
    "MetricRule",
    "MetricsDefinition",
    "Questionnaire",
    "Scoring",
    "Source",
    "SourceRef",
    "WeightReason",
]

SLUG_PATTERN = r"^[a-z][a-z0-9-]*$"
_SLUG_RE = re.compile(SLUG_PATTERN)
_VERSION_RE = re.compile(r"^[0-9A-Za-z][0-9A-Za-z.\-]*$")

K = TypeVar("K")
V = TypeVar("V")
Loc = tuple[str | int, ...]


def _slug(value: str) -> str:
    if not _SLUG_RE.match(value):
        raise PydanticCustomError(
            "slug",
            "'{value}' is not a valid id: use lower-case letters, digits and hyphens, "
            "starting with a letter (for example 'funding-model')",
            {"value": value},
        )
    return value


def _version(value: str) -> str:
    if not _VERSION_RE.match(value):
        raise PydanticCustomError(
            "version",
            "'{value}' is not a valid version: use letters, digits, dots and hyphens "
            '(for example "2026.1")',
            {"value": value},
        )
    return value


def _freeze(value: Mapping[K, V]) -> Mapping[K, V]:
    return MappingProxyType(dict(value))


def _thaw(value: Mapping[Any, Any]) -> dict[Any, Any]:
    return dict(value)


Slug = Annotated[str, AfterValidator(_slug)]
Version = Annotated[str, StringConstraints(strip_whitespace=True), AfterValidator(_version)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
LevelTexts = Annotated[
    Mapping[int, Text], AfterValidator(_freeze), PlainSerializer(_thaw, return_type=dict[int, str])
]
Thresholds = Annotated[
    Mapping[int, float],
    AfterValidator(_freeze),
    PlainSerializer(_thaw, return_type=dict[int, float]),
]


def _hashable(value: Any) -> Any:
    if isinstance(value, Mapping):
        return frozenset((key, _hashable(item)) for key, item in value.items())
    if isinstance(value, tuple):
        return tuple(_hashable(item) for item in value)
    return value


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    def __hash__(self) -> int:
        # Pydantic's default frozen hash fails on the read-only mappings; this one lets loaded
        # files be used as cache keys. Mappings hash as item sets, matching dict equality.
        return hash(
            (type(self), *(_hashable(getattr(self, name)) for name in type(self).model_fields))
        )


class _Problems:
    """Collects whole-file problems so that all of them are reported together."""

    def __init__(self) -> None:
        self._details: list[InitErrorDetails] = []

    def add(self, loc: Loc, message: str) -> None:
        # The message goes in the context, not the template, so braces in content are safe.
        error = PydanticCustomError("consistency", "{message}", {"message": message})
        self._details.append(InitErrorDetails(type=error, loc=loc, input=None))

    def raise_if_any(self, title: str) -> None:
        if self._details:
            raise ValidationError.from_exception_data(title, self._details)


# --- shared pieces -----------------------------------------------------------------------------


class Source(_Model):
    """A document content is drawn from. At least one of ``file`` and ``url`` is given."""

    title: Text
    file: Text | None = None
    url: Text | None = None

    @model_validator(mode="after")
    def _file_or_url(self) -> "Source":
        if self.file is None and self.url is None:
            raise ValueError("a source needs a 'file' or a 'url' (or both)")
        return self


class SourceRef(_Model):
    """A citation: ``ref`` is a key of the file's ``sources``; ``section`` narrows it down."""

    ref: Slug
    section: Text | None = None


Sources = Annotated[
    Mapping[Slug, Source],
    Field(min_length=1),
    AfterValidator(_freeze),
    PlainSerializer(_thaw, return_type=dict[str, Source]),
]


def _check_source_ref(
    problems: _Problems, loc: Loc, ref: SourceRef, sources: Mapping[str, Source]
) -> None:
    if ref.ref not in sources:
        known = ", ".join(sorted(sources)) or "none"
        problems.add(
            (*loc, "ref"), f"unknown source '{ref.ref}': it must be a key of 'sources' ({known})"
        )


def _duplicates(ids: Iterable[str]) -> list[tuple[int, str, int]]:
    """(position, id, position of first use) for every repeated id."""
    first: dict[str, int] = {}
    found: list[tuple[int, str, int]] = []
    for position, value in enumerate(ids):
        if value in first:
            found.append((position, value, first[value]))
        else:
            first[value] = position
    return found


# --- questionnaires ----------------------------------------------------------------------------


class Level(_Model):
    """One step of the maturity scale."""

    value: int
    name: Text
    attitude: Text | None = None


class Scoring(_Model):
    """How answers become a level: minimum scores per level and the gate."""

    thresholds: Thresholds
    gate: int = Field(ge=0)


class WeightReason(_Model):
    """Why a question counts more (or less) than the others: the section of a source that
    says so (``ref``, ``section``) and the reason in words (``why``)."""

    ref: Slug
    section: Text
    why: Text


class Indicator(_Model):
    """One question, with a descriptor for every level and a next step to every higher level.

    A weight other than 1 must say why, in ``weight_reason``; a weight of 1 needs none.
    """

    id: Slug
    title: Text
    question: Text
    weight: float = Field(default=1.0, gt=0, le=10, allow_inf_nan=False)
    weight_reason: WeightReason | None = None
    levels: LevelTexts
    guidance: Text
    evidence_prompt: Text
    next_steps: LevelTexts
    allow_not_applicable: bool = False
    source: SourceRef


class Domain(_Model):
    """A group of indicators that is scored and reported together."""

    id: Slug
    title: Text
    summary: Text
    indicators: tuple[Indicator, ...] = Field(min_length=1)

    @cached_property
    def indicator_ids(self) -> tuple[str, ...]:
        """The domain's indicator ids in file order."""
        return tuple(indicator.id for indicator in self.indicators)


class Questionnaire(_Model):
    """A maturity questionnaire (``purpose`` assessment or scoping), validated as a whole."""

    id: Slug
    version: Version
    title: Text
    purpose: Literal["assessment", "scoping"]
    summary: Text
    sources: Sources
    levels: tuple[Level, ...] = Field(min_length=2)
    scoring: Scoring
    domains: tuple[Domain, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _consistent(self) -> "Questionnaire":
        problems = _Problems()
        _check_scale(problems, self.levels)
        _check_thresholds(problems, self.levels, self.scoring.thresholds)
        _check_domain_ids(problems, self.domains)
        for d, domain in enumerate(self.domains):
            for i, indicator in enumerate(domain.indicators):
                loc: Loc = ("domains", d, "indicators", i)
                _check_indicator(problems, loc, indicator, self.levels, self.sources)
        problems.raise_if_any("Questionnaire")
        return self

    # Lookups. Cached because scoring and rendering call them per indicator.

    @cached_property
    def _indicators(self) -> Mapping[str, tuple[Domain, Indicator]]:
        return MappingProxyType(
            {ind.id: (domain, ind) for domain in self.domains for ind in domain.indicators}
        )

    @cached_property
    def _domains(self) -> Mapping[str, Domain]:
        return MappingProxyType({domain.id: domain for domain in self.domains})

    @cached_property
    def _levels(self) -> Mapping[int, Level]:
        return MappingProxyType({level.value: level for level in self.levels})

    @cached_property
    def indicator_ids(self) -> tuple[str, ...]:
        """Every indicator id, in file order (domain by domain)."""
        return tuple(self._indicators)

    @cached_property
    def domain_ids(self) -> tuple[str, ...]:
        """Every domain id, in file order."""
        return tuple(self._domains)

    @property
    def level_values(self) -> tuple[int, ...]:
        """The scale's values, lowest first: always ``1..N``."""
        return tuple(self._levels)

    @property
    def lowest_level(self) -> Level:
        """The bottom of the scale (value 1)."""
        return self.levels[0]

    @property
    def top_level(self) -> Level:
        """The top of the scale (value N)."""
        return self.levels[-1]

    def indicator(self, indicator_id: str) -> Indicator:
        """The indicator with this id; raises ``KeyError`` naming the id if there is none."""
        try:
            return self._indicators[indicator_id][1]
        except KeyError:
            raise KeyError(f"no indicator '{indicator_id}' in {self.label}") from None

    def domain(self, domain_id: str) -> Domain:
        """The domain with this id; raises ``KeyError`` naming the id if there is none."""
        try:
            return self._domains[domain_id]
        except KeyError:
            raise KeyError(f"no domain '{domain_id}' in {self.label}") from None

    def domain_of(self, indicator_id: str) -> Domain:
        """The domain holding this indicator; raises ``KeyError`` if the id is unknown."""
        try:
            return self._indicators[indicator_id][0]
        except KeyError:
            raise KeyError(f"no indicator '{indicator_id}' in {self.label}") from None

    def level(self, value: int) -> Level:
        """The level with this value; raises ``KeyError`` if it is not on the scale."""
        try:
            return self._levels[value]
        except KeyError:
            raise KeyError(
                f"{value!r} is not a level of {self.label} (levels are 1–{len(self.levels)})"
            ) from None

    def has_indicator(self, indicator_id: str) -> bool:
        """Whether the id names an indicator of this questionnaire."""
        return indicator_id in self._indicators

    @property
    def label(self) -> str:
        """``'<id>' version <version>``, for messages."""
        return f"'{self.id}' version {self.version}"


def _check_scale(problems: _Problems, levels: tuple[Level, ...]) -> None:
    for position, level in enumerate(levels):
        if level.value != position + 1:
            problems.add(
                ("levels", position, "value"),
                f"expected {position + 1}: levels must be numbered 1, 2, 3… in order, lowest first",
            )
    for position, _name, first in _duplicates(level.name.casefold() for level in levels):
        problems.add(
            ("levels", position, "name"),
            f"level name '{levels[position].name}' is already used by levels[{first}]",
        )


def _check_thresholds(
    problems: _Problems, levels: tuple[Level, ...], thresholds: Mapping[int, float]
) -> None:
    values = [level.value for level in levels]
    top = len(levels)
    loc: Loc = ("scoring", "thresholds")
    for value in values[1:]:
        if value not in thresholds:
            problems.add(loc, f"no threshold for level {value} ({_level_name(levels, value)})")
    for key in thresholds:
        if key not in values:
            problems.add((*loc, key), f"threshold for unknown level {key} (levels are 1–{top})")
        elif key == values[0]:
            problems.add((*loc, key), f"level {key} is the lowest level: it needs no threshold")
    previous: tuple[int, float] | None = None
    for value in values[1:]:
        if value not in thresholds:
            continue
        minimum = thresholds[value]
        if not (1 < minimum <= top):
            # Exactly 1 is refused too: every answer sits at 1 or above, so a threshold of 1
            # would put an all-lowest domain above the lowest level.
            problems.add(
                (*loc, value),
                f"threshold {minimum:g} is out of range: it must be more than 1 and at most "
                f"{top} (the top level)",
            )
        if previous is not None and minimum < previous[1]:
            problems.add(
                (*loc, value),
                f"thresholds must not decrease: level {value} has {minimum:g}, lower than "
                f"{previous[1]:g} for level {previous[0]}",
            )
        previous = (value, minimum)


def _level_name(levels: tuple[Level, ...], value: int) -> str:
    for level in levels:
        if level.value == value:
            return level.name
    return "unknown"


def _check_domain_ids(problems: _Problems, domains: tuple[Domain, ...]) -> None:
    for position, domain_id, first in _duplicates(domain.id for domain in domains):
        problems.add(
            ("domains", position, "id"),
            f"duplicate domain id '{domain_id}': already used by domains[{first}]",
        )
    places = [(d, i) for d, domain in enumerate(domains) for i in range(len(domain.indicators))]
    ids = [domains[d].indicators[i].id for d, i in places]
    for position, indicator_id, first in _duplicates(ids):
        d, i = places[position]
        fd, fi = places[first]
        problems.add(
            ("domains", d, "indicators", i, "id"),
            f"duplicate indicator id '{indicator_id}': already used by "
            f"domains[{fd}].indicators[{fi}] (indicator ids must be unique in the whole file)",
        )


def _check_indicator(
    problems: _Problems,
    loc: Loc,
    indicator: Indicator,
    levels: tuple[Level, ...],
    sources: Mapping[str, Source],
) -> None:
    values = [level.value for level in levels]
    scale = f"levels are 1–{len(levels)}"
    for value in values:
        if value not in indicator.levels:
            problems.add(
                (*loc, "levels"),
                f"missing descriptor for level {value} ({_level_name(levels, value)}): "
                "every level of the scale needs one",
            )
    for key in indicator.levels:
        if key not in values:
            problems.add((*loc, "levels", key), f"descriptor for unknown level {key} ({scale})")
    for value in values[1:]:
        if value not in indicator.next_steps:
            problems.add(
                (*loc, "next_steps"),
                f"missing next step to level {value} ({_level_name(levels, value)}): "
                "every level above the lowest needs one",
            )
    for key in indicator.next_steps:
        if key not in values:
            problems.add(
                (*loc, "next_steps", key), f"next step points at unknown level {key} ({scale})"
            )
        elif key == values[0]:
            problems.add(
                (*loc, "next_steps", key),
                f"next step points at level {key}, the lowest level: nobody steps up to it",
            )
    _check_source_ref(problems, (*loc, "source"), indicator.source, sources)
    _check_weight_reason(problems, loc, indicator, sources)


def _check_weight_reason(
    problems: _Problems, loc: Loc, indicator: Indicator, sources: Mapping[str, Source]
) -> None:
    reason = indicator.weight_reason
    if reason is None:
        if indicator.weight != 1:
            problems.add(
                (*loc, "weight_reason"),
                f"weight {indicator.weight:g} needs a weight_reason: name the source section "
                "(ref, section) that makes this question count more or less than the others, "
                "and why; with no such reason the weight is 1",
            )
        return
    if indicator.weight == 1:
        problems.add(
            (*loc, "weight_reason"),
            "weight_reason is given but the weight is 1: remove the reason or set the weight",
        )
    if reason.ref not in sources:
        _check_source_ref(problems, (*loc, "weight_reason"), SourceRef(ref=reason.ref), sources)


# --- metrics -----------------------------------------------------------------------------------

Unit = Literal["people", "count", "hours", "percent", "score"]
WHOLE_NUMBER_UNITS: frozenset[str] = frozenset({"people", "count", "hours"})
DEFAULT_SCALE_MAX = 5.0


class MetricGroup(_Model):
    """A display group of metrics."""

    id: Slug
    title: Text
    summary: Text | None = None


class Metric(_Model):
    """One figure an academy reports each period."""

    id: Slug
    title: Text
    group: Slug
    unit: Unit
    period: Literal["quarter", "year"]
    definition: Text
    cumulative: bool
    parent: Slug | None = None
    scale_max: float | None = Field(default=None, gt=0, allow_inf_nan=False)
    source: SourceRef
    since_launch: bool = False
    """A running total since the academy launched, as at the end of the period (for example
    the number of different people supported since launch): reported as it stands, never
    added up over periods, and shown as the figure since launch."""

    @property
    def whole_numbers(self) -> bool:
        """Whether values must be whole numbers (people, counts, hours)."""
        return self.unit in WHOLE_NUMBER_UNITS

    @property
    def maximum(self) -> float | None:
        """The largest allowed value: 100 for percent, ``scale_max`` for score, else none."""
        if self.unit == "percent":
            return 100.0
        if self.unit == "score":
            return self.scale_max if self.scale_max is not None else DEFAULT_SCALE_MAX
        return None


class MetricRule(_Model):
    """``sum(left) <operator> sum(right)`` must hold in a return where all values are given."""

    id: Slug
    left: tuple[Slug, ...] = Field(min_length=1)
    operator: Literal["<=", ">=", "=="]
    right: tuple[Slug, ...] = Field(min_length=1)
    message: Text

    @property
    def metric_ids(self) -> tuple[str, ...]:
        """Every metric id the rule mentions, left first."""
        return (*self.left, *self.right)


class MetricsDefinition(_Model):
    """The impact metric definitions (``purpose: metrics``), validated as a whole."""

    id: Slug
    version: Version
    title: Text
    purpose: Literal["metrics"]
    summary: Text
    sources: Sources
    groups: tuple[MetricGroup, ...] = Field(min_length=1)
    metrics: tuple[Metric, ...] = Field(min_length=1)
    rules: tuple[MetricRule, ...] = ()

    @model_validator(mode="after")
    def _consistent(self) -> "MetricsDefinition":
        problems = _Problems()
        for kind, ids in (
            ("group", [g.id for g in self.groups]),
            ("metric", [m.id for m in self.metrics]),
            ("rule", [r.id for r in self.rules]),
        ):
            for position, dup, first in _duplicates(ids):
                problems.add(
                    (f"{kind}s", position, "id"),
                    f"duplicate {kind} id '{dup}': already used by {kind}s[{first}]",
                )
        metrics = {m.id: m for m in self.metrics}
        groups = {g.id for g in self.groups}
        for position, metric in enumerate(self.metrics):
            _check_metric(problems, ("metrics", position), metric, metrics, groups, self.sources)
        _check_parent_cycles(problems, self.metrics)
        for position, rule in enumerate(self.rules):
            _check_rule(problems, ("rules", position), rule, metrics)
        problems.raise_if_any("MetricsDefinition")
        return self

    @cached_property
    def _metrics(self) -> Mapping[str, Metric]:
        return MappingProxyType({metric.id: metric for metric in self.metrics})

    @cached_property
    def metric_ids(self) -> tuple[str, ...]:
        """Every metric id, in file order."""
        return tuple(self._metrics)

    def metric(self, metric_id: str) -> Metric:
        """The metric with this id; raises ``KeyError`` naming the id if there is none."""
        try:
            return self._metrics[metric_id]
        except KeyError:
            raise KeyError(f"no metric '{metric_id}' in {self.label}") from None

    def has_metric(self, metric_id: str) -> bool:
        """Whether the id names a metric of this definition."""
        return metric_id in self._metrics

    def group(self, group_id: str) -> MetricGroup:
        """The group with this id; raises ``KeyError`` if there is none."""
        for group in self.groups:
            if group.id == group_id:
                return group
        raise KeyError(f"no group '{group_id}' in {self.label}")

    def metrics_in(self, group_id: str) -> tuple[Metric, ...]:
        """The group's metrics in file order (empty for an unknown group)."""
        return tuple(metric for metric in self.metrics if metric.group == group_id)

    def children(self, metric_id: str) -> tuple[Metric, ...]:
        """The metrics whose ``parent`` is this metric, in file order."""
        return tuple(metric for metric in self.metrics if metric.parent == metric_id)

    @cached_property
    def implicit_rules(self) -> tuple[MetricRule, ...]:
        """One ``child <= parent`` rule per parent link, with id ``<child>-within-<parent>``."""
        return tuple(
            MetricRule(
                id=f"{metric.id}-within-{metric.parent}",
                left=(metric.id,),
                operator="<=",
                right=(metric.parent,),
                message=(
                    f"'{metric.title}' cannot be more than "
                    f"'{self.metric(metric.parent).title}': it counts part of the same figure."
                ),
            )
            for metric in self.metrics
            if metric.parent is not None
        )

    @property
    def all_rules(self) -> tuple[MetricRule, ...]:
        """The written rules, then the implicit parent rules."""
        return (*self.rules, *self.implicit_rules)

    @property
    def label(self) -> str:
        """``'<id>' version <version>``, for messages."""
        return f"'{self.id}' version {self.version}"


def _check_metric(
    problems: _Problems,
    loc: Loc,
    metric: Metric,
    metrics: Mapping[str, Metric],
    groups: set[str],
    sources: Mapping[str, Source],
) -> None:
    if metric.group not in groups:
        problems.add(
            (*loc, "group"),
            f"unknown group '{metric.group}': it must be the id of one of 'groups' "
            f"({', '.join(sorted(groups))})",
        )
    if metric.scale_max is not None and metric.unit != "score":
        problems.add((*loc, "scale_max"), "scale_max only applies to metrics with unit: score")
    if metric.since_launch and metric.cumulative:
        problems.add(
            (*loc, "cumulative"),
            "a running total since launch already covers every earlier period and cannot be "
            "added up: set cumulative: false",
        )
    if metric.cumulative and metric.unit in ("percent", "score"):
        problems.add(
            (*loc, "cumulative"),
            f"a {metric.unit} cannot be added up over periods: set cumulative: false",
        )
    if metric.parent is not None:
        parent = metrics.get(metric.parent)
        if parent is None:
            problems.add((*loc, "parent"), f"unknown parent metric '{metric.parent}'")
        elif parent.id == metric.id:
            problems.add((*loc, "parent"), "a metric cannot be its own parent")
        elif parent.since_launch != metric.since_launch:
            problems.add(
                (*loc, "parent"),
                f"parent '{parent.id}' and this metric must both be running totals since launch, "
                "or neither",
            )
        elif (parent.unit, parent.period) != (metric.unit, metric.period):
            problems.add(
                (*loc, "parent"),
                f"parent '{parent.id}' is measured in {parent.unit} per {parent.period} but "
                f"this metric in {metric.unit} per {metric.period}: an 'of whom' figure must "
                "use the same unit and period as its parent",
            )
    _check_source_ref(problems, (*loc, "source"), metric.source, sources)


def _check_parent_cycles(problems: _Problems, metrics: tuple[Metric, ...]) -> None:
    parents = {m.id: m.parent for m in metrics if m.parent is not None and m.parent != m.id}
    positions = {m.id: position for position, m in enumerate(metrics)}
    reported: set[str] = set()
    for start in parents:
        chain = [start]
        current = parents.get(start)
        while current is not None and current not in chain:
            chain.append(current)
            current = parents.get(current)
        if current is None or current in reported:
            continue
        cycle = chain[chain.index(current) :]
        reported.update(cycle)
        problems.add(
            ("metrics", positions[cycle[0]], "parent"),
            "parent cycle: " + " → ".join([*cycle, cycle[0]]),
        )


def _check_rule(
    problems: _Problems, loc: Loc, rule: MetricRule, metrics: Mapping[str, Metric]
) -> None:
    units: set[str] = set()
    for side in ("left", "right"):
        for position, metric_id in enumerate(getattr(rule, side)):
            metric = metrics.get(metric_id)
            if metric is None:
                problems.add((*loc, side, position), f"unknown metric '{metric_id}' in rule")
            else:
                units.add(metric.unit)
    if len(units) > 1:
        problems.add(
            loc, f"rule compares different units ({', '.join(sorted(units))}): use one unit"
        )
