"""The reports' half of the field-type registry: what each report kind does.

Every entry of :data:`checkround.forms.fieldtypes.REGISTRY` names a report kind
(``FieldType.report``). :data:`KINDS` says, per kind, which accumulator keeps the summary's
totals, how an answer reads in a PDF, which export columns it gets and which macro of
``templates/report/summary.html.j2`` draws its result. The forms package does not import this
one (the unit-facing function loads no report code), so the link is the kind's name; the check
at the end of this module refuses to load with a registered type whose kind is missing, and
``tests/unit/test_fieldtype_registry.py`` checks that the macros exist.

A new field type that reports like an existing one (a number, a text) names that kind and needs
nothing here. Containers (the repeat group) recurse into their sub-fields through the
dispatchers of this module (:func:`display_value`, :func:`field_columns`, :func:`kind_of`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from checkround.forms.fieldtypes import REGISTRY, FieldDef
from checkround.forms.walk import walk

from .accumulators import (
    Accumulator,
    BooleanAcc,
    ChecklistAcc,
    ChoiceAcc,
    NumberAcc,
    RepeatAcc,
    TextAcc,
)
from .columns import Column, ColumnsOf, checklist_columns, one_column
from .display import (
    Formatter,
    boolean_text,
    checklist_text,
    choice_text,
    date_text,
    loc,
    number_text,
    plain_text,
)


@dataclass(frozen=True)
class ReportKind:
    accumulator: Callable[[FieldDef], Accumulator]  # keeps a field's totals for the summary
    display: Formatter  # an answer as a reader sees it (the summary's annex, a unit's PDF)
    columns: ColumnsOf  # its columns in the exports
    summary: str  # the macro of summary.html.j2 that draws a field's result
    # The summary table (a macro of summary.html.j2 taking the rows) its results are rows of;
    # None: it draws a block of its own, in form order after the tables.
    table: str | None = None
    summed: bool = False  # a repeat group's totals sum it over the records
    max_score: Callable[[FieldDef], float] | None = None  # scored: the most a unit can get
    score: Callable[[Any], float] | None = None  # scored: the points an answer gets


def kind_of(field: FieldDef) -> ReportKind:
    return KINDS[REGISTRY[field["type"]].report]


def display_value(field: FieldDef, value: Any, language: str) -> str:
    if value is None or value == "" or value == []:
        return "—"
    return kind_of(field).display(field, value, language)


def display_answers(definition: Mapping[str, Any], answers: Mapping[str, Any], language: str) -> list[dict[str, Any]]:
    """Every section with every field's label and shown value (``—`` where unanswered)."""
    sections: dict[str, dict[str, Any]] = {}
    for place in walk(definition, answers):
        if place.record is not None:
            continue  # a repeat group shows its records itself
        section = place.section
        if section["key"] not in sections:
            sections[section["key"]] = {"key": section["key"], "title": loc(section["title"], language), "rows": []}
        row = {
            "label": loc(place.field["label"], language),
            "value": display_value(place.field, place.value, language),
            "path": place.name,  # the web form's check page fills the row from its field (pages.js)
        }
        sections[section["key"]]["rows"].append(row)
    return list(sections.values())


def _records_text(field: FieldDef, value: Any, language: str) -> str:
    """A repeat group's records, one numbered line each."""
    if not isinstance(value, list) or not value:
        return "—"
    lines = []
    for index, item in enumerate(value, start=1):
        shown = [
            display_value(sub, item.get(sub["key"]), language)
            for sub in field["fields"]
            if item.get(sub["key"]) is not None
        ]
        lines.append(f"{index}. " + " — ".join(shown))
    return "\n".join(lines)


def field_columns(section: str | None, field: FieldDef, prefix: str, language: str) -> list[Column]:
    """The export columns of a field (keys start with ``prefix``)."""
    return kind_of(field).columns(section, field, prefix, language)


def _records_columns(section: str | None, field: FieldDef, prefix: str, language: str) -> list[Column]:
    """A repeat group: one column in the main table, with its sub-fields' columns as items."""
    subs = [column for sub in field.get("fields", []) for column in field_columns(None, sub, "", language)]
    label = loc(field.get("label"), language)
    return [Column(f"{prefix}{field['key']}", label, section, field["key"], items=tuple(subs))]


def _choices(field: FieldDef) -> list[str]:
    return [c["value"] for c in field.get("choices", [])]


def _records_acc(field: FieldDef) -> Accumulator:
    return RepeatAcc(number_keys=[sub["key"] for sub in field["fields"] if kind_of(sub).summed])


def _checklist_score(value: Any) -> float:
    return float(value.get("score") or 0) if isinstance(value, Mapping) else 0.0


KINDS: dict[str, ReportKind] = {
    "checklist": ReportKind(
        lambda f: ChecklistAcc(max_score=f["max_score"]),
        checklist_text,
        checklist_columns,
        "checklist_row",
        table="checklist_table",
        max_score=lambda f: f["max_score"],
        score=_checklist_score,
    ),
    "number": ReportKind(
        lambda f: NumberAcc(), number_text, one_column, "number_row", table="number_table", summed=True
    ),
    "choice": ReportKind(lambda f: ChoiceAcc(values=_choices(f)), choice_text, one_column, "choice_block"),
    "choices": ReportKind(lambda f: ChoiceAcc(values=_choices(f)), choice_text, one_column, "choice_block"),
    "boolean": ReportKind(lambda f: BooleanAcc(), boolean_text, one_column, "boolean_block"),
    "text": ReportKind(lambda f: TextAcc(), plain_text, one_column, "text_block"),
    "date": ReportKind(lambda f: TextAcc(), date_text, one_column, "text_block"),
    "repeat": ReportKind(_records_acc, _records_text, _records_columns, "repeat_block"),
}

# The summary's tables, in the order a section shows them (before its blocks): the order of KINDS.
TABLES = tuple(dict.fromkeys(kind.table for kind in KINDS.values() if kind.table is not None))

_missing = sorted({t.report for t in REGISTRY.values()} - KINDS.keys())
if _missing:  # pragma: no cover - a registry entry names a kind this module does not know
    raise LookupError(f"report kinds without reports parts in checkround.reports.kinds: {', '.join(_missing)}")
