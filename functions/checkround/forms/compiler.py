"""Compile a checked form definition into a marshmallow schema for units' answers.

Answers are shaped ``{section_key: {field_key: value}}``; a repeat group's value is a list of
records. The schema checks types, ranges, lengths and choices. ``required`` is enforced here
only where it is static; a field that a rule may hide or require is checked by
:mod:`checkround.forms.validate` once the rules have run. A published version never changes,
so its schema is cached per (form, version, language, mode).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from typing import Any

from marshmallow import RAISE, Schema, fields

from .fieldtypes import REGISTRY, Build, Record
from .messages import messages


def statically_required(field: Mapping[str, Any], section: Mapping[str, Any] | None) -> bool:
    """Required whatever the other answers say: ``required: true`` and nothing can hide it."""
    hidden_by_section = section is not None and section.get("relevant") is not None
    return field.get("required") is True and field.get("relevant") is None and not hidden_by_section


def _record(members: Sequence[Mapping[str, Any]], build: Build, section: Mapping[str, Any] | None) -> Record:
    """A section, or a record of a repeat group: its fields as one :class:`Record`."""
    declared = {
        field["key"]: REGISTRY[field["type"]].make({**field, "required": statically_required(field, section)}, build)
        for field in members
    }
    return Record(
        declared,
        unknown_message=build.msgs["unknown"],
        type_message=build.msgs["invalid_object"],
        required=False,
        error_messages={"null": build.msgs["null"]},
    )


def compile_schema(definition: Mapping[str, Any], language: str = "vi", draft: bool = False) -> Schema:
    """Build the answers schema; ``draft`` relaxes ``required`` (drafts check types only)."""
    msgs = messages(language)

    def nested(members: Sequence[Mapping[str, Any]]) -> fields.Field[Any]:
        # Sub-fields of a repeat group; a rule decides whether they may be hidden.
        return _record(members, build, None)

    build = Build(msgs=msgs, draft=draft, nested=nested, language=language)
    section_fields: dict[str, fields.Field[Any]] = {
        section["key"]: _record(section["fields"], build, section) for section in definition["sections"]
    }
    answers_schema = Schema.from_dict(section_fields, name=f"Answers_{definition['id']}")
    answers_schema.error_messages = {"unknown": msgs["unknown"], "type": msgs["invalid_object"]}
    return answers_schema(unknown=RAISE)


class SchemaCache:
    """A bounded LRU of compiled schemas for published (immutable) form versions.

    An entry serves only the definition object it was compiled from: the same form id and
    version may hold another definition in another store (a test's project, the emulator
    after a reset), and a schema compiled from one must never check answers for the other.
    """

    def __init__(self, maxsize: int = 256) -> None:
        self._items: OrderedDict[tuple[str, int, str, bool, int], tuple[Mapping[str, Any], Schema]] = OrderedDict()
        self._maxsize = maxsize
        self._lock = threading.Lock()

    def get(self, form_id: str, version: int, definition: Mapping[str, Any], language: str, draft: bool) -> Schema:
        # The definition's identity is part of the key: a version and the unit's part of it
        # (forms.fillers) are two definitions, each with its own schema.
        key = (form_id, version, language, draft, id(definition))
        with self._lock:
            hit = self._items.get(key)
            if hit is not None and hit[0] is definition:
                self._items.move_to_end(key)
                return hit[1]
        schema = compile_schema(definition, language, draft)
        with self._lock:
            # Holding the definition keeps its identity from being reused while it is cached.
            self._items[key] = (definition, schema)
            self._items.move_to_end(key)
            while len(self._items) > self._maxsize:
                self._items.popitem(last=False)
        return schema


CACHE = SchemaCache()
