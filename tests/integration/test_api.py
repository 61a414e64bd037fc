"""The HTTP entry points against the real Firestore emulator."""

from __future__ import annotations

import json

import pytest

from checkround import wiring
from tests.integration.helpers import create_round, setup_seed_round
from tests.support import seed_answers, seed_form

pytestmark = pytest.mark.integration


def stored(path_prefix):
    return list(wiring.context().store.list(path_prefix))


def test_valid_submission_is_201_and_stored_with_its_form_version(admin, unit_client):
    tokens = setup_seed_round(admin)
    unit = unit_client(tokens["hai-quan"])
    response = unit("POST", "/rounds/kt-6-thang-2019/submission", {"answers": seed_answers("hai-quan")},
                    headers={"Idempotency-Key": "k1"})  # fmt: skip
    assert response.status_code == 201, response.json
    assert response.json["revision"] == 1
    assert response.json["late"] is False
    doc = wiring.context().store.get(f"rounds/kt-6-thang-2019/submissions/{response.json['submission_id']}")
    assert doc["form_id"] == "kiem-tra-6-thang-2019"
    assert doc["form_version"] == 1
    assert doc["answers"]["danh_gia"] == seed_answers("hai-quan")["danh_gia"]
    mine = unit("GET", "/rounds/kt-6-thang-2019/submission")
    assert mine.status_code == 200
    assert mine.json["submission_id"] == response.json["submission_id"]
    board = {row["unit_id"]: row for row in admin("GET", "/rounds/kt-6-thang-2019").json["board"]}
    assert board["hai-quan"]["state"] == "submitted"
    assert board["ba-che"]["state"] == "missing"


def test_replay_with_the_same_key_returns_the_same_result(admin, unit_client):
    tokens = setup_seed_round(admin)
    unit = unit_client(tokens["cong-an"])
    body = {"answers": seed_answers("cong-an")}
    first = unit("POST", "/rounds/kt-6-thang-2019/submission", body, headers={"Idempotency-Key": "abc"})
    again = unit("POST", "/rounds/kt-6-thang-2019/submission", body, headers={"Idempotency-Key": "abc"})
    assert first.status_code == again.status_code == 201
    assert again.json == first.json
    assert again.headers["Idempotent-Replayed"] == "true"
    other = seed_answers("cong-an")
    other["danh_gia"]["de_xuat"] = "Khác"
    conflict = unit(
        "POST", "/rounds/kt-6-thang-2019/submission", {"answers": other}, headers={"Idempotency-Key": "abc"}
    )
    assert conflict.status_code == 409
    assert conflict.json["error"]["code"] == "idempotency_conflict"
    assert len(stored("rounds/kt-6-thang-2019/submissions")) == 1


def test_invalid_submission_is_422_with_nested_errors_and_stores_nothing(admin, unit_client):
    tokens = setup_seed_round(admin)
    answers = seed_answers("tien-yen")
    answers["chuong_trinh"]["xay_dung_chuong_trinh"]["score"] = 99
    answers["chuong_trinh"]["so_cong_trinh"] = "mười"
    del answers["danh_gia"]["diem_manh"]
    response = unit_client(tokens["tien-yen"])(
        "POST", "/rounds/kt-6-thang-2019/submission", {"answers": answers}, headers={"Accept-Language": "en"}
    )
    assert response.status_code == 422
    error = response.json["error"]
    assert error["code"] == "validation_failed"
    assert error["message"] == "Some answers are not valid."
    assert error["fields"]["chuong_trinh"]["xay_dung_chuong_trinh"] == {"score": ["Enter a score from 0 to 8."]}
    assert error["fields"]["chuong_trinh"]["so_cong_trinh"] == ["Must be a whole number."]
    assert error["fields"]["danh_gia"]["diem_manh"] == ["Type an answer to this question."]
    assert stored("rounds/kt-6-thang-2019/submissions") == []
    assert stored("rounds/kt-6-thang-2019/entries") == []


def test_unit_token_scope(admin, unit_client, apps):
    tokens = setup_seed_round(admin)
    other_round = create_round(admin, "dot-khac", ["hai-quan", "mong-cai"])
    unit = unit_client(tokens["hai-quan"])
    body = {"answers": seed_answers("hai-quan")}
    assert unit("POST", "/rounds/dot-khac/submission", body).status_code == 403
    response = unit("POST", "/rounds/kt-6-thang-2019/submission", {**body, "unit_id": "mong-cai"})
    assert response.status_code == 403
    assert response.json["error"]["code"] == "forbidden"
    assert unit("GET", "/rounds/dot-khac/form").status_code == 403
    # A unit token is no admin token, and an admin token is no unit token.
    admin_with_unit_token = admin.__class__(apps["admin_api"], tokens["hai-quan"])
    assert admin_with_unit_token("GET", "/units").status_code == 403
    assert unit_client(admin.token)("GET", "/rounds/kt-6-thang-2019/form").status_code == 403
    assert unit_client(None)("GET", "/rounds/kt-6-thang-2019/form").status_code == 401
    assert unit_client("bogus-token")("GET", "/rounds/kt-6-thang-2019/form").status_code == 401
    assert unit_client(other_round["mong-cai"])("GET", "/rounds/dot-khac/form").status_code == 200
    assert stored("rounds/kt-6-thang-2019/submissions") == []
    assert stored("rounds/dot-khac/submissions") == []


def test_after_the_close_submissions_are_409(admin, unit_client):
    tokens = setup_seed_round(admin)
    assert admin("POST", "/rounds/kt-6-thang-2019/close").json["status"] == "closed"
    assert admin("POST", "/rounds/kt-6-thang-2019/close").status_code == 200
    response = unit_client(tokens["bien-phong"])(
        "POST", "/rounds/kt-6-thang-2019/submission", {"answers": seed_answers("bien-phong")}
    )
    assert response.status_code == 409
    assert response.json["error"]["code"] == "round_closed"
    assert response.json["error"]["message"] == "Đợt kiểm tra đã kết thúc, không nhận thêm báo cáo."
    assert stored("rounds/kt-6-thang-2019/submissions") == []


def test_unit_reads_its_form_and_saves_a_draft(admin, unit_client):
    tokens = setup_seed_round(admin)
    unit = unit_client(tokens["mong-cai"])
    form = unit("GET", "/rounds/kt-6-thang-2019/form").json
    assert form["form_version"] == 1
    assert form["form"]["id"] == "kiem-tra-6-thang-2019"
    assert form["draft"] is None
    assert form["submission"] is None
    draft = {"chuong_trinh": {"so_cong_trinh": 3}}
    assert unit("PUT", "/rounds/kt-6-thang-2019/draft", {"answers": draft}).status_code == 200
    assert unit("GET", "/rounds/kt-6-thang-2019/form").json["draft"]["chuong_trinh"] == {"so_cong_trinh": 3}
    board = {row["unit_id"]: row for row in admin("GET", "/rounds/kt-6-thang-2019").json["board"]}
    assert board["mong-cai"]["state"] == "draft"


def test_form_admin_routes(admin):
    form = seed_form()
    created = admin("POST", "/forms", form)
    assert created.status_code == 201
    assert created.json["id"] == form["id"]
    assert admin("POST", "/forms", form).status_code == 409
    bad = seed_form()
    bad["id"] = "khac"
    bad["sections"][1]["fields"][0]["type"] = "slider"
    response = admin("POST", "/forms", bad)
    assert response.status_code == 422
    assert response.json["error"]["code"] == "invalid_definition"
    assert "type" in response.json["error"]["fields"]["sections"]["1"]["fields"]["0"]
    etag = created.json["etag"]
    form["title"]["vi"] = "Phiếu kiểm tra (sửa)"
    put = admin("PUT", f"/forms/{form['id']}/draft", form, headers={"If-Match": etag})
    assert put.status_code == 200
    assert put.json["etag"] != etag
    stale = admin("PUT", f"/forms/{form['id']}/draft", form, headers={"If-Match": etag})
    assert stale.status_code == 412
    assert stale.json["error"]["code"] == "version_conflict"
    published = admin("POST", f"/forms/{form['id']}/versions")
    assert published.status_code == 201
    assert published.json["version"] == 1
    got = admin("GET", f"/forms/{form['id']}").json
    assert got["versions"] == [1]
    assert got["latest_version"] == 1
    assert admin("GET", f"/forms/{form['id']}/versions/1").json["title"]["vi"] == "Phiếu kiểm tra (sửa)"
    assert admin("GET", f"/forms/{form['id']}/versions/9").status_code == 404


def test_bad_requests_are_clear_errors_never_500(admin):
    for size in (1024 * 1024 + 10, 5 * 1024 * 1024):
        big = json.dumps({"id": "lon", "title": {"vi": "x" * size}})
        response = admin("POST", "/forms", data=big, headers={"Content-Type": "application/json"})
        assert response.status_code == 413
    assert response.json["error"]["code"] == "too_large"
    response = admin("POST", "/forms", data="id: x", headers={"Content-Type": "text/yaml"})
    assert response.status_code == 415
    response = admin("POST", "/forms", data="{not json", headers={"Content-Type": "application/json"})
    assert response.status_code == 400
    assert response.json["error"]["code"] == "bad_request"
    assert admin("POST", "/forms", data="[1,2]", headers={"Content-Type": "application/json"}).status_code == 422
    assert admin("GET", "/nowhere").status_code == 404
    assert admin("DELETE", "/units").status_code == 405
    assert admin("POST", "/rounds", {"title": 5}).status_code == 422
    assert admin("GET", "/rounds/khong-co").status_code == 404
    assert admin("GET", "/rounds/khong-co/summary.pdf").status_code == 404
    en = admin("GET", "/rounds/khong-co", headers={"Accept-Language": "en-US,en;q=0.9"})
    assert en.json["error"]["message"] == "Round not found."


@pytest.mark.parametrize(
    "path",
    ["/forms/..", "/forms/__x__", "/forms/A%2FB", "/rounds/%2E%2E/summary", "/forms/" + "a" * 300, "/units/Ha Noi"],
)
def test_odd_ids_in_paths_are_404_not_500(admin, path):
    response = admin("GET", path)
    assert response.status_code in (404, 405), (path, response.status_code)
    assert response.json["error"]["code"] in ("not_found", "method_not_allowed")


def test_deeply_nested_json_and_bad_unit_ids_are_client_errors(admin):
    deep = "[" * 100_000 + "]" * 100_000
    response = admin("POST", "/forms", data=deep, headers={"Content-Type": "application/json"})
    assert response.status_code == 400
    response = admin("PUT", "/units/ha_noi", {"name": "Hà Nội"})
    assert response.status_code == 422
    assert response.json["error"]["fields"] == {"unit_id": ["Dùng chữ thường không dấu, chữ số và dấu '-'."]}
    response = admin("PUT", "/units/ha_noi", {"name": "Hà Nội"}, headers={"Accept-Language": "en"})
    assert response.json["error"]["fields"] == {"unit_id": ["Use lowercase letters, digits and '-'."]}


def test_a_rule_holding_a_list_of_values_is_stored_and_published_as_written(admin):
    # Firestore stores no array directly inside an array: the adapter wraps it (firestore_values),
    # where this was a 500 on POST /forms.
    form = seed_form()
    form["id"] = "danh-sach-trong-quy-tac"
    rule = {"in": [{"var": "von_vay.co_quan_ly_von_vay"}, [True]]}
    form["sections"][2]["fields"][2]["relevant"] = rule
    assert admin("POST", "/forms", form).status_code == 201
    assert admin("POST", f"/forms/{form['id']}/versions").status_code == 201
    version = admin("GET", f"/forms/{form['id']}/versions/1").json
    assert version["sections"][2]["fields"][2]["relevant"] == rule


def test_a_rule_the_page_and_the_server_compute_differently_is_refused_where_it_is(admin):
    """Issue 17: an unanswered number is 0 on the server and null in the page: a read into
    arithmetic needs a default, said at the rule's path in the reader's language; nothing is kept."""
    form = seed_form()
    form["id"] = "hai-may"
    s_index, section = next(
        (i, s) for i, s in enumerate(form["sections"]) if any(f["type"] == "integer" for f in s["fields"])
    )
    number = next(f for f in section["fields"] if f["type"] == "integer")
    read = f"{section['key']}.{number['key']}"
    section["fields"].append(
        {"key": "gap_doi", "type": "calculated", "label": {"vi": "Gấp đôi"}, "calculate": {"*": [{"var": read}, 2]}}
    )
    at = str(len(section["fields"]) - 1)
    for language, words in (("vi", "giá trị mặc định"), ("en", "give it a default")):
        response = admin("POST", "/forms", form, headers={"Accept-Language": language})
        assert response.status_code == 422
        assert response.json["error"]["code"] == "invalid_definition"
        (message,) = response.json["error"]["fields"]["sections"][str(s_index)]["fields"][at]["calculate"]
        assert words in message
    assert admin("GET", "/forms/hai-may").status_code == 404
    section["fields"][-1]["calculate"] = {"*": [{"var": [read, 0]}, 2]}
    created = admin("POST", "/forms", form)
    assert created.status_code == 201
    section["fields"][-1]["calculate"] = {"/": [{"var": [read, 0]}, {"var": [read, 0]}]}
    put = admin("PUT", "/forms/hai-may/draft", form, headers={"If-Match": created.json["etag"]})
    assert put.status_code == 422
    assert "calculate" in put.json["error"]["fields"]["sections"][str(s_index)]["fields"][at]
