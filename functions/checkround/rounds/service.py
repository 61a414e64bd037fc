"""Round service: the unit roster, a round's lifecycle (draft → open → closed), its board and
its unit links."""

from __future__ import annotations

import re
import secrets
import time
import weakref
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import quote

from checkround.context import Context
from checkround.errors import AppError
from checkround.formats.text import Bilingual
from checkround.forms.definition import ID_PATTERN
from checkround.forms.service import check_version_rules
from checkround.inputs_common import load
from checkround.notify.outbox import write_request
from checkround.storage.ports import Doc, Transaction, Where

from . import audit, roster_snapshot, tokens
from .inputs import ReopenInput, RoundInput, TokensInput, UnitInput

UNIT_NOUN = {"vi": "đơn vị", "en": "Unit"}
ROUND_NOUN = {"vi": "đợt kiểm tra", "en": "Round"}


def round_path(round_id: str) -> str:
    return f"rounds/{round_id}"


def entry_path(round_id: str, unit_id: str) -> str:
    """One document per unit and round: its current state on the board."""
    return f"rounds/{round_id}/entries/{unit_id}"


# -- units -------------------------------------------------------------------------------------


def put_unit(ctx: Context, unit_id: str, body: Any) -> Doc:
    if not re.fullmatch(ID_PATTERN, unit_id):
        raise AppError(
            "validation_failed",
            fields={
                "unit_id": [
                    Bilingual("Dùng chữ thường không dấu, chữ số và dấu '-'.", "Use lowercase letters, digits and '-'.")
                ]
            },
            subject="unit",
        )
    data = load(UnitInput(), body, "unit")
    now = ctx.clock.now()
    doc = {"id": unit_id, **data, "updated_at": now}

    def write(tx: Transaction) -> None:
        # The roster snapshot changes with the unit or neither does (roster_snapshot.py).
        pending = roster_snapshot.read_for_update(tx)
        tx.set(f"units/{unit_id}", doc)
        roster_snapshot.write(tx, pending, {unit_id: doc}, now)

    ctx.store.transaction(write)
    return doc


def list_units(ctx: Context) -> list[Doc]:
    """Every unit, with the roster snapshot checked against them on the way."""
    return roster_snapshot.checked_units(ctx)


# -- rounds ------------------------------------------------------------------------------------


def get_round_doc(ctx: Context, round_id: str) -> Doc:
    doc = ctx.store.get(round_path(round_id))
    if doc is None:
        raise AppError("not_found", what=ROUND_NOUN)
    return doc


_RECENT: weakref.WeakKeyDictionary[Any, dict[str, tuple[float, Doc]]] = weakref.WeakKeyDictionary()
_RECENT_SECONDS = 5.0


def recent_round(ctx: Context, round_id: str) -> Doc:
    """The round as read at most a few seconds ago (its form and roster never change; callers
    re-check status and deadline in their transaction)."""
    cache = _RECENT.setdefault(ctx.store, {})
    hit = cache.get(round_id)
    if hit is not None and hit[0] > time.monotonic():
        return hit[1]
    doc = get_round_doc(ctx, round_id)
    if len(cache) > 1000:
        cache.clear()
    cache[round_id] = (time.monotonic() + _RECENT_SECONDS, doc)
    return doc


def create_round(ctx: Context, body: Any) -> Doc:
    data = load(RoundInput(), body, "round")
    form = ctx.store.get(f"forms/{data['form_id']}")
    if form is None:
        raise AppError(
            "validation_failed",
            fields={"form_id": [Bilingual("Không có biểu mẫu này.", "Unknown form.")]},
            subject="round",
        )
    version = data.get("form_version") or form.get("latest_version")
    if not version or version not in form["versions"]:
        raise AppError(
            "validation_failed",
            fields={
                "form_version": [
                    Bilingual("Biểu mẫu không có phiên bản đã ban hành này.", "The form has no such published version.")
                ]
            },
            subject="round",
        )
    check_version_rules(ctx, data["form_id"], version)
    unknown = [uid for uid in data["unit_ids"] if ctx.store.get(f"units/{uid}") is None]
    if unknown:
        raise AppError(
            "validation_failed",
            fields={
                "unit_ids": [
                    Bilingual(f"Không có các đơn vị: {', '.join(unknown)}.", f"Unknown units: {', '.join(unknown)}.")
                ]
            },
            subject="round",
        )
    round_id = data.pop("id", None) or f"round-{secrets.token_hex(4)}"
    if data.get("previous_round_id"):
        _check_previous(ctx, data["previous_round_id"], round_id)
    doc = {
        **data,
        "id": round_id,
        "form_version": version,
        "status": "draft",
        "close_count": 0,
        "created_at": ctx.clock.now(),
    }
    if not ctx.store.create(round_path(round_id), doc):
        raise AppError("already_exists", what=ROUND_NOUN)
    return {"id": round_id, "status": "draft"}


def _check_previous(ctx: Context, previous_id: str, round_id: str) -> None:
    """A round follows a closed round (of this deployment's organisation: one per project)."""
    previous = ctx.store.get(round_path(previous_id))
    problem: Bilingual | None = None
    if previous_id == round_id:
        problem = Bilingual("Một đợt không thể tiếp nối chính nó.", "A round cannot follow itself.")
    elif previous is None:
        problem = Bilingual("Không có đợt nào mang mã này.", "No round has this id.")
    elif previous.get("status") != "closed":
        problem = Bilingual("Đợt trước phải đã đóng.", "The previous round must be closed.")
    if problem:
        raise AppError("validation_failed", fields={"previous_round_id": [problem]}, subject="round")


def open_round(ctx: Context, round_id: str, actor: str = "admin") -> Doc:
    """Open a draft round. A round created before its version's rules failed today's check
    (forms.service.check_version_rules) is refused here, with nothing written; a round already
    open keeps working."""

    def write(tx: Transaction) -> Doc:
        doc = tx.get(round_path(round_id))
        if doc is None:
            raise AppError("not_found", what=ROUND_NOUN)
        if doc["status"] == "open":
            return {"status": "open"}
        if doc["status"] == "closed":
            raise AppError(
                "invalid_state",
                detail={"vi": "đợt đã đóng; hãy mở lại đợt", "en": "the round is closed; reopen it instead"},
            )
        check_version_rules(ctx, doc["form_id"], doc["form_version"])
        now = ctx.clock.now()
        tx.update(round_path(round_id), {"status": "open", "opened_at": now})
        audit.record(tx, ctx, round_id, "open", actor)
        # Each unit's contacts get a link of their own and the deadline (docs/notifications.md).
        write_request(tx, now, "link", round_id)
        return {"status": "open"}

    return ctx.store.transaction(write)


def close_round(ctx: Context, round_id: str, actor: str = "admin") -> Doc:
    """Flip the round to ``closed`` in one transaction; Firestore's update event does the rest.

    Closing a closed round is not an error and writes nothing, so no second event fires.
    Returns ``closed_now``: whether this call did the closing.
    """

    def write(tx: Transaction) -> Doc:
        doc = tx.get(round_path(round_id))
        if doc is None:
            raise AppError("not_found", what=ROUND_NOUN)
        if doc["status"] == "closed":
            return {"status": "closed", "closed_now": False}
        if doc["status"] != "open":
            raise AppError(
                "invalid_state", detail={"vi": "chỉ đóng được đợt đang mở", "en": "only an open round can be closed"}
            )
        count = int(doc.get("close_count", 0)) + 1
        tx.update(round_path(round_id), {"status": "closed", "closed_at": ctx.clock.now(), "close_count": count})
        audit.record(tx, ctx, round_id, "close", actor, close_count=count)
        return {"status": "closed", "closed_now": True}

    return ctx.store.transaction(write)


def reopen_round(ctx: Context, round_id: str, body: Any, actor: str = "admin") -> Doc:
    """Open a closed round again, optionally with a later deadline; the next close renders a
    new summary and keeps the earlier ones."""
    data = load(ReopenInput(), body if body is not None else {}, "reopen")
    now = ctx.clock.now()

    def write(tx: Transaction) -> Doc:
        doc = tx.get(round_path(round_id))
        if doc is None:
            raise AppError("not_found", what=ROUND_NOUN)
        if doc["status"] != "closed":
            raise AppError(
                "invalid_state",
                detail={"vi": "chỉ mở lại được đợt đã đóng", "en": "only a closed round can be reopened"},
            )
        changes: Doc = {"status": "open", "reopened_at": now, **data}
        if deadline({**doc, **changes}) <= now:
            raise AppError(
                "validation_failed",
                fields={
                    "closes_at": [
                        Bilingual(
                            "Hạn chót đã qua; hãy cho closes_at muộn hơn.",
                            "The deadline has passed; give a later closes_at.",
                        )
                    ]
                },
                subject="reopen",
            )
        tx.update(round_path(round_id), changes)
        audit.record(tx, ctx, round_id, "reopen", actor, **{k: v for k, v in data.items()})
        return {"status": "open"}

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


def _units_of(round_doc: Doc, unit_ids: list[str] | None) -> list[str]:
    chosen = unit_ids or round_doc["unit_ids"]
    stray = [uid for uid in chosen if uid not in round_doc["unit_ids"]]
    if stray:
        raise AppError(
            "validation_failed",
            fields={
                "unit_ids": [
                    Bilingual(f"Không thuộc đợt này: {', '.join(stray)}.", f"Not in this round: {', '.join(stray)}.")
                ]
            },
            subject="links",
        )
    return list(chosen)


def links_path(round_id: str, unit_id: str) -> str:
    """The unit's live links in this round, ``{"live": [{"token": path, "link": path}]}`` (the
    documents of each link's API token and web form secret), read and written in the
    transaction that issues or revokes them, so that two reissues at once serialise (the
    second revokes what the first issued) instead of leaving two live sets."""
    return f"rounds/{round_id}/links/{unit_id}"


def _unlisted_tokens(ctx: Context, round_id: str, unit_ids: list[str]) -> dict[str, str]:
    """Paths (and kinds) of unrevoked tokens of these units that may predate the links
    documents (found by a query, which a transaction cannot hold; a reissue at once is caught
    by the links documents)."""
    found: dict[str, str] = {}
    for start in range(0, len(unit_ids), 30):  # Firestore's "in" takes at most 30 values
        where = [Where("round_id", "==", round_id), Where("unit_id", "in", unit_ids[start : start + 30])]
        found |= {
            f"tokens/{token_id}": str(doc.get("kind"))
            for token_id, doc in ctx.store.list("tokens", where=where)
            if not doc.get("revoked")
        }
    return found


def _chunks(items: list[str], size: int = 50) -> list[list[str]]:
    # A Firestore transaction takes at most 500 writes: per unit two new secrets (API token and
    # link) and its links document, and the revocation of its earlier ones (a few each).
    return [items[start : start + size] for start in range(0, len(items), size)]


Secret = tuple[str, str, Doc]  # (the secret, its document path, the document)
# What each unit is issued: its API token and its web form link's secret.
Issued = dict[str, tuple[Secret, Secret]]


def _replace_links(
    ctx: Context, round_id: str, chunk: list[str], issued: Issued, revoke: bool, actor: str
) -> Callable[[Transaction], int]:
    """The transaction that revokes (if asked) the chunk's live links and stores the new ones;
    it answers how many links it revoked."""
    unlisted = _unlisted_tokens(ctx, round_id, chunk) if revoke else {}

    def write(tx: Transaction) -> int:
        docs = tx.get_many([links_path(round_id, uid) for uid in chunk])
        live = {uid: list((doc or {}).get("live", [])) for uid, doc in zip(chunk, docs, strict=True)}
        listed = [pair for pairs in live.values() for pair in pairs] if revoke else []
        paths = {path for pair in listed for path in pair.values()}
        # A token no links document lists is an older link (an API token that was its own link).
        stray = {path: kind for path, kind in unlisted.items() if path not in paths}
        now = ctx.clock.now()
        for path in sorted(paths | set(stray)):
            tx.update(path, {"revoked": True, "revoked_at": now})
        for uid in chunk:
            kept = [] if revoke else live[uid]
            new = [{"token": issued[uid][0][1], "link": issued[uid][1][1]}] if uid in issued else []
            tx.set(links_path(round_id, uid), {"live": [*kept, *new]})
        for pair in issued.values():
            for _, path, doc in pair:
                tx.create(path, doc)
        count = len(listed) + sum(1 for kind in stray.values() if kind == "unit")
        if issued:
            audit.record(tx, ctx, round_id, "tokens_issued", actor, unit_ids=chunk, revoked_previous=count)
        else:
            audit.record(tx, ctx, round_id, "tokens_revoked", actor, unit_ids=chunk, count=count)
        return count

    return write


def issue_tokens(ctx: Context, round_id: str, body: Any, actor: str = "admin") -> Doc:
    """New links for units; ``revoke_previous`` makes the earlier links of those units stop working."""
    data = load(TokensInput(), body if body is not None else {}, "links")
    unit_ids = _units_of(get_round_doc(ctx, round_id), data.get("unit_ids"))
    links: Doc = {}
    revoked = 0
    for chunk in _chunks(unit_ids):
        # Two secrets per unit: the API token, and the link's (see tokens.unit_token_doc).
        issued = {
            uid: (tokens.unit_token_doc(ctx, round_id, uid, "unit"), tokens.unit_token_doc(ctx, round_id, uid, "link"))
            for uid in chunk
        }
        revoked += ctx.store.transaction(_replace_links(ctx, round_id, chunk, issued, data["revoke_previous"], actor))
        links.update(
            {
                uid: {"token": api[0], "form_url": form_url(ctx, round_id, link[0])}
                for uid, (api, link) in issued.items()
            }
        )
    return {"tokens": links, "revoked": revoked}


def revoke_tokens(ctx: Context, round_id: str, body: Any, actor: str = "admin") -> Doc:
    data = load(TokensInput(), body if body is not None else {}, "links")
    unit_ids = _units_of(get_round_doc(ctx, round_id), data.get("unit_ids"))
    revoked = 0
    for chunk in _chunks(unit_ids):
        revoked += ctx.store.transaction(_replace_links(ctx, round_id, chunk, {}, True, actor))
    return {"revoked": revoked}


def send_links(ctx: Context, round_id: str, body: Any, actor: str = "admin") -> Doc:
    """Send the contacts of some units (all, without ``unit_ids``) a new link each, by the
    round's channels; the links they already have keep working."""
    data = load(TokensInput(), body if body is not None else {}, "links")
    unit_ids = _units_of(get_round_doc(ctx, round_id), data.get("unit_ids"))

    def write(tx: Transaction) -> Doc:
        doc = tx.get(round_path(round_id))
        if doc is None:
            raise AppError("not_found", what=ROUND_NOUN)
        if doc["status"] != "open":
            raise AppError("round_not_open")
        request_id = write_request(tx, ctx.clock.now(), "link", round_id, unit_ids=unit_ids, params={"again": True})
        audit.record(tx, ctx, round_id, "links_sent", actor, unit_ids=unit_ids)
        return {"request_id": request_id, "unit_ids": unit_ids}

    return ctx.store.transaction(write)


def close_due_rounds(ctx: Context) -> Doc:
    """Close every open round whose deadline (``closes_at`` + grace) has passed.

    Each close is its own transaction; a round another run closed first is not counted, so
    two concurrent runs close each round once between them."""
    now = ctx.clock.now()
    closed = []
    for round_id, doc in ctx.store.list("rounds", where=[Where("status", "==", "open")]):
        if deadline(doc) < now and close_round(ctx, round_id, actor="scheduler")["closed_now"]:
            closed.append(round_id)
    return {"closed": closed}
