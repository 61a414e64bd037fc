"""Loading request bodies with marshmallow and turning its errors into ``validation_failed``."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, ValidationError

from .errors import AppError


def error_fields(exc: ValidationError) -> dict[str, Any]:
    """marshmallow's nested ``field -> messages`` dict, which the API returns as is."""
    messages: dict[str, Any] = exc.normalized_messages()  # type: ignore[no-untyped-call]
    return messages


def load(schema: Schema, body: Any) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise AppError("bad_request", detail="the body must be a JSON object")
    try:
        data: dict[str, Any] = schema.load(body)
    except ValidationError as exc:
        raise AppError("validation_failed", fields=error_fields(exc)) from exc
    return data
