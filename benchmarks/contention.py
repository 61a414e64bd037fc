"""Contending transactions on one document, and the concurrency tests under load (issue 13 §2).

Default: starts its own emulator and measures how long 2, 4 and 8 transactions that all read
one document and then all write it take until every one has committed. Each transaction's
first attempt waits at a barrier after its read, so all of them have read before any commits:
the worst case, every time. Measured for

- the app's adapter, transactions in one process (the case of one function instance, and of
  the local stack, where every function runs in one process);
- the app's adapter, the same number of processes with one transaction each (two function
  instances: the database settles it);
- Google's high-level client (``@firestore.transactional``) in one process, for comparison.

``--stress N`` runs the concurrency integration tests N times in a row in one pytest session
while as many busy-looping processes as the machine has cores keep it busy (started and
stopped by this script), and reports how many runs passed.

    PYTHONPATH=functions .venv/bin/python benchmarks/contention.py [--write] [--reps 10]
    PYTHONPATH=functions .venv/bin/python benchmarks/contention.py --stress 50 [--write]
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "functions"), str(ROOT)]

from benchmarks.results import machine as machine_line  # noqa: E402
from benchmarks.results import write_section  # noqa: E402
from checkround.devstack.emulator import Emulator  # noqa: E402

SIZES = (2, 4, 8)
STRESS_TESTS = [
    "tests/integration/test_firestore_transactions.py::test_concurrent_increments_lose_nothing",
    "tests/integration/test_rounds_integrity.py::test_close_due_rounds_twice_at_once_closes_each_round_once",
    "tests/integration/test_rounds_integrity.py::test_twenty_concurrent_replays_leave_one_revision",
    "tests/integration/test_rounds_integrity.py::test_fifty_submissions_race_the_close",
    "tests/integration/test_versions_api.py::test_two_admins_edit_the_same_draft_one_wins_nothing_is_lost",
    "tests/integration/test_events.py::test_concurrent_deliveries_render_once",
]


def adapter_round(project: str, n: int) -> tuple[float, int]:
    """n transactions of one process on one fresh document: seconds until all committed, and
    the attempts they took."""
    from checkround.storage.firestore import store_for

    store = store_for(project)
    path = f"counters/{uuid.uuid4().hex[:8]}"
    store.set(path, {"n": 0})
    barrier = threading.Barrier(n)
    attempts = [0]
    lock = threading.Lock()

    def bump(tx: Any) -> None:
        with lock:
            attempts[0] += 1
            first = attempts[0] <= n
        (doc,) = tx.get_many([path])
        if first:
            barrier.wait(timeout=60)
        tx.update(path, {"n": doc["n"] + 1})

    elapsed = run_threads(n, lambda: store.transaction(bump))
    assert store.get(path) == {"n": n}
    return elapsed, attempts[0]


def client_round(project: str, n: int) -> tuple[float, int, int]:
    """The same with Google's high-level client (at most 30 attempts each, its limit here):
    seconds, attempts, and how many transactions gave up."""
    from google.cloud import firestore

    client = firestore.Client(project=project)
    ref = client.document(f"counters/{uuid.uuid4().hex[:8]}")
    ref.set({"n": 0})
    barrier = threading.Barrier(n)
    attempts = [0]
    lock = threading.Lock()

    @firestore.transactional
    def bump(tx: Any) -> None:
        with lock:
            attempts[0] += 1
            first = attempts[0] <= n
        snap = ref.get(transaction=tx)
        if first:
            barrier.wait(timeout=60)
        tx.update(ref, {"n": snap.get("n") + 1})

    failures: list[BaseException] = []
    elapsed = run_threads(n, lambda: bump(client.transaction(max_attempts=30)), failures)
    snapshot = ref.get().to_dict()
    assert snapshot == {"n": n - len(failures)}
    return elapsed, attempts[0], len(failures)


def run_threads(n: int, call: Callable[[], None], failures: list[BaseException] | None = None) -> float:
    """Seconds until ``n`` threads have each made ``call``; their errors are raised, or kept in
    ``failures`` when it is given."""
    errors: list[BaseException] = [] if failures is None else failures

    def run() -> None:
        try:
            call()
        except BaseException as exc:  # reported below, with the round
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(n)]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors and failures is None:
        raise errors[0]
    return time.perf_counter() - start


def _process_worker(emulator: str, project: str, path: str, barrier: Any, done: Any) -> None:
    os.environ["FIRESTORE_EMULATOR_HOST"] = emulator
    from checkround.storage.firestore import store_for

    store = store_for(project)
    tries = [0]

    def bump(tx: Any) -> None:
        tries[0] += 1
        (doc,) = tx.get_many([path])
        if tries[0] == 1:
            barrier.wait(timeout=60)
        tx.update(path, {"n": doc["n"] + 1})

    store.transaction(bump)
    done.put(tries[0])


def process_round(emulator: str, project: str, n: int) -> tuple[float, int]:
    """n processes with one transaction each on one document (each its own adapter)."""
    from checkround.storage.firestore import store_for

    path = f"counters/{uuid.uuid4().hex[:8]}"
    store_for(project).set(path, {"n": 0})
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(n)
    done = context.Queue()
    workers = [context.Process(target=_process_worker, args=(emulator, project, path, barrier, done)) for _ in range(n)]
    for worker in workers:
        worker.start()
    # Timed from the moment every process has read (the barrier) to the last commit.
    start = None
    attempts = 0
    for _ in range(n):
        attempts += done.get(timeout=300)
        if start is None:
            start = time.perf_counter()
    for worker in workers:
        worker.join()
    assert store_for(project).get(path) == {"n": n}
    return (time.perf_counter() - (start or time.perf_counter())), attempts


def measure(reps: int, client_reps: int) -> dict[str, Any]:
    emulator = Emulator(log_file=Path(tempfile.mkdtemp()) / "emulator.log")
    emulator.start()
    try:
        os.environ["FIRESTORE_EMULATOR_HOST"] = emulator.address
        project = f"bench-contention-{uuid.uuid4().hex[:6]}"
        adapter_round(project, 2)  # warm the emulator and the connection
        results: dict[str, Any] = {"reps": reps, "client_reps": client_reps}
        for n in SIZES:
            runs = [adapter_round(project, n) for _ in range(reps)]
            results[f"adapter_{n}"] = runs
            median = statistics.median(run[0] for run in runs) * 1000
            print(f"adapter, {n} in one process: median {median:.0f} ms", flush=True)
        for n in (2,):
            runs = [process_round(emulator.address, project, n) for _ in range(client_reps)]
            results[f"process_{n}"] = runs
            print(f"adapter, {n} processes: {[round(r[0], 2) for r in runs]} s", flush=True)
        for n in SIZES:
            runs = [client_round(project, n) for _ in range(client_reps)]
            results[f"client_{n}"] = runs
            print(f"high-level client, {n}: {[round(r[0], 2) for r in runs]} s", flush=True)
        return results
    finally:
        emulator.stop()


def load_line() -> str:
    one, five, _ = os.getloadavg()
    return f"load average {one:.1f} (1 min), {five:.1f} (5 min)"


def contention_report(r: dict[str, Any], load: str) -> str:
    def row(label: str, key: str) -> str:
        runs = r[key]
        times = [run[0] * 1000 for run in runs]
        tries = [run[1] for run in runs]
        gave_up = sum(run[2] for run in runs if len(run) > 2)
        return (
            f"| {label} | {statistics.median(times):,.0f} ms | {min(times):,.0f}–{max(times):,.0f} ms"
            f" | {statistics.median(tries):.0f} | {len(runs)} | {gave_up} |"
        )

    rows = [row(f"{n} transactions, app adapter, one process", f"adapter_{n}") for n in SIZES]
    rows += [row("2 transactions, app adapter, 2 processes", "process_2")]
    rows += [row(f"{n} transactions, Google's high-level client, one process", f"client_{n}") for n in SIZES]
    table = "\n".join(rows)
    return f"""## Contending transactions (benchmarks/contention.py)

Measured {time.strftime("%Y-%m-%d %H:%M", time.gmtime())} UTC on this machine ({machine_line()}; {load} at the start:
the machine is shared with other engineers' test runs). n transactions each read one document
and then write it (an increment); every first attempt waits after its read until all n have
read, so all of them contend, every time. Time from the start until all n have committed, on
the local emulator (the 2-process row: from the moment both have read). Attempts count every
run of a transaction's function, steps back within the process included:

| what | median | range | attempts (median) | runs | transactions that gave up |
| --- | --- | --- | --- | --- | --- |
{table}

The emulator settles two transactions that both read a document and then both write it only
by its lock timeout (about 2 s: ABORTED "Transaction lock timeout" to the first waiter, to both
when they commit at the same moment), and it ignores `retry_transaction`; Google's client
shows it (the rows above). Firestore in the cloud lets the older transaction go on and aborts
the younger at once. Within one process the adapter settles contention itself
(`storage/firestore_tx.py`, wound-wait by age), so contending transactions commit one after
the other in a few round trips. Between processes the database decides: on the emulator, a
lock timeout per collision (the 2-process row), in the cloud by age.
"""


class Repeat:
    """A pytest plugin: every collected test, ``count`` times, in rounds."""

    def __init__(self, count: int) -> None:
        self.count = count

    def pytest_collection_modifyitems(self, items: list[Any]) -> None:
        items[:] = items * self.count


def stress(count: int) -> dict[str, Any]:
    """The concurrency tests ``count`` times with every core kept busy by another process."""
    import pytest

    os.chdir(ROOT)  # the tests' paths and pytest's settings are the repository's
    hogs = [
        subprocess.Popen([sys.executable, "-c", "while True: pass"], start_new_session=True)
        for _ in range(os.cpu_count() or 2)
    ]
    load = load_line()
    started = time.monotonic()
    began = time.strftime("%Y-%m-%d %H:%M", time.gmtime())
    try:
        report = Outcomes()
        code = pytest.main(["-q", "-p", "no:cacheprovider", *STRESS_TESTS], plugins=[Repeat(count), report])
    finally:
        for hog in hogs:
            os.killpg(hog.pid, signal.SIGTERM)
            hog.wait(timeout=10)
    return {
        "count": count,
        "code": int(code),
        "passed": report.passed,
        "failed": report.failed,
        "minutes": (time.monotonic() - started) / 60,
        "hogs": len(hogs),
        "began": began,
        "load": load,
        "tests": len(report.passed) // max(count, 1) if not report.failed else None,
    }


class Outcomes:
    def __init__(self) -> None:
        self.passed: list[str] = []
        self.failed: list[str] = []

    def pytest_runtest_logreport(self, report: Any) -> None:
        if report.when == "call" or report.failed:
            (self.passed if report.passed else self.failed).append(report.nodeid)


def stress_report(r: dict[str, Any]) -> str:
    names = "\n".join(f"- `{test}`" for test in STRESS_TESTS)
    total = len(r["passed"]) + len(r["failed"])
    verdict = (
        f"**{len(r['passed'])} of {total} test runs passed, {r['count']} rounds in a row**"
        if not r["failed"]
        else f"**{len(r['failed'])} test runs failed** (of {total}): " + ", ".join(sorted(set(r["failed"])))
    )
    return f"""## Concurrency tests under load (benchmarks/contention.py --stress)

Run from {r["began"]} UTC on this machine ({machine_line()}): one pytest session ran
these tests {r["count"]} times in a row (every test once per round) while {r["hogs"]} busy-looping processes
kept every core busy; the other engineers' test runs were loading the machine too
({r["load"]} when it started). {r["minutes"]:.1f} minutes.

{names}

{verdict}. pytest's exit code: {r["code"]}.
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--write", action="store_true", help="update benchmarks/RESULTS.md")
    parser.add_argument("--reps", type=int, default=10, help="rounds of each size with the app's adapter")
    parser.add_argument("--client-reps", type=int, default=3, help="rounds with the high-level client and processes")
    parser.add_argument("--stress", type=int, default=0, help="run the concurrency tests this many times under load")
    args = parser.parse_args()
    if args.stress:
        result = stress(args.stress)
        section = stress_report(result)
    else:
        load = load_line()
        section = contention_report(measure(args.reps, args.client_reps), load)
    print(section)
    if args.write:
        write_section(section)


if __name__ == "__main__":
    main()
