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
