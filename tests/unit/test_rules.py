"""The form language beyond the first cut: repeat groups, more types, rules, shared choices."""

from __future__ import annotations

import copy

import pytest

from checkround.errors import AppError
from checkround.forms.compiler import compile_schema
from checkround.forms.definition import check_definition
from checkround.forms.rules import inspect_rule
from checkround.forms.validate import check_answers


def form(*fields, sections=None, **extra):
    definition = {
        "id": "mau-luat",
        "title": {"vi": "Mẫu có điều kiện"},
        "sections": sections or [{"key": "s", "title": {"vi": "Phần"}, "fields": list(fields)}],
        **extra,
    }
    return check_definition(definition)


def f(key, type_, **options):
    return {"key": key, "type": type_, "label": {"vi": key, "en": key}, **options}


def check(definition, answers, language="vi"):
    return check_answers(definition, compile_schema(definition, language), answers, language)


def errors(definition, answers, language="vi"):
    with pytest.raises(AppError) as caught:
        check(definition, answers, language)
    assert caught.value.code == "validation_failed"
    return caught.value.fields


PROJECTS = f(
    "cong_trinh",
    "repeat",
    min_items=1,
    max_items=3,
    fields=[
        f("ten", "text", required=True),
        f("gia_tri", "decimal", min=0),
        f("nguoi", "integer", min=0),
        f("binh_quan", "calculated", calculate={"/": [{"var": ["_item.gia_tri", 0]}, 40]}),
    ],
)


def test_repeat_group_items_and_counts():
    definition = form(PROJECTS)
    ok = check(definition, {"s": {"cong_trinh": [{"ten": "Đường thanh niên", "gia_tri": 120, "nguoi": 40}]}})
    assert ok.answers["s"]["cong_trinh"] == [{"ten": "Đường thanh niên", "gia_tri": 120.0, "nguoi": 40, "binh_quan": 3}]
    bad = errors(definition, {"s": {"cong_trinh": [{"ten": "A"}, {"gia_tri": -1}, {"ten": "C", "la": 1}]}}, "en")
    assert bad == {
        "s": {"cong_trinh": {1: {"ten": ["Type an answer to this question."],
                                 "gia_tri": ["Enter a number of at least 0."]},
                             2: {"la": ["The form has no such question."]}}}
    }  # fmt: skip
    assert errors(definition, {"s": {"cong_trinh": []}}, "en") == {"s": {"cong_trinh": ["Choose between 1 and 3."]}}
    too_many = [{"ten": str(i)} for i in range(4)]
    assert errors(definition, {"s": {"cong_trinh": too_many}}, "en") == {
        "s": {"cong_trinh": ["Choose between 1 and 3."]}
    }


def test_division_by_a_field_is_refused_at_save_time():
    """By zero the server fails where the browser answers Infinity (forms.rule_types)."""
    by_field = copy.deepcopy(PROJECTS)
    by_field["fields"][3]["calculate"] = {"/": [{"var": ["_item.gia_tri", 0]}, {"var": ["_item.nguoi", 0]}]}
    with pytest.raises(AppError) as caught:
        form(by_field)
    (message,) = caught.value.fields["sections"][0]["fields"][0]["fields"][3]["calculate"]
    assert "divide by a number other than 0" in str(message)


def test_division_by_zero_in_a_calculation_stores_nothing_for_it():
    """A form stored before rules were held to both engines may still divide by a field."""
    definition = form(PROJECTS)
    definition["sections"][0]["fields"][0]["fields"][3]["calculate"] = {
        "/": [{"var": "_item.gia_tri"}, {"var": "_item.nguoi"}]
    }
    ok = check(definition, {"s": {"cong_trinh": [{"ten": "A", "gia_tri": 5, "nguoi": 0}]}})
    assert ok.answers["s"]["cong_trinh"][0]["binh_quan"] is None


@pytest.mark.parametrize(
    ("field", "good", "bad", "message"),
    [
        (f("danh_gia", "rating", scale=5), 4, 6, "Enter a number from 1 to 5."),
        (f("thu", "email"), "bch@tinhdoan.vn", "bch@", "Not a valid e-mail address."),
        (f("dien_thoai", "phone"), "+84 203 3835 123", "goi em", "Not a valid phone number."),
        (f("gio", "time"), "08:30", "25:99", "Must be a valid time (HH:MM)."),
        (f("luc", "datetime"), "2019-06-14T09:30:00+07:00", "2019-06-14T09:30:00",
         "Must be a valid date and time with an offset (e.g. 2019-06-14T09:30+07:00)."),
    ],
)  # fmt: skip
def test_more_types(field, good, bad, message):
    definition = form(field)
    stored = check(definition, {"s": {field["key"]: good}}).answers["s"][field["key"]]
    assert stored == (
        "2019-06-14T02:30:00Z" if field["type"] == "datetime" else good if field["type"] != "time" else "08:30:00"
    )
    assert errors(definition, {"s": {field["key"]: bad}}, "en") == {"s": {field["key"]: [message]}}


def test_relevance_hides_drops_and_reports_ignored():
    definition = form(
        f("so_cong_trinh", "integer", min=0, required=True),
        f("ly_do", "text", required=True, relevant={"==": [{"var": ["s.so_cong_trinh", 0]}, 0]}),
    )
    shown = errors(definition, {"s": {"so_cong_trinh": 0}})
    assert shown == {"s": {"ly_do": ["Nhập câu trả lời cho câu hỏi này."]}}
    result = check(definition, {"s": {"so_cong_trinh": 3, "ly_do": "Không có kinh phí"}})
    assert result.answers == {"s": {"so_cong_trinh": 3}}
    assert result.ignored == ["s.ly_do"]
    # A hidden field's bad value is dropped too, not reported.
    assert check(definition, {"s": {"so_cong_trinh": 3, "ly_do": 12345}}).answers == {"s": {"so_cong_trinh": 3}}


def test_section_relevance():
    definition = form(
        sections=[
            {"key": "a", "title": {"vi": "A"}, "fields": [f("co_von_vay", "boolean", required=True)]},
            {
                "key": "b",
                "title": {"vi": "B"},
                "relevant": {"var": "a.co_von_vay"},
                "fields": [f("du_no", "decimal", required=True)],
            },
        ]
    )
    assert errors(definition, {"a": {"co_von_vay": True}}) == {"b": {"du_no": ["Nhập một số."]}}
    result = check(definition, {"a": {"co_von_vay": False}, "b": {"du_no": 10}})
    assert result.answers == {"a": {"co_von_vay": False}, "b": {}}
    assert result.ignored == ["b.du_no"]


def test_constraint_with_its_own_message_in_both_languages():
    definition = form(
        f("da_dai_hoi", "integer", min=0),
        f(
            "tong_so",
            "integer",
            min=0,
            constraint={">=": [{"var": "s.tong_so"}, {"var": "s.da_dai_hoi"}]},
            constraint_message={"vi": "Tổng số phải không nhỏ hơn số đã đại hội.", "en": "Total below those held."},
        ),
    )
    assert errors(definition, {"s": {"da_dai_hoi": 9, "tong_so": 5}}) == {
        "s": {"tong_so": ["Tổng số phải không nhỏ hơn số đã đại hội."]}
    }
    assert errors(definition, {"s": {"da_dai_hoi": 9, "tong_so": 5}}, "en") == {
        "s": {"tong_so": ["Total below those held."]}
    }
    assert check(definition, {"s": {"da_dai_hoi": 5, "tong_so": 9}}).answers["s"]["tong_so"] == 9


def test_required_as_a_rule():
    definition = form(
        f("tan_suat", "select_one", choices=[{"value": "thang", "label": {"vi": "Tháng"}},
                                            {"value": "khac", "label": {"vi": "Khác"}}]),
        f("ghi_ro", "text", required={"==": [{"var": "s.tan_suat"}, "khac"]}),
    )  # fmt: skip
    assert errors(definition, {"s": {"tan_suat": "khac"}}) == {"s": {"ghi_ro": ["Nhập câu trả lời cho câu hỏi này."]}}
    assert check(definition, {"s": {"tan_suat": "thang"}}).answers == {"s": {"tan_suat": "thang"}}


def test_calculated_total_is_computed_and_client_value_ignored():
    definition = form(
        f("a", "checklist", max_score=6),
        f("b", "checklist", max_score=4),
        f("tong", "calculated", calculate={"+": [{"var": ["s.a.score", 0]}, {"var": ["s.b.score", 0]}]}),
    )
    result = check(definition, {"s": {"a": {"status": "yes", "score": 5}, "b": {"status": "no"}, "tong": 100}})
    assert result.answers["s"]["tong"] == 5
    assert result.ignored == ["s.tong"]


@pytest.mark.parametrize(
    ("sent", "message"),
    [("abc", {"_schema": ["Must be a group of values (an object)."]}), (None, ["Answer this question."])],
)
def test_a_section_with_calculations_sent_as_no_object_is_its_own_error(sent, message):
    """It was a crash (a 500): the calculations wrote into whatever the section was."""
    definition = form(
        f("a", "checklist", max_score=6, required=True),
        f("tong", "calculated", calculate={"+": [{"var": ["s.a.score", 0]}]}),
    )
    assert errors(definition, {"s": sent}, "en") == {"s": message}


def test_calculation_chains_settle_in_any_order():
    definition = form(
        f("c", "calculated", calculate={"*": [{"var": ["s.b", 0]}, 2]}),
        f("b", "calculated", calculate={"+": [{"var": ["s.a", 0]}, 1]}),
        f("a", "integer"),
    )
    assert check(definition, {"s": {"a": 1}}).answers["s"] == {"a": 1, "b": 2, "c": 4}


def test_shared_choice_sets_are_resolved():
    definition = form(
        f("bao_cao", "select_one", choice_set="muc_do"),
        f("so_sach", "select_one", choice_set="muc_do"),
        choice_sets={"muc_do": [{"value": "day_du", "label": {"vi": "Đầy đủ"}},
                                {"value": "thieu", "label": {"vi": "Còn thiếu"}}]},
    )  # fmt: skip
    assert [c["value"] for c in definition["sections"][0]["fields"][1]["choices"]] == ["day_du", "thieu"]
    assert errors(definition, {"s": {"bao_cao": "khong"}}, "en") == {
        "s": {"bao_cao": ["Must be one of: day_du, thieu."]}
    }


def definition_errors(*fields, **extra):
    with pytest.raises(AppError) as caught:
        form(*fields, **extra)
    assert caught.value.code == "invalid_definition"
    return caught.value.fields["sections"][0]["fields"] if "sections" in caught.value.fields else caught.value.fields


def test_rule_on_an_unknown_field_is_refused_at_save_time():
    problems = definition_errors(f("a", "integer"), f("b", "text", relevant={">": [{"var": "s.khong_co"}, 1]}))
    assert problems == {1: {"relevant": ["The rule reads 's.khong_co', which is not a field of this form."]}}


def test_item_reads_outside_a_repeat_are_refused():
    problems = definition_errors(f("a", "integer", constraint={">": [{"var": "_item.a"}, 1]}))
    assert problems == {0: {"constraint": ["The rule reads '_item.a', which is not a field of this form."]}}


def test_calculation_loop_is_refused_at_save_time():
    problems = definition_errors(
        f("x", "calculated", calculate={"+": [{"var": "s.y"}, 1]}),
        f("y", "calculated", calculate={"+": [{"var": "s.x"}, 1]}),
    )
    assert set(problems) == {0, 1}
    assert problems[0]["calculate"][0].startswith("Calculations depend on each other in a loop: s.x → s.y → s.x")


def test_unsafe_or_malformed_rules_are_refused():
    deep = {"==": [1, 1]}
    for _ in range(30):
        deep = {"!": deep}
    problems = definition_errors(
        f("a", "integer", relevant={"eval": ["import os"]}),
        f("b", "integer", relevant=deep),
        f("c", "integer", relevant={"var": {"cat": ["s.", "a"]}}),
        f("d", "integer", required="yes"),
        f("e", "integer", relevant={"==": [1, 2], "!=": [1, 2]}),
    )
    assert problems[0] == {"relevant": ["Unknown or unsupported operator 'eval'."]}
    assert problems[1] == {"relevant": ["The rule is nested deeper than 24 levels."]}
    assert problems[2] == {"relevant": ["A var path must be a literal string."]}
    assert problems[3] == {"required": ["required must be true, false or a JSON Logic rule."]}
    assert problems[4] == {"relevant": ["Each rule object must have exactly one operator."]}


def test_structural_mistakes_of_the_new_types():
    problems = definition_errors(
        f("r", "repeat", fields=[f("inner", "repeat", fields=[f("x", "text")])]),
        f("c", "calculated"),
        f("k", "select_one", choice_set="khong_co"),
        f("t", "rating", scale=11),
        choice_sets={"muc_do": [{"value": "a", "label": {"vi": "A"}}]},
    )
    assert problems[0] == {"fields": {0: {"type": ["A repeat group cannot hold another repeat group."]}}}
    assert problems[1] == {"calculate": ["A calculated field needs a calculate rule."]}
    assert "scale" in problems[3]


def test_choices_beside_a_choice_set_must_be_the_sets_own():
    shared = {"muc_do": [{"value": "a", "label": {"vi": "A"}}]}
    problems = definition_errors(
        f("m", "select_one", choice_set="muc_do", choices=[{"value": "b", "label": {"vi": "B"}}]),
        choice_sets=shared,
    )
    assert problems == {0: {"choice_set": ["Give either choices or choice_set, not both."]}}
    # What the service stores (the set's choices inlined) can be sent back as it is.
    stored = form(f("m", "select_one", choice_set="muc_do"), choice_sets=shared)
    assert stored["sections"][0]["fields"][0]["choices"] == shared["muc_do"]
    assert check_definition(copy.deepcopy(stored)) == stored


def test_unknown_choice_set_name():
    problems = definition_errors(f("k", "select_one", choice_set="khong_co"))
    assert problems == {0: {"choice_set": ["Unknown choice set 'khong_co'."]}}


def test_inspect_rule_lists_reads_outside_item_scopes():
    rule = {"+": [{"var": "a.x"}, {"reduce": [{"var": "s.items"}, {"+": [{"var": "current.v"}, 1]}, 0]}]}
    info = inspect_rule(rule)
    assert info.problems == ()
    assert info.reads == ("a.x", "s.items")
