"""Benchmark of the form builder's editor (issue 17): the editor page of the seed form (about
60 fields in 9 sections), drawn (GET) and posted back as drawn (a button that redraws it),
and the preview of that post, against ``GET /admin_api/forms/{id}`` of the same form.

Both functions run in this process (functions-framework's apps, as the integration tests run
them) on a Firestore emulator this script starts. Each request is timed alternately, so that
whatever else the machine does weighs on all three. Reported: wall time and this process's CPU
per request (median and 90th percentile), and the page's size in bytes.

    PYTHONPATH=functions .venv/bin/python benchmarks/builder.py [--write] [--runs N]

``--write`` replaces this benchmark's part of benchmarks/RESULTS.md.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "functions"), str(ROOT)]

from benchmarks.results import machine as machine_line  # noqa: E402
from benchmarks.results import write_section  # noqa: E402
from tests.integration.test_builder_pages import inputs  # noqa: E402
from tests.support import seed_form  # noqa: E402

SECTION = "## Form builder editor (benchmarks/builder.py)"
FORM = "kiem-tra-6-thang-2019"


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def measure(runs: int) -> dict[str, Any]:
    import functions_framework

    from checkround import wiring
    from checkround.devstack.emulator import Emulator
    from checkround.forms import service as forms
    from checkround.rounds.admin_sessions import issue_sign_in_link
    from checkround.rounds.tokens import issue_admin_token

    emulator = Emulator()
    emulator.start()
    try:
        os.environ.update(
            FIRESTORE_EMULATOR_HOST=emulator.address,
            CHECKROUND_PROJECT="bench-builder",
            CHECKROUND_LOCAL_DIR=tempfile.mkdtemp(prefix="bench-builder-"),
        )
        wiring.reset()
        ctx = wiring.context()
        forms.create_form(ctx, seed_form())
        token = issue_admin_token(ctx)
        main = str(ROOT / "functions" / "main.py")
        api = functions_framework.create_app(target="admin_api", source=main).test_client()
        console = functions_framework.create_app(target="admin_console", source=main).test_client()
        assert (
            console.get("/admin_console/sign-in", query_string={"t": issue_sign_in_link(ctx, "bench")}).status_code
            == 303
        )
        page = console.get(f"/admin_console/forms/{FORM}/edit")
        body = urlencode([*inputs(page.get_data(as_text=True)), ("op", "check")])

        calls: dict[str, Callable[[], Any]] = {
            "api": lambda: api.get(f"/admin_api/forms/{FORM}", headers={"Authorization": f"Bearer {token}"}),
            "editor": lambda: console.get(f"/admin_console/forms/{FORM}/edit"),
            "editor_post": lambda: console.post(
                f"/admin_console/forms/{FORM}/edit", data=body, content_type="application/x-www-form-urlencoded"
            ),
            "preview_post": lambda: console.post(
                f"/admin_console/forms/{FORM}/preview", data=body, content_type="application/x-www-form-urlencoded"
            ),
        }
        wall: dict[str, list[float]] = {name: [] for name in calls}
        cpu: dict[str, list[float]] = {name: [] for name in calls}
        size: dict[str, int] = {}
        for call in calls.values():
            call()  # warm: templates compiled, the version cached
        for _ in range(runs):
            for name, call in calls.items():
                started, started_cpu = time.perf_counter(), time.process_time()
                response = call()
                wall[name].append(time.perf_counter() - started)
                cpu[name].append(time.process_time() - started_cpu)
                assert response.status_code == 200, (name, response.status_code)
                size[name] = len(response.data)
        return {"wall": wall, "cpu": cpu, "size": size, "runs": runs}
    finally:
        emulator.stop()


def report(found: dict[str, Any]) -> str:
    lines = [
        SECTION,
        "",
        f"Machine: {machine_line()}; {found['runs']} runs of each, alternating; the seed form (9 sections, "
        f"about 60 fields).",
        "",
        "| request | wall median | wall p90 | CPU median | bytes |",
        "| --- | --- | --- | --- | --- |",
    ]
    names = {
        "api": "`GET /admin_api/forms/{id}`",
        "editor": "editor page (GET)",
        "editor_post": "editor posted back as drawn (a button)",
        "preview_post": "preview of the posted editor (the frame)",
    }
    for key, label in names.items():
        wall, cpu = found["wall"][key], found["cpu"][key]
        lines.append(
            f"| {label} | {statistics.median(wall) * 1000:.0f} ms | {_percentile(wall, 0.9) * 1000:.0f} ms "
            f"| {statistics.median(cpu) * 1000:.0f} ms | {found['size'][key]:,} |"
        )
    editor_cpu = statistics.median(found["cpu"]["editor"]) * 1000
    preview_cpu = statistics.median(found["cpu"]["preview_post"]) * 1000
    lines += [
        "",
        f"The editor draws every option of every field (folded, so the page stays usable): about "
        f"{editor_cpu:.0f} ms of this process's CPU per page for this form, paid once per button when "
        f"JavaScript is off; with it, saving and adding or moving elements post the page, and typing "
        f"posts only the preview (about {preview_cpu:.0f} ms). Wall times are several times the CPU on "
        "this shared two-core machine (other work ran meanwhile); the page is about 0.9 MB before "
        "compression.",
        "",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args()
    text = report(measure(args.runs))
    print(text)
    if args.write:
        write_section(text)


if __name__ == "__main__":
    main()
