"""The web form on a 375 px phone as issue 15 asks: nothing typed is lost, choices one tap
away, errors that say what to do, a way through the sections and a receipt worth keeping.

Debian's chromium through Playwright against the whole local stack, as in test_browser.py (its
fixtures and helpers are reused). Screenshots go to docs/ with ``CHECKROUND_SCREENSHOTS=docs``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, BrowserContext, Dialog, Page, expect

from checkround.devstack.client import Client
from tests.e2e.test_browser import PHONE, Round, admin, base, browser, fid  # noqa: F401  (fixtures)

pytestmark = pytest.mark.e2e

STRONG = fid("danh_gia", "diem_manh")
ROW_NAME = fid("chuong_trinh", "cong_trinh_tieu_bieu", 1, "ten")


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:  # noqa: F811
    made = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=1, locale="vi-VN")
    yield made
    made.close()


def state_of(admin: Client, round_: Round, unit_id: str) -> str:  # noqa: F811
    board = {row["unit_id"]: row for row in admin.call("GET", f"/rounds/{round_.id}")["board"]}
    return str(board[unit_id]["state"])


def opened(context: BrowserContext, admin: Client, unit_id: str = "ba-che") -> tuple[Round, Page]:  # noqa: F811
    """A fresh round, and its form opened from the unit's link in a new tab."""
    round_ = Round(admin, [unit_id])
    page = context.new_page()
    page.goto(round_.link(unit_id))
    return round_, page


def test_typing_is_kept_on_the_phone_through_a_reload_a_closed_browser_and_the_language_switch(
    context: BrowserContext,
    admin: Client,  # noqa: F811
) -> None:
    round_, page = opened(context, admin)
    asked: list[str] = []

    def leave(dialog: Dialog) -> None:
        asked.append(dialog.type)
        dialog.accept()

    page.on("dialog", leave)
    page.fill(STRONG, "Tổ chức tốt các hoạt động hè")
    page.get_by_role("button", name="Thêm một mục").click()
    page.fill(ROW_NAME, "Sân chơi cho thiếu nhi")
    page.check(fid("chuong_trinh", "xay_dung_chuong_trinh") + "-status-partial")
    # At once, before the background save: leaving asks first, and the reload brings it all back.
    page.reload()
    assert asked == ["beforeunload"]
    expect(page.locator(STRONG)).to_have_value("Tổ chức tốt các hoạt động hè")
    expect(page.locator(ROW_NAME)).to_have_value("Sân chơi cho thiếu nhi")
    expect(page.locator(fid("chuong_trinh", "xay_dung_chuong_trinh") + "-status-partial")).to_be_checked()
    expect(page.locator("#restored")).to_contain_text("Đã khôi phục những gì đã nhập trên máy này")

    # The copy put back is saved to the server in the background, and the page says when.
    expect(page.locator("#autosave")).to_have_text(re.compile(r"^Đã lưu lúc \d\d:\d\d$"))
    assert state_of(admin, round_, "ba-che") == "draft"

    # More typing, then the in-app browser is closed before the background save.
    page.fill(STRONG, "Tổ chức tốt các hoạt động hè, có sân chơi mới")
    page.close(run_before_unload=False)
    page = context.new_page()
    page.goto(round_.link("ba-che").split("?t=")[0])  # the session cookie is still there
    expect(page.locator(STRONG)).to_have_value("Tổ chức tốt các hoạt động hè, có sân chơi mới")

    # The language switch keeps what was typed and does not ask.
    page.on("dialog", leave)
    page.fill(fid("danh_gia", "han_che"), "Chưa có")
    page.get_by_role("link", name="English").click()
    expect(page.get_by_role("button", name="Submit")).to_be_visible()
    expect(page.locator(fid("danh_gia", "han_che"))).to_have_value("Chưa có")
    expect(page.locator(ROW_NAME)).to_have_value("Sân chơi cho thiếu nhi")
    assert asked == ["beforeunload"]


def test_a_copy_older_than_the_servers_draft_is_not_put_back(
    context: BrowserContext,
    admin: Client,  # noqa: F811
) -> None:
    round_, page = opened(context, admin)
    page.fill(STRONG, "Bản trên điện thoại")
    expect(page.locator("#autosave")).to_have_text(re.compile(r"^Đã lưu lúc"))
    # Another device saves a newer draft: the copy on this phone was made on top of an older one.
    other = context.browser
    assert other is not None
    elsewhere = other.new_context(viewport=PHONE)
    try:
        second = elsewhere.new_page()
        second.goto(round_.link("ba-che"))
        second.fill(STRONG, "Bản trên máy tính")
        second.get_by_role("button", name="Lưu nháp").click()
        expect(second.locator("#notice")).to_be_visible()
    finally:
        elsewhere.close()
    page.fill(STRONG, "Bản trên điện thoại, sửa thêm")
    page.close(run_before_unload=False)
    page = context.new_page()
    page.goto(round_.link("ba-che").split("?t=")[0])
    expect(page.locator(STRONG)).to_have_value("Bản trên máy tính")


def test_every_radio_and_checkbox_is_a_tap_target_of_at_least_44_px(
    context: BrowserContext,
    admin: Client,  # noqa: F811
) -> None:
    _, page = opened(context, admin)
    page.check(fid("von_vay", "co_quan_ly_von_vay") + "-true")  # shows the loan figures too
    boxes = page.locator("input[type=radio], input[type=checkbox]")
    assert boxes.count() >= 3 * 11 + 2 + 4 + 4 + 3 * 4 + 2  # checklists, booleans, lists: no select left
    assert page.locator("select").count() == 0
    for index in range(boxes.count()):
        box = boxes.nth(index)
        # The target is the label the input sits in: a tap anywhere on it picks the choice.
        target = box.evaluate(
            "input => { const r = input.labels[0].getBoundingClientRect();"
            " const i = input.getBoundingClientRect();"
            " return {w: r.width, h: r.height, inside: i.left >= r.left && i.right <= r.right"
            " && i.top >= r.top && i.bottom <= r.bottom}; }"
        )
        name = box.get_attribute("id")
        assert target["w"] >= 44, (name, target)
        assert target["h"] >= 44, (name, target)
        assert target["inside"], name
    # Stacked, one above the other: the three results of a checklist item in one column.
    results = page.locator(fid("chuong_trinh", "xay_dung_chuong_trinh") + " label.choice")
    tops = [results.nth(i).bounding_box()["y"] for i in range(3)]  # type: ignore[index]
    assert tops[0] + 44 <= tops[1]
    assert tops[1] + 44 <= tops[2]
    # A tap on the label's far edge, away from the box, picks the choice.
    label = results.nth(1)
    label.scroll_into_view_if_needed()
    area = label.bounding_box()
    assert area is not None
    page.touchscreen.tap(area["x"] + area["width"] - 5, area["y"] + area["height"] / 2)
    expect(page.locator(fid("chuong_trinh", "xay_dung_chuong_trinh") + "-status-partial")).to_be_checked()
