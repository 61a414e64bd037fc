"""The Firestore adapter's transactions on the real emulator: the first read begins them,
later reads join them, failures release their locks, contention is retried."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime

import pytest
from google.api_core.exceptions import NotFound
from google.cloud import firestore

from checkround.storage.firestore import store_for
from checkround.storage.memory import MemoryStore
from checkround.storage.ports import Contention
from tests.integration.faults import fail_next


@pytest.fixture
def store(project):
    return store_for(project)


def test_concurrent_increments_lose_nothing(store):
    store.set("counters/c", {"n": 0})

    def bump(tx):
        (doc,) = tx.get_many(["counters/c"])
        tx.update("counters/c", {"n": doc["n"] + 1})

    def worker():
        for _ in range(3):
            store.transaction(bump)

    # Few writers: the emulator resolves collisions on one document by lock timeouts, which
    # makes heavy contention on it slow with any client (the service queues a unit's requests).
    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert store.get("counters/c") == {"n": 6}


def test_a_read_returns_the_documents_in_the_order_asked(store):
    store.set("things/a", {"v": "a"})
    store.set("things/c", {"v": "c"})
    paths = ["things/c", "things/missing", "things/a"]

    def read(tx):
        return tx.get_many(paths)

    assert store.transaction(read) == [{"v": "c"}, None, {"v": "a"}]


@pytest.fixture(params=["firestore", "memory"])
def either_store(request, store):
    """The same behaviour from both adapters of the port."""
    return store if request.param == "firestore" else MemoryStore()


def test_a_read_can_ask_for_some_fields_only(either_store):
    store = either_store
    store.set("things/a", {"v": 1, "roster": ["u"] * 500, "odd-name": 2, "nested": {"x": 1}})
    store.set("things/b", {"other": 1})
    paths = ["things/a", "things/b", "things/missing"]
    fields = ["v", "odd-name", "nested"]

    assert store.transaction(lambda tx: tx.get_many(paths, fields=fields)) == [
        {"v": 1, "odd-name": 2, "nested": {"x": 1}},
        {},  # there, but none of the fields: not the same as missing
        None,
    ]


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


def test_a_failed_function_writes_nothing_and_leaves_no_lock(store):
    store.set("things/a", {"v": 1})

    def fail(tx):
        tx.get_many(["things/a"])
        tx.set("things/a", {"v": 2})
        raise ValueError("the caller's own error")

    with pytest.raises(ValueError, match="caller's own error"):
        store.transaction(fail)

    def fail_before_reading(tx):
        raise ValueError("before reading")

    with pytest.raises(ValueError, match="before reading"):
        store.transaction(fail_before_reading)
    # A transaction left open would hold its lock on things/a until the emulator expires it
    # (many seconds); a rolled-back one lets this write through at once.
    start = time.monotonic()
    store.transaction(lambda tx: tx.update("things/a", {"v": 3}) if tx.get("things/a") else None)
    assert time.monotonic() - start < 2
    assert store.get("things/a") == {"v": 3}


def test_a_transaction_that_only_writes_is_atomic(store):
    def write(tx):
        tx.create("things/x", {"v": 1})
        tx.create("things/y", {"v": 2})

    store.transaction(write)
    assert [store.get("things/x"), store.get("things/y")] == [{"v": 1}, {"v": 2}]
    # Creating an existing document fails the whole batch: things/z is not written either.
    with pytest.raises(Exception, match="exists"):
        store.transaction(lambda tx: (tx.create("things/z", {"v": 3}), tx.create("things/x", {"v": 9})))
    assert store.get("things/z") is None
    assert store.get("things/x") == {"v": 1}


def test_writes_the_codec_leaves_to_the_client_commit_with_the_others(store):
    """A server timestamp and a dotted field path go through the client's encoders, in the same
    commit as the writes encoded directly, and read back through the transaction."""
    store.set("things/a", {"inner": {"x": 1, "y": 2}, "v": 0})

    def write(tx):
        tx.get("things/a")
        tx.set("things/b", {"at": firestore.SERVER_TIMESTAMP, "v": 1})
        tx.update("things/a", {"inner.x": 10})  # a field path: only inner.x changes
        tx.create("things/c", {"when": datetime(2019, 6, 20, tzinfo=UTC), "list": [1, "a", None, {"k": []}]})

    store.transaction(write)
    read = store.transaction(lambda tx: tx.get_many(["things/a", "things/b", "things/c"]))
    assert read[0] == {"inner": {"x": 10, "y": 2}, "v": 0}
    assert isinstance(read[1]["at"], datetime)
    assert read[1]["v"] == 1
    assert abs((read[1]["at"] - datetime.now(UTC)).total_seconds()) < 60
    assert read[2] == {"when": datetime(2019, 6, 20, tzinfo=UTC), "list": [1, "a", None, {"k": []}]}


def test_an_update_of_a_missing_document_fails_whole(store):
    def write(tx):
        tx.get("things/none")
        tx.create("things/new", {"v": 1})
        tx.update("things/none", {"v": 2})

    with pytest.raises(NotFound):  # the update's precondition: the document exists
        store.transaction(write)
    assert store.get("things/new") is None


def test_reads_after_writes_are_refused(store):
    def bad(tx):
        tx.set("things/a", {"v": 1})
        tx.get("things/a")

    with pytest.raises(RuntimeError, match="read before they write"):
        store.transaction(bad)
    assert store.get("things/a") is None


def test_a_read_the_database_did_not_answer_is_tried_again(store, monkeypatch):
    store.set("counters/c", {"n": 1})
    left = fail_next(monkeypatch, "batch_get_documents", times=2)

    def bump(tx):
        (doc,) = tx.get_many(["counters/c"])
        tx.update("counters/c", {"n": doc["n"] + 1})

    store.transaction(bump)
    assert left == [0]
    assert store.get("counters/c") == {"n": 2}  # applied once


def test_a_commit_the_database_did_not_answer_is_contention_not_a_crash(store, monkeypatch):
    store.set("counters/c", {"n": 1})
    fail_next(monkeypatch, "commit", times=1)

    def bump(tx):
        (doc,) = tx.get_many(["counters/c"])
        tx.update("counters/c", {"n": doc["n"] + 1})

    # The outcome of an unanswered commit is unknown, so it is not run again here: the caller
    # answers 503 and its client retries (with its Idempotency-Key for a submission).
    with pytest.raises(Contention, match="did not answer the commit"):
        store.transaction(bump)
    assert store.get("counters/c") == {"n": 1}  # the injected failure happened before sending


@pytest.mark.parametrize("path", ["things", "things/a/b", "things//a", "/things/a"])
def test_a_path_that_names_no_document_is_refused_before_any_call(store, path):
    with pytest.raises(ValueError, match="not a document path"):
        store.transaction(lambda tx: tx.get(path))
    with pytest.raises(ValueError, match="not a document path"):
        store.transaction(lambda tx: tx.set(path, {"v": 1}))
