"""``GET /admin_api/rounds/{id}/submissions`` on the real emulator, through the real entry point."""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile

import pytest

from tests.integration.helpers import setup_seed_round
from tests.support import UNIT_NAMES, seed_answers

pytestmark = pytest.mark.integration

ROUND = "kt-6-thang-2019"
PATH = f"/rounds/{ROUND}/submissions"
GROUP = "chuong_trinh.cong_trinh_tieu_bieu"
REPORTING = ["hai-quan", "tien-yen", "cong-an"]


@pytest.fixture
def seeded(admin, unit_client):
    """Three units report; Hải quan sends a second revision; Công an's report is returned."""
    tokens = setup_seed_round(admin)
    for unit_id in REPORTING:
        response = unit_client(tokens[unit_id])(
            "POST", f"/rounds/{ROUND}/submission", {"answers": seed_answers(unit_id)}
        )
        assert response.status_code == 201, response.json
    second = seed_answers("hai-quan")
    second["chuong_trinh"]["so_cong_trinh"] = 11
    response = unit_client(tokens["hai-quan"])("POST", f"/rounds/{ROUND}/submission", {"answers": second})
    assert response.json["revision"] == 2
    returned = admin(
        "POST", f"/rounds/{ROUND}/submissions/cong-an/return", {"comments": {"danh_gia.han_che": "Ghi cụ thể hơn"}}
    )
    assert returned.status_code == 200
    return tokens


def parse_csv(response):
    assert response.data.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(response.data[3:].decode("utf-8"), newline="")))


def test_csv_has_one_row_per_reporting_unit_with_its_latest_revision(seeded, admin):
    response = admin("GET", f"{PATH}?format=csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == f'attachment; filename="{ROUND}-submissions.csv"'
    keys, labels, *rows = parse_csv(response)
    assert keys[:7] == ["unit_id", "unit_name", "cluster", "revision", "submitted_at", "late", "form_version"]
    assert labels[:2] == ["Mã đơn vị", "Đơn vị"]
    assert labels[keys.index("chuong_trinh.so_cong_trinh")] == "Số công trình, phần việc thanh niên đã thực hiện"
    by_unit = {row[0]: dict(zip(keys, row, strict=True)) for row in rows}
    assert len(rows) == len(REPORTING)  # the resubmitted unit once; the returned one still there
    assert sorted(by_unit) == sorted(REPORTING)
    for unit_id in REPORTING:
        assert by_unit[unit_id]["unit_name"] == UNIT_NAMES[unit_id]
        assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d", by_unit[unit_id]["submitted_at"])
        assert by_unit[unit_id]["late"] == "false"
    hai_quan = by_unit["hai-quan"]
    assert hai_quan["revision"] == "2"
    assert hai_quan["chuong_trinh.so_cong_trinh"] == "11"
    assert hai_quan["chuong_trinh.xay_dung_chuong_trinh.status"] == "yes"
    assert hai_quan["chi_doan_dan_cu.hinh_thuc_sinh_hoat"] == "toan_chi_doan; truc_tuyen"
    assert hai_quan["von_vay.co_quan_ly_von_vay"] == "false"
    assert hai_quan["chuong_trinh.diem_chuong_trinh"] == "44"  # calculated by the server: 8+7+7+5+6+4+7
    items = len(seed_answers("hai-quan")["chuong_trinh"]["cong_trinh_tieu_bieu"])
    assert hai_quan[f"{GROUP}.count"] == str(items)


def test_a_repeat_group_has_its_own_csv(seeded, admin):
    response = admin("GET", f"{PATH}?format=csv&group={GROUP}")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == f'attachment; filename="{ROUND}-{GROUP}.csv"'
    keys, labels, *rows = parse_csv(response)
    assert keys == ["unit_id", "item", f"{GROUP}.ten", f"{GROUP}.gia_tri", f"{GROUP}.so_luot_tham_gia"]
    assert labels[2] == "Tên công trình, phần việc"
    expected = [
        (unit_id, str(n), item["ten"])
        for unit_id in sorted(REPORTING)
        for n, item in enumerate(seed_answers(unit_id)["chuong_trinh"].get("cong_trinh_tieu_bieu") or [], start=1)
    ]
    assert [(row[0], row[1], row[2]) for row in rows] == expected
    missing = admin("GET", f"{PATH}?format=csv&group=chuong_trinh.khong_co")
    assert missing.status_code == 404
    assert missing.json["error"]["code"] == "not_found"


def test_xlsx_is_a_workbook_with_a_sheet_per_repeat_group(seeded, admin):
    response = admin("GET", f"{PATH}?format=xlsx")
    assert response.status_code == 200
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response.headers["Content-Disposition"] == f'attachment; filename="{ROUND}-submissions.xlsx"'
    with zipfile.ZipFile(io.BytesIO(response.data)) as book:
        assert book.testzip() is None
        sheets = re.findall(r'<sheet name="([^"]+)"', book.read("xl/workbook.xml").decode())
        main = book.read("xl/worksheets/sheet1.xml").decode()
    assert sheets == ["submissions", "cong_trinh_tieu_bieu"]
    for unit_id in REPORTING:
        assert UNIT_NAMES[unit_id] in main


def test_json_nests_repeat_groups(seeded, admin):
    response = admin("GET", PATH)  # json is the default
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    body = json.loads(response.data)
    assert (body["round"], body["form_id"], body["form_version"]) == (ROUND, "kiem-tra-6-thang-2019", 1)
    keys = [column["key"] for column in body["columns"]]
    assert keys[:2] == ["unit_id", "unit_name"]
    assert "chuong_trinh.xay_dung_chuong_trinh.score" in keys
    group = next(column for column in body["columns"] if column["key"] == GROUP)
    assert [sub["key"] for sub in group["columns"]] == ["ten", "gia_tri", "so_luot_tham_gia"]
    rows = {row["unit_id"]: row for row in body["rows"]}
    assert sorted(rows) == sorted(REPORTING)
    hai_quan = rows["hai-quan"]
    assert hai_quan["revision"] == 2
    assert hai_quan["late"] is False
    assert hai_quan["chi_doan_dan_cu.hinh_thuc_sinh_hoat"] == ["toan_chi_doan", "truc_tuyen"]
    assert hai_quan[GROUP][0]["ten"] == seed_answers("hai-quan")["chuong_trinh"]["cong_trinh_tieu_bieu"][0]["ten"]


def test_refusals(seeded, admin):
    response = admin("GET", f"{PATH}?format=pdf")
    assert response.status_code == 400
    assert response.json["error"]["code"] == "bad_request"
    assert admin("GET", f"{PATH}?format=json&group={GROUP}").status_code == 400
    unit_token = {"Authorization": f"Bearer {seeded['hai-quan']}"}
    forbidden = admin.client.get(f"{PATH}?format=csv", headers=unit_token)
    assert forbidden.status_code == 403
    assert forbidden.json["error"]["code"] == "forbidden"
    assert admin("GET", "/rounds/khong-co/submissions?format=csv").status_code == 404


def test_a_round_without_submissions_exports_headers_only(admin):
    setup_seed_round(admin)
    keys, labels, *rows = parse_csv(admin("GET", f"{PATH}?format=csv"))
    assert (keys[0], labels[0]) == ("unit_id", "Mã đơn vị")
    assert rows == []
    assert json.loads(admin("GET", PATH).data)["rows"] == []
