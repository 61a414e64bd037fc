"""The OpenAPI 3.1 documents of ``admin_api`` and ``unit_api``, generated from the routers.

The paths come from the functions' own :class:`~checkround.http.core.Router` (werkzeug rules),
what each rule takes and answers from the :class:`~.operations.Operation` registered with it
(next to its handler), and the request bodies from the marshmallow schemas the services load
them with (apispec's ``MarshmallowPlugin``), so the document cannot drift from what the code
accepts. A router that publishes its document refuses a route without an operation
(``tests/unit/test_openapi.py`` builds both). Served as ``GET /<function>/openapi.json``,
generated on the first request and cached for the life of the instance. This module holds the
shapes of the answers (:data:`RESPONSE_SCHEMAS`) and of the errors.
"""

from __future__ import annotations

import json
import re
import threading
from typing import Any

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from marshmallow import Schema

from checkround.errors import CATALOG
from checkround.forms.definition import LocalizedSchema

from .core import IdConverter, Router
from .operations import Operation

JSON = "application/json"


# -- response shapes -----------------------------------------------------------------------------
# Plain JSON Schema (2020-12, as OpenAPI 3.1 takes it). They name what a client can rely on and
# leave objects open (additional properties allowed): the API may add fields (docs/api.md).

_TIME = {"type": "string", "format": "date-time"}
_TIME_OR_NULL = {"type": ["string", "null"], "format": "date-time"}
_INT_OR_NULL = {"type": ["integer", "null"]}
_LOCALIZED = {"$ref": "#/components/schemas/Localized"}


# A unit's state in a round (the board, the unit's own view).
ENTRY_STATES = ["missing", "draft", "submitted", "returned", "accepted"]


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
    "Forms": _obj(
        ["forms"],
        forms={
            "type": "array",
            "items": _obj(
                ["id", "state", "etag", "versions", "latest_version", "rounds"],
                id={"type": "string"},
                title=_LOCALIZED,
                state={"type": "string", "enum": ["new", "published", "changed"]},
                etag={"type": "string"},
                draft_revision={"type": "integer"},
                updated_at=_TIME_OR_NULL,
                updated_by={"type": ["string", "null"]},
                versions={"type": "array", "items": {"type": "integer"}},
                latest_version=_INT_OR_NULL,
                rules_differ=_obj(
                    ["draft", "versions"],
                    draft={"type": "boolean", "description": "The draft's rules fail today's check."},
                    versions={
                        "type": "array",
                        "items": {"type": "integer"},
                        "description": "Versions whose rules fail today's check: no round may start on them.",
                    },
                ),
                rounds={
                    "type": "array",
                    "items": _obj(
                        ["id", "status", "form_version"],
                        id={"type": "string"},
                        status={"type": "string"},
                        form_version=_INT_OR_NULL,
                    ),
                },
            ),
        },
    ),
    "PublishPreview": _obj(
        ["form_id", "etag", "against_version", "next_version", "changes", "publishable", "rounds_in_progress"],
        form_id={"type": "string"},
        etag={"type": "string"},
        against_version=_INT_OR_NULL,
        next_version={"type": "integer"},
        changes=_CHANGES,
        unchanged={"type": "boolean"},
        errors={"type": ["object", "null"], "description": "Meta-validation errors of the draft, by path."},
        type_changes=_CHANGES,
        publishable={"type": "boolean"},
        rounds_in_progress={"type": "array", "items": {"type": "object"}},
    ),
    "DraftChanges": _obj(
        ["etag", "draft", "changes"],
        etag={"type": "string"},
        draft={"type": "object"},
        saved_by={"type": ["string", "null"]},
        saved_at=_TIME_OR_NULL,
        changes={
            "type": ["array", "null"],
            "description": "By element: the publish change list plus form_changed, section_added, "
            "section_removed, section_changed, sections_reordered, fields_reordered, options_changed, "
            "choice_changed, choices_reordered, choice_set_added, choice_set_removed, set_choice_added, "
            "set_choice_removed, set_choice_changed, set_choices_reordered.",
            "items": _obj(["change"], change={"type": "string"}),
        },
    ),
    "FormImported": _obj(
        ["id", "etag", "ignored"],
        id={"type": "string"},
        etag={"type": "string"},
        ignored={
            "type": "array",
            "description": "Cells left out: appearances of other tools, with their sheet, row and column.",
            "items": _obj(
                ["sheet", "row", "column", "value"],
                sheet={"type": "string"},
                row={"type": "integer"},
                column={"type": "string"},
                value={"type": "string"},
            ),
        },
    ),
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
        contacts={
            "type": "array",
            "items": _obj(["name"], name={"type": "string"}, email={"type": "string"}, phone={"type": "string"}),
        },
        updated_at=_TIME,
    ),
    "LinksSent": _obj(
        ["request_id", "unit_ids"],
        request_id={"type": "string"},
        unit_ids={"type": "array", "items": {"type": "string"}},
    ),
    "Messages": _obj(
        ["messages"],
        messages={
            "type": "array",
            "items": _obj(
                ["id", "kind", "channel", "state", "attempts", "created_at"],
                id={"type": "string", "description": "The e-mail's Message-ID and the webhook-id."},
                kind={"type": "string"},
                unit_id={"type": ["string", "null"]},
                channel={"type": "string", "enum": ["email", "webhook"]},
                to={"type": "string", "description": "An e-mail address, or a webhook endpoint's id."},
                state={"type": "string", "enum": ["pending", "sending", "retry", "sent", "failed"]},
                attempts={"type": "integer"},
                created_at=_TIME,
                last_attempt_at=_TIME_OR_NULL,
                sent_at=_TIME_OR_NULL,
                error={"type": ["string", "null"]},
                permanent={"type": ["boolean", "null"]},
            ),
        },
        pending_requests={"type": "integer"},
    ),
    "Recipients": _obj(["admin_emails"], admin_emails={"type": "array", "items": {"type": "string"}}),
    "Webhook": _obj(
        ["id", "url"],
        id={"type": "string"},
        url={"type": "string"},
        kinds={"type": ["array", "null"], "items": {"type": "string"}},
        description={"type": ["string", "null"]},
        created_at=_TIME,
        secret={"type": "string", "description": "Only when the endpoint is made: the signing secret (whsec_…)."},
    ),
    "Webhooks": _obj(["webhooks"], webhooks={"type": "array", "items": {"$ref": "#/components/schemas/Webhook"}}),
    "Deleted": _obj(["deleted"], deleted={"type": "string"}),
    "MessageTemplate": _obj(["kind"], kind={"type": "string"}, txt={"type": "string"}, html={"type": "string"}),
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
                state={"type": "string", "enum": ENTRY_STATES},
                submitted_at=_TIME_OR_NULL,
                revision={"type": "integer"},
                late={"type": "boolean"},
                total_score={
                    "type": ["number", "null"],
                    "description": "Only when the round follows another: the latest submission's total.",
                },
                previous={
                    "type": ["object", "null"],
                    "description": "Only when the round follows another: the unit's state and total in the "
                    "previous round (null: the unit was not in it).",
                    "properties": {
                        "round_id": {"type": "string"},
                        "state": {"type": "string"},
                        "total_score": {"type": ["number", "null"]},
                    },
                },
            ),
        },
        previous_round_id={"type": "string", "description": "The closed round this one follows."},
    ),
    "Recommendation": _obj(
        ["id", "round_id", "unit_id", "text", "status", "created_at"],
        id={"type": "string"},
        round_id={"type": "string"},
        unit_id={"type": "string"},
        text=_LOCALIZED,
        field={"type": ["string", "null"], "description": "section.field of the round's form"},
        due_date={"type": ["string", "null"], "format": "date"},
        status={"type": "string", "enum": ["open", "done", "dropped"]},
        created_at=_TIME,
        created_by={"type": "string"},
        updated_at=_TIME,
        closed_by_round={"type": "string", "description": "The round whose accepted report closed it."},
    ),
    "Recommendations": _obj(
        ["recommendations"],
        recommendations={"type": "array", "items": {"$ref": "#/components/schemas/Recommendation"}},
    ),
    "AuditLog": _obj(
        ["events"],
        events={
            "type": "array",
            "items": _obj(["at", "action", "actor"], at=_TIME, action={"type": "string"}, actor={"type": "string"}),
        },
    ),
    "Assessment": _obj(
        ["unit_id", "state", "submission", "assessment", "reviewer_form"],
        unit_id={"type": "string"},
        state={"type": "string"},
        submission={
            "type": ["object", "null"],
            "description": "The unit's latest submission (self-assessment included).",
        },
        assessment={"type": ["object", "null"], "description": "The team's assessment so far (AssessmentSaved)."},
        reviewer_form={"type": "object", "description": "The form's reviewer part: the fields the team fills."},
    ),
    "DocumentSettings": _obj(
        ["parts", "defaults"],
        parts={"type": "object", "description": "The organisation's parts (DocumentPartsInput)."},
        defaults={"type": "object"},
    ),
    "DocumentParts": _obj(
        ["parts"], parts={"type": "object", "description": "The parts set at this level (DocumentPartsInput)."}
    ),
    "Document": _obj(
        ["state", "generation", "issued"],
        state={"type": "string", "enum": ["draft", "issued"]},
        generation={"type": "integer", "description": "The round's close the document belongs to."},
        parts={"type": "object"},
        narrative={
            "type": "object",
            "description": "overall, however, direction, closing: paragraphs split by a blank line.",
        },
        edited={"type": "array", "items": {"type": "string"}},
        preview_pdf_url={"type": "string"},
        preview_docx_url={"type": "string"},
        issued={
            "type": "array",
            "items": _obj(
                ["seq", "number", "label", "issued_on", "pdf_url", "docx_url"],
                seq={"type": "integer"},
                number={"type": "integer"},
                label={"type": "string"},
                issued_on={"type": "string", "format": "date"},
                issued_at=_TIME,
                by={"type": "string"},
                sha256_pdf={"type": "string"},
                sha256_docx={"type": "string"},
                pdf_url={"type": "string"},
                docx_url={"type": "string"},
            ),
        },
    ),
    "AssessmentSaved": _obj(
        ["unit_id", "answers", "revision", "by", "at"],
        unit_id={"type": "string"},
        answers={"type": "object"},
        revision={"type": "integer"},
        submission_revision=_INT_OR_NULL,
        by={"type": "string", "description": "The admin who entered it (also in the audit log)."},
        at=_TIME,
    ),
    "Returned": _obj(
        ["state", "revision"], state={"type": "string", "enum": ["returned"]}, revision={"type": "integer"}
    ),
    "Accepted": _obj(
        ["state", "revision"], state={"type": "string", "enum": ["accepted"]}, revision={"type": "integer"}
    ),
    "Revisions": _obj(
        ["revisions"],
        revisions={
            "type": "array",
            "items": _obj(
                ["submission_id", "revision", "submitted_at"],
                submission_id={"type": "string"},
                revision={"type": "integer"},
                submitted_at=_TIME,
                late={"type": "boolean"},
                form_version={"type": "integer"},
                entered_by={"type": "string", "description": "The admin who entered it on the unit's behalf."},
            ),
        },
    ),
    "Changes": _obj(
        ["unit_id", "from", "to", "changes"],
        unit_id={"type": "string"},
        to={"type": "integer"},
        changes={
            "type": "array",
            "items": _obj(
                ["name", "section", "label", "before", "after", "change"],
                name={"type": "string", "description": "section.field, or section.group.index.sub"},
                section={"type": "string"},
                label={"type": "string"},
                before={"type": "string"},
                after={"type": "string"},
                change={"type": "string", "enum": ["added", "removed", "changed"]},
            ),
        },
        **{"from": {"type": "integer"}},
    ),
    "Tokens": _obj(
        ["tokens", "revoked"],
        tokens={
            "type": "object",
            "description": "unit_id -> its new link; shown once, stored hashed.",
            "additionalProperties": _obj(
                ["token", "form_url"],
                token={"type": "string", "description": "The unit's API token (unit_api bearer)."},
                form_url={
                    "type": "string",
                    "format": "uri",
                    "description": "The web form link; its secret (t) opens the web form only, not the API.",
                },
            ),
        },
        revoked={"type": "integer"},
    ),
    "Revoked": _obj(["revoked"], revoked={"type": "integer"}),
    "AdminToken": _obj(
        ["token_id", "name", "issued_at", "expires_at", "revoked"],
        token_id={"type": "string"},
        name={"type": "string"},
        issued_at=_TIME,
        issued_by={"type": "string"},
        expires_at=_TIME,
        revoked={"type": "boolean"},
        revoked_at=_TIME_OR_NULL,
        revoked_by={"type": ["string", "null"]},
    ),
    "AdminTokenIssued": {
        "allOf": [
            {"$ref": "#/components/schemas/AdminToken"},
            _obj(["token"], token={"type": "string", "description": "The bearer token; shown once, stored hashed."}),
        ]
    },
    "AdminTokens": _obj(
        ["tokens"],
        tokens={
            "type": "array",
            "description": "Newest first; active: neither revoked nor expired.",
            "items": {
                "allOf": [{"$ref": "#/components/schemas/AdminToken"}, _obj(["active"], active={"type": "boolean"})]
            },
        },
    ),
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
        state={"type": "string", "enum": ENTRY_STATES},
        draft={"type": ["object", "null"]},
        submission={"type": ["object", "null"]},
        returned={"type": ["object", "null"]},
        accepted={
            "type": ["object", "null"],
            "description": "Set when accepted: {at, by, revision, message}; drafts and submits are refused.",
        },
        recommendations={
            "type": "array",
            "description": "In a round that follows another: the unit's recommendations of the previous round "
            "that its form asks about.",
            "items": {"$ref": "#/components/schemas/Recommendation"},
        },
        follow_up={
            "type": "object",
            "description": "What the unit answered of them so far: {recommendation id: {status, note}}.",
        },
        assessment={
            "type": "object",
            "description": "The inspection team's saved answers to the fields the form shows to the unit "
            "(read-only for it), keyed by section, then field key; empty before the team saves.",
        },
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
        entered_by={"type": "string", "description": "The admin who entered it on the unit's behalf."},
    ),
}

# -- errors ---------------------------------------------------------------------------------------

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
    422: "validation_failed / invalid_definition, with `fields`; invalid_xlsform with `fields` by sheet, "
    "row and column.",
    503: "busy: a transaction out of retries, nothing stored; or unavailable: the database did not answer "
    "a commit, which may or may not have happened (send again with the same Idempotency-Key); Retry-After.",
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
    if op.body is not None:
        body = _ref(body_name(op.body))
        spec["requestBody"] = {"required": op.body_required, "content": {JSON: {"schema": body}}}
    elif op.body_media:
        files = {media: {"schema": {"type": "string", "contentMediaType": media}} for media in op.body_media}
        spec["requestBody"] = {"required": op.body_required, "content": files}
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


def body_name(schema_class: type[Schema]) -> str:
    """The component name of a request body: its class's (``FormDefinitionSchema`` ->
    ``FormDefinition``, as apispec names nested schemas)."""
    return schema_class.__name__.removesuffix("Schema")


def build(router: Router) -> dict[str, Any]:
    """The document of one function; raises ``KeyError`` for a route without an operation."""
    operations = router.operations
    spec = APISpec(
        title=f"Checkround {router.name}",
        version="1",
        openapi_version="3.1.0",
        plugins=[MarshmallowPlugin()],
        info={
            "description": "Generated from the routes and marshmallow schemas; see docs/api.md in the repository. "
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
    bodies = {op.body for op in operations.values() if op.body is not None}
    for schema_class in sorted(bodies, key=body_name):
        spec.components.schema(body_name(schema_class), schema=schema_class)
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
