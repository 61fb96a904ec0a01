"""Builders for small, valid content files used by the framework tests.

Each builder returns plain data (what YAML would parse to), so a test can break one thing and
write it out with :func:`write_yaml`.
"""

import copy
from pathlib import Path
from typing import Any

import yaml
from hypothesis import strategies as st

from maturity.framework.schema import MetricsDefinition, Questionnaire

LGA_LEVELS = ["First steps", "Compliant", "Strategic", "Integrated", "Disruptive"]


WEIGHT_REASON = {"ref": "guide", "section": "Section", "why": "The test says so."}


def _indicator(indicator_id: str, title: str, n_levels: int = 5, **extra: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": indicator_id,
        "title": title,
        "question": f"How would you describe {title.lower()}?",
        "levels": {v: f"{title} at level {v}" for v in range(1, n_levels + 1)},
        "guidance": f"Guidance for {title}.",
        "evidence_prompt": f"What evidence shows {title.lower()}?",
        "next_steps": {v: f"Step {title} up to level {v}" for v in range(2, n_levels + 1)},
        "source": {"ref": "guide", "section": "Section"},
    }
    data.update(extra)
    return data


def questionnaire_data() -> dict[str, Any]:
    """Two domains: funding (2 indicators, one weighted 2 and allowing NA), leadership (3)."""
    return {
        "id": "test-maturity",
        "version": "2026.1",
        "title": "Test maturity",
        "purpose": "assessment",
        "summary": "A small questionnaire for tests.",
        "sources": {
            "guide": {"file": "003_guide.txt", "title": "What good looks like"},
            "lga-matrix": {"title": "LGA matrix", "url": "https://example.org/matrix"},
        },
        "levels": [
            {"value": v, "name": name, "attitude": f"attitude {v}"}
            for v, name in enumerate(LGA_LEVELS, start=1)
        ],
        "scoring": {"thresholds": {2: 2.0, 3: 3.0, 4: 4.0, 5: 5.0}, "gate": 1},
        "domains": [
            {
                "id": "funding",
                "title": "Funding",
                "summary": "Money.",
                "indicators": [
                    _indicator("funding-model", "Funding model"),
                    _indicator(
                        "funding-diversity",
                        "Funding diversity",
                        weight=2.0,
                        weight_reason=dict(WEIGHT_REASON),
                        allow_not_applicable=True,
                    ),
                ],
            },
            {
                "id": "leadership",
                "title": "Leadership",
                "summary": "Who leads.",
                "indicators": [
                    _indicator("vision", "Vision"),
                    _indicator("governance", "Governance"),
                    _indicator("sponsorship", "Sponsorship", allow_not_applicable=True),
                ],
            },
        ],
    }


def metrics_data() -> dict[str, Any]:
    """Outputs and outcomes; into-paid-work is an "of whom" of into-destinations."""

    def metric(metric_id: str, group: str, unit: str, **extra: Any) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": metric_id,
            "title": metric_id.replace("-", " ").capitalize(),
            "group": group,
            "unit": unit,
            "period": "quarter",
            "definition": f"Definition of {metric_id}.",
            "cumulative": unit in ("people", "count", "hours"),
            "source": {"ref": "guide", "section": "Impact"},
        }
        data.update(extra)
        return data

    return {
        "id": "test-metrics",
        "version": "2026.1",
        "title": "Test metrics",
        "purpose": "metrics",
        "summary": "Metrics for tests.",
        "sources": {"guide": {"file": "003_guide.txt", "title": "What good looks like"}},
        "groups": [{"id": "outputs", "title": "Outputs"}, {"id": "outcomes", "title": "Outcomes"}],
        "metrics": [
            metric("people-supported", "outputs", "people"),
            metric("training-hours", "outputs", "hours"),
            metric("into-destinations", "outcomes", "people"),
            metric("into-paid-work", "outcomes", "people", parent="into-destinations"),
            metric("into-care-jobs", "outcomes", "people", parent="into-paid-work"),
            metric("retention-rate", "outcomes", "percent"),
            metric("satisfaction", "outcomes", "score", scale_max=10),
            metric("wellbeing", "outcomes", "score"),
            metric("active-partners", "outputs", "count", cumulative=False),
        ],
        "rules": [
            {
                "id": "destinations-within-supported",
                "left": ["into-destinations"],
                "operator": "<=",
                "right": ["people-supported"],
                "message": "People into destinations cannot be more than people supported.",
            }
        ],
    }


def write_yaml(folder: Path, data: Any, name: str = "file.yaml") -> Path:
    """Write data as YAML (keys in insertion order) and return the path."""
    path = folder / name
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


def with_weight_reasons(data: dict[str, Any]) -> dict[str, Any]:
    """The data with a reason added to every indicator weighted other than 1 that has none,
    and the placeholder reason taken off any set back to 1 (a weight other than 1 must say
    why, and only such a weight; tests about scoring set weights directly)."""
    for domain in data.get("domains", ()):
        for indicator in domain.get("indicators", ()):
            if indicator.get("weight", 1) != 1 and "weight_reason" not in indicator:
                indicator["weight_reason"] = dict(WEIGHT_REASON)
            elif (
                indicator.get("weight", 1) == 1 and indicator.get("weight_reason") == WEIGHT_REASON
            ):
                del indicator["weight_reason"]  # the test set the weight back to 1
    return data


def questionnaire(data: dict[str, Any] | None = None) -> Questionnaire:
    """A validated questionnaire from data (the default fixture when None); weights other
    than 1 are given a reason if they have none (``with_weight_reasons``)."""
    return Questionnaire.model_validate(
        with_weight_reasons(copy.deepcopy(data or questionnaire_data()))
    )


def metrics_definition(data: dict[str, Any] | None = None) -> MetricsDefinition:
    """A validated metrics definition from data (the default fixture when None)."""
    return MetricsDefinition.model_validate(copy.deepcopy(data or metrics_data()))


# --- hypothesis strategies ---------------------------------------------------------------------


@st.composite
def questionnaires(draw: st.DrawFn) -> Questionnaire:
    """Random valid questionnaires: 2–6 levels, 1–4 domains of 1–5 indicators, random weights,
    thresholds (increasing or flat, one or two decimals) and gate."""
    n = draw(st.integers(2, 6))
    # Thresholds in (1, n], non-decreasing; hundredths exercise rounding at the boundary.
    raw = draw(st.lists(st.integers(101, n * 100), min_size=n - 1, max_size=n - 1))
    thresholds = {
        level: value / 100 for level, value in zip(range(2, n + 1), sorted(raw), strict=True)
    }
    gate = draw(st.integers(0, n))
    n_domains = draw(st.integers(1, 4))
    domains = []
    counter = 0
    for d in range(n_domains):
        indicators = []
        for _ in range(draw(st.integers(1, 5))):
            counter += 1
            indicators.append(
                _indicator(
                    f"ind-{counter}",
                    f"Indicator {counter}",
                    n_levels=n,
                    weight=draw(st.integers(1, 100)) / 10,
                    allow_not_applicable=draw(st.booleans()),
                )
            )
        domains.append(
            {"id": f"dom-{d}", "title": f"Domain {d}", "summary": "S.", "indicators": indicators}
        )
    data = questionnaire_data()
    data["levels"] = [{"value": v, "name": f"Level {v}"} for v in range(1, n + 1)]
    data["scoring"] = {"thresholds": thresholds, "gate": gate}
    data["domains"] = domains
    return Questionnaire.model_validate(with_weight_reasons(data))


@st.composite
def answer_sets(draw: st.DrawFn, q: Questionnaire) -> dict[str, Any]:
    """Random answers for q: each indicator a level, not applicable (if allowed) or absent."""
    from maturity.framework.scoring import Answer

    top = len(q.levels)
    answers: dict[str, Any] = {}
    for domain in q.domains:
        for ind in domain.indicators:
            choices = ["level", "level", "level", "absent"]
            if ind.allow_not_applicable:
                choices.append("na")
            kind = draw(st.sampled_from(choices))
            if kind == "level":
                level = draw(st.integers(1, top))
                answers[ind.id] = draw(st.sampled_from([level, Answer(level=level)]))
            elif kind == "na":
                answers[ind.id] = Answer.na("Does not apply here")
    return answers
