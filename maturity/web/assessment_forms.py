"""The assessment's forms: starting, a domain page, submitting, reopening.

A domain page's form is built from the questionnaire at request time
(``domain_form``): one group of fields per indicator of the domain, named
``<kind>-<indicator id>`` (``level-mission-aims``, ``version-mission-aims``...), and
the domain's target. Each indicator is checked on its own, so a page with errors on
one indicator still yields the typed answers (``AnswerInput``) of the others.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, ClassVar, Literal
from urllib.parse import urlsplit

from flask import request
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovSelect, GovTextArea
from werkzeug.datastructures import MultiDict
from wtforms import Field, HiddenField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import AnyOf, Length, ValidationError

from maturity.framework import Domain, Indicator, Questionnaire
from maturity.framework.periods import Cycle
from maturity.models import Confidence
from maturity.services.assessments import (
    EVIDENCE_NOTE_LIMIT,
    REASON_LIMIT,
    URL_LIMIT,
    AnswerInput,
    AnswerValues,
    TargetChoice,
)

WHOLE_NUMBER = re.compile(r"[0-9]{1,9}")
CONFIDENCES = frozenset(confidence.value for confidence in Confidence)
START_FROM = {"blank": "Blank", "previous": "From last cycle's answers"}
RELOAD = "This answer could not be saved. Reload the page and try again"
LINK_FORMAT = "Enter a link that starts with http:// or https://, like https://example.org/report"


def whole_number(text: str | None) -> int | None:
    """A plain ASCII whole number, or None (str.isdigit also accepts "²" and "٣")."""
    return int(text) if text is not None and WHOLE_NUMBER.fullmatch(text) else None


def _strip(value: str | None) -> str | None:
    return value.strip() if isinstance(value, str) else value


def _clean_text(value: str | None) -> str | None:
    """Typed text with Windows line ends and surrounding space removed; None if empty."""
    if value is None:
        return None
    text = value.replace("\r\n", "\n").strip()
    return text or None


def _valid_link(url: str) -> bool:
    try:
        parts = urlsplit(url)
    except ValueError:  # e.g. "https://[" (an unclosed IPv6 address)
        return False
    return parts.scheme in ("http", "https") and bool(parts.netloc) and " " not in url


def posted_data() -> Any:
    """The posted form data on a POST, None otherwise (a GET shows stored values)."""
    return request.form if request.method == "POST" else None


def field_errors(form: FlaskForm) -> dict[str, str]:
    """{field id: its first error} in page order, for the error-summary partial."""
    return {field.id: field.errors[0] for field in form if field.errors}


def error_of(field: Field) -> dict[str, str] | None:
    """A GOV.UK component's ``errorMessage`` for a field: its first error, if any."""
    return {"text": field.errors[0]} if field.errors else None


# --- Start, submit, reopen ----------------------------------------------------------------


class StartForm(FlaskForm):
    cycle = SelectField(
        "Cycle (financial year, April to March)", widget=GovSelect(), validate_choice=False
    )
    start_from = RadioField(
        "How do you want to start?",
        widget=GovRadioInput(),
        choices=list(START_FROM.items()),
        validate_choice=False,
        validators=[
            AnyOf(
                list(START_FROM),
                message="Select whether to start blank or from last cycle's answers",
            )
        ],
    )

    def __init__(self, cycles: list[str], *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.cycle.choices = cycles

    @classmethod
    def on(cls, today: date) -> StartForm:
        """The form for this request: the cycles selectable today; before anything is
        posted, this cycle and a blank start are chosen."""
        return cls(
            [str(cycle) for cycle in Cycle.selectable(today)],
            formdata=posted_data(),
            data=None
            if request.method == "POST"
            else {"cycle": str(Cycle.containing(today)), "start_from": "blank"},
        )

    def validate_cycle(self, field: SelectField) -> None:
        if field.data not in (self.cycle.choices or []):
            raise ValidationError("Select a cycle from the list")

    @property
    def carry_forward(self) -> bool:
        return bool(self.start_from.data == "previous")


class SubmitForm(FlaskForm):
    # The declaration checkbox posts "agreed"; nothing else counts as agreeing.
    declaration = StringField()

    @property
    def declared(self) -> bool:
        return bool(self.declaration.data == "agreed")


class ReopenForm(FlaskForm):
    # Checked by the service (``reopen_assessment``), which names this field.
    reason = TextAreaField("Why does it need to be reopened?", widget=GovTextArea())


# --- A domain page ------------------------------------------------------------------------


class VersionField(HiddenField):
    """The answer version a page was based on: missing or empty means 0 (never saved);
    anything but plain ASCII digits is None, an error."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        raw = valuelist[0] if valuelist else ""
        self.data = whole_number((raw or "0").strip())


def _level_check(indicator: Indicator, levels: frozenset[int]) -> Any:
    def check(form: DomainForm, field: Field) -> None:
        raw = field.data or ""
        if not raw:
            return
        if raw == "na":
            if not indicator.allow_not_applicable:
                raise ValidationError("This question cannot be marked not applicable")
        elif whole_number(raw) not in levels:
            raise ValidationError("Select a level from the list")

    return check


def _target_check(levels: frozenset[int]) -> Any:
    def check(form: DomainForm, field: Field) -> None:
        if field.data and whole_number(field.data) not in levels:
            raise ValidationError("Select a target level from the list")

    return check


def _link_check(form: DomainForm, field: Field) -> None:
    link = field.data
    # Too long is said by the length check; the format only of a link that fits.
    if link and len(link) <= URL_LIMIT and not _valid_link(link):
        raise ValidationError(LINK_FORMAT)


def _confidence_check(form: DomainForm, field: Field) -> None:
    if field.data and field.data not in CONFIDENCES:
        raise ValidationError("Select how sure you are from the list")


def _indicator_fields(indicator: Indicator, levels: frozenset[int]) -> dict[str, Field]:
    """The unbound fields of one indicator, by name (in page order)."""
    fields = {
        "level": StringField(filters=[_strip], validators=[_level_check(indicator, levels)]),
        "reason": TextAreaField(
            filters=[_clean_text],
            validators=[
                Length(
                    max=REASON_LIMIT, message=f"Reason must be {REASON_LIMIT:,} characters or fewer"
                )
            ],
        ),
        "evidence": TextAreaField(
            filters=[_clean_text],
            validators=[
                Length(
                    max=EVIDENCE_NOTE_LIMIT,
                    message=f"Evidence note must be {EVIDENCE_NOTE_LIMIT:,} characters or fewer",
                )
            ],
        ),
        "link": StringField(
            filters=[_clean_text],
            validators=[
                Length(max=URL_LIMIT, message=f"Link must be {URL_LIMIT} characters or fewer"),
                _link_check,
            ],
        ),
        "confidence": StringField(filters=[_strip], validators=[_confidence_check]),
        "version": VersionField(default=0),
        "conflict": StringField(),
        "pending": StringField(),
    }
    return {f"{kind}-{indicator.id}": field for kind, field in fields.items()}


KINDS = ("level", "reason", "evidence", "link", "confidence", "version", "conflict", "pending")


@dataclass(frozen=True)
class IndicatorFields:
    """The bound fields of one indicator on a domain page."""

    indicator: Indicator
    level: Field
    reason: Field
    evidence: Field
    link: Field
    confidence: Field
    version: Field
    conflict: Field
    pending: Field

    def __iter__(self) -> Iterator[Field]:
        return iter(getattr(self, kind) for kind in KINDS)

    @property
    def has_errors(self) -> bool:
        return any(field.errors for field in self)


class DomainForm(FlaskForm):
    """A domain page; ``domain_form`` makes the subclass for one domain."""

    questionnaire: ClassVar[Questionnaire]
    domain: ClassVar[Domain]
    levels: ClassVar[frozenset[int]]

    # Which button was pressed: "later" goes back to the task list.
    action = StringField()

    unknown: list[str]

    def group(self, indicator: Indicator) -> IndicatorFields:
        return IndicatorFields(indicator, *(self[f"{kind}-{indicator.id}"] for kind in KINDS))

    @property
    def groups(self) -> list[IndicatorFields]:
        return [self.group(indicator) for indicator in self.domain.indicators]

    @property
    def target(self) -> Field:
        return self[f"target-{self.domain.id}"]

    def validate(self, extra_validators: Mapping[str, Any] | None = None) -> bool:
        """Check every field, then what only a group can tell: a "not applicable" needs
        a reason; a version that is not a whole number makes the answer unsaveable."""
        super().validate(extra_validators)
        for group in self.groups:
            if self.values_of(group).not_applicable and not group.reason.data:
                group.reason.errors.append("Explain why this question does not apply")
            if group.version.data is None:
                group.level.errors = [RELOAD]
        return not self.errors and not self.unknown

    def values_of(self, group: IndicatorFields) -> AnswerValues:
        """What was posted for one indicator, as far as it can be read (also when some
        of it has errors, to show it again)."""
        raw = group.level.data or ""
        not_applicable = raw == "na" and group.indicator.allow_not_applicable
        level = whole_number(raw)
        confidence = group.confidence.data
        return AnswerValues(
            level=level if level in self.levels else None,
            not_applicable=not_applicable,
            reason=group.reason.data if not_applicable else None,
            evidence_note=group.evidence.data,
            evidence_url=group.link.data,
            confidence=Confidence(confidence) if confidence in CONFIDENCES else None,
        )

    def answer_inputs(self) -> dict[str, AnswerInput]:
        """The typed answers of every indicator without errors (call after validate)."""
        inputs = {}
        for group in self.groups:
            if group.has_errors:
                continue
            choice = group.conflict.data
            conflict_choice: Literal["mine", "theirs"] | None = (
                choice if choice in ("mine", "theirs") else None
            )
            inputs[group.indicator.id] = AnswerInput(
                indicator_id=group.indicator.id,
                values=self.values_of(group),
                base_version=group.version.data or 0,
                conflict_choice=conflict_choice,
                conflict_pending=bool(group.pending.data),
            )
        return inputs

    def target_choice(self) -> TargetChoice | None:
        """The target to save: None if the page sent none or it has an error."""
        if not self.target.raw_data or self.target.errors:
            return None
        return TargetChoice(whole_number(self.target.data) if self.target.data else None)

    def error_list(self) -> list[dict[str, str]]:
        """The error summary's items: refused indicators, then field errors in page order."""
        items = [
            {
                "text": f"The page sent an answer for a question that is not in this "
                f"section ({unknown[:60]}). It was not saved",
                "href": "#main-content",
            }
            for unknown in self.unknown
        ]
        items += [{"text": message, "href": f"#{id}"} for id, message in field_errors(self).items()]
        return items


def _unknown_indicators(formdata: Any, domain: Domain) -> list[str]:
    """Indicator ids named by posted field names that are not in this domain."""
    known = {indicator.id for indicator in domain.indicators}
    unknown: list[str] = []
    for key in formdata or ():
        kind, _, indicator_id = key.partition("-")
        if kind in KINDS and indicator_id and indicator_id not in known:
            if indicator_id not in unknown:
                unknown.append(indicator_id)
    return unknown


def domain_form(
    questionnaire: Questionnaire,
    domain: Domain,
    formdata: MultiDict[str, str] | None,
    **kwargs: Any,
) -> DomainForm:
    """The form for one domain's page, built from the questionnaire definition, reading
    ``formdata`` (None: nothing posted)."""
    levels = frozenset(questionnaire.level_values)
    fields: dict[str, Any] = {}
    for indicator in domain.indicators:
        fields.update(_indicator_fields(indicator, levels))
    fields[f"target-{domain.id}"] = StringField(
        filters=[_strip], validators=[_target_check(levels)]
    )
    form_class = type(
        "DomainPageForm",
        (DomainForm,),
        {"questionnaire": questionnaire, "domain": domain, "levels": levels, **fields},
    )
    form: DomainForm = form_class(formdata=formdata, **kwargs)
    form.unknown = _unknown_indicators(formdata, domain)
    return form
