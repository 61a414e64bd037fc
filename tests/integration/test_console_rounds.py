"""The console's rounds pages on the emulator: create a round from a published form version
with units and whole clusters (local dates and times in the round's zone), refusals next to
their fields keeping what was typed, open/close/reopen behind their confirmations (audited under
the admin's name), and a stale page that says so instead of overwriting."""

from __future__ import annotations

from datetime import UTC, datetime
from html import unescape

import pytest

from checkround import wiring
from checkround.rounds import audit
from checkround.rounds import service as rounds
from tests.integration.console_helpers import csrf_of, post_form, signed_in
from tests.integration.helpers import setup_seed_round

pytestmark = pytest.mark.integration

NEW = "/admin_console/rounds/new"


def new_round(**changes):
    form = {
        "title_vi": "Kiểm tra 6 tháng cuối năm 2030",
        "title_en": "Second-half inspection 2030",
        "id": "kt-cuoi-nam-2030",
        "form": "kiem-tra-6-thang-2019@1",
        "opens_date": "01/12/2030",
        "opens_time": "08:00",
        "closes_date": "20/12/2030",
        "closes_time": "17:00",
        "time_zone": "Asia/Ho_Chi_Minh",
        "grace_minutes": "30",
        "language": "vi",
        "issuing_body_vi": "Ban Thường vụ Tỉnh đoàn Quảng Ninh",
        "team_vi": "Ban Tổ chức\nBan Tuyên giáo",
        "team_en": "Organisation Committee",
    }
    form.update(changes)
    return list(form.items())


def test_create_a_round_with_a_cluster_and_a_unit_in_local_time(project, console_app, admin):
    setup_seed_round(admin)
    client = signed_in(console_app)
    page = client.get(NEW).get_data(as_text=True)
    assert "kiem-tra-6-thang-2019@1" in page
    assert 'value="khoi-llvt-doanh-nghiep"' in page  # a cluster can be picked whole
    answer = post_form(client, NEW, [*new_round(), ("clusters", "cum-mien-dong"), ("units", "hai-quan")])
    assert answer.status_code == 303, unescape(answer.get_data(as_text=True))[:3000]
    assert answer.headers["Location"] == "../rounds/kt-cuoi-nam-2030?created=1"
    doc = rounds.get_round_doc(wiring.context(), "kt-cuoi-nam-2030")
    assert doc["status"] == "draft"
    assert sorted(doc["unit_ids"]) == ["ba-che", "hai-quan", "mong-cai", "tien-yen"]
    # 17:00 in Hanoi's zone is 10:00 UTC.
    assert doc["closes_at"] == datetime(2030, 12, 20, 10, 0, tzinfo=UTC)
    assert doc["opens_at"] == datetime(2030, 12, 1, 1, 0, tzinfo=UTC)
    assert doc["grace_minutes"] == 30
    assert doc["inspection_team"] == [{"vi": "Ban Tổ chức", "en": "Organisation Committee"}, {"vi": "Ban Tuyên giáo"}]
    assert doc["clusters"]["cum-mien-dong"]["vi"] == "Cụm thi đua miền Đông"
    shown = unescape(client.get("/admin_console/rounds/kt-cuoi-nam-2030?created=1").get_data(as_text=True))
    assert "Đã tạo đợt kiểm tra" in shown
    assert "17:30 20/12/2030 (UTC+07:00)" in shown  # the deadline with its grace, in the round's zone


def test_refusals_are_next_to_their_fields_and_keep_what_was_typed(project, console_app, admin):
    setup_seed_round(admin)
    client = signed_in(console_app)
    typed = new_round(closes_date="31/06/2030", grace_minutes="²", title_vi="Tên giữ nguyên")
    answer = post_form(client, NEW, typed)  # and no unit chosen
    html = unescape(answer.get_data(as_text=True))
    assert answer.status_code == 422
    assert 'id="closes_date-error">Hãy nhập ngày dạng ngày/tháng/năm' in html
    assert 'id="units-error">Hãy chọn ít nhất một đơn vị' in html
    assert 'id="grace_minutes-error">Nhập số phút' in html
    assert 'value="Tên giữ nguyên"' in html
    assert 'value="31/06/2030"' in html
    assert 'value="²"' in html
    assert 'href="#closes_date"' in html  # the summary at the top links to the field
    assert wiring.context().store.get("rounds/kt-cuoi-nam-2030") is None

    # In English, and a refusal of the service (the id is taken) at its field.
    taken = post_form(client, f"{NEW}?lang=en", [*new_round(id="kt-6-thang-2019"), ("units", "ba-che")])
    html = unescape(taken.get_data(as_text=True))
    assert taken.status_code == 409
    assert 'id="id-error">A round with this id exists' in html
    assert 'value="ba-che" checked' in html


def test_open_close_and_reopen_behind_their_confirmations(project, console_app, admin):
    setup_seed_round(admin, open_it=False)
    client = signed_in(console_app, "bi-thu")
    base = "/admin_console/rounds/kt-6-thang-2019"
    confirm = unescape(client.get(f"{base}/open").get_data(as_text=True))
    assert "Khi mở, đơn vị nào có đường dẫn" in confirm
    assert rounds.get_round_doc(wiring.context(), "kt-6-thang-2019")["status"] == "draft"  # a GET changes nothing
    stamp = confirm.split('name="stamp" value="')[1].split('"')[0]
    opened = client.post(f"{base}/open", data={"csrf": csrf_of(confirm), "stamp": stamp})
    assert opened.status_code == 303
    assert rounds.get_round_doc(wiring.context(), "kt-6-thang-2019")["status"] == "open"

    closing = unescape(client.get(f"{base}/close").get_data(as_text=True))
    assert "0 báo cáo đã nhận; 7/7 đơn vị chưa nộp" in closing
    closed = post_form(client, f"{base}/close", {"stamp": closing.split('name="stamp" value="')[1].split('"')[0]})
    assert closed.status_code == 303
    assert rounds.get_round_doc(wiring.context(), "kt-6-thang-2019")["status"] == "closed"

    reopening = client.get(f"{base}/reopen").get_data(as_text=True)
    stamp = reopening.split('name="stamp" value="')[1].split('"')[0]
    past = client.post(
        f"{base}/reopen",
        data={"csrf": csrf_of(reopening), "stamp": stamp, "closes_date": "01/01/2020", "closes_time": "17:00"},
    )
    assert past.status_code == 422
    assert "phải sau thời điểm hiện tại" in unescape(past.get_data(as_text=True))
    again = client.post(
        f"{base}/reopen",
        data={"csrf": csrf_of(reopening), "stamp": stamp, "closes_date": "31/12/2099", "closes_time": "17:00"},
    )
    assert again.status_code == 303
    doc = rounds.get_round_doc(wiring.context(), "kt-6-thang-2019")
    assert doc["status"] == "open"
    assert doc["closes_at"] == datetime(2099, 12, 31, 10, 0, tzinfo=UTC)
    actions = [(e["action"], e["actor"]) for e in audit.list_events(wiring.context(), "kt-6-thang-2019")]
    assert [a for a in actions if a[0] in ("open", "close", "reopen")] == [
        ("open", "admin:bi-thu"),
        ("close", "admin:bi-thu"),
        ("reopen", "admin:bi-thu"),
    ]


def test_a_stale_confirmation_says_so_instead_of_acting(project, console_app, admin):
    setup_seed_round(admin)
    client = signed_in(console_app)
    base = "/admin_console/rounds/kt-6-thang-2019"
    page = client.get(f"{base}/close").get_data(as_text=True)
    stamp = page.split('name="stamp" value="')[1].split('"')[0]
    # Someone else closes and reopens the round meanwhile: it is open again, with a new deadline.
    ctx = wiring.context()
    rounds.close_round(ctx, "kt-6-thang-2019", "admin:someone")
    rounds.reopen_round(ctx, "kt-6-thang-2019", {"closes_at": "2099-01-01T00:00:00+07:00"}, "admin:someone")
    stale = client.post(f"{base}/close", data={"csrf": csrf_of(page), "stamp": stamp})
    assert stale.status_code == 409
    assert "vừa được thay đổi" in unescape(stale.get_data(as_text=True))
    assert rounds.get_round_doc(ctx, "kt-6-thang-2019")["status"] == "open"  # not closed by the old page
