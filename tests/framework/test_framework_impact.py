"""Impact rules: periods, figures, problems split into errors and warnings, trends and
changes, theory-of-change and case-study checks. Over the shipped metric file."""

from datetime import date
from pathlib import Path

import pytest

from maturity.framework import check_return, load_metrics
from maturity.framework.impact import (
    CaseStudyFields,
    Outcome,
    TheoryOfChangeFields,
    check_case_study,
    check_outcome,
    check_target,
    check_theory_of_change,
    metrics_for_period,
    parse_figure,
    parse_lines,
    participant_groups,
    period_change,
    rate,
    split_problems,
    trend,
)
from maturity.framework.periods import Period

METRICS = load_metrics(
    Path(__file__).resolve().parents[2] / "questionnaires" / "impact-metrics-2026.yaml"
)
TODAY = date(2026, 11, 23)
DOMAINS = ("leadership", "recruitment", "training")


# --- metrics per period ------------------------------------------------------------------


def test_yearly_metrics_are_asked_for_in_the_fourth_quarter_only() -> None:
    q1 = {m.id for m in metrics_for_period(METRICS, Period(2026, 1))}
    q4 = {m.id for m in metrics_for_period(METRICS, Period(2026, 4))}
    assert "people-supported" in q1 and "learner-destinations-known" not in q1
    assert "learner-destinations-known" in q4 and "filled-posts" in q4


# --- figures and problems -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "value"),
    [("", None), ("  ", None), ("564", 564), ("63,492", 63492), ("87.5", 87.5), ("-3", -3)],
)
def test_figures_parse(text: str, value: object) -> None:
    assert parse_figure(text) == value


@pytest.mark.parametrize("text", ["about 20", "1e3", "12,34", "twelve", "1.2.3", "0x10"])
def test_text_that_is_not_a_figure_is_refused(text: str) -> None:
    with pytest.raises(ValueError):
        parse_figure(text)


def test_value_problems_are_errors_and_rule_failures_are_warnings() -> None:
    problems = check_return(
        METRICS,
        {
            "people-supported": -1,
            "course-completions": 2.5,
            "into-jobs-training-volunteering": 10,
            "into-paid-work": 12,
            "starters-cohort-6-months": 4,
            "starters-retained-6-months": 5,
        },
    )
    errors, warnings = split_problems(problems)
    assert errors == {
        "people-supported": "'People supported' cannot be negative (it is -1)",
        "course-completions": "'Course and training completions' must be a whole number of "
        "count (it is 2.5)",
    }
    failed = {problem.rule_id for problem in warnings}
    assert failed == {
        "into-paid-work-within-into-jobs-training-volunteering",
        "starters-retained-6-months-within-starters-cohort-6-months",
    }


def test_the_caring_plymouth_figures_pass_every_rule() -> None:
    # Caring Plymouth, in "Care and health career academies: what good looks like".
    plymouth = {
        "skills-action-plans": 564,
        "into-jobs-training-volunteering": 256,
        "into-paid-work": 148,
        "international-recruits": 33,
        "care-hours-added": 63492,
    }
    assert check_return(METRICS, plymouth) == []


def test_targets_follow_the_value_rules() -> None:
    assert check_target(METRICS, "people-supported", 300) is None
    assert check_target(METRICS, "people-supported", -5) == (
        "'People supported' cannot be negative (it is -5)"
    )
    assert "whole number" in (check_target(METRICS, "care-hours-added", 1.5) or "")


# --- trends ----------------------------------------------------------------------------------


def test_period_change_and_rate() -> None:
    change = period_change(60, 48)
    assert (change.difference, change.percent, change.direction) == (12, 25.0, "up")
    assert period_change(40, 50).direction == "down"
    assert period_change(5, 5).direction == "same"
    assert period_change(5, 0).percent is None
    assert period_change(None, 5).direction == "none"
    assert period_change(86.5, 86).difference == 0.5
    assert rate(12, 15) == 80.0 and rate(1, 3) == 33.3 and rate(1, 0) is None


def test_trend_totals_and_latest_change() -> None:
    returns = [
        (Period(2026, 2), {"people-supported": 70, "participant-satisfaction": 90}),
        (Period(2025, 4), {"people-supported": 50, "learner-destinations-known": 80}),
        (Period(2026, 1), {"people-supported": 60, "participant-satisfaction": 85.5}),
        (Period(2026, 4), {"learner-destinations-known": 100}),
    ]
    by_id = {item.metric.id: item for item in trend(METRICS, returns)}
    supported = by_id["people-supported"]
    assert supported.periods == (Period(2025, 4), Period(2026, 1), Period(2026, 2), Period(2026, 4))
    assert supported.values == (50, 60, 70, None)
    assert supported.total == 180
    assert (supported.change.current, supported.change.difference) == (70, 10)
    satisfaction = by_id["participant-satisfaction"]
    assert satisfaction.total is None  # a percentage is never added up
    assert satisfaction.change.difference == 4.5
    yearly = by_id["learner-destinations-known"]
    assert yearly.total == 180 and yearly.change.difference == 20  # against the year before
    assert not by_id["care-hours-added"].has_data


# --- theory of change and case studies -------------------------------------------------------


def test_lines_and_theory_of_change_limits() -> None:
    assert parse_lines("- Funding\r\n\n  * Staff  team \n• Partners") == (
        "Funding",
        "Staff team",
        "Partners",
    )
    fields = TheoryOfChangeFields(challenge="x" * 1001, inputs=tuple(str(n) for n in range(11)))
    assert set(check_theory_of_change(fields)) == {"challenge", "inputs"}
    assert check_theory_of_change(TheoryOfChangeFields(outputs=("y" * 201,))) == {
        "outputs": "Each of the outputs must be 200 characters or fewer"
    }


def test_outcomes_link_only_to_known_metrics_and_domains() -> None:
    good = Outcome("More people in care jobs", ("into-paid-work",), ("recruitment",))
    assert check_outcome(good, METRICS, DOMAINS) == {}
    bad = Outcome("", ("into-space",), ("astronomy",))
    errors = check_outcome(bad, METRICS, DOMAINS)
    assert errors["text"] == "Enter the outcome"
    assert "'into-space' is not a metric" in errors["metrics"]
    assert "'astronomy' is not a domain" in errors["domains"]


def _case_study(**changes: object) -> CaseStudyFields:
    fields: dict[str, object] = {
        "title": "A first job in care",
        "body": "Sam joined the pre-employment course and now works in home care.",
        "first_name": "Sam",
        "consent_confirmed": True,
        "period": "2026/27 Q1",
        "domain_ids": ("recruitment",),
        "groups": ("unemployed",),
    }
    fields.update(changes)
    return CaseStudyFields(**fields)  # type: ignore[arg-type]


def test_case_study_rules() -> None:
    groups = [group for group, _ in participant_groups(METRICS)]
    assert "care-leavers" in groups and "young-people" in groups

    def check(**changes: object) -> dict[str, str]:
        return check_case_study(_case_study(**changes), DOMAINS, groups, TODAY)

    assert check() == {}
    assert check(first_name=None) == {}
    assert check(consent_confirmed=False) == {
        "consent": "Confirm that the person agreed to their story being shared"
    }
    assert check(body="x" * 1501) == {"body": "Case study must be 1,500 characters or fewer"}
    assert "first name only" in check(first_name="Sam Smith")["first_name"]
    assert "email address" in check(body="Write to sam@example.org")["body"]
    assert "phone number" in check(body="Call 07700 900123")["body"]
    assert "postcode" in check(title="Met at PL1 2AA")["title"]
    assert "has not started yet" in check(period="2027/28 Q1")["period"]
    assert set(check(domain_ids=("astronomy",), groups=("wizards",))) == {"domains", "groups"}


# --- one home for each rule ----------------------------------------------------------------


def test_each_sub_area_has_its_module_and_the_package_re_exports_every_name_once() -> None:
    import maturity.framework.impact as package
    from maturity.framework.impact import case_studies, reports, returns, targets, theory

    homes: dict[str, str] = {}
    for module in (returns, targets, theory, case_studies, reports):
        for name in module.__all__:
            assert name not in homes, f"{name} is in {homes.get(name)} and {module.__name__}"
            homes[name] = module.__name__
            assert getattr(package, name) is getattr(module, name), name
    assert sorted(package.__all__) == sorted(homes)
