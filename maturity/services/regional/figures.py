"""The regional lead's dashboard: heatmap, spreads and distribution of levels, with the
movement and trend tables from ``movement``, all under the disclosure rules.

Everything here comes from the region's own rows except the England columns of the
spreads table (``england_cells``), which are the same for every region: views cache them
apart, by the national version, and the rest by the region's.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from statistics import median
from typing import Any

from maturity.framework import Questionnaire, disclosure
from maturity.models import Region
from maturity.services.regional.filters import (
    Filters,
    annual_questionnaire,
    available_cycles,
    previous_cycle,
)
from maturity.services.regional.movement import movement, trend
from maturity.services.regional.rows import (
    ScoreRow,
    by_organisation,
    differencing_risk,
    domain_spread,
    score_rows,
)
from maturity.services.tables import Table

Domains = list[tuple[str, str]]
SpreadCells = dict[str, list[Any]]
"""A section's spread as table cells, by section id: median, quartiles, n (JSON-able)."""


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
    regional_spreads: SpreadCells = field(default_factory=dict)
    guarded: bool = False
    tables: dict[str, Table] = field(default_factory=dict)


def region_figures(
    region: Region,
    filters: Filters,
    *,
    submitted: Collection[str] | None = None,
    england: SpreadCells | None = None,
) -> RegionFigures:
    """The regional lead's dashboard figures from submissions (a fixed number of queries).

    ``england`` is ``england_cells(filters)``, read here if not given. Completion, which
    changes with every saved answer, is separate: ``completion``.
    """
    questionnaire = annual_questionnaire(filters)
    domains = [(domain.id, domain.title) for domain in questionnaire.domains]
    cycles = available_cycles(submitted)
    trend_cycles = sorted(cycle for cycle in cycles if cycle <= filters.cycle)[-10:]
    wanted = sorted(set(trend_cycles) | {filters.cycle, previous_cycle(filters.cycle)})
    regional_rows = score_rows(filters, region=region, cycles=wanted)
    this_cycle = [row for row in regional_rows if row.cycle == filters.cycle]

    heatmap, values, labels = _heatmap(this_cycle, domains, filters)
    guarded = differencing_risk(this_cycle)
    regional_spreads = spread_cells(this_cycle, domains)
    if england is None:
        england = england_cells(filters)
    trend_table, trend_medians = trend(regional_rows, domains, trend_cycles, region)
    figures = RegionFigures(
        region=region,
        filters=filters,
        questionnaire=questionnaire,
        heatmap=heatmap,
        heatmap_values=values,
        heatmap_rows=labels,
        spreads=spreads_table(region, filters, regional_spreads, england, guarded=guarded),
        distribution=_withhold_if(guarded, _distribution(this_cycle, domains, questionnaire)),
        movement=_withhold_if(guarded, movement(regional_rows, domains, filters.cycle)),
        trend=trend_table,
        trend_medians=trend_medians,
        trend_cycles=trend_cycles,
        versions_note=_versions_note(this_cycle, filters),
        regional_spreads=regional_spreads,
        guarded=guarded,
    )
    figures.tables = {
        "heatmap": figures.heatmap,
        "spreads": figures.spreads,
        "distribution": figures.distribution,
        "movement": figures.movement,
        "trend": figures.trend,
    }
    return figures


def _withhold_if(guarded: bool, table: Table) -> Table:
    """Withhold every figure of a table when the differencing rule applies."""
    if guarded:
        table.rows = [[row[0], *[disclosure.WITHHELD for _ in row[1:]]] for row in table.rows]
        table.notes.append(disclosure.differencing_note())
    return table


def _heatmap(
    rows: Sequence[ScoreRow], domains: Domains, filters: Filters
) -> tuple[Table, list[list[float | None]], list[str]]:
    """Named rows for sharing academies; the others pooled into one row whose cells are
    the median level, withheld where too few academies have a level."""
    grouped = by_organisation(rows)
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
        label = disclosure.group_label("Other academies", len(others))
        pooled: list[float | None] = []
        cells: list[Any] = []
        for domain_id, _title in domains:
            pooled_levels: list[int] = [
                row.level
                for scores in others
                if (row := scores.get(domain_id)) is not None and row.level is not None
            ]
            if disclosure.is_withheld(len(pooled_levels)):
                pooled.append(None)
                cells.append(disclosure.WITHHELD)
            else:
                middle = float(median(pooled_levels))
                pooled.append(middle)
                cells.append(middle)
        table.rows.append([label, *cells])
        values.append(pooled)
        labels.append(label)
        table.notes.append(disclosure.pooled_note())
    return table, values, labels


def spread_cells(rows: Sequence[ScoreRow], domains: Domains) -> SpreadCells:
    """Each section's median, quartiles and n over these rows, as table cells."""
    cells: SpreadCells = {}
    for domain_id, _title in domains:
        group = domain_spread(rows, domain_id)
        cells[domain_id] = [
            disclosure.median_cell(group),
            disclosure.quartiles_cell(group),
            disclosure.count_cell(group.n),
        ]
    return cells


def england_cells(filters: Filters) -> SpreadCells:
    """The England columns of every region's spreads table: the spread of each section
    over all academies matching the filters (one query)."""
    questionnaire = annual_questionnaire(filters)
    rows = score_rows(filters)
    return spread_cells(rows, [(domain.id, domain.title) for domain in questionnaire.domains])


def spreads_table(
    region: Region,
    filters: Filters,
    regional: SpreadCells,
    england: SpreadCells,
    *,
    guarded: bool = False,
) -> Table:
    """The region's spreads beside England's; the region's medians and quartiles withheld
    when ``guarded`` (the differencing rule)."""
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
    for domain in annual_questionnaire(filters).domains:
        middle, quartiles, count = regional[domain.id]
        if guarded:
            middle = quartiles = disclosure.WITHHELD
        table.rows.append([domain.title, middle, quartiles, count, *england[domain.id]])
    table.notes.append(disclosure.spread_rule())
    if guarded:
        table.notes.append(disclosure.differencing_note(f"the {region.name} figures"))
    return table


def _distribution(
    rows: Sequence[ScoreRow], domains: Domains, questionnaire: Questionnaire
) -> Table:
    scale = [level.value for level in questionnaire.levels]
    table = Table(
        "distribution",
        "How many academies are at each level",
        ["Section", *[level.name for level in questionnaire.levels]],
        notes=[disclosure.distribution_note()],
    )
    for domain_id, title in domains:
        levels = [r.level for r in rows if r.domain_id == domain_id and r.level is not None]
        counts = disclosure.level_distribution(levels, scale)
        if counts is None:
            table.rows.append([title, *[disclosure.WITHHELD for _ in scale]])
        else:
            table.rows.append(
                [title, *[disclosure.count_cell(counts.get(value, 0)) for value in scale]]
            )
    return table


def _versions_note(rows: Sequence[ScoreRow], filters: Filters) -> str | None:
    versions = sorted({row.version for row in rows})
    if filters.version is None and len(versions) > 1:
        return (
            f"These figures mix questionnaire versions {', '.join(versions)}: sections are "
            "compared through the ids the versions share. Filter by version to see one."
        )
    return None
