"""``python -m checkround.devstack run|demo``: what ``make run`` and ``make demo`` call."""

from __future__ import annotations

import logging
import signal
import sys
import threading
from pathlib import Path

import click
import requests

from checkround import wiring
from checkround.config import settings
from checkround.rounds.admin_sessions import issue_sign_in_link
from checkround.rounds.tokens import issue_admin_token

from .client import ApiError, Client
from .demo import run_demo
from .emulator import PortInUse
from .seed import seed
from .stack import Stack, default_stack


def _admin_token(stack: Stack, token_file: Path) -> str:
    """Reuse the saved admin token while the store still knows it; otherwise issue one."""
    if token_file.exists():
        token = token_file.read_text().strip()
        try:
            Client(stack.base_url, token).call("GET", "/units")
            return token
        except ApiError:
            pass
    token = issue_admin_token(wiring.context(), name="local admin")
    token_file.parent.mkdir(parents=True, exist_ok=True)
    token_file.write_text(token + "\n")
    token_file.chmod(0o600)
    return token


def _start(stack: Stack) -> None:
    try:
        stack.start()
    except PortInUse as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)


def _running(base_url: str) -> bool:
    try:
        return requests.get(f"{base_url}/healthz", timeout=2).status_code == 200
    except requests.RequestException:
        return False


@click.group()
def cli() -> None:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    # One line per request drowns the links that ``run`` prints; errors still show.
    logging.getLogger("werkzeug").setLevel(logging.WARNING)


@cli.command()
def run() -> None:
    """Start the emulator and every function, load the seed round, print the links."""
    config = settings()
    stack = default_stack()
    stopping = threading.Event()
    # Both stop the stack cleanly, even while it starts; SIGINT is set explicitly because a
    # shell starts background jobs with it ignored, and Python would inherit that.
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stopping.set())
    _start(stack)
    try:
        token = _admin_token(stack, config.local_dir / "admin-token")
        admin = Client(stack.base_url, token)
        seeded = seed(admin, config.schemas_dir)
        round_id = seeded["round"]["id"]
        links = admin.call("POST", f"/rounds/{round_id}/tokens", {})["tokens"]
        click.echo(f"\nCheckround local stack (project {stack.project})")
        click.echo(f"  Firestore emulator : http://{stack.emulator.address if stack.emulator else '?'}")
        for name in ("admin_api", "unit_api", "web_form", "admin_console", "close_due_rounds"):
            click.echo(f"  {name:<18} : {stack.base_url}/{name}/")
        if stack.mail is not None:
            where = f"{stack.mail.host}:{stack.mail.port}"
            click.echo(f"  mail (SMTP)        : {where}, every message kept as .eml in {stack.mail.folder}/")
        click.echo(f"  admin token        : {token}   (saved in {config.local_dir / 'admin-token'})")
        # Like a notebook server's token URL: it opens a console session once, then the sign-in
        # page takes the admin token above.
        sign_in = issue_sign_in_link(wiring.context(), "local admin")
        click.echo(f"  console sign-in    : {stack.base_url}/admin_console/sign-in?t={sign_in}   (works once)")
        status, form = seeded["round"]["status"], f"{seeded['form_id']} v{seeded['form_version']}"
        click.echo(f"\nSeed round '{round_id}' ({status}), form {form}")
        click.echo("Unit form links (new links each start; earlier links stay valid):")
        for unit_id, link in links.items():
            click.echo(f"  {unit_id:<16} {link['form_url']}")
        click.echo("\nCtrl-C stops everything; data is exported to .local/firestore and loaded on the next start.")
        stopping.wait()
    finally:
        click.echo("\nstopping: exporting data and shutting down the emulator...")
        stack.stop(export=True)


@cli.command()
def demo() -> None:
    """Drive a whole round through the API and print the PDF's path."""
    config = settings()
    base_url = f"http://127.0.0.1:{config.port}"
    token_file = config.local_dir / "admin-token"
    own: Stack | None = None
    if _running(base_url) and token_file.exists():
        click.echo(f"using the stack running at {base_url}")
        token = token_file.read_text().strip()
    else:
        own = default_stack()
        click.echo("no stack running; starting one for the demo")
        _start(own)
        token = _admin_token(own, token_file)
    try:
        path = run_demo(
            base_url,
            token,
            config.schemas_dir,
            config.local_dir / "demo",
            say=click.echo,
            mail_dir=config.local_dir / "mail",
        )
    finally:
        if own is not None:
            own.stop(export=True)
    click.echo(f"PDF summary: {path}")


if __name__ == "__main__":
    cli()
