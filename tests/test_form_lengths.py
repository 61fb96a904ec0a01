"""Every form field's length is checked against the column it ends up in.

``FIELDS`` maps every field of every form (the forms built from questionnaires and metric
files included) to where its value goes: a column it is stored in as typed (tidied), a
column it reaches only after being checked or rewritten, or nowhere. A field stored in a
``String(n)`` column must refuse more than ``n`` characters itself (a ``Length``
validator), so that no value too long for its column reaches the database, where
PostgreSQL would refuse it with an error. A new field fails the test until it is mapped.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import Enum, String
from sqlalchemy.orm import InstrumentedAttribute
from wtforms import Field, Form, FormField, SelectFieldBase, SubmitField
from wtforms.csrf.core import CSRFTokenField
from wtforms.validators import Length

import maturity.web
from maturity.models import (
    AccountToken,
    ActionItem,
    AnswerRecord,
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
    Membership,
    Moderation,
    ModerationReview,
    OpenDataRelease,
    Organisation,
    PartnerAgreement,
    PartnerRespondent,
    PeerModerator,
    QuestionnaireUpload,
    Region,
    TheoryOfChange,
    User,
)
from maturity.services.questionnaires import catalogue
from maturity.web.assessment_forms import StartForm, domain_form
from maturity.web.impact.forms import FiguresForm, return_form, targets_form


@dataclass(frozen=True)
class Stored:
    """The field's value is stored in (or looked up in) this column, as typed."""

    column: InstrumentedAttribute[Any]


@dataclass(frozen=True)
class Checked:
    """The field's value reaches this column only after being checked against a list or
    rewritten (``how``): its length is bounded by that, not by a ``Length``."""

    column: InstrumentedAttribute[Any]
    how: str


@dataclass(frozen=True)
class NotStored:
    reason: str


HASHED = NotStored("a password: only its hash is stored")

# "<form class>.<field name>"; fields named after a question, metric or section are
# written with "*" for that part ("DomainForm.level-*").
FIELDS: dict[str, Stored | Checked | NotStored] = {
    # Accounts
    "SignInForm.email": Stored(User.email),
    "SignInForm.password": HASHED,
    "AcceptInvitationForm.name": Stored(User.name),
    "AcceptInvitationForm.password": HASHED,
    "AcceptInvitationForm.confirm": HASHED,
    "ResetPasswordForm.password": HASHED,
    "ResetPasswordForm.confirm": HASHED,
    "ChangePasswordForm.current_password": HASHED,
    "ChangePasswordForm.password": HASHED,
    "ChangePasswordForm.confirm": HASHED,
    "RequestPasswordResetForm.email": Stored(User.email),
    "ApiTokenForm.name": Stored(ApiToken.name),
    # Invitations and teams
    "InviteForm.name": Stored(AccountToken.name),
    "InviteForm.email": Stored(AccountToken.email),
    "InviteMemberForm.name": Stored(AccountToken.name),
    "InviteMemberForm.email": Stored(AccountToken.email),
    "InviteMemberForm.role": Stored(AccountToken.role),
    "RegionalLeadInviteForm.name": Stored(AccountToken.name),
    "RegionalLeadInviteForm.email": Stored(AccountToken.email),
    "RegionalLeadInviteForm.region": Stored(Region.code),
    "ChangeRoleForm.role": Stored(Membership.role),
    # Organisations
    "OrganisationForm.name": Stored(Organisation.name),
    "OrganisationForm.region": Stored(Region.code),
    "OrganisationForm.status": Stored(Organisation.status),
    "OrganisationForm.kind": Stored(Organisation.kind),
    "OrganisationForm.host_body_type": Stored(Organisation.host_body_type),
    "OrganisationForm.delivery_mode": Stored(Organisation.delivery_mode),
    "OrganisationForm.locality": Stored(Organisation.locality),
    "OrganisationForm.funding_mix": Stored(Organisation.funding_mix),
    "OrganisationForm.year_established": Stored(Organisation.year_established),
    "OrganisationForm.shares_named_results": Stored(Organisation.shares_named_results),
    "OrganisationProfileForm.status": Stored(Organisation.status),
    "OrganisationProfileForm.kind": Stored(Organisation.kind),
    "OrganisationProfileForm.host_body_type": Stored(Organisation.host_body_type),
    "OrganisationProfileForm.delivery_mode": Stored(Organisation.delivery_mode),
    "OrganisationProfileForm.locality": Stored(Organisation.locality),
    "OrganisationProfileForm.funding_mix": Stored(Organisation.funding_mix),
    "OrganisationProfileForm.year_established": Stored(Organisation.year_established),
    "OrganisationProfileForm.shares_named_results": Stored(Organisation.shares_named_results),
    "EditOrganisationForm.name": Stored(Organisation.name),
    "EditOrganisationForm.status": Stored(Organisation.status),
    "EditOrganisationForm.kind": Stored(Organisation.kind),
    "EditOrganisationForm.host_body_type": Stored(Organisation.host_body_type),
    "EditOrganisationForm.delivery_mode": Stored(Organisation.delivery_mode),
    "EditOrganisationForm.locality": Stored(Organisation.locality),
    "EditOrganisationForm.funding_mix": Stored(Organisation.funding_mix),
    "EditOrganisationForm.year_established": Stored(Organisation.year_established),
    "EditOrganisationForm.shares_named_results": Stored(Organisation.shares_named_results),
    "ArchiveOrganisationForm.reason": Stored(AuditEvent.detail),
    "CycleWindowForm.cycle": Stored(AssessmentWindow.cycle),
    "CycleWindowForm.region": Checked(AssessmentWindow.region_id, "a region code offered"),
    "CycleWindowForm.opens_on": Stored(AssessmentWindow.opens_on),
    "CycleWindowForm.closes_on": Stored(AssessmentWindow.closes_on),
    "CycleWindowForm.questionnaire_version": Checked(
        AssessmentWindow.questionnaire_version, "a version of the catalogue"
    ),
    "AuditFilterForm.who": NotStored("a filter of the audit log, sent by GET"),
    "AuditFilterForm.organisation": NotStored("a filter of the audit log, sent by GET"),
    "AuditFilterForm.kind": NotStored("a filter of the audit log, sent by GET"),
    "AuditFilterForm.start": NotStored("a filter of the audit log, sent by GET"),
    "AuditFilterForm.end": NotStored("a filter of the audit log, sent by GET"),
    # The action plan
    "ActionForm.assessment": Checked(
        ActionItem.assessment_id, "a whole number naming one of the organisation's assessments"
    ),
    "ActionForm.indicator": Checked(
        ActionItem.indicator_id, "kept only if it is one of the section's questions"
    ),
    "ActionForm.title": Stored(ActionItem.title),
    "ActionForm.owner": Stored(ActionItem.owner),
    "ActionForm.domain": Checked(ActionItem.domain_id, "one of the sections (validate_domain)"),
    "ActionForm.due": Stored(ActionItem.due_date),
    "ActionForm.status": Stored(ActionItem.status),
    # The practice directory
    "DirectoryEntryForm.name": Stored(DirectoryEntry.name),
    "DirectoryEntryForm.region": Checked(
        DirectoryEntry.region_code, "a region code from the list (validate_region)"
    ),
    "DirectoryEntryForm.kind": Stored(DirectoryEntry.kind),
    "DirectoryEntryForm.launched": Stored(DirectoryEntry.launched),
    "DirectoryEntryForm.funding": Stored(DirectoryEntry.funding),
    "DirectoryEntryForm.summary": Stored(DirectoryEntry.summary),
    "DirectoryEntryForm.practice": Stored(DirectoryEntry.known_for),
    "DirectoryEntryForm.domains": Checked(
        DirectoryEntry.known_for, "section ids from the list (validate_domains)"
    ),
    "DirectoryEntryForm.source_title": Stored(DirectoryEntry.known_for),
    "DirectoryEntryForm.source_section": Stored(DirectoryEntry.known_for),
    # Regions
    "PublishOpenDataForm.cycle": Checked(
        OpenDataRelease.cycle, "one of the cycles with submissions (its choices)"
    ),
    "PublishOpenDataForm.digest": NotStored("the fingerprint of the previewed file, compared"),
    "PublishOpenDataForm.confirm": NotStored("a confirmation that the file was checked"),
    "WithdrawOpenDataForm.reason": Stored(OpenDataRelease.withdrawal_reason),
    "ReminderForm.cycle": Checked(AuditEvent.detail, "one of the cycles offered, else 400"),
    # Assessments
    "StartForm.cycle": Checked(Assessment.cycle, "one of the selectable cycles"),
    "StartForm.start_from": NotStored("chooses a blank start or last cycle's answers"),
    "SubmitForm.declaration": NotStored("only 'agreed' counts; the service stores its own text"),
    "ReopenForm.reason": Stored(AuditEvent.detail),
    "DomainForm.action": NotStored("which button was pressed"),
    "DomainForm.level-*": Checked(AnswerRecord.level, "a level of the questionnaire, or na"),
    "DomainForm.reason-*": Stored(AnswerRecord.not_applicable_reason),
    "DomainForm.evidence-*": Stored(AnswerRecord.evidence_note),
    "DomainForm.link-*": Stored(AnswerRecord.evidence_url),
    "DomainForm.confidence-*": Checked(AnswerRecord.confidence, "one of the confidence values"),
    "DomainForm.version-*": NotStored("the answer version the page was based on"),
    "DomainForm.conflict-*": NotStored("mine or theirs, after a conflict"),
    "DomainForm.pending-*": NotStored("whether a conflict is waiting for a choice"),
    "DomainForm.target-*": Checked(DomainTarget.level, "a level of the questionnaire"),
    # Impact
    "ReturnForm.metric-*": Checked(ImpactValue.value, "a number of at most 20 characters"),
    "ReturnForm.notes": Stored(ImpactReturn.notes),
    "ReturnForm.version": NotStored("the return version the page was based on"),
    "TargetsForm.target-*": Checked(ImpactTarget.value, "a number of at most 20 characters"),
    "StartReturnForm.period": Checked(ImpactReturn.period, "a quarter, written out again"),
    "StartTheoryForm.cycle": Checked(TheoryOfChange.cycle, "a financial year, written out again"),
    "TheoryForm.challenge": Stored(TheoryOfChange.challenge),
    "TheoryForm.inputs": Stored(TheoryOfChange.inputs),
    "TheoryForm.activities": Stored(TheoryOfChange.activities),
    "TheoryForm.outputs": Stored(TheoryOfChange.outputs),
    "TheoryForm.impacts": Stored(TheoryOfChange.impacts),
    "OutcomeForm.text": Stored(TheoryOfChange.outcomes),
    "OutcomeForm.metrics": Checked(TheoryOfChange.outcomes, "metric ids of the metric file"),
    "OutcomeForm.domains": Checked(TheoryOfChange.outcomes, "section ids of the questionnaire"),
    "CaseStudyForm.title": Stored(CaseStudy.title),
    "CaseStudyForm.body": Stored(CaseStudy.body),
    "CaseStudyForm.first_name": Stored(CaseStudy.first_name),
    "CaseStudyForm.period": Checked(CaseStudy.period, "a quarter, written out again"),
    "CaseStudyForm.domains": Checked(CaseStudy.domain_ids, "section ids of the questionnaire"),
    "CaseStudyForm.groups": Checked(CaseStudy.groups, "participant groups of the metric file"),
    "CaseStudyForm.consent": Stored(CaseStudy.consent_confirmed),
    # Partner views (a partner's own answers come through DomainForm, above)
    "InvitePartnerForm.name": Stored(PartnerRespondent.name),
    "InvitePartnerForm.email": Stored(PartnerRespondent.email),
    "InvitePartnerForm.kind": Stored(PartnerRespondent.kind),
    "InvitePartnerForm.domains": Checked(
        PartnerRespondent.domain_ids, "section ids of the questionnaire"
    ),
    "InvitePartnerForm.named": Checked(PartnerRespondent.named, "'named' or 'kind'"),
    "RemovePartnerForm.delete_answers": NotStored("whether to delete the partner's answers"),
    "AgreeForm.source": Checked(
        PartnerAgreement.source_respondent_id, "'own' or a partner who answered the question"
    ),
    "AgreeForm.level": Checked(PartnerAgreement.level, "a level of the questionnaire, or na"),
    "AgreeForm.note": Stored(PartnerAgreement.note),
    "ShareForm.shared": Checked(PartnerRespondent.result_shared, "only 'yes' shares"),
    # Moderation and introductions
    "ModerationRequestForm.assessment": Checked(
        Moderation.assessment_id, "one of the academy's assessments, from the list"
    ),
    "ModerationRequestForm.moderator": Checked(
        Moderation.moderator_organisation_id, "the region, or an opted-in academy from the list"
    ),
    "ModeratorOfferForm.offers": Checked(PeerModerator.organisation_id, "yes or no"),
    "ModerationSectionForm.verdict": Stored(ModerationReview.verdict),
    "ModerationSectionForm.comment": Stored(ModerationReview.comment),
    "ModerationSectionForm.expected_level": Checked(
        ModerationReview.expected_level, "a level of the questionnaire"
    ),
    "ChallengeResponseForm.response": Stored(ModerationReview.response),
    "ChallengeResponseForm.explanation": Stored(ModerationReview.response_text),
    "IntroductionAskForm.message": Stored(Introduction.message),
    "IntroductionReplyForm.answer": Checked(Introduction.status, "accept or decline"),
    # Questionnaire versions (issue 17)
    "QuestionnaireUploadForm.file": Checked(
        QuestionnaireUpload.yaml_text, "a file validated as a questionnaire (at most 512 KB)"
    ),
    "PublishQuestionnaireForm.cycle": Checked(
        QuestionnaireUpload.for_cycle, "one of the future cycles offered"
    ),
    "PublishQuestionnaireForm.confirm": NotStored("a confirmation that the changes were checked"),
}


def _form_classes() -> list[type[Form]]:
    """Every form class defined in the web layer."""
    found = []
    modules = pkgutil.walk_packages(maturity.web.__path__, "maturity.web.")
    for module in (importlib.import_module(info.name) for info in modules):
        for value in vars(module).values():
            if (
                inspect.isclass(value)
                and issubclass(value, Form)
                and value.__module__ == module.__name__
            ):
                found.append(value)
    return found


def _forms() -> Iterator[tuple[str, Form]]:
    """An instance of every form, named as ``FIELDS`` names them; the forms built from
    questionnaires and metric files once for each questionnaire and metric file."""
    for form_class in _form_classes():
        if form_class is StartForm:
            yield "StartForm", StartForm(["2026/27"], formdata=None)
        elif issubclass(form_class, FiguresForm) or form_class.__name__ == "DomainForm":
            continue  # built below, with their fields
        else:
            yield form_class.__name__, form_class(formdata=None)
    for questionnaire in catalogue().questionnaires():
        for domain in questionnaire.domains:
            yield "DomainForm", domain_form(questionnaire, domain, None)
    for definition in catalogue().metrics("impact-metrics"):
        yield "ReturnForm", return_form(definition.metrics)(formdata=None)
        yield "TargetsForm", targets_form(definition.metrics)(formdata=None)


# A field named after a question, metric or section: "<kind>-<id>".
PER_ITEM = re.compile(
    r"^(level|reason|evidence|link|confidence|version|conflict|pending)-|"
    r"^(metric|target)-"
)


def _fields(form: Form) -> Iterator[Field]:
    for field in form:
        if isinstance(field, FormField):
            yield from _fields(field.form)
        elif not isinstance(field, SubmitField | CSRFTokenField):
            yield field


def _key(form_name: str, field: Field) -> str:
    match = PER_ITEM.match(field.name)
    name = f"{match.group(0)}*" if match else field.name
    return f"{form_name}.{name}"


def _every_field() -> dict[str, list[tuple[Form, Field]]]:
    """{key: every (form, field) it names}."""
    fields: dict[str, list[tuple[Form, Field]]] = {}
    for form_name, form in _forms():
        for field in _fields(form):
            fields.setdefault(_key(form_name, field), []).append((form, field))
    return fields


Fields = dict[str, list[tuple[Form, Field]]]


@pytest.fixture
def every_field(app: Flask) -> Fields:
    with app.test_request_context():
        return _every_field()


def _limit(field: Field) -> int | None:
    """The most characters the field's own validators let through (None: no limit)."""
    limits = [v.max for v in field.validators if isinstance(v, Length) and v.max >= 0]
    return min(limits) if limits else None


def test_every_form_field_says_where_its_value_goes(every_field: Fields) -> None:
    unmapped = sorted(set(every_field) - set(FIELDS))
    assert unmapped == [], f"map these form fields in tests/test_form_lengths.py: {unmapped}"
    gone = sorted(set(FIELDS) - set(every_field))
    assert gone == [], f"these fields no longer exist: {gone}"


def test_no_form_lets_through_more_than_its_column_holds(
    every_field: Fields,
) -> None:
    problems = []
    for key, fields in sorted(every_field.items()):
        target = FIELDS.get(key)
        if not isinstance(target, Stored):
            continue
        column_type = target.column.property.columns[0].type
        if not isinstance(column_type, String) or column_type.length is None:
            continue  # Text, JSON, numbers, dates, booleans: no length to exceed
        holds = column_type.length
        for form, field in fields:
            if isinstance(field, SelectFieldBase):
                # Bounded by its choices: it offers only values the column holds, and
                # refuses any other (WTForms' check, or the form's own validate_<name>).
                offered = (
                    [str(value) for value, *_ in field.iter_choices()] if field.choices else []
                )
                if isinstance(column_type, Enum):
                    extra = set(offered) - set(column_type.enums) - {""}
                    if extra:
                        problems.append(f"{key} offers {extra}, not values of {target.column}")
                if any(len(value) > holds for value in offered):
                    problems.append(f"{key} offers a value longer than {target.column} holds")
                if not field.validate_choice and not hasattr(form, f"validate_{field.name}"):
                    problems.append(f"{key} accepts values it does not offer")
            else:
                limit = _limit(field)
                if limit is None or limit > holds:
                    problems.append(
                        f"{key} lets through {limit or 'any number of'} characters; "
                        f"{target.column} holds {holds}"
                    )
    assert problems == []


def test_length_refusals_name_the_field(every_field: Fields) -> None:
    """Each length limit is refused in GOV.UK's words ("Name must be 200 characters or
    fewer"), never WTForms' "Field cannot be longer than 200 characters"."""
    wording = re.compile(r"^\S.* must be [0-9,]+ characters or fewer$")
    for key, fields in every_field.items():
        for _form, field in fields:
            for check in field.validators:
                if isinstance(check, Length) and check.max >= 0:
                    assert check.message and wording.match(check.message), (key, check.message)
