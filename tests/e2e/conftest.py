"""Fixtures of the end-to-end suites: one real local stack per test module that asks for it."""

from __future__ import annotations

import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import yaml

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


def failed(result: subprocess.CompletedProcess[str], code: int) -> str:
    """The stderr of a CLI run that must exit with ``code``, print nothing and not crash."""
    assert result.returncode == code, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout == ""
    return result.stderr


def write_yaml(path: Path, data: dict[str, Any]) -> Path:
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


@contextmanager
def serving(handler: type[BaseHTTPRequestHandler]) -> Iterator[str]:
    """A throwaway HTTP server (a meddling proxy, a failing gateway) on a free port: its URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
