"""Impact returns, targets, theories of change, case studies and reports: the pure rules,
one module for each sub-area (``returns``, ``targets``, ``theory``, ``case_studies``,
``reports``); this package re-exports their public names.

Periods are **financial-year quarters**, written ``"2026/27 Q1"``: Q1 is April to June 2026,
Q2 July to September, Q3 October to December, Q4 January to March 2027. The year part is the
same cycle as the annual assessment (``"2026/27"``), so targets, theories of change and
returns line up with assessments (both types live in ``periods``). A return may be entered
for the current quarter or any earlier one back to 2019/20 Q1, never a future one.

Nothing here imports Flask or SQLAlchemy. Values are checked by ``metrics.check_return``
and added up by ``metrics.totals``; these modules only arrange their results.
"""

from __future__ import annotations

from maturity.framework.impact.case_studies import (
    CASE_STUDY_BODY_LIMIT,
    CASE_STUDY_FIRST_NAME_LIMIT,
    CASE_STUDY_TITLE_LIMIT,
    CaseStudyFields,
    check_case_study,
    contact_details,
    participant_groups,
)
from maturity.framework.impact.reports import Change, MetricTrend, period_change, rate, trend
from maturity.framework.impact.returns import (
    FIGURE_LIMIT,
    metrics_for_period,
    parse_figure,
    split_problems,
)
from maturity.framework.impact.targets import check_target
from maturity.framework.impact.theory import (
    TOC_ITEM_LIMIT,
    TOC_LISTS,
    TOC_OUTCOMES,
    Outcome,
    TheoryOfChangeFields,
    check_outcome,
    check_theory_of_change,
    parse_lines,
)

__all__ = [
    "CASE_STUDY_BODY_LIMIT",
    "CASE_STUDY_FIRST_NAME_LIMIT",
    "CASE_STUDY_TITLE_LIMIT",
    "FIGURE_LIMIT",
    "TOC_ITEM_LIMIT",
    "TOC_LISTS",
    "TOC_OUTCOMES",
    "CaseStudyFields",
    "Change",
    "MetricTrend",
    "Outcome",
    "TheoryOfChangeFields",
    "check_case_study",
    "check_outcome",
    "check_target",
    "check_theory_of_change",
    "contact_details",
    "metrics_for_period",
    "parse_figure",
    "parse_lines",
    "participant_groups",
    "period_change",
    "rate",
    "split_problems",
    "trend",
]
