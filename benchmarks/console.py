"""Benchmark of the admin console's board (issue 16): the board page of a 1,000-unit round,
paged (100 units a page), against ``GET /admin_api/rounds/{id}`` of the same round.

Both functions run in this process (functions-framework's apps, as the integration tests run
them) on a Firestore emulator this script starts, so they share one store and one machine
state. The store is wrapped in a counter of Firestore reads as Firestore bills them: one per
document a get or a query returns, and one for a query that returns none. Each request is
timed alternately, console then API, so that whatever else the machine does weighs on both.

What is compared (goal: the board page at most 2× the API call):
- wall time per request (median, and the 90th percentile);
- this process's CPU per request (``time.process_time``), which is what the function pays for;
- Firestore reads per request.

The round: 1,000 units in four emulation clusters; 500 submitted (50 of them late), 200 with a
draft (each entry holding the seed form's answers as its draft, as a saved draft does), 300
missing. Entries are written directly in the shape the submission service writes them; the
board reads nothing else of a submission.

    PYTHONPATH=functions .venv/bin/python benchmarks/console.py [--write] [--runs N]

``--write`` replaces this benchmark's part of benchmarks/RESULTS.md.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "functions"), str(ROOT)]

from benchmarks.results import machine as machine_line  # noqa: E402
from benchmarks.results import write_section  # noqa: E402
from checkround.storage.ports import Doc, Transaction, Where  # noqa: E402
from tests.support import seed_answers, seed_form  # noqa: E402

SECTION = "## Admin console board (benchmarks/console.py)"
UNITS = 1000
CLUSTERS = ["cum-a", "cum-b", "cum-c", "cum-d"]
ROUND = "bench-board"


class CountingStore:
    """The document store, counting Firestore reads as they are billed (see the module docstring)."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.reads = 0
        self.writes = 0  # documents written by committed transactions and plain writes

    def get(self, path: str) -> Doc | None:
        self.reads += 1
        found: Doc | None = self.inner.get(path)
        return found

    def list(
        self, collection: str, where: list[Where] | None = None, order_by: str | None = None, limit: int | None = None
    ) -> Iterator[tuple[str, Doc]]:
        count = 0
        for item in self.inner.list(collection, where=where, order_by=order_by, limit=limit):
            count += 1
            yield item
        self.reads += max(count, 1)

    def create(self, path: str, data: Doc) -> bool:
        self.writes += 1
        created: bool = self.inner.create(path, data)
        return created

    def set(self, path: str, data: Doc) -> None:
        self.writes += 1
        self.inner.set(path, data)

    def update(self, path: str, data: Doc) -> None:
        self.writes += 1
        self.inner.update(path, data)

    def delete(self, path: str) -> None:
        self.writes += 1
        self.inner.delete(path)

    def transaction(self, fn: Callable[[Transaction], Any]) -> Any:
        counter = self
        written: list[int] = [0]  # by the attempt that runs last (the one that commits)

        class Counted:
            def __init__(self, tx: Transaction) -> None:
                self.tx = tx
                written[0] = 0

            def get(self, path: str) -> Doc | None:
                counter.reads += 1
                return self.tx.get(path)

            def get_many(self, paths: list[str], fields: list[str] | None = None) -> list[Doc | None]:
                counter.reads += len(paths)
                return self.tx.get_many(paths, fields)

            def create(self, path: str, data: Doc) -> None:
                written[0] += 1
                self.tx.create(path, data)

            def set(self, path: str, data: Doc) -> None:
                written[0] += 1
                self.tx.set(path, data)

            def update(self, path: str, data: Doc) -> None:
                written[0] += 1
                self.tx.update(path, data)

            def delete(self, path: str) -> None:
                written[0] += 1
                self.tx.delete(path)

        result = self.inner.transaction(lambda tx: fn(Counted(tx)))
        self.writes += written[0]
        return result


def seed(ctx: Any) -> str:
    """The form, 1,000 units, the round and its entries; an admin token (returned)."""
    from checkround.forms import service as forms
    from checkround.rounds import service as rounds
    from checkround.rounds.tokens import issue_admin_token

    form = seed_form()
    forms.create_form(ctx, form)
    forms.publish_version(ctx, form["id"])
    unit_ids = [f"u-{n:04d}" for n in range(UNITS)]
    for n, uid in enumerate(unit_ids):
        rounds.put_unit(
            ctx, uid, {"name": f"Đơn vị số {n + 1}", "name_en": f"Unit {n + 1}", "cluster": CLUSTERS[n % 4]}
        )
    now = datetime.now(UTC)
    body = {
        "id": ROUND,
        "title": {"vi": "Đợt đo hiệu năng", "en": "Benchmark round"},
        "form_id": form["id"],
        "unit_ids": unit_ids,
        "opens_at": (now - timedelta(days=1)).isoformat(),
        "closes_at": (now + timedelta(days=7)).isoformat(),
        "clusters": {key: {"vi": f"Cụm {key[-1].upper()}", "en": f"Cluster {key[-1].upper()}"} for key in CLUSTERS},
    }
    rounds.create_round(ctx, body)
    rounds.open_round(ctx, ROUND, "admin:bench")
    draft = seed_answers("tien-yen")
    for n, uid in enumerate(unit_ids):
        path = f"rounds/{ROUND}/entries/{uid}"
        if n < 500:
            ctx.store.set(
                path,
                {
                    "unit_id": uid,
                    "state": "submitted",
                    "revision": 1 + n % 3,
                    "submitted_at": now - timedelta(minutes=n),
                    "late": n < 50,
                    "submission_id": f"s-{uid}",
                    "draft": None,
                    "draft_follow_up": None,
                },
            )
        elif n < 700:
            ctx.store.set(path, {"unit_id": uid, "state": "draft", "draft": draft, "draft_saved_at": now})
    return issue_admin_token(ctx, name="bench")


def measure(runs: int) -> dict[str, Any]:
    import functions_framework

    from checkround import wiring
    from checkround.devstack.emulator import Emulator
    from checkround.storage import firestore as adapter
    from checkround.storage.firestore_client import api_client

    load_start = os.getloadavg()[0]
    emulator = Emulator()
    emulator.start()
    try:
        os.environ.update(
            FIRESTORE_EMULATOR_HOST=emulator.address,
            CHECKROUND_PROJECT="bench-console",
            CHECKROUND_LOCAL_DIR=tempfile.mkdtemp(prefix="bench-console-"),
        )
        counting = CountingStore(adapter.FirestoreStore(api_client([]), "bench-console"))
        adapter.store_for = lambda project: counting  # type: ignore[assignment]  # the apps' store, counted
        wiring.reset()
        token = seed(wiring.context())
        main = str(ROOT / "functions" / "main.py")
        api = functions_framework.create_app(target="admin_api", source=main).test_client()
        console = functions_framework.create_app(target="admin_console", source=main).test_client()
        page = console.get("/admin_console/sign-in").get_data(as_text=True)
        csrf = page.split('name="csrf" value="')[1].split('"')[0]
        signed = console.post("/admin_console/sign-in", data={"csrf": csrf, "token": token})
        assert signed.status_code == 303, signed.get_data(as_text=True)[:500]
        headers = {"Authorization": f"Bearer {token}"}

        from checkround.rounds import roster_snapshot
        from checkround.rounds import service as rounds

        def cold_board() -> Any:
            roster_snapshot._CACHE.clear()  # this instance has no copy of the roster: a cold instance
            return console.get(f"/admin_console/rounds/{ROUND}/board")

        calls: dict[str, Callable[[], Any]] = {
            "api": lambda: api.get(f"/admin_api/rounds/{ROUND}", headers=headers),
            "board": lambda: console.get(f"/admin_console/rounds/{ROUND}/board"),
            "board_cold": cold_board,
            "board_p5": lambda: console.get(f"/admin_console/rounds/{ROUND}/board?page=5"),
            "board_missing": lambda: console.get(f"/admin_console/rounds/{ROUND}/board?state=missing"),
        }
        samples: dict[str, dict[str, list[float]]] = {
            k: {"wall": [], "cpu": [], "reads": [], "bytes": []} for k in calls
        }
        for warm in range(3):
            for call in calls.values():
                assert call().status_code == 200, warm
        for _ in range(runs):
            for name, call in calls.items():
                reads = counting.reads
                cpu, wall = time.process_time(), time.perf_counter()
                response = call()
                body = response.get_data()
                wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
                assert response.status_code == 200, name
                samples[name]["wall"].append(1000 * wall)
                samples[name]["cpu"].append(1000 * cpu)
                samples[name]["reads"].append(counting.reads - reads)
                samples[name]["bytes"].append(len(body))
        board_html = console.get(f"/admin_console/rounds/{ROUND}/board").get_data(as_text=True)
        assert board_html.count("<tr data-unit=") == 100, "a page shows 100 units"

        def build() -> Any:
            counting.inner.delete(roster_snapshot.HEAD)
            roster_snapshot._CACHE.clear()
            return console.get(f"/admin_console/rounds/{ROUND}/board")

        once = {
            # A unit renamed (PUT /units/{id}): the unit, the snapshot's chunk and its head.
            "rename": lambda: rounds.put_unit(
                wiring.context(), "u-0000", {"name": "Đơn vị số 1 (đổi tên)", "cluster": CLUSTERS[0]}
            ),
            # The board's next view: the head says the version moved, so the chunks are read again.
            "after_rename": lambda: console.get(f"/admin_console/rounds/{ROUND}/board"),
            # A deployment with units and no snapshot (the first view after this version is
            # deployed): the board builds it from the units, once.
            "build": build,
        }
        single: dict[str, dict[str, float]] = {}
        for name, call in once.items():
            reads, writes = counting.reads, counting.writes
            wall = time.perf_counter()
            call()
            single[name] = {
                "wall": 1000 * (time.perf_counter() - wall),
                "reads": counting.reads - reads,
                "writes": counting.writes - writes,
            }
        head = counting.inner.get(roster_snapshot.HEAD)
        sizes = [
            len(counting.inner.get(roster_snapshot.chunk_path(n))["units"].encode()) for n in range(head["chunks"])
        ]
        renamed = console.get(f"/admin_console/rounds/{ROUND}/board").get_data(as_text=True)
        assert "Đơn vị số 1 (đổi tên)" in renamed, "the board shows the renamed unit"
    finally:
        emulator.stop()
    load = os.getloadavg()[0]
    return {
        "runs": runs,
        "samples": samples,
        "single": single,
        "chunk_bytes": sizes,
        "load": load,
        "load_start": load_start,
    }


def _median(values: list[float]) -> float:
    return statistics.median(values)


def _p90(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(0.9 * len(ordered)))]


def report(result: dict[str, Any]) -> str:
    s = result["samples"]
    api = s["api"]
    names = {
        "api": "`GET /admin_api/rounds/{id}` (JSON, the whole board)",
        "board": "console board, page 1 of 10 (HTML)",
        "board_cold": "the same on an instance that has not read the roster yet (every cold instance)",
        "board_p5": "console board, page 5 of 10",
        "board_missing": "console board, filtered to the 300 missing units, page 1",
    }
    rows = []
    for key, label in names.items():
        m = s[key]
        rows.append(
            f"| {label} | {_median(m['wall']):.0f} ms | {_p90(m['wall']):.0f} ms | {_median(m['cpu']):.0f} ms | "
            f"{_median(m['reads']):.0f} | {_median(m['bytes']) / 1024:.0f} KiB |"
        )
    once = result["single"]
    labels = {
        "rename": "a unit renamed (`rounds.put_unit`, what `PUT /units/{id}` runs)",
        "after_rename": "the board's next view (the version moved: the chunks are read again)",
        "build": "the first board view of a deployment with units and no snapshot (builds it, once)",
    }
    singles = [
        f"| {label} | {once[key]['wall']:.0f} ms | {once[key]['reads']:.0f} | {once[key]['writes']:.0f} |"
        for key, label in labels.items()
    ]
    wall_ratio = _median(s["board"]["wall"]) / _median(api["wall"])
    cpu_ratio = _median(s["board"]["cpu"]) / _median(api["cpu"])
    reads_ratio = _median(s["board"]["reads"]) / _median(api["reads"])
    cold_ratio = _median(s["board_cold"]["reads"]) / _median(api["reads"])
    cold_wall = _median(s["board_cold"]["wall"]) / _median(api["wall"])
    cold_cpu = _median(s["board_cold"]["cpu"]) / _median(api["cpu"])
    met = all(r <= 2 for r in (wall_ratio, cpu_ratio, reads_ratio, cold_ratio, cold_wall, cold_cpu))
    verdict = "met" if met else "NOT met"
    chunks = result["chunk_bytes"]
    today = datetime.now(UTC).strftime("%Y-%m-%d")
    return f"""{SECTION}

Measured {today} on this machine ({machine_line()}); load average (1 min) {result["load_start"]:.1f} at the
start and {result["load"]:.1f} at the end of the run (the machine is shared: compare rows of one run). Both
functions in one process on a local Firestore emulator; {result["runs"]} alternating requests of each kind after 3
warm-up rounds; a round of 1,000 units in 4 clusters (500 submitted, 200 with a saved draft, 300 missing).

| request | median | p90 | CPU (median) | Firestore reads | answer |
| --- | --- | --- | --- | --- | --- |
{chr(10).join(rows)}

**Board page against the API call: {wall_ratio:.2f}× the wall time, {cpu_ratio:.2f}× the CPU, {reads_ratio:.2f}× the
Firestore reads; on a cold instance {cold_wall:.2f}× the wall time, {cold_cpu:.2f}× the CPU, {cold_ratio:.2f}× the
reads (goal ≤ 2×: {verdict}).** Both read the round and every entry of the round (the counts per state and per
cluster need them all: a page of 100 does not read less); the API reads its token, the console its session
document, the admin token it was opened with and the team's assessments (one query). The console also needs the
units' names and clusters: it reads them from the roster snapshot (`rounds/roster_snapshot.py`), which every
write of a unit changes in the same transaction. For these 1,000 units the snapshot is a head and {len(chunks)}
chunk(s) ({", ".join(f"{size / 1024:.0f} KiB" for size in chunks)}); a chunk is kept under 512 KiB, half of
Firestore's 1 MiB per document, by spreading the units over twice as many chunks before one would pass it. An
instance keeps the snapshot with its version and reads only the head on each view (one read); a cold instance
reads the head and the chunks in one query (two reads) instead of the 1,000 units. Before the snapshot, a cold
board read 1,703 documents (2.43× the API's reads, 1.92× its wall time: the goal was not met), and a renamed unit
showed up to 30 s later; now it shows on the next view. The 30 s roster cache is gone: it would save the one read
of the head per view (about 0.1 % of the page's reads) and bring back that delay. The API's board lists unit ids
and states only, reads no roster, and is unchanged. Entries with a draft hold the draft's answers, so both pay for
reading them. An open board of this round costs about {_median(s["board"]["reads"]):.0f} reads every 10 s (about
{3600 / 10 * _median(s["board"]["reads"]) / 1000:.0f} thousand an hour), as polling the API would.

What the snapshot costs, measured once each in the same run (one sample each: their wall times are noisy):

| operation | wall | Firestore reads | Firestore writes |
| --- | --- | --- | --- |
{chr(10).join(singles)}

A unit change writes three documents instead of one (the unit, the chunk that holds it, the head), after reading
the head and every chunk; a roster upload writes, per transaction of up to 400 units, those units (removals
included), the chunks they fall in and the head. The build reads every unit once per deployment: of several
instances that start it together, one writes it and the others read what it wrote.
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args()
    section = report(measure(args.runs))
    print(section)
    if args.write:
        write_section(section)


if __name__ == "__main__":
    main()
