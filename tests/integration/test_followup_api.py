"""Rounds in a series and recommendations, through admin_api on the real emulator (issue 19)."""

from __future__ import annotations

import pytest

from tests.integration.helpers import create_round, setup_seed_round
from tests.series_support import first_assessment
from tests.support import seed_answers

pytestmark = pytest.mark.integration

R1 = "kt-6-thang-2019"


def checklist_total(answers):
    """A unit's total by hand: the points of every checklist item it answered."""
    return sum(
        value["score"]
        for section in answers.values()
        for value in section.values()
        if isinstance(value, dict) and "status" in value
    )


def closed_first_round(admin, unit_client, reporting=("mong-cai", "tien-yen", "hai-quan")):
    tokens = setup_seed_round(admin, R1)
    for unit_id in reporting:
        unit = unit_client(tokens[unit_id])
        response = unit("POST", f"/rounds/{R1}/submission", {"answers": seed_answers(unit_id)})
        assert response.status_code == 201, response.json
        scored = admin("PUT", f"/rounds/{R1}/assessments/{unit_id}", {"answers": first_assessment(unit_id)})
        assert scored.status_code == 200, scored.json
    assert admin("POST", f"/rounds/{R1}/close").json["status"] == "closed"
    return tokens


def test_previous_round_must_be_a_closed_round(admin, unit_client):
    setup_seed_round(admin, R1)
    units = ["mong-cai", "tien-yen"]
    for previous, message in (
        ("khong-co", "No round has this id."),
        (R1, "The previous round must be closed."),
        ("r2", "A round cannot follow itself."),
    ):
        body_round = "r2"
        refused = admin(
            "POST",
            "/rounds",
            {
                "id": body_round,
                "title": {"vi": "Đợt 2"},
                "form_id": "kiem-tra-6-thang-2019",
                "unit_ids": units,
                "opens_at": "2030-01-01T00:00:00+07:00",
                "closes_at": "2030-01-08T00:00:00+07:00",
                "previous_round_id": previous,
            },
            headers={"Accept-Language": "en"},
        )
        assert refused.status_code == 422, refused.json
        assert refused.json["error"]["fields"] == {"previous_round_id": [message]}
        assert refused.json["error"]["message"] == "Some of the round's fields are not valid."
        assert admin("GET", "/rounds/r2").status_code == 404


def test_board_shows_state_and_total_in_the_previous_round(admin, unit_client):
    closed_first_round(admin, unit_client)
    # Round 2: Ba Chẽ is new to the series' reports; Hải quan is not in round 2 at all.
    tokens = create_round(admin, "r2", ["mong-cai", "tien-yen", "ba-che"], previous_round_id=R1)
    unit = unit_client(tokens["mong-cai"])
    assert unit("POST", "/rounds/r2/submission", {"answers": seed_answers("mong-cai")}).status_code == 201
    board = {row["unit_id"]: row for row in admin("GET", "/rounds/r2").json["board"]}
    # The points are the inspection team's: a report it has not scored has no total yet.
    assert board["mong-cai"]["total_score"] is None
    scores = first_assessment("mong-cai")
    scores["chuong_trinh"]["cong_tac_giao_duc"] = {"status": "yes", "score": 8}
    assert admin("PUT", "/rounds/r2/assessments/mong-cai", {"answers": scores}).status_code == 200
    round_doc = admin("GET", "/rounds/r2").json
    assert round_doc["previous_round_id"] == R1
    board = {row["unit_id"]: row for row in round_doc["board"]}
    before = checklist_total(first_assessment("mong-cai"))
    assert board["mong-cai"]["total_score"] == checklist_total(scores) == before + 2
    assert board["mong-cai"]["previous"] == {"round_id": R1, "state": "submitted", "total_score": before}
    assert board["tien-yen"]["state"] == "missing"
    assert board["tien-yen"]["total_score"] is None
    assert board["tien-yen"]["previous"]["total_score"] == checklist_total(first_assessment("tien-yen"))
    assert board["ba-che"]["previous"] == {"round_id": R1, "state": "missing", "total_score": None}
    assert "previous" not in admin("GET", f"/rounds/{R1}").json["board"][0]


def test_recommendations_are_made_after_the_close_listed_and_changed_with_an_audit(admin, unit_client):
    tokens = setup_seed_round(admin, R1)
    body = {
        "unit_id": "mong-cai",
        "text": {"vi": "Củng cố ban quản lý tổ vay vốn ở xã khó khăn.", "en": "Strengthen the loan groups."},
        "field": "von_vay.quan_ly_von_vay",
        "due_date": "2019-12-31",
    }
    early = admin("POST", f"/rounds/{R1}/recommendations", body, headers={"Accept-Language": "en"})
    assert early.status_code == 409
    assert early.json["error"] == {
        "code": "round_not_closed",
        "message": "Recommendations are recorded once the round has closed.",
    }
    assert unit_client(tokens["mong-cai"])("GET", f"/rounds/{R1}/form").status_code == 200
    admin("POST", f"/rounds/{R1}/close")

    made = admin("POST", f"/rounds/{R1}/recommendations", body)
    assert made.status_code == 201, made.json
    rec = made.json
    assert rec["id"].startswith("rec-")
    assert (rec["unit_id"], rec["field"], rec["due_date"], rec["status"]) == (
        "mong-cai",
        "von_vay.quan_ly_von_vay",
        "2019-12-31",
        "open",
    )
    other = admin("POST", f"/rounds/{R1}/recommendations", {"unit_id": "tien-yen", "text": {"vi": "Sinh hoạt đều."}})
    assert other.status_code == 201

    for bad, fields in (
        ({**body, "field": "von_vay.khong_co"}, {"field": ["The round's form has no such field."]}),
        ({**body, "field": "von_vay"}, {"field": ["Give the field as section.field."]}),
        ({**body, "unit_id": "khong-co"}, {"unit_id": ["This unit is not in the round."]}),
        ({**body, "text": {"en": "no Vietnamese"}}, {"text": {"vi": ["Missing data for required field."]}}),
    ):
        refused = admin("POST", f"/rounds/{R1}/recommendations", bad)
        assert refused.status_code == 422, refused.json
        assert refused.json["error"]["fields"] == fields
        assert refused.json["error"]["message"] == "Kiến nghị có trường chưa hợp lệ."
    assert admin("POST", "/rounds/khong-co/recommendations", body).status_code == 404

    listed = admin("GET", f"/rounds/{R1}/recommendations").json["recommendations"]
    assert [r["id"] for r in listed] == [rec["id"], other.json["id"]]
    mine = admin("GET", f"/rounds/{R1}/recommendations?unit_id=mong-cai").json["recommendations"]
    assert [r["id"] for r in mine] == [rec["id"]]

    changed = admin("PATCH", f"/rounds/{R1}/recommendations/{rec['id']}", {"status": "dropped", "due_date": None})
    assert changed.status_code == 200, changed.json
    assert (changed.json["status"], changed.json["due_date"]) == ("dropped", None)
    assert [r["id"] for r in admin("GET", f"/rounds/{R1}/recommendations?status=open").json["recommendations"]] == [
        other.json["id"]
    ]
    assert admin("GET", f"/rounds/{R1}/recommendations?status=maybe").status_code == 422
    long_id = admin("GET", f"/rounds/{R1}/recommendations?unit_id={'a' * 2000}")  # never reaches the query
    assert long_id.status_code == 422
    assert long_id.json["error"]["fields"] == {"unit_id": ["Not a unit id."]}
    assert admin("PATCH", f"/rounds/{R1}/recommendations/rec-khong-co", {"status": "done"}).status_code == 404
    assert admin("PATCH", f"/rounds/{R1}/recommendations/{rec['id']}", {}).status_code == 422
    assert admin("PATCH", f"/rounds/{R1}/recommendations/{rec['id']}", {"status": "closed"}).status_code == 422

    events = admin("GET", f"/rounds/{R1}/audit").json["events"]
    created = [e for e in events if e["action"] == "recommendation_created"]
    assert [e["recommendation_id"] for e in created] == [rec["id"], other.json["id"]]
    updated = [e for e in events if e["action"] == "recommendation_updated"]
    assert len(updated) == 1
    assert updated[0]["changes"] == {
        "status": {"from": "open", "to": "dropped"},
        "due_date": {"from": "2019-12-31", "to": None},
    }
