"""Partner views: the lead invites partners, compares their views and records the agreed
answers; a partner follows their link and answers on their own.

Lead pages sit under the assessment (``ORG_LEAD``). A partner's pages sit under
``/partner/<respondent_id>`` and open only in the browser that followed that partner's
link (``Policy.PARTNER``): no account, no membership, nothing else of the organisation.
"""

from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    g,
    redirect,
    render_template,
    session,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_login import current_user
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovCheckboxInput,
    GovRadioInput,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import (
    BooleanField,
    EmailField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Email, InputRequired, Length

from maturity.framework import Questionnaire
from maturity.models import Assessment, AssessmentStatus, Confidence, PartnerKind
from maturity.services import assessments as assessment_service
from maturity.services import partners as service
from maturity.services.partners import PartnerError
from maturity.web.access import PARTNER_KEYS, Policy, client_ip, requires
from maturity.web.assessment_forms import (
    domain_form,
    error_of,
    field_errors,
    posted_data,
    whole_number,
)
from maturity.web.downloads import table_download
from maturity.web.forms import ChoiceRadioField, place_error
from maturity.web.links import service_url_for, settings

bp = Blueprint("partners", __name__)

LEAD = "/organisations/<slug>/assessments/<int:assessment_id>/partners"
PARTNER = "/partner/<int:respondent_id>"


@bp.context_processor
def _helpers() -> dict[str, Any]:
    return {"error_of": error_of}


@bp.after_request
def _not_kept(response: Response) -> Response:
    # A partner has no account, so the app-wide rule for signed-in pages does not apply;
    # their answers must not stay in a shared computer's cache either.
    response.headers.setdefault("Cache-Control", "no-store")
    return response


def _strip(value: str | None) -> str | None:
    return value.strip() if isinstance(value, str) else value


def partner_link(token: str) -> str:
    return service_url_for("partners.accept", token=token)


# --- Forms --------------------------------------------------------------------------------


class InvitePartnerForm(FlaskForm):
    name = StringField(
        "Partner's name",
        widget=GovTextInput(),
        filters=[_strip],
        validators=[
            DataRequired("Enter the partner's name"),
            Length(max=service.NAME_LIMIT, message="Name must be 200 characters or fewer"),
        ],
    )
    email = EmailField(
        "Email address",
        widget=GovTextInput(),
        filters=[_strip],
        validators=[
            InputRequired("Enter the partner's email address"),
            Email("Enter an email address in the correct format, like name@example.org"),
            Length(
                max=service.EMAIL_LIMIT, message="Email address must be 254 characters or fewer"
            ),
        ],
    )
    kind = ChoiceRadioField(
        "Kind of partner",
        widget=GovRadioInput(),
        choices=[(kind.value, kind.label) for kind in PartnerKind],
        validators=[InputRequired("Select the kind of partner")],
        invalid_choice="Select the kind of partner",
    )
    domains = SelectMultipleField(
        "Sections to ask about",
        widget=GovCheckboxesInput(),
        description="Leave all unticked to ask about every section.",
        validate_choice=False,
    )
    named = ChoiceRadioField(
        "How should their answers be shown to you?",
        widget=GovRadioInput(),
        choices=[
            ("named", "By name"),
            ("kind", "By kind of partner only (for example “Care provider 2”)"),
        ],
        default="named",
        validators=[InputRequired("Select how their answers should be shown")],
        invalid_choice="Select how their answers should be shown",
    )
    submit = SubmitField("Send invitation", widget=GovSubmitInput())


class RemovePartnerForm(FlaskForm):
    delete_answers = BooleanField(
        "Also delete the answers they gave (this is recorded in the audit log)",
        widget=GovCheckboxInput(),
    )
    submit = SubmitField("Remove partner", widget=GovSubmitInput())


class AgreeForm(FlaskForm):
    # "own" or a partner's id: whose answer the agreed one starts from.
    source = StringField()
    level = StringField(filters=[_strip])
    note = TextAreaField(
        "How was this answer agreed?",
        widget=GovTextArea(),
        filters=[_strip],
        description="For example “agreed at the steering group, 12 March”.",
        validators=[
            Length(max=service.NOTE_LIMIT, message="Note must be 2,000 characters or fewer")
        ],
    )


class PlainForm(FlaskForm):
    """A button: the form carries only its CSRF token."""


class FollowLinkForm(FlaskForm):
    submit = SubmitField("Start", widget=GovSubmitInput())


class ShareForm(FlaskForm):
    shared = StringField()


# --- The lead's pages ---------------------------------------------------------------------


def _assessment(assessment_id: int) -> tuple[Assessment, Questionnaire]:
    assessment = assessment_service.assessment_in(g.organisation, assessment_id)
    return assessment, assessment_service.questionnaire_of(assessment)


def _lead_page(template: str, assessment: Assessment, **context: Any) -> str:
    return render_template(
        f"partners/{template}.html",
        organisation=g.organisation,
        assessment=assessment,
        questionnaire=assessment_service.questionnaire_of(assessment),
        **context,
    )


@bp.route(LEAD)
@requires(Policy.ORG_LEAD)
def index(slug: str, assessment_id: int) -> ResponseReturnValue:
    assessment, _ = _assessment(assessment_id)
    respondents = service.respondents_of(assessment, removed=True)
    return _lead_page(
        "index",
        assessment,
        respondents=respondents,
        rates=service.response_rates(assessment),
        label_of=service.label_of,
        shared=any(r.result_shared for r in respondents if r.removed_at is None),
        form=PlainForm(formdata=None),
    )


@bp.route(LEAD + "/invite", methods=["GET", "POST"])
@requires(Policy.ORG_LEAD)
def invite(slug: str, assessment_id: int) -> ResponseReturnValue:
    assessment, questionnaire = _assessment(assessment_id)
    form = InvitePartnerForm(formdata=posted_data())
    form.domains.choices = [(domain.id, domain.title) for domain in questionnaire.domains]
    if form.validate_on_submit():
        try:
            sent = service.invite_partner(
                assessment,
                name=form.name.data or "",
                email=form.email.data or "",
                kind=PartnerKind(form.kind.data),
                domain_ids=form.domains.data or [],
                named=form.named.data == "named",
                invited_by=current_user._get_current_object(),
                link_for=partner_link,
                settings=settings(),
                ip_address=client_ip(),
            )
        except PartnerError as error:
            place_error(form, error, "email")
        else:
            return _lead_page(
                "invitation_sent", assessment, sent=[sent], show_link=not sent.emailed
            )
    return _lead_page("invite", assessment, form=form)


@bp.route(LEAD + "/remind", methods=["POST"])
@requires(Policy.ORG_LEAD)
def remind(slug: str, assessment_id: int) -> ResponseReturnValue:
    assessment, _ = _assessment(assessment_id)
    form = PlainForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        sent = service.remind_partners(
            assessment,
            current_user._get_current_object(),
            partner_link,
            settings(),
            client_ip(),
        )
    except PartnerError as error:
        flash(str(error), "info")
        return redirect(url_for("partners.index", slug=slug, assessment_id=assessment_id))
    if not sent:
        flash("Every partner has already answered: nobody to remind", "info")
        return redirect(url_for("partners.index", slug=slug, assessment_id=assessment_id))
    return _lead_page(
        "invitation_sent",
        assessment,
        sent=sent,
        show_link=not all(item.emailed for item in sent),
    )


@bp.route(LEAD + "/share", methods=["POST"])
@requires(Policy.ORG_LEAD)
def share(slug: str, assessment_id: int) -> ResponseReturnValue:
    assessment, _ = _assessment(assessment_id)
    form = ShareForm()
    if not form.validate_on_submit():
        abort(400)
    shared = form.shared.data == "yes"
    service.share_result(assessment, shared, current_user._get_current_object())
    flash(
        "Partners who have answered can now see the agreed answers"
        if shared
        else "Partners can no longer see the agreed answers",
        "success",
    )
    return redirect(url_for("partners.index", slug=slug, assessment_id=assessment_id))


@bp.route(LEAD + "/<int:respondent_id>/remove", methods=["GET", "POST"])
@requires(Policy.ORG_LEAD)
def remove(slug: str, assessment_id: int, respondent_id: int) -> ResponseReturnValue:
    assessment, _ = _assessment(assessment_id)
    try:
        respondent = service.respondent_in(assessment, respondent_id)
    except LookupError:
        abort(404)
    if respondent.removed_at is not None:
        return redirect(url_for("partners.index", slug=slug, assessment_id=assessment_id))
    form = RemovePartnerForm(formdata=posted_data())
    if form.validate_on_submit():
        service.remove_partner(
            respondent,
            current_user._get_current_object(),
            delete_answers=bool(form.delete_answers.data),
            ip_address=client_ip(),
        )
        flash(f"{respondent.name} has been removed", "success")
        return redirect(url_for("partners.index", slug=slug, assessment_id=assessment_id))
    return _lead_page("remove", assessment, respondent=respondent, form=form)


@bp.route(LEAD + "/compare")
@requires(Policy.ORG_LEAD)
def compare(slug: str, assessment_id: int) -> ResponseReturnValue:
    assessment, _ = _assessment(assessment_id)
    snapshot_id = assessment_service.latest_snapshot_id(assessment)
    data = service.data_for(assessment, snapshot_id)
    return _lead_page(
        "compare",
        assessment,
        questions=service.compare(assessment, data),
        rates=service.response_rates(assessment),
        editable=assessment.status == AssessmentStatus.DRAFT,
    )


def _agree_source(
    assessment: Assessment, question: service.QuestionViews, source: str | None
) -> tuple[str, service.View | None]:
    """The answer the agreement starts from: a partner's (by id) or "own"."""
    for view in question.views:
        if source == str(view.respondent_id):
            return source, view
    return "own", None


@bp.route(LEAD + "/compare/<indicator_id>", methods=["GET", "POST"])
@requires(Policy.ORG_LEAD)
def agree(slug: str, assessment_id: int, indicator_id: str) -> ResponseReturnValue:
    assessment, questionnaire = _assessment(assessment_id)
    questions = {q.indicator_id: q for q in service.compare(assessment)}
    question = questions.get(indicator_id)
    if question is None:
        abort(404)
    back = url_for("partners.compare", slug=slug, assessment_id=assessment_id)
    if assessment.status != AssessmentStatus.DRAFT:
        flash("This assessment has been submitted and is read-only. A lead can reopen it", "info")
        return redirect(back)
    from flask import request

    form = AgreeForm(formdata=posted_data())
    source, view = _agree_source(assessment, question, form.source.data or request.args.get("from"))
    if form.validate_on_submit():
        raw = form.level.data or ""
        try:
            service.agree(
                assessment,
                service.Agreement(
                    indicator_id=indicator_id,
                    level=whole_number(raw),
                    not_applicable=raw == "na",
                    note=form.note.data or "",
                    source_respondent_id=view.respondent_id if view else None,
                ),
                current_user._get_current_object(),
                client_ip(),
            )
        except PartnerError as error:
            place_error(form, error, "note")
        else:
            flash(f"The agreed answer to “{question.title}” has been saved", "success")
            return redirect(back + f"#question-{indicator_id}")
    if request.method == "GET":
        start = view if view else question.own
        level = None
        if start is not None:
            level = "na" if start.not_applicable else (str(start.level) if start.level else None)
        if question.agreement:
            form.note.data = question.agreement["note"]
        form.level.data = level
    return _lead_page(
        "agree",
        assessment,
        question=question,
        indicator=questionnaire.indicator(indicator_id),
        source=source,
        form=form,
        errors=field_errors(form),
    )


@bp.route(LEAD + "/answers.<fmt>")
@requires(Policy.ORG_LEAD)
def export(slug: str, assessment_id: int, fmt: str) -> ResponseReturnValue:
    assessment, _ = _assessment(assessment_id)
    table = service.partner_answers_table(
        assessment, assessment_service.latest_snapshot_id(assessment)
    )
    return table_download(table, fmt, f"{slug}-assessment-{assessment_id}-partner-answers")


# --- The partner's pages ------------------------------------------------------------------


@bp.route("/partner-links/<token>", methods=["GET", "POST"])
@requires(Policy.PUBLIC)
def accept(token: str) -> ResponseReturnValue:
    """The link in the email: a page first (so that a mail scanner opening the link does
    not use it up), then a button that uses it and opens the partner's questions."""
    respondent = service.valid_link(token)
    if respondent is None:
        return render_template("partners/link_invalid.html", message=service.LINK_USED), 404
    form = FollowLinkForm()
    if form.validate_on_submit():
        try:
            key = service.follow_link(respondent, client_ip())
        except PartnerError as error:
            return render_template("partners/link_invalid.html", message=str(error)), 404
        keys = dict(session.get(PARTNER_KEYS) or {})
        keys[str(respondent.id)] = key
        session[PARTNER_KEYS] = keys
        return redirect(url_for("partners.respond", respondent_id=respondent.id))
    return render_template(
        "partners/accept.html",
        respondent=respondent,
        assessment=respondent.assessment,
        form=form,
    )


def _respondent_page(template: str, **context: Any) -> str:
    respondent = g.respondent
    return render_template(
        f"partners/{template}.html",
        respondent=respondent,
        assessment=respondent.assessment,
        questionnaire=assessment_service.questionnaire_of(respondent.assessment),
        **context,
    )


@bp.route(PARTNER)
@requires(Policy.PARTNER)
def respond(respondent_id: int) -> ResponseReturnValue:
    respondent = g.respondent
    assessment = respondent.assessment
    show_agreed = respondent.submitted_at is not None and respondent.result_shared
    return _respondent_page(
        "respond",
        sections=service.partner_progress(respondent),
        answers=service.answers_for_respondent(respondent),
        agreed=service.agreed_answers(assessment) if show_agreed else None,
        open=assessment.status == AssessmentStatus.DRAFT and respondent.submitted_at is None,
        form=PlainForm(formdata=None),
        errors={},
    )


@bp.route(PARTNER + "/sections/<domain_id>", methods=["GET", "POST"])
@requires(Policy.PARTNER)
def respond_domain(respondent_id: int, domain_id: str) -> ResponseReturnValue:
    respondent = g.respondent
    questionnaire = assessment_service.questionnaire_of(respondent.assessment)
    if domain_id not in respondent.domain_ids or domain_id not in questionnaire.domain_ids:
        abort(404)
    home = url_for("partners.respond", respondent_id=respondent_id)
    try:
        service.ensure_answerable(respondent)
    except PartnerError as error:
        flash(str(error), "info")
        return redirect(home)
    domain = questionnaire.domain(domain_id)
    form = domain_form(questionnaire, domain, posted_data())
    refused: dict[str, str] = {}
    if form.is_submitted():
        valid = form.validate()
        refused = service.save_partner_answers(respondent, domain_id, form.answer_inputs())
        for indicator_id, message in refused.items():
            form.group(questionnaire.indicator(indicator_id)).level.errors = [message]
        if valid and not refused:
            return _after_partner_save(respondent_id, domain_id, respondent.domain_ids, form)
    stored = service.partner_answers(respondent)
    items = []
    for group in form.groups:
        record = stored.get(group.indicator.id)
        if group.has_errors:
            values, version = form.values_of(group), group.version.data or 0
            if group.indicator.id in refused and record is not None:
                version = record.version
        else:
            values = service.values_of(record) if record else service.AnswerValues()
            version = record.version if record else 0
        items.append(
            {"indicator": group.indicator, "fields": group, "values": values, "version": version}
        )
    return _respondent_page(
        "domain",
        domain=domain,
        items=items,
        confidences=list(Confidence),
        evidence_limit=assessment_service.EVIDENCE_NOTE_LIMIT,
        error_list=form.error_list(),
    )


def _after_partner_save(
    respondent_id: int, domain_id: str, domain_ids: list[str], form: Any
) -> ResponseReturnValue:
    position = domain_ids.index(domain_id)
    if form.action.data != "later" and position + 1 < len(domain_ids):
        return redirect(
            url_for(
                "partners.respond_domain",
                respondent_id=respondent_id,
                domain_id=domain_ids[position + 1],
            )
        )
    flash("Your answers have been saved", "success")
    return redirect(url_for("partners.respond", respondent_id=respondent_id))


@bp.route(PARTNER + "/submit", methods=["POST"])
@requires(Policy.PARTNER)
def submit_response(respondent_id: int) -> ResponseReturnValue:
    respondent = g.respondent
    form = PlainForm()
    if form.validate_on_submit():
        try:
            service.submit_response(respondent, client_ip())
        except PartnerError as error:
            flash(str(error), "info")
        else:
            flash("Thank you: your answers have been sent to the academy", "success")
    return redirect(url_for("partners.respond", respondent_id=respondent_id))
