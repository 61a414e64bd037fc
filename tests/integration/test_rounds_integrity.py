"""Round integrity on the real emulator: races, replays, token lifetimes, returns, reopening."""

from __future__ import annotations

import itertools
import random
import threading
import time
from collections import Counter
from datetime import UTC, datetime, timedelta

import grpc
import pytest

from checkround import wiring
from checkround.reports.service import build_summary
from checkround.storage.firestore_tx import RetryPolicy
from tests.integration.helpers import create_round, setup_seed_round
from tests.integration.test_events import pdfs, round_event
from tests.support import SEED_UNITS, seed_answers

pytestmark = pytest.mark.integration
ROUND = "kt-6-thang-2019"


def run_together(calls):
    """Start every call at the same moment; return their results in order."""
    results = [None] * len(calls)
    barrier = threading.Barrier(len(calls))

    def run(index, call):
        barrier.wait()
        results[index] = call()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def stored_submissions():
    return dict(wiring.context().store.list(f"rounds/{ROUND}/submissions"))


def test_fifty_submissions_race_the_close(admin, unit_client):
    tokens = setup_seed_round(admin)
    reporting = [u for u in SEED_UNITS if u != "ba-che"]
    rng = random.Random(7)
    senders = [rng.choice(reporting) for _ in range(50)]
    calls = [
        (lambda unit=unit: unit_client(tokens[unit])(
            "POST", f"/rounds/{ROUND}/submission", {"answers": seed_answers(unit)}))
        for unit in senders
    ]  # fmt: skip
    closer = [lambda: (time.sleep(0.15), admin("POST", f"/rounds/{ROUND}/close"))[1]]
    *responses, closed = run_together(calls + closer)
    assert closed.status_code == 200

    accepted = [(unit, r.json) for unit, r in zip(senders, responses, strict=True) if r.status_code == 201]
    refused = [r for r in responses if r.status_code != 201]
    assert all(r.status_code == 409 and r.json["error"]["code"] == "round_closed" for r in refused)
    assert len(accepted) + len(refused) == 50

    stored = stored_submissions()
    # Every 201 is stored, whole, once; nothing of a 409 is.
    assert sorted(stored) == sorted(body["submission_id"] for _, body in accepted)
    for unit, body in accepted:
        doc = stored[body["submission_id"]]
        assert doc["unit_id"] == unit
        assert doc["revision"] == body["revision"]
        assert doc["answers"]["danh_gia"] == seed_answers(unit)["danh_gia"]
    # Revisions of a unit are 1..n without gaps or duplicates.
    per_unit = Counter(unit for unit, _ in accepted)
    for unit, count in per_unit.items():
        assert sorted(b["revision"] for u, b in accepted if u == unit) == list(range(1, count + 1))

    # The summary holds the latest accepted revision of each unit, and no one else.
    summary = build_summary(wiring.context(), ROUND)
    reported = {row["id"]: row["revision"] for row in summary["units"] if row["reported"]}
    assert reported == dict(per_unit)
    board = {row["unit_id"]: row for row in admin("GET", f"/rounds/{ROUND}").json["board"]}
    assert {u: board[u]["revision"] for u in per_unit} == dict(per_unit)


def test_twenty_concurrent_replays_leave_one_revision(admin, unit_client):
    tokens = setup_seed_round(admin)
    unit = unit_client(tokens["tien-yen"])
    body = {"answers": seed_answers("tien-yen")}
    send = lambda: unit("POST", f"/rounds/{ROUND}/submission", body, headers={"Idempotency-Key": "dup"})  # noqa: E731
    responses = run_together([send] * 20)
    assert {r.status_code for r in responses} == {201}
    assert len({r.json["submission_id"] for r in responses}) == 1
    assert [r.headers["Idempotent-Replayed"] for r in responses].count("false") == 1
    assert len(stored_submissions()) == 1
    events = admin("GET", f"/rounds/{ROUND}/audit").json["events"]
    assert [e["action"] for e in events].count("submit") == 1


def test_expired_and_revoked_links_are_401(admin, unit_client):
    tokens = setup_seed_round(admin)
    unit = unit_client(tokens["hai-quan"])
    assert unit("GET", f"/rounds/{ROUND}/form").status_code == 200
    revoked = admin("POST", f"/rounds/{ROUND}/tokens/revoke", {"unit_ids": ["hai-quan"]}).json
    assert revoked == {"revoked": 1}
    response = unit("GET", f"/rounds/{ROUND}/form")
    assert response.status_code == 401
    assert response.json["error"]["code"] == "unauthenticated"
    # Reissuing gives a working link; with revoke_previous the one before it stops.
    first = admin("POST", f"/rounds/{ROUND}/tokens", {"unit_ids": ["hai-quan"]}).json["tokens"]["hai-quan"]["token"]
    second = admin("POST", f"/rounds/{ROUND}/tokens", {"unit_ids": ["hai-quan"], "revoke_previous": True}).json
    assert second["revoked"] == 1
    assert unit_client(first)("GET", f"/rounds/{ROUND}/form").status_code == 401
    assert unit_client(second["tokens"]["hai-quan"]["token"])("GET", f"/rounds/{ROUND}/form").status_code == 200

    # A link lives until closes_at + grace; past that it is 401 token_expired.
    now = datetime.now(UTC)
    token = create_round(admin, "dot-ngan", ["hai-quan"], closes_in=timedelta(seconds=5))["hai-quan"]
    assert unit_client(token)("GET", "/rounds/dot-ngan/form").status_code == 200
    # Wait for the deadline itself, however long the setup took on a loaded machine.
    time.sleep(max(0.0, (now + timedelta(seconds=5.5) - datetime.now(UTC)).total_seconds()))
    expired = unit_client(token)("POST", "/rounds/dot-ngan/submission", {"answers": seed_answers("hai-quan")})
    assert expired.status_code == 401
    assert expired.json["error"]["code"] == "token_expired"
    assert list(wiring.context().store.list("rounds/dot-ngan/submissions")) == []


class ReadsSeen:
    """Wraps the app's store: records what each transaction reads, and holds the first
    transaction of each thread that reads ``hold`` as open until ``parties`` threads have:
    the race is then sure to happen, whatever the machine's timing."""

    def __init__(self, store, hold, parties):
        self.store = store
        self.real = store.transaction
        self.hold = hold
        self.barrier = threading.Barrier(parties)
        self.held = set()
        self.reads = []  # (thread, transaction number, path, status)
        self.count = itertools.count()

    def transaction(self, fn):
        def watched(tx):
            number = next(self.count)
            return fn(Watched(tx, self, number))

        return self.real(watched)

    def seen(self, number, path, doc):
        thread = threading.get_ident()
        status = doc.get("status") if doc else None
        self.reads.append((thread, number, path, status))
        if path == self.hold and status == "open" and thread not in self.held:
            self.held.add(thread)
            self.barrier.wait(timeout=60)


class Watched:
    def __init__(self, tx, seen, number):
        self.tx, self.seen_by, self.number = tx, seen, number

    def get(self, path):
        return self.get_many([path])[0]

    def get_many(self, paths, fields=None):
        docs = self.tx.get_many(paths, fields=fields)
        for path, doc in zip(paths, docs, strict=True):
            self.seen_by.seen(self.number, path, doc)
        return docs

    def create(self, path, data):
        self.tx.create(path, data)

    def set(self, path, data):
        self.tx.set(path, data)

    def update(self, path, data):
        self.tx.update(path, data)


def test_close_due_rounds_twice_at_once_closes_each_round_once(admin, apps, faults, monkeypatch):
    setup_seed_round(admin)
    now = datetime.now(UTC)
    due = []
    for index in range(3):
        body = {"id": f"dot-{index}", "title": {"vi": "Đợt"}, "form_id": "kiem-tra-6-thang-2019",
                "unit_ids": ["cong-an"], "opens_at": (now - timedelta(hours=2)).isoformat(),
                "closes_at": (now + timedelta(seconds=1)).isoformat()}  # fmt: skip
        assert admin("POST", "/rounds", body).status_code == 201
        admin("POST", f"/rounds/dot-{index}/open")
        due.append(f"dot-{index}")
    time.sleep(1.5)
    store = wiring.context().store
    seen = ReadsSeen(store, "rounds/dot-0", parties=2)
    monkeypatch.setattr(store, "transaction", seen.transaction)
    scheduler = apps["close_due_rounds"].test_client()
    runs = run_together([lambda: scheduler.post("/"), lambda: scheduler.post("/")])
    assert [run.status_code for run in runs] == [200, 200]
    closed = [round_id for run in runs for round_id in run.json["closed"]]
    assert sorted(closed) == due  # each once, across both runs
    # The race happened: both runs read dot-0 as open before either closed it, and the one
    # that did not close it ran its transaction again and found it closed.
    assert not seen.barrier.broken
    assert len(seen.held) == 2
    dot0 = [(thread, number, status) for thread, number, path, status in seen.reads if path == "rounds/dot-0"]
    assert len({thread for thread, _, status in dot0 if status == "open"}) == 2
    assert any(status == "closed" for _, _, status in dot0)
    # Settled in this process: no commit waited for the emulator's lock timeout and was aborted.
    assert faults.refused == []
    for round_id in due:
        doc = wiring.context().store.get(f"rounds/{round_id}")
        assert doc["status"] == "closed"
        assert doc["close_count"] == 1
        actions = [e["action"] for e in admin("GET", f"/rounds/{round_id}/audit").json["events"]]
        assert actions.count("close") == 1
    assert admin("GET", f"/rounds/{ROUND}").json["status"] == "open"  # not due


def test_return_with_comments_then_resubmit(admin, unit_client, apps):
    tokens = setup_seed_round(admin)
    unit = unit_client(tokens["mong-cai"])
    first = unit("POST", f"/rounds/{ROUND}/submission", {"answers": seed_answers("mong-cai")}).json
    comments = {"dai_hoi_chi_doan.so_chi_doan_da_dai_hoi": "Số liệu chưa khớp với biên bản đại hội."}
    returned = admin(
        "POST", f"/rounds/{ROUND}/submissions/mong-cai/return", {"comments": comments, "message": "Đề nghị bổ sung."}
    )
    assert returned.json == {"state": "returned", "revision": 1}
    board = {row["unit_id"]: row for row in admin("GET", f"/rounds/{ROUND}").json["board"]}
    assert board["mong-cai"]["state"] == "returned"
    seen = unit("GET", f"/rounds/{ROUND}/form").json
    assert seen["state"] == "returned"
    assert seen["returned"]["comments"] == comments
    web = apps["web_form"].test_client()
    web.get(f"/r/{ROUND}", query_string={"t": tokens.links["mong-cai"]})  # the link sets the session cookie
    page = web.get(f"/r/{ROUND}")
    assert "Số liệu chưa khớp với biên bản đại hội." in page.get_data(as_text=True)
    # Returning twice, or returning what was not submitted, is refused.
    assert admin("POST", f"/rounds/{ROUND}/submissions/mong-cai/return", {"comments": comments}).status_code == 409
    assert admin("POST", f"/rounds/{ROUND}/submissions/ba-che/return", {"comments": comments}).status_code == 409
    second = unit("POST", f"/rounds/{ROUND}/submission", {"answers": seed_answers("mong-cai")}).json
    assert second["revision"] == 2
    assert first["submission_id"] in stored_submissions()
    board = {row["unit_id"]: row for row in admin("GET", f"/rounds/{ROUND}").json["board"]}
    assert board["mong-cai"]["state"] == "submitted"
    assert unit("GET", f"/rounds/{ROUND}/form").json["returned"] is None


def test_reopen_and_close_again_keeps_the_first_summary(project, admin, unit_client, apps):
    tokens = setup_seed_round(admin)
    unit_client(tokens["bien-phong"])("POST", f"/rounds/{ROUND}/submission", {"answers": seed_answers("bien-phong")})
    client = apps["on_round_closed"].test_client()
    admin("POST", f"/rounds/{ROUND}/close")
    body, headers = round_event(project, ROUND, "open", "closed", close_count=1)
    assert client.post("/", data=body, headers=headers).status_code == 200
    assert admin("POST", f"/rounds/{ROUND}/open").status_code == 409  # reopening is its own act
    later = (datetime.now(UTC) + timedelta(days=2)).isoformat()
    assert admin("POST", f"/rounds/{ROUND}/reopen", {"closes_at": later}).json == {"status": "open"}
    unit_client(tokens["cong-an"])("POST", f"/rounds/{ROUND}/submission", {"answers": seed_answers("cong-an")})
    admin("POST", f"/rounds/{ROUND}/close")
    assert wiring.context().store.get(f"rounds/{ROUND}")["close_count"] == 2
    body, headers = round_event(project, ROUND, "open", "closed", close_count=2, event_id="evt-2")
    assert client.post("/", data=body, headers=headers).status_code == 200
    files = [p.name for p in pdfs(ROUND)]
    assert files == ["summary-1-1.pdf", "summary-2-2.pdf"]
    summary = admin("GET", f"/rounds/{ROUND}/summary").json
    assert summary["generation"] == 2
    assert [h["file"] for h in summary["history"]] == files
    actions = [(e["action"], e["actor"]) for e in admin("GET", f"/rounds/{ROUND}/audit").json["events"]]
    assert [a for a, _ in actions if a in ("open", "close", "reopen")] == ["open", "close", "reopen", "close"]
    assert ("submit", "unit:bien-phong") in actions
    assert all(actor.startswith("admin") for a, actor in actions if a != "submit")


def test_a_commit_the_database_did_not_answer_is_503_and_safe_to_send_again(admin, unit_client, faults):
    unit = unit_client(setup_seed_round(admin)["hai-quan"])
    body = {"answers": seed_answers("hai-quan")}
    send = lambda: unit("POST", f"/rounds/{ROUND}/submission", body, headers={"Idempotency-Key": "k1"})  # noqa: E731
    # Unanswered, then sent again with its transaction id and still unanswered, every time.
    faults.fail_next("Commit", times=4)
    unanswered = send()
    assert unanswered.status_code == 503
    assert unanswered.json["error"]["code"] == "unavailable"
    assert unanswered.headers["Retry-After"] == "1"
    again = send()  # the client's retry, with the same key
    assert again.status_code == 201
    assert send().json == again.json  # a replay from now on
    assert list(stored_submissions()) == ["hai-quan-0001"]


def test_contention_out_of_retries_is_503_busy_and_stores_nothing(admin, unit_client, faults):
    unit = unit_client(setup_seed_round(admin)["hai-quan"])
    wiring.context().store.policy = RetryPolicy(max_attempts=2)
    faults.fail_next("Commit", times=2, code=grpc.StatusCode.ABORTED)
    busy = unit("POST", f"/rounds/{ROUND}/submission", {"answers": seed_answers("hai-quan")})
    assert busy.status_code == 503
    assert busy.json["error"]["code"] == "busy"
    assert busy.headers["Retry-After"] == "1"
    assert stored_submissions() == {}
