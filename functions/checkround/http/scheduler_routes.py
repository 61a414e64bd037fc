"""Route of ``close_due_rounds``, called by Cloud Scheduler (OIDC in the cloud) every minute."""

from __future__ import annotations

from checkround.rounds import service as rounds

from .core import Reply, RequestContext, Router

router = Router("close_due_rounds")


@router.route("/", ["POST", "GET"])
def close_due(rc: RequestContext) -> Reply:
    return 200, rounds.close_due_rounds(rc.ctx)
