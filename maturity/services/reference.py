"""Reference data: England's nine regions, loaded from ``maturity/data/regions.csv``."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path

from sqlalchemy import select

from maturity.extensions import db
from maturity.models import Region

REGIONS_FILE = Path(__file__).resolve().parent.parent / "data" / "regions.csv"


def load_regions(path: Path = REGIONS_FILE) -> tuple[int, int]:
    """Insert or update the regions from the data file; idempotent.

    Returns (added, updated).
    """
    existing = {region.code: region for region in db.session.scalars(select(Region))}
    added = updated = 0
    with path.open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            values = {
                "name": row["name"],
                "ons_code": row["ons_code"],
                "sort_order": int(row["sort_order"]),
            }
            region = existing.get(row["code"])
            if region is None:
                db.session.add(Region(code=row["code"], **values))
                added += 1
            elif any(getattr(region, key) != value for key, value in values.items()):
                for key, value in values.items():
                    setattr(region, key, value)
                updated += 1
    db.session.flush()
    return added, updated


def list_regions() -> Sequence[Region]:
    """All regions in their conventional order (North East first)."""
    return db.session.scalars(select(Region).order_by(Region.sort_order)).all()


def region_by_code(code: str) -> Region | None:
    """The region with this code, or None."""
    return db.session.scalar(select(Region).where(Region.code == code))
