"""A checklist item is checked by ``Record`` instead of a nested Schema; for anything a client
can send it must answer exactly as the nested Schema did: the same value, the same messages in
the same shape, the same partial data kept for the rules."""

from __future__ import annotations

import math

from hypothesis import given, settings
from hypothesis import strategies as st
from marshmallow import Schema, ValidationError, fields

from checkround.forms.fieldtypes import Build, Record, _make_checklist
from checkround.forms.messages import messages

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
