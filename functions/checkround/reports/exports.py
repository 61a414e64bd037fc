"""Submission exports: the latest revision of every unit that submitted, as JSON, CSV or XLSX.

``GET /admin_api/rounds/{roundId}/submissions?format=json|csv|xlsx[&group=section.field]``

What a spreadsheet or a script may rely on
------------------------------------------
* **One row per unit** whose entry is ``submitted``, ``accepted`` or ``returned`` (a returned
  report stays the unit's latest answer until it submits again), its latest revision only, ordered by unit
  id. Units outside the round's roster are left out, as in the summary.
* **Columns, stable and in this order.** Fixed ones first: ``unit_id``, ``unit_name`` (in the
  round's language), ``cluster`` (the cluster id), ``revision``, ``submitted_at`` (in the round's
  time zone, ``YYYY-MM-DD HH:MM``), ``late``, ``form_version``, ``state`` (``submitted``,
  ``accepted`` or ``returned``: where the review stands). Then one column per field in form
  order, keyed ``section.field``: a checklist gives three, ``section.field.status``, ``.score``
  and ``.note``; a select_multiple one cell of its values joined by ``"; "``; a boolean
  ``true``/``false``; calculated fields are included; a repeat group gives a count column,
  ``section.field.count``, and its items go to their own table (below). Choices are exported
  by value, not label, so a relabelled choice never changes the data. A round that follows
  another ends with ``follow_up``: what the unit answered of the previous round's
  recommendations, ``{recId: {status, note}}`` (JSON text in CSV and XLSX).
* **Versions.** The columns are those of the round's pinned version merged by key with every
  other version a stored submission of the round was made under
  (:func:`checkround.forms.versions.merge_definitions`); answers given under an older version
  are mapped to the newest keys (:class:`~checkround.forms.versions.VersionMapper`), so a
  renamed field stays one column.
* **CSV and XLSX: two header rows.** Row 1 holds the keys above: they never change with the
  wording or the language, so a script reads row 1 and skips row 2. Row 2 holds the labels in
  the round's language (``Mã đơn vị``, ``Đơn vị``, ..., each field's label) for people.
  Data start on row 3.
* **Repeat groups.** ``format=csv&group=section.field`` (and, in the workbook, one sheet per
  group, named after the field key) has one row per item: ``unit_id``, ``item`` (1, 2, ...),
  then the sub-fields keyed ``section.field.sub`` (a checklist sub-field again in three
  columns), with the same two header rows. In JSON a repeat group is a list of objects in its
  row, keyed by the sub-field keys.
* **CSV** is UTF-8 with a byte-order mark (Excel then reads Vietnamese correctly), ``\\r\\n``
  line ends, written by the stdlib ``csv`` module. Text cells are defused against formula
  (CSV) injection by :func:`defuse`, which says what it neutralises; numbers are left alone.
  The workbook needs no such prefix: every text is written as a string cell, never as a
  formula, and the JSON is data.
* **JSON**: ``{"round", "form_id", "form_version", "columns": [{key, label}], "rows": [...]}``
  with each row an object keyed by column key; values keep their JSON types (a select_multiple
  is a list, a repeat group a list of objects and its column lists its sub-``columns``).

Streaming: rows are built one submission at a time from an iterator and CSV and JSON are
handed out as byte chunks, so memory does not grow with the number of submissions. The
workbook is written by XlsxWriter in ``constant_memory`` mode into an anonymous temporary file
that the caller streams and closes.

Everything here except :func:`prepare` and :func:`latest_for_export` is pure: they read through
the storage ports; the HTTP route only wires the pieces to a response (this package may not
import werkzeug).
"""

from __future__ import annotations

import csv
import io
import json
import re
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import IO, Any
from zoneinfo import ZoneInfo

from checkround.context import Context
from checkround.errors import AppError
from checkround.formats.text import in_language
from checkround.formats.zones import zone_of
from checkround.forms.service import get_version
from checkround.forms.versions import VersionMapper, merge_definitions
from checkround.forms.walk import walk
from checkround.rounds.service import get_round_doc, round_path
from checkround.storage.ports import Doc, Where

from .aggregate import roster_answers
from .columns import Column
from .display import local_time, unit_name
from .kinds import field_columns
from .labels import EXPORT_LABELS

FORMATS = ("json", "csv", "xlsx")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_TYPE = "text/csv; charset=utf-8"
JSON_TYPE = "application/json; charset=utf-8"

# A returned report is still the unit's latest answer; a draft or a missing one is not.
EXPORTED_STATES = frozenset({"submitted", "accepted", "returned"})

MAIN_SHEET = "submissions"
_CHUNK = 64 * 1024  # bytes handed to the server at a time: few enough calls, small enough buffers
_IN_LIMIT = 30  # Firestore's limit on the values of one ``in`` filter

# The last column of a round that follows another: {recommendation id: {status, note}}; in CSV
# and XLSX that object as JSON text.
FOLLOW_UP = "follow_up"

FIXED_KEYS = ("unit_id", "unit_name", "cluster", "revision", "submitted_at", "late", "form_version", "state")

_GROUP = {"vi": "nhóm lặp", "en": "Repeat group"}

ToCurrentKeys = Callable[[Mapping[str, Any], int | None], Mapping[str, Any]]


# -- layout -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Group:
    """A repeat group's own table: ``unit_id``, ``item``, then its sub-columns."""

    key: str  # "section.field"
    index: int  # the position of the group's column in the main row
    columns: tuple[Column, ...]  # the sub-columns, keys relative to the group ("ten", "ck.status")
    header: tuple[tuple[str, str], ...]  # (key, label) of the table, keys in full
    sheet: str


@dataclass(frozen=True)
class Layout:
    round_id: str
    form_id: str
    form_version: int
    language: str
    time_zone: ZoneInfo
    columns: tuple[Column, ...]  # fixed columns, then the fields'
    groups: tuple[Group, ...]

    def group(self, key: str) -> Group:
        for group in self.groups:
            if group.key == key:
                return group
        raise AppError("not_found", what=_GROUP)

    @property
    def header(self) -> tuple[tuple[str, str], ...]:
        """``(key, label)`` of the flat table: a repeat group is its count column."""
        words = in_language(EXPORT_LABELS, self.language)
        return tuple(
            (f"{c.key}.count", f"{c.label} ({words['count']})") if c.items is not None else (c.key, c.label)
            for c in self.columns
        )


def _sheet_names(keys: Iterable[str]) -> list[str]:
    """Excel sheet names: at most 31 characters, unique regardless of case."""
    taken = {MAIN_SHEET}
    names = []
    for key in keys:
        base = key[:31]
        name, n = base, 1
        while name.lower() in taken:
            n += 1
            suffix = f"_{n}"
            name = base[: 31 - len(suffix)] + suffix
        taken.add(name.lower())
        names.append(name)
    return names


def build_layout(round_doc: Mapping[str, Any], definition: Mapping[str, Any]) -> Layout:
    """The columns of a round's export for a (merged) definition, labelled in the round's language."""
    language = round_doc.get("language") or "vi"
    words = in_language(EXPORT_LABELS, language)
    columns = [Column(key, words[key], field=key) for key in FIXED_KEYS]
    for place in walk(definition):
        columns.extend(field_columns(place.section["key"], place.field, f"{place.section['key']}.", language))
    if round_doc.get("previous_round_id"):
        # What each unit answered of the previous round's recommendations (one object per row).
        columns.append(Column(FOLLOW_UP, words[FOLLOW_UP], field=FOLLOW_UP))
    repeats = [(i, c) for i, c in enumerate(columns) if c.items is not None]
    sheets = _sheet_names(c.field for _, c in repeats)
    groups = []
    for (index, column), sheet in zip(repeats, sheets, strict=True):
        assert column.items is not None
        header = (
            ("unit_id", words["unit_id"]),
            ("item", words["item"]),
            *((f"{column.key}.{sub.key}", sub.label) for sub in column.items),
        )
        groups.append(Group(column.key, index, column.items, header, sheet))
    return Layout(
        round_id=str(round_doc["id"]),
        form_id=str(round_doc.get("form_id") or definition["id"]),
        form_version=int(round_doc["form_version"]),
        language=language,
        time_zone=zone_of(round_doc),
        columns=tuple(columns),
        groups=tuple(groups),
    )


# -- rows ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    """One unit's values, aligned with ``Layout.columns``; a repeat group's value is the list of
    its items (answer records), which each format renders its own way."""

    unit_id: str
    values: list[Any]


def _read(record: Mapping[str, Any], column: Column) -> Any:
    if column.section is not None:
        part = record.get(column.section)
        record = part if isinstance(part, Mapping) else {}
    value = record.get(column.field)
    if column.part is not None:
        return value.get(column.part) if isinstance(value, Mapping) else None
    if column.items is not None:
        return [item for item in value if isinstance(item, Mapping)] if isinstance(value, list) else None
    return value


def _local(moment: Any, zone: ZoneInfo) -> str | None:
    return local_time(moment, zone, "%Y-%m-%d %H:%M")  # sortable, for spreadsheets


def export_rows(
    layout: Layout,
    round_doc: Mapping[str, Any],
    units: Mapping[str, Mapping[str, Any]],
    submissions: Iterable[tuple[str, Mapping[str, Any]]],
    to_current_keys: ToCurrentKeys | None = None,
) -> Iterator[Row]:
    """One :class:`Row` per ``(unit_id, latest submission)``, built as the stream is read."""
    fields = layout.columns[len(FIXED_KEYS) :]
    for unit_id, submission, answers in roster_answers(round_doc, submissions, to_current_keys):
        unit = units.get(unit_id) or {}
        name = unit_name(unit, unit_id, layout.language)
        values: list[Any] = [
            unit_id,
            name,
            unit.get("cluster") or None,
            submission.get("revision"),
            _local(submission.get("submitted_at"), layout.time_zone),
            bool(submission.get("late")),
            submission.get("form_version"),
            submission.get("state"),
        ]
        values.extend(
            submission.get(FOLLOW_UP) or None if column.key == FOLLOW_UP else _read(answers, column)
            for column in fields
        )
        yield Row(unit_id, values)


def group_rows(group: Group, row: Row) -> Iterator[list[Any]]:
    """The rows of one unit in a repeat group's table."""
    for number, item in enumerate(row.values[group.index] or [], start=1):
        yield [row.unit_id, number, *(_read(item, column) for column in group.columns)]


# -- cells --------------------------------------------------------------------------------------

_PLAIN_NUMBER = re.compile(r"[+-]?[0-9]+(\.[0-9]+)?")
# The signs that start a formula, and their full-width forms, which Excel reads the same.
_FORMULA_SIGNS = frozenset("=+-@＝＋－＠")
# Where a spreadsheet may start a new cell inside ours: Excel with Vietnamese (and most
# European) settings splits a CSV line at ";", and others at ",".
_LIST_SEPARATOR = re.compile("([;,])")


def _number_text(value: float) -> str:
    # Firestore gives decimals back as floats: 8.0 reads better, and parses the same, as 8.
    if value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return repr(value)


def _flat(value: Any) -> str | int | float | None:
    """A value as one spreadsheet cell: lists joined, booleans as words, numbers kept."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return value
    if isinstance(value, list):
        return "; ".join("" if v is None else str(_flat(v)) for v in value)
    # Nothing the validator stores lands here; a stray object still exports as readable JSON.
    return json.dumps(value, ensure_ascii=False, default=str)


def _starts_formula(part: str) -> bool:
    stripped = part.lstrip()
    return stripped[:1] in _FORMULA_SIGNS and not _PLAIN_NUMBER.fullmatch(stripped)


def defuse(text: str) -> str:
    """A CSV cell that no spreadsheet will take for a formula (OWASP's CSV injection advice,
    widened by review finding 8).

    A ``'`` goes before the cell if it starts with a tab or a carriage return, or, once any
    leading whitespace and line breaks are skipped, with ``=``, ``+``, ``-``, ``@`` or their
    full-width forms ``＝ ＋ － ＠``; and after every ``;`` and ``,`` followed (after whitespace)
    by one of them, because a spreadsheet that splits lines at that separator starts a cell
    there. A plain number (``-5``, ``+2.5``, either side of a separator) is left alone.
    """
    parts = _LIST_SEPARATOR.split(text)
    if text.startswith(("\t", "\r")) or _starts_formula(parts[0]):
        parts[0] = "'" + parts[0]
    for index in range(2, len(parts), 2):
        if _starts_formula(parts[index]):
            parts[index] = "'" + parts[index]
    return "".join(parts)


def _csv_cell(value: Any) -> str:
    cell = _flat(value)
    if cell is None:
        return ""
    if isinstance(cell, str):
        return defuse(cell)
    if isinstance(cell, float):
        return _number_text(cell)
    return str(cell)


def _flat_values(layout: Layout, row: Row) -> list[Any]:
    values = list(row.values)
    for group in layout.groups:
        items = values[group.index]
        values[group.index] = None if items is None else len(items)
    return values


# -- CSV ----------------------------------------------------------------------------------------


def _csv_stream(header: Iterable[tuple[str, str]], rows: Iterable[list[Any]]) -> Iterator[bytes]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    keys, labels = zip(*header, strict=True)
    buffer.write("\ufeff")  # the byte-order mark: Excel otherwise guesses a legacy code page
    writer.writerow(keys)
    writer.writerow([defuse(label) for label in labels])  # labels are admins' text too
    for values in rows:
        writer.writerow([_csv_cell(value) for value in values])
        if buffer.tell() >= _CHUNK:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode("utf-8")


def csv_chunks(layout: Layout, rows: Iterable[Row]) -> Iterator[bytes]:
    """The main table as CSV, in chunks of about 64 KiB."""
    return _csv_stream(layout.header, (_flat_values(layout, row) for row in rows))


def group_csv_chunks(layout: Layout, group: Group, rows: Iterable[Row]) -> Iterator[bytes]:
    """One repeat group's table as CSV."""
    return _csv_stream(group.header, (items for row in rows for items in group_rows(group, row)))


# -- JSON ---------------------------------------------------------------------------------------


def _json_column(column: Column) -> dict[str, Any]:
    described: dict[str, Any] = {"key": column.key, "label": column.label}
    if column.items is not None:
        described["columns"] = [{"key": sub.key, "label": sub.label} for sub in column.items]
    return described


def _json_row(layout: Layout, row: Row) -> dict[str, Any]:
    out = {}
    for column, value in zip(layout.columns, row.values, strict=True):
        if column.items is not None and value is not None:
            value = [{sub.key: _read(item, sub) for sub in column.items} for item in value]
        out[column.key] = value
    return out


def json_chunks(layout: Layout, rows: Iterable[Row]) -> Iterator[bytes]:
    """``{"round", "form_id", "form_version", "columns", "rows"}``, written row by row."""
    head = {
        "round": layout.round_id,
        "form_id": layout.form_id,
        "form_version": layout.form_version,
        "columns": [_json_column(column) for column in layout.columns],
    }
    parts = [json.dumps(head, ensure_ascii=False)[:-1], ', "rows": [']
    size = 0
    for n, row in enumerate(rows):
        text = ("," if n else "") + json.dumps(_json_row(layout, row), ensure_ascii=False, default=str)
        parts.append(text)
        size += len(text)
        if size >= _CHUNK:
            yield "".join(parts).encode("utf-8")
            parts, size = [], 0
    parts.append("]}")
    yield "".join(parts).encode("utf-8")


# -- XLSX ---------------------------------------------------------------------------------------


def _write_cell(sheet: Any, row: int, col: int, value: Any) -> None:
    cell = _flat(value)
    if cell is None:
        return
    if isinstance(cell, str):
        sheet.write_string(row, col, cell)  # never write(): it would turn "=..." into a formula
    else:
        sheet.write_number(row, col, cell)


def _write_header(sheet: Any, header: Iterable[tuple[str, str]], bold: Any) -> None:
    # Row by row: in constant_memory mode a row is flushed, and closed to writes, as soon as a
    # later one is touched, so keys and labels cannot be written column by column.
    keys, labels = zip(*header, strict=True)
    for col, key in enumerate(keys):
        sheet.write_string(0, col, key)
    for col, label in enumerate(labels):
        sheet.write_string(1, col, label, bold)
    sheet.freeze_panes(2, 1)


def xlsx_file(layout: Layout, rows: Iterable[Row]) -> IO[bytes]:
    """The workbook in an anonymous temporary file, rewound; the caller streams and closes it.

    Sheet ``submissions`` is the main table, then one sheet per repeat group. XlsxWriter's
    ``constant_memory`` mode flushes each row to disk once the next one starts, so memory stays
    flat; it needs every sheet written top to bottom, which one pass over the rows does."""
    import xlsxwriter  # type: ignore[import-untyped]  # loaded only when a workbook is asked for

    # Anonymous: the file disappears when the caller closes it, or when the process ends.
    target = tempfile.TemporaryFile()  # noqa: SIM115
    try:
        # XlsxWriter keeps one scratch file per sheet; a private folder removes them even when
        # the rows fail half-way (a Firestore error) and the workbook is never closed.
        with tempfile.TemporaryDirectory(prefix="checkround-xlsx-") as scratch:
            options = {
                "constant_memory": True,
                "in_memory": False,
                "tmpdir": scratch,
                # Answers are data: no formulas, links or numbers guessed from text.
                "strings_to_formulas": False,
                "strings_to_urls": False,
                "strings_to_numbers": False,
            }
            workbook = xlsxwriter.Workbook(target, options)
            bold = workbook.add_format({"bold": True})
            main = workbook.add_worksheet(MAIN_SHEET)
            _write_header(main, layout.header, bold)
            sheets = []
            for group in layout.groups:
                sheet = workbook.add_worksheet(group.sheet)
                _write_header(sheet, group.header, bold)
                sheets.append(sheet)
            next_row = [2] * len(sheets)
            for n, row in enumerate(rows, start=2):
                for col, value in enumerate(_flat_values(layout, row)):
                    _write_cell(main, n, col, value)
                for g, group in enumerate(layout.groups):
                    for values in group_rows(group, row):
                        for col, value in enumerate(values):
                            _write_cell(sheets[g], next_row[g], col, value)
                        next_row[g] += 1
            workbook.close()
        target.seek(0)
    except BaseException:
        target.close()
        raise
    return target


# -- request and reading (through the storage ports) --------------------------------------------


def check_request(fmt: str | None, group: str | None) -> str:
    """The export format asked for (default ``json``); ``group`` applies to CSV only."""
    chosen = "json" if fmt is None else fmt
    if chosen not in FORMATS:
        raise AppError(
            "bad_request",
            detail={
                "vi": f"format phải là một trong {', '.join(FORMATS)}",
                "en": f"format must be one of {', '.join(FORMATS)}",
            },
        )
    if group is not None and chosen != "csv":
        raise AppError(
            "bad_request", detail={"vi": "group chỉ dùng với format=csv", "en": "group applies to format=csv only"}
        )
    return chosen


def _fetch(ctx: Context, round_id: str, batch: list[tuple[str, str, str]]) -> Iterator[tuple[str, Doc]]:
    """The batch's revisions, each with its entry's review ``state`` (which the stored revision
    does not hold: it changes when the revision is returned or accepted)."""
    wanted = [submission_id for _, submission_id, _ in batch]
    found = {
        doc.get("submission_id"): doc
        for _, doc in ctx.store.list(
            f"{round_path(round_id)}/submissions", where=[Where("submission_id", "in", wanted)]
        )
    }
    for unit_id, submission_id, state in batch:
        if submission_id in found:
            yield unit_id, {**found[submission_id], "state": state}


def latest_for_export(ctx: Context, round_id: str) -> Iterator[tuple[str, Doc]]:
    """``(unit_id, latest submission)`` for every unit whose entry is submitted, accepted or returned.

    Like :func:`checkround.submissions.service.latest_submissions` (which keeps returned
    reports out of the summary), but it fetches the revisions 30 at a time with one ``in``
    query instead of one read each, and holds at most one batch in memory."""
    batch: list[tuple[str, str, str]] = []
    for unit_id, entry in ctx.store.list(f"{round_path(round_id)}/entries"):
        if entry.get("state") in EXPORTED_STATES and entry.get("submission_id"):
            batch.append((unit_id, str(entry["submission_id"]), str(entry["state"])))
            if len(batch) == _IN_LIMIT:
                yield from _fetch(ctx, round_id, batch)
                batch = []
    if batch:
        yield from _fetch(ctx, round_id, batch)


def versions_present(ctx: Context, round_id: str, pinned: int) -> set[int]:
    """The pinned version and every other version a stored revision of the round was made under.

    Every submission stores the round's pinned version today, so both queries normally find
    nothing; they keep the columns right should a round ever hold answers of other versions."""
    found = {pinned}
    path = f"{round_path(round_id)}/submissions"
    for op in ("<", ">"):
        for _, doc in ctx.store.list(path, where=[Where("form_version", op, pinned)]):
            if isinstance(doc.get("form_version"), int):
                found.add(doc["form_version"])
    return found


def merged_definition(load: Callable[[int], Mapping[str, Any]], versions: Iterable[int]) -> tuple[dict[str, Any], int]:
    """Every version from the oldest present to the newest merged by key, and the newest one.

    The versions in between count too: a field renamed twice (v1 ``a`` → v2 ``b`` → v3 ``c``)
    must not leave ``a`` behind as a column of its own."""
    present = sorted(set(versions))
    newest = present[-1]
    return merge_definitions([load(v) for v in range(present[0], newest + 1)]), newest


def prepare(ctx: Context, round_id: str) -> tuple[Layout, Iterator[Row]]:
    """The layout of a round's export (read now, so a missing round is a 404 before any byte
    is sent) and its rows (read lazily, as the response is written)."""
    round_doc = get_round_doc(ctx, round_id)
    form_id = round_doc["form_id"]

    def load(version: int) -> Mapping[str, Any]:
        return get_version(ctx, form_id, version)

    definition, newest = merged_definition(load, versions_present(ctx, round_id, int(round_doc["form_version"])))
    layout = build_layout(round_doc, definition)
    units = {unit_id: doc for unit_id, doc in ctx.store.list("units")}
    mapper = VersionMapper(load, newest)
    return layout, export_rows(layout, round_doc, units, latest_for_export(ctx, round_id), mapper.answers)
