"""``checkround summary get|render`` and ``checkround export``: a round's files, downloaded.

The summary PDF is rendered by the server when a round closes (a Firestore event, so it comes
some seconds after the close): ``summary get`` waits for it by polling ``GET
/rounds/{id}/summary``, then downloads it. Exports are streamed by the server as it reads the
submissions and are streamed to the file here, so neither side holds a whole round in memory.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any

import click

from .api import Connection, path_id
from .failures import Refused
from .messages import text

FORMATS = ("csv", "xlsx", "json")
POLL_SECONDS = 0.5  # a render takes seconds; polling faster would only load the server

_OUTPUT = click.Path(dir_okay=False, writable=True, path_type=Path)


@click.group()
def summary() -> None:
    """The round's summary PDF: download it (waiting for the render), or render it again."""


@summary.command()
@click.argument("round_id", metavar="ROUND_ID")
@click.option("-o", "--output", type=_OUTPUT, help="Where to write the PDF.  [default: <ROUND_ID>-summary.pdf]")
@click.option(
    "--wait",
    type=click.FloatRange(min=0),
    default=120,
    show_default=True,
    metavar="SECONDS",
    help="How long to wait for the render.",
)
@click.pass_obj
def get(conn: Connection, round_id: str, output: Path | None, wait: float) -> None:
    """Download the summary PDF of ROUND_ID, waiting up to --wait seconds for the render that
    closing the round started. Prints the file's path.

    Exit code 1 with "error: summary_not_ready: ..." if there is none to wait for (the round
    was never closed) or the wait ran out, and with "error: summary_failed: ..." and the
    server's error if the render failed (a retry may still finish it: run get again, or
    summary render).
    """
    _wait_for_summary(conn, round_id, wait)
    dest = output or Path(f"{round_id}-summary.pdf")
    conn.download(f"/rounds/{path_id(round_id)}/summary.pdf", dest)
    click.echo(str(dest))


@summary.command()
@click.argument("round_id", metavar="ROUND_ID")
@click.option("--json", "as_json", is_flag=True, help="Print the API's JSON answer as it is.")
@click.pass_obj
def render(conn: Connection, round_id: str, as_json: bool) -> None:
    """Render the summary of ROUND_ID again, now, as a new numbered file (the earlier ones stay).

    Prints "<outcome> <id> summary <generation>: <state>", e.g. "rendered r1 summary 1: ready".
    """
    result = conn.call("POST", f"/rounds/{path_id(round_id)}/summary")
    if as_json:
        click.echo(json.dumps(result, ensure_ascii=False, indent=2))
        return
    click.echo(f"{result.get('outcome')} {round_id} summary {result.get('generation')}: {result.get('state')}")


@click.command("export", short_help="Download the submissions of a round as CSV, XLSX or JSON.")
@click.argument("round_id", metavar="ROUND_ID")
@click.option("--format", "fmt", type=click.Choice(FORMATS), required=True, help="The file's format.")
@click.option(
    "-o",
    "--output",
    type=_OUTPUT,
    help="Where to write it.  [default: <ROUND_ID>-submissions.<format>, or with --group <ROUND_ID>-<group>.csv]",
)
@click.option("--group", metavar="SECTION.FIELD", help="With --format csv: the items of this repeat group, a row each.")
@click.pass_obj
def export(conn: Connection, round_id: str, fmt: str, output: Path | None, group: str | None) -> None:
    """The latest submission of every unit of ROUND_ID as CSV (UTF-8 with a BOM, for Excel),
    XLSX or JSON, streamed to a file. Prints the file's path.

    Row 1 holds the column keys (unit_id, unit_name, ..., section.field), row 2 their labels.
    """
    if group is not None and fmt != "csv":
        raise click.UsageError(text(conn.lang, "group_needs_csv"))
    params = {"format": fmt, **({"group": group} if group is not None else {})}
    dest = output or Path(f"{round_id}-{group or 'submissions'}.{fmt}")
    label = text(conn.lang, "downloading", file=dest)
    conn.download(f"/rounds/{path_id(round_id)}/submissions", dest, params, progress=_byte_bar(label))
    click.echo(str(dest))


def _wait_for_summary(conn: Connection, round_id: str, wait: float) -> None:
    """Return once the summary of the round's latest close is ready, or raise a Refused."""
    lang = conn.lang
    path = f"/rounds/{path_id(round_id)}"
    # The round says which close is the latest: after a reopen and a second close, the first
    # close's PDF is still "ready" until the new render starts, and must not be taken for it.
    round_doc = conn.call("GET", path)
    closed = round_doc.get("status") == "closed"
    latest = int(round_doc.get("close_count") or 0)
    give_up = time.monotonic() + wait
    with _waiting(text(lang, "waiting_summary", round_id=round_id)) as show:
        while True:
            found = conn.call("GET", f"{path}/summary")
            state = str(found.get("state"))
            current = not closed or int(found.get("generation") or 0) >= latest
            if state == "ready" and current:
                return
            if state == "failed" and current:
                raise Refused(200, "summary_failed", text(lang, "summary_failed", error=found.get("error") or "?"))
            if not closed and state == "pending":
                # Nothing will render until the round closes (or someone asks for a render).
                raise Refused(409, "summary_not_ready", text(lang, "summary_never", status=round_doc.get("status")))
            if time.monotonic() >= give_up:
                raise Refused(409, "summary_not_ready", text(lang, "summary_timeout", seconds=f"{wait:g}", state=state))
            show(state)
            time.sleep(POLL_SECONDS)


@contextmanager
def _waiting(label: str) -> Iterator[Callable[[str], None]]:
    """A spinner with the summary's state beside it, on stderr, from the first wait on: a PDF
    that is ready at once prints nothing there. (click draws it on a terminal only; elsewhere
    the label is printed once.)"""
    bar: Any = None
    try:

        def show(state: str) -> None:
            nonlocal bar
            if bar is None:
                # No length: the bar moves to and fro instead of filling up.
                bar = click.progressbar(
                    _no_items(), label=label, file=sys.stderr, show_eta=False, item_show_func=lambda s: s
                )
                bar.__enter__()
            bar.update(1, state)

        yield show
    finally:
        if bar is not None:
            bar.__exit__(None, None, None)


def _byte_bar(label: str) -> Callable[[int | None], AbstractContextManager[Callable[[int], None]]]:
    """The progress of a download in bytes on stderr: a bar when the length is known, else a
    count of bytes (exports are streamed without a length)."""

    @contextmanager
    def progress(total: int | None) -> Iterator[Callable[[int], None]]:
        with click.progressbar(_no_items(), length=total, label=label, file=sys.stderr, show_pos=True) as bar:
            yield bar.update

    return progress


def _no_items() -> Iterator[Any]:
    """An iterable of unknown length for click's progress bar, which is then moved by hand
    (a plain ``iter(())`` would tell it the length is 0)."""
    yield from ()
