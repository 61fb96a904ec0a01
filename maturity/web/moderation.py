"""Moderation: an academy asks for a second pair of eyes on a submitted assessment, the
named moderator reviews each section, and the academy answers each challenge.

The academy's pages live under its own address (``/organisations/<slug>/moderation``);
the moderator's under ``/moderation/<id>``, open only to the named moderator.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, g, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovSelect, GovSubmitInput, GovTextArea
from sqlalchemy.exc import NoResultFound
from wtforms import SubmitField, TextAreaField
from wtforms.validators import InputRequired

from maturity.models import (
    Assessment,
    AssessmentStatus,
    ChallengeResponse,
    ModerationStatus,
    ModerationVerdict,
)
from maturity.services import moderation as service
from maturity.services import partners as partners_service
from maturity.services.assessments import assessments_for, questionnaire_of
from maturity.web.access import Policy, is_org_lead, requires
from maturity.web.forms import ChoiceRadioField, ChoiceSelectField, _choices, _length, place_error

bp = Blueprint("moderation", __name__)


# --- Forms --------------------------------------------------------------------------------


class ModerationRequestForm(FlaskForm):
    """Ask for moderation: which assessment, and who. Choices are set by the view."""

    assessment = ChoiceSelectField(
        "Assessment",
        widget=GovSelect(),
        validators=[InputRequired("Select the assessment to be moderated")],
        invalid_choice="Select the assessment to be moderated",
    )
    moderator = ChoiceRadioField(
        "Who should moderate it?",
        widget=GovRadioInput(),
        validators=[InputRequired("Select who should moderate it")],
        invalid_choice="Select who should moderate it",
    )
    submit = SubmitField("Ask for moderation", widget=GovSubmitInput())


class ModeratorOfferForm(FlaskForm):
    offers = ChoiceRadioField(
        "Will your academy moderate other academies' self-assessments?",
        widget=GovRadioInput(),
        choices=[("yes", "Yes, other academies may ask us"), ("no", "No")],
        validators=[InputRequired("Select yes or no")],
        invalid_choice="Select yes or no",
    )
    submit = SubmitField("Save", widget=GovSubmitInput())


class ModerationSectionForm(FlaskForm):
    """The moderator's view of one section; ``expected_level`` choices set by the view."""

    verdict = ChoiceRadioField(
        "Do you agree with this level?",
        widget=GovRadioInput(),
        choices=_choices(ModerationVerdict),
        validators=[InputRequired("Select agreed or challenged")],
        invalid_choice="Select agreed or challenged",
    )
    comment = TextAreaField(
        "Comment",
        description="Needed for a challenge: what the evidence shows and what is missing.",
        widget=GovTextArea(),
        validators=[_length("The comment", service.COMMENT_LIMIT)],
    )
    expected_level = ChoiceSelectField(
        "The level you would expect (for a challenge)",
        widget=GovSelect(),
        invalid_choice="Select the level you would expect",
    )
    submit = SubmitField("Save this section", widget=GovSubmitInput())


class ModerationSendBackForm(FlaskForm):
    submit = SubmitField("Send the review to the academy", widget=GovSubmitInput())


class ChallengeResponseForm(FlaskForm):
    response = ChoiceRadioField(
        "Your response",
        widget=GovRadioInput(),
        choices=_choices(ChallengeResponse),
        validators=[InputRequired("Select whether you accept the challenge")],
        invalid_choice="Select whether you accept the challenge",
    )
    explanation = TextAreaField(
        "Explanation",
        description="Needed if you keep your answer: why the level is right.",
        widget=GovTextArea(),
        validators=[_length("The explanation", service.COMMENT_LIMIT)],
    )
    submit = SubmitField("Send response", widget=GovSubmitInput())


def _user() -> Any:
    return current_user._get_current_object()


# --- The academy's side -------------------------------------------------------------------


@bp.route("/organisations/<slug>/moderation")
@requires(Policy.ORG_MEMBER)
def index(slug: str) -> Any:
    return render_template(
        "moderation/index.html",
        organisation=g.organisation,
        moderations=service.moderations_of(g.organisation),
        offers=service.is_peer_moderator(g.organisation),
        lead=is_org_lead(),
    )


def _assessments() -> list[Assessment]:
    return [a for a in assessments_for(g.organisation) if a.questionnaire_id != "scoping"]


@bp.route("/organisations/<slug>/moderation/ask", methods=["GET", "POST"])
@requires(Policy.ORG_LEAD)
def ask(slug: str) -> Any:
    form = ModerationRequestForm()
    assessments = _assessments()
    form.assessment.choices = [
        (
            str(a.id),
            f"{a.cycle}" + ("" if a.status == AssessmentStatus.SUBMITTED else " (not submitted)"),
        )
        for a in assessments
    ]
    form.moderator.choices = service.moderator_choices(g.organisation)
    if request.method == "GET" and assessments:
        submitted = [a for a in assessments if a.status == AssessmentStatus.SUBMITTED]
        form.assessment.data = str((submitted or assessments)[0].id)
    if form.validate_on_submit():
        chosen = next(a for a in assessments if str(a.id) == form.assessment.data)
        try:
            moderation = service.request_moderation(chosen, _user(), form.moderator.data or "")
        except service.ModerationError as error:
            place_error(form, error, "assessment")
        else:
            flash(f"{moderation.moderator_name} has been asked to moderate it", "success")
            return redirect(url_for("moderation.thread", slug=slug, moderation_id=moderation.id))
    return render_template(
        "moderation/ask.html", organisation=g.organisation, form=form, assessments=assessments
    )


@bp.route("/organisations/<slug>/moderation/offer", methods=["GET", "POST"])
@requires(Policy.ORG_LEAD)
def offer(slug: str) -> Any:
    form = ModeratorOfferForm()
    if request.method == "GET":
        form.offers.data = "yes" if service.is_peer_moderator(g.organisation) else "no"
    if form.validate_on_submit():
        offers = form.offers.data == "yes"
        service.set_peer_moderator(g.organisation, _user(), offers=offers)
        flash(
            "Other academies can now ask you to moderate"
            if offers
            else "Other academies can no longer ask you to moderate",
            "success",
        )
        return redirect(url_for("moderation.index", slug=slug))
    return render_template("moderation/offer.html", organisation=g.organisation, form=form)


@bp.route("/organisations/<slug>/moderation/<int:moderation_id>")
@requires(Policy.ORG_MEMBER)
def thread(slug: str, moderation_id: int) -> Any:
    moderation = service.moderation_in(g.organisation, moderation_id)
    return render_template(
        "moderation/thread.html",
        organisation=g.organisation,
        moderation=moderation,
        challenges=service.challenges(moderation),
        lead=is_org_lead(),
        outcome=service.outcome(moderation.assessment),
        level_names={
            level.value: level.name for level in service.questionnaire_for(moderation).levels
        },
        Status=ModerationStatus,
    )


@bp.route(
    "/organisations/<slug>/moderation/<int:moderation_id>/challenges/<int:review_id>",
    methods=["GET", "POST"],
)
@requires(Policy.ORG_LEAD)
def respond(slug: str, moderation_id: int, review_id: int) -> Any:
    moderation = service.moderation_in(g.organisation, moderation_id)
    review = service.challenge_in(moderation, review_id)
    form = ChallengeResponseForm()
    if form.validate_on_submit():
        try:
            service.respond(
                moderation,
                review,
                _user(),
                response=form.response.data or "",
                explanation=form.explanation.data or "",
            )
        except service.ModerationError as error:
            place_error(form, error, "response")
        else:
            if review.response == ChallengeResponse.ACCEPTED:
                flash(
                    "The assessment is open for changes. Change the answer, then submit it "
                    "again to finish the moderation",
                    "success",
                )
            else:
                flash("Your response has been sent", "success")
            return redirect(url_for("moderation.thread", slug=slug, moderation_id=moderation.id))
    return render_template(
        "moderation/respond.html",
        organisation=g.organisation,
        moderation=moderation,
        review=review,
        form=form,
        levels=service.questionnaire_for(moderation).levels,
    )


# --- The moderator's side -----------------------------------------------------------------


@bp.route("/moderation")
@requires(Policy.SIGNED_IN)
def inbox() -> Any:
    return render_template(
        "moderation/inbox.html",
        moderations=service.moderations_for(_user()),
        Status=ModerationStatus,
    )


@bp.route("/moderation/<int:moderation_id>")
@requires(Policy.MODERATOR)
def review(moderation_id: int) -> Any:
    return _review_page(g.moderation, ModerationSendBackForm())


def _review_page(moderation: Any, form: ModerationSendBackForm, refusal: str | None = None) -> Any:
    # Partner views kept with the submission under review, as its results page shows them:
    # kinds of partner, pooled where few, never names.
    return render_template(
        "moderation/review.html",
        moderation=moderation,
        partners=partners_service.results_summary(moderation.assessment, moderation.snapshot_id),
        questionnaire=questionnaire_of(moderation.assessment),
        sections=service.sections(moderation),
        form=form,
        error_list=[{"text": refusal}] if refusal else None,
        Status=ModerationStatus,
    )


@bp.route("/moderation/<int:moderation_id>/finish", methods=["POST"])
@requires(Policy.MODERATOR)
def send_back(moderation_id: int) -> Any:
    moderation = g.moderation
    form = ModerationSendBackForm()
    if form.validate_on_submit():
        try:
            service.send_back(moderation, _user())
        except service.ModerationError as error:
            return _review_page(moderation, form, error.message)
        flash(f"The review has been sent to {moderation.organisation.name}", "success")
        return redirect(url_for("moderation.inbox"))
    return redirect(url_for("moderation.review", moderation_id=moderation_id))


@bp.route("/moderation/<int:moderation_id>/sections/<domain_id>", methods=["GET", "POST"])
@requires(Policy.MODERATOR)
def section(moderation_id: int, domain_id: str) -> Any:
    moderation = g.moderation
    found = next((s for s in service.sections(moderation) if s.domain_id == domain_id), None)
    if found is None:
        raise NoResultFound(f"No section {domain_id!r}")
    questionnaire = service.questionnaire_for(moderation)
    form = ModerationSectionForm()
    form.expected_level.choices = [
        ("", "Select a level"),
        *((str(level.value), level.name) for level in questionnaire.levels),
    ]
    if request.method == "GET" and found.review is not None:
        form.verdict.data = found.review.verdict.value
        form.comment.data = found.review.comment or ""
        form.expected_level.data = str(found.review.expected_level or "")
    if form.validate_on_submit():
        expected = form.expected_level.data
        try:
            service.review_section(
                moderation,
                _user(),
                domain_id,
                verdict=form.verdict.data or "",
                comment=form.comment.data or "",
                expected_level=int(expected) if expected else None,
            )
        except service.ModerationError as error:
            place_error(form, error, "verdict")
        else:
            flash(f"Your review of {found.title} has been saved", "success")
            return redirect(url_for("moderation.review", moderation_id=moderation_id))
    return render_template(
        "moderation/section.html",
        moderation=moderation,
        section=found,
        form=form,
        open=moderation.status == ModerationStatus.REQUESTED,
    )
