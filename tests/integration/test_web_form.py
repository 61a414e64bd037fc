"""The unit's web form through the real entry point, as a browser without JavaScript uses it:
the link becomes a session cookie, every POST carries the CSRF token, and the same validation
and storage path as ``unit_api`` answers (the browser tests in tests/e2e add the script)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from html import unescape

import pytest
from werkzeug.datastructures import MultiDict

from checkround import wiring
from checkround.context import SystemClock
from checkround.http.webform.session import cookie_name
from tests.integration.helpers import create_round, link_secret, setup_seed_round
from tests.support import seed_answers, seed_round_template

pytestmark = pytest.mark.integration

ROUND = "kt-6-thang-2019"
URL = f"/r/{ROUND}"
GROUP = "chuong_trinh.cong_trinh_tieu_bieu"


def open_link(apps, token, round_id=ROUND, **query):
    """A browser without JavaScript that has followed its unit link: (client, the page)."""
    client = apps["web_form"].test_client()
    first = client.get(f"/r/{round_id}", query_string={"t": token, **query})
    assert first.status_code == 303, first.get_data(as_text=True)[:500]
    page = client.get(f"/r/{round_id}", query_string=query)
    return client, page


def csrf_of(page):
    return re.search(r'name="csrf" value="([^"]+)"', page.get_data(as_text=True)).group(1)


def post(client, page, data, url=URL):
    """Post the form of ``page`` as its buttons do: with the page's CSRF token."""
    return client.post(url, data={"csrf": csrf_of(page), **data})


def form_fields(answers):
    """Answers as the page's inputs name them (``section.field``, ``…status``, ``….0.ten``)."""
    fields = []
    for section, values in answers.items():
        for key, value in values.items():
            name = f"{section}.{key}"
            if isinstance(value, dict):
                fields += [(f"{name}.{part}", str(part_value)) for part, part_value in value.items()]
            elif isinstance(value, list) and value and isinstance(value[0], dict):
                fields += [(f"{name}.{i}.{k}", str(v)) for i, row in enumerate(value) for k, v in row.items()]
            elif isinstance(value, list):
                fields += [(name, item) for item in value]
            else:
                fields.append((name, str(value).lower() if isinstance(value, bool) else str(value)))
    return fields


def stored(path):
    return wiring.context().store.get(path)


def test_link_becomes_a_session_cookie_and_leaves_the_address_bar(admin, apps):
    tokens = setup_seed_round(admin)
    client = apps["web_form"].test_client()
    first = client.get(URL, query_string={"t": tokens.links["ba-che"], "lang": "en"})
    assert first.status_code == 303
    # Relative, so it holds whatever prefix the function is served under; no token in it.
    assert first.headers["Location"] == f"../r/{ROUND}?lang=en"
    cookie = first.headers["Set-Cookie"]
    assert cookie.startswith(f"{cookie_name(ROUND)}=")
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert "Path=" not in cookie  # the browser's default: the folder of the link
    assert "Secure" not in cookie  # plain http here; https sets it
    assert first.headers["Cache-Control"] == "no-store"
    # It lasts until the round's deadline (closes_at plus its grace), not the browser session.
    round_doc = stored(f"rounds/{ROUND}")
    until = round_doc["closes_at"] + timedelta(minutes=round_doc.get("grace_minutes", 0)) - datetime.now(UTC)
    max_age = int(re.search(r"Max-Age=(\d+)", cookie).group(1))
    assert abs(max_age - until.total_seconds()) < 120
    assert "Expires=" in cookie

    page = client.get(URL, query_string={"lang": "en"})
    assert page.status_code == 200
    assert "Inspection checklist" in page.get_data(as_text=True)
    vietnamese = client.get(URL).get_data(as_text=True)
    assert "Phiếu kiểm tra công tác Đoàn và phong trào thanh niên 6 tháng đầu năm 2019" in vietnamese
    assert 'name="chuong_trinh.xay_dung_chuong_trinh.status"' in vietnamese

    csp = page.headers["Content-Security-Policy"]
    for directive in (
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
    ):
        assert directive in csp
    assert page.headers["Referrer-Policy"] == "no-referrer"
    assert page.headers["X-Content-Type-Options"] == "nosniff"
    assert page.headers["Cache-Control"] == "no-store"
    assert "<style" not in vietnamese  # 'self' only: no inline styles or scripts to allow
    assert not re.search(r"<script(?![^>]*(src=|type=\"application/json\"))", vietnamese)


def test_https_sets_a_secure_cookie(admin, apps):
    tokens = setup_seed_round(admin)
    client = apps["web_form"].test_client()
    response = client.get(URL, query_string={"t": tokens.links["ba-che"]}, base_url="https://forms.example")
    assert "Secure" in response.headers["Set-Cookie"]


def test_wrong_missing_and_foreign_links_get_a_clear_page(admin, apps):
    tokens = setup_seed_round(admin)
    client = apps["web_form"].test_client()
    for response in (client.get(URL, query_string={"t": "khong-hop-le"}), client.get(URL)):
        text = response.get_data(as_text=True)
        assert response.status_code == 401
        assert "Không mở được biểu mẫu" in text
        assert "Thiếu hoặc sai mã truy cập." in text
        assert "Traceback" not in text
        assert response.headers["Content-Type"].startswith("text/html")
        assert f"{cookie_name(ROUND)}=;" in response.headers["Set-Cookie"]  # any stale session is dropped

    create_round(admin, "dot-khac", ["ba-che"])
    foreign = client.get("/r/dot-khac", query_string={"t": tokens.links["ba-che"]})
    assert foreign.status_code == 403
    assert "Mã truy cập không có quyền" in foreign.get_data(as_text=True)
    assert "Set-Cookie" not in foreign.headers

    # A cookie signed for one round is worth nothing under another round's name.
    owned, _ = open_link(apps, tokens.links["ba-che"])
    value = owned.get_cookie(cookie_name(ROUND), path="/r").value
    owned.set_cookie(cookie_name("dot-khac"), value, path="/r")
    assert owned.get("/r/dot-khac").status_code == 401


def test_expired_link_gets_a_clear_page(admin, apps, monkeypatch):
    setup_seed_round(admin)
    token = create_round(admin, "dot-ngan", ["hai-quan"], closes_in=timedelta(hours=1)).links["hai-quan"]
    client, page = open_link(apps, token, "dot-ngan")
    assert page.status_code == 200
    # The functions' clock moves past the deadline and its grace (a sleep past a short deadline
    # raced the first page on a busy machine).
    later = datetime.now(UTC) + timedelta(days=30)
    monkeypatch.setattr(SystemClock, "now", lambda self: later)
    expired = client.get("/r/dot-ngan", query_string={"lang": "en"})
    assert expired.status_code == 401
    assert "This link has expired" in expired.get_data(as_text=True)
    assert post(client, page, {"action": "submit"}, "/r/dot-ngan").status_code == 401


def test_posts_without_the_session_or_its_csrf_token_are_refused(admin, apps):
    tokens = setup_seed_round(admin)
    client, page = open_link(apps, tokens.links["ba-che"])
    data = {"chuong_trinh.so_cong_trinh": "5", "action": "draft"}
    missing = client.post(URL, data=data)
    assert missing.status_code == 403
    assert "Chưa gửi được" in missing.get_data(as_text=True)
    good = csrf_of(page)
    # Another last character for sure: a token that already ends in "0" would otherwise be sent
    # unchanged (1 run in 16 failed that way).
    wrong = client.post(URL, data={**data, "csrf": good[:-1] + ("1" if good.endswith("0") else "0")})
    assert wrong.status_code == 403
    other_session, _ = open_link(apps, tokens.links["hai-quan"])
    assert other_session.post(URL, data={**data, "csrf": csrf_of(page)}).status_code == 403
    anonymous = apps["web_form"].test_client().post(URL, data={**data, "csrf": csrf_of(page)})
    assert anonymous.status_code == 401
    assert stored(f"rounds/{ROUND}/entries/ba-che") is None
    assert post(client, page, data).status_code == 303  # the same post with its token is fine


def test_post_shows_errors_next_to_fields_and_keeps_values_then_accepts(admin, apps):
    tokens = setup_seed_round(admin)
    client, page = open_link(apps, tokens.links["ba-che"])
    form = {
        "chuong_trinh.xay_dung_chuong_trinh.status": "yes",
        "chuong_trinh.xay_dung_chuong_trinh.score": "80",
        "chuong_trinh.so_cong_trinh": "<b>mười</b>",
        "action": "submit",
    }
    response = post(client, page, form)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    score_error = re.search(
        r'<p class="error" id="(f-chuong_trinh-xay_dung_chuong_trinh-score-error)" role="alert">([^<]*)', html
    )
    assert score_error.group(2) == "Nhập điểm từ 0 đến 8."
    score_input = re.search(r'<input[^>]*id="f-chuong_trinh-xay_dung_chuong_trinh-score"[^>]*>', html).group(0)
    assert 'aria-invalid="true"' in score_input
    assert score_error.group(1) in score_input  # aria-describedby names the error
    assert 'value="80"' in score_input  # kept
    assert 'value="&lt;b&gt;mười&lt;/b&gt;"' in html  # kept, and escaped
    assert "<b>mười</b>" not in html
    summary = re.search(
        r'<div class="notice error-notice" role="alert" id="error-summary"[^>]*>(.*?)</div>', html, re.S
    )
    # The checklist item's score is what is wrong: the summary says so and links to it.
    assert 'href="#f-chuong_trinh-xay_dung_chuong_trinh-score"' in summary.group(1)
    assert "Nhập điểm từ 0 đến 8." in summary.group(1)
    assert list(wiring.context().store.list(f"rounds/{ROUND}/submissions")) == []

    fixed = {**form, "action": "draft", "chuong_trinh.so_cong_trinh": "5"}
    fixed["chuong_trinh.xay_dung_chuong_trinh.score"] = "6"
    draft = post(client, response, fixed)
    assert draft.status_code == 303
    assert draft.headers["Location"] == f"../r/{ROUND}?lang=vi&saved=draft"
    # Where the unit was (the script names it) is where the saved page opens; only an id.
    back = post(client, response, {**fixed, "at": "f-danh_gia-han_che-field"})
    assert back.headers["Location"] == f"../r/{ROUND}?lang=vi&saved=draft#f-danh_gia-han_che-field"
    for odd in ("javascript:alert(1)", "x#y", "A"):
        assert post(client, response, {**fixed, "at": odd}).headers["Location"].endswith("saved=draft")
    again = client.get(URL, query_string={"saved": "draft"}).get_data(as_text=True)
    assert "Đã lưu bản nháp." in again
    assert 'name="chuong_trinh.so_cong_trinh" value="5"' in again


def test_without_javascript_rows_are_added_and_removed_and_totals_shown(admin, apps):
    tokens = setup_seed_round(admin)
    client, page = open_link(apps, tokens.links["ba-che"])
    form = {
        f"{GROUP}.0.ten": "Đường điện thắp sáng khu dân cư",
        f"{GROUP}.0.gia_tri": "45,5",
        f"{GROUP}.1.ten": "",  # an empty row is no row
        f"{GROUP}.2.ten": "Sân chơi thiếu nhi",
        "chuong_trinh.diem_chuong_trinh": "999",  # read-only: recomputed by the server
        "chuong_trinh.xay_dung_chuong_trinh.status": "yes",
        "chuong_trinh.xay_dung_chuong_trinh.score": "7",
        "chuong_trinh.cong_tac_giao_duc.score": "6,5",
        "von_vay.co_quan_ly_von_vay": "false",
    }
    # "Add an item" draws the page again with one more blank row and saves nothing.
    added = post(client, page, {**form, "action": f"add:{GROUP}"})
    html = added.get_data(as_text=True)
    assert added.status_code == 200
    assert f'name="{GROUP}.1.ten" value="Sân chơi thiếu nhi"' in html
    assert f'name="{GROUP}.2.ten" value=""' in html
    assert f'name="{GROUP}.3.ten" value=""' in html  # the blank row posted, and one more
    assert f'name="{GROUP}.4.ten"' not in html
    assert stored(f"rounds/{ROUND}/entries/ba-che") is None
    # The totals and the loan figures' relevance, as the rules say, for a page without script.
    assert re.search(r'data-calc="chuong_trinh.diem_chuong_trinh"[^>]*>13,5</output>', html)
    loan = re.search(r'data-path="von_vay.du_no">(.*?)</div>', html, re.S).group(1)
    assert "Không cần trả lời với các lựa chọn hiện tại" in loan

    removed = post(client, added, {**form, "action": f"remove:{GROUP}.0"})
    html = removed.get_data(as_text=True)
    assert f'name="{GROUP}.0.ten" value="Sân chơi thiếu nhi"' in html
    assert "Đường điện thắp sáng khu dân cư" not in html

    draft = post(client, removed, {**form, "action": "draft"})
    assert draft.status_code == 303
    saved = stored(f"rounds/{ROUND}/entries/ba-che")["draft"]
    assert saved["chuong_trinh"]["cong_trinh_tieu_bieu"] == [
        {"ten": "Đường điện thắp sáng khu dân cư", "gia_tri": 45.5},
        {"ten": "Sân chơi thiếu nhi"},
    ]
    assert "diem_chuong_trinh" not in saved["chuong_trinh"]
    html = client.get(URL).get_data(as_text=True)
    assert f'name="{GROUP}.1.ten" value="Sân chơi thiếu nhi"' in html
    assert f'name="{GROUP}.2.ten" value=""' in html  # one blank row to fill in
    assert 'value="45,5"' in html  # a stored number shows as it reads back, not 45,50 or 45.5


def test_submit_shows_a_receipt_once_per_page_and_the_closed_form_is_read_only(admin, apps):
    tokens = setup_seed_round(admin)
    client, page = open_link(apps, tokens.links["tien-yen"], lang="en")
    fields = [*form_fields(seed_answers("tien-yen")), ("action", "submit"), ("csrf", csrf_of(page))]
    key = re.search(r'name="submission_key" value="([^"]+)"', page.get_data(as_text=True)).group(1)
    fields = MultiDict([*fields, ("submission_key", key)])
    sent = client.post(URL, query_string={"lang": "en"}, data=fields)
    assert sent.status_code == 303, sent.get_data(as_text=True)[:3000]
    assert sent.headers["Location"] == f"../r/{ROUND}/receipt?lang=en"
    # The same page sent twice (a double tap) is one revision.
    assert client.post(URL, query_string={"lang": "en"}, data=fields).status_code == 303
    receipt = client.get(f"{URL}/receipt", query_string={"lang": "en"})
    text = receipt.get_data(as_text=True)
    assert receipt.status_code == 200
    assert '<dd id="submission-id">tien-yen-0001</dd>' in text
    assert '<dd id="revision">1</dd>' in text
    assert "(UTC+07:00)" in text  # in the round's time zone
    assert receipt.headers["Cache-Control"] == "no-store"
    entry = stored(f"rounds/{ROUND}/entries/tien-yen")
    assert (entry["state"], entry["revision"]) == ("submitted", 1)
    assert entry["submission_id"] == "tien-yen-0001"
    assert stored(f"rounds/{ROUND}/submissions/tien-yen-0001")["answers"]["chuong_trinh"]["diem_chuong_trinh"] == 45
    # What was sent: the totals the form computed, a copy to print, and what happens next.
    totals = dict(re.findall(r'<tr><th scope="row">([^<]+)</th><td>([^<]+)</td></tr>', text))
    assert len(totals) == 8  # one per section with a score
    assert "45" in totals.values()
    assert f'href="../../r/{ROUND}/copy?lang=en"' in text
    assert "The inspectors will review the report" in text
    assert re.search(r"submit again until \d\d:\d\d \d\d/\d\d/\d{4} \(UTC\+07:00\)", text)
    copy = client.get(f"{URL}/copy", query_string={"lang": "en"})
    copied = unescape(copy.get_data(as_text=True))
    assert copy.status_code == 200
    assert "Copy of revision 1" in copied
    assert "tien-yen-0001" in copied
    seed = seed_answers("tien-yen")
    assert seed["danh_gia"]["diem_manh"] in copied  # the unit's own answers, as sent
    assert copied.count("<dt>") > 40
    assert "@media print" in client.get(
        re.search(r'href="\.\./\.\./(assets/form\.css[^"]*)"', text).group(1).replace("&amp;", "&")
    ).get_data(as_text=True)

    # The inspectors return it with a comment next to one field.
    comments = {
        "comments": {
            "von_vay.du_no": "Số dư nợ chưa khớp <sổ sách>.",
            "chuong_trinh.cong_trinh_tieu_bieu.0.ten": "Ghi rõ tên công trình.",
            "chuong_trinh.so_cong_trinh": "Đếm lại.",
        },
        "message": "Bổ sung số liệu.",
    }
    assert admin("POST", f"/rounds/{ROUND}/submissions/tien-yen/return", comments).status_code == 200
    html = client.get(URL).get_data(as_text=True)
    assert "Báo cáo được trả lại để bổ sung, sửa chữa" in html
    # The banner lists each field with a comment, in the form's order, linking to it.
    banner = re.search(r'<div class="notice returned" role="alert" id="returned">(.*?)</div>', html, re.S).group(1)
    links = re.findall(r'<li><a href="#([^"]+)">([^<]+)</a>: ([^<]+)</li>', banner)
    assert [anchor for anchor, _, _ in links] == [
        "f-chuong_trinh-so_cong_trinh-field",
        "f-chuong_trinh-cong_trinh_tieu_bieu-0-ten-field",
        "f-von_vay-du_no-field",
    ]
    assert links[1][1] == "Công trình, phần việc thanh niên tiêu biểu (1): Tên công trình, phần việc"
    assert links[2][2] == "Số dư nợ chưa khớp &lt;sổ sách&gt;."
    for anchor, _, _ in links:
        assert f'id="{anchor}"' in html
    comment = re.search(r'<p class="comment" id="f-von_vay-du_no-comment">(.*?)</p>', html, re.S).group(1)
    assert "Số dư nợ chưa khớp &lt;sổ sách&gt;." in comment
    assert 'aria-describedby="f-von_vay-du_no-comment"' in html

    assert admin("POST", f"/rounds/{ROUND}/close").status_code == 200
    closed = client.get(URL).get_data(as_text=True)
    assert "Đợt kiểm tra đã kết thúc: biểu mẫu chỉ để xem" in closed
    assert '<fieldset class="all" disabled>' in closed
    assert 'value="submit"' not in closed
    fields["submission_key"] = "another-page"
    refused = client.post(URL, data=fields)
    assert refused.status_code == 409
    assert "Đợt kiểm tra đã kết thúc, không nhận thêm báo cáo." in refused.get_data(as_text=True)


def test_static_files_are_served_with_a_long_cache_and_named_by_content(admin, apps):
    tokens = setup_seed_round(admin)
    client, page = open_link(apps, tokens.links["ba-che"])
    html = page.get_data(as_text=True)
    for name, content_type in (
        ("form.js", "text/javascript"),
        ("logic.js", "text/javascript"),
        ("form.css", "text/css"),
    ):
        src = re.search(rf'"\.\./(assets/{re.escape(name)}\?v=[0-9a-f]{{16}})"', html).group(1)
        response = client.get(f"/{src}")
        assert response.status_code == 200
        assert response.headers["Content-Type"].startswith(content_type)
        assert "max-age=31536000" in response.headers["Cache-Control"]
        assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "The MIT License" in client.get("/assets/logic.js").get_data(as_text=True)
    for wrong in ("/assets/missing.js", "/assets/text.html.j2", "/assets/..%2Fform.html.j2", "/assets/.form.js"):
        assert client.get(wrong).status_code == 404


def test_labels_answers_and_rules_cannot_break_out_of_the_page(admin, apps):
    setup_seed_round(admin)  # the units
    hostile = "</script><script>window.__pwned = 1</script><b>"
    form = {
        "id": "mau-doc",
        "title": {"vi": f"Mẫu {hostile}"},
        "sections": [
            {
                "key": "a",
                "title": {"vi": "Phần <i>A</i>"},
                "fields": [
                    {"key": "loai", "type": "text", "label": {"vi": f"Loại {hostile}"}},
                    {
                        "key": "ghi_chu",
                        "type": "text",
                        "label": {"vi": "Ghi chú"},
                        "relevant": {"!=": [{"var": ["a.loai", ""]}, hostile]},
                    },
                ],
            }
        ],
    }
    assert admin("POST", "/forms", form).status_code == 201
    assert admin("POST", "/forms/mau-doc/versions").status_code == 201
    now = datetime.now(UTC)
    body = {"id": "dot-doc", "title": {"vi": "Đợt"}, "form_id": "mau-doc", "unit_ids": ["ba-che"],
            "opens_at": (now - timedelta(hours=1)).isoformat(),
            "closes_at": (now + timedelta(days=1)).isoformat()}  # fmt: skip
    assert admin("POST", "/rounds", body).status_code == 201
    admin("POST", "/rounds/dot-doc/open")
    form_url = admin("POST", "/rounds/dot-doc/tokens", {}).json["tokens"]["ba-che"]["form_url"]
    _, page = open_link(apps, link_secret(form_url), "dot-doc")
    html = page.get_data(as_text=True)
    assert hostile not in html
    assert "<script>window.__pwned" not in html
    assert "Loại &lt;/script&gt;&lt;script&gt;window.__pwned = 1&lt;/script&gt;&lt;b&gt;" in html
    rules = re.search(r'<script type="application/json" id="rules">(.*?)</script>', html, re.S).group(1)
    assert "\\u003c/script\\u003e" in rules  # the rule's string, escaped inside the JSON
    assert unescape(rules) == rules  # JSON, not HTML entities: the script parses it as is


def test_numbers_are_read_as_the_page_language_writes_them_and_ambiguous_ones_are_refused(admin, apps):
    tokens = setup_seed_round(admin)
    client, page = open_link(apps, tokens.links["ba-che"])
    decimal, whole = "chuong_trinh.gia_tri_cong_trinh", "chuong_trinh.so_luot_tham_gia"
    form = {decimal: "1.265", whole: "2.340", "chuong_trinh.cong_tac_giao_duc.score": "6,5", "action": "draft"}

    # "1.265" in a Vietnamese decimal field is 1265 or 1,265: refused, both readings shown,
    # what was typed kept, nothing stored (a draft neither).
    refused = post(client, page, form)
    html = unescape(refused.get_data(as_text=True))
    assert refused.status_code == 422
    message = "Chưa rõ “1.265” là 1265 hay 1,265: hãy nhập lại đúng số cần ghi, 1265 hoặc 1,265."
    error = re.search(r'<p class="error" id="f-chuong_trinh-gia_tri_cong_trinh-error" role="alert">([^<]*)', html)
    assert error.group(1) == message
    assert f'name="{decimal}" value="1.265"' in html
    assert message in re.search(r'id="error-summary"[^>]*>(.*?)</div>', html, re.S).group(1)
    assert f'name="{whole}" value="2340"' in html  # read, and shown as it reads back
    assert stored(f"rounds/{ROUND}/entries/ba-che") is None
    assert list(wiring.context().store.list(f"rounds/{ROUND}/submissions")) == []

    # Grouping and a decimal comma are read as meant.
    saved = post(client, refused, {**form, decimal: "1.265,5"})
    assert saved.status_code == 303, saved.get_data(as_text=True)[:2000]
    draft = stored(f"rounds/{ROUND}/entries/ba-che")["draft"]["chuong_trinh"]
    assert draft["gia_tri_cong_trinh"] == 1265.5
    assert draft["so_luot_tham_gia"] == 2340
    assert draft["cong_tac_giao_duc"]["score"] == 6.5
    again = client.get(URL).get_data(as_text=True)
    assert f'name="{decimal}" value="1265,5"' in again  # reads back as itself
    assert 'inputmode="decimal" data-number="decimal"' in again
    assert re.search(rf'<input type="text" inputmode="numeric" data-number="whole"[^>]*name="{whole}"', again)

    # English the other way round: "1,265" is ambiguous there, "1,265.5" is not.
    english = client.get(URL, query_string={"lang": "en"})
    refused = client.post(URL, query_string={"lang": "en"}, data={"csrf": csrf_of(english), **form, decimal: "1,265"})
    assert refused.status_code == 422
    assert "“1,265” could be 1265 or 1.265" in unescape(refused.get_data(as_text=True))
    english_form = {**form, decimal: "1,265.5", whole: "12,340"}
    saved = client.post(URL, query_string={"lang": "en"}, data={"csrf": csrf_of(english), **english_form})
    assert saved.status_code == 303
    draft = stored(f"rounds/{ROUND}/entries/ba-che")["draft"]["chuong_trinh"]
    assert (draft["gia_tri_cong_trinh"], draft["so_luot_tham_gia"]) == (1265.5, 12340)


def test_an_unreadable_number_is_shown_with_the_other_errors_of_a_submit(admin, apps):
    tokens = setup_seed_round(admin)
    client, page = open_link(apps, tokens.links["ba-che"])
    form = {
        f"{GROUP}.0.ten": "Sân chơi",
        f"{GROUP}.0.gia_tri": "12.500",
        "chuong_trinh.so_cong_trinh": "2,5",
        "chuong_trinh.xay_dung_chuong_trinh.status": "yes",
        "chuong_trinh.xay_dung_chuong_trinh.score": "80",
        "action": "submit",
    }
    refused = post(client, page, form)
    html = unescape(refused.get_data(as_text=True))
    assert refused.status_code == 422
    errors = dict(re.findall(r'<p class="error" id="([^"]+)" role="alert">([^<]*)', html))
    assert errors["f-chuong_trinh-cong_trinh_tieu_bieu-0-gia_tri-error"].startswith(
        "Chưa rõ “12.500” là 12500 hay 12,5"
    )
    assert (
        errors["f-chuong_trinh-so_cong_trinh-error"]
        == "Hãy nhập một số nguyên, không có phần thập phân, ví dụ 2.340 hoặc 15."
    )
    # The schema's own errors come with them: the out-of-range score, a required field.
    assert errors["f-chuong_trinh-xay_dung_chuong_trinh-score-error"] == "Nhập điểm từ 0 đến 8."
    assert len(errors) > 3
    assert f'name="{GROUP}.0.gia_tri" value="12.500"' in html
    assert list(wiring.context().store.list(f"rounds/{ROUND}/submissions")) == []
    assert stored(f"rounds/{ROUND}/entries/ba-che") is None


def test_the_scripts_background_draft_is_answered_with_json(admin, apps):
    """draft.js saves the draft as the unit types: the same post as "Lưu nháp", answered with
    when it was saved and the stamp the page's copy on the phone is then made on top of."""
    tokens = setup_seed_round(admin)
    client, page = open_link(apps, tokens.links["ba-che"])
    html = page.get_data(as_text=True)
    assert f'data-draft-key="checkround:{ROUND}:ba-che:v1"' in html
    assert 'data-stamp="/0"' in html  # no draft, no revision yet

    saved = post(client, page, {"action": "draft", "background": "1", "danh_gia.diem_manh": "Giữ nguyên"})
    assert saved.status_code == 200
    assert saved.headers["Content-Type"] == "application/json"
    reply = saved.get_json()
    at = stored(f"rounds/{ROUND}/entries/ba-che")["draft_saved_at"]
    assert reply["stamp"] == f"{at.isoformat()}/0"
    assert re.fullmatch(r"\d\d:\d\d", reply["saved_at"])
    assert stored(f"rounds/{ROUND}/entries/ba-che")["draft"]["danh_gia"]["diem_manh"] == "Giữ nguyên"
    # The page drawn next carries the same stamp, so the copy on the phone is put back over it.
    assert f'data-stamp="{reply["stamp"]}"' in client.get(URL).get_data(as_text=True)

    refused = post(client, page, {"action": "draft", "background": "1", "chuong_trinh.so_cong_trinh": "mười"})
    assert refused.status_code == 422
    assert refused.get_json()["message"]
    assert stored(f"rounds/{ROUND}/entries/ba-che")["draft"]["danh_gia"]["diem_manh"] == "Giữ nguyên"
    forged = client.post(URL, data={"action": "draft", "background": "1", "csrf": "x"})
    assert forged.status_code == 403


def test_dates_are_typed_day_first_and_a_date_outside_the_limits_says_which(admin, apps):
    tokens = setup_seed_round(admin)
    client, page = open_link(apps, tokens.links["ba-che"])
    day = "danh_gia.ngay_kiem_tra"
    errors = {}
    for typed in ("21/06/2019", "hôm qua"):
        refused = post(client, page, {day: typed, "action": "draft"})
        html = unescape(refused.get_data(as_text=True))
        assert refused.status_code == 422
        errors[typed] = re.search(r'id="f-danh_gia-ngay_kiem_tra-error" role="alert">([^<]*)', html).group(1)
        assert f'name="{day}" value="{typed}"' in html  # kept as typed
    assert errors == {
        "21/06/2019": "Hãy chọn một ngày từ 12/06/2019 đến 20/06/2019.",
        "hôm qua": "Hãy nhập ngày theo dạng ngày/tháng/năm, ví dụ 14/06/2019.",
    }
    assert stored(f"rounds/{ROUND}/entries/ba-che") is None

    assert post(client, page, {day: "14/6/2019", "action": "draft"}).status_code == 303
    assert stored(f"rounds/{ROUND}/entries/ba-che")["draft"]["danh_gia"]["ngay_kiem_tra"] == "2019-06-14"
    assert f'name="{day}" value="14/06/2019"' in client.get(URL).get_data(as_text=True)
    english = client.get(URL, query_string={"lang": "en"})
    refused = client.post(URL, query_string={"lang": "en"}, data={"csrf": csrf_of(english), day: "2019-06-11"})
    assert "Choose a date from 12/06/2019 to 20/06/2019." in refused.get_data(as_text=True)


def submission_key_of(page):
    return re.search(r'name="submission_key" value="([^"]+)"', page.get_data(as_text=True)).group(1)


def test_after_an_unanswered_submit_the_page_keeps_its_key_and_sending_again_stores_once(admin, apps, monkeypatch):
    from tests.integration.faults import lose_next_answer

    tokens = setup_seed_round(admin)
    client, page = open_link(apps, tokens.links["mong-cai"])
    key = submission_key_of(page)
    fields = MultiDict(
        [*form_fields(seed_answers("mong-cai")), ("action", "submit"), ("submission_key", key), ("csrf", csrf_of(page))]
    )
    lost = lose_next_answer(monkeypatch, wiring.context().store)
    unanswered = client.post(URL, data=fields)
    assert lost == [0]
    assert unanswered.status_code == 503
    assert "chưa rõ nội dung đã được lưu hay chưa" in unanswered.get_data(as_text=True)
    assert stored(f"rounds/{ROUND}/entries/mong-cai")["revision"] == 1  # it was stored after all
    assert submission_key_of(unanswered) == key  # the page drawn again keeps the key it posted
    # The person presses submit again on that page: the same submission, not a second one.
    again = client.post(URL, data=fields)
    assert again.status_code == 303, again.get_data(as_text=True)[:2000]
    assert stored(f"rounds/{ROUND}/entries/mong-cai")["revision"] == 1
    assert stored(f"rounds/{ROUND}/submissions/mong-cai-0002") is None


def test_an_unread_number_in_a_field_the_rules_hide_is_not_kept_and_refuses_nothing(admin, apps):
    # Without JavaScript a hidden field still posts; its answer is not kept, so neither is a
    # text in it that could not be read, and it stops nothing.
    tokens = setup_seed_round(admin)
    client, page = open_link(apps, tokens.links["ba-che"])
    form = {"von_vay.co_quan_ly_von_vay": "false", "von_vay.du_no": "1.265", "action": "draft"}
    assert post(client, page, form).status_code == 303
    assert "du_no" not in stored(f"rounds/{ROUND}/entries/ba-che")["draft"]["von_vay"]
    # Shown again, the same text is refused.
    refused = post(client, page, {**form, "von_vay.co_quan_ly_von_vay": "true"})
    assert refused.status_code == 422
    assert "Chưa rõ “1.265” là 1265 hay 1,265" in unescape(refused.get_data(as_text=True))


def test_a_logged_link_is_no_api_token_and_the_session_holds_no_secret(admin, apps, unit_client):
    tokens = setup_seed_round(admin)
    link = tokens.links["hai-quan"]  # what a request log would show of the first visit
    assert link != tokens["hai-quan"]
    refused = unit_client(link)("GET", f"/rounds/{ROUND}/form")
    assert refused.status_code == 401
    assert refused.json["error"]["code"] == "unauthenticated"
    assert unit_client(tokens["hai-quan"])("GET", f"/rounds/{ROUND}/form").status_code == 200
    # Exchanged for the session: the cookie carries neither the link nor the API token.
    client = apps["web_form"].test_client()
    first = client.get(URL, query_string={"t": link})
    cookie = first.headers["Set-Cookie"]
    assert link not in cookie
    assert tokens["hai-quan"] not in cookie
    assert client.get(URL).status_code == 200
    # The API token is not a link either, and revoking the unit's links ends the session.
    assert apps["web_form"].test_client().get(URL, query_string={"t": tokens["hai-quan"]}).status_code == 401
    assert admin("POST", f"/rounds/{ROUND}/tokens/revoke", {"unit_ids": ["hai-quan"]}).json == {"revoked": 1}
    assert client.get(URL).status_code == 401


SWITCH = {"switch": "1"}


def test_another_units_link_asks_before_it_switches_the_session(admin, apps):
    tokens = setup_seed_round(admin)
    client, page = open_link(apps, tokens.links["ba-che"])
    assert "BTV Huyện Đoàn Ba Chẽ" in page.get_data(as_text=True)
    # A link to another unit of the same round, say from a page on another site.
    other = client.get(URL, query_string={"t": tokens.links["tien-yen"]})
    assert other.status_code == 303
    assert other.headers["Location"] == f"../r/{ROUND}?switch=1"
    assert cookie_name(ROUND) + "=" not in other.headers.get("Set-Cookie", "")
    still = client.get(URL).get_data(as_text=True)
    assert "BTV Huyện Đoàn Ba Chẽ" in still
    assert "BTV Huyện Đoàn Tiên Yên" not in still
    asked = client.get(URL, query_string=SWITCH)
    question = asked.get_data(as_text=True)
    assert asked.status_code == 200
    assert "Trình duyệt này đang mở báo cáo của BTV Huyện Đoàn Ba Chẽ trong đợt kiểm tra này." in question
    assert "Đường dẫn vừa mở là của BTV Huyện Đoàn Tiên Yên." in question
    assert "<script" not in question  # a plain form: no script needed
    english = client.get(URL, query_string={"switch": "1", "lang": "en"}).get_data(as_text=True)
    assert "This browser has the report of " in english
    assert "The link you just opened belongs to Tien Yen District Youth Union." in english
    assert 'href="?switch=1&amp;lang=vi"' in english  # the other language asks the same question
    # Without the session's CSRF token (a post from another site) nothing moves.
    forged = client.post(URL, query_string=SWITCH, data={"action": "switch"})
    assert forged.status_code == 403
    assert "BTV Huyện Đoàn Tiên Yên" not in client.get(URL).get_data(as_text=True)
    stayed = client.post(URL, query_string=SWITCH, data={"action": "stay", "csrf": csrf_of(asked)})
    assert stayed.status_code == 303
    assert "BTV Huyện Đoàn Ba Chẽ" in client.get(URL).get_data(as_text=True)
    assert client.get(URL, query_string=SWITCH).status_code == 303  # nothing left to confirm
    # Asked again and confirmed: now the session is the other unit's.
    client.get(URL, query_string={"t": tokens.links["tien-yen"]})
    asked = client.get(URL, query_string=SWITCH)
    switched = client.post(URL, query_string=SWITCH, data={"action": "switch", "csrf": csrf_of(asked)})
    assert switched.status_code == 303
    assert switched.headers["Location"] == f"../r/{ROUND}?lang=vi"
    now = client.get(URL).get_data(as_text=True)
    assert "BTV Huyện Đoàn Tiên Yên" in now
    assert "BTV Huyện Đoàn Ba Chẽ" not in now
    # The unit's own link again (another device's session, a reissued link) needs no question.
    assert client.get(URL, query_string={"t": tokens.links["tien-yen"]}).headers["Location"] == f"../r/{ROUND}"


def test_a_cross_site_post_to_the_switch_changes_nothing(admin, apps):
    tokens = setup_seed_round(admin)
    client, _ = open_link(apps, tokens.links["ba-che"])
    client.get(URL, query_string={"t": tokens.links["tien-yen"]})
    stranger = apps["web_form"].test_client()  # a cross-site post arrives without the Lax cookies
    assert stranger.post(URL, query_string=SWITCH, data={"action": "switch"}).status_code == 401
    assert "BTV Huyện Đoàn Ba Chẽ" in client.get(URL).get_data(as_text=True)


def test_a_missing_session_says_to_reopen_the_link_and_names_the_rounds_contact(admin, apps):
    setup_seed_round(admin)
    contact = {"name": "Chị Lan (Văn phòng Tỉnh đoàn)", "phone": "0203 3825 123", "email": "vanphong@tinhdoan.example"}
    # The contact is checked: a name and a way to reach them.
    for wrong in ({"name": "Lan"}, {"name": "Lan", "email": "not-an-address"}, {"name": "", "phone": "0203"}):
        refused = admin("POST", "/rounds", {"id": "dot-sai", **_round_body(), "contact": wrong})
        assert refused.status_code == 422, wrong
        assert "contact" in refused.json["error"]["fields"]
    create_round(admin, "dot-lien-he", ["ba-che"], contact=contact)
    assert stored("rounds/dot-lien-he")["contact"] == contact
    schemas = apps["admin_api"].test_client().get("/openapi.json").get_json()["components"]["schemas"]
    assert {"name", "phone", "email"} <= set(schemas["ContactInput"]["properties"])

    # A browser without the session (a new phone, cookies cleared): reopen the link, or ask her.
    page = apps["web_form"].test_client().get("/r/dot-lien-he")
    html = unescape(page.get_data(as_text=True))
    assert page.status_code == 401
    assert "Hãy mở lại đúng đường dẫn đã gửi cho đơn vị" in html
    assert "Nếu không còn đường dẫn, hãy liên hệ: <strong>Chị Lan (Văn phòng Tỉnh đoàn)</strong>" in html
    assert 'href="tel:02033825123"' in html
    assert 'href="mailto:vanphong@tinhdoan.example"' in html
    # A round without a contact, or an unknown round: the page still says what to do.
    other = apps["web_form"].test_client().get(URL, query_string={"lang": "en"})
    assert "Open the link your unit was sent" in other.get_data(as_text=True)
    assert 'id="contact"' not in other.get_data(as_text=True)
    assert apps["web_form"].test_client().get("/r/khong-co").status_code == 401


def _round_body():
    now = datetime.now(UTC)
    body = {k: v for k, v in seed_round_template().items() if k not in ("opens_at", "closes_at")}
    return {
        **body,
        "unit_ids": ["ba-che"],
        "opens_at": now.isoformat(),
        "closes_at": (now + timedelta(days=1)).isoformat(),
    }


def test_a_paged_form_without_javascript_comes_back_on_the_page_it_was_posted_from(admin, apps):
    """A row added or a draft saved on page 2 of a form of one section per page: the page that
    comes back is page 2 (it was page 1, the row and the place out of sight)."""
    rows = [{"key": "ten", "type": "text", "label": {"vi": "Hoạt động"}}]
    form = {
        "id": "mau-trang",
        "title": {"vi": "Mẫu từng trang"},
        "appearance": "pages",
        "sections": [
            {"key": "a", "title": {"vi": "Phần A"}, "fields": [{"key": "x", "type": "text", "label": {"vi": "X"}}]},
            {
                "key": "b",
                "title": {"vi": "Phần B"},
                "fields": [{"key": "hd", "type": "repeat", "label": {"vi": "Các hoạt động"}, "fields": rows}],
            },
        ],
    }
    setup_seed_round(admin)  # the units
    assert admin("POST", "/forms", form).status_code == 201
    assert admin("POST", "/forms/mau-trang/versions").status_code == 201
    tokens = create_round(admin, "dot-trang", ["ba-che"], form_id="mau-trang", form_version=1)
    client, page = open_link(apps, tokens.links["ba-che"], "dot-trang", page="b")

    def shown_section(html):
        return re.findall(r'<section class="section" id="s-(\w+)"', html)

    assert shown_section(page.get_data(as_text=True)) == ["b"]
    data = {"page": "b", "b.hd.0.ten": "Hội trại", "action": "add:b.hd"}
    added = post(client, page, data, url="/r/dot-trang")
    html = added.get_data(as_text=True)
    assert shown_section(html) == ["b"]
    assert 'name="b.hd.1.ten"' in html  # the row added, on the page in sight
    saved = post(client, added, {**data, "action": "draft"}, url="/r/dot-trang")
    assert saved.status_code == 303
    assert "page=b" in saved.headers["Location"]
    assert "saved=draft" in saved.headers["Location"]
