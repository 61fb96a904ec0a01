"""Impact: quarterly returns, annual targets, theories of change, case studies and the
reports made from them; one module for each sub-area, their public names re-exported here.

Every record is looked up through its organisation (``…_in(organisation, id)``), so an id of
another organisation is ``NoResultFound`` (a 404). Services flush; the request commits. They
take typed values and name the field each error belongs to: ``ImpactError.field`` for a
request that cannot be met, a ``FieldErrors`` mapping for what was not kept. The rules
(periods, checks, totals, changes) are the framework's pure functions in
``maturity.framework.impact`` and ``maturity.framework.metrics``.
"""

from __future__ import annotations

from maturity.services.impact.case_studies import (
    case_studies_for,
    case_study_in,
    check_case_study_fields,
    delete_case_study,
    group_choices,
    save_case_study,
)
from maturity.services.impact.common import (
    MATURITY_QUESTIONNAIRE,
    METRICS_ID,
    FieldErrors,
    ImpactError,
    maturity_questionnaire,
    metrics_definition,
)
from maturity.services.impact.reports import (
    ImpactReport,
    TargetProgress,
    impact_report,
    latest_maturity,
    report_periods,
)
from maturity.services.impact.returns import (
    NOTES_LIMIT,
    PERSONAL_DATA_WARNING,
    asked_metrics,
    definition_of,
    ensure_draft,
    figure_errors,
    notes_error,
    open_periods,
    problems_of,
    return_in,
    returns_for,
    save_return,
    set_values,
    start_return,
    submit_return,
    submitted_returns,
    trends_for,
    values_of,
)
from maturity.services.impact.targets import save_targets, target_metrics, targets_for
from maturity.services.impact.theory import (
    fields_of,
    remove_outcome,
    save_outcome,
    save_theory,
    start_theory,
    theories_for,
    theory_for_cycle,
    theory_in,
)

__all__ = [
    "MATURITY_QUESTIONNAIRE",
    "METRICS_ID",
    "NOTES_LIMIT",
    "PERSONAL_DATA_WARNING",
    "FieldErrors",
    "ImpactError",
    "ImpactReport",
    "TargetProgress",
    "asked_metrics",
    "case_studies_for",
    "case_study_in",
    "check_case_study_fields",
    "definition_of",
    "delete_case_study",
    "ensure_draft",
    "fields_of",
    "figure_errors",
    "group_choices",
    "impact_report",
    "latest_maturity",
    "maturity_questionnaire",
    "metrics_definition",
    "notes_error",
    "open_periods",
    "problems_of",
    "remove_outcome",
    "report_periods",
    "return_in",
    "returns_for",
    "save_case_study",
    "save_outcome",
    "save_return",
    "save_targets",
    "save_theory",
    "set_values",
    "start_return",
    "start_theory",
    "submit_return",
    "submitted_returns",
    "target_metrics",
    "targets_for",
    "theories_for",
    "theory_for_cycle",
    "theory_in",
    "trends_for",
    "values_of",
]
