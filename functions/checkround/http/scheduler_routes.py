"""Route of ``close_due_rounds``, called by Cloud Scheduler (OIDC in the cloud) every minute:
it closes the rounds whose deadline has passed, asks for reminders and digests, and sweeps
the outbox."""

from __future__ import annotations

from checkround.rounds import service as rounds

from .core import Reply, RequestContext, Router

router = Router("close_due_rounds")


@router.route("/", ["POST", "GET"])
def close_due(rc: RequestContext) -> Reply:
    closed = rounds.close_due_rounds(rc.ctx)
    # The same tick asks for the reminders and digests that are due and sweeps the outbox: it
    # takes up what its Firestore event did not (a failed delivery, a retry that is due, a
    # dispatcher that died holding a message).
    from checkround.notify import dispatch, schedule

    return 200, {**closed, **schedule.tick(rc.ctx), "outbox": dispatch.sweep(rc.ctx)}
