"""The committee's official document (issue 18) through admin_api and the Firestore emulator:
the draft after the close, edited, previewed and issued; the issued PDF (pdftotext) and DOCX
(python-docx) hold the administrative layout; an issued document never changes; reopening the
round makes a new draft."""

from __future__ import annotations

import hashlib
import io
import subprocess
import threading
from datetime import date

import docx
import pytest

from checkround import wiring
from checkround.errors import AppError
from checkround.reports import document
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
    # A control character would make the DOCX unwritable: refused at the part, in vi and en.
    odd = admin("PATCH", DOC, {"parts": {"signer_name": "A\u0001B"}})
    assert odd.status_code == 422
    assert odd.json["error"]["fields"] == {"parts": {"signer_name": ["Không được chứa ký tự điều khiển."]}}
    assert admin("GET", f"{DOC}/preview.docx").status_code == 200


def test_a_rounds_parts_are_set_after_its_creation_and_null_unsets_a_level(admin, closed_round):
    path = f"/rounds/{ROUND}/document-parts"
    assert admin("PUT", "/rounds/nope/document-parts", {"parts": {}}).status_code == 404
    assert admin("PUT", path, {"parts": {"place": {"vi": "Hạ Long"}, "kind": None}}).status_code == 200
    assert admin("GET", DOC).json["parts"]["place"] == {"vi": "Hạ Long"}  # over the organisation's
    assert admin("PATCH", DOC, {"parts": {"place": {"vi": "Uông Bí"}}}).json["parts"]["place"] == {"vi": "Uông Bí"}
    back = admin("PATCH", DOC, {"parts": {"place": None}})
    assert back.json["parts"]["place"] == {"vi": "Hạ Long"}  # the draft's gone: the round's applies
    assert [e["action"] for e in admin("GET", f"/rounds/{ROUND}/audit").json["events"]].count("document_round") == 1


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


def _events(admin, round_id, action):
    path = f"/rounds/{round_id}/audit" if round_id else "/audit"
    return [e for e in admin("GET", path).json["events"] if e["action"] == action]


def test_the_committee_sets_the_header_and_signature_in_the_console(admin, closed_round, console_app):
    """Each level on its page: a field holds what is set there, an empty one says what prints
    instead and where it comes from; the draft's parts over the round's over the organisation's."""
    client = signed_in(console_app, "van-phong")
    draft_page = f"/admin_console/rounds/{ROUND}/document/parts"
    page = client.get(draft_page).get_data(as_text=True)
    assert "Phần đầu và chữ ký của bản dự thảo này" in page
    # Nothing set on the draft: the field is empty and says the organisation's text prints.
    assert 'id="p-on_behalf" name="on_behalf" value=""' in page
    assert 'Để trống thì in “<span class="fallback">T/M BAN THƯỜNG VỤ</span>” (mặc định của tổ chức)' in page
    before = admin("GET", DOC).json["parts"]
    posted = {
        "issuing_body": "BAN CHẤP HÀNH ĐOÀN KHỐI",
        "number_suffix": "BC/ĐK",
        "place": "Hạ Long",
        "on_behalf": "TM. BAN THƯỜNG VỤ",
        "signer_title": "BÍ THƯ",
        "signer_name": "Trần Văn Bình",
        "recipients": "- Ban Bí thư TW Đoàn (b/c);\r\n\r\n- Lưu VP.",
    }
    refused = client.post(draft_page, data=posted)  # no CSRF token
    assert refused.status_code in (400, 403)
    assert admin("GET", DOC).json["parts"] == before
    form = {"csrf": csrf_of(page)}
    bad = client.post(draft_page, data={**form, **posted, "number_suffix": "BC ĐK", "signer_name": "A\x01"})
    assert bad.status_code == 422
    shown = bad.get_data(as_text=True)
    assert 'id="p-number_suffix-error"' in shown
    assert "không có khoảng trắng" in shown
    assert 'id="p-signer_name-error"' in shown
    assert "ký tự điều khiển" in shown
    assert 'href="#p-number_suffix"' in shown  # the summary links to the field
    assert 'value="Hạ Long"' in shown  # what was typed is kept
    assert admin("GET", DOC).json["parts"] == before
    saved = client.post(draft_page, data={**form, **posted})
    assert saved.status_code == 303, saved.get_data(as_text=True)[:1000]
    parts = admin("GET", DOC).json["parts"]
    assert parts["issuing_body"]["vi"] == "BAN CHẤP HÀNH ĐOÀN KHỐI"
    assert parts["place"]["vi"] == "Hạ Long"
    assert parts["on_behalf"] == {"vi": "TM. BAN THƯỜNG VỤ"}
    assert parts["signer_name"] == "Trần Văn Bình"
    assert [line["vi"] for line in parts["recipients"]] == ["- Ban Bí thư TW Đoàn (b/c);", "- Lưu VP."]
    text = pdf_text(client.get(f"/admin_console/rounds/{ROUND}/document/preview.pdf").data)
    for expected in (
        "BAN CHẤP HÀNH ĐOÀN KHỐI",
        "Số: …-BC/ĐK",
        "Hạ Long",
        "TM. BAN THƯỜNG VỤ",
        "Trần Văn Bình",
        "- Lưu VP.",
    ):
        assert expected in text, expected
    assert [e["actor"] for e in _events(admin, ROUND, "document_edit")] == ["admin:van-phong"]

    # The round's level: a signer set there shows on the draft's page as what an empty field prints.
    round_page = f"/admin_console/rounds/{ROUND}/document/round-parts"
    assert post_form(client, round_page, {"signer_title": "PHÓ BÍ THƯ THƯỜNG TRỰC"}).status_code == 303
    assert wiring.context().store.get(f"rounds/{ROUND}")["document"] == {
        "signer_title": {"vi": "PHÓ BÍ THƯ THƯỜNG TRỰC"}
    }
    assert [e["actor"] for e in _events(admin, ROUND, "document_round")] == ["admin:van-phong"]
    # Emptying the draft's signer title: the round's applies (set nowhere else on the draft).
    assert post_form(client, draft_page, {"signer_title": ""}).status_code == 303
    assert admin("GET", DOC).json["parts"]["signer_title"]["vi"] == "PHÓ BÍ THƯ THƯỜNG TRỰC"  # effective
    assert "signer_title" not in wiring.context().store.get(f"documents/{ROUND}")["parts"]
    page = client.get(draft_page).get_data(as_text=True)
    assert '“<span class="fallback">PHÓ BÍ THƯ THƯỜNG TRỰC</span>” (đặt cho đợt kiểm tra này)' in page
    assert "PHÓ BÍ THƯ THƯỜNG TRỰC" in pdf_text(client.get(f"/admin_console/rounds/{ROUND}/document/preview.pdf").data)

    # The organisation's level, in English: the Vietnamese text is kept.
    org = "/admin_console/document-settings?text=en"
    assert "Để trống thì in" in client.get(org).get_data(as_text=True)
    assert post_form(client, org, {"place": "Ha Long City"}).status_code == 303
    settings = admin("GET", "/document-settings").json["parts"]
    assert settings["place"] == {"vi": "Quảng Ninh", "en": "Ha Long City"}
    assert settings["recipients"][0]["en"].startswith("- Secretariat")  # untouched fields kept
    assert [e["actor"] for e in _events(admin, None, "document_settings")][-1:] == ["admin:van-phong"]


def _register(year: int) -> dict:
    return wiring.context().store.get(f"document_numbers/{year}") or {}


def test_a_second_issue_of_the_draft_meanwhile_is_refused_before_it_draws_a_number(admin, closed_round, monkeypatch):
    """Two issues of the same draft at once: the first holds its render until the second has
    been answered, so they overlap; the second is refused 409 without drawing a number, and the
    register has no gap."""
    ctx = wiring.context()
    rendering, go = threading.Event(), threading.Event()
    real = document._render
    order: list[str] = []

    def held_render(ctx_, summary, kind):
        if kind == "pdf" and not rendering.is_set():
            rendering.set()
            order.append("first rendering")
            assert go.wait(120), "the test never released the first issue"
        return real(ctx_, summary, kind)

    monkeypatch.setattr(document, "_render", held_render)
    first: dict = {}
    thread = threading.Thread(target=lambda: first.update(document.issue(ctx, ROUND, {}, "admin:a")))
    thread.start()
    assert rendering.wait(120)
    year = date.today().year
    assert _register(year)["last"] == 1  # the first issue drew 1 and is rendering
    with pytest.raises(AppError) as refused:
        document.issue(ctx, ROUND, {}, "admin:b")
    order.append("second refused")
    assert refused.value.status == 409
    assert "being issued by admin:a" in refused.value.message("en")
    assert _register(year)["last"] == 1  # the refused issue drew nothing
    go.set()
    thread.join(120)
    order.append("first done")
    assert order == ["first rendering", "second refused", "first done"]  # the two overlapped
    assert [item["number"] for item in first["issued"]] == [1]
    assert _register(year) == {"last": 1, "year": year}  # no gap, nothing void
    assert "issuing" not in {k for k, v in ctx.store.get(f"documents/{ROUND}").items() if v}


def test_an_issue_whose_render_fails_gives_its_number_back_or_records_it_void(admin, closed_round, monkeypatch):
    ctx = wiring.context()
    year = date.today().year
    real = document._render
    broken = {"on": True}

    def render(ctx_, summary, kind):
        if broken["on"]:
            raise RuntimeError("the renderer broke")
        return real(ctx_, summary, kind)

    monkeypatch.setattr(document, "_render", render)
    with pytest.raises(RuntimeError):
        document.issue(ctx, ROUND, {}, "admin:a")
    assert _register(year)["last"] == 0  # given back: nothing drawn after it
    assert not ctx.store.get(f"documents/{ROUND}").get("issuing")  # the draft is free again

    # A number drawn by another document meanwhile: the failed issue's number is void.
    def render_then_other(ctx_, summary, kind):
        ctx.store.transaction(lambda tx: tx.set(f"document_numbers/{year}", {"last": 2, "year": year}))
        raise RuntimeError("the renderer broke again")

    monkeypatch.setattr(document, "_render", render_then_other)
    with pytest.raises(RuntimeError):
        document.issue(ctx, ROUND, {}, "admin:a")
    register = _register(year)
    assert register["last"] == 2
    assert [(v["number"], v["reason"]) for v in register["void"]] == [(1, "failed")]
    # The office's own number from its register: not void, the counter as it was.
    monkeypatch.setattr(document, "_render", render)
    with pytest.raises(RuntimeError):
        document.issue(ctx, ROUND, {"number": 1}, "admin:a")
    assert _register(year) == register
    with pytest.raises(RuntimeError):
        document.issue(ctx, ROUND, {"number": 9}, "admin:a")
    assert _register(year) == register  # 9 was above the counter: it goes back to 2
    broken["on"] = False
    issued = document.issue(ctx, ROUND, {}, "admin:a")
    assert [item["number"] for item in issued["issued"]] == [3]
