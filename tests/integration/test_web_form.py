"""The unit's web form (first cut): same validation and storage path as ``unit_api``."""

from __future__ import annotations

import pytest

from checkround import wiring
from tests.integration.helpers import setup_seed_round

pytestmark = pytest.mark.integration

URL = "/r/kt-6-thang-2019"


def test_form_renders_in_vietnamese_with_security_headers(admin, apps):
    tokens = setup_seed_round(admin)
    page = apps["web_form"].test_client().get(URL, query_string={"t": tokens["ba-che"]})
    assert page.status_code == 200, page.data[:2000]
    html = page.get_data(as_text=True)
    assert "Phiếu kiểm tra công tác Đoàn và phong trào thanh niên 6 tháng đầu năm 2019" in html
    assert 'name="chuong_trinh.xay_dung_chuong_trinh.status"' in html
    assert page.headers["Referrer-Policy"] == "no-referrer"
    assert "default-src 'none'" in page.headers["Content-Security-Policy"]
    english = apps["web_form"].test_client().get(URL, query_string={"t": tokens["ba-che"], "lang": "en"})
    assert "Inspection checklist" in english.get_data(as_text=True)


def test_wrong_link_gets_a_clear_page(admin, apps):
    setup_seed_round(admin)
    page = apps["web_form"].test_client().get(URL, query_string={"t": "khong-hop-le"})
    assert page.status_code == 401
    assert "Không mở được biểu mẫu" in page.get_data(as_text=True)
    assert "Traceback" not in page.get_data(as_text=True)


def test_post_shows_errors_next_to_fields_and_keeps_values_then_accepts(admin, apps):
    tokens = setup_seed_round(admin)
    client = apps["web_form"].test_client()
    form = {
        "chuong_trinh.xay_dung_chuong_trinh.status": "yes",
        "chuong_trinh.xay_dung_chuong_trinh.score": "80",
        "chuong_trinh.so_cong_trinh": "<b>mười</b>",
        "action": "submit",
    }
    page = client.post(URL, query_string={"t": tokens["ba-che"]}, data=form)
    html = page.get_data(as_text=True)
    assert page.status_code == 422
    assert "Phải nằm trong khoảng từ 0 đến 8." in html
    assert 'value="&lt;b&gt;mười&lt;/b&gt;"' in html  # kept, and escaped
    assert "<b>mười</b>" not in html
    assert list(wiring.context().store.list("rounds/kt-6-thang-2019/submissions")) == []

    fixed = {**form, "action": "draft", "chuong_trinh.so_cong_trinh": "5"}
    fixed["chuong_trinh.xay_dung_chuong_trinh.score"] = "6"
    draft = client.post(URL, query_string={"t": tokens["ba-che"]}, data=fixed)
    assert draft.status_code == 200
    assert "Đã lưu bản nháp." in draft.get_data(as_text=True)
    again = client.get(URL, query_string={"t": tokens["ba-che"]}).get_data(as_text=True)
    assert 'name="chuong_trinh.so_cong_trinh" value="5"' in again


def test_repeat_rows_are_added_and_removed_and_calculated_fields_are_computed(admin, apps):
    tokens = setup_seed_round(admin)
    client = apps["web_form"].test_client()
    base = "chuong_trinh.cong_trinh_tieu_bieu"
    form = {
        f"{base}.0.ten": "Đường điện thắp sáng khu dân cư",
        f"{base}.0.gia_tri": "45,5",
        f"{base}.1.ten": "",  # an empty row is no row
        f"{base}.2.ten": "Sân chơi thiếu nhi",
        "chuong_trinh.diem_chuong_trinh": "999",  # read-only: recomputed by the server
        "chuong_trinh.xay_dung_chuong_trinh.status": "yes",
        "chuong_trinh.xay_dung_chuong_trinh.score": "7",
        "action": "draft",
    }
    page = client.post(URL, query_string={"t": tokens["ba-che"]}, data=form)
    assert page.status_code == 200
    draft = wiring.context().store.get("rounds/kt-6-thang-2019/entries/ba-che")["draft"]
    assert draft["chuong_trinh"]["cong_trinh_tieu_bieu"] == [
        {"ten": "Đường điện thắp sáng khu dân cư", "gia_tri": 45.5},
        {"ten": "Sân chơi thiếu nhi"},
    ]
    assert "diem_chuong_trinh" not in draft["chuong_trinh"]
    html = client.get(URL, query_string={"t": tokens["ba-che"]}).get_data(as_text=True)
    assert 'name="chuong_trinh.cong_trinh_tieu_bieu.1.ten" value="Sân chơi thiếu nhi"' in html
    assert 'name="chuong_trinh.cong_trinh_tieu_bieu.2.ten" value=""' in html  # one blank row to add
