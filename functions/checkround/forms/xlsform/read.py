"""Read a workbook's sheets as rows of cells that know their sheet, row and column.

openpyxl reads the workbook in its read-only (streaming) mode, values only. What a client
sends is bounded before and while it is read: the unpacked size of the whole file (an XLSX is
a zip, and a small one can unpack to gigabytes), and the rows and columns of each sheet.
Blank rows are skipped; row numbers stay the spreadsheet's own, the header being row 1.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass, field
from typing import Any

from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.utils.escape import unescape

from checkround.workbooks import MAX_FORM_UNPACKED_BYTES

from .layout import CHOICES, SETTINGS, SURVEY
from .messages import Problems

SHEETS = (SURVEY, CHOICES, SETTINGS)
MAX_UNPACKED_BYTES = MAX_FORM_UNPACKED_BYTES
MAX_ROWS = 5000
MAX_COLUMNS = 200


@dataclass
class Row:
    """One non-blank row: its cells by header, as read (never an empty string)."""

    sheet: str
    number: int
    cells: dict[str, Any]


@dataclass
class Sheet:
    name: str
    headers: list[str] = field(default_factory=list)  # as written, in order
    rows: list[Row] = field(default_factory=list)

    def letter(self, header: str) -> str:
        return get_column_letter(self.headers.index(header) + 1) if header in self.headers else ""


@dataclass
class Workbook:
    sheets: dict[str, Sheet]

    def sheet(self, name: str) -> Sheet:
        return self.sheets.get(name) or Sheet(name)


class Unreadable(Exception):
    """The bytes are no workbook at all (a problem of the whole file, key in .messages)."""

    def __init__(self, key: str, **params: Any) -> None:
        super().__init__(key)
        self.key = key
        self.params = params


def _unpacked_size(data: bytes) -> int:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise Unreadable("not_workbook") from exc


def _value(value: Any) -> Any:
    if isinstance(value, str):
        if not value:
            return None
        # Cells hold no control characters: writers escape them as _xHHHH_ (OOXML's way).
        return unescape(value) if "_x" in value else value
    return value


def read_workbook(data: bytes, problems: Problems) -> Workbook:
    """The survey, choices and settings sheets (names compared without case); other sheets
    are not read. A sheet over the row or column limit is a problem of its first cell."""
    if _unpacked_size(data) > MAX_UNPACKED_BYTES:
        raise Unreadable("too_big", limit=MAX_UNPACKED_BYTES)
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:
        # A zip that is no workbook fails deep inside openpyxl, with whatever exception its
        # XML or zip reader raises: the client sent it, so it is their 422, never our 500.
        raise Unreadable("not_workbook") from exc
    try:
        sheets: dict[str, Sheet] = {}
        for worksheet in book.worksheets:
            name = worksheet.title.strip().lower()
            if name in SHEETS and name not in sheets:
                # Read every row there is, not the rows the file's own "dimension" claims: some
                # writers get it wrong, and rows past it would be lost without a word.
                worksheet.reset_dimensions()
                sheets[name] = _read_sheet(name, worksheet.iter_rows(values_only=True), problems)
        return Workbook(sheets)
    except Exception as exc:
        raise Unreadable("not_workbook") from exc
    finally:
        book.close()


def _read_sheet(name: str, rows: Any, problems: Problems) -> Sheet:
    sheet = Sheet(name)
    for number, values in enumerate(rows, start=1):
        if number > MAX_ROWS + 1:
            problems.add(name, 1, sheet.headers[0] if sheet.headers else "", "too_many_rows", limit=MAX_ROWS)
            break
        if number == 1:
            if len(values) > MAX_COLUMNS:
                problems.add(name, 1, "", "too_many_columns", limit=MAX_COLUMNS)
                values = values[:MAX_COLUMNS]
            sheet.headers = [str(v).strip() if v is not None else "" for v in values]
            continue
        cells = {
            header: value
            for header, raw in zip(sheet.headers, values, strict=False)
            if header and (value := _value(raw)) is not None
        }
        if cells:
            sheet.rows.append(Row(name, number, cells))
    return sheet
