"""Where the editor draws each conflict of a merge (the choice's row, the label's language, the
shared list's choice, the field) and what it says there, in both languages."""

from __future__ import annotations

import copy

import pytest

from checkround.config import settings
from checkround.forms.definition import check_definition
from checkround.forms.editing import rendered_paths
from checkround.forms.merge import merge_drafts
from checkround.http.console.builder_conflict import conflict_path, describe_conflicts
from checkround.http.console.render import catalogue
from tests.unit.test_draft_merge import base_form, field_at


def conflicts_of(edit_mine, edit_theirs):
    base = base_form()
    mine, theirs = copy.deepcopy(base), copy.deepcopy(base)
    edit_mine(mine)
    edit_theirs(theirs)
    merged, conflicts = merge_drafts(base, mine, theirs)
    return merged, conflicts


def relabel(keys, index, lang, text):
    def edit(form):
        field_at(form, keys)["choices"][index]["label"][lang] = text

    return edit


def test_each_conflict_is_placed_at_the_part_it_names():
    # Their added choice comes first in the merged list, so the clashing choice moved down one.
    def theirs(form):
        field_at(form, ("b", "hoat_dong", "loai"))["choices"].insert(0, {"value": "moi", "label": {"vi": "Mới"}})
        relabel(("b", "hoat_dong", "loai"), 2, "en", "Volunteer work")(form)
        form["choice_sets"]["muc_do"][1]["label"]["vi"] = "Trung bình"
        field_at(form, ("a", "so"))["label"]["en"] = "Number"
        field_at(form, ("b",))["fields"].pop(0)

    def mine(form):
        relabel(("b", "hoat_dong", "loai"), 1, "en", "Voluntary")(form)
        form["choice_sets"]["muc_do"][1]["label"]["vi"] = "Khá tốt"
        field_at(form, ("a", "so"))["label"]["en"] = "Count"
        field_at(form, ("b", "ten"))["max_length"] = 40

    merged, conflicts = conflicts_of(mine, theirs)
    paths = [conflict_path(c, merged) for c in conflicts]
    assert sorted(paths) == sorted(
        [
            "choice_sets.0.choices.1",
            "sections.0.fields.2.label.en",
            "sections.1.fields.0",
            "sections.1.fields.3.fields.1.choices.2",
        ]
    )
    rendered = rendered_paths(merged, "vi")
    assert all(path in rendered for path in paths)


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_what_the_notes_say_in_each_language(lang):
    text = catalogue(settings().templates_dir)[lang]

    def theirs(form):
        relabel(("a", "tan_suat"), 1, "vi", "Mỗi quý")(form)
        field_at(form, ("a", "hinh_thuc"))["choices"].pop(0)
        field_at(form, ("a", "ngay"))["hint"] = {"vi": "Ngày họp"}
        field_at(form, ("b", "ten"))["relevant"] = {">": [{"var": ["a.so", 0]}, 5]}

    def mine(form):
        relabel(("a", "tan_suat"), 1, "vi", "Quý một lần")(form)
        relabel(("a", "hinh_thuc"), 0, "vi", "Gặp trực tiếp")(form)
        field_at(form, ("a", "ngay"))["hint"] = {"vi": "Ngày tổ chức"}
        field_at(form, ("b", "ten"))["relevant"] = {">": [{"var": ["a.so", 0]}, 9]}
        field_at(form, ("a", "tan_suat"))["choices"].reverse()
        form["sections"][0]["fields"].reverse()

    merged, conflicts = conflicts_of(mine, theirs)
    rows, notes = describe_conflicts(
        conflicts, merged, rendered_paths(merged, lang), "Quản trị A", text, lang, lambda path: path
    )
    said = " ".join(row["said"] for row in rows)
    assert "Quản trị A" in said
    assert "“Mỗi quý”" in said
    assert "“Quý một lần”" in said
    assert "“Ngày họp”" in said
    assert "“Ngày tổ chức”" in said
    assert text["b_clash_removed_theirs"].format(who="Quản trị A", what=text["b_clash_what"]["choice"]) in said
    # A rule is said in words, with the labels of the fields it reads.
    shown = {"vi": "hiện khi Số lượng > {n}", "en": "shown when Số lượng > {n}"}[lang]
    assert f"“{shown.format(n=5)}”" in said
    assert f"“{shown.format(n=9)}”" in said
    assert len(rows) == 4
    # Each note is drawn where the page has it, and the list at the top links to it.
    for row in rows:
        path = row["anchor"].removeprefix("e-").removesuffix("-clash").replace("-", ".")
        assert row["said"] in [note["said"] for note in notes[path]]
    # A text the other admin gave comes with the box it goes in; a rule or a removal does not.
    offered = {note["input"]: note["theirs"] for found in notes.values() for note in found if "input" in note}
    # (Mine reversed the fields and the choices: the boxes are where the page now draws them.)
    assert offered == {"sections.0.fields.1.choices.0.label.vi": "Mỗi quý", "sections.0.fields.2.hint.vi": "Ngày họp"}


def test_both_reordering_one_list_is_a_conflict_with_the_other_order():
    text = catalogue(settings().templates_dir)["en"]

    def theirs(form):
        field_at(form, ("a",))["fields"].insert(0, field_at(form, ("a",))["fields"].pop())

    def mine(form):
        field_at(form, ("a",))["fields"].reverse()

    merged, conflicts = conflicts_of(mine, theirs)
    assert next(f["key"] for f in merged["sections"][0]["fields"]) == "hinh_thuc"
    [conflict] = conflicts
    assert conflict_path(conflict, merged) == "sections.0.fields"
    rows, _ = describe_conflicts(conflicts, merged, rendered_paths(merged, "en"), "An", text, "en", str)
    assert rows[0]["said"].startswith("You both changed the order; yours is kept. The order An saved: hinh_thuc, ck1")
    check_definition(merged)
