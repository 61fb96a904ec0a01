"""The theory of change: versions by financial year, the challenge and lists, outcomes."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from maturity.charts import data_uri
from maturity.charts_toc import theory_of_change_chart
from maturity.framework.periods import Cycle
from maturity.models import TheoryOfChange
from maturity.services import impact as service
from maturity.services.impact import ImpactError
from maturity.web.access import Policy, requires
from maturity.web.charts import chart_cache
from maturity.web.forms import place_error
from maturity.web.impact.common import add_errors, bp, has_errors, render_form, today, user
from maturity.web.impact.forms import OutcomeForm, StartTheoryForm, TheoryForm

TOC_STAGES = (
    ("challenge", "The workforce challenge"),
    ("inputs", "Inputs"),
    ("activities", "Activities"),
    ("outputs", "Outputs"),
    ("outcomes", "Outcomes"),
    ("impacts", "Long-term impact"),
)


def toc_content(theory: TheoryOfChange | None) -> dict[str, Any] | None:
    """The theory of change as diagram (data URI) and table rows, with linked names."""
    if theory is None:
        return None
    definition = service.metrics_definition()
    questionnaire = service.maturity_questionnaire()
    fields = service.fields_of(theory)
    columns: list[tuple[str, list[str]]] = []
    for name, heading in TOC_STAGES:
        if name == "challenge":
            items = [fields.challenge] if fields.challenge else []
        elif name == "outcomes":
            items = [outcome.text for outcome in fields.outcomes]
        else:
            items = list(getattr(fields, name))
        columns.append((heading, items))
    svg = theory_of_change_chart(
        chart_cache(),
        columns=columns,
        title=f"{g.organisation.name}: theory of change {theory.cycle}",
    )
    outcomes = [
        {
            "text": outcome.text,
            "metrics": [
                definition.metric(m).title for m in outcome.metric_ids if definition.has_metric(m)
            ],
            "domains": [
                questionnaire.domain(d).title
                for d in outcome.domain_ids
                if d in questionnaire.domain_ids
            ],
        }
        for outcome in fields.outcomes
    ]
    return {
        "theory": theory,
        "fields": fields,
        "columns": columns,
        "diagram": data_uri(svg),
        "outcomes": outcomes,
    }


@bp.route("/theory-of-change/", methods=["GET", "POST"])
@requires(Policy.ORG_MEMBER)
def theories(slug: str) -> ResponseReturnValue:
    existing = service.theories_for(g.organisation)
    taken = {theory.cycle for theory in existing}
    cycles = [str(item) for item in Cycle.selectable(today(), ahead=1)]
    form = StartTheoryForm(years=cycles)
    if request.method == "GET":
        form.cycle.data = str(Cycle.containing(today()))
    form.cycle.choices = [(cycle, cycle) for cycle in cycles if cycle not in taken]
    if form.validate_on_submit():
        try:
            theory = service.start_theory(g.organisation, form.cycle.data or "", user())
        except ImpactError as error:
            place_error(form, error, "cycle")
        else:
            return redirect(url_for("impact.edit_theory", slug=slug, theory_id=theory.id))
    return render_form("impact/theories.html", form, theories=existing)


@bp.route("/theory-of-change/<int:theory_id>")
@requires(Policy.ORG_MEMBER)
def theory(slug: str, theory_id: int) -> ResponseReturnValue:
    found = service.theory_in(g.organisation, theory_id)
    return render_template(
        "impact/theory.html", organisation=g.organisation, toc=toc_content(found)
    )


@bp.route("/theory-of-change/<int:theory_id>/edit", methods=["GET", "POST"])
@requires(Policy.ORG_MEMBER)
def edit_theory(slug: str, theory_id: int) -> ResponseReturnValue:
    found = service.theory_in(g.organisation, theory_id)
    form = TheoryForm(
        data={
            "challenge": found.challenge,
            **{
                name: "\n".join(getattr(found, name))
                for name in ("inputs", "activities", "outputs", "impacts")
            },
        }
    )
    if form.validate_on_submit():
        add_errors(form, service.save_theory(found, form.fields(), user()))
        if not has_errors(form):
            flash("The theory of change has been saved", "success")
            return redirect(url_for("impact.theory", slug=slug, theory_id=theory_id))
    return render_form("impact/theory_form.html", form, theory=found)


def _outcome_page(
    found: TheoryOfChange, form: OutcomeForm, number: int | None
) -> ResponseReturnValue:
    """Save the posted outcome (or remove it) and go back, or show the form."""
    if form.validate_on_submit():
        if number is not None and request.form.get("action") == "remove":
            service.remove_outcome(found, number - 1, user())
            flash("The outcome has been removed", "success")
            return redirect(url_for("impact.theory", slug=g.organisation.slug, theory_id=found.id))
        position = None if number is None else number - 1
        add_errors(form, service.save_outcome(found, position, form.outcome(), user()))
        if not has_errors(form):
            flash(f"The outcome has been {'added' if number is None else 'saved'}", "success")
            return redirect(url_for("impact.theory", slug=g.organisation.slug, theory_id=found.id))
    definition = service.metrics_definition()
    return render_form(
        "impact/outcome_form.html",
        form,
        theory=found,
        number=number,
        metric_groups=[
            (group, definition.metrics_in(group.id))
            for group in definition.groups
            if group.id != "context"
        ],
        domains=service.maturity_questionnaire().domains,
    )


@bp.route("/theory-of-change/<int:theory_id>/outcomes/new", methods=["GET", "POST"])
@requires(Policy.ORG_MEMBER)
def new_outcome(slug: str, theory_id: int) -> ResponseReturnValue:
    found = service.theory_in(g.organisation, theory_id)
    return _outcome_page(found, OutcomeForm(), None)


@bp.route("/theory-of-change/<int:theory_id>/outcomes/<int:number>", methods=["GET", "POST"])
@requires(Policy.ORG_MEMBER)
def edit_outcome(slug: str, theory_id: int, number: int) -> ResponseReturnValue:
    found = service.theory_in(g.organisation, theory_id)
    outcomes = service.fields_of(found).outcomes
    if not 1 <= number <= len(outcomes):
        abort(404)
    outcome = outcomes[number - 1]
    form = OutcomeForm(
        data={
            "text": outcome.text,
            "metrics": list(outcome.metric_ids),
            "domains": list(outcome.domain_ids),
        }
    )
    return _outcome_page(found, form, number)
