"""Snapshots: the frozen record of a submission, and reading it back."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import func, select

from maturity.extensions import db
from maturity.framework import AssessmentResult
from maturity.models import AnswerRecord, Assessment, AssessmentSnapshot


def snapshot_answers(records: Iterable[AnswerRecord]) -> list[dict[str, Any]]:
    """Every answer as a snapshot keeps it, in indicator order."""
    return [
        {
            "indicator_id": record.indicator_id,
            "level": record.level,
            "not_applicable": record.not_applicable,
            "reason": record.not_applicable_reason,
            "evidence_note": record.evidence_note,
            "evidence_url": record.evidence_url,
            "confidence": record.confidence.value if record.confidence else None,
            "carried_over": record.carried_over,
            "version": record.version,
        }
        for record in sorted(records, key=lambda r: r.indicator_id)
    ]


def latest_snapshot_id(assessment: Assessment) -> int | None:
    """The id of the assessment's latest snapshot, without loading any snapshot."""
    return db.session.scalar(
        select(func.max(AssessmentSnapshot.id)).where(
            AssessmentSnapshot.assessment_id == assessment.id
        )
    )


def latest_snapshot(assessment: Assessment) -> AssessmentSnapshot | None:
    """The most recent submission's frozen result, if it was ever submitted."""
    return assessment.snapshots[-1] if assessment.snapshots else None


def snapshot_result(snapshot: AssessmentSnapshot) -> AssessmentResult:
    """The frozen result of a submission, exactly as it was scored then."""
    return AssessmentResult.from_dict(snapshot.result)
