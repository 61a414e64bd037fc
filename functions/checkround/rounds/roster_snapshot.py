"""The roster snapshot: each unit's id, names (vi, en) and cluster, kept together in a few
documents so that the console's board, links and round pages read two documents instead of the
whole ``units`` collection (a thousand units: a thousand Firestore reads).

The collection ``roster_snapshot`` holds:

- ``head``: ``{format, version, chunks, units, written_at}``. ``version`` goes up by one with
  every change of the units; ``chunks`` is how many chunk documents hold them (0: not built).
- ``chunk-000``, ``chunk-001``, …: ``{units: "<JSON {id: {name, name_en, cluster}}>"}``. A unit
  lives in chunk ``sha256(id) mod chunks``. The JSON is one string field, so that Firestore
  indexes one value per chunk instead of three per unit (and its 20,000-field limit never
  applies); a chunk stays under ``GROW_BYTES``, half of Firestore's 1 MiB per document.

Why it does not drift: every write of a unit (``rounds.service.put_unit``: ``PUT /units/{id}``,
the console's unit form, the CLI's import; ``rounds.roster.apply_roster``) runs in a transaction
that first reads the head and every chunk (:func:`read_for_update`) and then writes the changed
chunks and the head beside the units (:func:`write`). A change of the units is in the snapshot
or neither is written.

Migration and repair: a deployment with units but no snapshot (or one of another ``format``)
builds it from the units the first time a page needs it (:func:`current`). The build is
optimistic: it remembers the head's version, lists the units, and writes only if the head
still has that version, so a unit written meanwhile (which moves the version) or another
instance's build (the same) makes it read again instead of writing over. Of several cold
instances, one writes and the others read what it wrote. A unit written by code that does not
know the snapshot (a hand edit in Google's console, an instance of the version before this one
during a deployment) is seen when the roster is next listed whole (:func:`checked_units`: the
units page, ``GET /units``), which compares the two and rebuilds.

Readers keep the snapshot in memory per instance with its version; each use reads the head
(one read) and reads the chunks again only when the version moved, so a renamed unit shows
on the next refresh of the board.
"""

from __future__ import annotations

import hashlib
import json
import math
import weakref
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from checkround.context import Context
from checkround.storage.ports import Doc, Transaction

COLLECTION = "roster_snapshot"
HEAD = f"{COLLECTION}/head"
# What a chunk holds per unit; a new field (or another shape) is a new FORMAT, and a snapshot
# of another format is rebuilt.
FORMAT = 1
FIELDS = ("name", "name_en", "cluster")
# A build spreads the units over enough chunks for about TARGET_BYTES each; a write that would
# take a chunk over GROW_BYTES spreads them over twice as many first. A unit takes at most about
# 2.6 kB (300-character names), so the 400 units of one transaction of a roster upload fit in
# any chunk below GROW_BYTES with Firestore's 1 MiB to spare.
TARGET_BYTES = 256 * 1024
GROW_BYTES = 512 * 1024
# How often a build starts again when the units keep changing under it.
BUILD_ATTEMPTS = 3


def chunk_path(number: int) -> str:
    return f"{COLLECTION}/chunk-{number:03d}"


def entry(doc: Mapping[str, Any]) -> Doc:
    """What the snapshot keeps of a unit."""
    return {key: doc[key] for key in FIELDS if doc.get(key)}


def _chunk_of(unit_id: str, chunks: int) -> int:
    return int.from_bytes(hashlib.sha256(unit_id.encode()).digest()[:8], "big") % chunks


def _encode(part: Mapping[str, Doc]) -> str:
    return json.dumps(part, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def _size(part: Mapping[str, Doc]) -> int:
    return len(_encode(part).encode())


def _split(entries: Mapping[str, Doc], chunks: int) -> list[dict[str, Doc]]:
    parts: list[dict[str, Doc]] = [{} for _ in range(chunks)]
    for uid, value in entries.items():
        parts[_chunk_of(uid, chunks)][uid] = value
    return parts


def _partition(entries: Mapping[str, Doc], at_least: int) -> list[dict[str, Doc]]:
    """The units spread over chunks, never fewer than ``at_least``, none over GROW_BYTES."""
    total = sum(len(uid) + _size({"": value}) for uid, value in entries.items())
    chunks = max(1, at_least, math.ceil(total / TARGET_BYTES))
    while True:
        parts = _split(entries, chunks)
        if all(_size(part) <= GROW_BYTES for part in parts):
            return parts
        chunks *= 2


def _version(head: Doc | None) -> int:
    return int(head.get("version") or 0) if head else 0


def _built(head: Doc | None) -> bool:
    return head is not None and head.get("format") == FORMAT and int(head.get("chunks") or 0) > 0


def _head(version: int, parts: list[dict[str, Doc]], now: Any) -> Doc:
    return {
        "format": FORMAT,
        "version": version,
        "chunks": len(parts),
        "units": sum(len(part) for part in parts),
        "written_at": now,
    }


# -- writing, in the transaction that writes the units -------------------------------------------


@dataclass
class Pending:
    """The snapshot as a unit-writing transaction read it: ``parts`` is None when there is no
    usable snapshot (not built yet, or of another format), and then only the version moves."""

    head: Doc | None
    parts: list[dict[str, Doc]] | None

    @property
    def version(self) -> int:
        """The head's version as the transaction read it."""
        return _version(self.head)


def version(ctx: Context) -> int:
    """The head's version now (one read): it moves with every write of a unit, so a writer that
    reads it before listing the units can tell, in its transaction, whether they changed since."""
    return _version(ctx.store.get(HEAD))


def read_for_update(tx: Transaction) -> Pending:
    """Read the head and every chunk (a transaction reads before it writes)."""
    head = tx.get(HEAD)
    if not _built(head):
        return Pending(head, None)
    assert head is not None
    count = int(head["chunks"])
    docs = tx.get_many([chunk_path(n) for n in range(count)])
    return Pending(head, [json.loads(doc["units"]) if doc else {} for doc in docs])


def write(tx: Transaction, pending: Pending, changes: Mapping[str, Doc | None], now: Any) -> None:
    """Write ``changes`` (unit id -> the unit as written, or None when it is removed) into the
    snapshot, in the transaction that writes them to the units. Each call moves the version."""
    version = _version(pending.head) + 1
    if pending.parts is None:
        # No snapshot to change: moving the version is enough to make a build that listed the
        # units before this write start again (see the module's docstring). The rest of the
        # head stays: its chunk count keeps the next build from leaving chunks behind.
        tx.set(HEAD, {**(pending.head or {}), "version": version, "written_at": now})
        return
    parts = pending.parts
    touched: set[int] = set()
    for uid, doc in changes.items():
        number = _chunk_of(uid, len(parts))
        if doc is None:
            if parts[number].pop(uid, None) is not None:
                touched.add(number)
        elif parts[number].get(uid) != entry(doc):
            parts[number][uid] = entry(doc)
            touched.add(number)
    if any(_size(parts[n]) > GROW_BYTES for n in touched):
        everything = {uid: value for part in parts for uid, value in part.items()}
        parts = _partition(everything, 2 * len(parts))
        touched = set(range(len(parts)))
    for number in sorted(touched):
        tx.set(chunk_path(number), {"units": _encode(parts[number])})
    tx.set(HEAD, _head(version, parts, now))


# -- reading ------------------------------------------------------------------------------------


# Per store (an instance has one): the snapshot's version and its units as last read.
_CACHE: weakref.WeakKeyDictionary[Any, tuple[int, dict[str, Doc]]] = weakref.WeakKeyDictionary()


def _units_of(docs: Mapping[str, Doc], head: Doc) -> dict[str, Doc] | None:
    """The units of a listed snapshot, or None when a chunk the head names is missing."""
    units: dict[str, Doc] = {}
    for number in range(int(head["chunks"])):
        chunk = docs.get(chunk_path(number).rsplit("/", 1)[1])
        if chunk is None:
            return None
        for uid, value in json.loads(chunk["units"]).items():
            units[uid] = {"id": uid, **value}
    return units


def _read(ctx: Context) -> tuple[int, dict[str, Doc] | None]:
    """The head's version and the units of the snapshot (None when it is not usable), read in
    one query, so that the head and the chunks agree; kept for this instance when usable."""
    docs = dict(ctx.store.list(COLLECTION))
    head = docs.get("head")
    units = _units_of(docs, head) if head is not None and _built(head) else None
    if units is not None:
        _CACHE[ctx.store] = (_version(head), units)
    return _version(head), units


def current(ctx: Context) -> dict[str, Doc]:
    """Every unit by id (``id``, ``name``, ``name_en``, ``cluster``) as the snapshot holds it:
    one read when this instance has the latest version, the head and the chunks in one query
    when it has none or an older one, and a build when there is no snapshot."""
    cached = _CACHE.get(ctx.store)
    if cached is not None:
        head = ctx.store.get(HEAD)
        if _built(head) and _version(head) == cached[0]:
            return cached[1]
    listed: dict[str, Doc] = {}
    for _ in range(BUILD_ATTEMPTS):
        version, units = _read(ctx)
        if units is not None:
            return units
        listed = {uid: doc for uid, doc in ctx.store.list("units")}
        built = _build(ctx, listed, version)
        if built is not None:
            return built
    # The units kept changing under every build: they are right as just listed.
    return {uid: {"id": uid, **entry(doc)} for uid, doc in listed.items()}


def _build(ctx: Context, listed: Mapping[str, Doc], seen: int) -> dict[str, Doc] | None:
    """Write the snapshot of ``listed`` if the head still has version ``seen`` (nothing
    changed the units since before they were listed); None when it no longer has."""
    entries = {uid: entry(doc) for uid, doc in listed.items()}

    def build(tx: Transaction) -> int | None:
        head = tx.get(HEAD)
        if _version(head) != seen:
            return None
        # Never fewer chunks than the head names, so that no chunk of an earlier build is left
        # beyond the new count (readers would pay to list it).
        parts = _partition(entries, int(head.get("chunks") or 0) if head else 0)
        for number, part in enumerate(parts):
            tx.set(chunk_path(number), {"units": _encode(part)})
        tx.set(HEAD, _head(seen + 1, parts, ctx.clock.now()))
        return seen + 1

    version = ctx.store.transaction(build)
    if version is None:
        return None
    units = {uid: {"id": uid, **value} for uid, value in entries.items()}
    _CACHE[ctx.store] = (version, units)
    return units


def checked_units(ctx: Context) -> list[Doc]:
    """Every unit document (the whole ``units`` collection), with the snapshot checked against
    them on the way: one that differs (a unit written by code that does not keep it) or is
    missing is built from them. One or two reads more than listing the units."""
    head = ctx.store.get(HEAD)
    seen = _version(head)
    listed = {uid: doc for uid, doc in ctx.store.list("units")}
    cached = _CACHE.get(ctx.store)
    if cached is not None and cached[0] == seen and _built(head):
        held: dict[str, Doc] | None = cached[1]
    else:
        version, held = _read(ctx)
        if version != seen:
            return list(listed.values())  # a unit was written meanwhile: the next listing checks
    if held != {uid: {"id": uid, **entry(doc)} for uid, doc in listed.items()}:
        _build(ctx, listed, seen)
    return list(listed.values())
