"""Case studies: short, consented, anonymous stories; and the contact-details guard that
case studies and return notes share."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from maturity.framework.periods import Period, PeriodError
from maturity.framework.schema import MetricsDefinition

__all__ = [
    "CASE_STUDY_BODY_LIMIT",
    "CASE_STUDY_FIRST_NAME_LIMIT",
    "CASE_STUDY_TITLE_LIMIT",
    "CaseStudyFields",
    "check_case_study",
    "contact_details",
    "participant_groups",
]


CASE_STUDY_BODY_LIMIT = 1500
CASE_STUDY_TITLE_LIMIT = 120
CASE_STUDY_FIRST_NAME_LIMIT = 30
FIRST_NAME_PATTERN = re.compile(r"^[^\W\d_]+(?:['’-][^\W\d_]+)*$")
# Linear on any input: the local part starts a token (the lookbehind) and is bounded, so a
# long run of word characters with no "@" is not rescanned from every position.
_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]{1,64}@[\w-]{1,63}\.[\w.-]{1,253}")
_PHONE = re.compile(r"(?:\+44\s?|\b0)\d(?:[\s-]?\d){8,10}\b")
_POSTCODE = re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}\b", re.IGNORECASE)


@dataclass(frozen=True)
class CaseStudyFields:
    """A short case study: aggregates and a story, with at most a first name."""

    title: str
    body: str
    first_name: str | None
    consent_confirmed: bool
    period: str
    domain_ids: tuple[str, ...] = ()
    groups: tuple[str, ...] = ()


def contact_details(text: str) -> str | None:
    """What kind of personal contact detail the text holds (email, phone, postcode), if
    any: impact records are aggregates and must not identify anyone."""
    if _EMAIL.search(text):
        return "an email address"
    if _PHONE.search(text):
        return "a phone number"
    if _POSTCODE.search(text):
        return "a postcode"
    return None


def check_case_study(
    fields: CaseStudyFields,
    domain_ids: Sequence[str],
    group_ids: Sequence[str],
    today: date,
) -> dict[str, str]:
    """Problems with a case study, keyed by form field name.

    Consent must be confirmed; the only personal detail allowed is a first name (one word)
    or none; the text must not hold an email address, phone number or postcode; the body is
    at most ``CASE_STUDY_BODY_LIMIT`` characters; tags must come from the lists.
    """
    errors: dict[str, str] = {}
    if not fields.title:
        errors["title"] = "Enter a title"
    elif len(fields.title) > CASE_STUDY_TITLE_LIMIT:
        errors["title"] = f"Title must be {CASE_STUDY_TITLE_LIMIT} characters or fewer"
    if not fields.body:
        errors["body"] = "Enter the case study"
    elif len(fields.body) > CASE_STUDY_BODY_LIMIT:
        errors["body"] = f"Case study must be {CASE_STUDY_BODY_LIMIT:,} characters or fewer"
    # Only text that passed its length check is searched for contact details.
    searched = [
        (n, t) for n, t in (("title", fields.title), ("body", fields.body)) if n not in errors
    ]
    for name, found in ((n, contact_details(t)) for n, t in searched):
        if found:
            errors[name] = (
                f"Remove {found}: a case study must not hold contact details or other personal data"
            )
    if fields.first_name is not None and (
        len(fields.first_name) > CASE_STUDY_FIRST_NAME_LIMIT
        or not FIRST_NAME_PATTERN.match(fields.first_name)
    ):
        errors["first_name"] = "Enter a first name only (one word, letters only), or leave it blank"
    if not fields.consent_confirmed:
        errors["consent"] = "Confirm that the person agreed to their story being shared"
    try:
        Period.parse(fields.period).check_allowed(today)
    except PeriodError as error:
        errors["period"] = str(error)
    if any(domain not in domain_ids for domain in fields.domain_ids):
        errors["domains"] = "Select maturity domains from the list"
    if any(group not in group_ids for group in fields.groups):
        errors["groups"] = "Select groups from the list"
    return errors


def participant_groups(definition: MetricsDefinition) -> list[tuple[str, str]]:
    """The groups a case study can be tagged with, from the metric file: each
    underrepresented group and young people, as ``(id, label)``, e.g.
    ``("care-leavers", "Care leavers")``."""
    groups = []
    for metric in definition.children("engaged-underrepresented"):
        label = metric.title.removeprefix("of whom ")
        groups.append((metric.id.removeprefix("engaged-"), label[:1].upper() + label[1:]))
    if definition.has_metric("engaged-young-people"):
        groups.append(("young-people", "Young people (16 to 24)"))
    return groups
