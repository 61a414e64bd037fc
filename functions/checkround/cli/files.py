"""Reading the CLI's input files, or exit code 2: a form definition or a round (YAML or JSON)
into plain JSON values, a roster of units (CSV) into the rows to send."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import yaml

from checkround.workbooks import MAX_ROSTER_ROWS, MAX_ROSTER_UNPACKED_BYTES, unpacked_size

from .failures import BadInput
from .messages import text

_KINDS = {".yaml": "YAML", ".yml": "YAML", ".json": "JSON"}


def load_definition(path: Path, lang: str) -> dict[str, Any]:
    """The definition in ``path``, checked only as far as the CLI needs (a mapping with an id);
    the server validates the rest and answers with path-addressed errors."""
    data = _load_mapping(path, lang, "not_mapping")
    if not isinstance(data.get("id"), str) or not data["id"]:
        raise BadInput(text(lang, "no_id", file=path))
    return data


def load_round(path: Path, lang: str) -> dict[str, Any]:
    """The body of ``POST /rounds`` in ``path``: a mapping, its YAML timestamps as ISO strings.

    Everything else (required keys, the window, known units) is the server's to check: its
    answer names each invalid field, which is more than the CLI could say here. The id is
    optional (the server makes one up), so it is not required as it is for a form.
    """
    return _load_mapping(path, lang, "round_not_mapping")


def load_parts(path: Path, lang: str) -> dict[str, Any]:
    """The parts of the committee's document in ``path`` (``{parts: {...}}``, or the parts
    themselves); the server checks each part."""
    data = _load_mapping(path, lang, "parts_not_mapping")
    return data if "parts" in data else {"parts": data}


def _load_mapping(path: Path, lang: str, not_mapping: str) -> dict[str, Any]:
    """A .yaml/.yml/.json file holding one mapping, as plain JSON values; else exit code 2."""
    kind = _KINDS.get(path.suffix.lower())
    if kind is None:
        raise BadInput(text(lang, "bad_suffix", file=path))
    try:
        source = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise BadInput(text(lang, "unreadable", file=path, detail=exc)) from None
    try:
        raw = yaml.safe_load(source) if kind == "YAML" else json.loads(source)
        data = _plain(raw, path, "", lang)
    except (yaml.YAMLError, json.JSONDecodeError) as exc:
        raise BadInput(text(lang, "unparsable", file=path, kind=kind, detail=_where(exc))) from None
    except RecursionError:
        raise BadInput(text(lang, "too_deep", file=path)) from None
    if not isinstance(data, dict):
        raise BadInput(text(lang, not_mapping, file=path))
    return data


def _plain(value: Any, path: Path, where: str, lang: str) -> Any:
    """YAML's extra types as JSON values: dates become ISO strings (as the API stores them);
    anything JSON cannot carry is reported here, with where it is, rather than as a crash."""
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for key, item in value.items():
            if not isinstance(key, str):
                # YAML 1.1 reads an unquoted `on`, `no` or `1` key as a bool or a number.
                raise BadInput(text(lang, "bad_key", file=path, key=key, path=where or "/"))
            out[key] = _plain(item, path, f"{where}.{key}" if where else key, lang)
        return out
    if isinstance(value, list):
        return [
            _plain(item, path, f"{where}.{index}" if where else str(index), lang) for index, item in enumerate(value)
        ]
    if isinstance(value, datetime | date):
        # An unquoted `2019-06-12T00:00:00+07:00` keeps its offset; one without an offset
        # stays without, and the server refuses it by name rather than guessing a zone.
        return value.isoformat()
    if value is None or isinstance(value, str | int | float | bool):
        return value
    raise BadInput(text(lang, "bad_value", file=path, path=where or "/", kind=type(value).__name__))


def _where(exc: yaml.YAMLError | json.JSONDecodeError) -> str:
    """Line, column and problem: what the user needs to fix the file, without YAML's echo of
    the source (which names an anonymous "<unicode string>" and spans several lines)."""
    if isinstance(exc, yaml.MarkedYAMLError) and exc.problem_mark is not None:
        mark = exc.problem_mark
        return f"line {mark.line + 1}, column {mark.column + 1}: {exc.problem}"
    return " ".join(str(exc).split())


# -- units (CSV) -------------------------------------------------------------------------------

# Header → field of the unit body. `name_vi` is the seed file's spelling of `name`
# (schemas/seed/units.csv); both give the same field, so a file may hold only one of them.
UNIT_COLUMNS = {
    "id": "id",
    "name": "name",
    "name_vi": "name",
    "name_en": "name_en",
    "cluster": "cluster",
    "kind": "kind",
}
# A unit's contacts (PUT /units/{id}'s `contacts`): contact_name, contact_email and
# contact_phone for the first, contact2_name… up to contact5_… for the others (the server's
# limit); a contact whose cells are all empty is left out.
MAX_CONTACTS = 5
CONTACT_PARTS = ("name", "email", "phone")


def contact_column(number: int, part: str) -> str:
    """The column of part ``part`` of contact ``number`` (1-based)."""
    return f"contact{number if number > 1 else ''}_{part}"


CONTACT_COLUMNS = [contact_column(number, part) for number in range(1, MAX_CONTACTS + 1) for part in CONTACT_PARTS]
UNIT_COLUMNS |= {column: column for column in CONTACT_COLUMNS}
_KNOWN_COLUMNS = "id, name (or name_vi), name_en, cluster, kind, contact_name, contact_email, contact_phone, contact2_…"


def _with_contacts(values: dict[str, str]) -> dict[str, Any]:
    """The row's cells as the body of PUT /units/{id}: the contact columns folded into the
    ``contacts`` list, in their numbers' order."""
    body: dict[str, Any] = {key: value for key, value in values.items() if not key.startswith("contact")}
    contacts = []
    for number in range(1, MAX_CONTACTS + 1):
        contact = {
            part: values[contact_column(number, part)]
            for part in CONTACT_PARTS
            if values.get(contact_column(number, part))
        }
        if contact:
            contacts.append(contact)
    if contacts:
        body["contacts"] = contacts
    return body


@dataclass(frozen=True)
class UnitRow:
    """One unit of a roster file: its id (not checked here) and the body of ``PUT /units/{id}``."""

    line: int  # where the row starts, as an editor numbers lines (the header is usually line 1)
    unit_id: str
    body: dict[str, Any]


def load_units(path: Path, lang: str) -> list[UnitRow]:
    """The rows of a roster CSV (UTF-8, with or without Excel's BOM; a header row first), or
    of the first sheet of an .xlsx workbook laid out the same way.

    Whatever makes the whole file unusable is a :class:`BadInput` here, before anything is
    sent: columns that are unknown, missing or repeated, cells beyond the header, an id on two
    lines. Whether each id is a valid id is the caller's concern: a bad id spoils only its row.
    """
    if path.suffix.lower() == ".xlsx":
        records = _xlsx_records(path, lang)
    else:
        try:
            raw = path.read_bytes()
        except OSError as exc:
            raise BadInput(text(lang, "unreadable", file=path, detail=exc)) from None
        try:
            source = raw.decode("utf-8-sig")  # "-sig": Excel's "CSV UTF-8" starts with a BOM
        except UnicodeDecodeError as exc:
            line = raw[: exc.start].count(b"\n") + 1
            raise BadInput(text(lang, "not_utf8", file=path, line=line)) from None
        records = _csv_records(path, source, lang)
    if not records:
        raise BadInput(text(lang, "no_header", file=path, columns=_KNOWN_COLUMNS))
    (_, header), data = records[0], records[1:]
    fields = _unit_fields(path, header, lang)
    rows = []
    for line, cells in data:
        values: dict[str, str] = {}
        for index, cell in enumerate(cells):
            field = fields[index] if index < len(fields) else None
            if cell and field is None:
                raise BadInput(text(lang, "unnamed_cell", file=path, line=line, column=index + 1))
            if cell and field is not None:  # an empty cell is left out of the body
                values[field] = cell
        unit_id = values.pop("id", "")
        rows.append(UnitRow(line, unit_id, _with_contacts(values)))
    if not rows:
        raise BadInput(text(lang, "no_units", file=path))
    _refuse_repeated_ids(path, rows, lang)
    return rows


def _csv_records(path: Path, source: str, lang: str) -> list[tuple[int, list[str]]]:
    """The non-blank records with the line each starts on; cells stripped of surrounding blanks
    (a stray space from a spreadsheet would otherwise make a valid id invalid)."""
    # newline="": the csv module handles line ends itself, so a line break quoted inside a
    # cell stays in the cell instead of splitting the row.
    reader = csv.reader(io.StringIO(source, newline=""), strict=True)
    records = []
    start = 1
    try:
        for cells in reader:
            stripped = [cell.strip() for cell in cells]
            if any(stripped):  # Excel leaves empty rows (",,,,") as well as blank lines
                records.append((start, stripped))
            start = reader.line_num + 1
    except csv.Error as exc:
        raise BadInput(text(lang, "bad_csv", file=path, line=reader.line_num, detail=exc)) from None
    return records


def _xlsx_records(path: Path, lang: str) -> list[tuple[int, list[str]]]:
    """The non-blank rows of the workbook's first sheet, with their row numbers, as text: a
    number Excel stored (a phone typed without its leading +) is written without ".0".

    The server's guards apply here too (``checkround.workbooks``): a workbook that unpacks past
    the limit is not opened, reading stops past the row limit, and a file that is no workbook
    (openpyxl raises whatever its zip or XML reader raises, also while the rows are read) is
    an error message, not a traceback."""
    from openpyxl import load_workbook  # only for .xlsx files

    size = unpacked_size(path)
    if size is not None and size > MAX_ROSTER_UNPACKED_BYTES:
        raise BadInput(text(lang, "unpacks_too_big", file=path, limit=MAX_ROSTER_UNPACKED_BYTES))
    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:
        raise BadInput(text(lang, "unreadable", file=path, detail=exc)) from None
    try:
        sheet = book.worksheets[0]
        records = []
        for number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
            cells = [_cell_text(value) for value in row]
            if any(cells):
                records.append((number, cells))
            if len(records) > MAX_ROSTER_ROWS + 1:  # the header and the rows the server takes
                raise BadInput(text(lang, "too_many_rows", file=path, limit=MAX_ROSTER_ROWS))
        return records
    except BadInput:
        raise
    except Exception as exc:
        raise BadInput(text(lang, "unreadable", file=path, detail=exc)) from None
    finally:
        book.close()


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def unit_table(units: list[dict[str, Any]]) -> list[list[str]]:
    """The roster as rows of cells, a header first: what ``units export`` writes and
    ``units import`` reads back (the contact columns only as many as the units use)."""
    most = max((len(unit.get("contacts") or []) for unit in units), default=0)
    contact_columns = [contact_column(n, part) for n in range(1, most + 1) for part in CONTACT_PARTS]
    header = ["id", "name", "name_en", "cluster", "kind", *contact_columns]
    rows = [header]
    for unit in sorted(units, key=lambda unit: str(unit.get("id"))):
        cells = ["" if unit.get(key) is None else str(unit[key]) for key in header[:5]]
        contacts = list(unit.get("contacts") or [])
        for number in range(most):
            contact = contacts[number] if number < len(contacts) else {}
            cells += [str(contact.get(part) or "") for part in CONTACT_PARTS]
        rows.append(cells)
    return rows


def _unit_fields(path: Path, header: list[str], lang: str) -> list[str | None]:
    """The body field of each column (None for a column without a name, which Excel makes
    out of trailing commas: allowed as long as nothing is written under it)."""
    names = [cell.lower() for cell in header]
    unknown = [cell for cell, name in zip(header, names, strict=True) if name and name not in UNIT_COLUMNS]
    if unknown:
        lines = [text(lang, "unknown_columns", file=path, columns=", ".join(map(repr, unknown)), known=_KNOWN_COLUMNS)]
        if len(header) == 1 and (";" in header[0] or "\t" in header[0]):
            lines.append(text(lang, "not_commas"))
        raise BadInput(*lines)
    seen: dict[str, str] = {}
    for cell, name in zip(header, names, strict=True):
        if not name:
            continue
        field = UNIT_COLUMNS[name]
        if field in seen:
            raise BadInput(text(lang, "column_twice", file=path, first=seen[field], second=cell))
        seen[field] = cell
    for field, column in (("id", "'id'"), ("name", "'name' (or 'name_vi')")):
        if field not in seen:
            raise BadInput(text(lang, "missing_column", file=path, column=column, columns=_KNOWN_COLUMNS))
    return [UNIT_COLUMNS[name] if name else None for name in names]


def _refuse_repeated_ids(path: Path, rows: list[UnitRow], lang: str) -> None:
    """An id on two lines is refused whole: the second row would silently replace the first."""
    lines_of: dict[str, list[int]] = {}
    for row in rows:
        if row.unit_id:
            lines_of.setdefault(row.unit_id, []).append(row.line)
    repeated = [
        text(lang, "repeated_id", file=path, unit_id=unit_id, lines=", ".join(map(str, lines)))
        for unit_id, lines in lines_of.items()
        if len(lines) > 1
    ]
    if repeated:
        raise BadInput(*repeated)
