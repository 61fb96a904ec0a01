"""The home page and the service's own status endpoint."""

from __future__ import annotations

import re
from typing import Any

from flask import Blueprint, Response, abort, jsonify, render_template
from flask_login import current_user
from sqlalchemy import text

from maturity.extensions import db
from maturity.services.organisations import memberships_for
from maturity.web.access import Policy, requires

bp = Blueprint("main", __name__)


@bp.route("/")
@requires(Policy.PUBLIC)
def home() -> Any:
    if not current_user.is_authenticated:
        return render_template("start.html")
    return render_template(
        "home.html",
        memberships=memberships_for(current_user),
        regions=[lead.region for lead in current_user.regional_leads],
    )


@bp.route("/healthz")
@requires(Policy.PUBLIC)
def healthz() -> Any:
    """For load balancers: the app answers and its database does too."""
    db.session.execute(text("SELECT 1"))
    return jsonify(status="ok")


@bp.route("/accessibility")
@requires(Policy.PUBLIC)
def accessibility() -> Any:
    return render_template("accessibility.html")


@bp.route("/charts/<digest>.svg")
@requires(Policy.SIGNED_IN)
def chart(digest: str) -> Any:
    """A chart image from the cache; its address is a hash of its content."""
    from maturity.web.charts import cached_chart

    if not re.fullmatch(r"[0-9a-f]{40}", digest):
        abort(404)
    svg = cached_chart(digest)
    if svg is None:
        abort(404)
    return Response(
        svg,
        mimetype="image/svg+xml",
        headers={
            "Cache-Control": "private, max-age=31536000, immutable",
            # An SVG image may style itself; it can never run script.
            "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'",
        },
    )
