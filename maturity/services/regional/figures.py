"""The regional lead's dashboard: heatmap, spreads and distribution of levels, with the
movement and trend tables from ``movement``, all under the disclosure rules."""

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


def region_figures(
    region: Region, filters: Filters, *, submitted: Collection[str] | None = None
) -> RegionFigures:
    """The regional lead's dashboard figures from submissions (a fixed number of queries).

    Completion, which changes with every saved answer, is separate: ``completion``.
    """
    questionnaire = annual_questionnaire(filters)
    domains = [(domain.id, domain.title) for domain in questionnaire.domains]
    cycles = available_cycles(submitted)
    trend_cycles = sorted(cycle for cycle in cycles if cycle <= filters.cycle)[-10:]
    wanted = sorted(set(trend_cycles) | {filters.cycle, previous_cycle(filters.cycle)})
    regional_rows = score_rows(filters, region=region, cycles=wanted)
    national_rows = score_rows(filters)
    this_cycle = [row for row in regional_rows if row.cycle == filters.cycle]

    heatmap, values, labels = _heatmap(this_cycle, domains, filters)
    guarded = differencing_risk(this_cycle)
    trend_table, trend_medians = trend(regional_rows, domains, trend_cycles, region)
    figures = RegionFigures(
        region=region,
        filters=filters,
        questionnaire=questionnaire,
        heatmap=heatmap,
        heatmap_values=values,
        heatmap_rows=labels,
        spreads=_spreads(this_cycle, national_rows, domains, region, guarded=guarded),
        distribution=_withhold_if(guarded, _distribution(this_cycle, domains, questionnaire)),
        movement=_withhold_if(guarded, movement(regional_rows, domains, filters.cycle)),
        trend=trend_table,
        trend_medians=trend_medians,
        trend_cycles=trend_cycles,
        versions_note=_versions_note(this_cycle, filters),
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


def _spreads(
    regional: Sequence[ScoreRow],
    national: Sequence[ScoreRow],
    domains: Domains,
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
        here = domain_spread(regional, domain_id)
        everywhere = domain_spread(national, domain_id)
        table.rows.append(
            [
                title,
                disclosure.WITHHELD if guarded else disclosure.median_cell(here),
                disclosure.WITHHELD if guarded else disclosure.quartiles_cell(here),
                disclosure.count_cell(here.n),
                disclosure.median_cell(everywhere),
                disclosure.quartiles_cell(everywhere),
                disclosure.count_cell(everywhere.n),
            ]
        )
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
