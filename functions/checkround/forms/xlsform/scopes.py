"""Which names a rule may read in ``${...}``, wherever it stands in a form (one per rule).

XLSForm names are unique in a form; this product's field keys are unique in their section
only. A key used once in the form is read by ``${key}``; a key used in several sections by
``${section.key}``; a repeat group's sub-fields by their key, from the group's own rules
(``_item.key``, the current record).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from typing import Any

from .expressions import Ref, Scope


class Scopes:
    """The scopes of one form, from its sections' keys and field types."""

    def __init__(self, definition: Mapping[str, Any]) -> None:
        sections = definition["sections"]
        counts = Counter(field["key"] for section in sections for field in section["fields"])
        self.fields: dict[str, Ref] = {}
        self.qualified: dict[str, Ref] = {}
        self.items: dict[str, dict[str, Ref]] = {}
        for section in sections:
            for field in section["fields"]:
                path = f"{section['key']}.{field['key']}"
                ref = Ref(path, field["type"])
                self.qualified[path] = ref
                if counts[field["key"]] == 1:
                    self.fields[field["key"]] = ref
                if field.get("fields") is not None:
                    self.items[path] = {sub["key"]: Ref(f"_item.{sub['key']}", sub["type"]) for sub in field["fields"]}
        self.ambiguous = frozenset(key for key, count in counts.items() if count > 1)
        self.sections = frozenset(section["key"] for section in sections)

    def _scope(self, item: Mapping[str, Ref] | None = None, current: str | None = None) -> Scope:
        return Scope(self.fields, self.qualified, self.sections, item or {}, current, self.ambiguous)

    def section(self) -> Scope:
        """A section's rules: no field of their own."""
        return self._scope()

    def field(self, path: str) -> Scope:
        """The rules of the field at ``section.key``."""
        return self._scope(current=path)

    def sub(self, repeat_path: str, key: str | None) -> Scope:
        """The rules of a repeat group's sub-field (``key``), or of a group inside the repeat (None)."""
        return self._scope(self.items.get(repeat_path, {}), f"_item.{key}" if key else None)
