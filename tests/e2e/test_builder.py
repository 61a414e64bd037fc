"""The form builder in a real browser (Debian's chromium) against the whole local stack.

An admin builds a form from nothing (two sections, a checklist item with a score, a choice
field with its choices, a repeat group, a rule that shows a field, a calculated total), watches
the preview follow, fixes the error the page points to, publishes, and starts a round with it;
a unit then submits it through the web form. Two admins editing one draft: the second sees the
conflict and loses nothing. At 1280 px, and the editor at 375 px; axe-core on the pages.
Screenshots go to docs/ with ``CHECKROUND_SCREENSHOTS=docs``."""

from __future__ import annotations

import os
import shutil
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import requests
from playwright.sync_api import Browser, Page, expect

from checkround.devstack.client import Client
from checkround.formats.dates import format_date
from tests.e2e.console_fixtures import *  # noqa: F403
from tests.e2e.console_fixtures import (
    DESKTOP,
    PHONE,
    assert_fits,
    console_axe,
    console_context,
    console_url,
    described,
    screenshot,
    sign_in,
)
from tests.e2e.test_local_stack import RunningStack
from tests.support import ROOT, small_form

pytestmark = pytest.mark.e2e


def field(path: str) -> str:
    """The editor's element id of a definition path."""
    return "#e-" + path.replace(".", "-")


def add_field(page: Page, section: int, kind: str) -> str:
    """Add a field of ``kind`` at the end of a section; its path (the page comes back to it)."""
    count = page.locator(f"{field(f'sections.{section}.fields')} > details").count()
    page.select_option(f"{field(f'sections.{section}')}-new-type", kind)
    page.click(f'button[value="add_field:sections.{section}"]')
    path = f"sections.{section}.fields.{count}"
    expect(page.locator(field(path))).to_have_attribute("open", "")
    return path


def test_build_a_form_from_nothing_publish_it_and_a_unit_submits_it(
    console_desktop: Page, admin: Client, base: str, browser: Browser, tmp_path: Path
) -> None:
    page = console_desktop
    form_id = f"mau-{uuid.uuid4().hex[:6]}"
    page.goto(console_url(base, "forms"))
    page.fill("#new-id", form_id)
    page.fill("#new-title", "Phiếu kiểm tra thử")
    page.get_by_role("button", name="Tạo biểu mẫu").click()
    page.wait_for_url(f"**/forms/{form_id}/edit**")

    # Section 1: the starter question becomes the unit's name; a checklist item with a score;
    # a choice with its choices; a number shown only when "Có" is chosen.
    page.fill(field("sections.0.title.vi"), "Kết quả công tác")
    page.fill(field("sections.0.fields.0.label.vi"), "Người báo cáo")
    checklist = add_field(page, 0, "checklist")
    page.fill(field(f"{checklist}.key"), "xay_dung")
    page.fill(field(f"{checklist}.label.vi"), "Xây dựng chương trình")
    page.fill(field(f"{checklist}.max_score"), "10")
    choice = add_field(page, 0, "select_one")
    page.fill(field(f"{choice}.key"), "co_hoat_dong")
    page.fill(field(f"{choice}.label.vi"), "Có tổ chức hoạt động tình nguyện?")
    page.fill(field(f"{choice}.choices.0.value"), "co")
    page.fill(field(f"{choice}.choices.0.label.vi"), "Có")
    page.fill(field(f"{choice}.choices.1.value"), "khong")
    page.fill(field(f"{choice}.choices.1.label.vi"), "Không")
    number = add_field(page, 0, "integer")
    page.fill(field(f"{number}.key"), "so_hoat_dong")
    page.fill(field(f"{number}.label.vi"), "Số hoạt động")
    page.locator(field(number)).locator("details.b-more > summary").click()  # its rules, folded
    page.click(f'button[value="add_cond:{number}.relevant"]')
    page.select_option(f"{field(f'{number}.relevant.c.0')}-field", "phan_1.co_hoat_dong")
    page.select_option(f"{field(f'{number}.relevant.c.0')}-op", "==")
    # The value offers that field's choices.
    expect(page.locator(f"{field(f'{number}.relevant.c.0')}-value")).to_have_attribute(
        "list", "choices-phan_1-co_hoat_dong"
    )
    page.fill(f"{field(f'{number}.relevant.c.0')}-value", "co")

    # Section 2: a repeat group of projects and the section's total.
    page.click('button[value="add_section"]')
    expect(page.locator(field("sections.1"))).to_be_visible()
    page.fill(field("sections.1.title.vi"), "Công trình và tổng điểm")
    page.fill(field("sections.1.fields.0.label.vi"), "Ghi chú")
    repeat = add_field(page, 1, "repeat")
    page.fill(field(f"{repeat}.key"), "cong_trinh")
    page.fill(field(f"{repeat}.label.vi"), "Công trình thanh niên")
    page.fill(field(f"{repeat}.fields.0.label.vi"), "Tên công trình")
    total = add_field(page, 1, "calculated")
    page.fill(field(f"{total}.key"), "tong_diem")
    page.fill(field(f"{total}.label.vi"), "Tổng điểm")

    # The repeat group is dragged above the note by its handle: the order the server reads.
    for path in ("sections.1.fields.0", repeat):
        page.locator(f"{field(path)} > summary .b-field-title").click()  # folded, as on a long form
    handle = page.locator(f"{field(repeat)} > summary .drag").bounding_box()
    above = page.locator(f"{field('sections.1.fields.0')} > summary").bounding_box()
    assert handle is not None
    assert above is not None
    page.mouse.move(handle["x"] + handle["width"] / 2, handle["y"] + handle["height"] / 2)
    page.mouse.down()
    page.mouse.move(above["x"] + 60, above["y"] + 4, steps=20)
    page.mouse.up()
    expect(page.locator(f"{field(repeat)} > input.pos")).to_have_value("0")
    expect(page.locator(f"{field('sections.1.fields.0')} > input.pos")).to_have_value("1")

    # Saved with the total still lacking its calculation: refused, the page says where.
    page.click("#save-button")
    expect(page.locator(field("sections.1.fields.0.key"))).to_have_value("cong_trinh")
    summary = page.locator("#error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_contain_text("Tổng điểm")
    summary.get_by_role("link").filter(has_text="Tổng điểm").first.click()
    expect(page.locator(f"{field(total)} .error").first).to_contain_text("Trường tính toán cần một quy tắc tính")
    page.get_by_label("Xây dựng chương trình (điểm)").check()
    # The words under the number's rule say what it does.
    expect(page.locator(field(f"{number}.relevant"))).to_contain_text(
        "hiện khi Có tổ chức hoạt động tình nguyện? là “Có”"
    )

    # The preview follows: the number appears when "Có" is chosen, the total adds the score.
    page.click("#preview-button")
    preview = page.frame_locator("#preview")
    expect(preview.locator("h1")).to_have_text("Phiếu kiểm tra thử")
    number_field = preview.locator("#f-phan_1-so_hoat_dong-field")
    expect(number_field).to_be_hidden()
    preview.locator("#f-phan_1-co_hoat_dong-0").check()
    expect(number_field).to_be_visible()
    preview.locator("#f-phan_1-xay_dung-score").fill("7")
    expect(preview.locator('[data-calc="phan_2.tong_diem"]')).to_have_text("7")
    screenshot(page, "builder-desktop.png", tmp_path)

    page.click("#save-button")
    expect(page.locator("#notice")).to_have_text("Đã lưu bản nháp.")
    found = console_axe(page)
    assert not found, described(found)

    # Publish: the page says what publishing means, then asks.
    page.click("#publish-link")
    expect(page.locator("h1")).to_contain_text("Công bố phiên bản 1")
    assert not (found := console_axe(page)), described(found)
    page.click("#publish-button")
    expect(page.locator("#notice")).to_have_text("Đã công bố phiên bản 1.")
    assert not (found := console_axe(page)), described(found)
    page.click("#start-round")
    assert not (found := console_axe(page)), described(found)
    round_id = f"dot-{uuid.uuid4().hex[:6]}"
    today = datetime.now(UTC).date()
    page.fill("#round-id", round_id)
    page.fill("#round-title", "Đợt kiểm tra thử")
    page.fill("#round-opens-at", format_date(today - timedelta(days=1)))
    page.fill("#round-closes-at", format_date(today + timedelta(days=7)))
    page.click("#create-round")
    page.wait_for_url(f"**/rounds/{round_id}**")
    stored = admin.call("GET", f"/rounds/{round_id}")
    assert stored["status"] == "open"
    assert stored["form_id"] == form_id

    # A unit answers the published form in the web form.
    tokens = admin.call("POST", f"/rounds/{round_id}/tokens", {"unit_ids": ["tien-yen"]})["tokens"]
    unit = browser.new_context(viewport={"width": 1280, "height": 900}, locale="vi-VN").new_page()
    unit.goto(tokens["tien-yen"]["form_url"])
    unit.fill("#f-phan_1-cau_1", "Nguyễn Văn A")
    unit.check("#f-phan_1-xay_dung-status-yes")
    unit.fill("#f-phan_1-xay_dung-score", "8")
    unit.check("#f-phan_1-co_hoat_dong-0")
    unit.fill("#f-phan_1-so_hoat_dong", "3")
    unit.get_by_role("button", name="Gửi báo cáo").click()
    unit.wait_for_url("**/receipt**")
    got = requests.get(
        f"{base}/unit_api/rounds/{round_id}/submission",
        headers={"Authorization": f"Bearer {tokens['tien-yen']['token']}"},
        timeout=30,
    ).json()["answers"]
    assert got["phan_1"]["so_hoat_dong"] == 3
    assert got["phan_2"]["tong_diem"] == 8
    unit.context.close()


def test_two_admins_edit_one_draft_the_second_sees_the_conflict_and_loses_nothing(
    browser: Browser, stack: RunningStack, admin: Client, base: str, tmp_path: Path
) -> None:
    form = small_form(id=f"mau-{uuid.uuid4().hex[:6]}")
    admin.call("POST", "/forms", form)
    pages = []
    for _ in range(2):
        context = console_context(browser, "desktop", axe=True)
        page = context.new_page()
        sign_in(page, base, (stack.local_dir / "admin-token").read_text().strip())
        page.goto(console_url(base, f"forms/{form['id']}/edit"))
        pages.append(page)
    first, second = pages
    choices = "sections.0.fields.6.choices"  # a.tan_suat: thang, quy
    # The first admin raises a.so's maximum, and in a.tan_suat adds a choice, relabels "quy" and
    # gives "thang" a new English label.
    first.fill(field("sections.0.fields.2.max"), "50")
    first.click('button[value="add_choice:sections.0.fields.6"]')
    first.fill(field(f"{choices}.2.value"), "tuan")
    first.fill(field(f"{choices}.2.label.vi"), "Hằng tuần")
    first.fill(field(f"{choices}.1.label.vi"), "Mỗi quý")
    first.fill(field(f"{choices}.0.label.en"), "Every month")
    first.click("#save-button")
    expect(first.locator("#notice")).to_have_text("Đã lưu bản nháp.")
    # The second, on the draft they opened before, changes b.ten, relabels "quy" too (a real
    # conflict) and "thang" in Vietnamese (the other language: both kept).
    second.fill(field("sections.1.fields.0.max_length"), "30")
    second.fill(field(f"{choices}.1.label.vi"), "Quý một lần")
    second.fill(field(f"{choices}.0.label.vi"), "Mỗi tháng")
    second.click("#save-button")
    conflict = second.locator("#conflict")
    expect(conflict).to_be_visible()
    expect(conflict).to_contain_text("Sửa Số lượng (a.so): Lớn nhất")
    expect(conflict).to_contain_text("Thêm lựa chọn “tuan” ở Tần suất (a.tan_suat)")
    # The second admin's edits are still in the page, with the first's applied under them.
    expect(second.locator(field("sections.1.fields.0.max_length"))).to_have_value("30")
    expect(second.locator(field("sections.0.fields.2.max"))).to_have_value("50")
    expect(second.locator(field(f"{choices}.0.label.vi"))).to_have_value("Mỗi tháng")
    expect(second.locator(field(f"{choices}.0.label.en"))).to_have_value("Every month")
    expect(second.locator(field(f"{choices}.2.value"))).to_have_value("tuan")
    # The one part both changed is shown at that choice, with both labels; theirs is in the box.
    expect(second.locator(field(f"{choices}.1.label.vi"))).to_have_value("Quý một lần")
    note = second.locator(field(f"{choices}.1") + "-clash")
    expect(note).to_contain_text("“Mỗi quý”")
    expect(note).to_contain_text("“Quý một lần”")
    expect(second.locator(".b-clash")).to_have_count(1)
    found = console_axe(second)
    assert not found, described(found)
    screenshot(second, "builder-conflict.png", tmp_path)
    conflict.get_by_role("link", name="Tần suất").click()
    expect(note).to_be_in_viewport()
    shot(second, "builder-conflict-choices.png", tmp_path)
    second.set_viewport_size(PHONE)
    assert_fits(second, PHONE["width"])
    note.scroll_into_view_if_needed()
    shot(second, "builder-conflict-choices-phone.png", tmp_path)
    second.set_viewport_size(DESKTOP)
    # The note offers their label in one tap; the admin takes it, and saves.
    note.get_by_role("button", name="Dùng bản của họ").click()
    expect(second.locator(field(f"{choices}.1.label.vi"))).to_have_value("Mỗi quý")
    second.click("#save-button")
    expect(second.locator("#notice")).to_have_text("Đã lưu bản nháp.")
    draft = admin.call("GET", f"/forms/{form['id']}")["draft"]
    assert draft["sections"][0]["fields"][2]["max"] == 50
    assert draft["sections"][1]["fields"][0]["max_length"] == 30
    assert draft["sections"][0]["fields"][6]["choices"] == [
        {"value": "thang", "label": {"vi": "Mỗi tháng", "en": "Every month"}},
        {"value": "quy", "label": {"vi": "Mỗi quý", "en": "Quarterly"}},
        {"value": "tuan", "label": {"vi": "Hằng tuần"}},
    ]
    for page in pages:
        page.context.close()


def shot(page: Page, name: str, tmp_path: Path) -> None:
    """What the window shows where it is scrolled (the part a link led to), into docs/ too with
    ``CHECKROUND_SCREENSHOTS=docs``."""
    path = tmp_path / name
    page.screenshot(path=str(path))
    assert path.stat().st_size > 10_000
    target = os.environ.get("CHECKROUND_SCREENSHOTS")
    if target:
        shutil.copyfile(path, Path(__file__).resolve().parents[2] / target / name)


def test_the_editor_and_the_forms_list_on_a_375_px_phone(
    console_phone: Page, admin: Client, base: str, tmp_path: Path
) -> None:
    page = console_phone
    page.goto(console_url(base, "forms"))
    assert_fits(page, PHONE["width"])
    found = console_axe(page)
    assert not found, described(found)
    page.goto(console_url(base, "forms/kiem-tra-6-thang-2019/edit"))
    assert_fits(page, PHONE["width"])
    # A field opens, is edited and moved with its buttons, all within the screen.
    details = page.locator(field("sections.0.fields.1"))
    details.locator(":scope > summary").click()
    page.fill(field("sections.0.fields.1.hint.vi"), "Gợi ý mới")
    details.get_by_role("button", name="↑ Lên").click()
    expect(page.locator(field("sections.0.fields.0.hint.vi"))).to_have_value("Gợi ý mới")
    assert_fits(page, PHONE["width"])
    found = console_axe(page)
    assert not found, described(found)
    screenshot(page, "builder-phone.png", tmp_path)


def test_a_long_choice_list_gets_a_search_box_in_the_form(console_desktop: Page, admin: Client, base: str) -> None:
    form_id = f"mau-{uuid.uuid4().hex[:6]}"
    places = ["Hà Nội", "Hải Phòng", "Quảng Ninh", "Lạng Sơn", "Bắc Giang", "Thái Nguyên", "Đà Nẵng"]
    choices = [{"value": f"p{n}", "label": {"vi": name}} for n, name in enumerate(places)]
    field_def = {"key": "noi", "type": "select_multiple", "label": {"vi": "Nơi đã đến"}, "choices": choices}
    admin.call(
        "POST",
        "/forms",
        {
            "id": form_id,
            "title": {"vi": "Danh sách dài"},
            "sections": [{"key": "a", "title": {"vi": "A"}, "fields": [field_def]}],
        },
    )
    # The preview is the unit's page: the same widgets and scripts.
    page = console_desktop
    page.goto(console_url(base, f"forms/{form_id}/preview"))
    page.check("#f-a-noi-6")  # Đà Nẵng, ticked before searching
    search = page.get_by_label("Tìm trong danh sách")
    search.fill("ha noi")
    expect(page.get_by_text("Hà Nội")).to_be_visible()
    expect(page.get_by_text("Hải Phòng")).to_be_hidden()
    expect(page.get_by_text("Đà Nẵng")).to_be_visible()  # a ticked choice stays in sight
    search.fill("")
    expect(page.get_by_text("Hải Phòng")).to_be_visible()


def in_view(page: Page, selector: str, name: str, tmp_path: Path) -> None:
    """A screenshot of the window with ``selector`` at its top (the editor's rules are far down
    a page, where :func:`screenshot`, the page's top, does not reach)."""
    page.locator(selector).evaluate("element => element.scrollIntoView({block: 'start'})")
    shot = tmp_path / name
    page.screenshot(path=str(shot))
    assert shot.stat().st_size > 10_000  # a page, not a blank
    if target := os.environ.get("CHECKROUND_SCREENSHOTS"):
        shutil.copyfile(shot, ROOT / target / name)


def test_a_rule_a_and_b_or_c_built_from_groups_and_the_preview_follows(
    console_desktop: Page, browser: Browser, stack: RunningStack, admin: Client, base: str, tmp_path: Path
) -> None:
    """ "Hạn chế" shown when Số lượng > 0 and (Tần suất is quarterly or Hình thức has online
    chosen): a condition, then a group of two, with the page's buttons; the words and the
    preview follow; saved as JSON Logic; the same editor usable on a 375-px phone."""
    form = small_form(id=f"mau-{uuid.uuid4().hex[:6]}")
    admin.call("POST", "/forms", form)
    page = console_desktop
    page.goto(console_url(base, f"forms/{form['id']}/edit"))
    rule = "sections.1.fields.2.relevant"
    page.locator(field("sections.1.fields.2")).locator("details.b-more > summary").click()
    page.click(f'button[value="add_cond:{rule}"]')
    page.select_option(f"{field(f'{rule}.c.0')}-field", "a.so")
    page.select_option(f"{field(f'{rule}.c.0')}-op", ">")
    page.fill(f"{field(f'{rule}.c.0')}-value", "0")
    page.click(f'button[value="add_group:{rule}"]')
    group = f"{rule}.c.1"
    # The new group is "any of" (the other way from its parent), with a row for a condition.
    expect(page.locator(f"{field(group)}-join")).to_have_value("or")
    page.select_option(f"{field(f'{group}.c.0')}-field", "a.tan_suat")
    page.fill(f"{field(f'{group}.c.0')}-value", "quy")
    page.click(f'button[value="add_cond:{group}"]')
    page.select_option(f"{field(f'{group}.c.1')}-field", "a.hinh_thuc")
    page.select_option(f"{field(f'{group}.c.1')}-op", "chosen")
    page.fill(f"{field(f'{group}.c.1')}-value", "truc_tuyen")
    page.get_by_role("button", name="Kiểm tra lỗi").last.click()
    expect(page.locator(field(rule)).locator(".rule-words")).to_have_text(
        "hiện khi Số lượng > 0 và (Tần suất là “Hằng quý” hoặc Hình thức có chọn “Trực tuyến”)"
    )

    # The preview (posted by the script once the page holds unsaved edits) runs the rule.
    preview = page.frame_locator("#preview")
    shown = preview.locator("#f-b-han_che-field")
    expect(shown).to_be_hidden()
    preview.locator("#f-a-so").fill("3")
    expect(shown).to_be_hidden()  # A alone
    preview.locator("#f-a-tan_suat-1").check()
    expect(shown).to_be_visible()  # A and B
    preview.locator("#f-a-tan_suat-0").check()
    expect(shown).to_be_hidden()
    preview.locator("#f-a-hinh_thuc-1").check()
    expect(shown).to_be_visible()  # A and C
    shown.scroll_into_view_if_needed()
    in_view(page, field(rule), "builder-conditions-desktop.png", tmp_path)
    preview.locator("#f-a-so").fill("0")
    expect(shown).to_be_hidden()  # not A
    found = console_axe(page)
    assert not found, described(found)
    page.click("#save-button")
    expect(page.locator("#notice")).to_have_text("Đã lưu bản nháp.")
    assert admin.call("GET", f"/forms/{form['id']}")["draft"]["sections"][1]["fields"][2]["relevant"] == {
        "and": [
            {">": [{"var": ["a.so", 0]}, 0]},
            {"or": [{"==": [{"var": ["a.tan_suat", ""]}, "quy"]}, {"in": ["truc_tuyen", {"var": "a.hinh_thuc"}]}]},
        ]
    }

    # On a phone: the groups fit the screen, and a condition is removed with its button.
    context = console_context(browser, "phone", axe=True)
    phone = context.new_page()
    sign_in(phone, base, (stack.local_dir / "admin-token").read_text().strip())
    phone.goto(console_url(base, f"forms/{form['id']}/edit"))
    assert_fits(phone, PHONE["width"])
    in_view(phone, field(group), "builder-conditions-phone.png", tmp_path)
    found = console_axe(phone)
    assert not found, described(found)
    phone.click(f'button[value="drop_cond:{group}.c.0"]')
    expect(phone.locator(field(rule)).locator(".rule-words")).to_have_text(
        "hiện khi Số lượng > 0 và Hình thức có chọn “Trực tuyến”"
    )
    assert_fits(phone, PHONE["width"])
    context.close()


def test_a_date_ordered_in_a_condition_runs_in_the_preview(console_desktop: Page, admin: Client, base: str) -> None:
    """ "Hạn chế" shown when Ngày < 14/06/2019: the page reads the typed date as its ISO text,
    as the server stores it, so the rule orders the same in both (tests/unit/test_rule_order.py)."""
    form = small_form(id=f"mau-{uuid.uuid4().hex[:6]}")
    form["sections"][1]["fields"][2]["relevant"] = {"<": [{"var": ["a.ngay", ""]}, "2019-06-14"]}
    admin.call("POST", "/forms", form)
    page = console_desktop
    page.goto(console_url(base, f"forms/{form['id']}/edit"))
    expect(page.locator(field("sections.1.fields.2.relevant")).locator(".rule-words")).to_have_text(
        "hiện khi Ngày < 14/06/2019"
    )
    page.goto(console_url(base, f"forms/{form['id']}/preview"))
    shown = page.locator("#f-b-han_che-field")
    page.fill("#f-a-ngay", "13/06/2019")
    expect(shown).to_be_visible()
    page.fill("#f-a-ngay", "14/06/2019")
    expect(shown).to_be_hidden()
    page.fill("#f-a-ngay", "2/1/2020")
    expect(shown).to_be_hidden()
    page.fill("#f-a-ngay", "31/12/2018")
    expect(shown).to_be_visible()
