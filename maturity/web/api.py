"""The read-only JSON API for BI tools (Power BI, Excel): ``/api/v1/…``.

Authenticated by a personal access token (``Authorization: Bearer am_…``) or the
browser session; each endpoint shows only what the user may see on the pages, with the
same suppression. Described by OpenAPI at ``/api/v1/openapi.json``.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, current_app, g, jsonify, request
from flask_login import current_user
from werkzeug.exceptions import HTTPException

from maturity.cache import NATIONAL, Scope, cache, cached_json, cached_text
from maturity.extensions import csrf, limiter
from maturity.framework import AssessmentResult, disclosure
from maturity.models import AssessmentStatus
from maturity.services import regional
from maturity.services.assessments import assessments_for, latest_snapshot
from maturity.services.moderation import moderated_assessment_ids
from maturity.services.organisations import memberships_for
from maturity.web.access import Policy, led_region, requires
from maturity.web.openapi import openapi_document
from maturity.web.regional import (
    england_cells,
    filters_from_request,
    region_spreads,
    submitted_cycles,
)

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)  # read-only: GET only, and tokens are not cookies


def _rate_key() -> str:
    # Per signed-in user (by token or session), else per address: a caller cannot get a
    # fresh allowance by sending a different token.
    if current_user.is_authenticated:
        return f"api-user:{current_user.id}"
    return f"api-address:{request.remote_addr}"


def _rate_limit() -> str:
    return str(current_app.config["API_RATE_LIMIT"])


limiter.limit(_rate_limit, key_func=_rate_key)(bp)


@bp.errorhandler(HTTPException)
def _json_error(error: HTTPException) -> tuple[Response, int]:
    messages = {
        401: "Authentication required: send a personal access token as 'Authorization: Bearer …'",
        403: "You do not have permission to see this",
        404: "Not found",
        429: "Too many requests: slow down",
    }
    code = error.code or 500
    return jsonify(error=messages.get(code, error.description or "Error")), code


def _filters_json(filters: regional.Filters) -> dict[str, Any]:
    return {
        "cycle": filters.cycle,
        "kind": filters.kind,
        "version": filters.version,
        "moderated": filters.moderated,
    }


def _table_json(table: regional.Table) -> dict[str, Any]:
    return {
        "key": table.key,
        "caption": table.caption,
        "columns": table.head,
        "rows": table.as_dicts(),
        "notes": table.notes,
    }


def _result_json(result: AssessmentResult) -> dict[str, Any]:
    return {
        "overall": {
            "score": result.overall.score,
            "level": result.overall.level,
            "level_name": result.overall.level_name,
        },
        "domains": [
            {
                "domain_id": domain.domain_id,
                "title": domain.title,
                "score": domain.score,
                "level": domain.level,
                "level_name": domain.level_name,
                "answered": domain.completeness.answered,
                "not_applicable": domain.completeness.not_applicable,
                "unanswered": domain.completeness.unanswered,
            }
            for domain in result.domains
        ],
    }


@bp.route("/openapi.json")
@requires(Policy.PUBLIC)
def openapi() -> Any:
    return jsonify(openapi_document())


@bp.route("/me")
@requires(Policy.SIGNED_IN)
def me() -> Any:
    return jsonify(
        email=current_user.email,
        name=current_user.name,
        is_admin=bool(current_user.is_admin),
        organisations=[
            {
                "slug": membership.organisation.slug,
                "name": membership.organisation.name,
                "role": membership.role.value,
            }
            for membership in memberships_for(current_user)
        ],
        regions=[lead.region.code for lead in current_user.regional_leads],
    )


@bp.route("/organisations/<slug>/assessments")
@requires(Policy.ORG_MEMBER)
def organisation_assessments(slug: str) -> Any:
    organisation = g.organisation
    items = []
    moderated = moderated_assessment_ids(organisation)
    for assessment in assessments_for(organisation, with_snapshots=True):
        snapshot = latest_snapshot(assessment)
        submitted = assessment.status == AssessmentStatus.SUBMITTED and snapshot is not None
        items.append(
            {
                "id": assessment.id,
                "cycle": assessment.cycle,
                "questionnaire_id": assessment.questionnaire_id,
                "questionnaire_version": assessment.questionnaire_version,
                "status": assessment.status.value,
                "submitted_at": assessment.submitted_at.isoformat()
                if assessment.submitted_at
                else None,
                "result": _result_json(AssessmentResult.from_dict(snapshot.result))
                if submitted and snapshot is not None
                else None,
                "moderated": submitted and assessment.id in moderated,
            }
        )
    return jsonify(
        organisation={"slug": organisation.slug, "name": organisation.name}, assessments=items
    )


@bp.route("/regions/<code>/figures")
@requires(Policy.REGIONAL_LEAD)
def region_figures(code: str) -> Any:
    """The region's tables: its figures cached by its version, the England columns of the
    spreads table by the national version, completion by the region's version and the
    latest answer saved in its assessments in progress (as on the dashboard)."""
    found = led_region(code)
    scope, answers = Scope.region(found.id), Scope.region_answers(found.id)
    cache().versions(NATIONAL, scope, answers)  # one query for the three
    filters = filters_from_request(current=True)
    cycles = submitted_cycles()

    def render() -> dict[str, Any]:
        figures = regional.region_figures(
            found, filters, submitted=cycles, england=england_cells(filters)
        )
        return {
            # The spreads table goes in with the England columns when the answer is
            # put together (below).
            "tables": [
                None if key == "spreads" else _table_json(table)
                for key, table in figures.tables.items()
            ],
            "spreads": figures.regional_spreads,
            "guarded": figures.guarded,
        }

    key = {"region": found.code, "filters": vars(filters), "cycles": sorted(cycles)}

    def body() -> str:
        """The answer's JSON from its parts, each cached by its own version."""
        cached = cached_json("api-region-figures", key, render, by=scope)
        spreads = _table_json(region_spreads(found, filters, cached["spreads"], cached["guarded"]))
        completion = cached_json(
            "api-region-completion",
            {"region": found.code, "filters": vars(filters)},
            lambda: _table_json(
                regional.completion_table(regional.completion(found, filters), filters)
            ),
            by=[scope, answers],
        )
        answer = jsonify(
            {
                "region": {"code": found.code, "name": found.name},
                "filters": _filters_json(filters),
                "minimum_group": disclosure.MINIMUM_GROUP,
                "tables": [
                    completion,
                    *[spreads if table is None else table for table in cached["tables"]],
                ],
            }
        )
        return answer.get_data(as_text=True)

    # A repeated request is one cache entry, sent as it is: the whole answer, by every
    # version it shows; when one changes, it is put together again from the parts that
    # did not.
    text = cached_text("api-region-answer", key, body, by=[NATIONAL, scope, answers])
    return Response(text, mimetype="application/json")


@bp.route("/national/regions")
@requires(Policy.SIGNED_IN)
def national_regions() -> Any:
    filters = filters_from_request()
    table = cached_json(
        "api-national",
        {"filters": vars(filters)},
        lambda: _table_json(regional.national_comparison(filters)),
        by=NATIONAL,
    )
    return jsonify(
        filters=_filters_json(filters), minimum_group=disclosure.MINIMUM_GROUP, table=table
    )
