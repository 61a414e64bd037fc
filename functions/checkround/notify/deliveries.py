"""What was sent, per round and unit: the outbox's messages as admins read them."""

from __future__ import annotations

from checkround.context import Context
from checkround.storage.ports import Doc, Where

from .outbox import OUTBOX

_SHOWN = ("kind", "unit_id", "channel", "to", "state", "attempts", "created_at", "last_attempt_at", "sent_at",
          "error", "permanent")  # fmt: skip


def list_messages(ctx: Context, round_id: str, unit_id: str | None = None) -> Doc:
    where = [Where("round_id", "==", round_id)]
    if unit_id is not None:
        where.append(Where("unit_id", "==", unit_id))
    messages = []
    pending = 0
    for doc_id, doc in ctx.store.list(OUTBOX, where=where):
        if doc.get("type") == "request":
            pending += doc.get("state") != "done"
            continue
        messages.append({"id": doc_id, **{key: doc.get(key) for key in _SHOWN}})
    messages.sort(key=lambda item: (item["created_at"], item["id"]))
    return {"messages": messages, "pending_requests": pending}
