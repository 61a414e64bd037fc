"""``checkround forms push|diff|publish|check|import|export``: form definitions from files to
admin_api, the stored forms whose rules fail today's check, and forms in and out of XLSForm
workbooks."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from checkround.workbooks import MAX_FORM_UNPACKED_BYTES, unpacked_size

from .api import Connection, path_id
from .failures import BadInput, Refused
from .files import load_definition
from .messages import text
from .render import change_lines

_DEFINITION_FILE = click.Path(exists=True, dir_okay=False, path_type=Path)
_OUTPUT = click.Path(dir_okay=False, writable=True, path_type=Path)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@click.group()
def forms() -> None:
    """Form definitions: push a file as a draft, see what publishing would change, publish;
    import and export XLSForm workbooks."""


@forms.command()
@click.argument("file", type=_DEFINITION_FILE)
@click.pass_obj
def push(conn: Connection, file: Path) -> None:
    """Create the form from FILE (.yaml, .yml or .json), or replace its draft if it exists.

    Prints "created <id>" or "draft of <id> updated".
    """
    definition = load_definition(file, conn.lang)
    form_id = definition["id"]
    try:
        current = conn.call("GET", f"/forms/{path_id(form_id)}")
    except Refused as exc:
        if exc.code != "not_found":
            raise
        # Not there yet: create it. If someone creates it first, POST says already_exists.
        conn.call("POST", "/forms", definition)
        click.echo(f"created {form_id}")
        return
    try:
        # The etag read just above: the server refuses the write if the draft changed since.
        conn.call("PUT", f"/forms/{path_id(form_id)}/draft", definition, headers={"If-Match": str(current["etag"])})
    except Refused as exc:
        if exc.code == "version_conflict":
            raise exc.with_hint(text(conn.lang, "draft_conflict", form_id=form_id, file=file)) from None
        raise
    click.echo(f"draft of {form_id} updated")


@forms.command()
@click.argument("file", type=_DEFINITION_FILE)
@click.option("--json", "as_json", is_flag=True, help="Print the API's JSON answer as it is.")
@click.pass_obj
def diff(conn: Connection, file: Path, as_json: bool) -> None:
    """What publishing FILE would change against the latest published version.

    One line per change: "+ field a.b (integer)", "- field a.b", "~ relabelled a.b: ...";
    or "no changes against version N".
    """
    definition = load_definition(file, conn.lang)
    result = conn.call("POST", f"/forms/{path_id(definition['id'])}/diff", definition)
    if as_json:
        _echo_json(result)
        return
    changes = result.get("changes") or []
    for line in change_lines(changes, conn.lang):
        click.echo(line)
    if not changes:
        against = result.get("against_version")
        click.echo(f"no changes against version {against}" if against else "no changes (nothing published yet)")


@forms.command()
@click.argument("form_id", metavar="ID")
@click.option("--json", "as_json", is_flag=True, help="Print the API's JSON answer as it is.")
@click.pass_obj
def publish(conn: Connection, form_id: str, as_json: bool) -> None:
    """Freeze the draft of form ID as its next version.

    Prints "published <id> version <n>", then one line per change against the previous version.
    """
    result = conn.call("POST", f"/forms/{path_id(form_id)}/versions")
    if as_json:
        _echo_json(result)
        return
    click.echo(f"published {form_id} version {result.get('version')}")
    for line in change_lines(result.get("changes") or [], conn.lang):
        click.echo(line)


@forms.command()
@click.argument("form_id", metavar="[ID]", required=False)
@click.pass_obj
def check(conn: Connection, form_id: str | None) -> None:
    """Which drafts and published versions (of form ID, or of every form) have rules that the
    web page and the server would compute differently, by today's check.

    Definitions saved before the check (or before it grew) are stored as they were: such a
    draft cannot be published, and no round can be created or opened on such a version (a
    round already open keeps working). Prints "<id> draft: rules differ" and "<id> version
    <n>: rules differ", one line each, or "no rules differ".
    """
    lines = []
    for form in conn.call("GET", "/forms").get("forms") or []:
        if form_id is not None and form.get("id") != form_id:
            continue
        differ = form.get("rules_differ") or {}
        if differ.get("draft"):
            lines.append(f"{form['id']} draft: rules differ")
        lines.extend(f"{form['id']} version {version}: rules differ" for version in differ.get("versions") or [])
    for line in lines or ["no rules differ"]:
        click.echo(line)


def _echo_json(result: Any) -> None:
    click.echo(json.dumps(result, ensure_ascii=False, indent=2))


@forms.command("import")
@click.argument("file", type=_DEFINITION_FILE)
@click.option("--id", "form_id", metavar="ID", help="The form's id.  [default: the settings sheet's form_id]")
@click.pass_obj
def import_(conn: Connection, file: Path, form_id: str | None) -> None:
    """Create a form from the XLSForm workbook FILE (.xlsx), or replace its draft if it exists.

    Prints "created <id>" or "draft of <id> updated", then a "left out: <sheet> row <n>,
    <column>: <value>" line for each cell the form language does not take (another tool's
    appearance). A workbook with problems is refused whole, one "sheet.row.column: message"
    line each.
    """
    try:
        data = file.read_bytes()
    except OSError as exc:
        raise BadInput(text(conn.lang, "unreadable", file=file, detail=exc.strerror or exc)) from None
    query = f"?id={path_id(form_id)}" if form_id else ""
    try:
        _, result = conn.send_file(f"/forms/import{query}", data, XLSX)
        click.echo(f"created {result['id']}")
    except Refused as exc:
        if exc.code != "already_exists":
            raise
        # The form exists: replace its draft under the etag read now (a change in between is 412).
        existing = form_id or _form_id_of(file, exc)
        current = conn.call("GET", f"/forms/{path_id(existing)}")
        try:
            _, result = conn.send_file(f"/forms/import{query}", data, XLSX, headers={"If-Match": str(current["etag"])})
        except Refused as again:
            if again.code == "version_conflict":
                raise again.with_hint(text(conn.lang, "draft_conflict", form_id=existing, file=file)) from None
            raise
        click.echo(f"draft of {result['id']} updated")
    for cell in result.get("ignored") or []:
        click.echo(f"left out: {cell['sheet']} row {cell['row']}, {cell['column']}: {cell['value']}")


def _form_id_of(file: Path, refused: Refused) -> str:
    """The settings sheet's form_id (the server named the form by it, and said it exists)."""
    from openpyxl import load_workbook  # only for workbooks

    # The server read this file already; it is read here only for one cell, under the server's
    # guard, and whatever openpyxl raises leaves the server's refusal as the answer.
    size = unpacked_size(file)
    if size is None or size > MAX_FORM_UNPACKED_BYTES:
        raise refused
    try:
        book = load_workbook(file, read_only=True, data_only=True)
        try:
            sheet = next((ws for ws in book.worksheets if ws.title.strip().lower() == "settings"), None)
            rows = list(sheet.iter_rows(min_row=1, max_row=2, values_only=True)) if sheet is not None else []
        finally:
            book.close()
    except Exception:
        raise refused from None
    if len(rows) == 2:
        for header, value in zip(rows[0], rows[1], strict=False):
            if str(header or "").strip().lower() == "form_id" and value is not None:
                return str(value).strip()
    raise refused


@forms.command("export")
@click.argument("form_id", metavar="ID")
@click.option("--version", type=click.IntRange(min=1), help="A published version.  [default: the draft]")
@click.option("-o", "--output", type=_OUTPUT, help="Where to write it.  [default: <ID>-draft.xlsx or <ID>-v<N>.xlsx]")
@click.pass_obj
def export_(conn: Connection, form_id: str, version: int | None, output: Path | None) -> None:
    """The draft of form ID, or a published --version, as an XLSForm workbook. Prints the file's path."""
    if version is None:
        path, dest = f"/forms/{path_id(form_id)}/draft.xlsx", output or Path(f"{form_id}-draft.xlsx")
    else:
        path, dest = f"/forms/{path_id(form_id)}/versions/{version}.xlsx", output or Path(f"{form_id}-v{version}.xlsx")
    conn.download(path, dest)
    click.echo(str(dest))
