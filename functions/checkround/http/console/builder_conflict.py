"""The editor after a save that lost a race: each part both admins changed, said in the admin's
language and placed at the part itself (a choice's row, a label's language, an option), with
both values; the list at the top of the page links to each.

The merge (:mod:`checkround.forms.merge`) names a conflict by keys (section, field, choice
value, language); the page draws inputs by position, so each conflict is placed at the path of
what it names in the merged definition the editor holds, or at the nearest element the page
draws (an option the field no longer shows goes to its field).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from functools import partial
from typing import Any

from checkround.formats.numbers import format_for_input
from checkround.formats.text import localized
from checkround.forms.editing import place_errors
from checkround.forms.rule_words import describe, field_infos

RULES = ("relevant", "required", "constraint", "calculate")


def former_keys(definition: Mapping[str, Any]) -> dict[tuple[str, ...], str]:
    """The keys the admin changed on the page (each field posts the key it was drawn with),
    by the field's keys now: the merge follows them into the other admin's edits."""
    found: dict[tuple[str, ...], str] = {}

    def visit(parent: tuple[str, ...], items: Any) -> None:
        for item in items if isinstance(items, list) else []:
            if not isinstance(item, Mapping) or not isinstance(item.get("key"), str):
                continue
            keys = (*parent, item["key"])
            if isinstance(item.get("_orig"), str) and item["_orig"] != item["key"]:
                found[keys] = item["_orig"]
            visit(keys, item.get("fields"))

    for section in definition.get("sections") or []:
        if isinstance(section, Mapping) and isinstance(section.get("key"), str):
            visit((section["key"],), section.get("fields"))
    return found


def _index(items: Any, key: str, wanted: Any) -> int | None:
    for n, item in enumerate(items if isinstance(items, list) else []):
        if isinstance(item, Mapping) and item.get(key) == wanted:
            return n
    return None


def _element(definition: Mapping[str, Any], keys: list[str]) -> Mapping[str, Any] | None:
    """The section or field named by its keys, if the definition has it."""
    node: Any = definition
    for depth, key in enumerate(keys):
        items = node.get("sections" if depth == 0 else "fields") if isinstance(node, Mapping) else None
        found = _index(items, "key", key)
        if found is None or not isinstance(items, list):
            return None
        node = items[found]
    return node if isinstance(node, Mapping) else None


def conflict_path(conflict: Mapping[str, Any], definition: Mapping[str, Any]) -> str:
    """The page's path (``sections.0.fields.6.choices.1``) of what a conflict names, in the
    definition the editor draws; as far as it can be followed."""
    option = conflict.get("option")
    if option == "choice_sets":
        names = sorted(definition.get("choice_sets") or {})
        name = conflict.get("set")
        if name not in names:
            return "choice_sets"
        path = f"choice_sets.{names.index(name)}"
        found = _index(definition["choice_sets"][name], "value", conflict.get("choice"))
        return f"{path}.choices.{found}" if "choice" in conflict and found is not None else path
    parts: list[str] = []
    node: Any = definition
    for depth, key in enumerate(conflict.get("keys") or []):
        items = node.get("sections" if depth == 0 else "fields") if isinstance(node, Mapping) else None
        found = _index(items, "key", key)
        if found is None or not isinstance(items, list):
            return ".".join(parts)
        parts += ["sections" if depth == 0 else "fields", str(found)]
        node = items[found]
    if option == "removed":
        return ".".join(parts)
    parts.append(str(option))
    if "choice" in conflict:
        found = _index(node.get(str(option)) if isinstance(node, Mapping) else None, "value", conflict["choice"])
        if found is None:
            return ".".join(parts)
        parts.append(str(found))
    elif "lang" in conflict:
        parts.append(str(conflict["lang"]))
    return ".".join(parts)


def _said(value: Any, text: Mapping[str, Any], lang: str, words: Callable[[Any], str | None] | None = None) -> str:
    """A value as the admin reads it in a sentence (a rule in words when it can be said)."""
    said = words(value) if words is not None and isinstance(value, Mapping) else None
    if said:
        return said
    if value is None or value == "" or value == {}:
        return str(text["b_clash_empty"])
    if isinstance(value, bool):
        return str(text["b_values"]["true" if value else "false"])
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return ", ".join(value)
    if isinstance(value, Mapping) and "label" in value:
        return f"{localized(value['label'], lang)} ({value.get('value')})"
    if isinstance(value, Mapping) and value and all(isinstance(v, str) for v in value.values()):
        return localized(value, lang)
    if isinstance(value, Mapping | list):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def _sentence(
    conflict: Mapping[str, Any], who: str, text: Mapping[str, Any], lang: str, definition: Mapping[str, Any]
) -> str:
    """What both did to one part, from the admin's side."""
    removed = conflict.get("removed") or (
        ("mine" if not conflict["mine"] else "theirs") if conflict.get("option") == "removed" else None
    )
    if removed is not None:
        kind = "set" if "set" in conflict and "choice" not in conflict else "choice" if "choice" in conflict else None
        kind = kind or ("field" if len(conflict.get("keys") or []) > 1 else "section")
        template = text["b_clash_removed_mine" if removed == "mine" else "b_clash_removed_theirs"]
        return str(template.format(who=who, what=text["b_clash_what"][kind]))
    if conflict.get("part") == "order":
        return str(text["b_clash_order"].format(who=who, theirs=_said(conflict["theirs"], text, lang)))
    option = str(conflict.get("option"))
    words: Callable[[Any], str | None] | None = None
    if option in RULES and "part" not in conflict:
        # Named by the labels of the fields they read (a repeat row's own fields too).
        keys = conflict.get("keys") or []
        repeat = _element(definition, keys[:2]) if len(keys) > 2 else None
        infos = field_infos(definition, lang, repeat) if repeat is not None else field_infos(definition, lang)
        words = partial(describe, kind=option, fields=infos, language=lang)

    said = text["b_clash_changed"].format(
        who=who, mine=_said(conflict["mine"], text, lang, words), theirs=_said(conflict["theirs"], text, lang, words)
    )
    part = conflict.get("part")
    prefix = [str(text["b_options"].get(part, part))] if part else []
    if "lang" in conflict:
        prefix.append(str(text["b_lang_names"].get(conflict["lang"], conflict["lang"])))
    return f"{' · '.join(prefix)}: {said}" if prefix else str(said)


def _their_value(conflict: Mapping[str, Any], path: str, rendered: set[str], lang: str) -> dict[str, str]:
    """The input the other admin's value goes in, and that value as the input shows it; empty
    when it is no single text or number (a rule, a removal, an order)."""
    theirs = conflict.get("theirs")
    if conflict.get("removed") or conflict.get("part") == "order" or conflict.get("option") in ("removed", "type"):
        return {}  # a type is changed by a post that redraws the field's options, not by a tap
    if "choice" in conflict:
        path = f"{path}.{conflict.get('part')}" + (f".{conflict['lang']}" if "lang" in conflict else "")
    if path not in rendered:
        return {}
    if isinstance(theirs, str):
        return {"input": path, "theirs": theirs}
    if isinstance(theirs, int | float) and not isinstance(theirs, bool):
        return {"input": path, "theirs": format_for_input(theirs, lang)}
    return {}


def describe_conflicts(
    conflicts: list[Mapping[str, Any]],
    definition: Mapping[str, Any],
    rendered: set[str],
    who: str,
    text: Mapping[str, Any],
    lang: str,
    where: Callable[[str], str],
) -> tuple[list[dict[str, str]], dict[str, list[dict[str, str]]]]:
    """The list at the top (where, what, and the anchor of the note) and the notes by the path
    the page draws them at: what they say, and where the page has one box for the other
    admin's value (a text or a number), that box and that value, which the page's script
    offers to put in it."""
    notes: dict[str, list[dict[str, str]]] = {}
    rows = []
    for conflict in conflicts:
        sentence = _sentence(conflict, who, text, lang, definition)
        path = conflict_path(conflict, definition)
        placed = next(iter(place_errors({path: [sentence]}, rendered)))
        notes.setdefault(placed, []).append({"said": sentence, **_their_value(conflict, path, rendered, lang)})
        place = where(path)
        if "set" in conflict:
            place = " › ".join(
                [
                    str(text["b_choice_sets"]),
                    str(conflict["set"]),
                    *([str(conflict["choice"])] if "choice" in conflict else []),
                ]
            )
        elif "choice" in conflict:
            place = f"{place} ({conflict['choice']})"
        anchor = "e-" + placed.replace(".", "-") + "-clash" if placed else "e-form-clash"
        rows.append({"anchor": anchor, "where": place, "said": sentence})
    return rows, notes
