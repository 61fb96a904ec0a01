"""The practice directory in the database: loaded from the data file, kept by admins."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import NoResultFound

from maturity.extensions import db
from maturity.framework.directory import load_practice_directory
from maturity.models import DirectoryEntry, User
from maturity.services import audit
from maturity.services.questionnaires import catalogue

DIRECTORY_FILE = Path(__file__).resolve().parent.parent / "data" / "practice-directory.yaml"


def load_directory_file(path: Path = DIRECTORY_FILE) -> tuple[int, int]:
    """Add the data file's entries that are not in the database yet (by slug).

    Entries already present are left alone, so administrators' edits survive a reload.
    Returns (added, already present).
    """
    annual = catalogue().questionnaire("academy-maturity")
    directory = load_practice_directory(
        path, domain_ids=annual.domain_ids, indicator_ids=annual.indicator_ids
    )
    existing = set(db.session.scalars(select(DirectoryEntry.slug)))
    sources = directory.sources

    def cite(ref: Any) -> dict[str, Any] | None:
        if ref is None:
            return None
        source = sources[ref.ref]
        return {
            "title": source.title,
            "section": ref.section,
            "file": source.file,
            "url": source.url,
        }

    added = 0
    for entry in directory.entries:
        if entry.id in existing:
            continue

        db.session.add(
            DirectoryEntry(
                slug=entry.id,
                name=entry.name,
                region_code=entry.region,
                kind=entry.kind,
                host_body_type=entry.host_body_type,
                launched=entry.launched,
                locality=entry.locality,
                delivery_mode=entry.delivery_mode,
                funding=entry.funding,
                summary=entry.summary,
                known_for=[
                    {
                        "text": item.text,
                        "domains": list(item.domains),
                        "indicators": list(item.indicators),
                        "source": cite(item.source),
                    }
                    for item in entry.known_for
                ],
                facts_source=_facts_source(cite(entry.facts_source), entry.region_from_name),
            )
        )
        added += 1
    db.session.flush()
    return added, len(existing)


def _facts_source(cited: dict[str, Any] | None, region_from_name: bool) -> dict[str, Any] | None:
    """Where the profile facts come from, as stored: the cited page, and whether the region
    follows from the academy's name rather than from that page."""
    if not region_from_name:
        return cited
    return {**(cited or {}), "region_from_name": True}


def all_entries() -> Sequence[DirectoryEntry]:
    """Every directory entry, by name."""
    return db.session.scalars(select(DirectoryEntry).order_by(DirectoryEntry.name)).all()


def entry_by_slug(slug: str) -> DirectoryEntry:
    """The entry with this slug; NoResultFound (a 404) if none."""
    found = db.session.scalar(select(DirectoryEntry).where(DirectoryEntry.slug == slug))
    if found is None:
        raise NoResultFound(f"No directory entry {slug!r}")
    return found


def search_entries(
    entries: Sequence[DirectoryEntry],
    *,
    text: str = "",
    domain: str | None = None,
    region: str | None = None,
) -> list[DirectoryEntry]:
    """Entries matching all the filters: words in the name, summary or practice texts
    (case-insensitive), tagged with the domain, in the region."""
    needle = text.strip().lower()
    found = []
    for entry in entries:
        if region and entry.region_code != region:
            continue
        if domain and not any(domain in item.get("domains", []) for item in entry.known_for):
            continue
        haystack = " ".join(
            [entry.name, entry.summary or ""] + [item.get("text", "") for item in entry.known_for]
        ).lower()
        if needle and needle not in haystack:
            continue
        found.append(entry)
    return found


def known_for(
    entries: Sequence[DirectoryEntry], *, domain_id: str, indicator_id: str | None = None
) -> list[tuple[DirectoryEntry, dict[str, Any]]]:
    """Directory practice for a next step: items tagged with the indicator first, then
    with the domain, one per academy."""
    exact, broad = [], []
    for entry in entries:
        for item in entry.known_for:
            if indicator_id and indicator_id in item.get("indicators", []):
                exact.append((entry, item))
                break
        else:
            for item in entry.known_for:
                if domain_id in item.get("domains", []):
                    broad.append((entry, item))
                    break
    return exact + broad


@dataclass(frozen=True)
class EntryFields:
    """What an administrator can set on a directory entry."""

    name: str
    region_code: str | None
    kind: str | None
    launched: int | None
    summary: str
    funding: str | None
    practice_text: str
    practice_domains: list[str]
    source_title: str
    source_section: str | None


def save_entry(entry: DirectoryEntry | None, fields: EntryFields, user: User) -> DirectoryEntry:
    """Create an entry, or edit one (its first practice item is the one edited)."""
    from maturity.services.organisations import slugify

    if entry is None:
        entry = DirectoryEntry(slug=_free_slug(slugify(fields.name)), known_for=[])
        db.session.add(entry)
    entry.name = fields.name
    entry.region_code = fields.region_code
    entry.kind = fields.kind
    entry.launched = fields.launched
    entry.summary = fields.summary
    entry.funding = fields.funding
    item = {
        "text": fields.practice_text,
        "domains": fields.practice_domains,
        "indicators": list(entry.known_for[0].get("indicators", [])) if entry.known_for else [],
        "source": {
            "title": fields.source_title,
            "section": fields.source_section,
            "file": None,
            "url": None,
        },
    }
    entry.known_for = [item, *entry.known_for[1:]]
    entry.edited_by_id = user.id
    db.session.flush()
    audit.record("directory_edited", f"Directory entry {entry.name} saved", actor=user)
    return entry


def _free_slug(base: str) -> str:
    slug, suffix = base, 2
    while db.session.scalar(select(DirectoryEntry.id).where(DirectoryEntry.slug == slug)):
        slug, suffix = f"{base[:76]}-{suffix}", suffix + 1
    return slug
