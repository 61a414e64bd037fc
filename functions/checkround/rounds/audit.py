"""The audit log of a round: who opened, closed, reopened, submitted, returned, issued or
revoked what, and when; and the global log of what belongs to no round (admin tokens).

An event is written in the same transaction as the change it records, so the log can never
say something happened that did not (or miss something that did). Events live under
``rounds/{roundId}/audit/`` with ids that sort by time.
"""

from __future__ import annotations

import secrets
from typing import Any

from checkround.context import Context
from checkround.storage.ports import Doc, Transaction

# What belongs to no round (admin tokens issued and revoked) is logged here instead.
GLOBAL_LOG = "audit"


def _log(round_id: str | None) -> str:
    return f"rounds/{round_id}/audit" if round_id is not None else GLOBAL_LOG


def _event_path(ctx: Context, round_id: str | None) -> str:
    stamp = ctx.clock.now().strftime("%Y%m%dT%H%M%S%f")
    return f"{_log(round_id)}/{stamp}-{secrets.token_hex(4)}"


def event(ctx: Context, round_id: str | None, action: str, actor: str, **details: Any) -> tuple[str, Doc]:
    """The path and document of one audit event (to write with the change it records);
    ``round_id`` None: the global log."""
    doc = {"at": ctx.clock.now(), "action": action, "actor": actor, "round_id": round_id, **details}
    return _event_path(ctx, round_id), doc


def record(tx: Transaction, ctx: Context, round_id: str | None, action: str, actor: str, **details: Any) -> None:
    path, doc = event(ctx, round_id, action, actor, **details)
    tx.create(path, doc)


def list_events(ctx: Context, round_id: str | None, limit: int = 500) -> list[Doc]:
    return [doc for _, doc in ctx.store.list(_log(round_id), limit=limit)]
