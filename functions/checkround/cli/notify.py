"""``checkround messages|notify|recipients|webhooks``: the notifications, from the terminal.

``messages ROUND`` shows what was sent for a round (per unit with ``--unit``): each message,
its channel and recipient, when, and whether it was delivered. ``notify ROUND`` sends units'
contacts a new link each. ``recipients`` sets who receives the admins' messages; ``webhooks``
adds (its signing secret printed once), lists and removes the organisation's endpoints.
"""

from __future__ import annotations

import json
from collections.abc import Mapping

import click

from .api import Connection, path_id
from .render import aligned, cell


@click.command("messages", short_help="What was sent for a round, and whether it was delivered.")
@click.argument("round_id")
@click.option("--unit", "unit_id", metavar="UNIT", help="Only the messages of this unit.")
@click.option("--json", "as_json", is_flag=True, help="Print the API's JSON answer as it is.")
@click.pass_obj
def messages(conn: Connection, round_id: str, unit_id: str | None, as_json: bool) -> None:
    """The messages of ROUND_ID, oldest first: kind, unit, channel, recipient, state (pending,
    sending, retry, sent, failed), attempts, when it was sent or last tried, and the error of
    a message not delivered."""
    query = f"?unit_id={path_id(unit_id)}" if unit_id else ""
    result = conn.call("GET", f"/rounds/{path_id(round_id)}/messages{query}")
    if as_json:
        click.echo(json.dumps(result, ensure_ascii=False, indent=2))
        return
    table = [["KIND", "UNIT", "CHANNEL", "TO", "STATE", "TRIES", "AT", "ERROR"]]
    for row in result.get("messages") or []:
        if not isinstance(row, Mapping):
            continue
        state = str(row.get("state"))
        if state == "failed" and row.get("permanent"):
            state = "failed (refused)"
        table.append(
            [
                cell(row.get("kind")),
                cell(row.get("unit_id") or "admins"),
                cell(row.get("channel")),
                cell(row.get("to")),
                state,
                cell(row.get("attempts")),
                cell(row.get("sent_at") or row.get("last_attempt_at") or row.get("created_at")),
                cell(row.get("error") or ""),
            ]
        )
    for line in aligned(table):
        click.echo(line)
    if result.get("pending_requests"):
        click.echo(f"({result['pending_requests']} request(s) still being expanded into messages)", err=True)


@click.command("notify", short_help="Send units' contacts a new link each.")
@click.argument("round_id")
@click.option("--unit", "unit_ids", multiple=True, metavar="UNIT", help="Only this unit (repeatable); default all.")
@click.pass_obj
def notify(conn: Connection, round_id: str, unit_ids: tuple[str, ...]) -> None:
    """Send the contacts of ROUND_ID's units (or of each --unit) a new link each, by e-mail and
    the webhooks; links sent before keep working. `checkround messages ROUND_ID` shows them go."""
    body = {"unit_ids": list(unit_ids)} if unit_ids else {}
    result = conn.call("POST", f"/rounds/{path_id(round_id)}/notify", body)
    click.echo(f"sending new links to the contacts of {len(result.get('unit_ids') or [])} units")


@click.group("recipients")
def recipients() -> None:
    """Who receives the admins' messages (summary ready, digests of new reports)."""


@recipients.command("show", short_help="Print the admins' addresses.")
@click.pass_obj
def show_recipients(conn: Connection) -> None:
    for address in conn.call("GET", "/notifications/recipients").get("admin_emails") or []:
        click.echo(address)


@recipients.command("set", short_help="Replace the admins' addresses.")
@click.argument("emails", nargs=-1)
@click.pass_obj
def set_recipients(conn: Connection, emails: tuple[str, ...]) -> None:
    """Replace the list with EMAILS (none: nobody gets the admins' messages)."""
    result = conn.call("PUT", "/notifications/recipients", {"admin_emails": list(emails)})
    click.echo(f"{len(result.get('admin_emails') or [])} recipient(s)")


@click.group("webhooks")
def webhooks() -> None:
    """The organisation's webhook endpoints (Standard Webhooks signatures)."""


@webhooks.command("add", short_help="Add an endpoint; prints its signing secret once.")
@click.argument("url")
@click.option("--kind", "kinds", multiple=True, help="Only this kind of message (repeatable); default all.")
@click.option("--description", help="What the endpoint is (a Zalo OA bridge, an SMS gateway...).")
@click.pass_obj
def add_webhook(conn: Connection, url: str, kinds: tuple[str, ...], description: str | None) -> None:
    """Add URL (https in the cloud). The secret it verifies signatures with is printed alone
    on stdout, once; its id goes to stderr."""
    body: dict[str, object] = {"url": url}
    if kinds:
        body["kinds"] = list(kinds)
    if description:
        body["description"] = description
    result = conn.call("POST", "/webhooks", body)
    click.echo(result["secret"])
    click.echo(f"webhook {result['id']} added; keep the secret above, it is not shown again", err=True)


@webhooks.command("list", short_help="List the endpoints (never their secrets).")
@click.pass_obj
def list_webhooks(conn: Connection) -> None:
    table = [["ID", "URL", "KINDS", "DESCRIPTION"]]
    for row in conn.call("GET", "/webhooks").get("webhooks") or []:
        if isinstance(row, Mapping):
            kinds = ",".join(row.get("kinds") or []) or "all"
            table.append([cell(row.get("id")), cell(row.get("url")), kinds, cell(row.get("description") or "")])
    for line in aligned(table):
        click.echo(line)


@webhooks.command("remove", short_help="Remove an endpoint.")
@click.argument("webhook_id")
@click.pass_obj
def remove_webhook(conn: Connection, webhook_id: str) -> None:
    conn.call("DELETE", f"/webhooks/{path_id(webhook_id)}")
    click.echo(f"webhook {webhook_id} removed")
