"""Turn an HTML form post (``section.field`` names) into an answers dict, per widget.

Values stay as the browser sent them (strings); the compiled schema converts and validates
them exactly as it does for JSON clients. Empty inputs are left out, so "not answered" is the
same in both channels.

Repeat groups post their rows as ``section.field.<index>.<sub key>``: a row left entirely
empty is no row, which is how a page without JavaScript removes one; :func:`empty_rows` and
:func:`without_row` serve that page's "add a row" and "remove this row" buttons.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from .fieldtypes import REGISTRY


class FormData(Protocol):
    def get(self, key: str) -> str | None: ...

    def getlist(self, key: str) -> list[str]: ...

    def __iter__(self) -> Iterator[str]: ...


def _scalar(data: FormData, name: str, field: Mapping[str, Any]) -> Any:
    value = (data.get(name) or "").strip()
    return value or None


def _decimal(data: FormData, name: str, field: Mapping[str, Any]) -> Any:
    value = _scalar(data, name, field)
    # Vietnamese writes 2,5 for 2.5; thousands separators are not expected in form inputs.
    return value.replace(",", ".") if isinstance(value, str) else value


def _multiple(data: FormData, name: str, field: Mapping[str, Any]) -> Any:
    values = [v for v in data.getlist(name) if v]
    return values or None


def _checklist(data: FormData, name: str, field: Mapping[str, Any]) -> Any:
    parts = {part: (data.get(f"{name}.{part}") or "").strip() for part in ("status", "score", "note")}
    item = {part: value.replace(",", ".") if part == "score" else value for part, value in parts.items() if value}
    return item or None


def _nothing(data: FormData, name: str, field: Mapping[str, Any]) -> Any:
    return None  # calculated: the server computes it, whatever the page sent


def _rows(data: FormData, name: str, field: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Every posted row of a repeat group in index order, the empty ones included."""
    indices = sorted({int(key[len(name) + 1 :].split(".", 1)[0]) for key in data if _is_row_key(key, name)})
    rows = []
    for index in indices:
        row = {}
        for sub in field["fields"]:
            value = _READERS[REGISTRY[sub["type"]].widget](data, f"{name}.{index}.{sub['key']}", sub)
            if value is not None:
                row[sub["key"]] = value
        rows.append(row)
    return rows


def _repeat(data: FormData, name: str, field: Mapping[str, Any]) -> Any:
    rows = [row for row in _rows(data, name, field) if row]
    return rows or None


def _is_row_key(key: str, name: str) -> bool:
    if not key.startswith(name + "."):
        return False
    index = key[len(name) + 1 :].split(".", 1)[0]
    return index.isdigit() and len(index) < 4  # at most 999 rows, whatever a page posts


_READERS: dict[str, Callable[[FormData, str, Mapping[str, Any]], Any]] = {
    "text": _scalar,
    "textarea": _scalar,
    "email": _scalar,
    "phone": _scalar,
    "number": _decimal,
    "rating": _scalar,
    "boolean": _scalar,
    "date": _scalar,
    "time": _scalar,
    "datetime": _scalar,
    "select_one": _scalar,
    "select_multiple": _multiple,
    "checklist": _checklist,
    "repeat": _repeat,
    "calculated": _nothing,
}


def answers_from_form(definition: Mapping[str, Any], data: FormData) -> dict[str, Any]:
    answers: dict[str, Any] = {}
    for section in definition["sections"]:
        values = {}
        for field in section["fields"]:
            reader = _READERS[REGISTRY[field["type"]].widget]
            value = reader(data, f"{section['key']}.{field['key']}", field)
            if value is not None:
                values[field["key"]] = value
        answers[section["key"]] = values
    return answers


def repeat_groups(definition: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
    """The repeat groups of a form by their ``section.field`` name (they nest no deeper)."""
    return {
        f"{section['key']}.{field['key']}": field
        for section in definition["sections"]
        for field in section["fields"]
        if REGISTRY[field["type"]].container
    }


def empty_rows(definition: Mapping[str, Any], data: FormData) -> dict[str, int]:
    """How many rows of each repeat group were posted empty (a page keeps offering them)."""
    counts = {
        name: sum(1 for row in _rows(data, name, field) if not row) for name, field in repeat_groups(definition).items()
    }
    return {name: count for name, count in counts.items() if count}


@dataclass(frozen=True)
class _Without:
    """A post seen without the inputs under one prefix."""

    data: FormData
    prefix: str

    def get(self, key: str) -> str | None:
        return None if key.startswith(self.prefix) else self.data.get(key)

    def getlist(self, key: str) -> list[str]:
        return [] if key.startswith(self.prefix) else self.data.getlist(key)

    def __iter__(self) -> Iterator[str]:
        return (key for key in self.data if not key.startswith(self.prefix))


def without_row(data: FormData, name: str, index: int) -> FormData:
    """The post minus row ``index`` of the repeat group ``name``."""
    return _Without(data, f"{name}.{index}.")
