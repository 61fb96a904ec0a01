"""Yearly targets."""

from __future__ import annotations

from flask import abort, flash, g, redirect, request, url_for
from flask.typing import ResponseReturnValue

from maturity.framework.periods import Cycle
from maturity.services import impact as service
from maturity.web.access import Policy, requires
from maturity.web.impact.common import (
    UNIT_SUFFIX,
    add_errors,
    bp,
    figure,
    has_errors,
    render_form,
    today,
)
from maturity.web.impact.forms import targets_form


@bp.route("/targets", methods=["GET", "POST"])
@requires(Policy.ORG_MEMBER)
def targets(slug: str) -> ResponseReturnValue:
    cycles = [str(item) for item in Cycle.selectable(today(), ahead=1)]
    cycle = request.values.get("cycle") or str(Cycle.containing(today()))
    # A year the page does not offer (or one written any other way) has no targets page.
    if cycle not in cycles:
        abort(404)
    definition = service.metrics_definition()
    metrics = service.target_metrics(definition)
    stored = service.targets_for(g.organisation, cycle)
    form = targets_form(metrics)(
        data={"figures": {key: figure(value) for key, value in stored.items()}}
    )
    if request.method == "POST":
        form.validate()  # targets that are not numbers; the rules are the service's
        errors = service.save_targets(g.organisation, cycle, form.sent_figures())
        add_errors(form, errors, enclosed="figures")
        if not has_errors(form):
            flash(f"The targets for {cycle} have been saved", "success")
            return redirect(url_for("impact.targets", slug=slug, cycle=cycle))
    return render_form(
        "impact/targets.html",
        form,
        cycle=cycle,
        cycles=cycles,
        metrics=metrics,
        definition=definition,
        units=UNIT_SUFFIX,
    )
