"""A questionnaire or metric file as a plain-text outline, for reading in a terminal."""

from __future__ import annotations

import textwrap

from maturity.framework.schema import MetricsDefinition, Questionnaire


def _wrapped(text: str, indent: str) -> list[str]:
    return textwrap.wrap(
        " ".join(text.split()), width=96, initial_indent=indent, subsequent_indent=indent
    )


def outline(definition: Questionnaire | MetricsDefinition) -> str:
    """Domains, indicators and level descriptors (or metric groups and rules) as text."""
    lines = [f"{definition.title}", f"id {definition.id}, version {definition.version}", ""]
    if isinstance(definition, MetricsDefinition):
        for group in definition.groups:
            lines.append(f"{group.title} [{group.id}]")
            for metric in definition.metrics_in(group.id):
                parent = f", of whom: part of {metric.parent}" if metric.parent else ""
                lines.append(
                    f"  - {metric.title} [{metric.id}] ({metric.unit} per {metric.period}{parent})"
                )
                lines.extend(_wrapped(metric.definition, "      "))
            lines.append("")
        lines.append("Consistency rules")
        for rule in definition.all_rules:
            left, right = " + ".join(rule.left), " + ".join(rule.right)
            lines.append(f"  - {left} {rule.operator} {right}")
        return "\n".join(lines)
    scale = ", ".join(f"{level.value} {level.name}" for level in definition.levels)
    lines += [f"Levels: {scale}", f"Scoring: gate {definition.scoring.gate}", ""]
    for number, domain in enumerate(definition.domains, start=1):
        lines.append(f"{number}. {domain.title} [{domain.id}]")
        for indicator in domain.indicators:
            weight = "" if indicator.weight == 1 else f" (weight {indicator.weight:g})"
            lines.append(f"   - {indicator.title} [{indicator.id}]{weight}")
            if indicator.weight_reason is not None:
                reason = indicator.weight_reason
                lines.extend(
                    _wrapped(f"Weight: {reason.why} ({reason.ref}, “{reason.section}”)", "       ")
                )
            lines.extend(_wrapped(indicator.question, "       "))
            for level in definition.levels:
                lines.extend(
                    _wrapped(
                        f"{level.value} {level.name}: {indicator.levels[level.value]}", "       "
                    )
                )
        lines.append("")
    return "\n".join(lines)
