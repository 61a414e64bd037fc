"""Documents ⇄ Firestore ``Value`` messages, for the adapter's calls of the generated client.

The generated client takes and returns the API's messages; turning a document (a dict) into
them and back is the high-level client's job, which it does with private helpers. This module
is that conversion, small and for the types the app stores: ``None``, ``bool``, ``int``,
``float``, ``str``, ``bytes``, ``datetime`` (naive taken as UTC, as the client does), ``list``
and ``tuple``, ``dict`` with ``str`` keys. Anything else is refused with ``TypeError`` before
a call is made.

Firestore stores no array directly inside an array, yet the app's values hold them: a JSON
Logic rule such as ``{"in": [{"var": "x"}, ["a", "b"]]}`` in a form definition. A list inside a
list is therefore stored as a map with the single key ``__list`` holding it, and a map whose
only key is ``__list`` or ``__map`` (so that it cannot be mistaken for one) as a map with the
single key ``__map`` holding it. Reading undoes both, so every value reads back as written.
(Firestore reserves names of the form ``__…__`` only; these two end without underscores.)
Documents' own top-level fields are never wrapped.

Messages are filled on the protobuf classes under the generated types (proto-plus'
documented ``Message.pb()``): one ``Value`` per stored value, without a wrapper object each.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from google.api_core.datetime_helpers import DatetimeWithNanoseconds
from google.cloud.firestore_v1.field_path import FieldPath
from google.cloud.firestore_v1.types import common, document, write

from .ports import Doc

Value: Any = document.Value.pb()
Write: Any = write.Write.pb()
Precondition: Any = common.Precondition.pb()


def _null(target: Any, value: None) -> None:
    target.null_value = 0


def _bool(target: Any, value: bool) -> None:
    target.boolean_value = value


def _int(target: Any, value: int) -> None:
    target.integer_value = value  # outside int64 protobuf raises ValueError


def _float(target: Any, value: float) -> None:
    target.double_value = value


def _str(target: Any, value: str) -> None:
    target.string_value = value


def _bytes(target: Any, value: bytes) -> None:
    target.bytes_value = value


def _datetime(target: Any, value: datetime) -> None:
    target.timestamp_value.FromDatetime(value)


def _precise_datetime(target: Any, value: DatetimeWithNanoseconds) -> None:
    target.timestamp_value.CopyFrom(value.timestamp_pb())  # type: ignore[no-untyped-call]


# The wrappers' keys (see the module's docstring).
LIST_KEY = "__list"
MAP_KEY = "__map"


def _list(target: Any, value: list[Any] | tuple[Any, ...]) -> None:
    target.array_value.SetInParent()  # an empty list is still a list, not "no value"
    values = target.array_value.values
    for item in value:
        member = values.add()
        if type(item) in (list, tuple):
            member.map_value.SetInParent()
            fill(member.map_value.fields[LIST_KEY], item)
        else:
            fill(member, item)


def _dict(target: Any, value: dict[str, Any]) -> None:
    target.map_value.SetInParent()
    if len(value) == 1 and next(iter(value)) in (LIST_KEY, MAP_KEY):
        inner = target.map_value.fields[MAP_KEY]
        inner.map_value.SetInParent()
        fill_fields(inner.map_value.fields, value)
    else:
        fill_fields(target.map_value.fields, value)


# Exact types: a subclass (an enum, a sentinel) may mean something else, and is refused.
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
    """Encode ``value`` into the ``Value`` message ``target``."""
    filler = _FILLERS.get(type(value))
    if filler is None:
        raise TypeError(f"cannot store a value of type {type(value).__name__} in Firestore")
    filler(target, value)


def fill_fields(fields: Any, data: dict[str, Any]) -> None:
    for key, value in data.items():
        if type(key) is not str:
            raise TypeError(f"a field name must be a string, not {type(key).__name__}")
        fill(fields[key], value)


def value(data: Any) -> Any:
    """A new ``Value`` message holding ``data``."""
    message = Value()
    fill(message, data)
    return message


def field_path(name: str) -> str:
    """A top-level field name as a field path (quoted with backticks unless it is simple)."""
    return FieldPath(name).to_api_repr()


def write_message(name: str, data: Doc, kind: str) -> Any:
    """The ``Write`` of ``create``, ``set`` or ``update`` for the document ``name`` (its full
    resource name). An update replaces the given top-level fields and needs the document to
    exist; a create needs it to be absent."""
    message = Write()
    message.update.name = name
    fill_fields(message.update.fields, data)
    if kind == "create":
        message.current_document.exists = False
    elif kind == "update":
        message.update_mask.field_paths.extend(field_path(key) for key in data)
        message.current_document.exists = True
    elif kind != "set":
        raise ValueError(f"unknown write kind {kind!r}")
    return message


def delete_message(name: str) -> Any:
    message = Write()
    message.delete = name
    return message


# -- decoding ------------------------------------------------------------------------------


def decode_fields(fields: Any) -> Doc:
    """A document's (or a map's) ``fields`` as a dict."""
    return {key: decode(item) for key, item in fields.items()}


def _map(item: Any) -> Any:
    """A map value, its wrappers undone: ``{__list: [...]}`` is a list held in a list and
    ``{__map: {...}}`` a map that looked like a wrapper."""
    fields = item.map_value.fields
    if len(fields) == 1:
        (key,) = fields.keys()
        kind = fields[key].WhichOneof("value_type")
        if key == LIST_KEY and kind == "array_value":
            return decode(fields[key])
        if key == MAP_KEY and kind == "map_value":
            return decode_fields(fields[key].map_value.fields)
    return decode_fields(fields)


def _geo(item: Any) -> Any:
    return {"latitude": item.geo_point_value.latitude, "longitude": item.geo_point_value.longitude}


_DECODERS: dict[str | None, Callable[[Any], Any]] = {
    "string_value": lambda item: item.string_value,
    "map_value": _map,
    "integer_value": lambda item: item.integer_value,
    "boolean_value": lambda item: item.boolean_value,
    "null_value": lambda item: None,
    None: lambda item: None,
    "double_value": lambda item: item.double_value,
    "timestamp_value": lambda item: DatetimeWithNanoseconds.from_timestamp_pb(item.timestamp_value),  # type: ignore[no-untyped-call]
    "array_value": lambda item: [decode(member) for member in item.array_value.values],
    "bytes_value": lambda item: item.bytes_value,
    # Kinds the app never writes read as plain values rather than failing a whole read.
    "reference_value": lambda item: item.reference_value,
    "geo_point_value": _geo,
}


def decode(item: Any) -> Any:
    """A ``Value`` message as Python."""
    decoder = _DECODERS.get(item.WhichOneof("value_type"))
    if decoder is None:
        raise TypeError(f"unsupported Firestore value: {item.WhichOneof('value_type')}")
    return decoder(item)
