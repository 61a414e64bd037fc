"""The Firestore adapter's transactions on the real emulator: the first read begins them,
later reads join them, failures release their locks, contention and unanswered calls are
retried. (What both adapters must do alike is in test_store_contract.py.)"""

from __future__ import annotations

import contextlib
import threading

import grpc
import pytest

from checkround.storage.firestore import FirestoreStore, store_for
from checkround.storage.firestore_client import api_client
from checkround.storage.ports import CommitUnanswered, NotFound


@pytest.fixture
def store(project):
    return store_for(project)


@pytest.fixture
def faulty(faults, project):
    from checkround.storage import firestore

    return firestore.store_for(project)


class Recorder(grpc.UnaryUnaryClientInterceptor, grpc.UnaryStreamClientInterceptor):
    """Records each call's method and metadata as they leave the channel."""

    def __init__(self):
        self.calls = []

    def intercept_unary_unary(self, continuation, details, request):
        self.calls.append((details.method.rsplit("/", 1)[1], dict(details.metadata or ())))
        return continuation(details, request)

    intercept_unary_stream = intercept_unary_unary


def counted_increments(store, workers, each, barrier=None):
    """``workers`` threads add 1 to counters/c ``each`` times; returns how many attempts ran.
    With ``barrier``, every worker's first attempt waits there after its read: all of them have
    read the counter before any of them commits."""
    attempts = []
    lock = threading.Lock()

    def increment():
        tries = [0]

        def bump(tx):
            tries[0] += 1
            (doc,) = tx.get_many(["counters/c"])
            if barrier is not None and tries[0] == 1 and len(attempts) == 0:
                barrier.wait(timeout=30)
            tx.update("counters/c", {"n": doc["n"] + 1})

        store.transaction(bump)
        with lock:
            attempts.append(tries[0])

    def worker():
        for _ in range(each):
            increment()

    threads = [threading.Thread(target=worker) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return attempts


def test_concurrent_increments_lose_nothing(faulty, faults):
    faulty.set("counters/c", {"n": 0})
    faults.calls.clear()
    barrier = threading.Barrier(2)
    attempts = counted_increments(faulty, workers=2, each=3, barrier=barrier)
    assert faulty.get("counters/c") == {"n": 6}
    # The race happened: both first transactions read 0 before either committed, so one of them
    # had to run again; and it was settled in this process, not by the emulator's lock timeout
    # (an ABORTED commit after about 2 s).
    assert barrier.n_waiting == 0
    assert not barrier.broken
    assert len(attempts) == 6
    assert sum(attempts) > 6
    assert faults.calls.count("Commit") == 6
    assert faults.refused == []


def test_a_transaction_that_reads_once_costs_two_calls_with_the_librarys_headers(project, monkeypatch):
    recorder = Recorder()
    store = FirestoreStore(api_client([recorder]), project)
    store.set("counters/c", {"n": 1})
    recorder.calls.clear()

    def bump(tx):
        (doc,) = tx.get_many(["counters/c"])
        tx.update("counters/c", {"n": doc["n"] + 1})

    store.transaction(bump)
    assert [method for method, _ in recorder.calls] == ["BatchGetDocuments", "Commit"]
    database = f"projects/{project}/databases/%28default%29"
    for _, metadata in recorder.calls:
        assert metadata["x-goog-request-params"] == f"database={database}"  # the routing header
        assert "gapic/" in metadata["x-goog-api-client"]  # the client's own header
        assert metadata["authorization"] == "Bearer owner"  # the emulator's server-client token
    assert store.get("counters/c") == {"n": 2}


def test_a_second_read_joins_the_transaction_the_first_began(store):
    store.set("things/a", {"v": 1})
    store.set("things/b", {"v": 2})

    def read_twice(tx):
        a = tx.get("things/a")
        (b,) = tx.get_many(["things/b"])
        tx.set("things/sum", {"v": a["v"] + b["v"] + 39})
        return b

    assert store.transaction(read_twice) == {"v": 2}
    assert store.get("things/sum") == {"v": 42}


def test_a_failed_function_writes_nothing_and_leaves_no_lock(faulty, faults):
    store = faulty
    store.set("things/a", {"v": 1})

    def fail(tx):
        tx.get_many(["things/a"])
        tx.set("things/a", {"v": 2})
        raise ValueError("the caller's own error")

    with pytest.raises(ValueError, match="caller's own error"):
        store.transaction(fail)
    assert faults.calls[-1] == "Rollback"  # its lock released at once, not left to expire
    # Another transaction of the process knows nothing of the first: only the database's lock
    # could hold it up, and there is none.
    other = FirestoreStore(api_client([faults]), store.database.split("/")[1])
    faults.calls.clear()
    other.transaction(lambda tx: tx.update("things/a", {"v": 3}) if tx.get("things/a") else None)
    assert faults.calls == ["BatchGetDocuments", "Commit"]
    assert store.get("things/a") == {"v": 3}

    with pytest.raises(ValueError, match="before reading"):
        store.transaction(lambda tx: (_ for _ in ()).throw(ValueError("before reading")))


def test_an_update_of_a_missing_document_fails_whole(store):
    def write(tx):
        tx.get("things/none")
        tx.create("things/new", {"v": 1})
        tx.update("things/none", {"v": 2})

    with pytest.raises(NotFound):  # the update's precondition: the document exists
        store.transaction(write)
    assert store.get("things/new") is None


def test_a_read_the_database_did_not_answer_is_tried_again(faulty, faults):
    faulty.set("counters/c", {"n": 1})
    left = faults.fail_next("BatchGetDocuments", times=2)

    def bump(tx):
        (doc,) = tx.get_many(["counters/c"])
        tx.update("counters/c", {"n": doc["n"] + 1})

    faulty.transaction(bump)
    assert left == [0]
    assert faulty.get("counters/c") == {"n": 2}  # applied once


def test_contention_is_retried_with_the_aborted_transactions_id(faulty, faults):
    faulty.set("counters/c", {"n": 1})
    left = faults.fail_next("Commit", times=2, code=grpc.StatusCode.ABORTED)

    def bump(tx):
        (doc,) = tx.get_many(["counters/c"])
        tx.update("counters/c", {"n": doc["n"] + 1})

    faulty.transaction(bump)
    assert left == [0]
    assert faulty.get("counters/c") == {"n": 2}
    assert faults.calls.count("BatchGetDocuments") >= 3


def test_a_commit_unanswered_before_it_arrived_is_sent_again_and_applied_once(faulty, faults):
    faulty.set("counters/c", {"n": 1})
    left = faults.fail_next("Commit", times=2)

    def bump(tx):
        (doc,) = tx.get_many(["counters/c"])
        tx.update("counters/c", {"n": doc["n"] + 1})

    faulty.transaction(bump)  # the same request, with the same transaction id, sent again
    assert left == [0]
    assert faulty.get("counters/c") == {"n": 2}


def test_a_commit_whose_answer_was_lost_is_applied_once(faulty, faults):
    faulty.set("counters/c", {"n": 1})
    faults.fail_next("Commit", times=1, after_sending=True)

    def bump(tx):
        (doc,) = tx.get_many(["counters/c"])
        tx.update("counters/c", {"n": doc["n"] + 1})

    # Sent again with the same transaction id, a commit that happened cannot happen twice;
    # the adapter either learns it happened or says the outcome is unknown (the caller's 503).
    with contextlib.suppress(CommitUnanswered):
        faulty.transaction(bump)
    assert faulty.get("counters/c") == {"n": 2}


def test_a_write_only_commit_unanswered_is_not_sent_again(faulty, faults):
    faults.fail_next("Commit", times=1)
    # Without a read there is no transaction id that would make a second send harmless.
    with pytest.raises(CommitUnanswered, match="did not answer the commit"):
        faulty.transaction(lambda tx: tx.create("things/x", {"v": 1}))
    assert faults.calls == ["Commit"]
    assert faulty.get("things/x") is None  # the injected failure happened before sending
