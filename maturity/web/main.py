"""The home page and the service's own status endpoint."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify, render_template
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
