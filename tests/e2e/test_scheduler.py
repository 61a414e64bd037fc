"""close_due_rounds on the whole stack: two runs at once close a due round once, and the real
Firestore event renders one summary."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta

import pytest
import requests

from checkround.devstack.emulator import free_port
from tests.e2e.test_local_stack import RunningStack
from tests.support import seed_answers

pytestmark = pytest.mark.e2e


def test_two_scheduler_runs_at_once_close_once_and_render_one_summary(tmp_path):
    stack = RunningStack(tmp_path / "local", free_port(), free_port())
    stack.start()
    try:
        base = f"http://127.0.0.1:{stack.port}"
        admin = requests.Session()
        admin.headers["Authorization"] = f"Bearer {(stack.local_dir / 'admin-token').read_text().strip()}"
        now = datetime.now(UTC)
        body = {"id": "dot-het-han", "title": {"vi": "Đợt sắp hết hạn"}, "form_id": "kiem-tra-6-thang-2019",
                "unit_ids": ["cong-an", "ba-che"], "opens_at": (now - timedelta(hours=1)).isoformat(),
                "closes_at": (now + timedelta(seconds=6)).isoformat()}  # fmt: skip
        assert admin.post(f"{base}/admin_api/rounds", json=body, timeout=30).status_code == 201
        admin.post(f"{base}/admin_api/rounds/dot-het-han/open", timeout=30).raise_for_status()
        token = admin.post(f"{base}/admin_api/rounds/dot-het-han/tokens", json={}, timeout=30).json()["tokens"]
        sent = requests.post(
            f"{base}/unit_api/rounds/dot-het-han/submission",
            json={"answers": seed_answers("cong-an")},
            headers={"Authorization": f"Bearer {token['cong-an']['token']}"},
            timeout=30,
        )
        assert sent.status_code == 201
        # Past the deadline itself, however long the setup took on a loaded machine.
        time.sleep(max(0.0, (now + timedelta(seconds=6.5) - datetime.now(UTC)).total_seconds()))

        results: list[dict] = []
        barrier = threading.Barrier(2)

        def tick() -> None:
            barrier.wait()
            results.append(requests.post(f"{base}/close_due_rounds/", timeout=60).json())

        threads = [threading.Thread(target=tick) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        closed = [round_id for result in results for round_id in result["closed"]]
        assert closed.count("dot-het-han") == 1

        deadline = time.monotonic() + 60
        while (summary := admin.get(f"{base}/admin_api/rounds/dot-het-han/summary", timeout=30).json())[
            "state"
        ] != "ready":
            assert time.monotonic() < deadline, summary
            time.sleep(0.3)
        time.sleep(1)  # room for a second event to arrive, if one were fired
        summary = admin.get(f"{base}/admin_api/rounds/dot-het-han/summary", timeout=30).json()
        assert len(summary["history"]) == 1
        assert list((stack.local_dir / "blobs" / "summaries" / "dot-het-han").glob("*.pdf")) != []
        assert len(list((stack.local_dir / "blobs" / "summaries" / "dot-het-han").glob("*.pdf"))) == 1
        events = admin.get(f"{base}/admin_api/rounds/dot-het-han/audit", timeout=30).json()["events"]
        closes = [e for e in events if e["action"] == "close"]
        assert len(closes) == 1
        assert closes[0]["actor"] == "scheduler"
    finally:
        stack.stop()
