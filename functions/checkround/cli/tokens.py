"""``checkround tokens issue|revoke``: the units' links to a round's web form, as a CSV file.

A link holds a token that the server keeps only as a hash: the answer of ``POST
/rounds/{id}/tokens`` is the one chance to see it. So the file is made ready before the
tokens are asked for (a path that cannot be written fails with nothing issued), and is
written whole or not at all.
"""

from __future__ import annotations

import csv
import io
import os
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import click

from .api import Connection, path_id
from .failures import BadInput
from .messages import text
from .units import unit_names

COLUMNS = ("unit_id", "unit_name", "form_url", "token")

# A cell starting with one of these is a formula to Excel (and to an attacker naming a unit).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@click.group()
def tokens() -> None:
    """Unit links: issue them as a CSV file (shown once), revoke them."""


@tokens.command()
@click.argument("round_id", metavar="ROUND_ID")
@click.option(
    "--unit", "unit_ids", multiple=True, metavar="UNIT", help="Only this unit (repeatable); default: every unit."
)
@click.option("--revoke-previous", is_flag=True, help="Make the units' earlier links stop working.")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="Write the CSV to this file (readable by you only) and print its path; default: stdout.",
)
@click.pass_obj
def issue(
    conn: Connection, round_id: str, unit_ids: tuple[str, ...], revoke_previous: bool, output: Path | None
) -> None:
    """New links to the web form of ROUND_ID, one per unit, as CSV in UTF-8 with a BOM
    (Excel shows the Vietnamese names): unit_id,unit_name,form_url,token. form_url is the
    unit's web form link; token is its API token for unit_api, a different secret (a link that
    ends up in a log opens the web form only).

    The tokens cannot be shown again: keep the file, or issue new links later (with
    --revoke-previous, so that the lost ones stop working). A link works until the round's
    deadline.
    """
    lang = conn.lang
    names = unit_names(conn)  # before issuing: after it, any failure would lose the tokens
    part = _prepare(output, lang) if output is not None else None
    body: dict[str, Any] = {"revoke_previous": revoke_previous}
    if unit_ids:
        body["unit_ids"] = list(unit_ids)
    try:
        result = conn.call("POST", f"/rounds/{path_id(round_id)}/tokens", body)
    except BaseException:
        if part is not None:
            part.unlink(missing_ok=True)
        raise
    links = result.get("tokens") or {}
    data = _csv(links, names).encode("utf-8-sig")  # utf-8-sig: the BOM Excel needs for UTF-8
    if output is None or part is None:
        # As bytes: the text layer would re-encode in the locale's encoding and could drop the BOM.
        sys.stdout.flush()
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
    else:
        _finish(part, output, data, lang)
        click.echo(str(output))
    if revoke_previous:
        click.echo(text(lang, "tokens_revoked", count=result.get("revoked", 0)), err=True)
    click.echo(text(lang, "tokens_once", count=len(links)), err=True)


@tokens.command()
@click.argument("round_id", metavar="ROUND_ID")
@click.option(
    "--unit", "unit_ids", multiple=True, metavar="UNIT", help="Only this unit (repeatable); default: every unit."
)
@click.pass_obj
def revoke(conn: Connection, round_id: str, unit_ids: tuple[str, ...]) -> None:
    """Make the links of ROUND_ID's units stop working. Prints "revoked <n> links"."""
    body: dict[str, Any] = {"unit_ids": list(unit_ids)} if unit_ids else {}
    result = conn.call("POST", f"/rounds/{path_id(round_id)}/tokens/revoke", body)
    click.echo(f"revoked {result.get('revoked', 0)} links")


def _csv(links: Mapping[str, Any], names: Mapping[str, str]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")  # CRLF, as Excel writes CSV
    writer.writerow(COLUMNS)
    for unit_id, link in links.items():  # the server's order: the round's units in order
        link = link if isinstance(link, Mapping) else {}
        writer.writerow([unit_id, _safe(names.get(unit_id, "")), link.get("form_url", ""), link.get("token", "")])
    return out.getvalue()


def _safe(value: str) -> str:
    """A name Excel would run as a formula gets a leading apostrophe, as the exports do. (Not
    the token: a script must get it exactly; and the URL always starts with http.)"""
    return f"'{value}" if value.startswith(_FORMULA_START) else value


def _prepare(output: Path, lang: str) -> Path:
    """A hidden file beside ``output``, created now, owner-only (it will hold live tokens)."""
    part = output.with_name(f".{output.name}.part")
    try:
        os.close(os.open(part, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600))
    except OSError as exc:
        raise BadInput(text(lang, "unwritable", file=output, detail=exc.strerror or exc)) from None
    return part


def _finish(part: Path, output: Path, data: bytes, lang: str) -> None:
    try:
        part.write_bytes(data)
        os.replace(part, output)
    except OSError as exc:
        part.unlink(missing_ok=True)
        # The tokens exist on the server but are lost here: say how to get working links.
        raise BadInput(
            text(lang, "unwritable", file=output, detail=exc.strerror or exc), text(lang, "tokens_lost")
        ) from None
