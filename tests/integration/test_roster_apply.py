"""Applying a roster on the real emulator: the units it writes, the units it removes, the
roster snapshot, the audit event and the upload's mark are one transaction, so a commit the
database refuses leaves every unit as it was (the removals used to run after it, outside)."""

from __future__ import annotations

import json

import grpc
import pytest

from checkround import wiring
from checkround.errors import AppError
from checkround.rounds import roster
from checkround.rounds.service import put_unit

pytestmark = pytest.mark.integration

CSV = "id,name,cluster\nbinh-lieu,Bình Liêu (đổi tên),cum-1\ntien-yen,Tiên Yên,cum-2\n".encode()


def units(ctx):
    return {uid: doc["name"] for uid, doc in ctx.store.list("units")}


def test_a_roster_applies_its_writes_and_removals_in_one_transaction_or_not_at_all(project, faults):
    ctx = wiring.context()
    for uid, name in (("ba-che", "Ba Chẽ"), ("binh-lieu", "Bình Liêu"), ("hai-ha", "Hải Hà")):
        put_unit(ctx, uid, {"name": name, "cluster": "cum-1"})
    before = units(ctx)
    staged = roster.stage_roster(ctx, "units.csv", CSV, "admin:thu-ky", "en")
    assert sorted(r["id"] for r in staged["removed"]) == ["ba-che", "hai-ha"]

    faults.fail_next("Commit", 1, code=grpc.StatusCode.PERMISSION_DENIED)
    with pytest.raises(Exception, match="PERMISSION_DENIED"):
        roster.apply_roster(ctx, staged["upload_id"], True, "admin:thu-ky", "en")
    assert units(ctx) == before  # nothing removed, nothing added or renamed

    faults.calls.clear()
    applied = roster.apply_roster(ctx, staged["upload_id"], True, "admin:thu-ky", "en")
    assert sorted(applied["removed"]) == ["ba-che", "hai-ha"]
    assert units(ctx) == {"binh-lieu": "Bình Liêu (đổi tên)", "tien-yen": "Tiên Yên"}
    assert faults.calls.count("Commit") == 1  # the removals went with the other writes


def test_a_unit_edited_after_the_apply_listed_the_units_is_not_overwritten(project, monkeypatch):
    ctx = wiring.context()
    for uid, name in (("binh-lieu", "Bình Liêu"), ("hai-ha", "Hải Hà")):
        put_unit(ctx, uid, {"name": name, "cluster": "cum-1"})
    staged = roster.stage_roster(ctx, "units.csv", CSV, "admin:thu-ky", "vi")

    # Another admin renames Bình Liêu just after the apply has listed the units and compared
    # them with the preview, before its transaction: the window this test is about.
    listed = roster._current
    raced = []

    def list_then_edit(ctx_):
        current = listed(ctx_)
        put_unit(ctx, "binh-lieu", {"name": "Bình Liêu (sửa tay)", "cluster": "cum-2"})
        raced.append(current["binh-lieu"]["name"])
        return current

    monkeypatch.setattr(roster, "_current", list_then_edit)
    with pytest.raises(AppError) as refused:
        roster.apply_roster(ctx, staged["upload_id"], True, "admin:thu-ky", "vi")
    assert raced == ["Bình Liêu"]  # the apply listed the units before the edit: the race happened
    body = refused.value.to_body("vi")
    assert refused.value.status == 409
    assert "chưa có gì được ghi" in json.dumps(body, ensure_ascii=False)
    # The other admin's edit stays, and nothing of the file was written.
    assert units(ctx) == {"binh-lieu": "Bình Liêu (sửa tay)", "hai-ha": "Hải Hà"}
