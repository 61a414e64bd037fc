"""An in-memory DocumentStore for unit tests of the services (never used by integration tests).

It behaves like the Firestore adapter wherever the services rely on it, and the contract suite
(``tests/integration/test_store_contract.py``) runs the same cases on both: paths that name no
document are refused, a transaction's reads come before its writes, its commit applies all of
its writes or none, an update of a missing document raises :class:`NotFound` and a create of an
existing one in a transaction :class:`AlreadyExists`. Transactions are serialised with one lock,
which is the strongest isolation Firestore gives.
"""

from __future__ import annotations

import copy
import operator
import threading
from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeVar

from .ports import AlreadyExists, Doc, NotFound, Where

T = TypeVar("T")

_OPS: dict[str, Callable[[Any, Any], bool]] = {
    "==": operator.eq,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
    "in": lambda value, options: value in options,
}


def check_path(path: str) -> str:
    """A document path has an even number of non-empty segments, as Firestore requires."""
    segments = path.split("/")
    if len(segments) % 2 or not all(segments):
        raise ValueError(f"not a document path: {path!r}")
    return path


class _MemoryTransaction:
    def __init__(self, store: MemoryStore) -> None:
        self._store = store
        self.writes: list[tuple[str, str, Doc]] = []

    def get(self, path: str) -> Doc | None:
        return self.get_many([path])[0]

    def get_many(self, paths: list[str], fields: list[str] | None = None) -> list[Doc | None]:
        if self.writes:
            raise RuntimeError("Firestore transactions must read before they write")
        docs = [self._store.read(check_path(path)) for path in paths]
        if fields is None:
            return docs
        return [None if doc is None else {k: v for k, v in doc.items() if k in fields} for doc in docs]

    def create(self, path: str, data: Doc) -> None:
        self.writes.append(("create", check_path(path), copy.deepcopy(data)))

    def set(self, path: str, data: Doc) -> None:
        self.writes.append(("set", check_path(path), copy.deepcopy(data)))

    def update(self, path: str, data: Doc) -> None:
        self.writes.append(("update", check_path(path), copy.deepcopy(data)))

    def delete(self, path: str) -> None:
        self.writes.append(("delete", check_path(path), {}))


class MemoryStore:
    def __init__(self) -> None:
        self.docs: dict[str, Doc] = {}
        self._lock = threading.RLock()

    def read(self, path: str) -> Doc | None:
        doc = self.docs.get(path)
        return copy.deepcopy(doc) if doc is not None else None

    def get(self, path: str) -> Doc | None:
        with self._lock:
            return self.read(check_path(path))

    def create(self, path: str, data: Doc) -> bool:
        with self._lock:
            if check_path(path) in self.docs:
                return False
            self.docs[path] = copy.deepcopy(data)
            return True

    def set(self, path: str, data: Doc) -> None:
        with self._lock:
            self.docs[check_path(path)] = copy.deepcopy(data)

    def update(self, path: str, data: Doc) -> None:
        with self._lock:
            self._apply([("update", check_path(path), copy.deepcopy(data))])

    def delete(self, path: str) -> None:
        with self._lock:
            self.docs.pop(check_path(path), None)

    def list(
        self,
        collection: str,
        where: list[Where] | None = None,
        order_by: str | None = None,
        limit: int | None = None,
    ) -> Iterator[tuple[str, Doc]]:
        depth = collection.count("/") + 1
        with self._lock:
            rows = [
                (path.rsplit("/", 1)[1], copy.deepcopy(doc))
                for path, doc in self.docs.items()
                if path.startswith(collection + "/") and path.count("/") == depth
            ]
        for cond in where or []:
            rows = [r for r in rows if cond.field in r[1] and _OPS[cond.op](r[1][cond.field], cond.value)]
        if order_by is None:
            # Firestore orders by the field of an inequality filter first, then by id.
            order_by = next((cond.field for cond in where or [] if cond.op not in ("==", "in")), None)
        if order_by:
            rows = [row for row in rows if order_by in row[1]]  # Firestore leaves out the others
        rows.sort(key=lambda row: (row[1][order_by], row[0]) if order_by else row[0])
        yield from rows[:limit] if limit is not None else rows

    def _apply(self, writes: Sequence[tuple[str, str, Doc]]) -> None:
        """Every write or none: the preconditions are checked (in order, as a batch sees the
        writes before it) on a copy of the affected documents before any is changed."""
        staged: dict[str, Doc | None] = {}
        for kind, path, data in writes:
            current = staged[path] if path in staged else self.docs.get(path)
            if kind == "create":
                if current is not None:
                    raise AlreadyExists(f"document already exists: {path}")
                staged[path] = data
            elif kind == "update":
                if current is None:
                    raise NotFound(f"no document to update: {path}")
                staged[path] = {**current, **data}
            elif kind == "delete":
                staged[path] = None  # gone, for the writes after it too
            else:
                staged[path] = data
        for path, doc in staged.items():
            if doc is None:
                self.docs.pop(path, None)
            else:
                self.docs[path] = copy.deepcopy(doc)

    def transaction(self, fn: Callable[[Any], T]) -> T:
        with self._lock:
            tx = _MemoryTransaction(self)
            result = fn(tx)
            self._apply(tx.writes)
            return result
