"""Compile a checked form definition into a marshmallow schema for units' answers.

Answers are shaped ``{section_key: {field_key: value}}``. A published version never changes,
so its compiled schema is cached per (form, version, language, mode).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Mapping
from typing import Any

from marshmallow import RAISE, Schema, ValidationError, fields

from checkround.errors import AppError
from checkround.inputs_common import error_fields

from .fieldtypes import REGISTRY
from .messages import messages


def compile_schema(definition: Mapping[str, Any], language: str = "vi", draft: bool = False) -> Schema:
    """Build the answers schema; ``draft`` relaxes ``required`` (drafts check types only)."""
    msgs = messages(language)
    section_fields: dict[str, fields.Field[Any]] = {}
    for section in definition["sections"]:
        members = {field["key"]: REGISTRY[field["type"]].make(field, msgs, draft) for field in section["fields"]}
        section_schema = Schema.from_dict(members, name=f"Section_{section['key']}")
        section_schema.error_messages = {"unknown": msgs["unknown"], "type": msgs["invalid_object"]}
        section_fields[section["key"]] = fields.Nested(
            section_schema,
            required=False,
            error_messages={"type": msgs["invalid_object"], "null": msgs["null"]},
        )
    answers_schema = Schema.from_dict(section_fields, name=f"Answers_{definition['id']}")
    answers_schema.error_messages = {"unknown": msgs["unknown"], "type": msgs["invalid_object"]}
    return answers_schema(unknown=RAISE)


class SchemaCache:
    """A bounded LRU of compiled schemas for published (immutable) form versions."""

    def __init__(self, maxsize: int = 256) -> None:
        self._items: OrderedDict[tuple[str, int, str, bool], Schema] = OrderedDict()
        self._maxsize = maxsize
        self._lock = threading.Lock()

    def get(self, form_id: str, version: int, definition: Mapping[str, Any], language: str, draft: bool) -> Schema:
        key = (form_id, version, language, draft)
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
        schema = compile_schema(definition, language, draft)
        with self._lock:
            self._items[key] = schema
            while len(self._items) > self._maxsize:
                self._items.popitem(last=False)
        return schema


CACHE = SchemaCache()


def validate_answers(schema: Schema, answers: Any, language: str = "vi") -> dict[str, Any]:
    """Load answers or raise ``validation_failed`` with marshmallow's nested messages."""
    if not isinstance(answers, dict):
        raise AppError("validation_failed", fields={"answers": [messages(language)["invalid_object"]]})
    # A section the unit left out is checked as empty, so its required fields are reported.
    answers = {key: {} for key in schema.fields} | answers
    try:
        cleaned: dict[str, Any] = schema.load(answers)
    except ValidationError as exc:
        raise AppError("validation_failed", fields=error_fields(exc)) from exc
    return cleaned
