"""A whole round run from the admin console in a real browser, with a unit answering in the web
form: sign in, create a round from the seed form (a whole cluster and one more unit), open it
behind its confirmation, issue a link and copy it, the unit submits through that link and the
board changes without a reload, return with a comment, the unit resubmits, accept, a paper
report entered on a unit's behalf, close, and the summary PDF appears and downloads; at
1280 px, and the console's pages at 375 px. axe-core on every page. Screenshots of each page go
to docs/ with ``CHECKROUND_SCREENSHOTS=docs``."""

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


def create_round(page: Page, base: str, round_id: str, tmp_path: Path | None = None, width: str = "desktop") -> None:
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
        screenshot(page, f"console-new-round-{width}.png", tmp_path)
    page.get_by_role("button", name="Tạo đợt kiểm tra").click()
    page.wait_for_url(f"**/rounds/{round_id}?created=1")
    expect(page.locator("[role=status]")).to_contain_text("Đã tạo đợt kiểm tra")


@pytest.mark.parametrize("width", ["desktop", "phone"])
def test_a_whole_round_through_the_console(
    request: pytest.FixtureRequest, browser: Browser, base: str, admin: Client, tmp_path: Path, width: str
) -> None:
    page: Page = request.getfixturevalue(f"console_{width}")
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    round_id = f"console-{uuid.uuid4().hex[:8]}"
    create_round(page, base, round_id, tmp_path if width == "desktop" else None, width)
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
    if width == "desktop":
        screenshot(page, "console-links-desktop.png", tmp_path)
    else:
        assert_fits(page, 375)

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
    if width == "desktop":
        screenshot(page, "console-board-desktop.png", tmp_path)
    page.get_by_role("link", name="Thông tin chung").click()
    if width == "desktop":
        screenshot(page, "console-round-desktop.png", tmp_path)
    finish_the_round(browser, page, base, round_id, link)


def finish_the_round(browser: Browser, page: Page, base: str, round_id: str, link: str) -> None:
    """The rest of the round through the console's pages (those of the review group too): return
    with a comment, the unit resubmits, accept, a paper report entered on a unit's behalf, close,
    and the summary PDF appears and downloads."""
    page.goto(console_url(base, f"rounds/{round_id}/review/tien-yen"))
    page.locator("#f-danh_gia\\.han_che summary").click()
    page.fill("#comment-danh_gia-han_che", "Nêu rõ số chi đoàn và số buổi sinh hoạt.")
    page.locator("#return-button").click()
    page.wait_for_url("**/review/tien-yen?done=returned")
    clean(page)

    unit_context = browser.new_context(viewport={"width": 375, "height": 740}, locale="vi-VN")
    try:
        unit = unit_context.new_page()
        unit.goto(link)
        expect(unit.locator("body")).to_contain_text("Nêu rõ số chi đoàn và số buổi sinh hoạt.")
        unit.fill("#f-danh_gia-han_che", "Sinh hoạt chi đoàn ở khu dân cư: 12/15 chi đoàn, mỗi quý một buổi.")
        unit.get_by_role("button", name="Gửi báo cáo").click()
        unit.wait_for_url("**/receipt**")
        expect(unit.locator("#revision")).to_have_text("2")
    finally:
        unit_context.close()

    page.goto(console_url(base, f"rounds/{round_id}/review/tien-yen"))
    page.locator("#accept-button").click()
    page.wait_for_url("**/review/tien-yen?done=accepted")
    expect(page.locator("#unit-state")).to_have_text("Đã duyệt")

    # Hải quan reports on paper: entered on its behalf.
    page.goto(console_url(base, f"rounds/{round_id}/enter/hai-quan"))
    fill_form(page, seed_answers("hai-quan"))
    page.locator("#enter-submit").click()
    page.goto(console_url(base, f"rounds/{round_id}/board"))
    expect(page.locator('tr[data-unit="hai-quan"] .badge')).to_have_text("Đã nộp")
    expect(page.locator('tr[data-unit="tien-yen"] .badge')).to_have_text("Đã duyệt")

    page.goto(console_url(base, f"rounds/{round_id}/close"))
    expect(page.locator(".confirm")).to_contain_text("2 báo cáo đã nhận; 2/4 đơn vị chưa nộp")
    page.get_by_role("button", name="Kết thúc đợt kiểm tra").click()
    expect(page.locator("[role=status]")).to_contain_text("Đã kết thúc đợt kiểm tra")

    # The summary renders (the Firestore event) and the page follows it by itself.
    page.goto(console_url(base, f"rounds/{round_id}/summary"))
    expect(page.locator("#download-summary")).to_be_visible(timeout=120_000)
    with page.expect_download() as download:
        page.locator("#download-summary").click()
    pdf = Path(download.value.path())
    assert pdf.read_bytes().startswith(b"%PDF")
    clean(page)


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
