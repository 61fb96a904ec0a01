"""The maturity model: questionnaire schema and loader, scoring, next steps, comparison.

Pure Python: nothing here imports Flask or SQLAlchemy.
"""

from maturity.framework.compare import (
    Comparison,
    DomainChange,
    IndicatorChange,
    ScoreChange,
    compare,
)
from maturity.framework.loader import (
    Catalogue,
    Definition,
    FileProblem,
    QuestionnaireError,
    load_directory,
    load_file,
    load_metrics,
    load_questionnaire,
)
from maturity.framework.metrics import Problem, check_return, totals
from maturity.framework.next_steps import Citation, NextStep, next_steps
from maturity.framework.schema import (
    Domain,
    Indicator,
    Level,
    Metric,
    MetricGroup,
    MetricRule,
    MetricsDefinition,
    Questionnaire,
    Scoring,
    Source,
    SourceRef,
)
from maturity.framework.scoring import (
    Answer,
    AssessmentResult,
    Completeness,
    Contribution,
    DomainResult,
    Explanation,
    GateBlocker,
    IndicatorResult,
    LevelInfo,
    OverallResult,
    score,
)

__all__ = [
    "Answer",
    "AssessmentResult",
    "Catalogue",
    "Citation",
    "Comparison",
    "Completeness",
    "Contribution",
    "Definition",
    "Domain",
    "DomainChange",
    "DomainResult",
    "Explanation",
    "FileProblem",
    "GateBlocker",
    "Indicator",
    "IndicatorChange",
    "IndicatorResult",
    "Level",
    "LevelInfo",
    "Metric",
    "MetricGroup",
    "MetricRule",
    "MetricsDefinition",
    "NextStep",
    "OverallResult",
    "Problem",
    "Questionnaire",
    "QuestionnaireError",
    "ScoreChange",
    "Scoring",
    "Source",
    "SourceRef",
    "check_return",
    "compare",
    "load_directory",
    "load_file",
    "load_metrics",
    "load_questionnaire",
    "next_steps",
    "score",
    "totals",
]
