"""What a route takes and answers, as its OpenAPI document says it: :class:`Operation`.

Each route states its operation where it is registered (``router.route(path, methods,
Operation(...))``), so the description sits next to the code it describes; a router that
publishes a document refuses a route without one. The request body is the marshmallow schema
class the service loads the body with, so the document shows the very schema that validates.
This module stays light (no apispec): the routers import it at cold start; the document is
built by :mod:`.openapi` on the first request for it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from marshmallow import Schema

PDF = "application/pdf"
CSV = "text/csv"

AUTH = (401, 403)
BODY = (400, 413, 415, 422)


@dataclass(frozen=True)
class Operation:
    """What one route and method take and answer (the router holds its path)."""

    summary: str
    ok: int = 200
    answer: str | None = None  # a schema of openapi.RESPONSE_SCHEMAS (JSON); None with ``media``
    media: tuple[str, ...] = ()  # binary answers: their media types
    body: type[Schema] | None = None  # the schema the service loads the JSON body with
    body_media: tuple[str, ...] = ()  # a body that is a file (not JSON): its media types
    body_required: bool = True
    errors: tuple[int, ...] = ()
    public: bool = False
    parameters: tuple[dict[str, Any], ...] = ()
    # Answers other than the success and the error body, as (status, description, schema name).
    others: tuple[tuple[int, str, str], ...] = ()


def writes(*statuses: int) -> tuple[int, ...]:
    """The errors of a route that writes in a transaction: authentication, its own, and busy."""
    return tuple(sorted({*AUTH, *statuses, 503}))


def reads(*statuses: int) -> tuple[int, ...]:
    """The errors of a route that only reads: authentication and its own."""
    return tuple(sorted({*AUTH, *statuses}))


IF_MATCH = {
    "in": "header",
    "name": "If-Match",
    "required": True,
    "description": "The etag of the draft being replaced (GET /forms/{form_id}).",
    "schema": {"type": "string"},
}
IDEMPOTENCY_KEY = {
    "in": "header",
    "name": "Idempotency-Key",
    "required": False,
    "description": "The same key with the same body returns the first result; with another body 409.",
    "schema": {"type": "string", "minLength": 1, "maxLength": 200},
}
EXPORT_PARAMS = (
    {"in": "query", "name": "format", "schema": {"type": "string", "enum": ["json", "csv", "xlsx"], "default": "json"}},
    {
        "in": "query",
        "name": "group",
        "description": "A repeat group (`section.field`) whose items to export; format=csv only.",
        "schema": {"type": "string"},
    },
)
RECOMMENDATION_FILTERS = (
    {"in": "query", "name": "unit_id", "schema": {"type": "string"}},
    {"in": "query", "name": "status", "schema": {"type": "string", "enum": ["open", "done", "dropped"]}},
)
BLANK_LANGUAGE = {
    "in": "query",
    "name": "lang",
    "description": "The language of the printed form.",
    "schema": {"type": "string", "enum": ["vi", "en"], "default": "vi"},
}
CHANGES_PARAMS = (
    {
        "in": "query",
        "name": "from",
        "description": "The earlier revision (default: the one before `to`; 0: from nothing).",
        "schema": {"type": "integer", "minimum": 0},
    },
    {
        "in": "query",
        "name": "to",
        "description": "The later revision (default: the latest).",
        "schema": {"type": "integer", "minimum": 1},
    },
)

HEALTH = Operation(
    "Liveness: no authentication, no Firestore read; deep=1 also reads one document.",
    answer="Health",
    public=True,
    parameters=({"in": "query", "name": "deep", "schema": {"type": "string"}},),
    others=((503, "deep=1 and Firestore failed (Retry-After).", "Health"),),
)
DOCUMENT = Operation("This OpenAPI document.", answer="OpenApi", public=True)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
IMPORT_PARAMS = (
    {
        "in": "query",
        "name": "id",
        "required": False,
        "description": "The form's id (instead of the settings sheet's form_id).",
        "schema": {"type": "string"},
    },
    {
        "in": "header",
        "name": "If-Match",
        "required": False,
        "description": "Replace the draft of an existing form (its etag, GET /forms/{form_id}); "
        "without it the form is created (409 if it exists).",
        "schema": {"type": "string"},
    },
)
