"""Case studies: list, add, change, delete."""

from __future__ import annotations

from flask import flash, g, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from maturity.framework.impact import CASE_STUDY_BODY_LIMIT
from maturity.framework.periods import Period
from maturity.models import CaseStudy
from maturity.services import impact as service
from maturity.web.access import Policy, requires
from maturity.web.impact.common import add_errors, bp, render_form, today, user
from maturity.web.impact.forms import CaseStudyForm


@bp.route("/case-studies/")
@requires(Policy.ORG_MEMBER)
def case_studies(slug: str) -> ResponseReturnValue:
    return render_template(
        "impact/case_studies.html",
        organisation=g.organisation,
        case_studies=service.case_studies_for(g.organisation),
        domains={d.id: d.title for d in service.maturity_questionnaire().domains},
        groups=dict(service.group_choices()),
    )


def _case_study_page(form: CaseStudyForm, editing: CaseStudy | None) -> ResponseReturnValue:
    """Save the posted case study and go back to the list, or show the form."""
    if form.validate_on_submit():
        saved, errors = service.save_case_study(
            g.organisation, editing, form.fields(), user(), today()
        )
        if saved is not None:
            flash("The case study has been saved", "success")
            return redirect(url_for("impact.case_studies", slug=g.organisation.slug))
        add_errors(form, errors)
    elif form.is_submitted():
        # A field too long for its column: say what else is wrong too, as a save would.
        found = service.check_case_study_fields(form.fields(), today())
        add_errors(form, {name: text for name, text in found.items() if not form[name].errors})
    form.period.choices = [(str(period), str(period)) for period in Period.selectable(today())]
    return render_form(
        "impact/case_study_form.html",
        form,
        case_study=editing,
        domains=service.maturity_questionnaire().domains,
        groups=service.group_choices(),
        body_limit=CASE_STUDY_BODY_LIMIT,
    )


@bp.route("/case-studies/new", methods=["GET", "POST"])
@requires(Policy.ORG_MEMBER)
def new_case_study(slug: str) -> ResponseReturnValue:
    form = CaseStudyForm()
    if request.method == "GET":
        form.period.data = str(Period.containing(today()))
    return _case_study_page(form, None)


@bp.route("/case-studies/<int:case_study_id>", methods=["GET", "POST"])
@requires(Policy.ORG_MEMBER)
def edit_case_study(slug: str, case_study_id: int) -> ResponseReturnValue:
    found = service.case_study_in(g.organisation, case_study_id)
    if request.method == "POST" and request.form.get("action") == "delete":
        service.delete_case_study(found, user())
        flash("The case study has been deleted", "success")
        return redirect(url_for("impact.case_studies", slug=slug))
    form = CaseStudyForm(
        data={
            "title": found.title,
            "body": found.body,
            "first_name": found.first_name or "",
            "consent": found.consent_confirmed,
            "period": found.period,
            "domains": list(found.domain_ids),
            "groups": list(found.groups),
        }
    )
    return _case_study_page(form, found)
