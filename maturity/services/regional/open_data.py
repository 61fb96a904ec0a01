"""Open data: the anonymised national aggregates of a cycle, published as a CSV file."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select

from maturity.extensions import db
from maturity.framework import disclosure
from maturity.models import OpenDataRelease, User
from maturity.services import audit
from maturity.services.regional.filters import (
    ANNUAL,
    Filters,
    annual_questionnaire,
    available_cycles,
)
from maturity.services.regional.national import national_comparison
from maturity.services.regional.rows import domain_spread, score_rows
from maturity.services.tables import Table


def open_data_table(cycle: str) -> Table:
    """Region × section medians with n, and the national spread of each section: no
    academy named, nothing under the minimum group size (one row per figure)."""
    filters = Filters(cycle=cycle)
    by_region = national_comparison(filters)
    questionnaire = annual_questionnaire(filters)
    rows = score_rows(filters)
    table = Table(
        "open-data",
        f"Academy maturity national aggregates, {cycle}",
        ["measure", "cycle", "region", "section", "value", "academies"],
    )
    for row in by_region.rows:
        region_name, *cells, count = row
        for domain, cell in zip(questionnaire.domains, cells, strict=True):
            table.rows.append(["median score", cycle, region_name, domain.title, cell, count])
    for domain in questionnaire.domains:
        group = domain_spread(rows, domain.id)
        for measure, value in (
            ("lower quartile score", group.lower_quartile),
            ("upper quartile score", group.upper_quartile),
        ):
            table.rows.append(
                [
                    measure,
                    cycle,
                    "England",
                    domain.title,
                    disclosure.quartile_value(group, value),
                    disclosure.count_cell(group.n),
                ]
            )
    note = f"{disclosure.rule()} Scores run from 1 (First steps) to 5 (Disruptive)."
    table.rows.append(["note", cycle, "", "", note, ""])
    return table


def open_data_csv(cycle: str) -> str:
    return open_data_table(cycle).to_csv()


def publish_open_data(cycle: str, user: User) -> OpenDataRelease:
    """Publish (or republish) the open data file for a cycle."""
    if cycle not in available_cycles():
        raise ValueError(f"Unknown cycle {cycle!r}")
    release = open_data_release(cycle)
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
