"""Fixtures and helpers for browser tests of the admin console, for every page group to reuse.

In a test module::

    from tests.e2e.console_fixtures import *  # noqa: F403  (fixtures: stack, browser, admin, base, ...)

    def test_my_page(console_desktop, base):
        console_desktop.goto(console_url(base, "rounds"))
        ...

- ``stack`` (the conftest's, one ``python -m checkround.devstack run`` per module), ``base``,
  ``admin`` (an admin_api client) and ``browser`` (Debian's chromium) come from the existing
  suites; ``Round(admin, units)`` makes a fresh open round of the seed form.
- ``console_desktop`` / ``console_phone``: a page at 1280 / 375 px, signed in to the console
  (with the stack's admin token on the sign-in page, as an admin would), in Vietnamese.
- ``console_axe(page)``: the serious or critical axe-core violations of the page (its context
  must bypass the CSP to load axe: ``console_context(browser, ..., axe=True)``).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page

from tests.e2e.test_accessibility import AXE, described, violations
from tests.e2e.test_browser import DESKTOP, PHONE, Round, admin, assert_fits, base, browser, screenshot
from tests.e2e.test_local_stack import RunningStack

__all__ = [
    "DESKTOP",
    "PHONE",
    "Round",
    "admin",
    "assert_fits",
    "base",
    "browser",
    "console_axe",
    "console_context",
    "console_desktop",
    "console_phone",
    "console_url",
    "described",
    "screenshot",
    "sign_in",
]


def console_url(base: str, path: str = "") -> str:
    return f"{base}/admin_console/{path}"


def admin_token(stack: RunningStack) -> str:
    return (stack.local_dir / "admin-token").read_text().strip()


def console_context(browser: Browser, width: str = "desktop", lang: str = "vi", axe: bool = False) -> BrowserContext:
    viewport = DESKTOP if width == "desktop" else PHONE
    phone = width != "desktop"
    return browser.new_context(
        viewport=viewport,
        is_mobile=phone,
        has_touch=phone,
        device_scale_factor=1,
        locale="vi-VN" if lang == "vi" else "en-GB",
        bypass_csp=axe,
    )


def sign_in(page: Page, base: str, token: str) -> None:
    """Sign in on the sign-in page with an admin token; the page ends on the rounds list."""
    page.goto(console_url(base, "sign-in"))
    page.fill("#token", token)
    page.locator("form[action$='sign-in'] button[type=submit]").click()
    page.wait_for_url("**/admin_console/rounds**")


def console_axe(page: Page) -> list[dict[str, Any]]:
    assert AXE.exists(), f"{AXE} is missing: scripts/setup.sh test installs it (npm ci in tests/e2e/axe)"
    return violations(page)


def _signed_in(browser: Browser, stack: RunningStack, base: str, width: str) -> Iterator[Page]:
    context = console_context(browser, width, axe=True)
    page = context.new_page()
    sign_in(page, base, admin_token(stack))
    yield page
    context.close()


@pytest.fixture
def console_desktop(browser: Browser, stack: RunningStack, base: str) -> Iterator[Page]:
    yield from _signed_in(browser, stack, base, "desktop")


@pytest.fixture
def console_phone(browser: Browser, stack: RunningStack, base: str) -> Iterator[Page]:
    yield from _signed_in(browser, stack, base, "phone")
