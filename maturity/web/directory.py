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

bp = Blueprint("directory", __name__)

KINDS = {"social_care": "Social care only", "health_and_care": "Health and care"}


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


def _fields_from_form(errors: dict[str, str]) -> service.EntryFields | None:
    form = request.form
    name = form.get("name", "").strip()
    if not name:
        errors["name"] = "Enter the academy's name"
    elif len(name) > 200:
        errors["name"] = "The name must be 200 characters or fewer"
    region = form.get("region") or None
    if region and region not in {r.code for r in list_regions()}:
        errors["region"] = "Select a region from the list"
    kind = form.get("kind") or None
    if kind and kind not in KINDS:
        errors["kind"] = "Select the kind of academy"
    launched_text = form.get("launched", "").strip()
    launched = None
    if launched_text:
        if (
            launched_text.isascii()
            and launched_text.isdigit()
            and 1990 <= int(launched_text) <= 2100
        ):
            launched = int(launched_text)
        else:
            errors["launched"] = "Enter the launch year as four digits, like 2023"
    practice = form.get("practice", "").strip()
    if not practice:
        errors["practice"] = "Enter what the academy is known for"
    domains = [d for d in form.getlist("domains") if d in {x.id for x in _domains()}]
    if not domains:
        errors["domains"] = "Select at least one section the practice belongs to"
    source = form.get("source_title", "").strip()
    if not source:
        errors["source_title"] = "Enter the source of this fact"
    if errors:
        return None
    return service.EntryFields(
        name=name,
        region_code=region,
        kind=kind,
        launched=launched,
        summary=form.get("summary", "").strip()[:2000],
        funding=(form.get("funding", "").strip() or None),
        practice_text=practice[:1000],
        practice_domains=domains,
        source_title=source[:300],
        source_section=(form.get("source_section", "").strip()[:300] or None),
    )


def _edit(entry_slug: str | None) -> Any:
    found = service.entry_by_slug(entry_slug) if entry_slug else None
    errors: dict[str, str] = {}
    if request.method == "POST":
        fields = _fields_from_form(errors)
        if fields is not None:
            saved = service.save_entry(found, fields, current_user._get_current_object())
            flash(f"{saved.name} has been saved", "success")
            return redirect(url_for("directory.entry", entry_slug=saved.slug))
    first = found.known_for[0] if found and found.known_for else {}
    values = {
        "name": found.name if found else "",
        "region": found.region_code if found else "",
        "kind": found.kind if found else "",
        "launched": str(found.launched) if found and found.launched else "",
        "summary": found.summary if found else "",
        "funding": found.funding if found and found.funding else "",
        "practice": first.get("text", ""),
        "domains": first.get("domains", []),
        "source_title": (first.get("source") or {}).get("title", ""),
        "source_section": (first.get("source") or {}).get("section", "") or "",
    }
    if request.method == "POST":
        values.update({key: request.form.get(key, "") for key in values if key != "domains"})
        values["domains"] = request.form.getlist("domains")
    return render_template(
        "directory/form.html",
        entry=found,
        values=values,
        errors=errors,
        domains=_domains(),
        regions=list_regions(),
        kinds=KINDS,
    )


@bp.route("/admin/directory/new", methods=["GET", "POST"])
@requires(Policy.ADMIN)
def new_entry() -> Any:
    return _edit(None)


@bp.route("/admin/directory/<entry_slug>/edit", methods=["GET", "POST"])
@requires(Policy.ADMIN)
def edit_entry(entry_slug: str) -> Any:
    return _edit(entry_slug)
