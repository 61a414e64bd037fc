"""Fixtures of the end-to-end suites: one real local stack per test module that asks for it."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator

import pytest

from checkround.devstack.emulator import free_port
from tests.e2e.test_local_stack import RunningStack


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningStack]:
    """``python -m checkround.devstack run`` on free ports, shared by a module's tests."""
    running = RunningStack(tmp_path_factory.mktemp("stack") / "local", free_port(), free_port())
    running.start()
    yield running
    running.stop()


def run_cli(stack: RunningStack, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """``python -m checkround.cli ARGS`` with the stack's environment and no --url or --token,
    so the defaults (CHECKROUND_PORT, $CHECKROUND_LOCAL_DIR/admin-token) are what is tested."""
    environment = {key: value for key, value in stack.env.items() if key not in ("CHECKROUND_URL", "CHECKROUND_TOKEN")}
    environment.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "checkround.cli", *args],
        env=environment,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=60,
        check=False,
    )
