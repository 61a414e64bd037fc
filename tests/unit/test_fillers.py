"""``filled_by: reviewer`` in the form language, and a checklist score that must agree with its
result (issue 18): meta-validation, the unit's and the team's parts, the messages."""

from __future__ import annotations

import pytest

from checkround.errors import AppError
from checkround.forms.compiler import compile_schema
from checkround.forms.definition import check_definition
from checkround.forms.fieldtypes import score_disagreement
from checkround.forms.fillers import refuse_reviewer_answers, reviewer_part, unit_part
from checkround.forms.validate import check_answers
from checkround.forms.walk import walk

L = {"vi": "Nhãn"}


def form(**checklist_options):
    return {
        "id": "mau",
        "title": L,
        "sections": [
            {
                "key": "a",
                "title": L,
                "fields": [
                    {"key": "so", "type": "integer", "label": L, "required": True},
                    {"key": "ck", "type": "checklist", "label": L, "max_score": 8, "required": True}
                    | checklist_options,
                    {"key": "kin", "type": "text", "label": L, "filled_by": "reviewer", "shown_to_unit": False},
                ],
            },
            {
                "key": "team",
                "title": L,
                "filled_by": "reviewer",
                "fields": [{"key": "nx", "type": "textarea", "label": L, "required": True, "role": "strengths"}],
            },
        ],
    }


def refused(raw):
    with pytest.raises(AppError) as caught:
        check_definition(raw)
    return caught.value.fields


def test_parts_split_the_form_between_the_unit_and_the_team():
    definition = check_definition(form(filled_by="reviewer", self_assessment=True))
    mine = unit_part(definition)
    theirs = reviewer_part(definition)
    assert [(s["key"], [f["key"] for f in s["fields"]]) for s in mine["sections"]] == [("a", ["so", "ck"])]
    assert [(s["key"], [f["key"] for f in s["fields"]]) for s in theirs["sections"]] == [
        ("a", ["ck", "kin"]),
        ("team", ["nx"]),
    ]
    # One object per part, so the schema cache compiles each once.
    assert unit_part(definition) is mine
    assert [p.filled_by for p in walk(definition)] == ["unit", "reviewer", "reviewer", "reviewer"]
    raw = form()
    raw["sections"] = raw["sections"][:1]
    raw["sections"][0]["fields"].pop()
    plain = check_definition(raw)  # nothing for the team: the form is its own unit part
    assert unit_part(plain) is plain


def test_meta_validation_of_who_fills_what():
    assert refused(form(self_assessment=True))["sections"][0]["fields"][1]["self_assessment"] == [
        "self_assessment applies to a checklist item filled_by: reviewer."
    ]
    raw = form()
    raw["sections"][0]["fields"][0]["shown_to_unit"] = False
    assert "shown_to_unit" in refused(raw)["sections"][0]["fields"][0]
    raw = form()
    raw["sections"][0]["fields"][0]["filled_by"] = "inspector"
    assert refused(raw)["sections"][0]["fields"][0]["filled_by"] == ["Must be one of: unit, reviewer."]
    raw = form()
    raw["sections"][0]["fields"][0]["self_assessment"] = True  # an integer: not a checklist option
    assert "self_assessment" in refused(raw)["sections"][0]["fields"][0]
    raw = form()
    raw["sections"][0]["fields"].append(
        {
            "key": "rows",
            "type": "repeat",
            "label": L,
            "fields": [{"key": "x", "type": "text", "label": L, "filled_by": "reviewer"}],
        }
    )
    assert "filled_by" in refused(raw)["sections"][0]["fields"][3]["fields"][0]


def test_the_unit_is_refused_the_teams_fields_and_empty_ones_are_dropped():
    definition = check_definition(form())
    answers = {"a": {"so": 1, "kin": "x"}, "team": {"nx": ""}}
    kept, errors = refuse_reviewer_answers(definition, answers, "team only")
    assert errors == {"a": {"kin": ["team only"]}}
    assert kept == {"a": {"so": 1}}


@pytest.mark.parametrize(
    ("status", "score", "problem"),
    [
        ("yes", 8, None),
        ("yes", 0.5, None),
        ("yes", 0, "score_yes"),
        ("partial", 4, None),
        ("partial", 8, "score_partial"),
        ("partial", 0, "score_partial"),
        ("no", 0, None),
        ("no", 8, "score_no"),
        ("no", None, None),  # a missing score is another message's business
    ],
)
def test_score_agreement_rule(status, score, problem):
    assert score_disagreement(status, score, 8) == problem


def check(definition, answers, language="vi", draft=False):
    return check_answers(definition, compile_schema(definition, language, draft), answers, language, draft)


def test_a_contradicting_score_is_refused_unless_the_form_frees_it():
    definition = unit_part(check_definition(form()))
    with pytest.raises(AppError) as caught:
        check(definition, {"a": {"so": 1, "ck": {"status": "no", "score": 8}}}, "en")
    assert caught.value.fields == {"a": {"ck": {"score": ["A “not met” result scores 0."]}}}
    # A draft is work in progress; the form may say the score is free of the result.
    assert check(definition, {"a": {"ck": {"status": "no", "score": 8}}}, draft=True).answers
    free = unit_part(check_definition(form(score_rule="free")))
    assert check(free, {"a": {"so": 1, "ck": {"status": "no", "score": 8}}}).answers["a"]["ck"]["score"] == 8
