"""The committee's official document (issue 18) through admin_api and the Firestore emulator:
the draft after the close, edited, previewed and issued; the issued PDF (pdftotext) and DOCX
(python-docx) hold the administrative layout; an issued document never changes; reopening the
round makes a new draft."""

from __future__ import annotations

import hashlib
import io
import subprocess
from datetime import date

import docx
import pytest

from checkround import wiring
from tests.integration.console_helpers import csrf_of, post_form, signed_in
from tests.integration.helpers import setup_seed_round
from tests.integration.test_assessments import ROUND, seed_assessment, submit
from tests.support import SCHEMAS, _yaml

pytestmark = pytest.mark.integration

DOC = f"/rounds/{ROUND}/document"


def pdf_text(data: bytes) -> str:
    done = subprocess.run(["pdftotext", "-layout", "-", "-"], input=data, capture_output=True, check=True)
    return " ".join(done.stdout.decode().split())


def docx_text(data: bytes) -> str:
    document = docx.Document(io.BytesIO(data))
    lines = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            lines += [cell.text for cell in row.cells]
    return " ".join(" ".join(lines).split())


@pytest.fixture
def closed_round(admin, unit_client):
    assert admin("PUT", "/document-settings", _yaml(SCHEMAS / "seed" / "document.yaml")).status_code == 200
    tokens = setup_seed_round(admin)
    for unit_id in ("tien-yen", "mong-cai"):
        submit(unit_client, tokens, unit_id)
        saved = admin("PUT", f"/rounds/{ROUND}/assessments/{unit_id}", {"answers": seed_assessment(unit_id)})
        assert saved.status_code == 200, saved.json
    assert admin("GET", DOC).json["error"]["code"] == "round_not_closed"  # no report before the close
    assert admin("POST", f"/rounds/{ROUND}/close").status_code == 200
    return tokens


LAYOUT = (
    "ĐOÀN TNCS HỒ CHÍ MINH",
    "BAN CHẤP HÀNH TỈNH ĐOÀN QUẢNG NINH",
    "BÁO CÁO",
    "T/M BAN THƯỜNG VỤ",
    "PHÓ BÍ THƯ",
    "Nguyễn Thị Minh Hạnh",
    "Nơi nhận:",
    "- Thường trực Tỉnh ủy (b/c);",
    "- Lưu VP, TĐTN.",
)


def test_the_draft_is_edited_previewed_and_issued_as_an_official_document(admin, closed_round):
    draft = admin("GET", DOC).json
    assert draft["state"] == "draft"
    assert draft["edited"] == []
    written = draft["narrative"]
    # Prose from the data, naming the units where it names them: not the units' paragraphs.
    assert "2/7 đơn vị đã gửi báo cáo" in written["overall"]
    assert "BTV Huyện Đoàn Móng Cái" in written["overall"]  # the lowest score, named
    assert seed_assessment("tien-yen")["doan_kiem_tra"]["han_che"] not in written["however"]
    assert "Phụ lục 1" in written["however"]

    opening = "Các đơn vị đã chuẩn bị chu đáo báo cáo và hồ sơ phục vụ Đoàn kiểm tra."
    edited = admin("PATCH", DOC, {"narrative": {"overall": opening + "\n\n" + written["overall"]}})
    assert edited.status_code == 200, edited.json
    assert edited.json["edited"] == ["overall"]
    preview = admin("GET", f"{DOC}/preview.pdf")
    assert preview.status_code == 200
    shown = pdf_text(preview.data)
    assert "DỰ THẢO" in shown
    assert "Số: …-BC/TĐTN" in shown
    assert "Quảng Ninh, ngày … tháng … năm …" in shown
    assert opening in shown

    issued = admin("POST", f"{DOC}/issue", {"number": 27, "issued_on": "2019-06-25"})
    assert issued.status_code == 200, issued.json
    assert issued.json["state"] == "issued"
    (entry,) = issued.json["issued"]
    assert entry["label"] == "Số: 27-BC/TĐTN"
    pdf = admin("GET", f"{DOC}/issued/1.pdf").data
    text = pdf_text(pdf)
    for part in (*LAYOUT, "Số: 27-BC/TĐTN", "Quảng Ninh, ngày 25 tháng 6 năm 2019", opening):
        assert part in text, part
    assert "DỰ THẢO" not in text
    word = docx_text(admin("GET", f"{DOC}/issued/1.docx").data)
    for part in (*LAYOUT, "Số: 27-BC/TĐTN", "Quảng Ninh, ngày 25 tháng 6 năm 2019", opening):
        assert part in word, part
    assert hashlib.sha256(pdf).hexdigest() == entry["sha256_pdf"]
    events = [e for e in admin("GET", f"/rounds/{ROUND}/audit").json["events"] if e["action"] == "issue"]
    assert [(e["number"], e["seq"]) for e in events] == [(27, 1)]


def test_an_issued_document_never_changes_and_reopening_makes_a_new_draft(admin, closed_round):
    issued = admin("POST", f"{DOC}/issue", {}).json["issued"][0]
    year = date.today().year
    assert issued["label"] == "Số: 1-BC/TĐTN"  # the first of the year
    assert issued["issued_on"].startswith(str(year))
    before = admin("GET", f"{DOC}/issued/1.pdf").data

    refused = admin("PATCH", DOC, {"narrative": {"closing": "Sửa sau khi ban hành"}}, headers={"Accept-Language": "en"})
    assert refused.status_code == 409
    assert "issued" in refused.json["error"]["message"]
    again = admin("POST", f"{DOC}/issue", {})
    assert again.status_code == 409
    assert admin("GET", f"{DOC}/issued/1.pdf").data == before

    assert admin("POST", f"/rounds/{ROUND}/reopen", {}).status_code == 200
    assert admin("POST", f"/rounds/{ROUND}/close").status_code == 200
    draft = admin("GET", DOC).json
    assert (draft["state"], draft["generation"]) == ("draft", 2)
    assert [item["seq"] for item in draft["issued"]] == [1]  # kept with its history
    assert admin("PATCH", DOC, {"narrative": {"closing": "Bản mới."}}).status_code == 200
    second = admin("POST", f"{DOC}/issue", {}).json["issued"]
    assert [item["label"] for item in second] == ["Số: 1-BC/TĐTN", "Số: 2-BC/TĐTN"]
    assert admin("GET", f"{DOC}/issued/1.pdf").data == before
    assert "Bản mới." in pdf_text(admin("GET", f"{DOC}/issued/2.pdf").data)
    stored = wiring.context().store.get(f"documents/{ROUND}")
    assert [item["generation"] for item in stored["issued"]] == [1, 2]


def test_document_requests_are_checked(admin, closed_round):
    bad = admin("PATCH", DOC, {"narrative": {"overall": 5}, "parts": {"number_suffix": "has space"}})
    assert bad.status_code == 422
    assert set(bad.json["error"]["fields"]) == {"narrative", "parts"}
    assert admin("POST", f"{DOC}/issue", {"number": 0}).status_code == 422
    assert admin("GET", f"{DOC}/issued/9.pdf").status_code == 404
    assert admin("GET", DOC).json["state"] == "draft"  # nothing changed


def test_the_committee_edits_previews_and_issues_in_the_console(admin, closed_round, console_app):
    client = signed_in(console_app, "van-phong")
    path = f"/admin_console/rounds/{ROUND}/document"
    page = client.get(path).get_data(as_text=True)
    assert "Nhìn chung" in page
    assert "2/7 đơn vị đã gửi báo cáo" in page  # the prose written from the data, to start from
    written = admin("GET", DOC).json["narrative"]
    # The page posts every part; only those changed become edits (the rest follow the data).
    posted = {**written, "overall": "Ban Thường vụ ghi nhận các đơn vị đã cố gắng.", "closing": "Hết./."}
    posted["however"] = posted["however"].replace("\n", "\r\n")  # as a browser posts a textarea
    saved = post_form(client, path, posted)
    assert saved.status_code == 303
    assert admin("GET", DOC).json["edited"] == ["closing", "overall"]
    preview = client.get(f"{path}/preview.pdf")
    assert preview.status_code == 200
    assert "Ban Thường vụ ghi nhận các đơn vị đã cố gắng." in pdf_text(preview.data)

    form = {"csrf": csrf_of(client.get(path).get_data(as_text=True))}
    issued = client.post(f"{path}/issue", data={**form, "number": "8", "issued_on": "2019-06-26"})
    assert issued.status_code == 303, issued.get_data(as_text=True)[:1000]
    after = client.get(path).get_data(as_text=True)
    assert "Số: 8-BC/TĐTN" in after
    assert '<fieldset class="all" disabled>' in after  # read-only once issued
    word = docx_text(client.get(f"{path}/issued/1.docx").data)
    assert "Số: 8-BC/TĐTN" in word
    assert "Quảng Ninh, ngày 26 tháng 6 năm 2019" in word
    refused = client.post(f"{path}/issue", data=form)
    assert refused.status_code == 409
    events = [e for e in admin("GET", f"/rounds/{ROUND}/audit").json["events"] if e["action"] == "issue"]
    assert [e["actor"] for e in events] == ["admin:van-phong"]


def test_the_committee_sets_the_header_and_signature_in_the_console(admin, closed_round, console_app):
    client = signed_in(console_app, "van-phong")
    path = f"/admin_console/rounds/{ROUND}/document"
    page = client.get(path).get_data(as_text=True)
    assert "Phần đầu và chữ ký" in page
    assert 'value="T/M BAN THƯỜNG VỤ"' in page  # prefilled from the effective parts
    before = admin("GET", DOC).json["parts"]
    posted = {
        "issuing_body": "BAN CHẤP HÀNH ĐOÀN KHỐI",
        "place": "Hạ Long",
        "on_behalf": "TM. BAN THƯỜNG VỤ",
        "signer_title": "BÍ THƯ",
        "signer_name": "Trần Văn Bình",
        "recipients": "- Ban Bí thư TW Đoàn (b/c);\r\n\r\n- Lưu VP.",
    }
    refused = client.post(f"{path}/parts", data=posted)  # no CSRF token
    assert refused.status_code in (400, 403)
    assert admin("GET", DOC).json["parts"] == before
    form = {"csrf": csrf_of(client.get(path).get_data(as_text=True))}
    bad = client.post(f"{path}/parts", data={**form, **posted, "place": ""})  # Vietnamese text is required
    assert bad.status_code == 422
    shown = bad.get_data(as_text=True)
    assert 'id="p-place-error"' in shown
    assert 'value="Trần Văn Bình"' in shown  # what was typed is kept
    assert admin("GET", DOC).json["parts"] == before
    saved = client.post(f"{path}/parts", data={**form, **posted})
    assert saved.status_code == 303, saved.get_data(as_text=True)[:1000]
    parts = admin("GET", DOC).json["parts"]
    assert parts["issuing_body"]["vi"] == "BAN CHẤP HÀNH ĐOÀN KHỐI"
    assert parts["place"]["vi"] == "Hạ Long"
    assert parts["on_behalf"] == {**before["on_behalf"], "vi": "TM. BAN THƯỜNG VỤ"}  # English kept
    assert parts["signer_title"]["vi"] == "BÍ THƯ"
    assert parts["signer_name"] == "Trần Văn Bình"
    assert [line["vi"] for line in parts["recipients"]] == ["- Ban Bí thư TW Đoàn (b/c);", "- Lưu VP."]
    text = pdf_text(client.get(f"{path}/preview.pdf").data)
    for expected in ("BAN CHẤP HÀNH ĐOÀN KHỐI", "Hạ Long", "TM. BAN THƯỜNG VỤ", "Trần Văn Bình", "- Lưu VP."):
        assert expected in text
