"""Everything a results page shows, assembled from the framework's pure functions.

A submitted assessment is shown from its frozen snapshot; a draft from a live preview
of its current answers. Benchmarks come from other academies' latest submissions; any
group smaller than the disclosure minimum is suppressed by ``framework.benchmark``.
"""

from __future__ import annotations

import functools
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from maturity.extensions import db
from maturity.framework import (
    AssessmentResult,
    Comparison,
    DomainResult,
    NextStep,
    Questionnaire,
    compare,
    disclosure,
)
from maturity.framework import next_steps as ranked_next_steps
from maturity.framework.benchmark import Spread, describe_position
from maturity.framework.headline import Headline, headline, reason, strongest_and_weakest
from maturity.framework.peers import Peer, PeerProfile, context_distances, find_peers
from maturity.framework.scoping import DeliverySuggestion, ScopingContext, suggest_delivery_model
from maturity.framework.summary import DomainSummary, OverallSummary, ResultSummary, Scores
from maturity.models import (
    Assessment,
    AssessmentSnapshot,
    AssessmentStatus,
    DirectoryEntry,
    DomainScore,
    Organisation,
)
from maturity.services import assessments as assessment_service
from maturity.services import directory as directory_service
from maturity.services import questionnaires
from maturity.services.organisations import is_current
from maturity.services.tables import Table


@dataclass(frozen=True)
class Cohort:
    """A benchmarking group: named, with per-domain and overall spreads."""

    name: str
    spreads: dict[str, Spread]
    overall: Spread

    @property
    def withheld(self) -> bool:
        """Whether every figure of the group is withheld (a column of nothing but
        "Withheld", which a page says once, in a sentence, instead)."""
        return all(group.suppressed for group in [self.overall, *self.spreads.values()])

    @property
    def withheld_note(self) -> str | None:
        """Why the whole group is withheld, in the disclosure module's words (None when
        some figures show)."""
        if not self.withheld:
            return None
        largest = max(group.n for group in [self.overall, *self.spreads.values()])
        note = disclosure.group_note(largest)
        return f"{self.name}: {note[0].lower()}{note[1:]}" if note else None


@dataclass(frozen=True)
class TrendPoint:
    """One cycle's scores: a submission's (from the domain_score rows) or a draft's."""

    cycle: str
    label: str
    result: Scores


@dataclass(frozen=True)
class StepWithPractice:
    step: NextStep
    practice: list[tuple[DirectoryEntry, dict[str, Any]]]


@dataclass
class ResultsView:
    assessment: Assessment
    questionnaire: Questionnaire
    result: AssessmentResult
    frozen: bool
    snapshot: AssessmentSnapshot | None
    targets: dict[str, int]
    previous: Assessment | None = None
    previous_result: AssessmentResult | None = None
    comparison: Comparison | None = None
    national: Cohort | None = None
    regional: Cohort | None = None
    positions: dict[str, list[str]] = field(default_factory=dict)
    trend: list[TrendPoint] = field(default_factory=list)
    steps: list[StepWithPractice] = field(default_factory=list)
    peers: list[Peer] = field(default_factory=list)

    @property
    def headline(self) -> Headline:
        """The overall level and the sentence saying what holds it there."""
        return headline(self.result)

    def reason(self, domain: DomainResult) -> str:
        """A section's level in one sentence: what holds it there, what lifts it."""
        return reason(domain.explanation, "the section")

    @property
    def strongest_and_weakest(self) -> tuple[list[DomainResult], list[DomainResult]]:
        """The three strongest and the three weakest sections."""
        return strongest_and_weakest(self.result)

    @property
    def section_changes(self) -> dict[str, int]:
        """How many sections went up, stayed the same and went down since last cycle."""
        counts = {"up": 0, "same": 0, "down": 0}
        for change in self.comparison.domains if self.comparison else ():
            if change.direction is not None:
                counts[change.direction] += 1
        return counts


def result_of(assessment: Assessment) -> tuple[AssessmentResult, AssessmentSnapshot | None]:
    """The frozen result of a submitted assessment, or the live result of a draft."""
    snapshot = assessment_service.latest_snapshot(assessment)
    if assessment.status == AssessmentStatus.SUBMITTED and snapshot is not None:
        return parsed_snapshot(snapshot), snapshot
    questionnaire = assessment_service.questionnaire_of(assessment)
    return assessment_service.current_result(assessment, questionnaire), None


# Snapshots never change once written, so their parsed results can be kept in memory.
# A results page parses at most two (its own and last cycle's: the trend and other
# academies come from the domain_score rows), and its rendered parts are cached, so a
# few hundred are plenty. A parsed result of the annual questionnaire takes about
# 165 KiB, so this bounds the cache near 40 MiB per worker.
_RESULT_CACHE: OrderedDict[int, AssessmentResult] = OrderedDict()
_RESULT_CACHE_SIZE = 256


def forget_parsed_snapshots() -> None:
    """Empty the in-process cache of parsed snapshots (tests roll back and reuse ids)."""
    _RESULT_CACHE.clear()


def parsed_snapshot(snapshot: AssessmentSnapshot) -> AssessmentResult:
    """The snapshot's result, parsed once per process (from the row already loaded)."""
    result = _RESULT_CACHE.get(snapshot.id)
    if result is None:
        result = AssessmentResult.from_dict(snapshot.result)
        _RESULT_CACHE[snapshot.id] = result
        if len(_RESULT_CACHE) > _RESULT_CACHE_SIZE:
            _RESULT_CACHE.popitem(last=False)
    else:
        _RESULT_CACHE.move_to_end(snapshot.id)
    return result


def _summaries(*conditions: Any) -> dict[int, tuple[int, int, ResultSummary]]:
    """The submitted scores of the assessments whose ``domain_score`` rows match the
    conditions, by snapshot id: (organisation id, assessment id, summary). One query."""
    rows = db.session.execute(
        select(
            DomainScore.snapshot_id,
            DomainScore.organisation_id,
            DomainScore.assessment_id,
            DomainScore.questionnaire_id,
            DomainScore.questionnaire_version,
            DomainScore.domain_id,
            DomainScore.domain_title,
            DomainScore.score,
            DomainScore.level,
            AssessmentSnapshot.overall_score,
            AssessmentSnapshot.overall_level,
        )
        .join(AssessmentSnapshot, AssessmentSnapshot.id == DomainScore.snapshot_id)
        .where(*conditions)
        .order_by(DomainScore.snapshot_id, DomainScore.id)  # domains in scoring order
    ).all()
    by_snapshot: dict[int, list[Any]] = {}
    for row in rows:
        by_snapshot.setdefault(row.snapshot_id, []).append(row)
    found = {}
    for snapshot_id, domains in by_snapshot.items():
        first = domains[0]
        names = _level_names(first.questionnaire_id, first.questionnaire_version)
        summary = ResultSummary(
            questionnaire_id=first.questionnaire_id,
            questionnaire_version=first.questionnaire_version,
            domains=tuple(
                DomainSummary(
                    row.domain_id, row.domain_title, row.score, row.level, names.get(row.level)
                )
                for row in domains
            ),
            overall=OverallSummary(
                first.overall_score, first.overall_level, names.get(first.overall_level)
            ),
        )
        found[snapshot_id] = (first.organisation_id, first.assessment_id, summary)
    return found


@dataclass(frozen=True)
class Other:
    """Another academy as benchmarks and peers see it: its latest submitted scores and its
    context, as plain data (no database row), so a process may keep the list of them
    until the national figures change (``maturity.web.results``)."""

    organisation_id: int
    region_id: int
    profile: PeerProfile  # ``profile.result`` is its latest ``ResultSummary``

    @property
    def summary(self) -> ResultSummary:
        assert isinstance(self.profile.result, ResultSummary)
        return self.profile.result


def latest_others(questionnaire_id: str) -> tuple[Other, ...]:
    """Every current organisation's latest submitted scores for a questionnaire (any
    version): what benchmarks and peers compare with.

    Built from the ``domain_score`` rows (kept for every submitted assessment) and the
    snapshots' overall columns, never from the snapshots' JSON: three queries whatever
    the number of organisations or cycles, and nothing parsed. The latest submission of
    each organisation is its highest snapshot id among its submitted assessments (a
    reopened assessment's snapshots count again only once it is resubmitted).
    """
    latest = (
        select(func.max(AssessmentSnapshot.id))
        .join(Assessment, Assessment.id == AssessmentSnapshot.assessment_id)
        .where(
            Assessment.questionnaire_id == questionnaire_id,
            Assessment.status == AssessmentStatus.SUBMITTED,
        )
        .group_by(Assessment.organisation_id)
    )
    summaries = {
        organisation_id: summary
        for organisation_id, _assessment_id, summary in _summaries(
            DomainScore.snapshot_id.in_(latest)
        ).values()
    }
    organisations = db.session.scalars(
        select(Organisation)
        .where(Organisation.id.in_(list(summaries)), is_current())
        .options(selectinload(Organisation.region))
        .order_by(Organisation.id)
    ).all()
    return tuple(
        Other(
            organisation.id,
            organisation.region_id,
            profile_of(organisation, summaries[organisation.id]),
        )
        for organisation in organisations
    )


@functools.cache
def _level_names(questionnaire_id: str, version: str) -> dict[int | None, str]:
    """Level names by value in this version of the questionnaire (the latest version's if
    that one is no longer served)."""
    try:
        questionnaire = questionnaires.questionnaire(questionnaire_id, version)
    except KeyError:
        questionnaire = questionnaires.questionnaire(questionnaire_id)
    return {level.value: level.name for level in questionnaire.levels}


def _previous(assessment: Assessment) -> Assessment | None:
    return db.session.scalar(
        select(Assessment)
        .where(
            Assessment.organisation_id == assessment.organisation_id,
            Assessment.questionnaire_id == assessment.questionnaire_id,
            Assessment.cycle < assessment.cycle,
            Assessment.status == AssessmentStatus.SUBMITTED,
        )
        .order_by(Assessment.cycle.desc())
        .limit(1)
    )


def trend_for(
    organisation: Organisation, questionnaire_id: str, *, include_drafts: bool = True
) -> list[TrendPoint]:
    """The organisation's result in every cycle, oldest first (drafts marked as such,
    or left out: a submitted assessment's page is cached, and a draft changes).

    Submitted cycles are their scores from the ``domain_score`` rows (two queries in
    all, no snapshot read or parsed); a draft is scored live."""
    assessments = db.session.scalars(
        select(Assessment)
        .where(
            Assessment.organisation_id == organisation.id,
            Assessment.questionnaire_id == questionnaire_id,
        )
        .order_by(Assessment.cycle)
    ).all()
    submitted = {
        assessment_id: summary
        for _org, assessment_id, summary in _summaries(
            DomainScore.organisation_id == organisation.id,
            DomainScore.questionnaire_id == questionnaire_id,
        ).values()
    }
    points = []
    for item in assessments:
        summary = submitted.get(item.id) if item.status == AssessmentStatus.SUBMITTED else None
        if summary is not None:
            points.append(TrendPoint(item.cycle, item.cycle, summary))
        elif item.status == AssessmentStatus.SUBMITTED or include_drafts:
            result, snapshot = result_of(item)
            label = item.cycle if snapshot is not None else f"{item.cycle} (in progress)"
            points.append(TrendPoint(item.cycle, label, result))
    return points


def profile_of(organisation: Organisation, result: Scores | None) -> PeerProfile:
    """An organisation's context for the peer model."""
    years = (
        date.today().year - organisation.year_established if organisation.year_established else None
    )
    return PeerProfile(
        key=organisation.slug,
        name=organisation.name,
        kind=organisation.kind.value,
        region=organisation.region.code,
        host_body_type=organisation.host_body_type.value,
        delivery_mode=organisation.delivery_mode.value,
        locality=organisation.locality.value if organisation.locality else None,
        funding_mix=organisation.funding_mix.value if organisation.funding_mix else None,
        years_running=years,
        shares_named_results=organisation.shares_named_results,
        result=result,
    )


def results_view(assessment: Assessment, *, with_others: bool = True) -> ResultsView:
    """Levels, explanation, comparison, benchmarks, trend, next steps and peers.

    Without ``with_others``, only what comes from the academy's own data and the practice
    directory: no benchmarks or peers (``compare_with_others`` adds them), so a page can
    cache the two parts by different data versions.
    """
    view = _bare_view(assessment)
    questionnaire, result, targets = view.questionnaire, view.result, view.targets
    previous = _previous(assessment)
    if previous is not None:
        view.previous = previous
        view.previous_result, _ = result_of(previous)
        view.comparison = compare(view.previous_result, result)
    view.trend = trend_for(
        assessment.organisation, assessment.questionnaire_id, include_drafts=view.snapshot is None
    )
    entries = directory_service.all_entries()
    view.steps = [
        StepWithPractice(
            step,
            directory_service.known_for(
                entries, domain_id=step.domain_id, indicator_id=step.indicator_id
            )[:2],
        )
        for step in ranked_next_steps(questionnaire, result, targets or None)[:10]
    ]
    if with_others:
        compare_with_others(view)
    return view


def others_view(assessment: Assessment, others: Sequence[Other] | None = None) -> ResultsView:
    """The result with only the benchmarks and peers drawn from other academies (what a
    results page shows about others, cached apart from the academy's own part);
    ``others`` as ``latest_others`` gives them, read now if not given."""
    view = _bare_view(assessment)
    compare_with_others(view, others)
    return view


def _bare_view(assessment: Assessment) -> ResultsView:
    questionnaire = assessment_service.questionnaire_of(assessment)
    result, snapshot = result_of(assessment)
    targets = (
        {key: int(value) for key, value in snapshot.targets.items()}
        if snapshot is not None
        else assessment_service.targets_by_domain(assessment)
    )
    return ResultsView(
        assessment=assessment,
        questionnaire=questionnaire,
        result=result,
        frozen=snapshot is not None,
        snapshot=snapshot,
        targets=targets,
    )


def compare_with_others(view: ResultsView, others: Sequence[Other] | None = None) -> None:
    """Add the national and regional benchmarks and the peers: every academy's latest
    submitted scores (``latest_others``: three queries whatever their number, no
    snapshot parsed), unless the caller has them."""
    organisation = view.assessment.organisation
    if others is None:
        others = latest_others(view.assessment.questionnaire_id)
    _benchmarks(view, organisation, others)
    candidates = [other.profile for other in others if other.organisation_id != organisation.id]
    if view.result.overall.score is not None:
        view.peers = find_peers(
            profile_of(organisation, view.result), view.result, candidates, limit=5
        )


def _benchmarks(view: ResultsView, organisation: Organisation, others: Sequence[Other]) -> None:
    # The academy itself is left out of its own groups (``disclosure.without_viewer``).
    others = disclosure.without_viewer(
        others, lambda other: other.organisation_id == organisation.id
    )
    national = [other.summary for other in others]
    regional = [other.summary for other in others if other.region_id == organisation.region_id]
    view.national = Cohort(
        "England", disclosure.domain_spreads(national), disclosure.overall_spread(national)
    )
    view.regional = Cohort(
        organisation.region.name,
        disclosure.domain_spreads(regional),
        disclosure.overall_spread(regional),
    )
    for domain in view.result.domains:
        sentences = []
        for cohort in (view.national, view.regional):
            if cohort.withheld:
                continue  # said once for the whole group (``Cohort.withheld_note``)
            group = cohort.spreads.get(domain.domain_id)
            if group is not None:
                sentences.append(describe_position(domain.score, group, domain.title, cohort.name))
        view.positions[domain.domain_id] = sentences


# --- The answers export -------------------------------------------------------------------

ANSWER_COLUMNS = [
    "Cycle",
    "Section",
    "Question id",
    "Question",
    "Level",
    "Level name",
    "Not applicable",
    "Reason not applicable",
    "Section score",
    "Section level",
    "Evidence",
    "Evidence link",
    "Confidence",
]


def _live_answers(assessment: Assessment) -> dict[str, dict[str, Any]]:
    """A draft's current answers, in the shape of a snapshot's ``answers``."""
    return {
        record.indicator_id: {
            "not_applicable": record.not_applicable,
            "reason": record.not_applicable_reason,
            "evidence_note": record.evidence_note,
            "evidence_url": record.evidence_url,
            "confidence": record.confidence.value if record.confidence else None,
        }
        for record in assessment_service.answers_by_indicator(assessment).values()
    }


def answer_tables(view: ResultsView) -> tuple[Table, Table]:
    """The answers (one row per question) and the section scores, for CSV and XLSX.

    A submitted assessment is exported entirely from its snapshot: levels and section
    scores from the frozen result, and not-applicable reasons, evidence and confidence from
    the snapshot's ``answers`` (each answer as it was at submission), so later edits after
    a reopening never change what the submission's export says. A draft is exported from
    its live answers.
    """
    assessment = view.assessment
    if view.snapshot is not None:
        answers = {item["indicator_id"]: item for item in view.snapshot.answers}
    else:
        answers = _live_answers(assessment)
    table = Table("Answers", f"Answers, {assessment.cycle}", list(ANSWER_COLUMNS))
    for domain in view.result.domains:
        for indicator in domain.indicators:
            answer = answers.get(indicator.indicator_id, {})
            table.rows.append(
                [
                    assessment.cycle,
                    domain.title,
                    indicator.indicator_id,
                    indicator.title,
                    indicator.level if indicator.level is not None else "",
                    indicator.level_name
                    or ("Not applicable" if indicator.status == "not_applicable" else ""),
                    "yes" if answer.get("not_applicable") else "",
                    answer.get("reason") or "",
                    domain.score if domain.score is not None else "",
                    domain.level_name or "",
                    answer.get("evidence_note") or "",
                    answer.get("evidence_url") or "",
                    answer.get("confidence") or "",
                ]
            )
    scores = Table(
        "Scores",
        f"Section scores, {assessment.cycle}",
        ["Section", "Score", "Level", "Answered", "Not applicable", "Unanswered"],
    )
    for domain in view.result.domains:
        scores.rows.append(
            [
                domain.title,
                domain.score if domain.score is not None else "",
                domain.level_name or "Not assessed",
                domain.completeness.answered,
                domain.completeness.not_applicable,
                domain.completeness.unanswered,
            ]
        )
    return table, scores


@dataclass
class ScopingReport:
    """Readiness by area, gaps to close, a suggested model and academies to contact."""

    assessment: Assessment
    questionnaire: Questionnaire
    result: AssessmentResult
    frozen: bool
    gaps: list[NextStep]
    suggestion: DeliverySuggestion
    contacts: list[tuple[DirectoryEntry, list[str]]]


def scoping_report(assessment: Assessment) -> ScopingReport:
    """The report for a local authority scoping an academy.

    Gaps are the next steps towards the top readiness level in every area; contacts are
    the directory academies closest to the authority's context (kind, region, locality,
    hosting, delivery mode), by the same standardised distance as peers.
    """
    questionnaire = assessment_service.questionnaire_of(assessment)
    result, snapshot = result_of(assessment)
    top = questionnaire.top_level.value
    gaps = ranked_next_steps(
        questionnaire, result, {domain.id: top for domain in questionnaire.domains}
    )
    organisation = assessment.organisation
    context = ScopingContext(
        kind=organisation.kind.value,
        locality=organisation.locality.value if organisation.locality else None,
        funding_mix=organisation.funding_mix.value if organisation.funding_mix else None,
    )
    return ScopingReport(
        assessment=assessment,
        questionnaire=questionnaire,
        result=result,
        frozen=snapshot is not None,
        gaps=gaps[:12],
        suggestion=suggest_delivery_model(context, result),
        contacts=_closest_directory_entries(organisation),
    )


def _closest_directory_entries(
    organisation: Organisation, limit: int = 5
) -> list[tuple[DirectoryEntry, list[str]]]:
    entries = list(directory_service.all_entries())
    if not entries:
        return []
    target = profile_of(organisation, None)
    candidates = [
        PeerProfile(
            key=entry.slug,
            name=entry.name,
            kind=entry.kind or "unknown",
            region=entry.region_code or "unknown",
            host_body_type=entry.host_body_type or "unknown",
            delivery_mode=entry.delivery_mode or "unknown",
            locality=entry.locality,
            funding_mix=None,
            years_running=None,
            shares_named_results=True,
            result=None,
        )
        for entry in entries
    ]
    distances = context_distances(target, candidates)
    by_slug = {entry.slug: entry for entry in entries}
    ranked = sorted(distances.items(), key=lambda item: (item[1], item[0]))[:limit]
    contacts = []
    for slug, _distance in ranked:
        entry = by_slug[slug]
        shared = []
        if entry.kind == target.kind:
            shared.append(
                "health and care" if entry.kind == "health_and_care" else "social care only"
            )
        if entry.region_code == target.region:
            shared.append(f"in {organisation.region.name}")
        if entry.host_body_type == target.host_body_type:
            shared.append(f"hosted by a {target.host_body_type.replace('_', ' ')}")
        if entry.delivery_mode and entry.delivery_mode == target.delivery_mode:
            shared.append(f"{entry.delivery_mode} delivery")
        contacts.append((entry, shared))
    return contacts
