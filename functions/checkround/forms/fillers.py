"""Who fills a form in: the unit, or the inspection team (``filled_by: reviewer``).

A section or a field says ``filled_by: unit`` (the default) or ``filled_by: reviewer``; a field
without its own says what its section says, and a repeat group's sub-fields go with their
group. A reviewer field is shown to the unit read-only unless it says ``shown_to_unit: false``.
A reviewer checklist item with ``self_assessment: true`` is also the unit's to fill: the unit's
answer is its self-assessment, kept beside the team's (the summary shows both).

The rest of the code sees two *parts* of a definition, each a definition of its own (same
shape, fewer fields), so the compiler, the validator and the walk need no second code path:
:func:`unit_part` is what a unit sends and is validated against; :func:`reviewer_part` is what
the inspection team enters in review. A form without reviewer fields is its own unit part.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Mapping
from typing import Any, Literal

from .definition_messages import said

Filler = Literal["unit", "reviewer"]
UNIT: Filler = "unit"
REVIEWER: Filler = "reviewer"


def filler_of(section: Mapping[str, Any], field: Mapping[str, Any]) -> Filler:
    """Who fills ``field`` (a top-level field of ``section``) in."""
    found = field.get("filled_by") or section.get("filled_by") or UNIT
    return REVIEWER if found == REVIEWER else UNIT


def shown_to_unit(section: Mapping[str, Any], field: Mapping[str, Any]) -> bool:
    """Whether the unit's form shows a reviewer field (read-only) or leaves it out."""
    if "shown_to_unit" in field:
        return bool(field["shown_to_unit"])
    return bool(section.get("shown_to_unit", True))


def unit_fills(section: Mapping[str, Any], field: Mapping[str, Any]) -> bool:
    """The unit sends an answer for it: its own field, or its self-assessment of a reviewer item."""
    return filler_of(section, field) == UNIT or bool(field.get("self_assessment"))


def reviewer_fills(section: Mapping[str, Any], field: Mapping[str, Any]) -> bool:
    return filler_of(section, field) == REVIEWER


def is_self_assessed(section: Mapping[str, Any], field: Mapping[str, Any]) -> bool:
    return reviewer_fills(section, field) and bool(field.get("self_assessment"))


def has_reviewer_fields(definition: Mapping[str, Any]) -> bool:
    return any(reviewer_fills(s, f) for s in definition["sections"] for f in s["fields"])


def check_fillers(section: Mapping[str, Any]) -> dict[str, Any]:
    """A cleaned section's ``filled_by`` options that contradict each other, by field index."""
    errors: dict[int, dict[str, list[str]]] = {}
    section_errors: dict[str, Any] = {}
    if "shown_to_unit" in section and section.get("filled_by") != REVIEWER:
        section_errors["shown_to_unit"] = [said("shown_to_unit_section")]
    for index, field in enumerate(section["fields"]):
        found: dict[str, list[str]] = {}
        reviewer = filler_of(section, field) == REVIEWER
        if "shown_to_unit" in field and not reviewer:
            found["shown_to_unit"] = [said("shown_to_unit_field")]
        if field.get("self_assessment") and not reviewer:
            found["self_assessment"] = [said("self_assessment_needs_reviewer")]
        if field.get("self_assessment") and field.get("shown_to_unit") is False:
            found["shown_to_unit"] = [said("self_assessment_shown")]
        if found:
            errors[index] = found
    if errors:
        section_errors["fields"] = errors
    return section_errors


def _part(definition: Mapping[str, Any], keep: Any) -> Mapping[str, Any]:
    sections = []
    for section in definition["sections"]:
        kept = [f for f in section["fields"] if keep(section, f)]
        if kept:
            sections.append({**section, "fields": kept})
    return {**definition, "sections": sections}


class _Parts:
    """The parts of recently used definitions, so the schema cache (keyed by the definition
    object it compiled) sees one object per part and compiles it once."""

    def __init__(self, maxsize: int = 64) -> None:
        self._items: OrderedDict[tuple[int, str], tuple[Mapping[str, Any], Mapping[str, Any]]] = OrderedDict()
        self._maxsize = maxsize
        self._lock = threading.Lock()

    def get(self, definition: Mapping[str, Any], who: Filler) -> Mapping[str, Any]:
        key = (id(definition), who)
        with self._lock:
            hit = self._items.get(key)
            if hit is not None and hit[0] is definition:
                self._items.move_to_end(key)
                return hit[1]
        if who == UNIT:
            part = definition if not has_reviewer_fields(definition) else _part(definition, unit_fills)
        else:
            part = _part(definition, reviewer_fills)
        with self._lock:
            self._items[key] = (definition, part)
            while len(self._items) > self._maxsize:
                self._items.popitem(last=False)
        return part


_PARTS = _Parts()


def unit_part(definition: Mapping[str, Any]) -> Mapping[str, Any]:
    """The definition of what a unit sends (the whole definition when it has no reviewer field)."""
    return _PARTS.get(definition, UNIT)


def reviewer_part(definition: Mapping[str, Any]) -> Mapping[str, Any]:
    """The definition of what the inspection team enters (no sections when it has none)."""
    return _PARTS.get(definition, REVIEWER)


def shown_reviewer_answers(definition: Mapping[str, Any], answers: Any) -> dict[str, Any]:
    """The inspection team's answers a unit may read: its fields the form shows to the unit,
    less the self-assessed items (the unit's form holds its own answer there)."""
    if not isinstance(answers, Mapping):
        return {}
    shown: dict[str, Any] = {}
    for section in definition["sections"]:
        sent = answers.get(section["key"])
        if not isinstance(sent, Mapping):
            continue
        for field in section["fields"]:
            team_only = reviewer_fills(section, field) and not field.get("self_assessment")
            if team_only and shown_to_unit(section, field) and field["key"] in sent:
                shown.setdefault(section["key"], {})[field["key"]] = sent[field["key"]]
    return shown


def _is_empty(value: Any) -> bool:
    if isinstance(value, Mapping):
        return all(_is_empty(v) for v in value.values())
    return value is None or value == "" or value == []


def refuse_reviewer_answers(definition: Mapping[str, Any], answers: Any, message: str) -> tuple[Any, dict[str, Any]]:
    """``(answers less empty reviewer-only values, errors)`` for what a unit sent: a value
    for a field only the inspection team fills is an error at its path (``message``); an empty
    one (a form that posts every name) is dropped quietly."""
    if not isinstance(answers, dict) or not has_reviewer_fields(definition):
        return answers, {}
    kept = dict(answers)
    errors: dict[str, Any] = {}
    for section in definition["sections"]:
        sent = kept.get(section["key"])
        if not isinstance(sent, dict):
            continue
        sent = dict(sent)
        for field in section["fields"]:
            if unit_fills(section, field) or field["key"] not in sent:
                continue
            value = sent.pop(field["key"])
            if not _is_empty(value):
                errors.setdefault(section["key"], {})[field["key"]] = [message]
        if any(unit_fills(section, f) for f in section["fields"]) or sent:
            kept[section["key"]] = sent
        else:
            del kept[section["key"]]  # a section only the team fills, sent empty
    return kept, errors
