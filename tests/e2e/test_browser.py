"""The web form in a real browser: Debian's chromium, driven by Playwright, against the whole
local stack (``python -m checkround.devstack run`` as a process, the real emulator).

Each test opens its own round of the seed form, so the tests share one stack and one browser
and nothing else. Screenshots of the form are taken on every run; with
``CHECKROUND_SCREENSHOTS=docs`` they are also written to ``docs/webform-desktop.png`` and
``docs/webform-phone.png`` (the README shows them).
"""

from __future__ import annotations

import os
import re
import shutil
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import requests
from playwright.sync_api import Browser, Page, expect, sync_playwright

from checkround.devstack.client import Client
from checkround.devstack.seed import round_body
from checkround.formats.dates import format_date
from tests.e2e.test_local_stack import RunningStack
from tests.support import ROOT, seed_answers, seed_form, seed_round_template

pytestmark = pytest.mark.e2e

CHROMIUM = "/usr/bin/chromium"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 375, "height": 740}
SCREENSHOT_HEIGHT = 2500
FORM = seed_form()
SECTIONS = {section["key"]: section for section in FORM["sections"]}
GROUP = "chuong_trinh.cong_trinh_tieu_bieu"


# -- the stack, the browser and rounds ----------------------------------------------------------


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    assert Path(CHROMIUM).exists(), f"{CHROMIUM} is missing: scripts/setup.sh installs Debian's chromium"
    with sync_playwright() as playwright:
        # Debian's chromium, not a downloaded one; no sandbox inside a container, no GPU, and no
        # calls home that could slow a test down.
        launched = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield launched
        launched.close()


@pytest.fixture(scope="module")
def base(stack: RunningStack) -> str:
    return f"http://127.0.0.1:{stack.port}"


@pytest.fixture(scope="module")
def admin(stack: RunningStack, base: str) -> Client:
    return Client(base, (stack.local_dir / "admin-token").read_text().strip())


class Round:
    """A fresh open round of the seed form; ``link(unit)`` is that unit's form link."""

    def __init__(self, admin: Client, unit_ids: list[str], form_id: str = FORM["id"]) -> None:
        self.id = f"web-{uuid.uuid4().hex[:10]}"
        body = round_body(seed_round_template(), unit_ids, self.id, datetime.now(UTC) - timedelta(minutes=1))
        admin.call("POST", "/rounds", {**body, "form_id": form_id})
        admin.call("POST", f"/rounds/{self.id}/open")
        self.tokens = admin.call("POST", f"/rounds/{self.id}/tokens", {})["tokens"]

    def link(self, unit_id: str, lang: str | None = None) -> str:
        url: str = self.tokens[unit_id]["form_url"]
        return f"{url}&lang={lang}" if lang else url

    def token(self, unit_id: str) -> str:
        token: str = self.tokens[unit_id]["token"]
        return token


@pytest.fixture
def desktop(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport=DESKTOP, locale="vi-VN")
    yield context.new_page()
    context.close()


@pytest.fixture
def phone(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=1, locale="vi-VN")
    yield context.new_page()
    context.close()


# -- typing a unit's answers ----------------------------------------------------------------------


def fid(*parts: Any) -> str:
    return "#" + "-".join(["f", *map(str, parts)])


def typed_number(value: Any) -> str:
    """A number as a Vietnamese unit types it: 1265,5 (the page takes a decimal comma)."""
    text = str(int(value)) if float(value).is_integer() else str(value)
    return text.replace(".", ",")


def fill_field(page: Page, field: dict[str, Any], value: Any, *path: Any) -> None:
    """Type one answer into its widget, as a person would."""
    kind = field["type"]
    if kind == "checklist":
        page.check(f"{fid(*path)}-status-{value['status']}")
        page.fill(f"{fid(*path)}-score", typed_number(value["score"]))
        if value.get("note"):
            page.fill(f"{fid(*path)}-note", value["note"])
    elif kind == "repeat":
        group = page.locator(fid(*path))
        for index, row in enumerate(value):
            if group.locator(".rows > .row").count() <= index:
                group.locator(".add-row").click()
            for sub in field["fields"]:
                if sub["key"] in row:
                    fill_field(page, sub, row[sub["key"]], *path, index, sub["key"])
    elif kind in ("integer", "decimal", "rating"):
        page.fill(fid(*path), typed_number(value))
    elif kind == "date":
        page.fill(fid(*path), format_date(value))  # day first, as the page asks
    elif kind == "boolean":
        page.check(f"{fid(*path)}-{'true' if value else 'false'}")
    elif kind == "select_one":
        choose(page, fid(*path), value)
    elif kind == "select_multiple":
        for choice in value:
            page.check(f"{fid(*path)} input[value='{choice}']")
    else:
        page.fill(fid(*path), str(value))


def choose(page: Page, selector: str, value: str) -> None:
    """Pick a choice: a radio in a short list, an option of a select in a long one."""
    if page.locator(selector).evaluate("element => element.tagName") == "SELECT":
        page.select_option(selector, value)
    else:
        page.check(f"{selector} input[value='{value}']")


def fill_form(page: Page, answers: dict[str, Any]) -> None:
    for section in FORM["sections"]:
        for field in section["fields"]:
            value = answers.get(section["key"], {}).get(field["key"])
            if value is not None and field["type"] != "calculated":
                fill_field(page, field, value, section["key"], field["key"])


def assert_fits(page: Page, width: int) -> None:
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= width, f"the page is {scroll_width} px wide on a {width} px screen"


def screenshot(page: Page, name: str, tmp_path: Path) -> None:
    """The top of the form, at most SCREENSHOT_HEIGHT pixels tall, from a window that tall (so
    the sticky save/submit bar is drawn at its bottom, as a person sees it)."""
    viewport = page.viewport_size or DESKTOP
    height = min(SCREENSHOT_HEIGHT, page.evaluate("document.documentElement.scrollHeight"))
    page.set_viewport_size({"width": viewport["width"], "height": height})
    page.evaluate("window.scrollTo(0, 0)")
    shot = tmp_path / name
    page.screenshot(path=str(shot))
    page.set_viewport_size(viewport)
    assert shot.stat().st_size > 10_000  # a page, not a blank
    target = os.environ.get("CHECKROUND_SCREENSHOTS")
    if target:
        shutil.copyfile(shot, ROOT / target / name)


def submit_and_check(page: Page, admin: Client, base: str, round_: Round, unit_id: str) -> None:
    """Submit, read the receipt, and find the same answers on the board and in the store."""
    page.get_by_role("button", name="Gửi báo cáo").click()
    page.wait_for_url("**/receipt**")
    expect(page.get_by_role("heading", level=1)).to_have_text("Đã nhận báo cáo")
    expect(page.locator("#submission-id")).to_have_text(f"{unit_id}-0001")
    expect(page.locator("#revision")).to_have_text("1")
    board = {row["unit_id"]: row for row in admin.call("GET", f"/rounds/{round_.id}")["board"]}
    assert board[unit_id]["state"] == "submitted"
    assert board[unit_id]["revision"] == 1
    stored = requests.get(
        f"{base}/unit_api/rounds/{round_.id}/submission",
        headers={"Authorization": f"Bearer {round_.token(unit_id)}"},
        timeout=30,
    ).json()
    for section_key, values in seed_answers(unit_id).items():
        computed = {f["key"] for f in SECTIONS[section_key]["fields"] if f["type"] == "calculated"}
        given = {key: value for key, value in stored["answers"][section_key].items() if key not in computed}
        assert given == values, section_key  # everything typed arrived, as typed


# -- the tests ------------------------------------------------------------------------------------


def test_fill_in_the_whole_form_and_submit(desktop: Page, admin: Client, base: str, tmp_path: Path) -> None:
    round_ = Round(admin, ["tien-yen"])
    desktop.goto(round_.link("tien-yen"))
    fill_form(desktop, seed_answers("tien-yen"))
    # The totals were computed in the page as the scores were typed (8+7+7+5+8+5+5).
    expect(desktop.locator('[data-calc="chuong_trinh.diem_chuong_trinh"]')).to_have_text("45")
    screenshot(desktop, "webform-desktop.png", tmp_path)
    submit_and_check(desktop, admin, base, round_, "tien-yen")


def test_fill_in_and_submit_on_a_375_px_phone(phone: Page, admin: Client, base: str, tmp_path: Path) -> None:
    round_ = Round(admin, ["hai-quan"])
    phone.goto(round_.link("hai-quan"))
    assert_fits(phone, PHONE["width"])
    fill_form(phone, seed_answers("hai-quan"))
    assert_fits(phone, PHONE["width"])
    screenshot(phone, "webform-phone.png", tmp_path)
    key = phone.locator("#answers").get_attribute("data-draft-key")
    phone.wait_for_function("key => localStorage.getItem(key) !== null", arg=key)  # kept on the phone meanwhile
    submit_and_check(phone, admin, base, round_, "hai-quan")
    assert_fits(phone, PHONE["width"])
    # The receipt: the totals as sent, what comes next, a copy to print; the phone's copy is gone.
    totals = phone.locator("#totals tr")
    expect(totals).to_have_count(8)
    expect(totals.first).to_contain_text("Tổng điểm tự chấm mục 1")
    expect(phone.locator("#next")).to_contain_text("Đoàn kiểm tra sẽ xem xét báo cáo")
    expect(phone.locator("#next")).to_contain_text("Đơn vị vẫn có thể sửa và gửi lại đến")
    assert phone.evaluate("key => localStorage.getItem(key)", key) is None
    screenshot(phone, "webform-phone-receipt.png", tmp_path)
    phone.locator("#copy-link").click()
    expect(phone.locator("#copy-of")).to_contain_text("Bản sao lần gửi 1")
    expect(phone.get_by_text(seed_answers("hai-quan")["danh_gia"]["diem_manh"])).to_be_visible()
    assert_fits(phone, PHONE["width"])


def test_invalid_input_shows_errors_next_to_the_fields_and_keeps_values(phone: Page, admin: Client) -> None:
    round_ = Round(admin, ["cong-an"])
    phone.goto(round_.link("cong-an"))
    score = fid("chuong_trinh", "xay_dung_chuong_trinh") + "-score"
    phone.check(fid("chuong_trinh", "xay_dung_chuong_trinh") + "-status-yes")
    phone.fill(score, "80")
    phone.fill(fid("chuong_trinh", "so_cong_trinh"), "mười")
    phone.fill(fid("danh_gia", "diem_manh"), "Giữ nguyên <điều này>")
    # A number the page cannot read is flagged as it is typed, and the page is not sent.
    count = fid("chuong_trinh", "so_cong_trinh")
    phone.get_by_role("button", name="Gửi báo cáo").click()
    unread = "Hãy nhập một số nguyên, không có phần thập phân, ví dụ 2.340 hoặc 15."
    expect(phone.locator(f"{count}-error")).to_have_text(unread)
    expect(phone.locator(count)).to_be_focused()
    expect(phone.locator(count)).to_have_attribute("aria-invalid", "true")
    expect(phone.locator(score)).not_to_have_attribute("aria-invalid", "true")  # not sent: nothing judged it
    phone.fill(count, "5")
    expect(phone.locator(f"{count}-error")).to_have_count(0)
    phone.get_by_role("button", name="Gửi báo cáo").click()
    phone.wait_for_load_state()

    score_error = phone.locator(f"{score}-error")
    expect(score_error).to_have_text("Nhập điểm từ 0 đến 8.")
    expect(score_error).to_have_attribute("role", "alert")
    expect(phone.locator(score)).to_have_attribute("aria-invalid", "true")
    expect(phone.locator(score)).to_have_attribute("aria-describedby", re.compile(rf"\b{score[1:]}-error\b"))
    expect(phone.locator(score)).to_have_value("80")
    expect(phone.locator(count)).to_have_value("5")
    expect(phone.locator(fid("danh_gia", "diem_manh"))).to_have_value("Giữ nguyên <điều này>")
    # A required field left empty says so, next to it; the summary at the top links to each.
    expect(phone.locator(fid("danh_gia", "han_che") + "-error")).to_have_text("Nhập câu trả lời cho câu hỏi này.")
    summary = phone.locator("#error-summary")
    expect(summary).to_be_visible()
    summary.get_by_role("link").first.click()
    assert phone.evaluate("location.hash") == "#f-chuong_trinh-xay_dung_chuong_trinh-score"
    assert_fits(phone, PHONE["width"])

    # The same in English, from the language switch.
    phone.get_by_role("link", name="English").click()
    phone.fill(score, "9")
    phone.get_by_role("button", name="Submit").click()
    expect(phone.locator(f"{score}-error")).to_have_text("Enter a score from 0 to 8.")
    assert admin.call("GET", f"/rounds/{round_.id}")["board"][0]["state"] == "missing"


def test_relevance_rule_hides_and_shows_the_loan_figures(desktop: Page, admin: Client) -> None:
    round_ = Round(admin, ["mong-cai"])
    desktop.goto(round_.link("mong-cai"))
    manages = fid("von_vay", "co_quan_ly_von_vay")
    figures = [desktop.locator(fid("von_vay", key) + "-field") for key in ("du_no", "so_ho_vay", "no_qua_han")]
    desktop.check(f"{manages}-true")
    for figure in figures:
        expect(figure).to_be_visible()
    desktop.fill(fid("von_vay", "du_no"), "500")
    desktop.check(f"{manages}-false")
    for figure in figures:
        expect(figure).to_be_hidden()
    expect(desktop.locator(fid("von_vay", "du_no"))).to_be_disabled()  # not posted, as the server would drop it
    desktop.get_by_role("button", name="Lưu nháp").click()
    expect(desktop.locator("#notice")).to_have_text("Đã lưu bản nháp. Báo cáo chưa được gửi.")
    for figure in figures:
        expect(figure).to_be_hidden()  # drawn hidden again from the saved answer
    desktop.check(f"{manages}-true")
    for figure in figures:
        expect(figure).to_be_visible()
    expect(desktop.locator(fid("von_vay", "du_no"))).to_have_value("")  # the hidden answer was not kept


def test_calculated_total_follows_the_scores(desktop: Page, admin: Client) -> None:
    round_ = Round(admin, ["bien-phong"])
    desktop.goto(round_.link("bien-phong"))
    total = desktop.locator('[data-calc="chuong_trinh.diem_chuong_trinh"]')
    expect(total).to_have_text("0")  # no score yet: each counts 0, as the rule's default says
    desktop.fill(fid("chuong_trinh", "xay_dung_chuong_trinh") + "-score", "8")
    expect(total).to_have_text("8")
    desktop.fill(fid("chuong_trinh", "cong_tac_giao_duc") + "-score", "6,5")
    expect(total).to_have_text("14,5")
    desktop.fill(fid("chuong_trinh", "thang_thanh_nien") + "-score", "4")
    expect(total).to_have_text("18,5")
    desktop.fill(fid("chuong_trinh", "cong_tac_giao_duc") + "-score", "")
    expect(total).to_have_text("12")
    desktop.fill(fid("chuong_trinh", "thang_thanh_nien") + "-score", "bốn")
    # Not a number: no answer to the rules, as on the server (which leaves out what it cannot
    # read when it draws the totals); the field says why.
    expect(total).to_have_text("8")
    expect(desktop.locator(fid("chuong_trinh", "thang_thanh_nien") + "-score-error")).to_have_text(
        "Chưa đọc được số này. Hãy nhập một số, ví dụ 1.265,5 hoặc 2,5."
    )
    other = desktop.locator('[data-calc="phoi_hop.diem_phoi_hop"]')
    desktop.fill(fid("phoi_hop", "thuc_hien_phoi_hop") + "-score", "5")
    expect(other).to_have_text("5")


def test_repeat_items_are_added_and_removed(desktop: Page, admin: Client) -> None:
    round_ = Round(admin, ["than-quang-ninh"])
    desktop.goto(round_.link("than-quang-ninh"))
    group = desktop.locator(fid("chuong_trinh", "cong_trinh_tieu_bieu"))
    rows = group.locator(".rows > .row")
    add = group.locator(".add-row")
    expect(rows).to_have_count(1)
    add.click()
    add.click()
    expect(rows).to_have_count(3)
    expect(rows.locator(".row-n")).to_have_text(["1", "2", "3"])
    names = ["Trồng cây phủ xanh bãi thải mỏ", "Thư viện <số>", "Cải tạo nhà văn hóa"]
    for index, name in enumerate(names):
        desktop.fill(fid("chuong_trinh", "cong_trinh_tieu_bieu", index, "ten"), name)
        # Each new row's inputs are labelled by their own <label for>.
        expect(desktop.get_by_label("Tên công trình, phần việc").nth(index)).to_have_value(name)
    rows.nth(1).get_by_role("button", name="Xóa mục này").click()
    expect(rows).to_have_count(2)
    expect(rows.locator(".row-n")).to_have_text(["1", "2"])
    expect(add).to_be_focused()
    desktop.get_by_role("button", name="Lưu nháp").click()
    expect(desktop.locator("#notice")).to_be_visible()
    kept = [names[0], names[2], ""]  # saved in order, and one blank row to fill in
    expect(rows).to_have_count(len(kept))
    for index, name in enumerate(kept):
        expect(desktop.locator(fid("chuong_trinh", "cong_trinh_tieu_bieu", index, "ten"))).to_have_value(name)

    # At most 10 items: the add button goes when the group is full, and comes back.
    while rows.count() < 10:
        add.click()
    expect(add).to_be_hidden()
    rows.last.get_by_role("button", name="Xóa mục này").click()
    expect(add).to_be_visible()


def test_a_draft_survives_a_reload(desktop: Page, admin: Client) -> None:
    round_ = Round(admin, ["cong-an"])
    desktop.goto(round_.link("cong-an"))
    answers = seed_answers("cong-an")
    partial = {key: answers[key] for key in ("chuong_trinh", "chi_doan_dan_cu", "danh_gia")}
    fill_form(desktop, partial)
    desktop.get_by_role("button", name="Lưu nháp").click()
    expect(desktop.locator("#notice")).to_have_text("Đã lưu bản nháp. Báo cáo chưa được gửi.")
    desktop.reload()
    checklist = answers["chuong_trinh"]["xay_dung_chuong_trinh"]
    radio = fid("chuong_trinh", "xay_dung_chuong_trinh") + f"-status-{checklist['status']}"
    expect(desktop.locator(radio)).to_be_checked()
    expect(desktop.locator(fid("chuong_trinh", "so_cong_trinh"))).to_have_value(
        str(answers["chuong_trinh"]["so_cong_trinh"])
    )
    frequency = answers["chi_doan_dan_cu"]["tan_suat_sinh_hoat"]
    expect(
        desktop.locator(f"{fid('chi_doan_dan_cu', 'tan_suat_sinh_hoat')} input[value='{frequency}']")
    ).to_be_checked()
    for choice in answers["chi_doan_dan_cu"]["hinh_thuc_sinh_hoat"]:
        expect(
            desktop.locator(f"{fid('chi_doan_dan_cu', 'hinh_thuc_sinh_hoat')} input[value='{choice}']")
        ).to_be_checked()
    expect(desktop.locator(fid("danh_gia", "han_che"))).to_have_value(answers["danh_gia"]["han_che"])
    expect(desktop.locator(fid("danh_gia", "ngay_kiem_tra"))).to_have_value(
        format_date(answers["danh_gia"]["ngay_kiem_tra"])
    )
    assert admin.call("GET", f"/rounds/{round_.id}")["board"][0]["state"] == "draft"


def test_without_javascript_rows_are_added_by_the_server(browser: Browser, admin: Client) -> None:
    round_ = Round(admin, ["tien-yen"])
    context = browser.new_context(viewport=PHONE, java_script_enabled=False, locale="vi-VN")
    page = context.new_page()
    try:
        page.goto(round_.link("tien-yen"))
        group = page.locator(fid("chuong_trinh", "cong_trinh_tieu_bieu"))
        page.fill(fid("chuong_trinh", "cong_trinh_tieu_bieu", 0, "ten"), "Đường điện thắp sáng")
        page.fill(fid("chuong_trinh", "xay_dung_chuong_trinh") + "-score", "7")
        group.locator(".add-row").click()
        page.wait_for_load_state()
        assert page.url.endswith("#f-chuong_trinh-cong_trinh_tieu_bieu")  # back where the unit was
        expect(group.locator(".rows > .row")).to_have_count(2)
        expect(page.locator(fid("chuong_trinh", "cong_trinh_tieu_bieu", 0, "ten"))).to_have_value(
            "Đường điện thắp sáng"
        )
        # The server drew the total too.
        expect(page.locator('[data-calc="chuong_trinh.diem_chuong_trinh"]')).to_have_text("7")
        assert admin.call("GET", f"/rounds/{round_.id}")["board"][0]["state"] == "missing"  # nothing saved
        assert_fits(page, PHONE["width"])
    finally:
        context.close()


def test_a_label_with_a_script_in_it_shows_as_text(desktop: Page, admin: Client) -> None:
    hostile = '<script>window.__pwned = true</script><img src=x onerror="window.__pwned = true">'
    form_id = f"mau-{uuid.uuid4().hex[:8]}"
    definition = {
        "id": form_id,
        "title": {"vi": f"Mẫu thử {hostile}"},
        "sections": [
            {
                "key": "a",
                "title": {"vi": f"Phần {hostile}"},
                "fields": [
                    {"key": "ten", "type": "text", "label": {"vi": f"Tên {hostile}"}, "hint": {"vi": hostile}},
                    {
                        "key": "chon",
                        "type": "select_one",
                        "label": {"vi": "Chọn"},
                        "choices": [{"value": "x", "label": {"vi": f"X {hostile}"}}],
                        "relevant": {"!=": [{"var": ["a.ten", ""]}, "</script><script>window.__pwned = true</script>"]},
                    },
                ],
            }
        ],
    }
    admin.call("POST", "/forms", definition)
    admin.call("POST", f"/forms/{form_id}/versions")
    round_ = Round(admin, ["ba-che"], form_id=form_id)
    desktop.goto(round_.link("ba-che"))
    expect(desktop.get_by_text(f"Tên {hostile}")).to_be_visible()
    expect(desktop.locator("h1")).to_have_text(f"Mẫu thử {hostile}")
    expect(desktop.locator(fid("a", "chon"))).to_contain_text(f"X {hostile}")
    desktop.fill(fid("a", "ten"), "</script><script>window.__pwned = true</script>")
    expect(desktop.locator(fid("a", "chon") + "-field")).to_be_hidden()  # the rule still ran, as data
    assert desktop.evaluate("typeof window.__pwned") == "undefined"
    assert desktop.locator("img").count() == 0


def test_the_link_becomes_an_http_only_cookie_and_posts_need_the_csrf_token(desktop: Page, admin: Client) -> None:
    round_ = Round(admin, ["ba-che"])
    desktop.goto(round_.link("ba-che"))
    assert "t=" not in desktop.url
    assert desktop.url.endswith(f"/web_form/r/{round_.id}")
    (cookie,) = [c for c in desktop.context.cookies() if c["name"] == f"checkround_{round_.id}"]
    assert cookie["httpOnly"] is True
    assert cookie["sameSite"] == "Lax"
    assert cookie["path"] == "/web_form/r"
    assert desktop.evaluate("document.cookie") == ""  # no script can read it
    data = {"action": "draft", "chuong_trinh.so_cong_trinh": "3"}
    refused = desktop.request.post(desktop.url, form=data, max_redirects=0)
    assert refused.status == 403
    assert "Chưa gửi được" in refused.text()
    csrf = desktop.locator("input[name=csrf]").input_value()
    accepted = desktop.request.post(desktop.url, form={**data, "csrf": csrf}, max_redirects=0)
    assert accepted.status == 303
    assert admin.call("GET", f"/rounds/{round_.id}")["board"][0]["state"] == "draft"


def test_a_wrong_link_gets_a_clear_page(desktop: Page, admin: Client) -> None:
    round_ = Round(admin, ["ba-che"])
    wrong = round_.link("ba-che").split("?t=")[0] + "?t=mot-duong-dan-sai"
    response = desktop.goto(wrong)
    assert response is not None
    assert response.status == 401
    expect(desktop.get_by_role("heading", level=1)).to_have_text("Không mở được biểu mẫu")
    expect(desktop.get_by_role("alert")).to_have_text("Thiếu hoặc sai mã truy cập.")
    assert "Traceback" not in desktop.content()
    # Someone else's round with this unit's link: refused, and said so.
    other = Round(admin, ["cong-an"])
    response = desktop.goto(other.link("cong-an").split("?t=")[0] + "?t=" + round_.link("ba-che").split("?t=")[1])
    assert response is not None
    assert response.status == 403
    expect(desktop.get_by_text("Đường dẫn này dành cho một đợt kiểm tra hoặc một đơn vị khác.")).to_be_visible()


# -- numbers and dates as each language writes them ------------------------------------------------

VALUE = fid("chuong_trinh", "gia_tri_cong_trinh")  # a decimal field (million VND)
COUNT = fid("chuong_trinh", "so_luot_tham_gia")  # a whole-number field


def draft_of(base: str, round_: Round, unit_id: str) -> dict[str, Any]:
    form = requests.get(
        f"{base}/unit_api/rounds/{round_.id}/form",
        headers={"Authorization": f"Bearer {round_.token(unit_id)}"},
        timeout=30,
    ).json()
    draft: dict[str, Any] = form["draft"] or {}
    return draft


def test_numbers_are_read_as_vietnamese_writes_them_and_ambiguous_ones_refused_on_a_phone(
    phone: Page, admin: Client, base: str, tmp_path: Path
) -> None:
    round_ = Round(admin, ["hai-quan"])
    phone.goto(round_.link("hai-quan"))
    # Phones show a keypad: digits only for a whole number, with a decimal mark for a decimal.
    expect(phone.locator(COUNT)).to_have_attribute("inputmode", "numeric")
    expect(phone.locator(VALUE)).to_have_attribute("inputmode", "decimal")
    expect(phone.locator(VALUE)).to_have_attribute("type", "text")

    phone.locator(COUNT).press_sequentially("2.340")
    expect(phone.locator(f"{COUNT}-echo")).to_have_text("= 2.340")
    phone.locator(VALUE).press_sequentially("1.265,5")
    expect(phone.locator(f"{VALUE}-echo")).to_have_text("= 1.265,5")
    phone.fill(VALUE, "12.5")  # a keypad with only "." still gives 12,5
    expect(phone.locator(f"{VALUE}-echo")).to_have_text("= 12,5")

    phone.fill(VALUE, "1.265")  # 1265, or 1,265 written the English way?
    error = phone.locator(f"{VALUE}-error")
    expect(error).to_have_text("Chưa rõ “1.265” là 1265 hay 1,265: hãy nhập lại đúng số cần ghi, 1265 hoặc 1,265.")
    expect(error).to_have_attribute("role", "alert")
    expect(phone.locator(VALUE)).to_have_attribute("aria-invalid", "true")
    expect(phone.locator(f"{VALUE}-echo")).to_be_hidden()
    assert_fits(phone, PHONE["width"])
    phone.locator(f"{COUNT}-field").scroll_into_view_if_needed()
    shot = tmp_path / "webform-numbers-phone.png"
    phone.locator(fid("chuong_trinh", "so_cong_trinh") + "-field").evaluate("e => e.scrollIntoView()")
    phone.screenshot(path=str(shot))
    if os.environ.get("CHECKROUND_SCREENSHOTS"):
        shutil.copyfile(shot, ROOT / os.environ["CHECKROUND_SCREENSHOTS"] / shot.name)

    # Not sent while a number reads two ways; sent once it says which.
    phone.get_by_role("button", name="Lưu nháp").click()
    expect(phone.locator(VALUE)).to_be_focused()
    assert draft_of(base, round_, "hai-quan") == {}
    phone.fill(VALUE, "1.265,0")
    expect(error).to_have_count(0)
    expect(phone.locator(f"{VALUE}-echo")).to_have_text("= 1.265")
    phone.get_by_role("button", name="Lưu nháp").click()
    phone.wait_for_url("**saved=draft**")
    saved = draft_of(base, round_, "hai-quan")["chuong_trinh"]
    assert (saved["gia_tri_cong_trinh"], saved["so_luot_tham_gia"]) == (1265, 2340)
    expect(phone.locator(VALUE)).to_have_value("1265")  # shown as it reads back
    expect(phone.locator(COUNT)).to_have_value("2340")


def test_numbers_are_read_as_english_writes_them_on_a_phone(phone: Page, admin: Client, base: str) -> None:
    round_ = Round(admin, ["mong-cai"])
    phone.goto(round_.link("mong-cai", "en"))
    phone.locator(VALUE).press_sequentially("1,265.5")
    expect(phone.locator(f"{VALUE}-echo")).to_have_text("= 1,265.5")
    phone.fill(COUNT, "2,340")
    expect(phone.locator(f"{COUNT}-echo")).to_have_text("= 2,340")
    phone.fill(VALUE, "1,265")
    expect(phone.locator(f"{VALUE}-error")).to_have_text(
        "“1,265” could be 1265 or 1.265: type the number you mean again, as 1265 or 1.265."
    )
    assert_fits(phone, PHONE["width"])
    phone.fill(VALUE, "1.265")  # the decimal point of English settles it
    expect(phone.locator(f"{VALUE}-echo")).to_have_text("= 1.265")
    phone.get_by_role("button", name="Save draft").click()
    phone.wait_for_url("**saved=draft**")
    saved = draft_of(base, round_, "mong-cai")["chuong_trinh"]
    assert (saved["gia_tri_cong_trinh"], saved["so_luot_tham_gia"]) == (1.265, 2340)


def test_without_javascript_an_ambiguous_number_is_refused_by_the_server(
    browser: Browser, admin: Client, base: str
) -> None:
    round_ = Round(admin, ["tien-yen"])
    context = browser.new_context(viewport=PHONE, java_script_enabled=False, locale="vi-VN")
    page = context.new_page()
    try:
        page.goto(round_.link("tien-yen"))
        page.fill(VALUE, "1.265")
        page.fill(COUNT, "2.340")
        page.get_by_role("button", name="Lưu nháp").first.click()
        expect(page.locator(f"{VALUE}-error")).to_have_text(
            "Chưa rõ “1.265” là 1265 hay 1,265: hãy nhập lại đúng số cần ghi, 1265 hoặc 1,265."
        )
        expect(page.locator(VALUE)).to_have_value("1.265")
        assert draft_of(base, round_, "tien-yen") == {}
    finally:
        context.close()


def test_a_date_is_typed_or_picked_day_first_and_its_limits_are_named(phone: Page, admin: Client, base: str) -> None:
    round_ = Round(admin, ["cong-an"])
    phone.goto(round_.link("cong-an"))
    day = fid("danh_gia", "ngay_kiem_tra")
    expect(phone.locator(day)).to_have_attribute("placeholder", "ngày/tháng/năm")
    # The phone's picker (opened by the button) writes the day it gives back day first.
    expect(phone.locator(f"{day}-field .pick-date")).to_have_text("Chọn ngày")
    phone.locator(f"{day}-field .date-picker").evaluate(
        "p => { p.value = '2019-06-14'; p.dispatchEvent(new Event('change', {bubbles: true})); }"
    )
    expect(phone.locator(day)).to_have_value("14/06/2019")
    phone.fill(day, "21/06/2019")
    phone.get_by_role("button", name="Lưu nháp").click()
    expect(phone.locator(f"{day}-error")).to_have_text("Hãy chọn một ngày từ 12/06/2019 đến 20/06/2019.")
    expect(phone.locator(day)).to_have_value("21/06/2019")
    assert_fits(phone, PHONE["width"])
    phone.fill(day, "20/6/2019")
    phone.get_by_role("button", name="Lưu nháp").click()
    phone.wait_for_url("**saved=draft**")
    assert draft_of(base, round_, "cong-an")["danh_gia"]["ngay_kiem_tra"] == "2019-06-20"
    expect(phone.locator(day)).to_have_value("20/06/2019")


def test_a_save_posted_while_a_background_save_is_on_its_way_shows_the_page_as_the_server_read_it(
    phone: Page, admin: Client, base: str
) -> None:
    # The race a slow phone meets: the background save has gone out but not come back when the
    # unit presses "Lưu nháp". The posted form carried everything, so the saved page is the
    # server's (the date written back day-first, two digits each), not the phone's copy of it.
    round_ = Round(admin, ["cong-an"])
    held: list[Any] = []

    def hold_background_saves(route: Any) -> None:
        if "background=1" in (route.request.post_data or ""):
            held.append(route)  # never answered: the save stays on its way
        else:
            route.continue_()

    phone.route("**/web_form/**", hold_background_saves)
    try:
        phone.goto(round_.link("cong-an"))
        day = fid("danh_gia", "ngay_kiem_tra")
        with phone.expect_request(lambda request: "background=1" in (request.post_data or "")):
            phone.fill(day, "20/6/2019")
        for _ in range(100):  # the route's handler runs as Playwright dispatches its events
            if held:
                break
            phone.wait_for_timeout(50)
        assert held, "the background save did not reach the route"
        phone.get_by_role("button", name="Lưu nháp").click()
        phone.wait_for_url("**saved=draft**")
        assert draft_of(base, round_, "cong-an")["danh_gia"]["ngay_kiem_tra"] == "2019-06-20"
        expect(phone.locator(day)).to_have_value("20/06/2019")
        expect(phone.locator("#restored")).to_be_hidden()
    finally:
        phone.unroute("**/web_form/**")


def test_a_number_kept_through_the_language_switch_is_read_again_and_never_changes_value(
    phone: Page, admin: Client
) -> None:
    round_ = Round(admin, ["bien-phong"])
    phone.goto(round_.link("bien-phong"))
    phone.fill(VALUE, "1,265")  # a decimal comma in Vietnamese: 1,265
    expect(phone.locator(f"{VALUE}-echo")).to_have_text("= 1,265")
    phone.fill(COUNT, "2.340")
    phone.get_by_role("link", name="English").click()
    expect(phone.get_by_role("button", name="Submit")).to_be_visible()
    # The page put back what was typed: in English "1,265" reads two ways, so it is flagged
    # rather than taken as 1265; "2.340" is still 2,340.
    expect(phone.locator(VALUE)).to_have_value("1,265")
    expect(phone.locator(f"{VALUE}-error")).to_have_text(
        "“1,265” could be 1265 or 1.265: type the number you mean again, as 1265 or 1.265."
    )
    expect(phone.locator(f"{COUNT}-echo")).to_have_text("= 2,340")


def test_another_units_link_asks_first_on_a_phone_without_javascript(
    browser: Browser, admin: Client, tmp_path: Path
) -> None:
    round_ = Round(admin, ["ba-che", "tien-yen"])
    context = browser.new_context(viewport=PHONE, java_script_enabled=False, locale="vi-VN")
    page = context.new_page()
    try:
        page.goto(round_.link("ba-che"))
        expect(page.get_by_text("BTV Huyện Đoàn Ba Chẽ").first).to_be_visible()
        page.goto(round_.link("tien-yen"))  # e.g. a link on another site
        assert page.url.endswith(f"/web_form/r/{round_.id}?switch=1")
        expect(page.get_by_role("heading", level=1)).to_have_text("Chuyển sang đơn vị khác?")
        assert_fits(page, PHONE["width"])
        page.screenshot(path=str(tmp_path / "switch-phone.png"), full_page=True)
        target = os.environ.get("CHECKROUND_SCREENSHOTS")
        if target:
            shutil.copyfile(tmp_path / "switch-phone.png", ROOT / target / "webform-switch-phone.png")
        page.get_by_role("button", name="Ở lại với BTV Huyện Đoàn Ba Chẽ").click()
        page.wait_for_load_state()
        expect(page.get_by_text("BTV Huyện Đoàn Ba Chẽ").first).to_be_visible()
        page.goto(round_.link("tien-yen"))
        page.get_by_role("button", name="Chuyển sang BTV Huyện Đoàn Tiên Yên").click()
        page.wait_for_load_state()
        assert page.url.endswith(f"/web_form/r/{round_.id}?lang=vi")
        expect(page.get_by_text("BTV Huyện Đoàn Tiên Yên").first).to_be_visible()
        assert page.get_by_text("BTV Huyện Đoàn Ba Chẽ").count() == 0
    finally:
        context.close()


def test_the_page_and_the_server_read_blank_and_spaced_answers_alike(
    browser: Browser, admin: Client, base: str
) -> None:
    """Issue 17, the one rule for the rules' data: a draft saved through the API with text of
    spaces, text with spaces around it and an ISO date is read the same by the page's script
    (chromium) and by the server (the page drawn without JavaScript): blank text is unanswered
    (``missing``), " a " is "a", and the date typed 14/6/2019 is 2019-06-14. Before, the server
    counted 111 here and the page 1001."""
    form_id = f"mot-luat-{uuid.uuid4().hex[:8]}"

    def label(text: str) -> dict[str, str]:
        return {"vi": text, "en": text}

    counted = {
        "+": [
            {"if": [{"missing": ["s.ten"]}, 0, 1]},
            {"if": [{"missing": ["s.ghi"]}, 0, 10]},
            {"if": [{"==": [{"var": ["s.ngay", ""]}, "2019-06-14"]}, 100, 0]},
            {"if": [{"==": [{"var": ["s.ten", ""]}, "a"]}, 1000, 0]},
        ]
    }
    fields = [
        {"key": "ten", "type": "text", "label": label("Tên")},
        {"key": "ghi", "type": "textarea", "label": label("Ghi chú")},
        {"key": "ngay", "type": "date", "label": label("Ngày")},
        {"key": "khi_trong", "type": "text", "label": label("Khi chưa ghi chú"), "relevant": {"missing": ["s.ghi"]}},
        {"key": "dem", "type": "calculated", "label": label("Đếm"), "calculate": counted},
    ]
    definition = {
        "id": form_id,
        "title": label("Một luật"),
        "sections": [{"key": "s", "title": label("Phần"), "fields": fields}],
    }
    admin.call("POST", "/forms", definition)
    admin.call("POST", f"/forms/{form_id}/versions")
    # One unit for each way of reading (the page's script saves what is typed in the background).
    units = {False: "tien-yen", True: "ba-che"}
    round_ = Round(admin, list(units.values()), form_id=form_id)
    for unit in units.values():
        saved = requests.put(
            f"{base}/unit_api/rounds/{round_.id}/draft",
            json={"answers": {"s": {"ten": " a ", "ghi": "   ", "ngay": "2019-06-14"}}},
            headers={"Authorization": f"Bearer {round_.token(unit)}"},
            timeout=30,
        )
        assert saved.status_code == 200, saved.text
    total = '[data-calc="s.dem"]'
    for scripted in (False, True):
        context = browser.new_context(viewport=DESKTOP, java_script_enabled=scripted, locale="vi-VN")
        page = context.new_page()
        try:
            page.goto(round_.link(units[scripted]))
            expect(page.locator(total)).to_have_text("1.101")
            expect(page.locator('[data-path="s.khi_trong"]')).to_be_visible()
            expect(page.locator('[data-path="s.khi_trong"] .off-note')).to_have_count(0)
            page.fill(fid("s", "ghi"), "x")
            page.fill(fid("s", "ngay"), "14/6/2019")
            if scripted:
                expect(page.locator('[data-path="s.khi_trong"]')).to_be_hidden()
            else:
                page.get_by_role("button", name="Lưu nháp").first.click()
                page.wait_for_load_state()
                expect(page.locator('[data-path="s.khi_trong"] .off-note')).to_have_count(1)
            expect(page.locator(total)).to_have_text("1.111")
        finally:
            context.close()
