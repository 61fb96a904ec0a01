"""Every form route of the service, for the form walks (``tests/test_form_walk.py`` and
``tests/test_form_fuzz.py``).

A form route is a rule of the URL map that accepts POST. For each, ``FORM_ROUTES`` says
who may use it (the least-privileged kind of user), the page that shows its form (the
route itself unless it only accepts POST), the records it needs, values that make the
form valid, and where what it saves can be read back. The fields themselves are not
written down: they are read from the page, as a browser would see them.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin, urlsplit

from bs4 import BeautifulSoup, Tag
from flask import Flask, current_app, url_for
from flask.testing import FlaskClient
from sqlalchemy import select, text
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import TestResponse

from maturity.extensions import db, limiter
from maturity.framework.impact import parse_lines
from maturity.framework.periods import Cycle
from maturity.models import (
    AccountToken,
    ActionItem,
    AnswerRecord,
    AnswerRevision,
    ApiToken,
    Assessment,
    AssessmentWindow,
    AuditEvent,
    CaseStudy,
    DirectoryEntry,
    DomainTarget,
    ImpactReturn,
    ImpactTarget,
    ImpactValue,
    Introduction,
    Moderation,
    ModerationReview,
    OpenDataRelease,
    Organisation,
    PartnerAgreement,
    PartnerAnswer,
    PartnerKind,
    PartnerRespondent,
    Role,
    TheoryOfChange,
    TokenPurpose,
    User,
    utcnow,
)
from maturity.services import accounts, partners, questionnaire_uploads
from maturity.services import moderation as moderation_service
from maturity.services.assessments import submit_assessment
from maturity.services.impact import set_values
from maturity.services.regional import publish_open_data
from maturity.services.settings import Settings
from maturity.web.access import PARTNER_KEYS, Policy
from tests.helpers import (
    PARTNER_KEY,
    TEST_PASSWORD,
    World,
    make_assessment,
    make_moderation_and_introduction,
    sign_in,
    soup,
)
from tests.upload_files import new_version

# "partner": a browser holding the world's partner key (no account).
ROLES = ("anonymous", "partner", "contributor", "lead", "regional_lead", "admin")

# The least-privileged kind of user a policy lets in: the walks use the form as them.
LEAST_PRIVILEGED = {
    Policy.PUBLIC: "anonymous",
    Policy.SIGNED_IN: "contributor",
    Policy.ORG_MEMBER: "contributor",
    Policy.ORG_LEAD: "lead",
    Policy.REGIONAL_LEAD: "regional_lead",
    Policy.ADMIN: "admin",
    Policy.PARTNER: "partner",
    Policy.MODERATOR: "regional_lead",  # the world's moderation is by its region
    Policy.INTRODUCTION_RECIPIENT: "lead",  # the world's introduction is to its academy
}
# Everyone a policy lets in (the organisation in the URL is the world's own).
ALLOWED = {
    Policy.PUBLIC: set(ROLES),
    Policy.SIGNED_IN: {"contributor", "lead", "regional_lead", "admin"},
    Policy.ORG_MEMBER: {"contributor", "lead", "admin"},
    Policy.ORG_LEAD: {"lead", "admin"},
    Policy.REGIONAL_LEAD: {"regional_lead", "admin"},
    Policy.ADMIN: {"admin"},
    Policy.PARTNER: {"partner"},
    Policy.MODERATOR: {"regional_lead"},
    Policy.INTRODUCTION_RECIPIENT: {"lead"},
}

NEW_PASSWORD = "a brand new passphrase for walking"


def email_of(world: World, role: str) -> str:
    return {
        "contributor": world.contributor,
        "lead": world.lead,
        "regional_lead": world.regional_lead,
        "admin": world.admin,
    }[role]


# --- Reading what a route saved ------------------------------------------------------------


def _strip(value: str) -> str:
    return value.strip()


def _line(value: str) -> str:
    return " ".join(value.split())


def _block(value: str) -> str:
    return value.replace("\r\n", "\n").strip()


def _email(value: str) -> str:
    return value.strip().lower()


def _lines(value: str) -> str:
    return "\n".join(parse_lines(value))


Normaliser = Callable[[str], str]
# What a route stored, by the form field it came from: {field name: stored text}.
Reader = Callable[[World, Mapping[str, Any], "MultiDict[str, str]"], dict[str, str | None]]


def _organisation(world: World) -> Organisation:
    return db.session.scalars(select(Organisation).where(Organisation.slug == world.org)).one()


def _newest(model: Any, *where: Any) -> Any:
    return db.session.scalars(select(model).where(*where).order_by(model.id.desc())).first()


def _action(found: ActionItem | None) -> dict[str, str | None]:
    return {"title": found.title, "owner": found.owner} if found else {}


def _case_study(found: CaseStudy | None) -> dict[str, str | None]:
    if found is None:
        return {}
    return {"title": found.title, "body": found.body, "first_name": found.first_name}


def _directory(found: DirectoryEntry | None) -> dict[str, str | None]:
    if found is None:
        return {}
    item = found.known_for[0] if found.known_for else {}
    source = item.get("source") or {}
    return {
        "name": found.name,
        "funding": found.funding,
        "summary": found.summary,
        "practice": item.get("text"),
        "source_title": source.get("title"),
        "source_section": source.get("section"),
    }


def _invitation(
    world: World, values: Mapping[str, Any], sent: MultiDict[str, str]
) -> dict[str, str | None]:
    found = _newest(AccountToken, AccountToken.purpose == TokenPurpose.INVITATION)
    if found is None or found.email != _email(sent.get("email", "")):
        return {}
    return {"name": found.name, "email": found.email}


def _answers(
    world: World, values: Mapping[str, Any], sent: MultiDict[str, str]
) -> dict[str, str | None]:
    stored: dict[str, str | None] = {}
    records = db.session.scalars(
        select(AnswerRecord).where(AnswerRecord.assessment_id == values["assessment_id"])
    )
    for record in records:
        stored[f"evidence-{record.indicator_id}"] = record.evidence_note
        stored[f"link-{record.indicator_id}"] = record.evidence_url
        if record.not_applicable:
            stored[f"reason-{record.indicator_id}"] = record.not_applicable_reason
    return stored


def _reopened(event: AuditEvent | None) -> dict[str, str | None]:
    return {"reason": event.detail["reason"]} if event else {}


def _reasoned(event: AuditEvent | None) -> dict[str, str | None]:
    return {"reason": event.detail.get("reason")} if event else {}


def _text(found: Any, name: str) -> dict[str, str | None]:
    return {name: getattr(found, name)} if found is not None else {}


def _theory(values: Mapping[str, Any]) -> TheoryOfChange:
    return db.session.get_one(TheoryOfChange, values["theory_id"])


def _partner(
    world: World, values: Mapping[str, Any], sent: MultiDict[str, str]
) -> dict[str, str | None]:
    found = _newest(PartnerRespondent)
    if found is None or found.email != _email(sent.get("email", "")):
        return {}
    return {"name": found.name, "email": found.email}


def _partner_answers(
    world: World, values: Mapping[str, Any], sent: MultiDict[str, str]
) -> dict[str, str | None]:
    stored: dict[str, str | None] = {}
    for answer in db.session.scalars(
        select(PartnerAnswer).where(PartnerAnswer.respondent_id == values["respondent_id"])
    ):
        stored[f"evidence-{answer.indicator_id}"] = answer.evidence_note
        stored[f"link-{answer.indicator_id}"] = answer.evidence_url
        if answer.not_applicable:
            stored[f"reason-{answer.indicator_id}"] = answer.not_applicable_reason
    return stored


def _agreement(
    world: World, values: Mapping[str, Any], sent: MultiDict[str, str]
) -> dict[str, str | None]:
    found = _newest(PartnerAgreement, PartnerAgreement.assessment_id == values["assessment_id"])
    return {"note": found.note} if found else {}


READERS: dict[str, Reader] = {
    "partners.invite": _partner,
    "partners.respond_domain": _partner_answers,
    "partners.agree": _agreement,
    "actions.new": lambda w, v, s: _action(
        _newest(ActionItem, ActionItem.organisation_id == _organisation(w).id)
    ),
    "actions.edit": lambda w, v, s: _action(db.session.get(ActionItem, v["action_id"])),
    "impact.new_case_study": lambda w, v, s: _case_study(
        _newest(CaseStudy, CaseStudy.organisation_id == _organisation(w).id)
    ),
    "impact.edit_case_study": lambda w, v, s: _case_study(
        db.session.get(CaseStudy, v["case_study_id"])
    ),
    "impact.new_outcome": lambda w, v, s: {"text": _theory(v).outcomes[-1]["text"]},
    "impact.edit_outcome": lambda w, v, s: dict(
        ("text", outcome["text"]) for outcome in _theory(v).outcomes[v["number"] - 1 :][:1]
    ),
    "impact.edit_theory": lambda w, v, s: {
        "challenge": _theory(v).challenge,
        **{
            name: "\n".join(getattr(_theory(v), name))
            for name in ("inputs", "activities", "outputs", "impacts")
        },
    },
    "impact.edit_return": lambda w, v, s: {
        "notes": db.session.get_one(ImpactReturn, v["return_id"]).notes
    },
    "directory.new_entry": lambda w, v, s: _directory(_newest(DirectoryEntry)),
    "directory.edit_entry": lambda w, v, s: _directory(
        db.session.scalars(
            select(DirectoryEntry).where(DirectoryEntry.slug == v["entry_slug"])
        ).first()
    ),
    "admin.new_organisation": lambda w, v, s: {"name": _newest(Organisation).name},
    "auth.api_tokens": lambda w, v, s: {"name": _newest(ApiToken).name},
    "orgs.invite": _invitation,
    "admin.invite_lead": _invitation,
    "admin.invite_regional_lead": _invitation,
    "admin.edit_organisation": lambda w, v, s: {"name": _organisation(w).name},
    "admin.archive_organisation": lambda w, v, s: _reasoned(
        _newest(AuditEvent, AuditEvent.action == "organisation_archived")
    ),
    "admin.cycles": lambda w, v, s: {
        "cycle": db.session.scalars(
            select(AssessmentWindow.cycle).order_by(AssessmentWindow.id.desc())
        ).first()
    },
    "regional.withdraw_open_data": lambda w, v, s: {
        "reason": db.session.scalars(select(OpenDataRelease.withdrawal_reason)).first()
    },
    "auth.accept_invitation": lambda w, v, s: {
        "name": db.session.scalars(
            select(User.name).where(User.email == "walker@test.example")
        ).first()
    },
    "assessments.domain": _answers,
    "assessments.reopen": lambda w, v, s: _reopened(
        _newest(AuditEvent, AuditEvent.action == "assessment_reopened")
    ),
    "moderation.section": lambda w, v, s: _text(
        _newest(ModerationReview, ModerationReview.moderation_id == v["moderation_id"]), "comment"
    ),
    "moderation.respond": lambda w, v, s: {
        "explanation": db.session.get_one(ModerationReview, v["review_id"]).response_text
    },
    "introductions.ask": lambda w, v, s: _text(
        _newest(Introduction, Introduction.from_organisation_id == _organisation(w).id), "message"
    ),
}


# --- The routes -----------------------------------------------------------------------------


@dataclass(frozen=True)
class FormRoute:
    """A form route and what a walk needs to post its form."""

    endpoint: str
    # URL values, made inside an app context after the world exists (records it needs).
    setup: Callable[[World], dict[str, Any]] = lambda world: {}
    # Who uses the form in the walks: the least-privileged kind of user by default.
    role: str | None = None
    # The page showing the form, when the route only accepts POST.
    page: str | None = None
    # Values that make the form valid, over those the page fills in itself.
    valid: Mapping[str, str | list[str]] = field(default_factory=dict)
    # How each stored field is tidied from what was sent (fields the reader returns).
    tidy: Mapping[str, Normaliser] = field(default_factory=dict)
    # Fields that must never be stored blank.
    required: frozenset[str] = frozenset()
    # Tables in which a refused post keeps its valid fields, by design (the refused
    # fields themselves are checked one by one).
    keeps_valid_fields: frozenset[str] = frozenset()
    # Audit events a refused post records by design.
    audit_on_refusal: frozenset[str] = frozenset()
    # Pages and downloads showing what the route saves (besides the one it leads to).
    shows: tuple[str, ...] = ()


def _tables(*models: Any) -> frozenset[str]:
    return frozenset(model.__tablename__ for model in models)


def _slug(world: World) -> dict[str, Any]:
    return {"slug": world.org}


def _settings() -> Settings:
    return Settings.from_config(current_app.config)


def _invitation_token(world: World) -> dict[str, Any]:
    inviter = accounts.user_by_email(world.admin)
    assert inviter is not None
    issued = accounts.invite(
        email="walker@test.example",
        name="Wendy Walker",
        invited_by=inviter,
        link_for=lambda token: token,
        organisation=_organisation(world),
        role=Role.CONTRIBUTOR,
        settings=_settings(),
    )
    return {"token": issued.token}


def _reset_token(world: World) -> dict[str, Any]:
    issued = accounts.request_password_reset(
        world.contributor, lambda token: token, settings=_settings()
    )
    assert issued is not None
    return {"token": issued.token}


def _unlock_token(world: World) -> dict[str, Any]:
    issued = accounts.account_locked(world.contributor, lambda token: token, settings=_settings())
    assert issued is not None
    return {"token": issued.token}


def _other_person(world: World) -> dict[str, Any]:
    person = accounts.user_by_email(world.other_lead)
    assert person is not None
    return {"user_id": person.id}


def _pending_invitation(world: World) -> dict[str, Any]:
    """An invitation to the world's organisation, still open (to resend or cancel)."""
    values = _invitation_token(world)
    found = _newest(AccountToken, AccountToken.purpose == TokenPurpose.INVITATION)
    assert found is not None and values["token"]
    return {"slug": world.org, "invitation_id": found.id}


def _published_open_data(world: World) -> dict[str, Any]:
    admin = accounts.user_by_email(world.admin)
    assert admin is not None
    publish_open_data("2026/27", admin)
    return {"cycle_slug": "2026-27"}


def _answer(assessment_id: int, user_email: str) -> None:
    user = accounts.user_by_email(user_email)
    assert user is not None
    db.session.add(
        AnswerRecord(
            assessment_id=assessment_id,
            indicator_id="mission-aims",
            level=3,
            version=1,
            updated_by_id=user.id,
        )
    )
    db.session.flush()


def _submitted_assessment(world: World) -> dict[str, Any]:
    assessment = make_assessment(_organisation(world), "2025/26")
    _answer(assessment.id, world.lead)
    lead = accounts.user_by_email(world.lead)
    assert lead is not None
    submit_assessment(assessment, lead, declared=True)
    return {"slug": world.org, "assessment_id": assessment.id}


def _answered_assessment(world: World) -> dict[str, Any]:
    _answer(world.assessment, world.lead)
    return {"slug": world.org, "assessment_id": world.assessment}


def _moderation_ask(world: World) -> dict[str, Any]:
    _submitted_assessment(world)
    return _slug(world)


def _reviewed_moderation(world: World) -> dict[str, Any]:
    """The world's moderation with every section reviewed (agreed), ready to send back."""
    moderator = accounts.user_by_email(world.regional_lead)
    moderation = db.session.get_one(Moderation, make_moderation_and_introduction(world)[0])
    assert moderator is not None
    for section in moderation_service.sections(moderation):
        moderation_service.review_section(
            moderation,
            moderator,
            section.domain_id,
            verdict="agreed",
            comment="",
            expected_level=None,
        )
    return {"moderation_id": moderation.id}


def _challenge(world: World) -> dict[str, Any]:
    """A submitted assessment whose moderation challenged one section."""
    values = _submitted_assessment(world)
    lead = accounts.user_by_email(world.lead)
    moderator = accounts.user_by_email(world.regional_lead)
    assert lead is not None and moderator is not None
    assessment = db.session.get_one(Assessment, values["assessment_id"])
    moderation = moderation_service.request_moderation(assessment, lead, "region")
    for section in moderation_service.sections(moderation):
        challenged = section.domain_id == "funding"
        moderation_service.review_section(
            moderation,
            moderator,
            section.domain_id,
            verdict="challenged" if challenged else "agreed",
            comment="Where is the funding plan?" if challenged else "",
            expected_level=1 if challenged else None,
        )
    moderation_service.send_back(moderation, moderator)
    review = moderation_service.challenges(moderation)[0]
    return {"slug": world.org, "moderation_id": moderation.id, "review_id": review.id}


def _clean_return(world: World) -> dict[str, Any]:
    lead = accounts.user_by_email(world.lead)
    impact_return = db.session.get_one(ImpactReturn, world.impact_return)
    assert lead is not None
    set_values(impact_return, {"people-supported": 12}, lead)
    return {"slug": world.org, "return_id": world.impact_return}


def _world_assessment(world: World) -> dict[str, Any]:
    return {"slug": world.org, "assessment_id": world.assessment}


def _partner_answered(world: World, *, submitted: bool) -> None:
    """The world's partner has answered a question (and submitted, if ``submitted``)."""
    db.session.add(PartnerAnswer(respondent_id=world.partner, indicator_id="mission-aims", level=2))
    if submitted:
        db.session.get_one(PartnerRespondent, world.partner).submitted_at = utcnow()
    db.session.flush()


def _partner_to_agree(world: World) -> dict[str, Any]:
    _partner_answered(world, submitted=True)
    return {**_world_assessment(world), "indicator_id": "mission-aims", "fmt": "csv"}


def _partner_ready_to_submit(world: World) -> dict[str, Any]:
    _partner_answered(world, submitted=False)
    return {"respondent_id": world.partner}


def _partner_link(world: World) -> dict[str, Any]:
    lead = accounts.user_by_email(world.lead)
    assert lead is not None
    sent = partners.invite_partner(
        db.session.get_one(Assessment, world.assessment),
        name="Wren Walker",
        email="wren@provider.example",
        kind=PartnerKind.NHS,
        domain_ids=[],
        named=True,
        invited_by=lead,
        link_for=lambda token: token,
        settings=_settings(),
    )
    return {"token": sent.link}


def _draft_upload(world: World) -> dict[str, Any]:
    """A draft questionnaire version (2026.3), uploaded by the admin, to publish."""
    admin = accounts.user_by_email(world.admin)
    assert admin is not None
    record = questionnaire_uploads.upload("academy-maturity-2026.3.yaml", new_version(), by=admin)
    return {"upload_id": record.id}


def draft_upload(app: Flask, world: World) -> int:
    """The id of a new draft questionnaire version (for URLs that name one)."""
    with app.app_context():
        upload_id: int = _draft_upload(world)["upload_id"]
        db.session.commit()
    return upload_id


@dataclass(frozen=True)
class UploadFile:
    """A file a form sends (a file field's valid value): made afresh for every post."""

    name: str
    content: bytes

    def storage(self) -> FileStorage:
        return FileStorage(io.BytesIO(self.content), filename=self.name)


# Every route of the URL map that accepts POST, with what its walk needs. A new form
# route fails ``test_the_walks_cover_every_form_route`` until it is added here (or to
# ``NOT_FORM_ROUTES`` with the reason).
FORM_ROUTES: tuple[FormRoute, ...] = (
    # Signing in, accounts
    FormRoute(
        "auth.sign_in",
        valid={"email": "contributor@test.example", "password": TEST_PASSWORD},
        audit_on_refusal=frozenset({"sign_in_failed"}),
    ),
    FormRoute("auth.sign_out", page="auth.account"),
    FormRoute("auth.sign_out_everywhere", page="auth.account"),
    FormRoute("auth.unlock", setup=_unlock_token),
    FormRoute(
        "auth.accept_invitation",
        setup=_invitation_token,
        valid={"name": "Wendy Walker", "password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
        tidy={"name": _strip},
        required=frozenset({"name"}),
    ),
    FormRoute("auth.request_password_reset", valid={"email": "contributor@test.example"}),
    FormRoute(
        "auth.reset_password",
        setup=_reset_token,
        valid={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
    ),
    FormRoute(
        "auth.change_password",
        valid={
            "current_password": TEST_PASSWORD,
            "password": NEW_PASSWORD,
            "confirm": NEW_PASSWORD,
        },
    ),
    FormRoute(
        "auth.api_tokens",
        valid={"name": "Walk dashboard"},
        tidy={"name": _strip},
        required=frozenset({"name"}),
    ),
    FormRoute(
        "auth.revoke_api_token",
        setup=lambda world: {"token_id": world.token},
        role="lead",  # whose token it is
        page="auth.api_tokens",
    ),
    # An organisation's team
    FormRoute(
        "orgs.invite",
        setup=_slug,
        valid={"name": "Ivy Invitee", "email": "ivy@test.example", "role": "contributor"},
        tidy={"name": _strip, "email": _email},
        required=frozenset({"name", "email"}),
        shows=("orgs.team",),
    ),
    FormRoute(
        "orgs.member",
        setup=lambda world: {"slug": world.org, "membership_id": world.contributor_membership},
        valid={"role": "lead"},
    ),
    FormRoute(
        "orgs.remove",
        setup=lambda world: {"slug": world.org, "membership_id": world.contributor_membership},
        page="orgs.member",
    ),
    # Assessments
    FormRoute("assessments.start", setup=_slug, valid={"cycle": "2025/26", "start_from": "blank"}),
    FormRoute(
        "assessments.domain",
        setup=lambda world: {
            "slug": world.org,
            "assessment_id": world.assessment,
            "domain_id": "funding",  # it has a question that may be marked not applicable
        },
        tidy={"evidence-*": _block, "link-*": _block, "reason-*": _block},
        keeps_valid_fields=_tables(AnswerRecord, AnswerRevision, DomainTarget),
        shows=("assessments.check", "results.answers_csv", "results.answers_xlsx"),
    ),
    FormRoute(
        "assessments.submit",
        setup=_answered_assessment,
        page="assessments.check",
        valid={"declaration": "agreed"},
        shows=("results.results", "results.answers_xlsx", "results.pdf"),
    ),
    FormRoute(
        "assessments.reopen",
        setup=_submitted_assessment,
        valid={"reason": "The partners want to change an answer"},
        tidy={"reason": _strip},
        required=frozenset({"reason"}),
        shows=("admin.audit_log", "assessments.task_list"),
    ),
    # The action plan
    FormRoute(
        "actions.new",
        setup=_slug,
        valid={"title": "Write a funding plan", "owner": "Finance lead", "domain": "funding"},
        tidy={"title": _strip, "owner": _strip},
        required=frozenset({"title", "owner"}),
        shows=("actions.index",),
    ),
    FormRoute(
        "actions.edit",
        setup=lambda world: {"slug": world.org, "action_id": world.action},
        tidy={"title": _strip, "owner": _strip},
        required=frozenset({"title", "owner"}),
        shows=("actions.index",),
    ),
    # Impact
    FormRoute("impact.start_return", setup=_slug),
    FormRoute(
        "impact.edit_return",
        setup=lambda world: {"slug": world.org, "return_id": world.impact_return},
        tidy={"notes": _block},
        keeps_valid_fields=_tables(ImpactReturn, ImpactValue),
        shows=("impact.index",),
    ),
    FormRoute(
        "impact.submit_return", setup=_clean_return, role="lead", page="impact.review_return"
    ),
    FormRoute("impact.targets", setup=_slug, keeps_valid_fields=_tables(ImpactTarget)),
    FormRoute("impact.theories", setup=_slug),
    FormRoute(
        "impact.edit_theory",
        setup=lambda world: {"slug": world.org, "theory_id": world.theory},
        tidy={
            "challenge": _block,
            **dict.fromkeys(("inputs", "activities", "outputs", "impacts"), _lines),
        },
        keeps_valid_fields=_tables(TheoryOfChange),
        shows=("impact.theory", "impact.making_the_case"),
    ),
    FormRoute(
        "impact.new_outcome",
        setup=lambda world: {"slug": world.org, "theory_id": world.theory},
        valid={"text": "More care leavers in work"},
        tidy={"text": _line},
        required=frozenset({"text"}),
        shows=("impact.theory", "impact.making_the_case"),
    ),
    FormRoute(
        "impact.edit_outcome",
        setup=lambda world: {"slug": world.org, "theory_id": world.theory, "number": 1},
        tidy={"text": _line},
        required=frozenset({"text"}),
        shows=("impact.theory", "impact.making_the_case"),
    ),
    FormRoute(
        "impact.new_case_study",
        setup=_slug,
        valid={
            "title": "A new start",
            "body": "A story told with consent.",
            "consent": "confirmed",
        },
        tidy={"title": _line, "body": _block, "first_name": _line},
        required=frozenset({"title", "body"}),
        shows=("impact.case_studies",),
    ),
    FormRoute(
        "impact.edit_case_study",
        setup=lambda world: {"slug": world.org, "case_study_id": world.case_study},
        tidy={"title": _line, "body": _block, "first_name": _line},
        required=frozenset({"title", "body"}),
        shows=("impact.case_studies",),
    ),
    # The practice directory
    FormRoute(
        "directory.new_entry",
        valid={
            "name": "Example Coast Academy",
            "practice": "Runs a shared bank of care staff",
            "domains": "recruitment",
            "source_title": "Fictional test source",
        },
        tidy=dict.fromkeys(
            ("name", "funding", "summary", "practice", "source_title", "source_section"), _strip
        ),
        required=frozenset({"name", "practice", "source_title"}),
        shows=("directory.index",),
    ),
    FormRoute(
        "directory.edit_entry",
        setup=lambda world: {"entry_slug": "caring-plymouth"},
        tidy=dict.fromkeys(
            ("name", "funding", "summary", "practice", "source_title", "source_section"), _strip
        ),
        required=frozenset({"name", "practice", "source_title"}),
        shows=("directory.index", "directory.entry"),
    ),
    # Running the service
    FormRoute(
        "admin.new_organisation",
        valid={
            "name": "Walkden Care Academy",
            "region": "north-west",
            "status": "live",
            "kind": "health_and_care",
            "host_body_type": "local_authority",
            "delivery_mode": "blended",
        },
        tidy={"name": _strip},
        required=frozenset({"name"}),
        shows=("admin.organisations",),
    ),
    FormRoute(
        "admin.invite_lead",
        setup=_slug,
        valid={"name": "Ivy Invitee", "email": "ivy@test.example"},
        tidy={"name": _strip, "email": _email},
        required=frozenset({"name", "email"}),
        shows=("admin.organisation",),
    ),
    FormRoute(
        "admin.invite_regional_lead",
        valid={"name": "Ivy Invitee", "email": "ivy@test.example", "region": "london"},
        tidy={"name": _strip, "email": _email},
        required=frozenset({"name", "email"}),
        shows=("admin.users",),
    ),
    # Regions
    FormRoute(
        "regional.preview_open_data",
        setup=lambda world: {"cycle_slug": "2026-27"},
        valid={"confirm": "y"},
        shows=("regional.open_data",),
    ),
    FormRoute(
        "regional.withdraw_open_data",
        setup=_published_open_data,
        valid={"reason": "A region's figures were entered twice"},
        tidy={"reason": _strip},
        required=frozenset({"reason"}),
        shows=("regional.open_data", "admin.audit_log"),
    ),
    FormRoute("admin.user_status", setup=_other_person),
    FormRoute(
        "regional.remind",
        setup=lambda world: {"code": "north-west", "org_slug": world.org},
        page="regional.region",
    ),
    # The back office (issue 17)
    FormRoute("orgs.resend_invitation", setup=_pending_invitation, page="orgs.team"),
    FormRoute("orgs.cancel_invitation", setup=_pending_invitation, page="orgs.team"),
    FormRoute("orgs.leave", setup=_slug),
    FormRoute(
        "admin.resend_invitation",
        setup=lambda world: {"invitation_id": _pending_invitation(world)["invitation_id"]},
        page="admin.invitations",
    ),
    FormRoute(
        "orgs.profile",
        setup=_slug,
        valid={
            "status": "live",
            "kind": "health_and_care",
            "host_body_type": "nhs_trust",
            "delivery_mode": "blended",
        },
        shows=("orgs.overview", "admin.organisation"),
    ),
    FormRoute(
        "admin.edit_organisation",
        setup=_slug,
        valid={
            "name": "Walkden Care Academy",
            "status": "live",
            "kind": "health_and_care",
            "host_body_type": "local_authority",
            "delivery_mode": "blended",
        },
        tidy={"name": _strip},
        required=frozenset({"name"}),
        shows=("admin.organisations", "admin.organisation", "admin.audit_log"),
    ),
    FormRoute(
        "admin.archive_organisation",
        setup=_slug,
        valid={"reason": "Merged with a neighbouring academy"},
        tidy={"reason": _strip},
        required=frozenset({"reason"}),
        shows=("admin.organisations", "admin.audit_log"),
    ),
    FormRoute(
        "admin.cycles",
        setup=_slug,  # for the overview that shows the deadline
        valid={
            "cycle": "2026/27",
            "region": "north-west",
            "opens_on-day": "1",
            "opens_on-month": "10",
            "opens_on-year": "2026",
            "closes_on-day": "31",
            "closes_on-month": "3",
            "closes_on-year": "2027",
        },
        tidy={"cycle": _strip},
        required=frozenset({"cycle"}),
        shows=("orgs.overview", "admin.audit_log"),
    ),
    FormRoute(
        "admin.cancel_invitation",
        setup=lambda world: {"invitation_id": _pending_invitation(world)["invitation_id"]},
        page="admin.invitations",
    ),
    # Partner views (issue 15)
    # Partner views: the lead's pages
    FormRoute(
        "partners.invite",
        setup=_world_assessment,
        valid={
            "name": "Pia Partner",
            "email": "pia@provider.example",
            "kind": "nhs",
            "named": "named",
        },
        tidy={"name": _strip, "email": _email},
        required=frozenset({"name", "email"}),
        shows=("partners.index",),
    ),
    FormRoute("partners.remind", setup=_world_assessment, page="partners.index"),
    FormRoute("partners.share", setup=_world_assessment, page="partners.index"),
    FormRoute(
        "partners.remove",
        setup=lambda world: {**_world_assessment(world), "respondent_id": world.partner},
    ),
    FormRoute(
        "partners.agree",
        setup=_partner_to_agree,
        valid={"level": "3", "note": "Agreed at the steering group, 12 March"},
        tidy={"note": _strip},
        required=frozenset({"note"}),
        keeps_valid_fields=_tables(AnswerRecord, AnswerRevision),
        shows=("partners.compare", "partners.export"),
    ),
    # Partner views: the partner's pages
    FormRoute("partners.accept", setup=_partner_link),
    FormRoute(
        "partners.respond_domain",
        setup=lambda world: {"respondent_id": world.partner, "domain_id": "funding"},
        tidy={"evidence-*": _block, "link-*": _block, "reason-*": _block},
        keeps_valid_fields=_tables(PartnerAnswer),
        shows=("partners.respond",),
    ),
    FormRoute("partners.submit_response", setup=_partner_ready_to_submit, page="partners.respond"),
    # Moderation and introductions
    FormRoute(
        "moderation.ask",
        setup=_moderation_ask,
        valid={"moderator": "region"},
        shows=("moderation.index",),
    ),
    FormRoute("moderation.offer", setup=_slug, valid={"offers": "yes"}),
    FormRoute(
        "moderation.section",
        setup=lambda world: {
            "moderation_id": make_moderation_and_introduction(world)[0],
            "domain_id": "funding",
        },
        valid={"verdict": "challenged", "comment": "Where is the plan?", "expected_level": "2"},
        tidy={"comment": _strip},
        shows=("moderation.review",),
    ),
    FormRoute("moderation.send_back", setup=_reviewed_moderation, page="moderation.review"),
    FormRoute(
        "moderation.respond",
        setup=_challenge,
        valid={"response": "explained", "explanation": "The plan is agreed for three years"},
        tidy={"explanation": _strip},
        shows=("moderation.thread",),
    ),
    FormRoute(
        "introductions.ask",
        setup=lambda world: {"slug": world.org, "to_slug": world.other_org},
        valid={"message": "Could we learn from your funding plan?"},
        tidy={"message": _strip},
        required=frozenset({"message"}),
        shows=("introductions.index",),
    ),
    FormRoute(
        "introductions.reply",
        setup=lambda world: {"introduction_id": make_moderation_and_introduction(world)[1]},
        valid={"answer": "accept"},
    ),
    # Questionnaire versions (issue 17)
    FormRoute(
        "admin.questionnaire_versions_page",
        valid={"file": UploadFile("academy-maturity-2026.3.yaml", new_version())},  # type: ignore[dict-item]
        shows=("admin.audit_log",),
    ),
    FormRoute(
        "admin.questionnaire_draft",
        setup=_draft_upload,
        valid={"cycle": str(Cycle.current().next()), "confirm": "y"},
        shows=("admin.questionnaire_versions_page", "admin.audit_log"),
    ),
)

# POST routes that are not forms, each with the reason it is not walked. None today: the
# routes that only accept POST (signing out, revoking a token, removing a member,
# submitting, sending a reminder) are each a form (a button) on a page, walked from there.
NOT_FORM_ROUTES: dict[str, str] = {}


def route_ids(routes: Sequence[FormRoute]) -> list[str]:
    return [route.endpoint for route in routes]


# --- A form as the page shows it -----------------------------------------------------------

CHOICE_KINDS = frozenset({"radio", "checkbox", "select"})
NOT_TYPED = CHOICE_KINDS | {"submit", "button", "image", "reset", "file"}


@dataclass
class PageField:
    """A named control of a form: its kind (an input's type, "textarea" or "select"),
    the values it offers (choices) and the values it is sent with (as the page is)."""

    name: str
    kind: str
    options: list[str] = field(default_factory=list)
    defaults: list[str] = field(default_factory=list)

    @property
    def free_text(self) -> bool:
        """A field a person (or, hidden, the page) fills with any text."""
        return self.kind not in NOT_TYPED

    @property
    def visible(self) -> bool:
        return self.kind != "hidden"


def _path(address: str) -> str:
    return urlsplit(address).path


def find_form(page: BeautifulSoup, page_url: str, action_url: str) -> Tag:
    """The page's POST form that sends to ``action_url`` (no action: the page itself)."""
    for form in page.find_all("form"):
        if str(form.get("method", "get")).lower() != "post":
            continue
        action = urljoin(page_url, str(form.get("action") or page_url))
        if _path(action) == _path(action_url):
            return form
    raise AssertionError(f"{page_url} has no form posting to {action_url}")


def read_fields(form: Tag) -> dict[str, PageField]:
    """The form's named controls in page order, with the values the page gives them."""
    fields: dict[str, PageField] = {}
    for element in form.find_all(["input", "textarea", "select", "button"]):
        name = element.get("name")
        if not name:
            continue
        name = str(name)
        if element.name == "textarea":
            kind = "textarea"
        elif element.name == "select":
            kind = "select"
        elif element.name == "button":
            kind = "submit"
        else:
            kind = str(element.get("type") or "text").lower()
        found = fields.setdefault(name, PageField(name, kind))
        if kind == "textarea":
            found.defaults = [element.get_text().removeprefix("\n")]
        elif kind == "select":
            options = element.find_all("option")
            found.options = [str(option.get("value", option.get_text())) for option in options]
            chosen = [o for o in options if o.has_attr("selected")] or options[:1]
            found.defaults = [str(o.get("value", o.get_text())) for o in chosen]
        elif kind in ("radio", "checkbox"):
            value = str(element.get("value", "on"))
            found.options.append(value)
            if element.has_attr("checked"):
                found.defaults.append(value)
        elif kind in NOT_TYPED:
            found.options.append(str(element.get("value", "")))
        else:
            found.defaults = [str(element.get("value", ""))]
    return fields


def baseline(fields: Mapping[str, PageField], valid: Mapping[str, str | list[str]]) -> MultiDict:
    """What the form sends as the page fills it in, overlaid with ``valid``."""
    data: MultiDict[str, str] = MultiDict()
    for name, found in fields.items():
        if name in valid or found.kind in NOT_TYPED - CHOICE_KINDS:
            continue
        for value in found.defaults:
            data.add(name, value)
    for name, value in valid.items():
        if isinstance(value, UploadFile):
            data.add(name, value.storage())  # type: ignore[arg-type]
            continue
        for item in [value] if isinstance(value, str) else value:
            data.add(name, item)
    return data


# --- A route made ready for a walk ----------------------------------------------------------


@dataclass
class Prepared:
    route: FormRoute
    policy: Policy
    role: str
    values: dict[str, Any]
    url: str
    page_url: str
    fields: dict[str, PageField]

    @property
    def allowed(self) -> set[str]:
        return ALLOWED[self.policy]


def _url(app: Flask, endpoint: str, values: Mapping[str, Any]) -> str:
    rule = next(rule for rule in app.url_map.iter_rules() if rule.endpoint == endpoint)
    with app.test_request_context():
        return url_for(endpoint, **{k: v for k, v in values.items() if k in rule.arguments})


def shown_urls(app: Flask, prepared: Prepared) -> list[str]:
    """The addresses of the pages and downloads showing what the route saves."""
    return [_url(app, endpoint, prepared.values) for endpoint in prepared.route.shows]


def signed_in(app: Flask, world: World, role: str) -> FlaskClient:
    client = app.test_client()
    if role == "partner":
        with client.session_transaction() as session:
            session[PARTNER_KEYS] = {str(world.partner): PARTNER_KEY}
    elif role != "anonymous":
        response = sign_in(client, email_of(world, role))
        assert response.status_code == 302, f"{role} could not sign in"
    return client


def prepare(app: Flask, world: World, route: FormRoute) -> Prepared:
    """Make the records the route needs, and read its form from its page as its user."""
    with app.app_context():
        values = route.setup(world)
        db.session.commit()
    policy = app.view_functions[route.endpoint].access_policy
    role = route.role or LEAST_PRIVILEGED[policy]
    url = _url(app, route.endpoint, values)
    page_url = _url(app, route.page, values) if route.page else url
    client = signed_in(app, world, role)
    page = client.get(page_url)
    assert page.status_code == 200, (route.endpoint, page_url, page.status_code)
    fields = read_fields(find_form(soup(page), page_url, url))
    return Prepared(route, policy, role, values, url, page_url, fields)


def current_form(client: FlaskClient, prepared: Prepared) -> MultiDict:
    """The form as the page shows it now (its CSRF token too), made valid."""
    page = client.get(prepared.page_url)
    assert page.status_code == 200, (prepared.page_url, page.status_code)
    fields = read_fields(find_form(soup(page), prepared.page_url, prepared.url))
    return baseline(fields, prepared.route.valid)


# --- What a response says, what the database holds ---------------------------------------


def refused(response: TestResponse) -> bool:
    """Whether the post was turned down: an error status, or the page shown again with an
    error summary."""
    if response.status_code >= 400:
        return True
    if response.status_code != 200 or response.mimetype != "text/html":
        return False
    return soup(response).select_one(".govuk-error-summary") is not None


def error_targets(response: TestResponse) -> dict[str, str]:
    """{id the error summary links to: message}."""
    page = soup(response)
    return {
        str(link["href"]).removeprefix("#"): link.get_text(strip=True)
        for link in page.select(".govuk-error-summary__list a[href^='#']")
    }


def names_field(targets: Mapping[str, str], name: str) -> bool:
    """Whether the error summary links to the field posted as ``name`` (a date part such
    as ``due-day`` belongs to the field ``due``)."""
    return name in targets or any(name.startswith(f"{target}-") for target in targets)


def fingerprint(audit_allowed: frozenset[str] = frozenset()) -> dict[str, str]:
    """A digest of every table's rows (audit events of ``audit_allowed`` left out)."""
    digests = {}
    for table in db.metadata.sorted_tables:
        query = select(table).order_by(*table.primary_key.columns)
        if table.name == "audit_event" and audit_allowed:
            query = query.where(table.c.action.not_in(sorted(audit_allowed)))
        rows = db.session.execute(query).all()
        digests[table.name] = hashlib.sha256(repr(rows).encode()).hexdigest()
    return digests


def holds_text(marker: str) -> list[str]:
    """The columns (``table.column``) holding ``marker`` anywhere."""
    found = []
    for table in db.metadata.sorted_tables:
        for column in table.columns:
            if column.type.python_type not in (str, dict, list):
                continue
            query = text(
                f'SELECT COUNT(*) FROM "{table.name}" WHERE CAST("{column.name}" AS TEXT) '
                "LIKE :pattern"
            )
            if db.session.scalar(query, {"pattern": f"%{marker}%"}):
                found.append(f"{table.name}.{column.name}")
    return found


@contextmanager
def rolled_back(app: Flask) -> Iterator[None]:
    """Whatever happens inside (requests included) is undone afterwards."""
    from maturity.cache import EXTENSION_KEY
    from maturity.services.results import forget_parsed_snapshots

    with app.app_context():
        connection = db.session.get_bind()
        db.session.remove()
    savepoint = connection.begin_nested()  # type: ignore[union-attr]
    try:
        yield
    finally:
        with app.app_context():
            db.session.remove()
        if savepoint.is_active:
            savepoint.rollback()
        with app.app_context():
            limiter.reset()
        app.extensions[EXTENSION_KEY].clear()
        forget_parsed_snapshots()


def stored_values(
    app: Flask, world: World, prepared: Prepared, sent: MultiDict[str, str]
) -> dict[str, str | None]:
    reader = READERS.get(prepared.route.endpoint)
    if reader is None:
        return {}
    with app.app_context():
        return reader(world, prepared.values, sent)


def tidy_for(route: FormRoute, name: str) -> Normaliser:
    """How the route tidies field ``name`` before storing it."""
    if name in route.tidy:
        return route.tidy[name]
    kind = name.split("-", 1)[0]
    return route.tidy.get(f"{kind}-*", _strip)
