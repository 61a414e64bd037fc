"""``checkround document``: the committee's official report of a round (reports/document.py on
the server): set the layout's parts for the organisation or a round, look at a round's draft, edit its
narrative from text files, preview it, and issue it (PDF and DOCX downloaded).

Every command is one request (and a download); the server checks everything and audits the
edits and the issue. An issued document is never changed: editing or issuing it again exits 1
with the server's ``invalid_state``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from .api import Connection, path_id
from .failures import BadInput
from .files import load_parts

PARTS = ("overall", "however", "direction", "closing")
_FILE_IN = click.Path(exists=False, dir_okay=False, path_type=Path)
_FILE_OUT = click.Path(dir_okay=False, writable=True, path_type=Path)


@click.group()
def document() -> None:
    """The committee's report: its parts, the draft, preview and issue."""


def _base(round_id: str) -> str:
    return f"/rounds/{path_id(round_id)}/document"


@document.command()
@click.argument("file", type=_FILE_IN)
@click.option("--round", "round_id", metavar="ROUND", help="Set ROUND's parts (over the organisation's) instead.")
@click.pass_obj
def settings(conn: Connection, file: Path, round_id: str | None) -> None:
    """Set the organisation's parts from FILE (.yaml or .json: header, number suffix, place,
    signer, Nơi nhận; schemas/seed/document.yaml is an example), or with --round a round's."""
    path = f"/rounds/{path_id(round_id)}/document-parts" if round_id else "/document-settings"
    result = conn.call("PUT", path, load_parts(file, conn.lang))
    click.echo(json.dumps(result["parts"], ensure_ascii=False, indent=2))


@document.command()
@click.argument("round_id", metavar="ROUND")
@click.option("--json", "as_json", is_flag=True, help="Print the API's JSON answer as it is.")
@click.pass_obj
def show(conn: Connection, round_id: str, as_json: bool) -> None:
    """The report of ROUND: its state, which narrative parts were edited, every issued
    document, then the narrative itself (each part under its name)."""
    result = conn.call("GET", _base(round_id))
    if as_json:
        click.echo(json.dumps(result, ensure_ascii=False, indent=2))
        return
    click.echo(f"state: {result['state']} (close {result['generation']})")
    click.echo(f"edited: {', '.join(result.get('edited') or []) or '-'}")
    for item in result.get("issued") or []:
        click.echo(f"issued {item['seq']}: {item['label']} {item['issued_on']} by {item['by']}")
    for part in PARTS:
        click.echo(f"\n[{part}]\n{result['narrative'][part]}")


def _read_text(path: Path, lang: str) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise BadInput(f"error: {path}: {exc}") from None


@document.command()
@click.argument("round_id", metavar="ROUND")
@click.option("--overall", type=_FILE_IN, help="A text file: Nhìn chung (paragraphs split by a blank line).")
@click.option("--however", type=_FILE_IN, help="A text file: Tuy nhiên.")
@click.option("--direction", type=_FILE_IN, help="A text file: Phương hướng.")
@click.option("--closing", type=_FILE_IN, help="A text file: the closing paragraph.")
@click.option("--reset", type=click.Choice(PARTS), multiple=True, help="Back to the text written from the data.")
@click.option("--parts", "parts_file", type=_FILE_IN, help="This round's parts (.yaml or .json), over the defaults.")
@click.pass_obj
def edit(
    conn: Connection,
    round_id: str,
    overall: Path | None,
    however: Path | None,
    direction: Path | None,
    closing: Path | None,
    reset: tuple[str, ...],
    parts_file: Path | None,
) -> None:
    """Edit the draft of ROUND: a narrative part from a text file, or back to the text the
    product writes from the data (--reset), and the round's parts (--parts)."""
    story: dict[str, Any] = {part: None for part in reset}
    for part, path in (("overall", overall), ("however", however), ("direction", direction), ("closing", closing)):
        if path is not None:
            story[part] = _read_text(path, conn.lang)
    body: dict[str, Any] = {}
    if story:
        body["narrative"] = story
    if parts_file is not None:
        body["parts"] = load_parts(parts_file, conn.lang)["parts"]
    result = conn.call("PATCH", _base(round_id), body)
    click.echo(f"edited: {', '.join(result.get('edited') or []) or '-'}")


@document.command()
@click.argument("round_id", metavar="ROUND")
@click.option("-o", "--output", type=_FILE_OUT, help="Where to write it.  [default: <ROUND>-draft.pdf or .docx]")
@click.option("--docx", is_flag=True, help="The DOCX instead of the PDF.")
@click.pass_obj
def preview(conn: Connection, round_id: str, output: Path | None, docx: bool) -> None:
    """Download the draft of ROUND as it stands (the PDF is marked DỰ THẢO). Prints the path."""
    kind = "docx" if docx else "pdf"
    dest = output or Path(f"{round_id}-draft.{kind}")
    conn.download(f"{_base(round_id)}/preview.{kind}", dest)
    click.echo(str(dest))


@document.command()
@click.argument("round_id", metavar="ROUND")
@click.option("--number", type=click.IntRange(min=1), help="The number from the register.  [default: the next]")
@click.option("--date", "issued_on", metavar="YYYY-MM-DD", help="The date it bears.  [default: today]")
@click.option("-o", "--output", type=_FILE_OUT, help="Where to write the PDF.  [default: <ROUND>-<n>.pdf]")
@click.pass_obj
def issue(conn: Connection, round_id: str, number: int | None, issued_on: str | None, output: Path | None) -> None:
    """Issue the draft of ROUND: numbered and dated, never changed after. Downloads the PDF and
    the DOCX beside it; prints the number and both paths."""
    body: dict[str, Any] = {}
    if number is not None:
        body["number"] = number
    if issued_on:
        body["issued_on"] = issued_on
    entry = conn.call("POST", f"{_base(round_id)}/issue", body)["issued"][-1]
    pdf = output or Path(f"{round_id}-{entry['number']}.pdf")
    conn.download(f"{_base(round_id)}/issued/{entry['seq']}.pdf", pdf)
    docx = pdf.with_suffix(".docx")
    conn.download(f"{_base(round_id)}/issued/{entry['seq']}.docx", docx)
    click.echo(entry["label"])
    click.echo(str(pdf))
    click.echo(str(docx))
