"""The web form in a real browser against a stack served in this process, so that a fault can
be injected where the functions run: a submission whose commit happened but whose answer was
lost (503 ``unavailable``), and the person pressing submit again.

The other browser tests (test_browser.py) run the stack as its own process, as ``make run``
does; this module starts the same stack (emulator, functions host) in-process instead.
"""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import Browser, Page, expect

from checkround import wiring
from checkround.devstack.client import ApiError, Client
from checkround.devstack.emulator import free_port
from checkround.devstack.seed import round_body
from checkround.devstack.stack import Stack
from checkround.rounds.tokens import issue_admin_token
from tests.e2e.test_browser import DESKTOP, FORM, browser, fill_form  # noqa: F401  (browser: a fixture)
from tests.integration.faults import lose_next_answer
from tests.support import seed_answers, seed_form, seed_round_template

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def stack() -> Iterator[Stack]:
    saved = dict(os.environ)
    running = Stack(
        project=f"browser-{uuid.uuid4().hex[:8]}", port=free_port(), emulator_port=free_port(), scheduler_seconds=None
    )
    running.start()
    try:
        yield running
    finally:
        running.stop(export=False)
        os.environ.clear()
        os.environ.update(saved)
        wiring.reset()


@pytest.fixture
def admin(stack: Stack) -> Client:
    client = Client(stack.base_url, issue_admin_token(wiring.context()))
    form = seed_form()
    with contextlib.suppress(ApiError):  # the module's second test finds the form there
        client.call("POST", "/forms", form)
        client.call("POST", f"/forms/{form['id']}/versions")
    return client


def open_round(admin: Client, unit_id: str) -> tuple[str, dict]:
    round_id = f"web-{uuid.uuid4().hex[:10]}"
    admin.call("PUT", f"/units/{unit_id}", {"name": f"Đơn vị {unit_id}"})
    body = round_body(seed_round_template(), [unit_id], round_id, datetime.now(UTC) - timedelta(minutes=1))
    admin.call("POST", "/rounds", {**body, "form_id": FORM["id"]})
    admin.call("POST", f"/rounds/{round_id}/open")
    return round_id, admin.call("POST", f"/rounds/{round_id}/tokens", {})["tokens"][unit_id]


@pytest.fixture
def desktop(browser: Browser) -> Iterator[Page]:  # noqa: F811
    context = browser.new_context(viewport=DESKTOP, locale="vi-VN")
    yield context.new_page()
    context.close()


def test_submit_again_after_an_unanswered_commit_stores_one_revision(
    desktop: Page, admin: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    round_id, link = open_round(admin, "tien-yen")
    desktop.goto(link["form_url"])
    fill_form(desktop, seed_answers("tien-yen"))
    lost = lose_next_answer(monkeypatch, wiring.context().store)
    # The page's script (outbox.js) posts the report; the 503 it gets back asks to send again,
    # which it does at once with the same submission key (a page without the script shows the
    # 503 page, and the person presses again: tests/integration/test_web_form.py).
    answers: list[int] = []
    desktop.on(
        "response", lambda response: answers.append(response.status) if response.request.method == "POST" else None
    )
    desktop.get_by_role("button", name="Gửi báo cáo").click()
    desktop.wait_for_url("**/receipt**")
    assert lost == [0]  # the submission was stored; only its answer was lost
    assert answers[:2] == [503, 303]  # sent twice, the second a replay of the first
    expect(desktop.locator("#submission-id")).to_have_text("tien-yen-0001")
    expect(desktop.locator("#revision")).to_have_text("1")
    store = wiring.context().store
    assert store.get(f"rounds/{round_id}/entries/tien-yen")["revision"] == 1
    assert store.get(f"rounds/{round_id}/submissions/tien-yen-0002") is None
