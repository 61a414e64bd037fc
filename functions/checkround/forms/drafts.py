"""Two admins on one draft: what the other one changed, and both sets of edits kept.

A save carries the etag of the draft the admin started from (its *base*). When another admin
saved in between, the save is refused (412) and the editor asks :func:`draft_conflict` for
what changed from that base to the current draft (:func:`element_changes`, by element: the
form's own options and shared choice sets, sections and fields by key, choices by value) and
for the admin's edits applied on top of the current draft (:func:`~.merge.merge_drafts`, a
three-way merge down to each choice and each language of a text). Where both admins changed
the same part, the admin who is saving keeps their value and the conflict lists it, with the
other value, so they can choose; nothing is dropped silently.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from checkround.context import Context
from checkround.errors import AppError

from .diff import diff_definitions
from .merge import merge_drafts
from .service import get_form, revision_of, revision_path

Definition = Mapping[str, Any]
_FORM_KEYS = ("id", "title", "description", "languages", "choice_sets")
_SECTION_KEYS = ("title", "description", "relevant")
_MISSING = object()

__all__ = ["changes_since", "draft_conflict", "element_changes", "merge_drafts"]


def _fields(section: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
    return {f["key"]: f for f in section.get("fields") or []}


def _sections(definition: Definition | None) -> dict[str, Mapping[str, Any]]:
    return {s["key"]: s for s in (definition or {}).get("sections") or []}


def _changed_options(old: Mapping[str, Any], new: Mapping[str, Any], skip: tuple[str, ...] = ()) -> list[str]:
    names = sorted((old.keys() | new.keys()) - set(skip))
    return [name for name in names if old.get(name, _MISSING) != new.get(name, _MISSING)]


def _choice_fields(definition: Definition | None) -> dict[str, Mapping[str, Any]]:
    """Every field and sub-field with a choice list, by dotted keys (``a.group.sub``)."""
    found: dict[str, Mapping[str, Any]] = {}

    def visit(prefix: str, items: Any) -> None:
        for item in items or []:
            path = f"{prefix}.{item.get('key')}"
            if item.get("choices"):
                found[path] = item
            visit(path, item.get("fields"))

    for section in (definition or {}).get("sections") or []:
        visit(str(section.get("key")), section.get("fields"))
    return found


def _choice_changes(old: Any, new: Any, **where: str) -> list[dict[str, Any]]:
    """Choices kept from ``old`` to ``new`` whose label changed, and whether they moved."""
    before = {c.get("value"): c for c in old or [] if isinstance(c, Mapping)}
    after = {c.get("value"): c for c in new or [] if isinstance(c, Mapping)}
    changes: list[dict[str, Any]] = [
        {"change": "choice_changed", **where, "value": value}
        for value in after
        if value in before and before[value] != after[value]
    ]
    if [v for v in before if v in after] != [v for v in after if v in before]:
        changes.append({"change": "choices_reordered", **where})
    return changes


def _set_changes(old: Any, new: Any) -> list[dict[str, Any]]:
    """The form's shared choice sets added, removed, or changed choice by choice."""
    before, after = (v if isinstance(v, Mapping) else {} for v in (old, new))
    changes: list[dict[str, Any]] = [
        {"change": "choice_set_added", "set": name} for name in after if name not in before
    ]
    changes += [{"change": "choice_set_removed", "set": name} for name in before if name not in after]
    for name in (n for n in after if n in before and before[n] != after[n]):
        values = {str(c.get("value")) for c in before[name] if isinstance(c, Mapping)}
        new_values = {str(c.get("value")) for c in after[name] if isinstance(c, Mapping)}
        changes += [{"change": "set_choice_added", "set": name, "value": v} for v in sorted(new_values - values)]
        changes += [{"change": "set_choice_removed", "set": name, "value": v} for v in sorted(values - new_values)]
        changes += [{**c, "change": f"set_{c['change']}"} for c in _choice_changes(before[name], after[name], set=name)]
    return changes


def element_changes(old: Definition | None, new: Definition) -> list[dict[str, Any]]:
    """Everything that differs from ``old`` to ``new``: the publish change list
    (:func:`~.diff.diff_definitions`) and, beside it, sections added, removed, changed or
    reordered, the form's own options, its shared choice sets choice by choice, the other
    options of each field (``options_changed`` with their names), and choices relabelled
    (``choice_changed``) or reordered."""
    changes = list(diff_definitions(old, new))
    form_options = _changed_options(old or {}, new, skip=("sections", "choice_sets"))
    if old is not None and form_options:
        changes.append({"change": "form_changed", "options": form_options})
    if old is not None:
        changes += _set_changes(old.get("choice_sets"), new.get("choice_sets"))
        old_choices, new_choices = _choice_fields(old), _choice_fields(new)
        for path in (p for p in new_choices if p in old_choices):
            changes += _choice_changes(old_choices[path].get("choices"), new_choices[path].get("choices"), field=path)
    before, after = _sections(old), _sections(new)
    for key in after.keys() - before.keys():
        changes.append({"change": "section_added", "section": key})
    for key in before.keys() - after.keys():
        changes.append({"change": "section_removed", "section": key})
    common = [key for key in after if key in before]
    if [key for key in before if key in after] != common:
        changes.append({"change": "sections_reordered"})
    listed = {(c["change"], c.get("field")) for c in changes}
    for key in common:
        options = _changed_options(before[key], after[key], skip=("key", "fields"))
        if options:
            changes.append({"change": "section_changed", "section": key, "options": options})
        old_fields, new_fields = _fields(before[key]), _fields(after[key])
        shared = [f for f in new_fields if f in old_fields]
        if [f for f in old_fields if f in new_fields] != shared:
            changes.append({"change": "fields_reordered", "section": key})
        for field_key in shared:
            # What the change list names already (label, required, type, choices) is not repeated.
            skip: tuple[str, ...] = ("key", "label", "type", "required", "choices")
            if ("choice_added", f"{key}.{field_key}") in listed or ("choice_removed", f"{key}.{field_key}") in listed:
                skip = (*skip, "choice_set")
            options = _changed_options(old_fields[field_key], new_fields[field_key], skip=skip)
            if options:
                changes.append({"change": "options_changed", "field": f"{key}.{field_key}", "options": options})
    return changes


def draft_conflict(
    ctx: Context,
    form_id: str,
    base_etag: str,
    mine: Definition | None = None,
    renamed: Mapping[tuple[str, ...], str] | None = None,
) -> dict[str, Any]:
    """What another admin changed since the draft ``base_etag`` names, and, given the admin's
    own edited definition ``mine`` (and the keys they changed in it, ``renamed``), those edits
    applied on top of the current draft.

    ``changes`` and ``merged`` are None when the base draft is not kept (a draft saved before
    drafts were kept): the page then shows the current draft and the admin's edits side by side.
    """
    current = get_form(ctx, form_id)
    revision = revision_of(base_etag)
    base_doc = ctx.store.get(revision_path(form_id, revision)) if revision is not None else None
    if base_doc is not None and base_doc.get("etag") != base_etag.strip().strip('"'):
        base_doc = None
    head = ctx.store.get(revision_path(form_id, revision_of(current["etag"]) or 0)) or {}
    result: dict[str, Any] = {
        "etag": current["etag"],
        "draft": current["draft"],
        "saved_by": head.get("saved_by"),
        "saved_at": head.get("saved_at"),
        "changes": None,
        "merged": None,
        "conflicts": [],
    }
    if base_doc is None:
        return result
    base = base_doc["definition"]
    result["changes"] = element_changes(base, current["draft"])
    if mine is not None:
        result["merged"], result["conflicts"] = merge_drafts(base, mine, current["draft"], renamed)
    return result


def changes_since(ctx: Context, form_id: str, base_etag: str) -> dict[str, Any]:
    """The API's view of :func:`draft_conflict` (no merge): 404 for an etag never issued."""
    revision = revision_of(base_etag)
    if revision is None or ctx.store.get(revision_path(form_id, revision)) is None:
        get_form(ctx, form_id)  # an unknown form is its own 404
        raise AppError("not_found", what={"vi": "bản nháp", "en": "Draft"})
    return draft_conflict(ctx, form_id, base_etag)
