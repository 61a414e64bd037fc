"""``checkround units import|export|list``: the roster of units (the organisations that report)
and their contacts, from a CSV or XLSX file to admin_api, back to a file, or as a table.

An import sends one ``PUT /units/{id}`` per row: the API has no batch route, and its PUT is an
upsert, so importing a file again is harmless and an import that stopped half-way can simply
be run again. A row that is refused does not stop the others; the refusals are listed at the
end, each with the line of the file it came from.
"""

from __future__ import annotations

import csv
import json
import re
import sys
import unicodedata
from collections.abc import Mapping
from pathlib import Path

import click

from .api import Connection, path_id
from .failures import ExitCode, Failure, Refused, flatten_fields
from .files import UnitRow, load_units, unit_table
from .messages import text
from .render import aligned, cell

# The server's id pattern (checkround.forms.definition.ID_PATTERN), repeated because the CLI
# may not import the services (an import-linter contract: it talks to the API over HTTP only).
# The CLI must check ids itself because an id is a URL segment: the API's router answers an id
# it cannot route ("Ha Noi") with a bare 404 "path not found" that would not say what is wrong.
UNIT_ID = re.compile(r"[a-z][a-z0-9-]{0,62}")

# Refusals about the row's own content. Any other (a wrong token, a server error, something
# else answering at the URL) would refuse every row alike, so the import stops at the first.
_ROW_REFUSALS = frozenset({"validation_failed", "too_large"})

_ROSTER_FILE = click.Path(exists=True, dir_okay=False, path_type=Path)


class RowsRefused(Failure):
    """Some rows were not imported, the others were: exit code 1, as for any refusal."""

    exit_code = int(ExitCode.REFUSED)


@click.group()
def units() -> None:
    """Units, the organisations that report: import a roster from CSV, list them."""


@units.command("import", short_help="Create or update units from a CSV or XLSX roster.")
@click.argument("file", type=_ROSTER_FILE)
@click.option("--dry-run", is_flag=True, help="Check FILE and print the requests it would make; send nothing.")
@click.pass_obj
def import_units(conn: Connection, file: Path, dry_run: bool) -> None:
    """Create or replace one unit per row of FILE: CSV in UTF-8 (Excel's "CSV UTF-8" too).

    \b
    The first line names the columns: id and name (or name_vi) are required,
    name_en, cluster and kind are optional; an empty cell is left out. E.g.:
      id,name_vi,name_en,cluster,kind
      tien-yen,BTV Huyện Đoàn Tiên Yên,Tien Yen District Youth Union,cum-mien-dong,district
    The unit's contacts (who get its links and reminders): contact_name,
    contact_email, contact_phone, then contact2_name... up to contact5_.
    An .xlsx workbook is read the same way (its first sheet).

    Prints "imported <n> units". A refused row does not stop the others: the refusals are then
    listed on stderr, one "line <n> (<id>): <field>: <message>" line each, and the exit code
    is 1. A file that cannot be used as a whole (unknown or missing columns, an id on two
    lines) is exit code 2, with nothing sent. --dry-run prints one "PUT /units/<id> <body>"
    line per row and checks what can be checked without the API (the columns, the ids).
    """
    lang = conn.lang
    rows = load_units(file, lang)
    refused: list[tuple[int, str]] = []  # (line, report line), sorted by line at the end
    sendable: list[UnitRow] = []
    for row in rows:
        problem = _id_problem(row.unit_id, lang)
        if problem is None:
            sendable.append(row)
        else:
            refused.append((row.line, _report(row, "id", problem)))

    if dry_run:
        for row in sendable:
            click.echo(f"PUT /units/{path_id(row.unit_id)} {json.dumps(row.body, ensure_ascii=False)}")
        if refused:
            raise _rows_refused("rows_would_be_refused", refused, len(rows), 0, lang)
        click.echo(f"would import {len(sendable)} units (dry run: nothing was sent)")
        return

    imported = 0
    # On stderr, so that stdout holds only the result; click draws the bar only on a terminal
    # and otherwise prints just the label, once.
    with click.progressbar(
        sendable,
        label=text(lang, "importing", count=len(sendable)),
        item_show_func=_shown,
        file=sys.stderr,
    ) as bar:
        for row in bar:
            try:
                conn.call("PUT", f"/units/{path_id(row.unit_id)}", row.body)
            except Refused as exc:
                if exc.code not in _ROW_REFUSALS:
                    raise _stopped(exc, row, imported, refused, lang) from None
                refused += [(row.line, _report(row, path, message)) for path, message in _field_errors(exc)]
                continue
            except Failure as exc:
                raise _stopped(exc, row, imported, refused, lang) from None
            imported += 1
    if refused:
        raise _rows_refused("rows_refused", refused, len(rows), imported, lang)
    click.echo(f"imported {imported} units")


@units.command("export", short_help="Write the roster to a CSV or XLSX file.")
@click.argument("file", type=click.Path(dir_okay=False, writable=True, path_type=Path))
@click.pass_obj
def export_units(conn: Connection, file: Path) -> None:
    """Write every unit to FILE (.csv, UTF-8 with Excel's BOM, or .xlsx): the columns that
    `units import` reads, contacts included, so an exported roster can be edited and imported
    again. Prints "exported <n> units to FILE"."""
    result = conn.call("GET", "/units")
    found = [dict(unit) for unit in result.get("units") or [] if isinstance(unit, Mapping)]
    table = unit_table(found)
    if file.suffix.lower() == ".xlsx":
        import xlsxwriter  # type: ignore[import-untyped]  # only for .xlsx files

        with xlsxwriter.Workbook(str(file)) as book:
            sheet = book.add_worksheet("units")
            for number, cells in enumerate(table):
                # Strings, not numbers: a phone's leading 0 or + must stay.
                for column, value in enumerate(cells):
                    sheet.write_string(number, column, value)
    else:
        with file.open("w", encoding="utf-8-sig", newline="") as handle:
            csv.writer(handle).writerows(table)
    click.echo(f"exported {len(table) - 1} units to {file}")


@units.command("list", short_help="List the units: id, cluster, kind, name.")
@click.option("--json", "as_json", is_flag=True, help="Print the API's JSON answer as it is.")
@click.pass_obj
def list_units(conn: Connection, as_json: bool) -> None:
    """The units admin_api knows: a table of id, cluster, kind and name, sorted by id.

    The name is the English one with --lang en, where the unit has one.
    """
    result = conn.call("GET", "/units")
    if as_json:
        click.echo(json.dumps(result, ensure_ascii=False, indent=2))
        return
    found = [unit for unit in result.get("units") or [] if isinstance(unit, Mapping)]
    table = [["ID", "CLUSTER", "KIND", "NAME"]]
    for unit in sorted(found, key=lambda unit: str(unit.get("id"))):
        name = unit.get("name_en") if conn.lang == "en" and unit.get("name_en") else unit.get("name")
        table.append([cell(unit.get("id")), cell(unit.get("cluster")), cell(unit.get("kind")), cell(name)])
    for line in aligned(table):
        click.echo(line)


def _id_problem(unit_id: str, lang: str) -> str | None:
    """Why ``unit_id`` cannot be sent, or None; with the id it was probably meant to be."""
    if not unit_id:
        return text(lang, "no_unit_id")
    if UNIT_ID.fullmatch(unit_id):
        return None
    message = text(lang, "bad_unit_id")
    example = _slug(unit_id)
    return text(lang, "for_example", message=message, example=example) if example else message


def _slug(value: str) -> str | None:
    """``"Hà Nội"`` → ``"ha-noi"``: Vietnamese letters without their marks (đ has none to drop,
    it is a letter of its own), anything else between words as one '-'."""
    plain = unicodedata.normalize("NFD", value.replace("đ", "d").replace("Đ", "D"))
    plain = "".join(char for char in plain if not unicodedata.combining(char)).lower()
    slug = re.sub(r"[^a-z0-9]+", "-", plain).strip("-")[:63].rstrip("-")
    return slug if UNIT_ID.fullmatch(slug) else None


def _field_errors(exc: Refused) -> list[tuple[str, str]]:
    return list(flatten_fields(exc.fields)) or [("-", f"{exc.code}: {exc.api_message}")]


def _report(row: UnitRow, path: str, message: str) -> str:
    return f"line {row.line} ({row.unit_id}): {path}: {message}"


def _rows_refused(key: str, refused: list[tuple[int, str]], total: int, imported: int, lang: str) -> RowsRefused:
    count = len({line for line, _ in refused})
    heading = text(lang, key, refused=count, total=total, imported=imported)
    return RowsRefused(heading, *(report for _, report in sorted(refused, key=lambda item: item[0])))


def _stopped(exc: Failure, row: UnitRow, imported: int, refused: list[tuple[int, str]], lang: str) -> Failure:
    """The failure that stopped the import, plus, if some rows were already written, where it
    stopped and the rows refused before that point: a partial import must not look like none."""
    if imported == 0:
        return exc
    earlier = [report for line, report in sorted(refused, key=lambda item: item[0]) if line < row.line]
    hint = "\n".join([text(lang, "stopped_at", line=row.line, unit_id=row.unit_id, imported=imported), *earlier])
    if isinstance(exc, Refused):
        return exc.with_hint(hint)
    return type(exc)(*exc.lines, hint)


def _shown(row: UnitRow | None) -> str | None:
    """The id beside the progress bar (drawn on a terminal only)."""
    return row.unit_id if row is not None else None


def unit_names(conn: Connection) -> dict[str, str]:
    """Each unit's name by id, in English with --lang en where it has one: the board and the
    link files are read by people, who know units by name rather than by id."""
    result = conn.call("GET", "/units")
    names: dict[str, str] = {}
    for unit in result.get("units") or []:
        if isinstance(unit, Mapping) and isinstance(unit.get("id"), str):
            name = unit.get("name_en") if conn.lang == "en" and unit.get("name_en") else unit.get("name")
            names[unit["id"]] = "" if name is None else str(name)
    return names
