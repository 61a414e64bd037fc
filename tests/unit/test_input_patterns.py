"""Ids, keys and choice values match their pattern in full: a trailing newline is refused.

Python's ``$`` also matches before a final newline, so ``re.match(r"^[a-z]+$", "r\\n")``
succeeds; such an id went on to a ``Content-Disposition`` header (review finding 7).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from checkround.errors import AppError
from checkround.forms import service as forms
from checkround.forms.compiler import compile_schema
from checkround.forms.definition import check_definition
from checkround.forms.validate import check_answers
from checkround.rounds import service as rounds
from checkround.rounds.inputs import ReturnInput, RoundInput, UnitInput
from checkround.submissions.inputs import SubmissionInput
from tests.support import memory_context, small_form, small_round


def _set_form_id(form: dict[str, Any]) -> None:
    form["id"] = "mau-nho\n"


def _set_section_key(form: dict[str, Any]) -> None:
    form["sections"][0]["key"] = "a\n"


def _set_field_key(form: dict[str, Any]) -> None:
    form["sections"][0]["fields"][2]["key"] = "so\n"


def _set_choice_value(form: dict[str, Any]) -> None:
    form["sections"][0]["fields"][6]["choices"][0]["value"] = "thang\n"


def _set_renamed_from(form: dict[str, Any]) -> None:
    form["sections"][0]["fields"][2]["renamed_from"] = "so_cu\n"


def _set_choice_set_name(form: dict[str, Any]) -> None:
    form["choice_sets"] = {"tan_suat\n": [{"value": "x", "label": {"vi": "X"}}]}


@pytest.mark.parametrize(
    "change",
    [_set_form_id, _set_section_key, _set_field_key, _set_choice_value, _set_renamed_from, _set_choice_set_name],
)
def test_a_definition_with_a_trailing_newline_in_an_id_key_or_value_is_refused(change):
    form = small_form()
    check_definition(form)  # valid as it is
    change(form)
    with pytest.raises(AppError) as caught:
        check_definition(form)
    assert caught.value.code == "invalid_definition"


ROUND = small_round()


@pytest.mark.parametrize(
    ("schema", "body"),
    [
        (RoundInput(), {**ROUND, "id": "r1\n"}),
        (RoundInput(), {**ROUND, "form_id": "mau-nho\n"}),
        (RoundInput(), {**ROUND, "unit_ids": ["u1\n"]}),
        (RoundInput(), {**ROUND, "clusters": {"cum\n": {"vi": "Cụm"}}}),
        (UnitInput(), {"name": "Đơn vị", "cluster": "cum-1\n"}),
        (ReturnInput(), {"comments": {"a.so\n": "Sửa lại"}}),
        (SubmissionInput(), {"answers": {}, "unit_id": "u1\n"}),
    ],
)
def test_request_bodies_refuse_a_trailing_newline(schema, body):
    clean = {key: (value.rstrip("\n") if isinstance(value, str) else value) for key, value in body.items()}
    if "unit_ids" in clean:
        clean["unit_ids"] = [u.rstrip("\n") for u in clean["unit_ids"]]
    for name in ("clusters", "comments"):
        if name in clean:
            clean[name] = {k.rstrip("\n"): v for k, v in clean[name].items()}
    assert not schema.validate(clean)  # the same body without the newline is fine
    assert schema.validate(body)


def test_a_round_id_with_a_trailing_newline_is_never_created(tmp_path):
    ctx = memory_context(tmp_path)
    forms.create_form(ctx, small_form())
    forms.publish_version(ctx, "mau-nho")
    rounds.put_unit(ctx, "u1", {"name": "Đơn vị"})
    with pytest.raises(AppError) as caught:
        rounds.create_round(ctx, {**ROUND, "id": "r1\n"})
    assert caught.value.code == "validation_failed"
    assert ctx.store.get("rounds/r1\n") is None


def test_a_phone_answer_with_a_trailing_newline_is_refused():
    form = small_form()
    form["sections"][1]["fields"].append({"key": "dt", "type": "phone", "label": {"vi": "Điện thoại"}})
    definition = check_definition(form)
    schema = compile_schema(definition, "vi")
    first = {"ck1": {"status": "yes", "score": 8}}
    check_answers(definition, schema, {"a": first, "b": {"dt": "0912345678"}})
    with pytest.raises(AppError) as caught:
        check_answers(definition, schema, {"a": first, "b": {"dt": "0912345678\n"}})
    assert "dt" in caught.value.fields["b"]


def test_no_partial_pattern_match_in_the_source():
    """A guard for new code: ``Regexp`` and ``re.match`` accept a trailing newline after ``$``."""
    root = Path(__file__).resolve().parents[2] / "functions"
    offenders = [
        f"{path.relative_to(root)}:{number}"
        for path in sorted(root.rglob("*.py"))
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if "validate.Regexp(" in line or "re.match(" in line
    ]
    assert offenders == []
