"""The inspection team's scoring page and the committee's report page of the admin console in
a real browser (Debian's chromium) on the local stack, at 1280 px and 375 px: they fit the
screen, have no serious or critical axe-core violation, and work as an admin uses them.
Screenshots: ``CHECKROUND_SCREENSHOTS=docs`` writes ``docs/console-score-{desktop,phone}.png``
and ``docs/console-document-{desktop,phone}.png``."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urljoin

import pytest
from playwright.sync_api import expect

from checkround.devstack.client import Client
from tests.e2e.console_fixtures import *  # noqa: F403
from tests.e2e.console_fixtures import Round, assert_fits, console_axe, console_url, described, screenshot
from tests.support import SCHEMAS, _yaml, seed_answers

pytestmark = pytest.mark.e2e


def test_the_team_scores_and_the_committee_issues_in_the_browser(
    console_desktop, console_phone, admin: Client, base: str, tmp_path: Path
) -> None:
    round_ = Round(admin, ["tien-yen", "mong-cai"])
    unit = Client(base, round_.token("tien-yen"), function="unit_api")
    unit.call("POST", f"/rounds/{round_.id}/submission", {"answers": seed_answers("tien-yen")})
    admin.call("PUT", "/document-settings", _yaml(SCHEMAS / "seed" / "document.yaml"))

    page = console_desktop
    page.goto(console_url(base, f"rounds/{round_.id}/review/tien-yen"))
    page.click("#score-link")
    expect(page.locator("#score-heading")).to_contain_text("BTV Huyện Đoàn Tiên Yên")
    expect(page.locator("#prefilled")).to_be_visible()
    # "Not met" with its full score: refused next to the item, nothing saved.
    item = "#f-chuong_trinh-xay_dung_chuong_trinh"
    page.check(f"{item}-status-no")
    page.fill("#f-doan_kiem_tra-uu_diem", "Chuẩn bị báo cáo chu đáo.")
    page.fill("#f-doan_kiem_tra-han_che", "Sinh hoạt chi đoàn chưa đều.")
    page.click("#score-save")
    expect(page.locator(f"{item}-score-error")).to_have_text("Kết quả “Chưa đạt” thì điểm phải là 0.")
    page.fill(f"{item}-score", "0")
    page.click("#score-save")
    expect(page.locator("#saved")).to_be_visible()
    assert not [v for v in console_axe(page) if v["impact"] in ("serious", "critical")], described(console_axe(page))
    assert_fits(page, 1280)
    screenshot(page, "console-score-desktop.png", tmp_path)
    console_phone.goto(page.url)
    assert_fits(console_phone, 375)
    screenshot(console_phone, "console-score-phone.png", tmp_path)

    admin.call("POST", f"/rounds/{round_.id}/close")
    page.goto(console_url(base, f"rounds/{round_.id}/document"))
    expect(page.locator("#n-overall")).to_contain_text("1/2 đơn vị đã gửi báo cáo")
    page.fill("#n-closing", "Trên đây là báo cáo kết quả kiểm tra./.")
    page.click("#save-narrative")
    expect(page.locator("#done")).to_be_visible()
    assert not [v for v in console_axe(page) if v["impact"] in ("serious", "critical")], described(console_axe(page))
    assert_fits(page, 1280)
    screenshot(page, "console-document-desktop.png", tmp_path)
    console_phone.goto(page.url)
    assert_fits(console_phone, 375)
    screenshot(console_phone, "console-document-phone.png", tmp_path)
    page.fill("#number", "31")
    page.click("#issue-button")
    expect(page.locator("#doc-issued")).to_contain_text("Số: 31-BC/TĐTN")
    expect(page.locator("#save-narrative")).to_have_count(0)


def test_the_committee_sets_the_header_and_signature_at_each_level_in_the_browser(
    console_desktop, console_phone, admin: Client, base: str, tmp_path: Path
) -> None:
    """The organisation's, the round's and the draft's parts pages: a refused field is named
    next to it and in the summary, a saved part shows on the level above as what an empty field
    prints, and the draft's PDF preview prints it."""
    round_ = Round(admin, ["tien-yen"])
    admin.call("PUT", "/document-settings", _yaml(SCHEMAS / "seed" / "document.yaml"))
    page = console_desktop
    page.goto(console_url(base, "document-settings"))
    expect(page.locator("#parts-heading")).to_have_text("Phần đầu và chữ ký: mặc định của tổ chức")
    page.fill("#p-number_suffix", "BC TĐTN")
    page.click("#save-parts")
    expect(page.locator("#p-number_suffix-error")).to_contain_text("không có khoảng trắng")
    expect(page.locator("#error-summary a[href='#p-number_suffix']")).to_be_visible()
    assert not [v for v in console_axe(page) if v["impact"] in ("serious", "critical")], described(console_axe(page))
    page.fill("#p-number_suffix", "BC/TĐTN")
    page.click("#save-parts")
    expect(page.locator("#done")).to_be_visible()
    assert_fits(page, 1280)
    screenshot(page, "console-document-parts-organisation-desktop.png", tmp_path)

    # This round (still open): its signer over the organisation's.
    page.goto(console_url(base, f"rounds/{round_.id}/document"))
    page.click("#parts-round")
    expect(page.locator("#p-signer_name-hint")).to_contain_text("Nguyễn Thị Minh Hạnh")
    page.fill("#p-signer_name", "Trần Văn Bình")
    page.click("#save-parts")
    expect(page.locator("#done")).to_be_visible()
    expect(page.locator("#printed")).to_contain_text("Trần Văn Bình")

    admin.call("POST", f"/rounds/{round_.id}/close")
    page.goto(console_url(base, f"rounds/{round_.id}/document"))
    page.click("#parts-draft")
    expect(page.locator("#p-signer_name")).to_have_value("")
    expect(page.locator("#p-signer_name-hint")).to_contain_text("Trần Văn Bình")
    page.fill("#p-place", "Hạ Long")
    page.click("#save-parts")
    expect(page.locator("#done")).to_be_visible()
    expect(page.locator("#printed")).to_contain_text("Hạ Long, ngày … tháng … năm …")
    assert not [v for v in console_axe(page) if v["impact"] in ("serious", "critical")], described(console_axe(page))
    assert_fits(page, 1280)
    screenshot(page, "console-document-parts-desktop.png", tmp_path)
    preview = page.request.get(urljoin(page.url, page.locator("#preview-pdf").get_attribute("href") or ""))
    assert preview.headers["content-type"] == "application/pdf"
    console_phone.goto(page.url)
    assert_fits(console_phone, 375)
    assert not [v for v in console_axe(console_phone) if v["impact"] in ("serious", "critical")]
    screenshot(console_phone, "console-document-parts-phone.png", tmp_path)
