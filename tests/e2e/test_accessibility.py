"""axe-core on the web form's pages at 375 px: no serious or critical violation.

axe-core comes from npm (tests/e2e/axe, installed by ``scripts/setup.sh test``; not in the way of
``make run``). The page's Content-Security-Policy allows no injected script, so this context
bypasses it to load axe; the pages themselves are unchanged.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from checkround.devstack.client import Client
from tests.e2e.test_browser import PHONE, Round, admin, base, browser, fid, fill_form  # noqa: F401  (fixtures)
from tests.support import ROOT, seed_answers

pytestmark = pytest.mark.e2e

AXE = ROOT / "tests" / "e2e" / "axe" / "node_modules" / "axe-core" / "axe.min.js"
BAD = ("serious", "critical")


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:  # noqa: F811
    assert AXE.exists(), f"{AXE} is missing: scripts/setup.sh test installs it (npm ci in tests/e2e/axe)"
    made = browser.new_context(
        viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=1, locale="vi-VN", bypass_csp=True
    )
    yield made
    made.close()


def violations(page: Page) -> list[dict[str, Any]]:
    page.add_script_tag(path=str(AXE))
    found: list[dict[str, Any]] = page.evaluate(
        "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
    )
    return [v for v in found if v["impact"] in BAD]


def described(found: list[dict[str, Any]]) -> str:
    return json.dumps(
        [{"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"][:5]]} for v in found],
        ensure_ascii=False,
        indent=1,
    )


def test_the_form_its_errors_its_section_list_and_the_receipt_pass_axe(
    context: BrowserContext,
    admin: Client,  # noqa: F811
) -> None:
    round_ = Round(admin, ["tien-yen"])
    page = context.new_page()
    page.goto(round_.link("tien-yen"))
    found = violations(page)
    assert not found, described(found)

    # With errors, the section list open.
    page.fill(fid("chuong_trinh", "xay_dung_chuong_trinh") + "-score", "80")
    page.get_by_role("button", name="Gửi báo cáo").click()
    expect(page.locator("#error-summary")).to_be_focused()
    page.locator("#toc summary").click()
    found = violations(page)
    assert not found, described(found)

    # The receipt and the printable copy.
    page.goto(round_.link("tien-yen"))
    fill_form(page, seed_answers("tien-yen"))
    page.get_by_role("button", name="Gửi báo cáo").click()
    page.wait_for_url("**/receipt**")
    found = violations(page)
    assert not found, described(found)
    page.locator("#copy-link").click()
    found = violations(page)
    assert not found, described(found)


def test_axe_finds_what_it_is_asked_to_find(context: BrowserContext) -> None:
    """The check can fail: a page with an unlabelled input and unreadable text is caught."""
    page = context.new_page()
    page.set_content(
        '<html lang="vi"><body><main><input type="text">'
        '<p style="color:#eee;background:#fff">Chữ khó đọc</p></main></body></html>'
    )
    ids = {v["id"] for v in violations(page)}
    assert {"label", "color-contrast"} <= ids


def test_the_form_in_english_and_without_its_scripts_passes_axe(
    browser: Browser,  # noqa: F811
    admin: Client,  # noqa: F811
) -> None:
    """The English page, and the pages a phone without JavaScript gets: the form and the
    server's own error page. Its scripts are refused (and no service worker may serve them)."""
    round_ = Round(admin, ["tien-yen"])
    assert AXE.exists(), f"{AXE} is missing: scripts/setup.sh test installs it (npm ci in tests/e2e/axe)"
    context = browser.new_context(
        viewport=PHONE, is_mobile=True, has_touch=True, locale="en-GB", bypass_csp=True, service_workers="block"
    )
    try:
        page = context.new_page()
        scripts: list[str] = []

        def refuse_scripts(route: Any) -> None:
            if route.request.resource_type == "script":
                scripts.append(route.request.url)
                route.abort()
            else:
                route.continue_()

        page.route("**/*", refuse_scripts)
        page.goto(round_.link("tien-yen", "en"))
        assert page.locator("html").get_attribute("lang") == "en"
        assert scripts, "the page loads its scripts from files: refusing them is how it runs without JavaScript"
        found = violations(page)
        assert not found, described(found)

        page.fill(fid("chuong_trinh", "xay_dung_chuong_trinh") + "-score", "80")
        page.get_by_role("button", name="Submit", exact=True).click()
        expect(page.locator("#error-summary")).to_be_visible()
        found = violations(page)
        assert not found, described(found)
    finally:
        context.close()
