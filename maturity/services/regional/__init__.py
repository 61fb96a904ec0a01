"""Regional and national figures for the regional lead's dashboard, downloads and API.

Every figure comes from the ``domain_score`` table (one row per domain of each submitted
assessment), in a fixed number of queries whatever the number of academies or cycles.
Disclosure control (``maturity.framework.disclosure``) is applied here, once, so that
pages, charts, downloads, the API and open data all show the same thing.

One module per concern: ``filters`` (filters and cycles), ``rows`` (the score rows),
``completion``, ``figures`` (heatmap, spreads, distribution), ``movement`` (movement and
trend), ``national``, ``reminders`` and ``open_data``. Nothing here reads Flask's request
state: views pass what they know (the submitted cycles, the user) explicitly.
"""

from maturity.framework.disclosure import WITHHELD
from maturity.services.questionnaires import catalogue
from maturity.services.regional.completion import (
    CompletionOrganisation,
    CompletionRow,
    completion,
    completion_table,
)
from maturity.services.regional.figures import (
    RegionFigures,
    SpreadCells,
    england_cells,
    region_figures,
    spreads_table,
)
from maturity.services.regional.filters import (
    ANNUAL,
    Filters,
    ShownCycle,
    Submissions,
    annual_questionnaire,
    available_cycles,
    dashboard_cycle,
    default_cycle,
    parse_filters,
    previous_cycle,
    submissions_by_cycle,
    submitted_cycles,
)
from maturity.services.regional.movement import movement_sentences
from maturity.services.regional.national import national_comparison, regions_without_academies
from maturity.services.regional.open_data import (
    OpenDataError,
    file_digest,
    last_complete_cycle,
    open_data_csv,
    open_data_release,
    open_data_releases,
    open_data_table,
    publish_open_data,
    withdraw_open_data,
)
from maturity.services.regional.reminders import send_reminder
from maturity.services.regional.rows import ScoreRow, differencing_risk, score_rows
from maturity.services.tables import Table

__all__ = [
    "ANNUAL",
    "WITHHELD",
    "CompletionOrganisation",
    "CompletionRow",
    "Filters",
    "RegionFigures",
    "ScoreRow",
    "SpreadCells",
    "Table",
    "annual_questionnaire",
    "available_cycles",
    "catalogue",
    "completion",
    "completion_table",
    "ShownCycle",
    "Submissions",
    "dashboard_cycle",
    "default_cycle",
    "differencing_risk",
    "england_cells",
    "movement_sentences",
    "national_comparison",
    "open_data_csv",
    "OpenDataError",
    "file_digest",
    "last_complete_cycle",
    "withdraw_open_data",
    "open_data_release",
    "open_data_releases",
    "open_data_table",
    "regions_without_academies",
    "submissions_by_cycle",
    "parse_filters",
    "previous_cycle",
    "publish_open_data",
    "region_figures",
    "score_rows",
    "send_reminder",
    "spreads_table",
    "submitted_cycles",
]
