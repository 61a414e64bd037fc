"""Sections, records of repeat groups and checklist items are checked by ``Record`` instead of
nested Schemas; for anything a client can send they must answer exactly as the nested Schemas
did: the same value, the same messages in the same shape, the same partial data kept for the
rules."""

from __future__ import annotations

import math

from hypothesis import given, settings
from hypothesis import strategies as st
from marshmallow import RAISE, Schema, ValidationError, fields

from checkround.forms.compiler import compile_schema
from checkround.forms.fieldtypes import Build, Record, _make_checklist
from checkround.forms.messages import messages
from checkround.forms.references import check_references
from tests.support import seed_answers, seed_form

VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-5, 20),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from(["yes", "partial", "no", "YES", "", "3.5", "12", "nan", "x" * 2001]),
    st.lists(st.integers(), max_size=2),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
)
ITEMS = st.one_of(
    VALUES,
    st.dictionaries(st.sampled_from(["status", "score", "note", "extra", "_schema"]), VALUES, max_size=5),
)


def loaders(language: str, draft: bool, required: bool):
    build = Build(msgs=messages(language), draft=draft, nested=lambda members: Schema)
    field = {"key": "c", "type": "checklist", "max_score": 8, "required": required}
    record = _make_checklist(field, build)
    assert isinstance(record, Record)
    item_schema = Schema.from_dict(record.members, name="Item")
    item_schema.error_messages = {"unknown": build.msgs["unknown"], "type": build.msgs["invalid_object"]}
    nested = fields.Nested(
        item_schema,
        required=record.required,
        allow_none=record.allow_none,
        error_messages=record.error_messages,
    )
    return Schema.from_dict({"c": record})(), Schema.from_dict({"c": nested})()


def outcome(schema: Schema, item):
    try:
        return "ok", schema.load({"c": item} if item is not ... else {})
    except ValidationError as exc:
        return "error", exc.normalized_messages(), exc.valid_data


def same(a, b):
    # NaN never equals itself; compare it by kind.
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list | tuple) and isinstance(b, list | tuple):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    return type(a) is type(b) and a == b


@settings(max_examples=400, deadline=None)
@given(
    st.one_of(ITEMS, st.just(...)),
    st.sampled_from(["vi", "en"]),
    st.booleans(),
    st.booleans(),
)
def test_a_record_answers_as_the_nested_schema_did(item, language, draft, required):
    record_schema, nested_schema = loaders(language, draft, required)
    assert same(outcome(record_schema, item), outcome(nested_schema, item))


def test_the_messages_are_the_units_language():
    record_schema, _ = loaders("vi", draft=False, required=True)
    kind, errors, valid = outcome(record_schema, {"status": "maybe", "score": 9, "note": "ok", "extra": 1})
    assert kind == "error"
    assert set(errors["c"]) == {"status", "score", "extra"}
    assert valid == {"c": {"note": "ok"}}
    assert outcome(record_schema, "not an object")[1] == {"c": {"_schema": [messages("vi")["invalid_object"]]}}


JUNK = [None, True, 3, -1, 2.5, math.nan, "", "yes", "x" * 600, [], [1], {}, {"k": 1}, "2019-06-20"]


def as_nested(field):
    """The same field built the way the compiler built it before Records: nested Schemas."""
    if isinstance(field, Record):
        item = Schema.from_dict({key: as_nested(member) for key, member in field.members.items()}, name="Item")
        item.error_messages = {"unknown": field.unknown_message, "type": field.type_message}
        return fields.Nested(
            item, required=field.required, allow_none=field.allow_none, error_messages=field.error_messages
        )
    if isinstance(field, fields.List):
        return fields.List(
            as_nested(field.inner),
            required=field.required,
            allow_none=field.allow_none,
            validate=field.validators,
            error_messages=field.error_messages,
        )
    return field


def perturb(value, rnd):
    """The seed answers with a few things a careless or hostile client might send instead."""
    if rnd.random() < 0.08:
        return rnd.choice(JUNK)
    if isinstance(value, dict):
        out = {key: perturb(item, rnd) for key, item in value.items() if rnd.random() > 0.05}
        if rnd.random() < 0.05:
            out["unexpected"] = rnd.choice(JUNK)
        return out
    if isinstance(value, list):
        out = [perturb(item, rnd) for item in value]
        if rnd.random() < 0.2:
            out.insert(rnd.randrange(len(out) + 1), rnd.choice(JUNK))
        return out
    return value


@settings(max_examples=300, deadline=None)
@given(st.randoms(use_true_random=False), st.sampled_from(["vi", "en"]), st.booleans())
def test_the_compiled_seed_form_answers_as_with_nested_schemas(rnd, language, draft):
    definition = seed_form()
    check_references(definition)
    compiled = compile_schema(definition, language, draft)
    before = Schema.from_dict({key: as_nested(field) for key, field in compiled.fields.items()}, name="Answers")
    before.error_messages = compiled.error_messages
    answers = perturb(seed_answers(rnd.choice(["hai-quan", "mong-cai", "tien-yen"])), rnd)
    assert same(outcome_of(compiled, answers), outcome_of(before(unknown=RAISE), answers))


def outcome_of(schema: Schema, answers):
    try:
        return "ok", schema.load(answers)
    except ValidationError as exc:
        return "error", exc.normalized_messages(), exc.valid_data
