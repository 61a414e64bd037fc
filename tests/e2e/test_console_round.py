"""A round run from the admin console in a real browser, with a unit answering in the web form:
sign in, create a round from the seed form (a whole cluster and one more unit), open it behind
its confirmation, issue a link and copy it, the unit submits through that link, and the board
changes without a reload; at 1280 px, and the same pages at 375 px. axe-core on every page.
Screenshots of each page go to docs/ with ``CHECKROUND_SCREENSHOTS=docs``."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from checkround.devstack.client import Client
from checkround.formats.dates import format_date
from tests.e2e.console_fixtures import *  # noqa: F403
from tests.e2e.console_fixtures import Round, assert_fits, console_axe, console_url, described, screenshot
from tests.e2e.test_browser import fill_form
from tests.support import seed_answers

pytestmark = pytest.mark.e2e


def clean(page: Page) -> None:
    found = console_axe(page)
    assert not found, described(found)


def create_round(page: Page, base: str, round_id: str, tmp_path: Path | None = None) -> None:
    page.goto(console_url(base, "rounds"))
    page.get_by_role("link", name="Tạo đợt kiểm tra").click()
    page.wait_for_url("**/rounds/new")
    clean(page)
    # Nothing chosen: refused next to its fields, what was typed kept.
    page.fill("#title_vi", "Kiểm tra thử trên trang quản trị")
    page.get_by_role("button", name="Tạo đợt kiểm tra").click()
    expect(page.locator("#units-error")).to_contain_text("Hãy chọn ít nhất một đơn vị")
    expect(page.locator("#title_vi")).to_have_value("Kiểm tra thử trên trang quản trị")
    clean(page)
    page.fill("#id", round_id)
    page.fill("#opens_date", format_date(date.today() - timedelta(days=1)))
    page.locator("input[name=clusters][value=cum-mien-dong]").check()
    page.locator("input[name=units][value=hai-quan]").check()
    if tmp_path is not None:
        screenshot(page, "console-new-round-desktop.png", tmp_path)
    page.get_by_role("button", name="Tạo đợt kiểm tra").click()
    page.wait_for_url(f"**/rounds/{round_id}?created=1")
    expect(page.locator("[role=status]")).to_contain_text("Đã tạo đợt kiểm tra")


def test_a_round_from_the_console_with_a_unit_answering(
    browser: Browser, console_desktop: Page, base: str, admin: Client, tmp_path: Path
) -> None:
    page = console_desktop
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    round_id = f"console-{uuid.uuid4().hex[:8]}"
    create_round(page, base, round_id, tmp_path)
    clean(page)

    page.get_by_role("link", name="Mở đợt kiểm tra").click()
    expect(page.locator(".confirm")).to_contain_text("đơn vị nào có đường dẫn sẽ mở được biểu mẫu")
    clean(page)
    page.get_by_role("button", name="Mở đợt kiểm tra").click()
    expect(page.locator("[role=status]")).to_have_text("Đã mở đợt kiểm tra.")
    assert admin.call("GET", f"/rounds/{round_id}")["status"] == "open"

    # Issue Tiên Yên's link and copy it.
    page.get_by_role("link", name="Đường dẫn").click()
    clean(page)
    page.get_by_label("BTV Huyện Đoàn Tiên Yên").check()
    page.get_by_role("button", name="Cấp đường dẫn", exact=True).click()
    expect(page.get_by_role("heading", name="Đường dẫn vừa cấp")).to_be_visible()
    link = page.locator("#link-tien-yen").input_value()
    assert f"/web_form/r/{round_id}?t=" in link
    page.get_by_role("button", name="Sao chép đường dẫn").click()
    expect(page.locator(".copied").first).to_have_text("Đã sao chép")
    assert page.evaluate("navigator.clipboard.readText()") == link
    assert "Hạn nộp:" in page.locator("#msg-tien-yen").input_value()
    clean(page)
    screenshot(page, "console-links-desktop.png", tmp_path)

    # The board, open while the unit submits through the link it was sent.
    page.get_by_role("link", name="Bảng theo dõi tiến độ").click()
    row = page.locator('tr[data-unit="tien-yen"]')
    expect(row.locator(".badge")).to_have_text("Chưa nộp")
    clean(page)
    page.evaluate("window.stillTheSamePage = true")
    unit_context = browser.new_context(viewport={"width": 375, "height": 740}, locale="vi-VN")
    try:
        unit = unit_context.new_page()
        unit.goto(link)
        fill_form(unit, seed_answers("tien-yen"))
        unit.get_by_role("button", name="Gửi báo cáo").click()
        unit.wait_for_url("**/receipt**")
    finally:
        unit_context.close()
    # Within the board's 10 s, without a reload (the marker set on this page is still there).
    expect(row.locator(".badge")).to_have_text("Đã nộp", timeout=20_000)
    assert page.evaluate("window.stillTheSamePage") is True
    expect(page.locator(".rate")).to_contain_text("Đã nộp 1/4 đơn vị")
    screenshot(page, "console-board-desktop.png", tmp_path)

    page.get_by_role("link", name="Thông tin chung").click()
    screenshot(page, "console-round-desktop.png", tmp_path)


def test_the_console_pages_on_a_phone(console_phone: Page, base: str, admin: Client, tmp_path: Path) -> None:
    page = console_phone
    round_ = Round(admin, ["tien-yen", "ba-che", "mong-cai", "hai-quan"])
    pages: list[tuple[str, str | None]] = [
        ("rounds/new", "console-new-round-phone.png"),
        (f"rounds/{round_.id}", "console-round-phone.png"),
        (f"rounds/{round_.id}/close", None),
        (f"rounds/{round_.id}/board", "console-board-phone.png"),
        (f"rounds/{round_.id}/links", None),
    ]
    for path, shot in pages:
        page.goto(console_url(base, path))
        assert_fits(page, 375)
        clean(page)
        if shot:
            screenshot(page, shot, tmp_path)
    page.get_by_label("BTV Huyện Đoàn Ba Chẽ").check()
    page.get_by_role("button", name="Cấp lại (đường dẫn cũ hết hiệu lực)").click()
    expect(page.get_by_role("heading", name="Đường dẫn vừa cấp")).to_be_visible()
    assert_fits(page, 375)
    clean(page)
    screenshot(page, "console-links-phone.png", tmp_path)
    # English, the same pages.
    page.goto(console_url(base, f"rounds/{round_.id}/board?lang=en"))
    expect(page.locator("h1")).to_be_visible()
    assert "Progress board" in page.locator(".tabs").inner_text()
    clean(page)
