"""Fixtures for every suite. The emulator fixture lives in integration/ and e2e/ conftests."""

from __future__ import annotations

import os

import pytest
from hypothesis import settings

from checkround import wiring

# No per-example time limit for property tests: CI runs once on two shared cores, where a slow
# example says nothing about the code (speed is measured in benchmarks/, never in tests).
settings.register_profile("checkround", deadline=None)
settings.load_profile("checkround")


@pytest.fixture(autouse=True)
def _isolated_settings(tmp_path, monkeypatch):
    """Every test gets its own blob folder and fresh cached settings."""
    monkeypatch.setenv("CHECKROUND_LOCAL_DIR", str(tmp_path / "local"))
    monkeypatch.delenv("CHECKROUND_BLOB_DIR", raising=False)
    monkeypatch.delenv("CHECKROUND_GCS_BUCKET", raising=False)
    wiring.reset()
    yield
    wiring.reset()


def pytest_report_header(config):
    return f"FIRESTORE_EMULATOR_HOST={os.environ.get('FIRESTORE_EMULATOR_HOST', '(set by the fixtures)')}"
