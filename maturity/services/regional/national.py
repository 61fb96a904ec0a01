"""The national comparison: region × section medians, for everyone signed in."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from maturity.extensions import db
from maturity.framework import disclosure
from maturity.models import Organisation, OrganisationStatus, Region
from maturity.services.regional.filters import Filters, annual_questionnaire
from maturity.services.regional.rows import ScoreRow, domain_spread, score_rows
from maturity.services.tables import Table


def national_comparison(filters: Filters) -> Table:
    """Region × section medians with n; cells under the minimum group size withheld."""
    questionnaire = annual_questionnaire(filters)
    regions = db.session.scalars(select(Region).order_by(Region.sort_order)).all()
    rows = score_rows(filters)
    table = Table(
        "regions",
        f"Median section score by region, {filters.describe()}",
        ["Region", *[domain.title for domain in questionnaire.domains], "Academies (n)"],
    )

    def line(name: str, group: list[ScoreRow]) -> list[Any]:
        medians = [
            disclosure.median_cell(domain_spread(group, domain.id))
            for domain in questionnaire.domains
        ]
        count = len({row.organisation_id for row in group})
        return [name, *medians, disclosure.count_cell(count)]

    for region in regions:
        table.rows.append(line(region.name, [row for row in rows if row.region_id == region.id]))
    table.rows.append(line("England", rows))
    table.notes.append(disclosure.region_note())
    return table


def regions_without_academies() -> frozenset[str]:
    """The names of regions with no academy yet (councils still scoping one do not count):
    their rows in the comparison say so rather than showing withheld figures."""
    with_academies = select(Organisation.region_id).where(
        Organisation.status != OrganisationStatus.SCOPING
    )
    names = select(Region.name).where(Region.id.not_in(with_academies))
    return frozenset(db.session.scalars(names))
