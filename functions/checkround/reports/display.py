"""Answers as a reader sees them: numbers in the report's language, choices by their labels,
checklists as "met · 7/8 · note". Each report kind (:mod:`.kinds`) names its formatter here;
:func:`checkround.reports.kinds.display_value` picks it. Used by the summary's appendix and by
one unit's PDF."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from checkround.formats import numbers
from checkround.formats.dates import DateError, format_date, parse_date
from checkround.formats.text import in_language, localized

from .labels import LABELS

# Reports read bilingual texts with the one reader (re-exported: aggregate and exports use it).
loc = localized


def unit_name(unit: Mapping[str, Any], unit_id: str, language: str) -> str:
    """A unit's name in the report's language (its registered name if it has no English one)."""
    return str((unit.get("name_en") if language == "en" else None) or unit.get("name") or unit_id)


def format_number(value: Any, digits: int = 2, language: str = "vi") -> str:
    """A number as reports print it (:mod:`checkround.formats.numbers`), ``—`` for none."""
    if value is None:
        return "—"
    return numbers.format_number(value, language, digits)


def local_time(moment: Any, zone: ZoneInfo, pattern: str = "%d/%m/%Y %H:%M") -> str | None:
    """A stored UTC time as the round's people read it, in its time zone."""
    if not isinstance(moment, datetime):
        return None
    return moment.astimezone(zone).strftime(pattern)


Formatter = Callable[[Mapping[str, Any], Any, str], str]


def choice_text(field: Mapping[str, Any], value: Any, language: str) -> str:
    labels = {c["value"]: loc(c["label"], language) for c in field.get("choices", [])}
    values = value if isinstance(value, list) else [value]
    return "; ".join(labels.get(v, str(v)) for v in values)


def checklist_text(field: Mapping[str, Any], value: Any, language: str) -> str:
    if not isinstance(value, Mapping):
        return str(value)
    t = in_language(LABELS, language)
    parts = [t.get(str(value.get("status")), str(value.get("status")))]
    if value.get("score") is not None:
        parts.append(f"{format_number(value['score'], 2, language)}/{format_number(field['max_score'], 2, language)}")
    if value.get("note"):
        parts.append(str(value["note"]))
    return " · ".join(parts)


def number_text(field: Mapping[str, Any], value: Any, language: str) -> str:
    unit = loc(field.get("unit"), language)
    text = format_number(value, 2, language) if isinstance(value, int | float) else str(value)
    return f"{text} {unit}".strip()


def boolean_text(field: Mapping[str, Any], value: Any, language: str) -> str:
    t = in_language(LABELS, language)
    return t["true"] if value else t["false"]


def plain_text(field: Mapping[str, Any], value: Any, language: str) -> str:
    return str(value)


def date_text(field: Mapping[str, Any], value: Any, language: str) -> str:
    """Dates day first (14/06/2019), in both languages; times stay ISO."""
    text = str(value)
    try:
        return format_date(parse_date(text)) if len(text) == 10 else text
    except DateError:
        return text
