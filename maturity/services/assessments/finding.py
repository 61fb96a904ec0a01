"""Finding assessments and the questionnaire each was taken on."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import NamedTuple

from sqlalchemy import Select, bindparam, func, select
from sqlalchemy.exc import NoResultFound
from sqlalchemy.orm import selectinload

from maturity.extensions import db
from maturity.framework import Questionnaire
from maturity.models import (
    Assessment,
    AssessmentSnapshot,
    Moderation,
    ModerationStatus,
    Organisation,
    OrganisationStatus,
)
from maturity.services.questionnaires import catalogue


def questionnaire_id_for(organisation: Organisation) -> str:
    """Live academies take the annual self-assessment; scoping authorities the scoping one."""
    if organisation.status == OrganisationStatus.SCOPING:
        return "scoping"
    return "academy-maturity"


def questionnaire_of(assessment: Assessment) -> Questionnaire:
    """The exact questionnaire version the assessment was taken on."""
    return catalogue().questionnaire(assessment.questionnaire_id, assessment.questionnaire_version)


def assessments_for(
    organisation: Organisation, *, with_snapshots: bool = False
) -> Sequence[Assessment]:
    """The organisation's assessments, newest cycle first (with their snapshots loaded
    in one more query when asked)."""
    query = (
        select(Assessment)
        .where(Assessment.organisation_id == organisation.id)
        .order_by(Assessment.cycle.desc(), Assessment.questionnaire_id)
    )
    if with_snapshots:
        query = query.options(selectinload(Assessment.snapshots))
    return db.session.scalars(query).all()


def assessment_in(
    organisation: Organisation, assessment_id: int, *, with_answers: bool = True
) -> Assessment:
    """The assessment with this id if it belongs to the organisation; NoResultFound otherwise.

    With ``with_answers`` its answers and targets are loaded up front (they load lazily
    otherwise).
    """
    query = select(Assessment).where(
        Assessment.id == assessment_id, Assessment.organisation_id == organisation.id
    )
    if with_answers:
        query = query.options(selectinload(Assessment.answers), selectinload(Assessment.targets))
    found = db.session.scalar(query)
    if found is None:
        raise NoResultFound(f"No assessment {assessment_id} for {organisation.slug}")
    return found


class ForResults(NamedTuple):
    """What a results page needs to know of an assessment before anything is rendered."""

    assessment: Assessment
    snapshot_id: int | None  # its latest snapshot's, if any
    moderated: bool  # whether a moderation of it was completed


@functools.cache
def _for_results_statement() -> Select[Assessment, int, bool]:
    """Built once (see ``organisations._organisation_and_membership_statement``)."""
    moderated = (
        select(Moderation.id)
        .where(
            Moderation.assessment_id == Assessment.id,
            Moderation.status == ModerationStatus.MODERATED,
        )
        .exists()
    )
    return (
        select(Assessment, func.max(AssessmentSnapshot.id), moderated)
        .outerjoin(AssessmentSnapshot, AssessmentSnapshot.assessment_id == Assessment.id)
        .where(
            Assessment.id == bindparam("assessment_id"),
            Assessment.organisation_id == bindparam("organisation_id"),
        )
        .group_by(Assessment.id)
    )


def assessment_for_results(organisation: Organisation, assessment_id: int) -> ForResults:
    """The organisation's assessment, the id of its latest snapshot and whether it was
    ever moderated, in one query; NoResultFound if the assessment belongs elsewhere."""
    row = db.session.execute(
        _for_results_statement(),
        {"assessment_id": assessment_id, "organisation_id": organisation.id},
    ).first()
    if row is None:
        raise NoResultFound(f"No assessment {assessment_id} for {organisation.slug}")
    return ForResults(row[0], row[1], bool(row[2]))


def previous_assessment(
    organisation: Organisation, questionnaire_id: str, before_cycle: str
) -> Assessment | None:
    """The organisation's latest assessment of this questionnaire from an earlier cycle."""
    return db.session.scalar(
        select(Assessment)
        .options(selectinload(Assessment.answers))
        .where(
            Assessment.organisation_id == organisation.id,
            Assessment.questionnaire_id == questionnaire_id,
            Assessment.cycle < before_cycle,
        )
        .order_by(Assessment.cycle.desc())
        .limit(1)
    )
