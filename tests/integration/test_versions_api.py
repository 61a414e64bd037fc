"""Form versions through the admin API on the real emulator."""

from __future__ import annotations

import copy
import threading

import pytest

from checkround import wiring
from tests.integration.helpers import setup_seed_round
from tests.support import seed_answers, seed_form

pytestmark = pytest.mark.integration


def test_two_admins_edit_the_same_draft_one_wins_nothing_is_lost(admin):
    form = seed_form()
    etag = admin("POST", "/forms", form).json["etag"]
    edits = []
    for who in ("Quản trị A", "Quản trị B"):
        edit = copy.deepcopy(form)
        edit["title"]["vi"] = f"Phiếu kiểm tra (sửa bởi {who})"
        edits.append(edit)
    results: dict[int, object] = {}
    start = threading.Barrier(2)

    def put(index: int) -> None:
        start.wait()
        results[index] = admin("PUT", f"/forms/{form['id']}/draft", edits[index], headers={"If-Match": etag})

    threads = [threading.Thread(target=put, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    statuses = sorted(response.status_code for response in results.values())
    assert statuses == [200, 412]
    winner = next(i for i, response in results.items() if response.status_code == 200)
    loser = 1 - winner
    assert results[loser].json["error"]["code"] == "version_conflict"
    current = admin("GET", f"/forms/{form['id']}").json
    assert current["draft"]["title"]["vi"] == edits[winner]["title"]["vi"]
    assert current["etag"] == results[winner].json["etag"]
    # The loser reloads and applies its edit on top: nothing is lost.
    retry = admin("PUT", f"/forms/{form['id']}/draft", edits[loser], headers={"If-Match": current["etag"]})
    assert retry.status_code == 200
    assert admin("GET", f"/forms/{form['id']}").json["draft"]["title"]["vi"] == edits[loser]["title"]["vi"]


def test_round_pinned_to_version_1_keeps_validating_against_it(admin, unit_client):
    tokens = setup_seed_round(admin)
    form = seed_form()
    etag = admin("GET", f"/forms/{form['id']}").json["etag"]
    # Version 2 requires a new field and drops the first section's number of initiatives.
    v2 = copy.deepcopy(form)
    v2["sections"][-1]["fields"].append(
        {"key": "chu_ky", "type": "text", "required": True, "label": {"vi": "Người ký", "en": "Signed by"}}
    )
    assert admin("PUT", f"/forms/{form['id']}/draft", v2, headers={"If-Match": etag}).status_code == 200
    published = admin("POST", f"/forms/{form['id']}/versions").json
    assert published["version"] == 2
    assert {"change": "field_added", "field": f"{v2['sections'][-1]['key']}.chu_ky", "type": "text"} in published[
        "changes"
    ]
    unit = unit_client(tokens["mong-cai"])
    assert unit("GET", "/rounds/kt-6-thang-2019/form").json["form_version"] == 1
    response = unit("POST", "/rounds/kt-6-thang-2019/submission", {"answers": seed_answers("mong-cai")})
    assert response.status_code == 201, response.json
    stored = wiring.context().store.get(f"rounds/kt-6-thang-2019/submissions/{response.json['submission_id']}")
    assert stored["form_version"] == 1
    # A field that exists only in version 2 is unknown to a version-1 round.
    with_v2 = seed_answers("mong-cai")
    with_v2[v2["sections"][-1]["key"]]["chu_ky"] = "Bí thư"
    refused = unit(
        "POST", "/rounds/kt-6-thang-2019/submission", {"answers": with_v2}, headers={"Accept-Language": "en"}
    )
    assert refused.status_code == 422
    assert refused.json["error"]["fields"][v2["sections"][-1]["key"]] == {"chu_ky": ["The form has no such question."]}


def test_diff_route_reports_what_publishing_would_change(admin):
    form = seed_form()
    admin("POST", "/forms", form)
    admin("POST", f"/forms/{form['id']}/versions")
    edited = copy.deepcopy(form)
    edited["sections"][0]["fields"][0]["label"]["vi"] = "Nhãn mới"
    diff = admin("POST", f"/forms/{form['id']}/diff", edited).json
    assert diff["against_version"] == 1
    assert [c["change"] for c in diff["changes"]] == ["relabelled"]
