"""What the builder needs from the form service: the forms list, a save that lost a race shown
what the other admin changed with both admins' edits kept, the publish preview, and
meta-validation errors in the admin's language."""

from __future__ import annotations

import copy

import pytest

from checkround.errors import AppError
from checkround.formats.text import Bilingual, in_language_tree
from checkround.forms import service as forms
from checkround.forms.definition import check_definition
from checkround.forms.drafts import changes_since, draft_conflict, element_changes, merge_drafts
from checkround.forms.overview import list_forms, publish_preview
from checkround.rounds import service as rounds
from tests.support import memory_context, small_form


@pytest.fixture
def ctx(tmp_path):
    return memory_context(tmp_path)


def leaves(tree):
    if isinstance(tree, dict):
        for value in tree.values():
            yield from leaves(value)
    elif isinstance(tree, list):
        for value in tree:
            yield from leaves(value)
    else:
        yield tree


def test_element_changes_name_every_element_that_changed():
    old = check_definition(small_form())
    new = copy.deepcopy(old)
    new["title"]["vi"] = "Mẫu nhỏ (sửa)"
    new["sections"][0]["fields"][2]["max"] = 50
    new["sections"][0]["fields"][2]["hint"] = {"vi": "Ghi số"}
    new["sections"][1]["title"] = {"vi": "Phần B mới"}
    new["sections"].reverse()
    new["sections"].append(
        {"key": "c", "title": {"vi": "C"}, "fields": [{"key": "x", "type": "text", "label": {"vi": "X"}}]}
    )
    changes = element_changes(old, new)
    assert {"change": "form_changed", "options": ["title"]} in changes
    assert {"change": "options_changed", "field": "a.so", "options": ["hint", "max"]} in changes
    assert {"change": "section_changed", "section": "b", "options": ["title"]} in changes
    assert {"change": "section_added", "section": "c"} in changes
    assert {"change": "sections_reordered"} in changes
    assert {"change": "field_added", "field": "c.x", "type": "text"} in changes
    assert element_changes(old, old) == []


def test_merge_keeps_both_admins_edits_and_lists_what_both_changed():
    base = check_definition(small_form())
    theirs = copy.deepcopy(base)
    theirs["sections"][0]["fields"][2]["max"] = 50  # they change a.so's max
    theirs["sections"][0]["fields"].insert(3, {"key": "moi", "type": "text", "label": {"vi": "Mới"}})
    theirs["sections"][1]["fields"].pop(0)  # and remove b.ten
    theirs["sections"][0]["fields"][0]["label"] = {"vi": "Mục một (họ)"}
    mine = copy.deepcopy(base)
    mine["sections"][0]["fields"][2]["min"] = 5  # I change a.so's min
    mine["title"]["en"] = "Small form (mine)"
    mine["sections"][0]["fields"][0]["label"] = {"vi": "Mục một (tôi)"}
    merged, conflicts = merge_drafts(base, mine, theirs)
    so = merged["sections"][0]["fields"][2]
    assert (so["min"], so["max"]) == (5, 50)
    assert [f["key"] for f in merged["sections"][0]["fields"]][3] == "moi"
    assert "ten" not in [f["key"] for f in merged["sections"][1]["fields"]]
    assert merged["title"]["en"] == "Small form (mine)"
    assert merged["sections"][0]["fields"][0]["label"] == {"vi": "Mục một (tôi)"}
    assert conflicts == [
        {
            "element": "a.ck1",
            "keys": ["a", "ck1"],
            "option": "label",
            "lang": "vi",
            "mine": "Mục một (tôi)",
            "theirs": "Mục một (họ)",
        }
    ]
    check_definition(merged)


def test_a_field_one_admin_removed_and_the_other_edited_stays_as_a_conflict():
    base = check_definition(small_form())
    theirs = copy.deepcopy(base)
    theirs["sections"][1]["fields"].pop(0)
    mine = copy.deepcopy(base)
    mine["sections"][1]["fields"][0]["max_length"] = 40
    merged, conflicts = merge_drafts(base, mine, theirs)
    assert merged["sections"][1]["fields"][0] == {**base["sections"][1]["fields"][0], "max_length": 40}
    assert conflicts == [{"element": "b.ten", "keys": ["b", "ten"], "option": "removed", "mine": True, "theirs": False}]


def test_the_second_admin_sees_what_the_first_changed_and_loses_nothing(ctx):
    created = forms.create_form(ctx, small_form(), actor="admin:an")
    first = copy.deepcopy(small_form())
    first["sections"][0]["fields"][2]["max"] = 50
    forms.put_draft(ctx, "mau-nho", first, created["etag"], actor="admin:binh")
    second = copy.deepcopy(small_form())
    second["sections"][1]["fields"][0]["max_length"] = 30
    with pytest.raises(AppError) as caught:
        forms.put_draft(ctx, "mau-nho", second, created["etag"])
    assert caught.value.code == "version_conflict"
    conflict = draft_conflict(ctx, "mau-nho", created["etag"], check_definition(second))
    assert conflict["saved_by"] == "admin:binh"
    assert conflict["changes"] == [{"change": "options_changed", "field": "a.so", "options": ["max"]}]
    assert conflict["conflicts"] == []
    forms.put_draft(ctx, "mau-nho", conflict["merged"], conflict["etag"])
    draft = forms.get_form(ctx, "mau-nho")["draft"]
    assert draft["sections"][0]["fields"][2]["max"] == 50
    assert draft["sections"][1]["fields"][0]["max_length"] == 30
    with pytest.raises(AppError) as unknown:
        changes_since(ctx, "mau-nho", "99-abc")
    assert unknown.value.code == "not_found"


def test_forms_list_gives_draft_state_versions_and_rounds(ctx):
    created = forms.create_form(ctx, small_form())
    other = small_form(id="mau-khac")
    forms.create_form(ctx, other)
    assert [(f["id"], f["state"]) for f in list_forms(ctx)] == [("mau-khac", "new"), ("mau-nho", "new")]
    forms.publish_version(ctx, "mau-nho")
    rounds.put_unit(ctx, "u1", {"name": "Đơn vị 1"})
    rounds.create_round(
        ctx,
        {
            "id": "r1",
            "title": {"vi": "Đợt 1"},
            "form_id": "mau-nho",
            "unit_ids": ["u1"],
            "opens_at": "2019-06-12T00:00:00Z",
            "closes_at": "2019-06-20T00:00:00Z",
        },
    )
    listed = {f["id"]: f for f in list_forms(ctx)}
    assert listed["mau-nho"]["state"] == "published"
    assert listed["mau-nho"]["versions"] == [1]
    assert [(r["id"], r["form_version"], r["status"]) for r in listed["mau-nho"]["rounds"]] == [("r1", 1, "draft")]
    assert listed["mau-khac"]["rounds"] == []
    edited = small_form()
    edited["sections"][0]["fields"][2]["max"] = 50
    forms.put_draft(ctx, "mau-nho", edited, created["etag"])
    assert {f["id"]: f["state"] for f in list_forms(ctx)}["mau-nho"] == "changed"


def test_publish_preview_lists_changes_and_rounds_in_progress(ctx):
    created = forms.create_form(ctx, small_form())
    preview = publish_preview(ctx, "mau-nho")
    assert preview["against_version"] is None
    assert preview["next_version"] == 1
    assert preview["publishable"] is True
    assert {c["change"] for c in preview["changes"]} == {"field_added"}
    forms.publish_version(ctx, "mau-nho")
    rounds.put_unit(ctx, "u1", {"name": "Đơn vị 1"})
    rounds.create_round(
        ctx,
        {
            "id": "r1",
            "title": {"vi": "Đợt 1"},
            "form_id": "mau-nho",
            "unit_ids": ["u1"],
            "opens_at": "2019-06-12T00:00:00Z",
            "closes_at": "2019-06-20T00:00:00Z",
        },
    )
    edited = small_form()
    edited["sections"][0]["fields"][6]["choices"].pop()
    edited["sections"][0]["fields"][2].update(key="so_luong", renamed_from="so")
    forms.put_draft(ctx, "mau-nho", edited, created["etag"])
    preview = publish_preview(ctx, "mau-nho")
    assert preview["next_version"] == 2
    assert {(c["change"], c["field"]) for c in preview["changes"]} == {
        ("renamed", "a.so_luong"),
        ("choice_removed", "a.tan_suat"),
    }
    assert [r["id"] for r in preview["rounds_in_progress"]] == ["r1"]
    assert preview["publishable"] is True


def test_every_meta_validation_message_has_its_vietnamese():
    form = small_form()
    fields = form["sections"][0]["fields"]
    fields[2].update(min=10, max=1, max_score=3)
    fields[0].pop("max_score")
    fields[3]["label"] = {"en": "no Vietnamese"}
    fields[4]["relevant"] = {">": [{"var": "a.khong_co"}, 0]}
    fields[5]["type"] = "slider"
    fields[6]["choices"] = []
    fields[7]["key"] = "Hình thức"
    form["sections"][1]["fields"][0]["constraint"] = {"frobnicate": [1]}
    form["sections"][1]["fields"][1]["max_length"] = "dài"
    form["sections"][1]["fields"][2]["extra"] = 1
    form["sections"][1]["fields"].append({"key": "ten", "type": "text", "label": {"vi": "Lặp"}})
    with pytest.raises(AppError) as caught:
        check_definition(form)
    messages = list(leaves(caught.value.fields))
    assert len(messages) >= 10
    untranslated = [m for m in messages if not isinstance(m, Bilingual) or m.vi == str(m)]
    assert untranslated == []
    vietnamese = in_language_tree(caught.value.fields, "vi")
    assert vietnamese["sections"][0]["fields"][2]["min"] == ["min (10.0) lớn hơn max (1.0)."]
    assert caught.value.to_body("en")["error"]["fields"]["sections"][0]["fields"][6] == {
        "choices": ["A choice field needs at least one choice."]
    }
    assert caught.value.to_body("vi")["error"]["fields"]["sections"][0]["fields"][6] == {
        "choices": ["Trường lựa chọn cần ít nhất một lựa chọn."]
    }


@pytest.mark.parametrize("since", ["9" * 5000, "9" * 1600 + "-abc", "١٢-abc"])
def test_an_etag_no_draft_could_have_is_a_draft_never_issued(ctx, since):
    """?since= and the builder's conflict_since are the client's: a number of thousands of
    digits was a ValueError (Python's limit on int()) and one of 1,600 a document id longer
    than Firestore takes, both a 500; no draft was ever saved that many times."""
    forms.create_form(ctx, small_form(), actor="admin:an")
    assert forms.revision_of(since) is None
    with pytest.raises(AppError) as unknown:
        changes_since(ctx, "mau-nho", since)
    assert unknown.value.code == "not_found"
    assert draft_conflict(ctx, "mau-nho", since, check_definition(small_form()))["changes"] is None
