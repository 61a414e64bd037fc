"""The compiled schema accepts what the form allows and reports the rest in marshmallow's shape."""

from __future__ import annotations

import pytest
import yaml

from checkround.errors import AppError
from checkround.forms.compiler import CACHE, compile_schema
from checkround.forms.definition import check_definition
from checkround.forms.fillers import reviewer_part, unit_part
from checkround.forms.validate import check_answers
from tests.support import SCHEMAS, SEED_UNITS, seed_answers, seed_form, small_form


def validate_answers(schema, answers, language="vi", definition=None, draft=False):
    return check_answers(definition or check_definition(small_form()), schema, answers, language, draft).answers


@pytest.fixture(scope="module")
def definition():
    return check_definition(small_form())


def fails(definition, answers, language="vi", draft=False):
    with pytest.raises(AppError) as caught:
        validate_answers(compile_schema(definition, language, draft), answers, language, definition, draft)
    assert caught.value.code == "validation_failed"
    return caught.value.fields


@pytest.mark.parametrize("unit_id", [u for u in SEED_UNITS if u != "ba-che"])
def test_every_seed_answer_file_is_valid(unit_id):
    # A unit sends its part of the form; the inspection team's part is in seed/assessments.
    definition = unit_part(check_definition(seed_form()))
    cleaned = validate_answers(compile_schema(definition), seed_answers(unit_id), definition=definition)
    assert cleaned["chuong_trinh"]["xay_dung_chuong_trinh"]["status"] in ("yes", "partial", "no")
    assert "doan_kiem_tra" not in cleaned


@pytest.mark.parametrize("unit_id", [u for u in SEED_UNITS if u != "ba-che"])
def test_every_seed_assessment_file_is_valid(unit_id):
    definition = reviewer_part(check_definition(seed_form()))
    answers = yaml.safe_load((SCHEMAS / "seed" / "assessments" / f"{unit_id}.yaml").read_text(encoding="utf-8"))
    cleaned = validate_answers(compile_schema(definition), answers, definition=definition)
    assert cleaned["doan_kiem_tra"]["han_che"]
    assert "so_cong_trinh" not in cleaned["chuong_trinh"]  # the unit's facts are not the team's


def test_values_are_converted_and_dates_kept_as_iso_strings(definition):
    cleaned = validate_answers(
        compile_schema(definition),
        {"a": {"ck1": {"status": "yes", "score": "9"}, "so": "12", "ngay": "2019-06-14", "co": "true"}},
    )
    assert cleaned["a"] == {"ck1": {"status": "yes", "score": 9.0}, "so": 12, "ngay": "2019-06-14", "co": True}


def test_missing_required_field_in_an_omitted_section(definition):
    assert fails(definition, {}) == {"a": {"ck1": ["Chọn kết quả và nhập điểm cho mục này."]}}


def test_nested_errors_in_vietnamese_and_english(definition):
    answers = {
        "a": {
            "ck1": {"status": "maybe", "score": 11},
            "so": -1,
            "tien": "nhiều",
            "ngay": "2019-13-40",
            "tan_suat": "nam",
            "hinh_thuc": ["truc_tiep", "thu_tay"],
            "la": 1,
        },
        "b": {"ten": "x" * 21},
        "c": {},
    }
    vi = fails(definition, answers)
    assert vi["a"]["ck1"] == {
        "status": ["Chọn kết quả cho mục này."],
        "score": ["Nhập điểm từ 0 đến 10."],
    }
    assert vi["a"]["so"] == ["Nhập một số từ 0 đến 1000."]
    assert vi["a"]["tien"] == ["Phải là một số."]
    assert vi["a"]["ngay"] == ["Phải là một ngày hợp lệ (YYYY-MM-DD)."]
    assert vi["a"]["tan_suat"] == ["Phải là một trong các lựa chọn: thang, quy."]
    assert vi["a"]["hinh_thuc"] == ["Có lựa chọn không nằm trong danh sách: truc_tiep, truc_tuyen."]
    assert vi["a"]["la"] == ["Biểu mẫu không có câu hỏi này."]
    assert vi["b"]["ten"] == ["Không được quá 20 ký tự."]
    assert vi["c"] == ["Biểu mẫu không có câu hỏi này."]
    en = fails(definition, answers, language="en")
    assert en["a"]["so"] == ["Enter a number from 0 to 1000."]
    assert en["a"]["la"] == ["The form has no such question."]


def test_wrong_shapes_are_errors_not_crashes(definition):
    assert fails(definition, {"a": 5}) == {"a": {"_schema": ["Phải là một nhóm giá trị (object)."]}}
    assert fails(definition, {"a": {"ck1": "yes"}})["a"]["ck1"] == {"_schema": ["Phải là một nhóm giá trị (object)."]}
    assert fails(definition, [1]) == {"answers": ["Phải là một nhóm giá trị (object)."]}
    assert fails(definition, {"a": {"ck1": {"status": "yes", "score": float("nan")}}})["a"]["ck1"]["score"]


def test_draft_mode_checks_types_but_not_required(definition):
    schema = compile_schema(definition, draft=True)
    assert validate_answers(schema, {"a": {"so": 3}}, draft=True) == {"a": {"so": 3}, "b": {}}
    assert fails(definition, {"a": {"so": "ba"}}, draft=True) == {"a": {"so": ["Phải là một số nguyên."]}}


def test_cache_returns_the_same_schema_per_version_and_language(definition):
    first = CACHE.get("mau-nho", 1, definition, "vi", False)
    assert CACHE.get("mau-nho", 1, definition, "vi", False) is first
    assert CACHE.get("mau-nho", 1, definition, "en", False) is not first
    assert CACHE.get("mau-nho", 2, definition, "vi", False) is not first


def test_integers_beyond_what_firestore_stores_are_refused(definition):
    huge = {"a": {"ck1": {"status": "yes", "score": 1}, "so": 10**30}}
    loose = check_definition(small_form())
    del loose["sections"][0]["fields"][2]["max"]
    assert fails(loose, huge) == {"a": {"so": ["Số quá lớn."]}}


@pytest.mark.parametrize("language", ["vi", "en"])
@pytest.mark.parametrize("value", ["9999-12-31T23:59:59-12:00", "0001-01-01T00:00:00+14:00"])
def test_a_datetime_past_the_calendar_once_in_utc_is_invalid_not_a_crash(value, language):
    """The last (or first) day of the calendar with an offset is an instant past year 9999 (or
    before year 1) in UTC, where it is stored: an OverflowError, a 500, before."""
    form = small_form()
    form["sections"][0]["fields"].append({"key": "luc", "type": "datetime", "label": {"vi": "Lúc"}})
    definition = check_definition(form)
    answers = {"a": {"ck1": {"status": "yes", "score": 9}, "luc": value}}
    said = "Phải là thời điểm hợp lệ" if language == "vi" else "Must be a valid date and time"
    assert fails(definition, answers, language)["a"]["luc"][0].startswith(said)
    edge = {"a": {"ck1": {"status": "yes", "score": 9}, "luc": "9999-12-31T23:59:59+00:00"}}
    assert (
        validate_answers(compile_schema(definition), edge, definition=definition)["a"]["luc"] == "9999-12-31T23:59:59Z"
    )


@pytest.mark.parametrize(("language", "said"), [("vi", "Mỗi lựa chọn chỉ được chọn một lần."), ("en", "Each choice")])
def test_a_choice_picked_twice_is_refused(definition, language, said):
    """["a", "a"] counted twice in the summary and met min_items with one choice."""
    picked = fails(
        definition, {"a": {"ck1": {"status": "yes", "score": 9}, "hinh_thuc": ["truc_tiep", "truc_tiep"]}}, language
    )
    assert picked["a"]["hinh_thuc"][0].startswith(said)
