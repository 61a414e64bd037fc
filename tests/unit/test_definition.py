"""Meta-validation: every mistake in an admin's definition is reported at its path."""

from __future__ import annotations

import pytest

from checkround.errors import AppError
from checkround.forms.definition import check_definition
from tests.support import seed_form, small_form


def errors_of(definition, **kwargs):
    with pytest.raises(AppError) as caught:
        check_definition(definition, **kwargs)
    assert caught.value.code == "invalid_definition"
    assert caught.value.status == 422
    return caught.value.fields


def field(form, index):
    return form["sections"][0]["fields"][index]


def test_seed_form_is_valid_and_scores_add_up_to_100():
    definition = check_definition(seed_form())
    checklist = [f for s in definition["sections"] for f in s["fields"] if f["type"] == "checklist"]
    assert sum(f["max_score"] for f in checklist) == 100
    assert definition["languages"] == ["vi", "en"]


def test_not_an_object():
    assert errors_of([1, 2]) == {"_schema": ["A form definition must be a JSON object."]}
    assert errors_of("form") == {"_schema": ["A form definition must be a JSON object."]}


def test_duplicate_field_and_section_keys_are_addressed():
    form = small_form()
    form["sections"][0]["fields"].append({"key": "so", "type": "integer", "label": {"vi": "Lặp"}})
    form["sections"].append({**form["sections"][1]})
    errors = errors_of(form)
    assert errors["sections"][0]["fields"][8]["key"] == ["Duplicate field key 'so'."]
    assert errors["sections"][2]["key"] == ["Duplicate section key 'b'."]


def test_unknown_type():
    form = small_form()
    field(form, 2)["type"] = "slider"
    errors = errors_of(form)
    assert "Must be one of" in errors["sections"][0]["fields"][2]["type"][0]


def test_min_greater_than_max():
    form = small_form()
    field(form, 2).update(min=10, max=1)
    assert errors_of(form)["sections"][0]["fields"][2] == {"min": ["min (10.0) is greater than max (1.0)."]}


def test_empty_choices_and_duplicate_choice_values():
    form = small_form()
    field(form, 6)["choices"] = []
    field(form, 7)["choices"].append({"value": "truc_tiep", "label": {"vi": "Lặp"}})
    errors = errors_of(form)["sections"][0]["fields"]
    assert errors[6] == {"choices": ["A choice field needs at least one choice."]}
    assert errors[7] == {"choices": {2: {"value": ["Duplicate choice value 'truc_tiep'."]}}}


def test_option_that_does_not_apply_to_the_type():
    form = small_form()
    field(form, 2)["max_score"] = 5
    assert errors_of(form)["sections"][0]["fields"][2] == {
        "max_score": ["Option 'max_score' does not apply to type 'integer'."]
    }


def test_checklist_needs_a_positive_max_score():
    form = small_form()
    del field(form, 0)["max_score"]
    field(form, 1)["max_score"] = 0
    errors = errors_of(form)["sections"][0]["fields"]
    assert errors[0] == {"max_score": ["A checklist item needs max_score."]}
    assert errors[1] == {"max_score": ["max_score must be a positive number."]}


def test_bad_keys_missing_labels_and_unknown_properties():
    form = small_form()
    field(form, 0)["key"] = "Bad Key"
    del field(form, 2)["label"]
    field(form, 3)["colour"] = "red"
    errors = errors_of(form)["sections"][0]["fields"]
    assert "key" in errors[0]
    assert errors[2] == {"label": ["Missing data for required field."]}
    assert errors[3] == {"colour": ["Unknown field."]}


def test_label_needs_vietnamese():
    form = small_form()
    field(form, 2)["label"] = {"en": "Count"}
    assert errors_of(form)["sections"][0]["fields"][2] == {"label": {"vi": ["Missing data for required field."]}}


def test_a_5_mb_definition_is_refused_whatever_the_body_limit():
    form = small_form()
    form["description"] = {"vi": "x" * (5 * 1024 * 1024)}
    (message,) = errors_of(form)["_schema"]
    assert message.startswith("A form definition may be at most 1048576 bytes")


def test_too_many_fields():
    form = small_form()
    form["sections"][0]["fields"] = [
        {"key": f"f{i}", "type": "integer", "label": {"vi": f"Trường {i}"}} for i in range(501)
    ]
    assert "at most 500 fields" in errors_of(form)["sections"][0]


def test_role_only_on_text_fields():
    form = small_form()
    field(form, 2)["role"] = "strengths"
    assert errors_of(form)["sections"][0]["fields"][2] == {"role": ["Only text fields can have a role in the summary."]}


def test_id_must_match_when_editing_a_draft():
    with pytest.raises(AppError) as caught:
        check_definition(small_form(), form_id="khac")
    assert caught.value.fields == {"id": ["The definition's id must be 'khac'."]}


def test_a_form_may_ask_for_one_section_per_page_and_nothing_else():
    assert check_definition(small_form(appearance="pages"))["appearance"] == "pages"
    with pytest.raises(AppError) as caught:
        check_definition(small_form(appearance="wizard"))
    assert "appearance" in caught.value.fields
