"""Admin tokens: issued with an expiry, listed, revoked; each issue and revocation is written
to the global audit log in the same transaction as the token.

The token itself is shown once, in the answer that issues it; a list shows its id, name,
who issued it and when it expires or was revoked, never the token or its hash.
"""

from __future__ import annotations

from typing import Any

from checkround.context import Context
from checkround.errors import AppError
from checkround.inputs_common import load
from checkround.storage.ports import Doc, Transaction, Where

from . import audit
from .inputs import AdminTokenInput
from .tokens import ADMIN_TOKEN_MAX_DAYS, admin_token_doc

_TOKEN = {"vi": "mã quản trị", "en": "Admin token"}
_SHOWN = ("token_id", "name", "issued_at", "issued_by", "expires_at", "revoked", "revoked_at", "revoked_by")


def _public(doc: Doc) -> Doc:
    return {key: doc.get(key) for key in _SHOWN}


def issue(ctx: Context, body: Any, actor: str) -> Doc:
    data = load(AdminTokenInput(), body, "admin_token")
    days = min(int(data["expires_in_days"]), ADMIN_TOKEN_MAX_DAYS)
    token, path, doc = admin_token_doc(ctx, data["name"], days, issued_by=actor)

    def write(tx: Transaction) -> None:
        tx.create(path, doc)
        audit.record(
            tx,
            ctx,
            None,
            "admin_token_issued",
            actor,
            token_id=doc["token_id"],
            name=doc["name"],
            expires_at=doc["expires_at"],
        )

    ctx.store.transaction(write)
    return {**_public(doc), "token": token}


def list_tokens(ctx: Context) -> Doc:
    """Every admin token, newest first, with whether it still works."""
    now = ctx.clock.now()
    rows = [_public(doc) for _, doc in ctx.store.list("tokens", where=[Where("kind", "==", "admin")])]
    for row in rows:
        row["active"] = not row["revoked"] and row["expires_at"] is not None and row["expires_at"] > now
    rows.sort(key=lambda row: row["issued_at"], reverse=True)
    return {"tokens": rows}


def revoke(ctx: Context, token_id: str, actor: str) -> Doc:
    found = [
        f"tokens/{doc_id}"
        for doc_id, doc in ctx.store.list("tokens", where=[Where("token_id", "==", token_id)])
        if doc.get("kind") == "admin"
    ]
    if not found:
        raise AppError("not_found", what=_TOKEN)
    (path,) = found

    def write(tx: Transaction) -> Doc:
        doc = tx.get(path) or {}
        if doc.get("revoked"):
            return doc  # revoking twice is not an error, and is logged once
        now = ctx.clock.now()
        doc |= {"revoked": True, "revoked_at": now, "revoked_by": actor}
        tx.update(path, {"revoked": True, "revoked_at": now, "revoked_by": actor})
        audit.record(tx, ctx, None, "admin_token_revoked", actor, token_id=token_id, name=doc.get("name"))
        return doc

    return _public(ctx.store.transaction(write))


def audit_log(ctx: Context) -> Doc:
    return {"events": audit.list_events(ctx, None)}
