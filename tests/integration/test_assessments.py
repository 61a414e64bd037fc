"""Who scores (issue 18): the unit sends its facts and self-assessment, the inspection team
enters the official results, scores and remarks, through the real entry points and the
Firestore emulator; the summary ranks by the team's scores."""

from __future__ import annotations

import copy
from html import unescape

import pytest
from werkzeug.datastructures import MultiDict

from checkround import wiring
from checkround.reports.service import build_summary
from tests.integration.console_helpers import post_form, signed_in
from tests.integration.helpers import setup_seed_round
from tests.integration.test_web_form import csrf_of, form_fields, open_link
from tests.support import SCHEMAS, _yaml, seed_answers

pytestmark = pytest.mark.integration

ROUND = "kt-6-thang-2019"


def seed_assessment(unit_id):
    return copy.deepcopy(_yaml(SCHEMAS / "seed" / "assessments" / f"{unit_id}.yaml"))


def submit(unit_client, tokens, unit_id, answers=None):
    unit = unit_client(tokens[unit_id])
    body = {"answers": answers if answers is not None else seed_answers(unit_id)}
    response = unit("POST", f"/rounds/{ROUND}/submission", body, headers={"Idempotency-Key": f"k-{unit_id}"})
    assert response.status_code == 201, response.json
    return response


def test_a_unit_cannot_send_the_teams_fields(admin, unit_client):
    tokens = setup_seed_round(admin)
    answers = seed_answers("tien-yen")
    answers["doan_kiem_tra"] = {"uu_diem": "Tự khen", "han_che": "Không có"}
    unit = unit_client(tokens["tien-yen"])
    for language, message in (
        ("vi", "Mục này do Đoàn kiểm tra nhập khi duyệt báo cáo; đơn vị không gửi câu trả lời cho mục này."),
        ("en", "The inspection team fills this in when it reviews the report; a unit does not answer it."),
    ):
        response = unit(
            "POST", f"/rounds/{ROUND}/submission", {"answers": answers}, headers={"Accept-Language": language}
        )
        assert response.status_code == 422
        error = response.json["error"]
        assert error["code"] == "validation_failed"
        assert error["fields"] == {"doan_kiem_tra": {"uu_diem": [message], "han_che": [message]}}
    # Refused whole: nothing of it is stored, in drafts neither.
    assert list(wiring.context().store.list(f"rounds/{ROUND}/submissions")) == []
    draft = unit("PUT", f"/rounds/{ROUND}/draft", {"answers": answers})
    assert draft.status_code == 422
    assert wiring.context().store.get(f"rounds/{ROUND}/entries/tien-yen") is None


def test_a_score_that_contradicts_its_result_is_refused_in_both_languages(admin, unit_client):
    tokens = setup_seed_round(admin)
    answers = seed_answers("tien-yen")
    answers["chuong_trinh"]["xay_dung_chuong_trinh"] = {"status": "no", "score": 8}  # "not met" with 8/8
    answers["chuong_trinh"]["cong_tac_giao_duc"] = {"status": "partial", "score": 8}
    answers["chuong_trinh"]["phong_trao_hanh_dong"] = {"status": "yes", "score": 0}
    unit = unit_client(tokens["tien-yen"])
    vi = unit("POST", f"/rounds/{ROUND}/submission", {"answers": answers}).json["error"]["fields"]["chuong_trinh"]
    assert vi["xay_dung_chuong_trinh"] == {"score": ["Kết quả “Chưa đạt” thì điểm phải là 0."]}
    assert vi["cong_tac_giao_duc"] == {"score": ["Kết quả “Đạt một phần” thì điểm phải lớn hơn 0 và nhỏ hơn 8."]}
    assert vi["phong_trao_hanh_dong"] == {"score": ["Kết quả “Đạt” thì điểm phải lớn hơn 0 và không quá 8."]}
    en = unit("POST", f"/rounds/{ROUND}/submission", {"answers": answers}, headers={"Accept-Language": "en"}).json[
        "error"
    ]["fields"]["chuong_trinh"]
    assert en["xay_dung_chuong_trinh"] == {"score": ["A “not met” result scores 0."]}
    assert list(wiring.context().store.list(f"rounds/{ROUND}/submissions")) == []


def test_the_team_scores_a_submission_and_the_audit_log_names_who(admin, unit_client):
    tokens = setup_seed_round(admin)
    url = f"/rounds/{ROUND}/assessments/tien-yen"
    # Nothing to assess before the unit has sent its report.
    assert admin("PUT", url, {"answers": seed_assessment("tien-yen")}).status_code == 404
    submit(unit_client, tokens, "tien-yen")

    wrong = seed_assessment("tien-yen")
    wrong["chuong_trinh"]["xay_dung_chuong_trinh"] = {"status": "no", "score": 8}
    refused = admin("PUT", url, {"answers": wrong}, headers={"Accept-Language": "en"})
    assert refused.status_code == 422
    assert refused.json["error"]["message"] == (
        "Some fields of the inspection team's assessment are not valid; nothing was stored."
    )
    assert refused.json["error"]["fields"]["chuong_trinh"]["xay_dung_chuong_trinh"] == {
        "score": ["A “not met” result scores 0."]
    }
    # A unit's own field is not the team's to enter.
    own = seed_assessment("tien-yen")
    own["chuong_trinh"]["so_cong_trinh"] = 1
    assert admin("PUT", url, {"answers": own}).status_code == 422
    assert wiring.context().store.get(f"rounds/{ROUND}/assessments/tien-yen") is None

    saved = admin("PUT", url, {"answers": seed_assessment("tien-yen")})
    assert saved.status_code == 200, saved.json
    assert saved.json["revision"] == 1
    assert saved.json["submission_revision"] == 1
    shown = admin("GET", url).json
    assert shown["assessment"]["answers"]["doan_kiem_tra"] == seed_assessment("tien-yen")["doan_kiem_tra"]
    assert shown["submission"]["answers"]["chuong_trinh"]["xay_dung_chuong_trinh"]["score"] == 8  # its self-score
    assert [s["key"] for s in shown["reviewer_form"]["sections"]][-1] == "doan_kiem_tra"
    events = [e for e in admin("GET", f"/rounds/{ROUND}/audit").json["events"] if e["action"] == "assess"]
    assert len(events) == 1
    assert events[0]["unit_id"] == "tien-yen"
    assert events[0]["actor"] == saved.json["by"]
    assert events[0]["actor"].startswith("admin")


def test_ranking_uses_the_teams_scores_with_the_self_scores_beside(admin, unit_client):
    tokens = setup_seed_round(admin)
    for unit_id in ("tien-yen", "mong-cai"):
        submit(unit_client, tokens, unit_id)
    # By their own scores Tiên Yên (86) leads Móng Cái (75); the team sees it the other way.
    strict = seed_assessment("tien-yen")
    for _section, items in strict.items():
        for key, value in items.items():
            if isinstance(value, dict):
                items[key] = {"status": "partial", "score": 1}
    assert admin("PUT", f"/rounds/{ROUND}/assessments/tien-yen", {"answers": strict}).status_code == 200
    assert (
        admin("PUT", f"/rounds/{ROUND}/assessments/mong-cai", {"answers": seed_assessment("mong-cai")}).status_code
        == 200
    )
    admin("POST", f"/rounds/{ROUND}/close")

    summary = build_summary(wiring.context(), ROUND)
    assert summary["score_source"] == "reviewer"
    (cluster,) = [c for c in summary["clusters"] if c["id"] == "cum-mien-dong"]
    rows = [(r["id"], r["rank"], r["total_score"], r["self_score"]) for r in cluster["ranking"]]
    assert rows == [("mong-cai", 1, 73, 75), ("tien-yen", 2, 14, 86), ("ba-che", None, None, None)]
    # Results per item are the team's too, and its remarks are the summary's texts.
    (item,) = [f for s in summary["sections"] for f in s["fields"] if f["key"] == "xay_dung_chuong_trinh"]
    assert item["result"]["per_unit"]["tien-yen"]["status"] == "partial"
    assert {t["unit_id"] for t in summary["shortcomings"]} == {"tien-yen", "mong-cai"}
    assert seed_assessment("mong-cai")["doan_kiem_tra"]["han_che"] in [t["text"] for t in summary["shortcomings"]]


def test_the_web_form_shows_the_teams_part_read_only_and_never_reads_it(admin, apps):
    tokens = setup_seed_round(admin)
    client, page = open_link(apps, tokens.links["tien-yen"])
    html = page.get_data(as_text=True)
    section = html[html.index('id="s-doan_kiem_tra"') : html.index('id="s-danh_gia"')]
    assert "Phần này do Đoàn kiểm tra ghi" in section
    assert '<fieldset class="reviewer" disabled>' in section
    assert "data-section" not in section  # not one of the unit's sections to complete
    assert 'name="doan_kiem_tra.uu_diem"' in section
    assert "bắt buộc" not in section  # shown, not asked of the unit
    assert "data-max-length" not in section
    # The self-assessed items stay the unit's to fill, and say so.
    assert "Đơn vị tự đánh giá; kết quả và điểm chính thức do Đoàn kiểm tra chấm." in html
    sent = [*form_fields(seed_answers("tien-yen")), ("doan_kiem_tra.uu_diem", "Tự khen"), ("action", "submit")]
    response = client.post(f"/r/{ROUND}", data=MultiDict([("csrf", csrf_of(page)), *sent]))
    assert response.status_code == 303, response.get_data(as_text=True)[:2000]
    entry = wiring.context().store.get(f"rounds/{ROUND}/entries/tien-yen")
    stored = wiring.context().store.get(f"rounds/{ROUND}/submissions/{entry['submission_id']}")
    assert "doan_kiem_tra" not in stored["answers"]


def test_a_reviewer_scores_in_the_console_and_the_audit_log_names_them(admin, unit_client, console_app):
    tokens = setup_seed_round(admin)
    submit(unit_client, tokens, "tien-yen")
    client = signed_in(console_app, "doan-kiem-tra")
    review = client.get(f"/admin_console/rounds/{ROUND}/review/tien-yen").get_data(as_text=True)
    assert 'id="score-link"' in review
    assert f"rounds/{ROUND}/review/tien-yen/score" in review
    path = f"/admin_console/rounds/{ROUND}/review/tien-yen/score"
    page = client.get(path).get_data(as_text=True)
    # The unit's self-assessment fills the inputs at first and stays shown beside each item.
    assert "Đơn vị tự đánh giá: Đạt · 8/8" in page
    assert 'name="doan_kiem_tra.uu_diem"' in page
    assert 'name="chuong_trinh.so_cong_trinh"' not in page  # the unit's facts are not the team's

    team = seed_assessment("tien-yen")
    fields = form_fields(team)
    wrong = [(k, "8" if k == "chuong_trinh.xay_dung_chuong_trinh.score" else v) for k, v in fields]
    wrong = [(k, "no" if k == "chuong_trinh.xay_dung_chuong_trinh.status" else v) for k, v in wrong]
    refused = post_form(client, path, wrong)
    assert refused.status_code == 422
    assert "Kết quả “Chưa đạt” thì điểm phải là 0." in refused.get_data(as_text=True)
    assert wiring.context().store.get(f"rounds/{ROUND}/assessments/tien-yen") is None

    saved = post_form(client, path, fields)
    assert saved.status_code == 303, saved.get_data(as_text=True)[:1000]
    stored = wiring.context().store.get(f"rounds/{ROUND}/assessments/tien-yen")
    assert stored["answers"]["chuong_trinh"]["xay_dung_chuong_trinh"] == {"status": "yes", "score": 7}
    assert stored["answers"]["doan_kiem_tra"] == team["doan_kiem_tra"]
    assert stored["by"] == "admin:doan-kiem-tra"
    events = [e for e in admin("GET", f"/rounds/{ROUND}/audit").json["events"] if e["action"] == "assess"]
    assert [e["actor"] for e in events] == ["admin:doan-kiem-tra"]


def test_the_unit_reads_the_teams_saved_values_but_cannot_send_them(admin, apps, unit_client):
    tokens = setup_seed_round(admin)
    submit(unit_client, tokens, "tien-yen")
    team = seed_assessment("tien-yen")
    assert admin("PUT", f"/rounds/{ROUND}/assessments/tien-yen", {"answers": team}).status_code == 200

    client, page = open_link(apps, tokens.links["tien-yen"])
    html = unescape(page.get_data(as_text=True))
    section = html[html.index('id="s-doan_kiem_tra"') : html.index('id="s-danh_gia"')]
    assert '<fieldset class="reviewer" disabled>' in section  # read-only: a disabled input is never posted
    assert team["doan_kiem_tra"]["uu_diem"] in section
    assert team["doan_kiem_tra"]["han_che"] in section
    # The unit's API says the same, and still refuses the team's fields from the unit.
    unit = unit_client(tokens["tien-yen"])
    assert unit("GET", f"/rounds/{ROUND}/form").json["assessment"]["doan_kiem_tra"] == team["doan_kiem_tra"]
    answers = seed_answers("tien-yen")
    answers["doan_kiem_tra"] = {"uu_diem": team["doan_kiem_tra"]["uu_diem"]}
    refused = unit("POST", f"/rounds/{ROUND}/submission", {"answers": answers}, headers={"Idempotency-Key": "k-2"})
    assert refused.status_code == 422
    assert list(refused.json["error"]["fields"]) == ["doan_kiem_tra"]
    # Posted from the page anyway (a hand-made post): not read, the team's values stay the team's.
    sent = [*form_fields(seed_answers("tien-yen")), ("doan_kiem_tra.uu_diem", "Tự khen"), ("action", "submit")]
    assert client.post(f"/r/{ROUND}", data=MultiDict([("csrf", csrf_of(page)), *sent])).status_code == 303
    stored = wiring.context().store.get(f"rounds/{ROUND}/assessments/tien-yen")
    assert stored["answers"]["doan_kiem_tra"] == team["doan_kiem_tra"]


def test_an_assessment_of_an_earlier_revision_is_marked_stale(admin, unit_client, console_app):
    tokens = setup_seed_round(admin)
    submit(unit_client, tokens, "tien-yen")
    assert (
        admin("PUT", f"/rounds/{ROUND}/assessments/tien-yen", {"answers": seed_assessment("tien-yen")}).status_code
        == 200
    )
    client = signed_in(console_app, "doan-kiem-tra")
    base = f"/admin_console/rounds/{ROUND}"
    pages = (f"{base}/review/tien-yen", f"{base}/review/tien-yen/score", f"{base}/board")
    for path in pages:  # current: no notice
        assert "assessment-stale" not in client.get(path).get_data(as_text=True)
        assert "data-stale" not in client.get(path).get_data(as_text=True)

    unit = unit_client(tokens["tien-yen"])
    again = {"answers": seed_answers("tien-yen")}
    assert unit("POST", f"/rounds/{ROUND}/submission", again, headers={"Idempotency-Key": "k-2"}).status_code == 201
    for path in pages:
        vi = unescape(client.get(path, query_string={"lang": "vi"}).get_data(as_text=True))
        assert "Đánh giá cho lần gửi 1; đơn vị đã gửi lần 2." in vi, path
        en = unescape(client.get(path, query_string={"lang": "en"}).get_data(as_text=True))
        assert "Assessed revision 1; the unit has since sent revision 2." in en, path
    assert admin("GET", f"/rounds/{ROUND}/assessments/tien-yen").json["stale"] == {"assessed": 1, "latest": 2}
