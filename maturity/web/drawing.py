"""Charts drawn ahead of their first view, into the chart store (``maturity.cache``).

A submission's charts are drawn by the job queue when it is submitted (``maturity.jobs``);
``draw_charts`` draws them for data that arrived another way (the demo data, an import, a
new version of the drawing code): every submitted assessment's results charts, every
region's dashboard as its lead lands on it, and every organisation's impact charts.
Charts already in the store are found there, not drawn again, so running it twice costs
little. ``flask maturity draw-charts`` runs it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import func, select

from maturity.extensions import db
from maturity.models import Assessment, AssessmentStatus, ImpactReturn, Organisation, Region


@dataclass
class Drawn:
    """What ``draw_charts`` went through (each chart drawn or found in the store)."""

    assessments: int = 0
    regions: int = 0
    organisations: int = 0


def draw_charts(
    *, latest_only: bool = False, progress: Callable[[str], None] | None = None
) -> Drawn:
    """Draw (or find) the charts of every submitted annual assessment (with
    ``latest_only``, each organisation's latest), every region's landing dashboard and
    every organisation's impact trends and reports, committing as it goes."""
    from maturity.jobs import draw_impact_charts, draw_region_charts, draw_results_charts

    drawn = Drawn()
    submitted = (
        Assessment.status == AssessmentStatus.SUBMITTED,
        Assessment.questionnaire_id != "scoping",
    )
    statement = select(Assessment.id).where(*submitted)
    if latest_only:
        statement = (
            select(func.max(Assessment.id)).where(*submitted).group_by(Assessment.organisation_id)
        )
    for assessment_id in db.session.scalars(statement.order_by(None)).all():
        draw_results_charts(assessment_id)  # commits
        drawn.assessments += 1
        if progress and drawn.assessments % 50 == 0:
            progress(f"{drawn.assessments} assessments…")
    for region_id in db.session.scalars(select(Region.id).order_by(Region.id)).all():
        draw_region_charts(region_id)  # commits
        drawn.regions += 1
    with_returns = select(ImpactReturn.organisation_id).distinct()
    for organisation_id in db.session.scalars(
        select(Organisation.id).where(Organisation.id.in_(with_returns)).order_by(Organisation.id)
    ).all():
        draw_impact_charts(organisation_id)  # commits
        drawn.organisations += 1
    return drawn
