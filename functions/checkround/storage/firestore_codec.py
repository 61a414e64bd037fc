"""Documents ⇄ Firestore's protobuf messages, without the client's proto-plus layer.

The client encodes a document through proto-plus wrappers: about 180 wrapper objects for one
seed submission, which cost more than a millisecond, as much as a third of the database's own
round trip. Here the same ``Write`` and ``Value`` messages are filled in place on the raw
protobuf classes, by a table from Python type to filler.

Only the types the app stores are encoded here (``None``, ``bool``, ``int``, ``float``,
``str``, ``bytes``, timezone-aware or UTC ``datetime``, ``list``/``tuple``, ``dict`` with
``str`` keys); anything else (sentinels such as ``SERVER_TIMESTAMP``, ``GeoPoint``,
references, vectors) raises :class:`Unsupported` and the caller lets the client encode that
write. Decoding mirrors ``_helpers.decode_value``; maps with the client's reserved ``__`` keys
(vectors, BSON types) and the kinds the app never stores are left to the client.

``tests/unit/test_firestore_codec.py`` checks every write against the client's own encoding.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from typing import Any, cast

from google.api_core.datetime_helpers import DatetimeWithNanoseconds
from google.cloud.firestore_v1 import _helpers
from google.cloud.firestore_v1.types import write

from .ports import Doc

_Write: Any = write.Write.pb()


class Unsupported(TypeError):
    """A value (or field name) this codec leaves to the client library."""


def _null(target: Any, value: Any) -> None:
    target.null_value = 0


def _bool(target: Any, value: bool) -> None:
    target.boolean_value = value


def _int(target: Any, value: int) -> None:
    target.integer_value = value  # out of int64 range raises ValueError, as the client's does


def _float(target: Any, value: float) -> None:
    target.double_value = value


def _str(target: Any, value: str) -> None:
    target.string_value = value


def _bytes(target: Any, value: bytes) -> None:
    target.bytes_value = value


def _datetime(target: Any, value: datetime) -> None:
    # A naive datetime is taken as UTC, as the client does.
    target.timestamp_value.FromDatetime(value)


def _precise_datetime(target: Any, value: DatetimeWithNanoseconds) -> None:
    target.timestamp_value.CopyFrom(value.timestamp_pb())  # type: ignore[no-untyped-call]


def _list(target: Any, value: list[Any] | tuple[Any, ...]) -> None:
    values = target.array_value.values
    target.array_value.SetInParent()  # an empty list is still a list, not "no value"
    for item in value:
        fill(values.add(), item)


def _dict(target: Any, value: dict[Any, Any]) -> None:
    target.map_value.SetInParent()
    fill_fields(target.map_value.fields, value)


# Exact types only: a subclass (an enum, a sentinel, a BSON wrapper of bytes) may mean
# something else to the client, so it goes there.
_FILLERS: dict[type, Callable[[Any, Any], None]] = {
    type(None): _null,
    bool: _bool,
    int: _int,
    float: _float,
    str: _str,
    bytes: _bytes,
    datetime: _datetime,
    DatetimeWithNanoseconds: _precise_datetime,
    list: _list,
    tuple: _list,
    dict: _dict,
}


def fill(target: Any, value: Any) -> None:
    """Encode ``value`` into the raw ``Value`` message ``target``."""
    filler = _FILLERS.get(type(value))
    if filler is None:
        raise Unsupported(type(value).__name__)
    filler(target, value)


def fill_fields(fields: Any, data: dict[Any, Any]) -> None:
    for key, value in data.items():
        if type(key) is not str:
            raise Unsupported("a field name that is not a string")
        fill(fields[key], value)


# Field paths in an update mask must be quoted unless they are simple names.
_SIMPLE_NAME = re.compile(r"[A-Za-z_][A-Za-z_0-9]*")


def write_pb(name: str, data: Doc, kind: str) -> Any:
    """The raw ``Write`` for ``create``, ``set`` or ``update`` of the document ``name`` (its
    full resource name), as the client's ``WriteBatch`` would build it."""
    pb = _Write()
    pb.update.name = name
    fill_fields(pb.update.fields, data)
    if kind == "create":
        pb.current_document.exists = False
    elif kind == "update":
        if not data or not all(_SIMPLE_NAME.fullmatch(key) for key in data):
            raise Unsupported("an update of field paths")
        pb.update_mask.field_paths.extend(sorted(data))  # the client sorts them too
        pb.current_document.exists = True
    return pb


# -- decoding ------------------------------------------------------------------------------


def decode_fields(fields: Any, client: Any) -> Doc:
    """A document's (or a map's) raw ``fields`` as a dict."""
    if any(key.startswith("__") for key in fields):
        # Vectors and BSON types; a document's top level is always a dict.
        return cast(Doc, _helpers.decode_dict(fields, client))
    return {key: decode(value, client) for key, value in fields.items()}


# Reading a field of a raw message is cheap; these read the one the value holds.
_DECODERS: dict[str, Callable[[Any, Any], Any]] = {
    "string_value": lambda value, client: value.string_value,
    "map_value": lambda value, client: decode_fields(value.map_value.fields, client),
    "integer_value": lambda value, client: value.integer_value,
    "boolean_value": lambda value, client: value.boolean_value,
    "null_value": lambda value, client: None,
    "double_value": lambda value, client: value.double_value,
    "timestamp_value": lambda value, client: DatetimeWithNanoseconds.from_timestamp_pb(  # type: ignore[no-untyped-call]
        value.timestamp_value
    ),
    "array_value": lambda value, client: [decode(item, client) for item in value.array_value.values],
}


def decode(value: Any, client: Any) -> Any:
    """A raw ``Value`` as Python; bytes, references and geo points through the client."""
    decoder = _DECODERS.get(value.WhichOneof("value_type"))
    return decoder(value, client) if decoder is not None else _helpers.decode_value(value, client)
