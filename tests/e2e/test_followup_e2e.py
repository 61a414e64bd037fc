"""A unit answers the previous round's recommendations in the web form with its scripts, in a
real browser on a phone (375 px) and a PC (1280 px), against the whole local stack (issue 19):
the form lists them, the background draft keeps what is chosen, a submission without a status
is refused next to the recommendation, and the submission stores the answers. Screenshots of
the part go to docs/ with ``CHECKROUND_SCREENSHOTS=docs``. The admin CLI's recommendations
commands run as real processes against the same stack."""

from __future__ import annotations

import os
import shutil
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import requests
from playwright.sync_api import expect

from checkround.devstack.client import Client
from checkround.devstack.seed import round_body
from tests.e2e.conftest import run_cli
from tests.e2e.test_accessibility import AXE, described, violations
from tests.e2e.test_browser import PHONE, admin, base, browser, desktop, fill_form, phone  # noqa: F401
from tests.support import ROOT, seed_answers, seed_round_template

pytestmark = pytest.mark.e2e

UNIT = "tien-yen"
TEXT = "Bảo đảm chi đoàn khu dân cư sinh hoạt định kỳ hằng tháng."


def series(admin: Client) -> tuple[str, str, dict[str, str]]:  # noqa: F811
    """A closed round with a recommendation to the unit, and an open round that follows it:
    (its id, the recommendation's id, the unit's links)."""
    first = f"web-{uuid.uuid4().hex[:8]}"
    start = datetime.now(UTC) - timedelta(minutes=1)
    admin.call("POST", "/rounds", round_body(seed_round_template(), [UNIT], first, start))
    admin.call("POST", f"/rounds/{first}/open")
    admin.call("POST", f"/rounds/{first}/close")
    rec = admin.call(
        "POST",
        f"/rounds/{first}/recommendations",
        {
            "unit_id": UNIT,
            "text": {"vi": TEXT},
            "field": "chi_doan_dan_cu.trien_khai_nghi_quyet",
            "due_date": "2019-11-30",
        },
    )
    second = f"{first}-2"
    admin.call(
        "POST", "/rounds", {**round_body(seed_round_template(), [UNIT], second, start), "previous_round_id": first}
    )
    admin.call("POST", f"/rounds/{second}/open")
    return second, rec["id"], admin.call("POST", f"/rounds/{second}/tokens", {})["tokens"][UNIT]


def shot(page, name: str, tmp_path: Path) -> None:
    """The follow-up part as the unit sees it."""
    path = tmp_path / name
    page.locator("#s-follow_up").screenshot(path=str(path))
    assert path.stat().st_size > 5_000
    if os.environ.get("CHECKROUND_SCREENSHOTS"):
        shutil.copyfile(path, ROOT / os.environ["CHECKROUND_SCREENSHOTS"] / name)


def test_a_unit_answers_its_recommendations_on_a_phone(phone, admin: Client, base: str, tmp_path: Path) -> None:  # noqa: F811
    round_id, rec_id, link = series(admin)
    phone.goto(link["form_url"])
    part = phone.locator("#s-follow_up")
    expect(part).to_contain_text("Tiến độ thực hiện kiến nghị của đợt kiểm tra trước")
    expect(part).to_contain_text(f"Kiến nghị 1: {TEXT}")
    expect(part).to_contain_text("Hạn thực hiện: 30/11/2019")
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    # Chosen, then kept by the draft the page saves in the background as the unit types.
    phone.check(f"#fu-{rec_id}-status-in_progress")
    phone.fill(f"#fu-{rec_id}-note", "Đã họp 3/5 chi đoàn.")
    expect(phone.locator("#autosave")).to_contain_text("Đã lưu lúc", timeout=15_000)
    form = requests.get(
        f"{base}/unit_api/rounds/{round_id}/form", headers={"Authorization": f"Bearer {link['token']}"}, timeout=30
    ).json()
    assert form["follow_up"] == {rec_id: {"status": "in_progress", "note": "Đã họp 3/5 chi đoàn."}}
    shot(phone, "webform-follow-up-phone.png", tmp_path)

    # A status is needed on submit: unchecked, the page says so next to the recommendation.
    phone.evaluate(f"document.getElementById('fu-{rec_id}-status-in_progress').checked = false")
    fill_form(phone, seed_answers(UNIT))
    phone.get_by_role("button", name="Gửi báo cáo").click()
    expect(phone.locator(f"#fu-{rec_id}-status-error")).to_have_text("Chọn mức độ thực hiện kiến nghị này.")
    expect(phone.locator("#error-summary")).to_contain_text("Kiến nghị 1")
    expect(phone.locator(f"#fu-{rec_id}-note")).to_have_value("Đã họp 3/5 chi đoàn.")

    phone.check(f"#fu-{rec_id}-status-done")
    phone.get_by_role("button", name="Gửi báo cáo").click()
    phone.wait_for_url("**/receipt**")
    stored = requests.get(
        f"{base}/unit_api/rounds/{round_id}/submission",
        headers={"Authorization": f"Bearer {link['token']}"},
        timeout=30,
    ).json()
    assert stored["follow_up"] == {rec_id: {"status": "done", "note": "Đã họp 3/5 chi đoàn."}}


def test_the_part_on_a_pc(desktop, admin: Client, tmp_path: Path) -> None:  # noqa: F811
    _, rec_id, link = series(admin)
    desktop.goto(link["form_url"] + "&lang=en")
    expect(desktop.locator("#s-follow_up")).to_contain_text(f"Recommendation 1: {TEXT}")
    desktop.check(f"#fu-{rec_id}-status-not_started")
    shot(desktop, "webform-follow-up-desktop.png", tmp_path)


def test_recommendations_through_the_cli(stack, admin: Client) -> None:  # noqa: F811
    """``checkround recommendations add|list|update`` as an admin runs them (real processes)."""
    first = f"cli-{uuid.uuid4().hex[:8]}"
    admin.call("POST", "/rounds", round_body(seed_round_template(), [UNIT], first, datetime.now(UTC)))
    admin.call("POST", f"/rounds/{first}/open")
    early = run_cli(stack, "recommendations", "add", first, UNIT, TEXT)
    assert early.returncode == 1
    assert "round_not_closed" in early.stderr
    admin.call("POST", f"/rounds/{first}/close")
    made = run_cli(stack, "recommendations", "add", first, UNIT, TEXT, "--en", "Monthly meetings",
                   "--field", "chi_doan_dan_cu.trien_khai_nghi_quyet", "--due", "2019-11-30")  # fmt: skip
    assert made.returncode == 0, made.stderr
    rec_id = made.stdout.strip()
    assert rec_id.startswith("rec-")
    listed = run_cli(stack, "--lang", "en", "recommendations", "list", first, "--status", "open").stdout.splitlines()
    assert listed[0].split() == ["ID", "UNIT", "STATUS", "DUE", "FIELD", "TEXT"]
    assert listed[1].split()[:5] == [rec_id, UNIT, "open", "2019-11-30", "chi_doan_dan_cu.trien_khai_nghi_quyet"]
    assert listed[1].endswith("Monthly meetings")
    changed = run_cli(stack, "recommendations", "update", first, rec_id, "--status", "dropped", "--no-due")
    assert changed.stdout.strip() == f"{rec_id}: dropped", changed.stderr
    assert admin.call("GET", f"/rounds/{first}/recommendations")["recommendations"][0]["due_date"] is None
    bad = run_cli(stack, "recommendations", "add", first, UNIT, TEXT, "--field", "khong.co")
    assert bad.returncode == 1
    assert "field: " in bad.stderr


def test_the_part_passes_axe_with_and_without_its_errors(browser, admin: Client) -> None:  # noqa: F811
    """axe-core on the form with the part, then with the part's error shown: nothing serious."""
    assert AXE.exists(), f"{AXE} is missing: scripts/setup.sh test installs it (npm ci in tests/e2e/axe)"
    _, rec_id, link = series(admin)
    context = browser.new_context(
        viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=1, locale="vi-VN", bypass_csp=True
    )
    try:
        page = context.new_page()
        page.goto(link["form_url"])
        found = violations(page)
        assert not found, described(found)
        page.get_by_role("button", name="Gửi báo cáo").click()
        expect(page.locator(f"#fu-{rec_id}-status-error")).to_be_visible()
        found = violations(page)
        assert not found, described(found)
    finally:
        context.close()
