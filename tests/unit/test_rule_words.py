"""Rules in words: the sentence an admin reads beside each rule, in Vietnamese and English."""

from __future__ import annotations

import pytest

from checkround.forms.definition import check_definition
from checkround.forms.rule_words import describe, field_infos
from tests.support import seed_form, small_form

FORM = check_definition(small_form())


def words(rule, kind="relevant", language="vi", definition=FORM, repeat=None):
    return describe(rule, kind, field_infos(definition, language, repeat), language)


@pytest.mark.parametrize(
    ("rule", "kind", "vi", "en"),
    [
        ({">": [{"var": "a.so"}, 0]}, "relevant", "hiện khi Số lượng > 0", "shown when Số lượng > 0"),
        ({"<": [5, {"var": "a.so"}]}, "relevant", "hiện khi Số lượng > 5", "shown when Số lượng > 5"),
        (
            {">=": [{"var": "a.tien"}, 1234.5]},
            "constraint",
            "hợp lệ khi Giá trị ≥ 1.234,5",
            "valid when Giá trị ≥ 1,234.5",
        ),
        (
            {"==": [{"var": "a.tan_suat"}, "quy"]},
            "required",
            "bắt buộc khi Tần suất là “Hằng quý”",
            "required when Tần suất is “Quarterly”",
        ),
        (
            {"in": ["truc_tuyen", {"var": "a.hinh_thuc"}]},
            "relevant",
            "hiện khi Hình thức có chọn “Trực tuyến”",
            "shown when Hình thức has “Trực tuyến” chosen",
        ),
        ({"!!": {"var": "b.ten"}}, "relevant", "hiện khi Tên đã được trả lời", "shown when Tên is answered"),
        ({"!": {"var": "b.ten"}}, "relevant", "hiện khi Tên chưa được trả lời", "shown when Tên is not answered"),
        ({"var": "a.co"}, "relevant", "hiện khi Có mời cấp ủy đã được trả lời", "shown when Có mời cấp ủy is answered"),
        (
            {
                "and": [
                    {">": [{"var": "a.so"}, 0]},
                    {"or": [{"==": [{"var": "a.co"}, True]}, {"<": [{"var": "a.tien"}, 10]}]},
                ]
            },
            "relevant",
            "hiện khi Số lượng > 0 và (Có mời cấp ủy = có hoặc Giá trị < 10)",
            "shown when Số lượng > 0 and (Có mời cấp ủy = yes or Giá trị < 10)",
        ),
        (
            {"==": [{"var": "a.ck1.status"}, "yes"]},
            "relevant",
            "hiện khi Mục 1 (kết quả) là “Đạt”",
            "shown when Mục 1 (result) is “Met”",
        ),
        (
            {"+": [{"var": ["a.ck1.score", 0]}, {"var": ["a.ck2.score", 0]}]},
            "calculate",
            "= Mục 1 (điểm) + Mục 2 (điểm)",
            "= Mục 1 (score) + Mục 2 (score)",
        ),
        (
            {"*": [{"+": [{"var": "a.so"}, 1]}, 2]},
            "calculate",
            "= (Số lượng + 1) × 2",
            "= (Số lượng + 1) × 2",
        ),
    ],
)
def test_common_rules_read_as_sentences_in_both_languages(rule, kind, vi, en):
    assert words(rule, kind, "vi") == vi
    assert words(rule, kind, "en") == en


def test_the_seed_forms_rules_are_said_with_its_labels():
    seed = check_definition(seed_form())
    rule = seed["sections"][6]["fields"][1]["constraint"]
    said = words(rule, "constraint", "vi", seed)
    assert said == (
        "hợp lệ khi Tổng số chi đoàn phải tổ chức đại hội chưa được trả lời hoặc "
        "Số chi đoàn đã tổ chức đại hội ≤ Tổng số chi đoàn phải tổ chức đại hội"
    )


def test_a_repeat_rows_rule_names_the_rows_own_fields():
    form = small_form()
    form["sections"][1]["fields"].append(
        {
            "key": "ds",
            "type": "repeat",
            "label": {"vi": "Danh sách"},
            "fields": [
                {"key": "ten", "type": "text", "label": {"vi": "Tên công trình", "en": "Project"}},
                {"key": "gia_tri", "type": "decimal", "label": {"vi": "Giá trị", "en": "Value"}},
            ],
        }
    )
    definition = check_definition(form)
    repeat = definition["sections"][1]["fields"][-1]
    assert words({">": [{"var": "_item.gia_tri"}, 0]}, "relevant", "en", definition, repeat) == "shown when Value > 0"


@pytest.mark.parametrize(
    "rule",
    [
        {"map": [{"var": "a.so"}, {"var": ""}]},  # an operator the sentences do not cover
        {">": [{"var": "a.khong_co"}, 0]},  # a field the form does not have
        {"cat": ["a", "b"]},
        [1, 2],
    ],
)
def test_what_cannot_be_said_falls_back_to_none(rule):
    assert words(rule) is None
