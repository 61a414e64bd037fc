"""The three-way merge of two admins' drafts: my edits (base → mine) applied on top of theirs.

What merges apart, so that edits of different parts never meet: the form's own options; its
shared choice sets by set name; sections, fields and a repeat group's sub-fields by key; each
element's options; a choice list (a field's ``choices``, a shared set) by the choice's
``value``; and a text in several languages (``title``, ``label``, ``hint``, a choice's
``label``…) by language. A part only one admin changed takes that change. Where both changed the
same smallest part differently, the saver's value is kept and a conflict names the part, with
both values; nothing is dropped silently.

An element or a choice one admin removed goes, unless the other changed it: then it stays,
as the one who changed it left it, and the conflict says who removed it.

Order of a list (sections, fields, choices): the side that reordered what both kept leads (the
saver when both did, with a conflict); what only one side added goes right after the element
before it on that side (first when nothing is before it).

Each conflict is a dict: ``element`` (the keys joined by dots, ``form`` for the form itself),
``keys`` (the section, field and sub-field keys), ``option``, and where they apply ``set`` (a
shared set's name), ``choice`` (a choice's value), ``part`` (``label`` of a choice, or ``order``
of a list), ``lang``, ``removed`` (``mine`` or ``theirs``), then ``mine`` and ``theirs``.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from typing import Any

from checkround.formats.text import LANGUAGES

Definition = Mapping[str, Any]
Conflict = dict[str, Any]
MISSING: Any = object()


def shown(value: Any) -> Any:
    """A value as a conflict names it (an absent one is None)."""
    return None if value is MISSING else value


def _three_way(b: Any, m: Any, t: Any) -> tuple[Any, bool]:
    """The merged value of one indivisible part, and whether both changed it differently."""
    if m == t or t == b:
        return m, False
    if m == b:
        return t, False
    return m, True


def _is_localized(value: Any) -> bool:
    return value is MISSING or (
        isinstance(value, Mapping) and all(k in LANGUAGES and isinstance(v, str) for k, v in value.items())
    )


def _keyed(items: Any, key: str) -> dict[str, Mapping[str, Any]] | None:
    """``items`` by their ``key`` (an absent list is empty); None when they cannot be told
    apart (not a list of mappings with distinct string keys), so the list merges whole."""
    if items is MISSING or items is None:
        return {}
    if not isinstance(items, list):
        return None
    found: dict[str, Mapping[str, Any]] = {}
    for item in items:
        name = item.get(key) if isinstance(item, Mapping) else None
        if not isinstance(name, str) or name in found:
            return None
        found[name] = item
    return found


def merge_order(base: list[str], mine: list[str], theirs: list[str]) -> tuple[list[str], bool]:
    """The merged order of a list's keys, and whether both sides reordered it differently.

    The side that reordered what all three hold leads (mine when both did); each key the
    other side has and the leader lacks is placed after the key before it on that side."""
    kept = set(base) & set(mine) & set(theirs)
    b_order, m_order, t_order = ([k for k in keys if k in kept] for keys in (base, mine, theirs))
    mine_moved, theirs_moved = m_order != b_order, t_order != b_order
    lead, other = (theirs, mine) if theirs_moved and not mine_moved else (mine, theirs)
    order = list(lead)
    for index, key in enumerate(other):
        if key in order:
            continue
        after = next((k for k in reversed(other[:index]) if k in order), None)
        order.insert(order.index(after) + 1 if after is not None else 0, key)
    return order, mine_moved and theirs_moved and m_order != t_order


class _Merge:
    """One merge: the conflicts it found, gathered as it walks the three definitions."""

    def __init__(self, renamed: Mapping[tuple[str, ...], str] | None = None) -> None:
        self.conflicts: list[Conflict] = []
        # The keys the saver changed, by the element's keys now: its former key.
        self.renamed = dict(renamed or {})

    def value(self, b: Any, m: Any, t: Any, where: Conflict, name: str, *, slot: str = "option") -> Any:
        """One option (``slot`` names what ``name`` is in a conflict): whole when one side
        changed it, else by its parts (languages, choices, shared sets)."""
        merged, clash = _three_way(b, m, t)
        if not clash:
            return merged
        if name == "choice_sets" and slot == "option" and all(v is MISSING or isinstance(v, Mapping) for v in (m, t)):
            return self.choice_sets(b if isinstance(b, Mapping) else {}, m, t, where)
        if name == "choices":
            lists = [_keyed(v, "value") for v in (b, m, t)]
            if all(found is not None for found in lists):
                return self.choices(b, m, t, {**where, slot: name})
        if all(_is_localized(v) for v in (b, m, t)):
            return self.localized(b, m, t, {**where, slot: name})
        self.conflicts.append({**where, slot: name, "mine": shown(m), "theirs": shown(t)})
        return m

    def options(
        self, base: Mapping[str, Any], mine: Mapping[str, Any], theirs: Mapping[str, Any], where: Conflict, **kw: Any
    ) -> dict[str, Any]:
        """An element's (or a choice's) options, each merged on its own; ``skip`` names what
        is merged apart."""
        skip: tuple[str, ...] = kw.pop("skip", ())
        merged: dict[str, Any] = {}
        for name in [*mine, *(k for k in theirs if k not in mine)]:
            if name in skip:
                continue
            value = self.value(
                base.get(name, MISSING), mine.get(name, MISSING), theirs.get(name, MISSING), where, name, **kw
            )
            if value is not MISSING:
                merged[name] = copy.deepcopy(value)
        return merged

    def localized(self, b: Any, m: Any, t: Any, where: Conflict) -> Any:
        """A text in several languages, language by language (an absent text has none)."""
        texts = [v if isinstance(v, Mapping) else {} for v in (b, m, t)]
        codes = [c for c in LANGUAGES if any(c in v for v in texts)]
        merged: dict[str, str] = {}
        for code in codes:
            vb, vm, vt = (v.get(code, MISSING) for v in texts)
            value, clash = _three_way(vb, vm, vt)
            if clash:
                self.conflicts.append({**where, "lang": code, "mine": shown(vm), "theirs": shown(vt)})
            if value is not MISSING:
                merged[code] = value
        return merged if merged else MISSING

    def keyed_list(
        self,
        lists: tuple[Any, Any, Any],
        key: str,
        where: Conflict,
        on_removed: Callable[[str, Mapping[str, Any] | None, Mapping[str, Any] | None], None],
        merge_one: Callable[[Mapping[str, Any] | None, Mapping[str, Any], Mapping[str, Any], str], dict[str, Any]],
        renamed: Mapping[str, str] | None = None,
    ) -> list[Any]:
        """A list of elements told apart by ``key`` (sections, fields, choices), in the merged
        order; what one side removed goes unless the other changed it."""
        base, mine, theirs = (_keyed(v, key) for v in lists)
        if base is None or mine is None or theirs is None:
            # Items that cannot be told apart: the list is one value (mine, if both changed it).
            merged = self.value(*lists, where={k: v for k, v in where.items() if k != "option"}, name=where["option"])
            return copy.deepcopy(merged) if isinstance(merged, list) else []
        base, mine, theirs = _follow_renames(base, mine, theirs, key, renamed or {})
        order, both_moved = merge_order(list(base), list(mine), list(theirs))
        if both_moved:
            self.conflicts.append({**where, "part": "order", "mine": list(mine), "theirs": list(theirs)})
        merged_list: list[Any] = []
        for name in order:
            b, m, t = base.get(name), mine.get(name), theirs.get(name)
            if m is None or t is None:
                survivor = m if m is not None else t
                if survivor is None or (b is not None and survivor == b):
                    continue  # removed by both, or removed by one and left alone by the other
                if b is not None:
                    on_removed(name, m, t)
                merged_list.append(copy.deepcopy(survivor))
                continue
            merged_list.append(merge_one(b, m, t, name))
        return merged_list

    def choices(self, b: Any, m: Any, t: Any, where: Conflict) -> list[Any]:
        """A choice list by value: a choice's label merges by language."""

        def removed(value: str, mine: Mapping[str, Any] | None, theirs: Mapping[str, Any] | None) -> None:
            self.conflicts.append(
                {
                    **where,
                    "choice": value,
                    "removed": "mine" if mine is None else "theirs",
                    "mine": mine,
                    "theirs": theirs,
                }
            )

        def one(
            cb: Mapping[str, Any] | None, cm: Mapping[str, Any], ct: Mapping[str, Any], value: str
        ) -> dict[str, Any]:
            return self.options(cb or {}, cm, ct, {**where, "choice": value}, slot="part")

        return self.keyed_list((b, m, t), "value", where, removed, one)

    def choice_sets(self, b: Mapping[str, Any], m: Any, t: Any, where: Conflict) -> Any:
        """The form's shared choice sets, by set name, each a choice list."""
        mine = m if isinstance(m, Mapping) else {}
        theirs = t if isinstance(t, Mapping) else {}
        merged: dict[str, Any] = {}
        for name in [*mine, *(k for k in theirs if k not in mine)]:
            sb, sm, st = b.get(name, MISSING), mine.get(name, MISSING), theirs.get(name, MISSING)
            at = {**where, "option": "choice_sets", "set": name}
            if sm is MISSING or st is MISSING:
                survivor = st if sm is MISSING else sm
                if sb is not MISSING and survivor == sb:
                    continue
                if sb is not MISSING:
                    removed = "mine" if sm is MISSING else "theirs"
                    self.conflicts.append({**at, "removed": removed, "mine": shown(sm), "theirs": shown(st)})
                merged[name] = copy.deepcopy(survivor)
                continue
            value, clash = _three_way(sb, sm, st)
            if clash and all(_keyed(v, "value") is not None for v in (sb, sm, st)):
                value = self.choices(sb, sm, st, at)
            elif clash:
                self.conflicts.append({**at, "mine": sm, "theirs": st})
            merged[name] = copy.deepcopy(value)
        return merged if merged else MISSING

    def elements(self, lists: tuple[Any, Any, Any], keys: tuple[str, ...], option: str) -> list[Any]:
        """Sections (under the form) or fields (under a section or a repeat group), by key."""
        where = _where(keys, option)

        def removed(key: str, mine: Mapping[str, Any] | None, theirs: Mapping[str, Any] | None) -> None:
            self.conflicts.append(
                {**_where((*keys, key), "removed"), "mine": mine is not None, "theirs": theirs is not None}
            )

        def one(b: Mapping[str, Any] | None, m: Mapping[str, Any], t: Mapping[str, Any], key: str) -> dict[str, Any]:
            return self.element(b or {}, m, t, (*keys, key))

        renamed = {path[-1]: old for path, old in self.renamed.items() if path[:-1] == keys}
        return self.keyed_list(lists, "key", where, removed, one, renamed)

    def element(
        self, b: Mapping[str, Any], m: Mapping[str, Any], t: Mapping[str, Any], keys: tuple[str, ...]
    ) -> dict[str, Any]:
        """A section or a field: its options, then its fields (a repeat group's at any depth)."""
        merged = self.options(b, m, t, _where(keys), skip=("fields",))
        if "fields" in m or "fields" in t:
            lists = (b.get("fields", MISSING), m.get("fields", MISSING), t.get("fields", MISSING))
            merged["fields"] = self.elements(lists, keys, "fields")
        return merged


def _renames(base: Mapping[str, Mapping[str, Any]], side: Mapping[str, Mapping[str, Any]], key: str) -> dict[str, str]:
    """Keys one side changed and nothing else (an element gone and one come with the same
    options but its key and ``renamed_from``), old to new."""

    def rest(item: Mapping[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in item.items() if k not in (key, "renamed_from")}

    added = [k for k in side if k not in base]
    found: dict[str, str] = {}
    for old in (k for k in base if k not in side):
        same = [new for new in added if new not in found.values() and rest(side[new]) == rest(base[old])]
        if len(same) == 1:
            found[old] = same[0]
    return found


def _follow_renames(
    base: dict[str, Mapping[str, Any]],
    mine: dict[str, Mapping[str, Any]],
    theirs: dict[str, Mapping[str, Any]],
    key: str,
    renamed: Mapping[str, str],
) -> tuple[dict[str, Mapping[str, Any]], dict[str, Mapping[str, Any]], dict[str, Mapping[str, Any]]]:
    """A key one side changed is changed in the base and on the other side too (where the
    other still has the element), so the other's edits of that element merge into it instead
    of keeping it twice. The saver's own renames (``renamed``: new key to former, as the
    editor knows them) count even when the element changed too."""
    told = {
        old: new for new, old in renamed.items() if old in base and old not in mine and new in mine and new not in base
    }
    mine_renames = {
        old: new for old, new in {**_renames(base, mine, key), **told}.items() if old in theirs and new not in theirs
    }
    theirs_renames = {old: new for old, new in _renames(base, theirs, key).items() if old in mine and new not in mine}

    def rekeyed(items: dict[str, Mapping[str, Any]], names: dict[str, str]) -> dict[str, Mapping[str, Any]]:
        return {names.get(k, k): ({**v, key: names[k]} if k in names else v) for k, v in items.items()}

    if mine_renames or theirs_renames:
        # What one side renamed, the other still has under its old key (and never the new one).
        base = rekeyed(base, {**mine_renames, **theirs_renames})
        mine, theirs = rekeyed(mine, theirs_renames), rekeyed(theirs, mine_renames)
    return base, mine, theirs


def _where(keys: tuple[str, ...], option: str | None = None) -> Conflict:
    where: Conflict = {"element": ".".join(keys) or "form", "keys": list(keys)}
    if option is not None:
        where["option"] = option
    return where


def _each_field(items: Any) -> Any:
    """Every field and sub-field of a list of sections or fields."""
    for item in items if isinstance(items, list) else []:
        if isinstance(item, dict):
            if "type" in item:
                yield item
            yield from _each_field(item.get("fields"))


def _shared_lists_apart(definition: Definition) -> dict[str, Any]:
    """A copy without the choices a field takes from a shared list (meta-validation copies
    them in, the editor does not post them): they merge once, in the list, not in each field."""
    apart = copy.deepcopy(dict(definition))
    sets = apart.get("choice_sets") or {}
    for field in _each_field(apart.get("sections")):
        if field.get("choice_set") in sets and field.get("choices") == sets[field["choice_set"]]:
            del field["choices"]
    return apart


def _shared_lists_in(definition: dict[str, Any]) -> None:
    """The shared lists' choices copied back into the fields that name them, as saved."""
    sets = definition.get("choice_sets") or {}
    for field in _each_field(definition.get("sections")):
        if field.get("choice_set") in sets and "choices" not in field:
            field["choices"] = copy.deepcopy(sets[field["choice_set"]])


def merge_drafts(
    base: Definition, mine: Definition, theirs: Definition, renamed: Mapping[tuple[str, ...], str] | None = None
) -> tuple[dict[str, Any], list[Conflict]]:
    """My edits (``base`` → ``mine``) applied on top of their draft (``theirs``), with the
    conflicts where both changed the same part differently (mine kept). ``renamed``: the keys I
    changed, by the element's keys now (``("a", "so_luong")``), with the former key."""
    base, mine, theirs = (_shared_lists_apart(d) for d in (base, mine, theirs))
    merge = _Merge(renamed)
    merged = merge.options(base, mine, theirs, _where(()), skip=("sections",))
    lists = (base.get("sections", MISSING), mine.get("sections", MISSING), theirs.get("sections", MISSING))
    merged["sections"] = merge.elements(lists, (), "sections")
    _shared_lists_in(merged)
    return merged, merge.conflicts
