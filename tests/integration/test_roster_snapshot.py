"""The roster snapshot on the emulator (rounds/roster_snapshot.py): it follows every path that
writes units (the API's PUT /units, the console's unit form, a roster upload applied with
removals), two writers racing on it both land, a deployment with units and no snapshot builds
it once when two instances race to, a snapshot of another format or with a chunk missing is
rebuilt, one that is missing or that a hand edit left behind is built when the roster is listed,
and the board shows a renamed unit on its next refresh."""

from __future__ import annotations

import dataclasses
import io
import json
import threading
from html import unescape
from typing import Any

import pytest

from checkround import wiring
from checkround.rounds import roster_snapshot as snapshot
from checkround.rounds import service as rounds
from tests.integration.console_helpers import csrf_of, post_form, signed_in
from tests.integration.helpers import setup_seed_round

pytestmark = pytest.mark.integration

WAIT = 20  # seconds a thread waits for the other at a meeting point before the test fails


def stored(ctx: Any) -> dict[str, dict[str, Any]]:
    """What the snapshot's documents hold, read straight from the store (no cache)."""
    head = ctx.store.get(snapshot.HEAD)
    assert head is not None
    assert head["format"] == snapshot.FORMAT, head
    assert head["chunks"] > 0, head
    units: dict[str, dict[str, Any]] = {}
    for number in range(head["chunks"]):
        units.update(json.loads(ctx.store.get(snapshot.chunk_path(number))["units"]))
    assert head["units"] == len(units)
    return units


def expected(ctx: Any) -> dict[str, dict[str, Any]]:
    """The snapshot the units collection calls for."""
    return {uid: snapshot.entry(doc) for uid, doc in ctx.store.list("units")}


class Hooked:
    """The app's store with a hook called after each read (``on_read(kind, what)``) in this
    thread's transactions and listings; everything else passes through."""

    def __init__(self, inner: Any, on_read: Any) -> None:
        self.inner = inner
        self.on_read = on_read
        self.attempts = 0
        self.units_listed = 0
        self.written: list[str] = []  # by the attempts that committed
        self.attempt: list[str] = []

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    def list(self, collection: str, **kwargs: Any) -> Any:
        found = list(self.inner.list(collection, **kwargs))
        if collection == "units":
            self.units_listed += 1
        self.on_read("list", collection)
        return iter(found)

    def transaction(self, fn: Any) -> Any:
        hooked = self

        class Tx:
            def __init__(self, tx: Any) -> None:
                self.tx = tx

            def get(self, path: str) -> Any:
                return self.get_many([path])[0]

            def get_many(self, paths: list[str], fields: list[str] | None = None) -> Any:
                found = self.tx.get_many(paths, fields)
                hooked.on_read("tx", paths)
                return found

            def set(self, path: str, data: Any) -> None:
                hooked.attempt.append(path)
                self.tx.set(path, data)

            def __getattr__(self, name: str) -> Any:
                return getattr(self.tx, name)

        def run(tx: Any) -> Any:
            hooked.attempts += 1
            hooked.attempt = []
            return fn(Tx(tx))

        result = self.inner.transaction(run)
        self.written += self.attempt
        return result


def in_thread(target: Any) -> tuple[threading.Thread, list[Any]]:
    outcome: list[Any] = []

    def run() -> None:
        try:
            outcome.append(target())
        except BaseException as exc:  # the test asserts on it
            outcome.append(exc)

    thread = threading.Thread(target=run)
    thread.start()
    return thread, outcome


def test_every_write_path_keeps_the_snapshot_equal_to_the_units(project, console_app, admin):
    setup_seed_round(admin)
    ctx = wiring.context()
    assert ctx.store.get(snapshot.HEAD)["version"] == 7  # each unit moved the version; nobody built it yet
    assert len(snapshot.current(ctx)) == 7  # the first page that needs it builds it
    assert stored(ctx) == expected(ctx)
    # The API (and the CLI's import, which sends it).
    assert admin("PUT", "/units/ba-che", {"name": "Ba Chẽ mới", "name_en": "New Ba Che"}).status_code == 200
    assert stored(ctx)["ba-che"] == {"name": "Ba Chẽ mới", "name_en": "New Ba Che"}
    # The console's unit form: a new unit, then an edit.
    client = signed_in(console_app)
    made = post_form(client, "/admin_console/units/new", {"id": "dam-ha", "name": "Đầm Hà", "cluster": "cum-a"})
    assert made.status_code == 303
    edit = client.get("/admin_console/units/dam-ha/edit").get_data(as_text=True)
    stamp = edit.split('name="stamp" value="')[1].split('"')[0]
    moved = client.post(
        "/admin_console/units/dam-ha/edit",
        data={"csrf": csrf_of(edit), "stamp": stamp, "name": "Đầm Hà", "cluster": "cum-b"},
    )
    assert moved.status_code == 303
    assert stored(ctx)["dam-ha"] == {"name": "Đầm Hà", "cluster": "cum-b"}
    # A roster upload applied, removing a unit no round lists.
    roster_csv = "id,name,cluster\nba-che,Ba Chẽ,cum-c\nco-to,Cô Tô,cum-c\n".encode()
    page = client.get("/admin_console/units/upload").get_data(as_text=True)
    sent = client.post(
        "/admin_console/units/upload",
        data={"csrf": csrf_of(page), "roster": (io.BytesIO(roster_csv), "ds.csv")},
        content_type="multipart/form-data",
    )
    assert sent.status_code == 303
    preview = "/admin_console/" + sent.headers["Location"].split("../")[-1]
    assert post_form(client, preview, {"remove_missing": "1"}).status_code == 303
    assert ctx.store.get("units/dam-ha") is None  # removed: no round lists it
    now = stored(ctx)
    assert now == expected(ctx)
    assert "dam-ha" not in now
    assert now["ba-che"] == {"name": "Ba Chẽ", "cluster": "cum-c"}
    assert now["co-to"] == {"name": "Cô Tô", "cluster": "cum-c"}
    assert "mong-cai" in now  # listed by the round: kept


def test_two_writers_racing_on_the_snapshot_both_land(project):
    ctx = wiring.context()
    rounds.put_unit(ctx, "u-0", {"name": "Đơn vị 0"})
    snapshot.current(ctx)  # built: the writers below read and write its chunk
    meet = threading.Barrier(2, timeout=WAIT)
    local = threading.local()

    def after_read(kind: str, what: Any) -> None:
        # Both writers have read the snapshot's chunks before either writes: the race.
        chunk_read = kind == "tx" and any(path.startswith(f"{snapshot.COLLECTION}/chunk-") for path in what)
        if chunk_read and not getattr(local, "met", False):
            local.met = True
            meet.wait()

    store = Hooked(ctx.store, after_read)
    racing = dataclasses.replace(ctx, store=store)
    threads = [in_thread(lambda uid=uid: rounds.put_unit(racing, uid, {"name": f"Tên {uid}"})) for uid in ("a", "b")]
    for thread, _ in threads:
        thread.join(WAIT * 2)
    assert [outcome[0]["id"] for _, outcome in threads] == ["a", "b"], threads
    assert not meet.broken
    assert store.attempts >= 3  # the race happened: one of the two ran again after the other wrote
    assert stored(ctx) == expected(ctx)
    assert {"a", "b", "u-0"} <= set(stored(ctx))
    assert ctx.store.get(snapshot.HEAD)["version"] == 4  # the build, then one step per write


def _units_without_snapshot(ctx: Any, count: int) -> None:
    """Units as a deployment from before the snapshot wrote them."""
    for n in range(count):
        ctx.store.set(f"units/u-{n}", {"id": f"u-{n}", "name": f"Đơn vị {n}", "cluster": "cum-a"})


def test_a_deployment_without_a_snapshot_builds_it_once_when_two_instances_race(project):
    ctx = wiring.context()
    _units_without_snapshot(ctx, 30)
    assert ctx.store.get(snapshot.HEAD) is None
    meet = threading.Barrier(2, timeout=WAIT)

    def after_read(kind: str, what: Any) -> None:
        if kind == "list" and what == "units":
            meet.wait()  # both instances listed the units before either writes the snapshot

    instances = [Hooked(ctx.store, after_read) for _ in range(2)]  # two caches, as two instances
    threads = [in_thread(lambda s=s: snapshot.current(dataclasses.replace(ctx, store=s))) for s in instances]
    for thread, _ in threads:
        thread.join(WAIT * 2)
    first, second = (outcome[0] for _, outcome in threads)
    assert not meet.broken  # the race happened
    assert first == second
    assert len(first) == 30
    assert first["u-7"] == {"id": "u-7", "name": "Đơn vị 7", "cluster": "cum-a"}
    assert ctx.store.get(snapshot.HEAD)["version"] == 1
    assert sorted(path for s in instances for path in s.written) == [snapshot.chunk_path(0), snapshot.HEAD]
    assert [s.units_listed for s in instances] == [1, 1]
    assert stored(ctx) == expected(ctx)


def test_a_unit_written_while_the_snapshot_is_built_is_not_lost(project):
    ctx = wiring.context()
    _units_without_snapshot(ctx, 5)
    listed, written = threading.Event(), threading.Event()

    def after_read(kind: str, what: Any) -> None:
        if kind == "list" and what == "units" and not listed.is_set():
            listed.set()  # the build has listed the units and not yet written
            assert written.wait(WAIT)

    builder = Hooked(ctx.store, after_read)
    thread, outcome = in_thread(lambda: snapshot.current(dataclasses.replace(ctx, store=builder)))
    assert listed.wait(WAIT)
    rounds.put_unit(ctx, "u-3", {"name": "Đơn vị 3 đổi tên", "cluster": "cum-b"})
    written.set()
    thread.join(WAIT * 2)
    assert builder.units_listed == 2  # the race happened: the build saw the write and started again
    assert outcome[0]["u-3"] == {"id": "u-3", "name": "Đơn vị 3 đổi tên", "cluster": "cum-b"}
    assert stored(ctx) == expected(ctx)


def test_a_snapshot_of_another_format_or_missing_a_chunk_is_rebuilt(project):
    ctx = wiring.context()
    _units_without_snapshot(ctx, 4)
    assert len(snapshot.current(ctx)) == 4
    # Units written meanwhile by code of an older snapshot format; a fresh instance sees its head.
    head = ctx.store.get(snapshot.HEAD)
    ctx.store.set(snapshot.HEAD, {**head, "format": snapshot.FORMAT - 1, "version": head["version"] + 1})
    ctx.store.set("units/u-9", {"id": "u-9", "name": "Đơn vị 9"})
    fresh = dataclasses.replace(ctx, store=Hooked(ctx.store, lambda *_: None))
    assert snapshot.current(fresh)["u-9"] == {"id": "u-9", "name": "Đơn vị 9"}
    assert ctx.store.get(snapshot.HEAD)["format"] == snapshot.FORMAT
    assert stored(ctx) == expected(ctx)
    # A chunk gone (deleted by hand): built again.
    ctx.store.delete(snapshot.chunk_path(0))
    ctx.store.set("units/u-8", {"id": "u-8", "name": "Đơn vị 8"})
    other = dataclasses.replace(ctx, store=Hooked(ctx.store, lambda *_: None))
    assert "u-8" in snapshot.current(other)
    assert stored(ctx) == expected(ctx)


def test_listing_the_roster_builds_a_missing_snapshot_and_catches_a_hand_edit(project, admin):
    ctx = wiring.context()
    _units_without_snapshot(ctx, 3)
    assert len(admin("GET", "/units").json["units"]) == 3
    assert stored(ctx) == expected(ctx)  # built from the units the listing read
    rounds.put_unit(ctx, "u-1", {"name": "Đơn vị 1"})
    assert snapshot.current(ctx)["u-1"]["name"] == "Đơn vị 1"
    ctx.store.set("units/u-1", {"id": "u-1", "name": "Sửa tay"})  # past the services
    assert snapshot.current(ctx)["u-1"]["name"] == "Đơn vị 1"  # not seen yet (docs/console.md)
    listed = admin("GET", "/units")
    assert listed.status_code == 200
    assert "Sửa tay" in [u["name"] for u in listed.json["units"]]
    assert snapshot.current(ctx)["u-1"]["name"] == "Sửa tay"
    assert stored(ctx) == expected(ctx)


def test_the_board_and_links_show_a_renamed_unit_on_their_next_view(project, console_app, admin):
    setup_seed_round(admin)
    client = signed_in(console_app)
    base = "/admin_console/rounds/kt-6-thang-2019"
    assert "BTV Huyện Đoàn Ba Chẽ" in unescape(client.get(f"{base}/board").get_data(as_text=True))
    renamed = {"name": "Huyện Đoàn Ba Chẽ (mới)", "cluster": "cum-mien-dong"}
    assert admin("PUT", "/units/ba-che", renamed).status_code == 200
    board = unescape(client.get(f"{base}/board").get_data(as_text=True))
    assert "Huyện Đoàn Ba Chẽ (mới)" in board
    assert "BTV Huyện Đoàn Ba Chẽ" not in board
    assert "Huyện Đoàn Ba Chẽ (mới)" in unescape(client.get(f"{base}/links").get_data(as_text=True))
