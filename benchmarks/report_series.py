"""Benchmark of the summary's comparison with the previous round (issue 19), run by
``benchmarks/report.py --series [--write]``.

The aggregation of a 1,000-unit round (the 40-field form of report.py's aggregation benchmark)
with a predecessor, against the same round without one: the predecessor is a closed round of
the same 1,000 units, one latest submission each, in the memory store (the comparison reads it
through the storage ports, in batches, as it reads Firestore). The current round streams 1,000
and 10,000 submissions (revisions of its 1,000 units). Each case runs in a fresh process, so
its peak RSS growth is its own. Goal: at most 1.5x the time, memory growth still flat in the
number of submissions.
"""

from __future__ import annotations

import gc
import json
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

UNITS = 1000
RUNS = 3


def _context() -> Any:
    from checkround.config import settings
    from checkround.context import Context, SystemClock
    from checkround.storage.blobs import LocalBlobStore
    from checkround.storage.memory import MemoryStore

    return Context(
        store=MemoryStore(), blobs=LocalBlobStore(Path(tempfile.mkdtemp())), clock=SystemClock(), settings=settings()
    )


MODES = ("none", "kept", "rescored")


def child(count: int, mode: str) -> None:
    """In a child process: prints JSON with the time and the peak RSS growth of one summary's
    aggregation and comparison. ``mode``: ``none`` (no predecessor), ``kept`` (the predecessor's
    summary kept its numbers, as every summary rendered since issue 19 does) or ``rescored``
    (it did not: its submissions are read and scored)."""
    with_previous = mode != "none"
    from benchmarks.report import _rss_kb, definition_40, value
    from checkround.forms.definition import check_definition
    from checkround.reports import compare
    from checkround.reports.aggregate import aggregate

    ctx = _context()
    definition = check_definition(definition_40())
    ctx.store.set("forms/bench/versions/1", {"definition": definition})
    units = {f"u{i:04d}": {"name": f"Đơn vị {i}", "cluster": f"c{i % 10}"} for i in range(UNITS)}
    now = datetime(2019, 12, 14, tzinfo=UTC)
    fields = [(s["key"], f["key"], f["type"]) for s in definition["sections"] for f in s["fields"]]

    def answers_of(n: int) -> dict[str, dict[str, Any]]:
        answers: dict[str, dict[str, Any]] = {}
        for section, key, kind in fields:
            answers.setdefault(section, {})[key] = value(kind, n)
        return answers

    common = {"unit_ids": list(units), "language": "vi", "time_zone": "Asia/Ho_Chi_Minh", "form_id": "bench",
              "form_version": 1}  # fmt: skip
    previous = {**common, "id": "prev", "status": "closed", "opens_at": now - timedelta(days=190),
                "closes_at": now - timedelta(days=180)}  # fmt: skip
    ctx.store.set("rounds/prev", previous)
    for i, unit_id in enumerate(units):
        submission_id = f"{unit_id}-0001"
        ctx.store.set(f"rounds/prev/entries/{unit_id}", {"state": "submitted", "submission_id": submission_id})
        ctx.store.set(
            f"rounds/prev/submissions/{submission_id}",
            {"answers": answers_of(i + 1), "form_id": "bench", "form_version": 1, "late": False},
        )
    if mode == "kept":
        # What the previous round's summary job left: its numbers, kept when it rendered.
        rows = ((uid, ctx.store.get(f"rounds/prev/submissions/{uid}-0001")) for uid in units)
        kept = aggregate(previous, definition, units, ((uid, {**doc, "revision": 1}) for uid, doc in rows))
        blob = compare.store_scores(ctx, "prev", "1-1", kept)
        ctx.store.set("summaries/prev", {"state": "ready", "scores_blob": blob})
    round_doc = {**common, "id": "r", "status": "closed", "opens_at": now - timedelta(days=2), "closes_at": now}
    if with_previous:
        round_doc["previous_round_id"] = "prev"

    def stream() -> Any:
        for n in range(count):
            yield (
                f"u{n % UNITS:04d}",
                {"answers": answers_of(n), "late": False, "revision": n // UNITS + 1, "submitted_at": now},
            )

    gc.collect()  # the setup's garbage is not the measured work's
    before = _rss_kb("VmRSS")
    Path("/proc/self/clear_refs").write_text("5")  # resets VmHWM, the peak, to the current RSS
    start = time.perf_counter()
    follow_ups: dict[str, Any] = {}
    summary = aggregate(round_doc, definition, units, compare.capture_follow_up(stream(), follow_ups))
    aggregated = time.perf_counter()
    comparison = compare.compare(ctx, round_doc, summary, units, follow_ups)
    elapsed = time.perf_counter() - start
    after = _rss_kb("VmHWM")
    assert (comparison is not None) == with_previous
    if comparison is not None:
        assert sum(1 for row in comparison["units"] if row["status"] == "compared") == UNITS
    print(
        json.dumps(
            {
                "seconds": elapsed,
                "compare_seconds": elapsed - (aggregated - start),
                "own_ratio": elapsed / (aggregated - start),
                "rss_growth_mb": (after - before) / 1024,
            }
        )
    )


def bench() -> dict[tuple[int, str], dict[str, float]]:
    """Median time and peak RSS growth of ``RUNS`` fresh processes per case, interleaved."""
    script = Path(__file__).resolve().parent / "report.py"
    found: dict[tuple[int, str], list[dict[str, float]]] = {}
    for _ in range(RUNS):
        for count in (1000, 10000):
            for mode in MODES:
                args = [sys.executable, str(script), "--series-child", str(count), "--previous", mode]
                out = subprocess.run(args, capture_output=True, text=True, check=True).stdout
                found.setdefault((count, mode), []).append(json.loads(out.strip().splitlines()[-1]))
    return {
        key: {
            name: statistics.median(run[name] for run in runs)
            for name in ("seconds", "compare_seconds", "own_ratio", "rss_growth_mb")
        }
        for key, runs in found.items()
    }


def report(results: dict[tuple[int, str], dict[str, float]], machine: str) -> str:
    lines = [
        "## Summary with a previous round (benchmarks/report.py --series)",
        "",
        f"Machine: {machine}; {datetime.now(UTC):%Y-%m-%d}. The aggregation of a round of {UNITS:,} units × 40",
        "fields with a predecessor (a closed round of the same units, one latest submission each, read",
        "through the storage ports from the memory store, in batches) against the same round",
        f"without one; median of {RUNS} fresh processes per case. *Kept*: the predecessor's summary",
        "kept each unit's numbers when it rendered (one JSON blob, what every summary does now), so",
        "the comparison reads them and builds the tables, the narrative and the SVG trend charts.",
        "*Rescored*: no kept numbers (a predecessor rendered before this existed, or never): its 1,000",
        "latest submissions are read in batches of 200 and scored on their scored and checklist",
        "fields only. The memory store deep-copies each document it hands out, which stands in for",
        "Firestore decoding it.",
        "",
        "The machine is shared with other engineers' test runs, so times of separate processes move a",
        "lot; the *ratio* columns divide each process's aggregation-plus-comparison by its own",
        "aggregation, which the load affects alike.",
        "",
        "| submissions streamed | without (s) | kept (s) | of which comparison | ratio | rescored (s) "
        "| of which comparison | ratio | RSS growth without / kept / rescored (MB) |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for count in (1000, 10000):
        plain, kept, again = (results[(count, mode)] for mode in MODES)
        lines.append(
            f"| {count:,} | {plain['seconds']:.2f} | {kept['seconds']:.2f} | {kept['compare_seconds']:.2f} "
            f"| {kept['own_ratio']:.2f}x | {again['seconds']:.2f} | {again['compare_seconds']:.2f} "
            f"| {again['own_ratio']:.2f}x "
            f"| {plain['rss_growth_mb']:.1f} / {kept['rss_growth_mb']:.1f} / {again['rss_growth_mb']:.1f} |"
        )

    def worst(mode: str) -> float:
        return max(results[(c, mode)]["own_ratio"] for c in (1000, 10000))

    growth = results[(10000, "kept")]["rss_growth_mb"] - results[(1000, "kept")]["rss_growth_mb"]
    lines += [
        "",
        f"Goal ≤ 1.5x: {'met' if worst('kept') <= 1.5 else 'NOT met'} with kept numbers (worst "
        f"{worst('kept'):.2f}x); {'met' if worst('rescored') <= 1.5 else 'NOT met'} when the predecessor must be "
        f"rescored (worst {worst('rescored'):.2f}x). Memory with a predecessor grows by {growth:+.1f} MB from 1,000 to "
        "10,000 submissions (flat: the comparison holds per-unit numbers and at most one batch of the previous "
        "round's submissions, never the revisions).",
        "",
    ]
    return "\n".join(lines)
