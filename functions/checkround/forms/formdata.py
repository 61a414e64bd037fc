"""Turn an HTML form post (``section.field`` names) into an answers dict, per widget.

Values stay as the browser sent them (strings); the compiled schema converts and validates
them exactly as it does for JSON clients. Empty inputs are left out, so "not answered" is the
same in both channels.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
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


def _repeat(data: FormData, name: str, field: Mapping[str, Any]) -> Any:
    """Rows are ``name.<index>.<sub key>``; a row left entirely empty is no row (removal)."""
    indices = sorted({int(key[len(name) + 1 :].split(".", 1)[0]) for key in data if _is_row_key(key, name)})
    rows = []
    for index in indices:
        row = {}
        for sub in field["fields"]:
            value = _READERS[REGISTRY[sub["type"]].widget](data, f"{name}.{index}.{sub['key']}", sub)
            if value is not None:
                row[sub["key"]] = value
        if row:
            rows.append(row)
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
