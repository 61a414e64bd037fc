"""The console's board and links pages on the emulator: the board's states, rates, filters and
pages; links issued (shown once, with the message in the round's language and a QR code),
reissued, revoked after a confirmation, and the printable sheet as a PDF."""

from __future__ import annotations

import re
import subprocess
from html import unescape

import pytest

from checkround import wiring
from checkround.rounds import audit
from checkround.rounds import service as rounds
from tests.integration.console_helpers import post_form, signed_in
from tests.integration.helpers import link_secret, setup_seed_round
from tests.support import seed_answers

pytestmark = pytest.mark.integration

BASE = "/admin_console/rounds/kt-6-thang-2019"


def test_the_board_shows_states_rates_and_filters(project, console_app, admin, unit_client):
    tokens = setup_seed_round(admin)
    unit = unit_client(tokens["mong-cai"])
    sent = unit("POST", "/rounds/kt-6-thang-2019/submission", {"answers": seed_answers("mong-cai")})
    assert sent.status_code in (200, 201), sent.json
    assert unit_client(tokens["tien-yen"])("PUT", "/rounds/kt-6-thang-2019/draft", {"answers": {}}).status_code == 200
    client = signed_in(console_app)
    html = unescape(client.get(f"{BASE}/board").get_data(as_text=True))
    assert "Đã nộp 1/7 đơn vị (14 %)" in html
    row = re.search(r'<tr data-unit="mong-cai">.*?</tr>', html, re.S).group(0)
    assert 'data-state="submitted">Đã nộp' in row
    assert re.search(r"\d\d:\d\d \d\d/\d\d/\d{4} \(UTC\+07:00\)", row)
    assert 'data-state="draft"' in re.search(r'<tr data-unit="tien-yen">.*?</tr>', html, re.S).group(0)
    assert "Cụm thi đua miền Đông" in html
    assert "1/3 (33 %)" in html
    assert 'data-live="10"' in html

    only = unescape(client.get(f"{BASE}/board?state=missing&lang=en").get_data(as_text=True))
    assert 'data-unit="mong-cai"' not in only
    assert 'data-unit="hai-quan"' in only
    assert "1 of 7 units reported (14 %)" in only
    assert 'href="?state=missing&lang=vi" hreflang="vi"' in only  # the switch keeps the filters
    clustered = client.get(f"{BASE}/board?cluster=cum-mien-dong").get_data(as_text=True)
    assert 'data-unit="hai-quan"' not in clustered
    assert 'data-unit="ba-che"' in clustered
    # An odd filter or page is ignored, not an error.
    assert client.get(f"{BASE}/board?state=x&cluster=%00&page=%C2%B2&late=2").status_code == 200


def test_links_are_issued_once_with_a_message_and_a_qr_code(project, console_app, admin):
    setup_seed_round(admin, open_it=True)
    ctx = wiring.context()
    rounds.revoke_tokens(ctx, "kt-6-thang-2019", {}, "admin:setup")
    client = signed_in(console_app, "van-phong")
    listed = unescape(client.get(f"{BASE}/links").get_data(as_text=True))
    assert listed.count("Chưa cấp") == 7
    answer = post_form(client, f"{BASE}/links", [("action", "issue"), ("units", "ba-che"), ("units", "mong-cai")])
    html = unescape(answer.get_data(as_text=True))
    assert answer.status_code == 200
    assert answer.headers["Cache-Control"] == "no-store"
    urls = re.findall(r'id="link-[a-z-]+" value="([^"]+)"', html)
    assert len(urls) == 2
    assert all("/web_form/r/kt-6-thang-2019?t=" in url for url in urls)
    assert html.count('src="data:image/svg+xml') == 2
    assert "Kính gửi BTV Huyện Đoàn Ba Chẽ," in html
    assert "Hạn nộp:" in html
    assert "(UTC+07:00)" in html
    assert 'data-copy="link-ba-che"' in html
    # The link opens the unit's form (a session), and the list now says it has one.
    secret = link_secret(urls[0])
    assert rounds.issue_tokens  # the same service as admin_api issued it
    assert "Đã cấp (1)" in unescape(client.get(f"{BASE}/links").get_data(as_text=True))
    assert secret not in client.get(f"{BASE}/links").get_data(as_text=True)  # shown once
    events = [e for e in audit.list_events(ctx, "kt-6-thang-2019") if e["action"] == "tokens_issued"]
    assert events[-1]["actor"] == "admin:van-phong"


def test_reissue_revoke_and_the_printable_sheet(project, console_app, admin, apps, tmp_path):
    setup_seed_round(admin)
    client = signed_in(console_app)
    first = unescape(
        post_form(client, f"{BASE}/links", [("action", "issue"), ("units", "ba-che")]).get_data(as_text=True)
    )
    old = re.search(r'id="link-ba-che" value="([^"]+)"', first).group(1)
    second = post_form(client, f"{BASE}/links", [("action", "reissue"), ("units", "ba-che")])
    new = re.search(r'id="link-ba-che" value="([^"]+)"', unescape(second.get_data(as_text=True))).group(1)
    web = apps["web_form"].test_client()
    assert web.get("/r/kt-6-thang-2019", query_string={"t": link_secret(old)}).status_code == 401
    assert web.get("/r/kt-6-thang-2019", query_string={"t": link_secret(new)}).status_code == 303

    asked = post_form(client, f"{BASE}/links", [("action", "revoke"), ("units", "ba-che")])
    assert "Thu hồi đường dẫn của 1 đơn vị" in unescape(asked.get_data(as_text=True))
    assert web.get("/r/kt-6-thang-2019", query_string={"t": link_secret(new)}).status_code == 303  # not yet
    done = post_form(client, f"{BASE}/links", [("action", "revoke_confirmed"), ("units", "ba-che")])
    assert "Đã thu hồi đường dẫn của 1 đơn vị" in unescape(done.get_data(as_text=True))
    assert web.get("/r/kt-6-thang-2019", query_string={"t": link_secret(new)}).status_code == 401

    sheet = post_form(client, f"{BASE}/links", [("action", "issue_pdf"), ("units", "mong-cai"), ("units", "tien-yen")])
    assert sheet.status_code == 200
    assert sheet.headers["Content-Type"] == "application/pdf"
    assert sheet.headers["Content-Disposition"] == 'attachment; filename="kt-6-thang-2019-links.pdf"'
    pdf = tmp_path / "links.pdf"
    pdf.write_bytes(sheet.data)
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "BTV Huyện Đoàn Móng Cái" in text
    assert "BTV Huyện Đoàn Tiên Yên" in text
    # A long link wraps where the sheet has room (at its "?" or inside the secret).
    assert "/web_form/r/kt-6-thang-2019?t=" in "".join(text.split())


def test_no_unit_chosen_issues_to_the_units_without_a_link_and_nothing_else_is_refused_quietly(
    project, console_app, admin
):
    setup_seed_round(admin)
    ctx = wiring.context()
    rounds.revoke_tokens(ctx, "kt-6-thang-2019", {"unit_ids": ["ba-che", "mong-cai"]}, "admin:setup")
    client = signed_in(console_app)
    answer = post_form(client, f"{BASE}/links", [("action", "issue")])
    urls = re.findall(r'id="link-([a-z-]+)" value=', answer.get_data(as_text=True))
    assert sorted(urls) == ["ba-che", "mong-cai"]
    refused = post_form(client, f"{BASE}/links", [("action", "revoke")])
    assert refused.status_code == 422
    assert "Hãy chọn ít nhất một đơn vị." in unescape(refused.get_data(as_text=True))
    odd = post_form(client, f"{BASE}/links", [("action", "drop-table"), ("units", "not-in-round")])
    assert odd.status_code == 422
