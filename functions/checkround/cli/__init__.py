"""checkround: the admin command line of Checkround; it talks to admin_api over HTTP only.

Push form definitions from YAML or JSON files, see what publishing would change, publish;
import and export forms as XLSForm workbooks;
import the roster of units from a CSV file, list the units; create, open, close and reopen
rounds and see their board; issue the units' links as CSV; download the summary PDF and
the exports; set, edit, preview and issue the committee's report (document);
list, issue and revoke admin tokens; record the recommendations made to units
after a round and follow them up; see the messages sent for a round, send units new links,
set the admins' recipients and the webhook endpoints.
The server is --url (CHECKROUND_URL; default the local stack on CHECKROUND_PORT) and the
admin token is --token (CHECKROUND_TOKEN; default the token that `make run` saved in
$CHECKROUND_LOCAL_DIR/admin-token).

\b
Exit codes, for scripts:
  0  success
  1  the API refused the request: "error: <code>: <message>" on stderr,
     then one "path: message" line per invalid field; for units import,
     some rows were refused (one "line <n> (<id>): <field>: <message>"
     line each on stderr) and the other rows were imported
  2  usage error, or the file cannot be read, parsed or written
  3  the admin API cannot be reached at the URL (refused, timed out,
     or something else answers there)
"""

# (The "\b" line in the docstring is click's marker: it keeps the exit code table's line breaks in --help.)

from __future__ import annotations

import click

from checkround.formats.text import LANGUAGES

from .admin_tokens import admin_tokens
from .api import Connection
from .document import document
from .forms import forms
from .notify import messages, notify, recipients, webhooks
from .recommendations import recommendations
from .reports import export, summary
from .rounds import rounds
from .tokens import tokens
from .units import units


@click.group(help=__doc__)
@click.option(
    "--url",
    envvar="CHECKROUND_URL",
    metavar="URL",
    help="Base URL under which /admin_api/ is served.  [env: CHECKROUND_URL; default: http://127.0.0.1:$CHECKROUND_PORT]",
)
@click.option(
    "--token",
    envvar="CHECKROUND_TOKEN",
    metavar="TOKEN",
    help="Admin bearer token.  [env: CHECKROUND_TOKEN; default: the contents of $CHECKROUND_LOCAL_DIR/admin-token]",
)
@click.option(
    "--lang",
    type=click.Choice(LANGUAGES),
    default="vi",
    show_default=True,
    help="Language of messages (sent to the API as Accept-Language).",
)
@click.pass_context
def cli(ctx: click.Context, url: str | None, token: str | None, lang: str) -> None:
    ctx.obj = Connection(url=url, token=token, lang=lang)


cli.add_command(forms)
cli.add_command(units)
cli.add_command(rounds)
cli.add_command(tokens)
cli.add_command(summary)
cli.add_command(document)
cli.add_command(export)
cli.add_command(admin_tokens)
cli.add_command(recommendations)
cli.add_command(messages)
cli.add_command(notify)
cli.add_command(recipients)
cli.add_command(webhooks)


def main() -> None:
    """The console script ``checkround`` and ``python -m checkround.cli``."""
    cli(prog_name="checkround")
