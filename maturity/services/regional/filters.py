"""What the regional pages are filtered by, and which cycles there are figures for."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select

from maturity.extensions import db
from maturity.framework import Questionnaire
from maturity.framework.periods import Cycle
from maturity.models import Assessment, AssessmentStatus, OrganisationKind
from maturity.services.questionnaires import catalogue

ANNUAL = "academy-maturity"


@dataclass(frozen=True)
class Filters:
    """What the regional pages are filtered by."""

    cycle: str
    kind: str | None = None  # social_care | health_and_care | None for all
    version: str | None = None  # a questionnaire version, or None for all versions

    def describe(self) -> str:
        parts = [self.cycle]
        if self.kind:
            parts.append(OrganisationKind(self.kind).label.lower())
        if self.version:
            parts.append(f"questionnaire version {self.version}")
        return ", ".join(parts)


def submitted_cycles() -> frozenset[str]:
    """Every cycle with a submitted annual assessment (one query, on assessments: one row
    per organisation and cycle, not the nine-times-larger domain_score table). Views keep
    it per national version through ``maturity.cache``."""
    return frozenset(
        db.session.scalars(
            select(Assessment.cycle)
            .where(Assessment.status == AssessmentStatus.SUBMITTED)
            .distinct()
        )
    )


def available_cycles(
    submitted: Collection[str] | None = None, today: date | None = None
) -> list[str]:
    """The current cycle and every cycle with a submission, newest first."""
    found = set(submitted_cycles() if submitted is None else submitted)
    found.add(str(Cycle.current(today)))
    return sorted(found, reverse=True)


def default_cycle(submitted: Collection[str] | None = None, today: date | None = None) -> str:
    """The newest cycle with submitted figures (the current one if there are none yet)."""
    submitted = submitted_cycles() if submitted is None else submitted
    return max(submitted, default=str(Cycle.current(today)))


def parse_filters(
    args: Any,
    *,
    submitted: Collection[str] | None = None,
    current: bool = False,
    today: date | None = None,
) -> Filters:
    """Filters from query arguments, falling back to safe defaults for unknown values.

    The default cycle is the current one when ``current`` (the regional dashboard, where
    completion matters), else the newest cycle with submitted figures. ``submitted`` is
    ``submitted_cycles()``, passed in by callers that already have it.
    """
    submitted = submitted_cycles() if submitted is None else submitted
    cycles = available_cycles(submitted, today)
    fallback = str(Cycle.current(today)) if current else default_cycle(submitted, today)
    cycle = args.get("cycle") or fallback
    if cycle not in cycles:
        cycle = fallback
    kind = args.get("kind") or None
    if kind not in (None, *(member.value for member in OrganisationKind)):
        kind = None
    version = args.get("version") or None
    if version not in (None, *catalogue().versions(ANNUAL)):
        version = None
    return Filters(cycle=cycle, kind=kind, version=version)


def previous_cycle(cycle: str) -> str:
    return str(Cycle.parse(cycle).previous())


def annual_questionnaire(filters: Filters) -> Questionnaire:
    """The questionnaire whose domains the figures are laid out by."""
    return catalogue().questionnaire(ANNUAL, filters.version)
