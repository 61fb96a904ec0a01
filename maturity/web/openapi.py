"""The OpenAPI 3.1 description of the read-only API (checked against real responses)."""

from __future__ import annotations

from typing import Any

from maturity.framework import disclosure

NULLABLE_NUMBER = {"type": ["number", "null"]}
NULLABLE_INTEGER = {"type": ["integer", "null"]}
NULLABLE_STRING = {"type": ["string", "null"]}
CELL = {
    "type": ["string", "number", "null"],
    "description": f"A figure, or '{disclosure.WITHHELD}'.",
}


STRING = {"type": "string"}
INTEGER = {"type": "integer"}


def _object(**properties: Any) -> dict[str, Any]:
    """An object with exactly these properties, all required."""
    return {
        "type": "object",
        "required": list(properties),
        "properties": properties,
        "additionalProperties": False,
    }


def _array(items: dict[str, Any]) -> dict[str, Any]:
    return {"type": "array", "items": items}


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _get(summary: str, schema: str, parameters: list[dict[str, Any]] | None = None) -> dict:
    return {
        "get": {
            "summary": summary,
            "parameters": parameters or [],
            "responses": {
                "200": {
                    "description": "OK",
                    "content": {"application/json": {"schema": _ref(schema)}},
                },
                "401": {
                    "description": "No or invalid token",
                    "content": {"application/json": {"schema": _ref("Error")}},
                },
                "403": {
                    "description": "Not allowed",
                    "content": {"application/json": {"schema": _ref("Error")}},
                },
                "429": {
                    "description": "Rate limited",
                    "content": {"application/json": {"schema": _ref("Error")}},
                },
            },
        }
    }


FILTER_PARAMETERS = [
    {
        "name": "cycle",
        "in": "query",
        "required": False,
        "schema": {"type": "string"},
        "description": "A cycle such as 2025/26 (default: the latest).",
    },
    {
        "name": "kind",
        "in": "query",
        "required": False,
        "schema": {"type": "string", "enum": ["social_care", "health_and_care"]},
    },
    {
        "name": "version",
        "in": "query",
        "required": False,
        "schema": {"type": "string"},
        "description": "A questionnaire version (default: all versions).",
    },
    {
        "name": "moderated",
        "in": "query",
        "required": False,
        "schema": {"type": "string", "enum": ["yes"]},
        "description": "yes: only assessments that have been moderated.",
    },
]


def openapi_document() -> dict[str, Any]:
    """The API description, as served at /api/v1/openapi.json (its wording of the
    disclosure rule from ``maturity.framework.disclosure``, read on every call)."""
    minimum_group = {
        "type": "integer",
        "minimum": 1,
        "description": f"Figures about fewer academies than this are withheld "
        f"(now {disclosure.MINIMUM_GROUP}).",
    }
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Academy Maturity API",
            "version": "1.0.0",
            "description": (
                f"Read-only figures for BI tools. {disclosure.rule()} (the value "
                f"'{disclosure.WITHHELD}'); academies are named only where they share their "
                "results."
            ),
        },
        "servers": [{"url": "/api/v1"}],
        "security": [{"bearer": []}, {"session": []}],
        "paths": {
            "/me": _get("Who the token belongs to", "Me"),
            "/organisations/{slug}/assessments": _get(
                "Your organisation's assessments and submitted results",
                "OrganisationAssessments",
                [{"name": "slug", "in": "path", "required": True, "schema": {"type": "string"}}],
            ),
            "/regions/{code}/figures": _get(
                "A region's dashboard figures (regional leads of that region)",
                "RegionFigures",
                [
                    {"name": "code", "in": "path", "required": True, "schema": {"type": "string"}},
                    *FILTER_PARAMETERS,
                ],
            ),
            "/national/regions": _get(
                "Median section score by region", "NationalRegions", FILTER_PARAMETERS
            ),
        },
        "components": {
            "securitySchemes": {
                "bearer": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "A personal access token from Your account.",
                },
                "session": {"type": "apiKey", "in": "cookie", "name": "session"},
            },
            "schemas": {
                "Error": _object(error=STRING),
                "Me": _object(
                    email=STRING,
                    name=STRING,
                    is_admin={"type": "boolean"},
                    organisations=_array(
                        _object(slug=STRING, name=STRING, role={"enum": ["contributor", "lead"]})
                    ),
                    regions=_array(STRING),
                ),
                "Filters": _object(
                    cycle=STRING,
                    kind={"enum": ["social_care", "health_and_care", None]},
                    version=NULLABLE_STRING,
                    moderated={"type": "boolean"},
                ),
                "Table": _object(
                    key=STRING,
                    caption=STRING,
                    columns=_array(STRING),
                    rows=_array({"type": "object", "additionalProperties": CELL}),
                    notes=_array(STRING),
                ),
                "RegionFigures": _object(
                    region=_object(code=STRING, name=STRING),
                    filters=_ref("Filters"),
                    minimum_group=minimum_group,
                    tables=_array(_ref("Table")),
                ),
                "NationalRegions": _object(
                    filters=_ref("Filters"), minimum_group=minimum_group, table=_ref("Table")
                ),
                "Result": _object(
                    overall=_object(
                        score=NULLABLE_NUMBER, level=NULLABLE_INTEGER, level_name=NULLABLE_STRING
                    ),
                    domains=_array(
                        _object(
                            domain_id=STRING,
                            title=STRING,
                            score=NULLABLE_NUMBER,
                            level=NULLABLE_INTEGER,
                            level_name=NULLABLE_STRING,
                            answered=INTEGER,
                            not_applicable=INTEGER,
                            unanswered=INTEGER,
                        )
                    ),
                ),
                "OrganisationAssessments": _object(
                    organisation=_object(slug=STRING, name=STRING),
                    assessments=_array(
                        _object(
                            id=INTEGER,
                            cycle=STRING,
                            questionnaire_id=STRING,
                            questionnaire_version=STRING,
                            status={"enum": ["draft", "submitted"]},
                            submitted_at=NULLABLE_STRING,
                            result={"oneOf": [_ref("Result"), {"type": "null"}]},
                            moderated={"type": "boolean"},
                        )
                    ),
                ),
            },
        },
    }
