"""Results: where an academy stands, why, how it compares, what next, whom to learn from.

Also the exports made from the same data: a printable page, a PDF, CSV and XLSX.
"""

from __future__ import annotations

import csv
import io
from datetime import date
from typing import Any

from flask import Blueprint, Response, g, render_template
from flask.typing import ResponseReturnValue
from markupsafe import Markup

from maturity.models import Assessment, AssessmentStatus
from maturity.services import assessments as assessment_service
from maturity.services.regional import data_version
from maturity.services.results import ResultsView, results_view, scoping_report
from maturity.web.access import Policy, requires
from maturity.web.charts import chart_cache, profile_charts
from maturity.web.downloads import pdf_response, safe_cell

bp = Blueprint("results", __name__, url_prefix="/organisations/<slug>/assessments")


def _view(assessment_id: int) -> ResultsView:
    assessment = assessment_service.assessment_in(g.organisation, assessment_id)
    return results_view(assessment)


def _body(assessment: Assessment, snapshot_id: int | None, printable: bool) -> Markup:
    """The page's content. A submitted assessment's is cached by its snapshot and the
    data version (its figures cannot change otherwise); a draft's is always fresh."""

    def render() -> str:
        view = results_view(assessment)
        return render_template(
            "results/_body.html",
            organisation=g.organisation,
            view=view,
            assessment=view.assessment,
            questionnaire=view.questionnaire,
            result=view.result,
            charts=profile_charts(view),
            printable=printable,
        )

    if assessment.status != AssessmentStatus.SUBMITTED or snapshot_id is None:
        return Markup(render())
    key = {
        "assessment": assessment.id,
        "snapshot": snapshot_id,
        "version": data_version(),
        "printable": printable,
    }
    return Markup(chart_cache().get_or_render("results-body", key, render))


def _render(assessment_id: int, *, printable: bool = False) -> str:
    assessment, snapshot_id = assessment_service.assessment_and_snapshot_id(
        g.organisation, assessment_id
    )
    return _render_assessment(assessment, snapshot_id, printable=printable)


def _render_assessment(
    assessment: Assessment, snapshot_id: int | None, *, printable: bool = False
) -> str:
    return render_template(
        "results/results.html",
        organisation=g.organisation,
        assessment=assessment,
        questionnaire=assessment_service.questionnaire_of(assessment),
        body=_body(assessment, snapshot_id, printable),
        printable=printable,
    )


@bp.route("/<int:assessment_id>/results")
@requires(Policy.ORG_MEMBER)
def results(slug: str, assessment_id: int) -> ResponseReturnValue:
    assessment, snapshot_id = assessment_service.assessment_and_snapshot_id(
        g.organisation, assessment_id
    )
    if assessment.questionnaire_id == "scoping":
        return render_template(
            "results/scoping.html",
            organisation=g.organisation,
            report=scoping_report(assessment),
            assessment=assessment,
        )
    return _render_assessment(assessment, snapshot_id)


@bp.route("/<int:assessment_id>/results/print")
@requires(Policy.ORG_MEMBER)
def printable(slug: str, assessment_id: int) -> ResponseReturnValue:
    return _render(assessment_id, printable=True)


@bp.route("/<int:assessment_id>/results.pdf")
@requires(Policy.ORG_MEMBER)
def pdf(slug: str, assessment_id: int) -> ResponseReturnValue:
    return pdf_response(_render(assessment_id, printable=True), _filename(slug, assessment_id))


def _filename(slug: str, assessment_id: int) -> str:
    return f"{slug}-assessment-{assessment_id}-{date.today().isoformat()}"


def _answer_rows(assessment: Assessment, view: ResultsView) -> list[list[Any]]:
    records = assessment_service.answers_by_indicator(assessment)
    rows: list[list[Any]] = []
    for domain in view.result.domains:
        for indicator in domain.indicators:
            record = records.get(indicator.indicator_id)
            rows.append(
                [
                    assessment.cycle,
                    domain.title,
                    indicator.indicator_id,
                    indicator.title,
                    indicator.level if indicator.level is not None else "",
                    indicator.level_name
                    or ("Not applicable" if indicator.status == "not_applicable" else ""),
                    "yes" if record is not None and record.not_applicable else "",
                    (record.not_applicable_reason or "") if record else "",
                    domain.score if domain.score is not None else "",
                    domain.level_name or "",
                    (record.evidence_note or "") if record else "",
                    (record.evidence_url or "") if record else "",
                    record.confidence.value if record and record.confidence else "",
                ]
            )
    return rows


EXPORT_HEADER = [
    "Cycle",
    "Section",
    "Question id",
    "Question",
    "Level",
    "Level name",
    "Not applicable",
    "Reason not applicable",
    "Section score",
    "Section level",
    "Evidence",
    "Evidence link",
    "Confidence",
]


@bp.route("/<int:assessment_id>/answers.csv")
@requires(Policy.ORG_MEMBER)
def answers_csv(slug: str, assessment_id: int) -> ResponseReturnValue:
    view = _view(assessment_id)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(EXPORT_HEADER)
    for row in _answer_rows(view.assessment, view):
        writer.writerow([safe_cell(value) for value in row])
    return Response(
        buffer.getvalue(),
        mimetype="text/csv",
        headers={
            "Content-Disposition": f'attachment; filename="{_filename(slug, assessment_id)}.csv"'
        },
    )


@bp.route("/<int:assessment_id>/answers.xlsx")
@requires(Policy.ORG_MEMBER)
def answers_xlsx(slug: str, assessment_id: int) -> ResponseReturnValue:
    from openpyxl import Workbook

    view = _view(assessment_id)
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "Answers"
    sheet.append(EXPORT_HEADER)
    for row in _answer_rows(view.assessment, view):
        sheet.append([safe_cell(value) for value in row])
    summary = workbook.create_sheet("Scores")
    summary.append(["Section", "Score", "Level", "Answered", "Not applicable", "Unanswered"])
    for domain in view.result.domains:
        summary.append(
            [
                domain.title,
                domain.score if domain.score is not None else "",
                domain.level_name or "Not assessed",
                domain.completeness.answered,
                domain.completeness.not_applicable,
                domain.completeness.unanswered,
            ]
        )
    output = io.BytesIO()
    workbook.save(output)
    return Response(
        output.getvalue(),
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={
            "Content-Disposition": f'attachment; filename="{_filename(slug, assessment_id)}.xlsx"'
        },
    )
