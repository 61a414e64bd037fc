"""The builder page's post: every definition reads back as itself, in both languages; the
buttons edit it; what cannot be read stays as typed and is reported at its input."""

from __future__ import annotations

import copy

import pytest

from checkround.errors import AppError
from checkround.forms.definition import check_definition
from checkround.forms.editing import (
    apply,
    as_post,
    carry_renames,
    conditions_of,
    flat_errors,
    option_kind,
    options_of,
    read_post,
    rule_of_conditions,
)
from checkround.forms.fieldtypes import REGISTRY
from tests.support import seed_form, small_form


def round_trip(definition, language):
    read = read_post(as_post(definition, language), language)
    carry_renames(read.definition, None)
    assert read.problems == {}
    return read.definition


@pytest.mark.parametrize("language", ["vi", "en"])
def test_the_seed_form_reads_back_as_itself(language):
    definition = seed_form()
    definition.setdefault("languages", ["vi", "en"])
    assert check_definition(round_trip(definition, language)) == check_definition(definition)


def test_the_forms_own_appearance_reads_back():
    form = small_form(appearance="pages")
    assert check_definition(round_trip(form, "vi"))["appearance"] == "pages"
    assert "appearance" not in round_trip(small_form(), "vi")


def test_every_option_of_every_type_has_an_editor():
    for entry in REGISTRY.values():
        kinds = dict(options_of({"type": entry.name}))
        assert entry.options <= kinds.keys(), entry.name
        assert all(
            kind
            in {"localized", "number", "integer", "date", "choices", "fields", "rule", "required", "select", "text"}
            for kind in kinds.values()
        )
    assert option_kind("max_score") == "number"
    assert option_kind("max_items") == "integer"
    assert option_kind("min_date") == "date"
    assert option_kind("unit") == "localized"
    assert option_kind("calculate") == "rule"
    assert option_kind("role") == "select"
    assert "role" not in dict(options_of({"type": "integer"}))


def test_numbers_and_dates_are_read_in_the_pages_language_and_bad_ones_kept():
    form = small_form()
    pairs = [(n, v) for n, v in as_post(form, "vi")]
    pairs = [(n, "1.234,5" if n == "sections.0.fields.3.min" else v) for n, v in pairs]
    pairs = [(n, "nhiều" if n == "sections.0.fields.2.max" else v) for n, v in pairs]
    read = read_post(pairs, "vi")
    assert read.definition["sections"][0]["fields"][3]["min"] == 1234.5
    assert read.definition["sections"][0]["fields"][2]["max"] == "nhiều"
    assert list(read.problems) == ["sections.0.fields.2.max"]
    assert read.problems["sections.0.fields.2.max"][0].vi == "Chưa đọc được số này."


def test_positions_reorder_sections_and_fields():
    pairs = as_post(small_form(), "vi")
    swapped = [(n, {"sections.0.pos": "1", "sections.1.pos": "0"}.get(n, v)) for n, v in pairs]
    read = read_post(swapped, "vi")
    assert [s["key"] for s in read.definition["sections"]] == ["b", "a"]


def test_a_changed_key_of_a_published_field_is_renamed_from_it():
    published = check_definition(small_form())
    pairs = [(n, "so_luong" if n == "sections.0.fields.2.key" else v) for n, v in as_post(small_form(), "vi")]
    read = read_post(pairs, "vi")
    carry_renames(read.definition, published)
    assert read.definition["sections"][0]["fields"][2]["renamed_from"] == "so"
    check_definition(read.definition)


def test_buttons_add_duplicate_remove_and_move():
    definition = check_definition(small_form())
    assert apply(definition, "add_section", "", "select_one") == "sections.2"
    assert definition["sections"][2]["fields"][0]["type"] == "select_one"
    assert apply(definition, "add_field", "sections.2", "checklist") == "sections.2.fields.1"
    assert apply(definition, "add_field", "sections.2", "repeat") == "sections.2.fields.2"
    assert apply(definition, "add_sub", "sections.2.fields.2", "repeat") == "sections.2.fields.2.fields.1"
    assert apply(definition, "add_choice", "sections.2.fields.0", "") == "sections.2.fields.0.choices.2"
    check_definition(copy.deepcopy({**definition, "sections": definition["sections"][:2]}))
    apply(definition, "dup", "sections.0.fields.2")
    assert [f["key"] for f in definition["sections"][0]["fields"]][2:4] == ["so", "so_2"]
    apply(definition, "up", "sections.0.fields.3")
    assert [f["key"] for f in definition["sections"][0]["fields"]][2:4] == ["so_2", "so"]
    apply(definition, "down", "sections.0.fields.2")
    apply(definition, "remove", "sections.0.fields.3")
    assert [f["key"] for f in definition["sections"][0]["fields"]][2:4] == ["so", "tien"]
    apply(definition, "down", "sections.0")
    assert [s["key"] for s in definition["sections"]][:2] == ["b", "a"]
    assert apply(definition, "remove", "sections.9.fields.0") is None
    assert apply(definition, "remove", "../etc") is None


def test_conditions_make_the_common_rules_and_read_them_back():
    fields = {f"a.{f['key']}": f for f in small_form()["sections"][0]["fields"]}
    rows = [
        {"field": "a.so", "op": ">", "value": "1.000"},
        {"field": "a.co", "op": "==", "value": "có"},
        {"field": "a.hinh_thuc", "op": "chosen", "value": "truc_tuyen"},
        {"field": "a.ngay", "op": "answered", "value": ""},
    ]
    rule = rule_of_conditions("or", rows, fields, "vi")
    assert rule == {
        "or": [
            # a compared read carries its type's empty answer (forms.rule_types)
            {">": [{"var": ["a.so", 0]}, 1000]},
            {"==": [{"var": ["a.co", False]}, True]},
            {"in": ["truc_tuyen", {"var": "a.hinh_thuc"}]},
            {"!!": {"var": "a.ngay"}},
        ]
    }
    join, back = conditions_of(rule)
    assert join == "or"
    assert [(c["field"], c["op"], c["value"]) for c in back] == [
        ("a.so", ">", 1000),
        ("a.co", "==", True),
        ("a.hinh_thuc", "chosen", "truc_tuyen"),
        ("a.ngay", "answered", None),
    ]
    assert conditions_of({"map": [1, 2]}) is None
    with pytest.raises(ValueError, match="nhiều"):
        rule_of_conditions("and", [{"field": "a.so", "op": ">", "value": "nhiều"}], fields, "vi")


def test_the_condition_builder_posts_a_rule():
    pairs = [p for p in as_post(small_form(), "vi") if not p[0].startswith("sections.1.fields.0.relevant")]
    pairs += [
        ("sections.1.fields.0.relevant.mode", "builder"),
        ("sections.1.fields.0.relevant.join", "and"),
        ("sections.1.fields.0.relevant.c.0.field", "a.so"),
        ("sections.1.fields.0.relevant.c.0.op", ">"),
        ("sections.1.fields.0.relevant.c.0.value", "0"),
    ]
    read = read_post(pairs, "vi")
    assert read.definition["sections"][1]["fields"][0]["relevant"] == {">": [{"var": ["a.so", 0]}, 0]}


def test_flat_errors_address_inputs_by_path():
    tree = {"sections": {0: {"fields": {2: {"max": ["x"]}}}}, "_schema": ["y"]}
    assert flat_errors(tree) == {"sections.0.fields.2.max": ["x"], "_schema": ["y"]}


def test_a_form_setting_every_declared_option_reads_back_as_itself():
    """An option added to the form language (at any level) reaches the editor by itself, or
    this fails: the form of every type and option that the XLSForm tests also use."""
    from tests.unit.test_xlsform import every_type_form

    definition = check_definition(every_type_form())
    # "required: false" is the editor's "not required", which it writes by leaving it out.
    for section in definition["sections"]:
        for f in section["fields"]:
            if f.get("required") is False:
                del f["required"]
    for language in ("vi", "en"):
        assert check_definition(round_trip(definition, language)) == definition


HUGE = "9" * 5000  # past Python's 4300-digit limit of int(): a ValueError, not a position


@pytest.mark.parametrize(
    "extra",
    [
        [(f"sections.{HUGE}.key", "b")],  # a numbered input no page draws
        [("op", f"remove:sections.0.fields.{HUGE}")],  # a button naming no element
        [("op", f"dup:sections.{HUGE}.fields.0")],
    ],
)
def test_a_post_with_an_absurd_index_is_read_not_a_crash(extra):
    # Anything a client posts to the editor: read (the page redraws), never an exception (a 500).
    form = small_form()
    read = read_post([*as_post(form, "en"), *extra], "en")
    apply(read.definition, read.op, read.target)
    assert len(read.definition["sections"]) == len(form["sections"])


@pytest.mark.parametrize("depth", [900, 990, 100_000])
def test_a_rule_nested_too_deep_is_a_problem_not_a_crash(depth):
    # 100 000 brackets: json.loads itself gives up (RecursionError); 990: it parses, and the
    # definition's own checks must refuse it rather than recurse into it.
    pairs = [*as_post(small_form(), "en"), ("sections.0.relevant.json", "[" * depth + "]" * depth)]
    read = read_post(pairs, "en")
    if "sections.0.relevant" in read.problems:
        return
    with pytest.raises(AppError) as caught:
        check_definition(read.definition)
    assert caught.value.code == "invalid_definition"
