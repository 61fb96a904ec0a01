"""The theory of change: challenge, inputs, activities, outputs, outcomes (each linked to
the metrics that evidence it and the maturity domains it depends on) and long-term impacts."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from maturity.framework.schema import MetricsDefinition

__all__ = [
    "TOC_ITEM_LIMIT",
    "TOC_LISTS",
    "TOC_OUTCOMES",
    "Outcome",
    "TheoryOfChangeFields",
    "check_outcome",
    "check_theory_of_change",
    "parse_lines",
]


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
