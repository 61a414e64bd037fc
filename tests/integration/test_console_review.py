"""The console's review pages on the emulator: a unit's report read-only with its revisions and
what changed; return with comments next to the fields (everything typed kept when refused);
accept (audited under the admin's name); a page drawn before the unit sent again says so and
changes nothing. The summary and exports page answers its files with the admin's session."""

from __future__ import annotations

import copy
import csv
import io
from html import unescape

import pytest

from tests.integration.console_helpers import console_app, csrf_of, signed_in  # noqa: F401
from tests.integration.helpers import setup_seed_round
from tests.support import seed_answers

pytestmark = pytest.mark.integration

ROUND = "kt-6-thang-2019"
UNIT = "mong-cai"
PAGE = f"/admin_console/rounds/{ROUND}/review/{UNIT}"


def html(answer):
    return unescape(answer.get_data(as_text=True))


def test_review_return_with_comments_then_accept(admin, unit_client, console_app):  # noqa: F811
    tokens = setup_seed_round(admin)
    unit = unit_client(tokens[UNIT])
    answers = seed_answers(UNIT)
    unit("POST", f"/rounds/{ROUND}/submission", {"answers": answers})
    changed = copy.deepcopy(answers)
    changed["danh_gia"]["han_che"] = "Sinh hoạt chi đoàn chưa đều."
    unit("POST", f"/rounds/{ROUND}/submission", {"answers": changed})
    client = signed_in(console_app, "thu-ky")

    listing = html(client.get(f"/admin_console/rounds/{ROUND}/review"))
    assert f"review/{UNIT}" in listing
    page = client.get(PAGE)
    text = html(page)
    assert page.status_code == 200
    assert "Sinh hoạt chi đoàn chưa đều." in text
    assert "Thay đổi từ lần gửi 1 đến lần 2" in text
    assert 'id="f-danh_gia.han_che"' in text
    assert 'class="answer-row changed" id="f-danh_gia.han_che"' in text
    csrf = csrf_of(text)

    # A return with nothing to say is refused next to the message box.
    empty = client.post(f"{PAGE}/return", data={"csrf": csrf, "revision": "2"})
    assert empty.status_code == 422
    assert "Ghi ít nhất một ý kiến" in html(empty)
    # From a page drawn on revision 1: refused, what was typed kept.
    comment = "Nêu rõ số buổi sinh hoạt."
    stale = client.post(
        f"{PAGE}/return",
        data={"csrf": csrf, "revision": "1", "comment.danh_gia.han_che": comment, "message": "Bổ sung"},
    )
    assert stale.status_code == 409
    assert "Đơn vị đã gửi lần 2" in html(stale)
    assert comment in html(stale)
    assert admin("GET", f"/rounds/{ROUND}").json["board"][0]["state"] in ("submitted", "missing")

    done = client.post(
        f"{PAGE}/return",
        data={"csrf": csrf, "revision": "2", "comment.danh_gia.han_che": comment, "message": "Bổ sung"},
    )
    assert done.status_code == 303
    assert unit("GET", f"/rounds/{ROUND}/form").json["returned"]["comments"] == {"danh_gia.han_che": comment}
    assert "Đã trả lại báo cáo cho đơn vị." in html(client.get(PAGE + "?done=returned"))

    unit("POST", f"/rounds/{ROUND}/submission", {"answers": answers})
    page = html(client.get(PAGE))
    assert "Ý kiến lần trước:" not in page  # the return is over once the unit sent again
    accepted = client.post(f"{PAGE}/accept", data={"csrf": csrf, "revision": "3", "accept_message": "Tốt."})
    assert accepted.status_code == 303
    view = unit("GET", f"/rounds/{ROUND}/form").json
    assert view["state"] == "accepted"
    assert view["accepted"]["by"] == "admin:thu-ky"
    page = html(client.get(PAGE))
    assert 'id="accepted-note"' in page
    assert 'id="accept-form"' not in page
    events = [e for e in admin("GET", f"/rounds/{ROUND}/audit").json["events"] if e["action"] in ("accept", "return")]
    assert [(e["action"], e["actor"]) for e in events] == [("return", "admin:thu-ky"), ("accept", "admin:thu-ky")]
    # An old revision can be read, and a post without the page's CSRF token changes nothing.
    assert "lần gửi sau cùng là lần 3" in html(client.get(PAGE + "?revision=1"))
    assert client.post(f"{PAGE}/return", data={"revision": "3", "message": "x"}).status_code == 403


def test_summary_page_and_its_files(admin, unit_client, console_app):  # noqa: F811
    tokens = setup_seed_round(admin)
    unit_client(tokens[UNIT])("POST", f"/rounds/{ROUND}/submission", {"answers": seed_answers(UNIT)})
    client = signed_in(console_app)
    page = html(client.get(f"/admin_console/rounds/{ROUND}/summary"))
    assert "Báo cáo tổng hợp được tạo tự động khi đợt kiểm tra kết thúc." in page
    assert 'id="render-again"' not in page  # only once the round is closed
    assert "CSV: Công trình, phần việc thanh niên tiêu biểu" in page  # a repeat group's own table
    export = client.get(f"/admin_console/rounds/{ROUND}/export.csv")
    assert export.status_code == 200
    assert "attachment" in export.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(export.get_data(as_text=True))))
    assert [row[0] for row in rows[2:]] == [UNIT]
    assert client.get(f"/admin_console/rounds/{ROUND}/export.xlsx").data[:2] == b"PK"
    assert client.get(f"/admin_console/rounds/{ROUND}/export.doc").status_code == 400
    pdf = client.get(f"/admin_console/rounds/{ROUND}/units/{UNIT}.pdf")
    assert pdf.data.startswith(b"%PDF")

    admin("POST", f"/rounds/{ROUND}/close")
    csrf = csrf_of(html(client.get(f"/admin_console/rounds/{ROUND}/summary")))
    again = client.post(f"/admin_console/rounds/{ROUND}/summary", data={"csrf": csrf})
    assert again.status_code == 303
    assert again.headers["Location"].endswith(f"rounds/{ROUND}/summary?rendered=rendered")
    page = html(client.get(f"/admin_console/rounds/{ROUND}/summary?rendered=rendered"))
    assert "Đã tạo xong báo cáo tổng hợp mới." in page
    assert client.get(f"/admin_console/rounds/{ROUND}/summary.pdf").data.startswith(b"%PDF")
    file = page.split(f"rounds/{ROUND}/summary/")[1].split('"')[0]
    assert client.get(f"/admin_console/rounds/{ROUND}/summary/{file}").data.startswith(b"%PDF")
    assert client.get(f"/admin_console/rounds/{ROUND}/summary/nope.pdf").status_code == 404
    # The round's form as a blank paper form, in the page's language.
    blank = client.get(f"/admin_console/rounds/{ROUND}/blank.pdf?lang=en")
    assert blank.data.startswith(b"%PDF")
    assert "kiem-tra-6-thang-2019-v1-en.pdf" in blank.headers["Content-Disposition"]
    # Without a session no file is given.
    assert console_app.test_client().get(f"/admin_console/rounds/{ROUND}/summary.pdf").status_code in (302, 303)


def test_the_audit_log_filters_by_action_and_unit(admin, unit_client, console_app):  # noqa: F811
    tokens = setup_seed_round(admin)
    for unit_id in (UNIT, "tien-yen"):
        unit_client(tokens[unit_id])("POST", f"/rounds/{ROUND}/submission", {"answers": seed_answers(unit_id)})
    admin("POST", f"/rounds/{ROUND}/submissions/{UNIT}/accept")
    client = signed_in(console_app)
    everything = html(client.get(f"/admin_console/rounds/{ROUND}/audit"))
    assert "Duyệt báo cáo" in everything
    assert "Cấp đường dẫn" in everything
    submits = html(client.get(f"/admin_console/rounds/{ROUND}/audit", query_string={"action": "submit"}))
    assert submits.count('<td data-label="Thao tác">Gửi báo cáo</td>') == 2
    assert "Cấp đường dẫn</td>" not in submits
    one = html(client.get(f"/admin_console/rounds/{ROUND}/audit", query_string={"unit": UNIT, "lang": "en"}))
    assert "Report accepted" in one
    assert "Report submitted" in one
    assert one.count("<tr>") - 1 == 3  # links issued to every unit, its submission, its acceptance (not the open)


def test_units_add_edit_and_a_roster_upload_previewed_then_applied(project, console_app):  # noqa: F811
    from checkround import wiring

    client = signed_in(console_app, "thu-ky")
    bad = _post(client, "/admin_console/units/new", {"id": "Ha Noi", "name": ""})
    assert bad.status_code == 422
    assert "Mã đơn vị chỉ gồm chữ thường" in html(bad)
    assert 'value="Ha Noi"' in html(bad)  # what was typed stays
    email = _post(
        client,
        "/admin_console/units/new",
        {"id": "tien-yen", "name": "Tiên Yên", "contact1_name": "Lan", "contact1_email": "x@"},
    )
    assert email.status_code == 422
    assert 'id="contact1_email-error"' in html(email)
    assert "Địa chỉ e-mail không hợp lệ." in html(email)  # the admin's language, not the check's English
    made = _post(client, "/admin_console/units/new", {"id": "tien-yen", "name": "Tiên Yên", "cluster": "cum-a"})
    assert made.status_code == 303
    edit = client.get("/admin_console/units/tien-yen/edit")
    stale_stamp = edit.get_data(as_text=True).split('name="stamp" value="')[1].split('"')[0]
    assert (
        _post(client, "/admin_console/units/tien-yen/edit", {"name": "Tiên Yên 2", "cluster": "cum-a"}).status_code
        == 303
    )
    stale = client.post(
        "/admin_console/units/tien-yen/edit",
        data={"csrf": csrf_of(html(edit)), "stamp": stale_stamp, "name": "Ghi đè"},
    )
    assert stale.status_code == 409
    assert wiring.context().store.get("units/tien-yen")["name"] == "Tiên Yên 2"

    roster_csv = "id,name,cluster\ntien-yen,Tiên Yên,cum-b\nba-che,Ba Chẽ,cum-b\n".encode()
    page = client.get("/admin_console/units/upload")
    sent = client.post(
        "/admin_console/units/upload",
        data={"csrf": csrf_of(html(page)), "roster": (io.BytesIO(roster_csv), "ds.csv")},
        content_type="multipart/form-data",
    )
    assert sent.status_code == 303
    preview_path = "/admin_console/" + sent.headers["Location"].split("../")[-1]
    preview = html(client.get(preview_path))
    assert "Thêm 1, sửa 1" in preview
    assert "cum-a" in preview
    assert "cum-b" in preview
    applied = _post(client, preview_path, {})
    assert applied.status_code == 303
    assert wiring.context().store.get("units/ba-che")["name"] == "Ba Chẽ"
    assert wiring.context().store.get("units/tien-yen")["cluster"] == "cum-b"
    units_page = html(client.get("/admin_console/units"))
    assert "Cụm thi đua: cum-b" in units_page
    broken = client.post(
        "/admin_console/units/upload",
        data={"csrf": csrf_of(html(page)), "roster": (io.BytesIO(b"ten\nx\n"), "ds.csv")},
        content_type="multipart/form-data",
    )
    assert broken.status_code == 422
    assert 'id="roster-error"' in html(broken)
    refused_csv = "id,name,contact_name,contact_email\nmoi,Mới,Lan,lan@\n".encode()
    sent = client.post(
        "/admin_console/units/upload",
        data={"csrf": csrf_of(html(page)), "roster": (io.BytesIO(refused_csv), "ds.csv")},
        content_type="multipart/form-data",
    )
    assert sent.status_code == 303, html(sent)[-1500:]
    refused = html(client.get("/admin_console/" + sent.headers["Location"].split("../")[-1]))
    assert "Dòng 2 (moi): contacts.0.email: Địa chỉ e-mail không hợp lệ." in refused
    assert 'id="apply"' not in refused


def _post(client, path, data):
    """Post as the page at ``path`` does: its CSRF token and its stamp, if it has one."""
    page = html(client.get(path))
    hidden = {"csrf": csrf_of(page)}
    if 'name="stamp" value="' in page:
        hidden["stamp"] = page.split('name="stamp" value="')[1].split('"')[0]
    return client.post(path, data={**hidden, **data})


def test_an_admin_enters_a_paper_report_on_the_units_behalf(admin, console_app):  # noqa: F811
    from werkzeug.datastructures import MultiDict

    from tests.integration.test_web_form import form_fields

    setup_seed_round(admin)
    client = signed_in(console_app, "thu-ky")
    path = f"/admin_console/rounds/{ROUND}/enter/ba-che"
    page = html(client.get(path))
    assert 'name="chuong_trinh.xay_dung_chuong_trinh.status"' in page  # the web form's widgets
    csrf = csrf_of(page)
    typed = "Một ghi chú đã gõ"
    incomplete = client.post(path, data=MultiDict([("csrf", csrf), ("action", "submit"), ("danh_gia.han_che", typed)]))
    assert incomplete.status_code == 422
    assert 'id="error-summary"' in html(incomplete)
    assert typed in html(incomplete)
    assert admin("GET", f"/rounds/{ROUND}/submissions/ba-che").json["state"] == "missing"

    fields = [*form_fields(seed_answers("tien-yen")), ("action", "submit"), ("csrf", csrf), ("submission_key", "k-1")]
    sent = client.post(path, data=MultiDict(fields))
    assert sent.status_code == 303, html(sent)[:3000]
    assert sent.headers["Location"].endswith(f"rounds/{ROUND}/review/ba-che?done=entered")
    (revision,) = admin("GET", f"/rounds/{ROUND}/submissions/ba-che/revisions").json["revisions"]
    assert revision["entered_by"] == "admin:thu-ky"
    again = client.post(path, data=MultiDict(fields))  # the same page sent twice: one revision
    assert again.status_code == 303
    assert len(admin("GET", f"/rounds/{ROUND}/submissions/ba-che/revisions").json["revisions"]) == 1
    review = html(client.get(f"/admin_console/rounds/{ROUND}/review/ba-che?done=entered"))
    assert "nhập thay bởi admin:thu-ky" in review
    event = next(e for e in admin("GET", f"/rounds/{ROUND}/audit").json["events"] if e["action"] == "submit")
    assert (event["actor"], event["unit_id"]) == ("admin:thu-ky", "ba-che")
