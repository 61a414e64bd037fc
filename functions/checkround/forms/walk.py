"""The one walk over a form: sections, their fields, and the records of repeat groups.

A form's answers are ``{section: {field: value}}``, and a repeat group's value is a list of
records ``{sub field: value}``. Validation, the web form's reader, aggregation, exports and
display all visit them in the same order; they do it through :func:`walk`, which yields a
:class:`Place` per field (and per sub-field of each record) with its path, its definition and
the value found there, so none of them writes the nesting out again.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from .fieldtypes import REGISTRY, FieldDef, FieldType
from .fillers import Filler, filler_of

Path = tuple[str | int, ...]


@dataclass(frozen=True)
class Place:
    """A field as the walk finds it.

    ``path`` is ``(section, field)`` or, inside a repeat group, ``(section, field, index, sub)``;
    ``holder`` is the dict the value sits in (the section's answers or the record), or None when
    the answers hold no dict there; ``record`` is the repeat record around a sub-field (None
    outside one)."""

    path: Path
    section: Mapping[str, Any]
    field: FieldDef
    value: Any
    holder: dict[str, Any] | None
    record: dict[str, Any] | None = None

    @property
    def type(self) -> FieldType:
        return REGISTRY[self.field["type"]]

    @property
    def key(self) -> str:
        return str(self.path[-1])

    @property
    def name(self) -> str:
        """The dotted name (``section.field`` or ``section.group.0.sub``) used by the web form and
        in ``ignored``."""
        return ".".join(str(step) for step in self.path)

    @property
    def filled_by(self) -> Filler:
        """Who fills it in: its own ``filled_by``, its repeat group's, or its section's."""
        top = (
            next(f for f in self.section["fields"] if f["key"] == self.path[1])
            if self.record is not None
            else self.field
        )
        return filler_of(self.section, top)

    @property
    def group(self) -> Path:
        """The path of the top-level field this place belongs to (itself, or its repeat group)."""
        return self.path[:2]


def walk(definition: Mapping[str, Any], answers: Mapping[str, Any] | None = None) -> Iterator[Place]:
    """Every field of the form in order, each followed by the sub-fields of its records.

    Without ``answers`` it yields the top-level fields with no value. A section or record that
    is not a dict holds no values (its fields are still visited, with ``holder`` None); items of a
    repeat group that are not dicts are skipped. Callers may change a value in ``holder`` while
    walking: the walk reads a repeat group's records when it reaches them."""
    for section in definition["sections"]:
        found = answers.get(section["key"]) if answers is not None else None
        holder = found if isinstance(found, dict) else None
        for field in section["fields"]:
            value = holder.get(field["key"]) if holder is not None else None
            yield Place((section["key"], field["key"]), section, field, value, holder)
            if not REGISTRY[field["type"]].container:
                continue
            # Read again: the caller may have replaced the value while it had the place.
            items = holder.get(field["key"]) if holder is not None else None
            if not isinstance(items, list):
                continue
            for index, item in enumerate(items):
                if not isinstance(item, dict):
                    continue
                for sub in field["fields"]:
                    path = (section["key"], field["key"], index, sub["key"])
                    yield Place(path, section, sub, item.get(sub["key"]), item, item)


def definition_fields(definition: Mapping[str, Any]) -> Iterator[tuple[Mapping[str, Any], FieldDef, FieldDef | None]]:
    """``(section, field, repeat group or None)`` for every field of a definition, the
    sub-fields of repeat groups included (after their group)."""
    for section in definition["sections"]:
        for field in section["fields"]:
            yield section, field, None
            if REGISTRY[field["type"]].container:
                for sub in field["fields"]:
                    yield section, sub, field
