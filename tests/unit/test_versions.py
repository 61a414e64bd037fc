"""Versions: renames in the change list, answers mapped across versions, fields merged by key."""

from __future__ import annotations

import copy

import pytest

from checkround.errors import AppError
from checkround.forms import service as forms
from checkround.forms.definition import check_definition
from checkround.forms.diff import diff_definitions
from checkround.forms.versions import VersionMapper, merge_definitions, rekey
from tests.support import memory_context, small_form

V1 = check_definition(small_form())


def v2():
    """``a.so`` renamed to ``a.so_luong`` and relabelled; ``b.ten`` removed; a choice added."""
    definition = copy.deepcopy(small_form())
    so = definition["sections"][0]["fields"][2]
    so.update(key="so_luong", renamed_from="so", label={"vi": "Số lượng công trình"})
    definition["sections"][1]["fields"].pop(0)
    definition["sections"][0]["fields"][6]["choices"].append({"value": "nam", "label": {"vi": "Hằng năm"}})
    return check_definition(definition)


def test_change_list_names_renames_removals_and_choices():
    changes = {(c["change"], c["field"]) for c in diff_definitions(V1, v2())}
    assert changes == {
        ("renamed", "a.so_luong"),
        ("relabelled", "a.so_luong"),
        ("field_removed", "b.ten"),
        ("choice_added", "a.tan_suat"),
    }


def test_answers_follow_renames_across_versions():
    loaded = {1: V1, 2: v2()}
    mapper = VersionMapper(loaded.__getitem__, 2)
    old = {"a": {"so": 7, "tien": 1.5}, "b": {"ten": "x"}}
    assert mapper.answers(old, 1) == {"a": {"so_luong": 7, "tien": 1.5}, "b": {"ten": "x"}}
    assert mapper.answers({"a": {"so_luong": 3}}, 2) == {"a": {"so_luong": 3}}
    assert rekey({"a": {"so": 1, "so_luong": 2}}, {"a.so": "a.so_luong"}) == {"a": {"so_luong": 2}}


def test_merge_keeps_every_field_once_by_key():
    merged = merge_definitions([V1, v2()])
    keys = [f"{s['key']}.{f['key']}" for s in merged["sections"] for f in s["fields"]]
    assert "a.so_luong" in keys
    assert "a.so" not in keys
    assert keys.count("b.ten") == 1
    assert keys[-1] == "b.ten"
    assert next(f for f in merged["sections"][0]["fields"] if f["key"] == "so_luong")["label"]["vi"] == (
        "Số lượng công trình"
    )


def test_publishing_a_type_change_through_a_rename_is_refused(tmp_path):
    ctx = memory_context(tmp_path)
    created = forms.create_form(ctx, small_form())
    forms.publish_version(ctx, "mau-nho")
    edited = copy.deepcopy(small_form())
    edited["sections"][0]["fields"][2].update(key="so_moi", renamed_from="so", type="decimal")
    forms.put_draft(ctx, "mau-nho", edited, created["etag"])
    with pytest.raises(AppError) as caught:
        forms.publish_version(ctx, "mau-nho")
    assert "use a new key" in caught.value.fields["a.so_moi"][0]


def test_a_new_version_never_changes_an_old_one(tmp_path):
    ctx = memory_context(tmp_path)
    created = forms.create_form(ctx, small_form())
    forms.publish_version(ctx, "mau-nho")
    forms.put_draft(ctx, "mau-nho", {**v2(), "id": "mau-nho"}, created["etag"])
    assert forms.publish_version(ctx, "mau-nho")["version"] == 2
    assert [f["key"] for f in forms.get_version(ctx, "mau-nho", 1)["sections"][0]["fields"]][2] == "so"
    assert [f["key"] for f in forms.get_version(ctx, "mau-nho", 2)["sections"][0]["fields"]][2] == "so_luong"
