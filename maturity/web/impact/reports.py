"""Trends and totals, and the two reports (the quarterly impact report and "Making the
case"), each as a page, a printable page and a PDF."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from flask import abort, g, render_template, request
from flask.typing import ResponseReturnValue

from maturity.charts import Series, data_uri, line_chart
from maturity.framework.impact import MetricTrend
from maturity.framework.metrics import Number
from maturity.framework.periods import Cycle
from maturity.services import impact as service
from maturity.web.access import Policy, requires
from maturity.web.charts import chart_cache
from maturity.web.downloads import pdf_response
from maturity.web.impact.common import bp
from maturity.web.impact.returns import retention
from maturity.web.impact.theory import toc_content

REPORT_CHARTS = ("people-supported", "into-jobs-training-volunteering", "into-paid-work")


def _chart_points(item: MetricTrend) -> tuple[list[str], list[Number | None]]:
    pairs = [
        (str(period), value)
        for period, value in zip(item.periods, item.values, strict=True)
        if item.metric.period == "quarter" or period.is_year_end
    ]
    return [label for label, _ in pairs], [value for _, value in pairs]


def _trend_chart(item: MetricTrend) -> str:
    labels, values = _chart_points(item)
    unit = item.metric.unit
    svg = line_chart(
        chart_cache(),
        x_labels=labels,
        series=[Series(item.metric.title, tuple(values))],
        y_min=0,
        y_max=100 if unit == "percent" else None,
        y_label={"percent": "Per cent", "hours": "Hours"}.get(unit, "Number"),
        title=f"{item.metric.title}, by quarter"
        if item.metric.period == "quarter"
        else f"{item.metric.title}, by year",
    )
    return data_uri(svg)


def draw_impact_charts(organisation: Any) -> None:
    """Draw (or find in the chart store) every impact chart of an organisation: its
    trends and the charts of its latest reports, so their first view draws none."""
    for item in service.trends_for(organisation):
        if item.has_data:
            _trend_chart(item)
    if service.submitted_returns(organisation):
        report = service.impact_report(organisation)
        for item in report.trends:
            if item.metric.id in REPORT_CHARTS and item.has_data:
                _trend_chart(item)


@bp.route("/trends")
@requires(Policy.ORG_MEMBER)
def trends(slug: str) -> ResponseReturnValue:
    definition = service.metrics_definition()
    group_id = request.args.get("group", definition.groups[0].id)
    if group_id not in {group.id for group in definition.groups}:
        abort(404)
    items = [item for item in service.trends_for(g.organisation) if item.metric.group == group_id]
    return render_template(
        "impact/trends.html",
        organisation=g.organisation,
        definition=definition,
        group=definition.group(group_id),
        items=[
            {
                "trend": item,
                "points": list(zip(*_chart_points(item), strict=True)),
                "chart": _trend_chart(item) if item.has_data else None,
            }
            for item in items
        ],
    )


def _report_context(report: service.ImpactReport) -> dict[str, Any]:
    return {
        "organisation": g.organisation,
        "report": report,
        "definition": report.definition,
        "toc": toc_content(report.theory),
        "domains": {d.id: d.title for d in service.maturity_questionnaire().domains},
        "groups": dict(service.group_choices()),
        "retention": retention(report.values),
        "ytd_retention": retention({k: v for k, v in report.year_to_date.items() if v is not None}),
        "charts": {
            item.metric.id: _trend_chart(item)
            for item in report.trends
            if item.metric.id in REPORT_CHARTS and item.has_data
        },
    }


def _quarterly(printable: bool) -> str:
    report = service.impact_report(g.organisation, request.args.get("period"))
    return render_template(
        "impact/quarterly_report.html", printable=printable, **_report_context(report)
    )


def _making_the_case(printable: bool) -> str:
    cycle = request.args.get("cycle")
    report = service.impact_report(
        g.organisation, None, cycle if cycle and Cycle.is_valid(cycle) else None
    )
    return render_template(
        "impact/making_the_case.html", printable=printable, **_report_context(report)
    )


def _report_routes(path: str, name: str, render: Callable[[bool], str], file_name: str) -> None:
    """A report's two routes: the page (printable with ``?print=1``) as endpoint ``name``,
    and its PDF as ``name_pdf``."""

    def page(slug: str) -> ResponseReturnValue:
        return render(request.args.get("print") == "1")

    def pdf(slug: str) -> ResponseReturnValue:
        stamp = date.today().isoformat()
        return pdf_response(render(True), f"{g.organisation.slug}-{file_name}-{stamp}")

    bp.add_url_rule(path, name, requires(Policy.ORG_MEMBER)(page))
    bp.add_url_rule(f"{path}.pdf", f"{name}_pdf", requires(Policy.ORG_MEMBER)(pdf))


_report_routes("/reports/quarterly", "quarterly_report", _quarterly, "impact-report")
_report_routes("/reports/making-the-case", "making_the_case", _making_the_case, "making-the-case")
