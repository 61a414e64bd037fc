"""Form versions as first-class objects: renames between versions, and merging fields by key.

A field keeps its key across versions; ``renamed_from`` on a field says which key it had in
the version before. Reports and exports that read submissions made under several versions map
every answer to the newest keys, so one field is one column or one row, whatever version a
unit filled in (as kobotoolbox/formpack does).
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from .walk import walk

Definition = Mapping[str, Any]


def renames(definition: Definition) -> dict[str, str]:
    """``{old "section.key": new "section.key"}`` declared by this version."""
    moved = {}
    for place in walk(definition):
        old = place.field.get("renamed_from")
        if old:
            source = old if "." in old else f"{place.section['key']}.{old}"
            moved[source] = place.name
    return moved


def rekey(answers: Mapping[str, Any], moved: Mapping[str, str]) -> dict[str, Any]:
    """Answers with renamed fields under their new keys (a value already there wins)."""
    result = copy.deepcopy(dict(answers))
    for old, new in moved.items():
        old_section, old_key = old.split(".", 1)
        section = result.get(old_section)
        if not isinstance(section, dict) or old_key not in section:
            continue
        value = section.pop(old_key)
        new_section, new_key = new.split(".", 1)
        result.setdefault(new_section, {}).setdefault(new_key, value)
    return result


class VersionMapper:
    """Maps answers given under any earlier version to the keys of ``target``."""

    def __init__(self, load: Callable[[int], Definition], target: int) -> None:
        self._load = load
        self._target = target
        self._chains: dict[int, list[dict[str, str]]] = {}

    def _chain(self, version: int) -> list[dict[str, str]]:
        if version not in self._chains:
            self._chains[version] = [renames(self._load(v)) for v in range(version + 1, self._target + 1)]
        return self._chains[version]

    def answers(self, answers: Mapping[str, Any], version: int | None) -> dict[str, Any]:
        if version is None or version >= self._target:
            return dict(answers)
        result = dict(answers)
        for moved in self._chain(version):
            result = rekey(result, moved)
        return result


def merge_definitions(definitions: Sequence[Definition]) -> dict[str, Any]:
    """One definition with every field of every version, by key; the newest wording wins.

    Fields that a later version renamed appear once, under the new key; fields that a later
    version removed stay, at the end of their section, so old answers keep a place.
    """
    if not definitions:
        raise ValueError("no versions to merge")
    newest = copy.deepcopy(dict(definitions[-1]))
    sections = {section["key"]: section for section in newest["sections"]}
    present = {place.name for place in walk(newest)}
    renamed_away: set[str] = set()
    for later in definitions[1:]:
        renamed_away |= set(renames(later))
    for older in reversed(definitions[:-1]):
        for place in walk(older):
            section, field, path = place.section, place.field, place.name
            if path in present or path in renamed_away:
                continue
            target = sections.get(section["key"])
            if target is None:
                target = {**copy.deepcopy(dict(section)), "fields": []}
                newest["sections"].append(target)
                sections[section["key"]] = target
            target["fields"].append(copy.deepcopy(dict(field)))
            present.add(path)
    return newest
