"""The change list between two versions of a form, keyed by (section, field) keys."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .versions import renames
from .walk import walk


def _index(definition: Mapping[str, Any] | None) -> dict[str, Mapping[str, Any]]:
    if not definition:
        return {}
    return {place.name: place.field for place in walk(definition)}


def diff_definitions(old: Mapping[str, Any] | None, new: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Changes from ``old`` to ``new``: added, removed, renamed, relabelled, retyped, choices,
    required. A field whose ``renamed_from`` names a field of ``old`` is the same field."""
    before, after = _index(old), _index(new)
    moved = {source: target for source, target in renames(new).items() if source in before and source not in after}
    changes: list[dict[str, Any]] = [
        {"change": "renamed", "field": target, "from": source} for source, target in moved.items()
    ]
    for path in after.keys() - before.keys() - set(moved.values()):
        changes.append({"change": "field_added", "field": path, "type": after[path]["type"]})
    for path in before.keys() - after.keys() - set(moved):
        changes.append({"change": "field_removed", "field": path})
    pairs = [(path, path) for path in before.keys() & after.keys()] + list(moved.items())
    for old_path, path in pairs:
        a, b = before[old_path], after[path]
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
