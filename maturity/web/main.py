"""The home page and the service's own status endpoint."""

from __future__ import annotations

import re
from typing import Any

import redis
from flask import Blueprint, Response, abort, current_app, jsonify, render_template
from flask_login import current_user
from sqlalchemy import text

from maturity.extensions import db
from maturity.services.mail import emails_waiting
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
    """Liveness, for a process supervisor: the app answers. It does not depend on the
    database or Redis, so a fault there does not get healthy workers restarted."""
    return jsonify(status="ok")


@bp.route("/readyz")
@requires(Policy.PUBLIC)
def readyz() -> Any:
    """Readiness, for a load balancer and an operator: each dependency on its own.

    503 only when the service cannot serve (the database); Redis down is "degraded":
    pages keep working with limits counted per worker and caches in memory.
    """
    checks = {
        "database": _check(lambda: db.session.execute(text("SELECT 1"))),
        "redis": _redis_check(),
        "mail_queue": {"status": "ok", "waiting": emails_waiting()},
    }
    if checks["database"]["status"] != "ok":
        status, code = "not ready", 503
    elif any(check["status"] != "ok" for check in checks.values()):
        status, code = "degraded", 200
    else:
        status, code = "ready", 200
    response = jsonify(status=status, checks=checks)
    response.status_code = code
    response.headers["Cache-Control"] = "no-store"
    return response


def _check(probe: Any) -> dict[str, Any]:
    try:
        probe()
    except Exception as error:  # noqa: BLE001 - any failure is the answer
        db.session.rollback()
        return {"status": "unavailable", "error": type(error).__name__}
    return {"status": "ok"}


def _redis_check() -> dict[str, Any]:
    url = current_app.config.get("REDIS_URL")
    if not url:
        return {"status": "ok", "detail": "not configured: limits and caches per worker"}
    client = redis.Redis.from_url(url, socket_connect_timeout=0.5, socket_timeout=0.5)
    try:
        found = _check(client.ping)
    finally:
        client.close()
    if found["status"] != "ok":
        found["effect"] = "limits counted per worker, caches in memory; pages keep working"
    return found


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
