"""The web form on a 375 px phone as issue 15 asks: nothing typed is lost, choices one tap
away, errors that say what to do, a way through the sections and a receipt worth keeping.

Debian's chromium through Playwright against the whole local stack, as in test_browser.py (its
fixtures and helpers are reused). Screenshots go to docs/ with ``CHECKROUND_SCREENSHOTS=docs``.
"""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Dialog, Page, expect

from checkround.devstack.client import Client
from tests.e2e.test_accessibility import described, violations
from tests.e2e.test_browser import (  # noqa: F401  (fixtures)
    PHONE,
    Round,
    admin,
    base,
    browser,
    draft_of,
    fid,
    fill_form,
)
from tests.e2e.wire import Wire
from tests.support import ROOT, seed_answers

pytestmark = pytest.mark.e2e

STRONG = fid("danh_gia", "diem_manh")
ROW_NAME = fid("chuong_trinh", "cong_trinh_tieu_bieu", 1, "ten")


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:  # noqa: F811
    made = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=1, locale="vi-VN")
    yield made
    made.close()


def shot(page: Page, name: str) -> None:
    """The screen as the unit sees it (375 x 740), kept in docs/ with CHECKROUND_SCREENSHOTS=docs."""
    data = page.screenshot()
    assert len(data) > 10_000  # a page, not a blank
    target = os.environ.get("CHECKROUND_SCREENSHOTS")
    if target:
        (ROOT / target / name).write_bytes(data)


@pytest.fixture
def wired(browser: Browser) -> Iterator[tuple[BrowserContext, Wire]]:  # noqa: F811
    """A phone whose connection to the stack goes through a wire the test can cut (wire.py)."""
    with Wire() as wire:
        made = browser.new_context(
            viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=1, locale="vi-VN", proxy=wire.proxy
        )
        yield made, wire
        made.close()


def offline(context: BrowserContext, wire: Wire, cut: bool) -> None:
    """The connection cut or back: the wire, which no request passes while it is cut, and what
    the page is told (set_offline: navigator.onLine and its events). Chromium's offline
    emulation alone is not a cut wire (see wire.py). Coming back, the wire is restored before
    the page hears 'online', as a phone's connection is up before it says so."""
    if cut:
        wire.cut()
        context.set_offline(True)
    else:
        wire.restore()
        context.set_offline(False)


def round_of(admin: Client, sections: list[dict], unit_id: str = "ba-che", **form: object) -> Round:  # noqa: F811
    """A fresh round of a small form made for the test (published as version 1)."""
    form_id = f"mau-{uuid.uuid4().hex[:8]}"
    definition = {"id": form_id, "title": {"vi": "Phiếu thử", "en": "Test form"}, "sections": sections, **form}
    admin.call("POST", "/forms", definition)
    admin.call("POST", f"/forms/{form_id}/versions")
    return Round(admin, [unit_id], form_id=form_id)


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


ITEM = fid("chuong_trinh", "xay_dung_chuong_trinh")
SECOND = fid("chuong_trinh", "cong_tac_giao_duc")


def badge(page: Page, section: str) -> str:
    return page.locator(f'#toc [data-toc="{section}"] .state-badge').inner_text()


def test_errors_take_the_focus_say_what_to_do_and_the_section_list_shows_them(
    context: BrowserContext,
    admin: Client,  # noqa: F811
) -> None:
    round_, page = opened(context, admin)
    toc = page.locator("#toc summary")
    expect(toc).to_have_text(re.compile(r"Mục lục\s+0/9 mục đã xong"))
    page.check(f"{ITEM}-status-yes")
    page.fill(f"{ITEM}-score", "80")
    page.fill(f"{SECOND}-score", "6")  # a score without its result
    # The coordination section: its one required item answered, it is complete as it is typed.
    page.check(fid("phoi_hop", "thuc_hien_phoi_hop") + "-status-yes")
    page.fill(fid("phoi_hop", "thuc_hien_phoi_hop") + "-score", "5")
    page.fill(fid("danh_gia", "diem_manh"), "Nhiều hoạt động")
    toc.click()
    expect(page.locator('#toc [data-toc="phoi_hop"] .state-badge')).to_have_text("Đã xong")
    expect(page.locator('#toc [data-toc="danh_gia"] .state-badge')).to_have_text("Đang làm")
    expect(page.locator('#toc [data-toc="tai_nang"] .state-badge')).to_have_text("Chưa làm")
    expect(toc).to_contain_text("1/9 mục đã xong")
    toc.click()

    page.get_by_role("button", name="Gửi báo cáo").click()
    page.wait_for_url(re.compile(r"/r/"))
    summary = page.locator("#error-summary")
    expect(summary).to_be_focused()
    shot(page, "webform-phone-errors.png")
    lines = summary.locator("li")
    expect(lines.first).to_have_text(re.compile(r"^Xây dựng chương trình .*: Nhập điểm từ 0 đến 8\.$"))
    expect(summary).to_contain_text("đoàn viên, thanh niên: Chọn kết quả cho mục này.")  # the second item
    expect(summary).to_contain_text("Chọn kết quả và nhập điểm cho mục này.")
    expect(summary).to_contain_text("Tồn tại, hạn chế và khó khăn: Nhập câu trả lời cho câu hỏi này.")
    assert "Trường này" not in summary.inner_text()
    assert "trường này" not in page.content()

    # The section list says where the errors are, and what is complete.
    toc.click()
    expect(page.locator('#toc [data-toc="chuong_trinh"] .state-badge')).to_have_text("Có lỗi")
    expect(page.locator('#toc [data-toc="danh_gia"] .state-badge')).to_have_text("Có lỗi")
    expect(page.locator('#toc [data-toc="phoi_hop"] .state-badge')).to_have_text("Đã xong")
    shot(page, "webform-phone-sections.png")
    page.locator('#toc [data-toc="danh_gia"] a').click()
    expect(page.locator("#toc details")).not_to_have_attribute("open", "")
    toc.click()
    toc.click()

    # A link of the summary brings the field into view with its label, the cursor in it.
    summary.get_by_role("link").nth(1).click()
    second = page.locator(f"{SECOND}-status-yes")
    expect(second).to_be_focused()
    legend = page.locator(f"{SECOND} > legend")
    bar = page.locator("#toc").bounding_box()
    box = legend.bounding_box()
    assert bar is not None
    assert box is not None
    assert box["y"] >= bar["y"] + bar["height"] - 1  # below the sticky bar, not under it
    assert box["y"] + box["height"] <= PHONE["height"]
    assert state_of(admin, round_, "ba-che") != "submitted"


def test_a_text_area_says_how_much_is_left_and_a_save_comes_back_where_the_unit_was(
    context: BrowserContext,
    admin: Client,  # noqa: F811
) -> None:
    _, page = opened(context, admin)
    count = page.locator(fid("danh_gia", "diem_manh") + "-count")
    expect(count).to_have_text("Còn 2.000 ký tự.")
    page.fill(fid("danh_gia", "diem_manh"), "Mười ký tự")
    expect(count).to_have_text("Còn 1.990 ký tự.")
    page.fill(fid("danh_gia", "diem_manh"), "x" * 2012)
    expect(count).to_have_text("Quá 12 ký tự: hãy rút gọn.")
    page.fill(fid("danh_gia", "diem_manh"), "Giữ nguyên")

    page.locator(fid("chi_doan_dan_cu", "tan_suat_sinh_hoat") + "-field").scroll_into_view_if_needed()
    page.evaluate("document.getElementById('s-chi_doan_dan_cu').scrollIntoView({block: 'start'})")
    page.get_by_role("button", name="Lưu nháp").click()
    expect(page.locator("#notice")).to_have_text("Đã lưu bản nháp. Báo cáo chưa được gửi.")
    anchor = page.evaluate("location.hash")
    assert anchor == "#s-chi_doan_dan_cu" or anchor.startswith("#f-chi_doan_dan_cu-"), anchor
    there = page.locator(anchor).bounding_box()
    assert there is not None
    assert 0 <= there["y"] <= PHONE["height"] / 2  # the page opened there, not at its top


def test_without_javascript_the_section_list_and_the_error_summary_still_work(
    browser: Browser,  # noqa: F811
    admin: Client,  # noqa: F811
) -> None:
    round_ = Round(admin, ["ba-che"])
    context = browser.new_context(viewport=PHONE, java_script_enabled=False, locale="vi-VN")
    try:
        page = context.new_page()
        page.goto(round_.link("ba-che"))
        expect(page.locator(fid("danh_gia", "diem_manh") + "-count")).to_have_text("Tối đa 2.000 ký tự.")
        page.check(f"{ITEM}-status-yes")
        page.fill(f"{ITEM}-score", "80")
        page.check(fid("von_vay", "co_quan_ly_von_vay") + "-false")
        page.get_by_role("button", name="Gửi báo cáo").click()
        page.wait_for_load_state()
        expect(page.locator("#error-summary")).to_contain_text("Nhập điểm từ 0 đến 8.")
        page.locator("#toc summary").click()
        expect(page.locator('#toc [data-toc="chuong_trinh"] .state-badge')).to_have_text("Có lỗi")
        page.locator("#error-summary a").first.click()
        assert page.url.endswith(f"{ITEM}-score")
        # Radios post as the selects did: the boolean answer came back checked.
        expect(page.locator(fid("von_vay", "co_quan_ly_von_vay") + "-false")).to_be_checked()
    finally:
        context.close()


def test_a_report_sent_offline_is_kept_and_delivered_once_when_the_connection_returns(
    wired: tuple[BrowserContext, Wire],
    admin: Client,  # noqa: F811
) -> None:
    context, wire = wired
    round_, page = opened(context, admin, "cong-an")
    # The service worker keeps the page and its files after this first visit.
    expect(page.locator("html")).to_have_attribute("data-offline-ready", "")
    fill_form(page, seed_answers("cong-an"))
    offline(context, wire, True)
    page.get_by_role("button", name="Gửi báo cáo").click()
    outbox = page.locator("#outbox")
    expect(outbox).to_contain_text("Chưa có kết nối: báo cáo đã được giữ trên máy này")
    assert "/receipt" not in page.url
    assert state_of(admin, round_, "cong-an") == "missing"

    # Still offline, the form opens again (from the service worker, not the browser's offline
    # page), what was typed is there, and the report still waits.
    page.reload()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Phiếu kiểm tra")
    expect(page.locator(fid("danh_gia", "diem_manh"))).to_have_value(seed_answers("cong-an")["danh_gia"]["diem_manh"])
    expect(outbox).to_contain_text("Chưa có kết nối")
    assert state_of(admin, round_, "cong-an") == "missing"
    assert wire.posts("submit", forwarded=True) == []  # whatever the page tried met the cut

    # Back online: sent, once, and the receipt shows it.
    offline(context, wire, False)
    page.wait_for_url("**/receipt**", timeout=60_000)
    expect(page.locator("#revision")).to_have_text("1")
    expect(page.locator("#submission-id")).to_have_text("cong-an-0001")
    # Going offline and online again sends nothing more: the outbox is empty.
    offline(context, wire, True)
    offline(context, wire, False)
    page.goto(round_.link("cong-an").split("?t=")[0])
    expect(page.locator("#outbox")).to_be_hidden()
    board = {row["unit_id"]: row for row in admin.call("GET", f"/rounds/{round_.id}")["board"]}
    assert (board["cong-an"]["state"], board["cong-an"]["revision"]) == ("submitted", 1)
    # The report crossed the wire once: the try after the connection came back.
    assert len(wire.posts("submit", forwarded=True)) == 1


def test_a_report_lost_on_the_way_is_kept_and_sent_once_when_the_form_is_opened_again(
    wired: tuple[BrowserContext, Wire],
    admin: Client,  # noqa: F811
) -> None:
    """A weak connection: the phone says it is online, but the report does not get through."""
    context, wire = wired
    round_, page = opened(context, admin, "tien-yen")
    expect(page.locator("html")).to_have_attribute("data-offline-ready", "")
    fill_form(page, seed_answers("tien-yen"))
    wire.cut()
    page.get_by_role("button", name="Gửi báo cáo").click()
    expect(page.locator("#outbox")).to_contain_text("Chưa có kết nối: báo cáo đã được giữ trên máy này")
    # The page did send it, and it met the cut: the race this test is about.
    assert len(wire.posts("submit", forwarded=False)) >= 1
    assert wire.posts("submit", forwarded=True) == []
    assert state_of(admin, round_, "tien-yen") == "missing"

    # The signal is back and the unit opens the form again: the kept report goes, once.
    wire.restore()
    page.reload()
    page.wait_for_url("**/receipt**")
    expect(page.locator("#revision")).to_have_text("1")
    assert len(wire.posts("submit", forwarded=True)) == 1
    board = {row["unit_id"]: row for row in admin.call("GET", f"/rounds/{round_.id}")["board"]}
    assert (board["tien-yen"]["state"], board["tien-yen"]["revision"]) == ("submitted", 1)


def test_a_row_added_in_the_page_gets_the_date_picker_too(context: BrowserContext, admin: Client) -> None:  # noqa: F811
    row_fields = [
        {"key": "ten", "type": "text", "label": {"vi": "Hoạt động", "en": "Activity"}},
        {"key": "ngay", "type": "date", "label": {"vi": "Ngày tổ chức", "en": "Date"}},
    ]
    section = {
        "key": "a",
        "title": {"vi": "Hoạt động", "en": "Activities"},
        "fields": [{"key": "hd", "type": "repeat", "label": {"vi": "Các hoạt động"}, "fields": row_fields}],
    }
    round_ = round_of(admin, [section])
    page = context.new_page()
    page.goto(round_.link("ba-che"))
    rows = page.locator('[data-repeat="a.hd"] .rows > .row')
    drawn = rows.count()  # the rows the server drew
    page.get_by_role("button", name="Thêm một mục").click()
    page.get_by_role("button", name="Thêm một mục").click()
    expect(rows).to_have_count(drawn + 2)
    for row in rows.all():
        expect(row.locator(".pick-date")).to_have_count(1)  # every row one button, none twice
    added = rows.last
    expect(added.locator(".pick-date")).to_have_text("Chọn ngày")
    added.locator(".date-picker").evaluate(
        "p => { p.value = '2019-06-14'; p.dispatchEvent(new Event('change', {bubbles: true})); }"
    )
    expect(added.locator("input[data-date]")).to_have_value("14/06/2019")
    added.scroll_into_view_if_needed()
    shot(page, "webform-phone-date-row.png")


DISTRICTS = ["Hạ Long", "Cẩm Phả", "Uông Bí", "Móng Cái", "Đông Triều", "Quảng Yên", "Tiên Yên", "Ba Chẽ", "Bình Liêu"]


def _choices(names: list[str]) -> list[dict[str, object]]:
    return [{"value": f"d{n}", "label": {"vi": name, "en": name}} for n, name in enumerate(names)]


LISTS = {
    "key": "a",
    "title": {"vi": "Địa bàn", "en": "Areas"},
    "fields": [
        {"key": "noi", "type": "select_one", "label": {"vi": "Nơi tổ chức"}, "choices": _choices(DISTRICTS)},
        {"key": "cac_noi", "type": "select_multiple", "label": {"vi": "Các nơi"}, "choices": _choices(DISTRICTS)},
        {
            "key": "nut",
            "type": "select_one",
            "label": {"vi": "Chọn bằng nút"},
            "choices": _choices(DISTRICTS),
            "appearance": "buttons",
        },
        {
            "key": "ngan",
            "type": "select_one",
            "label": {"vi": "Danh sách ngắn"},
            "choices": _choices(DISTRICTS[:3]),
            "appearance": "list",
        },
    ],
}


def test_a_long_list_of_choices_is_searched_and_picked_with_one_tap_with_or_without_javascript(
    browser: Browser,  # noqa: F811
    admin: Client,  # noqa: F811
) -> None:
    round_ = round_of(admin, [LISTS])
    made = browser.new_context(
        viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=1, locale="vi-VN", bypass_csp=True
    )
    try:
        page = made.new_page()
        page.goto(round_.link("ba-che"))
        assert page.locator("select").count() == 0  # no list hidden behind a second tap
        # A long list (select_one and select_multiple alike) gets a search box; accents and case
        # do not matter, and a choice already made stays in sight.
        for key in ("noi", "cac_noi"):
            box = page.get_by_role("searchbox").and_(page.locator(f"{fid('a', key)}-filter"))
            page.check(f"{fid('a', key)} input[value='d7']")  # Ba Chẽ
            box.fill("mong cai")
            shown = page.locator(f"{fid('a', key)} .choice:visible")
            expect(shown).to_have_text(["Móng Cái", "Ba Chẽ"])
            page.check(f"{fid('a', key)} input[value='d3']")
        expect(page.locator(f"{fid('a', 'noi')} input[value='d3']")).to_be_checked()
        # The appearance overrides the length: a long list as buttons, a short one as a list.
        assert page.locator(f"{fid('a', 'nut')}-filter").count() == 0
        expect(page.locator(f"{fid('a', 'nut')} .choice")).to_have_count(len(DISTRICTS))
        expect(page.locator(f"{fid('a', 'ngan')}-filter")).to_be_visible()
        found = violations(page)
        assert found == [], described(found)
        page.locator(f"{fid('a', 'noi')}-field").scroll_into_view_if_needed()
        shot(page, "webform-phone-long-list.png")
        page.get_by_role("button", name="Lưu nháp").click()
        page.wait_for_url("**saved=draft**")
    finally:
        made.close()

    # Without JavaScript: every choice is there, one tap each, and what was saved comes back.
    bare = browser.new_context(viewport=PHONE, java_script_enabled=False, locale="vi-VN")
    try:
        page = bare.new_page()
        page.goto(round_.link("ba-che"))
        expect(page.locator(f"{fid('a', 'noi')} .choice")).to_have_count(len(DISTRICTS))
        expect(page.locator(f"{fid('a', 'noi')} input[value='d3']")).to_be_checked()
        expect(page.locator(f"{fid('a', 'cac_noi')} input:checked")).to_have_count(2)
        page.check(f"{fid('a', 'noi')} input[value='d8']")
        page.get_by_role("button", name="Lưu nháp").click()
        page.wait_for_load_state()
        expect(page.locator(f"{fid('a', 'noi')} input[value='d8']")).to_be_checked()
    finally:
        bare.close()


PAGED = [
    {
        "key": "a",
        "title": {"vi": "Chương trình công tác", "en": "Work programme"},
        "fields": [
            {"key": "ten", "type": "text", "label": {"vi": "Tên chương trình", "en": "Programme"}, "required": True},
            {"key": "so", "type": "integer", "label": {"vi": "Số hoạt động", "en": "Activities"}, "min": 0, "max": 50},
        ],
    },
    {
        "key": "b",
        "title": {"vi": "Hồ sơ, sổ sách", "en": "Files and record books"},
        "fields": [{"key": "du", "type": "boolean", "label": {"vi": "Hồ sơ đầy đủ", "en": "Files complete"}}],
    },
]


def _walk_the_pages(page: Page, round_: Round, screenshots: bool) -> None:
    """Page 1, on to page 2, back, forward to the check page, change page 1 from there, and send."""
    page.goto(round_.link("ba-che"))
    expect(page.locator("#step")).to_have_text("Phần 1/2")
    expect(page.locator("#s-a")).to_be_visible()
    expect(page.locator("#s-b")).to_be_hidden()
    page.fill(fid("a", "ten"), "Thanh niên tình nguyện")
    page.fill(fid("a", "so"), "12")
    if screenshots:
        shot(page, "webform-phone-pages.png")
    page.get_by_role("button", name="Tiếp tục").click()
    expect(page.locator("#step")).to_have_text("Phần 2/2")
    assert "page=b" in page.url
    expect(page.locator("#s-a")).to_be_hidden()
    page.check(fid("b", "du") + "-true")
    page.get_by_role("button", name="Quay lại").click()
    expect(page.locator(fid("a", "ten"))).to_have_value("Thanh niên tình nguyện")  # saved on the way
    page.get_by_role("button", name="Tiếp tục").click()
    expect(page.locator(fid("b", "du") + "-true")).to_be_checked()
    page.get_by_role("button", name="Kiểm tra câu trả lời").click()
    check = page.locator("#check-answers")
    expect(check.get_by_role("heading", level=2)).to_have_text("Kiểm tra câu trả lời")
    expect(check.locator("dd")).to_have_text(["Thanh niên tình nguyện", "12", "Có"])
    if screenshots:
        shot(page, "webform-phone-check-answers.png")
    check.get_by_role("button", name="Sửa Chương trình công tác").click()
    expect(page.locator("#step")).to_have_text("Phần 1/2")
    page.fill(fid("a", "so"), "15")
    page.get_by_role("button", name="Tiếp tục").click()
    page.get_by_role("button", name="Kiểm tra câu trả lời").click()
    expect(page.locator("#check-answers dd")).to_have_text(["Thanh niên tình nguyện", "15", "Có"])
    page.get_by_role("button", name="Gửi báo cáo").click()
    page.wait_for_url("**/receipt**")
    expect(page.locator("#revision")).to_have_text("1")


def test_a_form_of_one_section_per_page_with_a_check_page_before_sending(
    browser: Browser,  # noqa: F811
    admin: Client,  # noqa: F811
) -> None:
    made = browser.new_context(
        viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=1, locale="vi-VN", bypass_csp=True
    )
    try:
        round_ = round_of(admin, PAGED, appearance="pages")
        page = made.new_page()
        page.goto(round_.link("ba-che"))
        found = violations(page)
        assert found == [], described(found)
        _walk_the_pages(page, round_, screenshots=True)
        stored = admin.call("GET", f"/rounds/{round_.id}")["board"][0]
        assert (stored["state"], stored["revision"]) == ("submitted", 1)
        # The check page passes axe too.
        second = round_of(admin, PAGED, appearance="pages")
        page.goto(second.link("ba-che"))
        page.goto(page.url.split("?")[0] + "?page=check")
        expect(page.locator("#check-answers")).to_be_visible()
        found = violations(page)
        assert found == [], described(found)
    finally:
        made.close()
    # Without JavaScript, the same way through: every step is a post the server answers.
    bare = browser.new_context(viewport=PHONE, java_script_enabled=False, locale="vi-VN")
    try:
        _walk_the_pages(bare.new_page(), round_of(admin, PAGED, appearance="pages"), screenshots=False)
    finally:
        bare.close()


# -- a paged form with the script: page to page in the page, offline too ----------------------------

PAGED3 = [
    PAGED[0],
    {
        "key": "b",
        "title": {"vi": "Hồ sơ, sổ sách", "en": "Files and record books"},
        "fields": [
            {"key": "du", "type": "boolean", "label": {"vi": "Hồ sơ đầy đủ", "en": "Files complete"}, "required": True}
        ],
    },
    {
        "key": "c",
        "title": {"vi": "Kinh phí", "en": "Funds"},
        "relevant": {"!=": [{"var": ["b.du", True]}, False]},  # skipped when the files are not complete
        "fields": [
            {"key": "tien", "type": "decimal", "label": {"vi": "Kinh phí"}, "unit": {"vi": "triệu đồng"}, "min": 0},
            {"key": "ghi_chu", "type": "text", "label": {"vi": "Ghi chú", "en": "Note"}},
        ],
    },
]


def _form_gets(wire: Wire, since: int) -> list[str]:
    """The form's pages the browser asked for (navigations), after the first ``since`` requests."""
    return [p.path for p in wire.seen[since:] if p.method == "GET" and re.search(r"/r/[^/]+$", p.path)]


def test_a_paged_form_changes_page_offline_and_the_report_is_sent_once_when_back_online(
    wired: tuple[BrowserContext, Wire],
    admin: Client,  # noqa: F811
) -> None:
    context, wire = wired
    round_ = round_of(admin, PAGED3, appearance="pages")
    page = context.new_page()
    page.goto(round_.link("ba-che"))
    expect(page.locator("html")).to_have_attribute("data-offline-ready", "")
    # The service worker has kept the page (its own fetch of it): nothing of that first visit
    # is still on its way when the wire is cut.
    page.wait_for_function("() => caches.match(location.href).then(Boolean)")
    step = page.locator("#step")
    expect(step).to_have_text("Phần 1/3")

    offline(context, wire, True)
    since = len(wire.seen)
    page.fill(fid("a", "ten"), "Thanh niên tình nguyện")
    page.fill(fid("a", "so"), "12")
    page.get_by_role("button", name="Tiếp tục").click()
    expect(step).to_have_text("Phần 2/3")
    expect(page.locator("#s-b h2")).to_be_focused()  # the new page's heading is read first
    assert "page=b" in page.url
    page.check(fid("b", "du") + "-true")
    page.get_by_role("button", name="Tiếp tục").click()
    expect(step).to_have_text("Phần 3/3")
    expect(page.locator("#s-c h2")).to_be_focused()
    page.fill(fid("c", "tien"), "1.265,5")
    expect(page.locator("#autosave")).to_contain_text("Chưa lưu được lên máy chủ")
    shot(page, "webform-phone-pages-offline.png")
    # The browser's back button: the pages before, in the page.
    page.go_back()
    expect(step).to_have_text("Phần 2/3")
    expect(page.locator(fid("b", "du") + "-true")).to_be_checked()
    page.go_back()
    expect(step).to_have_text("Phần 1/3")
    expect(page.locator("#s-a h2")).to_be_focused()
    expect(page.locator(fid("a", "ten"))).to_have_value("Thanh niên tình nguyện")
    page.fill(fid("a", "so"), "15")
    page.go_forward()
    expect(step).to_have_text("Phần 2/3")
    page.locator("#toc summary").click()
    page.locator('#toc [data-toc="c"] button').click()  # a section of the list, no post
    expect(step).to_have_text("Phần 3/3")
    page.fill(fid("c", "ghi_chu"), "Đã quyết toán")
    # No page was asked of the server while the wire was cut: every move happened in the page.
    # The draft saved on the way did not get through, and the page says so (what was typed
    # stays on the phone).
    assert _form_gets(wire, since) == []
    assert [p for p in wire.seen[since:] if p.forwarded] == []
    # A reload without a connection: the service worker's copy, at the page the address names,
    # with what was typed put back.
    page.reload()
    expect(step).to_have_text("Phần 3/3")
    expect(page.locator(fid("c", "ghi_chu"))).to_have_value("Đã quyết toán")
    expect(page.locator(fid("a", "so"))).to_have_value("15")
    assert state_of(admin, round_, "ba-che") == "missing"

    offline(context, wire, False)
    # Back online, the draft is saved without waiting for the next change.
    expect(page.locator("#autosave")).to_have_text(re.compile(r"^Đã lưu lúc \d\d:\d\d$"))
    page.get_by_role("button", name="Kiểm tra câu trả lời").click()
    expect(step).to_have_text("Bước cuối: kiểm tra rồi gửi")
    expect(page.locator("#check-title")).to_be_focused()
    expect(page.locator("#check-answers dd")).to_have_text(
        ["Thanh niên tình nguyện", "15", "Có", "1.265,5 triệu đồng", "Đã quyết toán"]
    )
    page.get_by_role("button", name="Gửi báo cáo").click()
    page.wait_for_url("**/receipt**")
    expect(page.locator("#revision")).to_have_text("1")
    assert len(wire.posts("submit", forwarded=True)) == 1
    stored = admin.call("GET", f"/rounds/{round_.id}/submissions/ba-che/revisions/1")
    assert stored["answers"] == {
        "a": {"ten": "Thanh niên tình nguyện", "so": 15},
        "b": {"du": True},
        "c": {"tien": 1265.5, "ghi_chu": "Đã quyết toán"},
    }


def _phone_without_csp(browser: Browser) -> BrowserContext:  # noqa: F811
    """A phone whose pages axe-core can be added to (bypass_csp: the page's own CSP forbids it)."""
    return browser.new_context(
        viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=1, locale="vi-VN", bypass_csp=True
    )


def _clean(page: Page) -> None:
    found = violations(page)
    assert found == [], described(found)


def test_a_page_says_what_it_lacks_before_moving_on_and_every_page_passes_axe(
    browser: Browser,  # noqa: F811
    admin: Client,  # noqa: F811
) -> None:
    made = _phone_without_csp(browser)
    try:
        round_ = round_of(admin, PAGED3, appearance="pages")
        page = made.new_page()
        page.goto(round_.link("ba-che"))
        step = page.locator("#step")
        _clean(page)
        page.fill(fid("a", "so"), "1.2.3")
        page.get_by_role("button", name="Tiếp tục").click()
        # The page stays, and says what to put right: the required name left empty, the number
        # the server would not read, each with the server's own message.
        summary = page.locator("#page-errors")
        expect(summary).to_be_focused()
        expect(step).to_have_text("Phần 1/3")
        expect(summary.locator("p")).to_have_text("Phần này có 2 chỗ cần sửa trước khi tiếp tục.")
        expect(summary.locator("li")).to_have_text(
            [
                "Tên chương trình: Nhập câu trả lời cho câu hỏi này.",
                re.compile(r"^Số hoạt động: Hãy nhập một số nguyên"),
            ]
        )
        name = page.locator(fid("a", "ten"))
        expect(page.locator(fid("a", "ten") + "-error")).to_have_text("Nhập câu trả lời cho câu hỏi này.")
        expect(name).to_have_attribute("aria-invalid", "true")
        shot(page, "webform-phone-page-errors.png")
        _clean(page)
        summary.get_by_role("link").first.click()
        expect(name).to_be_focused()
        name.fill("Thanh niên tình nguyện")
        expect(page.locator(fid("a", "ten") + "-error")).to_have_count(0)  # answered: its message goes
        expect(name).not_to_have_attribute("aria-invalid", "true")
        page.fill(fid("a", "so"), "12")
        page.get_by_role("button", name="Tiếp tục").click()
        expect(step).to_have_text("Phần 2/3")
        expect(summary).to_have_count(0)
        _clean(page)
        # "Quay lại" and the section list never stop the unit; "Tiếp tục" asks for the answer.
        page.get_by_role("button", name="Quay lại").click()
        expect(step).to_have_text("Phần 1/3")
        page.get_by_role("button", name="Tiếp tục").click()
        page.get_by_role("button", name="Tiếp tục").click()
        expect(step).to_have_text("Phần 2/3")
        expect(summary.locator("li")).to_have_text(["Hồ sơ đầy đủ: Chọn “Có” hoặc “Không”."])
        # An answer that hides the next section: one page fewer, the check page next.
        page.check(fid("b", "du") + "-false")
        expect(step).to_have_text("Phần 2/2")
        expect(page.locator("#page-next")).to_have_text("Kiểm tra câu trả lời")
        page.check(fid("b", "du") + "-true")
        expect(step).to_have_text("Phần 2/3")
        expect(page.locator("#page-next")).to_have_text("Tiếp tục")
        page.get_by_role("button", name="Tiếp tục").click()
        expect(step).to_have_text("Phần 3/3")
        _clean(page)
        page.get_by_role("button", name="Kiểm tra câu trả lời").click()
        expect(page.locator("#check-answers dd")).to_have_text(["Thanh niên tình nguyện", "12", "Có", "—", "—"])
        _clean(page)
        # "Lưu nháp" posts the page, and the saved page comes back where the unit was.
        page.get_by_role("button", name="Sửa Kinh phí").click()
        page.fill(fid("c", "ghi_chu"), "Chưa quyết toán")
        page.get_by_role("button", name="Lưu nháp").click()
        expect(page.locator("#notice")).to_have_text("Đã lưu bản nháp. Báo cáo chưa được gửi.")
        assert "page=c" in page.url
        expect(step).to_have_text("Phần 3/3")
        expect(page.locator(fid("c", "ghi_chu"))).to_have_value("Chưa quyết toán")
        # The language link keeps the page.
        page.get_by_role("button", name="Quay lại").click()
        page.get_by_role("link", name="English").click()
        expect(step).to_have_text("Part 2 of 3")
    finally:
        made.close()


def test_a_paged_report_refused_by_the_server_opens_at_the_first_page_with_an_error(
    browser: Browser,  # noqa: F811
    admin: Client,  # noqa: F811
) -> None:
    made = _phone_without_csp(browser)
    try:
        round_ = round_of(admin, PAGED3, appearance="pages")
        page = made.new_page()
        page.goto(round_.link("ba-che"))
        page.fill(fid("a", "ten"), "Thanh niên tình nguyện")
        page.fill(fid("a", "so"), "12")
        page.get_by_role("button", name="Tiếp tục").click()
        page.locator("#toc summary").click()
        page.locator('#toc [data-toc="c"] button').click()  # past page 2, its answer not given
        page.fill(fid("c", "tien"), "-5")  # under the form's 0: only the server says so
        page.get_by_role("button", name="Kiểm tra câu trả lời").click()
        page.get_by_role("button", name="Gửi báo cáo").click()
        summary = page.locator("#error-summary")
        expect(summary).to_be_focused()
        expect(summary.locator("li")).to_have_text(
            ["Hồ sơ đầy đủ: Chọn “Có” hoặc “Không”.", "Kinh phí: Nhập một số từ 0 trở lên."]
        )
        # Not the whole form: the first page with an error (page 2, not the first page), the
        # others a tap away.
        step = page.locator("#step")
        expect(step).to_have_text("Phần 2/3")
        expect(page.locator("#s-b")).to_be_visible()
        expect(page.locator("#s-a")).to_be_hidden()
        expect(page.locator("#s-c")).to_be_hidden()
        expect(page.get_by_role("button", name="Tiếp tục")).to_be_visible()
        expect(page.get_by_role("button", name="Gửi báo cáo")).to_be_hidden()
        shot(page, "webform-phone-pages-errors.png")
        _clean(page)
        page.check(fid("b", "du") + "-true")
        # The summary's link to a field on another page opens that page, the field in sight.
        summary.get_by_role("link", name="Kinh phí").click()
        expect(step).to_have_text("Phần 3/3")
        expect(page.locator(fid("c", "tien"))).to_be_focused()
        page.fill(fid("c", "tien"), "5")
        page.get_by_role("button", name="Kiểm tra câu trả lời").click()
        expect(page.locator("#check-answers dd")).to_have_text(
            ["Thanh niên tình nguyện", "12", "Có", "5 triệu đồng", "—"]
        )
        page.get_by_role("button", name="Gửi báo cáo").click()
        page.wait_for_url("**/receipt**")
        expect(page.locator("#revision")).to_have_text("1")
    finally:
        made.close()

    # Without JavaScript, such a page shows the whole form, as it did.
    bare = browser.new_context(viewport=PHONE, java_script_enabled=False, locale="vi-VN")
    try:
        page = bare.new_page()
        page.goto(round_of(admin, PAGED3, appearance="pages").link("ba-che"))
        page.goto(page.url.split("?")[0] + "?page=check")
        page.get_by_role("button", name="Gửi báo cáo").click()
        page.wait_for_load_state()
        expect(page.locator("#error-summary")).to_contain_text("Tên chương trình: Nhập câu trả lời cho câu hỏi này.")
        for key in ("a", "b", "c"):
            expect(page.locator(f"#s-{key}")).to_be_visible()
        expect(page.locator("#step")).to_be_hidden()
        expect(page.locator("#check-answers")).to_be_hidden()
        expect(page.get_by_role("button", name="Tiếp tục")).to_be_hidden()
        expect(page.get_by_role("button", name="Gửi báo cáo")).to_be_visible()
    finally:
        bare.close()


def test_a_paged_report_changed_and_sent_again_while_it_waits_is_the_one_delivered(
    wired: tuple[BrowserContext, Wire],
    admin: Client,  # noqa: F811
) -> None:
    """A weak connection (the phone says it is online; nothing gets through): the report waits,
    the unit goes back a page, changes an answer and sends again; the try after the connection
    returns delivers the changed report, once."""
    context, wire = wired
    round_ = round_of(admin, PAGED3, appearance="pages")
    page = context.new_page()
    page.clock.install()  # the outbox's retry timer is moved on, not waited for
    page.goto(round_.link("ba-che"))
    expect(page.locator("html")).to_have_attribute("data-offline-ready", "")
    page.wait_for_function("() => caches.match(location.href).then(Boolean)")
    page.fill(fid("a", "ten"), "Thanh niên tình nguyện")
    page.fill(fid("a", "so"), "12")
    page.get_by_role("button", name="Tiếp tục").click()
    page.check(fid("b", "du") + "-true")
    page.get_by_role("button", name="Tiếp tục").click()
    page.get_by_role("button", name="Kiểm tra câu trả lời").click()
    wire.cut()
    page.get_by_role("button", name="Gửi báo cáo").click()
    outbox = page.locator("#outbox")
    expect(outbox).to_contain_text("Chưa có kết nối: báo cáo đã được giữ trên máy này")
    page.get_by_role("button", name="Sửa Chương trình công tác").click()
    page.fill(fid("a", "so"), "20")
    for _ in range(3):
        page.get_by_role("button", name=re.compile("^(Tiếp tục|Kiểm tra câu trả lời)$")).click()
    expect(page.locator("#check-answers dd")).to_have_text(["Thanh niên tình nguyện", "20", "Có", "—", "—"])
    page.get_by_role("button", name="Gửi báo cáo").click()
    expect(outbox).to_contain_text("Chưa có kết nối")
    # Both tries met the cut (the browser may try a post again on a reset connection itself).
    assert len(wire.posts("submit", forwarded=False)) >= 2
    assert wire.posts("submit", forwarded=True) == []
    assert state_of(admin, round_, "ba-che") != "submitted"

    wire.restore()
    page.clock.fast_forward(31_000)  # the outbox's next try
    page.wait_for_url("**/receipt**")
    assert len(wire.posts("submit", forwarded=True)) == 1
    stored = admin.call("GET", f"/rounds/{round_.id}/submissions/ba-che/revisions/1")
    assert stored["answers"]["a"] == {"ten": "Thanh niên tình nguyện", "so": 20}


def test_a_page_changed_while_a_background_save_is_on_its_way_loses_nothing(
    context: BrowserContext,
    admin: Client,  # noqa: F811
    base: str,  # noqa: F811
) -> None:
    """The race of a slow phone: the background save has gone out and not come back when the unit
    moves to the next page (which asks for a save: none goes while one is on its way) and answers
    there. When the save comes back, the answers given since are saved too."""
    round_ = round_of(admin, PAGED3, appearance="pages")
    page = context.new_page()
    held: list[Any] = []

    def hold_the_first_background_save(route: Any) -> None:
        if "background=1" in (route.request.post_data or "") and not held:
            held.append(route)  # answered when the test says
        else:
            route.continue_()

    page.route("**/web_form/**", hold_the_first_background_save)
    try:
        page.goto(round_.link("ba-che"))
        with page.expect_request(lambda request: "background=1" in (request.post_data or "")):
            page.fill(fid("a", "ten"), "Thanh niên tình nguyện")
        for _ in range(100):  # the route's handler runs as Playwright dispatches its events
            if held:
                break
            page.wait_for_timeout(50)
        assert held, "the background save did not reach the route"
        page.fill(fid("a", "so"), "12")
        page.get_by_role("button", name="Tiếp tục").click()
        expect(page.locator("#step")).to_have_text("Phần 2/3")
        page.check(fid("b", "du") + "-true")
        assert draft_of(base, round_, "ba-che") == {}  # the first save is still on its way

        def carries_everything(response: Any) -> bool:
            body = response.request.post_data or ""
            return "background=1" in body and "b.du=true" in body and "a.so=12" in body

        with page.expect_response(carries_everything) as saved:
            held[0].continue_()
        assert saved.value.ok
        expect(page.locator("#autosave")).to_have_text(re.compile(r"^Đã lưu lúc \d\d:\d\d$"))
        draft = draft_of(base, round_, "ba-che")
        assert (draft["a"], draft["b"]) == ({"ten": "Thanh niên tình nguyện", "so": 12}, {"du": True})
    finally:
        page.unroute("**/web_form/**")
