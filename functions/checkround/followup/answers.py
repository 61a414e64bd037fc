"""Follow-up answers: in a round that follows another, what a unit says of each recommendation
the previous round left open for it.

The unit's form lists those recommendations (:func:`items_for`) and asks, for each, a status
(``done``, ``in_progress``, ``not_started``) and a note. A draft or submission carries them as
``follow_up: {recId: {status, note}}``, checked here like any answer: an id that is not one of
the unit's listed recommendations is refused, and on a submission (not a draft) every listed
recommendation needs a status. Errors come back under ``follow_up`` in the error's ``fields``,
beside the answers' own.

When an admin accepts a report whose follow-up says ``done``, those recommendations close
(:func:`close_answered`, in the acceptance's transaction); returning the report opens them again
(:func:`reopen_answered`).
"""

from __future__ import annotations

import time
import weakref
from collections.abc import Mapping
from typing import Any

from checkround.context import Context
from checkround.formats.text import in_language, localized
from checkround.rounds import audit
from checkround.storage.ports import Doc, Transaction

from .inputs import FOLLOW_UP_STATUSES, MAX_NOTE
from .recommendations import list_open_or_closed_by, recommendation_path

KEY = "follow_up"

_MESSAGES: dict[str, dict[str, str]] = {
    "vi": {
        "not_object": "Phải là một nhóm giá trị (object) theo mã kiến nghị.",
        "unknown": "Không có kiến nghị này trong danh sách của đơn vị.",
        "status_required": "Chọn mức độ thực hiện kiến nghị này.",
        "status_invalid": "Chọn một trong: đã thực hiện, đang thực hiện, chưa thực hiện.",
        "note_invalid": "Ghi chú phải là văn bản, tối đa {max} ký tự.",
    },
    "en": {
        "not_object": "Must be an object keyed by recommendation id.",
        "unknown": "This recommendation is not one of the unit's.",
        "status_required": "Say how far this recommendation has been carried out.",
        "status_invalid": "Choose one of: done, in progress, not started.",
        "note_invalid": "The note must be text of at most {max} characters.",
    },
}


_RECENT: weakref.WeakKeyDictionary[Any, dict[tuple[str, str], tuple[float, list[Doc]]]] = weakref.WeakKeyDictionary()
_RECENT_SECONDS = 5.0


def items_for(ctx: Context, round_doc: Mapping[str, Any], unit_id: str) -> list[Doc]:
    """The recommendations the unit's form asks about: those of the previous round still open,
    and those a report of this round has already closed (so that sending it again is not
    refused). Read at most every few seconds per unit: the page saves its draft in the
    background as the unit types, and each save checks the answers."""
    previous_id = round_doc.get("previous_round_id")
    if not previous_id:
        return []
    cache = _RECENT.setdefault(ctx.store, {})
    key = (str(round_doc["id"]), unit_id)
    hit = cache.get(key)
    if hit is not None and hit[0] > time.monotonic():
        return hit[1]
    found = list_open_or_closed_by(ctx, str(previous_id), unit_id, str(round_doc["id"]))
    if len(cache) > 1000:
        cache.clear()
    cache[key] = (time.monotonic() + _RECENT_SECONDS, found)
    return found


def check(items: list[Doc], raw: Any, language: str, draft: bool) -> tuple[dict[str, Doc], dict[str, Any]]:
    """``(cleaned answers, errors)``: errors in marshmallow's nested shape, empty when none."""
    msgs = in_language(_MESSAGES, language)
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        return {}, {"_schema": [msgs["not_object"]]}
    known = {item["id"] for item in items}
    cleaned: dict[str, Doc] = {}
    errors: dict[str, Any] = {}
    for rec_id, answer in raw.items():
        if rec_id not in known:
            errors[rec_id] = [msgs["unknown"]]
            continue
        if not isinstance(answer, dict):
            errors[rec_id] = [msgs["not_object"]]
            continue
        found: dict[str, list[str]] = {}
        extra = sorted(set(answer) - {"status", "note"})
        for key in extra:
            found[key] = [msgs["unknown"]]
        status = answer.get("status")
        if status not in (None, "") and status not in FOLLOW_UP_STATUSES:
            found["status"] = [msgs["status_invalid"]]
        note = answer.get("note")
        if note is not None and (not isinstance(note, str) or len(note) > MAX_NOTE):
            found["note"] = [msgs["note_invalid"].format(max=MAX_NOTE)]
        if found:
            errors[rec_id] = found
            continue
        kept = {key: value for key, value in (("status", status or None), ("note", (note or "").strip() or None))}
        if kept["status"] or kept["note"]:
            cleaned[rec_id] = kept
    if not draft:
        for rec_id in sorted(known - set(errors)):
            if not (cleaned.get(rec_id) or {}).get("status"):
                errors[rec_id] = {"status": [msgs["status_required"]]}
    return cleaned, errors


def read_post(form: Mapping[str, str]) -> dict[str, Doc]:
    """The follow-up answers a web form post holds: ``follow_up.<recId>.status`` and
    ``follow_up.<recId>.note``; what the page left empty is not sent."""
    found: dict[str, Doc] = {}
    for name, value in form.items():
        head, _, rest = name.partition(".")
        rec_id, _, part = rest.rpartition(".")
        if head != KEY or not rec_id or part not in ("status", "note"):
            continue
        if value != "":
            found.setdefault(rec_id, {})[part] = value
    return found


def close_answered(
    tx: Transaction, ctx: Context, round_doc: Mapping[str, Any], follow_up: Any, actor: str
) -> list[str]:
    """In an acceptance's transaction: the previous round's recommendations that the accepted
    report answers ``done`` become ``done``, each change audited in the round they belong to.
    Reads first (Firestore's rule), then writes; returns the ids closed."""
    return _move_answered(tx, ctx, round_doc, follow_up, actor, reopen=False)


def reopen_answered(
    tx: Transaction, ctx: Context, round_doc: Mapping[str, Any], follow_up: Any, actor: str
) -> list[str]:
    """In a return's transaction: the acceptance being withdrawn, the recommendations it closed
    (``closed_by_round`` this round) are open again, each change audited in its own round.
    Reads first, then writes; returns the ids reopened."""
    return _move_answered(tx, ctx, round_doc, follow_up, actor, reopen=True)


def _move_answered(
    tx: Transaction, ctx: Context, round_doc: Mapping[str, Any], follow_up: Any, actor: str, *, reopen: bool
) -> list[str]:
    """The recommendations a report answers ``done``, moved open -> done (closing) or back
    done -> open (reopening only those this round closed: one closed by an admin or by another
    round is not this acceptance's to undo)."""
    previous_id = round_doc.get("previous_round_id")
    if not previous_id or not isinstance(follow_up, Mapping):
        return []
    answered = sorted(rec_id for rec_id, answer in follow_up.items() if (answer or {}).get("status") == "done")
    if not answered:
        return []
    source, target = ("done", "open") if reopen else ("open", "done")
    docs = tx.get_many([recommendation_path(str(previous_id), rec_id) for rec_id in answered])
    moved = []
    now = ctx.clock.now()
    for rec_id, doc in zip(answered, docs, strict=True):
        if doc is None or doc.get("status") != source:
            continue
        if reopen and doc.get("closed_by_round") != round_doc["id"]:
            continue
        tx.update(
            recommendation_path(str(previous_id), rec_id),
            {"status": target, "closed_by_round": None if reopen else round_doc["id"], "updated_at": now},
        )
        audit.record(
            tx,
            ctx,
            str(previous_id),
            "recommendation_updated",
            actor,
            recommendation_id=rec_id,
            changes={"status": {"from": source, "to": target}},
            by_round=round_doc["id"],
        )
        moved.append(rec_id)
    return moved


def answered_rows(recs: list[Doc], follow_up: Any, language: str) -> list[dict[str, Any]]:
    """What a unit said of each recommendation, in the order they were made, for a page or a
    PDF: ``{text, status, note}`` (``status`` a key of FOLLOW_UP_STATUSES, or None)."""
    answers = follow_up if isinstance(follow_up, Mapping) else {}
    rows = []
    for rec in recs:
        answer = answers.get(rec["id"]) or {}
        rows.append(
            {"text": localized(rec.get("text"), language), "status": answer.get("status"), "note": answer.get("note")}
        )
    return rows
