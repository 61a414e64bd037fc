"""Round service: the unit roster, a round's lifecycle (draft → open → closed), its board and
its unit links."""

from __future__ import annotations

import re
import secrets
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import quote

from checkround.context import Context
from checkround.errors import AppError
from checkround.forms.definition import ID_PATTERN
from checkround.inputs_common import load
from checkround.storage.ports import Doc, Transaction, Where

from . import tokens
from .inputs import RoundInput, TokensInput, UnitInput

_UNIT = {"vi": "đơn vị", "en": "Unit"}
_ROUND = {"vi": "đợt kiểm tra", "en": "Round"}
_FORM_VERSION = {"vi": "phiên bản biểu mẫu", "en": "Form version"}


def round_path(round_id: str) -> str:
    return f"rounds/{round_id}"


def entry_path(round_id: str, unit_id: str) -> str:
    """One document per unit and round: its current state on the board."""
    return f"rounds/{round_id}/entries/{unit_id}"


# -- units -------------------------------------------------------------------------------------


def put_unit(ctx: Context, unit_id: str, body: Any) -> Doc:
    if not re.fullmatch(ID_PATTERN, unit_id):
        raise AppError("validation_failed", fields={"unit_id": ["Use lowercase letters, digits and '-'."]})
    data = load(UnitInput(), body)
    doc = {"id": unit_id, **data, "updated_at": ctx.clock.now()}
    ctx.store.set(f"units/{unit_id}", doc)
    return doc


def list_units(ctx: Context) -> list[Doc]:
    return [doc for _, doc in ctx.store.list("units")]


# -- rounds ------------------------------------------------------------------------------------


def get_round_doc(ctx: Context, round_id: str) -> Doc:
    doc = ctx.store.get(round_path(round_id))
    if doc is None:
        raise AppError("not_found", what=_ROUND)
    return doc


def create_round(ctx: Context, body: Any) -> Doc:
    data = load(RoundInput(), body)
    form = ctx.store.get(f"forms/{data['form_id']}")
    if form is None:
        raise AppError("validation_failed", fields={"form_id": ["Unknown form."]})
    version = data.get("form_version") or form.get("latest_version")
    if not version or version not in form["versions"]:
        raise AppError("validation_failed", fields={"form_version": ["The form has no such published version."]})
    unknown = [uid for uid in data["unit_ids"] if ctx.store.get(f"units/{uid}") is None]
    if unknown:
        raise AppError("validation_failed", fields={"unit_ids": [f"Unknown units: {', '.join(unknown)}."]})
    round_id = data.pop("id", None) or f"round-{secrets.token_hex(4)}"
    doc = {
        **data,
        "id": round_id,
        "form_version": version,
        "status": "draft",
        "close_count": 0,
        "created_at": ctx.clock.now(),
    }
    if not ctx.store.create(round_path(round_id), doc):
        raise AppError("already_exists", what=_ROUND)
    return {"id": round_id, "status": "draft"}


def open_round(ctx: Context, round_id: str) -> Doc:
    def write(tx: Transaction) -> Doc:
        doc = tx.get(round_path(round_id))
        if doc is None:
            raise AppError("not_found", what=_ROUND)
        if doc["status"] == "open":
            return {"status": "open"}
        if doc["status"] == "closed":
            raise AppError("invalid_state", detail="the round is closed")
        tx.update(round_path(round_id), {"status": "open", "opened_at": ctx.clock.now()})
        return {"status": "open"}

    return ctx.store.transaction(write)


def close_round(ctx: Context, round_id: str) -> Doc:
    """Flip the round to ``closed`` in one transaction; Firestore's update event does the rest.

    Closing a closed round is not an error and writes nothing, so no second event fires.
    """

    def write(tx: Transaction) -> Doc:
        doc = tx.get(round_path(round_id))
        if doc is None:
            raise AppError("not_found", what=_ROUND)
        if doc["status"] != "closed":
            tx.update(
                round_path(round_id),
                {"status": "closed", "closed_at": ctx.clock.now(), "close_count": int(doc.get("close_count", 0)) + 1},
            )
        return {"status": "closed"}

    return ctx.store.transaction(write)


def deadline(round_doc: Doc) -> datetime:
    """The last moment a submission is accepted: ``closes_at`` plus the grace period."""
    closes_at: datetime = round_doc["closes_at"]
    return closes_at + timedelta(minutes=int(round_doc.get("grace_minutes", 0)))


def board(ctx: Context, round_doc: Doc) -> list[Doc]:
    entries = {uid: doc for uid, doc in ctx.store.list(f"{round_path(round_doc['id'])}/entries")}
    rows = []
    for unit_id in round_doc["unit_ids"]:
        entry = entries.get(unit_id)
        if entry is None:
            rows.append({"unit_id": unit_id, "state": "missing", "submitted_at": None, "revision": 0, "late": False})
        else:
            rows.append(
                {
                    "unit_id": unit_id,
                    "state": entry["state"],
                    "submitted_at": entry.get("submitted_at"),
                    "revision": entry.get("revision", 0),
                    "late": bool(entry.get("late")),
                }
            )
    return rows


def get_round(ctx: Context, round_id: str) -> Doc:
    doc = get_round_doc(ctx, round_id)
    return {**doc, "board": board(ctx, doc)}


def form_url(ctx: Context, round_id: str, token: str) -> str:
    return f"{ctx.settings.public_base_url}/web_form/r/{quote(round_id)}?t={quote(token)}"


def issue_tokens(ctx: Context, round_id: str, body: Any) -> Doc:
    data = load(TokensInput(), body if body is not None else {})
    doc = get_round_doc(ctx, round_id)
    unit_ids = data.get("unit_ids") or doc["unit_ids"]
    stray = [uid for uid in unit_ids if uid not in doc["unit_ids"]]
    if stray:
        raise AppError("validation_failed", fields={"unit_ids": [f"Not in this round: {', '.join(stray)}."]})
    result = {}
    for unit_id in unit_ids:
        token = tokens.issue_unit_token(ctx, round_id, unit_id)
        result[unit_id] = {"token": token, "form_url": form_url(ctx, round_id, token)}
    return {"tokens": result}


def close_due_rounds(ctx: Context) -> Doc:
    """Close every open round whose deadline (``closes_at`` + grace) has passed."""
    now = ctx.clock.now()
    closed = []
    for round_id, doc in ctx.store.list("rounds", where=[Where("status", "==", "open")]):
        if deadline(doc) < now:
            close_round(ctx, round_id)
            closed.append(round_id)
    return {"closed": closed}
