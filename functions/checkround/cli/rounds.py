"""``checkround rounds create|open|close|reopen|status``: a round's life, and its board as a table.

A round's life is ``draft → open → closed`` (and ``reopen`` back to open); the server checks
every transition, so these commands only send them and print one result line each. The board
(``GET /rounds/{id}``) is printed with the units' names (``GET /units``) and times in the
round's own time zone, which is what the people who run a round read.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import click

from checkround.formats.text import localized

from .api import Connection, path_id
from .files import load_round
from .render import aligned, cell
from .units import unit_names

# The board's states in the order of a round's work: who has not started comes last, so that
# the list to chase is at the bottom of the terminal.
STATES = ("submitted", "accepted", "returned", "draft", "missing")

_ROUND_FILE = click.Path(exists=True, dir_okay=False, path_type=Path)


@click.group()
def rounds() -> None:
    """Rounds: create one from a file, open, close or reopen it, see its board."""


@rounds.command()
@click.argument("file", type=_ROUND_FILE)
@click.option("--json", "as_json", is_flag=True, help="Print the API's JSON answer as it is.")
@click.pass_obj
def create(conn: Connection, file: Path, as_json: bool) -> None:
    """Create a round (in draft) from FILE (.yaml, .yml or .json), as POST /rounds takes it.

    \b
    Keys: title {vi, en}, form_id, unit_ids, opens_at, closes_at (with a UTC
    offset, e.g. 2019-06-12T00:00:00+07:00); optional id, form_version,
    grace_minutes, time_zone, language, issuing_body, theme, inspection_team,
    clusters. Without an id the server makes one up.

    Prints the round's id, alone on its line (ID=$(checkround rounds create r.yaml)).
    """
    result = conn.call("POST", "/rounds", load_round(file, conn.lang))
    if as_json:
        _echo_json(result)
        return
    click.echo(str(result.get("id")))


@rounds.command("open")
@click.argument("round_id", metavar="ID")
@click.pass_obj
def open_(conn: Connection, round_id: str) -> None:
    """Open round ID for submissions. Prints "opened <id>" (also if it was open already)."""
    conn.call("POST", f"/rounds/{path_id(round_id)}/open")
    click.echo(f"opened {round_id}")


@rounds.command()
@click.argument("round_id", metavar="ID")
@click.pass_obj
def close(conn: Connection, round_id: str) -> None:
    """Close round ID: no more submissions; the summary PDF is rendered.

    Prints "closed <id>", or "<id> was already closed" (then no new summary is rendered).
    """
    result = conn.call("POST", f"/rounds/{path_id(round_id)}/close")
    click.echo(f"closed {round_id}" if result.get("closed_now", True) else f"{round_id} was already closed")


@rounds.command()
@click.argument("round_id", metavar="ID")
@click.option("--closes-at", metavar="ISO", help="A new deadline, e.g. 2019-06-30T23:59:00+07:00.")
@click.option("--grace-minutes", type=click.IntRange(min=0), help="A new grace period after the deadline.")
@click.pass_obj
def reopen(conn: Connection, round_id: str, closes_at: str | None, grace_minutes: int | None) -> None:
    """Open a closed round ID again; its next close renders a new summary (the old ones stay).

    A round whose deadline has passed needs --closes-at. Prints "reopened <id>".
    """
    body: dict[str, Any] = {}
    if closes_at is not None:
        body["closes_at"] = closes_at  # the server parses it and names it if it is not a time
    if grace_minutes is not None:
        body["grace_minutes"] = grace_minutes
    conn.call("POST", f"/rounds/{path_id(round_id)}/reopen", body)
    click.echo(f"reopened {round_id}")


@rounds.command()
@click.argument("round_id", metavar="ID")
@click.option("--json", "as_json", is_flag=True, help="Print the API's JSON answer (the round and its board) as it is.")
@click.pass_obj
def status(conn: Connection, round_id: str, as_json: bool) -> None:
    """The board of round ID: one line per unit with its state, when it submitted, its revision.

    \b
    The first line is "<title>: <status>; <n> units: submitted <n>, accepted <n>, returned <n>,
    draft <n>, missing <n>" (and "; late <n>" when some submitted late).
    Then the table: UNIT, NAME, STATE, SUBMITTED (in the round's time zone,
    named in the heading), REV, LATE; units that have not submitted come last.
    """
    result = conn.call("GET", f"/rounds/{path_id(round_id)}")
    if as_json:
        _echo_json(result)
        return
    board = [row for row in result.get("board") or [] if isinstance(row, Mapping)]
    names = unit_names(conn)
    zone = _zone(result.get("time_zone"))
    click.echo(_header(result, board, conn.lang))
    table = [["UNIT", "NAME", "STATE", f"SUBMITTED ({zone.key})", "REV", "LATE"]]
    order = {state: index for index, state in enumerate(STATES)}
    # sorted() is stable: inside one state the units keep the round's own order.
    for row in sorted(board, key=lambda row: order.get(str(row.get("state")), len(STATES))):
        unit_id = str(row.get("unit_id"))
        table.append(
            [
                cell(unit_id),
                cell(names.get(unit_id)),
                cell(row.get("state")),
                _local_time(row.get("submitted_at"), zone),
                cell(row.get("revision") or None),
                "yes" if row.get("late") else "no",
            ]
        )
    for line in aligned(table):
        click.echo(line)


def _header(result: Mapping[str, Any], board: list[Mapping[str, Any]], lang: str) -> str:
    counts = Counter(str(row.get("state")) for row in board)
    known = [f"{state} {counts.pop(state, 0)}" for state in STATES]
    others = [f"{state} {count}" for state, count in sorted(counts.items())]  # a state added later
    late = sum(1 for row in board if row.get("late"))
    title = _localized(result.get("title"), lang) or str(result.get("id"))
    line = f"{cell(title)}: {result.get('status')}; {len(board)} units: {', '.join(known + others)}"
    return line + (f"; late {late}" if late else "")


def _localized(value: Any, lang: str) -> str | None:
    """A bilingual text in ``lang``, else Vietnamese (every text has it), else any."""
    if isinstance(value, Mapping):
        return localized(value, lang) or None
    return None if value is None else str(value)


def _zone(name: Any) -> ZoneInfo:
    """The round's time zone; UTC if it is missing or this machine's tz database lacks it."""
    try:
        return ZoneInfo(str(name)) if name else ZoneInfo("UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def _local_time(value: Any, zone: ZoneInfo) -> str:
    """The API's UTC time (``2019-06-12T01:00:00Z``) as the round's wall clock, to the minute."""
    if not isinstance(value, str):
        return "-"
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return cell(value)  # not a time after all: shown as it came rather than hidden
    if moment.tzinfo is None:
        return cell(value)
    return moment.astimezone(zone).strftime("%Y-%m-%d %H:%M")


def _echo_json(result: Any) -> None:
    click.echo(json.dumps(result, ensure_ascii=False, indent=2))
