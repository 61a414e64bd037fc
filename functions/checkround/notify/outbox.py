"""The outbox: ``outbox/{id}`` documents, written in the transaction of the change that causes
them, so that a message is decided exactly when its cause is stored, and never otherwise.

A change writes one *request* (``type: "request"``): "the links of this round's units", "the
comments of this return"... A request names its cause, not its recipients: a round of a
thousand units opens in one small write, and who receives what is decided by its expansion
(:mod:`.expand`), which writes one *message* (``type: "message"``) per recipient and channel.
Each document carries ``due_at`` while something remains to be done with it (the sweep's one
query); a finished one has none.

This module imports nothing heavy: the services that write requests are also loaded by
``unit_api``, which must stay light.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from typing import Any

from checkround.storage.ports import Doc, Transaction

OUTBOX = "outbox"

# How long the sweep leaves a new document to its own Firestore event before it takes it up.
EVENT_HEADSTART = timedelta(minutes=1)
# How long an outbox document is kept: Firestore's TTL policy on EXPIRE_FIELD (infra/firestore.tf)
# deletes it after that, so that the record of what was sent does not grow for ever.
KEEP = timedelta(days=180)
EXPIRE_FIELD = "expire_at"

# Request kinds: each names its templates (templates/notify/<kind>.txt.j2 and .html.j2).
KINDS = ("link", "reminder", "returned", "accepted", "summary", "digest")
UNIT_KINDS = frozenset({"link", "reminder", "returned", "accepted"})
ADMIN_KINDS = frozenset({"summary", "digest"})
LINK_KINDS = frozenset({"link", "reminder"})  # messages that carry a fresh link of their own


def outbox_path(doc_id: str) -> str:
    return f"{OUTBOX}/{doc_id}"


def new_request_id(kind: str, round_id: str, key: str | None = None) -> str:
    """A request's id: ``key`` when the cause must be written at most once (a reminder, the
    summary of one render), else a random suffix."""
    return f"{kind}.{round_id}.{key if key is not None else secrets.token_hex(6)}"


def write_request(
    tx: Transaction,
    now: datetime,
    kind: str,
    round_id: str,
    *,
    unit_ids: list[str] | None = None,
    only_missing: bool = False,
    params: dict[str, Any] | None = None,
    request_id: str | None = None,
) -> str:
    """Write a request in ``tx`` (after the transaction's reads); returns its id.

    ``unit_ids`` None means every unit of the round; ``only_missing`` keeps the units that
    have not submitted when the request is expanded.
    """
    doc_id = request_id or new_request_id(kind, round_id)
    doc: Doc = {
        "type": "request",
        "kind": kind,
        "round_id": round_id,
        "unit_ids": unit_ids,
        "only_missing": only_missing,
        "params": params or {},
        "state": "pending",
        "cursor": 0,
        "created_at": now,
        "due_at": now + EVENT_HEADSTART,
        EXPIRE_FIELD: now + KEEP,
    }
    tx.create(outbox_path(doc_id), doc)
    return doc_id
