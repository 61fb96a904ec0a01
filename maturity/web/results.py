"""Results: where an academy stands, why, how it compares, what next, whom to learn from.

Also the exports made from the same data: a printable page, a PDF, CSV and XLSX.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from flask import Blueprint, g, render_template, url_for
from flask.typing import ResponseReturnValue
from markupsafe import Markup

from maturity.cache import (
    DIRECTORY,
    NATIONAL,
    Scope,
    cache,
    cached_fragment,
    cached_json,
    cached_text,
    fill_slots,
    slot,
)
from maturity.models import Assessment, AssessmentStatus
from maturity.services import assessments as assessment_service
from maturity.services import moderation as moderation_service
from maturity.services import partners as partners_service
from maturity.services.results import (
    Other,
    ResultsView,
    answer_tables,
    latest_others,
    others_view,
    results_view,
    scoping_report,
)
from maturity.web.access import Policy, requires
from maturity.web.charts import profile_charts
from maturity.web.downloads import pdf_response, stored_pdf_response, table_download

bp = Blueprint("results", __name__, url_prefix="/organisations/<slug>/assessments")

OTHERS = ("benchmarks", "peers")  # the slots of results/_body.html drawn from other academies


@dataclass(frozen=True)
class Section:
    """One section of a results page after its summary: a contents-list entry, an h2 with
    ``anchor`` as its id, and the template that draws it (or the slot of ``OTHERS`` that
    holds it). ``on_screen`` sections are left out of the printable report and the PDF. A
    section that ``needs`` a part of the page (see ``_parts``) is shown only when that part
    has something to show."""

    anchor: str
    title: str
    template: str | None = None
    slot: str | None = None
    on_screen: bool = False
    needs: str | None = None


# The results page after its summary, in order: the contents list is built from this
# list, so a new section is one entry here and one template.
SECTIONS = [
    Section("sections", "Each section at a glance", "results/_sections.html"),
    Section("why", "Why each section is at its level", "results/_why.html"),
    Section("partners", "Agreed with partners", "results/_partners.html", needs="partners"),
    Section("comparison", "Change since last cycle and over time", "results/_comparison.html"),
    Section("benchmarks", "Compared with other academies", slot="benchmarks"),
    Section("next-steps", "Next steps", "results/_next_steps.html"),
    Section("peers", "Academies to learn from", slot="peers"),
    Section("downloads", "Download", "results/_downloads.html", on_screen=True),
]


def _view(assessment_id: int) -> ResultsView:
    assessment = assessment_service.assessment_in(g.organisation, assessment_id)
    return results_view(assessment, with_others=False)


def _others(view: ResultsView) -> dict[str, str]:
    """The parts of the page drawn from other academies: benchmarks and peers."""
    context = {"organisation": view.assessment.organisation, "view": view, "result": view.result}
    return {
        "benchmarks": render_template("results/_benchmarks.html", **context),
        "peers": render_template("results/_peers.html", **context),
    }


def _parts(view: ResultsView) -> dict[str, Any]:
    """Parts of the academy's own page that only some assessments have: partner views
    ("agreed with N partners", where views differed), read from what was kept with the
    snapshot, so they are cached with the rest of the academy's own part."""
    snapshot = view.snapshot.id if view.frozen and view.snapshot else None
    return {"partners": partners_service.results_summary(view.assessment, snapshot)}


def _render_own(view: ResultsView, others: dict[str, str], printable: bool) -> str:
    parts = _parts(view)
    return render_template(
        "results/_body.html",
        organisation=g.organisation,
        view=view,
        assessment=view.assessment,
        questionnaire=view.questionnaire,
        result=view.result,
        charts=profile_charts(view),
        sections=[
            section
            for section in SECTIONS
            if not (printable and section.on_screen) and (not section.needs or parts[section.needs])
        ],
        others={name: Markup(html) for name, html in others.items()},
        printable=printable,
        **parts,
    )


def _body(assessment: Assessment, snapshot_id: int | None, printable: bool) -> Markup:
    """The page's content. A draft's is always fresh. A submitted assessment's is two
    cached parts: its own (profile, charts, explanation, trend, next steps), keyed by its
    snapshot and the academy's own version (and the directory's, which next steps link
    to), and what compares it with other academies (benchmarks, peers), keyed by its
    snapshot and the national version. A submission elsewhere re-renders only the
    second; seen again, the two together are one cache entry."""
    if assessment.status != AssessmentStatus.SUBMITTED or snapshot_id is None:
        view = results_view(assessment)
        return Markup(_render_own(view, _others(view), printable))
    academy = Scope.academy(assessment.organisation_id)
    cache().versions(academy, DIRECTORY, NATIONAL)  # one query for the three

    def render_own() -> str:
        view = results_view(assessment, with_others=False)
        return _render_own(view, {name: slot(name) for name in OTHERS}, printable)

    key = {"assessment": assessment.id, "snapshot": snapshot_id, "printable": printable}

    def whole() -> str:
        """The content from its two parts (the academy's own keeps its CSRF placeholder:
        ``cached_fragment`` fills in each viewer's token on the way out)."""
        own = cached_text("results-own", key, render_own, by=[academy, DIRECTORY])
        others = cached_json(
            "results-others",
            {"assessment": assessment.id, "snapshot": snapshot_id},
            lambda: _others(others_view(assessment, _latest_others(assessment.questionnaire_id))),
            by=NATIONAL,
        )
        return fill_slots(own, others)

    # Seen again, the content is one cache entry, by every version it shows; when one
    # changes, it is put together again from the part that did not.
    return cached_fragment("results-page", key, whole, by=[academy, DIRECTORY, NATIONAL])


def _latest_others(questionnaire_id: str) -> tuple[Other, ...]:
    """Every academy's latest scores and context, read once per process and version of
    the national figures (every results page compares with the same list)."""
    return cache().per_version(
        f"latest-others:{questionnaire_id}", lambda: latest_others(questionnaire_id), by=NATIONAL
    )


def _render(assessment_id: int, *, printable: bool = False) -> str:
    return _render_for(
        assessment_service.assessment_for_results(g.organisation, assessment_id),
        printable=printable,
    )


def _render_for(found: assessment_service.ForResults, *, printable: bool) -> str:
    """The page of an assessment's results, or a scoping assessment's report."""
    if found.assessment.questionnaire_id == "scoping":
        return _render_scoping(found.assessment, printable=printable)
    return _render_assessment(found, printable=printable)


def _render_scoping(assessment: Assessment, *, printable: bool = False) -> str:
    """The scoping report: a page, a printable page and a PDF like the results."""
    return render_template(
        "results/scoping.html",
        organisation=g.organisation,
        report=scoping_report(assessment),
        assessment=assessment,
        printable=printable,
    )


def _render_assessment(found: assessment_service.ForResults, *, printable: bool = False) -> str:
    assessment = found.assessment
    return render_template(
        "results/results.html",
        organisation=g.organisation,
        assessment=assessment,
        questionnaire=assessment_service.questionnaire_of(assessment),
        # Read on every request (not cached), and only for an assessment once moderated.
        moderated=moderation_service.outcome(assessment) if found.moderated else None,
        body=_body(assessment, found.snapshot_id, printable),
        printable=printable,
    )


@bp.route("/<int:assessment_id>/results")
@requires(Policy.ORG_MEMBER)
def results(slug: str, assessment_id: int) -> ResponseReturnValue:
    return _render(assessment_id)


@bp.route("/<int:assessment_id>/results/print")
@requires(Policy.ORG_MEMBER)
def printable(slug: str, assessment_id: int) -> ResponseReturnValue:
    return _render(assessment_id, printable=True)


@bp.route("/<int:assessment_id>/results.pdf")
@requires(Policy.ORG_MEMBER)
def pdf(slug: str, assessment_id: int) -> ResponseReturnValue:
    found = assessment_service.assessment_for_results(g.organisation, assessment_id)
    assessment, snapshot_id = found.assessment, found.snapshot_id
    filename = _filename(slug, assessment_id)

    def render_html() -> str:
        return _render_for(found, printable=True)

    if assessment.status != AssessmentStatus.SUBMITTED or snapshot_id is None:
        return pdf_response(render_html(), filename)
    # A submission's PDF changes only with the data its page is cached by: rendered once
    # (by the job queue) and served from the store afterwards.
    return stored_pdf_response(
        "results-pdf",
        {"assessment": assessment.id, "snapshot": snapshot_id},
        [Scope.academy(assessment.organisation_id), DIRECTORY, NATIONAL],
        render_html,
        filename,
        back=url_for("results.results", slug=slug, assessment_id=assessment_id),
    )


def _filename(slug: str, assessment_id: int) -> str:
    return f"{slug}-assessment-{assessment_id}-{date.today().isoformat()}"


def _answers(slug: str, assessment_id: int, fmt: str) -> ResponseReturnValue:
    """The answers as CSV, or as XLSX with the section scores on a second sheet: from the
    submitted snapshot, or a draft's live answers (``answer_tables``)."""
    answers_table, scores = answer_tables(_view(assessment_id))
    return table_download(answers_table, fmt, _filename(slug, assessment_id), more=[scores])


@bp.route("/<int:assessment_id>/answers.csv")
@requires(Policy.ORG_MEMBER)
def answers_csv(slug: str, assessment_id: int) -> ResponseReturnValue:
    return _answers(slug, assessment_id, "csv")


@bp.route("/<int:assessment_id>/answers.xlsx")
@requires(Policy.ORG_MEMBER)
def answers_xlsx(slug: str, assessment_id: int) -> ResponseReturnValue:
    return _answers(slug, assessment_id, "xlsx")
