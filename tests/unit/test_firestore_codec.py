"""The fast codec writes the very bytes the Firestore client would, and reads back what the
client reads; what it does not handle it refuses, so the client encodes it instead."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta, timezone

import pytest
from google.api_core.datetime_helpers import DatetimeWithNanoseconds
from google.cloud import firestore
from google.cloud.firestore_v1 import _helpers
from hypothesis import given, settings
from hypothesis import strategies as st

from checkround.storage import firestore_codec

NAME = "projects/p/databases/(default)/documents/rounds/r1/submissions/s1"

KEYS = st.text(min_size=1, max_size=8).filter(lambda key: not key.startswith("__"))
SIMPLE_KEYS = st.from_regex(r"[a-z_][a-z_0-9]{0,7}", fullmatch=True).filter(lambda key: not key.startswith("__"))
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
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.lists(inner, max_size=3).map(tuple),
        st.dictionaries(KEYS, inner, max_size=4),
    ),
    max_leaves=20,
)

CLIENT = {
    "create": _helpers.pbs_for_create,
    "set": _helpers.pbs_for_set_no_merge,
    "update": lambda name, data: _helpers.pbs_for_update(name, data, None),
}


def client_bytes(kind, data):
    (write,) = CLIENT[kind](NAME, data)
    return write._pb.SerializeToString(deterministic=True)


def codec_bytes(kind, data):
    return firestore_codec.write_pb(NAME, data, kind).SerializeToString(deterministic=True)


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(["create", "set"]), st.dictionaries(KEYS, VALUES, max_size=6))
def test_create_and_set_encode_as_the_client_does(kind, data):
    assert codec_bytes(kind, data) == client_bytes(kind, data)


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(SIMPLE_KEYS, VALUES, min_size=1, max_size=6))
def test_updates_of_plain_field_names_encode_as_the_client_does(data):
    assert codec_bytes("update", data) == client_bytes("update", data)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(KEYS, VALUES, max_size=6))
def test_reading_gives_what_the_client_gives(data):
    fields = firestore_codec.write_pb(NAME, data, "set").update.fields
    decoded = firestore_codec.decode_fields(fields, client=None)
    theirs = _helpers.decode_dict(fields, None)
    assert decoded == theirs
    assert [type(value) for value in decoded.values()] == [type(value) for value in theirs.values()]


def test_a_submission_shaped_document_survives_the_round_trip():
    at = datetime(2019, 6, 20, 8, 30, 15, 123456, tzinfo=UTC)
    data = {
        "answers": {"doan_vien": {"so_luong": 1234, "ty_le": 0.875, "ghi_chu": "Tổ chức tốt"}, "ds": [], "m": {}},
        "submitted_at": at,
        "late": False,
        "draft": None,
        "tags": ["a", "b"],
    }
    fields = firestore_codec.write_pb(NAME, data, "create").update.fields
    decoded = firestore_codec.decode_fields(fields, client=None)
    assert decoded == data
    assert isinstance(decoded["submitted_at"], DatetimeWithNanoseconds)
    assert decoded["answers"]["ds"] == []
    assert decoded["answers"]["m"] == {}


def test_nanoseconds_are_kept():
    precise = DatetimeWithNanoseconds(2019, 6, 20, 8, 30, tzinfo=UTC, nanosecond=123456789)
    fields = firestore_codec.write_pb(NAME, {"at": precise}, "set").update.fields
    assert fields["at"].timestamp_value.nanos == 123456789
    assert firestore_codec.decode_fields(fields, None)["at"].nanosecond == 123456789


@pytest.mark.parametrize(
    ("kind", "data"),
    [
        ("set", {"at": firestore.SERVER_TIMESTAMP}),
        ("create", {"nested": {"n": firestore.Increment(1)}}),
        ("set", {"where": firestore.GeoPoint(21.0, 105.8)}),
        ("set", {1: "a key that is not a string"}),
        ("update", {"a.b": 1}),  # a field path: the client parses it
        ("update", {"with-dash": 1}),  # must be quoted in the mask
        ("update", {}),
    ],
)
def test_what_the_codec_does_not_handle_is_refused_for_the_client(kind, data):
    with pytest.raises(firestore_codec.Unsupported):
        firestore_codec.write_pb(NAME, data, kind)


def test_an_integer_outside_int64_is_refused_as_by_the_client():
    with pytest.raises(ValueError, match=r"(?i)out of range"):
        firestore_codec.write_pb(NAME, {"n": 2**63}, "set")


def test_not_a_number_is_written_as_the_client_writes_it():
    assert codec_bytes("set", {"x": math.nan}) == client_bytes("set", {"x": math.nan})
