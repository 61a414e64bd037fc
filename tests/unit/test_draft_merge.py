"""The three-way merge of two admins' drafts, down to each choice and each language.

A property: edits of different parts (a choice's label in one language, a choice added or
removed, a field's label or option, a shared set's choice, a repeat group's sub-field…) made by
two admins merge into exactly what applying both gives, with no conflict. Then the cases where
they meet: both relabel one choice, one removes what the other relabels, both reorder."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from checkround.forms.definition import check_definition
from checkround.forms.drafts import element_changes
from checkround.forms.merge import merge_drafts, merge_order
from tests.support import small_form


def base_form() -> dict[str, Any]:
    """The small form with a shared choice set and a repeat group whose sub-field has choices."""
    form = small_form()
    form["choice_sets"] = {
        "muc_do": [
            {"value": "tot", "label": {"vi": "Tốt", "en": "Good"}},
            {"value": "kha", "label": {"vi": "Khá", "en": "Fair"}},
        ]
    }
    form["sections"][1]["fields"].append(
        {
            "key": "hoat_dong",
            "type": "repeat",
            "label": {"vi": "Hoạt động"},
            "fields": [
                {"key": "ten_hd", "type": "text", "label": {"vi": "Tên hoạt động"}},
                {
                    "key": "loai",
                    "type": "select_one",
                    "label": {"vi": "Loại"},
                    "choices": [
                        {"value": "hoc", "label": {"vi": "Học tập", "en": "Study"}},
                        {"value": "tinh_nguyen", "label": {"vi": "Tình nguyện", "en": "Volunteering"}},
                    ],
                },
            ],
        }
    )
    return check_definition(form)


def field_at(form: dict[str, Any], keys: tuple[str, ...]) -> dict[str, Any]:
    """The section, field or sub-field named by its keys."""
    node: dict[str, Any] = next(s for s in form["sections"] if s["key"] == keys[0])
    for key in keys[1:]:
        node = next(f for f in node["fields"] if f["key"] == key)
    return node


def choice_list(form: dict[str, Any], owner: tuple[str, ...]) -> list[dict[str, Any]]:
    """A field's choices (``owner`` its keys) or a shared set's (``("set", name)``)."""
    if owner[0] == "set":
        return form["choice_sets"][owner[1]]  # type: ignore[no-any-return]
    return field_at(form, owner)["choices"]  # type: ignore[no-any-return]


Edit = tuple[tuple[str, ...], Callable[[dict[str, Any]], None]]
CHOICE_OWNERS = [("a", "tan_suat"), ("a", "hinh_thuc"), ("b", "hoat_dong", "loai"), ("set", "muc_do")]
LABELLED = [("a",), ("a", "so"), ("b", "ten"), ("b", "hoat_dong"), ("b", "hoat_dong", "ten_hd")]


@st.composite
def edits(draw: Any, form: dict[str, Any]) -> Edit:
    """One edit of one part: the part's address (a path of names) and what it does."""
    kind = draw(st.sampled_from(["relabel", "add", "remove", "label", "max", "add_field", "add_set", "title"]))
    text = draw(st.text("abcdeghiklmnoptuvxyàáảãạăâđêôơư ", min_size=1, max_size=12))
    n = draw(st.integers(0, 10**6))
    if kind in ("relabel", "add", "remove"):
        owner = draw(st.sampled_from(CHOICE_OWNERS))
        values = [c["value"] for c in choice_list(form, owner)]
        if kind == "add":
            value = f"moi_{n}"

            def add(f: dict[str, Any]) -> None:
                choice_list(f, owner).append({"value": value, "label": {"vi": text}})

            return (*owner, "choices", value), add
        value = draw(st.sampled_from(values))
        if kind == "remove":

            def remove(f: dict[str, Any]) -> None:
                choices = choice_list(f, owner)
                choices[:] = [c for c in choices if c["value"] != value]

            return (*owner, "choices", value), remove
        lang = draw(st.sampled_from(["vi", "en"]))

        def relabel(f: dict[str, Any]) -> None:
            next(c for c in choice_list(f, owner) if c["value"] == value)["label"][lang] = text

        return (*owner, "choices", value, "label", lang), relabel
    if kind == "label":
        keys = draw(st.sampled_from(LABELLED))
        option, lang = ("title" if len(keys) == 1 else "label"), draw(st.sampled_from(["vi", "en"]))

        def label(f: dict[str, Any]) -> None:
            field_at(f, keys).setdefault(option, {})[lang] = text

        return (*keys, option, lang), label
    if kind == "max":

        def maximum(f: dict[str, Any]) -> None:
            field_at(f, ("a", "so"))["max"] = n

        return ("a", "so", "max"), maximum
    if kind == "add_field":
        section = draw(st.sampled_from(["a", "b"]))
        key = f"moi_{n}"

        def add_field(f: dict[str, Any]) -> None:
            field_at(f, (section,))["fields"].append({"key": key, "type": "text", "label": {"vi": text}})

        return (section, key), add_field
    if kind == "add_set":
        name = f"bo_{n}"

        def add_set(f: dict[str, Any]) -> None:
            f["choice_sets"][name] = [{"value": "co", "label": {"vi": text}}]

        return ("set", name), add_set
    lang = draw(st.sampled_from(["vi", "en"]))

    def title(f: dict[str, Any]) -> None:
        f["title"][lang] = text

    return ("form", "title", lang), title


def overlaps(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
    """Whether two parts meet: one holds the other."""
    return a[: len(b)] == b[: len(a)]


@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_edits_of_different_parts_merge_into_what_applying_both_gives(data):
    base = base_form()
    chosen: list[tuple[Edit, bool]] = []
    for _ in range(data.draw(st.integers(1, 8))):
        part, edit = data.draw(edits(base))
        if not any(overlaps(part, other) for (other, _), _side in chosen):
            chosen.append(((part, edit), data.draw(st.booleans())))
    mine, theirs = copy.deepcopy(base), copy.deepcopy(base)
    for (_, edit), is_mine in chosen:
        edit(mine if is_mine else theirs)
    # Both applied: theirs first (what they added comes before what I added at the same place).
    expected = copy.deepcopy(base)
    for (_, edit), _is_mine in sorted(chosen, key=lambda item: item[1]):
        edit(expected)
    merged, conflicts = merge_drafts(base, mine, theirs)
    assert conflicts == []
    assert merged == expected
    # The sides' roles are symmetric but for order: swapped, the same content comes out.
    swapped, none = merge_drafts(base, theirs, mine)
    assert none == []
    assert _content(swapped) == _content(expected)


def _content(form: Any) -> Any:
    """A definition with its lists sorted (order aside)."""
    if isinstance(form, dict):
        return {k: _content(v) for k, v in form.items()}
    if isinstance(form, list):
        return sorted((_content(v) for v in form), key=repr)
    return form


def test_one_adds_a_choice_and_the_other_relabels_another_both_kept():
    base = base_form()
    mine, theirs = copy.deepcopy(base), copy.deepcopy(base)
    field_at(theirs, ("a", "tan_suat"))["choices"].insert(1, {"value": "tuan", "label": {"vi": "Hằng tuần"}})
    field_at(mine, ("a", "tan_suat"))["choices"][1]["label"] = {"vi": "Mỗi quý", "en": "Quarterly"}
    merged, conflicts = merge_drafts(base, mine, theirs)
    assert conflicts == []
    assert [(c["value"], c["label"]["vi"]) for c in field_at(merged, ("a", "tan_suat"))["choices"]] == [
        ("thang", "Hằng tháng"),
        ("tuan", "Hằng tuần"),
        ("quy", "Mỗi quý"),
    ]
    check_definition(merged)


def test_one_language_each_both_kept():
    base = base_form()
    mine, theirs = copy.deepcopy(base), copy.deepcopy(base)
    field_at(mine, ("a", "tan_suat"))["choices"][0]["label"]["vi"] = "Mỗi tháng"
    field_at(theirs, ("a", "tan_suat"))["choices"][0]["label"]["en"] = "Every month"
    field_at(mine, ("a", "so"))["label"]["vi"] = "Số lượng (cái)"
    field_at(theirs, ("a", "so"))["label"]["en"] = "Count"
    field_at(theirs, ("a", "so"))["hint"] = {"vi": "Ghi số"}
    merged, conflicts = merge_drafts(base, mine, theirs)
    assert conflicts == []
    assert field_at(merged, ("a", "tan_suat"))["choices"][0]["label"] == {"vi": "Mỗi tháng", "en": "Every month"}
    assert field_at(merged, ("a", "so"))["label"] == {"vi": "Số lượng (cái)", "en": "Count"}
    assert field_at(merged, ("a", "so"))["hint"] == {"vi": "Ghi số"}


def test_both_relabel_one_choice_mine_kept_theirs_named_at_the_choice():
    base = base_form()
    mine, theirs = copy.deepcopy(base), copy.deepcopy(base)
    field_at(mine, ("a", "tan_suat"))["choices"][1]["label"]["vi"] = "Quý một lần"
    field_at(theirs, ("a", "tan_suat"))["choices"][1]["label"]["vi"] = "Mỗi quý"
    field_at(theirs, ("a", "tan_suat"))["choices"][1]["label"]["en"] = "Each quarter"
    merged, conflicts = merge_drafts(base, mine, theirs)
    assert field_at(merged, ("a", "tan_suat"))["choices"][1]["label"] == {"vi": "Quý một lần", "en": "Each quarter"}
    assert conflicts == [
        {
            "element": "a.tan_suat",
            "keys": ["a", "tan_suat"],
            "option": "choices",
            "choice": "quy",
            "part": "label",
            "lang": "vi",
            "mine": "Quý một lần",
            "theirs": "Mỗi quý",
        }
    ]


def test_one_removes_a_choice_the_other_relabels_it_stays_as_a_conflict():
    base = base_form()
    for remover in ("mine", "theirs"):
        mine, theirs = copy.deepcopy(base), copy.deepcopy(base)
        removing, relabelling = (mine, theirs) if remover == "mine" else (theirs, mine)
        field_at(removing, ("a", "hinh_thuc"))["choices"].pop(0)
        field_at(relabelling, ("a", "hinh_thuc"))["choices"][0]["label"]["vi"] = "Gặp trực tiếp"
        merged, conflicts = merge_drafts(base, mine, theirs)
        kept = field_at(merged, ("a", "hinh_thuc"))["choices"]
        assert [(c["value"], c["label"]["vi"]) for c in kept] == [
            ("truc_tiep", "Gặp trực tiếp"),
            ("truc_tuyen", "Trực tuyến"),
        ]
        [conflict] = conflicts
        relabelled = {"value": "truc_tiep", "label": {"vi": "Gặp trực tiếp"}}
        assert conflict == {
            "element": "a.hinh_thuc",
            "keys": ["a", "hinh_thuc"],
            "option": "choices",
            "choice": "truc_tiep",
            "removed": remover,
            "mine": None if remover == "mine" else relabelled,
            "theirs": None if remover == "theirs" else relabelled,
        }


def test_a_removed_choice_untouched_by_the_other_goes():
    base = base_form()
    mine, theirs = copy.deepcopy(base), copy.deepcopy(base)
    field_at(mine, ("a", "hinh_thuc"))["choices"].pop(0)
    field_at(theirs, ("a", "hinh_thuc"))["choices"][1]["label"]["en"] = "Online"
    merged, conflicts = merge_drafts(base, mine, theirs)
    assert conflicts == []
    assert field_at(merged, ("a", "hinh_thuc"))["choices"] == [
        {"value": "truc_tuyen", "label": {"vi": "Trực tuyến", "en": "Online"}}
    ]


def test_shared_sets_merge_by_set_and_by_choice():
    base = base_form()
    mine, theirs = copy.deepcopy(base), copy.deepcopy(base)
    mine["choice_sets"]["muc_do"].append({"value": "yeu", "label": {"vi": "Yếu"}})
    theirs["choice_sets"]["muc_do"][0]["label"]["en"] = "Very good"
    theirs["choice_sets"]["co_khong"] = [{"value": "co", "label": {"vi": "Có"}}]
    merged, conflicts = merge_drafts(base, mine, theirs)
    assert conflicts == []
    assert merged["choice_sets"] == {
        "muc_do": [
            {"value": "tot", "label": {"vi": "Tốt", "en": "Very good"}},
            {"value": "kha", "label": {"vi": "Khá", "en": "Fair"}},
            {"value": "yeu", "label": {"vi": "Yếu"}},
        ],
        "co_khong": [{"value": "co", "label": {"vi": "Có"}}],
    }
    # Both relabel one choice of the set: mine kept, theirs named with the set and the choice.
    mine["choice_sets"]["muc_do"][1]["label"]["en"] = "OK"
    theirs["choice_sets"]["muc_do"][1]["label"]["en"] = "Average"
    merged, conflicts = merge_drafts(base, mine, theirs)
    assert merged["choice_sets"]["muc_do"][1]["label"]["en"] == "OK"
    assert conflicts == [
        {
            "element": "form",
            "keys": [],
            "option": "choice_sets",
            "set": "muc_do",
            "choice": "kha",
            "part": "label",
            "lang": "en",
            "mine": "OK",
            "theirs": "Average",
        }
    ]


def test_a_repeat_groups_sub_field_choices_merge_by_choice():
    base = base_form()
    mine, theirs = copy.deepcopy(base), copy.deepcopy(base)
    field_at(mine, ("b", "hoat_dong", "loai"))["choices"].append({"value": "the_thao", "label": {"vi": "Thể thao"}})
    field_at(theirs, ("b", "hoat_dong", "loai"))["choices"][0]["label"]["vi"] = "Học tập, nghiên cứu"
    field_at(theirs, ("b", "hoat_dong", "ten_hd"))["max_length"] = 80
    merged, conflicts = merge_drafts(base, mine, theirs)
    assert conflicts == []
    loai = field_at(merged, ("b", "hoat_dong", "loai"))
    assert [c["label"]["vi"] for c in loai["choices"]] == ["Học tập, nghiên cứu", "Tình nguyện", "Thể thao"]
    assert field_at(merged, ("b", "hoat_dong", "ten_hd"))["max_length"] == 80


def test_order_the_side_that_reordered_leads_and_additions_follow_their_neighbour():
    # Only they reordered: their order, with my addition after the choice before it in mine.
    assert merge_order(["a", "b", "c"], ["a", "b", "x", "c"], ["c", "b", "a"]) == (["c", "b", "x", "a"], False)
    # Only I reordered: mine, with theirs after its neighbour, first when it has none.
    assert merge_order(["a", "b", "c"], ["b", "a", "c"], ["y", "a", "b", "c", "z"]) == (
        ["y", "b", "a", "c", "z"],
        False,
    )
    # Both reordered differently: mine, and the merge says so.
    assert merge_order(["a", "b", "c"], ["c", "a", "b"], ["b", "c", "a"]) == (["c", "a", "b"], True)
    base = base_form()
    mine, theirs = copy.deepcopy(base), copy.deepcopy(base)
    field_at(mine, ("a", "tan_suat"))["choices"].reverse()
    field_at(theirs, ("a", "tan_suat"))["choices"][0]["label"]["en"] = "Each month"
    merged, conflicts = merge_drafts(base, mine, theirs)
    assert conflicts == []
    assert [c["value"] for c in field_at(merged, ("a", "tan_suat"))["choices"]] == ["quy", "thang"]
    assert field_at(merged, ("a", "tan_suat"))["choices"][1]["label"]["en"] == "Each month"


def test_a_field_i_removed_that_they_changed_stays():
    # The element merge once dropped it silently: it was in neither side's order.
    base = base_form()
    mine, theirs = copy.deepcopy(base), copy.deepcopy(base)
    field_at(mine, ("b",))["fields"].pop(0)
    field_at(theirs, ("b", "ten"))["max_length"] = 40
    merged, conflicts = merge_drafts(base, mine, theirs)
    assert field_at(merged, ("b", "ten"))["max_length"] == 40
    assert conflicts == [{"element": "b.ten", "keys": ["b", "ten"], "option": "removed", "mine": False, "theirs": True}]


def test_what_they_changed_names_each_choice_and_set():
    base = base_form()
    theirs = copy.deepcopy(base)
    field_at(theirs, ("a", "tan_suat"))["choices"][1]["label"]["vi"] = "Mỗi quý"
    field_at(theirs, ("b", "hoat_dong", "loai"))["choices"].reverse()
    theirs["choice_sets"]["muc_do"].append({"value": "yeu", "label": {"vi": "Yếu"}})
    changes = element_changes(base, theirs)
    assert {"change": "choice_changed", "field": "a.tan_suat", "value": "quy"} in changes
    assert {"change": "choices_reordered", "field": "b.hoat_dong.loai"} in changes
    assert {"change": "set_choice_added", "set": "muc_do", "value": "yeu"} in changes
    assert not [c for c in changes if c["change"] == "form_changed"]


def test_a_key_one_renamed_follows_into_the_others_edits():
    base = base_form()
    mine, theirs = copy.deepcopy(base), copy.deepcopy(base)
    field_at(mine, ("a", "so"))["key"] = "so_luong"
    field_at(theirs, ("a", "so"))["max"] = 50
    field_at(theirs, ("a", "tan_suat"))["choices"][1]["value"] = "hang_quy"
    field_at(mine, ("a", "tan_suat"))["choices"][1]["label"]["en"] = "Every quarter"
    merged, conflicts = merge_drafts(base, mine, theirs)
    assert conflicts == []
    assert [f["key"] for f in merged["sections"][0]["fields"]][2] == "so_luong"
    assert field_at(merged, ("a", "so_luong"))["max"] == 50
    assert field_at(merged, ("a", "tan_suat"))["choices"][1] == {
        "value": "hang_quy",
        "label": {"vi": "Hằng quý", "en": "Every quarter"},
    }
    # Renamed and edited by the one who renamed it: still a removal and an addition.
    field_at(mine, ("a", "so_luong"))["min"] = 1
    merged, conflicts = merge_drafts(base, mine, theirs)
    assert [c["option"] for c in conflicts] == ["removed"]
    assert {"so", "so_luong"} <= {f["key"] for f in merged["sections"][0]["fields"]}


def test_a_shared_list_merges_once_not_in_each_field_that_names_it():
    form = base_form()
    del field_at(form, ("a", "tan_suat"))["choices"]
    field_at(form, ("a", "tan_suat"))["choice_set"] = "muc_do"
    base = check_definition(form)  # meta-validation copies the list's choices into the field
    assert field_at(base, ("a", "tan_suat"))["choices"] == base["choice_sets"]["muc_do"]
    # The editor posts a field of a shared list without its choices.
    theirs, mine = copy.deepcopy(base), copy.deepcopy(base)
    del field_at(theirs, ("a", "tan_suat"))["choices"]
    del field_at(mine, ("a", "tan_suat"))["choices"]
    theirs["choice_sets"]["muc_do"][0]["label"]["vi"] = "Rất tốt"
    theirs = check_definition(theirs)
    mine["choice_sets"]["muc_do"].append({"value": "yeu", "label": {"vi": "Yếu"}})
    merged, conflicts = merge_drafts(base, mine, theirs)
    assert conflicts == []
    assert [c["label"]["vi"] for c in merged["choice_sets"]["muc_do"]] == ["Rất tốt", "Khá", "Yếu"]
    assert field_at(merged, ("a", "tan_suat"))["choices"] == merged["choice_sets"]["muc_do"]
    assert check_definition(copy.deepcopy(merged)) == merged


@st.composite
def relabels(draw: Any, form: dict[str, Any]) -> list[tuple[tuple[str, ...], str, str, str]]:
    """Labels in one language set to new texts: (owner, choice value, language, text)."""
    found = []
    for _ in range(draw(st.integers(1, 6))):
        owner = draw(st.sampled_from(CHOICE_OWNERS))
        value = draw(st.sampled_from([c["value"] for c in choice_list(form, owner)]))
        found.append((owner, value, draw(st.sampled_from(["vi", "en"])), draw(st.sampled_from(["X", "Y", "Z"]))))
    return found


@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_overlapping_relabels_keep_mine_and_lose_none_of_theirs(data):
    base = base_form()
    sides = {"mine": copy.deepcopy(base), "theirs": copy.deepcopy(base)}
    last: dict[str, dict[tuple[Any, ...], str]] = {"mine": {}, "theirs": {}}
    for side, form in sides.items():
        for owner, value, lang, text in data.draw(relabels(base)):
            next(c for c in choice_list(form, owner) if c["value"] == value)["label"][lang] = text
            last[side][(owner, value, lang)] = text
    merged, conflicts = merge_drafts(base, sides["mine"], sides["theirs"])

    def label(form, owner, value, lang):
        return next(c for c in choice_list(form, owner) if c["value"] == value)["label"].get(lang)

    for (owner, value, lang), text in last["mine"].items():
        assert label(merged, owner, value, lang) == text  # the saver's edit is what the editor holds
    for (owner, value, lang), text in last["theirs"].items():
        if label(merged, owner, value, lang) != text:
            # Not in the merge: then named at that choice and language, with their text.
            assert any(
                c.get("choice") == value and c.get("lang") == lang and c["theirs"] == text and c["mine"] != text
                for c in conflicts
            )
    # A conflict only where both changed that label, and differently.
    for c in conflicts:
        owner = ("set", c["set"]) if "set" in c else tuple(c["keys"])
        key = (owner, c["choice"], c["lang"])
        assert c["mine"] == label(sides["mine"], *key) != label(base, *key)
        assert c["theirs"] == label(sides["theirs"], *key) != label(base, *key)


def test_a_key_the_editor_says_was_changed_follows_even_when_the_field_changed_too():
    base = base_form()
    mine, theirs = copy.deepcopy(base), copy.deepcopy(base)
    field_at(mine, ("b", "hoat_dong", "loai"))["key"] = "loai_hd"
    field_at(mine, ("b", "hoat_dong", "loai_hd"))["label"] = {"vi": "Loại hoạt động"}
    field_at(theirs, ("b", "hoat_dong", "loai"))["choices"][0]["label"]["en"] = "Learning"
    merged, conflicts = merge_drafts(base, mine, theirs, {("b", "hoat_dong", "loai_hd"): "loai"})
    assert conflicts == []
    sub = field_at(merged, ("b", "hoat_dong", "loai_hd"))
    assert sub["label"] == {"vi": "Loại hoạt động"}
    assert sub["choices"][0]["label"] == {"vi": "Học tập", "en": "Learning"}
    assert [f["key"] for f in field_at(merged, ("b", "hoat_dong"))["fields"]] == ["ten_hd", "loai_hd"]
