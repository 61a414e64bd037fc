"""Two admins on one draft: what the other one changed, and both sets of edits kept.

A save carries the etag of the draft the admin started from (its *base*). When another admin
saved in between, the save is refused (412) and the editor asks :func:`draft_conflict` for
what changed from that base to the current draft (:func:`element_changes`, by element: the
form's own options, sections and fields by key) and for the admin's edits applied on top of the
current draft (:func:`merge_drafts`, a three-way merge by element and option). Where both admins
changed the same option of the same element, the admin who is saving keeps their value and the
conflict lists it, with the other value, so they can choose; nothing is dropped silently.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from checkround.context import Context
from checkround.errors import AppError

from .diff import diff_definitions
from .service import get_form, revision_of, revision_path

Definition = Mapping[str, Any]
_FORM_KEYS = ("id", "title", "description", "languages", "choice_sets")
_SECTION_KEYS = ("title", "description", "relevant")
_MISSING = object()


def _fields(section: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
    return {f["key"]: f for f in section.get("fields") or []}


def _sections(definition: Definition | None) -> dict[str, Mapping[str, Any]]:
    return {s["key"]: s for s in (definition or {}).get("sections") or []}


def _changed_options(old: Mapping[str, Any], new: Mapping[str, Any], skip: tuple[str, ...] = ()) -> list[str]:
    names = sorted((old.keys() | new.keys()) - set(skip))
    return [name for name in names if old.get(name, _MISSING) != new.get(name, _MISSING)]


def element_changes(old: Definition | None, new: Definition) -> list[dict[str, Any]]:
    """Everything that differs from ``old`` to ``new``: the publish change list
    (:func:`~.diff.diff_definitions`) and, beside it, sections added, removed, changed or
    reordered, the form's own options, and the other options of each field
    (``options_changed`` with their names)."""
    changes = list(diff_definitions(old, new))
    form_options = _changed_options(old or {}, new, skip=("sections",))
    if old is not None and form_options:
        changes.append({"change": "form_changed", "options": form_options})
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


def _merge_options(
    base: Mapping[str, Any] | None,
    mine: Mapping[str, Any],
    theirs: Mapping[str, Any],
    skip: tuple[str, ...],
    where: str,
    conflicts: list[dict[str, Any]],
) -> dict[str, Any]:
    """One element's options merged; for a container, ``skip`` names what is merged apart."""
    merged: dict[str, Any] = {}
    base = base or {}
    order = [*mine.keys(), *(k for k in theirs if k not in mine)]
    for name in order:
        if name in skip:
            continue
        b, m, t = base.get(name, _MISSING), mine.get(name, _MISSING), theirs.get(name, _MISSING)
        if m == t:
            value = m
        elif m == b:
            value = t  # only they changed it
        elif t == b:
            value = m  # only I changed it
        else:
            value = m
            conflicts.append({"element": where, "option": name, "mine": _shown(m), "theirs": _shown(t)})
        if value is not _MISSING:
            merged[name] = copy.deepcopy(value)
    return merged


def _shown(value: Any) -> Any:
    return None if value is _MISSING else value


def _merge_order(base: list[str], mine: list[str], theirs: list[str]) -> list[str]:
    """My order, with what only they added placed after the element before it in theirs."""
    order = list(mine)
    for index, key in enumerate(theirs):
        if key in order or key in base:
            continue
        after = next((k for k in reversed(theirs[:index]) if k in order), None)
        order.insert(order.index(after) + 1 if after is not None else 0, key)
    return order


def _merge_keyed(
    base: dict[str, Mapping[str, Any]],
    mine: dict[str, Mapping[str, Any]],
    theirs: dict[str, Mapping[str, Any]],
    prefix: str,
    conflicts: list[dict[str, Any]],
) -> list[tuple[str, Mapping[str, Any] | None, Mapping[str, Any] | None, Mapping[str, Any] | None]]:
    """``(key, base, mine, theirs)`` of each element the merge keeps, in the merged order; an
    element one admin removed goes, unless the other changed it (then it stays, as a conflict)."""
    kept = []
    for key in _merge_order(list(base), list(mine), list(theirs)):
        b, m, t = base.get(key), mine.get(key), theirs.get(key)
        if b is not None and (m is None or t is None):
            survivor = m if m is not None else t
            if survivor is None or survivor == b:
                continue  # removed by one, untouched by the other (or removed by both)
            conflicts.append(
                {"element": f"{prefix}{key}", "option": "removed", "mine": m is not None, "theirs": t is not None}
            )
        kept.append((key, b, m, t))
    return kept


def merge_drafts(base: Definition, mine: Definition, theirs: Definition) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """My edits (``base`` → ``mine``) applied on top of their draft (``theirs``), by element
    and option, with the conflicts where both changed the same thing (mine kept)."""
    conflicts: list[dict[str, Any]] = []
    merged = _merge_options(base, mine, theirs, ("sections",), "form", conflicts)
    sections = []
    for key, b, m, t in _merge_keyed(_sections(base), _sections(mine), _sections(theirs), "", conflicts):
        m, t = m or t or {}, t or m or {}
        section = _merge_options(b, m, t, ("fields",), key, conflicts)
        b_fields = _fields(b) if b else {}
        section_fields = []
        for f_key, fb, fm, ft in _merge_keyed(b_fields, _fields(m), _fields(t), f"{key}.", conflicts):
            fm, ft = fm or ft or {}, ft or fm or {}
            field = _merge_options(fb, fm, ft, ("fields",), f"{key}.{f_key}", conflicts)
            if "fields" in fm or "fields" in ft:
                subs = _merge_keyed(_fields(fb or {}), _fields(fm), _fields(ft), f"{key}.{f_key}.", conflicts)
                field["fields"] = [
                    _merge_options(sb, sm or st or {}, st or sm or {}, (), f"{key}.{f_key}.{s_key}", conflicts)
                    for s_key, sb, sm, st in subs
                ]
            section_fields.append(field)
        section["fields"] = section_fields
        sections.append(section)
    merged["sections"] = sections
    return merged, conflicts


def draft_conflict(ctx: Context, form_id: str, base_etag: str, mine: Definition | None = None) -> dict[str, Any]:
    """What another admin changed since the draft ``base_etag`` names, and, given the admin's
    own edited definition ``mine``, those edits applied on top of the current draft.

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
        result["merged"], result["conflicts"] = merge_drafts(base, mine, current["draft"])
    return result


def changes_since(ctx: Context, form_id: str, base_etag: str) -> dict[str, Any]:
    """The API's view of :func:`draft_conflict` (no merge): 404 for an etag never issued."""
    revision = revision_of(base_etag)
    if revision is None or ctx.store.get(revision_path(form_id, revision)) is None:
        get_form(ctx, form_id)  # an unknown form is its own 404
        raise AppError("not_found", what={"vi": "bản nháp", "en": "Draft"})
    return draft_conflict(ctx, form_id, base_etag)
