"""The admin console in a real browser (Debian's chromium) against the whole local stack:
the printed one-time sign-in link, signing in with the admin token, the pages at 1280 and
375 px, and axe-core on each page. Screenshots go to docs/ with ``CHECKROUND_SCREENSHOTS=docs``."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import requests
from playwright.sync_api import Browser, Page

from tests.e2e.console_fixtures import *  # noqa: F403
from tests.e2e.console_fixtures import (
    assert_fits,
    console_axe,
    console_context,
    console_url,
    described,
    screenshot,
)
from tests.e2e.test_local_stack import RunningStack

pytestmark = pytest.mark.e2e


def test_the_printed_sign_in_link_works_once(stack: RunningStack, base: str) -> None:
    (link,) = re.findall(r"console sign-in\s+:\s+(\S+)", stack.output)
    assert link.startswith(f"{base}/admin_console/sign-in?t=")
    first = requests.get(link, allow_redirects=False, timeout=30)
    assert first.status_code == 303
    assert first.headers["Location"] == "rounds"
    session = first.cookies.get("checkround_console")
    assert session
    rounds = requests.get(console_url(base, "rounds"), cookies={"checkround_console": session}, timeout=30)
    assert rounds.status_code == 200
    assert "kt-6-thang-2019" in rounds.text
    again = requests.get(link, allow_redirects=False, timeout=30)
    assert again.status_code == 401
    assert "checkround_console" not in again.cookies


def test_sign_in_and_the_rounds_page_on_a_pc(console_desktop: Page, base: str, tmp_path: Path) -> None:
    page = console_desktop
    assert page.locator("h1").inner_text() == "Các đợt kiểm tra"
    assert page.locator("#rounds").get_by_text("kt-6-thang-2019").is_visible()
    found = console_axe(page)
    assert not found, described(found)
    screenshot(page, "console-rounds-desktop.png", tmp_path)


def test_the_sign_in_page_and_the_rounds_on_a_phone(
    browser: Browser, console_phone: Page, base: str, tmp_path: Path
) -> None:
    assert_fits(console_phone, 375)
    found = console_axe(console_phone)
    assert not found, described(found)
    screenshot(console_phone, "console-rounds-phone.png", tmp_path)

    context = console_context(browser, "phone", lang="en", axe=True)
    try:
        page = context.new_page()
        page.goto(console_url(base, "rounds?lang=en"))  # not signed in: the sign-in page
        page.wait_for_url("**/sign-in**")
        assert page.locator("h1").inner_text() == "Sign in to the admin console"
        assert_fits(page, 375)
        found = console_axe(page)
        assert not found, described(found)
        page.fill("#token", "not-a-token")
        page.locator("form[action$='sign-in'] button[type=submit]").click()
        assert "wrong, revoked or expired" in page.locator("[role=alert]").inner_text()
        found = console_axe(page)
        assert not found, described(found)
        screenshot(page, "console-sign-in-phone.png", tmp_path)
    finally:
        context.close()
