"""Helpers shared by the test suites: the seed data, a fixed clock, a memory context."""

from __future__ import annotations

import copy
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from checkround.config import settings
from checkround.context import Context
from checkround.storage.blobs import LocalBlobStore
from checkround.storage.memory import MemoryStore

ROOT = Path(__file__).resolve().parents[1]
SCHEMAS = ROOT / "schemas"
SEED_UNITS = ["hai-quan", "than-quang-ninh", "bien-phong", "cong-an", "tien-yen", "ba-che", "mong-cai"]
UNIT_NAMES = {
    "hai-quan": "Đoàn TN Cục Hải quan tỉnh",
    "than-quang-ninh": "Đoàn Than Quảng Ninh",
    "bien-phong": "Đoàn TN Biên phòng tỉnh",
    "cong-an": "Đoàn TN Công an tỉnh",
    "tien-yen": "BTV Huyện Đoàn Tiên Yên",
    "ba-che": "BTV Huyện Đoàn Ba Chẽ",
    "mong-cai": "BTV Huyện Đoàn Móng Cái",
}


@cache
def _yaml(path: Path) -> Any:
    with path.open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def seed_form() -> dict[str, Any]:
    return copy.deepcopy(_yaml(SCHEMAS / "kiem-tra-6-thang-2019.yaml"))


def seed_answers(unit_id: str) -> dict[str, Any]:
    return copy.deepcopy(_yaml(SCHEMAS / "seed" / "answers" / f"{unit_id}.yaml"))


def seed_round_template() -> dict[str, Any]:
    return copy.deepcopy(_yaml(SCHEMAS / "seed" / "round.yaml"))


@dataclass
class FixedClock:
    current: datetime

    def now(self) -> datetime:
        return self.current

    def advance(self, **delta: float) -> None:
        self.current += timedelta(**delta)


T0 = datetime(2019, 6, 12, 1, 0, tzinfo=UTC)


def memory_context(tmp_path: Path, now: datetime = T0) -> Context:
    return Context(
        store=MemoryStore(),
        blobs=LocalBlobStore(tmp_path / "blobs"),
        clock=FixedClock(now),
        settings=settings(),
    )


def small_round(**overrides: Any) -> dict[str, Any]:
    """A round of :func:`small_form` for unit ``u1``, a week from :data:`T0`."""
    return {
        "id": "r1",
        "title": {"vi": "Đợt 1"},
        "form_id": "mau-nho",
        "unit_ids": ["u1"],
        "opens_at": T0.isoformat(),
        "closes_at": (T0 + timedelta(days=7)).isoformat(),
        **overrides,
    }


def small_form(**overrides: Any) -> dict[str, Any]:
    """A compact definition with one field of each first-cut type."""
    form: dict[str, Any] = {
        "id": "mau-nho",
        "title": {"vi": "Mẫu nhỏ", "en": "Small form"},
        "sections": [
            {
                "key": "a",
                "title": {"vi": "Phần A", "en": "Part A"},
                "fields": [
                    {"key": "ck1", "type": "checklist", "label": {"vi": "Mục 1"}, "max_score": 10, "required": True},
                    {"key": "ck2", "type": "checklist", "label": {"vi": "Mục 2"}, "max_score": 5},
                    {"key": "so", "type": "integer", "label": {"vi": "Số lượng"}, "min": 0, "max": 1000},
                    {"key": "tien", "type": "decimal", "label": {"vi": "Giá trị"}, "min": 0},
                    {"key": "co", "type": "boolean", "label": {"vi": "Có mời cấp ủy"}},
                    {"key": "ngay", "type": "date", "label": {"vi": "Ngày"}},
                    {
                        "key": "tan_suat",
                        "type": "select_one",
                        "label": {"vi": "Tần suất"},
                        "choices": [
                            {"value": "thang", "label": {"vi": "Hằng tháng", "en": "Monthly"}},
                            {"value": "quy", "label": {"vi": "Hằng quý", "en": "Quarterly"}},
                        ],
                    },
                    {
                        "key": "hinh_thuc",
                        "type": "select_multiple",
                        "label": {"vi": "Hình thức"},
                        "choices": [
                            {"value": "truc_tiep", "label": {"vi": "Trực tiếp"}},
                            {"value": "truc_tuyen", "label": {"vi": "Trực tuyến"}},
                        ],
                    },
                ],
            },
            {
                "key": "b",
                "title": {"vi": "Phần B"},
                "fields": [
                    {"key": "ten", "type": "text", "label": {"vi": "Tên"}, "max_length": 20},
                    {"key": "uu_diem", "type": "textarea", "label": {"vi": "Ưu điểm"}, "role": "strengths"},
                    {"key": "han_che", "type": "textarea", "label": {"vi": "Hạn chế"}, "role": "shortcomings"},
                ],
            },
        ],
    }
    form.update(overrides)
    return form


def first_transactions_in_step(monkeypatch: Any, store: Any, parties: int = 2) -> list[str]:
    """Make each thread's first transaction on ``store`` wait until ``parties`` threads have
    reached theirs, so that their reads happen before either commits. Returns the names of
    the threads that met (a test asserts on it: the race it is named after happened)."""
    import threading

    real = store.transaction
    barrier = threading.Barrier(parties, timeout=30)
    met: list[str] = []
    local = threading.local()

    def transaction_in_step(fn: Any) -> Any:
        if not getattr(local, "waited", False):
            local.waited = True
            barrier.wait()
            met.append(threading.current_thread().name)
        return real(fn)

    monkeypatch.setattr(store, "transaction", transaction_in_step)
    return met


def run_together(target: Any, names: tuple[str, ...] = ("a", "b")) -> None:
    """``target(name)`` in one thread per name, all started before any is joined."""
    import threading

    threads = [threading.Thread(target=target, args=(name,), name=name) for name in names]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
