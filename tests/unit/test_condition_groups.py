"""The condition builder's groups: a tree of conditions joined by "and"/"or", with groups inside
groups, is written as JSON Logic and read back into the same tree (generated trees, both page
languages), posted the way the page names its inputs, said in words, and held to the depth the
builder draws; deeper posts are a problem at the rule, never an exception."""

from __future__ import annotations

import copy
from functools import cache
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from checkround.forms.definition import check_definition
from checkround.forms.editing import (
    MAX_GROUP_DEPTH,
    as_post,
    condition_value_text,
    conditions_of,
    field_paths,
    group_at,
    is_group,
    read_post,
    rule_of_conditions,
    too_deep,
)
from checkround.forms.rule_words import describe, field_infos
from tests.support import small_form

FORM = small_form()
FIELDS = field_paths(FORM)
# The rule under test is the relevant of a field no condition names.
OWNER = "sections.1.fields.2.relevant"


def _number(language: str) -> st.SearchStrategy[str]:
    return st.integers(-1000, 100_000).map(lambda n: condition_value_text(n, language))


@cache
def conditions(language: str) -> st.SearchStrategy[dict[str, str]]:
    """One row of the builder as the page posts it: a field, an operator that suits it, and a
    value typed the page's way."""
    compare = st.sampled_from(["==", "!=", ">", ">=", "<", "<="])
    equal = st.sampled_from(["==", "!="])
    answered = st.sampled_from(["answered", "unanswered"])
    yes_no = st.sampled_from(["có", "không"] if language == "vi" else ["yes", "no"])

    def row(field: str, op: st.SearchStrategy[str], value: st.SearchStrategy[str]) -> st.SearchStrategy[Any]:
        return st.builds(lambda o, v: {"field": field, "op": o, "value": v}, op, value)

    return st.one_of(
        row("a.so", compare, _number(language)),
        row("a.tien", compare, st.sampled_from([0.5, 12.25, 1234.5]).map(lambda n: condition_value_text(n, language))),
        row("a.co", equal, yes_no),
        row("a.tan_suat", equal, st.sampled_from(["thang", "quy"])),
        row("a.hinh_thuc", st.sampled_from(["chosen", "not_chosen"]), st.sampled_from(["truc_tiep", "truc_tuyen"])),
        row("b.ten", equal, st.sampled_from(["Ba Chẽ", "x"])),
        row("b.ten", answered, st.just("")),
        row("a.ngay", answered, st.just("")),
        row("a.ngay", equal, st.just("14/06/2019")),
        row("a.ck1.score", compare, _number(language)),
        row("a.ck1.status", equal, st.sampled_from(["yes", "partial", "no"])),
    )


@cache
def groups(language: str, depth: int = 1) -> st.SearchStrategy[dict[str, Any]]:
    """A group at ``depth`` with one to four rows, each a condition or (above the deepest level)
    a group of its own."""
    row: st.SearchStrategy[Any] = conditions(language)
    if depth < MAX_GROUP_DEPTH:
        row = st.one_of(row, st.deferred(lambda: groups(language, depth + 1)))
    return st.builds(
        lambda join, items: {"join": join, "items": items},
        st.sampled_from(["and", "or"]),
        st.lists(row, min_size=1, max_size=4),
    )


def shape(group: dict[str, Any]) -> Any:
    """A tree without its values: joins, nesting, fields and operators."""
    return (
        group["join"],
        [shape(item) if is_group(item) else (item["field"], item["op"]) for item in group["items"]],
    )


def shown(group: dict[str, Any], language: str) -> dict[str, Any]:
    """A tree read back, with its values as the page's inputs show them."""
    items = [
        shown(item, language) if is_group(item) else {**item, "value": condition_value_text(item["value"], language)}
        for item in group["items"]
    ]
    return {"join": group["join"], "items": items}


def depth_of(group: dict[str, Any]) -> int:
    return 1 + max((depth_of(item) for item in group["items"] if is_group(item)), default=0)


def posted(path: str, group: dict[str, Any]) -> list[tuple[str, str]]:
    """The inputs the page draws for a group at ``path`` (forms/editing's reader reads them)."""
    pairs = [(f"{path}.join", group["join"])]
    for index, item in enumerate(group["items"]):
        where = f"{path}.c.{index}"
        if is_group(item):
            pairs += posted(where, item)
        else:
            pairs += [(f"{where}.{name}", item[name]) for name in ("field", "op", "value")]
    return pairs


def post_of(group: dict[str, Any], language: str, op: str = "check") -> list[tuple[str, str]]:
    pairs = [p for p in as_post(FORM, language) if not p[0].startswith(OWNER)]
    return [*pairs, (f"{OWNER}.mode", "builder"), *posted(OWNER, group), ("op", op)]


@pytest.mark.parametrize("language", ["vi", "en"])
@settings(max_examples=80, deadline=None)
@given(data=st.data())
def test_a_tree_the_builder_makes_reads_back_as_the_same_tree(language, data):
    tree = data.draw(groups(language))
    rule = rule_of_conditions(tree["join"], tree["items"], FIELDS, language)
    back = conditions_of(rule)
    assert back is not None, rule
    join, items = back
    expected = shape(tree)
    if len(tree["items"]) == 1 and not is_group(tree["items"][0]):
        # One condition is the rule itself: its group's join has nothing to join.
        expected = ("and", expected[1])
    assert shape({"join": join, "items": items}) == expected
    # The values come back typed (numbers, yes/no, ISO dates); shown again, they make the same rule.
    again = shown({"join": join, "items": items}, language)
    assert rule_of_conditions(again["join"], again["items"], FIELDS, language) == rule
    # Every rule the builder makes passes the form's checks (the two engines' too) and is said.
    definition = copy.deepcopy(FORM)
    definition["sections"][1]["fields"][2]["relevant"] = rule
    check_definition(definition)
    said = describe(rule, "relevant", field_infos(FORM, language), language)
    assert said is not None
    assert said.startswith("hiện khi " if language == "vi" else "shown when ")
    # Posted the way the page names its inputs, it is the same rule.
    read = read_post(post_of(tree, language), language)
    assert read.problems == {}
    assert read.definition["sections"][1]["fields"][2]["relevant"] == rule


def test_a_b_or_c_in_json_logic_and_in_words():
    tree = {
        "join": "and",
        "items": [
            {"field": "a.so", "op": ">", "value": "0"},
            {
                "join": "or",
                "items": [
                    {"field": "a.tan_suat", "op": "==", "value": "quy"},
                    {"field": "a.hinh_thuc", "op": "chosen", "value": "truc_tuyen"},
                ],
            },
        ],
    }
    rule = rule_of_conditions(tree["join"], tree["items"], FIELDS, "vi")
    assert rule == {
        "and": [
            {">": [{"var": ["a.so", 0]}, 0]},
            {"or": [{"==": [{"var": ["a.tan_suat", ""]}, "quy"]}, {"in": ["truc_tuyen", {"var": "a.hinh_thuc"}]}]},
        ]
    }
    vi = describe(rule, "relevant", field_infos(FORM, "vi"), "vi")
    en = describe(rule, "relevant", field_infos(FORM, "en"), "en")
    assert vi == "hiện khi Số lượng > 0 và (Tần suất là “Hằng quý” hoặc Hình thức có chọn “Trực tuyến”)"
    assert en == "shown when Số lượng > 0 and (Tần suất is “Quarterly” or Hình thức has “Trực tuyến” chosen)"


def test_a_group_of_one_stays_a_group_and_is_said_without_brackets():
    # The admin added a group and gave it its first condition: the page must draw it as a group
    # still (to add the second), and the words need no brackets for one condition.
    items = [
        {"field": "a.so", "op": ">", "value": "0"},
        {"join": "or", "items": [{"field": "a.co", "op": "==", "value": "có"}]},
    ]
    rule = rule_of_conditions("and", items, FIELDS, "vi")
    assert rule == {"and": [{">": [{"var": ["a.so", 0]}, 0]}, {"or": [{"==": [{"var": ["a.co", False]}, True]}]}]}
    assert shape({"join": "and", "items": conditions_of(rule)[1]}) == ("and", [("a.so", ">"), ("or", [("a.co", "==")])])
    assert describe(rule, "relevant", field_infos(FORM, "vi"), "vi") == "hiện khi Số lượng > 0 và Có mời cấp ủy = có"
    # The rule's own group holding one group only: still read back as that group inside.
    alone = rule_of_conditions("and", items[1:], FIELDS, "vi")
    assert conditions_of(alone) == ("and", [{"join": "or", "items": [{"field": "a.co", "op": "==", "value": True}]}])


def test_blank_rows_and_empty_groups_are_left_out():
    items = [
        {"field": "", "op": "==", "value": ""},
        {"join": "or", "items": [{"field": "", "op": "==", "value": ""}]},
        {"field": "a.so", "op": ">", "value": "1"},
    ]
    assert rule_of_conditions("or", items, FIELDS, "vi") == {">": [{"var": ["a.so", 0]}, 1]}
    assert rule_of_conditions("or", items[:2], FIELDS, "vi") is None


def test_deeper_than_the_builder_draws_is_json_logic():
    leaf = {"==": [{"var": ["a.so", 0]}, 1]}
    rule: Any = leaf
    for level in range(MAX_GROUP_DEPTH):
        rule = {("and", "or")[level % 2]: [leaf, rule]}
    assert depth_of({"join": "and", "items": conditions_of(rule)[1]}) == MAX_GROUP_DEPTH
    assert conditions_of({"and": [leaf, rule]}) is None  # one level more: the raw editor
    # Not followed down however deep a typed rule goes (no recursion to exhaust).
    deep: Any = leaf
    for _ in range(5000):
        deep = {"!": deep}
    assert conditions_of(deep) is None


def test_a_posted_group_too_deep_is_a_problem_at_the_rule_not_a_crash():
    too_deep_group: dict[str, Any] = {"join": "and", "items": [{"field": "a.so", "op": ">", "value": "1"}]}
    for _ in range(MAX_GROUP_DEPTH):
        too_deep_group = {"join": "or", "items": [too_deep_group]}
    read = read_post(post_of(too_deep_group, "en"), "en")
    assert [str(m) for m in read.problems[OWNER]] == [
        f"Groups of conditions nest at most {MAX_GROUP_DEPTH} levels deep; write a deeper rule as JSON Logic."
    ]
    assert read.problems[OWNER][0].vi.startswith("Các nhóm điều kiện lồng nhau tối đa")
    assert "relevant" not in read.definition["sections"][1]["fields"][2]
    # Names a hundred thousand groups deep: read up to the limit, then refused the same way.
    pairs = [p for p in post_of(too_deep_group, "en") if not p[0].startswith(f"{OWNER}.c")]
    pairs.append((OWNER + ".c.0" * 100_000 + ".field", "a.so"))
    assert list(read_post(pairs, "en").problems) == [OWNER]


def test_the_remove_button_leaves_its_row_out():
    tree = {
        "join": "and",
        "items": [
            {"field": "a.so", "op": ">", "value": "0"},
            {
                "join": "or",
                "items": [
                    {"field": "a.co", "op": "==", "value": "có"},
                    {"field": "b.ten", "op": "answered", "value": ""},
                ],
            },
        ],
    }
    read = read_post(post_of(tree, "vi", op=f"drop_cond:{OWNER}.c.1.c.0"), "vi")
    assert read.definition["sections"][1]["fields"][2]["relevant"] == {
        "and": [{">": [{"var": ["a.so", 0]}, 0]}, {"or": [{"!!": {"var": "b.ten"}}]}]
    }
    read = read_post(post_of(tree, "vi", op=f"drop_cond:{OWNER}.c.1"), "vi")
    assert read.definition["sections"][1]["fields"][2]["relevant"] == {">": [{"var": ["a.so", 0]}, 0]}
    # A button naming no row (an absurd index): nothing is left out.
    read = read_post(post_of(tree, "vi", op=f"drop_cond:{OWNER}.c.{'9' * 5000}"), "vi")
    assert read.definition["sections"][1]["fields"][2]["relevant"]["and"][1]["or"][0]["=="] is not None


def test_where_a_group_is_and_how_deep():
    assert group_at("sections.0.fields.1.relevant") == ("sections.0.fields.1.relevant", 1)
    assert group_at("sections.0.relevant.c.2.c.0") == ("sections.0.relevant", 3)
    assert too_deep(MAX_GROUP_DEPTH - 1) == []
    assert too_deep(MAX_GROUP_DEPTH)


def test_three_levels_read_naturally_in_both_languages():
    items = [
        {"field": "a.so", "op": ">", "value": "0"},
        {
            "join": "or",
            "items": [
                {"field": "b.ten", "op": "unanswered", "value": ""},
                {
                    "join": "and",
                    "items": [
                        {"field": "a.co", "op": "==", "value": "có"},
                        {"field": "a.hinh_thuc", "op": "not_chosen", "value": "truc_tiep"},
                    ],
                },
            ],
        },
    ]
    rule = rule_of_conditions("and", items, FIELDS, "vi")
    assert describe(rule, "required", field_infos(FORM, "vi"), "vi") == (
        "bắt buộc khi Số lượng > 0 và (Tên chưa được trả lời hoặc "
        "(Có mời cấp ủy = có và Hình thức không chọn “Trực tiếp”))"
    )
    assert describe(rule, "required", field_infos(FORM, "en"), "en") == (
        "required when Số lượng > 0 and (Tên is not answered or "
        "(Có mời cấp ủy = yes and Hình thức does not have “Trực tiếp” chosen))"
    )


@settings(max_examples=120, deadline=None)
@given(
    names=st.lists(
        st.lists(st.sampled_from(["c", "0", "1", "9" * 7, "join", "field", "op", "value", "pos", ""]), max_size=12),
        max_size=12,
    ),
    values=st.lists(st.sampled_from(["", "and", "or", "a.so", ">", "chosen", "1", "nhiều", "a.ngay"]), min_size=1),
    op=st.sampled_from(["check", f"drop_cond:{OWNER}.c.0", f"drop_cond:{OWNER}.c", "drop_cond:"]),
)
def test_any_post_under_a_rule_is_read_or_refused_never_raises(names, values, op):
    """Whatever names a client posts under a rule in builder mode: a rule, nothing, or a
    problem at the rule (a 4xx page), never an exception (a 500)."""
    pairs = [p for p in as_post(FORM, "en") if not p[0].startswith(OWNER)] + [(f"{OWNER}.mode", "builder")]
    for n, parts in enumerate(names):
        pairs.append((".".join([OWNER, *parts]), values[n % len(values)]))
    read = read_post([*pairs, ("op", op)], "en")
    rule = read.definition["sections"][1]["fields"][2].get("relevant")
    assert rule is None or isinstance(rule, dict) or OWNER in read.problems
