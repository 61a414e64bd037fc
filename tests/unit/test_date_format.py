"""The date grammar of ``checkround.formats.dates`` and the date limits of a form's field."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st
from marshmallow import ValidationError

from checkround.errors import AppError
from checkround.formats.dates import DateError, format_date, parse_date
from checkround.forms.compiler import compile_schema
from checkround.forms.definition import check_definition


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("14/06/2019", dt.date(2019, 6, 14)),
        ("14/6/2019", dt.date(2019, 6, 14)),
        ("4-6-2019", dt.date(2019, 6, 4)),
        ("14.06.2019", dt.date(2019, 6, 14)),
        (" 01/12/2019 ", dt.date(2019, 12, 1)),  # the day first: 1 December
        ("2019-06-14", dt.date(2019, 6, 14)),  # as a date picker posts it
        ("29/02/2020", dt.date(2020, 2, 29)),
    ],
)
def test_dates_are_read_day_first_or_iso(text: str, day: dt.date) -> None:
    assert parse_date(text) == day


@pytest.mark.parametrize(
    "text",
    ["06/14/2019", "31/06/2019", "29/02/2019", "14/06/19", "14/06-2019", "2019/06/14", "14 06 2019", "hôm nay", ""],
)
def test_other_texts_are_not_dates(text: str) -> None:
    with pytest.raises(DateError):
        parse_date(text)


def test_dates_are_shown_day_first() -> None:
    assert format_date("2019-06-04") == "04/06/2019"
    assert format_date(dt.date(2019, 12, 1)) == "01/12/2019"


@given(st.dates(min_value=dt.date(1000, 1, 1)))
def test_a_date_shown_in_an_input_reads_back_as_itself(day: dt.date) -> None:
    assert parse_date(format_date(day)) == day
    assert parse_date(day.isoformat()) == day


def _form(**limits: str) -> dict:
    field = {"key": "ngay", "type": "date", "label": {"vi": "Ngày"}, **limits}
    return {"id": "f", "title": {"vi": "F"}, "sections": [{"key": "s", "title": {"vi": "S"}, "fields": [field]}]}


def _refusal(definition: dict, value: str, language: str) -> list[str]:
    with pytest.raises(ValidationError) as refused:
        compile_schema(definition, language).load({"s": {"ngay": value}})
    messages: list[str] = refused.value.messages["s"]["ngay"]  # type: ignore[index,call-overload]
    return messages


def test_a_date_outside_the_fields_limits_says_which_limits() -> None:
    both = _form(min_date="2019-06-12", max_date="2019-06-20")
    assert _refusal(both, "2019-06-21", "vi") == ["Hãy chọn một ngày từ 12/06/2019 đến 20/06/2019."]
    assert _refusal(both, "2019-06-11", "en") == ["Choose a date from 12/06/2019 to 20/06/2019."]
    assert _refusal(_form(min_date="2019-06-12"), "2019-06-11", "vi") == ["Hãy chọn một ngày từ 12/06/2019 trở đi."]
    assert _refusal(_form(max_date="2019-06-20"), "2019-06-21", "en") == ["Choose a date on or before 20/06/2019."]
    for day in ("2019-06-12", "2019-06-20"):
        assert compile_schema(both).load({"s": {"ngay": day}}) == {"s": {"ngay": day}}


def test_date_limits_are_checked_when_the_form_is_saved() -> None:
    with pytest.raises(AppError) as refused:
        check_definition(_form(min_date="2019-06-20", max_date="2019-06-12"))
    assert "min_date" in str(refused.value.fields)
    with pytest.raises(AppError) as refused:
        check_definition(_form(min_date="12/06/2019"))
    assert "min_date" in str(refused.value.fields)
