"""Routes of ``admin_api``: forms, units, rounds, tokens, board and summary (admin token);
admin tokens themselves and the global audit log.

Each route states, where it is registered, what its OpenAPI document says of it
(:class:`~.operations.Operation`; the answers' shapes are in :mod:`.openapi`)."""

from __future__ import annotations

from werkzeug.wrappers import Response
from werkzeug.wsgi import wrap_file

from checkround.errors import AppError
from checkround.followup import recommendations, series
from checkround.followup.inputs import RecommendationInput, RecommendationPatch
from checkround.forms import drafts, overview
from checkround.forms import service as forms
from checkround.forms.definition import FormDefinitionSchema
from checkround.notify import deliveries
from checkround.notify import settings as notify_settings
from checkround.reports import document, exports, history
from checkround.reports import service as reports
from checkround.rounds import admin_tokens, audit
from checkround.rounds import service as rounds
from checkround.rounds.document_inputs import DocumentEditInput, DocumentSettingsInput, IssueInput
from checkround.rounds.inputs import (
    AcceptInput,
    AdminTokenInput,
    ReopenInput,
    ReturnInput,
    RoundInput,
    TokensInput,
    UnitInput,
)
from checkround.submissions import assessments
from checkround.submissions import service as submissions
from checkround.submissions.inputs import SubmissionInput

from .core import Reply, RequestContext, Router, json_response, read_body
from .operations import (
    BLANK_LANGUAGE,
    BODY,
    CHANGES_PARAMS,
    CSV,
    EXPORT_PARAMS,
    IDEMPOTENCY_KEY,
    IF_MATCH,
    IMPORT_PARAMS,
    PDF,
    RECOMMENDATION_FILTERS,
    XLSX,
    Operation,
    reads,
    writes,
)

router = Router("admin_api")
router.publish_openapi()


@router.route(
    "/forms",
    ["POST"],
    Operation(
        "Create a form (its first draft).", 201, "FormCreated", body=FormDefinitionSchema, errors=writes(*BODY, 409)
    ),
)
def create_form(rc: RequestContext) -> Reply:
    actor = rc.require_admin().actor
    return 201, forms.create_form(rc.ctx, rc.json(), actor)


@router.route(
    "/forms/import",
    ["POST"],
    Operation(
        "Create a form from an XLSForm workbook (its first draft), or replace its draft with If-Match.",
        201,
        "FormImported",
        body_media=(XLSX,),
        errors=writes(400, 404, 409, 412, 413, 422),
        parameters=IMPORT_PARAMS,
        others=((200, "The draft of an existing form replaced (If-Match).", "FormImported"),),
    ),
)
def import_form(rc: RequestContext) -> Reply:
    """The workbook is the body as it is (any content type: it is read as XLSX or refused)."""
    actor = rc.require_admin().actor
    from checkround.forms import spreadsheets  # openpyxl and lark load on the first import

    data = read_body(rc.request, rc.ctx.settings.max_body_bytes)
    created, result = spreadsheets.import_workbook(
        rc.ctx, data, rc.language, rc.request.args.get("id"), rc.request.headers.get("If-Match"), actor
    )
    return (201 if created else 200), result


@router.route(
    "/forms/<id:form_id>/draft.xlsx",
    ["GET"],
    Operation("The draft as an XLSForm workbook.", media=(XLSX,), errors=reads(404)),
)
def draft_xlsx(rc: RequestContext, form_id: str) -> Reply:
    rc.require_admin()
    from checkround.forms import spreadsheets

    return _xlsx(spreadsheets.draft_workbook(rc.ctx, form_id), f"{form_id}-draft.xlsx")


@router.route(
    "/forms/<id:form_id>/versions/<int:version>.xlsx",
    ["GET"],
    Operation("A published version as an XLSForm workbook.", media=(XLSX,), errors=reads(404)),
)
def version_xlsx(rc: RequestContext, form_id: str, version: int) -> Reply:
    rc.require_admin()
    from checkround.forms import spreadsheets

    return _xlsx(spreadsheets.version_workbook(rc.ctx, form_id, version), f"{form_id}-v{version}.xlsx")


def _xlsx(data: bytes, filename: str) -> Response:
    return Response(data, content_type=XLSX, headers={"Content-Disposition": f'attachment; filename="{filename}"'})


@router.route(
    "/forms",
    ["GET"],
    Operation("Every form: its draft's state, its versions and the rounds using each.", answer="Forms", errors=reads()),
)
def list_forms(rc: RequestContext) -> Reply:
    rc.require_admin()
    return 200, {"forms": overview.list_forms(rc.ctx)}


@router.route(
    "/forms/<id:form_id>/publish-preview",
    ["GET"],
    Operation(
        "What publishing the draft would do: its change list, its errors, the rounds in progress.",
        answer="PublishPreview",
        errors=reads(404),
    ),
)
def publish_preview(rc: RequestContext, form_id: str) -> Reply:
    rc.require_admin()
    return 200, overview.publish_preview(rc.ctx, form_id)


@router.route(
    "/forms/<id:form_id>/draft/changes",
    ["GET"],
    Operation(
        "What was saved since the draft an etag names (after a 412): the current draft and etag, "
        "who saved it, and the changes by element.",
        answer="DraftChanges",
        errors=reads(400, 404),
        parameters=(
            {
                "in": "query",
                "name": "since",
                "required": True,
                "description": "The etag the client's edit started from.",
                "schema": {"type": "string"},
            },
        ),
    ),
)
def draft_changes(rc: RequestContext, form_id: str) -> Reply:
    rc.require_admin()
    since = rc.request.args.get("since")
    if not since:
        raise AppError(
            "bad_request", detail={"vi": "cần tham số ?since= (một etag)", "en": "?since= (an etag) is required"}
        )
    return 200, drafts.changes_since(rc.ctx, form_id, since)


@router.route(
    "/forms/<id:form_id>", ["GET"], Operation("A form: draft, etag, versions.", answer="Form", errors=reads(404))
)
def get_form(rc: RequestContext, form_id: str) -> Reply:
    rc.require_admin()
    return 200, forms.get_form(rc.ctx, form_id)


@router.route(
    "/forms/<id:form_id>/draft",
    ["PUT"],
    Operation(
        "Replace the draft (If-Match: the current etag).",
        answer="Etag",
        body=FormDefinitionSchema,
        errors=writes(*BODY, 404, 412),
        parameters=(IF_MATCH,),
    ),
)
def put_draft(rc: RequestContext, form_id: str) -> Reply:
    actor = rc.require_admin().actor
    body = rc.json()
    result = forms.put_draft(rc.ctx, form_id, body, rc.request.headers.get("If-Match"), actor)
    return 200, result


@router.route(
    "/forms/<id:form_id>/diff",
    ["POST"],
    Operation(
        "The change list a definition would publish against the latest version.",
        answer="Diff",
        body=FormDefinitionSchema,
        errors=reads(*BODY, 404),
    ),
)
def diff(rc: RequestContext, form_id: str) -> Reply:
    rc.require_admin()
    return 200, forms.diff_against_latest(rc.ctx, form_id, rc.json())


@router.route(
    "/forms/<id:form_id>/versions",
    ["POST"],
    Operation("Freeze the draft as the next version.", 201, "Published", errors=writes(404, 422)),
)
def publish(rc: RequestContext, form_id: str) -> Reply:
    rc.require_admin()
    return 201, forms.publish_version(rc.ctx, form_id)


@router.route(
    "/forms/<id:form_id>/versions/<int:version>",
    ["GET"],
    Operation("A frozen version.", answer="Definition", errors=reads(404)),
)
def get_version(rc: RequestContext, form_id: str, version: int) -> Reply:
    rc.require_admin()
    return 200, forms.get_version(rc.ctx, form_id, version)


@router.route(
    "/forms/<id:form_id>/versions/<int:version>.pdf",
    ["GET"],
    Operation(
        "A version as a blank form to fill in on paper (boxes to tick, lines to write on).",
        media=(PDF,),
        errors=reads(400, 404),
        parameters=(BLANK_LANGUAGE,),
    ),
)
def blank_form(rc: RequestContext, form_id: str, version: int) -> Reply:
    rc.require_admin()
    language = rc.request.args.get("lang", "vi")
    pdf = reports.blank_form_pdf(rc.ctx, form_id, version, language)
    return Response(
        pdf,
        content_type=PDF,
        headers={"Content-Disposition": f'inline; filename="{form_id}-v{version}-{language}.pdf"'},
    )


@router.route(
    "/units/<id:unit_id>",
    ["PUT"],
    Operation("Create or replace a unit.", answer="Unit", body=UnitInput, errors=writes(*BODY)),
)
def put_unit(rc: RequestContext, unit_id: str) -> Reply:
    rc.require_admin()
    return 200, rounds.put_unit(rc.ctx, unit_id, rc.json())


@router.route("/units", ["GET"], Operation("Every unit.", answer="Units", errors=reads()))
def list_units(rc: RequestContext) -> Reply:
    rc.require_admin()
    return 200, {"units": rounds.list_units(rc.ctx)}


@router.route(
    "/rounds",
    ["POST"],
    Operation("Create a round (draft).", 201, "RoundCreated", body=RoundInput, errors=writes(*BODY, 409)),
)
def create_round(rc: RequestContext) -> Reply:
    rc.require_admin()
    return 201, rounds.create_round(rc.ctx, rc.json())


@router.route(
    "/rounds/<id:round_id>/open",
    ["POST"],
    Operation(
        "Open a round; refused (422 rules_differ) when its form version's rules fail today's check.",
        answer="RoundStatus",
        errors=writes(404, 409, 422),
    ),
)
def open_round(rc: RequestContext, round_id: str) -> Reply:
    return 200, rounds.open_round(rc.ctx, round_id, rc.require_admin().actor)


@router.route(
    "/rounds/<id:round_id>/close",
    ["POST"],
    Operation("Close a round (closing twice is not an error).", answer="RoundStatus", errors=writes(404, 409)),
)
def close_round(rc: RequestContext, round_id: str) -> Reply:
    return 200, rounds.close_round(rc.ctx, round_id, rc.require_admin().actor)


@router.route(
    "/rounds/<id:round_id>/reopen",
    ["POST"],
    Operation(
        "Reopen a closed round, optionally with a new deadline.",
        answer="RoundStatus",
        body=ReopenInput,
        body_required=False,
        errors=writes(*BODY, 404, 409),
    ),
)
def reopen_round(rc: RequestContext, round_id: str) -> Reply:
    actor = rc.require_admin().actor
    return 200, rounds.reopen_round(rc.ctx, round_id, rc.json(required=False), actor)


@router.route(
    "/rounds/<id:round_id>/audit", ["GET"], Operation("The round's audit log.", answer="AuditLog", errors=reads(404))
)
def audit_log(rc: RequestContext, round_id: str) -> Reply:
    rc.require_admin()
    rounds.get_round_doc(rc.ctx, round_id)
    return 200, {"events": audit.list_events(rc.ctx, round_id)}


@router.route(
    "/rounds/<id:round_id>/submissions/<id:unit_id>/return",
    ["POST"],
    Operation(
        "Return a unit's submission with comments per field.",
        answer="Returned",
        body=ReturnInput,
        errors=writes(*BODY, 404, 409),
    ),
)
def return_submission(rc: RequestContext, round_id: str, unit_id: str) -> Reply:
    actor = rc.require_admin().actor
    return 200, submissions.return_submission(rc.ctx, round_id, unit_id, rc.json(), actor)


@router.route(
    "/rounds/<id:round_id>/submissions/<id:unit_id>/accept",
    ["POST"],
    Operation(
        "Accept a unit's latest submission: it is locked (no draft, no new revision) until it is returned.",
        answer="Accepted",
        body=AcceptInput,
        body_required=False,
        errors=writes(*BODY, 404, 409),
    ),
)
def accept_submission(rc: RequestContext, round_id: str, unit_id: str) -> Reply:
    actor = rc.require_admin().actor
    return 200, submissions.accept_submission(rc.ctx, round_id, unit_id, rc.json(required=False), actor)


@router.route(
    "/rounds/<id:round_id>/submissions/<id:unit_id>/revisions",
    ["GET"],
    Operation("Every revision a unit sent, newest first (no answers).", answer="Revisions", errors=reads(404)),
)
def list_revisions(rc: RequestContext, round_id: str, unit_id: str) -> Reply:
    rc.require_admin()
    return 200, {"revisions": history.list_revisions(rc.ctx, round_id, unit_id)}


@router.route(
    "/rounds/<id:round_id>/submissions/<id:unit_id>/revisions/<int:revision>",
    ["GET"],
    Operation("One revision of a unit, with its answers.", answer="Submission", errors=reads(404)),
)
def get_revision(rc: RequestContext, round_id: str, unit_id: str, revision: int) -> Reply:
    rc.require_admin()
    return 200, history.get_revision(rc.ctx, round_id, unit_id, revision)


def _revision_arg(rc: RequestContext, name: str) -> int | None:
    raw = rc.request.args.get(name)
    if raw is None:
        return None
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 6:
        raise AppError(
            "bad_request",
            detail={"vi": f"'{name}' phải là số của một lần sửa", "en": f"'{name}' must be a revision number"},
        )
    return int(raw)


@router.route(
    "/rounds/<id:round_id>/submissions/<id:unit_id>/changes",
    ["GET"],
    Operation(
        "What changed between two revisions of a unit, field by field, as the reports show answers.",
        answer="Changes",
        errors=reads(400, 404),
        parameters=CHANGES_PARAMS,
    ),
)
def revision_changes(rc: RequestContext, round_id: str, unit_id: str) -> Reply:
    rc.require_admin()
    older, newer = _revision_arg(rc, "from"), _revision_arg(rc, "to")
    return 200, history.revision_changes(rc.ctx, round_id, unit_id, older, newer, rc.language)


@router.route(
    "/rounds/<id:round_id>/submissions/<id:unit_id>",
    ["GET"],
    Operation(
        "A unit's state, draft, latest revision and review, for an admin (as the unit sees it).",
        answer="UnitForm",
        errors=reads(404),
    ),
)
def get_unit_submission(rc: RequestContext, round_id: str, unit_id: str) -> Reply:
    rc.require_admin()
    return 200, submissions.get_form_for_admin(rc.ctx, round_id, unit_id)


@router.route(
    "/rounds/<id:round_id>/submissions/<id:unit_id>",
    ["POST"],
    Operation(
        "Submit on a unit's behalf (a report on paper): a new revision that names the admin in entered_by.",
        201,
        "SubmissionResult",
        body=SubmissionInput,
        errors=writes(*BODY, 404, 409),
        parameters=(IDEMPOTENCY_KEY,),
    ),
)
def submit_on_behalf(rc: RequestContext, round_id: str, unit_id: str) -> Reply:
    actor = rc.require_admin().actor
    key = rc.request.headers.get("Idempotency-Key")
    result, created = submissions.submit_on_behalf(rc.ctx, round_id, unit_id, rc.json(), actor, key, rc.language)
    return json_response(201, result, headers={"Idempotent-Replayed": "false" if created else "true"})


@router.route(
    "/rounds/<id:round_id>/submissions/<id:unit_id>/draft",
    ["PUT"],
    Operation(
        "Save a draft on a unit's behalf (types checked, required fields not).",
        answer="DraftSaved",
        body=SubmissionInput,
        errors=writes(*BODY, 404, 409),
    ),
)
def draft_on_behalf(rc: RequestContext, round_id: str, unit_id: str) -> Reply:
    actor = rc.require_admin().actor
    return 200, submissions.save_draft_on_behalf(rc.ctx, round_id, unit_id, rc.json(), actor, rc.language)


@router.route(
    "/rounds/<id:round_id>/assessments/<id:unit_id>",
    ["GET"],
    Operation(
        "A unit's latest submission with the inspection team's assessment and the form's reviewer part.",
        answer="Assessment",
        errors=reads(404, 409),
    ),
)
def get_assessment(rc: RequestContext, round_id: str, unit_id: str) -> Reply:
    rc.require_admin()
    return 200, assessments.get_assessment(rc.ctx, round_id, unit_id)


@router.route(
    "/rounds/<id:round_id>/assessments/<id:unit_id>",
    ["PUT"],
    Operation(
        "Enter the inspection team's assessment of a unit's submission (the form's reviewer fields; audited).",
        answer="AssessmentSaved",
        body=assessments.AssessmentInput,
        errors=writes(*BODY, 404, 409),
    ),
)
def put_assessment(rc: RequestContext, round_id: str, unit_id: str) -> Reply:
    actor = rc.require_admin().actor
    return 200, assessments.put_assessment(rc.ctx, round_id, unit_id, rc.json(), actor, rc.language)


@router.route(
    "/rounds/<id:round_id>",
    ["GET"],
    Operation(
        "A round and its board; a round that follows another shows each unit's state and total "
        "in the previous round beside its current ones.",
        answer="Round",
        errors=reads(404),
    ),
)
def get_round(rc: RequestContext, round_id: str) -> Reply:
    rc.require_admin()
    doc = rounds.get_round(rc.ctx, round_id)
    return 200, {**doc, "board": series.board_with_previous(rc.ctx, doc, doc["board"])}


@router.route(
    "/rounds/<id:round_id>/recommendations",
    ["POST"],
    Operation(
        "Record a recommendation for a unit of a closed round (audited).",
        201,
        "Recommendation",
        body=RecommendationInput,
        errors=writes(*BODY, 404, 409),
    ),
)
def create_recommendation(rc: RequestContext, round_id: str) -> Reply:
    actor = rc.require_admin().actor
    return 201, recommendations.create(rc.ctx, round_id, rc.json(), actor)


@router.route(
    "/rounds/<id:round_id>/recommendations",
    ["GET"],
    Operation(
        "The round's recommendations, oldest first (filters: unit_id, status).",
        answer="Recommendations",
        errors=reads(404, 422),
        parameters=RECOMMENDATION_FILTERS,
    ),
)
def list_recommendations(rc: RequestContext, round_id: str) -> Reply:
    rc.require_admin()
    args = rc.request.args
    found = recommendations.list_for(rc.ctx, round_id, args.get("unit_id"), args.get("status"))
    return 200, {"recommendations": found}


@router.route(
    "/rounds/<id:round_id>/recommendations/<id:rec_id>",
    ["PATCH"],
    Operation(
        "Change a recommendation's text, due date or status (each change audited).",
        answer="Recommendation",
        body=RecommendationPatch,
        errors=writes(*BODY, 404),
    ),
)
def update_recommendation(rc: RequestContext, round_id: str, rec_id: str) -> Reply:
    actor = rc.require_admin().actor
    return 200, recommendations.update(rc.ctx, round_id, rec_id, rc.json(), actor)


@router.route(
    "/rounds/<id:round_id>/tokens",
    ["POST"],
    Operation(
        "Issue unit links (shown once).",
        answer="Tokens",
        body=TokensInput,
        body_required=False,
        errors=writes(*BODY, 404),
    ),
)
def issue_tokens(rc: RequestContext, round_id: str) -> Reply:
    actor = rc.require_admin().actor
    return 200, rounds.issue_tokens(rc.ctx, round_id, rc.json(required=False), actor)


@router.route(
    "/rounds/<id:round_id>/tokens/revoke",
    ["POST"],
    Operation("Revoke unit links.", answer="Revoked", body=TokensInput, body_required=False, errors=writes(*BODY, 404)),
)
def revoke_tokens(rc: RequestContext, round_id: str) -> Reply:
    actor = rc.require_admin().actor
    return 200, rounds.revoke_tokens(rc.ctx, round_id, rc.json(required=False), actor)


@router.route(
    "/rounds/<id:round_id>/notify",
    ["POST"],
    Operation(
        "Send units' contacts a new link each (all units without unit_ids); earlier links keep working.",
        202,
        "LinksSent",
        body=TokensInput,
        body_required=False,
        errors=writes(*BODY, 404, 409),
    ),
)
def send_links(rc: RequestContext, round_id: str) -> Reply:
    actor = rc.require_admin().actor
    return 202, rounds.send_links(rc.ctx, round_id, rc.json(required=False), actor)


@router.route(
    "/rounds/<id:round_id>/messages",
    ["GET"],
    Operation(
        "What was sent for a round (optionally one unit): each message, when, and whether it was delivered.",
        answer="Messages",
        errors=reads(404),
        parameters=({"in": "query", "name": "unit_id", "schema": {"type": "string"}},),
    ),
)
def list_messages(rc: RequestContext, round_id: str) -> Reply:
    rc.require_admin()
    rounds.get_round_doc(rc.ctx, round_id)
    return 200, deliveries.list_messages(rc.ctx, round_id, rc.request.args.get("unit_id"))


@router.route(
    "/notifications/recipients",
    ["GET"],
    Operation("Who receives the admins' messages (summary ready, digests).", answer="Recipients", errors=reads()),
)
def get_recipients(rc: RequestContext) -> Reply:
    rc.require_admin()
    return 200, notify_settings.get_recipients(rc.ctx)


@router.route(
    "/notifications/recipients",
    ["PUT"],
    Operation(
        "Set who receives the admins' messages.",
        answer="Recipients",
        body=notify_settings.RecipientsInput,
        errors=writes(*BODY),
    ),
)
def put_recipients(rc: RequestContext) -> Reply:
    rc.require_admin()
    return 200, notify_settings.put_recipients(rc.ctx, rc.json())


@router.route(
    "/webhooks", ["GET"], Operation("The webhook endpoints (never their secrets).", answer="Webhooks", errors=reads())
)
def list_webhooks(rc: RequestContext) -> Reply:
    rc.require_admin()
    return 200, {"webhooks": notify_settings.list_webhooks(rc.ctx)}


@router.route(
    "/webhooks",
    ["POST"],
    Operation(
        "Add a webhook endpoint (https in the cloud); its signing secret is shown once.",
        201,
        "Webhook",
        body=notify_settings.WebhookInput,
        errors=writes(*BODY, 409),
    ),
)
def create_webhook(rc: RequestContext) -> Reply:
    rc.require_admin()
    return 201, notify_settings.create_webhook(rc.ctx, rc.json())


@router.route(
    "/webhooks/<id:webhook_id>",
    ["DELETE"],
    Operation("Remove a webhook endpoint.", answer="Deleted", errors=writes(404)),
)
def delete_webhook(rc: RequestContext, webhook_id: str) -> Reply:
    rc.require_admin()
    return 200, notify_settings.delete_webhook(rc.ctx, webhook_id)


@router.route(
    "/message-templates/<id:kind>",
    ["PUT"],
    Operation(
        "Replace a kind of message's text and HTML templates (checked in the sandbox first).",
        answer="MessageTemplate",
        body=notify_settings.TemplateInput,
        errors=writes(*BODY, 404),
    ),
)
def put_template(rc: RequestContext, kind: str) -> Reply:
    rc.require_admin()
    return 200, notify_settings.put_template(rc.ctx, kind, rc.json())


@router.route(
    "/message-templates/<id:kind>",
    ["DELETE"],
    Operation("Go back to the shipped templates of a kind of message.", answer="MessageTemplate", errors=writes()),
)
def delete_template(rc: RequestContext, kind: str) -> Reply:
    rc.require_admin()
    return 200, notify_settings.delete_template(rc.ctx, kind)


@router.route(
    "/admin-tokens",
    ["GET"],
    Operation("Every admin token (never the token itself).", answer="AdminTokens", errors=reads()),
)
def list_admin_tokens(rc: RequestContext) -> Reply:
    rc.require_admin()
    return 200, admin_tokens.list_tokens(rc.ctx)


@router.route(
    "/admin-tokens",
    ["POST"],
    Operation(
        "Issue an admin token with an expiry (shown once; audited).",
        201,
        "AdminTokenIssued",
        body=AdminTokenInput,
        errors=writes(*BODY),
    ),
)
def issue_admin_token(rc: RequestContext) -> Reply:
    actor = rc.require_admin().actor
    return 201, admin_tokens.issue(rc.ctx, rc.json(), actor)


@router.route(
    "/admin-tokens/<id:token_id>/revoke",
    ["POST"],
    Operation(
        "Revoke an admin token at once (audited; revoking twice is not an error).",
        answer="AdminToken",
        errors=writes(404),
    ),
)
def revoke_admin_token(rc: RequestContext, token_id: str) -> Reply:
    actor = rc.require_admin().actor
    return 200, admin_tokens.revoke(rc.ctx, token_id, actor)


@router.route(
    "/audit",
    ["GET"],
    Operation("The global audit log: admin tokens issued and revoked.", answer="AuditLog", errors=reads()),
)
def global_audit_log(rc: RequestContext) -> Reply:
    rc.require_admin()
    return 200, admin_tokens.audit_log(rc.ctx)


@router.route(
    "/rounds/<id:round_id>/summary",
    ["GET"],
    Operation("The summary's state and history.", answer="Summary", errors=reads(404)),
)
def get_summary(rc: RequestContext, round_id: str) -> Reply:
    rc.require_admin()
    return 200, reports.get_summary(rc.ctx, round_id)


@router.route(
    "/rounds/<id:round_id>/summary",
    ["POST"],
    Operation("Render the summary again, as a new numbered file.", 202, "SummaryRun", errors=writes(404, 409)),
)
def rerender_summary(rc: RequestContext, round_id: str) -> Reply:
    rc.require_admin()
    round_doc = rounds.get_round_doc(rc.ctx, round_id)
    outcome = reports.run_summary(rc.ctx, round_id, int(round_doc.get("close_count", 0)), force=True)
    return 202, {"outcome": outcome, **reports.get_summary(rc.ctx, round_id)}


@router.route(
    "/rounds/<id:round_id>/submissions/<id:unit_id>.pdf",
    ["GET"],
    Operation("One unit's filled checklist.", media=(PDF,), errors=reads(404)),
)
def unit_pdf(rc: RequestContext, round_id: str, unit_id: str) -> Reply:
    rc.require_admin()
    pdf = reports.unit_pdf(rc.ctx, round_id, unit_id)
    return Response(
        pdf,
        content_type=PDF,
        headers={"Content-Disposition": f'inline; filename="{round_id}-{unit_id}.pdf"'},
    )


@router.route(
    "/rounds/<id:round_id>/summary.pdf",
    ["GET"],
    Operation("The summary PDF (409 summary_not_ready before the render).", media=(PDF,), errors=reads(404, 409)),
)
def get_summary_pdf(rc: RequestContext, round_id: str) -> Reply:
    rc.require_admin()
    pdf = reports.get_summary_pdf(rc.ctx, round_id)
    return Response(
        pdf,
        content_type=PDF,
        headers={"Content-Disposition": f'inline; filename="{round_id}-summary.pdf"'},
    )


@router.route(
    "/rounds/<id:round_id>/submissions",
    ["GET"],
    Operation(
        "Export the latest revision of each unit (json, csv or xlsx).",
        answer="Export",
        media=(CSV, exports.XLSX_TYPE),
        errors=reads(400, 404),
        parameters=EXPORT_PARAMS,
    ),
)
def export_submissions(rc: RequestContext, round_id: str) -> Reply:
    """The latest revision of every unit that submitted, as JSON, CSV or XLSX (see
    :mod:`checkround.reports.exports` for the columns and the two header rows)."""
    rc.require_admin()
    group_key = rc.request.args.get("group")
    fmt = exports.check_request(rc.request.args.get("format"), group_key)
    # The layout is read now, so a missing round or group is a JSON error before any byte is sent.
    layout, rows = exports.prepare(rc.ctx, round_id)
    if fmt == "xlsx":
        handle = exports.xlsx_file(layout, rows)
        return Response(
            wrap_file(rc.request.environ, handle),  # closing it deletes the temporary file
            content_type=exports.XLSX_TYPE,
            headers={"Content-Disposition": f'attachment; filename="{round_id}-submissions.xlsx"'},
            direct_passthrough=True,
        )
    if fmt == "csv":
        if group_key is not None:
            group = layout.group(group_key)
            chunks = exports.group_csv_chunks(layout, group, rows)
            name = f"{round_id}-{group.key}.csv"
        else:
            chunks = exports.csv_chunks(layout, rows)
            name = f"{round_id}-submissions.csv"
        # A generator: rows are read from Firestore as the response is written.
        return Response(
            chunks, content_type=exports.CSV_TYPE, headers={"Content-Disposition": f'attachment; filename="{name}"'}
        )
    return Response(exports.json_chunks(layout, rows), content_type=exports.JSON_TYPE)


# -- the committee's official document (reports/document.py) ----------------------------------


def _file(data: bytes, media: str, name: str) -> Response:
    return Response(data, content_type=media, headers={"Content-Disposition": f'inline; filename="{name}"'})


@router.route(
    "/document-settings",
    ["GET"],
    Operation(
        "The organisation's parts of the official document, and the defaults.",
        answer="DocumentSettings",
        errors=reads(),
    ),
)
def get_document_settings(rc: RequestContext) -> Reply:
    rc.require_admin()
    return 200, document.get_settings(rc.ctx)


@router.route(
    "/document-settings",
    ["PUT"],
    Operation(
        "Set the organisation's parts of the official document (header, number, place, signer, Nơi nhận; audited).",
        answer="DocumentSettings",
        body=DocumentSettingsInput,
        errors=writes(*BODY),
    ),
)
def put_document_settings(rc: RequestContext) -> Reply:
    actor = rc.require_admin().actor
    return 200, document.put_settings(rc.ctx, rc.json(), actor)


@router.route(
    "/rounds/<id:round_id>/document",
    ["GET"],
    Operation(
        "The round's report document: draft or issued, its parts, its narrative, every issued file.",
        answer="Document",
        errors=reads(404, 409),
    ),
)
def get_document(rc: RequestContext, round_id: str) -> Reply:
    rc.require_admin()
    return 200, document.get_document(rc.ctx, round_id)


@router.route(
    "/rounds/<id:round_id>/document",
    ["PATCH"],
    Operation(
        "Edit the draft: its parts and its narrative (null puts a part back to the text written from the data).",
        answer="Document",
        body=DocumentEditInput,
        errors=writes(*BODY, 404, 409),
    ),
)
def edit_document(rc: RequestContext, round_id: str) -> Reply:
    actor = rc.require_admin().actor
    return 200, document.edit(rc.ctx, round_id, rc.json(), actor)


@router.route(
    "/rounds/<id:round_id>/document-parts",
    ["PUT"],
    Operation(
        "Set the round's parts of the official document (its `document`, over the organisation's; audited).",
        answer="DocumentParts",
        body=DocumentSettingsInput,
        errors=writes(*BODY, 404),
    ),
)
def put_round_document_parts(rc: RequestContext, round_id: str) -> Reply:
    actor = rc.require_admin().actor
    return 200, document.put_round_parts(rc.ctx, round_id, rc.json(), actor)


@router.route(
    "/rounds/<id:round_id>/document/preview.pdf",
    ["GET"],
    Operation("The draft as it stands, as a PDF marked as a draft.", media=(PDF,), errors=reads(404, 409)),
)
def preview_document_pdf(rc: RequestContext, round_id: str) -> Reply:
    rc.require_admin()
    return _file(document.preview(rc.ctx, round_id, "pdf"), PDF, f"{round_id}-draft.pdf")


@router.route(
    "/rounds/<id:round_id>/document/preview.docx",
    ["GET"],
    Operation("The draft as it stands, as a Word document.", media=(document.DOCX_TYPE,), errors=reads(404, 409)),
)
def preview_document_docx(rc: RequestContext, round_id: str) -> Reply:
    rc.require_admin()
    return _file(document.preview(rc.ctx, round_id, "docx"), document.DOCX_TYPE, f"{round_id}-draft.docx")


@router.route(
    "/rounds/<id:round_id>/document/issue",
    ["POST"],
    Operation(
        "Issue the draft: the final PDF and DOCX, numbered and dated, never changed (audited).",
        answer="Document",
        body=IssueInput,
        body_required=False,
        errors=writes(*BODY, 404, 409),
    ),
)
def issue_document(rc: RequestContext, round_id: str) -> Reply:
    actor = rc.require_admin().actor
    return 200, document.issue(rc.ctx, round_id, rc.json(required=False), actor)


@router.route(
    "/rounds/<id:round_id>/document/issued/<int:seq>.pdf",
    ["GET"],
    Operation("An issued document's PDF, as it was issued.", media=(PDF,), errors=reads(404)),
)
def issued_pdf(rc: RequestContext, round_id: str, seq: int) -> Reply:
    rc.require_admin()
    return _file(document.issued_file(rc.ctx, round_id, seq, "pdf"), PDF, f"{round_id}-{seq}.pdf")


@router.route(
    "/rounds/<id:round_id>/document/issued/<int:seq>.docx",
    ["GET"],
    Operation("An issued document's DOCX, as it was issued.", media=(document.DOCX_TYPE,), errors=reads(404)),
)
def issued_docx(rc: RequestContext, round_id: str, seq: int) -> Reply:
    rc.require_admin()
    return _file(document.issued_file(rc.ctx, round_id, seq, "docx"), document.DOCX_TYPE, f"{round_id}-{seq}.docx")
