"""Regional and national figures for the regional lead's dashboard, downloads and API.

Every figure comes from the ``domain_score`` table (one row per domain of each submitted
assessment), in a fixed number of queries whatever the number of academies or cycles.
The disclosure rule is applied here, once, so that pages, charts, downloads and the API
all show the same thing: any figure about fewer than ``MINIMUM_GROUP`` academies is
withheld, and an academy is named only if it shares its results.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from statistics import median
from typing import Any

from sqlalchemy import case, func, or_, select

from maturity.extensions import db
from maturity.framework import Questionnaire
from maturity.framework.benchmark import Spread, level_distribution, spread
from maturity.framework.periods import Cycle
from maturity.models import (
    AnswerRecord,
    Assessment,
    AssessmentStatus,
    DirectoryEntry,
    DomainScore,
    OpenDataRelease,
    Organisation,
    OrganisationKind,
    OrganisationStatus,
    Region,
    Role,
    User,
)
from maturity.services import audit
from maturity.services.mail import send_email
from maturity.services.questionnaires import catalogue
from maturity.services.settings import MailSettings

MINIMUM_GROUP = 3
ANNUAL = "academy-maturity"

WITHHELD = "withheld"


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


def parse_filters(args: Any, *, current: bool = False, today: date | None = None) -> Filters:
    """Filters from query arguments, falling back to safe defaults for unknown values.

    The default cycle is the current one when ``current`` (the regional dashboard, where
    completion matters), else the newest cycle with submitted figures.
    """
    cycles = available_cycles(today)
    fallback = str(Cycle.current(today)) if current else default_cycle(today)
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


# Which cycles have submissions changes only with the data version, so it is kept per
# version in memory (a handful of entries) instead of being queried on every page.
_CYCLES_BY_VERSION: dict[str, frozenset[str]] = {}


def _submitted_cycles() -> frozenset[str]:
    version = data_version()
    cycles = _CYCLES_BY_VERSION.get(version)
    if cycles is None:
        # From assessments (one row per organisation and cycle), not the nine-times-larger
        # domain_score table.
        cycles = frozenset(
            db.session.scalars(
                select(Assessment.cycle)
                .where(Assessment.status == AssessmentStatus.SUBMITTED)
                .distinct()
            )
        )
        if len(_CYCLES_BY_VERSION) > 64:
            _CYCLES_BY_VERSION.clear()
        _CYCLES_BY_VERSION[version] = cycles
    return cycles


def available_cycles(today: date | None = None) -> list[str]:
    """The current cycle and every cycle with a submission, newest first."""
    found = set(_submitted_cycles())
    found.add(str(Cycle.current(today)))
    return sorted(found, reverse=True)


def default_cycle(today: date | None = None) -> str:
    """The newest cycle with submitted figures (the current one if there are none yet)."""
    newest = available_cycles(today)
    submitted = [cycle for cycle in newest if cycle in _submitted_cycles()]
    return submitted[0] if submitted else str(Cycle.current(today))


def data_version() -> str:
    """Changes whenever a figure on the regional, national or results pages could: a
    submission or reopening, an organisation's profile or sharing choice, the directory.
    Cached pages are keyed by it (one query per request: kept on ``g``)."""
    from flask import g, has_app_context

    if has_app_context() and "figures_version" in g:
        return str(g.figures_version)
    return _versions()[0]


def answers_version() -> str:
    """Changes with every saved answer (and with ``data_version``): the completion table
    is cached by it. Read in the same query as ``data_version``."""
    from flask import g, has_app_context

    if has_app_context() and "answers_version" in g:
        return str(g.answers_version)
    return _versions()[1]


def _versions() -> tuple[str, str]:
    from flask import g, has_app_context

    # A submission adds domain_score rows (a new highest id); a reopening removes them
    # and, like a submission, touches the assessment (a new latest updated_at).
    row = db.session.execute(
        select(
            select(func.max(DomainScore.id)).scalar_subquery(),
            select(func.max(Assessment.updated_at)).scalar_subquery(),
            select(func.max(Organisation.updated_at)).scalar_subquery(),
            select(func.max(DirectoryEntry.updated_at)).scalar_subquery(),
            select(func.max(AnswerRecord.updated_at)).scalar_subquery(),
        )
    ).one()
    figures = "|".join(str(value) for value in row[:4])
    answers = f"{figures}|{row[4]}"
    if has_app_context():
        g.figures_version, g.answers_version = figures, answers
    return figures, answers


def previous_cycle(cycle: str) -> str:
    start = int(cycle[:4]) - 1
    return f"{start}/{(start + 1) % 100:02d}"


def annual_questionnaire(filters: Filters) -> Questionnaire:
    """The questionnaire whose domains the figures are laid out by."""
    return catalogue().questionnaire(ANNUAL, filters.version)


@dataclass(frozen=True)
class ScoreRow:
    organisation_id: int
    name: str
    shares: bool
    region_id: int
    cycle: str
    domain_id: str
    score: float | None
    level: int | None
    version: str


def differencing_risk(rows: Sequence[ScoreRow]) -> bool:
    """Whether regional aggregates could be combined with the named rows to work out
    the figures of academies that do not share: true when 1 or 2 of them are in the
    group (none: nothing hidden; 3 or more: they stay pooled)."""
    hidden = {row.organisation_id for row in rows if not row.shares}
    return 0 < len(hidden) < MINIMUM_GROUP


def score_rows(
    filters: Filters, *, region: Region | None = None, cycles: Sequence[str] | None = None
) -> list[ScoreRow]:
    """Domain scores of submitted annual assessments matching the filters (one query)."""
    query = (
        select(
            DomainScore.organisation_id,
            Organisation.name,
            Organisation.shares_named_results,
            DomainScore.region_id,
            DomainScore.cycle,
            DomainScore.domain_id,
            DomainScore.score,
            DomainScore.level,
            DomainScore.questionnaire_version,
        )
        .join(Organisation, Organisation.id == DomainScore.organisation_id)
        .where(DomainScore.questionnaire_id == ANNUAL)
    )
    query = query.where(DomainScore.cycle.in_(list(cycles or [filters.cycle])))
    if region is not None:
        query = query.where(DomainScore.region_id == region.id)
    if filters.kind:
        query = query.where(Organisation.kind == OrganisationKind(filters.kind))
    if filters.version:
        query = query.where(DomainScore.questionnaire_version == filters.version)
    return [ScoreRow(*row) for row in db.session.execute(query)]


# --- Tables: what the pages show, the downloads write and the API returns ---------------------


@dataclass
class Table:
    """A table of figures with its caption; cells are text or numbers, as displayed."""

    key: str
    caption: str
    head: list[str]
    rows: list[list[Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def as_dicts(self) -> list[dict[str, Any]]:
        return [dict(zip(self.head, row, strict=True)) for row in self.rows]


def _count_cell(count: int) -> Any:
    """A count of academies: zero, or at least the minimum group; 1 or 2 is withheld
    (a count of one academy is a figure about that academy)."""
    return count if count == 0 or count >= MINIMUM_GROUP else WITHHELD


def _median_text(group: Spread) -> Any:
    return WITHHELD if group.suppressed else group.median


QUARTILES_FROM = 5  # with 3 or 4 values, quartiles and the median give the values away


def _quartiles_text(group: Spread) -> str:
    if group.suppressed or group.n < QUARTILES_FROM:
        return WITHHELD
    return f"{group.lower_quartile:.1f}–{group.upper_quartile:.1f}"


@dataclass(frozen=True)
class CompletionOrganisation:
    """What the completion table shows about an organisation."""

    id: int
    name: str
    slug: str
    scoping: bool


@dataclass(frozen=True)
class CompletionRow:
    organisation: CompletionOrganisation
    status: str
    answered_percent: int | None
    submitted_on: date | None


def completion(region: Region, filters: Filters) -> list[CompletionRow]:
    """Every academy and scoping authority in the region and how far it is with this
    cycle's assessment (one query)."""
    answered = (
        select(func.count())
        .select_from(AnswerRecord)
        .where(
            AnswerRecord.assessment_id == Assessment.id,
            or_(AnswerRecord.level.is_not(None), AnswerRecord.not_applicable),
        )
        .scalar_subquery()
    )
    expected_questionnaire = case(
        (Organisation.status == OrganisationStatus.SCOPING, "scoping"), else_=ANNUAL
    )
    query = (
        select(
            Organisation.id,
            Organisation.name,
            Organisation.slug,
            Organisation.status,
            Assessment.id,
            Assessment.questionnaire_id,
            Assessment.questionnaire_version,
            Assessment.status,
            Assessment.submitted_at,
            answered,
        )
        .outerjoin(
            Assessment,
            (Assessment.organisation_id == Organisation.id)
            & (Assessment.cycle == filters.cycle)
            & (Assessment.questionnaire_id == expected_questionnaire),
        )
        .where(Organisation.region_id == region.id)
        .order_by(Organisation.name)
    )
    if filters.kind:
        query = query.where(Organisation.kind == OrganisationKind(filters.kind))
    rows = []
    for (
        org_id,
        name,
        slug,
        org_status,
        assessment_id,
        questionnaire_id,
        version,
        status,
        submitted_at,
        count,
    ) in db.session.execute(query):
        organisation = CompletionOrganisation(
            org_id, name, slug, org_status == OrganisationStatus.SCOPING
        )
        if assessment_id is None:
            rows.append(CompletionRow(organisation, "Not started", None, None))
        elif status == AssessmentStatus.SUBMITTED:
            submitted = submitted_at.date() if submitted_at else None
            rows.append(CompletionRow(organisation, "Submitted", 100, submitted))
        else:
            total = len(catalogue().questionnaire(questionnaire_id, version).indicator_ids)
            percent = round(100 * (count or 0) / total) if total else 0
            rows.append(CompletionRow(organisation, "In progress", percent, None))
    return rows


def completion_table(rows: Sequence[CompletionRow], filters: Filters) -> Table:
    table = Table(
        "completion",
        f"Completion, {filters.cycle}",
        ["Organisation", "Type", "Status", "Answered (%)", "Submitted on"],
    )
    for row in rows:
        organisation = row.organisation
        kind = "Scoping" if organisation.scoping else "Academy"
        table.rows.append(
            [
                organisation.name,
                kind,
                row.status,
                row.answered_percent if row.answered_percent is not None else "",
                row.submitted_on.isoformat() if row.submitted_on else "",
            ]
        )
    return table


@dataclass
class RegionFigures:
    """Everything on a region's dashboard."""

    region: Region
    filters: Filters
    questionnaire: Questionnaire
    heatmap: Table
    heatmap_values: list[list[float | None]]
    heatmap_rows: list[str]
    spreads: Table
    distribution: Table
    movement: Table
    trend: Table
    trend_medians: dict[str, list[float | None]]
    trend_cycles: list[str]
    versions_note: str | None
    tables: dict[str, Table] = field(default_factory=dict)


def region_figures(region: Region, filters: Filters) -> RegionFigures:
    """The regional lead's dashboard figures from submissions (a fixed number of queries).

    Completion, which changes with every saved answer, is separate: ``completion``.
    """
    questionnaire = annual_questionnaire(filters)
    domains = [(domain.id, domain.title) for domain in questionnaire.domains]
    cycles = available_cycles()
    trend_cycles = sorted(cycle for cycle in cycles if cycle <= filters.cycle)[-10:]
    wanted = sorted(set(trend_cycles) | {filters.cycle, previous_cycle(filters.cycle)})
    regional_rows = score_rows(filters, region=region, cycles=wanted)
    national_rows = score_rows(filters)
    this_cycle = [row for row in regional_rows if row.cycle == filters.cycle]

    heatmap, values, labels = _heatmap(this_cycle, domains, filters)
    guarded = differencing_risk(this_cycle)
    figures = RegionFigures(
        region=region,
        filters=filters,
        questionnaire=questionnaire,
        heatmap=heatmap,
        heatmap_values=values,
        heatmap_rows=labels,
        spreads=_spreads(this_cycle, national_rows, domains, region, guarded=guarded),
        distribution=_withhold_if(guarded, _distribution(this_cycle, domains, questionnaire)),
        movement=_withhold_if(guarded, _movement(regional_rows, domains, filters.cycle)),
        trend=Table("trend", "", []),
        trend_medians={},
        trend_cycles=trend_cycles,
        versions_note=_versions_note(this_cycle, filters),
    )
    figures.trend, figures.trend_medians = _trend(regional_rows, domains, trend_cycles, region)
    figures.tables = {
        "heatmap": figures.heatmap,
        "spreads": figures.spreads,
        "distribution": figures.distribution,
        "movement": figures.movement,
        "trend": figures.trend,
    }
    return figures


def _withhold_if(guarded: bool, table: Table) -> Table:
    """Withhold every figure of a table (keeping its first column) when named rows
    elsewhere on the page would let a reader work out a non-sharing academy's figures."""
    if guarded:
        table.rows = [[row[0], *[WITHHELD for _ in row[1:]]] for row in table.rows]
        table.notes.append(
            "Withheld: with 1 or 2 academies in this group that do not share their results, "
            "these figures and the named academies above would reveal theirs."
        )
    return table


def _by_organisation(rows: Sequence[ScoreRow]) -> dict[int, dict[str, ScoreRow]]:
    grouped: dict[int, dict[str, ScoreRow]] = defaultdict(dict)
    for row in rows:
        grouped[row.organisation_id][row.domain_id] = row
    return grouped


def _heatmap(
    rows: Sequence[ScoreRow], domains: list[tuple[str, str]], filters: Filters
) -> tuple[Table, list[list[float | None]], list[str]]:
    """Named rows for sharing academies; the others pooled into one row whose cells are
    the median level, withheld where fewer than MINIMUM_GROUP academies have a level."""
    grouped = _by_organisation(rows)
    table = Table(
        "heatmap",
        f"Level by section, {filters.cycle}",
        ["Academy", *[title for _id, title in domains]],
    )
    values: list[list[float | None]] = []
    labels: list[str] = []
    named = sorted(
        (scores for scores in grouped.values() if next(iter(scores.values())).shares),
        key=lambda scores: next(iter(scores.values())).name,
    )
    for scores in named:
        name = next(iter(scores.values())).name
        levels = [
            scores[domain_id].level if domain_id in scores else None for domain_id, _ in domains
        ]
        table.rows.append([name, *[level if level is not None else "" for level in levels]])
        values.append([float(level) if level is not None else None for level in levels])
        labels.append(name)
    others = [scores for scores in grouped.values() if not next(iter(scores.values())).shares]
    if others:
        label = (
            f"Other academies ({len(others)})"
            if len(others) >= MINIMUM_GROUP
            else f"Other academies (fewer than {MINIMUM_GROUP})"
        )
        pooled: list[float | None] = []
        cells: list[Any] = []
        for domain_id, _title in domains:
            pooled_levels: list[int] = [
                row.level
                for scores in others
                if (row := scores.get(domain_id)) is not None and row.level is not None
            ]
            if len(pooled_levels) < MINIMUM_GROUP:
                pooled.append(None)
                cells.append(WITHHELD)
            else:
                middle = float(median(pooled_levels))
                pooled.append(middle)
                cells.append(middle)
        table.rows.append([label, *cells])
        values.append(pooled)
        labels.append(label)
        table.notes.append(
            "Academies that do not share named results are counted in one pooled row "
            f"(median level), withheld where fewer than {MINIMUM_GROUP} academies give a figure."
        )
    return table, values, labels


def _spreads(
    regional: Sequence[ScoreRow],
    national: Sequence[ScoreRow],
    domains: list[tuple[str, str]],
    region: Region,
    *,
    guarded: bool = False,
) -> Table:
    table = Table(
        "spreads",
        f"Median and quartiles of section scores: {region.name} and England",
        [
            "Section",
            f"{region.name} median",
            f"{region.name} quartiles",
            f"{region.name} n",
            "England median",
            "England quartiles",
            "England n",
        ],
    )
    for domain_id, title in domains:
        here = spread(
            [r.score for r in regional if r.domain_id == domain_id and r.score is not None],
            MINIMUM_GROUP,
        )
        everywhere = spread(
            [r.score for r in national if r.domain_id == domain_id and r.score is not None],
            MINIMUM_GROUP,
        )
        table.rows.append(
            [
                title,
                WITHHELD if guarded else _median_text(here),
                WITHHELD if guarded else _quartiles_text(here),
                _count_cell(here.n),
                _median_text(everywhere),
                _quartiles_text(everywhere),
                _count_cell(everywhere.n),
            ]
        )
    table.notes.append(
        f"Figures about fewer than {MINIMUM_GROUP} academies are withheld so that no academy "
        f"can be identified; quartiles are shown from {QUARTILES_FROM} academies."
    )
    if guarded:
        table.notes.append(
            f"{region.name} figures are withheld: with 1 or 2 academies here that do not share "
            "their results, they and the named academies would reveal those academies' figures."
        )
    return table


def _distribution(
    rows: Sequence[ScoreRow], domains: list[tuple[str, str]], questionnaire: Questionnaire
) -> Table:
    scale = [level.value for level in questionnaire.levels]
    table = Table(
        "distribution",
        "How many academies are at each level",
        ["Section", *[level.name for level in questionnaire.levels]],
        notes=[
            f"Counts of 1 or 2 academies are withheld; a section with fewer than "
            f"{MINIMUM_GROUP} academies is withheld entirely."
        ],
    )
    for domain_id, title in domains:
        levels = [r.level for r in rows if r.domain_id == domain_id and r.level is not None]
        counts = level_distribution(levels, scale, MINIMUM_GROUP)
        if counts is None:
            table.rows.append([title, *[WITHHELD for _ in scale]])
        else:
            table.rows.append([title, *[_count_cell(counts.get(value, 0)) for value in scale]])
    return table


def _movement(rows: Sequence[ScoreRow], domains: list[tuple[str, str]], cycle: str) -> Table:
    before_cycle = previous_cycle(cycle)
    table = Table(
        "movement",
        f"Movement between levels since {before_cycle}",
        ["Section", "Moved up", "Stayed", "Moved down", "Academies compared"],
    )
    now = {
        (r.organisation_id, r.domain_id): r.level
        for r in rows
        if r.cycle == cycle and r.level is not None
    }
    before = {
        (r.organisation_id, r.domain_id): r.level
        for r in rows
        if r.cycle == before_cycle and r.level is not None
    }
    for domain_id, title in domains:
        pairs: list[tuple[int, int]] = [
            (before[key], level)
            for key, level in now.items()
            if key[1] == domain_id and key in before
        ]
        if len(pairs) < MINIMUM_GROUP:
            table.rows.append([title, WITHHELD, WITHHELD, WITHHELD, _count_cell(len(pairs))])
            continue
        up = sum(1 for old, new in pairs if new > old)
        down = sum(1 for old, new in pairs if new < old)
        stayed = len(pairs) - up - down
        table.rows.append(
            [
                title,
                _count_cell(up),
                _count_cell(stayed),
                _count_cell(down),
                _count_cell(len(pairs)),
            ]
        )
    return table


def movement_sentences(table: Table) -> list[str]:
    """E.g. "4 academies moved up in Funding and sustainability"."""
    sentences = []
    for title, up, _stayed, down, _n in table.rows:
        if up not in (WITHHELD, 0):
            sentences.append(f"{up} academ{'y' if up == 1 else 'ies'} moved up in {title}")
        if down not in (WITHHELD, 0):
            sentences.append(f"{down} academ{'y' if down == 1 else 'ies'} moved down in {title}")
    return sentences


def _trend(
    rows: Sequence[ScoreRow], domains: list[tuple[str, str]], cycles: list[str], region: Region
) -> tuple[Table, dict[str, list[float | None]]]:
    table = Table("trend", f"Median section score in {region.name} by cycle", ["Section", *cycles])
    medians: dict[str, list[float | None]] = {}
    for domain_id, title in domains:
        line: list[float | None] = []
        for cycle in cycles:
            in_cycle = [r for r in rows if r.cycle == cycle]
            group = spread(
                [r.score for r in in_cycle if r.domain_id == domain_id and r.score is not None],
                MINIMUM_GROUP,
            )
            hidden = group.suppressed or differencing_risk(in_cycle)
            line.append(None if hidden else group.median)
        medians[title] = line
        table.rows.append([title, *[value if value is not None else WITHHELD for value in line]])
    return table, medians


def _versions_note(rows: Sequence[ScoreRow], filters: Filters) -> str | None:
    versions = sorted({row.version for row in rows})
    if filters.version is None and len(versions) > 1:
        return (
            f"These figures mix questionnaire versions {', '.join(versions)}: sections are "
            "compared through the ids the versions share. Filter by version to see one."
        )
    return None


# --- National comparison ---------------------------------------------------------------------


def national_comparison(filters: Filters) -> Table:
    """Region × section medians with n, for everyone signed in; cells under the minimum
    group size withheld."""
    questionnaire = annual_questionnaire(filters)
    regions = db.session.scalars(select(Region).order_by(Region.sort_order)).all()
    rows = score_rows(filters)
    table = Table(
        "regions",
        f"Median section score by region, {filters.describe()}",
        ["Region", *[domain.title for domain in questionnaire.domains], "Academies (n)"],
    )
    for region in regions:
        here = [row for row in rows if row.region_id == region.id]
        cells: list[Any] = []
        for domain in questionnaire.domains:
            group = spread(
                [r.score for r in here if r.domain_id == domain.id and r.score is not None],
                MINIMUM_GROUP,
            )
            cells.append(_median_text(group))
        count = len({row.organisation_id for row in here})
        table.rows.append([region.name, *cells, _count_cell(count)])
    england = []
    for domain in questionnaire.domains:
        group = spread(
            [r.score for r in rows if r.domain_id == domain.id and r.score is not None],
            MINIMUM_GROUP,
        )
        england.append(_median_text(group))
    table.rows.append(
        ["England", *england, _count_cell(len({row.organisation_id for row in rows}))]
    )
    table.notes.append(
        f"A region with fewer than {MINIMUM_GROUP} academies giving a figure is withheld."
    )
    return table


# --- Reminders -------------------------------------------------------------------------------


def send_reminder(
    organisation: Organisation,
    region: Region,
    cycle: str,
    sent_by: User,
    link: str,
    mail: MailSettings,
) -> int:
    """Email the organisation's leads a reminder about this cycle's assessment (logged).

    Returns how many people were emailed (or would have been, without SMTP).
    """
    if organisation.region_id != region.id:
        raise ValueError("The organisation is not in this region")
    leads = [
        membership.user
        for membership in organisation.memberships
        if membership.role == Role.LEAD and membership.user.is_active
    ]
    for lead in leads:
        send_email(
            mail,
            lead.email,
            f"Reminder: the {cycle} academy maturity assessment",
            f"{sent_by.name}, regional lead for {region.name}, reminds you that the {cycle} "
            f"assessment for {organisation.name} is due.\n\nContinue it here:\n{link}\n",
        )
    audit.record(
        "reminder_sent",
        f"Reminder about the {cycle} assessment sent to {organisation.name}",
        actor=sent_by,
        organisation=organisation,
        detail={"cycle": cycle, "recipients": len(leads)},
    )
    return len(leads)


# --- Open data --------------------------------------------------------------------------------


def open_data_csv(cycle: str) -> str:
    """The anonymised national aggregates for a cycle: region × section medians with n,
    and the national spread of each section — no academy named, nothing under the
    minimum group size."""
    import csv
    import io

    filters = Filters(cycle=cycle)
    by_region = national_comparison(filters)
    questionnaire = annual_questionnaire(filters)
    rows = score_rows(filters)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["measure", "cycle", "region", "section", "value", "academies"])
    for row in by_region.rows:
        region_name, *cells, count = row
        for domain, cell in zip(questionnaire.domains, cells, strict=True):
            writer.writerow(["median score", cycle, region_name, domain.title, cell, count])
    for domain in questionnaire.domains:
        group = spread(
            [r.score for r in rows if r.domain_id == domain.id and r.score is not None],
            MINIMUM_GROUP,
        )
        for measure, value in (
            ("lower quartile score", group.lower_quartile),
            ("upper quartile score", group.upper_quartile),
        ):
            writer.writerow(
                [
                    measure,
                    cycle,
                    "England",
                    domain.title,
                    WITHHELD if group.suppressed or group.n < QUARTILES_FROM else value,
                    _count_cell(group.n),
                ]
            )
    writer.writerow(
        [
            "note",
            cycle,
            "",
            "",
            f"Figures about fewer than {MINIMUM_GROUP} academies are "
            "withheld. Scores run from 1 (First steps) to 5 (Disruptive).",
            "",
        ]
    )
    return buffer.getvalue()


def publish_open_data(cycle: str, user: User) -> OpenDataRelease:
    """Publish (or republish) the open data file for a cycle."""
    if cycle not in available_cycles():
        raise ValueError(f"Unknown cycle {cycle!r}")
    release = db.session.scalar(
        select(OpenDataRelease).where(
            OpenDataRelease.questionnaire_id == ANNUAL, OpenDataRelease.cycle == cycle
        )
    )
    if release is None:
        release = OpenDataRelease(questionnaire_id=ANNUAL, cycle=cycle, csv_text="")
        db.session.add(release)
    release.csv_text = open_data_csv(cycle)
    release.published_by_id = user.id
    db.session.flush()
    audit.record("open_data_published", f"Open data for {cycle} published", actor=user)
    return release


def open_data_releases() -> Sequence[OpenDataRelease]:
    """Published open data files, newest cycle first."""
    return db.session.scalars(select(OpenDataRelease).order_by(OpenDataRelease.cycle.desc())).all()


def open_data_release(cycle: str) -> OpenDataRelease | None:
    return db.session.scalar(
        select(OpenDataRelease).where(
            OpenDataRelease.questionnaire_id == ANNUAL, OpenDataRelease.cycle == cycle
        )
    )
