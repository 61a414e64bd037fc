"""One contract for both adapters of the DocumentStore port: every case runs on the in-memory
store the unit tests use and on the Firestore adapter against the real emulator, so the two
cannot drift apart where the services rely on them."""

from __future__ import annotations

import pytest

from checkround.storage.firestore import store_for
from checkround.storage.memory import MemoryStore
from checkround.storage.ports import AlreadyExists, NotFound, Where


@pytest.fixture(params=["memory", "firestore"])
def store(request):
    if request.param == "memory":
        return MemoryStore()
    return store_for(request.getfixturevalue("project"))


def test_get_set_create_update_delete(store):
    assert store.get("things/a") is None
    assert store.create("things/a", {"v": 1, "keep": "x"}) is True
    assert store.create("things/a", {"v": 2}) is False  # not replaced
    assert store.get("things/a") == {"v": 1, "keep": "x"}
    store.update("things/a", {"v": 3, "odd-name": [1, {"n": None}]})  # top-level fields replaced
    assert store.get("things/a") == {"v": 3, "keep": "x", "odd-name": [1, {"n": None}]}
    store.set("things/a", {"only": True})  # the whole document replaced
    assert store.get("things/a") == {"only": True}
    store.delete("things/a")
    store.delete("things/a")  # deleting what is not there is no error
    assert store.get("things/a") is None


def test_an_update_of_a_missing_document_raises_not_found(store):
    with pytest.raises(NotFound):
        store.update("things/none", {"v": 1})
    assert store.get("things/none") is None


def test_a_document_read_is_a_copy(store):
    store.set("things/a", {"list": [1], "map": {"k": 1}})
    doc = store.get("things/a")
    doc["list"].append(2)
    doc["map"]["k"] = 2
    assert store.get("things/a") == {"list": [1], "map": {"k": 1}}


def test_list_filters_orders_and_limits_one_collection(store):
    for doc_id, data in {
        "b": {"status": "open", "rank": 2, "unit": "u2"},
        "a": {"status": "open", "rank": 3, "unit": "u1"},
        "c": {"status": "closed", "rank": 1, "unit": "u3"},
        "d": {"status": "open", "unit": "u4"},  # no rank
    }.items():
        store.set(f"rounds/{doc_id}", data)
    store.set("rounds/a/entries/x", {"status": "open"})  # a subcollection: not listed
    assert [doc_id for doc_id, _ in store.list("rounds")] == ["a", "b", "c", "d"]
    assert dict(store.list("rounds", where=[Where("status", "==", "open")])) == {
        "a": {"status": "open", "rank": 3, "unit": "u1"},
        "b": {"status": "open", "rank": 2, "unit": "u2"},
        "d": {"status": "open", "unit": "u4"},
    }
    # Ordered by a field: documents without it are left out, as Firestore does.
    assert [doc_id for doc_id, _ in store.list("rounds", order_by="rank")] == ["c", "b", "a"]
    assert [doc_id for doc_id, _ in store.list("rounds", order_by="rank", limit=2)] == ["c", "b"]
    both = [Where("status", "==", "open"), Where("unit", "in", ["u1", "u4", "u9"])]
    assert [doc_id for doc_id, _ in store.list("rounds", where=both)] == ["a", "d"]
    # An inequality filter orders by its field first, as Firestore does.
    assert [doc_id for doc_id, _ in store.list("rounds", where=[Where("rank", ">=", 2)])] == ["b", "a"]
    assert [doc_id for doc_id, _ in store.list("rounds/a/entries")] == ["x"]
    assert list(store.list("nothing")) == []


def test_a_read_returns_the_documents_in_the_order_asked(store):
    store.set("things/a", {"v": "a"})
    store.set("things/c", {"v": "c"})
    paths = ["things/c", "things/missing", "things/a"]
    assert store.transaction(lambda tx: tx.get_many(paths)) == [{"v": "c"}, None, {"v": "a"}]


def test_a_read_can_ask_for_some_fields_only(store):
    store.set("things/a", {"v": 1, "roster": ["u"] * 500, "odd-name": 2, "nested": {"x": 1}})
    store.set("things/b", {"other": 1})
    paths = ["things/a", "things/b", "things/missing"]
    fields = ["v", "odd-name", "nested"]
    assert store.transaction(lambda tx: tx.get_many(paths, fields=fields)) == [
        {"v": 1, "odd-name": 2, "nested": {"x": 1}},
        {},  # there, but none of the fields: not the same as missing
        None,
    ]


def test_a_transaction_commits_all_of_its_writes(store):
    store.set("things/a", {"v": 1, "keep": True})

    def write(tx):
        a = tx.get("things/a")
        tx.update("things/a", {"v": a["v"] + 1})
        tx.create("things/b", {"v": 10})
        tx.set("things/c", {"v": 20})
        return a["v"]

    assert store.transaction(write) == 1
    assert [store.get(f"things/{x}") for x in "abc"] == [{"v": 2, "keep": True}, {"v": 10}, {"v": 20}]


def test_a_transaction_deletes_with_its_other_writes_or_not_at_all(store):
    store.set("things/a", {"v": 1})
    store.set("things/b", {"v": 2})

    def fail(tx):
        tx.get("things/a")
        tx.delete("things/a")
        tx.update("things/none", {"v": 3})  # fails the commit: things/a stays

    with pytest.raises(NotFound):
        store.transaction(fail)
    assert store.get("things/a") == {"v": 1}

    def move(tx):
        b = tx.get("things/b")
        tx.delete("things/b")
        tx.delete("things/never")  # deleting what is not there is no error here either
        tx.set("things/c", b)

    store.transaction(move)
    assert [store.get(f"things/{x}") for x in "abc"] == [{"v": 1}, None, {"v": 2}]
    # A delete then a write of the same document in one transaction leaves the write.
    store.transaction(lambda tx: (tx.delete("things/c"), tx.set("things/c", {"v": 5})))
    assert store.get("things/c") == {"v": 5}


def test_a_transaction_that_only_writes_is_atomic(store):
    def write(tx):
        tx.create("things/x", {"v": 1})
        tx.create("things/y", {"v": 2})

    store.transaction(write)
    assert [store.get("things/x"), store.get("things/y")] == [{"v": 1}, {"v": 2}]
    # Creating an existing document fails the whole commit: things/z is not written either.
    with pytest.raises(AlreadyExists):
        store.transaction(lambda tx: (tx.create("things/z", {"v": 3}), tx.create("things/x", {"v": 9})))
    assert store.get("things/z") is None
    assert store.get("things/x") == {"v": 1}


def test_an_update_of_a_missing_document_fails_the_whole_transaction(store):
    def write(tx):
        tx.get("things/none")
        tx.set("things/new", {"v": 1})
        tx.update("things/none", {"v": 2})

    with pytest.raises(NotFound):
        store.transaction(write)
    assert store.get("things/new") is None


def test_a_failing_function_writes_nothing(store):
    store.set("things/a", {"v": 1})

    def fail(tx):
        tx.get("things/a")
        tx.set("things/a", {"v": 2})
        raise ValueError("the caller's own error")

    with pytest.raises(ValueError, match="caller's own error"):
        store.transaction(fail)
    assert store.get("things/a") == {"v": 1}


def test_reads_after_writes_are_refused(store):
    def bad(tx):
        tx.set("things/a", {"v": 1})
        tx.get("things/a")

    with pytest.raises(RuntimeError, match="read before they write"):
        store.transaction(bad)
    assert store.get("things/a") is None


@pytest.mark.parametrize("path", ["things", "things/a/b", "things//a", "/things/a"])
def test_a_path_that_names_no_document_is_refused(store, path):
    with pytest.raises(ValueError, match="not a document path"):
        store.get(path)
    with pytest.raises(ValueError, match="not a document path"):
        store.set(path, {"v": 1})
    with pytest.raises(ValueError, match="not a document path"):
        store.transaction(lambda tx: tx.get(path))
    with pytest.raises(ValueError, match="not a document path"):
        store.transaction(lambda tx: tx.set(path, {"v": 1}))
