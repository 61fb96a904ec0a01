"""The regional lead's pages: the organisations in each region they lead."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, render_template
from flask_login import current_user

from maturity.services.organisations import list_organisations
from maturity.services.reference import list_regions, region_by_code
from maturity.web.access import Policy, requires

bp = Blueprint("regional", __name__, url_prefix="/regions")


def _regions_for_user() -> list[Any]:
    if current_user.is_admin:
        return list(list_regions())
    return sorted((lead.region for lead in current_user.regional_leads), key=lambda r: r.sort_order)


@bp.route("/")
@requires(Policy.REGIONAL_LEAD)
def index() -> Any:
    return render_template("regional/index.html", regions=_regions_for_user())


@bp.route("/<code>")
@requires(Policy.REGIONAL_LEAD)
def region(code: str) -> Any:
    found = region_by_code(code)
    if found is None:
        abort(404)
    if found not in _regions_for_user():
        abort(403)
    return render_template(
        "regional/region.html", region=found, organisations=list_organisations(found)
    )
