"""The roster snapshot's chunks (rounds/roster_snapshot.py): a large roster is spread over
several chunks none of which passes GROW_BYTES, a write that would take a chunk over it spreads
the units over twice as many first, a removal leaves the snapshot, and a reader with the
latest version reads the head only. (Races and migration: tests/integration/test_roster_snapshot.py.)"""

from __future__ import annotations

import json

import pytest

from checkround.rounds import roster_snapshot as snapshot
from checkround.rounds.service import put_unit
from tests.support import memory_context


def chunks(ctx):
    head = ctx.store.get(snapshot.HEAD)
    return [json.loads(ctx.store.get(snapshot.chunk_path(n))["units"]) for n in range(head["chunks"])]


def test_a_large_roster_is_spread_over_chunks_under_the_limit_and_splits_before_a_chunk_overflows(
    tmp_path, monkeypatch
):
    monkeypatch.setattr(snapshot, "TARGET_BYTES", 4_000)
    monkeypatch.setattr(snapshot, "GROW_BYTES", 8_000)
    ctx = memory_context(tmp_path)
    for n in range(200):
        ctx.store.set(f"units/u-{n:03d}", {"id": f"u-{n:03d}", "name": f"Đơn vị số {n}", "cluster": "cum-a"})
    units = snapshot.current(ctx)
    assert len(units) == 200
    built = chunks(ctx)
    assert len(built) > 1
    assert all(len(json.dumps(part, ensure_ascii=False).encode()) <= 8_000 for part in built)
    assert sum(len(part) for part in built) == 200
    # Long names pushed into the roster: a chunk would pass GROW_BYTES, so the units are spread
    # over twice as many chunks in the same transaction.
    before = len(built)
    for n in range(40):
        put_unit(ctx, f"u-{n:03d}", {"name": "Tên rất dài " * 20, "cluster": "cum-b"})
    after = chunks(ctx)
    assert len(after) >= 2 * before
    assert all(len(json.dumps(part, ensure_ascii=False).encode()) <= 8_000 for part in after)
    merged = {uid: value for part in after for uid, value in part.items()}
    assert merged == {uid: snapshot.entry(doc) for uid, doc in ctx.store.list("units")}


def test_a_reader_with_the_latest_version_reads_only_the_head(tmp_path, monkeypatch):
    ctx = memory_context(tmp_path)
    put_unit(ctx, "ba-che", {"name": "Ba Chẽ", "name_en": "Ba Che", "cluster": "cum-a"})
    assert snapshot.current(ctx) == {
        "ba-che": {"id": "ba-che", "name": "Ba Chẽ", "name_en": "Ba Che", "cluster": "cum-a"}
    }
    reads: list[str] = []
    get, listing = ctx.store.get, ctx.store.list
    monkeypatch.setattr(ctx.store, "get", lambda path: reads.append(path) or get(path))
    monkeypatch.setattr(ctx.store, "list", lambda name, **kw: reads.append(name) or listing(name, **kw))
    assert snapshot.current(ctx)["ba-che"]["name"] == "Ba Chẽ"
    assert reads == [snapshot.HEAD]
    monkeypatch.undo()
    put_unit(ctx, "ba-che", {"name": "Ba Chẽ 2"})
    assert snapshot.current(ctx)["ba-che"] == {"id": "ba-che", "name": "Ba Chẽ 2"}


@pytest.mark.parametrize("removed", [["cu"], []])
def test_a_removal_leaves_the_snapshot(tmp_path, removed):
    ctx = memory_context(tmp_path)
    for uid in ("ba-che", "cu"):
        put_unit(ctx, uid, {"name": uid})
    snapshot.current(ctx)

    def remove(tx):
        pending = snapshot.read_for_update(tx)
        snapshot.write(tx, pending, dict.fromkeys(removed), None)

    ctx.store.transaction(remove)
    assert set(chunks(ctx)[0]) == {"ba-che", "cu"} - set(removed)


def test_units_are_written_only_where_the_snapshot_is_written_with_them():
    """A new path that writes ``units/…`` without the snapshot would let it drift: the only
    writers are put_unit and apply_roster, which change both in one transaction."""
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "functions" / "checkround"
    write = re.compile(r"\.(set|update|create|delete)\(\s*f?[\"']units/")
    writers = sorted(
        str(path.relative_to(root)) for path in root.rglob("*.py") if write.search(path.read_text(encoding="utf-8"))
    )
    assert writers == ["rounds/roster.py", "rounds/service.py"]
    for name in writers:
        assert "roster_snapshot.write(" in (root / name).read_text(encoding="utf-8")
