"""Open data: the anonymised national aggregates of a cycle, published as a CSV file."""

from __future__ import annotations

import hashlib
from collections.abc import Collection, Sequence
from datetime import date

from sqlalchemy import select

from maturity.extensions import db
from maturity.framework import disclosure
from maturity.framework.periods import Cycle
from maturity.models import OpenDataRelease, User, utcnow
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
    # How many academies' assessments in England were moderated (a count: withheld under
    # the minimum group like every other).
    *_, moderated = national_comparison(Filters(cycle=cycle, moderated=True)).rows[-1]
    table.rows.append(["moderated academies", cycle, "England", "", moderated, moderated])
    note = f"{disclosure.rule()} Scores run from 1 (First steps) to 5 (Disruptive)."
    table.rows.append(["note", cycle, "", "", note, ""])
    return table


def open_data_csv(cycle: str) -> str:
    return open_data_table(cycle).to_csv()


def last_complete_cycle(submitted: Collection[str], today: date | None = None) -> str:
    """The cycle publishing offers first: the newest one that has ended with submitted
    assessments (the cycle under way is still changing), else the newest available."""
    current = str(Cycle.current(today))
    complete = [cycle for cycle in submitted if cycle < current]
    return max(complete, default=available_cycles(submitted, today)[0])


def file_digest(csv_text: str) -> str:
    """A short fingerprint of a file: the preview carries it, so that what is published is
    exactly the file the administrator checked."""
    return hashlib.sha256(csv_text.encode("utf-8")).hexdigest()[:16]


class OpenDataError(Exception):
    """Publishing or withdrawing refused; the message is for the administrator."""


def publish_open_data(cycle: str, user: User, *, checked: str | None = None) -> OpenDataRelease:
    """Publish (or republish) the open data file for a cycle; with ``checked`` (the
    digest of the previewed file), only if the file is still exactly that one."""
    if cycle not in available_cycles():
        raise ValueError(f"Unknown cycle {cycle!r}")
    csv_text = open_data_csv(cycle)
    if checked is not None and file_digest(csv_text) != checked:
        raise OpenDataError(
            "The figures have changed since the preview (an assessment was submitted or "
            "reopened). Check the new preview, then publish"
        )
    release = open_data_release(cycle)
    if release is None:
        release = OpenDataRelease(questionnaire_id=ANNUAL, cycle=cycle, csv_text="")
        db.session.add(release)
    release.csv_text = csv_text
    release.published_by_id = user.id
    release.withdrawn_at = None
    release.withdrawal_reason = None
    release.withdrawn_by_id = None
    db.session.flush()
    audit.record(
        "open_data_published",
        f"Published the open data file for {cycle}",
        actor=user,
        detail={"cycle": cycle, "digest": file_digest(csv_text)},
    )
    return release


def withdraw_open_data(release: OpenDataRelease, reason: str, user: User) -> None:
    """Withdraw a published file: it is no longer served, and the open data page says
    when and why."""
    reason = reason.strip()
    if not reason:
        raise OpenDataError("Enter why the file is being withdrawn")
    if release.withdrawn_at is not None:
        raise OpenDataError(f"The {release.cycle} file has already been withdrawn")
    release.withdrawn_at = utcnow()
    release.withdrawal_reason = reason
    release.withdrawn_by_id = user.id
    db.session.flush()
    audit.record(
        "open_data_withdrawn",
        f"Withdrew the open data file for {release.cycle}: {reason}",
        actor=user,
        detail={"cycle": release.cycle, "reason": reason},
    )


def open_data_releases() -> Sequence[OpenDataRelease]:
    """Published open data files (withdrawn ones included), newest cycle first."""
    return db.session.scalars(select(OpenDataRelease).order_by(OpenDataRelease.cycle.desc())).all()


def open_data_release(cycle: str) -> OpenDataRelease | None:
    return db.session.scalar(
        select(OpenDataRelease).where(
            OpenDataRelease.questionnaire_id == ANNUAL, OpenDataRelease.cycle == cycle
        )
    )
