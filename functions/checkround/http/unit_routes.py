"""Routes of ``unit_api``: a unit reads its round's form and submits (unit token).

Kept free of the report stack: this module is what a unit's cold start imports. Each route
states, where it is registered, what its OpenAPI document says of it (:class:`~.operations.Operation`).
"""

from __future__ import annotations

from checkround.submissions import service as submissions
from checkround.submissions.inputs import SubmissionInput

from .core import Reply, RequestContext, Router, json_response
from .operations import BODY, IDEMPOTENCY_KEY, Operation, reads, writes

router = Router("unit_api")
router.publish_openapi()


@router.route(
    "/rounds/<id:round_id>/form",
    ["GET"],
    Operation(
        "The pinned form, the unit's draft, last submission and returned comments.",
        answer="UnitForm",
        errors=reads(404),
    ),
)
def get_form(rc: RequestContext, round_id: str) -> Reply:
    return 200, submissions.get_form_for_unit(rc.ctx, rc.require_unit(), round_id)


@router.route(
    "/rounds/<id:round_id>/draft",
    ["PUT"],
    Operation(
        "Save a draft (types checked, required fields not).",
        answer="DraftSaved",
        body=SubmissionInput,
        errors=writes(*BODY, 404, 409),
    ),
)
def put_draft(rc: RequestContext, round_id: str) -> Reply:
    principal = rc.require_unit()
    return 200, submissions.save_draft(rc.ctx, principal, round_id, rc.json(), rc.language)


@router.route(
    "/rounds/<id:round_id>/submission",
    ["POST"],
    Operation(
        "Submit (a new revision).",
        201,
        "SubmissionResult",
        body=SubmissionInput,
        errors=writes(*BODY, 404, 409),
        parameters=(IDEMPOTENCY_KEY,),
    ),
)
def submit(rc: RequestContext, round_id: str) -> Reply:
    # The submission's transaction re-reads the token, so a recent lookup may be reused.
    principal = rc.require_unit(recheck_later=True)
    key = rc.request.headers.get("Idempotency-Key")
    result, created = submissions.submit(rc.ctx, principal, round_id, rc.json(), key, rc.language)
    # A replay answers exactly like the first call; the header tells a curious client.
    return json_response(201, result, headers={"Idempotent-Replayed": "false" if created else "true"})


@router.route(
    "/rounds/<id:round_id>/submission",
    ["GET"],
    Operation("The latest revision.", answer="Submission", errors=reads(404)),
)
def get_submission(rc: RequestContext, round_id: str) -> Reply:
    return 200, submissions.get_submission(rc.ctx, rc.require_unit(), round_id)
