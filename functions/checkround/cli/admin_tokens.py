"""``checkround admin-tokens list|issue|revoke``: the admin tokens of ``admin_api``.

An admin token is shown once, when it is issued; it expires (30 days unless ``--days``, at
most 365) and can be revoked at once. The server logs each issue and revocation in its audit
log (``GET /audit``).
"""

from __future__ import annotations

import json
from collections.abc import Mapping

import click

from .api import Connection, path_id
from .messages import text
from .render import aligned, cell


@click.group("admin-tokens")
def admin_tokens() -> None:
    """Admin tokens: list them, issue one (shown once), revoke one."""


@admin_tokens.command("list", short_help="List the admin tokens: id, state, expiry, name.")
@click.option("--json", "as_json", is_flag=True, help="Print the API's JSON answer as it is.")
@click.pass_obj
def list_tokens(conn: Connection, as_json: bool) -> None:
    """Every admin token, newest first: id, state (active, revoked or expired), expiry, who
    issued it, name. Never the token itself."""
    result = conn.call("GET", "/admin-tokens")
    if as_json:
        click.echo(json.dumps(result, ensure_ascii=False, indent=2))
        return
    table = [["ID", "STATE", "EXPIRES", "ISSUED_BY", "NAME"]]
    for row in result.get("tokens") or []:
        if not isinstance(row, Mapping):
            continue
        state = "revoked" if row.get("revoked") else "active" if row.get("active") else "expired"
        table.append(
            [
                cell(row.get("token_id")),
                state,
                cell(row.get("expires_at")),
                cell(row.get("issued_by")),
                cell(row.get("name")),
            ]
        )
    for line in aligned(table):
        click.echo(line)


@admin_tokens.command("issue", short_help="Issue an admin token (printed once).")
@click.argument("name")
@click.option("--days", type=click.IntRange(1, 365), default=30, show_default=True, help="Days until it expires.")
@click.pass_obj
def issue(conn: Connection, name: str, days: int) -> None:
    """Issue an admin token named NAME (who or what it is for). Prints the token alone on
    stdout (for a script to keep); its id and expiry go to stderr."""
    result = conn.call("POST", "/admin-tokens", {"name": name, "expires_in_days": days})
    click.echo(result.get("token", ""))
    click.echo(
        text(conn.lang, "admin_token_once", id=result.get("token_id"), expires=result.get("expires_at")), err=True
    )


@admin_tokens.command("revoke", short_help="Revoke an admin token at once.")
@click.argument("token_id", metavar="ID")
@click.pass_obj
def revoke(conn: Connection, token_id: str) -> None:
    """Make the admin token ID (from `admin-tokens list`) stop working. Prints "revoked <id>"."""
    conn.call("POST", f"/admin-tokens/{path_id(token_id)}/revoke")
    click.echo(f"revoked {token_id}")
