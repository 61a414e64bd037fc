"""Submissions on the local stack (issues 4 and 13): Firestore calls, CPU, latency, throughput.

Starts ``python -m checkround.devstack run`` (the emulator and every function, in their own
process), then measures:

1. the Firestore calls a submission makes (goal: 2), counted by a gRPC client interceptor on
   the adapter's channel, with the ``unit_api`` function run in this process on the same
   emulator, and the CPU this process spends per submission there;
2. a unit's submission through the functions host (HTTP, the whole path: auth, validation,
   the transaction), median and p95 over sequential requests, against a bare transactional
   write of the same submission document with Google's Firestore client (for information);
3. the CPU each process (host, emulator, client) spends per submission and per bare write;
4. sustained submissions per second from 16 concurrent clients (16 units).

    PYTHONPATH=functions .venv/bin/python benchmarks/submit.py [--write] [-n 300] [--warmup 300]
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "functions"), str(ROOT)]

import grpc  # noqa: E402
import requests  # noqa: E402
from google.cloud import firestore  # noqa: E402

from benchmarks.results import machine as machine_line  # noqa: E402
from benchmarks.results import write_section  # noqa: E402
from checkround.devstack.emulator import free_port  # noqa: E402
from checkround.storage.firestore import FirestoreStore  # noqa: E402
from checkround.storage.firestore_client import api_client  # noqa: E402
from checkround.storage.ports import Transaction  # noqa: E402
from checkround.submissions.service import DECIDING_FIELDS  # noqa: E402
from tests.support import SEED_UNITS, seed_answers  # noqa: E402

READY = "Ctrl-C stops everything"
CPU_CALLS = 400  # calls of each kind in the CPU measurement
UNITS = 16  # concurrent clients, one unit each, in the throughput run


def start_stack(local: Path, port: int, emulator_port: int) -> subprocess.Popen[str]:
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT / "functions"),
        "CHECKROUND_LOCAL_DIR": str(local),
        "CHECKROUND_PORT": str(port),
        "CHECKROUND_EMULATOR_PORT": str(emulator_port),
        "CHECKROUND_PROJECT": "bench-submit",
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "checkround.devstack", "run"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    assert proc.stdout is not None
    for line in proc.stdout:
        if READY in line:
            # Keep draining its output so the stack never blocks on a full pipe.
            threading.Thread(target=proc.stdout.read, daemon=True).start()
            return proc
    raise RuntimeError("the stack did not start")


def percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def admin_session(base: str, token: str) -> requests.Session:
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {token}"
    return session


def prepare_round(base: str, admin: requests.Session) -> dict[str, str]:
    """A round of 16 units (the 7 seed units and 9 more), open now, with a token each."""
    seed = admin.get(f"{base}/admin_api/rounds/kt-6-thang-2019").json()
    extra = [f"don-vi-them-{k}" for k in range(1, UNITS - len(seed["unit_ids"]) + 1)]
    for unit in extra:
        body = {"name": f"Đơn vị thêm {unit[-1]}", "cluster": "cum-mien-dong"}
        admin.put(f"{base}/admin_api/units/{unit}", json=body).raise_for_status()
    units = [*seed["unit_ids"], *extra]
    body = {k: seed[k] for k in ("title", "form_id", "form_version", "opens_at", "closes_at", "time_zone", "language")}
    body.update(id="bench", unit_ids=units)
    admin.post(f"{base}/admin_api/rounds", json=body).raise_for_status()
    admin.post(f"{base}/admin_api/rounds/bench/open").raise_for_status()
    tokens = admin.post(f"{base}/admin_api/rounds/bench/tokens", json={}).json()["tokens"]
    return {unit: entry["token"] for unit, entry in tokens.items()}


class Calls:
    """The calls the benchmark makes: over one keep-alive HTTP/1.1 connection to the host
    (``http.client``: the client library's own cost is not the function's), and bare writes
    with Google's Firestore client as it comes."""

    def __init__(self, base: str, emulator: str, token: str, answers: dict[str, Any]) -> None:
        os.environ["FIRESTORE_EMULATOR_HOST"] = emulator
        self.client = firestore.Client(project="bench-submit")
        self.connection = http.client.HTTPConnection("127.0.0.1", int(base.rsplit(":", 1)[1]), timeout=60)
        self.answers = answers
        self.body = json.dumps({"answers": answers}).encode()
        self.refused = json.dumps({"answers": {**answers, "unknown_section": {}}}).encode()
        self.headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}

    def _call(self, method: str, path: str, status: int, body: bytes | None = None, **headers: str) -> None:
        self.connection.request(method, path, body, {**self.headers, **headers})
        response = self.connection.getresponse()
        text = response.read()
        assert response.status == status, text

    def submit(self, key: str) -> None:
        """A submission through the functions host (201)."""
        self._call("POST", "/unit_api/rounds/bench/submission", 201, self.body, **{"Idempotency-Key": key})

    def invalid(self) -> None:
        """A submission the validation refuses (422: HTTP, the token check, the whole
        validation, no transaction)."""
        self._call("POST", "/unit_api/rounds/bench/submission", 422, self.refused)

    def health(self) -> None:
        """``GET /unit_api/health``: the HTTP floor."""
        self._call("GET", "/unit_api/health", 200)

    def bare(self, doc_id: str) -> None:
        """A transactional write of the same submission document with Google's Firestore client
        (``@firestore.transactional``: BeginTransaction, then Commit)."""
        ref = self.client.document(f"rounds/bench/submissions/{doc_id}")
        doc = {"unit_id": "bare", "revision": 1, "answers": self.answers, "submitted_at": firestore.SERVER_TIMESTAMP}
        firestore.transactional(lambda tx: tx.set(ref, doc))(self.client.transaction())

    def close(self) -> None:
        self.connection.close()


def latencies(
    base: str, emulator: str, host_pid: int, token: str, answers: dict[str, Any], n: int, warmup: int
) -> tuple[dict[str, list[float]], dict[str, float]]:
    """The measurements, interleaved one call of each per round, so that whatever else
    the machine does at a moment weighs on all of them alike. The first ``warmup`` rounds warm
    caches, connections and the emulator (its JVM keeps getting faster for the first few hundred
    calls); they are returned apart (``cold_*``), with the CPU per round the host and the
    emulator spent in them and in the timed rounds.

    Besides :class:`Calls`' submission, bare write, health check and refused submission,
    ``same`` is a transaction of a submission's shape (4 reads in one call with its field mask,
    4 writes of smaller documents) through the app's own Firestore adapter, without HTTP, auth
    or validation.
    """
    made = Calls(base, emulator, token, answers)
    store = FirestoreStore(api_client(), "bench-submit")

    def same(i: int) -> None:
        paths = ["rounds/bench", "rounds/bench/entries/x", "tokens/x", f"rounds/bench/idempotency/x{i}"]

        def write(tx: Transaction) -> None:
            tx.get_many(paths, fields=DECIDING_FIELDS)
            tx.create(f"rounds/bench/submissions/same-{i:05d}", {"answers": answers, "revision": i})
            tx.set("rounds/bench/entries/x", {"revision": i, "state": "submitted"})
            tx.create(f"rounds/bench/idempotency/x{i}", {"body_hash": "h"})
            tx.create(f"rounds/bench/audit/same-{i:05d}", {"action": "submit"})

        store.transaction(write)

    calls: dict[str, Callable[[int], None]] = {
        "submit": lambda i: made.submit(f"l{i}"),
        "bare": lambda i: made.bare(f"bare-{i:05d}"),
        "same": same,
        "health": lambda i: made.health(),
        "invalid": lambda i: made.invalid(),
    }
    samples: dict[str, list[float]] = {key: [] for name in calls for key in (name, f"cold_{name}")}
    jvm = emulator_pids(int(emulator.rsplit(":", 1)[1]))
    # CPU of the host and the emulator at the start, after the warm-up and at the end: what
    # the warm-up rounds cost each of them, against the timed rounds.
    marks = [cpu_now(host_pid, jvm)]
    for i in range(n + warmup):
        if i == warmup:
            marks.append(cpu_now(host_pid, jvm))
        for name, call in calls.items():
            start = time.perf_counter()
            call(i)
            # The warm-up rounds are kept apart: reported, not mixed into the steady state.
            samples[name if i >= warmup else f"cold_{name}"].append((time.perf_counter() - start) * 1000)
    marks.append(cpu_now(host_pid, jvm))
    made.close()
    per_round = {
        "host_cold": (marks[1][0] - marks[0][0]) / warmup,
        "emulator_cold": (marks[1][1] - marks[0][1]) / warmup,
        "host_warm": (marks[2][0] - marks[1][0]) / n,
        "emulator_warm": (marks[2][1] - marks[1][1]) / n,
    }
    return samples, {key: 1000 * value for key, value in per_round.items()}


class CallCounter(grpc.UnaryUnaryClientInterceptor, grpc.UnaryStreamClientInterceptor):
    """Counts the calls that leave a channel, by method (a public gRPC client interceptor)."""

    def __init__(self) -> None:
        self.calls: list[str] = []

    def intercept_unary_unary(self, continuation: Callable[..., Any], details: Any, request: Any) -> Any:
        self.calls.append(details.method.rsplit("/", 1)[1])
        return continuation(details, request)

    intercept_unary_stream = intercept_unary_unary


def calls_in_process(emulator: str, local: Path, token: str, answers: dict[str, Any], n: int) -> dict[str, Any]:
    """``unit_api`` in this process (functions-framework's app, as the integration tests run
    it) on the stack's emulator, its adapter's channel with a counting interceptor: Firestore
    calls per submission and this process's CPU per submission, after a warm-up."""
    import functions_framework

    from checkround import wiring
    from checkround.storage import firestore as adapter
    from checkround.storage.firestore_client import api_client

    os.environ.update(
        FIRESTORE_EMULATOR_HOST=emulator, CHECKROUND_PROJECT="bench-submit", CHECKROUND_LOCAL_DIR=str(local)
    )
    counter = CallCounter()
    store = adapter.FirestoreStore(api_client([counter]), "bench-submit")
    adapter.store_for = lambda project: store  # type: ignore[assignment]  # the app's store, counted
    wiring.reset()
    app = functions_framework.create_app(target="unit_api", source=str(ROOT / "functions" / "main.py"))
    client = app.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    body = {"answers": answers}

    def submit(key: str) -> None:
        response = client.post("/rounds/bench/submission", json=body, headers={**headers, "Idempotency-Key": key})
        assert response.status_code == 201, response.get_data(as_text=True)

    submit("p-first")
    first = list(counter.calls)
    for i in range(50):
        submit(f"p-warm-{i}")
    counter.calls.clear()
    each: list[list[str]] = []
    cpu, wall = time.process_time(), time.perf_counter()
    for i in range(n):
        before = len(counter.calls)
        submit(f"p-{i}")
        each.append(counter.calls[before:])
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    extra = [calls for calls in each if len(calls) > 2]
    refused_before = len(counter.calls)
    response = client.post("/rounds/bench/submission", json={"answers": {**answers, "x": {}}}, headers=headers)
    assert response.status_code == 422
    return {
        "n": n,
        "first": first,
        "per_submission": len(counter.calls[:refused_before]) / n,
        "methods": sorted(set(counter.calls[:refused_before])),
        "median": statistics.median(len(calls) for calls in each),
        "extra": len(extra),
        "extra_calls": sorted({", ".join(calls) for calls in extra}),
        "refused": len(counter.calls) - refused_before,
        "cpu_ms": 1000 * cpu / n,
        "wall_ms": 1000 * wall / n,
    }


def process_cpu(pid: int) -> float:
    """CPU seconds (user + system) a process has used so far, from ``/proc``."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def emulator_pids(port: int) -> list[int]:
    """The emulator's JVM (and its wrapper script), found by the port on its command line."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            args = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if any(b"firestore" in arg.lower() for arg in args) and str(port).encode() in args:
            found.append(int(entry.name))
    return found


def cpu_now(host_pid: int, jvm: list[int]) -> tuple[float, float]:
    """CPU seconds used so far by the functions host and by the emulator."""
    return process_cpu(host_pid), sum(map(process_cpu, jvm))


def cpu_per_call(
    base: str, emulator_port: int, host_pid: int, token: str, answers: dict[str, Any], n: int
) -> dict[str, dict[str, float]]:
    """CPU milliseconds each process spends per call, for ``n`` submissions in a row and then
    ``n`` bare writes in a row: where the machine's cores go, beside the wall time."""
    made = Calls(base, f"127.0.0.1:{emulator_port}", token, answers)
    jvm = emulator_pids(emulator_port)
    usage = {}
    runs: tuple[tuple[str, Callable[[int], None]], ...] = (
        ("submit", lambda i: made.submit(f"c{i}")),
        ("bare", lambda i: made.bare(f"cpu-{i:05d}")),
    )
    for name, call in runs:
        before = (*cpu_now(host_pid, jvm), time.process_time(), time.perf_counter())
        for i in range(n):
            call(i)
        after = (*cpu_now(host_pid, jvm), time.process_time(), time.perf_counter())
        host, emulator, own, wall = (1000 * (b - a) / n for a, b in zip(before, after, strict=True))
        usage[name] = {"host": host, "emulator": emulator, "client": own, "wall": wall}
    made.close()
    return usage


def throughput(base: str, tokens: dict[str, str], seconds: float) -> tuple[float, int]:
    stop = time.monotonic() + seconds
    counts: dict[str, int] = {}
    failures: list[str] = []

    def client(unit: str, token: str) -> None:
        session = requests.Session()
        session.headers["Authorization"] = f"Bearer {token}"
        answers = seed_answers(unit if unit in SEED_UNITS and unit != "ba-che" else "mong-cai")
        done = 0
        while time.monotonic() < stop:
            response = session.post(f"{base}/unit_api/rounds/bench/submission", json={"answers": answers})
            if response.status_code == 201:
                done += 1
            else:
                failures.append(f"{response.status_code} {response.text[:80]}")
        counts[unit] = done

    start = time.monotonic()
    threads = [threading.Thread(target=client, args=item) for item in tokens.items()]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sum(counts.values()) / (time.monotonic() - start), len(failures)


def set_ratios(timed: dict[str, list[float]], sets: int) -> list[float]:
    """The submission / bare-write ratio of medians in each of ``sets`` consecutive slices of
    the run: how much the one number moves with the machine's moods."""
    size = len(timed["submit"]) // sets
    return [
        statistics.median(timed["submit"][k * size : (k + 1) * size])
        / statistics.median(timed["bare"][k * size : (k + 1) * size])
        for k in range(sets)
    ]


def fmt(r: dict[str, Any], name: str) -> str:
    return f"{r[name + '_median']:.1f} ms | {r[name + '_p95']:.1f} ms"


def ratio(r: dict[str, Any], top: str, bottom: str) -> str:
    return f"{r[top + '_median'] / r[bottom + '_median']:.2f}× | {r[top + '_p95'] / r[bottom + '_p95']:.2f}×"


def report(r: dict[str, Any]) -> str:
    machine = machine_line()
    sets = ", ".join(f"{x:.2f}×" for x in r["sets"])
    runs = ", ".join(f"{x:.2f}×" for x in r["runs"])
    per_run = len(r["sets"]) // len(r["runs"])
    w = r["warmth"]
    c = r["calls"]
    calls_verdict = "met in the transaction" if c["median"] <= 2 else "not met"
    submit_cpu = r["cpu"]["submit"]
    cores = (submit_cpu["host"] + submit_cpu["emulator"] + submit_cpu["client"]) / submit_cpu["wall"]
    cpu_rows = "\n".join(
        f"| {label} | {host} | {use['emulator']:.2f} | {use['client']:.2f} | {use['wall']:.2f} |"
        for label, use, host in (
            ("submission", r["cpu"]["submit"], f"{r['cpu']['submit']['host']:.2f}"),
            ("bare write", r["cpu"]["bare"], "–"),
        )
    )
    return f"""## Submissions (benchmarks/submit.py)

Measured from {r["began"]} UTC on this machine ({machine}; {r["load"]} at the
start: the machine is shared with the other engineers' test runs, so latencies and rates are
lower bounds of what it can do alone; medians are reported). The functions host in one process
(`python -m checkround.devstack run`, waitress), the emulator in its JVM, the clients in a third.

**Firestore calls per submission: {c["median"]:.0f} at the median, {c["per_submission"]:.2f} on average
(goal 2: {calls_verdict})**, counted by a gRPC client interceptor on the adapter's channel over {c["n"]}
submissions in a row (after 50 more), with `unit_api` run in the benchmark's process on the stack's
emulator: {", ".join(c["methods"])}. The transaction itself is always two calls (its BatchGetDocuments
begins it); {c["extra"]} of the {c["n"]} submissions made more ({"; ".join(c["extra_calls"]) or "none"}): the
round read outside the transaction is cached for 5 s, so it is read again once per 5 s, which is more
often per submission on a slow, busy machine. The first submission after start made {len(c["first"])}
({", ".join(c["first"])}): the round, the form version and the token are read once, then cached. A
submission the validation refuses (422) made {c["refused"]}.

**The function's CPU per submission: {c["cpu_ms"]:.2f} ms** (`time.process_time()` of that
process over the same {c["n"]} submissions: functions-framework and Flask, the token check, validation, the
transaction's encoding and decoding, and the test client's own share; {c["wall_ms"]:.2f} ms of wall time each).
The host process of the stack, with HTTP through waitress, used {submit_cpu["host"]:.2f} ms per submission
(from `/proc`, table below).

Latency: each round makes one call of each kind below in turn, so that whatever else the machine does
weighs on all of them alike. Each of {len(r["runs"])} runs starts its own stack and makes {r["warmup"]} warm-up
rounds, then {r["n"]} timed ones; the table pools the timed rounds of all runs. Submissions go over one
keep-alive HTTP/1.1 connection (`http.client`); the bare write uses Google's Firestore client as it comes
(`@firestore.transactional`: BeginTransaction, then Commit).

| what | median | p95 |
| --- | --- | --- |
| submission through the functions host (HTTP, auth, validation, transaction) | {fmt(r, "submit")} |
| bare transactional write of the same document (Firestore client) | {fmt(r, "bare")} |
| ratio submission / bare write (for information) | {ratio(r, "submit", "bare")} |
| a transaction of a submission's shape, app's adapter (4 masked reads, 4 smaller writes) | {fmt(r, "same")} |
| ratio of that transaction / bare write | {ratio(r, "same", "bare")} |
| `GET /unit_api/health` through the host (the HTTP floor) | {fmt(r, "health")} |
| a submission the validation refuses (422: HTTP, token, validation; no transaction) | {fmt(r, "invalid")} |
| the {r["warmup"]} warm-up rounds (emulator still warming): submission | {fmt(r, "cold_submit")} |
| the same rounds: bare write | {fmt(r, "cold_bare")} |

The ratio is {r["submit_median"] / r["bare_median"]:.2f}× at the median; the runs on their own give
{runs}; cut into {per_run} consecutive sets per run, {sets}. On the local emulator a round trip costs
almost nothing, so the ratio mostly measures CPU: the submission's HTTP, validation and document
conversion against none for the bare write. In the cloud each of the two round trips costs
milliseconds, and both make two. During the warm-up rounds the emulator used {w["emulator_cold"]:.1f} ms of
CPU per round, against {w["emulator_warm"]:.1f} ms in the timed rounds; the host used {w["host_cold"]:.1f} against
{w["host_warm"]:.1f} ms.

CPU per call, measured from `/proc` in the last run: {CPU_CALLS} submissions in a row, then {CPU_CALLS} bare
writes in a row (milliseconds):

| | functions host | emulator (JVM) | benchmark client | wall time |
| --- | --- | --- | --- | --- |
{cpu_rows}

Over its wall time a submission uses {cores:.1f} cores' worth of CPU, and the machine has
{os.cpu_count()}. A submission reads four documents (the round, so that it serialises with the
close; the unit's entry, for the next revision number; the token, so that a revocation takes
effect at once; the idempotency key) in one BatchGetDocuments that begins the transaction, and
writes four (the revision, the entry, the key, the audit event) in its Commit
(`storage/firestore_tx.py`).

Sustained: **{r["rate"]:.1f} submissions/s** from {UNITS} concurrent clients (one unit each, `requests`
sessions) over {r["seconds"]:.0f} s, {r["failures"]} failed requests.

Since the previous measurement (1.44×; the same-shape transaction 0.74× the bare write; 383.6
submissions/s from 8 clients; load not recorded), the adapter calls Firestore through the library's
generated client and public APIs only: the hand-encoded protobuf codec, the calls of the gRPC stubs
without the client's wrappers and the experimental channel option are gone, and every request carries
the library's headers. The same-shape transaction now costs {r["same_median"] / r["bare_median"]:.2f}× the bare
write, likely for the generated client's layers per call (its wrappers, the helper thread of the
streamed BatchGet), which the private path skipped (not measured apart here); on this machine CPU
turns into latency, in the cloud the two round trips dominate both. The throughput is not
comparable with the earlier figure: the machine was shared and loaded during this run ({r["load"]}).

"""


def one_run(args: argparse.Namespace, last: bool) -> dict[str, Any]:
    """One stack from start to stop: the interleaved latencies, and on the last run the CPU
    per call and the throughput too."""
    local = Path(tempfile.mkdtemp(prefix="bench-submit-"))
    port, emulator_port = free_port(), free_port()
    proc = start_stack(local, port, emulator_port)
    try:
        base = f"http://127.0.0.1:{port}"
        admin = admin_session(base, (local / "admin-token").read_text().strip())
        tokens = prepare_round(base, admin)
        answers = seed_answers("hai-quan")
        timed, warmth = latencies(
            base, f"127.0.0.1:{emulator_port}", proc.pid, tokens["hai-quan"], answers, args.n, args.warmup
        )
        run: dict[str, Any] = {"timed": timed, "warmth": warmth}
        if last:
            run["calls"] = calls_in_process(
                f"127.0.0.1:{emulator_port}", local, tokens["cong-an"], seed_answers("cong-an"), CPU_CALLS
            )
            run["cpu"] = cpu_per_call(base, emulator_port, proc.pid, tokens["hai-quan"], answers, CPU_CALLS)
            run["rate"], run["failures"] = throughput(base, tokens, args.seconds)
        return run
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=120)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--write", action="store_true", help="update benchmarks/RESULTS.md")
    parser.add_argument("-n", type=int, default=300, help="sequential rounds to time (one call of each kind)")
    parser.add_argument("--warmup", type=int, default=300, help="rounds before timing starts")
    parser.add_argument("--sets", type=int, default=5, help="consecutive sets each run's timed rounds are cut into")
    parser.add_argument("--runs", type=int, default=3, help="stacks started one after the other")
    parser.add_argument("--seconds", type=float, default=15.0, help="length of the throughput run")
    args = parser.parse_args()
    one, five, _ = os.getloadavg()
    load = f"load average {one:.1f} (1 min), {five:.1f} (5 min)"
    began = time.strftime("%Y-%m-%d %H:%M", time.gmtime())
    runs = [one_run(args, last=k == args.runs - 1) for k in range(args.runs)]
    pooled: dict[str, list[float]] = {name: [] for name in runs[0]["timed"]}
    for run in runs:
        for name, samples in run["timed"].items():
            pooled[name] += samples
    results: dict[str, Any] = {
        "load": load,
        "began": began,
        "n": args.n,
        "warmup": args.warmup,
        "runs": [statistics.median(run["timed"]["submit"]) / statistics.median(run["timed"]["bare"]) for run in runs],
        "sets": [ratio for run in runs for ratio in set_ratios(run["timed"], args.sets)],
        "cpu": runs[-1]["cpu"],
        "calls": runs[-1]["calls"],
        "warmth": {key: statistics.mean(run["warmth"][key] for run in runs) for key in runs[0]["warmth"]},
        "rate": runs[-1]["rate"],
        "failures": runs[-1]["failures"],
        "seconds": args.seconds,
    }
    for name, samples in pooled.items():
        results[f"{name}_median"] = statistics.median(samples)
        results[f"{name}_p95"] = percentile(samples, 0.95)
    section = report(results)
    print(section)
    if args.write:
        write_section(section)


if __name__ == "__main__":
    main()
