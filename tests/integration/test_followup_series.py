"""Two rounds of the seed form in a series on the real emulator (issue 19): round 2 follows
round 1 on a newer form version that renames an item; the recommendations made after round 1
reach the units' forms in round 2 (API and web form without JavaScript), the units answer them,
the answers are validated, exported, and an accepted "done" closes its recommendation."""

from __future__ import annotations

import json
import re
from html import unescape

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
    follow_up_of,
    recommendation_bodies,
    round2_answers,
    second_version,
)
from tests.support import SEED_UNITS, seed_answers

pytestmark = pytest.mark.integration


def build_series(admin, unit_client):
    """Round 1 submitted and closed, its recommendations, version 2, round 2 open; returns
    (round 2's tokens, the recommendation ids by unit in the order they were made)."""
    tokens = setup_seed_round(admin, R1)
    for unit_id in REPORTED_1:
        sent = unit_client(tokens[unit_id])("POST", f"/rounds/{R1}/submission", {"answers": seed_answers(unit_id)})
        assert sent.status_code == 201, sent.json
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


def test_recommendations_reach_the_unit_form_and_its_answers_are_checked_stored_exported(admin, unit_client):
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
    again = unescape(client.get(url, query_string={"lang": "en"}).get_data(as_text=True))
    assert re.search(rf'name="follow_up\.{rec_id}\.status" value="not_started"\s+checked', again)
