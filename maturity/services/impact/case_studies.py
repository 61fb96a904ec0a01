"""Case studies: short, consented, anonymous stories tagged with maturity domains and
participant groups."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import select

from maturity.extensions import db
from maturity.framework.impact import CaseStudyFields, check_case_study, participant_groups
from maturity.framework.periods import Period
from maturity.models import CaseStudy, Organisation, User
from maturity.services import audit
from maturity.services.impact.common import (
    FieldErrors,
    maturity_questionnaire,
    metrics_definition,
    owned_by,
)


def case_studies_for(
    organisation: Organisation, periods: Sequence[str] | None = None
) -> Sequence[CaseStudy]:
    """The organisation's case studies (optionally of some periods), newest first."""
    query = select(CaseStudy).where(CaseStudy.organisation_id == organisation.id)
    if periods is not None:
        query = query.where(CaseStudy.period.in_(list(periods)))
    found = db.session.scalars(query.order_by(CaseStudy.id.desc())).all()
    return sorted(found, key=lambda item: Period.parse(item.period), reverse=True)


def case_study_in(organisation: Organisation, case_study_id: int) -> CaseStudy:
    """The case study with this id if it belongs to the organisation."""
    return owned_by(CaseStudy, organisation, case_study_id)


def group_choices() -> list[tuple[str, str]]:
    """The participant groups a case study can be tagged with."""
    return participant_groups(metrics_definition())


def check_case_study_fields(fields: CaseStudyFields, today: date | None = None) -> FieldErrors:
    """Problems with a case study, keyed by form field."""
    return check_case_study(
        fields,
        maturity_questionnaire().domain_ids,
        [group for group, _ in group_choices()],
        today or date.today(),
    )


def save_case_study(
    organisation: Organisation,
    case_study: CaseStudy | None,
    fields: CaseStudyFields,
    user: User,
    today: date | None = None,
) -> tuple[CaseStudy | None, FieldErrors]:
    """Add or change a case study; returns it and no errors, or None and the errors keyed
    by field (``title``, ``body``, ``first_name``, ``consent``, ``period``, ``domains``,
    ``groups``)."""
    errors = check_case_study_fields(fields, today)
    if errors:
        return None, errors
    if case_study is None:
        case_study = CaseStudy(organisation_id=organisation.id, created_by_id=user.id)
        db.session.add(case_study)
    case_study.title = fields.title
    case_study.body = fields.body
    case_study.first_name = fields.first_name
    case_study.consent_confirmed = True
    case_study.period = str(Period.parse(fields.period))
    case_study.domain_ids = list(fields.domain_ids)
    case_study.groups = list(fields.groups)
    db.session.flush()
    return case_study, {}


def delete_case_study(case_study: CaseStudy, user: User) -> None:
    """Remove a case study (for example when consent is withdrawn)."""
    audit.record(
        "case_study_deleted",
        f"Deleted the case study '{case_study.title}'",
        actor=user,
        organisation=case_study.organisation,
        detail={"case_study_id": case_study.id},
    )
    db.session.delete(case_study)
    db.session.flush()
