"""The review of a unit's submission through the real entry points and the emulator: accept
locks the report (drafts and submissions refused, the web form read-only with a notice) until
an admin returns it; the board, the unit's view, the exports and the audit log say so; a
review of a revision the unit has replaced since is refused."""

from __future__ import annotations

import copy
import csv
import io

import pytest
from werkzeug.datastructures import MultiDict

from tests.integration.helpers import setup_seed_round
from tests.integration.test_web_form import csrf_of, form_fields, open_link
from tests.support import seed_answers

pytestmark = pytest.mark.integration

ROUND = "kt-6-thang-2019"
UNIT = "mong-cai"


def board_state(admin, unit_id=UNIT):
    return {row["unit_id"]: row for row in admin("GET", f"/rounds/{ROUND}").json["board"]}[unit_id]["state"]


def test_accept_locks_the_report_until_it_is_returned(admin, unit_client, apps):
    tokens = setup_seed_round(admin)
    unit = unit_client(tokens[UNIT])
    answers = {"answers": seed_answers(UNIT)}
    first = unit("POST", f"/rounds/{ROUND}/submission", answers, headers={"Idempotency-Key": "k1"})
    assert first.status_code == 201

    accepted = admin("POST", f"/rounds/{ROUND}/submissions/{UNIT}/accept", {"message": "Báo cáo đầy đủ."})
    assert accepted.json == {"state": "accepted", "revision": 1}
    assert board_state(admin) == "accepted"
    view = unit("GET", f"/rounds/{ROUND}/form").json
    assert view["state"] == "accepted"
    assert view["accepted"]["message"] == "Báo cáo đầy đủ."
    assert view["accepted"]["revision"] == 1
    assert view["accepted"]["by"].startswith("admin")

    # Locked: a draft and a new revision are refused with a clear message; nothing is stored.
    draft = unit("PUT", f"/rounds/{ROUND}/draft", answers, headers={"Accept-Language": "en"})
    assert draft.status_code == 409
    assert draft.json["error"]["code"] == "submission_accepted"
    assert "accepted" in draft.json["error"]["message"]
    again = unit("POST", f"/rounds/{ROUND}/submission", answers)
    assert again.status_code == 409
    assert again.json["error"]["code"] == "submission_accepted"
    assert "duyệt" in again.json["error"]["message"]
    # A replay of the revision sent before the acceptance still answers as it did then.
    replay = unit("POST", f"/rounds/{ROUND}/submission", answers, headers={"Idempotency-Key": "k1"})
    assert replay.status_code == 201
    assert replay.json == first.json
    assert unit("GET", f"/rounds/{ROUND}/submission").json["revision"] == 1
    assert unit("GET", f"/rounds/{ROUND}/form").json["draft"] is None

    # The web form says so and is read-only; a post from an old page is refused on the page.
    client, page = open_link(apps, tokens.links[UNIT])
    html = page.get_data(as_text=True)
    assert 'id="accepted"' in html
    assert "Báo cáo lần 1 đã được duyệt" in html
    assert "Báo cáo đầy đủ." in html
    assert '<fieldset class="all" disabled>' in html
    fields = [*form_fields(seed_answers(UNIT)), ("action", "submit"), ("csrf", csrf_of(page))]
    refused = client.post(f"/r/{ROUND}", data=MultiDict(fields))
    assert refused.status_code == 409
    assert "không sửa hay gửi lại được" in refused.get_data(as_text=True)

    # Exports list it with its state; accepting twice is refused.
    export = admin("GET", f"/rounds/{ROUND}/submissions", query_string={"format": "csv"})
    rows = list(csv.reader(io.StringIO(export.get_data(as_text=True))))
    state = rows[0].index("state")
    assert rows[1][state] == "Tình trạng"
    assert [row[state] for row in rows[2:]] == ["accepted"]
    assert admin("POST", f"/rounds/{ROUND}/submissions/{UNIT}/accept").status_code == 409

    # Returned, the unit may correct it and send revision 2.
    comments = {"danh_gia.han_che": "Ghi cụ thể hơn."}
    returned = admin("POST", f"/rounds/{ROUND}/submissions/{UNIT}/return", {"comments": comments})
    assert returned.json == {"state": "returned", "revision": 1}
    assert unit("GET", f"/rounds/{ROUND}/form").json["accepted"] is None
    second = unit("POST", f"/rounds/{ROUND}/submission", answers)
    assert second.status_code == 201
    assert second.json["revision"] == 2
    assert board_state(admin) == "submitted"

    actions = [
        (e["action"], e.get("unit_id"), e.get("revision"))
        for e in admin("GET", f"/rounds/{ROUND}/audit").json["events"]
    ]
    assert ("accept", UNIT, 1) in actions
    assert actions.index(("accept", UNIT, 1)) < actions.index(("return", UNIT, 1))


def test_a_review_of_a_replaced_revision_is_refused(admin, unit_client):
    tokens = setup_seed_round(admin)
    unit = unit_client(tokens[UNIT])
    answers = {"answers": seed_answers(UNIT)}
    unit("POST", f"/rounds/{ROUND}/submission", answers)
    unit("POST", f"/rounds/{ROUND}/submission", answers)  # revision 2, sent while the admin read 1
    stale = admin(
        "POST", f"/rounds/{ROUND}/submissions/{UNIT}/accept", {"revision": 1}, headers={"Accept-Language": "en"}
    )
    assert stale.status_code == 409
    assert stale.json["error"]["code"] == "revision_changed"
    assert "revision 2" in stale.json["error"]["message"]
    stale_return = admin(
        "POST", f"/rounds/{ROUND}/submissions/{UNIT}/return", {"comments": {"a.b": "x"}, "revision": 1}
    )
    assert stale_return.json["error"]["code"] == "revision_changed"
    assert board_state(admin) == "submitted"
    assert admin("POST", f"/rounds/{ROUND}/submissions/{UNIT}/accept", {"revision": 2}).json["revision"] == 2
    # A unit that has not submitted cannot be accepted; a unit outside the round is not found.
    assert admin("POST", f"/rounds/{ROUND}/submissions/ba-che/accept").json["error"]["code"] == "invalid_state"
    assert admin("POST", f"/rounds/{ROUND}/submissions/nobody/accept").status_code == 404
    bad = admin("POST", f"/rounds/{ROUND}/submissions/{UNIT}/accept", {"revision": "2", "extra": 1})
    assert bad.status_code == 422
    assert set(bad.json["error"]["fields"]) == {"revision", "extra"}


def test_a_closed_rounds_report_may_be_accepted_and_the_summary_counts_it(admin, unit_client):
    tokens = setup_seed_round(admin)
    unit_client(tokens[UNIT])("POST", f"/rounds/{ROUND}/submission", {"answers": seed_answers(UNIT)})
    admin("POST", f"/rounds/{ROUND}/close")
    assert admin("POST", f"/rounds/{ROUND}/submissions/{UNIT}/accept").json == {"state": "accepted", "revision": 1}
    from checkround import wiring
    from checkround.submissions.service import latest_submissions

    assert [uid for uid, _ in latest_submissions(wiring.context(), ROUND)] == [UNIT]


def test_revisions_and_what_changed_between_them(admin, unit_client):
    tokens = setup_seed_round(admin)
    unit = unit_client(tokens[UNIT])
    answers = seed_answers(UNIT)
    unit("POST", f"/rounds/{ROUND}/submission", {"answers": answers})
    changed = copy.deepcopy(answers)
    changed["danh_gia"]["han_che"] = "Sinh hoạt chi đoàn chưa đều."
    unit("POST", f"/rounds/{ROUND}/submission", {"answers": changed})

    listed = admin("GET", f"/rounds/{ROUND}/submissions/{UNIT}/revisions").json["revisions"]
    assert [r["revision"] for r in listed] == [2, 1]
    assert "answers" not in listed[0]
    assert "entered_by" not in listed[0]  # the unit sent it
    one = admin("GET", f"/rounds/{ROUND}/submissions/{UNIT}/revisions/1").json
    assert one["revision"] == 1
    assert one["answers"]["danh_gia"]["han_che"] == answers["danh_gia"]["han_che"]  # stored with computed totals
    assert admin("GET", f"/rounds/{ROUND}/submissions/{UNIT}/revisions/3").status_code == 404

    diff = admin("GET", f"/rounds/{ROUND}/submissions/{UNIT}/changes").json
    assert (diff["from"], diff["to"]) == (1, 2)
    assert [(c["name"], c["change"], c["after"]) for c in diff["changes"]] == [
        ("danh_gia.han_che", "changed", "Sinh hoạt chi đoàn chưa đều.")
    ]
    assert diff["changes"][0]["before"] == answers["danh_gia"]["han_che"]
    everything = admin("GET", f"/rounds/{ROUND}/submissions/{UNIT}/changes", query_string={"from": 0, "to": 1}).json
    assert len(everything["changes"]) > 10
    assert {c["change"] for c in everything["changes"]} == {"added"}
    bad = admin("GET", f"/rounds/{ROUND}/submissions/{UNIT}/changes", query_string={"from": "x"})
    assert bad.status_code == 400
    backwards = admin("GET", f"/rounds/{ROUND}/submissions/{UNIT}/changes", query_string={"from": 2, "to": 1})
    assert backwards.status_code == 400
    assert admin("GET", f"/rounds/{ROUND}/submissions/ba-che/changes").status_code == 404


def test_an_admin_enters_a_paper_report_on_the_units_behalf(admin):
    setup_seed_round(admin)
    answers = seed_answers("tien-yen")  # ba-che has no answers of its own: it reports on paper
    draft = admin("PUT", f"/rounds/{ROUND}/submissions/ba-che/draft", {"answers": {"danh_gia": {"han_che": "nháp"}}})
    assert draft.status_code == 200
    view = admin("GET", f"/rounds/{ROUND}/submissions/ba-che").json
    assert view["state"] == "draft"
    assert view["draft_saved_by"].startswith("admin")
    # Invalid answers are refused as a unit's are, nothing stored.
    bad = admin("POST", f"/rounds/{ROUND}/submissions/ba-che", {"answers": {"danh_gia": {"han_che": 5}}})
    assert bad.status_code == 422
    assert bad.json["error"]["fields"]
    sent = admin("POST", f"/rounds/{ROUND}/submissions/ba-che", {"answers": answers}, headers={"Idempotency-Key": "p1"})
    assert sent.status_code == 201
    replay = admin(
        "POST", f"/rounds/{ROUND}/submissions/ba-che", {"answers": answers}, headers={"Idempotency-Key": "p1"}
    )
    assert replay.headers["Idempotent-Replayed"] == "true"
    assert replay.json == sent.json
    assert board_state(admin, "ba-che") == "submitted"
    (revision,) = admin("GET", f"/rounds/{ROUND}/submissions/ba-che/revisions").json["revisions"]
    assert revision["entered_by"].startswith("admin")
    view = admin("GET", f"/rounds/{ROUND}/submissions/ba-che").json
    assert view["entered_by"] == revision["entered_by"]
    assert view["draft"] is None
    events = [e for e in admin("GET", f"/rounds/{ROUND}/audit").json["events"] if e["action"] == "submit"]
    assert [(e["actor"], e["unit_id"], e["entered_by"]) for e in events] == [
        (revision["entered_by"], "ba-che", revision["entered_by"])
    ]
    # Another unit's id in the body, or a unit outside the round, is refused.
    other = admin("POST", f"/rounds/{ROUND}/submissions/ba-che", {"answers": answers, "unit_id": "mong-cai"})
    assert other.status_code == 400
    assert admin("POST", f"/rounds/{ROUND}/submissions/nobody", {"answers": answers}).status_code == 404
    # Accepted, the admin cannot change it either until it is returned.
    admin("POST", f"/rounds/{ROUND}/submissions/ba-che/accept")
    locked = admin("POST", f"/rounds/{ROUND}/submissions/ba-che", {"answers": answers})
    assert locked.json["error"]["code"] == "submission_accepted"


def test_a_form_version_prints_as_a_blank_paper_form(admin):
    setup_seed_round(admin)
    pdf = admin("GET", "/forms/kiem-tra-6-thang-2019/versions/1.pdf", query_string={"lang": "en"})
    assert pdf.status_code == 200
    assert pdf.content_type == "application/pdf"
    assert pdf.data.startswith(b"%PDF")
    assert 'filename="kiem-tra-6-thang-2019-v1-en.pdf"' in pdf.headers["Content-Disposition"]
    assert admin("GET", "/forms/kiem-tra-6-thang-2019/versions/9.pdf").status_code == 404
    bad = admin("GET", "/forms/kiem-tra-6-thang-2019/versions/1.pdf", query_string={"lang": "fr"})
    assert bad.status_code == 400
    assert bad.json["error"]["code"] == "bad_request"
