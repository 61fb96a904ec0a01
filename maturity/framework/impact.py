"""Impact returns, trends, theories of change and case studies: the pure rules.

Periods are **financial-year quarters**, written ``"2026/27 Q1"``: Q1 is April to June 2026,
Q2 July to September, Q3 October to December, Q4 January to March 2027. The year part is the
same cycle as the annual assessment (``"2026/27"``), so targets, theories of change and
returns line up with assessments (both types live in ``periods``). A return may be entered
for the current quarter or any earlier one back to 2019/20 Q1, never a future one. Metrics per
year (``period: year`` in the metric file) are entered once a year, in the Q4 return.

Nothing here imports Flask or SQLAlchemy. Values are checked by ``metrics.check_return``
and added up by ``metrics.totals``; this module only arranges their results.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from fractions import Fraction

from maturity.framework.metrics import Number, Problem, check_return, totals
from maturity.framework.periods import Period, PeriodError
from maturity.framework.schema import Metric, MetricsDefinition

__all__ = [
    "CASE_STUDY_BODY_LIMIT",
    "Change",
    "Outcome",
    "CaseStudyFields",
    "MetricTrend",
    "TheoryOfChangeFields",
    "check_case_study",
    "check_outcome",
    "check_target",
    "check_theory_of_change",
    "metrics_for_period",
    "parse_figure",
    "parse_lines",
    "participant_groups",
    "period_change",
    "rate",
    "split_problems",
    "trend",
]


def metrics_for_period(definition: MetricsDefinition, period: Period) -> tuple[Metric, ...]:
    """The metrics a return for this quarter asks for: the quarterly ones, and in Q4 also
    the yearly ones."""
    return tuple(
        metric for metric in definition.metrics if metric.period == "quarter" or period.is_year_end
    )


# --- figures -------------------------------------------------------------------------------

_NUMBER = re.compile(r"^-?(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.[0-9]+)?$")
FIGURE_LIMIT = 10**11  # far above any academy's figure, and within the database column


def parse_figure(text: str) -> Number | None:
    """A typed figure as a number: ``""`` → None, ``"63,492"`` → 63492, ``"87.5"`` → 87.5.

    Raises ``ValueError`` when the text is not a plain number (``"about 20"``, ``"1e3"``).
    Negative and fractional numbers are returned as typed, so that ``check_return`` can say
    what is wrong with them.
    """
    cleaned = text.strip().replace(" ", "").replace("%", "")
    if not cleaned:
        return None
    if len(cleaned) > 20 or not _NUMBER.match(cleaned):
        raise ValueError(text)
    cleaned = cleaned.replace(",", "")
    number = float(cleaned) if "." in cleaned else int(cleaned)
    if abs(number) >= FIGURE_LIMIT:
        raise ValueError(text)
    return number


def split_problems(problems: Sequence[Problem]) -> tuple[dict[str, str], list[Problem]]:
    """Field errors (a figure that cannot be kept: not a number, negative, not whole, above
    its maximum, unknown metric) keyed by metric id, and warnings (consistency rules that
    fail: a return with warnings can be saved as a draft but not submitted)."""
    errors: dict[str, str] = {}
    warnings: list[Problem] = []
    for problem in problems:
        if problem.kind == "rule":
            warnings.append(problem)
        else:
            errors.setdefault(problem.metric_ids[0], problem.message.rstrip("."))
    return errors, warnings


def check_target(definition: MetricsDefinition, metric_id: str, value: Number) -> str | None:
    """The problem with an annual target for one metric, or None (same value rules as a
    return: whole numbers not below zero for people, counts and hours)."""
    problems = check_return(definition, {metric_id: value})
    return problems[0].message.rstrip(".") if problems else None


# --- trends --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    """Period-on-period change: the figure now, before, the difference and the percentage
    (None when the earlier figure is missing or zero)."""

    current: Number | None
    previous: Number | None
    difference: Number | None
    percent: float | None

    @property
    def direction(self) -> str:
        """``up``, ``down``, ``same`` or ``none`` (a figure is missing)."""
        if self.difference is None:
            return "none"
        return "up" if self.difference > 0 else "down" if self.difference < 0 else "same"


def _exact(value: Number) -> Fraction:
    return Fraction(value) if isinstance(value, int) else Fraction(repr(value))


def _plain(value: Fraction) -> Number:
    return int(value) if value.denominator == 1 else float(value)


def period_change(current: Number | None, previous: Number | None) -> Change:
    """How a figure moved from one period to the next, in exact arithmetic."""
    if current is None or previous is None:
        return Change(current, previous, None, None)
    difference = _exact(current) - _exact(previous)
    percent = None if previous == 0 else round(float(difference / _exact(previous) * 100), 1)
    return Change(current, previous, _plain(difference), percent)


def rate(part: Number | None, whole: Number | None) -> float | None:
    """``part`` as a percentage of ``whole`` to one decimal (None if either is missing or
    the whole is zero): for example retention = retained ÷ cohort."""
    if part is None or whole is None or whole == 0:
        return None
    return round(float(_exact(part) / _exact(whole) * 100), 1)


@dataclass(frozen=True)
class MetricTrend:
    """One metric across the periods given: its value in each (None where not reported),
    the total since the first period (cumulative metrics only) and the latest change."""

    metric: Metric
    periods: tuple[Period, ...]
    values: tuple[Number | None, ...]
    total: Number | None
    change: Change

    @property
    def has_data(self) -> bool:
        return any(value is not None for value in self.values)


def trend(
    definition: MetricsDefinition, returns: Sequence[tuple[Period, Mapping[str, Number]]]
) -> list[MetricTrend]:
    """Each metric's trend over ``returns`` (sorted here by period).

    Guarantees: one entry per metric in definition order; ``total`` is ``metrics.totals``
    over all the returns (None for non-cumulative metrics and when nothing was reported);
    ``change`` compares the latest period with a value against the period just before it
    (a yearly metric against the year before), and is empty when either is missing.
    """
    ordered = sorted(returns, key=lambda item: item[0])
    periods = tuple(period for period, _ in ordered)
    summed = totals(definition, [values for _, values in ordered])
    result = []
    for metric in definition.metrics:
        values = tuple(values.get(metric.id) for _, values in ordered)
        by_period = dict(zip(periods, values, strict=True))
        latest = next(
            (period for period in reversed(periods) if by_period[period] is not None), None
        )
        if latest is None:
            change = Change(None, None, None, None)
        else:
            before = latest.previous()
            if metric.period == "year":
                before = Period(latest.start_year - 1, latest.quarter)
            change = period_change(by_period[latest], by_period.get(before))
        result.append(MetricTrend(metric, periods, values, summed.get(metric.id), change))
    return result


# --- theory of change ----------------------------------------------------------------------

TOC_TEXT_LIMIT = 1000
TOC_ITEM_LIMIT = 200
TOC_ITEMS = 10
TOC_OUTCOMES = 10
TOC_LISTS = ("inputs", "activities", "outputs", "impacts")
TOC_LIST_NAMES = {
    "inputs": "inputs",
    "activities": "activities",
    "outputs": "outputs",
    "impacts": "long-term impacts",
}


@dataclass(frozen=True)
class Outcome:
    """One outcome: what changes, the metrics that evidence it, the domains it depends on."""

    text: str
    metric_ids: tuple[str, ...] = ()
    domain_ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class TheoryOfChangeFields:
    """A theory of change: the challenge, then inputs → activities → outputs → outcomes →
    long-term impacts."""

    challenge: str = ""
    inputs: tuple[str, ...] = ()
    activities: tuple[str, ...] = ()
    outputs: tuple[str, ...] = ()
    outcomes: tuple[Outcome, ...] = ()
    impacts: tuple[str, ...] = ()

    @property
    def is_empty(self) -> bool:
        return not (
            self.challenge
            or self.inputs
            or self.activities
            or self.outputs
            or self.outcomes
            or self.impacts
        )


def parse_lines(text: str) -> tuple[str, ...]:
    """One item per non-blank line, trimmed, leading bullets ("-", "*", "•") removed."""
    items = []
    for line in text.replace("\r\n", "\n").split("\n"):
        item = line.strip().lstrip("-*•").strip()
        if item:
            items.append(" ".join(item.split()))
    return tuple(items)


def check_theory_of_change(fields: TheoryOfChangeFields) -> dict[str, str]:
    """Problems with the challenge and the lists, keyed by form field name."""
    errors: dict[str, str] = {}
    if len(fields.challenge) > TOC_TEXT_LIMIT:
        errors["challenge"] = f"The challenge must be {TOC_TEXT_LIMIT:,} characters or fewer"
    for name in TOC_LISTS:
        items: tuple[str, ...] = getattr(fields, name)
        label = TOC_LIST_NAMES[name]
        if len(items) > TOC_ITEMS:
            errors[name] = f"Enter up to {TOC_ITEMS} {label}, one on each line"
        elif any(len(item) > TOC_ITEM_LIMIT for item in items):
            errors[name] = f"Each of the {label} must be {TOC_ITEM_LIMIT} characters or fewer"
    return errors


def check_outcome(
    outcome: Outcome, definition: MetricsDefinition, domain_ids: Sequence[str]
) -> dict[str, str]:
    """Problems with one outcome, keyed by form field name (``text``, ``metrics``,
    ``domains``): the text is required and short; every linked metric id must be a metric of
    ``definition`` and every domain id one of ``domain_ids``."""
    errors: dict[str, str] = {}
    if not outcome.text:
        errors["text"] = "Enter the outcome"
    elif len(outcome.text) > TOC_ITEM_LIMIT:
        errors["text"] = f"The outcome must be {TOC_ITEM_LIMIT} characters or fewer"
    unknown_metrics = [m for m in outcome.metric_ids if not definition.has_metric(m)]
    if unknown_metrics:
        errors["metrics"] = (
            f"Select metrics from the list ('{unknown_metrics[0][:60]}' is not a metric)"
        )
    unknown_domains = [d for d in outcome.domain_ids if d not in domain_ids]
    if unknown_domains:
        errors["domains"] = (
            f"Select maturity domains from the list ('{unknown_domains[0][:60]}' is not a domain)"
        )
    return errors


# --- case studies --------------------------------------------------------------------------

CASE_STUDY_BODY_LIMIT = 1500
CASE_STUDY_TITLE_LIMIT = 120
FIRST_NAME_PATTERN = re.compile(r"^[^\W\d_]+(?:['’-][^\W\d_]+)*$")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")
_PHONE = re.compile(r"(?:\+44\s?|\b0)\d(?:[\s-]?\d){8,10}\b")
_POSTCODE = re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}\b", re.IGNORECASE)


@dataclass(frozen=True)
class CaseStudyFields:
    """A short case study: aggregates and a story, with at most a first name."""

    title: str
    body: str
    first_name: str | None
    consent_confirmed: bool
    period: str
    domain_ids: tuple[str, ...] = ()
    groups: tuple[str, ...] = ()


def contact_details(text: str) -> str | None:
    """What kind of personal contact detail the text holds (email, phone, postcode), if
    any: impact records are aggregates and must not identify anyone."""
    return _contact_details(text)


def _contact_details(text: str) -> str | None:
    if _EMAIL.search(text):
        return "an email address"
    if _PHONE.search(text):
        return "a phone number"
    if _POSTCODE.search(text):
        return "a postcode"
    return None


def check_case_study(
    fields: CaseStudyFields,
    domain_ids: Sequence[str],
    group_ids: Sequence[str],
    today: date,
) -> dict[str, str]:
    """Problems with a case study, keyed by form field name.

    Consent must be confirmed; the only personal detail allowed is a first name (one word)
    or none; the text must not hold an email address, phone number or postcode; the body is
    at most ``CASE_STUDY_BODY_LIMIT`` characters; tags must come from the lists.
    """
    errors: dict[str, str] = {}
    if not fields.title:
        errors["title"] = "Enter a title"
    elif len(fields.title) > CASE_STUDY_TITLE_LIMIT:
        errors["title"] = f"Title must be {CASE_STUDY_TITLE_LIMIT} characters or fewer"
    if not fields.body:
        errors["body"] = "Enter the case study"
    elif len(fields.body) > CASE_STUDY_BODY_LIMIT:
        errors["body"] = f"Case study must be {CASE_STUDY_BODY_LIMIT:,} characters or fewer"
    for name, text in (("title", fields.title), ("body", fields.body)):
        found = _contact_details(text)
        if found and name not in errors:
            errors[name] = (
                f"Remove {found}: a case study must not hold contact details or other personal data"
            )
    if fields.first_name is not None and (
        len(fields.first_name) > 30 or not FIRST_NAME_PATTERN.match(fields.first_name)
    ):
        errors["first_name"] = "Enter a first name only (one word, letters only), or leave it blank"
    if not fields.consent_confirmed:
        errors["consent"] = "Confirm that the person agreed to their story being shared"
    try:
        Period.parse(fields.period).check_allowed(today)
    except PeriodError as error:
        errors["period"] = str(error)
    if any(domain not in domain_ids for domain in fields.domain_ids):
        errors["domains"] = "Select maturity domains from the list"
    if any(group not in group_ids for group in fields.groups):
        errors["groups"] = "Select groups from the list"
    return errors


def participant_groups(definition: MetricsDefinition) -> list[tuple[str, str]]:
    """The groups a case study can be tagged with, from the metric file: each
    underrepresented group and young people, as ``(id, label)``, e.g.
    ``("care-leavers", "Care leavers")``."""
    groups = []
    for metric in definition.children("engaged-underrepresented"):
        label = metric.title.removeprefix("of whom ")
        groups.append((metric.id.removeprefix("engaged-"), label[:1].upper() + label[1:]))
    if definition.has_metric("engaged-young-people"):
        groups.append(("young-people", "Young people (16 to 24)"))
    return groups
