"""The practice directory: academies named in the source documents and what each is
known for, searchable by words, section and region; administrators add and edit."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from maturity.services import directory as service
from maturity.services.questionnaires import catalogue
from maturity.services.reference import list_regions
from maturity.web.access import Policy, requires
from maturity.web.forms import DIRECTORY_KINDS as KINDS
from maturity.web.forms import DirectoryEntryForm

bp = Blueprint("directory", __name__)


def _domains() -> list[Any]:
    return list(catalogue().questionnaire("academy-maturity").domains)


@bp.route("/directory/")
@requires(Policy.SIGNED_IN)
def index() -> Any:
    text = request.args.get("q", "")[:200]
    domain = request.args.get("domain") or None
    region = request.args.get("region") or None
    entries = service.search_entries(service.all_entries(), text=text, domain=domain, region=region)
    return render_template(
        "directory/index.html",
        entries=entries,
        domains=_domains(),
        regions=list_regions(),
        region_names={r.code: r.name for r in list_regions()},
        kinds=KINDS,
        filters={"q": text, "domain": domain or "", "region": region or ""},
    )


@bp.route("/directory/<entry_slug>")
@requires(Policy.SIGNED_IN)
def entry(entry_slug: str) -> Any:
    found = service.entry_by_slug(entry_slug)
    return render_template(
        "directory/entry.html",
        entry=found,
        domain_titles={domain.id: domain.title for domain in _domains()},
        region_names={r.code: r.name for r in list_regions()},
        kinds=KINDS,
    )


def _edit(entry_slug: str | None) -> Any:
    found = service.entry_by_slug(entry_slug) if entry_slug else None
    first = found.known_for[0] if found and found.known_for else {}
    form = DirectoryEntryForm(
        data={
            "name": found.name,
            "region": found.region_code or "",
            "kind": found.kind or "",
            "launched": str(found.launched) if found.launched else "",
            "summary": found.summary,
            "funding": found.funding or "",
            "practice": first.get("text", ""),
            "domains": first.get("domains", []),
            "source_title": (first.get("source") or {}).get("title", ""),
            "source_section": (first.get("source") or {}).get("section", "") or "",
        }
        if found and request.method == "GET"
        else None
    )
    form.region.choices = [("", "Not given")] + [(r.code, r.name) for r in list_regions()]
    form.domains.choices = [(domain.id, domain.title) for domain in _domains()]
    if form.validate_on_submit():
        fields = service.EntryFields(
            name=form.name.data or "",
            region_code=form.region.data or None,
            kind=form.kind.data or None,
            launched=int(form.launched.data) if form.launched.data else None,
            summary=form.summary.data or "",
            funding=form.funding.data or None,
            practice_text=form.practice.data or "",
            practice_domains=list(form.domains.data or []),
            source_title=form.source_title.data or "",
            source_section=form.source_section.data or None,
        )
        saved = service.save_entry(found, fields, current_user._get_current_object())
        flash(f"{saved.name} has been saved", "success")
        return redirect(url_for("directory.entry", entry_slug=saved.slug))
    return render_template("directory/form.html", entry=found, form=form)


@bp.route("/admin/directory/new", methods=["GET", "POST"])
@requires(Policy.ADMIN)
def new_entry() -> Any:
    return _edit(None)


@bp.route("/admin/directory/<entry_slug>/edit", methods=["GET", "POST"])
@requires(Policy.ADMIN)
def edit_entry(entry_slug: str) -> Any:
    return _edit(entry_slug)
