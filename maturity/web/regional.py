"""The regional lead's dashboard, the national comparison of regions, and downloads."""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup

from maturity.charts import Series, heatmap_chart, line_chart
from maturity.framework.periods import Cycle
from maturity.services import regional as service
from maturity.services.organisations import organisation_by_slug
from maturity.services.reference import list_regions, region_by_code
from maturity.web.access import Policy, requires
from maturity.web.charts import chart_cache, chart_src
from maturity.web.downloads import table_download
from maturity.web.links import service_url_for, settings

bp = Blueprint("regional", __name__, url_prefix="/regions")


def _regions_for_user() -> list[Any]:
    if current_user.is_admin:
        return list(list_regions())
    return sorted((lead.region for lead in current_user.regional_leads), key=lambda r: r.sort_order)


def _led_region(code: str) -> Any:
    found = region_by_code(code)
    if found is None:
        abort(404)
    if not current_user.is_admin and all(
        lead.region_id != found.id for lead in current_user.regional_leads
    ):
        abort(403)
    return found


def _filter_options() -> dict[str, Any]:
    return {
        "cycles": service.available_cycles(),
        "versions": service.catalogue().versions(service.ANNUAL),
    }


@bp.route("/")
@requires(Policy.REGIONAL_LEAD)
def index() -> Any:
    return render_template("regional/index.html", regions=_regions_for_user())


def _render_figures(found: Any, filters: service.Filters) -> str:
    """The submission-based part of the dashboard: tables and charts (no user-specific
    content, so it can be cached for everyone who may see the region)."""
    figures = service.region_figures(found, filters)
    cache = chart_cache()
    levels = figures.questionnaire.levels
    charts = {
        "heatmap": chart_src(
            heatmap_chart(
                cache,
                rows=figures.heatmap_rows,
                columns=[domain.title for domain in figures.questionnaire.domains],
                values=figures.heatmap_values,
                scale_min=1,
                scale_max=len(levels),
                title=f"Level by section, {found.name}, {filters.cycle}",
                value_labels=[level.name for level in levels],
            )
        )
        if figures.heatmap_rows
        else None,
        "trend": chart_src(
            line_chart(
                cache,
                x_labels=figures.trend_cycles,
                series=[
                    Series(title, tuple(values), ("solid", "dashed", "dotted")[index % 3])
                    for index, (title, values) in enumerate(figures.trend_medians.items())
                ],
                y_min=1,
                y_max=len(levels),
                y_label="Median score",
                title=f"Median section score in {found.name}",
            )
        ),
    }
    return render_template(
        "regional/_figures.html",
        region=found,
        figures=figures,
        filters=filters,
        charts=charts,
        movement=service.movement_sentences(figures.movement),
    )


@bp.route("/<code>")
@requires(Policy.REGIONAL_LEAD)
def region(code: str) -> Any:
    found = _led_region(code)
    filters = service.parse_filters(request.args, current=True)
    version = service.data_version()
    filters_html, figures_html = _cached_parts(found, filters, version)
    return render_template(
        "regional/region.html",
        region=found,
        filters=filters,
        completion_html=_completion_html(found, filters),
        filters_html=filters_html,
        figures_html=figures_html,
    )


CSRF_PLACEHOLDER = "__CSRF_TOKEN__"


def _completion_html(found: Any, filters: service.Filters) -> Markup:
    """The completion section, cached until the next saved answer, submission or profile
    change; each person's own CSRF token is put into its reminder forms on the way out."""

    def render() -> str:
        return render_template(
            "regional/_completion.html",
            region=found,
            filters=filters,
            completion=service.completion(found, filters),
            # One address for every reminder form; each row fills in its organisation.
            remind_url=url_for("regional.remind", code=found.code, org_slug="ORGANISATION"),
            token=CSRF_PLACEHOLDER,
        )

    key = {"region": found.code, "filters": vars(filters), "version": service.answers_version()}
    html = chart_cache().get_or_render("region-completion", key, render)
    return Markup(html.replace(CSRF_PLACEHOLDER, generate_csrf()))


def _cached_parts(found: Any, filters: service.Filters, version: str) -> tuple[Markup, Markup]:
    """The filter form and the submission-based figures: one cache entry, one fetch."""

    def render() -> str:
        options = _filter_options()
        return json.dumps(
            [
                render_template(
                    "regional/_filter_form.html", region=found, filters=filters, options=options
                ),
                _render_figures(found, filters),
            ]
        )

    key = {
        "region": found.code,
        "filters": vars(filters),
        "version": version,
        "current_cycle": str(Cycle.current()),
    }
    filters_html, figures_html = json.loads(
        chart_cache().get_or_render("region-page-parts", key, render)
    )
    return Markup(filters_html), Markup(figures_html)


def _tables(found: Any, filters: service.Filters) -> dict[str, service.Table]:
    tables = {"completion": service.completion_table(service.completion(found, filters), filters)}
    tables.update(service.region_figures(found, filters).tables)
    return tables


@bp.route("/<code>/<table_key>.<fmt>")
@requires(Policy.REGIONAL_LEAD)
def download(code: str, table_key: str, fmt: str) -> Any:
    found = _led_region(code)
    filters = service.parse_filters(request.args, current=True)
    table = _tables(found, filters).get(table_key)
    if table is None:
        abort(404)
    return table_download(table, fmt, f"{found.code}-{table_key}-{filters.cycle.replace('/', '-')}")


@bp.route("/<code>/reminders/<org_slug>", methods=["POST"])
@requires(Policy.REGIONAL_LEAD)
def remind(code: str, org_slug: str) -> Any:
    found = _led_region(code)
    organisation = organisation_by_slug(org_slug)
    if organisation.region_id != found.id:
        abort(404)
    cycle = request.form.get("cycle") or service.available_cycles()[0]
    if cycle not in service.available_cycles():
        abort(400)
    sent = service.send_reminder(
        organisation,
        found,
        cycle,
        current_user._get_current_object(),
        service_url_for("assessments.index", slug=organisation.slug),
        settings().mail,
    )
    people = "lead" if sent == 1 else "leads"
    flash(f"Reminder sent to {sent} {people} of {organisation.name}", "success")
    return redirect(url_for("regional.region", code=code, cycle=cycle))


@bp.route("/compare")
@requires(Policy.SIGNED_IN)
def compare() -> Any:
    filters = service.parse_filters(request.args)

    def render_all() -> str:
        return render_template(
            "regional/_compare_body.html",
            table=service.national_comparison(filters),
            filters=filters,
            options=_filter_options(),
        )

    key = {
        "filters": vars(filters),
        "version": service.data_version(),
        "current_cycle": str(Cycle.current()),
    }
    return render_template(
        "regional/compare.html",
        filters=filters,
        body=Markup(chart_cache().get_or_render("compare-body", key, render_all)),
    )


@bp.route("/compare.<fmt>")
@requires(Policy.SIGNED_IN)
def compare_download(fmt: str) -> Any:
    filters = service.parse_filters(request.args)
    return table_download(
        service.national_comparison(filters), fmt, f"regions-{filters.cycle.replace('/', '-')}"
    )


@bp.route("/open-data/", endpoint="open_data")
@requires(Policy.PUBLIC)
def open_data() -> Any:
    return render_template("regional/open_data.html", releases=service.open_data_releases())


@bp.route("/open-data/<cycle_slug>.csv", endpoint="open_data_file")
@requires(Policy.PUBLIC)
def open_data_file(cycle_slug: str) -> Any:
    release = service.open_data_release(cycle_slug.replace("-", "/"))
    if release is None:
        abort(404)
    return Response(
        release.csv_text,
        mimetype="text/csv",
        headers={
            "Content-Disposition": f'attachment; filename="academy-maturity-{cycle_slug}.csv"'
        },
    )


@bp.route("/open-data/publish", methods=["GET", "POST"], endpoint="publish_open_data")
@requires(Policy.ADMIN)
def publish_open_data() -> Any:
    cycles = service.available_cycles()
    if request.method == "POST":
        cycle = request.form.get("cycle", "")
        if cycle not in cycles:
            abort(400)
        service.publish_open_data(cycle, current_user._get_current_object())
        flash(f"Open data for {cycle} has been published", "success")
        return redirect(url_for("regional.open_data"))
    return render_template(
        "regional/publish.html", cycles=cycles, releases=service.open_data_releases()
    )
