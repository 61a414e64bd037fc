"""Documents ⇄ Firestore values: what is written reads back the same, writes carry the
preconditions and masks Firestore expects, and what the app never stores is refused before a
call. (tests/integration/test_firestore_values_interop.py checks the same values against the
high-level client, through the emulator.)"""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta, timezone

import pytest
from google.api_core.datetime_helpers import DatetimeWithNanoseconds
from google.cloud import firestore
from hypothesis import given, settings
from hypothesis import strategies as st

from checkround.storage import firestore_values as values

NAME = "projects/p/databases/(default)/documents/rounds/r1/submissions/s1"

KEYS = st.text(min_size=1, max_size=8).filter(lambda key: not key.startswith("__"))
DATETIMES = st.one_of(
    st.datetimes(timezones=st.sampled_from([UTC, timezone(timedelta(hours=7))])),
    st.datetimes(),  # naive: both take it as UTC
)
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.floats(allow_nan=False),
    st.text(max_size=20),
    st.binary(max_size=8),
    DATETIMES,
)
# Firestore stores no list directly inside a list.
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.one_of(
        st.lists(inner.filter(lambda item: type(item) not in (list, tuple)), max_size=4),
        st.lists(inner.filter(lambda item: type(item) not in (list, tuple)), max_size=3).map(tuple),
        st.dictionaries(KEYS, inner, max_size=4),
    ),
    max_leaves=20,
)


def round_trip(data):
    return values.decode_fields(values.write_message(NAME, data, "set").update.fields)


def as_utc(value):
    """What a datetime reads back as: timezone-aware, in UTC (a naive one was taken as UTC)."""
    if isinstance(value, datetime):
        return (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(UTC)
    if isinstance(value, list | tuple):
        return [as_utc(item) for item in value]
    if isinstance(value, dict):
        return {key: as_utc(item) for key, item in value.items()}
    return value


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(KEYS, VALUES, max_size=6))
def test_what_is_written_reads_back_the_same(data):
    assert round_trip(data) == as_utc(data)


# What the adapter stores beyond the high-level client: lists inside lists, and maps shaped
# like the wrappers that carry them (firestore_values' docstring).
WRAPPER_KEYS = st.sampled_from([values.LIST_KEY, values.MAP_KEY])
NESTED = st.recursive(
    SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(st.one_of(KEYS, WRAPPER_KEYS), inner, max_size=3),
    ),
    max_leaves=20,
)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(KEYS, NESTED, max_size=6))
def test_lists_in_lists_and_wrapper_shaped_maps_read_back_the_same(data):
    assert round_trip(data) == as_utc(data)


def test_a_rule_with_a_list_of_choices_is_stored_as_a_map_and_read_back_as_written():
    rule = {"in": [{"var": "s.f"}, ["a", "b"]], "x": [[[1]], []], "y": {values.LIST_KEY: [1]}}
    fields = values.write_message(NAME, {"rule": rule}, "set").update.fields
    held = fields["rule"].map_value.fields["in"].array_value.values[1]
    assert list(held.map_value.fields) == [values.LIST_KEY]  # no array directly in an array
    assert values.decode_fields(fields) == {"rule": rule}


def test_a_submission_shaped_document_survives_the_round_trip():
    at = datetime(2019, 6, 20, 8, 30, 15, 123456, tzinfo=UTC)
    data = {
        "answers": {"doan_vien": {"so_luong": 1234, "ty_le": 0.875, "ghi_chu": "Tổ chức tốt"}, "ds": [], "m": {}},
        "submitted_at": at,
        "late": False,
        "draft": None,
        "tags": ["a", "b"],
    }
    decoded = round_trip(data)
    assert decoded == data
    assert isinstance(decoded["submitted_at"], DatetimeWithNanoseconds)
    assert decoded["answers"]["ds"] == []
    assert decoded["answers"]["m"] == {}


def test_nanoseconds_are_kept():
    precise = DatetimeWithNanoseconds(2019, 6, 20, 8, 30, tzinfo=UTC, nanosecond=123456789)
    fields = values.write_message(NAME, {"at": precise}, "set").update.fields
    assert fields["at"].timestamp_value.nanos == 123456789
    assert values.decode_fields(fields)["at"].nanosecond == 123456789


def test_not_a_number_reads_back_as_not_a_number():
    assert math.isnan(round_trip({"x": math.nan})["x"])


def test_writes_carry_firestores_preconditions_and_masks():
    create = values.write_message(NAME, {"v": 1}, "create")
    assert create.current_document.HasField("exists")
    assert create.current_document.exists is False
    assert not create.HasField("update_mask")
    put = values.write_message(NAME, {"v": 1}, "set")
    assert not put.HasField("current_document")
    assert not put.HasField("update_mask")
    update = values.write_message(NAME, {"plain": 1, "with-dash": 2, "a.b": 3}, "update")
    assert update.current_document.exists is True
    # Top-level names, quoted where Firestore needs it: "a.b" is one field, not a path.
    assert list(update.update_mask.field_paths) == ["plain", "`with-dash`", "`a.b`"]
    assert values.delete_message(NAME).delete == NAME


@pytest.mark.parametrize(
    "data",
    [
        {"at": firestore.SERVER_TIMESTAMP},
        {"nested": {"n": firestore.Increment(1)}},
        {"where": firestore.GeoPoint(21.0, 105.8)},
        {1: "a key that is not a string"},
        {"a set": {1, 2}},
    ],
)
def test_what_the_app_never_stores_is_refused_before_a_call(data):
    with pytest.raises(TypeError):
        values.write_message(NAME, data, "set")


def test_an_integer_outside_int64_is_refused():
    with pytest.raises(ValueError, match=r"(?i)out of range"):
        values.write_message(NAME, {"n": 2**63}, "set")
