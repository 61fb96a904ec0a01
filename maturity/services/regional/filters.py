"""What the regional pages are filtered by, and which cycles there are figures for."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import func, select

from maturity.extensions import db
from maturity.framework import Questionnaire, disclosure
from maturity.framework.periods import Cycle
from maturity.models import Assessment, AssessmentStatus, Organisation, OrganisationKind
from maturity.services.partners import PARTNER_AGREED_FROM
from maturity.services.questionnaires import catalogue

ANNUAL = "academy-maturity"


@dataclass(frozen=True)
class Filters:
    """What the regional pages are filtered by."""

    cycle: str
    kind: str | None = None  # social_care | health_and_care | None for all
    version: str | None = None  # a questionnaire version, or None for all versions
    # only assessments agreed with partners (``services/partners.py: PARTNER_AGREED_FROM``)
    partners: bool = False
    moderated: bool = False  # only assessments that have been moderated

    def describe(self) -> str:
        parts = [self.cycle]
        if self.kind:
            parts.append(OrganisationKind(self.kind).label.lower())
        if self.version:
            parts.append(f"questionnaire version {self.version}")
        if self.partners:
            parts.append(f"agreed with at least {PARTNER_AGREED_FROM} partners")
        if self.moderated:
            parts.append("moderated assessments only")
        return ", ".join(parts)

    @property
    def partners_label(self) -> str:
        return f"Only assessments agreed with at least {PARTNER_AGREED_FROM} partners"


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
    partners = args.get("partners") == "agreed"
    moderated = args.get("moderated") == "yes"
    return Filters(cycle=cycle, kind=kind, version=version, partners=partners, moderated=moderated)


def previous_cycle(cycle: str) -> str:
    return str(Cycle.parse(cycle).previous())


def annual_questionnaire(filters: Filters) -> Questionnaire:
    """The questionnaire whose domains the figures are laid out by."""
    return catalogue().questionnaire(ANNUAL, filters.version)


def submissions_by_cycle(region_id: int) -> dict[str, Submissions]:
    """How many of a region's organisations submitted the annual assessment, by cycle, and
    how many of those do not share named results (one grouped query; views keep it per
    version of the region)."""
    rows = db.session.execute(
        select(Assessment.cycle, Organisation.shares_named_results, func.count(Assessment.id))
        .join(Organisation, Organisation.id == Assessment.organisation_id)
        .where(
            Organisation.region_id == region_id,
            Assessment.status == AssessmentStatus.SUBMITTED,
            Assessment.questionnaire_id == ANNUAL,
        )
        .group_by(Assessment.cycle, Organisation.shares_named_results)
    )
    found: dict[str, Submissions] = {}
    for cycle, shares, count in rows:
        before = found.get(cycle, Submissions(0, 0))
        hidden = 0 if shares else count
        found[cycle] = Submissions(before.submitted + count, before.hidden + hidden)
    return found


@dataclass(frozen=True)
class Submissions:
    """A region's submissions in one cycle: how many, and how many not sharing results."""

    submitted: int
    hidden: int

    @property
    def shows_figures(self) -> bool:
        """Enough for the region's figures to be shown: not withheld as too few, nor as
        open to being worked out by difference (``disclosure``)."""
        return self.submitted >= disclosure.MINIMUM_GROUP and not disclosure.differencing_risk(
            self.hidden
        )


@dataclass(frozen=True)
class ShownCycle:
    """The cycle a region's dashboard shows, and the sentence that says why."""

    cycle: str
    reason: str


def _academies(count: int) -> str:
    return f"{count} {'academy' if count == 1 else 'academies'}"


def dashboard_cycle(
    counts: Mapping[str, Submissions],
    chosen: str | None = None,
    *,
    region_name: str,
    today: date | None = None,
) -> ShownCycle:
    """Which cycle a region's dashboard opens on, and why.

    A cycle the reader ``chosen`` is kept. Otherwise the dashboard opens on the most recent
    cycle whose submissions let the region's figures be shown (not a cycle that has just
    opened, where every figure would be withheld), or on the current cycle when no cycle
    has figures to show yet. ``counts`` is ``submissions_by_cycle``.
    """
    current = str(Cycle.current(today))
    none = Submissions(0, 0)
    if chosen:
        return ShownCycle(
            chosen,
            f"Showing {chosen}, the cycle you chose: "
            f"{_academies(counts.get(chosen, none).submitted)} in {region_name} "
            "submitted their assessment for it.",
        )
    showing = [c for c, found in counts.items() if found.shows_figures and c <= current]
    so_far = counts.get(current, none).submitted
    if not showing:
        return ShownCycle(
            current,
            f"Showing {current}, the current cycle. No cycle yet has enough submitted "
            f"assessments from {region_name} to show figures. {disclosure.rule()}",
        )
    shown = max(showing)
    if shown == current:
        return ShownCycle(
            current,
            f"Showing {current}, the current cycle: {_academies(so_far)} in {region_name} "
            "have submitted their assessment, enough to show figures.",
        )
    return ShownCycle(
        shown,
        f"Showing {shown}, the most recent cycle with enough submitted assessments to show "
        f"figures ({_academies(counts[shown].submitted)}). In {current}, "
        f"{_academies(so_far)} {'has' if so_far == 1 else 'have'} submitted so far, "
        "not yet enough to show figures without revealing any academy's. "
        f"Choose {current} to follow this cycle's completion.",
    )
