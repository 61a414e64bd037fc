"""The columns of a submission export: what a column reads, and the columns of each report kind
but the repeat group (whose sub-columns are its fields', see :mod:`.kinds`)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from checkround.formats.text import in_language

from .display import loc
from .labels import EXPORT_LABELS

CHECKLIST_PARTS = ("status", "score", "note")


@dataclass(frozen=True)
class Column:
    """One exported column and where its value is read from.

    ``section`` is None for a column read straight from its record (a fixed column, or a
    sub-field read from a repeat item); ``part`` picks a checklist's status, score or note;
    ``items`` is set on a repeat group's column and lists its sub-columns."""

    key: str
    label: str
    section: str | None = None
    field: str = ""
    part: str | None = None
    items: tuple[Column, ...] | None = None


ColumnsOf = Callable[[str | None, Mapping[str, Any], str, str], list[Column]]


def one_column(section: str | None, field: Mapping[str, Any], prefix: str, language: str) -> list[Column]:
    """A value in one cell."""
    return [Column(f"{prefix}{field['key']}", loc(field.get("label"), language), section, field["key"])]


def checklist_columns(section: str | None, field: Mapping[str, Any], prefix: str, language: str) -> list[Column]:
    """A checklist item's status, score and note, each in its own column."""
    key = f"{prefix}{field['key']}"
    label = loc(field.get("label"), language)
    words = in_language(EXPORT_LABELS, language)
    return [
        Column(f"{key}.{part}", f"{label} ({words[part]})", section, field["key"], part=part)
        for part in CHECKLIST_PARTS
    ]
