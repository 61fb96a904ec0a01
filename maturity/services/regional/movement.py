"""Movement between levels since the previous cycle, and the trend of medians by cycle."""

from __future__ import annotations

from collections.abc import Sequence

from maturity.framework import disclosure
from maturity.models import Region
from maturity.services.regional.filters import previous_cycle
from maturity.services.regional.rows import ScoreRow, differencing_risk, domain_spread
from maturity.services.tables import Table

WITHHELD = disclosure.WITHHELD


def movement(rows: Sequence[ScoreRow], domains: list[tuple[str, str]], cycle: str) -> Table:
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
        count = disclosure.count_cell(len(pairs))
        if disclosure.is_withheld(len(pairs)):
            table.rows.append([title, WITHHELD, WITHHELD, WITHHELD, count])
            continue
        up = sum(1 for old, new in pairs if new > old)
        down = sum(1 for old, new in pairs if new < old)
        stayed = len(pairs) - up - down
        table.rows.append([title, *[disclosure.count_cell(n) for n in (up, stayed, down)], count])
    return table


def movement_sentences(table: Table) -> list[str]:
    """E.g. "4 academies moved up in Funding and sustainability"."""
    sentences = []
    for title, up, _stayed, down, _n in table.rows:
        for count, direction in ((up, "up"), (down, "down")):
            if count not in (WITHHELD, 0):
                noun = "academy" if count == 1 else "academies"
                sentences.append(f"{count} {noun} moved {direction} in {title}")
    return sentences


def trend(
    rows: Sequence[ScoreRow], domains: list[tuple[str, str]], cycles: list[str], region: Region
) -> tuple[Table, dict[str, list[float | None]]]:
    table = Table("trend", f"Median section score in {region.name} by cycle", ["Section", *cycles])
    medians: dict[str, list[float | None]] = {}
    by_cycle = {cycle: [r for r in rows if r.cycle == cycle] for cycle in cycles}
    for domain_id, title in domains:
        line: list[float | None] = []
        for cycle in cycles:
            in_cycle = by_cycle[cycle]
            group = domain_spread(in_cycle, domain_id)
            hidden = group.suppressed or differencing_risk(in_cycle)
            line.append(None if hidden else group.median)
        medians[title] = line
        table.rows.append([title, *[value if value is not None else WITHHELD for value in line]])
    return table, medians
