"""The CloudEvent side of the edge: Firestore ``document.v1.updated`` on ``rounds/{roundId}``
(the summary) and ``document.v1.created`` on ``outbox/{id}`` (the notifications)."""

from __future__ import annotations

import logging
from typing import Any

from checkround import logs
from checkround.context import Context
from checkround.reports.service import handle_round_update
from checkround.storage.firestore_events import decode_document_event

log = logging.getLogger("checkround.events")


def handle_firestore_event(event: Any, ctx: Context) -> str:
    # The event id is the request id of everything logged while handling it, so the lines of
    # one delivery (and of its retries, which keep the id) can be found together.
    with logs.request_scope({"X-Request-Id": str(event["id"])}, "on_round_closed"):
        return _handle(event, ctx)


def _handle(event: Any, ctx: Context) -> str:
    path, old, new = decode_document_event(event.get_data())
    if not path or not path.startswith("rounds/") or path.count("/") != 1:
        log.info("ignoring event %s for %s", event["id"], path)
        return "ignored"
    round_id = path.split("/", 1)[1]
    # Errors propagate on purpose: Eventarc retries the delivery, and the claim makes it safe.
    outcome = handle_round_update(ctx, round_id, old, new)
    log.info("event %s round %s: %s", event["id"], round_id, outcome)
    return outcome


def handle_outbox_event(event: Any, ctx: Context) -> str:
    """Firestore ``document.v1.created`` on ``outbox/{id}``: expand a request or send a message."""
    with logs.request_scope({"X-Request-Id": str(event["id"])}, "on_outbox_created"):
        path, _, new = decode_document_event(event.get_data())
        if not path or not path.startswith("outbox/") or path.count("/") != 1 or new is None:
            log.info("ignoring event %s for %s", event["id"], path)
            return "ignored"
        from checkround.notify.dispatch import handle  # the senders and templates load here only

        # Errors propagate: the delivery is retried, and the claim makes that safe.
        outcome = handle(ctx, path.split("/", 1)[1], new)
        log.info("event %s %s: %s", event["id"], path, outcome)
        return outcome
