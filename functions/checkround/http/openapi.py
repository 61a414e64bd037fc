"""The OpenAPI 3.1 documents of ``admin_api`` and ``unit_api``, generated from the routers.

The paths come from the functions' own :class:`~checkround.http.core.Router` (werkzeug rules),
and the request bodies from the marshmallow schemas the services load them with (apispec's
``MarshmallowPlugin``), so the document cannot drift from what the code accepts. What a
router's rule means (its bodies, answers and errors) is described in :data:`OPERATIONS`; a rule
without an entry there fails :func:`build` loudly rather than being left out of the document
(``tests/unit/test_openapi.py`` builds both). Served as ``GET /<function>/openapi.json``,
generated on the first request and cached for the life of the instance.
"""

from __future__ import annotations

import json
import re
import threading
from dataclasses import dataclass
from typing import Any

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from marshmallow import RAISE, Schema, fields

from checkround.errors import CATALOG
from checkround.forms.definition import FormDefinitionSchema, LocalizedSchema
from checkround.inputs_common import FullMatch
from checkround.rounds.inputs import ReopenInput, ReturnInput, RoundInput, TokensInput, UnitInput

from .core import IdConverter, Router

PDF = "application/pdf"
CSV = "text/csv"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
JSON = "application/json"


class SubmissionInput(Schema):
    """The body of a unit's draft and submission (checked by ``submissions.service``; the
    answers themselves are validated against the round's pinned form, not described here)."""

    class Meta:
        unknown = RAISE

    answers = fields.Dict(required=True, metadata={"description": "Answers keyed by section, then field key."})
    unit_id = fields.String(
        validate=FullMatch(IdConverter.regex),
        metadata={"description": "Optional; if it is not the token's unit the answer is 403."},
    )


# -- response shapes -----------------------------------------------------------------------------
# Plain JSON Schema (2020-12, as OpenAPI 3.1 takes it). They name what a client can rely on and
# leave objects open (additional properties allowed): the API may add fields (API.md).

_TIME = {"type": "string", "format": "date-time"}
_TIME_OR_NULL = {"type": ["string", "null"], "format": "date-time"}
_INT_OR_NULL = {"type": ["integer", "null"]}
_LOCALIZED = {"$ref": "#/components/schemas/Localized"}


def _obj(required: list[str] | None = None, **properties: Any) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "object", "properties": properties}
    if required:
        schema["required"] = required
    return schema


_CHANGES = {"type": "array", "items": _obj(["change"], change={"type": "string"}, field={"type": "string"})}

RESPONSE_SCHEMAS: dict[str, dict[str, Any]] = {
    "Error": _obj(
        ["error"],
        error=_obj(
            ["code", "message"],
            code={"type": "string", "enum": sorted([*CATALOG, "internal"])},
            message={"type": "string", "description": "In the language of Accept-Language (vi default, en)."},
            fields={
                "type": "object",
                "description": "On validation errors: marshmallow's nested field -> messages shape "
                "(list items keyed by index).",
            },
        ),
    ),
    "Health": _obj(
        ["status", "function"],
        status={"type": "string", "enum": ["ok", "unavailable"]},
        function={"type": "string"},
        firestore={"type": "string", "enum": ["ok", "error"]},
    ),
    "FormCreated": _obj(["id", "etag"], id={"type": "string"}, etag={"type": "string"}),
    "Form": _obj(
        ["id", "draft", "etag", "versions", "latest_version"],
        id={"type": "string"},
        draft={"type": "object", "description": "The current draft definition."},
        etag={"type": "string"},
        versions={"type": "array", "items": {"type": "integer"}},
        latest_version=_INT_OR_NULL,
    ),
    "Etag": _obj(["etag"], etag={"type": "string"}),
    "Diff": _obj(["against_version", "changes"], against_version=_INT_OR_NULL, changes=_CHANGES),
    "Published": _obj(["version", "changes"], version={"type": "integer"}, changes=_CHANGES),
    "Definition": {
        **_obj(["id", "title", "sections"], id={"type": "string"}, title=_LOCALIZED, sections={"type": "array"}),
        "description": "A frozen form definition (the shape of FormDefinition, as it was published).",
    },
    "Unit": _obj(
        ["id", "name"],
        id={"type": "string"},
        name={"type": "string"},
        name_en={"type": "string"},
        cluster={"type": ["string", "null"]},
        kind={"type": ["string", "null"]},
        updated_at=_TIME,
    ),
    "Units": _obj(["units"], units={"type": "array", "items": {"$ref": "#/components/schemas/Unit"}}),
    "RoundCreated": _obj(["id", "status"], id={"type": "string"}, status={"type": "string", "enum": ["draft"]}),
    "RoundStatus": _obj(
        ["status"], status={"type": "string", "enum": ["draft", "open", "closed"]}, closed_now={"type": "boolean"}
    ),
    "Round": _obj(
        ["id", "title", "status", "form_id", "form_version", "unit_ids", "opens_at", "closes_at", "board"],
        id={"type": "string"},
        title=_LOCALIZED,
        status={"type": "string", "enum": ["draft", "open", "closed"]},
        form_id={"type": "string"},
        form_version={"type": "integer"},
        unit_ids={"type": "array", "items": {"type": "string"}},
        opens_at=_TIME,
        closes_at=_TIME,
        grace_minutes={"type": "integer"},
        time_zone={"type": "string"},
        language={"type": "string"},
        board={
            "type": "array",
            "items": _obj(
                ["unit_id", "state", "submitted_at", "revision", "late"],
                unit_id={"type": "string"},
                state={"type": "string", "enum": ["missing", "draft", "submitted", "returned"]},
                submitted_at=_TIME_OR_NULL,
                revision={"type": "integer"},
                late={"type": "boolean"},
            ),
        },
    ),
    "AuditLog": _obj(
        ["events"],
        events={
            "type": "array",
            "items": _obj(["at", "action", "actor"], at=_TIME, action={"type": "string"}, actor={"type": "string"}),
        },
    ),
    "Returned": _obj(
        ["state", "revision"], state={"type": "string", "enum": ["returned"]}, revision={"type": "integer"}
    ),
    "Tokens": _obj(
        ["tokens", "revoked"],
        tokens={
            "type": "object",
            "description": "unit_id -> its new link; shown once, stored hashed.",
            "additionalProperties": _obj(
                ["token", "form_url"], token={"type": "string"}, form_url={"type": "string", "format": "uri"}
            ),
        },
        revoked={"type": "integer"},
    ),
    "Revoked": _obj(["revoked"], revoked={"type": "integer"}),
    "Summary": _obj(
        ["state"],
        state={"type": "string", "enum": ["pending", "rendering", "ready", "failed"]},
        generation=_INT_OR_NULL,
        round_status={"type": "string"},
        pdf_url={"type": "string", "format": "uri"},
        generated_at=_TIME_OR_NULL,
        error={"type": "string"},
        history={
            "type": "array",
            "items": _obj(["file"], generation=_INT_OR_NULL, generated_at=_TIME_OR_NULL, file={"type": "string"}),
        },
    ),
    "SummaryRun": {
        "allOf": [
            {"$ref": "#/components/schemas/Summary"},
            _obj(["outcome"], outcome={"enum": ["rendered", "skipped", "superseded", "stale"]}),
        ]
    },
    "OpenApi": {"type": "object", "required": ["openapi", "paths"]},
    "Export": {
        "description": "format=json: the layout (columns: keys and labels) and one record per unit.",
        "type": ["object", "array"],
    },
    "UnitForm": _obj(
        ["round", "unit_id", "form", "form_version", "state"],
        round=_obj(["id", "status"], id={"type": "string"}, status={"type": "string"}),
        unit_id={"type": "string"},
        unit_name={"type": "string"},
        unit_name_en={"type": ["string", "null"]},
        form={"type": "object", "description": "The pinned form version."},
        form_version={"type": "integer"},
        state={"type": "string", "enum": ["missing", "draft", "submitted", "returned"]},
        draft={"type": ["object", "null"]},
        submission={"type": ["object", "null"]},
        returned={"type": ["object", "null"]},
    ),
    "DraftSaved": _obj(["saved_at"], saved_at=_TIME),
    "SubmissionResult": _obj(
        ["submission_id", "revision", "submitted_at", "late"],
        submission_id={"type": "string"},
        revision={"type": "integer"},
        submitted_at=_TIME,
        late={"type": "boolean"},
        ignored={"type": "array", "items": {"type": "string"}, "description": "Dotted paths of dropped answers."},
    ),
    "Submission": _obj(
        ["submission_id", "revision", "submitted_at", "answers"],
        submission_id={"type": "string"},
        revision={"type": "integer"},
        submitted_at=_TIME,
        late={"type": "boolean"},
        unit_id={"type": "string"},
        form_id={"type": "string"},
        form_version={"type": "integer"},
        answers={"type": "object"},
    ),
}

# -- operations ----------------------------------------------------------------------------------

AUTH = (401, 403)
BODY = (400, 413, 415, 422)
_WHY = {
    400: "bad_request: malformed JSON, a body that is not an object, a bad parameter.",
    401: "unauthenticated / token_expired.",
    403: "forbidden: the token may not use this route or resource.",
    404: "not_found.",
    409: "A conflict with the current state (already_exists, invalid_state, round_not_open, round_closed, "
    "idempotency_conflict, summary_not_ready).",
    412: "version_conflict: a stale If-Match.",
    413: "too_large: the body is over the limit (1 MiB by default).",
    415: "unsupported_media_type: a body that is not application/json.",
    422: "validation_failed / invalid_definition, with `fields`.",
    503: "busy: a transaction out of retries, nothing stored; or unavailable: the database did not answer "
    "a commit, which may or may not have happened (send again with the same Idempotency-Key); Retry-After.",
}


@dataclass(frozen=True)
class Operation:
    """What one route and method take and answer (the router holds only its path)."""

    summary: str
    ok: int = 200
    answer: str | None = None  # a schema of RESPONSE_SCHEMAS (JSON); None with ``media``
    media: tuple[str, ...] = ()  # binary answers: their media types
    body: str | None = None  # a request body schema (components), JSON
    body_required: bool = True
    errors: tuple[int, ...] = ()
    public: bool = False
    parameters: tuple[dict[str, Any], ...] = ()
    # Answers other than the success and the error body, as status -> schema name.
    others: tuple[tuple[int, str, str], ...] = ()


def _writes(*statuses: int) -> tuple[int, ...]:
    """The errors of a route that writes in a transaction: authentication, its own, and busy."""
    return tuple(sorted({*AUTH, *statuses, 503}))


def _reads(*statuses: int) -> tuple[int, ...]:
    return tuple(sorted({*AUTH, *statuses}))


_IF_MATCH = {
    "in": "header",
    "name": "If-Match",
    "required": True,
    "description": "The etag of the draft being replaced (GET /forms/{form_id}).",
    "schema": {"type": "string"},
}
_IDEMPOTENCY_KEY = {
    "in": "header",
    "name": "Idempotency-Key",
    "required": False,
    "description": "The same key with the same body returns the first result; with another body 409.",
    "schema": {"type": "string", "minLength": 1, "maxLength": 200},
}
_EXPORT_PARAMS = (
    {"in": "query", "name": "format", "schema": {"type": "string", "enum": ["json", "csv", "xlsx"], "default": "json"}},
    {
        "in": "query",
        "name": "group",
        "description": "A repeat group (`section.field`) whose items to export; format=csv only.",
        "schema": {"type": "string"},
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

# (werkzeug rule, method) -> Operation, per function. Every rule of the router must be here.
OPERATIONS: dict[str, dict[tuple[str, str], Operation]] = {
    "admin_api": {
        ("/forms", "POST"): Operation(
            "Create a form (its first draft).", 201, "FormCreated", body="FormDefinition", errors=_writes(*BODY, 409)
        ),
        ("/forms/<id:form_id>", "GET"): Operation("A form: draft, etag, versions.", answer="Form", errors=_reads(404)),
        ("/forms/<id:form_id>/draft", "PUT"): Operation(
            "Replace the draft (If-Match: the current etag).",
            answer="Etag",
            body="FormDefinition",
            errors=_writes(*BODY, 404, 412),
            parameters=(_IF_MATCH,),
        ),
        ("/forms/<id:form_id>/diff", "POST"): Operation(
            "The change list a definition would publish against the latest version.",
            answer="Diff",
            body="FormDefinition",
            errors=_reads(*BODY, 404),
        ),
        ("/forms/<id:form_id>/versions", "POST"): Operation(
            "Freeze the draft as the next version.", 201, "Published", errors=_writes(404, 422)
        ),
        ("/forms/<id:form_id>/versions/<int:version>", "GET"): Operation(
            "A frozen version.", answer="Definition", errors=_reads(404)
        ),
        ("/units/<id:unit_id>", "PUT"): Operation(
            "Create or replace a unit.", answer="Unit", body="UnitInput", errors=_writes(*BODY)
        ),
        ("/units", "GET"): Operation("Every unit.", answer="Units", errors=_reads()),
        ("/rounds", "POST"): Operation(
            "Create a round (draft).", 201, "RoundCreated", body="RoundInput", errors=_writes(*BODY, 409)
        ),
        ("/rounds/<id:round_id>/open", "POST"): Operation(
            "Open a round.", answer="RoundStatus", errors=_writes(404, 409)
        ),
        ("/rounds/<id:round_id>/close", "POST"): Operation(
            "Close a round (closing twice is not an error).", answer="RoundStatus", errors=_writes(404, 409)
        ),
        ("/rounds/<id:round_id>/reopen", "POST"): Operation(
            "Reopen a closed round, optionally with a new deadline.",
            answer="RoundStatus",
            body="ReopenInput",
            body_required=False,
            errors=_writes(*BODY, 404, 409),
        ),
        ("/rounds/<id:round_id>/audit", "GET"): Operation(
            "The round's audit log.", answer="AuditLog", errors=_reads(404)
        ),
        ("/rounds/<id:round_id>/submissions/<id:unit_id>/return", "POST"): Operation(
            "Return a unit's submission with comments per field.",
            answer="Returned",
            body="ReturnInput",
            errors=_writes(*BODY, 404, 409),
        ),
        ("/rounds/<id:round_id>", "GET"): Operation("A round and its board.", answer="Round", errors=_reads(404)),
        ("/rounds/<id:round_id>/tokens", "POST"): Operation(
            "Issue unit links (shown once).",
            answer="Tokens",
            body="TokensInput",
            body_required=False,
            errors=_writes(*BODY, 404),
        ),
        ("/rounds/<id:round_id>/tokens/revoke", "POST"): Operation(
            "Revoke unit links.",
            answer="Revoked",
            body="TokensInput",
            body_required=False,
            errors=_writes(*BODY, 404),
        ),
        ("/rounds/<id:round_id>/summary", "GET"): Operation(
            "The summary's state and history.", answer="Summary", errors=_reads(404)
        ),
        ("/rounds/<id:round_id>/summary", "POST"): Operation(
            "Render the summary again, as a new numbered file.", 202, "SummaryRun", errors=_writes(404, 409)
        ),
        ("/rounds/<id:round_id>/submissions/<id:unit_id>.pdf", "GET"): Operation(
            "One unit's filled checklist.", media=(PDF,), errors=_reads(404)
        ),
        ("/rounds/<id:round_id>/summary.pdf", "GET"): Operation(
            "The summary PDF (409 summary_not_ready before the render).", media=(PDF,), errors=_reads(404, 409)
        ),
        ("/rounds/<id:round_id>/submissions", "GET"): Operation(
            "Export the latest revision of each unit (json, csv or xlsx).",
            answer="Export",
            media=(CSV, XLSX),
            errors=_reads(400, 404),
            parameters=_EXPORT_PARAMS,
        ),
    },
    "unit_api": {
        ("/rounds/<id:round_id>/form", "GET"): Operation(
            "The pinned form, the unit's draft, last submission and returned comments.",
            answer="UnitForm",
            errors=_reads(404),
        ),
        ("/rounds/<id:round_id>/draft", "PUT"): Operation(
            "Save a draft (types checked, required fields not).",
            answer="DraftSaved",
            body="SubmissionInput",
            errors=_writes(*BODY, 404, 409),
        ),
        ("/rounds/<id:round_id>/submission", "POST"): Operation(
            "Submit (a new revision).",
            201,
            "SubmissionResult",
            body="SubmissionInput",
            errors=_writes(*BODY, 404, 409),
            parameters=(_IDEMPOTENCY_KEY,),
        ),
        ("/rounds/<id:round_id>/submission", "GET"): Operation(
            "The latest revision.", answer="Submission", errors=_reads(404)
        ),
    },
}
for _ops in OPERATIONS.values():
    _ops.update({("/healthz", "GET"): HEALTH, ("/health", "GET"): HEALTH, ("/openapi.json", "GET"): DOCUMENT})

# Request body schemas: the marshmallow classes the services load the bodies with.
BODIES: dict[str, type[Schema]] = {
    "FormDefinition": FormDefinitionSchema,
    "RoundInput": RoundInput,
    "UnitInput": UnitInput,
    "TokensInput": TokensInput,
    "ReopenInput": ReopenInput,
    "ReturnInput": ReturnInput,
    "SubmissionInput": SubmissionInput,
}

_CONVERTER_SCHEMAS: dict[str, dict[str, Any]] = {
    "id": {"type": "string", "pattern": f"^{IdConverter.regex}$"},
    "int": {"type": "integer", "minimum": 0},
    "default": {"type": "string", "pattern": "^[^/]+$"},
}
_RULE_PART = re.compile(r"<(?:(?P<converter>\w+)(?:\([^)]*\))?:)?(?P<name>\w+)>")


def openapi_path(rule: str) -> tuple[str, list[dict[str, Any]]]:
    """``/rounds/<id:round_id>`` -> ``/rounds/{round_id}`` and its path parameters."""
    parameters = [
        {
            "in": "path",
            "name": match["name"],
            "required": True,
            "schema": _CONVERTER_SCHEMAS.get(match["converter"] or "default", _CONVERTER_SCHEMAS["default"]),
        }
        for match in _RULE_PART.finditer(rule)
    ]
    return _RULE_PART.sub(lambda m: "{" + m["name"] + "}", rule), parameters


def documented_methods(methods: set[str] | None) -> list[str]:
    """A rule's own methods: werkzeug adds HEAD (and OPTIONS) by itself, answered like GET."""
    return sorted((methods or set()) - {"HEAD", "OPTIONS"})


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _operation(rule: str, method: str, op: Operation, path_parameters: list[dict[str, Any]]) -> dict[str, Any]:
    ok_content: dict[str, Any] = {}
    if op.answer:
        ok_content[JSON] = {"schema": _ref(op.answer)}
    for media in op.media:
        ok_content[media] = {"schema": {"type": "string", "contentMediaType": media}}
    responses: dict[str, Any] = {str(op.ok): {"description": "Success.", "content": ok_content}}
    for status, description, schema in op.others:
        responses[str(status)] = {"description": description, "content": {JSON: {"schema": _ref(schema)}}}
    # A path whose ids do not match their pattern matches no route at all: 404 on any of them.
    errors = sorted({*op.errors, 404}) if path_parameters else op.errors
    for status in errors:
        responses[str(status)] = {"$ref": f"#/components/responses/E{status}"}
    spec: dict[str, Any] = {
        "operationId": f"{method.lower()}_{re.sub(r'[^a-z0-9]+', '_', rule.lower()).strip('_') or 'root'}",
        "summary": op.summary,
        "parameters": [*path_parameters, *op.parameters],
        "responses": responses,
    }
    if op.public:
        spec["security"] = []
    if op.body:
        spec["requestBody"] = {"required": op.body_required, "content": {JSON: {"schema": _ref(op.body)}}}
    return spec


def _answers_used(operations: Any) -> set[str]:
    """The answer schemas a function's document needs (with those they refer to)."""
    todo = ["Error"] + [op.answer for op in operations if op.answer] + [o[2] for op in operations for o in op.others]
    used: set[str] = set()
    while todo:
        name = todo.pop()
        if name in RESPONSE_SCHEMAS and name not in used:
            used.add(name)
            todo.extend(re.findall(r"#/components/schemas/(\w+)", json.dumps(RESPONSE_SCHEMAS[name])))
    return used


def build(router: Router) -> dict[str, Any]:
    """The document of one function; raises ``KeyError`` for a route :data:`OPERATIONS` lacks."""
    operations = OPERATIONS[router.name]
    spec = APISpec(
        title=f"Checkround {router.name}",
        version="1",
        openapi_version="3.1.0",
        plugins=[MarshmallowPlugin()],
        info={
            "description": "Generated from the routes and marshmallow schemas; see API.md and the README. "
            "Errors are {error: {code, message, fields?}}; messages follow Accept-Language (vi, en).",
        },
        # Relative: each function answers under its own base (/<function> on the local host).
        servers=[{"url": f"/{router.name}"}],
        security=[{"bearer": []}],
    )
    spec.components.security_scheme(
        "bearer",
        {
            "type": "http",
            "scheme": "bearer",
            "description": "admin_api: an admin token or an allowlisted admin's Google ID token; "
            "unit_api: a unit token.",
        },
    )
    # First, so that every nested use of it (bodies and answers) shares the one name.
    spec.components.schema("Localized", schema=LocalizedSchema)
    for name in sorted(_answers_used(operations.values())):
        spec.components.schema(name, RESPONSE_SCHEMAS[name])
    for name, schema_class in BODIES.items():
        if any(op.body == name for op in operations.values()):
            spec.components.schema(name, schema=schema_class)
    for status, why in _WHY.items():
        headers = {"Retry-After": {"schema": {"type": "string"}}} if status == 503 else {}
        response: dict[str, Any] = {"description": why, "content": {JSON: {"schema": _ref("Error")}}}
        if headers:
            response["headers"] = headers
        spec.components.response(f"E{status}", response)
    for rule in sorted(router._map.iter_rules(), key=lambda r: r.rule):
        path, path_parameters = openapi_path(rule.rule)
        methods = {
            method.lower(): _operation(rule.rule, method, operations[(rule.rule, method)], path_parameters)
            for method in documented_methods(rule.methods)
        }
        spec.path(path=path, operations=methods)
    return spec.to_dict()


_CACHE: dict[str, str] = {}
_LOCK = threading.Lock()


def document_text(router: Router) -> str:
    """The serialised document, generated once per instance (apispec takes tens of ms)."""
    with _LOCK:
        text = _CACHE.get(router.name)
        if text is None:
            text = _CACHE[router.name] = json.dumps(build(router), ensure_ascii=False)
        return text
