"""Checking impact returns and totalling them."""

from typing import Any

import pytest
from framework_fixtures import metrics_data, metrics_definition

from maturity.framework import check_return, totals

VALID: dict[str, Any] = {
    "people-supported": 40,
    "training-hours": 120,
    "into-destinations": 20,
    "into-paid-work": 12,
    "into-care-jobs": 10,
    "retention-rate": 85.5,
    "satisfaction": 8.2,
    "wellbeing": 4,
    "active-partners": 7,
}


def test_valid_and_partial_returns_pass() -> None:
    definition = metrics_definition()
    assert check_return(definition, VALID) == []
    assert check_return(definition, {}) == []
    assert check_return(definition, {"people-supported": None, "training-hours": 3.0}) == []


@pytest.mark.parametrize(
    ("metric_id", "value", "kind", "fragment"),
    [
        ("people-supported", -1, "range", "cannot be negative"),
        ("active-partners", 2.5, "type", "must be a whole number of count"),
        ("training-hours", 1.5, "type", "whole number of hours"),
        ("retention-rate", 100.5, "range", "cannot be more than 100%"),
        ("satisfaction", 10.5, "range", "cannot be more than 10"),
        ("wellbeing", 6, "range", "cannot be more than 5"),
        ("people-supported", True, "type", "must be a number"),
        ("people-supported", "12", "type", "must be a number"),
        ("people-supported", float("nan"), "type", "must be a number"),
    ],
)
def test_value_problems(metric_id: str, value: Any, kind: str, fragment: str) -> None:
    problems = check_return(metrics_definition(), {metric_id: value})
    assert len(problems) == 1
    assert problems[0].metric_ids == (metric_id,)
    assert problems[0].kind == kind
    assert fragment in problems[0].message


def test_unknown_metric() -> None:
    problems = check_return(metrics_definition(), {"made-up": 3})
    assert [(p.kind, p.metric_ids) for p in problems] == [("unknown", ("made-up",))]
    assert "'made-up' is not a metric" in problems[0].message


def test_written_rule() -> None:
    values = {**VALID, "into-destinations": 50}
    problems = check_return(metrics_definition(), values)
    assert len(problems) == 1
    problem = problems[0]
    assert problem.kind == "rule"
    assert problem.rule_id == "destinations-within-supported"
    assert problem.metric_ids == ("into-destinations", "people-supported")
    assert problem.message == "People into destinations cannot be more than people supported."
    assert problem.detail == (
        "'Into destinations' = 50, which should be at most 'People supported' = 40"
    )


def test_implicit_parent_rules() -> None:
    values = {"into-destinations": 10, "into-paid-work": 12, "into-care-jobs": 13}
    problems = check_return(metrics_definition(), values)
    assert [p.rule_id for p in problems] == [
        "into-paid-work-within-into-destinations",
        "into-care-jobs-within-into-paid-work",
    ]
    assert "'Into paid work' cannot be more than 'Into destinations'" in problems[0].message


def test_rules_wait_for_all_their_values() -> None:
    definition = metrics_definition()
    assert check_return(definition, {"into-paid-work": 12, "into-destinations": None}) == []
    problems = check_return(definition, {"into-paid-work": 12, "into-destinations": -1})
    assert [p.kind for p in problems] == ["range"]


def test_sum_and_equality_rules_are_exact() -> None:
    data = metrics_data()
    data["metrics"].append({**data["metrics"][5], "id": "leaving-rate", "title": "Leaving rate"})
    data["metrics"].append({**data["metrics"][5], "id": "all-rate", "title": "All"})
    data["rules"].append(
        {
            "id": "rates-add-up",
            "left": ["retention-rate", "leaving-rate"],
            "operator": "==",
            "right": ["all-rate"],
            "message": "Rates must add up to the whole.",
        }
    )
    definition = metrics_definition(data)
    # 33.3 + 66.7 is 100.00000000000001 in binary floating point.
    values = {"retention-rate": 33.3, "leaving-rate": 66.7, "all-rate": 100}
    assert check_return(definition, values) == []
    problems = check_return(definition, {**values, "all-rate": 99.9})
    assert [p.rule_id for p in problems] == ["rates-add-up"]
    assert problems[0].metric_ids == ("retention-rate", "leaving-rate", "all-rate")
    assert problems[0].detail == (
        "'Retention rate' + 'Leaving rate' = 100, which should be equal to 'All' = 99.9"
    )


def test_totals_sum_cumulative_metrics_only() -> None:
    definition = metrics_definition()
    returns = [
        {"people-supported": 3, "training-hours": 10, "retention-rate": 50, "active-partners": 4},
        {"people-supported": 4, "into-destinations": None},
        {"people-supported": 5.0},
    ]
    result = totals(definition, returns)
    assert result == {
        "people-supported": 12,
        "training-hours": 10,
        "into-destinations": None,
        "into-paid-work": None,
        "into-care-jobs": None,
    }
    assert isinstance(result["people-supported"], int)
    assert totals(definition, []) == dict.fromkeys(result)


def test_totals_refuse_unknown_ids_and_non_numbers() -> None:
    with pytest.raises(ValueError, match="unknown metric 'nope'"):
        totals(metrics_definition(), [{"nope": 1}])
    with pytest.raises(ValueError, match="not a number"):
        totals(metrics_definition(), [{"people-supported": "3"}])
