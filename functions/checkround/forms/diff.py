"""The change list between two versions of a form, keyed by (section, field) keys."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .definition import iter_fields


def _index(definition: Mapping[str, Any] | None) -> dict[str, Mapping[str, Any]]:
    if not definition:
        return {}
    return {f"{section['key']}.{field['key']}": field for section, field in iter_fields(definition)}


def diff_definitions(old: Mapping[str, Any] | None, new: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Changes from ``old`` to ``new``: added, removed, relabelled, retyped, choices, required."""
    before, after = _index(old), _index(new)
    changes: list[dict[str, Any]] = []
    for path in after.keys() - before.keys():
        changes.append({"change": "field_added", "field": path, "type": after[path]["type"]})
    for path in before.keys() - after.keys():
        changes.append({"change": "field_removed", "field": path})
    for path in before.keys() & after.keys():
        a, b = before[path], after[path]
        if a["type"] != b["type"]:
            changes.append({"change": "type_changed", "field": path, "from": a["type"], "to": b["type"]})
        if a.get("label") != b.get("label"):
            changes.append({"change": "relabelled", "field": path, "from": a.get("label"), "to": b.get("label")})
        if bool(a.get("required")) != bool(b.get("required")):
            changes.append({"change": "required_changed", "field": path, "to": bool(b.get("required"))})
        old_choices = {c["value"] for c in a.get("choices", [])}
        new_choices = {c["value"] for c in b.get("choices", [])}
        for value in sorted(new_choices - old_choices):
            changes.append({"change": "choice_added", "field": path, "value": value})
        for value in sorted(old_choices - new_choices):
            changes.append({"change": "choice_removed", "field": path, "value": value})
    return sorted(changes, key=lambda c: (c["field"], c["change"]))
