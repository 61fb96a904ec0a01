"""The regional lead's dashboard, the national comparison of regions, and downloads."""

from __future__ import annotations

import csv
import io
from dataclasses import replace
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from markupsafe import Markup

from maturity.cache import (
    CSRF_PLACEHOLDER,
    NATIONAL,
    Scope,
    cache,
    cached_fragment,
    cached_json,
    cached_text,
    fill_slots,
    slot,
)
from maturity.charts import Series, heatmap_chart, line_chart
from maturity.services import regional as service
from maturity.services.organisations import organisation_by_slug
from maturity.web.access import Policy, led_region, regions_led, requires
from maturity.web.charts import chart_src
from maturity.web.downloads import file_download, table_download
from maturity.web.forms import PublishOpenDataForm, ReminderForm, WithdrawOpenDataForm
from maturity.web.links import service_url_for, settings

bp = Blueprint("regional", __name__, url_prefix="/regions")


def submitted_cycles() -> frozenset[str]:
    """The cycles with submissions anywhere, kept per national version."""
    return cache().per_version("submitted-cycles", service.submitted_cycles, by=NATIONAL)


def england_cells(filters: service.Filters) -> service.SpreadCells:
    """The England columns of every region's spreads table: one cache entry per filters
    and national version, shared by every region's dashboard, downloads and the API."""
    return cached_json(
        "england-spreads", {"filters": vars(filters)}, lambda: service.england_cells(filters)
    )


def region_spreads(
    found: Any, filters: service.Filters, regional: service.SpreadCells, guarded: bool
) -> service.Table:
    """A region's spreads table: its own cells (cached with the rest of its figures, by
    its version) beside the current England cells (cached by the national version)."""
    return service.spreads_table(found, filters, regional, england_cells(filters), guarded=guarded)


def filters_from_request(*, current: bool = False) -> service.Filters:
    return service.parse_filters(request.args, submitted=submitted_cycles(), current=current)


def _filter_options() -> dict[str, Any]:
    return {
        "cycles": service.available_cycles(submitted_cycles()),
        "versions": service.catalogue().versions(service.ANNUAL),
    }


@bp.route("/")
@requires(Policy.REGIONAL_LEAD)
def index() -> Any:
    return render_template("regional/index.html", regions=regions_led())


def dashboard_charts(
    found: Any, filters: service.Filters, figures: service.RegionFigures
) -> dict[str, str | None]:
    """The SVG of the dashboard's heatmap (None without rows) and trend chart, from the
    chart store or drawn."""
    charts = cache()
    levels = figures.questionnaire.levels
    heatmap = (
        heatmap_chart(
            charts,
            rows=figures.heatmap_rows,
            columns=[domain.title for domain in figures.questionnaire.domains],
            values=figures.heatmap_values,
            scale_min=1,
            scale_max=len(levels),
            title=f"Level by section, {found.name}, {filters.cycle}",
            value_labels=[level.name for level in levels],
        )
        if figures.heatmap_rows
        else None
    )
    trend = line_chart(
        charts,
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
    return {"heatmap": heatmap, "trend": trend}


def draw_landing_charts(found: Any) -> None:
    """Draw the charts of the dashboard as the region's lead lands on it (the cycle
    ``dashboard_cycle`` picks, no filters), so its first view after a submission draws
    none: the job queue runs this after each submission (``maturity.jobs``)."""
    cycles = service.submitted_cycles()
    filters = service.parse_filters({}, submitted=cycles, current=True)
    shown = service.dashboard_cycle(
        service.submissions_by_cycle(found.id), None, region_name=found.name
    )
    filters = replace(filters, cycle=shown.cycle)
    figures = service.region_figures(
        found, filters, submitted=cycles, england=service.england_cells(filters)
    )
    dashboard_charts(found, filters, figures)


def _render_figures(found: Any, filters: service.Filters, figures: service.RegionFigures) -> str:
    """The submission-based part of the dashboard: tables and charts (no user-specific
    content, so it can be cached for everyone who may see the region), with a slot for
    the spreads table, whose England columns follow the national version."""
    svg = dashboard_charts(found, filters, figures)
    return render_template(
        "regional/_figures.html",
        region=found,
        figures=figures,
        filters=filters,
        charts={name: chart_src(chart) if chart else None for name, chart in svg.items()},
        movement=service.movement_sentences(figures.movement),
        spreads_html=slot("spreads"),
    )


@bp.route("/<code>")
@requires(Policy.REGIONAL_LEAD)
def region(code: str) -> Any:
    """A region's dashboard, from three cached parts: its figures (by the region's
    version), the England columns of its spreads table (by the national version, shared
    by every region) and its completion table (by the region's version and the latest
    answer saved in its assessments in progress)."""
    found = led_region(code)
    figures_scope, answers_scope = Scope.region(found.id), Scope.region_answers(found.id)
    cache().versions(NATIONAL, figures_scope, answers_scope)  # one query for the three
    filters = filters_from_request(current=True)
    shown = _shown_cycle(found, filters, figures_scope)
    filters = replace(filters, cycle=shown.cycle)
    cycles = submitted_cycles()
    key = {"region": found.code, "filters": vars(filters)}

    def parts() -> dict[str, Any]:
        """The filter form and the region's figures: one cache entry. Which cycles have
        submissions anywhere (the form's choices, the trend's columns) is in its key."""
        form = render_template(
            "regional/_filter_form.html", region=found, filters=filters, options=_filter_options()
        )
        figures = service.region_figures(
            found, filters, submitted=cycles, england=england_cells(filters)
        )
        return {
            "filters": form,
            "figures": _render_figures(found, filters, figures),
            "spreads": figures.regional_spreads,
            "guarded": figures.guarded,
        }

    def completion() -> str:
        """Cached until the next saved answer; each viewer's CSRF token goes into the
        reminder forms on the way out."""
        return render_template(
            "regional/_completion.html",
            region=found,
            filters=filters,
            completion=service.completion(found, filters),
            # One address for every reminder form; each row fills in its organisation.
            remind_url=url_for("regional.remind", code=found.code, org_slug="ORGANISATION"),
            token=CSRF_PLACEHOLDER,
        )

    def main() -> str:
        """The page's content from its parts, each cached by its own version (the
        completion table keeps its CSRF placeholder: ``cached_fragment`` fills in each
        viewer's token on the way out)."""
        part = cached_json(
            "region-page-parts", {**key, "cycles": sorted(cycles)}, parts, by=figures_scope
        )
        spreads = render_template(
            "regional/_spreads.html",
            region=found,
            filters=filters,
            table=region_spreads(found, filters, part["spreads"], part["guarded"]),
        )
        completion_html = cached_text(
            "region-completion", key, completion, by=[figures_scope, answers_scope]
        )
        return render_template(
            "regional/_region_main.html",
            region=found,
            filters=filters,
            completion_html=Markup(completion_html),
            filters_html=Markup(part["filters"]),
            figures_html=fill_slots(part["figures"], {"spreads": spreads}),
            shown=shown,
        )

    # A warm view is one cache entry: the whole content, by every version it shows.
    # When one of them changes, the content is put together again from the parts that
    # did not change.
    return render_template(
        "regional/region.html",
        region=found,
        filters=filters,
        main_html=cached_fragment(
            "region-page",
            {**key, "cycles": sorted(cycles), "shown": vars(shown)},
            main,
            by=[NATIONAL, figures_scope, answers_scope],
        ),
    )


def _shown_cycle(found: Any, filters: service.Filters, scope: Scope) -> service.ShownCycle:
    """The cycle the reader chose, or else the most recent one with figures to show."""
    counts = cache().per_version(
        f"submissions-by-cycle-{found.id}", lambda: service.submissions_by_cycle(found.id), by=scope
    )
    chosen = filters.cycle if request.args.get("cycle") == filters.cycle else None
    return service.dashboard_cycle(counts, chosen, region_name=found.name)


def region_tables(found: Any, filters: service.Filters) -> dict[str, service.Table]:
    """Every table of a region's dashboard, completion first (downloads and the API)."""
    tables = {"completion": service.completion_table(service.completion(found, filters), filters)}
    figures = service.region_figures(
        found, filters, submitted=submitted_cycles(), england=england_cells(filters)
    )
    tables.update(figures.tables)
    return tables


@bp.route("/<code>/<table_key>.<fmt>")
@requires(Policy.REGIONAL_LEAD)
def download(code: str, table_key: str, fmt: str) -> Any:
    found = led_region(code)
    filters = filters_from_request(current=True)
    table = region_tables(found, filters).get(table_key)
    if table is None:
        abort(404)
    return table_download(table, fmt, f"{found.code}-{table_key}-{filters.cycle.replace('/', '-')}")


@bp.route("/<code>/reminders/<org_slug>", methods=["POST"])
@requires(Policy.REGIONAL_LEAD)
def remind(code: str, org_slug: str) -> Any:
    found = led_region(code)
    organisation = organisation_by_slug(org_slug)
    if organisation.region_id != found.id:
        abort(404)
    cycles = service.available_cycles(submitted_cycles())
    form = ReminderForm()
    cycle = form.cycle.data or cycles[0]
    if not form.validate_on_submit() or cycle not in cycles:
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
    filters = filters_from_request()

    def render_all() -> str:
        return render_template(
            "regional/_compare_body.html",
            table=service.national_comparison(filters),
            without_academies=service.regions_without_academies(),
            filters=filters,
            options=_filter_options(),
        )

    body = cached_fragment("compare-body", {"filters": vars(filters)}, render_all, by=NATIONAL)
    return render_template("regional/compare.html", filters=filters, body=body)


@bp.route("/compare.<fmt>")
@requires(Policy.SIGNED_IN)
def compare_download(fmt: str) -> Any:
    filters = filters_from_request()
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
    if release.withdrawn_at is not None:
        return render_template("regional/open_data_withdrawn.html", release=release, code=410), 410
    return file_download(release.csv_text, "csv", f"academy-maturity-{cycle_slug}")


@bp.route("/open-data/publish", endpoint="publish_open_data")
@requires(Policy.ADMIN)
def publish_open_data() -> Any:
    """Choose the cycle to publish: the last complete one is offered first."""
    form = PublishOpenDataForm(formdata=None)
    submitted = submitted_cycles()
    form.cycle.choices = service.available_cycles(submitted)
    chosen = request.args.get("cycle") or ""
    if chosen in form.cycle.choices:
        return redirect(url_for("regional.preview_open_data", cycle_slug=chosen.replace("/", "-")))
    form.cycle.data = service.last_complete_cycle(submitted)
    return render_template("regional/publish.html", form=form, preview=None)


@bp.route("/open-data/publish/<cycle_slug>", methods=["GET", "POST"], endpoint="preview_open_data")
@requires(Policy.ADMIN)
def preview_open_data(cycle_slug: str) -> Any:
    """The exact file a cycle would publish, small groups withheld, and the confirmation:
    what is published is the file previewed (its fingerprint is checked)."""
    cycle = cycle_slug.replace("-", "/")
    form = PublishOpenDataForm()
    form.cycle.choices = service.available_cycles(submitted_cycles())
    if cycle not in form.cycle.choices:
        abort(404)
    if form.validate_on_submit():
        try:
            service.publish_open_data(
                cycle, current_user._get_current_object(), checked=form.digest.data or ""
            )
        except service.OpenDataError as error:
            form.confirm.errors = [str(error)]
            form.confirm.data = False
        else:
            flash(f"Open data for {cycle} has been published", "success")
            return redirect(url_for("regional.open_data"))
    table = service.open_data_table(cycle)
    csv_text = table.to_csv()
    form.digest.data = service.file_digest(csv_text)
    return render_template(
        "regional/publish.html",
        form=form,
        cycle=cycle,
        preview=list(csv.reader(io.StringIO(csv_text))),
        withheld=sum(1 for row in table.rows if "withheld" in row),
        release=service.open_data_release(cycle),
    )


@bp.route(
    "/open-data/<cycle_slug>/withdraw", methods=["GET", "POST"], endpoint="withdraw_open_data"
)
@requires(Policy.ADMIN)
def withdraw_open_data(cycle_slug: str) -> Any:
    """Withdraw a published file, with a reason the public page shows."""
    release = service.open_data_release(cycle_slug.replace("-", "/"))
    if release is None:
        abort(404)
    form = WithdrawOpenDataForm()
    if form.validate_on_submit():
        try:
            service.withdraw_open_data(
                release, form.reason.data or "", current_user._get_current_object()
            )
        except service.OpenDataError as error:
            form.reason.errors = [str(error)]
        else:
            flash(f"The {release.cycle} open data file has been withdrawn", "success")
            return redirect(url_for("regional.open_data"))
    return render_template("regional/withdraw.html", form=form, release=release)
