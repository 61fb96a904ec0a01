"""Peer introductions: ask, through the service, to be put in touch with another
academy's lead; the other lead accepts or declines. No email address is shown before
an introduction is accepted."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, g, redirect, render_template, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovSubmitInput, GovTextArea
from wtforms import SubmitField, TextAreaField
from wtforms.validators import InputRequired

from maturity.models import DirectoryEntry, IntroductionStatus
from maturity.services import introductions as service
from maturity.services.organisations import organisation_by_slug
from maturity.web.access import Policy, is_org_lead, requires
from maturity.web.forms import ChoiceRadioField, _length, place_error

bp = Blueprint("introductions", __name__)


class IntroductionAskForm(FlaskForm):
    message = TextAreaField(
        "Your message",
        description="Say who you are and what you would like to learn from them. Your "
        "email address is not shown unless they accept.",
        widget=GovTextArea(),
        validators=[
            InputRequired("Enter a short message to the other academy"),
            _length("The message", service.MESSAGE_LIMIT),
        ],
    )
    submit = SubmitField("Send the request", widget=GovSubmitInput())


class IntroductionReplyForm(FlaskForm):
    answer = ChoiceRadioField(
        "Will you be introduced?",
        widget=GovRadioInput(),
        choices=[
            ("accept", "Yes: share our names and work email addresses"),
            ("decline", "No, thank you"),
        ],
        validators=[InputRequired("Select yes or no")],
        invalid_choice="Select yes or no",
    )
    submit = SubmitField("Send reply", widget=GovSubmitInput())


def _user() -> Any:
    return current_user._get_current_object()


@bp.route("/organisations/<slug>/introductions")
@requires(Policy.ORG_MEMBER)
def index(slug: str) -> Any:
    received, sent = service.listed_for(g.organisation)
    return render_template(
        "introductions/index.html",
        organisation=g.organisation,
        received=received,
        sent=sent,
        lead=is_org_lead(),
        Status=IntroductionStatus,
        open_limit=service.OPEN_LIMIT,
    )


@bp.route("/organisations/<slug>/introductions/ask/<to_slug>", methods=["GET", "POST"])
@requires(Policy.ORG_MEMBER)
def ask(slug: str, to_slug: str) -> Any:
    other = organisation_by_slug(to_slug)
    form = IntroductionAskForm()
    if form.validate_on_submit():
        try:
            service.ask(g.organisation, other, _user(), form.message.data or "")
        except service.IntroductionError as error:
            place_error(form, error, "message")
        else:
            flash(f"Your request has been sent to {other.name}'s lead", "success")
            return redirect(url_for("introductions.index", slug=slug))
    return render_template(
        "introductions/ask.html",
        organisation=g.organisation,
        other=other,
        reason=service.recommendation_reason(g.organisation, other),
        form=form,
    )


@bp.route("/introductions/<int:introduction_id>", methods=["GET", "POST"])
@requires(Policy.INTRODUCTION_RECIPIENT)
def reply(introduction_id: int) -> Any:
    introduction = g.introduction
    form = IntroductionReplyForm()
    if form.validate_on_submit():
        accept = form.answer.data == "accept"
        try:
            service.reply(introduction, _user(), accept=accept)
        except service.IntroductionError as error:
            place_error(form, error, "answer")
        else:
            flash(
                "You have accepted: you can now see each other's contact details"
                if accept
                else "You have declined the request",
                "success",
            )
            return redirect(url_for("introductions.index", slug=introduction.to_organisation.slug))
    return render_template(
        "introductions/reply.html", introduction=introduction, form=form, Status=IntroductionStatus
    )


@bp.app_template_global("introduction_link")
def introduction_link(entry: DirectoryEntry) -> str | None:
    """For a directory entry: where the signed-in person's academy asks for an
    introduction to it, if the academy is on the service (and is not their own)."""
    if not current_user.is_authenticated:
        return None
    other = service.organisation_on_platform(entry.name)
    mine = next(
        (m.organisation for m in current_user.memberships),
        None,
    )
    if other is None or mine is None or mine.id == other.id:
        return None
    return url_for("introductions.ask", slug=mine.slug, to_slug=other.slug)
