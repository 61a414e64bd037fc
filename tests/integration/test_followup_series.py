"""Two rounds of the seed form in a series on the real emulator (issue 19): round 2 follows
round 1 on a newer form version that renames an item; the recommendations made after round 1
reach the units' forms in round 2 (API and web form without JavaScript), the units answer them,
the answers are validated, exported, and an accepted "done" closes its recommendation."""

from __future__ import annotations

import json
import os
import re
import subprocess
from html import unescape
from pathlib import Path

import pytest
from werkzeug.datastructures import MultiDict

from checkround import wiring
from tests.integration.helpers import create_round, setup_seed_round
from tests.integration.test_web_form import csrf_of, form_fields, open_link
from tests.series_support import (
    FORM,
    R1,
    R2,
    REPORTED_1,
    SERIES,
    first_assessment,
    follow_up_of,
    recommendation_bodies,
    round2_answers,
    round2_assessment,
    second_version,
)
from tests.support import SEED_UNITS, UNIT_NAMES, seed_answers

pytestmark = pytest.mark.integration

# Where to keep the second summary for a look (unset: nowhere).
OUT = Path(os.environ.get("CHECKROUND_KEEP_PDF", "/nonexistent"))


def build_series(admin, unit_client):
    """Round 1 submitted and closed, its recommendations, version 2, round 2 open; returns
    (round 2's tokens, the recommendation ids by unit in the order they were made)."""
    tokens = setup_seed_round(admin, R1)
    for unit_id in REPORTED_1:
        sent = unit_client(tokens[unit_id])("POST", f"/rounds/{R1}/submission", {"answers": seed_answers(unit_id)})
        assert sent.status_code == 201, sent.json
        # The official scores are the inspection team's.
        scored = admin("PUT", f"/rounds/{R1}/assessments/{unit_id}", {"answers": first_assessment(unit_id)})
        assert scored.status_code == 200, scored.json
    assert admin("POST", f"/rounds/{R1}/close").status_code == 200
    recs: dict[str, list[str]] = {}
    for body in recommendation_bodies():
        made = admin("POST", f"/rounds/{R1}/recommendations", body)
        assert made.status_code == 201, made.json
        recs.setdefault(body["unit_id"], []).append(made.json["id"])
    etag = admin("GET", f"/forms/{FORM}").json["etag"]
    assert admin("PUT", f"/forms/{FORM}/draft", second_version(), headers={"If-Match": etag}).status_code == 200
    published = admin("POST", f"/forms/{FORM}/versions").json
    assert published["version"] == 2
    assert {
        "change": "renamed",
        "from": "chuong_trinh.cong_tac_giao_duc",
        "field": "chuong_trinh.giao_duc_chinh_tri",
    }.items() <= {
        k: v for change in published["changes"] if change["change"] == "renamed" for k, v in change.items()
    }.items()
    tokens2 = create_round(admin, R2, SEED_UNITS, previous_round_id=R1, form_version=2)
    return tokens2, recs


def test_recommendations_reach_the_unit_form_and_its_answers_are_checked_stored_exported(admin, unit_client, tmp_path):
    tokens, recs = build_series(admin, unit_client)
    mong_cai = unit_client(tokens["mong-cai"])
    form = mong_cai("GET", f"/rounds/{R2}/form").json
    assert form["form_version"] == 2
    assert [rec["id"] for rec in form["recommendations"]] == recs["mong-cai"]
    assert form["recommendations"][0]["text"]["vi"].startswith("Củng cố ban quản lý tổ")
    assert form["recommendations"][0]["due_date"] == "2019-11-30"
    assert form["follow_up"] == {}
    # Ba Chẽ got no recommendation; Công an's is not Móng Cái's business.
    assert unit_client(tokens["ba-che"])("GET", f"/rounds/{R2}/form").json["recommendations"] == []

    answers = round2_answers("mong-cai")
    first, second = recs["mong-cai"]
    # A submission must say something of each listed recommendation.
    missing = mong_cai("POST", f"/rounds/{R2}/submission", {"answers": answers}, headers={"Accept-Language": "en"})
    assert missing.status_code == 422, missing.json
    assert missing.json["error"]["fields"] == {
        "follow_up": {
            rec: {"status": ["Say how far this recommendation has been carried out."]} for rec in (first, second)
        }
    }
    # Unknown ids, wrong statuses and wrong shapes are refused, with the answers' own errors beside them.
    broken = {**answers, "chuong_trinh": {**answers["chuong_trinh"], "giao_duc_chinh_tri": {"status": "maybe"}}}
    refused = mong_cai(
        "POST",
        f"/rounds/{R2}/submission",
        {
            "answers": broken,
            "follow_up": {first: {"status": "finished"}, recs["cong-an"][0]: {"status": "done"}, second: "x"},
        },
    )
    assert refused.status_code == 422
    fields = refused.json["error"]["fields"]
    assert "giao_duc_chinh_tri" in fields["chuong_trinh"]
    assert fields["follow_up"] == {
        first: {"status": ["Chọn một trong: đã thực hiện, đang thực hiện, chưa thực hiện."]},
        recs["cong-an"][0]: ["Không có kiến nghị này trong danh sách của đơn vị."],
        second: ["Phải là một nhóm giá trị (object) theo mã kiến nghị."],
    }
    assert not list(wiring.context().store.list(f"rounds/{R2}/submissions"))

    # A draft may leave statuses out; the form gives the draft's answers back.
    draft = mong_cai("PUT", f"/rounds/{R2}/draft", {"answers": {}, "follow_up": {second: {"note": "Đang làm"}}})
    assert draft.status_code == 200, draft.json
    assert mong_cai("GET", f"/rounds/{R2}/form").json["follow_up"] == {second: {"status": None, "note": "Đang làm"}}

    follow_up = follow_up_of("mong-cai", recs)
    sent = mong_cai("POST", f"/rounds/{R2}/submission", {"answers": answers, "follow_up": follow_up})
    assert sent.status_code == 201, sent.json
    stored = wiring.context().store.get(f"rounds/{R2}/submissions/{sent.json['submission_id']}")
    assert stored["follow_up"] == {
        first: {"status": "done", "note": follow_up[first]["note"]},
        second: {"status": "in_progress", "note": follow_up[second]["note"]},
    }
    assert stored["answers"]["chuong_trinh"]["giao_duc_chinh_tri"]["score"] == 8
    # The unit's own PDF says what it answered of each recommendation.
    unit_pdf = admin("GET", f"/rounds/{R2}/submissions/mong-cai.pdf")
    assert unit_pdf.status_code == 200
    text, _ = pdf_text(unit_pdf.data, tmp_path)
    assert "Tiến độ thực hiện kiến nghị của đợt kiểm tra trước" in text
    assert (
        f"Nắm bắt tư tưởng thanh niên làm dịch vụ, buôn bán tự do. Đang thực hiện: {follow_up[second]['note']}" in text
    )

    exported = admin("GET", f"/rounds/{R2}/submissions?format=json")
    body = json.loads(exported.get_data(as_text=True))
    assert body["columns"][-1]["key"] == "follow_up"
    row = next(r for r in body["rows"] if r["unit_id"] == "mong-cai")
    assert row["follow_up"] == stored["follow_up"]
    csv_text = admin("GET", f"/rounds/{R2}/submissions?format=csv").get_data(as_text=True)
    assert csv_text.splitlines()[0].endswith(",follow_up")
    assert "in_progress" in csv_text

    # Accepting the report closes the recommendation it answers "done", audited in round 1.
    assert admin("POST", f"/rounds/{R2}/submissions/mong-cai/accept", {}).status_code == 200
    done = admin("GET", f"/rounds/{R1}/recommendations?status=done").json["recommendations"]
    assert [(rec["id"], rec["closed_by_round"]) for rec in done] == [(first, R2)]
    open_ = admin("GET", f"/rounds/{R1}/recommendations?unit_id=mong-cai&status=open").json["recommendations"]
    assert [rec["id"] for rec in open_] == [second]
    events = [e for e in admin("GET", f"/rounds/{R1}/audit").json["events"] if e["action"] == "recommendation_updated"]
    assert [(e["recommendation_id"], e["by_round"], e["changes"]) for e in events] == [
        (first, R2, {"status": {"from": "open", "to": "done"}})
    ]
    # Returned after all: the acceptance is withdrawn, and what it closed is open again.
    back = admin("POST", f"/rounds/{R2}/submissions/mong-cai/return", {"comments": {"von_vay.du_no": "Ghi rõ số dư."}})
    assert back.status_code == 200, back.json
    open_again = admin("GET", f"/rounds/{R1}/recommendations?unit_id=mong-cai&status=open").json["recommendations"]
    assert [rec["id"] for rec in open_again] == [first, second]
    events = [e for e in admin("GET", f"/rounds/{R1}/audit").json["events"] if e["action"] == "recommendation_updated"]
    assert events[-1]["changes"] == {"status": {"from": "done", "to": "open"}}


def test_a_unit_answers_its_recommendations_in_the_web_form_without_javascript(admin, unit_client, apps):
    tokens, recs = build_series(admin, unit_client)
    (rec_id,) = recs["tien-yen"]
    client, page = open_link(apps, tokens.links["tien-yen"], round_id=R2, lang="en")
    html = unescape(page.get_data(as_text=True))
    assert "Progress on the previous round's recommendations" in html
    assert "Recommendation 1: Make sure the residential-area branches meet every month." in html
    assert f'name="follow_up.{rec_id}.status" value="not_started"' in html
    # The field it is about, by its label in round 2's form.
    assert f'id="fu-{rec_id}-hint">About: Resolution studied, turned into concrete plans and carried out<' in html

    url = f"/r/{R2}"
    fields = [*form_fields(round2_answers("tien-yen")), ("csrf", csrf_of(page)), ("action", "submit")]
    refused = client.post(url, query_string={"lang": "en"}, data=MultiDict(fields))
    assert refused.status_code == 422
    shown = unescape(refused.get_data(as_text=True))
    assert (
        f'<a href="#fu-{rec_id}">Recommendation 1</a>: Say how far this recommendation has been carried out.' in shown
    )
    assert f'id="fu-{rec_id}-status-error"' in shown
    # What was typed stays on the page.
    assert re.search(r'name="chuong_trinh\.giao_duc_chinh_tri\.score"\s+value="7"', shown)

    fields += [(f"follow_up.{rec_id}.status", "not_started"), (f"follow_up.{rec_id}.note", "Chờ hướng dẫn.")]
    sent = client.post(url, query_string={"lang": "en"}, data=MultiDict(fields))
    assert sent.status_code == 303, unescape(sent.get_data(as_text=True))[:3000]
    entry = wiring.context().store.get(f"rounds/{R2}/entries/tien-yen")
    stored = wiring.context().store.get(f"rounds/{R2}/submissions/{entry['submission_id']}")
    assert stored["follow_up"] == {rec_id: {"status": "not_started", "note": "Chờ hướng dẫn."}}
    copy = unescape(client.get(f"{url}/copy", query_string={"lang": "en"}).get_data(as_text=True))
    # The printable copy of what was sent says it too, in the page's language.
    assert (
        "<dt>Recommendation 1: Make sure the residential-area branches meet every month.</dt>"
        "<dd>Not started: Chờ hướng dẫn.</dd>" in copy
    )
    again = unescape(client.get(url, query_string={"lang": "en"}).get_data(as_text=True))
    assert re.search(rf'name="follow_up\.{rec_id}\.status" value="not_started"\s+checked', again)


def checklist_total(answers):
    """A unit's total by hand: the points of every checklist item it answered."""
    return sum(
        v["score"] for section in answers.values() for v in section.values() if isinstance(v, dict) and "status" in v
    )


def cluster_ranks(totals, names):
    """1, 1, 3 ranking by total, then by name (as the committee ranks a cluster)."""
    ordered = sorted(totals, key=lambda unit: (-totals[unit], names[unit]))
    ranks = {}
    for index, unit in enumerate(ordered):
        ranks[unit] = ranks[ordered[index - 1]] if index and totals[ordered[index - 1]] == totals[unit] else index + 1
    return ranks


def pdf_text(pdf: bytes, tmp_path) -> tuple[str, list[str]]:
    """The PDF's text as one line (for sentences), and its lines as laid out (for table rows),
    whitespace collapsed."""
    path = tmp_path / "summary.pdf"
    path.write_bytes(pdf)
    flat = subprocess.run(["pdftotext", str(path), "-"], check=True, capture_output=True, text=True).stdout
    laid = subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True).stdout
    # The running header and the page number, wherever a page breaks, are not the report's text.
    flat = re.sub(r"\d+ / \d+\s+BÁO CÁO TỔNG HỢP KẾT QUẢ KIỂM TRA", " ", flat)
    return " ".join(flat.split()), [" ".join(line.split()) for line in laid.splitlines()]


def test_the_second_summary_compares_with_the_first(admin, unit_client, tmp_path):
    tokens, recs = build_series(admin, unit_client)
    # Round 1's summary keeps each unit's numbers as it printed them; round 2 compares with
    # those: a score the team changes afterwards, without a new summary, does not move them.
    assert admin("POST", f"/rounds/{R1}/summary").status_code == 202
    later = first_assessment("bien-phong")
    later["chuong_trinh"]["xay_dung_chuong_trinh"] = {"status": "partial", "score": 1}
    assert admin("PUT", f"/rounds/{R1}/assessments/bien-phong", {"answers": later}).status_code == 200
    board = {row["unit_id"]: row for row in admin("GET", f"/rounds/{R2}").json["board"]}
    printed = checklist_total(first_assessment("bien-phong"))
    assert board["bien-phong"]["previous"] == {"round_id": R1, "state": "submitted", "total_score": printed}
    assert board["ba-che"]["previous"] == {"round_id": R1, "state": "missing", "total_score": None}
    for unit_id in SERIES["reporting"]:
        body = {"answers": round2_answers(unit_id), "follow_up": follow_up_of(unit_id, recs)}
        sent = unit_client(tokens[unit_id])("POST", f"/rounds/{R2}/submission", body)
        assert sent.status_code == 201, (unit_id, sent.json)
        scored = admin("PUT", f"/rounds/{R2}/assessments/{unit_id}", {"answers": round2_assessment(unit_id)})
        assert scored.status_code == 200, scored.json
    admin("POST", f"/rounds/{R2}/close")
    assert admin("POST", f"/rounds/{R2}/summary").status_code == 202
    pdf = admin("GET", f"/rounds/{R2}/summary.pdf").data
    if OUT.is_dir():
        (OUT / "series-summary.pdf").write_bytes(pdf)
    text, lines = pdf_text(pdf, tmp_path)
    comparison = text.split("So sánh với đợt kiểm tra trước", 1)[1].split("IV. Đánh giá chung", 1)[0]
    start = lines.index("So sánh với đợt kiểm tra trước")
    rows = lines[start : lines.index("2. Điểm theo từng nội dung (đợt này, tăng/giảm so với đợt trước)", start)]

    # By hand, from the fixtures: each unit's total in each round (the team's scores), its
    # change, its rank in its cluster.
    before = {unit: checklist_total(first_assessment(unit)) for unit in REPORTED_1}
    now = {unit: checklist_total(round2_assessment(unit)) for unit in SERIES["reporting"]}
    assert (now["mong-cai"] - before["mong-cai"], now["hai-quan"] - before["hai-quan"]) == (8, 3)
    assert now["tien-yen"] - before["tien-yen"] == -6
    clusters = {
        "khoi-llvt-doanh-nghiep": ["hai-quan", "than-quang-ninh", "bien-phong", "cong-an"],
        "cum-mien-dong": ["tien-yen", "ba-che", "mong-cai"],
    }
    rank_before, rank_now = {}, {}
    for members in clusters.values():
        rank_before |= cluster_ranks({u: before[u] for u in members if u in before}, UNIT_NAMES)
        rank_now |= cluster_ranks({u: now[u] for u in members if u in now}, UNIT_NAMES)
    # Móng Cái overtakes Tiên Yên, and Ba Chẽ, new to the comparison, comes between them.
    assert (rank_before["mong-cai"], rank_now["mong-cai"], rank_before["tien-yen"], rank_now["tien-yen"]) == (
        2,
        1,
        1,
        3,
    )
    for unit in ("mong-cai", "hai-quan", "tien-yen", "than-quang-ninh", "bien-phong"):
        delta = now[unit] - before[unit]
        change = "0" if delta == 0 else f"{'+' if delta > 0 else '−'}{abs(delta)}"
        move = rank_before[unit] - rank_now[unit]
        moved = "giữ nguyên" if move == 0 else (f"tăng {move} bậc" if move > 0 else f"giảm {-move} bậc")
        row = f"{UNIT_NAMES[unit]} {before[unit]} {now[unit]} {change} {rank_before[unit]} → {rank_now[unit]} {moved}"
        assert row in rows, row
    # A unit missing from either round is said so, never compared as zero.
    assert f"{UNIT_NAMES['cong-an']} {before['cong-an']} — không so sánh: chưa nộp đợt này" in rows
    assert f"{UNIT_NAMES['ba-che']} — {now['ba-che']} không so sánh: chưa nộp đợt trước" in rows
    # The narrative says who improved and who fell back, from the numbers.
    assert (
        f"Nhìn chung, so với đợt trước, 2 đơn vị tăng tổng điểm: {UNIT_NAMES['mong-cai']} (+8), "
        f"{UNIT_NAMES['hai-quan']} (+3)." in comparison
    )
    assert f"Tuy nhiên, 1 đơn vị giảm tổng điểm: {UNIT_NAMES['tien-yen']} (−6)." in comparison
    assert f"{UNIT_NAMES['cong-an']} chưa nộp báo cáo ở đợt này nên không so sánh." in comparison
    # Items that changed, under the renamed item's new label in round 2.
    items = comparison.split("3. Các chỉ tiêu thay đổi mức độ đạt", 1)[1].split("4. Tiến độ", 1)[0]
    mong_cai = items.split(UNIT_NAMES["mong-cai"], 1)[1]
    assert mong_cai.startswith(" Từ chưa đạt (hoặc đạt một phần) lên đạt: Công tác giáo dục chính trị")
    assert (
        "Từ đạt xuống chưa đạt hoặc đạt một phần: Triển khai các phong trào hành động"
        in items.split(UNIT_NAMES["tien-yen"], 1)[1]
    )
    # Recommendations: counts by unit and the texts still open.
    recs_part = comparison.split("4. Tiến độ thực hiện kiến nghị của đợt trước", 1)[1].split("5. Tình hình", 1)[0]
    assert (
        f"{UNIT_NAMES['mong-cai']}: 1 kiến nghị đã thực hiện, 1 đang thực hiện, 0 chưa thực hiện, 0 chưa báo cáo."
        in recs_part
    )
    assert "Nắm bắt tư tưởng thanh niên làm dịch vụ, buôn bán tự do. (Đang thực hiện)" in recs_part
    assert "Củng cố ban quản lý tổ tiết kiệm" not in recs_part  # done: not listed as open
    assert (
        f"{UNIT_NAMES['cong-an']}: 0 kiến nghị đã thực hiện, 0 đang thực hiện, 0 chưa thực hiện, 1 chưa báo cáo."
        in recs_part
    )
    assert (
        "Bảo đảm chi đoàn khu dân cư sinh hoạt định kỳ hằng tháng. (Chưa thực hiện): Chờ hướng dẫn của Tỉnh đoàn."
        in recs_part
    )
    # On-time reporting across the series: 6 of 7 in both rounds.
    series_part = comparison.split("5. Tình hình nộp báo cáo qua các đợt", 1)[1]
    assert series_part.count("6/7 6 0 1") == 2
    # The topics cite their basis from the form's descriptions.
    assert "Thực hiện Quyết định số 1515 ngày 24/4/2019 của Ban Thường vụ Tỉnh ủy" in text
    assert "Nghị quyết số 03-NQ/TĐTN-BTC ngày 27/12/2018" in text
