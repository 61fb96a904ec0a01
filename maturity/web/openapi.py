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
]


def openapi_document() -> dict[str, Any]:
    """The API description, as served at /api/v1/openapi.json."""
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
                "Error": {
                    "type": "object",
                    "required": ["error"],
                    "properties": {"error": {"type": "string"}},
                },
                "Me": {
                    "type": "object",
                    "required": ["email", "name", "is_admin", "organisations", "regions"],
                    "properties": {
                        "email": {"type": "string"},
                        "name": {"type": "string"},
                        "is_admin": {"type": "boolean"},
                        "organisations": {
                            "type": "array",
                            "items": {
                                "type": "object",
                                "required": ["slug", "name", "role"],
                                "properties": {
                                    "slug": {"type": "string"},
                                    "name": {"type": "string"},
                                    "role": {"enum": ["contributor", "lead"]},
                                },
                                "additionalProperties": False,
                            },
                        },
                        "regions": {"type": "array", "items": {"type": "string"}},
                    },
                    "additionalProperties": False,
                },
                "Filters": {
                    "type": "object",
                    "required": ["cycle", "kind", "version"],
                    "properties": {
                        "cycle": {"type": "string"},
                        "kind": {"enum": ["social_care", "health_and_care", None]},
                        "version": NULLABLE_STRING,
                    },
                    "additionalProperties": False,
                },
                "Table": {
                    "type": "object",
                    "required": ["key", "caption", "columns", "rows", "notes"],
                    "properties": {
                        "key": {"type": "string"},
                        "caption": {"type": "string"},
                        "columns": {"type": "array", "items": {"type": "string"}},
                        "rows": {
                            "type": "array",
                            "items": {"type": "object", "additionalProperties": CELL},
                        },
                        "notes": {"type": "array", "items": {"type": "string"}},
                    },
                    "additionalProperties": False,
                },
                "RegionFigures": {
                    "type": "object",
                    "required": ["region", "filters", "minimum_group", "tables"],
                    "properties": {
                        "region": {
                            "type": "object",
                            "required": ["code", "name"],
                            "properties": {"code": {"type": "string"}, "name": {"type": "string"}},
                        },
                        "filters": _ref("Filters"),
                        "minimum_group": {"type": "integer", "minimum": 1},
                        "tables": {"type": "array", "items": _ref("Table")},
                    },
                    "additionalProperties": False,
                },
                "NationalRegions": {
                    "type": "object",
                    "required": ["filters", "minimum_group", "table"],
                    "properties": {
                        "filters": _ref("Filters"),
                        "minimum_group": {"type": "integer", "minimum": 1},
                        "table": _ref("Table"),
                    },
                    "additionalProperties": False,
                },
                "Result": {
                    "type": "object",
                    "required": ["overall", "domains"],
                    "properties": {
                        "overall": {
                            "type": "object",
                            "required": ["score", "level", "level_name"],
                            "properties": {
                                "score": NULLABLE_NUMBER,
                                "level": NULLABLE_INTEGER,
                                "level_name": NULLABLE_STRING,
                            },
                        },
                        "domains": {
                            "type": "array",
                            "items": {
                                "type": "object",
                                "required": [
                                    "domain_id",
                                    "title",
                                    "score",
                                    "level",
                                    "level_name",
                                    "answered",
                                    "not_applicable",
                                    "unanswered",
                                ],
                                "properties": {
                                    "domain_id": {"type": "string"},
                                    "title": {"type": "string"},
                                    "score": NULLABLE_NUMBER,
                                    "level": NULLABLE_INTEGER,
                                    "level_name": NULLABLE_STRING,
                                    "answered": {"type": "integer"},
                                    "not_applicable": {"type": "integer"},
                                    "unanswered": {"type": "integer"},
                                },
                                "additionalProperties": False,
                            },
                        },
                    },
                    "additionalProperties": False,
                },
                "OrganisationAssessments": {
                    "type": "object",
                    "required": ["organisation", "assessments"],
                    "properties": {
                        "organisation": {
                            "type": "object",
                            "required": ["slug", "name"],
                            "properties": {"slug": {"type": "string"}, "name": {"type": "string"}},
                        },
                        "assessments": {
                            "type": "array",
                            "items": {
                                "type": "object",
                                "required": [
                                    "id",
                                    "cycle",
                                    "questionnaire_id",
                                    "questionnaire_version",
                                    "status",
                                    "submitted_at",
                                    "result",
                                ],
                                "properties": {
                                    "id": {"type": "integer"},
                                    "cycle": {"type": "string"},
                                    "questionnaire_id": {"type": "string"},
                                    "questionnaire_version": {"type": "string"},
                                    "status": {"enum": ["draft", "submitted"]},
                                    "submitted_at": NULLABLE_STRING,
                                    "result": {"oneOf": [_ref("Result"), {"type": "null"}]},
                                },
                                "additionalProperties": False,
                            },
                        },
                    },
                    "additionalProperties": False,
                },
            },
        },
    }
