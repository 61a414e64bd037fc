"""The opening messages of a 1,000-unit round, through the local stack: the emulator's real
create events of the outbox, the dispatcher in the functions host, and the local SMTP server.

Measured: how long from the open until the SMTP server holds every message (messages per
second, with the dispatcher's rate limit off and at its default), and the Firestore writes
(the writes inside every Commit) and calls per message, counted by a gRPC client interceptor
on the adapter's channel in this process, where the host runs the functions.

    .venv/bin/python -m benchmarks.notify [--units 1000]   # writes its section of RESULTS.md
"""

from __future__ import annotations

import argparse
import logging
import os
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import grpc

from benchmarks.results import machine, write_section

ROOT = Path(__file__).resolve().parents[1]


class Commits(grpc.UnaryUnaryClientInterceptor, grpc.UnaryStreamClientInterceptor):
    """Counts calls by method, and the writes each Commit carries."""

    def __init__(self) -> None:
        self.calls: dict[str, int] = {}
        self.writes = 0

    def intercept_unary_unary(self, continuation: Callable[..., Any], details: Any, request: Any) -> Any:
        method = details.method.rsplit("/", 1)[1]
        self.calls[method] = self.calls.get(method, 0) + 1
        if method == "Commit":
            self.writes += len(request.writes)
        return continuation(details, request)

    intercept_unary_stream = intercept_unary_unary

    def reset(self) -> None:
        self.calls, self.writes = {}, 0


def one_run(units: int, per_second: str) -> dict[str, Any]:
    from checkround import wiring
    from checkround.devstack.emulator import free_port
    from checkround.devstack.stack import Stack
    from checkround.forms import service as forms
    from checkround.rounds import service as rounds
    from checkround.storage import firestore as adapter
    from checkround.storage.firestore_client import api_client
    from tests.support import seed_form

    local = Path(tempfile.mkdtemp(prefix="bench-notify-"))
    os.environ.update(CHECKROUND_LOCAL_DIR=str(local), CHECKROUND_SMTP_PER_SECOND=per_second)
    os.environ.pop("CHECKROUND_SMTP_PORT", None)
    project = f"bench-notify-{per_second.replace('.', '-')}"
    stack = Stack(project=project, port=free_port(), emulator_port=free_port(), scheduler_seconds=None)
    stack.mail_dir = local / "mail"
    stack.start()
    counter = Commits()
    try:
        store = adapter.FirestoreStore(api_client([counter]), project)
        adapter.store_for = lambda name: store  # type: ignore[assignment]  # the functions' store, counted
        wiring.reset()
        ctx = wiring.context()
        form = seed_form()
        forms.create_form(ctx, form)
        forms.publish_version(ctx, form["id"])
        unit_ids = [f"don-vi-{n:04d}" for n in range(units)]
        for unit_id in unit_ids:
            contact = {"name": f"Bí thư {unit_id}", "email": f"bi-thu@{unit_id}.example.org"}
            rounds.put_unit(ctx, unit_id, {"name": f"Đơn vị {unit_id}", "contacts": [contact]})
        now = datetime.now(UTC)
        body = {
            "id": "bench",
            "title": {"vi": "Đợt đo", "en": "Benchmark round"},
            "form_id": form["id"],
            "unit_ids": unit_ids,
            "opens_at": now.isoformat(),
            "closes_at": (now + timedelta(days=7)).isoformat(),
        }
        rounds.create_round(ctx, body)
        assert stack.mail is not None
        counter.reset()
        start = time.perf_counter()
        rounds.open_round(ctx, "bench")
        while len(list(stack.mail.folder.glob("*.eml"))) < units:
            time.sleep(0.05)
            if time.perf_counter() - start > 900:
                raise TimeoutError(f"{len(list(stack.mail.folder.glob('*.eml')))} of {units} after 900 s")
        seconds = time.perf_counter() - start
        # The last messages' "sent" records may still be on their way: wait for them to count them.
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            states = [doc.get("state") for _, doc in store.list("outbox") if doc.get("type") == "message"]
            if states.count("sent") == units:
                break
            time.sleep(0.2)
        calls = dict(counter.calls)
        writes = counter.writes
        delivered = stack.mail.deliveries
    finally:
        stack.stop(export=False)
    return {
        "units": units,
        "per_second": per_second,
        "seconds": seconds,
        "rate": units / seconds,
        "writes": writes / units,
        "calls": sum(calls.values()) / units,
        "by_method": {method: count / units for method, count in sorted(calls.items())},
        "delivered": delivered,
    }


def report(runs: list[dict[str, Any]], load: float) -> str:
    lines = [
        "## Notifications (benchmarks/notify.py)",
        "",
        f"Measured {datetime.now(UTC):%Y-%m-%d} on this machine ({machine()}); load average (1 min) when the run",
        f"began: {load:.1f}. A round of {runs[0]['units']:,} units, one contact with an e-mail address each, is opened",
        "on the local stack; the time runs from the open until the local SMTP server holds every",
        "message, all through the emulator's real create events of the outbox (the functions host",
        "serves them with 16 threads, as a dispatcher with 16 instances would).",
        "",
        "| rate limit (per instance) | messages | time | messages/s | Firestore writes / message "
        "| Firestore calls / message |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for r in runs:
        limit = "off" if float(r["per_second"]) <= 0 else f"{r['per_second']}/s"
        cells = [limit, f"{r['delivered']:,}", f"{r['seconds']:.1f} s", f"{r['rate']:.1f}"]
        lines.append("| " + " | ".join([*cells, f"{r['writes']:.2f}", f"{r['calls']:.2f}"]) + " |")
    methods = ", ".join(f"{method} {count:.2f}" for method, count in runs[0]["by_method"].items())
    lines += [
        "",
        f"Calls per message by method (limit off): {methods}. Each message costs its share of the",
        "expansion (the message document, its link's token document, the unit's links document, in",
        "chunks of at most 450 writes with the request's cursor), a claim and a record; the open's",
        "own transaction (the round, its audit entry, the one request) is shared by all. The rate",
        "limit is per instance: in the cloud, notify_max_instances × smtp_per_second bounds what",
        "reaches the SMTP server (infra/variables.tf); locally every thread of the host shares one.",
        "",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--units", type=int, default=1000)
    parser.add_argument("--limits", default="0,20", help="rate limits to run with, per second (0: off)")
    args = parser.parse_args()
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    logging.getLogger("checkround").setLevel(logging.WARNING)
    load = os.getloadavg()[0]
    runs = [one_run(args.units, limit) for limit in args.limits.split(",")]
    section = report(runs, load)
    print(section)
    write_section(section)


if __name__ == "__main__":
    main()
