"""Recommendations (kiến nghị): what the committee asks a unit to act on after a round closes.

A recommendation belongs to the round it was made after and to one unit; it may name a field
of that round's form (``section.field``) and a due date. Its status is ``open`` until an admin
sets it to ``done`` or ``dropped`` (or the unit answers ``done`` in the next round and the admin
accepts that report, :func:`close_answered`). Each creation and change is written with its
audit event in one transaction.

Stored under ``rounds/{roundId}/recommendations/{recId}``.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterable
from typing import Any

from checkround.context import Context
from checkround.errors import AppError
from checkround.forms.service import get_version
from checkround.forms.walk import walk
from checkround.inputs_common import PATH_ID, load
from checkround.rounds import audit
from checkround.rounds.service import ROUND_NOUN, get_round_doc, round_path
from checkround.storage.ports import Doc, Transaction, Where

from .inputs import STATUSES, RecommendationInput, RecommendationPatch

RECOMMENDATION_NOUN = {"vi": "kiến nghị", "en": "Recommendation"}
# The statuses that take a recommendation off the next round's form.
CLOSED = ("done", "dropped")


def recommendations_path(round_id: str) -> str:
    return f"{round_path(round_id)}/recommendations"


def recommendation_path(round_id: str, rec_id: str) -> str:
    return f"{recommendations_path(round_id)}/{rec_id}"


def _refuse(field: str, message: str) -> AppError:
    return AppError("validation_failed", fields={field: [message]}, subject="recommendation")


def _form_fields(ctx: Context, round_doc: Doc) -> set[str]:
    """The ``section.field`` names of the round's pinned form (top-level fields)."""
    definition = get_version(ctx, round_doc["form_id"], int(round_doc["form_version"]))
    return {place.name for place in walk(definition)}


def create(ctx: Context, round_id: str, body: Any, actor: str) -> Doc:
    """Record a recommendation for one unit of a closed round."""
    data = load(RecommendationInput(), body, "recommendation")
    round_doc = get_round_doc(ctx, round_id)
    if data["unit_id"] not in round_doc["unit_ids"]:
        raise _refuse("unit_id", "This unit is not in the round.")
    if data.get("field") and data["field"] not in _form_fields(ctx, round_doc):
        raise _refuse("field", "The round's form has no such field.")
    rec_id = f"rec-{secrets.token_hex(5)}"
    now = ctx.clock.now()
    doc: Doc = {
        "id": rec_id,
        "round_id": round_id,
        "unit_id": data["unit_id"],
        "text": data["text"],
        "field": data.get("field"),
        "due_date": data["due_date"].isoformat() if data.get("due_date") else None,
        "status": "open",
        "created_at": now,
        "created_by": actor,
        "updated_at": now,
    }

    def write(tx: Transaction) -> Doc:
        current = tx.get(round_path(round_id))
        if current is None:
            raise AppError("not_found", what=ROUND_NOUN)
        # Read again in the transaction: a round reopened meanwhile takes no recommendation.
        if current["status"] != "closed":
            raise AppError("round_not_closed")
        tx.create(recommendation_path(round_id, rec_id), doc)
        audit.record(
            tx, ctx, round_id, "recommendation_created", actor, recommendation_id=rec_id, unit_id=data["unit_id"]
        )
        return doc

    return ctx.store.transaction(write)


def list_for(ctx: Context, round_id: str, unit_id: str | None = None, status: str | None = None) -> list[Doc]:
    """The round's recommendations, oldest first, optionally of one unit and one status."""
    get_round_doc(ctx, round_id)
    if unit_id is not None and not re.fullmatch(PATH_ID, unit_id):
        # Checked before it reaches a query: the database refuses an over-long filter value.
        raise _refuse("unit_id", "Not a unit id.")
    if status is not None and status not in STATUSES:
        raise _refuse("status", f"Must be one of: {', '.join(STATUSES)}.")
    return _query(ctx, round_id, unit_id, [status] if status else None)


def _query(ctx: Context, round_id: str, unit_id: str | None, statuses: Iterable[str] | None) -> list[Doc]:
    where = [Where("unit_id", "==", unit_id)] if unit_id else []
    found = [doc for _, doc in ctx.store.list(recommendations_path(round_id), where=where)]
    if statuses is not None:
        wanted = set(statuses)
        found = [doc for doc in found if doc.get("status") in wanted]
    return sorted(found, key=lambda doc: (doc["created_at"], doc["id"]))


def update(ctx: Context, round_id: str, rec_id: str, body: Any, actor: str) -> Doc:
    """Change a recommendation's text, due date or status; the audit event lists each change
    with its value before and after."""
    data = load(RecommendationPatch(), body, "recommendation")
    if not data:
        raise _refuse("_schema", "Give text, due_date or status.")
    if "due_date" in data and data["due_date"] is not None:
        data["due_date"] = data["due_date"].isoformat()

    def write(tx: Transaction) -> Doc:
        current = tx.get(recommendation_path(round_id, rec_id))
        if current is None:
            if tx.get(round_path(round_id)) is None:
                raise AppError("not_found", what=ROUND_NOUN)
            raise AppError("not_found", what=RECOMMENDATION_NOUN)
        changes = {
            key: {"from": current.get(key), "to": value} for key, value in data.items() if current.get(key) != value
        }
        if not changes:
            return current
        update: Doc = {key: change["to"] for key, change in changes.items()}
        update["updated_at"] = ctx.clock.now()
        tx.update(recommendation_path(round_id, rec_id), update)
        audit.record(tx, ctx, round_id, "recommendation_updated", actor, recommendation_id=rec_id, changes=changes)
        return {**current, **update}

    return ctx.store.transaction(write)


def open_for_unit(ctx: Context, round_id: str, unit_id: str) -> list[Doc]:
    """A unit's recommendations of a round that are still open."""
    return _query(ctx, round_id, unit_id, ["open"])


def list_open_or_closed_by(ctx: Context, round_id: str, unit_id: str, closing_round: str) -> list[Doc]:
    """A unit's recommendations of a round that are open or that ``closing_round`` closed."""
    return [
        doc
        for doc in _query(ctx, round_id, unit_id, None)
        if doc.get("status") == "open" or doc.get("closed_by_round") == closing_round
    ]
