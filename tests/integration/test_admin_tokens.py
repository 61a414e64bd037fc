"""Admin tokens through ``admin_api`` on the emulator: expiry, list, revocation, audit; and two
reissues of a unit's links at once leave one live link."""

from __future__ import annotations

import pytest

from checkround import wiring
from tests.integration.conftest import Api
from tests.integration.helpers import setup_seed_round
from tests.support import first_transactions_in_step, run_together

pytestmark = pytest.mark.integration


def test_issue_list_revoke_and_the_audit_log(project, admin, apps):
    answer = admin("POST", "/admin-tokens", {"name": "báo cáo đêm", "expires_in_days": 10})
    assert answer.status_code == 201
    issued = answer.json
    other = Api(apps["admin_api"], issued["token"])
    assert other("GET", "/units").status_code == 200
    rows = admin("GET", "/admin-tokens").json["tokens"]
    assert rows[0]["name"] == "báo cáo đêm"
    assert all("token" not in row for row in rows)
    assert rows[0]["active"] is True
    assert other("POST", f"/admin-tokens/{issued['token_id']}/revoke").status_code == 200  # even its own
    assert other("GET", "/units").status_code == 401
    assert admin("GET", "/admin-tokens").json["tokens"][0]["active"] is False
    actions = [(event["action"], event["token_id"]) for event in admin("GET", "/audit").json["events"]]
    assert actions == [("admin_token_issued", issued["token_id"]), ("admin_token_revoked", issued["token_id"])]
    assert admin("POST", "/admin-tokens/a0000000000000000/revoke").status_code == 404
    refused = admin("POST", "/admin-tokens", {"name": "x", "expires_in_days": 3650}, headers={"Accept-Language": "en"})
    assert refused.status_code == 422
    assert "expires_in_days" in refused.json["error"]["fields"]


def test_two_reissues_at_once_leave_one_live_link(project, admin, apps, monkeypatch):
    setup_seed_round(admin)
    store = wiring.context().store
    met = first_transactions_in_step(monkeypatch, store)
    answers: dict[str, int] = {}

    def reissue(name):
        response = Api(apps["admin_api"], admin.token)(
            "POST", "/rounds/kt-6-thang-2019/tokens", {"unit_ids": ["ba-che"], "revoke_previous": True}
        )
        answers[name] = response.status_code

    run_together(reissue)
    assert sorted(met) == ["a", "b"]  # the race happened: both reissues were in flight at once
    assert answers == {"a": 200, "b": 200}
    live = [doc_id for doc_id, doc in store.list("tokens") if doc.get("unit_id") == "ba-che" and not doc.get("revoked")]
    assert len(live) == 2  # one link: its API token and its web form secret
    (pair,) = store.get("rounds/kt-6-thang-2019/links/ba-che")["live"]
    assert sorted(pair.values()) == sorted(f"tokens/{doc_id}" for doc_id in live)
