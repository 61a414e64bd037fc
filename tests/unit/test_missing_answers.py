"""A required answer left empty says what to do for its kind of question (issue 15), the same
whether ``required`` is ``true`` or a rule, in Vietnamese and English, with the field's own limits
written as the language writes numbers and dates."""

from __future__ import annotations

import pytest

from checkround.forms.fieldtypes import REGISTRY
from tests.fieldtype_cases import CASES
from tests.unit.test_rules import errors, f, form

# Each kind's message for the example field of tests/fieldtype_cases.py.
EXPECTED_VI = {
    "text": "Nhập câu trả lời cho câu hỏi này.",
    "textarea": "Nhập câu trả lời cho câu hỏi này.",
    "email": "Nhập địa chỉ thư điện tử, ví dụ ten@donvi.vn.",
    "phone": "Nhập số điện thoại, ví dụ 0912 345 678.",
    "boolean": "Chọn “Có” hoặc “Không”.",
    "time": "Nhập giờ theo dạng giờ:phút, ví dụ 09:30.",
    "datetime": "Nhập ngày và giờ.",
    "select_one": "Chọn một câu trả lời.",
    "checklist": "Chọn kết quả và nhập điểm cho mục này.",
    "repeat": "Thêm ít nhất một mục.",
}


def _missing(type_name: str, options: dict, language: str = "vi", *, as_rule: bool = False) -> list[str]:
    required = {"==": [1, 1]} if as_rule else True
    definition = form(f("vidu", type_name, required=required, **options))
    return errors(definition, {"s": {}}, language)["s"]["vidu"]


ASKED = sorted(name for name, kind in REGISTRY.items() if not kind.computed)


@pytest.mark.parametrize("type_name", ASKED)
def test_every_kind_says_what_to_do_and_a_rule_says_the_same(type_name):
    options = CASES[type_name].example
    for language in ("vi", "en"):
        static = _missing(type_name, options, language)
        assert static == _missing(type_name, options, language, as_rule=True)
        assert static not in (["Hãy trả lời câu hỏi này."], ["Answer this question."]), (type_name, language)
    if type_name in EXPECTED_VI:
        assert _missing(type_name, options) == [EXPECTED_VI[type_name]]


def test_numbers_name_their_limits_as_the_language_writes_them():
    assert _missing("integer", {"min": 0, "max": 8}) == ["Nhập một số từ 0 đến 8."]
    assert _missing("decimal", {"min": 0, "max": 1250000.5}) == ["Nhập một số từ 0 đến 1.250.000,5."]
    assert _missing("decimal", {"min": 0, "max": 1250000.5}, "en") == ["Enter a number from 0 to 1,250,000.5."]
    assert _missing("integer", {"min": 1000}) == ["Nhập một số từ 1.000 trở lên."]
    assert _missing("decimal", {}) == ["Nhập một số."]
    assert _missing("rating", {"scale": 10}) == ["Chọn một mức từ 1 đến 10."]


def test_dates_and_lists_name_their_limits():
    assert _missing("date", {}) == ["Nhập ngày theo dạng ngày/tháng/năm, ví dụ 14/06/2019."]
    assert _missing("date", {"min_date": "2019-06-12", "max_date": "2019-06-20"}) == [
        "Hãy chọn một ngày từ 12/06/2019 đến 20/06/2019."
    ]
    choices = [{"value": v, "label": {"vi": v}} for v in ("a", "b", "c")]
    assert _missing("select_multiple", {"choices": choices}) == ["Chọn ít nhất một câu trả lời."]
    assert _missing("select_multiple", {"choices": choices, "min_items": 2}) == ["Phải chọn ít nhất 2 mục."]
