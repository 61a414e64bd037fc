"""Submission service: what a unit reads and writes in its round.

A submission is validated against the round's pinned form version outside the transaction,
then stored in one transaction that also re-reads the round, so a submission racing the close
is either stored whole before it or refused whole after it.
"""

from __future__ import annotations

import hashlib
import json
import threading
import weakref
from typing import Any

from checkround.context import Context
from checkround.errors import AppError
from checkround.followup import answers as follow_up_answers
from checkround.forms.compiler import CACHE
from checkround.forms.fillers import has_reviewer_fields, refuse_reviewer_answers, shown_reviewer_answers, unit_part
from checkround.forms.messages import messages
from checkround.forms.service import get_version
from checkround.forms.validate import Checked, check_answers
from checkround.inputs_common import load
from checkround.notify.outbox import write_request
from checkround.rounds import audit
from checkround.rounds.inputs import AcceptInput, ReturnInput
from checkround.rounds.service import (
    ROUND_NOUN,
    UNIT_NOUN,
    deadline,
    entry_path,
    get_round_doc,
    recent_round,
    round_path,
)
from checkround.rounds.tokens import Principal, token_still_valid
from checkround.storage.ports import Doc, Transaction

from .assessments import assessment_path
from .inputs import SubmissionInput

_SUBMISSION = {"vi": "báo cáo", "en": "Submission"}
_SUBMISSION_INPUT = SubmissionInput()


def _unit_scope(principal: Principal, round_id: str, body_unit: Any = None) -> str:
    """The unit a token acts for; any other round or unit is forbidden."""
    if principal.kind != "unit" or principal.round_id != round_id:
        raise AppError("forbidden")
    assert principal.unit_id is not None
    if body_unit is not None and body_unit != principal.unit_id:
        raise AppError("forbidden")
    return principal.unit_id


def unit_round(
    ctx: Context, principal: Principal, round_id: str, body_unit: Any = None, recent: bool = False
) -> tuple[str, Doc]:
    """``(unit id, round)`` for a unit token, which lives only as long as its round's deadline.

    ``recent`` accepts a copy of the round read in the last seconds: for a caller whose
    transaction checks the round's status and deadline again."""
    unit_id = _unit_scope(principal, round_id, body_unit)
    round_doc = recent_round(ctx, round_id) if recent else get_round_doc(ctx, round_id)
    if ctx.clock.now() > deadline(round_doc):
        raise AppError("token_expired")
    if unit_id not in round_doc["unit_ids"]:
        raise AppError("forbidden")
    return unit_id, round_doc


def _answers_of(body: Any) -> tuple[Any, Any, Any]:
    data = load(_SUBMISSION_INPUT, body, "answers")
    return data["answers"], data.get("unit_id"), data.get("follow_up")


def _check(
    ctx: Context, round_doc: Doc, unit_id: str, answers: Any, follow_up: Any, language: str, draft: bool
) -> tuple[Checked, dict[str, Any]]:
    """Validate against the unit's part of the round's pinned form version (compiled once per
    version), and the follow-up answers against the unit's recommendations of the previous
    round; one error holds every fault: a value for a field the inspection team fills, the
    answers' own, the follow-up's (under ``follow_up``)."""
    items = follow_up_answers.items_for(ctx, round_doc, unit_id) if round_doc.get("previous_round_id") else []
    follow, follow_errors = follow_up_answers.check(items, follow_up, language, draft)
    definition = get_version(ctx, round_doc["form_id"], round_doc["form_version"])
    part = unit_part(definition)
    answers, refused = refuse_reviewer_answers(definition, answers, messages(language)["reviewer_only"])
    if follow_errors:
        refused = {**refused, follow_up_answers.KEY: follow_errors}
    schema = CACHE.get(round_doc["form_id"], round_doc["form_version"], part, language, draft)
    try:
        checked = check_answers(part, schema, answers, language, draft)
    except AppError as exc:
        if refused and exc.code == "validation_failed":
            raise AppError("validation_failed", fields=_merged(exc.fields or {}, refused), subject="answers") from exc
        raise
    if refused:
        raise AppError("validation_failed", fields=refused, subject="answers")
    return checked, follow


def _merged(errors: dict[str, Any], more: dict[str, Any]) -> dict[str, Any]:
    merged = dict(errors)
    for key, value in more.items():
        found = merged.get(key)
        merged[key] = {**found, **value} if isinstance(found, dict) and isinstance(value, dict) else value
    return merged


def _check_not_accepted(entry: Doc | None) -> None:
    """An accepted submission is locked until an admin returns it: no draft, no new revision."""
    if entry is not None and entry.get("state") == "accepted":
        raise AppError("submission_accepted")


def _check_window(round_doc: Doc, now: Any) -> None:
    if round_doc["status"] == "closed" or now > deadline(round_doc):
        raise AppError("round_closed")
    if round_doc["status"] != "open":
        raise AppError("round_not_open")


def get_form_for_unit(ctx: Context, principal: Principal, round_id: str) -> Doc:
    unit_id, round_doc = unit_round(ctx, principal, round_id)
    return _unit_view(ctx, round_doc, unit_id, ctx.store.get(entry_path(round_id, unit_id)) or {})


def get_form_for_admin(ctx: Context, round_id: str, unit_id: str) -> Doc:
    """What the unit's own view holds, for an admin who reviews it or enters it on its behalf
    (with who saved the draft)."""
    round_doc = admin_round(ctx, round_id, unit_id)
    entry = ctx.store.get(entry_path(round_id, unit_id)) or {}
    view = _unit_view(ctx, round_doc, unit_id, entry)
    return {**view, "draft_saved_by": entry.get("draft_saved_by"), "entered_by": entry.get("entered_by")}


def _unit_view(ctx: Context, round_doc: Doc, unit_id: str, entry: Doc) -> Doc:
    round_id = str(round_doc["id"])
    latest = _latest(ctx, round_id, entry)
    unit = ctx.store.get(f"units/{unit_id}") or {}
    form = get_version(ctx, round_doc["form_id"], round_doc["form_version"])
    assessed = ctx.store.get(assessment_path(round_id, unit_id)) if has_reviewer_fields(form) else None
    return {
        "round": _public_round(round_doc),
        "unit_id": unit_id,
        "unit_name": unit.get("name") or unit_id,
        "unit_name_en": unit.get("name_en"),
        "form": form,
        "form_version": round_doc["form_version"],
        "state": entry.get("state", "missing"),
        # The inspection team's saved values of the fields the form shows to the unit (read-only
        # on its page; a unit's post of them is still refused).
        "assessment": shown_reviewer_answers(form, (assessed or {}).get("answers")),
        "draft": entry.get("draft"),
        "draft_saved_at": entry.get("draft_saved_at"),
        "submission": latest,
        "returned": entry.get("returned") if entry.get("state") == "returned" else None,
        "accepted": entry.get("accepted") if entry.get("state") == "accepted" else None,
        # The previous round's recommendations the unit is asked about, and what it answered
        # (its draft's answers, else its last submission's).
        "recommendations": follow_up_answers.items_for(ctx, round_doc, unit_id),
        "follow_up": entry.get("draft_follow_up") or (latest or {}).get("follow_up") or {},
    }


def _public_round(doc: Doc) -> Doc:
    keys = ("id", "title", "status", "opens_at", "closes_at", "grace_minutes", "time_zone", "language", "contact")
    return {key: doc.get(key) for key in keys}


def save_draft(ctx: Context, principal: Principal, round_id: str, body: Any, language: str) -> Doc:
    answers, body_unit, follow_up = _answers_of(body)
    unit_id, round_doc = unit_round(ctx, principal, round_id, body_unit)
    return _store_draft(ctx, round_doc, unit_id, answers, language, None, follow_up)


def save_draft_on_behalf(ctx: Context, round_id: str, unit_id: str, body: Any, actor: str, language: str) -> Doc:
    """An admin saves a draft of a unit's report while entering it from paper (the unit's
    draft: there is one per unit)."""
    answers, body_unit, follow_up = _answers_of(body)
    round_doc = admin_round(ctx, round_id, unit_id, body_unit)
    return _store_draft(ctx, round_doc, unit_id, answers, language, actor, follow_up)


def _store_draft(
    ctx: Context, round_doc: Doc, unit_id: str, answers: Any, language: str, by: str | None, follow_up: Any = None
) -> Doc:
    round_id = str(round_doc["id"])
    checked, follow = _check(ctx, round_doc, unit_id, answers, follow_up, language, draft=True)
    cleaned = checked.answers

    def write(tx: Transaction) -> Doc:
        current = tx.get(round_path(round_id))
        assert current is not None
        _check_window(current, ctx.clock.now())
        entry = tx.get(entry_path(round_id, unit_id))
        _check_not_accepted(entry)
        now = ctx.clock.now()
        if entry is None:
            tx.create(
                entry_path(round_id, unit_id),
                {
                    "unit_id": unit_id,
                    "state": "draft",
                    "revision": 0,
                    "draft": cleaned,
                    "draft_follow_up": follow,
                    "draft_saved_at": now,
                    "draft_saved_by": by,
                },
            )
        else:
            tx.update(
                entry_path(round_id, unit_id),
                {"draft": cleaned, "draft_follow_up": follow, "draft_saved_at": now, "draft_saved_by": by},
            )
        return {"saved_at": now}

    return ctx.store.transaction(write)


# What a submission's transaction reads of the round, the entry, the token and the
# idempotency record: only these travel, however long the round's roster.
DECIDING_FIELDS = [
    "status", "closes_at", "grace_minutes", "form_id", "form_version",  # the round
    "revision", "state",  # the unit's entry
    "revoked",  # the token
    "body_hash", "result",  # the idempotency record
]  # fmt: skip


def _body_hash(answers: Any, follow_up: Any = None) -> str:
    # Without follow-up answers the hash is the answers' alone, as before they existed.
    hashed = answers if follow_up is None else {"answers": answers, "follow_up": follow_up}
    return hashlib.sha256(json.dumps(hashed, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def submit(
    ctx: Context, principal: Principal, round_id: str, body: Any, idempotency_key: str | None, language: str
) -> tuple[Doc, bool]:
    """Store a new revision; returns (result, created). A replay returns the first result."""
    answers, body_unit, follow_up = _answers_of(body)
    _check_key(idempotency_key)
    unit_id, round_doc = unit_round(ctx, principal, round_id, body_unit, recent=True)
    return _store_revision(
        ctx,
        round_doc,
        unit_id,
        answers,
        idempotency_key,
        language,
        token_path=principal.token_path,
        entered_by=None,
        follow_up=follow_up,
    )


def _check_key(idempotency_key: str | None) -> None:
    if idempotency_key is not None and not (0 < len(idempotency_key) <= 200):
        raise AppError(
            "bad_request",
            detail={
                "vi": "Idempotency-Key phải dài từ 1 đến 200 ký tự",
                "en": "Idempotency-Key must be 1 to 200 characters",
            },
        )


def admin_round(ctx: Context, round_id: str, unit_id: str, body_unit: Any = None) -> Doc:
    """The round, for an admin acting for one of its units (on paper's behalf)."""
    round_doc = get_round_doc(ctx, round_id)
    if unit_id not in round_doc["unit_ids"]:
        raise AppError("not_found", what=UNIT_NOUN)
    if body_unit is not None and body_unit != unit_id:
        raise AppError(
            "bad_request",
            detail={
                "vi": "unit_id trong nội dung không phải đơn vị của đường dẫn",
                "en": "unit_id in the body is not the unit of the path",
            },
        )
    return round_doc


def submit_on_behalf(
    ctx: Context, round_id: str, unit_id: str, body: Any, actor: str, idempotency_key: str | None, language: str
) -> tuple[Doc, bool]:
    """An admin enters a unit's report (a unit that reports on paper): the same validation,
    window, lock and transaction as the unit's own submission; the revision and the audit log
    name the admin in ``entered_by`` and ``actor``."""
    answers, body_unit, follow_up = _answers_of(body)
    _check_key(idempotency_key)
    round_doc = admin_round(ctx, round_id, unit_id, body_unit)
    return _store_revision(
        ctx,
        round_doc,
        unit_id,
        answers,
        idempotency_key,
        language,
        token_path=None,
        entered_by=actor,
        follow_up=follow_up,
    )


def _store_revision(
    ctx: Context,
    round_doc: Doc,
    unit_id: str,
    answers: Any,
    idempotency_key: str | None,
    language: str,
    *,
    token_path: str | None,
    entered_by: str | None,
    follow_up: Any = None,
) -> tuple[Doc, bool]:
    round_id = str(round_doc["id"])
    body_hash = _body_hash(answers, follow_up)
    idem_path = None
    if idempotency_key:
        # Keys are the client's; hashing scopes them to the unit (and to whoever sends: a unit's
        # key and an admin's are never the same record) and keeps the path well-formed.
        scope = f"{unit_id}\n" if entered_by is None else f"admin\n{unit_id}\n"
        digest = hashlib.sha256(f"{scope}{idempotency_key}".encode()).hexdigest()
        idem_path = f"{round_path(round_id)}/idempotency/{digest}"
    try:
        checked, follow = _check(ctx, round_doc, unit_id, answers, follow_up, language, draft=False)
    except AppError:
        # A key already used with another body is a conflict, whatever this body's faults.
        seen = ctx.store.get(idem_path) if idem_path else None
        if seen is not None:
            _replay(seen, body_hash)
        raise

    def write(tx: Transaction) -> tuple[Doc, bool]:
        # One round trip for everything the decision needs.
        token_paths = [token_path] if token_path else []
        paths = [round_path(round_id), entry_path(round_id, unit_id), *token_paths, *([idem_path] if idem_path else [])]
        current, entry, *rest = tx.get_many(paths, fields=DECIDING_FIELDS)
        assert current is not None
        if token_paths and not token_still_valid(rest.pop(0)):
            raise AppError("unauthenticated")  # revoked since it was last looked at
        seen = rest[0] if rest else None
        if seen is not None:
            # A replay answers like the first call, even if the round has closed since.
            return _replay(seen, body_hash), False
        now = ctx.clock.now()
        _check_window(current, now)
        _check_not_accepted(entry)
        revision = int(entry.get("revision", 0) if entry else 0) + 1
        submission_id = f"{unit_id}-{revision:04d}"
        late = now > current["closes_at"]
        result = {
            "submission_id": submission_id,
            "revision": revision,
            "submitted_at": now,
            "late": late,
            "ignored": checked.ignored,
        }
        by = {"entered_by": entered_by} if entered_by is not None else {}
        tx.create(
            f"{round_path(round_id)}/submissions/{submission_id}",
            {
                **result,
                "unit_id": unit_id,
                "round_id": round_id,
                "form_id": current["form_id"],
                "form_version": current["form_version"],
                "answers": checked.answers,
                **({"follow_up": follow} if follow else {}),
                **by,
            },
        )
        tx.set(
            entry_path(round_id, unit_id),
            {
                "unit_id": unit_id,
                "state": "submitted",
                "revision": revision,
                "submitted_at": now,
                "late": late,
                "submission_id": submission_id,
                "draft": None,
                "draft_follow_up": None,
                **by,
            },
        )
        if idem_path:
            tx.create(idem_path, {"body_hash": body_hash, "result": result, "unit_id": unit_id})
        actor = entered_by or f"unit:{unit_id}"
        audit.record(tx, ctx, round_id, "submit", actor, unit_id=unit_id, revision=revision, late=late, **by)
        return result, True

    # Requests of one unit queue here instead of colliding in the database: the transaction
    # stays the guarantee, this only spares it the retries when a client sends in bursts.
    with _unit_lock(round_id, unit_id):
        return ctx.store.transaction(write)


_LOCKS: weakref.WeakValueDictionary[tuple[str, str], threading.Lock] = weakref.WeakValueDictionary()
_LOCKS_GUARD = threading.Lock()


def _unit_lock(round_id: str, unit_id: str) -> threading.Lock:
    with _LOCKS_GUARD:
        lock = _LOCKS.get((round_id, unit_id))
        if lock is None:
            lock = threading.Lock()
            _LOCKS[(round_id, unit_id)] = lock
        return lock


def _replay(seen: Doc, body_hash: str) -> Doc:
    if seen["body_hash"] != body_hash:
        raise AppError("idempotency_conflict")
    result: Doc = seen["result"]
    return result


def _latest(ctx: Context, round_id: str, entry: Doc) -> Doc | None:
    submission_id = entry.get("submission_id")
    if not submission_id:
        return None
    return ctx.store.get(f"{round_path(round_id)}/submissions/{submission_id}")


def get_submission(ctx: Context, principal: Principal, round_id: str) -> Doc:
    unit_id, _ = unit_round(ctx, principal, round_id)
    latest = _latest(ctx, round_id, ctx.store.get(entry_path(round_id, unit_id)) or {})
    if latest is None:
        raise AppError("not_found", what=_SUBMISSION)
    return latest


# The states whose latest revision the summary counts: a returned one is being corrected.
SUMMARISED_STATES = frozenset({"submitted", "accepted"})


def latest_submissions(ctx: Context, round_id: str) -> Any:
    """Stream ``(unit_id, submission)`` for every unit whose latest revision is submitted or
    accepted."""
    for unit_id, entry in ctx.store.list(f"{round_path(round_id)}/entries"):
        if entry.get("state") in SUMMARISED_STATES:
            submission = _latest(ctx, round_id, entry)
            if submission is not None:
                yield unit_id, submission


def _reviewed_entry(tx: Transaction, round_id: str, unit_id: str, expected_revision: int | None) -> tuple[Doc, Doc]:
    """The round and the unit's entry, read in the review's transaction; a page opened on an
    earlier revision than the unit's latest (``expected_revision``) is refused, not applied."""
    current, entry = tx.get_many([round_path(round_id), entry_path(round_id, unit_id)])
    if current is None:
        raise AppError("not_found", what=ROUND_NOUN)
    if unit_id not in current["unit_ids"]:
        raise AppError("not_found", what=UNIT_NOUN)
    if entry is not None and expected_revision is not None and entry.get("revision") != expected_revision:
        raise AppError("revision_changed", revision=entry.get("revision"))
    return current, entry or {}


def return_submission(ctx: Context, round_id: str, unit_id: str, body: Any, actor: str) -> Doc:
    """Send a unit's latest submission (submitted or accepted) back with comments per field;
    the board shows ``returned`` until the unit submits again."""
    data = load(ReturnInput(), body, "return")

    def write(tx: Transaction) -> Doc:
        current, entry = _reviewed_entry(tx, round_id, unit_id, data.get("revision"))
        if current["status"] != "open":
            raise AppError("round_not_open")
        if entry.get("state") not in SUMMARISED_STATES:
            raise AppError("invalid_state", detail=_ONLY_SUBMITTED["return"])
        returned = {
            "comments": data["comments"],
            "message": data.get("message"),
            "at": ctx.clock.now(),
            "by": actor,
            "revision": entry["revision"],
        }
        if entry.get("state") == "accepted" and current.get("previous_round_id") and entry.get("submission_id"):
            # The acceptance is withdrawn: what it closed of the previous round's recommendations opens.
            submission = tx.get(f"{round_path(round_id)}/submissions/{entry['submission_id']}") or {}
            follow_up_answers.reopen_answered(tx, ctx, current, submission.get("follow_up"), actor)
        tx.update(entry_path(round_id, unit_id), {"state": "returned", "returned": returned, "accepted": None})
        audit.record(tx, ctx, round_id, "return", actor, unit_id=unit_id, revision=entry["revision"])
        # The unit's contacts get the comments (docs/notifications.md).
        params = {"comments": data["comments"], "message": data.get("message"), "revision": entry["revision"]}
        write_request(tx, returned["at"], "returned", round_id, unit_ids=[unit_id], params=params)
        return {"state": "returned", "revision": entry["revision"]}

    return ctx.store.transaction(write)


_ONLY_SUBMITTED = {
    "return": {"vi": "chỉ trả lại được báo cáo đã gửi hoặc đã duyệt", "en": "only a submitted report can be returned"},
    "accept": {"vi": "chỉ duyệt được báo cáo đã gửi và chưa duyệt", "en": "only a submitted report can be accepted"},
}


def accept_submission(ctx: Context, round_id: str, unit_id: str, body: Any, actor: str) -> Doc:
    """Accept a unit's latest submission: the unit can no longer save a draft or submit until
    an admin returns it. A closed round's submissions may be accepted too (the review often
    ends after the deadline); a draft round has none."""
    data = load(AcceptInput(), body if body is not None else {}, "accept")

    def write(tx: Transaction) -> Doc:
        current, entry = _reviewed_entry(tx, round_id, unit_id, data.get("revision"))
        if current["status"] == "draft":
            raise AppError("round_not_open")
        if entry.get("state") != "submitted":
            raise AppError("invalid_state", detail=_ONLY_SUBMITTED["accept"])
        accepted = {"message": data.get("message"), "at": ctx.clock.now(), "by": actor, "revision": entry["revision"]}
        if current.get("previous_round_id") and entry.get("submission_id"):
            # A recommendation the accepted report answers "done" is closed with it.
            submission = tx.get(f"{round_path(round_id)}/submissions/{entry['submission_id']}") or {}
            follow_up_answers.close_answered(tx, ctx, current, submission.get("follow_up"), actor)
        tx.update(entry_path(round_id, unit_id), {"state": "accepted", "accepted": accepted})
        audit.record(tx, ctx, round_id, "accept", actor, unit_id=unit_id, revision=entry["revision"])
        # The unit's contacts get a confirmation with the accepted report's PDF.
        params = {"message": data.get("message"), "revision": entry["revision"]}
        write_request(tx, accepted["at"], "accepted", round_id, unit_ids=[unit_id], params=params)
        return {"state": "accepted", "revision": entry["revision"]}

    return ctx.store.transaction(write)
