"""Running totals since launch (``since_launch: true``): validated, never added up, and
reported as the figure since launch."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from pydantic import ValidationError

from maturity.framework import MetricsDefinition, totals
from maturity.framework.impact import trend
from maturity.framework.periods import Period
from tests.framework.framework_fixtures import metrics_data


def _with_running_totals() -> dict[str, Any]:
    data = copy.deepcopy(metrics_data())
    base = dict(data["metrics"][0])
    data["metrics"] += [
        {**base, "id": "launch-people", "cumulative": False, "since_launch": True},
        {
            **base,
            "id": "launch-paid-work",
            "cumulative": False,
            "since_launch": True,
            "parent": "launch-people",
        },
    ]
    return data


def test_a_running_total_is_not_added_up_and_its_trend_shows_the_latest() -> None:
    definition = MetricsDefinition.model_validate(_with_running_totals())
    assert definition.metric("launch-people").since_launch
    assert not definition.metric("people-supported").since_launch
    returns = [
        (Period(2024, 1), {"launch-people": 500, "people-supported": 40}),
        (Period(2024, 2), {"launch-people": 564, "people-supported": 64}),
    ]
    summed = totals(definition, [values for _, values in returns])
    assert "launch-people" not in summed and summed["people-supported"] == 104
    item = next(t for t in trend(definition, returns) if t.metric.id == "launch-people")
    assert item.total is None and item.change.current == 564 and item.change.difference == 64


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            {"cumulative": True},
            "a running total since launch already covers every earlier period",
        ),
        (
            {"since_launch": False},
            "must both be running totals since launch, or neither",
        ),
    ],
)
def test_running_totals_are_refused_when_added_up_or_mixed_with_quarterly_parents(
    change: dict[str, Any], message: str
) -> None:
    data = _with_running_totals()
    data["metrics"][-1].update(change)
    with pytest.raises(ValidationError) as refused:
        MetricsDefinition.model_validate(data)
    assert message in str(refused.value)
