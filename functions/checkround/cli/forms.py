"""``checkround forms push|diff|publish``: form definitions from files to admin_api."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from .api import Connection, path_id
from .failures import Refused
from .files import load_definition
from .messages import text
from .render import change_lines

_DEFINITION_FILE = click.Path(exists=True, dir_okay=False, path_type=Path)


@click.group()
def forms() -> None:
    """Form definitions: push a file as a draft, see what publishing would change, publish."""


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


def _echo_json(result: Any) -> None:
    click.echo(json.dumps(result, ensure_ascii=False, indent=2))
