"""Routes of ``unit_api``: a unit reads its round's form and submits (unit token).

Kept free of the report stack: this module is what a unit's cold start imports.
"""

from __future__ import annotations

from checkround.submissions import service as submissions

from .core import Reply, RequestContext, Router, json_response

router = Router("unit_api")
router.publish_openapi()


@router.route("/rounds/<id:round_id>/form", ["GET"])
def get_form(rc: RequestContext, round_id: str) -> Reply:
    return 200, submissions.get_form_for_unit(rc.ctx, rc.require_unit(), round_id)


@router.route("/rounds/<id:round_id>/draft", ["PUT"])
def put_draft(rc: RequestContext, round_id: str) -> Reply:
    principal = rc.require_unit()
    return 200, submissions.save_draft(rc.ctx, principal, round_id, rc.json(), rc.language)


@router.route("/rounds/<id:round_id>/submission", ["POST"])
def submit(rc: RequestContext, round_id: str) -> Reply:
    # The submission's transaction re-reads the token, so a recent lookup may be reused.
    principal = rc.require_unit(recheck_later=True)
    key = rc.request.headers.get("Idempotency-Key")
    result, created = submissions.submit(rc.ctx, principal, round_id, rc.json(), key, rc.language)
    # A replay answers exactly like the first call; the header tells a curious client.
    return json_response(201, result, headers={"Idempotent-Replayed": "false" if created else "true"})


@router.route("/rounds/<id:round_id>/submission", ["GET"])
def get_submission(rc: RequestContext, round_id: str) -> Reply:
    return 200, submissions.get_submission(rc.ctx, rc.require_unit(), round_id)
