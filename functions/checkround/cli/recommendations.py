"""``checkround recommendations add|list|update``: the recommendations (kiến nghị) made to units
after a round closes, which the next round of its series asks them about.

Each command sends one request to ``/rounds/{id}/recommendations`` and prints one line per
recommendation; the server checks everything (a closed round, a unit of the round, a field of
its form) and audits every change.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

import click

from checkround.formats.text import localized

from .api import Connection, path_id
from .render import aligned, cell

_STATUSES = ("open", "done", "dropped")


@click.group()
def recommendations() -> None:
    """Recommendations to units after a round: add, list, update."""


def _base(round_id: str) -> str:
    return f"/rounds/{path_id(round_id)}/recommendations"


@recommendations.command()
@click.argument("round_id", metavar="ROUND")
@click.argument("unit_id", metavar="UNIT")
@click.argument("text_vi", metavar="TEXT")
@click.option("--en", "text_en", metavar="TEXT", help="The text in English.")
@click.option("--field", metavar="SECTION.FIELD", help="The form field it is about.")
@click.option("--due", metavar="YYYY-MM-DD", help="When it should be done.")
@click.pass_obj
def add(
    conn: Connection, round_id: str, unit_id: str, text_vi: str, text_en: str | None, field: str | None, due: str | None
) -> None:
    """Record TEXT (in Vietnamese) for UNIT of the closed round ROUND. Prints the new id."""
    body: dict[str, Any] = {"unit_id": unit_id, "text": {"vi": text_vi}}
    if text_en:
        body["text"]["en"] = text_en
    if field:
        body["field"] = field
    if due:
        body["due_date"] = due
    click.echo(str(conn.call("POST", _base(round_id), body).get("id")))


@recommendations.command("list")
@click.argument("round_id", metavar="ROUND")
@click.option("--unit", "unit_id", metavar="UNIT", help="Only this unit's.")
@click.option("--status", type=click.Choice(_STATUSES), help="Only those with this status.")
@click.option("--json", "as_json", is_flag=True, help="Print the API's JSON answer as it is.")
@click.pass_obj
def list_(conn: Connection, round_id: str, unit_id: str | None, status: str | None, as_json: bool) -> None:
    """The recommendations of ROUND, oldest first: ID, UNIT, STATUS, DUE, FIELD, TEXT."""
    query = {key: value for key, value in (("unit_id", unit_id), ("status", status)) if value}
    result = conn.call("GET", _base(round_id) + (f"?{urlencode(query)}" if query else ""))
    if as_json:
        click.echo(json.dumps(result, ensure_ascii=False, indent=2))
        return
    table = [["ID", "UNIT", "STATUS", "DUE", "FIELD", "TEXT"]]
    for rec in result.get("recommendations") or []:
        if not isinstance(rec, Mapping):
            continue
        table.append(
            [
                cell(rec.get("id")),
                cell(rec.get("unit_id")),
                cell(rec.get("status")),
                cell(rec.get("due_date")),
                cell(rec.get("field")),
                cell(localized(rec.get("text"), conn.lang)),
            ]
        )
    for line in aligned(table):
        click.echo(line)


@recommendations.command()
@click.argument("round_id", metavar="ROUND")
@click.argument("rec_id", metavar="ID")
@click.option("--status", type=click.Choice(_STATUSES), help="The new status.")
@click.option("--text", "text_vi", metavar="TEXT", help="The new text in Vietnamese.")
@click.option("--en", "text_en", metavar="TEXT", help="The new text in English (with --text).")
@click.option("--due", metavar="YYYY-MM-DD", help="A new due date.")
@click.option("--no-due", is_flag=True, help="Remove the due date.")
@click.pass_obj
def update(
    conn: Connection,
    round_id: str,
    rec_id: str,
    status: str | None,
    text_vi: str | None,
    text_en: str | None,
    due: str | None,
    no_due: bool,
) -> None:
    """Change recommendation ID of ROUND. Prints "<id>: <status>"."""
    body: dict[str, Any] = {}
    if status:
        body["status"] = status
    if text_vi:
        body["text"] = {"vi": text_vi, **({"en": text_en} if text_en else {})}
    if due:
        body["due_date"] = due
    if no_due:
        body["due_date"] = None
    result = conn.call("PATCH", f"{_base(round_id)}/{path_id(rec_id)}", body)
    click.echo(f"{result.get('id')}: {result.get('status')}")
