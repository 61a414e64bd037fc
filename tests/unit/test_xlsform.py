"""XLSForm workbooks: the lossless round trip, imports of workbooks made elsewhere (built here
with openpyxl the way Kobo, ODK and pyxform's examples lay them out), and refusals by sheet,
row and column."""

from __future__ import annotations

import io
import json
import re
import zipfile

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook

from checkround.errors import AppError
from checkround.forms.definition import check_definition
from checkround.forms.fieldtypes import REGISTRY
from checkround.forms.rules import evaluate, truthy
from checkround.forms.xlsform.convert import definition_from_workbook, workbook_from_definition
from checkround.forms.xlsform.expressions import ExpressionError, Ref, Scope, parse, to_cell
from checkround.forms.xlsform.layout import TYPE_IN, TYPE_OUT
from tests.fieldtype_cases import example_field
from tests.support import SCHEMAS, _yaml
from tests.unit.test_properties import definitions


def same(a, b):
    return json.dumps(a, sort_keys=True, ensure_ascii=False) == json.dumps(b, sort_keys=True, ensure_ascii=False)


def round_trip(definition, version=None):
    return definition_from_workbook(workbook_from_definition(definition, version), "en").definition


# -- the round trip --------------------------------------------------------------------------


@pytest.mark.parametrize("path", sorted(SCHEMAS.glob("*.yaml")), ids=lambda p: p.name)
def test_every_shipped_form_comes_back_the_same(path):
    definition = check_definition(_yaml(path))
    assert same(round_trip(definition, 1), definition)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(definitions())
def test_every_property_test_form_comes_back_the_same(raw):
    definition = check_definition(raw)
    assert same(round_trip(definition), definition)


def every_type_form():
    """One field of each registered type with every option it takes set, rules of each kind,
    a shared choice set, the same key in two sections, and texts that need care."""
    fields = [example_field(name, f"f_{name}") for name in REGISTRY]
    fields.append(example_field("select_one", "chon_chung") | {"choices": None} | {"choice_set": "muc"})
    for f in fields:
        f.pop("choices", None) if f.get("choices") is None else None
    fields[0] |= {
        "hint": {"vi": "Gợi ý 'nháy' và \"kép\"", "en": "Hint"},
        "required": {"==": [{"var": ["a.f_integer", 0]}, 3]},
        "relevant": {"and": [{">": [{"var": ["a.f_integer", 0]}, 0]}, {"in": ["a", {"var": "a.f_select_multiple"}]}]},
        "constraint": {"or": [{"!": [{"var": "a.f_text"}]}, {"==": [{"substr": [{"var": "a.f_text"}, 10]}, ""]}]},
        "constraint_message": {"vi": "Tối đa 10 ký tự", "en": "At most 10 characters"},
        "role": "strengths",
        "renamed_from": "ten_cu",
        "min_length": 2,
    }
    by_type = {f["type"]: f for f in fields}
    by_type["decimal"] |= {"min": -1.5, "max": 0.30000000000000004, "unit": {"vi": "tấn", "en": "tonnes"}}
    by_type["date"] |= {"min_date": "2019-01-01", "max_date": "2019-12-31"}
    by_type["select_multiple"] |= {"min_items": 1, "max_items": 2, "required": False}
    by_type["select_one"] |= {"appearance": "buttons"}
    by_type["checklist"] |= {"filled_by": "reviewer", "self_assessment": True, "score_rule": "free"}
    by_type["boolean"] |= {"filled_by": "reviewer", "shown_to_unit": False}
    by_type["repeat"] |= {
        "min_items": 0,
        "max_items": 5,
        "fields": [
            {"key": "ten", "type": "text", "label": {"vi": "Tên"}},
            {
                "key": "so",
                "type": "integer",
                "label": {"vi": "Số"},
                "relevant": {"!=": [{"var": ["_item.ten", ""]}, "x"]},
            },
        ],
    }
    by_type["calculated"]["calculate"] = {
        "if": [{">=": [{"reduce": [{"var": "a.f_select_multiple"}, {"+": [{"var": "accumulator"}, 1]}, 0]}, 2]}, 1, -2]
    }
    return {
        "id": "moi-loai",
        "title": {"vi": "Mọi loại", "en": "Every type"},
        "appearance": "pages",
        "description": {"vi": "Mô tả"},
        "choice_sets": {
            "muc": [{"value": "x", "label": {"vi": "X", "en": "Ex"}}, {"value": "1", "label": {"vi": "1"}}]
        },
        "sections": [
            {"key": "a", "title": {"vi": "Phần A", "en": "Part A"}, "fields": fields},
            {
                "key": "b",
                "filled_by": "reviewer",
                "shown_to_unit": True,
                "title": {"vi": "Phần B"},
                "description": {"vi": "Mô tả B", "en": "About B"},
                "relevant": {"!": [{"var": "a.f_text"}]},
                "fields": [example_field("text", "f_text"), example_field("integer", "khac")],
            },
        ],
    }


def _options_used(definitions_):
    """(level, option) of every option the definitions set, level "form", "section" or "field"."""
    used = set()
    for d in definitions_:
        used |= {("form", k) for k in d}
        for section in d["sections"]:
            used |= {("section", k) for k in section}
            for f in section["fields"]:
                used |= {("field", k) for k in f}
                used |= {("field", k) for sub in f.get("fields") or [] for k in sub}
    return used


def test_the_round_trip_forms_set_every_option_the_form_language_declares():
    """An option added to the meta-schema gets its column by itself; this makes the round-trip
    tests above set it, so its column is shown to read back the same."""
    from checkround.forms.definition import FieldDefSchema, FormDefinitionSchema, SectionSchema

    declared = {
        (level, f.data_key or name)
        for level, schema in (
            ("form", FormDefinitionSchema()),
            ("section", SectionSchema()),
            ("field", FieldDefSchema()),
        )
        for name, f in schema.fields.items()
    }
    corpus = [every_type_form(), *(_yaml(path) for path in sorted(SCHEMAS.glob("*.yaml")))]
    assert declared - _options_used(corpus) == set()


def test_every_type_and_option_comes_back_the_same():
    definition = check_definition(every_type_form())
    assert same(round_trip(definition), definition)


def test_rules_are_written_as_expressions_where_they_read_back_the_same():
    definition = check_definition(every_type_form())
    book = load_workbook(io.BytesIO(workbook_from_definition(definition)))
    survey = book["survey"]
    headers = [c.value for c in survey[1]]
    rows = [dict(zip(headers, r, strict=False)) for r in survey.iter_rows(min_row=2, values_only=True)]
    first = next(r for r in rows if r["name"] == "f_text" and r["relevant"])
    assert first["relevant"] == "${f_integer} > 0 and selected(${f_select_multiple}, 'a')"
    assert first["constraint"] == "string-length(.) <= 10"
    assert first["required"] == "${f_integer} = 3"
    # The same key in two sections: read by ${section.key}
    assert next(r for r in rows if r["name"] == "b")["relevant"] == "${a.f_text} = ''"
    sub = next(r for r in rows if r["name"] == "so")
    assert sub["relevant"] == "${ten} != 'x'"
    calc = next(r for r in rows if r["type"] == "calculate")
    assert calc["calculation"] == "if(count-selected(${f_select_multiple}) >= 2, 1, -2)"
    assert [c.value for c in book["settings"][1]][:3] == ["form_id", "version", "form_title"]
    assert book["settings"]["A2"].value == "moi-loai"
    assert "label::Tiếng Việt (vi)" in headers
    assert "label::English (en)" in headers


def test_every_registered_type_has_a_type_cell_that_reads_back():
    for name in REGISTRY:
        if name in ("select_one", "select_multiple", "repeat"):
            continue
        assert TYPE_IN[TYPE_OUT.get(name, name).lower()] == name


# -- expressions -----------------------------------------------------------------------------

_FIELDS = {
    "n": Ref("s.n", "integer"),
    "t": Ref("s.t", "text"),
    "m": Ref("s.m", "select_multiple"),
    "o": Ref("s.o", "select_one"),
}
SCOPE = Scope(
    fields=_FIELDS,
    qualified={ref.path: ref for ref in _FIELDS.values()},
    sections=frozenset({"s"}),
    current="s.t",
)


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        # A read in arithmetic or a comparison gets its type's default (forms.rule_types).
        ("${n} > 0", {">": [{"var": ["s.n", 0]}, 0]}),
        ("${n} = 1 or ${n} = 2 or ${n} = 3", {"or": [{"==": [{"var": ["s.n", 0]}, k]} for k in (1, 2, 3)]}),
        (
            "not(${n} <= 2) and ${t} != 'a'",
            {"and": [{"!": [{"<=": [{"var": ["s.n", 0]}, 2]}]}, {"!=": [{"var": ["s.t", ""]}, "a"]}]},
        ),
        ("${n} * 2 + 1 - 3", {"-": [{"+": [{"*": [{"var": ["s.n", 0]}, 2]}, 1]}, 3]}),
        ("${n} div 4 mod 3", {"%": [{"/": [{"var": ["s.n", 0]}, 4]}, 3]}),
        ("-${n} + -2.5", {"+": [{"-": [{"var": ["s.n", 0]}]}, -2.5]}),
        ("if(${n} >= 10, 'big', \"small\")", {"if": [{">=": [{"var": ["s.n", 0]}, 10]}, "big", "small"]}),
        ("selected(${m}, 'a')", {"in": ["a", {"var": "s.m"}]}),
        ("selected(${o}, 'a')", {"==": [{"var": ["s.o", ""]}, "a"]}),
        ("count-selected(${m}) > 1", {">": [{"reduce": [{"var": "s.m"}, {"+": [{"var": "accumulator"}, 1]}, 0]}, 1]}),
        (". != ''", {"!": [{"!": [{"var": "s.t"}]}]}),
        ("${n} = ''", {"!": [{"or": [{"var": "s.n"}, {"===": [{"var": ["s.n", 1]}, 0]}]}]}),
        ("coalesce(${n}, 0) + 1", {"+": [{"var": ["s.n", 0]}, 1]}),
        ("${s.n} > true()", {">": [{"var": ["s.n", 0]}, True]}),
        ("${n.score}", {"var": "s.n.score"}),
    ],
)
def test_expressions_translate_to_json_logic(text, rule):
    assert same(parse(text, SCOPE), rule)
    # …and the rule is written back as an expression that reads the same.
    assert same(parse(to_cell(rule, SCOPE), SCOPE), rule)
    assert not to_cell(rule, SCOPE).startswith("{")


@pytest.mark.parametrize(
    ("text", "value", "expected"),
    [
        ("string-length(.) > 3", "abcd", True),
        ("string-length(.) > 3", "abc", False),
        ("string-length(.) > 3", None, False),
        ("string-length(.) >= 3", "abc", True),
        ("string-length(.) <= 3", "abc", True),
        ("string-length(.) <= 3", "abcd", False),
        ("string-length(.) <= 3", None, True),
        ("string-length(.) < 3", "ab", True),
        ("string-length(.) < 3", "abc", False),
        ("string-length(.) = 3", "abc", True),
        ("string-length(.) = 3", "abcd", False),
        ("string-length(.) != 3", "ab", True),
        ("string-length(.) > 1", "Đoàn", True),
        (". = ''", "", True),
        (". = ''", None, True),
        (". = ''", "x", False),
        (". != ''", "x", True),
    ],
)
def test_translated_length_and_empty_rules_mean_what_xlsform_means(text, value, expected):
    rule = parse(text, SCOPE)
    assert truthy(evaluate(rule, {"s": {"t": value}})) is expected


# (A number field's answer is never False: its type is checked when it is saved.)
@pytest.mark.parametrize(("value", "expected"), [(0, False), (None, True), ("", True), (3, False)])
def test_a_number_is_empty_only_when_unanswered(value, expected):
    """JSON Logic's == takes 0 for "" in the browser: the translation compares strictly."""
    assert truthy(evaluate(parse("${n} = ''", SCOPE), {"s": {"n": value}})) is expected


@pytest.mark.parametrize(("answer", "expected"), [(["a", "b"], 2), (["a"], 1), ([], 0), (None, 0)])
def test_count_selected_counts_the_choices(answer, expected):
    assert evaluate(parse("count-selected(${m})", SCOPE), {"s": {"m": answer}}) == expected


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("${x} > 1", "unknown_name"),
        ("today() > 1", "unknown_function"),
        ("regex(., '[a-z]')", "unknown_function"),
        ("${n} >", "syntax"),
        ("string-length(.)", "length_alone"),
        ("string-length(.) > ${n}", "length_compare"),
        ("selected(${n}, 'a')", "needs_choice_field"),
        ("selected('a', 'a')", "needs_field"),
        ("if(1, 2)", "arity"),
        ("${n} = 1 = 2", "syntax"),
    ],
)
def test_expressions_outside_the_subset_are_refused(text, key):
    with pytest.raises(ExpressionError) as caught:
        parse(text, SCOPE)
    assert caught.value.key == key


RULES = st.recursive(
    st.integers(-5, 5) | st.sampled_from(["a", "it's", "", True, False, None, 2.5]) | st.just({"var": "s.n"}),
    lambda inner: st.one_of(
        *(
            st.lists(inner, min_size=2, max_size=3).map(lambda args, op=op: {op: args})
            for op in ("and", "or", "+", "*", "==", "!=", "<", ">=", "-", "/", "%", "if", "in", "cat", "max")
        ),
        inner.map(lambda x: {"!": [x]}),
        inner.map(lambda x: {"-": [x]}),
        inner.map(lambda x: {"!!": x}),
    ),
    max_leaves=8,
)


@settings(max_examples=300, deadline=None)
@given(RULES)
def test_any_rule_comes_back_from_its_cell_exactly(rule):
    from checkround.forms.xlsform.expressions import from_cell

    assert same(from_cell(to_cell(rule, SCOPE), SCOPE), rule)


# -- workbooks made elsewhere ----------------------------------------------------------------


def workbook(survey, choices=(), settings_rows=(), extra_sheets=()):
    """An XLSX of rows (the first row of each sheet is its header), as a spreadsheet writes it."""
    book = Workbook()
    sheet = book.active
    sheet.title = "survey"
    for row in survey:
        sheet.append(list(row))
    for title, rows in (("choices", choices), ("settings", settings_rows), *extra_sheets):
        if rows:
            made = book.create_sheet(title)
            for row in rows:
                made.append(list(row))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


KOBO_SURVEY = [
    ["type", "name", "label::English (en)", "label::Vietnamese (vi)", "hint::English (en)", "required", "relevant",
     "constraint", "constraint_message::English (en)", "calculation", "appearance", "$kuid", "$autoname"],
    ["begin_group", "household", "Household", "Hộ gia đình", None, None, None, None, None, None, "field-list", "k1", "household"],  # noqa: E501
    ["integer", "members", "How many members?", "Mấy người?", "Everyone who sleeps here", "true", None,
     ". > 0 and . < 40", "Between 1 and 39", None, None, "k2", "members"],
    ["select_one yes_no", "has_water", "Piped water?", "Có nước máy?", None, "yes", None, None, None, None, "minimal", "k3", None],  # noqa: E501
    ["begin_group", "water", "Water", "Nước", None, None, "${has_water} = 'yes'", None, None, None, None, "k4", None],
    ["decimal", "water_cost", "Monthly cost", "Chi phí", None, None, None, ". >= 0", None, None, None, "k5", None],
    ["select_multiple sources", "sources", "Sources", "Nguồn", None, None, None, "count-selected(.) <= 2", None, None, "horizontal", "k6", None],  # noqa: E501
    ["end_group", None, None, None, None, None, None, None, None, None, None, "k7", None],
    ["text", "notes", "Notes", "Ghi chú", None, None, "selected(${sources}, 'well') or ${members} > 5", "string-length(.) <= 200",  # noqa: E501
     None, None, "multiline", "k8", None],
    ["end_group", None, None, None, None, None, None, None, None, None, None, "k9", None],
    ["begin_repeat", "person", "Person", "Người", None, None, None, None, None, None, None, "k10", None],
    ["text", "pname", "Name", "Tên", None, "yes", None, None, None, None, None, "k11", None],
    ["integer", "age", "Age", "Tuổi", None, None, "${pname} != ''", ". >= 0", None, None, None, "k12", None],
    ["end_repeat", None, None, None, None, None, None, None, None, None, None, "k13", None],
    ["calculate", "cost_per_member", None, None, None, None, None, None, None,
     "if(${members} > 0, coalesce(${water_cost}, 0) div 12, 0)", None, "k14", None],
]  # fmt: skip
KOBO_CHOICES = [
    ["list_name", "name", "label::English (en)", "label::Vietnamese (vi)", "$autovalue"],
    ["yes_no", "yes", "Yes", "Có", "yes"],
    ["yes_no", "no", "No", "Không", "no"],
    ["sources", "well", "Well", "Giếng", None],
    ["sources", "river", "River", "Sông", None],
    ["sources", "rain", "Rain", "Nước mưa", None],
]
KOBO_SETTINGS = [
    ["form_title", "form_id", "version", "default_language"],
    ["Household survey", "ho-gia-dinh", "2", "English (en)"],
]


def test_a_kobo_workbook_with_nested_groups_and_a_repeat_is_imported():
    imported = definition_from_workbook(workbook(KOBO_SURVEY, KOBO_CHOICES, KOBO_SETTINGS), "en")
    d = imported.definition
    assert d["id"] == "ho-gia-dinh"
    assert d["title"] == {"en": "Household survey", "vi": "Household survey"}
    # household's own fields, then the group inside it as its own section, its relevance kept
    assert [s["key"] for s in d["sections"]] == ["household", "water", "main"]
    household, water, main = d["sections"]
    assert [f["key"] for f in household["fields"]] == ["members", "has_water", "notes"]
    assert water["relevant"] == {"==": [{"var": ["household.has_water", ""]}, "yes"]}
    members = household["fields"][0]
    assert members["label"] == {"en": "How many members?", "vi": "Mấy người?"}
    assert members["required"] is True
    assert members["constraint"] == {
        "and": [{">": [{"var": ["household.members", 0]}, 0]}, {"<": [{"var": ["household.members", 0]}, 40]}]
    }
    assert members["constraint_message"] == {"en": "Between 1 and 39", "vi": "Between 1 and 39"}
    assert household["fields"][1]["choices"][0] == {"value": "yes", "label": {"en": "Yes", "vi": "Có"}}
    # XLSForm's drop-down is this product's list
    assert household["fields"][1]["appearance"] == "list"
    notes = household["fields"][2]
    assert notes["type"] == "textarea"
    assert notes["relevant"] == {
        "or": [{"in": ["well", {"var": "water.sources"}]}, {">": [{"var": ["household.members", 0]}, 5]}]
    }
    person = main["fields"][0]
    assert person["type"] == "repeat"
    pname = {"var": "_item.pname"}
    assert person["fields"][1]["relevant"] == {"!": [{"!": [pname]}]}
    assert main["fields"][1]["type"] == "calculated"
    # Display hints of other tools are left out, and said so.
    assert {(i["row"], i["column"], i["value"]) for i in imported.ignored} == {
        (2, "appearance", "field-list"),
        (7, "appearance", "horizontal"),
    }


def test_a_rule_the_two_engines_compute_differently_is_refused_at_its_cell():
    """Dividing by a field: the server fails on 0 where the browser answers Infinity."""
    survey = [list(row) for row in KOBO_SURVEY]
    row = next(r for r in survey if r[0] == "calculate")
    row[survey[0].index("calculation")] = "coalesce(${water_cost}, 0) div ${members}"
    with pytest.raises(AppError) as caught:
        definition_from_workbook(workbook(survey, KOBO_CHOICES, KOBO_SETTINGS), "en")
    (message,) = caught.value.fields["survey"][survey.index(row) + 1]["calculation"]
    assert "divide by a number other than 0" in str(message)


def test_an_odk_workbook_without_groups_or_languages_is_one_section():
    survey = [
        ["type", "name", "label", "hint", "required", "relevant", "constraint"],
        ["text", "name", "What is your name?", "Full name", "yes", None, "string-length(.) >= 2"],
        ["integer", "age", "How old are you?", None, "yes", None, ". >= 0 and . <= 120"],
        ["select_one yn", "likes_pizza", "Do you like pizza?", None, None, "${age} >= 3", None],
        ["select all that apply toppings", "favorite_toppings", "Favorite toppings", None, None,
         "${likes_pizza} = 'yes'", None],
        ["date", "visit", "Visit date", None, None, None, None],
        ["dateTime", "seen_at", "Seen at", None, None, None, None],
    ]  # fmt: skip
    choices = [
        ["list name", "name", "label"],
        ["yn", "yes", "Yes"],
        ["yn", "no", "No"],
        ["toppings", "cheese", "Cheese"],
    ]
    settings_rows = [["form_title", "form_id"], ["Pizza", "pizza"]]
    d = definition_from_workbook(workbook(survey, choices, settings_rows), "en").definition
    (section,) = d["sections"]
    assert section["key"] == "main"
    assert section["title"] == {"vi": "Pizza"}
    assert [f["type"] for f in section["fields"]] == [
        "text",
        "integer",
        "select_one",
        "select_multiple",
        "date",
        "datetime",
    ]
    assert section["fields"][3]["relevant"] == {"==": [{"var": ["main.likes_pizza", ""]}, "yes"]}


def test_a_list_several_fields_use_becomes_a_shared_choice_set():
    survey = [
        ["type", "name", "label"],
        ["select_one yn", "a", "A?"],
        ["select_one yn", "b", "B?"],
        ["select_one other", "c", "C?"],
    ]
    choices = [["list_name", "name", "label"], ["yn", "yes", "Yes"], ["yn", "no", "No"], ["other", "x", "X"]]
    d = definition_from_workbook(workbook(survey, choices, [["form_id"], ["chung"]]), "en").definition
    assert list(d["choice_sets"]) == ["yn"]
    a, b, c = d["sections"][0]["fields"]
    assert a["choice_set"] == b["choice_set"] == "yn"
    assert c["choices"] == [{"value": "x", "label": {"vi": "X"}}]
    assert "choice_set" not in c


def test_the_id_parameter_names_the_form():
    book = workbook([["type", "name", "label"], ["text", "a", "A"]])
    assert definition_from_workbook(book, "en", form_id="ten-khac").definition["id"] == "ten-khac"


# -- refusals --------------------------------------------------------------------------------


def refused(data, language="en", **kwargs):
    with pytest.raises(AppError) as caught:
        definition_from_workbook(data, language, **kwargs)
    assert caught.value.code == "invalid_xlsform"
    assert caught.value.status == 422
    return caught.value.fields


def test_everything_outside_the_product_is_refused_at_once_by_sheet_row_and_column():
    survey = [
        ["type", "name", "label", "relevant", "constraint", "default", "media::image", "$kuid"],
        ["start", "start", None, None, None, None, None, "a"],
        ["note", "intro", "Welcome", None, None, None, None, "b"],
        ["geopoint", "where", "Where?", None, None, None, None, "c"],
        ["integer", "n", "N", "today() > ${n}", None, "3", None, "d"],
        ["text", "t", "T", None, "regex(., '[a-z]+')", None, "pic.png", "e"],
        ["select_one nowhere", "s", "S", "${missing} = 1", None, None, None, "f"],
    ]
    fields = refused(workbook(survey, settings_rows=[["form_id"], ["mau"]]))
    survey_errors = fields["survey"]
    assert "start" in survey_errors[2]["type"][0]
    assert "note" in survey_errors[3]["type"][0]
    assert "geopoint" in survey_errors[4]["type"][0]
    assert "today()" in survey_errors[5]["relevant"][0]
    assert "default" in survey_errors[5]["default"][0]
    assert "regex()" in survey_errors[6]["constraint"][0]
    assert "media::image" in survey_errors[6]["media::image"][0]
    assert "nowhere" in survey_errors[7]["type"][0]
    assert "missing" in survey_errors[7]["relevant"][0]
    assert "$kuid" not in json.dumps(fields)


def test_refusals_are_in_the_readers_language():
    book = workbook([["type", "name", "label"], ["note", "x", "X"]], settings_rows=[["form_id"], ["mau"]])
    assert refused(book, "vi")["survey"][2]["type"] == [
        "Loại 'note' không có trong sản phẩm này; hãy đổi sang loại khác hoặc xóa dòng."
    ]
    assert refused(book, "en")["survey"][2]["type"] == [
        "The type 'note' has no counterpart in this product; change it or delete the row."
    ]


def test_the_forms_own_checks_are_put_on_the_cells_they_came_from():
    survey = [
        ["type", "name", "label::English (en)", "max_score", "min", "max"],
        ["begin group", "phan", "Part", None, None, None],
        ["checklist", "muc", "Item", None, None, None],
        ["integer", "so", "Number", None, 10, 2],
        ["integer", "so", "Again", None, None, None],
        ["text", "Bad Name", "Name", None, None, None],
        ["end group", None, None, None, None, None],
    ]
    fields = refused(workbook(survey, settings_rows=[["form_id"], ["Mau_Sai"]]))
    assert fields["survey"][3]["max_score"]
    assert fields["survey"][4]["min"]
    assert fields["survey"][5]["name"]
    assert fields["survey"][6]["name"]
    assert fields["settings"][2]["form_id"]


def test_structure_mistakes_are_refused_where_they_are():
    survey = [
        ["type", "name", "label"],
        ["begin repeat", "r", "R"],
        ["begin repeat", "r2", "R2"],
        ["text", "a", "A"],
        ["end repeat", None, None],
        ["end group", None, None],
        ["begin group", "g", "G"],
        ["text", "b", "B"],
    ]
    fields = refused(workbook(survey, settings_rows=[["form_id"], ["mau"]]))
    assert fields["survey"][3]["type"]  # a repeat in a repeat
    assert fields["survey"][6]["type"]  # end group closes a repeat
    assert fields["survey"][2]["type"] or fields["survey"][7]["type"]  # left open


def test_labels_in_a_language_the_form_does_not_speak_are_refused():
    survey = [["type", "name", "label::Français (fr)"], ["text", "a", "A"]]
    fields = refused(workbook(survey, settings_rows=[["form_id"], ["mau"]]))
    assert "Français (fr)" in fields["survey"][1]["label::Français (fr)"][0]


@pytest.mark.parametrize("data", [b"", b"not a zip", b"PK\x03\x04rest", workbook([["x"]])[:200]])
def test_bytes_that_are_no_workbook_are_a_422(data):
    assert "workbook" in refused(data)


def test_a_workbook_without_a_survey_sheet_is_refused():
    book = Workbook()
    book.active.title = "other"
    buffer = io.BytesIO()
    book.save(buffer)
    assert refused(buffer.getvalue())["survey"][1]["type"]


def test_a_form_id_is_needed():
    assert refused(workbook([["type", "name", "label"], ["text", "a", "A"]]))["settings"][2]["form_id"]


def test_a_sheet_over_the_row_limit_is_refused(monkeypatch):
    from checkround.forms.xlsform import read

    monkeypatch.setattr(read, "MAX_ROWS", 3)
    rows = [["type", "name", "label"], *(["text", f"t{i}", "T"] for i in range(4))]
    assert "3" in refused(workbook(rows, settings_rows=[["form_id"], ["mau"]]))["survey"][1]["type"][0]


def test_a_workbook_that_unpacks_past_the_limit_is_refused_before_it_is_read(monkeypatch):
    from checkround.forms.xlsform import read

    monkeypatch.setattr(read, "MAX_UNPACKED_BYTES", 1000)
    fields = refused(workbook([["type", "name", "label"], ["text", "a", "A"]]))
    assert fields == {"workbook": {0: {"workbook": ["The workbook is larger than 1000 bytes once unpacked."]}}}


def test_rows_past_a_wrong_dimension_and_after_blank_rows_keep_their_numbers():
    book = Workbook()
    sheet = book.active
    sheet.title = "survey"
    sheet.append(["type", "name", "label"])
    sheet["A6"], sheet["B6"] = "note", "n"
    buffer = io.BytesIO()
    book.save(buffer)
    # The sheet says it ends at row 1, as some writers wrongly say.
    rewritten = io.BytesIO()
    with zipfile.ZipFile(buffer) as source, zipfile.ZipFile(rewritten, "w") as target:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                content, count = re.subn(rb'<dimension ref="A1:C6"\s*/>', b'<dimension ref="A1:C1"/>', content)
                assert count == 1
            target.writestr(item, content)
    assert "note" in refused(rewritten.getvalue(), form_id="mau")["survey"][6]["type"][0]


def test_the_forms_own_checks_are_in_the_readers_language_too():
    survey = [["type", "name", "label"], ["checklist", "muc", "Mục"], ["integer", "so", "Số"]]
    with pytest.raises(AppError) as caught:
        definition_from_workbook(workbook(survey, settings_rows=[["form_id"], ["mau"]]), "vi")
    vi = caught.value.to_body("vi")["error"]
    en = caught.value.to_body("en")["error"]
    assert vi["fields"]["survey"][2]["max_score"] != en["fields"]["survey"][2]["max_score"]
    assert "max_score" in en["fields"]["survey"][2]["max_score"][0]
    assert "điểm tối đa" in vi["fields"]["survey"][2]["max_score"][0].lower()


@pytest.mark.parametrize(
    ("row", "column"),
    [
        (["select_one yn or_other", "a", "A", None, None], "type"),
        (["select_one_from_file places.csv", "a", "A", None, None], "type"),
        (["select_one yn", "a", "A", "${x} = 1", None], "choice_filter"),
        (["begin repeat", "a", "A", None, "3"], "repeat_count"),
    ],
)
def test_xlsform_features_this_product_lacks_are_refused_at_their_cell(row, column):
    survey = [["type", "name", "label", "choice_filter", "repeat_count"], row]
    if row[0] == "begin repeat":
        survey += [["text", "b", "B", None, None], ["end repeat", None, None, None, None]]
    choices = [["list_name", "name", "label"], ["yn", "yes", "Yes"]]
    fields = refused(workbook(survey, choices, [["form_id"], ["mau"]]))
    assert column in fields["survey"][2]


HEADERS = ["type", "name", "label", "label::English (en)", "hint", "required", "relevant", "constraint"]
HEADERS += ["calculation", "appearance", "max_score", "min", "min_items", "choice_filter", "label::x", "$kuid", ""]
CELL = st.one_of(
    st.none(),
    st.sampled_from(
        [
            *("text", "integer", "select_one l", "select_multiple l", "begin group", "end group", "begin repeat"),
            *("end repeat", "calculate", "checklist", "note", "a", "b", "${a}", ". > 1", "${b} = ''", "yes", "{"),
            *("[1]", "count-selected(${a})", "string-length(.) > 2", "selected(${a}, 'x')", "if(", "${a.b.c}"),
            "minimal",
        ]
    ),
    st.integers(-3, 3),
    st.floats(allow_nan=True),
    st.booleans(),
    st.text(st.characters(exclude_categories=("Cc", "Cs")), max_size=6),  # a cell holds no control character
)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(st.sampled_from(HEADERS), min_size=1, max_size=8),
    st.lists(st.lists(CELL, max_size=8), max_size=12),
    st.lists(st.lists(CELL, max_size=3), max_size=4),
)
def test_no_workbook_is_anything_but_a_form_or_a_refusal(headers, rows, choice_rows):
    choices = [["list_name", "name", "label"], *(["l", *row] for row in choice_rows)]
    data = workbook([headers, *rows], choices, [["form_id"], ["mau"]])
    assert outcome(data) in ("imported", "invalid_xlsform")


def outcome(data):
    """What an import of ``data`` came to: "imported", or the refusal's code (any other
    exception escapes, and fails the test)."""
    try:
        definition_from_workbook(data, "en")
    except AppError as exc:
        return exc.code
    return "imported"


def test_a_workbook_whose_xml_declares_entities_is_refused():
    """An entity expansion ("billion laughs") in a sheet: openpyxl reads through defusedxml,
    which refuses any entity declaration, so the workbook is refused before it expands."""
    import openpyxl.xml

    assert openpyxl.xml.DEFUSEDXML
    buffer = io.BytesIO(workbook([["type", "name", "label"], ["text", "a", "A"]]))
    bomb = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>'
    rewritten = io.BytesIO()
    with zipfile.ZipFile(buffer) as source, zipfile.ZipFile(rewritten, "w") as target:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                body = content.split(b"?>", 1)[1] if content.startswith(b"<?xml") else content
                content = bomb + body.replace(b"<sheetData>", b"<sheetData><!-- &b; -->", 1)
            target.writestr(item, content)
    assert "workbook" in refused(rewritten.getvalue(), form_id="mau")


def test_a_key_used_in_two_sections_is_read_by_its_section_and_by_a_dot():
    survey = [
        ["type", "name", "label", "constraint", "relevant"],
        ["begin group", "a", "A", None, None],
        ["select_multiple l", "chon", "Chọn", "count-selected(.) <= 2", None],
        ["end group", None, None, None, None],
        ["begin group", "b", "B", None, None],
        ["select_multiple l", "chon", "Chọn", "not(selected(., 'x'))", "selected(${a.chon}, 'x')"],
        ["end group", None, None, None, None],
    ]
    choices = [["list_name", "name", "label"], ["l", "x", "X"], ["l", "y", "Y"]]
    d = definition_from_workbook(workbook(survey, choices, [["form_id"], ["mau"]]), "en").definition
    first, second = (s["fields"][0] for s in d["sections"])
    assert first["constraint"] == {"<=": [{"reduce": [{"var": "a.chon"}, {"+": [{"var": "accumulator"}, 1]}, 0]}, 2]}
    assert second["constraint"] == {"!": [{"in": ["x", {"var": "b.chon"}]}]}
    assert second["relevant"] == {"in": ["x", {"var": "a.chon"}]}
    # ${chon} alone says neither: refused with a hint to name the section
    survey[5][4] = "selected(${chon}, 'x')"
    fields = refused(workbook(survey, choices, [["form_id"], ["mau"]]))
    assert "${section.chon}" in fields["survey"][6]["relevant"][0]


def test_a_form_over_the_field_limit_is_refused_on_the_survey_sheet():
    rows = [["type", "name", "label"], *(["integer", f"n{i}", "N"] for i in range(6))]
    fields = refused(workbook(rows, settings_rows=[["form_id"], ["mau"]]), max_fields=5)
    assert "5" in fields["survey"][1]["type"][0]


@pytest.mark.parametrize(
    ("style", "appearance", "ignored"), [("pages", "pages", []), ("theme-grid", None, ["theme-grid"])]
)
def test_the_settings_style_pages_is_a_form_shown_a_section_a_page(style, appearance, ignored):
    book = workbook(
        [["type", "name", "label"], ["text", "a", "A"]], settings_rows=[["form_id", "style"], ["mau", style]]
    )
    imported = definition_from_workbook(book, "en")
    assert imported.definition.get("appearance") == appearance
    assert [i["value"] for i in imported.ignored] == ignored


@pytest.mark.parametrize(
    "relevant",
    [
        "[" * 20_000,  # a JSON cell deeper than json.loads goes
        "[" * 990 + "]" * 990,  # parses, deeper than the definition's checks encode
        "(" * 3000 + "1 = 1" + ")" * 3000,  # an expression deeper than the parser's transformer
        "not(" * 2000 + "true()" + ")" * 2000,
    ],
)
def test_a_cell_nested_absurdly_deep_is_a_problem_of_its_cell_not_a_crash(relevant):
    survey = [["type", "name", "label", "relevant"], ["text", "a", "A", None], ["text", "b", "B", relevant]]
    with pytest.raises(AppError) as caught:
        definition_from_workbook(workbook(survey), "en")
    assert caught.value.code == "invalid_xlsform"
