"""The OpenAPI 3 description of the open-data API, served at /api/v1/openapi.json."""

from django.conf import settings

from surveys.models import Area

# The fields of one published figure, in the order the API's JSON and CSV give them.
INDICATOR_FIELDS = ("code", "area", "group", "label", "value", "denominator", "suppressed", "shown_as")


def openapi_document() -> dict:
    year = {
        "name": "year",
        "in": "query",
        "required": False,
        "description": "A published survey year (four digits). Leave out for the latest published year.",
        "schema": {"type": "integer", "minimum": 1000, "maximum": 9999, "example": 2025},
    }
    error = {
        "description": "",
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }
    not_modified = {"description": "Not modified (the ETag in If-None-Match still matches)."}
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Milepost open data",
            "version": "1.0.0",
            "description": (
                "The coalition's published, aggregate survey figures: counts of members, never a single "
                "member's answers. Only published releases are served. Some figures are withheld: their "
                "value is null, `suppressed` is true and `shown_as` reads 'withheld'. A figure is withheld "
                f"when fewer than {settings.MIN_PUBLISHED_COUNT} members are behind it, or when it would let "
                "a reader work such a figure out; the label does not say which (see the methodology page)."
            ),
            "license": {"name": "CC BY 4.0", "url": "https://creativecommons.org/licenses/by/4.0/"},
        },
        "servers": [{"url": "/"}],
        "paths": {
            "/api/v1/indicators/": {
                "get": {
                    "summary": "Every published figure of one year",
                    "operationId": "indicators",
                    "parameters": [year],
                    "responses": {
                        "200": {
                            "description": "The year's current release.",
                            "content": {
                                "application/json": {"schema": {"$ref": "#/components/schemas/Release"}}
                            },
                        },
                        "304": not_modified,
                        "400": {**error, "description": "The year is not a four-digit number."},
                        "404": {**error, "description": "Nothing is published for that year."},
                    },
                }
            },
            "/api/v1/indicators.csv": {
                "get": {
                    "summary": "The same figures as CSV",
                    "operationId": "indicatorsCsv",
                    "parameters": [year],
                    "responses": {
                        "200": {
                            "description": (
                                "One row per indicator: year, release, code, area, group, label, value (empty "
                                "when withheld), denominator (members asked the question), suppressed "
                                "(true/false), shown_as ('withheld' or the value)."
                            ),
                            "content": {"text/csv": {"schema": {"type": "string"}}},
                        },
                        "304": not_modified,
                        "400": {**error, "description": "The year is not a four-digit number."},
                        "404": {**error, "description": "Nothing is published for that year."},
                    },
                }
            },
            "/api/v1/years/": {
                "get": {
                    "summary": "The published years",
                    "operationId": "years",
                    "responses": {
                        "200": {
                            "description": "Every published year, newest first, with its current release.",
                            "content": {
                                "application/json": {"schema": {"$ref": "#/components/schemas/Years"}}
                            },
                        },
                        "304": not_modified,
                    },
                }
            },
        },
        "components": {
            "schemas": {
                "Indicator": {
                    "type": "object",
                    "required": list(INDICATOR_FIELDS),
                    "properties": {
                        "code": {"type": "string", "example": "image_hashing.photodna"},
                        "area": {"type": "string", "enum": [*Area.values, ""]},
                        "group": {"type": "string", "example": "image_hashing"},
                        "label": {"type": "string"},
                        "value": {
                            "type": ["number", "null"],
                            "description": "A count of members (or of mileposts); null when withheld.",
                        },
                        "denominator": {
                            "type": ["integer", "null"],
                            "description": (
                                "Out of how many members: for a question, the members it was shown to who "
                                "answered it (a conditional question is asked of fewer members than responded); "
                                "for mileposts, the members in the survey year. Null where none was published, "
                                "or where the number asked is itself withheld."
                            ),
                        },
                        "suppressed": {"type": "boolean", "description": "True when the value is withheld."},
                        "shown_as": {
                            "type": "string",
                            "description": "The figure as every page shows it: 'withheld', or the value.",
                            "example": "withheld",
                        },
                    },
                },
                "Release": {
                    "type": "object",
                    "required": [
                        "year",
                        "release",
                        "release_status",
                        "published_at",
                        "min_published_count",
                        "indicators",
                    ],
                    "properties": {
                        "year": {"type": "integer"},
                        "release": {
                            "type": "integer",
                            "description": "1 for the first publication; higher after corrections.",
                        },
                        "release_status": {
                            "type": "string",
                            "enum": ["final", "interim"],
                            "description": "interim: published while the year's survey was still open, so "
                            "members approved later are not counted yet; do not compare it with other years.",
                        },
                        "public_note": {
                            "type": "string",
                            "description": "The release's public note: what a correction changed, in general "
                            "terms (empty for a first release).",
                        },
                        "published_at": {"type": "string", "format": "date-time"},
                        "respondents": {"type": ["integer", "null"]},
                        "min_published_count": {"type": "integer"},
                        "indicators": {"type": "array", "items": {"$ref": "#/components/schemas/Indicator"}},
                    },
                },
                "Years": {
                    "type": "object",
                    "required": ["years"],
                    "properties": {
                        "years": {
                            "type": "array",
                            "items": {
                                "type": "object",
                                "required": ["year", "release", "published_at", "respondents", "url"],
                                "properties": {
                                    "year": {"type": "integer"},
                                    "release": {"type": "integer"},
                                    "release_status": {"type": "string", "enum": ["final", "interim"]},
                                    "published_at": {"type": "string", "format": "date-time"},
                                    "respondents": {"type": ["integer", "null"]},
                                    "url": {"type": "string"},
                                },
                            },
                        }
                    },
                },
                "Error": {
                    "type": "object",
                    "required": ["error", "status"],
                    "properties": {"error": {"type": "string"}, "status": {"type": "integer"}},
                },
            }
        },
    }
