"""How the CLI prints: a form's change list, one line per change (``+`` added, ``-`` removed,
``~`` changed in place, so that a diff reads like one and a script can grep it), and tables
aligned by what a terminal shows (Vietnamese names hold combining marks)."""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any

from checkround.formats.text import localized


def change_lines(changes: Iterable[Mapping[str, Any]], lang: str) -> list[str]:
    return [change_line(change, lang) for change in changes]


def _required_line(change: Mapping[str, Any], field: str, lang: str) -> str:
    to = change.get("to")
    if isinstance(to, bool):
        return f"~ {'now required' if to else 'now optional'} {field}"
    return f"~ required {field}: {_value(to)}"  # a rule, once required may depend on answers


# One line per kind of change the API reports: (change, field, language) → line.
_LINES: dict[str, Callable[[Mapping[str, Any], str, str], str]] = {
    "field_added": lambda c, field, lang: f"+ field {field} ({c.get('type')})",
    "field_removed": lambda c, field, lang: f"- field {field}",
    "choice_added": lambda c, field, lang: f"+ choice {field}: {c.get('value')}",
    "choice_removed": lambda c, field, lang: f"- choice {field}: {c.get('value')}",
    "relabelled": lambda c, field, lang: (
        f"~ relabelled {field}: {_label(c.get('from'), lang)} → {_label(c.get('to'), lang)}"
    ),
    "renamed": lambda c, field, lang: f"~ renamed {c.get('from')} → {field}",
    "type_changed": lambda c, field, lang: f"~ retyped {field}: {c.get('from')} → {c.get('to')}",
    "required_changed": _required_line,
}


def change_line(change: Mapping[str, Any], lang: str) -> str:
    kind, field = str(change.get("change")), str(change.get("field"))
    line = _LINES.get(kind)
    if line is not None:
        return line(change, field, lang)
    # A kind this CLI does not know yet (the API may add some): still one readable line.
    rest = {key: value for key, value in change.items() if key not in ("change", "field")}
    details = " ".join(f"{key}={_value(value)}" for key, value in rest.items())
    return f"~ {kind} {field}" + (f": {details}" if details else "")


def _label(label: Any, lang: str) -> str:
    """A bilingual label in the chosen language, else Vietnamese (the form's first language)."""
    if isinstance(label, Mapping):
        label = localized(label, lang) or None
    return "—" if label is None else json.dumps(label, ensure_ascii=False)


def _value(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def cell(value: Any) -> str:
    """One table cell: a line break or tab in a name would break the table's alignment."""
    return "-" if value is None or value == "" else " ".join(str(value).split())


def aligned(table: list[list[str]]) -> Iterator[str]:
    """Columns padded to their widest cell, two spaces apart; the last one unpadded (a long
    name there does not widen the lines before it)."""
    widths = [max(_width(row[index]) for row in table) for index in range(len(table[0]) - 1)]
    for row in table:
        padded = [value + " " * (width - _width(value)) for value, width in zip(row, widths, strict=False)]
        yield "  ".join([*padded, row[-1]]).rstrip()


def _width(value: str) -> int:
    """Columns on a terminal: combining marks (a decomposed "ệ") take none, wide characters two."""
    return sum(
        0 if unicodedata.combining(char) else 2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in value
    )
