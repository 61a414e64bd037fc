"""Write a form definition as an XLSForm workbook: ``survey``, ``choices`` and ``settings``.

Sections are ``begin group``/``end group`` rows, repeat groups ``begin repeat``/``end repeat``
rows with their sub-fields between; every option has its column (:mod:`.layout`). Rules are
written as XLSForm expressions where the expression reads back as the very same rule, and as
their JSON Logic otherwise (:func:`.expressions.to_cell`). A choice field's inline choices are
a list named after it; a shared choice set keeps its name, and the settings sheet's
``choice_sets`` names the shared ones, so that reading the workbook back gives the same
definition (``tests/unit/test_xlsform.py`` holds every shipped form to it).
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import xlsxwriter  # type: ignore[import-untyped]

from checkround.formats.text import LANGUAGES

from .expressions import Scope, to_cell
from .layout import (
    BEGIN_GROUP,
    BEGIN_REPEAT,
    CHOICE_SETS,
    CHOICES,
    DEFAULT_LANGUAGE,
    END_GROUP,
    END_REPEAT,
    FORM_ID,
    LANGUAGE_NAMES,
    LIST_NAME,
    NAME,
    SETTINGS,
    SURVEY,
    TYPE,
    TYPE_OUT,
    VERSION,
    Column,
    field_columns,
    form_columns,
    localized_header,
    section_columns,
)
from .scopes import Scopes

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# The longest text a cell holds (Excel's limit); a longer one would be cut.
MAX_CELL = 32767

Cells = dict[str, Any]


class TooLongForCell(Exception):
    """A text longer than a cell holds (a rule's JSON, say)."""


def _headers(columns: Sequence[Column], header_of: Mapping[str, str] | None = None) -> list[str]:
    out: list[str] = []
    for column in columns:
        header = (header_of or {}).get(column.option, column.header)
        if column.kind == "localized":
            out.extend(localized_header(header, language) for language in LANGUAGES)
        else:
            out.append(header)
    return out


def _put(cells: Cells, column: Column, value: Any, scope: Scope | None) -> None:
    """The cell(s) of one option's value."""
    if value is None:
        return
    if column.kind == "localized":
        for language in LANGUAGES:
            if value.get(language) is not None:
                cells[localized_header(column.header, language)] = value[language]
        return
    if column.kind == "required" and isinstance(value, bool):
        cells[column.header] = "yes" if value else "no"
    elif column.kind in ("rule", "required"):
        cells[column.header] = to_cell(value, scope or Scope(fields={}))
    elif column.kind == "languages":
        cells[column.header] = " ".join(value)
    elif column.kind == "json":
        cells[column.header] = json.dumps(value, ensure_ascii=False)
    else:
        cells[column.header] = value


class _Lists:
    """Names of the choice lists: shared sets keep theirs, each inline list gets a free one."""

    def __init__(self, sets: Mapping[str, Any]) -> None:
        self.taken = set(sets)
        self.inline: list[tuple[str, list[dict[str, Any]]]] = []

    def name(self, field: Mapping[str, Any], *owners: str) -> str:
        if field.get("choice_set") is not None:
            return str(field["choice_set"])
        key = str(field["key"])
        candidates = [key, "_".join((*owners, key))]
        name = next((c for c in candidates if c not in self.taken), "")
        number = 2
        while not name:
            numbered = f"{candidates[-1]}_{number}"
            name = numbered if numbered not in self.taken else ""
            number += 1
        self.taken.add(name)
        self.inline.append((name, field["choices"]))
        return name


def _field_rows(field: Mapping[str, Any], scope: Scope, lists: _Lists, owners: tuple[str, ...]) -> Iterator[Cells]:
    cells: Cells = {NAME: field["key"]}
    kind = field["type"]
    if kind in ("select_one", "select_multiple"):
        cells[TYPE] = f"{kind} {lists.name(field, *owners)}"
    elif field.get("fields") is not None:
        cells[TYPE] = BEGIN_REPEAT
    else:
        cells[TYPE] = TYPE_OUT.get(kind, kind)
    for column in field_columns():
        _put(cells, column, field.get(column.option), scope)
    yield cells


def _survey_rows(definition: Mapping[str, Any], lists: _Lists) -> Iterator[Cells]:
    scopes = Scopes(definition)
    for section in definition["sections"]:
        cells: Cells = {TYPE: BEGIN_GROUP, NAME: section["key"]}
        for column in section_columns():
            _put(cells, column, section.get(column.option), scopes.section())
        yield cells
        for field in section["fields"]:
            path = f"{section['key']}.{field['key']}"
            yield from _field_rows(field, scopes.field(path), lists, (section["key"],))
            subs = field.get("fields")
            if subs is None:
                continue
            for sub in subs:
                yield from _field_rows(sub, scopes.sub(path, sub["key"]), lists, (section["key"], field["key"]))
            yield {TYPE: END_REPEAT}
        yield {TYPE: END_GROUP}


def _write_sheet(book: Any, name: str, headers: list[str], rows: list[Cells], formats: dict[str, Any]) -> None:
    sheet = book.add_worksheet(name)
    used = [h for h in headers if any(h in row for row in rows)]
    # The columns XLSForm needs stay even when empty, so another tool reads the sheet too.
    columns = [h for h in headers if h in used or h in (TYPE, NAME, LIST_NAME, FORM_ID)]
    for index, header in enumerate(columns):
        sheet.write_string(0, index, header, formats["header"])
        sheet.set_column(index, index, 40 if "::" in header else 16)
    sheet.freeze_panes(1, 0)
    for number, row in enumerate(rows, start=1):
        for index, header in enumerate(columns):
            if header in row:
                _write_cell(sheet, number, index, row[header])


def _write_cell(sheet: Any, row: int, column: int, value: Any) -> None:
    if isinstance(value, bool):
        sheet.write_boolean(row, column, value)
    elif isinstance(value, int | float):
        # XlsxWriter keeps 16 significant digits; a number that needs 17 goes as its text.
        if isinstance(value, float) and float(f"{value:.16g}") != value:
            sheet.write_string(row, column, repr(value))
        else:
            sheet.write_number(row, column, value)
    else:
        text = str(value)
        if len(text) > MAX_CELL:
            raise TooLongForCell(text[:40])
        sheet.write_string(row, column, text)


def write_workbook(definition: Mapping[str, Any], version: int | None = None) -> bytes:
    """The workbook of a cleaned definition (a draft when ``version`` is None)."""
    sets: Mapping[str, Any] = definition.get("choice_sets") or {}
    lists = _Lists(sets)
    survey = list(_survey_rows(definition, lists))

    choice_headers = [LIST_NAME, NAME, *(localized_header("label", language) for language in LANGUAGES)]
    choices: list[Cells] = []
    for list_name, items in [*sets.items(), *lists.inline]:
        for item in items:
            cells: Cells = {LIST_NAME: list_name, NAME: item["value"]}
            cells.update({localized_header("label", k): v for k, v in item["label"].items()})
            choices.append(cells)

    settings: Cells = {
        FORM_ID: definition["id"],
        VERSION: str(version) if version is not None else "draft",
        DEFAULT_LANGUAGE: f"{LANGUAGE_NAMES['vi']} (vi)",
        CHOICE_SETS: " ".join(sets),
    }
    for column in form_columns():
        _put(settings, Column(column.option, column.header, column.kind), definition.get(column.option), None)
    # form_title and description without a language part are the default language's (pyxform's way).
    for header in ("form_title", "description"):
        vi = localized_header(header, "vi")
        if vi in settings:
            settings[header] = settings.pop(vi)
    settings_headers = [FORM_ID, VERSION, "form_title", "description"]
    settings_headers += [h for h in _headers(form_columns()) if h not in settings_headers]
    settings_headers += [DEFAULT_LANGUAGE, CHOICE_SETS]

    survey_headers = [TYPE, NAME, *_headers(field_columns())]
    survey_headers += [h for h in _headers(section_columns()) if h not in survey_headers]

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    formats = {"header": book.add_format({"bold": True})}
    _write_sheet(book, SURVEY, survey_headers, survey, formats)
    _write_sheet(book, CHOICES, choice_headers, choices, formats)
    _write_sheet(book, SETTINGS, settings_headers, [settings], formats)
    book.close()
    return buffer.getvalue()
