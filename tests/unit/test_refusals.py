"""A refused body says what was refused: a unit, a round, a reopening, links, a return or a
report, in Vietnamese and English, while the code stays ``validation_failed``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from checkround.errors import CATALOG, AppError
from checkround.rounds import admin_tokens
from checkround.rounds import service as rounds
from checkround.submissions import service as submissions
from tests.support import memory_context
from tests.unit.test_services import make_round

Call = Callable[[Any, dict[str, Any]], object]

CASES: dict[str, tuple[Call, str, str]] = {
    "unit": (
        lambda ctx, units: rounds.put_unit(ctx, "u9", {"name": ""}),
        "Thông tin đơn vị có trường chưa hợp lệ.",
        "Some of the unit's fields are not valid.",
    ),
    "round": (
        lambda ctx, units: rounds.create_round(ctx, {"title": {"vi": "Đợt 2"}}),
        "Thông tin đợt kiểm tra có trường chưa hợp lệ.",
        "Some of the round's fields are not valid.",
    ),
    "round (unknown form)": (
        lambda ctx, units: rounds.create_round(
            ctx,
            {
                "id": "r2",
                "title": {"vi": "Đợt 2"},
                "form_id": "khong-co",
                "unit_ids": ["u1"],
                "opens_at": "2026-01-01T00:00:00Z",
                "closes_at": "2026-02-01T00:00:00Z",
            },
        ),
        "Thông tin đợt kiểm tra có trường chưa hợp lệ.",
        "Some of the round's fields are not valid.",
    ),
    "reopen": (
        lambda ctx, units: rounds.reopen_round(ctx, "r1", {"grace_minutes": -1}),
        "Yêu cầu mở lại đợt kiểm tra có trường chưa hợp lệ.",
        "Some fields of the request to reopen the round are not valid.",
    ),
    "links": (
        lambda ctx, units: rounds.issue_tokens(ctx, "r1", {"unit_ids": ["khong-co"]}),
        "Yêu cầu cấp hoặc thu hồi đường dẫn có trường chưa hợp lệ.",
        "Some fields of the request for the units' links are not valid.",
    ),
    "return": (
        lambda ctx, units: submissions.return_submission(ctx, "r1", "u1", {"comments": "x"}, "admin"),
        "Yêu cầu trả lại báo cáo có trường chưa hợp lệ.",
        "Some fields of the request to return the report are not valid.",
    ),
    "admin token": (
        lambda ctx, units: admin_tokens.issue(ctx, {"name": "x", "expires_in_days": 0}, "admin"),
        "Yêu cầu cấp mã quản trị có trường chưa hợp lệ.",
        "Some fields of the request for an admin token are not valid.",
    ),
    "answers": (
        lambda ctx, units: submissions.submit(ctx, units["u1"], "r1", {"answers": {"a": {"so": "x"}}}, None, "vi"),
        "Báo cáo có trường chưa hợp lệ.",
        "Some answers are not valid.",
    ),
    "answers (body)": (
        lambda ctx, units: submissions.save_draft(ctx, units["u1"], "r1", {"answers": {}, "x": 1}, "vi"),
        "Báo cáo có trường chưa hợp lệ.",
        "Some answers are not valid.",
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_a_refusal_names_what_it_refused_in_both_languages(tmp_path, case: str) -> None:
    ctx = memory_context(tmp_path)
    units = make_round(ctx)
    call, vi, en = CASES[case]
    with pytest.raises(AppError) as caught:
        call(ctx, units)
    error = caught.value
    assert error.code == "validation_failed"
    assert error.status == 422
    assert error.fields
    assert (error.message("vi"), error.message("en")) == (vi, en)
    assert error.to_body("en")["error"]["message"] == en


def test_only_the_report_says_it_is_a_report() -> None:
    sentences = CATALOG["validation_failed"].subjects
    report = sentences["answers"]
    assert [subject for subject, said in sentences.items() if said == report] == ["answers"]
    assert len({vi for vi, _ in sentences.values()}) == len({en for _, en in sentences.values()}) == len(sentences)


def test_a_subject_the_catalogue_lacks_is_a_mistake_in_the_code() -> None:
    with pytest.raises(KeyError):
        AppError("validation_failed", subject="form")
    with pytest.raises(KeyError):
        AppError("not_found", subject="answers")
