"""Reminders and digests, decided on the scheduler's tick (``close_due_rounds``, every minute).

Per open round, ``rounds/{id}/notify/state`` remembers what was already asked for, and the
request is written in the transaction that records it, so each reminder and each digest is
asked for at most once however many ticks run at once:

- a reminder at each of the round's ``reminders_before_minutes`` before ``closes_at`` that
  has passed since the round opened (only the latest one if several have: a round opened two
  days before its deadline does not get its three-day reminder), and one during the grace
  period; it reaches the units that have not submitted when it is expanded;
- a digest of the submissions since the previous one (the first as soon as there is one),
  then at most one an hour.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from checkround.context import Context
from checkround.formats.zones import zone_of
from checkround.reports.display import local_time, unit_name
from checkround.rounds.inputs import DEFAULT_REMINDERS
from checkround.rounds.service import deadline, round_path
from checkround.storage.ports import Doc, Transaction, Where

from .outbox import new_request_id, write_request

DIGEST_EVERY = timedelta(hours=1)
# A digest covers the submissions up to this long before its tick: a submission's time is taken
# inside its transaction, which may commit a little later, and must not fall between two digests.
DIGEST_LAG = timedelta(minutes=5)


def state_path(round_id: str) -> str:
    return f"{round_path(round_id)}/notify/state"


def due_reminder(round_doc: Doc, now: Any) -> str | None:
    """The reminder stage due now (an offset in minutes, or ``grace``), or None."""
    closes_at = round_doc["closes_at"]
    if closes_at <= now < deadline(round_doc):
        return "grace"
    if now >= closes_at:
        return None
    opened_at = round_doc.get("opened_at") or round_doc.get("opens_at")
    offsets = round_doc.get("reminders_before_minutes")
    passed = [
        minutes
        for minutes in (DEFAULT_REMINDERS if offsets is None else offsets)
        if closes_at - timedelta(minutes=minutes) <= now and closes_at - timedelta(minutes=minutes) >= opened_at
    ]
    return str(min(passed)) if passed else None


def tick(ctx: Context) -> Doc:
    """Ask for the reminders and digests that are due; returns the requests written."""
    now = ctx.clock.now()
    written: list[str] = []
    for round_id, round_doc in ctx.store.list("rounds", where=[Where("status", "==", "open")]):
        round_doc.setdefault("id", round_id)
        stage = due_reminder(round_doc, now)
        if stage is not None:
            written += _remind(ctx, round_doc, stage)
        written += _digest(ctx, round_doc)
    return {"requests": written}


def _remind(ctx: Context, round_doc: Doc, stage: str) -> list[str]:
    round_id = round_doc["id"]
    # A reopened round with a new deadline reminds again: the key names the deadline.
    key = f"{int(round_doc['closes_at'].timestamp())}-{stage}"

    def write(tx: Transaction) -> list[str]:
        state = tx.get(state_path(round_id)) or {}
        if key in (state.get("reminders") or []):
            return []
        request_id = write_request(
            tx,
            ctx.clock.now(),
            "reminder",
            round_id,
            only_missing=True,
            params={"grace": stage == "grace"},
            request_id=new_request_id("reminder", round_id, key),
        )
        tx.set(state_path(round_id), {**state, "reminders": [*(state.get("reminders") or []), key]})
        return [request_id]

    written: list[str] = ctx.store.transaction(write)
    return written


def _digest(ctx: Context, round_doc: Doc) -> list[str]:
    round_id = round_doc["id"]
    now = ctx.clock.now()
    state = ctx.store.get(state_path(round_id)) or {}
    last = state.get("digest_until")
    if last is not None and now - DIGEST_LAG - last < DIGEST_EVERY:
        return []  # the first digest goes out at the first tick with news, the next an hour later
    since = last or round_doc.get("opened_at") or round_doc["opens_at"]
    until = now - DIGEST_LAG
    # Since the previous digest's end, or since the opening.
    where = [Where("submitted_at", ">" if last else ">=", since), Where("submitted_at", "<=", until)]
    found = list(ctx.store.list(f"{round_path(round_id)}/submissions", where=where))
    if not found:
        return []
    language = round_doc.get("language", "vi")
    zone = zone_of(round_doc)
    units = {uid: doc for uid, doc in ctx.store.list("units")}
    entries = {uid: doc for uid, doc in ctx.store.list(f"{round_path(round_id)}/entries")}
    reported = sum(1 for entry in entries.values() if entry.get("state") in ("submitted", "accepted", "returned"))
    items = [
        {
            "at": local_time(doc["submitted_at"], zone),
            "unit": unit_name(units.get(doc["unit_id"], {}), doc["unit_id"], language),
            "late": bool(doc.get("late")),
        }
        for _, doc in sorted(found, key=lambda item: item[1]["submitted_at"])
    ]
    params = {
        "since": local_time(since, zone),
        "submissions": items,
        "reported": reported,
        "total": len(round_doc["unit_ids"]),
    }

    def write(tx: Transaction) -> list[str]:
        current = tx.get(state_path(round_id)) or {}
        if current.get("digest_until") != state.get("digest_until"):
            return []  # another tick wrote this digest
        request_id = write_request(
            tx,
            now,
            "digest",
            round_id,
            params={**params, "subject": {"count": len(items)}},
            request_id=new_request_id("digest", round_id, str(int(now.timestamp()))),
        )
        tx.set(state_path(round_id), {**current, "digest_until": until})
        return [request_id]

    written: list[str] = ctx.store.transaction(write)
    return written
