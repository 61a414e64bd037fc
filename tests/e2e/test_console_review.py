"""The console's review, entry on a unit's behalf, summary and exports, units and audit pages in
a real browser (Debian's chromium) against the whole local stack, at 1280 and 375 px: each
action done as an admin does it, axe-core on each page (no serious or critical violation), no
page wider than the phone. Screenshots go to docs/ with ``CHECKROUND_SCREENSHOTS=docs``."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page

from checkround.devstack.client import Client
from tests.e2e.console_fixtures import *  # noqa: F403
from tests.e2e.console_fixtures import (
    Round,
    assert_fits,
    console_axe,
    console_context,
    console_url,
    described,
    screenshot,
)
from tests.support import seed_answers

pytestmark = pytest.mark.e2e

UNITS = ["mong-cai", "tien-yen", "ba-che"]


def clean(page: Page) -> None:
    found = console_axe(page)
    assert not found, described(found)


@pytest.fixture(scope="module")
def reviewed(admin: Client, base: str) -> Round:
    """A round where mong-cai sent two revisions (the second changes one answer) and tien-yen one."""
    made = Round(admin, UNITS)
    for unit_id, answers in (
        ("mong-cai", seed_answers("mong-cai")),
        ("tien-yen", seed_answers("tien-yen")),
    ):
        unit = Client(base, made.token(unit_id), function="unit_api")
        unit.call("POST", f"/rounds/{made.id}/submission", {"answers": answers})
    changed = copy.deepcopy(seed_answers("mong-cai"))
    changed["danh_gia"]["han_che"] = "Sinh hoạt chi đoàn ở khu dân cư chưa đều."
    Client(base, made.token("mong-cai"), function="unit_api").call(
        "POST", f"/rounds/{made.id}/submission", {"answers": changed}
    )
    return made


def test_review_return_and_accept_on_a_pc(console_desktop: Page, base: str, reviewed: Round, tmp_path: Path) -> None:
    page = console_desktop
    page.goto(console_url(base, f"rounds/{reviewed.id}/review"))
    assert page.locator("h2").first.inner_text() == "Duyệt báo cáo"
    clean(page)
    page.locator("#review-units a", has_text="Xem và duyệt").first.click()
    page.wait_for_url("**/review/mong-cai")
    assert "Thay đổi từ lần gửi 1 đến lần 2" in page.locator("#changes").inner_text()
    assert page.locator("#change-list ins").inner_text() == "Sinh hoạt chi đoàn ở khu dân cư chưa đều."
    clean(page)
    screenshot(page, "console-review-desktop.png", tmp_path)

    page.locator("#f-danh_gia\\.han_che summary").click()
    page.fill("#comment-danh_gia-han_che", "Nêu rõ số chi đoàn và số buổi sinh hoạt.")
    page.fill("#message", "Đề nghị bổ sung trước hạn nộp.")
    page.locator("#return-button").click()
    page.wait_for_url("**/review/mong-cai?done=returned")
    assert page.locator("#done").inner_text() == "Đã trả lại báo cáo cho đơn vị."
    assert page.locator("#unit-state").inner_text() == "Đã trả lại"

    page.goto(console_url(base, f"rounds/{reviewed.id}/review/tien-yen"))
    page.fill("#accept_message", "Báo cáo đầy đủ.")
    page.locator("#accept-button").click()
    page.wait_for_url("**/review/tien-yen?done=accepted")
    assert page.locator("#unit-state").inner_text() == "Đã duyệt"
    assert page.locator("#accept-form").count() == 0
    clean(page)


def test_enter_a_paper_report_on_a_pc(console_desktop: Page, base: str, reviewed: Round, tmp_path: Path) -> None:
    page = console_desktop
    page.goto(console_url(base, f"rounds/{reviewed.id}/review"))
    page.locator("#review-units tr", has_text="Ba Chẽ").get_by_role("link", name="Nhập thay").click()
    page.wait_for_url("**/enter/ba-che")
    clean(page)
    screenshot(page, "console-enter-desktop.png", tmp_path)
    page.fill("#f-danh_gia-han_che", "Ghi từ báo cáo giấy.")
    page.locator("#enter-submit").click()
    # Required answers are missing: refused on the page, what was typed kept.
    assert page.locator("#error-summary").is_visible()
    assert page.input_value("#f-danh_gia-han_che") == "Ghi từ báo cáo giấy."
    clean(page)


def test_summary_units_and_audit_on_a_pc(console_desktop: Page, base: str, reviewed: Round, tmp_path: Path) -> None:
    page = console_desktop
    page.goto(console_url(base, f"rounds/{reviewed.id}/summary"))
    assert page.locator("#exports a").count() >= 3
    with page.expect_download() as download:
        page.locator("#exports a", has_text="CSV").first.click()
    assert download.value.suggested_filename == f"{reviewed.id}-submissions.csv"
    clean(page)
    screenshot(page, "console-summary-desktop.png", tmp_path)

    page.goto(console_url(base, f"rounds/{reviewed.id}/audit"))
    page.select_option("#action", "accept")
    page.locator("#audit-filters button").click()
    assert page.locator("#audit-log tbody tr").count() == 1
    assert "Duyệt báo cáo" in page.locator("#audit-log").inner_text()
    clean(page)
    screenshot(page, "console-audit-desktop.png", tmp_path)

    page.goto(console_url(base, "units"))
    clean(page)
    screenshot(page, "console-units-desktop.png", tmp_path)
    page.get_by_role("link", name="Tải lên danh sách (CSV, Excel)").click()
    roster = tmp_path / "ds.csv"
    roster.write_text(
        "id,name,cluster\nmong-cai,BTV Huyện Đoàn Móng Cái,cum-bien-gioi\ndon-vi-moi,Đơn vị mới,cum-bien-gioi\n"
    )
    page.set_input_files("#roster", str(roster))
    page.get_by_role("button", name="Xem trước thay đổi").click()
    page.wait_for_url("**/units/upload/*")
    assert "Đơn vị mới" in page.locator("#added").inner_text()
    clean(page)
    screenshot(page, "console-units-preview-desktop.png", tmp_path)


def test_the_pages_on_a_phone(console_phone: Page, base: str, reviewed: Round, tmp_path: Path) -> None:
    page = console_phone
    for path, name in (
        (f"rounds/{reviewed.id}/review/mong-cai", "console-review-phone.png"),
        (f"rounds/{reviewed.id}/enter/ba-che", "console-enter-phone.png"),
        (f"rounds/{reviewed.id}/summary", "console-summary-phone.png"),
        (f"rounds/{reviewed.id}/audit", "console-audit-phone.png"),
        ("units", "console-units-phone.png"),
    ):
        page.goto(console_url(base, path))
        assert_fits(page, 375)
        clean(page)
        screenshot(page, name, tmp_path)
    page.goto(console_url(base, f"rounds/{reviewed.id}/review?lang=en"))
    assert page.locator("h2").first.inner_text() == "Review"
    assert_fits(page, 375)
    clean(page)


def test_the_unit_sees_its_accepted_report_locked_on_a_phone(
    browser: Browser, admin: Client, reviewed: Round, tmp_path: Path
) -> None:
    admin.call("POST", f"/rounds/{reviewed.id}/submissions/tien-yen/accept", {}, ok=(200, 409))
    context = console_context(browser, "phone", axe=True)
    try:
        page = context.new_page()
        page.goto(reviewed.link("tien-yen"))
        assert "đã được duyệt" in page.locator("#accepted").inner_text()
        assert page.locator("fieldset.all").get_attribute("disabled") is not None
        assert page.get_by_role("button", name="Gửi báo cáo").count() == 0
        assert_fits(page, 375)
        clean(page)
        screenshot(page, "webform-accepted-phone.png", tmp_path)
    finally:
        context.close()
