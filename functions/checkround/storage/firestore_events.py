"""Decoding Firestore's Eventarc payload (``DocumentEventData`` protobuf) into plain dicts."""

from __future__ import annotations

import base64
from datetime import UTC
from typing import Any

from google.events.cloud.firestore import DocumentEventData


def _value(value: Any) -> Any:
    kind = type(value).pb(value).WhichOneof("value_type")  # proto-plus' documented raw view
    if kind in (None, "null_value"):
        return None
    if kind == "map_value":
        return {k: _value(v) for k, v in value.map_value.fields.items()}
    if kind == "array_value":
        return [_value(v) for v in value.array_value.values]
    if kind == "timestamp_value":
        return value.timestamp_value.astimezone(UTC)
    if kind == "integer_value":
        return int(value.integer_value)
    return getattr(value, kind)


def _document(doc: Any) -> tuple[str, dict[str, Any]] | None:
    if not doc.name:
        return None
    return doc.name, {k: _value(v) for k, v in doc.fields.items()}


def decode_document_event(data: bytes | str) -> tuple[str | None, dict[str, Any] | None, dict[str, Any] | None]:
    """``(document path, old fields, new fields)``; the path is relative (``rounds/r1``)."""
    raw = data.encode() if isinstance(data, str) else data
    event = DocumentEventData.deserialize(raw)
    old, new = _document(event.old_value), _document(event.value)
    name = (new or old or (None, None))[0]
    path = name.split("/documents/", 1)[1] if name and "/documents/" in name else None
    return path, old[1] if old else None, new[1] if new else None


def maybe_base64(body: bytes) -> bytes:
    """The emulator delivers the protobuf base64-encoded; Eventarc sends it raw."""
    try:
        decoded = base64.b64decode(body, validate=True)
    except ValueError:
        return body
    return decoded
