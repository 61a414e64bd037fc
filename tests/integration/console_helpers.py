"""Driving the admin console through its real entry point (functions-framework's test client),
for every page group's integration tests: ``console_app`` (a fixture to import), and
``signed_in(console_app, name)``, a client with a console session whose admin is ``name``."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import functions_framework
import pytest
from werkzeug.datastructures import MultiDict

from checkround import wiring
from checkround.rounds.tokens import issue_admin_token

MAIN = Path(__file__).resolve().parents[2] / "functions" / "main.py"


@pytest.fixture(scope="module")
def console_app() -> Any:
    return functions_framework.create_app(target="admin_console", source=str(MAIN))


def csrf_of(html: str) -> str:
    """The CSRF token the page's forms carry."""
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found, html[:2000]
    return found.group(1)


def sign_in_with_token(client: Any, token: str) -> Any:
    page = client.get("/admin_console/sign-in")
    assert page.status_code == 200
    return client.post(
        "/admin_console/sign-in", data={"csrf": csrf_of(page.get_data(as_text=True)), "token": token, "next": "rounds"}
    )


def signed_in(console_app: Any, name: str = "thu-ky") -> Any:
    """A test client signed in to the console as the admin ``name`` (audit: ``admin:<name>``)."""
    client = console_app.test_client()
    answer = sign_in_with_token(client, issue_admin_token(wiring.context(), name=name))
    assert answer.status_code == 303, answer.get_data(as_text=True)[:500]
    return client


def post_form(client: Any, path: str, data: dict[str, Any] | list[tuple[str, str]]) -> Any:
    """Post ``data`` as the page at ``path`` would, with that page's CSRF token."""
    page = client.get(path)
    assert page.status_code == 200, page.get_data(as_text=True)[:500]
    pairs = list(data.items()) if isinstance(data, dict) else list(data)
    return client.post(path, data=MultiDict([("csrf", csrf_of(page.get_data(as_text=True))), *pairs]))
