"""Form-level checks that need the whole definition: shared choice lists, the fields each rule
reads, and loops between calculations. All of it happens when an admin saves, never at submit.

Errors come back in marshmallow's nested shape, addressed to the element that is wrong.
"""

from __future__ import annotations

import copy
from typing import Any

from .definition_messages import said
from .rule_types import field_types, portability_problems, rules_to_check
from .rules import ITEM, inspect_rule, rule_paths

Path = tuple[Any, ...]


def _put(errors: dict[Any, Any], path: Path, name: str, message: Any) -> None:
    node = errors
    for step in path:
        node = node.setdefault(step, {})
    node.setdefault(name, []).append(message)


def _walk_fields(definition: dict[str, Any]) -> list[tuple[Path, dict[str, Any], dict[str, Any] | None, str]]:
    """``(path, field, enclosing repeat or None, dotted name)`` for every field, sub-fields too."""
    found: list[tuple[Path, dict[str, Any], dict[str, Any] | None, str]] = []
    for s_index, section in enumerate(definition["sections"]):
        for f_index, field in enumerate(section["fields"]):
            name = f"{section['key']}.{field['key']}"
            path = ("sections", s_index, "fields", f_index)
            found.append((path, field, None, name))
            for sub_index, sub in enumerate(field.get("fields") or []):
                found.append(((*path, "fields", sub_index), sub, field, f"{name}.{ITEM}.{sub['key']}"))
    return found


def _resolve_choice_sets(definition: dict[str, Any], errors: dict[Any, Any]) -> None:
    sets = definition.get("choice_sets") or {}
    for name, choices in sets.items():
        values = [c["value"] for c in choices]
        if len(set(values)) != len(values):
            _put(errors, ("choice_sets",), name, said("duplicate_in_set"))
    for path, field, _, _ in _walk_fields(definition):
        name = field.get("choice_set")
        if name is None:
            continue
        if name not in sets:
            _put(errors, path, "choice_set", said("unknown_choice_set", name=name))
        elif "choices" in field and field["choices"] != sets[name]:
            _put(errors, path, "choice_set", said("choices_or_set"))
        else:
            # Inlined so every consumer reads ``choices``; ``choice_set`` keeps where they came from.
            field["choices"] = copy.deepcopy(sets[name])


def _reads_known_field(read: str, owner_repeat: dict[str, Any] | None, known: set[str], sections: set[str]) -> bool:
    parts = read.split(".")
    if parts[0] == ITEM:
        siblings = {sub["key"] for sub in (owner_repeat or {}).get("fields") or []}
        return owner_repeat is not None and len(parts) >= 2 and parts[1] in siblings
    if len(parts) == 1:
        return parts[0] in sections
    return f"{parts[0]}.{parts[1]}" in known


def _reads_whole_group(read: str, groups: set[str]) -> bool:
    parts = read.split(".")
    return len(parts) <= 2 and any(group == read or group.startswith(read + ".") for group in groups)


def _check_reads(definition: dict[str, Any], errors: dict[Any, Any]) -> dict[str, set[str]]:
    """Check every rule's reads; return what each calculated field reads (for the loop check)."""
    fields = _walk_fields(definition)
    known = {name for _, _, repeat, name in fields if repeat is None}
    sections = {section["key"] for section in definition["sections"]}
    owners = {path: (field, repeat, name) for path, field, repeat, name in fields}
    calc_reads: dict[str, set[str]] = {}
    groups = {name for _, field, repeat, name in fields if repeat is None and field.get("fields")}
    for owner_path, rule_name, rule in rule_paths(definition):
        field, repeat, dotted = owners.get(owner_path, (None, None, ""))
        for read in inspect_rule(rule).reads:
            if not _reads_known_field(read, repeat, known, sections):
                _put(errors, owner_path, rule_name, said("reads_unknown", read=read))
            elif repeat is not None and _reads_whole_group(read, groups):
                _put(errors, owner_path, rule_name, said("reads_whole_group", read=read, item=ITEM))
        if rule_name == "calculate" and field is not None:
            prefix = dotted.rsplit(".", 1)[0] + "." if repeat is not None else ""
            calc_reads[dotted] = {
                (prefix + read.split(".", 1)[1]) if read.startswith(ITEM + ".") else ".".join(read.split(".")[:2])
                for read in inspect_rule(rule).reads
            }
    return calc_reads


def _check_loops(definition: dict[str, Any], calc_reads: dict[str, set[str]], errors: dict[Any, Any]) -> None:
    paths = {name: path for path, _, _, name in _walk_fields(definition)}
    state: dict[str, int] = {}  # 1 = on the current path, 2 = done

    def visit(node: str, trail: list[str]) -> None:
        state[node] = 1
        for target in sorted(calc_reads.get(node, ())):
            if target not in calc_reads:
                continue
            if state.get(target) == 1:
                loop = [*trail[trail.index(target) :], target] if target in trail else [node, target]
                for member in set(loop):
                    _put(errors, paths[member], "calculate", said("calculation_loop", loop=" → ".join(loop)))
            elif state.get(target) is None:
                visit(target, [*trail, target])
        state[node] = 2

    for node in sorted(calc_reads):
        if node not in state:
            visit(node, [node])


def _check_portability(definition: dict[str, Any], errors: dict[Any, Any]) -> None:
    """A ``relevant`` or ``calculate`` rule runs in the page too: refuse what the browser's engine
    and the server's would compute differently (forms.rule_types), at the rule's path."""
    types = field_types(definition)
    for owner_path, rule_name, rule, group in rules_to_check(definition):
        node: Any = errors
        for step in owner_path:
            node = node.get(step, {}) if isinstance(node, dict) else {}
        if rule_name in node:
            continue  # it reads what the form lacks: that is what to fix first
        seen: set[tuple[str, str]] = set()
        for key, params in portability_problems(rule, types, group, rule_name):
            once = (key, repr(sorted(params.items())))
            if once not in seen:  # one message per kind of problem, not one per operand
                seen.add(once)
                _put(errors, owner_path, rule_name, said(key, **params))


def portability_errors(definition: dict[str, Any]) -> dict[Any, Any]:
    """What today's check (forms.rule_types) says about the rules of a stored definition: a
    draft or a version saved before the check, or before it grew. The error tree is shaped as
    a save's (each message, in vi and en, at its rule's path); empty when the rules are fine."""
    errors: dict[Any, Any] = {}
    _check_portability(definition, errors)
    return errors


def check_references(definition: dict[str, Any]) -> dict[Any, Any]:
    """Resolve shared choice lists in place and return every reference error found."""
    errors: dict[Any, Any] = {}
    _resolve_choice_sets(definition, errors)
    calc_reads = _check_reads(definition, errors)
    _check_loops(definition, calc_reads, errors)
    _check_portability(definition, errors)
    return errors
