"""A request becomes messages: one per recipient and channel, written in chunks, each chunk in
a transaction that also moves the request's ``cursor``, so that two expansions at once (the
Firestore event and the sweep) write every message once between them.

A message that carries a link (``link``, ``reminder``) gets a link of its own: a unit link
secret derived from the message's id with ``CHECKROUND_NOTIFY_KEY`` (HMAC-SHA256), of which
only the hash is stored, as for any link (``tokens/{hash}``, listed in the unit's links
document, so that revoking the unit's links revokes it too). The dispatcher derives the same
secret again when it sends, so a retried message carries the same link and the link itself
is never stored.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from checkround.context import Context
from checkround.formats.text import localized
from checkround.formats.zones import zone_of
from checkround.forms.service import get_version
from checkround.reports.display import local_time, unit_name
from checkround.rounds.service import deadline, links_path, round_path
from checkround.rounds.tokens import hash_token
from checkround.storage.ports import Doc, Transaction

from . import settings as org
from .outbox import ADMIN_KINDS, EVENT_HEADSTART, EXPIRE_FIELD, KEEP, LINK_KINDS, outbox_path

# Firestore takes at most 500 writes per transaction; a chunk stops short of it.
MAX_WRITES = 450
# States of a unit's entry that count as reported (not reminded).
REPORTED = frozenset({"submitted", "accepted"})


def link_secret(key: str, message_id: str) -> str:
    digest = hmac.new(key.encode(), f"link\n{message_id}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def link_token_path(ctx: Context, message_id: str) -> str:
    return f"tokens/{hash_token(link_secret(ctx.settings.notify_key, message_id), ctx.settings.token_pepper)}"


@dataclass
class Batch:
    """The writes of one unit (or of the admins): its messages, and its new links."""

    unit_id: str | None
    messages: list[tuple[str, Doc]] = field(default_factory=list)

    @property
    def writes(self) -> int:
        links = sum(1 for _, doc in self.messages if doc.get("link_token"))
        return len(self.messages) + links + (1 if links else 0)


def expand(ctx: Context, request_id: str) -> str:
    """Write the messages of a request not yet expanded; returns what happened."""
    request = ctx.store.get(outbox_path(request_id))
    if request is None or request.get("type") != "request":
        return "unknown"
    if request.get("state") == "done":
        return "done already"
    round_doc = ctx.store.get(round_path(request["round_id"]))
    if round_doc is None:
        _finish(ctx, request_id, 0, "round gone")
        return "round gone"
    batches = list(_batches(ctx, request_id, request, round_doc))
    chunks = list(_chunks(batches))
    for number, chunk in enumerate(chunks):
        ctx.store.transaction(_write_chunk(ctx, request_id, request, number, chunk, last=number == len(chunks) - 1))
    if not chunks:
        _finish(ctx, request_id, 0, None)
    return f"{sum(len(batch.messages) for batch in batches)} messages"


def _finish(ctx: Context, request_id: str, cursor: int, note: str | None) -> None:
    ctx.store.update(outbox_path(request_id), {"state": "done", "cursor": cursor, "due_at": None, "note": note})


def _chunks(batches: list[Batch]) -> Iterator[list[Batch]]:
    chunk: list[Batch] = []
    writes = 0
    for batch in batches:
        if chunk and writes + batch.writes > MAX_WRITES - 1:  # one more: the request's cursor
            yield chunk
            chunk, writes = [], 0
        chunk.append(batch)
        writes += batch.writes
    if chunk:
        yield chunk


def _write_chunk(ctx: Context, request_id: str, request: Doc, number: int, chunk: list[Batch], last: bool) -> Any:
    round_id = request["round_id"]
    units = [batch.unit_id for batch in chunk if batch.unit_id and any(d.get("link_token") for _, d in batch.messages)]

    def write(tx: Transaction) -> None:
        current, *links = tx.get_many([outbox_path(request_id), *(links_path(round_id, uid) for uid in units)])
        if current is None or current.get("state") == "done" or int(current.get("cursor", 0)) > number:
            return  # another expansion wrote this chunk
        now = ctx.clock.now()
        live = {uid: list((doc or {}).get("live", [])) for uid, doc in zip(units, links, strict=True)}
        for batch in chunk:
            for message_id, doc in batch.messages:
                if doc.get("link_token"):
                    token = {
                        "kind": "link",
                        "round_id": round_id,
                        "unit_id": batch.unit_id,
                        "issued_at": now,
                        "revoked": False,
                        "message_id": message_id,
                    }
                    tx.create(doc["link_token"], token)
                    live[str(batch.unit_id)].append({"link": doc["link_token"]})
                times = {"created_at": now, "due_at": now + EVENT_HEADSTART, EXPIRE_FIELD: now + KEEP}
                tx.create(outbox_path(message_id), {**doc, **times})
        for uid, pairs in live.items():
            tx.set(links_path(round_id, uid), {"live": pairs})
        changes: Doc = {"cursor": number + 1}
        if last:
            changes |= {"state": "done", "due_at": None}
        tx.update(outbox_path(request_id), changes)

    return write


def _message(request_id: str, request: Doc, who: str, number: int, channel: str, **fields: Any) -> tuple[str, Doc]:
    message_id = f"{request_id}.{who}.{number}.{channel}"
    doc: Doc = {
        "type": "message",
        "request_id": request_id,
        "kind": request["kind"],
        "round_id": request["round_id"],
        "channel": "email" if channel == "email" else "webhook",
        "state": "pending",
        "attempts": 0,
        "sent_at": None,
        "error": None,
        **fields,
    }
    return message_id, doc


def _batches(ctx: Context, request_id: str, request: Doc, round_doc: Doc) -> Iterator[Batch]:
    kind = request["kind"]
    language = round_doc.get("language", "vi")
    common = _round_params(round_doc, language)
    webhooks = org.webhooks_for(ctx, kind)
    if kind in ADMIN_KINDS:
        batch = Batch(None)
        extra = dict(request.get("params") or {})
        params = {**common, **extra, "subject": {**common["subject"], **(extra.get("subject") or {})}}
        for number, address in enumerate(org.get_recipients(ctx)["admin_emails"]):
            batch.messages.append(
                _message(request_id, request, "admins", number, "email", to=address, unit_id=None, language=language,
                         recipient={"email": address}, params=params)
            )  # fmt: skip
        for hook in webhooks:
            batch.messages.append(
                _message(request_id, request, "admins", 0, hook["id"], to=hook["id"], unit_id=None, language=language,
                         recipient={}, params=params)
            )  # fmt: skip
        yield batch
        return
    unit_ids = request.get("unit_ids") or round_doc["unit_ids"]
    reported: set[str] = set()
    if request.get("only_missing"):
        entries = ctx.store.list(f"{round_path(round_doc['id'])}/entries")
        reported = {uid for uid, entry in entries if entry.get("state") in REPORTED}
    if request.get("unit_ids") and len(unit_ids) <= 50:
        # A return or an acceptance names one unit: read it, not the whole roster.
        units = {uid: doc for uid in unit_ids if (doc := ctx.store.get(f"units/{uid}")) is not None}
    else:
        units = {uid: doc for uid, doc in ctx.store.list("units")}
    extra = _extra_params(ctx, kind, request, round_doc, language)
    for unit_id in unit_ids:
        if unit_id in reported:
            continue
        unit = units.get(unit_id) or {}
        batch = Batch(unit_id)
        base = {**common, **extra, "unit": unit_name(unit, unit_id, language)}
        base["subject"] = {**common["subject"], "unit": base["unit"]}
        for number, contact in enumerate(unit.get("contacts") or []):
            params = {**base, "name": contact["name"]}
            channels = (["email"] if contact.get("email") else []) + [hook["id"] for hook in webhooks]
            for channel in channels:
                message_id, doc = _message(
                    request_id, request, unit_id, number, channel,
                    to=contact["email"] if channel == "email" else channel,
                    unit_id=unit_id, language=language, recipient=contact, params=params,
                )  # fmt: skip
                if kind in LINK_KINDS:
                    doc["link_token"] = link_token_path(ctx, message_id)
                batch.messages.append((message_id, doc))
        if batch.messages:
            yield batch


def _round_params(round_doc: Doc, language: str) -> Doc:
    zone = zone_of(round_doc)
    title = localized(round_doc.get("title"), language)
    closes = local_time(round_doc["closes_at"], zone)
    last = local_time(deadline(round_doc), zone)
    return {
        "round": title,
        "closes": closes,
        "deadline": last,
        "subject": {"round": title, "deadline": last},
    }


def _extra_params(ctx: Context, kind: str, request: Doc, round_doc: Doc, language: str) -> Doc:
    params = dict(request.get("params") or {})
    if kind == "returned":
        labels = _field_labels(ctx, round_doc, language)
        comments = params.pop("comments", None) or {}
        params["comments"] = [{"label": labels.get(key, key), "text": text} for key, text in comments.items()]
    params.setdefault("message", None)
    params.setdefault("again", False)
    params.setdefault("grace", False)
    params.setdefault("revision", None)
    return params


def _field_labels(ctx: Context, round_doc: Doc, language: str) -> dict[str, str]:
    """``section.field`` → the field's label, for the comments of a returned report."""
    definition = get_version(ctx, round_doc["form_id"], int(round_doc["form_version"]))
    labels: dict[str, str] = {}
    for section in definition.get("sections", []):
        labels[section["key"]] = localized(section.get("title"), language)
        for item in section.get("fields", []):
            labels[f"{section['key']}.{item['key']}"] = localized(item.get("label"), language)
    return labels
